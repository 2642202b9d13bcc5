"""Read batches: one file's batch by its id, or what a list of ids shows of each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from worker.db import session_scope
from worker.storage import Analysis, Batch, BatchRow


def get_batch(url: str, batch_id: str) -> Batch | None:
    """Return a batch of a file's rows (not a pasted posting's), or None if unknown."""
    with session_scope(url) as session:
        batch = session.get(Batch, batch_id)
    if batch is None or batch.kind != "batch":
        return None
    return batch


@dataclass
class BatchSummary:
    """What a list shows of a batch, or of a pasted posting (``kind`` "single")."""

    id: str
    kind: str
    status: str
    filename: str | None
    created_at: dt.datetime
    total: int | None
    done: int
    failed: int
    cancelled: int
    title: str | None  # a pasted posting's
    score: float | None  # a pasted posting's
    opening: str | None  # a pasted posting's first 300 characters


def summaries(url: str, ids: Iterable[str]) -> dict[str, BatchSummary]:
    """Return the stored ones of ``ids``, each with its counts, or its posting's title and score."""
    query = (
        select(Batch.id, Batch.kind, Batch.status, Batch.filename, Batch.created_at,
               Batch.total, Batch.done, Batch.failed, Batch.cancelled, BatchRow.title,
               Analysis.score, func.substr(Analysis.text, 1, 300).label("opening"))
        .outerjoin(BatchRow, (BatchRow.batch_id == Batch.id) & (Batch.kind == "single"))
        .outerjoin(Analysis, Analysis.id == BatchRow.analysis_id)
        .where(Batch.id.in_(list(ids)))
    )
    with session_scope(url) as session:
        return {r.id: BatchSummary(**r._asdict()) for r in session.execute(query)}
