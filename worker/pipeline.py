"""The batch pipeline: store rows, analyse chunks, count progress in the database.

Plain functions over a database URL; the Celery tasks in ``worker.tasks`` are thin
wrappers around them and tests call them directly. Every step is idempotent: a
chunk only touches rows still ``pending``, and the batch counters grow by the
number of rows a statement actually changed, so a re-delivered chunk changes
nothing.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.orm import Session

from models.inputs import InputError, Posting, RowError, iter_postings
from worker.db import session_scope
from worker.storage import (
    CANCELLED,
    DONE,
    FAILED,
    FINISHED,
    PENDING,
    QUEUED,
    RECEIVING,
    RUNNING,
    Analysis,
    Batch,
    BatchRow,
    content_hash,
    utcnow,
)
from worker.storage import Posting as StoredPosting

Enqueue = Callable[[str, int], None]
# Rows stored per transaction while a file is received.
COMMIT_ROWS = 500


def get_analyzer(skillset: str | None):  # type: ignore[no-untyped-def]
    """Return the engine's process-wide analyzer (imported late: it is heavy)."""
    from models.analysis import Analyzer

    return Analyzer.for_skillset(skillset)


def resolve_skillset(skillset: str | None) -> tuple[str, str]:
    """Return (id, version) of a skill set; raises ``SkillSetError``."""
    from models.skillset import load_skillset

    loaded = load_skillset(skillset)
    return loaded.id, loaded.version


