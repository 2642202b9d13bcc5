"""Batches whose file stopped arriving.

A batch is ``receiving`` while its file is read and stored, and only
``finish_receiving`` moves it on. When the request that stores it fails (the
queue out of reach) the batch is cancelled with the reason; when the process
itself dies (the web process killed mid-upload) nothing runs to do so, and the
batch would stay ``receiving`` forever, out of the stalled-batch sweep's sight.
The sweep therefore also finishes batches that have been receiving for longer
than any upload takes: the rows stored are kept and analysed, and the batch says
that the file stopped.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import bindparam, func, select, update

from worker import pipeline
from worker.db import get_engine, session_scope
from worker.storage import CANCELLED, RECEIVING, Batch, BatchRow, utcnow

log = logging.getLogger(__name__)

_batches = Batch.__table__


def stored_rows(url: str, batch_id: str) -> int:
    with session_scope(url) as session:
        return int(session.scalar(
            select(func.count()).select_from(BatchRow).where(BatchRow.batch_id == batch_id)) or 0)


def abandon(url: str, batch_id: str, message: str) -> None:
    """Cancel a batch still receiving, with why; best effort (the database may be away too)."""
    try:
        total = stored_rows(url, batch_id)
        with get_engine(url, write=True).begin() as conn:
            conn.execute(update(_batches).where(
                _batches.c.id == batch_id, _batches.c.status == RECEIVING,
            ).values(status=CANCELLED, error=message, total=total, finished_at=utcnow()))
    except Exception:  # noqa: BLE001 - the sweep finishes it later if this cannot
        log.exception("could not cancel interrupted batch %s", batch_id)


# Claims an abandoned batch: of several workers sweeping at once, one finishes it.
_CLAIM = update(_batches).where(
    _batches.c.id == bindparam("b"), _batches.c.status == RECEIVING,
    _batches.c.progress_at < bindparam("before"),
).values(progress_at=bindparam("now"))


def finish_abandoned(url: str, enqueue: pipeline.Enqueue, timeout: float,
                     now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Finish the batches receiving for longer than ``timeout`` seconds and send their
    pending chunks; return {batch id: the chunks sent}."""
    now = now or utcnow()
    before = now - dt.timedelta(seconds=timeout)
    with session_scope(url) as session:
        found = list(session.scalars(select(Batch.id).where(
            Batch.status == RECEIVING, Batch.progress_at < before)))
    finished: dict[str, list[int]] = {}
    for batch_id in found:
        with get_engine(url, write=True).begin() as conn:
            if conn.execute(_CLAIM, {"b": batch_id, "before": before, "now": now}).rowcount != 1:
                continue
        total = stored_rows(url, batch_id)
        pipeline.finish_receiving(
            url, batch_id, total,
            f"the file stopped arriving after {total:,} rows (the process receiving it "
            "stopped); the rows stored are analysed")
        finished[batch_id] = pipeline.resume(url, batch_id, enqueue, now)
        log.warning("batch %s was still receiving after %s s: finished with its %d stored "
                    "rows", batch_id, timeout, total)
    return finished
