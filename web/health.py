"""``/healthz``: the process is up. ``/readyz``: database, broker and a worker answer."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from worker import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():  # type: ignore[no-untyped-def]
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
    workers = 0
    if checks["broker"] == "ok":
        try:
            workers = len(celery.control.ping(timeout=1.0) or [])
        except Exception:  # noqa: BLE001
            workers = 0
    checks["workers"] = workers
    ready = checks["database"] == "ok" and checks["broker"] == "ok" and workers > 0
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    return jsonify(body), 200 if ready else 503
