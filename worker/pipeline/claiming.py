"""Count an attempt at a chunk and read the rows it must run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, case, exists, func, or_, select, true, update

from worker.db import get_autocommit, get_engine
from worker.pipeline import analyzers
from worker.storage import FINISHED, PENDING, QUEUED, RUNNING, Analysis, Batch, BatchRow, utcnow
from worker.storage import Posting as StoredPosting

_batches = Batch.__table__
_rows = BatchRow.__table__
_postings = StoredPosting.__table__
_analyses_t = Analysis.__table__

# A chunk costs three transactions: count the attempt (start_chunk), read the rows
# with their texts or stored analyses (run_chunk), then store the analyses and the
# rows' outcomes and add to the counters (run_chunk). Statements are Core, built
# once at import so SQLAlchemy's compiled cache serves them; each transaction is a
# handful of round trips whatever the chunk's size.

BATCH_STATE = select(
    _batches.c.status, _batches.c.started_at.is_(None).label("unstarted"),
    _batches.c.skillset, _batches.c.include_text,
).where(_batches.c.id == bindparam("b"))

# A chunk's rows still to analyse.
PENDING_ROWS = (_rows.c.batch_id == bindparam("b"), _rows.c.chunk == bindparam("c"),
                _rows.c.status == PENDING)

_CLAIM = (
    update(_rows).where(*PENDING_ROWS).values(attempts=_rows.c.attempts + 1)
    .returning(_rows.c.attempts)
)

_MARK_RUNNING = update(_batches).where(_batches.c.id == bindparam("b")).values(
    status=case((_batches.c.status == QUEUED, RUNNING), else_=_batches.c.status),
    started_at=func.coalesce(_batches.c.started_at, bindparam("now")),
    # Its first chunk started: a batch that waited its turn behind another is moving now.
    progress_at=bindparam("now"),
)

# Each pending row with its posting's text and every stored analysis of that posting;
# ``rows_to_run`` picks the usable one. The columns a row of it needs:
_ROW_ANALYSIS_COLUMNS = (
    _postings.c.text.label("posting_text"), _analyses_t.c.id.label("analysis_id"),
    _analyses_t.c.skillset_id, _analyses_t.c.skillset_version, _analyses_t.c.error,
    _analyses_t.c.text.is_(None).label("without_text"),
)
ROW_ANALYSES = (
    select(_rows.c.id, _rows.c.posting_id, _rows.c.location, _rows.c.title, _rows.c.company,
           *_ROW_ANALYSIS_COLUMNS)
    .join(_postings, _postings.c.id == _rows.c.posting_id)
    .outerjoin(_analyses_t, _analyses_t.c.posting_id == _rows.c.posting_id)
    .where(*PENDING_ROWS)
)


@dataclass(frozen=True)
class Claim:
    """One counted attempt at a chunk, and what start_chunk read for the run_chunk that
    follows it, so that counting the attempt and reading the work is one transaction.

    ``rows`` is None when they could not be prepared (e.g. a skill set that fails to
    load): run_chunk then reads them again and raises inside the task's retry handling.
    """

    attempt: int
    batch: Any = None
    rows: list[RowToRun] | None = None


def start_chunk(url: str, batch_id: str, chunk: int) -> Claim | None:
    """Count one attempt at a chunk; return it with the rows to run, None if nothing is left."""
    if get_engine(url).dialect.name == "postgresql":
        return _start_postgresql(url, batch_id, chunk)
    with get_engine(url, write=True).begin() as conn:
        batch = conn.execute(BATCH_STATE, {"b": batch_id}).first()
        if batch is None or batch.status in FINISHED:
            return None
        attempts = conn.execute(_CLAIM, {"b": batch_id, "c": chunk}).scalars().all()
        if not attempts:
            return None
        if batch.status == QUEUED or batch.unstarted:
            conn.execute(_MARK_RUNNING, {"b": batch_id, "now": utcnow()})
        found = conn.execute(ROW_ANALYSES, {"b": batch_id, "c": chunk}).all()
    return _claim(url, int(max(attempts)), batch, found)


def _start_all_in_one() -> Any:
    """start_chunk's four statements as one, for PostgreSQL: one round trip, not six.

    Each claimed row comes with the batch's state and what ``ROW_ANALYSES`` gives.
    """
    batch = select(
        _batches.c.status, _batches.c.started_at.is_(None).label("unstarted"),
        _batches.c.skillset, _batches.c.include_text,
    ).where(_batches.c.id == bindparam("b"), _batches.c.status.not_in(FINISHED)).cte("batch")
    claim = (
        update(_rows).where(*PENDING_ROWS, exists(select(batch.c.status)))
        .values(attempts=_rows.c.attempts + 1)
        .returning(_rows.c.id, _rows.c.posting_id, _rows.c.location, _rows.c.title, _rows.c.company,
                   _rows.c.attempts).cte("claim")
    )
    mark = _MARK_RUNNING.where(
        exists(select(claim.c.id)), or_(_batches.c.status == QUEUED, _batches.c.started_at.is_(None))
    ).cte("mark")
    return (
        select(
            claim.c.id, claim.c.posting_id, claim.c.location, claim.c.title, claim.c.company,
            claim.c.attempts, batch.c.status, batch.c.unstarted,
            batch.c.skillset, batch.c.include_text, *_ROW_ANALYSIS_COLUMNS,
        )
        .select_from(
            claim.join(batch, true()).join(_postings, _postings.c.id == claim.c.posting_id)
            .outerjoin(_analyses_t, _analyses_t.c.posting_id == claim.c.posting_id)
        )
        .add_cte(mark)
    )


_START_ALL_IN_ONE = _start_all_in_one()


@dataclass(frozen=True)
class _BatchState:
    status: str
    unstarted: bool
    skillset: str | None
    include_text: bool


@dataclass(frozen=True)
class RowToRun:
    """A pending row: its usable analysis, or the posting's text when it must be analysed."""

    id: int
    posting_id: int
    analysis_id: int | None
    error: str | None
    text: str | None
    # The row's location, a cue to the locale, and its title and company; a posting's
    # hash covers them (content_hash).
    location: str | None = None
    title: str | None = None
    company: str | None = None


