"""The batch pipeline: store rows, analyse chunks, count progress in the database.

Plain functions over a database URL; the Celery tasks in ``worker.tasks`` are thin
wrappers around them and tests call them directly. Every step is idempotent: a
chunk only touches rows still ``pending``, and the batch counters grow by the
number of rows a statement actually changed, so a re-delivered chunk changes
nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import (
    Connection,
    String,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session

from models.inputs import InputError, Posting, RowError, failure_message, iter_postings
from models.text import without_surrogates
from worker import skillsets
from worker.db import get_autocommit, get_engine, session_scope
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
# Called with a batch's id when a chunk finished it (after the commit).
OnFinish = Callable[[str], None]
# Rows stored per transaction while a file is received.
COMMIT_ROWS = 500
# Characters of posting text a chunk holds at most, whatever its rows: a few huge
# postings make chunks of their own, well within a task's time limit and memory.
CHUNK_CHARS = 1_000_000

_batches = Batch.__table__
_rows = BatchRow.__table__
_postings = StoredPosting.__table__
_analyses_t = Analysis.__table__

# The batch's status, its row locked until the transaction ends (PostgreSQL; SQLite
# has one writer at a time anyway): a cancel and the storing of a file's rows, or a
# cancel and a resume, never interleave.
_LOCK_BATCH = select(_batches.c.status).where(_batches.c.id == bindparam("b")).with_for_update()


def get_analyzer(url: str, skillset: str | None):  # type: ignore[no-untyped-def]
    """Return the engine's process-wide analyzer for a batch's skill-set reference."""
    return skillsets.analyzer(url, skillset)


def resolve_skillset(url: str, skillset: str | None) -> skillsets.Pinned:
    """Pin a skill-set reference to the version a new batch records; raises ``SkillSetError``."""
    return skillsets.pin(url, skillset)


def _insert_ignore(session: Session | Connection, model: type) -> Any:
    """Return an INSERT that skips rows hitting a unique constraint."""
    bind = session.get_bind() if isinstance(session, Session) else session
    if bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model).on_conflict_do_nothing()


def posting_ids(session: Session | Connection, texts: Iterable[str]) -> dict[str, int]:
    """Store the postings not seen before; return {content hash: posting id}.

    One multi-row INSERT that skips known hashes and returns the new ids; a
    SELECT only for the postings that were already stored (a re-uploaded file).
    """
    by_hash = {content_hash(t): t for t in texts}
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
    pinned = resolve_skillset(url, skillset)
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


def _field(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def store_chunks(
    url: str, batch_id: str, chunks: list[tuple[int, list[Posting | RowError]]]
) -> list[int] | None:
    """Store some chunks' rows in one transaction; return the chunks with pending rows.

    Stores nothing and returns None when the batch was cancelled meanwhile.
    """
    with session_scope(url, write=True) as session:
        status = session.execute(_LOCK_BATCH, {"b": batch_id}).scalar()
        if status == CANCELLED:
            return None
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
    stream: BinaryIO,
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


# A pasted posting is one batch, one posting (kept if already stored) and one row.
# On PostgreSQL they are one INSERT with its WITH clauses: one round trip, atomic
# without BEGIN and COMMIT. SQLite has no INSERT inside WITH: there they are three
# statements in one transaction.
_NEW_BATCH = insert(_batches).values(
    id=bindparam("b"), kind="single", status=QUEUED, skillset=bindparam("skillset"),
    skillset_id=bindparam("sid"), skillset_version=bindparam("sver"), include_text=True,
    total=1, done=0, failed=0, cancelled=0, chunks=1, created_at=bindparam("now"),
    progress_at=bindparam("now"),
)
_NEW_ROW = insert(_rows).values(
    batch_id=bindparam("b"), row=1, chunk=0, title=bindparam("title"),
    company=bindparam("company"), posting_id=bindparam("posting"), status=PENDING, attempts=0,
)


def _new_single_postgresql() -> Any:
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    new = pg_insert(_postings)
    # DO UPDATE with a value that changes nothing, so that RETURNING gives the id of a
    # posting already stored too (DO NOTHING returns no row for it).
    posting = (
        new.values(content_hash=bindparam("hash"), text=bindparam("text"),
                   created_at=bindparam("now"))
        .on_conflict_do_update(index_elements=["content_hash"],
                               set_={"content_hash": new.excluded.content_hash})
        .returning(_postings.c.id).cte("posting")
    )
    batch = _NEW_BATCH.returning(_batches.c.id).cte("batch")
    row = select(
        batch.c.id, literal(1), literal(0), bindparam("title", type_=String),
        bindparam("company", type_=String), posting.c.id, literal(PENDING), literal(0),
    ).select_from(batch.join(posting, true()))
    return insert(_rows).from_select(
        ["batch_id", "row", "chunk", "title", "company", "posting_id", "status", "attempts"], row)


_NEW_SINGLE_POSTGRESQL = _new_single_postgresql()


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

    One statement on PostgreSQL, one transaction elsewhere: a person is waiting.
    """
    pinned = resolve_skillset(url, skillset)
    batch_id = uuid.uuid4().hex
    # A JSON body may carry lone surrogates ("\\ud800"), which no database column takes.
    text = without_surrogates(text)
    title, company = (without_surrogates(v) if v else v for v in (title, company))
    values = {
        "b": batch_id, "skillset": pinned.ref, "sid": pinned.id, "sver": pinned.analysis_version,
        "title": _field(title, 512), "company": _field(company, 512),
        "hash": content_hash(text), "text": text, "now": utcnow(),
    }
    if get_engine(url).dialect.name == "postgresql":
        with get_autocommit(url).connect() as conn:
            conn.execute(_NEW_SINGLE_POSTGRESQL, values)
    else:
        with get_engine(url, write=True).begin() as conn:
            conn.execute(_NEW_BATCH, values)
            values["posting"] = posting_ids(conn, [text])[values["hash"]]
            conn.execute(_NEW_ROW, values)
    enqueue(batch_id, 0)
    return batch_id


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
        status = conn.execute(_LOCK_BATCH, {"b": batch_id}).scalar()
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


