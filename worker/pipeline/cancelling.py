"""Cancel a batch at once, in one transaction."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update

from worker.db import get_engine, session_scope
from worker.storage import CANCELLED, FINISHED, PENDING, Batch, BatchRow, utcnow

_batches = Batch.__table__
_rows = BatchRow.__table__


# The batch's status, its row locked until the transaction ends (PostgreSQL; SQLite
# has one writer at a time anyway): a cancel and the storing of a file's rows, or a
# cancel and a resume, never interleave.
LOCK_BATCH = select(_batches.c.status).where(_batches.c.id == bindparam("b")).with_for_update()


def batch_status(url: str, batch_id: str) -> str | None:
    with session_scope(url) as session:
        return session.scalar(select(Batch.status).where(Batch.id == batch_id))


def cancel(url: str, batch_id: str) -> bool:
    """Cancel a batch; return False if unknown.

    At once and in one transaction: every row not analysed yet is marked
    ``cancelled`` and counted, so done + failed + cancelled is the total from
    then on. A chunk running meanwhile still stores its analyses (a resume reuses
    them) but no longer counts its rows.
    """
    now = utcnow()
    with get_engine(url, write=True).begin() as conn:
        status = conn.execute(LOCK_BATCH, {"b": batch_id}).scalar()
        if status is None:
            return False
        if status in FINISHED:
            return True
        changed = conn.execute(
            update(_rows).where(_rows.c.batch_id == batch_id, _rows.c.status == PENDING)
            .values(status=CANCELLED)
        ).rowcount
        conn.execute(update(_batches).where(_batches.c.id == batch_id).values(
            status=CANCELLED, finished_at=now, progress_at=now,
            cancelled=_batches.c.cancelled + changed,
        ))
    return True