def _insert_ignore(session: Session, model: type) -> Any:
    """Return an INSERT that skips rows hitting a unique constraint."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model).on_conflict_do_nothing()


def posting_ids(session: Session, texts: Iterable[str]) -> dict[str, int]:
    """Store the postings not seen before; return {content hash: posting id}."""
    by_hash = {content_hash(t): t for t in texts}
    if not by_hash:
        return {}
    found = dict(
        session.execute(
            select(StoredPosting.content_hash, StoredPosting.id).where(
                StoredPosting.content_hash.in_(list(by_hash))
            )
        ).all()
    )
    missing = [h for h in by_hash if h not in found]
    if missing:
        now = utcnow()
        session.execute(
            _insert_ignore(session, StoredPosting),
            [{"content_hash": h, "text": by_hash[h], "created_at": now} for h in missing],
        )
        found.update(
            session.execute(
                select(StoredPosting.content_hash, StoredPosting.id).where(
                    StoredPosting.content_hash.in_(missing)
                )
            ).all()
        )
    return found


def create_batch(
    url: str,
    *,
    kind: str = "batch",
    filename: str | None = None,
    skillset: str | None = None,
    include_text: bool = False,
) -> str:
    """Create an empty batch in ``receiving`` state; return its id."""
    skillset_id, version = resolve_skillset(skillset)
    batch_id = uuid.uuid4().hex
    with session_scope(url, write=True) as session:
        session.add(
            Batch(
                id=batch_id,
                kind=kind,
                status=RECEIVING,
                filename=filename,
                skillset=skillset,
                skillset_id=skillset_id,
                skillset_version=version,
                include_text=include_text,
                done=0,
                failed=0,
                chunks=0,
            )
        )
    return batch_id


def _blocks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while block := list(itertools.islice(it, size)):
        yield block


def _field(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def store_chunks(
    url: str, batch_id: str, chunks: list[tuple[int, list[Posting | RowError]]]
) -> list[int]:
    """Store some chunks' rows in one transaction; return the chunks with pending rows.

    Returns nothing when the batch was cancelled meanwhile.
    """
    with session_scope(url, write=True) as session:
        status = session.scalar(select(Batch.status).where(Batch.id == batch_id))
        if status == CANCELLED:
            return []
        ids = posting_ids(
            session, [p.text for _, block in chunks for p in block if isinstance(p, Posting)]
        )
        rows: list[dict[str, Any]] = []
        failed = 0
        pending: list[int] = []
        for chunk, block in chunks:
            for item in block:
                if isinstance(item, Posting):
                    rows.append({
                        "batch_id": batch_id, "row": item.row, "chunk": chunk,
                        "source_id": _field(item.id, 255), "title": _field(item.title, 512),
                        "company": _field(item.company, 512),
                        "location": _field(item.fields.get("location"), 512),
                        "date": _field(item.fields.get("date"), 64),
                        "posting_id": ids[content_hash(item.text)],
                        "status": PENDING, "attempts": 0, "error": None,
                    })
                    if not pending or pending[-1] != chunk:
                        pending.append(chunk)
                else:
                    failed += 1
                    rows.append({
                        "batch_id": batch_id, "row": item.row, "chunk": None,
                        "source_id": _field(item.id, 255), "title": None, "company": None,
                        "location": None, "date": None, "posting_id": None,
                        "status": FAILED, "attempts": 0, "error": item.message,
                    })
        session.execute(BatchRow.__table__.insert(), rows)
        session.execute(
            update(Batch)
            .where(Batch.id == batch_id)
            .values(failed=Batch.failed + failed, chunks=Batch.chunks + len(pending))
        )
        return pending


def finish_receiving(url: str, batch_id: str, total: int, error: str | None = None) -> None:
    """Record the row count; the batch is done at once if every row already is."""
    with session_scope(url, write=True) as session:
        session.execute(
            update(Batch)
            .where(Batch.id == batch_id, Batch.status == RECEIVING)
            .values(
                total=total,
                error=error,
                status=case(
                    (Batch.done + Batch.failed >= total, DONE),
                    (Batch.started_at.is_not(None), RUNNING),
                    else_=QUEUED,
                ),
                finished_at=case((Batch.done + Batch.failed >= total, utcnow()), else_=None),
            )
        )
        # A cancelled batch still gets its total, for the record.
        session.execute(
            update(Batch).where(Batch.id == batch_id, Batch.total.is_(None)).values(total=total)
        )


def submit_file(
    url: str,
    stream: BinaryIO,
    filename: str,
    enqueue: Enqueue,
    *,
    skillset: str | None = None,
    text_column: str | None = None,
    chunk_size: int = 50,
    progress: Callable[[int], None] | None = None,
) -> str:
    """Stream a CSV/JSONL file into a new batch and enqueue its chunks; return its id.

    The file is read row by row and each chunk is committed before its task is
    enqueued, so workers start while the rest is still being read. Raises
    ``InputError`` (nothing stored) when the file cannot be read at all.
    """
    items = iter_postings(stream, filename, text_column=text_column)
    first = next(items, None)
    if first is None:
        raise InputError(f"{filename}: no postings found in the file")
    batch_id = create_batch(url, filename=filename, skillset=skillset)
    total = 0
    error = None
    # Commit a few hundred rows at a time: one commit per small chunk would make
    # storing a big file slower than analysing it.
    per_commit = max(1, COMMIT_ROWS // chunk_size)
    chunks = enumerate(_blocks(itertools.chain([first], items), chunk_size))
    try:
        for group in _blocks(chunks, per_commit):
            size = sum(len(block) for _, block in group)
            total += size
            for chunk in store_chunks(url, batch_id, group):
                enqueue(batch_id, chunk)
            if progress:
                progress(size)
            if batch_status(url, batch_id) == CANCELLED:
                break
    except InputError as exc:
        # A problem found mid-file: keep what was stored and say why it stopped.
        error = str(exc)
    finish_receiving(url, batch_id, total, error)
    return batch_id


def submit_text(
    url: str,
    text: str,
    enqueue: Enqueue,
    *,
    skillset: str | None = None,
    title: str | None = None,
    company: str | None = None,
) -> str:
    """Store one pasted posting as a one-row batch and enqueue it; return its id.

    One transaction: a person is waiting for the answer.
    """
    skillset_id, version = resolve_skillset(skillset)
    batch_id = uuid.uuid4().hex
    with session_scope(url, write=True) as session:
        session.add(Batch(
            id=batch_id, kind="single", status=QUEUED, skillset=skillset,
            skillset_id=skillset_id, skillset_version=version, include_text=True,
            total=1, done=0, failed=0, chunks=1,
        ))
        posting_id = posting_ids(session, [text])[content_hash(text)]
        session.flush()
        session.execute(BatchRow.__table__.insert(), [{
            "batch_id": batch_id, "row": 1, "chunk": 0, "source_id": None,
            "title": _field(title, 512), "company": _field(company, 512), "location": None,
            "date": None, "posting_id": posting_id, "status": PENDING, "attempts": 0,
            "error": None,
        }])
    enqueue(batch_id, 0)
    return batch_id


def batch_status(url: str, batch_id: str) -> str | None:
    with session_scope(url) as session:
        return session.scalar(select(Batch.status).where(Batch.id == batch_id))


def cancel(url: str, batch_id: str) -> bool:
    """Cancel a batch; its pending chunks are skipped. Return False if unknown."""
    with session_scope(url, write=True) as session:
        batch = session.get(Batch, batch_id)
        if batch is None:
            return False
        if batch.status not in FINISHED:
            batch.status = CANCELLED
            batch.finished_at = utcnow()
        return True


def start_chunk(url: str, batch_id: str, chunk: int) -> int | None:
    """Count one attempt at a chunk; return its attempt number, None if nothing is left."""
    with session_scope(url, write=True) as session:
        status = session.scalar(select(Batch.status).where(Batch.id == batch_id))
        if status is None or status in FINISHED:
            return None
        pending = (BatchRow.batch_id == batch_id, BatchRow.chunk == chunk,
                   BatchRow.status == PENDING)
        changed = session.execute(
            update(BatchRow).where(*pending).values(attempts=BatchRow.attempts + 1)
        ).rowcount
        if not changed:
            return None
        now = utcnow()
        session.execute(
            update(Batch).where(Batch.id == batch_id, Batch.status == QUEUED)
            .values(status=RUNNING)
        )
        session.execute(
            update(Batch).where(Batch.id == batch_id, Batch.started_at.is_(None))
            .values(started_at=now)
        )
        return int(session.scalar(select(func.max(BatchRow.attempts)).where(*pending)) or 1)


def _add_counts(session: Session, batch_id: str, done: int, failed: int) -> None:
    """Add to the batch's counters and mark it done when every row is."""
    if not (done or failed):
        return
    session.execute(
        update(Batch).where(Batch.id == batch_id)
        .values(done=Batch.done + done, failed=Batch.failed + failed)
    )
    session.execute(
        update(Batch)
        .where(
            Batch.id == batch_id,
            Batch.status.in_((QUEUED, RUNNING)),
            Batch.total.is_not(None),
            Batch.done + Batch.failed >= Batch.total,
        )
        .values(status=DONE, finished_at=utcnow())
    )


