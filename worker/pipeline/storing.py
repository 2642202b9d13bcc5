"""Store a file's rows in a batch, chunk by chunk, and enqueue each chunk after its commit."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from sqlalchemy import Connection, case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.inputs import InputError, Posting, RowError, iter_postings
from worker.db import session_scope
from worker.pipeline import analyzers
from worker.pipeline.cancelling import LOCK_BATCH
from worker.storage import (
    CANCELLED,
    DONE,
    FAILED,
    PENDING,
    QUEUED,
    RECEIVING,
    RUNNING,
    Batch,
    BatchRow,
    content_hash,
    utcnow,
)
from worker.storage import Posting as StoredPosting

Enqueue = Callable[[str, int], None]
# Rows stored per transaction while a file is received.
COMMIT_ROWS = 500
# Characters of posting text a chunk holds at most, whatever its rows: a few huge
# postings make chunks of their own, well within a task's time limit and memory.
CHUNK_CHARS = 1_000_000


def _insert_ignore(session: Session | Connection, model: type) -> Any:
    """Return an INSERT that skips rows hitting a unique constraint."""
    bind = session.get_bind() if isinstance(session, Session) else session
    return dialect_insert(bind.dialect.name, model).on_conflict_do_nothing()


def dialect_insert(dialect: str, table: Any) -> postgresql.Insert | sqlite.Insert:
    """The dialect's own INSERT, which can skip or update the rows that clash."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


PostingKey = tuple[str, str | None, str | None, str | None]


def posting_ids(session: Session | Connection, postings: Iterable[PostingKey]) -> dict[str, int]:
    """Store the (text, location, title, company) postings not seen before; return
    {content hash: posting id}.

    One multi-row INSERT that skips known hashes and returns the new ids; a
    SELECT only for the postings that were already stored (a re-uploaded file).
    """
    by_hash = {content_hash(*p): p[0] for p in postings}
    if not by_hash:
        return {}
    now = utcnow()
    statement = _insert_ignore(session, StoredPosting).returning(
        StoredPosting.content_hash, StoredPosting.id)
    found = dict(session.execute(
        statement, [{"content_hash": h, "text": t, "created_at": now} for h, t in by_hash.items()]
    ).all())
    missing = [h for h in by_hash if h not in found]
    if missing:
        found.update(
            session.execute(
                select(StoredPosting.content_hash, StoredPosting.id).where(
                    StoredPosting.content_hash.in_(missing)
                )
            ).all()
        )
    return found


_ROW_COLUMNS = ("batch_id", "row", "chunk", "source_id", "title", "company", "location", "date",
                "posting_id", "status", "attempts", "error")


