"""What the HTML pages need from the workers and the database, as plain functions.

The views stay thin: they call these and render. Work is submitted through
``worker.pipeline`` exactly as the JSON API does, so a posting pasted in the
browser and one sent to ``POST /api/v1/analyses`` take the same queue.
"""

from __future__ import annotations

import codecs
import datetime as dt
import html
import itertools
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import func, or_, select

from models.inputs import (
    FIELD_CANDIDATES,
    InputError,
    iter_postings,
    looks_binary_bytes,
    preview,
    without_nul,
)
from models.scoring import describe_gaps, record_skillset
from worker import notify, pipeline, receiving, tasks
from worker.db import session_scope
from worker.results import NOT_ANALYSED, shown_status
from worker.storage import CANCELLED, FINISHED, PENDING, Analysis, Batch, BatchRow, Posting

# The fields a user can map to a column of an uploaded file, in the order shown.
FIELDS = ("text", "title", "company", "location", "date", "id")
FIELD_LABELS = {
    "text": "Description (the posting's text)", "title": "Job title", "company": "Company",
    "location": "Location", "date": "Date posted", "id": "Id",
}
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
# The largest row number the database holds (a 32-bit integer column).
MAX_ROW_NUMBER = 2**31 - 1
# Uploads never started are removed after this long.
UPLOAD_TTL = 24 * 3600


class UploadError(ValueError):
    """An uploaded file is not something we can read; the message is for the user."""


class TooManyRows(ValueError):
    """A file has more rows than the configured cap."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the file has more than {limit:,} postings")
        self.limit = limit


# --- Single postings ---------------------------------------------------------------------

def submit_posting(url: str, celery: Any, text: str, skillset: str | None) -> str:
    """Queue one posting for the interactive queue, as ``POST /api/v1/analyses`` does."""
    return pipeline.submit_text(url, text, tasks.interactive_enqueuer(celery), skillset=skillset)


@dataclass
class SingleResult:
    id: str
    status: str  # queued, running, done, failed
    record: dict[str, Any] | None
    text: str | None
    error: str | None


def single_result(url: str, batch_id: str) -> SingleResult | None:
    """Return a pasted posting's state and, once analysed, its record and text."""
    query = (
        select(Batch.status, BatchRow.status, BatchRow.error, Analysis.record, Analysis.text)
        .join(BatchRow, BatchRow.batch_id == Batch.id)
        .outerjoin(Analysis, Analysis.id == BatchRow.analysis_id)
        .where(Batch.id == batch_id, Batch.kind == "single")
    )
    with session_scope(url) as session:
        row = session.execute(query).first()
    if row is None:
        return None
    batch_status, row_status, error, record, text = row
    if batch_status not in FINISHED:
        status = "running" if batch_status == "running" else "queued"
    else:
        status = "done" if row_status == "done" and record else "failed"
    if record and record.get("error") and not error:
        error = record["error"]
    return SingleResult(batch_id, status, record, text, error)


def wait_finished(redis_url: str | None, batch_id: str, deadline: float,
                  read: Callable[[], Any]) -> Any:
    """Call ``read`` until the pasted posting it reads is finished or the deadline
    passes; return what it last gave (None at once for an unknown id).

    With Redis the worker's announcement wakes us at once, through the process's
    one subscription (the database is still what is read); without it, or while
    that subscription is down, a cheap query polls, more often at first.
    """
    listener = notify.listener(redis_url) if redis_url is not None else None
    event = listener.register(batch_id) if listener is not None else threading.Event()
    delay = 0.005
    try:
        # Read after registering, so a result stored meanwhile is not missed.
        found = read()
        while found is not None and found.status not in FINISHED and (left := deadline - time.monotonic()) > 0:
            if listener is not None and listener.ready.is_set():
                event.wait(min(left, 0.5))
            else:
                event.wait(min(delay, left))
                delay = min(delay * 1.5, 0.1)
            event.clear()
            found = read() or found
    finally:
        if listener is not None:
            listener.unregister(batch_id, event)
    return found