def _start_postgresql(url: str, batch_id: str, chunk: int) -> Claim | None:
    with get_autocommit(url).connect() as conn:
        found = conn.execute(_START_ALL_IN_ONE, {"b": batch_id, "c": chunk, "now": utcnow()}).all()
    if not found:
        return None
    first = found[0]
    batch = _BatchState(first.status, first.unstarted, first.skillset, bool(first.include_text))
    return _claim(url, int(max(r.attempts for r in found)), batch, found)


def _claim(url: str, attempt: int, batch: Any, found: Sequence[Any]) -> Claim:
    """Return the attempt with the rows start_chunk read, ready for run_chunk."""
    try:
        rows = rows_to_run(url, batch, found)
    except Exception:  # noqa: BLE001 - e.g. a skill set that fails to load: run_chunk
        return Claim(attempt)  # reads again and raises inside the task's retry handling.
    return Claim(attempt, batch, rows)


def rows_to_run(url: str, batch: Any, found: Sequence[Any]) -> list[RowToRun]:
    """Each row of ``ROW_ANALYSES`` with its posting's analysis for the batch's skill set,
    and the posting's text only when it must be analysed: no analysis yet, or one
    without the text the batch wants.

    The skill set's version is known only once the batch's skill set is loaded.
    """
    analyzer = analyzers.get_analyzer(url, batch.skillset)
    key = (analyzer.skillset.id, analyzer.version)
    rows: dict[int, RowToRun] = {}
    for r in found:
        if r.analysis_id is not None and (r.skillset_id, r.skillset_version) == key:
            text = r.posting_text if batch.include_text and r.without_text else None
            rows[r.id] = RowToRun(r.id, r.posting_id, r.analysis_id, r.error, text, r.location,
                                  r.title, r.company)
        elif r.id not in rows:
            rows[r.id] = RowToRun(r.id, r.posting_id, None, None, r.posting_text, r.location,
                                  r.title, r.company)
    return list(rows.values())
