"""Every surface that shows a result says what its badges mean and how its numbers are made."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import yaml

from models.record import describe_market
from tests.conftest import drain
from tests.test_engine_cli import SECRETARY, group, run, runner  # noqa: F401 - fixtures
from tests.test_web_market import app  # noqa: F401 - the fixture
from tests.test_web_pages import html, start, submit_text, upload
from web.explain import badge_key, method, score_explanation

ROOT = Path(__file__).resolve().parent.parent
BADGES = ("modern", "foundation", "required", "preferred", "mentioned")


def _key(page: str, key_id: str) -> dict[str, str]:
    """{badge label: meaning} of a badge key on a page."""
    block = page.split(f'id="{key_id}"')[1].split("</dl>")[0]
    return dict(re.findall(r'<span class="badge [^"]+">([^<]+)</span></dt><dd>([^<]+)</dd>', block))


def _explained(page: str) -> None:
    skills = _key(page, "badge-key-skills")
    assert sorted(skills) == sorted(BADGES) and all(len(v) > 20 for v in skills.values())
    assert "counts x0.6" in skills["preferred"] and "counts x0.3" in skills["mentioned"]
    assert sorted(_key(page, "badge-key-gaps")) == ["foundation", "modern"]
    how = page.split('id="how-score"')[1].split("</div>")[0]
    assert "Weighted coverage 12.5: each skill" in how and "preferred x0.6" in how
    assert "Percentile 62: the share of the 560 real medical office postings (UK)" in how
    assert "Alignment score" in how


def test_result_page_and_print_view_explain_badges_and_score(app, client) -> None:  # noqa: F811
    r = submit_text(client, f"Front desk: scheduling and Epic. {uuid.uuid4().hex}")
    location = r.headers["Location"]
    drain(app, location.rsplit("/", 1)[1])
    _explained(html(client.get(location)))
    _explained(html(client.get(f"{location}/print")))


def test_batch_row_page_explains_badges_and_score(app, client) -> None:  # noqa: F811
    csv = f"title,description\nReceptionist,Front desk: scheduling and Epic {uuid.uuid4().hex}\n".encode()
    progress = start(client, upload(client, csv).headers["Location"]).headers["Location"]
    batch_id = progress.rsplit("/", 1)[1]
    drain(app, batch_id)
    _explained(html(client.get(f"/batches/{batch_id}/rows/1")))
    report = html(client.get(f"/batches/{batch_id}/report"))
    assert sorted(_key(report, "badge-key-report")) == ["foundation", "modern"]


def test_explanation_of_a_real_record() -> None:
    from models.analysis import Analyzer

    record = Analyzer.for_skillset().analyze(
        "Medical receptionist at an NHS trust, Band 3. Greet patients and book appointments. "
        "SystmOne experience desirable.", title="Medical Receptionist")
    how = score_explanation(record)
    assert how[0].startswith(f"Weighted coverage {record['score_parts']['coverage']}: ")
    assert "modern skills" in how[0] and "that apply to a UK posting" in how[0]
    uk_market = describe_market(record["market"])["reference"]["postings"]
    assert uk_market > 600  # the NHS adverts and the UK labelled sets
    assert how[1].startswith(f"Percentile {record['market']['percentile']}: the share of the {uk_market} real ")
    assert score_explanation({"error": "no text"}) == []
    assert [b["label"] for b in badge_key()] == list(BADGES)


def test_analyze_table_ends_with_the_key(runner, group) -> None:  # noqa: F811
    result = run(runner, group, "analyze", SECRETARY)
    assert result.exit_code == 0, result.output
    key = result.stdout.split("\nkey:\n")[1]
    for label in BADGES:
        assert re.search(rf"^  {label} +\S", key, re.M), label
    for line in method():
        assert line in key
    assert " unspecified " not in result.stdout  # the table says "mentioned", as its key does


def test_openapi_tells_the_badges_and_the_score() -> None:
    spec = yaml.safe_load((ROOT / "web" / "openapi.yaml").read_text(encoding="utf-8"))
    record = spec["components"]["schemas"]["Record"]["properties"]
    skill = record["skills"]["items"]["properties"]
    assert "modern" in skill["tier"]["description"] and "foundation" in skill["tier"]["description"]
    for level in ("required", "preferred", "mentioned"):
        assert level in skill["requirement"]["description"]
    assert "weight" in record["score"]["description"]
    assert "requirement level" in record["score_parts"]["description"]
    assert "ties counting half" in record["market"]["properties"]["percentile"]["description"]


def test_skill_set_page_explains_its_tier_badges(client) -> None:
    page = html(client.get("/skillsets/medical-office-specialist"))
    assert sorted(_key(page, "badge-key-skillset")) == ["foundation", "modern"]
