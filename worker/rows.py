"""Read a batch's rows for its pages: a page of them filtered and sorted, or one with its neighbours."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from models.scoring import describe_gaps, record_skillset
from worker.db import session_scope
from worker.results import NOT_ANALYSED, shown_status
from worker.storage import CANCELLED, PENDING, Analysis, Batch, BatchRow, Posting

SORTS = {
    "row": BatchRow.row, "title": BatchRow.title, "company": BatchRow.company,
    "location": BatchRow.location, "date": BatchRow.date, "score": Analysis.score,
    "status": BatchRow.status,
}
STATUSES = ("done", "failed", "pending", NOT_ANALYSED)


def row_statuses(batch: Batch) -> tuple[str, ...]:
    """The statuses a batch's rows can have, for its table's filter."""
    unanalysed = NOT_ANALYSED if batch.status == CANCELLED else PENDING
    return tuple(s for s in STATUSES if s in ("done", "failed", unanalysed))


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def list_rows(
    url: str, batch_id: str, *, q: str = "", status: str = "", sort: str = "row",
    desc: bool = False, page: int = 1, per_page: int = 25, filters: Sequence[Any] = (),
) -> Page:
    """Return one page of a batch's postings, filtered and sorted in the database.

    ``filters`` are further clauses over the rows joined with their analyses
    (``worker/row_filters.py``).
    """
    where = [BatchRow.batch_id == batch_id, *filters]
    if q:
        pattern = _like(q)
        where.append(or_(*(col.ilike(pattern, escape="\\") for col in
                           (BatchRow.title, BatchRow.company, BatchRow.location,
                            BatchRow.source_id))))
    if status in STATUSES:
        where.append(BatchRow.status == status)
    column = SORTS.get(sort, BatchRow.row)
    order = column.desc() if desc else column.asc()
    query = (
        select(BatchRow.row, BatchRow.source_id, BatchRow.title, BatchRow.company,
               BatchRow.location, BatchRow.date, BatchRow.status, BatchRow.error,
               Analysis.score, Analysis.record)
        .outerjoin(Analysis, Analysis.id == BatchRow.analysis_id)
        .where(*where)
    )
    with session_scope(url) as session:
        batch_status = session.scalar(select(Batch.status).where(Batch.id == batch_id))
        total = int(session.scalar(
            select(func.count()).select_from(BatchRow)
            .outerjoin(Analysis, Analysis.id == BatchRow.analysis_id).where(*where)
        ) or 0)
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        result = session.execute(
            query.order_by(order.nulls_last(), BatchRow.row)
            .limit(per_page).offset((page - 1) * per_page)
        ).all()
    rows = []
    for r in result:
        record = r.record or {}
        status, error = shown_status(r.status, r.error, batch_status)
        rows.append({
            "row": r.row, "id": r.source_id, "title": r.title or record.get("title"),
            "company": r.company or record.get("company"), "location": r.location,
            "date": r.date, "status": status, "error": error, "score": r.score,
            "skills": len(record.get("skills") or []),
            "gaps": [g.get("name") or g.get("id") for g in describe_gaps((record.get("gaps") or [])[:3],
                                                                        record_skillset(record))],
        })
    return Page(rows, total, page, pages)


@dataclass
class BatchRowView:
    """One row of a batch: its record (merged with the row's fields), the normalised
    text its evidence points into (analysed rows only), and the rows before and after."""

    record: dict[str, Any]
    text: str | None
    previous: int | None
    next: int | None


def batch_row(url: str, batch_id: str, row: int) -> BatchRowView | None:
    """Return one row of a batch with its analysis, its posting's text and its neighbours."""
    query = (
        select(BatchRow.row, BatchRow.source_id, BatchRow.title, BatchRow.company,
               BatchRow.location, BatchRow.date, BatchRow.status, BatchRow.error,
               Analysis.record, Analysis.text.label("analysis_text"),
               Posting.text.label("posting_text"), Batch.status.label("batch_status"))
        .join(Batch, Batch.id == BatchRow.batch_id)
        .outerjoin(Analysis, Analysis.id == BatchRow.analysis_id)
        .outerjoin(Posting, Posting.id == BatchRow.posting_id)
        .where(BatchRow.batch_id == batch_id, BatchRow.row == row)
    )
    mine = BatchRow.batch_id == batch_id
    with session_scope(url) as session:
        r = session.execute(query).first()
        if r is None:
            return None
        previous = session.scalar(select(func.max(BatchRow.row)).where(mine, BatchRow.row < row))
        following = session.scalar(select(func.min(BatchRow.row)).where(mine, BatchRow.row > row))
    record = dict(r.record or {})
    status, error = shown_status(r.status, r.error or record.get("error"), r.batch_status)
    text = None
    if r.record is not None and status == "done":
        from models.analysis import normalised_text  # the engine: loaded when needed

        # A batch keeps its analyses without the text; it is the posting's, normalised again.
        text = r.analysis_text or (normalised_text(r.posting_text, record.get("title"))
                                   if r.posting_text else None)
    record.update({
        "row": r.row, "id": r.source_id, "title": r.title or record.get("title"),
        "company": r.company or record.get("company"), "location": r.location,
        "date": r.date, "status": status, "error": error,
    })
    return BatchRowView(record, text, previous, following)
