"""Read postings from CSV, JSONL, plain text and HTML files, streaming.

Batch files can hold 100k rows, so nothing here loads a whole file: CSV and JSONL
are read row by row from a binary stream. A broken row becomes a ``RowError`` in
the stream and the rows after it are still read; only a problem with the whole
file (no description column, not text at all) raises ``InputError``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from models.decoding import (
    MAX_POSTING_CHARS,
    InputError,
    check_text,
    decode_bytes,
    failure_message,
    looks_binary_bytes,
    release_text_stream,
    text_stream,
    without_nul,
)
from models.text import without_surrogates

# Decoding's errors and checks are part of what callers read postings with.
__all__ = [
    "MAX_POSTING_CHARS", "InputError", "Posting", "RowError", "check_text", "decode_bytes", "detect_columns",
    "failure_message", "input_format", "iter_csv", "iter_jsonl", "iter_postings", "looks_binary_bytes",
    "preview", "without_nul",
]

TEXT_COLUMNS = (
    "description", "job_description", "jobdescription", "job description", "text", "body",
    "posting", "job_posting", "content", "description_html", "html", "details", "summary",
)
ID_COLUMNS = ("id", "job_id", "jobid", "posting_id", "uid", "key", "reference", "ref")
TITLE_COLUMNS = ("title", "job_title", "jobtitle", "job title", "position", "role", "name")
COMPANY_COLUMNS = (
    "company", "employer", "company_name", "organisation", "organization", "hiring_organization",
    "hiringorganization", "companyname",
)
LOCATION_COLUMNS = ("location", "city", "job_location", "region", "state", "place")
DATE_COLUMNS = ("date_posted", "dateposted", "date", "posted", "posted_date", "created", "created_at")

FIELD_CANDIDATES = {
    "text": TEXT_COLUMNS,
    "id": ID_COLUMNS,
    "title": TITLE_COLUMNS,
    "company": COMPANY_COLUMNS,
    "location": LOCATION_COLUMNS,
    "date": DATE_COLUMNS,
}


@dataclass
class Posting:
    """One posting read from an input, before analysis."""

    row: int
    id: str
    text: str
    title: str | None = None
    company: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class RowError:
    """A row that could not be read; the rest of the file still is."""

    row: int
    id: str | None
    message: str


def input_format(filename: str) -> str:
    """Return 'csv', 'jsonl', 'html' or 'txt' from a file name."""
    ext = os.path.splitext(filename.lower())[1]
    if ext in (".csv", ".tsv"):
        return "csv"
    if ext in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if ext in (".html", ".htm", ".xhtml"):
        return "html"
    return "txt"


def detect_columns(header: list[str]) -> dict[str, str | None]:
    """Map our fields (text, id, title, company, location, date) to header names."""
    norm: dict[str, str] = {}
    for h in header:
        norm.setdefault(_column_key(h), h)
    found: dict[str, str | None] = {}
    for fieldname, candidates in FIELD_CANDIDATES.items():
        found[fieldname] = next((norm[k] for c in candidates if (k := _column_key(c)) in norm), None)
    return found


def _column_key(name: str) -> str:
    """'Job ID', 'job-id' and 'job_id' are one column name."""
    return re.sub(r"[\s_-]+", "_", name.strip().lower())


def _sniff_dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    first_line = sample.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        delimiter = ","

    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter
    return Dialect


def _csv_reader(text: io.TextIOWrapper[io.BufferedReader]) -> Any:
    """A CSV reader for the stream, its delimiter guessed from the first line."""
    sample = text.buffer.peek(65536)[:65536].decode("utf-8", errors="replace")
    csv.field_size_limit(MAX_POSTING_CHARS + 1)
    return csv.reader(text, dialect=_sniff_dialect(sample))


def iter_csv(
    stream: IO[bytes],
    name: str = "input.csv",
    *,
    text_column: str | None = None,
    columns: dict[str, str | None] | None = None,
) -> Iterator[Posting | RowError]:
    """Yield postings from a CSV stream with a header row.

    ``columns`` overrides the detected mapping of our fields to header names.
    """
    text, made = text_stream(stream, name)
    try:
        yield from _read_csv(text, name, text_column, columns)
    finally:
        release_text_stream(text, made)


def _read_csv(
    text: io.TextIOWrapper[io.BufferedReader], name: str, text_column: str | None, columns: dict[str, str | None] | None
) -> Iterator[Posting | RowError]:
    reader = _csv_reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{name}: the file is empty") from None
    except csv.Error as exc:
        raise InputError(f"{name}: the header row cannot be read as CSV ({exc})") from None
    header = [h.strip() for h in header]
    mapping = detect_columns(header)
    if columns:
        mapping.update({k: v for k, v in columns.items() if k in FIELD_CANDIDATES})
    if text_column:
        mapping["text"] = text_column
    for col in mapping.values():
        if col is not None and col not in header:
            raise InputError(
                f"{name}: no column named {col!r} (columns are: {', '.join(header)})"
            )
    if mapping["text"] is None:
        raise InputError(
            f"{name}: no description column found (columns are: {', '.join(header)}); "
            "name one with --text-column"
        )
    index = {h: i for i, h in enumerate(header)}
    row_no = 0
    while True:
        row_no += 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RowError(row_no, None, f"row {row_no}: {csv_problem(exc)}")
            continue
        if not any(v.strip() for v in values):
            row_no -= 1
            continue
        record = {h: (values[i] if i < len(values) else "") for h, i in index.items()}
        yield _posting_from_record(record, mapping, row_no, len(values) != len(header), len(header))


def csv_problem(exc: csv.Error) -> str:
    """Say why a CSV row cannot be read, in the user's words where we know them."""
    if "field larger than field limit" in str(exc):
        return (f"cannot be read as CSV: a cell is longer than {MAX_POSTING_CHARS:,} characters, "
                "the most a posting may have (or a quote opened in it is never closed)")
    return f"cannot be read as CSV ({exc})"


