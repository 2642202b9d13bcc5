"""Read postings from CSV, JSONL, plain text and HTML files, streaming.

Batch files can hold 100k rows, so nothing here loads a whole file: CSV and JSONL
are read row by row from a binary stream. A broken row becomes a ``RowError`` in
the stream and the rows after it are still read; only a problem with the whole
file (no description column, not text at all) raises ``InputError``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any, cast

from models.text import without_surrogates

# A single posting over this size is rejected rather than analysed: real adverts
# are a few KB and saved job pages under 1 MB; 10 MB of text is a wrong paste.
MAX_POSTING_CHARS = 2_000_000

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


class InputError(ValueError):
    """A whole input cannot be read; the message is meant for the user."""


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


def looks_binary_bytes(head: bytes) -> bool:
    """Tell from a file's first bytes whether it is binary (or UTF-16) rather than text.

    Only a file with NUL bytes is suspect, and then only when control characters are
    more than a few percent of it: a stray NUL in one cell of a CSV export is no
    reason to refuse the file (the cell loses the NUL, see ``without_nul``).
    """
    sample = head[:8192]
    return b"\x00" in sample and _looks_binary(sample.decode("latin-1"))


def without_nul(value: str) -> str:
    """Drop NUL characters: no text holds them and no database text column takes them."""
    return value.replace("\x00", "") if "\x00" in value else value


def decode_bytes(data: bytes, name: str = "input") -> str:
    """Decode a posting's bytes: UTF-8 (with or without BOM), else cp1252.

    Binary junk is refused with a clear message instead of being analysed as text.
    """
    if looks_binary_bytes(data):
        raise InputError(f"{name}: this looks like a binary file, not text or HTML")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if _looks_binary(text):
        raise InputError(f"{name}: this looks like a binary file, not text or HTML")
    return text


_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
# Every byte but the control characters above, for bytes.translate to delete.
_NOT_CONTROL = bytes(c for c in range(256) if not (c <= 8 or c == 11 or 14 <= c <= 31))


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    # No control character at all: nearly every posting. Deleting every other
    # byte of a one-byte-a-character copy tells, four times faster than a search.
    if not sample or ("\ufffd" not in sample
                      and not sample.encode("latin-1", "replace").translate(None, _NOT_CONTROL)):
        return False
    return len(_CONTROL.findall(sample)) / len(sample) > 0.05


def check_text(text: str) -> str | None:
    """Return why a posting's text cannot be analysed, or None when it can."""
    if not text or text.isspace():
        return "the posting is empty"
    if len(text) > MAX_POSTING_CHARS:
        return (
            f"the posting is {len(text):,} characters; the limit is {MAX_POSTING_CHARS:,} "
            "(paste one posting, not a whole file)"
        )
    if _looks_binary(text):
        return "the posting looks like binary data, not text or HTML"
    return None


def failure_message(exc: BaseException, times: int = 1) -> str:
    """What a posting's record says when the engine failed on it (one message for CLI and workers)."""
    again = f" {times} times" if times > 1 else ""
    return f"the analysis failed{again} ({type(exc).__name__})"


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as cp1252 (Excel's "CSV" on Windows)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return bytes(bad).decode("cp1252", errors="replace"), exc.end


codecs.register_error("skillgap-cp1252", _cp1252_fallback)


def _text_stream(stream: IO[bytes], name: str) -> tuple[io.TextIOWrapper[io.BufferedReader], io.BufferedReader | None]:
    """Wrap a binary stream as text: UTF-8 (BOM dropped), any other bytes as cp1252.

    Returns the wrapper and the buffer made for it (None when the stream was
    already buffered), so that ``_release`` can hand the caller's stream back open.
    """
    made: io.BufferedReader | None = None
    if isinstance(stream, io.BufferedReader):
        buffered = stream
    else:
        # BufferedReader needs only read/readinto, which every binary file object has.
        buffered = made = io.BufferedReader(cast(io.RawIOBase, stream))
    head = buffered.peek(65536)[:65536]
    if looks_binary_bytes(head):
        raise InputError(f"{name}: this looks like a binary file, not CSV or JSON lines")
    text = io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="skillgap-cp1252", newline="")
    return text, made


def _release(text: io.TextIOWrapper[io.BufferedReader], made: io.BufferedReader | None) -> None:
    """Detach our wrappers so that closing them does not close the caller's stream."""
    try:
        text.detach()
        if made is not None:
            made.detach()
    except ValueError:
        pass


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
    text, made = _text_stream(stream, name)
    try:
        yield from _read_csv(text, name, text_column, columns)
    finally:
        _release(text, made)


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
    text, made = _text_stream(stream, name)
    try:
        yield from _read_jsonl(text, text_column, columns)
    finally:
        _release(text, made)


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
    text, made = _text_stream(stream, name)
    try:
        return _preview(text, name, rows)
    finally:
        _release(text, made)


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
