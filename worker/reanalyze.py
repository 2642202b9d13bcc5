"""A finished batch analysed again against another skill set, without uploading it again.

The new batch takes the old one's rows as they were stored (the postings are kept
once, by content), pinned to the other skill set; rows that failed while the file
was read fail again with the same message. Its chunks then run as any batch's do.
"""

from __future__ import annotations

import uuid

from sqlalchemy import case, func, insert, literal, select

from worker import skillsets
from worker.db import session_scope
from worker.pipeline import Enqueue
from worker.storage import DONE, FAILED, PENDING, QUEUED, Batch, BatchRow, utcnow

_COPIED = ("row", "chunk", "source_id", "title", "company", "location", "date", "posting_id")


class NotFinished(ValueError):
    """The batch is not finished (or was cancelled): there is nothing whole to analyse again."""


def reanalyze(url: str, batch_id: str, skillset: str | None, enqueue: Enqueue) -> str:
    """Create a batch of ``batch_id``'s rows against ``skillset`` and enqueue it; return its id.

    Raises ``SkillSetError`` for an unknown skill set, ``LookupError`` for an unknown
    batch and ``NotFinished`` for a batch still running or cancelled.
    """
    pinned = skillsets.pin(url, skillset)
    new_id = uuid.uuid4().hex
    rows = BatchRow.__table__
    with session_scope(url, write=True) as session:
        old = session.get(Batch, batch_id)
        if old is None or old.kind != "batch":
            raise LookupError(batch_id)
        if old.status != DONE:
            raise NotFinished(f"the batch is {old.status}: only a finished batch can be analysed again")
        unread = session.scalar(select(func.count()).select_from(rows).where(
            rows.c.batch_id == batch_id, rows.c.posting_id.is_(None))) or 0
        chunks = session.scalars(select(rows.c.chunk).distinct().where(
            rows.c.batch_id == batch_id, rows.c.chunk.is_not(None)).order_by(rows.c.chunk)).all()
        now = utcnow()
        session.add(Batch(
            id=new_id, kind="batch", status=DONE if not chunks else QUEUED, filename=old.filename,
            skillset=pinned.ref, skillset_id=pinned.id, skillset_version=pinned.analysis_version,
            total=old.total, done=0, failed=unread, cancelled=0, chunks=len(chunks),
            include_text=old.include_text, created_at=now, progress_at=now,
            finished_at=now if not chunks else None,
        ))
        session.flush()
        copied = select(
            literal(new_id), *(rows.c[c] for c in _COPIED),
            case((rows.c.posting_id.is_(None), FAILED), else_=PENDING), literal(0),
            case((rows.c.posting_id.is_(None), rows.c.error), else_=None),
        ).where(rows.c.batch_id == batch_id)
        session.execute(insert(rows).from_select(
            ["batch_id", *_COPIED, "status", "attempts", "error"], copied))
    for chunk in chunks:
        enqueue(new_id, int(chunk))
    return new_id