def _posting_from_record(
    record: dict[str, str],
    mapping: dict[str, str | None],
    row_no: int,
    ragged: bool = False,
    width: int = 0,
) -> Posting | RowError:
    def get(key: str) -> str | None:
        col = mapping.get(key)
        value = record.get(col) if col else None
        if value is None:
            return None
        value = without_nul(str(value)).strip()
        return value or None

    posting_id = get("id") or str(row_no)
    text = get("text") or ""
    problem = check_text(text)
    if problem is None and ragged and len(record) < width and not text:
        problem = "the row has fewer fields than the header"
    if problem:
        return RowError(row_no, posting_id, f"row {row_no}: {problem}")
    extra = {k: v for k in ("location", "date") if (v := get(k))}
    return Posting(row_no, posting_id, text, get("title"), get("company"), extra)


def iter_jsonl(
    stream: IO[bytes],
    name: str = "input.jsonl",
    *,
    text_column: str | None = None,
    columns: dict[str, str | None] | None = None,
) -> Iterator[Posting | RowError]:
    """Yield postings from JSON lines: objects with ``description`` or ``text``."""
    text, made = text_stream(stream, name)
    try:
        yield from _read_jsonl(text, text_column, columns)
    finally:
        release_text_stream(text, made)


def _json_cell(value: Any) -> str:
    """A JSON line's value as a cell: strings as they are (bar lone surrogates), the rest as JSON."""
    return without_nul(without_surrogates(value) if isinstance(value, str) else json.dumps(value))


def _read_jsonl(
    text: io.TextIOWrapper[io.BufferedReader], text_column: str | None, columns: dict[str, str | None] | None
) -> Iterator[Posting | RowError]:
    mapping: dict[str, str | None] | None = None
    line_no = 0
    seen_object = False
    for line in text:
        line_no += 1
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RowError(line_no, None, f"line {line_no}: not valid JSON ({exc.msg})")
            continue
        except RecursionError:
            yield RowError(line_no, None, f"line {line_no}: the JSON is nested too deeply")
            continue
        if not isinstance(obj, dict):
            yield RowError(line_no, None, f"line {line_no}: expected a JSON object")
            continue
        record = {k: _json_cell(v) for k, v in obj.items() if v is not None}
        if mapping is None or not seen_object:
            mapping = detect_columns(list(obj))
            if columns:
                mapping.update({k: v for k, v in columns.items() if k in FIELD_CANDIDATES})
            if text_column:
                mapping["text"] = text_column
        seen_object = True
        row_mapping = dict(mapping)
        if row_mapping["text"] not in obj:
            row_mapping["text"] = detect_columns(list(obj))["text"] if not text_column else text_column
        if not row_mapping["text"] or row_mapping["text"] not in obj:
            yield RowError(
                line_no,
                str(obj.get("id")) if obj.get("id") is not None else None,
                f"line {line_no}: no 'description' or 'text' field",
            )
            continue
        yield _posting_from_record(record, row_mapping, line_no)


def iter_postings(
    stream: IO[bytes],
    name: str,
    *,
    text_column: str | None = None,
    columns: dict[str, str | None] | None = None,
) -> Iterator[Posting | RowError]:
    """Yield the postings in one input file, by its name's extension.

    A ``.txt`` or ``.html`` file is one posting whose id is the file name.
    """
    fmt = input_format(name)
    if fmt == "csv":
        yield from iter_csv(stream, name, text_column=text_column, columns=columns)
    elif fmt == "jsonl":
        yield from iter_jsonl(stream, name, text_column=text_column, columns=columns)
    else:
        data = stream.read(MAX_POSTING_CHARS * 4 + 1)
        text = without_nul(decode_bytes(data, name))
        problem = check_text(text)
        posting_id = os.path.basename(name)
        if problem:
            yield RowError(1, posting_id, f"{name}: {problem}")
        else:
            yield Posting(1, posting_id, text)


def preview(
    stream: IO[bytes], name: str, rows: int = 5
) -> tuple[list[str], dict[str, str | None], list[dict[str, str]]]:
    """Return (columns, detected mapping, first rows) of a CSV or JSONL file.

    The stream is left open (and read past the preview), for the caller to rewind.
    """
    text, made = text_stream(stream, name)
    try:
        return _preview(text, name, rows)
    finally:
        release_text_stream(text, made)


def _preview(
    text: io.TextIOWrapper[io.BufferedReader], name: str, rows: int
) -> tuple[list[str], dict[str, str | None], list[dict[str, str]]]:
    if input_format(name) == "csv":
        reader = _csv_reader(text)
        try:
            header = [h.strip() for h in next(reader)]
        except (StopIteration, csv.Error):
            raise InputError(f"{name}: the file is empty or not CSV") from None
        first: list[dict[str, str]] = []
        while len(first) < rows:
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                # Shown in the row's first cell; the batch marks the row failed and
                # reads on, so the preview does too.
                values = [f"(row {len(first) + 1}: {csv_problem(exc)})"]
            first.append({h: (values[i] if i < len(values) else "") for i, h in enumerate(header)})
        return header, detect_columns(header), first
    header = []
    first = []
    for line in text:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            continue
        if isinstance(obj, dict):
            header.extend(k for k in obj if k not in header)
            first.append({k: _json_cell(v) for k, v in obj.items()})
        if len(first) >= rows:
            break
    if not header:
        raise InputError(f"{name}: no JSON objects found")
    return header, detect_columns(header), first