# --- Chunk tasks: a few statements per chunk, built once -------------------------------
#
# A chunk costs three transactions: count the attempt (start_chunk), read the rows
# with their texts or stored analyses (run_chunk), then store the analyses and the
# rows' outcomes and add to the counters (run_chunk). Statements are Core, built
# once at import so SQLAlchemy's compiled cache serves them; each transaction is a
# handful of round trips whatever the chunk's size.

_BATCH_STATE = select(
    _batches.c.status, _batches.c.started_at.is_(None).label("unstarted"),
    _batches.c.skillset, _batches.c.include_text,
).where(_batches.c.id == bindparam("b"))

_PENDING = (_rows.c.batch_id == bindparam("b"), _rows.c.chunk == bindparam("c"),
            _rows.c.status == PENDING)

_CLAIM = (
    update(_rows).where(*_PENDING).values(attempts=_rows.c.attempts + 1)
    .returning(_rows.c.attempts)
)

_MARK_RUNNING = update(_batches).where(_batches.c.id == bindparam("b")).values(
    status=case((_batches.c.status == QUEUED, RUNNING), else_=_batches.c.status),
    started_at=func.coalesce(_batches.c.started_at, bindparam("now")),
    # Its first chunk started: a batch that waited its turn behind another is moving now.
    progress_at=bindparam("now"),
)

# Each pending row with its posting's text and every stored analysis of that posting;
# ``_rows_to_run`` picks the usable one. The columns a row of it needs:
_ROW_ANALYSIS_COLUMNS = (
    _postings.c.text.label("posting_text"), _analyses_t.c.id.label("analysis_id"),
    _analyses_t.c.skillset_id, _analyses_t.c.skillset_version, _analyses_t.c.error,
    _analyses_t.c.text.is_(None).label("without_text"),
)
_ROW_ANALYSES = (
    select(_rows.c.id, _rows.c.posting_id, *_ROW_ANALYSIS_COLUMNS)
    .join(_postings, _postings.c.id == _rows.c.posting_id)
    .outerjoin(_analyses_t, _analyses_t.c.posting_id == _rows.c.posting_id)
    .where(*_PENDING)
)

_SET_OUTCOME = (
    update(_rows)
    .where(_rows.c.id == bindparam("row_id"), _rows.c.status == PENDING)
    .values(status=bindparam("new_status"), analysis_id=bindparam("new_analysis"),
            error=bindparam("new_error"))
)


def _add_counts_statement() -> Any:
    done, failed = bindparam("done"), bindparam("failed")
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
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(_analyses_t)
    return statement.on_conflict_do_update(
        index_elements=["posting_id", "skillset_id", "skillset_version"],
        set_={"text": func.coalesce(_analyses_t.c.text, statement.excluded.text)},
    ).returning(_analyses_t.c.posting_id, _analyses_t.c.id, _analyses_t.c.error)


@dataclass(frozen=True)
class Claim:
    """One counted attempt at a chunk, and what start_chunk read for the run_chunk that
    follows it, so that counting the attempt and reading the work is one transaction.

    ``rows`` is None when they could not be prepared (e.g. a skill set that fails to
    load): run_chunk then reads them again and raises inside the task's retry handling.
    """

    attempt: int
    batch: Any = None
    rows: list[_RowToRun] | None = None


