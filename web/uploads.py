"""An uploaded file of postings: checked by its content, stored under a generated
name, previewed with its columns, counted, and received as a batch."""

from __future__ import annotations

import codecs
import html
import itertools
import json
import os
import re
import secrets
import time
from typing import IO, Any

from models.inputs import (
    FIELD_CANDIDATES,
    InputError,
    iter_postings,
    looks_binary_bytes,
    preview,
    without_nul,
)
from worker import pipeline, receiving, tasks

# The fields a user can map to a column of an uploaded file, in the order shown.
FIELDS = ("text", "title", "company", "location", "date", "id")
FIELD_LABELS = {
    "text": "Description (the posting's text)", "title": "Job title", "company": "Company",
    "location": "Location", "date": "Date posted", "id": "Id",
}
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
# Uploads never started are removed after this long.
UPLOAD_TTL = 24 * 3600


class UploadError(ValueError):
    """An uploaded file is not something we can read; the message is for the user."""


class TooManyRows(ValueError):
    """A file has more rows than the configured cap."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the file has more than {limit:,} postings")
        self.limit = limit


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


def save_upload(instance_path: str, stream: IO[bytes], filename: str, skillset: str | None) -> str:
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


def count_postings(stream: IO[bytes], name: str, limit: int, **options: Any) -> int:
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


def receive_file(url: str, celery: Any, stream: IO[bytes], name: str, *, filename: str,
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
