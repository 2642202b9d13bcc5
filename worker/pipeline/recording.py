"""Record a chunk's results: its new analyses, its rows' outcomes, the batch's counters.

A row's outcome is recorded only while it is still pending, and the counters grow by
the rows that changed, so a chunk recorded twice counts once. On PostgreSQL it is one
statement, one round trip and atomic without BEGIN and COMMIT: the analyses and the
rows go in as two JSON documents read by ``json_to_recordset``, so the query text is
the same whatever the chunk's size (prepared once by the server) and each value is
encoded once, by ``json.dumps`` (a multi-row VALUES made psycopg parse a new query of
hundreds of parameters per chunk; arrays of text made it escape every quote of every
record). Elsewhere it is three statements in one transaction.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Float,
    Integer,
    Text,
    bindparam,
    case,
    cast,
    column,
    func,
    select,
    update,
)

from worker.db import get_autocommit, get_engine
from worker.pipeline.storing import dialect_insert
from worker.storage import DONE, FAILED, PENDING, QUEUED, RUNNING, Analysis, Batch, BatchRow, utcnow

_batches = Batch.__table__
_rows = BatchRow.__table__
_analyses_t = Analysis.__table__

# Why a row has no analysis when none was stored for its posting (it should not happen).
NO_ANALYSIS = "no analysis stored"


@dataclass(frozen=True)
class Outcome:
    """A row of a chunk: its posting, and the analysis and error it had before the chunk
    ran (a stored analysis reused, or the engine's failure), None for both when its
    posting was analysed now."""

    row_id: int
    posting_id: int
    analysis_id: int | None = None
    error: str | None = None


def record(url: str, batch_id: str, chunk: int, outcomes: list[Outcome],
           records: Mapping[int, dict[str, Any]], key: tuple[str, str]) -> tuple[int, int, bool]:
    """Store ``records`` ({posting id: the engine's record}) under ``key`` (skill set id
    and version) and the rows' outcomes; return (done, failed, whether this finished a
    batch of a file)."""
    now = utcnow()
    analyses = _analyses(records)
    if get_engine(url).dialect.name == "postgresql":
        return _record_postgresql(url, batch_id, chunk, outcomes, analyses, key, now)
    with get_engine(url, write=True).begin() as conn:
        stored = {}
        if analyses:
            values = [{**a, "skillset_id": key[0], "skillset_version": key[1], "created_at": now}
                      for a in analyses]
            found = conn.execute(_upsert_analyses(conn.dialect.name), values).all()
            stored = {r.posting_id: (r.id, r.error) for r in found}
        done, failed, reused = _set_outcomes(conn, [_outcome(o, stored.get(o.posting_id)) for o in outcomes])
        finished = add_counts(conn, batch_id, done, failed, reused)
    return done, failed, finished


def _analyses(records: Mapping[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The analyses to store: each record without its text, and the text apart."""
    values = []
    # In posting order, so two chunks upserting the same postings lock them in the same order.
    for pid in sorted(records):
        record = dict(records[pid])
        text = record.pop("text", None)
        values.append({"posting_id": pid, "score": record.get("score"),
                       "error": record.get("error"), "record": record, "text": text})
    return values


def _outcome(o: Outcome, stored: tuple[int, str | None] | None) -> dict[str, Any]:
    """A row's new state: the analysis stored now, else what it had before (reused)."""
    analysis_id: int | None
    if stored is not None:
        analysis_id, error = stored
    else:
        analysis_id = o.analysis_id
        error = o.error if (o.analysis_id is not None or o.error) else NO_ANALYSIS
    return {"row_id": o.row_id, "new_status": FAILED if error else DONE,
            "new_analysis": analysis_id, "new_error": error,
            "reused": stored is None and o.analysis_id is not None}


_SET_OUTCOME = (
    update(_rows)
    .where(_rows.c.id == bindparam("row_id"), _rows.c.status == PENDING)
    .values(status=bindparam("new_status"), analysis_id=bindparam("new_analysis"),
            error=bindparam("new_error"))
)


def _set_outcomes(conn: Connection, outcomes: list[dict[str, Any]]) -> tuple[int, int, int]:
    """Record rows' outcomes if still pending; return how many were (done, failed, reused).

    One executemany per outcome and per reuse, so each rowcount says how many rows it changed.
    """
    counts = {DONE: 0, FAILED: 0}
    reused = 0
    for status in (DONE, FAILED):
        for was_reused in (False, True):
            part = [o for o in outcomes if o["new_status"] == status and o["reused"] == was_reused]
            changed = int(conn.execute(_SET_OUTCOME, part).rowcount) if part else 0
            counts[status] += changed
            reused += changed if was_reused else 0
    return counts[DONE], counts[FAILED], reused


def _add_counts_statement(done: Any, failed: Any, reused: Any) -> Any:
    complete = (_batches.c.status.in_((QUEUED, RUNNING)) & _batches.c.total.is_not(None)
                & (_batches.c.done + _batches.c.failed + done + failed >= _batches.c.total))
    return update(_batches).where(_batches.c.id == bindparam("b")).values(
        done=_batches.c.done + done, failed=_batches.c.failed + failed,
        reused=_batches.c.reused + reused,
        status=case((complete, DONE), else_=_batches.c.status),
        finished_at=case((complete, bindparam("now")), else_=_batches.c.finished_at),
        progress_at=bindparam("now"),
    ).returning(_batches.c.kind, _batches.c.status)


_ADD_COUNTS = _add_counts_statement(bindparam("done"), bindparam("failed"), bindparam("reused"))


def add_counts(conn: Connection, batch_id: str, done: int, failed: int, reused: int = 0) -> bool:
    """Add to the batch's counters and mark it done when every row is (one statement);
    ``reused``: how many of them took an analysis stored before.

    Return True when this finished a batch of a file (a pasted posting has no
    report): a batch already done has no pending row left to count.
    """
    if not (done or failed):
        return False
    batch = conn.execute(_ADD_COUNTS, {"b": batch_id, "done": done, "failed": failed,
                                       "reused": reused, "now": utcnow()}).first()
    return _finished(batch)


def _finished(batch: Any) -> bool:
    return batch is not None and batch.kind == "batch" and batch.status == DONE


@functools.lru_cache(maxsize=4)
def _upsert_analyses(dialect: str) -> Any:
    """INSERT analyses; on a clash keep the stored one (adding the text if it had none).

    Returns every row's (posting id, analysis id, error), new or already stored, in
    one statement. Postings are unique within a statement, so DO UPDATE is safe.
    """
    return _keep_stored(dialect_insert(dialect, _analyses_t))


def _keep_stored(statement: Any) -> Any:
    return statement.on_conflict_do_update(
        index_elements=["posting_id", "skillset_id", "skillset_version"],
        set_={"text": func.coalesce(_analyses_t.c.text, statement.excluded.text)},
    ).returning(_analyses_t.c.posting_id, _analyses_t.c.id, _analyses_t.c.error)


def _recordset(name: str, *columns: Any) -> Any:
    """The rows of a JSON array of objects passed as parameter ``name``."""
    return func.json_to_recordset(cast(bindparam(name, type_=Text), JSON)).table_valued(
        *columns).render_derived(with_types=True)


def _record_all_in_one() -> Any:
    """``record`` as one statement for PostgreSQL: the new analyses (``new``), each row's
    outcome joined to them (``outcome``), the rows still pending set (``changed``), and the
    batch's counters grown by what changed (``counts``)."""
    given = _recordset("analyses", column("posting_id", Integer), column("score", Float),
                       column("error", Text), column("record", JSON), column("text", Text))
    new = _keep_stored(dialect_insert("postgresql", _analyses_t).from_select(
        ["posting_id", "skillset_id", "skillset_version", "score", "error", "record", "text",
         "created_at"],
        select(given.c.posting_id, bindparam("sid", type_=Text), bindparam("sver", type_=Text),
               given.c.score, given.c.error, given.c.record, given.c.text, bindparam("now")),
    )).cte("new")
    rows = _recordset("rows", column("row_id", Integer), column("posting_id", Integer),
                      column("analysis_id", Integer), column("error", Text))
    error = case(
        (new.c.id.is_not(None), new.c.error),
        (rows.c.analysis_id.is_not(None) | rows.c.error.is_not(None), rows.c.error),
        else_=NO_ANALYSIS,
    )
    outcome = (
        select(rows.c.row_id, func.coalesce(new.c.id, rows.c.analysis_id).label("analysis_id"),
               error.label("error"),
               (new.c.id.is_(None) & rows.c.analysis_id.is_not(None)).label("reused"))
        .select_from(rows.outerjoin(new, new.c.posting_id == rows.c.posting_id))
        .cte("outcome")
    )
    changed = (
        update(_rows)
        # The chunk's rows (its index), then the row of each outcome.
        .where(_rows.c.batch_id == bindparam("b"), _rows.c.chunk == bindparam("c"),
               _rows.c.id == outcome.c.row_id, _rows.c.status == PENDING)
        .values(status=case((outcome.c.error.is_(None), DONE), else_=FAILED),
                analysis_id=outcome.c.analysis_id, error=outcome.c.error)
        .returning(_rows.c.status, outcome.c.reused)
        .cte("changed")
    )

    counts = select(
        func.count().filter(changed.c.status == DONE).label("done"),
        func.count().filter(changed.c.status == FAILED).label("failed"),
        func.count().filter(changed.c.reused).label("reused"),
    ).cte("counts")
    done, failed, reused = (select(c).scalar_subquery()
                            for c in (counts.c.done, counts.c.failed, counts.c.reused))
    return (
        _add_counts_statement(done, failed, reused)
        .where(done + failed > 0)
        .returning(done.label("done"), failed.label("failed"))
    )


_RECORD_ALL_IN_ONE = _record_all_in_one()


def _record_postgresql(url: str, batch_id: str, chunk: int, outcomes: list[Outcome],
                       analyses: list[dict[str, Any]], key: tuple[str, str],
                       now: Any) -> tuple[int, int, bool]:
    params = {
        "b": batch_id, "c": chunk, "sid": key[0], "sver": key[1], "now": now,
        "analyses": json.dumps(analyses),
        "rows": json.dumps([{"row_id": o.row_id, "posting_id": o.posting_id,
                             "analysis_id": o.analysis_id, "error": o.error} for o in outcomes]),
    }
    with get_autocommit(url).connect() as conn:
        batch = conn.execute(_RECORD_ALL_IN_ONE, params).first()
    if batch is None:
        return 0, 0, False
    return int(batch.done), int(batch.failed), _finished(batch)
