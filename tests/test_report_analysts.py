"""The batch report for analysts: normalised locations, the country split, skills by month,
breakdowns that say when they are cut, a filterable postings table and charts that link to it."""

from __future__ import annotations

import re
import uuid
from html import unescape
from pathlib import Path

import pytest

from tests.conftest import drain, make_app
from tests.test_web_pages import html, start, upload
from web.report_view import TREND_MIN_POSTINGS, _trend_chart
from worker import rows as rows_module
from worker.locations import normalise
from worker.report import build_report
from worker.results import ResultRow
from worker.row_filters import RowFilter


@pytest.mark.parametrize(("raw", "name", "region", "country"), [
    ("New York", "New York, NY", "NY", "US"),
    ("New York, NY", "New York, NY", "NY", "US"),
    ("new york, ny 10001", "New York, NY", "NY", "US"),
    ("Denver, CO 80202", "Denver, CO", "CO", "US"),
    ("Austin, Texas, USA", "Austin, TX", "TX", "US"),
    ("Durham, NC", "Durham, NC", "NC", "US"),
    ("Colorado", "Colorado", "CO", "US"),
    ("CO", "Colorado", "CO", "US"),
    ("TX 78701, USA", "Texas", "TX", "US"),
    ("District of Columbia", "District of Columbia", "DC", "US"),
    ("Leeds, West Yorkshire", "Leeds, West Yorkshire", "West Yorkshire", "UK"),
    ("Reading, Berkshire, RG1 5AN", "Reading, Berkshire", "Berkshire", "UK"),
    ("York, YO24 3WX, GB", "York", None, "UK"),
    ("LEEDS", "Leeds", None, None),
    ("City Hospital, Nottingham, NG5 1PB, GB", "Nottingham", None, "UK"),
    ("Belmont, Herefordshire, HR2 9RP, GB", "Belmont, Herefordshire", "Herefordshire", "UK"),
])
def test_locations_are_normalised_to_city_and_state_or_county(raw, name, region, country) -> None:
    place = normalise(raw)
    assert place is not None and (place.name, place.region, place.country) == (name, region, country)
    assert normalise("") is None and normalise("  ") is None


def _row(n: int, *, location: str | None = None, date: str | None = None, company: str | None = None,
         locale: str | None = None, skills: tuple[str, ...] = (), score: float = 10.0) -> ResultRow:
    record = {"skills": [{"id": s, "name": s.title(), "tier": "modern", "requirement": "required"}
                         for s in skills],
              "gaps": [], "extras": [], "score": score, "locale": locale,
              "market": {"percentile": 10 * n % 100}}
    return ResultRow(n, None, None, company, location, date, "done", None, record)


def test_report_splits_by_country_and_normalised_place_keeping_the_raw_values() -> None:
    rows = [_row(1, location="New York", locale="US"), _row(2, location="new york, ny 10001", locale="US"),
            _row(3, location="Leeds, West Yorkshire", locale="UK"), _row(4, location="Bradford, West Yorkshire"),
            _row(5)]
    report = build_report(rows)
    by_location = {g["name"]: g for g in report["by_location"]}
    assert by_location["New York, NY"]["count"] == 2
    assert by_location["New York, NY"]["raw"] == ["New York", "new york, ny 10001"]
    assert {g["name"]: g["count"] for g in report["by_region"]} == {"West Yorkshire, UK": 2, "NY, US": 2}
    assert {g["name"]: g["count"] for g in report["by_country"]} == {"US": 2, "UK": 1, "unknown": 2}
    assert report["by_country"][0]["median_percentile"] == 15.0  # rows 1 and 2: percentiles 10 and 20


def test_a_state_given_alone_shows_by_its_name_not_its_code() -> None:
    report = build_report([_row(1, location="TX"), _row(2, location="Texas, USA"), _row(3, location="Austin, TX")])
    assert {g["name"]: g["count"] for g in report["by_location"]} == {"Texas": 2, "Austin, TX": 1}
    assert {g["name"]: g["count"] for g in report["by_region"]} == {"TX, US": 3}
    assert report["by_location"][0]["raw"] == ["TX", "Texas, USA"]