# --- Uploads -----------------------------------------------------------------------------

MAGIC = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive or an Excel/Word file",
    b"\xd0\xcf\x11\xe0": "an old Excel/Word file",
    b"\x1f\x8b": "a gzip archive",
    b"\x89PNG": "an image",
    b"\xff\xd8\xff": "an image",
    b"GIF8": "an image",
}


def sniff_format(head: bytes) -> str:
    """Return 'csv' or 'jsonl' from a file's first bytes, whatever its name says."""
    for magic, what in MAGIC.items():
        if head.startswith(magic):
            raise UploadError(f"This looks like {what}. Save it as CSV (comma-separated) "
                              "or JSON lines and upload that.")
    if looks_binary_bytes(head):
        raise UploadError("This looks like a binary file, not CSV or JSON lines.")
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8):]
    text = head.decode("utf-8", errors="ignore").lstrip()
    if not text:
        raise UploadError("The file is empty.")
    if text.startswith("{"):
        return "jsonl"
    if text.startswith("["):
        raise UploadError("This is a JSON array; a batch needs JSON lines: one object per line.")
    if text.startswith("<"):
        raise UploadError("This looks like an HTML page. Paste a single posting on the "
                          "Analyse page; a batch is a CSV or JSON-lines file.")
    first_line = text.split("\n", 1)[0]
    if not any(d in first_line for d in (",", ";", "\t", "|")):
        raise UploadError("This does not look like CSV: its first line has no commas, "
                          "semicolons or tabs between column names.")
    return "csv"


def _upload_dir(instance_path: str) -> str:
    path = os.path.join(instance_path, "uploads")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def _paths(instance_path: str, token: str) -> tuple[str, str]:
    if not TOKEN_RE.match(token):
        raise KeyError(token)
    folder = _upload_dir(instance_path)
    return os.path.join(folder, f"{token}.data"), os.path.join(folder, f"{token}.json")


def save_upload(instance_path: str, stream: BinaryIO, filename: str, skillset: str | None) -> str:
    """Store an upload under a generated name after checking its content; return its token."""
    _clean_old(instance_path)
    token = secrets.token_hex(16)
    data_path, meta_path = _paths(instance_path, token)
    with open(data_path, "wb") as out:
        head = stream.read(65536)
        try:
            fmt = sniff_format(head)
        except UploadError:
            out.close()
            os.unlink(data_path)
            raise
        out.write(head)
        while chunk := stream.read(1 << 20):
            out.write(chunk)
    # The user's file name is kept only as a label; it never names a file on disk.
    label = without_nul(os.path.basename(filename or "")).strip()[:200] or f"upload.{fmt}"
    with open(meta_path, "w", encoding="utf-8") as fh:
        json.dump({"filename": label, "format": fmt, "skillset": skillset,
                   "created": time.time()}, fh)
    return token


def _clean_old(instance_path: str) -> None:
    folder = _upload_dir(instance_path)
    cutoff = time.time() - UPLOAD_TTL
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        try:
            if os.path.getmtime(path) < cutoff:
                os.unlink(path)
        except OSError:
            pass


def load_upload(instance_path: str, token: str) -> dict[str, Any] | None:
    """Return an upload's metadata (with its path), or None when it is unknown or gone."""
    try:
        data_path, meta_path = _paths(instance_path, token)
        with open(meta_path, encoding="utf-8") as fh:
            meta: dict[str, Any] = json.load(fh)
    except (KeyError, OSError, ValueError):
        return None
    if not os.path.exists(data_path):
        return None
    meta["path"] = data_path
    meta["token"] = token
    # The parser picks CSV or JSONL by extension: give it the one found by content.
    meta["parse_name"] = f"upload.{meta['format']}"
    return meta


def discard_upload(instance_path: str, token: str) -> None:
    try:
        for path in _paths(instance_path, token):
            if os.path.exists(path):
                os.unlink(path)
    except KeyError:
        pass


