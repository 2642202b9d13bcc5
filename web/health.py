"""``/healthz``: the process is up. ``/readyz``: database, broker and a worker answer."""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Blueprint, current_app, jsonify

from worker import db

bp = Blueprint("health", __name__)


def count_workers(celery: Any, timeout: float = 1.0) -> int:
    """Return how many workers answer a ping within ``timeout`` seconds (0 on any error)."""
    try:
        return len(celery.control.ping(timeout=timeout) or [])
    except Exception:  # noqa: BLE001 - a broker away means no worker to be had
        return 0


# The pages ask at most this often (seconds): a ping waits its whole timeout when no
# worker answers.
_SEEN_TTL = 5.0
_seen: dict[int, tuple[float, bool]] = {}
_seen_lock = threading.Lock()


def worker_up(celery: Any) -> bool:
    """Tell whether a worker answers, asked at most every few seconds per Celery app."""
    now = time.monotonic()
    with _seen_lock:
        cached = _seen.get(id(celery))
        if cached is not None and now - cached[0] < _SEEN_TTL:
            return cached[1]
    up = count_workers(celery, timeout=0.5) > 0
    with _seen_lock:
        _seen[id(celery)] = (time.monotonic(), up)
    return up


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    checks: dict[str, Any] = {}
    try:
        db.ping(current_app.config["DATABASE_URL"])
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        checks["database"] = f"error: {type(exc).__name__}"
    celery = current_app.extensions["celery"]
    try:
        with celery.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"error: {type(exc).__name__}"
    workers = count_workers(celery) if checks["broker"] == "ok" else 0
    checks["workers"] = workers
    ready = checks["database"] == "ok" and checks["broker"] == "ok" and workers > 0
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    return jsonify(body), 200 if ready else 503