def run_chunk(url: str, batch_id: str, chunk: int, *, isolate: bool = False) -> tuple[int, int]:
    """Analyse a chunk's pending rows and store the results; return (done, failed).

    With ``isolate`` an exception from the engine fails only its own row (the
    last attempt at a chunk); otherwise it propagates so the task is retried.
    """
    with session_scope(url) as session:
        batch = session.get(Batch, batch_id)
        if batch is None or batch.status in FINISHED:
            return 0, 0
        rows = session.execute(
            select(BatchRow.id, BatchRow.posting_id).where(
                BatchRow.batch_id == batch_id, BatchRow.chunk == chunk,
                BatchRow.status == PENDING,
            )
        ).all()
        if not rows:
            return 0, 0
        analyzer = get_analyzer(batch.skillset)
        key = (analyzer.skillset.id, analyzer.skillset.version)
        pids = {r.posting_id for r in rows}
        known = _analyses(session, pids, key)
        need = [p for p in pids if p not in known or (batch.include_text and not known[p][2])]
        texts = dict(
            session.execute(
                select(StoredPosting.id, StoredPosting.text).where(StoredPosting.id.in_(need))
            ).all()
        ) if need else {}
        include_text = batch.include_text

    records: dict[int, dict[str, Any]] = {}
    crashed: dict[int, str] = {}
    for pid, text in texts.items():
        try:
            records[pid] = analyzer.analyze(text, include_text=include_text)
        except Exception as exc:
            if not isolate:
                raise
            crashed[pid] = f"the analysis failed ({type(exc).__name__})"

    with session_scope(url, write=True) as session:
        _store_analyses(session, records, key)
        known = _analyses(session, pids, key)
        outcomes = []
        for row_id, pid in rows:
            error = crashed.get(pid) or (known[pid][1] if pid in known else "no analysis stored")
            outcomes.append({
                "row_id": row_id, "new_status": FAILED if error else DONE,
                "new_analysis": known[pid][0] if pid in known else None, "new_error": error,
            })
        done = _set_outcomes(session, [o for o in outcomes if o["new_status"] == DONE])
        failed = _set_outcomes(session, [o for o in outcomes if o["new_status"] == FAILED])
        _add_counts(session, batch_id, done, failed)
    return done, failed