def upload_preview(meta: dict[str, Any], rows: int = 5) -> tuple[
    list[str], dict[str, str | None], list[dict[str, str]]
]:
    """Return (columns, detected mapping, first rows as plain text) of a stored upload."""
    with open(meta["path"], "rb") as fh:
        columns, mapping, first = preview(fh, meta["parse_name"], rows=rows)
    return columns, mapping, [{k: plain(v) for k, v in row.items()} for row in first]


def plain(value: Any, limit: int = 300) -> str:
    """Return a cell as readable text: HTML (even escaped once or twice) reduced to its words."""
    text = str(value or "")[:4000]
    for _ in range(2):
        if "&lt;" in text or "&amp;" in text:
            text = html.unescape(text)
    if "<" in text:
        from models.soup import make_soup

        text = make_soup(text).get_text(" ")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mapping_from_form(form: Any, columns: list[str]) -> dict[str, str | None]:
    """Read the column choices of the preview form; unknown column names are refused."""
    mapping: dict[str, str | None] = {}
    for field in FIELDS:
        value = form.get(f"col_{field}") or None
        if value is not None and value not in columns:
            raise InputError(f"there is no column named {value!r} in the file")
        mapping[field] = value
    if not mapping["text"]:
        raise InputError("choose the column that holds each posting's description")
    return mapping


def count_rows(meta: dict[str, Any], mapping: dict[str, str | None], limit: int) -> int:
    """Count the file's postings, stopping once past ``limit`` (raises TooManyRows)."""
    with open(meta["path"], "rb") as fh:
        return count_postings(fh, meta["parse_name"], limit, columns=mapping)


def count_postings(stream: BinaryIO, name: str, limit: int, **options: Any) -> int:
    """Count a stream's postings, stopping once past ``limit`` (raises TooManyRows).

    ``options`` are those of ``iter_postings``. The stream is read, not rewound.
    """
    n = 0
    for _ in iter_postings(stream, name, **options):
        n += 1
        if n > limit:
            raise TooManyRows(limit)
    return n


def start_batch(
    url: str, celery: Any, meta: dict[str, Any], mapping: dict[str, str | None], *,
    skillset: str | None, chunk_size: int, max_rows: int,
) -> str:
    """Store an upload's rows as a batch with the chosen columns, queue it; return its id.

    The same steps as ``pipeline.submit_file``, with a column mapping and a row cap.
    Raises ``InputError`` or ``TooManyRows`` before anything is stored.
    """
    fields = {k: v for k, v in mapping.items() if k in FIELD_CANDIDATES}
    count_rows(meta, fields, max_rows)
    with open(meta["path"], "rb") as fh:
        return receive_file(url, celery, fh, meta["parse_name"], filename=meta["filename"],
                            skillset=skillset, chunk_size=chunk_size, columns=fields)


def receive_file(url: str, celery: Any, stream: BinaryIO, name: str, *, filename: str,
                 skillset: str | None, chunk_size: int, **options: Any) -> str:
    """Store a file's rows as a new batch, chunk by chunk, queueing each; return its id.

    ``pipeline.submit_file``'s steps (``options`` are ``iter_postings``'), except that a
    failure midway (the queue or the database out of reach) cancels the batch with
    the reason instead of leaving it receiving forever. Raises ``InputError`` before
    anything is stored when the file has no posting.
    """
    items = iter_postings(stream, name, **options)
    first = next(items, None)
    if first is None:
        raise InputError(f"{filename}: no postings found in the file")
    batch_id = pipeline.create_batch(url, filename=filename, skillset=skillset)
    try:
        total, error = pipeline.receive(url, batch_id, itertools.chain([first], items),
                                        tasks.enqueuer(celery), chunk_size)
    except Exception as exc:
        receiving.abandon(url, batch_id, f"the upload was interrupted ({type(exc).__name__}); "
                          "nothing was analysed: send the file again")
        raise
    pipeline.finish_receiving(url, batch_id, total, error)
    return batch_id


