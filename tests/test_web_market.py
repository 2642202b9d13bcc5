"""The result page and the batch report with the occupation fit, market percentile and split gaps."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from models.analysis import Analyzer
from tests.conftest import drain, make_app
from tests.test_web_pages import html, start, submit_text, upload
from web import present

VERDICTS = ("Ahead of", "Around the middle", "Behind", "Far behind", "Close to", "Partly aligned", "Far from")


@pytest.fixture
def app(sqlite_url: str, tmp_path: Path, fake_analyzer, monkeypatch):
    """The stand-in engine, answering with a fit, a market and gaps with similar shares."""
    original = fake_analyzer.analyze

    def analyze(raw: str, **kwargs):
        record = original(raw, **kwargs)
        if record["error"]:
            return record
        fits = "nurse" not in raw.lower()
        record["fit"] = {"occupation": "medical-office", "probability": 0.97 if fits else 0.04, "fits": fits}
        record["market"] = {"percentile": 62, "similar_postings": 25, "reference": {
            "name": "medical office", "locale": "UK", "postings": 560, "dates": "2020-07 to 2020-11",
            "source": "NHS Jobs adverts"}}
        record["score_parts"] = {"weights": {"required": 1.0, "preferred": 0.6, "unspecified": 0.3},
                                 "tier": {}, "level": {"required": 2, "preferred": 0, "unspecified": 1},
                                 "coverage": 12.5}
        record["gaps"] = [dict(g, similar_share=share) for g, share in zip(record["gaps"], (0.6, 0.1), strict=False)]
        return record

    monkeypatch.setattr(fake_analyzer, "analyze", analyze)
    return make_app(sqlite_url, tmp_path)


def _result_page(app, client, text: str) -> str:
    r = submit_text(client, f"{text} {uuid.uuid4().hex}")
    location = r.headers["Location"]
    drain(app, location.rsplit("/", 1)[1])
    return html(client.get(location))


def test_a_fitting_posting_leads_with_its_market_percentile(app, client) -> None:
    page = _result_page(app, client, "Front desk: scheduling and billing.")
    assert 'id="percentile-value">62nd<' in page
    assert "among 560 real medical office postings (UK, 2020-07 to 2020-11)" in page
    assert 'id="score-value"' not in page  # the raw share is no longer the headline
    assert 'id="score-parts"' in page and "Weighted coverage: <strong>12.5</strong> of 100" in page
    # The raw share beside it is named, as "How this is worked out" names it.
    assert "(alignment score, every skill named counted whatever its level: 66.7)" in page
    assert "<td>required</td><td>1.0</td><td>2</td>" in page
    usual = page.split('id="gaps-usual"')[1].split("</ol>")[0]
    beyond = page.split('id="gaps-beyond"')[1].split("</ol>")[0]
    assert "Epic" in usual and "60% of similar postings" in usual and "Telehealth" not in usual
    assert "Telehealth" in beyond
    assert "Postings like this one usually ask for this" in page and "Beyond what postings like this one ask" in page


def test_a_posting_that_does_not_fit_gets_a_plain_statement(app, client) -> None:
    page = _result_page(app, client, "Staff nurse on a surgical ward, with some scheduling.")
    assert 'id="not-fitting"' in page
    assert "does not look like a medical office posting (likelihood 4%)" in page
    assert "percentile" not in page
    for verdict in VERDICTS:
        assert verdict not in page, verdict
    assert "usually ask" not in page and "of similar postings" not in page
    assert "Scheduling" in page and "Telehealth" in page  # still analysed: skills and gaps shown
    assert "most important first" in page
    # Its gaps against another occupation's skill set are no verdict: not counted, behind a click.
    gaps = page.split('id="gaps"')[1].split("</section>")[0]
    assert '<details id="gaps-not-fitting">' in gaps and 'class="count"' not in gaps
    assert gaps.index("<summary>Not counted as gaps") < gaps.index("Telehealth")


def test_history_says_what_the_result_page_leads_with(app, client) -> None:
    """The list of what a browser started gives a posting's percentile, as its page does."""
    _result_page(app, client, "Front desk: scheduling and billing.")
    _result_page(app, client, "Staff nurse on a surgical ward, with some scheduling.")
    rows = html(client.get("/history")).split("<tbody>")[1].split("</tbody>")[0].split("</tr>")
    assert "Staff nurse" in rows[0] and "<td>another occupation</td>" in rows[0]
    assert "Front desk" in rows[1] and "<td>62nd percentile</td>" in rows[1]
    assert "score" not in rows[0] + rows[1]


