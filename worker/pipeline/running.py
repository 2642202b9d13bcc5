"""Analyse a chunk's rows and record the results (``recording``); fail a chunk for good."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy import update

from models.inputs import failure_message
from worker.db import get_engine
from worker.pipeline import analyzers, recording
from worker.pipeline.claiming import BATCH_STATE, PENDING_ROWS, ROW_ANALYSES, Claim, RowToRun, rows_to_run
from worker.storage import FAILED, FINISHED, BatchRow

_rows = BatchRow.__table__

# Called with a batch's id when a chunk finished it (after the commit).
OnFinish = Callable[[str], None]


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
    # Each row with the stored analysis it reuses, or none when its posting is analysed now.
    outcomes: list[recording.Outcome] = []
    texts: dict[int, tuple[str, RowToRun]] = {}
    for r in rows:
        if r.text is not None:
            texts[r.posting_id] = (r.text, r)
            outcomes.append(recording.Outcome(r.id, r.posting_id))
        else:
            outcomes.append(recording.Outcome(r.id, r.posting_id, r.analysis_id, r.error))

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
    if crashed:
        outcomes = [replace(o, error=crashed[o.posting_id]) if o.posting_id in crashed else o
                    for o in outcomes]
    done, failed, finished = recording.record(url, batch_id, chunk, outcomes, records, key)
    if finished and on_finish is not None:
        on_finish(batch_id)
    return done, failed


def fail_chunk(url: str, batch_id: str, chunk: int, message: str,
               on_finish: OnFinish | None = None) -> int:
    """Mark a chunk's pending rows failed; return how many."""
    with get_engine(url, write=True).begin() as conn:
        changed = int(conn.execute(
            update(_rows).where(*PENDING_ROWS).values(status=FAILED, error=message),
            {"b": batch_id, "c": chunk},
        ).rowcount)
        finished = recording.add_counts(conn, batch_id, 0, changed)
    if finished and on_finish is not None:
        on_finish(batch_id)
    return changed