def _insert_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert batch rows: COPY on PostgreSQL (the fastest way in), executemany elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(BatchRow.__table__.insert(), rows)
        return
    raw = connection.connection.driver_connection
    assert raw is not None  # a connection checked out of the pool has its driver's
    columns = ", ".join(f'"{c}"' for c in _ROW_COLUMNS)
    with raw.cursor() as cursor, cursor.copy(f"COPY batch_rows ({columns}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row([r[c] for c in _ROW_COLUMNS])


def create_batch(
    url: str,
    *,
    kind: str = "batch",
    filename: str | None = None,
    skillset: str | None = None,
    include_text: bool = False,
) -> str:
    """Create an empty batch in ``receiving`` state; return its id."""
    pinned = analyzers.resolve_skillset(url, skillset)
    batch_id = uuid.uuid4().hex
    with session_scope(url, write=True) as session:
        session.add(
            Batch(
                id=batch_id,
                kind=kind,
                status=RECEIVING,
                filename=filename,
                skillset=pinned.ref,
                skillset_id=pinned.id,
                skillset_version=pinned.analysis_version,
                include_text=include_text,
                done=0,
                failed=0,
                chunks=0,
                progress_at=utcnow(),
            )
        )
    return batch_id


def _blocks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while block := list(itertools.islice(it, size)):
        yield block


def _chunks(items: Iterable[Posting | RowError], size: int,
            chars: int = CHUNK_CHARS) -> Iterator[list[Posting | RowError]]:
    """Cut rows into chunks of ``size`` rows, or fewer when their texts pass ``chars``."""
    block: list[Posting | RowError] = []
    used = 0
    for item in items:
        n = len(item.text) if isinstance(item, Posting) else 0
        if block and (len(block) >= size or used + n > chars):
            yield block
            block, used = [], 0
        block.append(item)
        used += n
    if block:
        yield block


def receive(url: str, batch_id: str, items: Iterable[Posting | RowError], enqueue: Enqueue,
            chunk_size: int, progress: Callable[[int], None] | None = None) -> tuple[int, str | None]:
    """Store a file's rows in a batch chunk by chunk, enqueueing each chunk after its commit.

    Return (rows stored, the error that stopped the file or None). Stops early
    when the batch is cancelled meanwhile.
    """
    total = 0
    # Commit a few hundred rows at a time: one commit per small chunk would make
    # storing a big file slower than analysing it.
    per_commit = max(1, COMMIT_ROWS // chunk_size)
    try:
        for group in _blocks(enumerate(_chunks(items, chunk_size)), per_commit):
            size = sum(len(block) for _, block in group)
            stored = store_chunks(url, batch_id, group)
            if stored is None:
                break  # Cancelled: these rows were not stored.
            total += size
            for chunk in stored:
                enqueue(batch_id, chunk)
            if progress:
                progress(size)
    except InputError as exc:
        # A problem found mid-file: keep what was stored and say why it stopped.
        return total, str(exc)
    return total, None


def field(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def posting_key(item: Posting) -> PostingKey:
    """A row's text, location, title and company as stored: what it is analysed with."""
    return (item.text, field(item.fields.get("location"), 512), field(item.title, 512),
            field(item.company, 512))


def store_chunks(
    url: str, batch_id: str, chunks: list[tuple[int, list[Posting | RowError]]]
) -> list[int] | None:
    """Store some chunks' rows in one transaction; return the chunks with pending rows.

    Stores nothing and returns None when the batch was cancelled meanwhile.
    """
    with session_scope(url, write=True) as session:
        status = session.execute(LOCK_BATCH, {"b": batch_id}).scalar()
        if status == CANCELLED:
            return None
        ids = posting_ids(session, [
            posting_key(p) for _, block in chunks for p in block if isinstance(p, Posting)
        ])
        rows: list[dict[str, Any]] = []
        failed = 0
        pending: list[int] = []
        for chunk, block in chunks:
            for item in block:
                if isinstance(item, Posting):
                    rows.append({
                        "batch_id": batch_id, "row": item.row, "chunk": chunk,
                        "source_id": field(item.id, 255), "title": field(item.title, 512),
                        "company": field(item.company, 512),
                        "location": field(item.fields.get("location"), 512),
                        "date": field(item.fields.get("date"), 64),
                        "posting_id": ids[content_hash(*posting_key(item))],
                        "status": PENDING, "attempts": 0, "error": None,
                    })
                    if not pending or pending[-1] != chunk:
                        pending.append(chunk)
                else:
                    failed += 1
                    rows.append({
                        "batch_id": batch_id, "row": item.row, "chunk": None,
                        "source_id": field(item.id, 255), "title": None, "company": None,
                        "location": None, "date": None, "posting_id": None,
                        "status": FAILED, "attempts": 0, "error": item.message,
                    })
        _insert_rows(session, rows)
        session.execute(
            update(Batch)
            .where(Batch.id == batch_id)
            .values(failed=Batch.failed + failed, chunks=Batch.chunks + len(pending))
        )
        return pending


def finish_receiving(url: str, batch_id: str, total: int, error: str | None = None) -> None:
    """Record the row count; the batch is done at once if every row already is."""
    now = utcnow()
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
                finished_at=case((Batch.done + Batch.failed >= total, now), else_=None),
                progress_at=now,
            )
        )
        # A cancelled batch still gets its total, for the record.
        session.execute(
            update(Batch).where(Batch.id == batch_id, Batch.total.is_(None)).values(total=total)
        )


def submit_file(
    url: str,
    stream: IO[bytes],
    filename: str,
    enqueue: Enqueue,
    *,
    skillset: str | None = None,
    text_column: str | None = None,
    chunk_size: int = 100,
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
    total, error = receive(url, batch_id, itertools.chain([first], items), enqueue, chunk_size, progress)
    finish_receiving(url, batch_id, total, error)
    return batch_id
