"""Analyse a chunk's rows, store the analyses and outcomes, and finish the batch."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, case, func, update

from models.inputs import failure_message
from worker.db import get_engine
from worker.pipeline import analyzers
from worker.pipeline.claiming import BATCH_STATE, PENDING_ROWS, ROW_ANALYSES, Claim, RowToRun, rows_to_run
from worker.pipeline.storing import dialect_insert
from worker.storage import (
    DONE,
    FAILED,
    FINISHED,
    PENDING,
    QUEUED,
    RUNNING,
    Analysis,
    Batch,
    BatchRow,
    utcnow,
)

_batches = Batch.__table__
_rows = BatchRow.__table__
_analyses_t = Analysis.__table__

# Called with a batch's id when a chunk finished it (after the commit).
OnFinish = Callable[[str], None]

_SET_OUTCOME = (
    update(_rows)
    .where(_rows.c.id == bindparam("row_id"), _rows.c.status == PENDING)
    .values(status=bindparam("new_status"), analysis_id=bindparam("new_analysis"),
            error=bindparam("new_error"))
)


def _add_counts_statement() -> Any:
    done: BindParameter[int] = bindparam("done")
    failed: BindParameter[int] = bindparam("failed")
    complete = (_batches.c.status.in_((QUEUED, RUNNING)) & _batches.c.total.is_not(None)
                & (_batches.c.done + _batches.c.failed + done + failed >= _batches.c.total))
    return update(_batches).where(_batches.c.id == bindparam("b")).values(
        done=_batches.c.done + done, failed=_batches.c.failed + failed,
        status=case((complete, DONE), else_=_batches.c.status),
        finished_at=case((complete, bindparam("now")), else_=_batches.c.finished_at),
        progress_at=bindparam("now"),
    ).returning(_batches.c.kind, _batches.c.status)


_ADD_COUNTS = _add_counts_statement()


@functools.lru_cache(maxsize=4)
def _upsert_analyses(dialect: str) -> Any:
    """INSERT analyses; on a clash keep the stored one (adding the text if it had none).

    Returns every row's (posting id, analysis id, error), new or already stored, in
    one statement. Postings are unique within a statement, so DO UPDATE is safe.
    """
    statement = dialect_insert(dialect, _analyses_t)
    return statement.on_conflict_do_update(
        index_elements=["posting_id", "skillset_id", "skillset_version"],
        set_={"text": func.coalesce(_analyses_t.c.text, statement.excluded.text)},
    ).returning(_analyses_t.c.posting_id, _analyses_t.c.id, _analyses_t.c.error)


def _add_counts(conn: Connection, batch_id: str, done: int, failed: int) -> bool:
    """Add to the batch's counters and mark it done when every row is (one statement).

    Return True when this finished a batch of a file (a pasted posting has no
    report): a batch already done has no pending row left to count.
    """
    if not (done or failed):
        return False
    batch = conn.execute(_ADD_COUNTS, {"b": batch_id, "done": done, "failed": failed,
                                       "now": utcnow()}).first()
    return batch is not None and batch.kind == "batch" and batch.status == DONE


def run_chunk(url: str, batch_id: str, chunk: int, claim: Claim | None = None, *,
              isolate: bool = False, on_finish: OnFinish | None = None) -> tuple[int, int]:
    """Analyse a chunk's pending rows and store the results; return (done, failed).

    ``claim`` is what start_chunk returned; without it (or without its rows) the
    rows are read here. With ``isolate`` an exception from the engine fails only
    its own row (the last attempt at a chunk); otherwise it propagates so the task
    is retried. ``on_finish`` is called when this chunk was the batch's last.
    """
    if claim is not None and claim.rows is not None:
        batch, rows = claim.batch, claim.rows
    else:
        with get_engine(url).connect() as conn:
            batch = conn.execute(BATCH_STATE, {"b": batch_id}).first()
            if batch is None or batch.status in FINISHED:
                return 0, 0
            found = conn.execute(ROW_ANALYSES, {"b": batch_id, "c": chunk}).all()
            conn.rollback()
        rows = rows_to_run(url, batch, found)
    analyzer = analyzers.get_analyzer(url, batch.skillset)
    key = (analyzer.skillset.id, analyzer.version)
    if not rows:
        return 0, 0
    include_text = bool(batch.include_text)
    # {posting id: (analysis id, error)} of the analyses already stored and usable.
    known: dict[int, tuple[int, str | None]] = {}
    texts: dict[int, tuple[str, RowToRun]] = {}
    for r in rows:
        if r.text is not None:
            texts[r.posting_id] = (r.text, r)
        elif r.analysis_id is not None:
            known[r.posting_id] = (r.analysis_id, r.error)

    records: dict[int, dict[str, Any]] = {}
    crashed: dict[int, str] = {}
    for pid, (text, r) in texts.items():
        try:
            records[pid] = analyzer.analyze(text, include_text=include_text, location=r.location,
                                            title=r.title, company=r.company)
        except Exception as exc:
            if not isolate:
                raise
            crashed[pid] = failure_message(exc)

    with get_engine(url, write=True).begin() as conn:
        known.update(_store_analyses(conn, records, key))
        outcomes = []
        done = failed = 0
        for r in rows:
            pid = r.posting_id
            error = crashed.get(pid) or (known[pid][1] if pid in known else "no analysis stored")
            outcomes.append({
                "row_id": r.id, "new_status": FAILED if error else DONE,
                "new_analysis": known[pid][0] if pid in known else None, "new_error": error,
            })
        done, failed = _set_outcomes(conn, outcomes)
        finished = _add_counts(conn, batch_id, done, failed)
    if finished and on_finish is not None:
        on_finish(batch_id)
    return done, failed


def _set_outcomes(conn: Connection, outcomes: list[dict[str, Any]]) -> tuple[int, int]:
    """Record rows' outcomes if still pending; return how many were (done, failed).

    One executemany per outcome, so each rowcount says how many rows it changed.
    """
    counts = []
    for status in (DONE, FAILED):
        part = [o for o in outcomes if o["new_status"] == status]
        counts.append(int(conn.execute(_SET_OUTCOME, part).rowcount) if part else 0)
    return counts[0], counts[1]


def _store_analyses(
    conn: Connection, records: dict[int, dict[str, Any]], key: tuple[str, str]
) -> dict[int, tuple[int, str | None]]:
    """Store new analyses (one statement); return {posting id: (analysis id, error)}.

    A posting analysed meanwhile by another chunk keeps its first analysis; a
    pasted posting's text is added to an analysis stored by a batch without it.
    """
    if not records:
        return {}
    now = utcnow()
    values = []
    # In posting order, so two chunks upserting the same postings lock them in the same order.
    for pid in sorted(records):
        record = dict(records[pid])
        text = record.pop("text", None)
        values.append({
            "posting_id": pid, "skillset_id": key[0], "skillset_version": key[1],
            "score": record.get("score"), "error": record.get("error"), "record": record,
            "text": text, "created_at": now,
        })
    stored = conn.execute(_upsert_analyses(conn.dialect.name), values).all()
    return {r.posting_id: (r.id, r.error) for r in stored}


def fail_chunk(url: str, batch_id: str, chunk: int, message: str,
               on_finish: OnFinish | None = None) -> int:
    """Mark a chunk's pending rows failed; return how many."""
    with get_engine(url, write=True).begin() as conn:
        changed = int(conn.execute(
            update(_rows).where(*PENDING_ROWS).values(status=FAILED, error=message),
            {"b": batch_id, "c": chunk},
        ).rowcount)
        finished = _add_counts(conn, batch_id, 0, changed)
    if finished and on_finish is not None:
        on_finish(batch_id)
    return changed