def test_breakdowns_count_their_groups_and_trend_counts_skills_by_month() -> None:
    rows = [_row(n, company=f"Clinic {n}", date=f"2024-0{1 + n % 3}-01",
                 skills=("ehr",) if n % 3 == 0 else ("ehr", "billing")) for n in range(1, 31)]
    report = build_report(rows, top=5)
    assert len(report["by_company"]) == 5 and report["groups"]["company"] == 30
    assert len(build_report(rows, top=None)["by_company"]) == 30
    trend = report["trend"]
    assert trend["months"] == ["2024-01", "2024-02", "2024-03"] and trend["postings"] == [10, 10, 10]
    ehr, billing = ({s["id"]: s for s in trend["skills"]}[k] for k in ("ehr", "billing"))
    assert ehr["counts"] == [10, 10, 10] and billing["counts"] == [0, 10, 10]


def test_trend_gives_each_months_postings_and_no_share_for_a_month_of_too_few() -> None:
    """A month of one posting would swing a line from 0% to 100%: it gets its count, no share."""
    rows = [_row(n, date=f"2024-0{1 + n % 3}-01" if n > 1 else "2023-12-01",
                 skills=("ehr", "billing") if n % 2 else ("ehr",)) for n in range(1, 32)]
    report = build_report(rows)
    assert report["trend"]["postings"] == [1, 10, 10, 10]
    chart = _trend_chart(report)
    assert chart is not None
    # Each month's count under its label, and in the table.
    labels = [e.text for e in chart.elements if e.tag == "text"]
    assert {"n=1", "n=10"} <= set(labels)
    table = {row[0]: row[1:] for row in chart.rows}
    assert table["Postings"] == ("1", "10", "10", "10")
    assert table["Billing"] == ("too few", "50%", "50%", "50%")
    # No point for the thin month: each line runs over the three others only.
    assert [e.attrs["points"].count(",") for e in chart.elements if e.tag == "polyline"] == [3, 3]
    assert not any(e.title.endswith("2023-12: 100%") for e in chart.elements if e.tag == "circle")
    assert chart.note == f"1 of the 4 months has fewer than {TREND_MIN_POSTINGS} postings: too few " \
        "for a share, so none is drawn for it."
    assert _trend_chart(build_report(rows[1:])).note == ""  # type: ignore[union-attr]


@pytest.fixture
def app(sqlite_url: str, tmp_path: Path, fake_analyzer, monkeypatch):
    """The stand-in engine; a row's locale from its location, as the engine would."""
    original = fake_analyzer.analyze

    def analyze(raw: str, **kwargs):
        record = original(raw, **kwargs)
        place = normalise(kwargs.get("location"))
        record["locale"] = place.country if place else None
        if "nurse" in raw:
            record["fit"] = {"occupation": "medical-office", "probability": 0.1, "fits": False}
        return record

    monkeypatch.setattr(fake_analyzer, "analyze", analyze)
    return make_app(sqlite_url, tmp_path)


def _batch(app, client) -> str:
    tag = uuid.uuid4().hex
    lines = ["title,company,location,date_posted,description"]
    places = ["New York", "New York, NY", "Denver, CO 80202", "Leeds, West Yorkshire"]
    for n in range(24):
        words = ("scheduling epic", "billing", "scheduling billing")[n % 3]
        lines.append(f"Post {n},Clinic {n},\"{places[n % 4]}\",2024-0{1 + n % 3}-15,{words} {tag} {n}")
    r = start(client, upload(client, "\n".join(lines).encode(), "analysts.csv").headers["Location"])
    batch_id = r.headers["Location"].rsplit("/", 1)[1]
    drain(app, batch_id)
    return batch_id


def _titles(page: str) -> list[str]:
    table = page.split('id="postings-table"')[1].split("</table>")[0]
    return re.findall(r'/rows/\d+">([^<]*)</a>', table)


