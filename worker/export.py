"""Export a batch's results as CSV or JSON lines, streamed.

The CSV is made for spreadsheets: UTF-8 with a byte-order mark (so Excel reads
"£" and "é" right), each list of skill ids beside the same skills' names, pay in
columns of its own and dates as YYYY-MM-DD. The JSON lines give the records as the
API does: what the engine leaves to the skill set and the market filled in
(``models.record``), gaps by id. Both give a row's location as the file did and as the report
groups it (``worker/locations.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from models.record import describe_record
from models.scoring import describe_gaps, record_skillset
from worker.locations import normalise
from worker.results import ResultRow

# A row's location as the report groups it, beside the raw one.
PLACE_COLUMNS = ("location_name", "location_city", "location_region", "location_country")
CSV_COLUMNS = (
    "row", "id", "title", "company", "location", *PLACE_COLUMNS, "date", "status", "error", "score",
    "fits", "percentile", "weighted_coverage", "foundation_coverage", "modern_coverage",
    "skills", "skill_names", "modern_skills", "gaps", "gap_names", "extras", "extra_names",
    "pay_text", "pay_currency", "pay_min", "pay_max", "pay_period", "pay_annual_min",
    "pay_annual_max", "locale",
)
# What the pay columns hold: keys of the engine's ``pay`` record.
PAY_COLUMNS = {"pay_text": "text", "pay_currency": "currency", "pay_min": "min",
               "pay_max": "max", "pay_period": "period", "pay_annual_min": "annual_min",
               "pay_annual_max": "annual_max"}
BOM = "\ufeff"
FORMATS = ("csv", "jsonl")
# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# A cell's text may be split again where it has a delimiter (a spreadsheet opening the
# file with ";" or tab as separator, a paste into one): each part that would then
# start a formula is escaped too (OWASP's advice on CSV injection).
_PART_START = re.compile(r"(?<=[,;\t\r\n|])([ ]*)([=+\-@][^,;\t\r\n|]*)")


def safe_cell(value: Any) -> str:
    """Return a CSV cell a spreadsheet will not run as a formula, whole or split."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    text = value if isinstance(value, str) else str(value)
    if _is_number(text):
        return text
    text = _PART_START.sub(_escape_part, text)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def _escape_part(match: re.Match[str]) -> str:
    part = match.group(2)
    return match.group(0) if _is_number(part) else f"{match.group(1)}'{part}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _items(items: Any, tier: str | None = None) -> list[dict[str, Any]]:
    """A record's list of skills or gaps (of one tier when given); the id and name
    columns both take theirs from here, so they line up."""
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, dict) and (tier is None or i.get("tier") == tier)]


def _ids(items: Any, tier: str | None = None) -> str:
    return ";".join(str(i.get("id") or i.get("name")) for i in _items(items, tier))


def _names(items: Any, tier: str | None = None) -> str:
    return "; ".join(str(i.get("name") or i.get("id")) for i in _items(items, tier))


# An ISO 8601 date with an optional time ("2024-01-05T09:30:00.000Z"), as job boards give it.
_ISO = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?"
                  r"(Z|[+-]\d{2}:?\d{2})?)?\s*$")


def readable_date(value: str | None) -> str | None:
    """Return an input's date as YYYY-MM-DD (with HH:MM when it has a time of day), which
    spreadsheets read as a date; a Unix time too. Other forms ("05/10/2020", whose day
    and month only the file's country knows) are left as given."""
    if not value:
        return value
    if m := _ISO.match(value):
        day, time = m.group(1), m.group(2)
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            return value
        return day if time in (None, "00:00") else f"{day} {time}"
    digits = value.strip()
    if digits.isdigit() and len(digits) in (10, 13):  # seconds or milliseconds since 1970
        seconds = int(digits) / (1000 if len(digits) == 13 else 1)
        return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%d")
    return value


def _amount(value: Any) -> Any:
    """A sum of money as a spreadsheet shows it: 21892, 18.50 (not 2.189e+04)."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.2f}"
    return value


def tier_share(coverage: Any, tier: str) -> float | None:
    """Return the share of a tier's skills a posting asks for, from the engine's coverage."""
    try:
        return float(coverage["tier"][tier]["share"])
    except (KeyError, TypeError, ValueError):
        return None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def market_cells(record: dict[str, Any]) -> dict[str, Any]:
    """The occupation fit, market percentile and weighted coverage of a record, as cells ('' when unknown)."""
    fit, market, parts = (_mapping(record.get(k)) for k in ("fit", "market", "score_parts"))
    fits = fit.get("fits")
    return {"fits": "yes" if fits is True else "no" if fits is False else None, "percentile": market.get("percentile"),
            "weighted_coverage": parts.get("coverage")}


def place_cells(location: str | None) -> dict[str, str | None]:
    """A raw location as the report groups it: its name, city, state or county, country."""
    place = normalise(location)
    if place is None:
        return dict.fromkeys(PLACE_COLUMNS)
    return {"location_name": place.name or None, "location_city": place.city,
            "location_region": place.region, "location_country": place.country}


def exported_record(result: ResultRow) -> dict[str, Any]:
    """A row's merged record, filled in from its skill set, with its normalised location beside the raw one."""
    record = result.merged()
    if result.record is not None:
        record = describe_record(record, record_skillset(record))
    out: dict[str, Any] = {}
    for key, value in record.items():
        out[key] = value
        if key == "location":
            out.update(place_cells(value))
    return out


def csv_row(result: ResultRow) -> list[str]:
    record = exported_record(result)
    pay = _mapping(record.get("pay"))
    values = {
        **record,
        "date": readable_date(record.get("date")),
        **market_cells(record),
        "foundation_coverage": tier_share(record.get("coverage"), "foundation"),
        "modern_coverage": tier_share(record.get("coverage"), "modern"),
        "skills": _ids(record.get("skills")),
        "skill_names": _names(record.get("skills")),
        "modern_skills": _ids(record.get("skills"), "modern"),
        "gaps": _ids(record.get("gaps")),
        "gap_names": _names(describe_gaps(record.get("gaps"), record_skillset(record))),
        "extras": _ids(record.get("extras")),
        "extra_names": _names(record.get("extras")),
        **{column: _amount(pay.get(key)) for column, key in PAY_COLUMNS.items()},
    }
    return [safe_cell(values.get(c)) for c in CSV_COLUMNS]


def iter_csv(results: Iterable[ResultRow], rows_per_piece: int = 200) -> Iterator[str]:
    """Yield the CSV export in pieces of a few hundred rows, the first with the BOM."""
    buf = io.StringIO()
    buf.write(BOM)
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for n, result in enumerate(results, 1):
        writer.writerow(csv_row(result))
        if n % rows_per_piece == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def iter_jsonl(results: Iterable[ResultRow], rows_per_piece: int = 200) -> Iterator[str]:
    """Yield the JSON-lines export: one merged record per input row."""
    piece: list[str] = []
    for result in results:
        piece.append(json.dumps(exported_record(result), ensure_ascii=False, separators=(",", ":")) + "\n")
        if len(piece) >= rows_per_piece:
            yield "".join(piece)
            piece = []
    yield "".join(piece)


def iter_export(results: Iterable[ResultRow], fmt: str) -> Iterator[str]:
    if fmt == "csv":
        return iter_csv(results)
    if fmt == "jsonl":
        return iter_jsonl(results)
    raise ValueError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
