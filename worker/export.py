"""Export a batch's results as CSV or JSON lines, streamed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from worker.results import ResultRow

CSV_COLUMNS = (
    "row", "id", "title", "company", "location", "date", "status", "error", "score",
    "fits", "percentile", "weighted_coverage", "foundation_coverage", "modern_coverage", "skills",
    "modern_skills", "gaps", "extras", "pay",
)
FORMATS = ("csv", "jsonl")
# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> str:
    """Return a CSV cell a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _ids(items: Any, tier: str | None = None) -> str:
    if not isinstance(items, list):
        return ""
    return ";".join(
        str(i.get("id") or i.get("name"))
        for i in items
        if isinstance(i, dict) and (tier is None or i.get("tier") == tier)
    )


def tier_share(coverage: Any, tier: str) -> float | None:
    """Return the share of a tier's skills a posting asks for, from the engine's coverage."""
    try:
        return float(coverage["tier"][tier]["share"])
    except (KeyError, TypeError, ValueError):
        return None


def market_cells(record: dict[str, Any]) -> dict[str, Any]:
    """The occupation fit, market percentile and weighted coverage of a record, as cells ('' when unknown)."""
    fit, market, parts = (record.get(k) if isinstance(record.get(k), dict) else {}
                          for k in ("fit", "market", "score_parts"))
    fits = fit.get("fits")
    return {"fits": {True: "yes", False: "no"}.get(fits), "percentile": market.get("percentile"),
            "weighted_coverage": parts.get("coverage")}


def csv_row(result: ResultRow) -> list[str]:
    record = result.merged()
    pay = record.get("pay")
    values = {
        **record,
        **market_cells(record),
        "foundation_coverage": tier_share(record.get("coverage"), "foundation"),
        "modern_coverage": tier_share(record.get("coverage"), "modern"),
        "skills": _ids(record.get("skills")),
        "modern_skills": _ids(record.get("skills"), "modern"),
        "gaps": _ids(record.get("gaps")),
        "extras": _ids(record.get("extras")),
        "pay": json.dumps(pay, ensure_ascii=False) if isinstance(pay, dict | list) else pay,
    }
    return [safe_cell(values.get(c)) for c in CSV_COLUMNS]


def iter_csv(results: Iterable[ResultRow], rows_per_piece: int = 200) -> Iterator[str]:
    """Yield the CSV export in pieces of a few hundred rows."""
    buf = io.StringIO()
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
        piece.append(json.dumps(result.merged(), ensure_ascii=False) + "\n")
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
