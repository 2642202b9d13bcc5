"""The CSV export as a spreadsheet opens it: BOM, names beside ids, pay columns, dates, places."""

from __future__ import annotations

import csv
import io
import json

from worker.export import CSV_COLUMNS, iter_csv, iter_jsonl, readable_date
from worker.results import ResultRow

RECORD = {
    "skills": [{"id": "ehr", "name": "Electronic health records", "tier": "modern"},
               {"id": "medical_billing", "name": "Medical billing", "tier": "foundation"}],
    "gaps": [{"id": "hipaa", "name": "HIPAA and patient privacy", "tier": "modern"}],
    "extras": [{"id": "phlebotomy", "name": "Phlebotomy"}],
    "score": 41.5,
    "coverage": {"tier": {"modern": {"share": 0.3077}, "foundation": {"share": 0.5}}},
    "pay": {"text": "£21,892 - £24,157.50 per annum", "currency": "GBP", "min": 21892.0,
            "max": 24157.5, "period": "year", "annual_min": 21892, "annual_max": 24158},
}


def exported(*rows: ResultRow) -> str:
    return "".join(iter_csv(rows))


def test_the_csv_opens_in_a_spreadsheet_with_names_pay_and_dates() -> None:
    text = exported(
        ResultRow(1, "a1", "Receptionist", "Café Clinic", "Leeds", "2024-01-05T00:00:00.000Z",
                  "done", None, RECORD),
        ResultRow(2, "a2", "Clerk", None, None, "05/10/2020", "done", None, {"skills": []}),
    )
    # UTF-8 with a byte-order mark, once, at the very start.
    data = text.encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf") and text.count("\ufeff") == 1
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    first = rows[0]
    assert first["company"] == "Café Clinic"
    assert (first["skills"], first["skill_names"]) == (
        "ehr;medical_billing", "Electronic health records; Medical billing")
    assert (first["gaps"], first["gap_names"]) == ("hipaa", "HIPAA and patient privacy")
    assert (first["extras"], first["extra_names"]) == ("phlebotomy", "Phlebotomy")
    assert first["modern_skills"] == "ehr"
    assert [first[c] for c in ("pay_text", "pay_currency", "pay_min", "pay_max", "pay_period",
                               "pay_annual_min", "pay_annual_max")] == [
        "£21,892 - £24,157.50 per annum", "GBP", "21892", "24157.50", "year", "21892", "24158"]
    assert first["date"] == "2024-01-05" and first["score"] == "41.5"
    # A date whose day and month order is not known stays as written; no pay, empty cells.
    assert rows[1]["date"] == "05/10/2020" and rows[1]["pay_min"] == ""


def test_readable_dates() -> None:
    assert readable_date("2020-11-03") == "2020-11-03"
    assert readable_date("2024-01-05T09:30:12+01:00") == "2024-01-05 09:30"
    assert readable_date("2024-01-05 00:00:00") == "2024-01-05"
    assert readable_date("1704412800") == "2024-01-05"
    assert readable_date("1704412800000") == "2024-01-05"
    assert readable_date("2024-13-45") == "2024-13-45"
    assert readable_date("yesterday") == "yesterday" and readable_date(None) is None


PLACES = ("location", "location_name", "location_city", "location_region", "location_country")


def test_exports_give_the_location_as_the_report_groups_it_beside_the_raw_one() -> None:
    results = [ResultRow(n, None, None, None, location, None, "done", None, {"skills": []})
               for n, location in enumerate(["new york, ny 10001", "Leeds, West Yorkshire", "Texas, USA",
                                             "Somewhere", None], 1)]
    expected = [
        ["new york, ny 10001", "New York, NY", "New York", "NY", "US"],
        ["Leeds, West Yorkshire", "Leeds, West Yorkshire", "Leeds", "West Yorkshire", "UK"],
        ["Texas, USA", "Texas", "", "TX", "US"],  # a state alone shows by its name
        ["Somewhere", "Somewhere", "Somewhere", "", ""],
        ["", "", "", "", ""],
    ]
    rows = list(csv.DictReader(io.StringIO(exported(*results).lstrip("\ufeff"))))
    assert [[r[c] for c in PLACES] for r in rows] == expected
    records = [json.loads(line) for line in "".join(iter_jsonl(results)).splitlines()]
    assert [[r[c] or "" for c in PLACES] for r in records] == expected
    assert list(records[0])[4:9] == list(PLACES)
