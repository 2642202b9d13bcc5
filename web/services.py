"""What the HTML pages need from the workers, as plain functions: a pasted posting
sent and waited for, what a browser started, a batch's progress.

The views stay thin: they call these and render. Work is submitted through
``worker.pipeline`` exactly as the JSON API does, so a posting pasted in the
browser and one sent to ``POST /api/v1/analyses`` take the same queue. Uploaded
files are ``web.uploads``'.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from web import present
from worker import batches, notify, pipeline, tasks
from worker.storage import FINISHED, Batch

# The largest row number the database holds (a 32-bit integer column).
MAX_ROW_NUMBER = 2**31 - 1


# --- Single postings ---------------------------------------------------------------------

def submit_posting(url: str, celery: Any, text: str, skillset: str | None) -> str:
    """Queue one posting for the interactive queue, as ``POST /api/v1/analyses`` does."""
    return pipeline.submit_text(url, text, tasks.interactive_enqueuer(celery), skillset=skillset)


def wait_finished(redis_url: str | None, batch_id: str, deadline: float,
                  read: Callable[[], Any]) -> Any:
    """Call ``read`` until the pasted posting it reads is finished or the deadline
    passes; return what it last gave (None at once for an unknown id).

    With Redis the worker's announcement wakes us at once, through the process's
    one subscription (the database is still what is read); without it, or while
    that subscription is down, a cheap query polls, more often at first.
    """
    listener = notify.listener(redis_url) if redis_url is not None else None
    event = listener.register(batch_id) if listener is not None else threading.Event()
    delay = 0.005
    try:
        # Read after registering, so a result stored meanwhile is not missed.
        found = read()
        while found is not None and found.status not in FINISHED and (left := deadline - time.monotonic()) > 0:
            if listener is not None and listener.ready.is_set():
                event.wait(min(left, 0.5))
            else:
                event.wait(min(delay, left))
                delay = min(delay * 1.5, 0.1)
            event.clear()
            found = read() or found
    finally:
        if listener is not None:
            listener.unregister(batch_id, event)
    return found


# --- Batches -----------------------------------------------------------------------------

@dataclass
class HistoryItem:
    kind: str  # "batch" or "analysis"
    id: str
    label: str
    status: str
    created_at: dt.datetime | None
    detail: str


def history_items(url: str, started: list[tuple[str, str]]) -> list[HistoryItem]:
    """Return what a browser started, in its order: each batch's file and counts, each
    pasted posting's title and standing. Ids no longer stored are left out."""
    if not started:
        return []
    kinds = {"batch": "batch", "analysis": "single"}
    found = batches.summaries(url, [i for _, i in started])
    items = []
    for kind, item_id in started:
        r = found.get(item_id)
        if r is None or r.kind != kinds[kind]:
            continue
        if kind == "batch":
            counts = f"{r.done:,} analysed, {r.failed:,} failed"
            if r.cancelled:
                counts += f", {r.cancelled:,} cancelled"
            detail = f"{counts} of {r.total:,}" if r.total is not None else counts
            items.append(HistoryItem(kind, r.id, r.filename or "a file", r.status,
                                     _aware(r.created_at), detail))
        else:
            detail = standing(r.record, r.score)
            items.append(HistoryItem(kind, r.id, r.title or _first_line(r.opening), r.status,
                                     _aware(r.created_at), detail))
    return items


def standing(record: dict[str, Any] | None, score: float | None) -> str:
    """A pasted posting's result in a few words, as its page heads it: its percentile among
    real postings, that it is of another occupation, or (with no market) its alignment score."""
    market = present.market_view(record) if isinstance(record, dict) else None
    if market is not None:
        return f"{market['ordinal']} percentile"
    if isinstance(record, dict) and present.not_fitting(record):
        return "another occupation"
    return f"alignment score {score:.0f}" if score is not None else ""


def _first_line(text: str | None, limit: int = 80) -> str:
    """A pasted posting's label: the first line of its text (its title, most often)."""
    line = next((x.strip() for x in (text or "").splitlines() if x.strip()), "")
    if not line:
        return "a pasted posting"
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    # SQLite hands back naive datetimes; they were stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def progress(batch: Batch, now: dt.datetime | None = None) -> dict[str, Any]:
    """Return a batch's counts with percent, rate (postings analysed a second) and ETA (seconds).

    Rows that took an analysis stored before (``reused``) take no time: the rate is that
    of the rows analysed now (``analysed``), else a file analysed before would show tens
    of thousands of postings a second. The ETA counts every row left at that rate, so it
    is an upper bound when some of them are reused too.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    processed = batch.done + batch.failed
    reused = batch.reused or 0
    analysed = processed - reused
    total = batch.total
    percent = round(100 * processed / total, 1) if total else (100.0 if total == 0 else 0.0)
    finished = batch.status in FINISHED
    rate = eta = None
    started = _aware(batch.started_at)
    if started is not None and analysed > 0:
        end = (_aware(batch.finished_at) if finished else None) or now
        elapsed = max((end - started).total_seconds(), 1e-3)
        rate = round(analysed / elapsed, 1)
        if total and not finished and rate > 0:
            eta = round((total - processed) / rate)
    return {
        "id": batch.id, "status": batch.status, "finished": finished,
        "total": total, "done": batch.done, "failed": batch.failed, "processed": processed,
        "reused": reused, "analysed": analysed, "cancelled": batch.cancelled or 0,
        "percent": min(percent, 100.0), "rate": rate, "eta_seconds": eta,
        "error": batch.error, "filename": batch.filename,
    }