# --- Batches -----------------------------------------------------------------------------

@dataclass
class HistoryItem:
    kind: str  # "batch" or "analysis"
    id: str
    label: str
    status: str
    created_at: dt.datetime | None
    detail: str


def history_items(url: str, started: list[tuple[str, str]]) -> list[HistoryItem]:
    """Return what a browser started, in its order: each batch's file and counts, each
    pasted posting's title and score. Ids no longer stored are left out."""
    if not started:
        return []
    kinds = {"batch": "batch", "analysis": "single"}
    query = (
        select(Batch.id, Batch.kind, Batch.status, Batch.filename, Batch.created_at,
               Batch.total, Batch.done, Batch.failed, Batch.cancelled, BatchRow.title,
               Analysis.score, func.substr(Analysis.text, 1, 300).label("opening"))
        .outerjoin(BatchRow, (BatchRow.batch_id == Batch.id) & (Batch.kind == "single"))
        .outerjoin(Analysis, Analysis.id == BatchRow.analysis_id)
        .where(Batch.id.in_([i for _, i in started]))
    )
    with session_scope(url) as session:
        found = {r.id: r for r in session.execute(query)}
    items = []
    for kind, item_id in started:
        r = found.get(item_id)
        if r is None or r.kind != kinds[kind]:
            continue
        if kind == "batch":
            counts = f"{r.done:,} analysed, {r.failed:,} failed"
            if r.cancelled:
                counts += f", {r.cancelled:,} cancelled"
            detail = f"{counts} of {r.total:,}" if r.total is not None else counts
            items.append(HistoryItem(kind, r.id, r.filename or "a file", r.status,
                                     _aware(r.created_at), detail))
        else:
            detail = f"score {r.score:.0f}" if r.score is not None else ""
            items.append(HistoryItem(kind, r.id, r.title or _first_line(r.opening), r.status,
                                     _aware(r.created_at), detail))
    return items


def _first_line(text: str | None, limit: int = 80) -> str:
    """A pasted posting's label: the first line of its text (its title, most often)."""
    line = next((x.strip() for x in (text or "").splitlines() if x.strip()), "")
    if not line:
        return "a pasted posting"
    return line if len(line) <= limit else line[: limit - 1] + "…"


def get_batch(url: str, batch_id: str) -> Batch | None:
    with session_scope(url) as session:
        batch = session.get(Batch, batch_id)
    if batch is None or batch.kind != "batch":
        return None
    return batch


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    # SQLite hands back naive datetimes; they were stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def progress(batch: Batch, now: dt.datetime | None = None) -> dict[str, Any]:
    """Return a batch's counts with percent, rate (postings a second) and ETA (seconds)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    processed = batch.done + batch.failed
    total = batch.total
    percent = round(100 * processed / total, 1) if total else (100.0 if total == 0 else 0.0)
    finished = batch.status in FINISHED
    rate = eta = None
    started = _aware(batch.started_at)
    if started is not None and processed:
        end = _aware(batch.finished_at) if finished and batch.finished_at else now
        elapsed = max((end - started).total_seconds(), 1e-3)
        rate = round(processed / elapsed, 1)
        if total and not finished and rate > 0:
            eta = round((total - processed) / rate)
    return {
        "id": batch.id, "status": batch.status, "finished": finished,
        "total": total, "done": batch.done, "failed": batch.failed, "processed": processed,
        "cancelled": batch.cancelled or 0,
        "percent": min(percent, 100.0), "rate": rate, "eta_seconds": eta,
        "error": batch.error, "filename": batch.filename,
    }


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
    desc: bool = False, page: int = 1, per_page: int = 25,
) -> Page:
    """Return one page of a batch's postings, filtered and sorted in the database."""
    where = [BatchRow.batch_id == batch_id]
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
            select(func.count()).select_from(BatchRow).where(*where)
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