def _set_outcomes(session: Session, outcomes: list[dict[str, Any]]) -> int:
    """Record rows' outcomes if still pending (one executemany); return how many changed."""
    if not outcomes:
        return 0
    table = BatchRow.__table__
    statement = (
        table.update()
        .where(table.c.id == bindparam("row_id"), table.c.status == PENDING)
        .values(status=bindparam("new_status"), analysis_id=bindparam("new_analysis"),
                error=bindparam("new_error"))
    )
    result = session.connection().execute(statement, outcomes)
    return int(result.rowcount)


def _analyses(
    session: Session, pids: Iterable[int], key: tuple[str, str]
) -> dict[int, tuple[int, str | None, bool]]:
    """Return {posting id: (analysis id, error, has text)} for one skill-set version."""
    rows = session.execute(
        select(Analysis.posting_id, Analysis.id, Analysis.error, Analysis.text.is_not(None))
        .where(
            Analysis.posting_id.in_(list(pids)),
            Analysis.skillset_id == key[0],
            Analysis.skillset_version == key[1],
        )
    ).all()
    return {r[0]: (r[1], r[2], bool(r[3])) for r in rows}


def _store_analyses(
    session: Session, records: dict[int, dict[str, Any]], key: tuple[str, str]
) -> None:
    if not records:
        return
    values = []
    for pid, record in records.items():
        record = dict(record)
        text = record.pop("text", None)
        values.append({
            "posting_id": pid, "skillset_id": key[0], "skillset_version": key[1],
            "score": record.get("score"),
            "error": record.get("error"), "record": record, "text": text,
            "created_at": utcnow(),
        })
    session.execute(_insert_ignore(session, Analysis), values)
    # An analysis stored by a batch has no text; a pasted posting wants it.
    for v in values:
        if v["text"] is not None:
            session.execute(
                update(Analysis)
                .where(
                    Analysis.posting_id == v["posting_id"], Analysis.skillset_id == key[0],
                    Analysis.skillset_version == key[1], Analysis.text.is_(None),
                )
                .values(text=v["text"])
            )


def fail_chunk(url: str, batch_id: str, chunk: int, message: str) -> int:
    """Mark a chunk's pending rows failed; return how many."""
    with session_scope(url, write=True) as session:
        changed = session.execute(
            update(BatchRow)
            .where(BatchRow.batch_id == batch_id, BatchRow.chunk == chunk,
                   BatchRow.status == PENDING)
            .values(status=FAILED, error=message)
        ).rowcount
        _add_counts(session, batch_id, 0, changed)
        return int(changed)


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