def test_report_page_for_analysts(app, client) -> None:
    batch_id = _batch(app, client)
    page = html(client.get(f"/batches/{batch_id}/report"))
    # Breakdowns: by country, by state or county, by normalised location with the raw values.
    for heading in ("By country", "By state or county", "By location", "By company", "By month"):
        assert f"<caption>{heading}</caption>" in page
    assert "New York, NY</a><br><span class=\"hint\">as written: New York; New York, NY</span>" in page
    # 24 companies: the breakdown lists 20 and says so, with the full table a click away.
    cut = page.split('id="cut-company"')[1].split("</p>")[0]
    assert "The 20 largest of 24." in cut
    full = html(client.get(f"/batches/{batch_id}/report/company"))
    assert full.count("Clinic ") >= 24 and 'id="full-table"' in full
    assert client.get(f"/batches/{batch_id}/report/nonsense").status_code == 404
    # The skills by month: a line per skill and the table of them all.
    trend = page.split('id="chart-trend"')[1].split("</figure>")[0]
    assert trend.count("<polyline") >= 2 and "2024-01" in trend and "<td>Postings</td>" in trend
    assert trend.count(">n=8</text>") == 3  # each month's postings under it
    # Each bar of the skills chart links to the postings that ask for the skill.
    links = re.findall(r'<a href="([^"]+)" aria-label="Billing: 67% \(16\)">', page)
    assert links == [f"/batches/{batch_id}/report?skill=billing#postings"]
    billing = html(client.get(unescape(links[0])))
    assert len(_titles(billing)) == 16 and 'id="active-filters"' in billing
    assert "<strong>asking for</strong> Billing <a" in billing
    # A band of the score histogram links to the postings in it.
    band = re.search(r'<a href="([^"]+band=[^"]+)"', page)
    assert band and len(_titles(html(client.get(unescape(band.group(1)))))) > 0


@pytest.mark.parametrize(("filters", "expected"), [
    ({"skill": "epic"}, 8),
    ({"gap": "epic"}, 16),
    ({"skill": "billing", "gap": "epic"}, 16),
    ({"company": "Clinic 3"}, 1),
    ({"location": "New York, NY"}, 12),
    ({"region": "West Yorkshire, UK"}, 6),
    ({"country": "UK"}, 6),
    ({"country": "unknown"}, 0),
    ({"month": "2024-02"}, 8),
    ({"band": "30-40"}, 8),  # one skill of three: 33.3
    ({"band": "60-70"}, 16),
    ({"band": "nonsense"}, 24),
    ({"fits": "no"}, 0),
])
def test_postings_table_filters(app, client, filters, expected) -> None:
    batch_id = _batch(app, client)
    url = app.config["DATABASE_URL"]
    rows = rows_module.list_rows(url, batch_id, per_page=100,
                              filters=RowFilter.from_args(filters).clauses(url, batch_id))
    assert rows.total == expected == len(rows.rows)


def test_skill_and_gap_filters_on_postgresql(postgresql_url: str, tmp_path: Path, fake_analyzer) -> None:
    app = make_app(postgresql_url, tmp_path)
    with app.test_client() as client:
        batch_id = _batch(app, client)
    for filters, expected in (({"skill": "epic"}, 8), ({"gap": "epic"}, 16), ({"skill": "nothing"}, 0),
                              ({"fits": "no"}, 0), ({"country": "unknown"}, 24), ({"band": "60-70"}, 16)):
        rows = rows_module.list_rows(postgresql_url, batch_id, per_page=100,
                                  filters=RowFilter.from_args(filters).clauses(postgresql_url, batch_id))
        assert rows.total == expected, filters


def test_postings_of_other_occupations_are_a_click_away(app, client) -> None:
    tag = uuid.uuid4().hex
    csv = f"title,description\nNurse,staff nurse {tag}\nClerk,scheduling {tag}\n".encode()
    batch_id = start(client, upload(client, csv).headers["Location"]).headers["Location"].rsplit("/", 1)[1]
    drain(app, batch_id)
    page = html(client.get(f"/batches/{batch_id}/report"))
    link = re.search(r'id="cut-not-fitting"><a href="([^"]+)"', page)
    assert link and "fits=no" in link.group(1)
    assert _titles(html(client.get(unescape(link.group(1))))) == ["Nurse"]