def start_chunk(url: str, batch_id: str, chunk: int) -> Claim | None:
    """Count one attempt at a chunk; return it with the rows to run, None if nothing is left."""
    if get_engine(url).dialect.name == "postgresql":
        return _start_postgresql(url, batch_id, chunk)
    with get_engine(url, write=True).begin() as conn:
        batch = conn.execute(_BATCH_STATE, {"b": batch_id}).first()
        if batch is None or batch.status in FINISHED:
            return None
        attempts = conn.execute(_CLAIM, {"b": batch_id, "c": chunk}).scalars().all()
        if not attempts:
            return None
        if batch.status == QUEUED or batch.unstarted:
            conn.execute(_MARK_RUNNING, {"b": batch_id, "now": utcnow()})
        found = conn.execute(_ROW_ANALYSES, {"b": batch_id, "c": chunk}).all()
    return _claim(url, int(max(attempts)), batch, found)


def _start_all_in_one() -> Any:
    """start_chunk's four statements as one, for PostgreSQL: one round trip, not six.

    Each claimed row comes with the batch's state and what ``_ROW_ANALYSES`` gives.
    """
    batch = select(
        _batches.c.status, _batches.c.started_at.is_(None).label("unstarted"),
        _batches.c.skillset, _batches.c.include_text,
    ).where(_batches.c.id == bindparam("b"), _batches.c.status.not_in(FINISHED)).cte("batch")
    claim = (
        update(_rows).where(*_PENDING, exists(select(batch.c.status)))
        .values(attempts=_rows.c.attempts + 1)
        .returning(_rows.c.id, _rows.c.posting_id, _rows.c.attempts).cte("claim")
    )
    mark = _MARK_RUNNING.where(
        exists(select(claim.c.id)), or_(_batches.c.status == QUEUED, _batches.c.started_at.is_(None))
    ).cte("mark")
    return (
        select(
            claim.c.id, claim.c.posting_id, claim.c.attempts, batch.c.status, batch.c.unstarted,
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
class _RowToRun:
    """A pending row: its usable analysis, or the posting's text when it must be analysed."""

    id: int
    posting_id: int
    analysis_id: int | None
    error: str | None
    text: str | None


def _start_postgresql(url: str, batch_id: str, chunk: int) -> Claim | None:
    with get_autocommit(url).connect() as conn:
        found = conn.execute(_START_ALL_IN_ONE, {"b": batch_id, "c": chunk, "now": utcnow()}).all()
    if not found:
        return None
    first = found[0]
    batch = _BatchState(first.status, first.unstarted, first.skillset, bool(first.include_text))
    return _claim(url, int(max(r.attempts for r in found)), batch, found)


def _claim(url: str, attempt: int, batch: Any, found: list[Any]) -> Claim:
    """Return the attempt with the rows start_chunk read, ready for run_chunk."""
    try:
        rows = _rows_to_run(url, batch, found)
    except Exception:  # noqa: BLE001 - e.g. a skill set that fails to load: run_chunk
        return Claim(attempt)  # reads again and raises inside the task's retry handling.
    return Claim(attempt, batch, rows)


def _rows_to_run(url: str, batch: Any, found: list[Any]) -> list[_RowToRun]:
    """Each row of ``_ROW_ANALYSES`` with its posting's analysis for the batch's skill set,
    and the posting's text only when it must be analysed: no analysis yet, or one
    without the text the batch wants.

    The skill set's version is known only once the batch's skill set is loaded.
    """
    analyzer = get_analyzer(url, batch.skillset)
    key = (analyzer.skillset.id, analyzer.version)
    rows: dict[int, _RowToRun] = {}
    for r in found:
        if r.analysis_id is not None and (r.skillset_id, r.skillset_version) == key:
            text = r.posting_text if batch.include_text and r.without_text else None
            rows[r.id] = _RowToRun(r.id, r.posting_id, r.analysis_id, r.error, text)
        elif r.id not in rows:
            rows[r.id] = _RowToRun(r.id, r.posting_id, None, None, r.posting_text)
    return list(rows.values())


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
            batch = conn.execute(_BATCH_STATE, {"b": batch_id}).first()
            if batch is None or batch.status in FINISHED:
                return 0, 0
            found = conn.execute(_ROW_ANALYSES, {"b": batch_id, "c": chunk}).all()
            conn.rollback()
        rows = _rows_to_run(url, batch, found)
    analyzer = get_analyzer(url, batch.skillset)
    key = (analyzer.skillset.id, analyzer.version)
    if not rows:
        return 0, 0
    include_text = bool(batch.include_text)
    # {posting id: (analysis id, error)} of the analyses already stored and usable.
    known: dict[int, tuple[int, str | None]] = {}
    texts: dict[int, str] = {}
    for r in rows:
        if r.text is not None:
            texts[r.posting_id] = r.text
        elif r.analysis_id is not None:
            known[r.posting_id] = (r.analysis_id, r.error)

    records: dict[int, dict[str, Any]] = {}
    crashed: dict[int, str] = {}
    for pid, text in texts.items():
        try:
            records[pid] = analyzer.analyze(text, include_text=include_text)
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
            update(_rows).where(*_PENDING).values(status=FAILED, error=message),
            {"b": batch_id, "c": chunk},
        ).rowcount)
        finished = _add_counts(conn, batch_id, 0, changed)
    if finished and on_finish is not None:
        on_finish(batch_id)
    return changed


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