def test_batch_report_counts_postings_of_other_occupations_apart(app, client) -> None:
    csv = (b"id,title,description\n"
           b"a1,Receptionist,Front desk: scheduling and Epic\n"
           b"a2,Biller,billing and scheduling\n"
           b"a3,Nurse,Staff nurse: scheduling of medication rounds\n")
    r = start(client, upload(client, csv, "mixed.csv").headers["Location"])
    batch_id = r.headers["Location"].rsplit("/", 1)[1]
    drain(app, batch_id)
    report = client.get(f"/api/v1/batches/{batch_id}/report").get_json()["report"]
    assert (report["analysed"], report["not_fitting"], report["compared"]) == (3, 1, 2)
    scheduling = next(s for s in report["skills"] if s["id"] == "scheduling")
    assert (scheduling["count"], scheduling["share"]) == (2, 1.0)  # the nurse's row is left out
    assert report["percentile"]["median"] == 62
    page = html(client.get(f"/batches/{batch_id}/report"))
    assert 'id="not-fitting-count">1<' in page
    # Each listed row links to its own result, as the rows of the postings table do.
    listed = page.split('id="not-fitting"')[1].split("</ul>")[0]
    assert f'<li><a href="/batches/{batch_id}/rows/3">Row 3: Nurse</a></li>' in listed
    assert "Nurse" in html(client.get(f"/batches/{batch_id}/rows/3"))


def test_ordinals_and_percentile_meanings() -> None:
    assert [present.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 100)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "100th"]
    assert present.percentile_meaning(90).startswith("Ahead")
    assert present.percentile_meaning(50).startswith("Around the middle")
    assert present.percentile_meaning(5).startswith("Far behind")


def test_result_view_of_real_records() -> None:
    analyzer = Analyzer.for_skillset()
    hello = present.result_view(analyzer.analyze("Hello"))
    assert hello["market"] is None and hello["not_fitting"]
    receptionist = present.result_view(analyzer.analyze(
        "Greet patients, answer phones and schedule appointments. Customer service experience required.",
        title="Medical Receptionist"))
    assert receptionist["not_fitting"] is None
    assert re.match(r"among \d{3,} real medical office postings \(UK and US, 2020-07", receptionist["market"]["among"])
    usual, beyond = receptionist["gap_groups"]
    assert usual and beyond
    assert all(g["similar_share"] >= 0.3 for g in usual) and all(g["similar_share"] < 0.3 for g in beyond)
    assert receptionist["parts"]["rows"][0] == {"level": "required", "weight": 1.0, "count": 3}


def test_cli_table_and_csv_carry_the_fit_and_percentile() -> None:
    import io

    from web.analyze_cli import _table, csv_row
    from worker.export import market_cells

    analyzer = Analyzer.for_skillset()
    fitting = analyzer.analyze("Greet patients and schedule appointments.", title="Medical Receptionist")
    nurse = analyzer.analyze("Registered nurse: administer medications and IV therapy. RN license required.")
    out = io.StringIO()
    _table(fitting, out)
    _table(nurse, out)
    assert "market: percentile" in out.getvalue() and "real medical office postings" in out.getvalue()
    assert "not a medical-office posting" in out.getvalue() and "weighted coverage:" in out.getvalue()
    row = csv_row(fitting)
    assert row["fits"] == "yes" and row["percentile"] == fitting["market"]["percentile"]
    assert csv_row(nurse)["fits"] == "no"
    assert market_cells({"score": 3}) == {"fits": None, "percentile": None, "weighted_coverage": None}


def test_pay_of_a_posting_of_another_occupation_is_not_held_against_the_range() -> None:
    from web.present import pay_view

    pay = {"text": "£24,000 a year", "currency": "GBP", "annual_min": 24000, "annual_max": 24000}
    fitting = pay_view({"pay": pay, "locale": "UK", "fit": {"fits": True}}, "medical-office-specialist")
    assert fitting and fitting["articles"] and fitting["verdict"]
    other = pay_view({"pay": pay, "locale": "UK", "fit": {"fits": False}}, "medical-office-specialist")
    assert other and other["posting"] and other["articles"] == [] and other["verdict"] is None
    assert "another" in other["note"]
    assert pay_view({"pay": None, "locale": "UK", "fit": {"fits": False}}, "medical-office-specialist") is None
