"""Send a batch's pending chunks again: a resume, or the sweep for lost chunk tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlalchemy import bindparam, case, select, update

from worker.db import get_autocommit, get_engine, session_scope
from worker.pipeline.cancelling import LOCK_BATCH
from worker.pipeline.storing import Enqueue
from worker.storage import CANCELLED, DONE, PENDING, QUEUED, RUNNING, Batch, BatchRow, utcnow

_batches = Batch.__table__
_rows = BatchRow.__table__


def pending_chunks(url: str, batch_id: str) -> list[int]:
    """Return the chunks that still have pending rows (to enqueue them again)."""
    with session_scope(url) as session:
        return list(
            session.scalars(
                select(BatchRow.chunk).where(
                    BatchRow.batch_id == batch_id, BatchRow.status == PENDING,
                    BatchRow.chunk.is_not(None),
                ).distinct().order_by(BatchRow.chunk)
            )
        )


# Redis keeps a task a worker took until the worker acknowledges it, and gives it back
# after the visibility timeout; but a worker killed between taking a task and recording
# it as taken loses it, and so does a broker wiped without persistence. The filesystem
# queue of the embedded default gives nothing back: a killed worker's tasks are gone.
# Nothing would send those chunks again. Each worker therefore sweeps now and then: an
# unfinished batch that has pending rows and has not moved for longer than a
# lost-and-restored task would need gets its pending chunks sent again (a chunk is
# idempotent).

_STILL = (_batches.c.status.in_((QUEUED, RUNNING)), _batches.c.progress_at < bindparam("before"))

_STALLED = select(_batches.c.id, _batches.c.kind).where(
    *_STILL, _batches.c.kind.in_(bindparam("kinds", expanding=True)),
    select(_rows.c.id).where(
        _rows.c.batch_id == _batches.c.id, _rows.c.status == PENDING, _rows.c.chunk.is_not(None),
    ).exists(),
)

# Moving the batch's progress time claims it: of several workers sweeping at once one
# sends its chunks, and the next sweep leaves it alone for another stall timeout.
_CLAIM_STALLED = update(_batches).where(_batches.c.id == bindparam("b"), *_STILL).values(
    progress_at=bindparam("now"))


def resume(url: str, batch_id: str, enqueue: Enqueue, now: dt.datetime | None = None) -> list[int]:
    """Send again the chunks of a batch that still have pending rows; return them.

    A cancelled batch is taken up again first: its cancelled rows are pending once
    more and it runs (rows already analysed are not analysed twice). The batch's
    progress time is set, as a sweep's claim does, so that a sweep soon after does
    not send the same chunks once more.
    """
    now = now or utcnow()
    with get_engine(url, write=True).begin() as conn:
        if conn.execute(LOCK_BATCH, {"b": batch_id}).scalar() == CANCELLED:
            conn.execute(update(_rows).where(_rows.c.batch_id == batch_id,
                                             _rows.c.status == CANCELLED)
                         .values(status=PENDING, attempts=0))
            complete = _batches.c.done + _batches.c.failed >= _batches.c.total
            conn.execute(update(_batches).where(_batches.c.id == batch_id).values(
                status=case((complete, DONE), (_batches.c.started_at.is_(None), QUEUED),
                            else_=RUNNING),
                finished_at=case((complete, now), else_=None),
                cancelled=0, report=None, report_processed=None,
            ))
        conn.execute(update(_batches).where(_batches.c.id == batch_id).values(progress_at=now))
    chunks = pending_chunks(url, batch_id)
    for chunk in chunks:
        enqueue(batch_id, chunk)
    return chunks


def stalled_batches(url: str, kinds: Iterable[str], before: dt.datetime) -> list[tuple[str, str]]:
    """Return (id, kind) of the unfinished batches of ``kinds`` that have pending rows
    and have not moved since ``before``.

    One query, on the index of status and progress time; only the few batches that
    have been still that long are checked for a pending row.
    """
    with get_autocommit(url).connect() as conn:
        found = conn.execute(_STALLED, {"before": before, "kinds": list(kinds)}).all()
        conn.rollback()
    return [(r.id, r.kind) for r in found]


def resend_stalled(url: str, enqueuers: Mapping[str, Enqueue], stall_timeout: float,
                   now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Send again the pending chunks of batches still for ``stall_timeout`` seconds.

    ``enqueuers`` maps a batch kind to the function that sends its chunks, and holds
    only the kinds whose queue has no message waiting: a batch waiting its turn behind
    another has chunks in the queue still, and must not get them twice. Return
    {batch id: the chunks sent again}.
    """
    if not enqueuers:
        return {}
    now = now or utcnow()
    before = now - dt.timedelta(seconds=stall_timeout)
    resent: dict[str, list[int]] = {}
    for batch_id, kind in stalled_batches(url, enqueuers, before):
        with get_engine(url, write=True).begin() as conn:
            claimed = conn.execute(_CLAIM_STALLED, {"b": batch_id, "before": before, "now": now})
            if claimed.rowcount != 1:
                continue  # It moved meanwhile, or another worker's sweep took it.
        chunks = pending_chunks(url, batch_id)
        for chunk in chunks:
            enqueuers[kind](batch_id, chunk)
        resent[batch_id] = chunks
    return resent