# --- Lost chunk tasks ------------------------------------------------------------------
#
# Redis keeps a task a worker took until the worker acknowledges it, and gives it back
# after the visibility timeout; but a worker killed between taking a task and recording
# it as taken loses it, and so does a broker wiped without persistence. The filesystem
# queue of the embedded default gives nothing back: a killed worker's tasks are gone.
# Nothing would send those chunks again. Each worker therefore sweeps now and then: an
# unfinished batch that has pending rows and has not moved for longer than a
# lost-and-restored task would need gets its pending chunks sent again (a chunk is
# idempotent).

_STILL = (_batches.c.status.in_((QUEUED, RUNNING)), _batches.c.progress_at < bindparam("before"))

_STALLED = select(_batches.c.id, _batches.c.kind).where(
    *_STILL, _batches.c.kind.in_(bindparam("kinds", expanding=True)),
    select(_rows.c.id).where(
        _rows.c.batch_id == _batches.c.id, _rows.c.status == PENDING, _rows.c.chunk.is_not(None),
    ).exists(),
)

# Moving the batch's progress time claims it: of several workers sweeping at once one
# sends its chunks, and the next sweep leaves it alone for another stall timeout.
_CLAIM_STALLED = update(_batches).where(_batches.c.id == bindparam("b"), *_STILL).values(
    progress_at=bindparam("now"))


def resume(url: str, batch_id: str, enqueue: Enqueue, now: dt.datetime | None = None) -> list[int]:
    """Send again the chunks of a batch that still have pending rows; return them.

    A cancelled batch is taken up again first: its cancelled rows are pending once
    more and it runs (rows already analysed are not analysed twice). The batch's
    progress time is set, as a sweep's claim does, so that a sweep soon after does
    not send the same chunks once more.
    """
    now = now or utcnow()
    with get_engine(url, write=True).begin() as conn:
        if conn.execute(_LOCK_BATCH, {"b": batch_id}).scalar() == CANCELLED:
            conn.execute(update(_rows).where(_rows.c.batch_id == batch_id,
                                             _rows.c.status == CANCELLED)
                         .values(status=PENDING, attempts=0))
            complete = _batches.c.done + _batches.c.failed >= _batches.c.total
            conn.execute(update(_batches).where(_batches.c.id == batch_id).values(
                status=case((complete, DONE), (_batches.c.started_at.is_(None), QUEUED),
                            else_=RUNNING),
                finished_at=case((complete, now), else_=None),
                cancelled=0, report=None, report_processed=None,
            ))
        conn.execute(update(_batches).where(_batches.c.id == batch_id).values(progress_at=now))
    chunks = pending_chunks(url, batch_id)
    for chunk in chunks:
        enqueue(batch_id, chunk)
    return chunks


def stalled_batches(url: str, kinds: Iterable[str], before: dt.datetime) -> list[tuple[str, str]]:
    """Return (id, kind) of the unfinished batches of ``kinds`` that have pending rows
    and have not moved since ``before``.

    One query, on the index of status and progress time; only the few batches that
    have been still that long are checked for a pending row.
    """
    with get_autocommit(url).connect() as conn:
        found = conn.execute(_STALLED, {"before": before, "kinds": list(kinds)}).all()
        conn.rollback()
    return [(r.id, r.kind) for r in found]


def resend_stalled(url: str, enqueuers: Mapping[str, Enqueue], stall_timeout: float,
                   now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Send again the pending chunks of batches still for ``stall_timeout`` seconds.

    ``enqueuers`` maps a batch kind to the function that sends its chunks, and holds
    only the kinds whose queue has no message waiting: a batch waiting its turn behind
    another has chunks in the queue still, and must not get them twice. Return
    {batch id: the chunks sent again}.
    """
    if not enqueuers:
        return {}
    now = now or utcnow()
    before = now - dt.timedelta(seconds=stall_timeout)
    resent: dict[str, list[int]] = {}
    for batch_id, kind in stalled_batches(url, enqueuers, before):
        with get_engine(url, write=True).begin() as conn:
            claimed = conn.execute(_CLAIM_STALLED, {"b": batch_id, "before": before, "now": now})
            if claimed.rowcount != 1:
                continue  # It moved meanwhile, or another worker's sweep took it.
        chunks = pending_chunks(url, batch_id)
        for chunk in chunks:
            enqueuers[kind](batch_id, chunk)
        resent[batch_id] = chunks
    return resent
