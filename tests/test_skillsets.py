"""Skill sets as stored data: created from TOML, CSV or a form, resolved alike everywhere,
safe to upload, used by analyses and batches, and compared with the market."""

from __future__ import annotations

import io
import json
import re
import time
import uuid
from pathlib import Path

import pytest

from models.own_skillsets import MAX_ALIASES_PER_SKILL, MAX_BYTES, MAX_SKILLS, csv_to_toml, form_to_toml, parse_upload
from models.safe_patterns import UnsafePattern, check_pattern
from models.skillset import SkillSetError, load_skillset
from tests.conftest import drain, make_app

ROOT = Path(__file__).resolve().parent.parent
PHARMACY = ROOT / "examples" / "skillsets" / "pharmacy-technician.toml"
POSTING = ("Pharmacy Technician\n\nResponsibilities\n"
           "- Dispense prescriptions accurately, including controlled drugs, on our PMR system.\n"
           "- Process electronic prescriptions (EPS) and manage stock control.\n"
           "- Keep the rota in Microsoft Excel spreadsheets.\n"
           "- Take blood samples (phlebotomy) when asked.\n\n"
           "Requirements\n- Registered with the GPhC.\n")


def small_set(pattern: str | None = None, extra: str = "") -> str:
    alias = f"{{ pattern = {json.dumps(pattern)} }}" if pattern else '"welding"'
    return f'''id = "welder"
name = "Welder"
{extra}
[[skills]]
id = "welding"
name = "Welding"
category = "trade"
tier = "foundation"
aliases = [{alias}]
'''


# --- The bounded pattern syntax ------------------------------------------------------------

@pytest.mark.parametrize("pattern", [
    r"(a+)+$", r"(a|a)*b", r"(?:\w+\s?)+x", r"(a*)*", r"(.*a){12}", r"\w+\s*\w+x", r"(a)\1",
    r"(?=a)b", r"(?i)x", "a{1,1000}", r"\d{2,3}\s*wpm", r"\w+x", "(" * 5 + "a" + ")" * 5, "a" * 201,
])
def test_a_hostile_pattern_is_refused_at_once(pattern: str) -> None:
    start = time.process_time()
    with pytest.raises(UnsafePattern):
        check_pattern(pattern)
    assert time.process_time() - start < 0.05


@pytest.mark.parametrize("pattern", [
    r"\b\d{2,3}\s{0,2}wpm\b", r"\bvitals\b", r"\b(?:input|enter)\w{0,5}\s(?:data|records)", r"\bA\s?&\s?E\b",
    r"[A-Z]{2,3}-\d{1,4}", r"\bskills?\b",
])
def test_ordinary_patterns_are_allowed(pattern: str) -> None:
    check_pattern(pattern)


def test_the_worst_allowed_pattern_analyses_a_hostile_posting_quickly() -> None:
    """The most backtracking the syntax lets through, on text built to provoke it."""
    from models.analysis import Analyzer

    worst = r"(?:a|aa)?a{0,10}\w{1,7}x"  # 3 x 11 x 7 = 231 ways through
    loaded = parse_upload(small_set(worst), "hostile.toml")
    # The pattern's own cost: the word matcher is left out (it has costs of its own on
    # a 50,000-letter word, whatever the skill set).
    analyzer = Analyzer(loaded, use_matcher=False, use_market=False)
    text = "Welder wanted. " + "a" * 50_000 + "\n" + ("a " * 10_000)
    start = time.process_time()
    analyzer.analyze(text)
    # 0.12 s of CPU here; (a+)+x would take hours.
    assert time.process_time() - start < 5


def test_an_uploaded_hostile_pattern_is_refused_with_its_line() -> None:
    with pytest.raises(SkillSetError, match=r"line 5 \(skill 1 'welding'\): pattern '\(a\+\)\+\$' is not allowed"):
        parse_upload(small_set("(a+)+$"), "mine.toml")


# --- Caps, base, CSV and the form ------------------------------------------------------------

def test_sizes_are_capped_with_a_clear_error() -> None:
    many = "\n".join(f'[[skills]]\nid = "s{i}"\nname = "S{i}"\ncategory = "c"\naliases = ["s{i}"]'
                     for i in range(MAX_SKILLS + 1))
    with pytest.raises(SkillSetError, match=f"at most {MAX_SKILLS}"):
        parse_upload(f'id = "x"\nname = "X"\n{many}\n', "big.toml")
    aliases = ", ".join(f'"w{i}"' for i in range(MAX_ALIASES_PER_SKILL + 1))
    with pytest.raises(SkillSetError, match=f"a skill has at most {MAX_ALIASES_PER_SKILL}"):
        parse_upload(small_set().replace('["welding"]', f"[{aliases}]"), "wide.toml")
    with pytest.raises(SkillSetError, match="bytes"):
        parse_upload(small_set() + "#" * MAX_BYTES, "huge.toml")


def test_base_is_a_built_in_set_never_a_path() -> None:
    with pytest.raises(SkillSetError, match=r"line 3: 'base' must be a built-in skill set"):
        parse_upload(small_set(extra='base = "/etc/passwd.toml"'), "mine.toml")
    edited = parse_upload('id = "x"\nname = "X"\nbase = "medical-office-specialist"\n'
                          '[[skills]]\nid = "ehr"\nweight = 5\n', "mine.toml")
    assert edited.get("ehr").weight == 5 and edited.get("ehr").aliases


def test_a_csv_becomes_a_skill_set_and_its_errors_name_the_line() -> None:
    text = csv_to_toml("skill,tier,weight,aliases\nWelding,foundation,2,welding; weld\n"
                       "Robotic welding,modern,3,robotic welding;cobot\n", "w.csv", "Welder")
    loaded = parse_upload(text, "w.csv")
    assert [(s.id, s.tier, s.weight) for s in loaded.skills] == [
        ("welding", "foundation", 2.0), ("robotic_welding", "modern", 3.0)]
    assert [a.phrase for a in loaded.get("robotic_welding").aliases] == ["robotic welding", "cobot"]
    for body, message in [
        ("skill,tier,weight,aliases\nWelding,core,1,w\n", "line 2: tier must be one of foundation, modern"),
        ("skill,tier,weight,aliases\nA,modern,1,a\n\nB,modern,-2,b\n", "line 4: weight must be a positive number"),
        ("skill,tier,weight,aliases\nA,modern,1,a\nA,modern,1,a\n", "line 3: 'A' is listed twice"),
        ("skill,tier,aliases\nA,modern,a\n", "line 1: the header needs the columns"),
        ("skill,tier,weight,aliases\n", "no skills found"),
    ]:
        with pytest.raises(SkillSetError, match=re.escape(message)):
            csv_to_toml(body, "w.csv", "W")


def test_the_csv_of_the_docs_makes_a_skill_set() -> None:
    docs = (ROOT / "docs" / "skill-sets.md").read_text(encoding="utf-8")
    example = re.search(r"```csv\n(.*?)```", docs, re.S)
    assert example
    loaded = parse_upload(csv_to_toml(example.group(1), "dental.csv", "Dental receptionist"), "dental.csv")
    assert len(loaded.skills) == 5 and loaded.get("nhs_dental_charges").tier == "modern"
    assert "Dentrix" in [a.phrase for a in loaded.get("dental_software").aliases]


def test_a_built_in_set_edited_in_the_form() -> None:
    base = load_skillset("medical-office-specialist")
    form = {"name": "Our course", "keep_ehr": "1", "tier_ehr": "foundation", "weight_ehr": "4",
            "keep_hipaa": "1", "tier_hipaa": "modern", "weight_hipaa": "",
            "new_name_1": "Telehealth platforms", "new_tier_1": "modern", "new_weight_1": "3",
            "new_aliases_1": "telehealth; video consultations", "new_name_2": ""}
    loaded = parse_upload(form_to_toml(form, base.id), "the form")
    assert loaded.name == "Our course" and loaded.extras == base.extras == "medical-office"
    assert [(s.id, s.tier, s.weight) for s in loaded.skills] == [
        ("ehr", "foundation", 4.0), ("hipaa", "modern", base.get("hipaa").weight),
        ("telehealth_platforms", "modern", 3.0)]
    assert loaded.get("ehr").aliases == base.get("ehr").aliases
    with pytest.raises(SkillSetError, match="weight must be a positive number"):
        form_to_toml({**form, "weight_ehr": "lots"}, base.id)
    with pytest.raises(SkillSetError, match="keep or add at least one skill"):
        form_to_toml({}, base.id)


def test_extras_come_with_the_sets_occupation() -> None:
    from models.analysis import Analyzer

    own = parse_upload(PHARMACY.read_text(encoding="utf-8"), "pharmacy.toml")
    assert own.extras == "general"
    extras = {e["id"] for e in Analyzer(own, use_market=False).analyze(POSTING)["extras"]}
    assert "spreadsheets" in extras and "phlebotomy" not in extras
    medical = Analyzer.for_skillset("medical-office-specialist").analyze(POSTING)
    assert "phlebotomy" in {e["id"] for e in medical["extras"]}
    with pytest.raises(SkillSetError, match="line 3: 'extras' names a catalogue"):
        parse_upload(small_set(extra='extras = "nursing"'), "mine.toml")


# --- Stored and resolved alike -----------------------------------------------------------------

def test_created_sets_have_unguessable_ids_and_immutable_versions(db_url: str) -> None:
    from worker import skillsets

    text = PHARMACY.read_text(encoding="utf-8")
    first = skillsets.create(db_url, text, "pharmacy.toml")
    other = skillsets.create(db_url, text, "pharmacy.toml")
    assert first.id != other.id and re.fullmatch(r"pharmacy-technician-[0-9a-f]{20}", first.id)
    assert (first.ref, first.version) == (f"{first.id}@1", "1")
    assert skillsets.pin(db_url, first.id) == first
    second = skillsets.create(db_url, text.replace("weight = 3", "weight = 4", 1), "v2.toml", add_to=first.id)
    assert second.version == "2" and second.analysis_version != first.analysis_version
    assert skillsets.pin(db_url, first.id) == second
    assert skillsets.load(db_url, first.ref).get("pharmacy_systems").weight == 3
    assert skillsets.load(db_url, first.id).get("pharmacy_systems").weight == 4
    assert skillsets.text_of(db_url, first.ref)[1] == text
    assert [v["version"] for v in skillsets.versions(db_url, first.id)] == ["1", "2"]
    unknown = first.id[:-1] + ("1" if first.id.endswith("0") else "0")
    for bad in ("/etc/passwd", "x.toml", unknown, "nope", f"{first.id}@9"):
        with pytest.raises(SkillSetError):
            skillsets.pin(db_url, bad)
    with pytest.raises(SkillSetError, match="built-in sets change with releases"):
        skillsets.create(db_url, text, "x.toml", add_to="medical-office-specialist")


def test_a_built_in_set_is_recorded_in_the_database(db_url: str) -> None:
    from sqlalchemy import select

    from worker import skillsets
    from worker.db import session_scope
    from worker.storage import SkillSetVersion

    pinned = skillsets.pin(db_url, "medical-office-manager")
    with session_scope(db_url) as s:
        versions = s.scalars(select(SkillSetVersion.version).where(
            SkillSetVersion.skillset_id == "medical-office-manager")).all()
    assert pinned.version in versions
    with pytest.raises(SkillSetError, match="older versions of built-in sets are not kept"):
        skillsets.pin(db_url, "medical-office-manager@1999.1")


@pytest.fixture
def app(db_url: str, tmp_path: Path):
    return make_app(db_url, tmp_path, WTF_CSRF_ENABLED=False)


def csv_batch(texts: list[str]) -> io.BytesIO:
    lines = ["id,title,description"] + [f"{i},Pharmacy Technician,\"{t}\"" for i, t in enumerate(texts)]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def test_api_creates_reads_and_uses_a_skill_set(app, client) -> None:
    text = PHARMACY.read_text(encoding="utf-8")
    r = client.post("/api/v1/skillsets", data=text, content_type="application/toml")
    assert r.status_code == 201, r.get_json()
    created = r.get_json()
    assert r.headers["Location"] == f"/api/v1/skillsets/{created['id']}"
    assert created["version"] == "1" and created["page_url"] == f"/skillsets/{created['id']}"
    got = client.get(r.headers["Location"]).get_json()
    assert got["name"] == "Pharmacy Technician" and len(got["skills"]) == 12 and got["builtin"] is False
    r = client.post("/api/v1/skillsets", content_type="multipart/form-data", data={
        "file": (io.BytesIO(b"skill,tier,weight,aliases\nWelding,modern,2,welding\n"), "welder.csv")})
    assert r.status_code == 201 and r.get_json()["id"].startswith("welder-")
    for body, ctype, code in [(b"id = ", "application/toml", "invalid_skillset"),
                              (b"{}", "application/json", "unsupported_media_type")]:
        r = client.post("/api/v1/skillsets", data=body, content_type=ctype)
        assert r.get_json()["error"]["code"] == code
    listed = client.get("/api/v1/skillsets").get_json()["skillsets"]
    assert {s["id"] for s in listed} == {"medical-office-specialist", "medical-office-manager"}
    assert client.get("/api/v1/skillsets/nope").status_code == 404
    # Used by a pasted posting: the record says which set and version.
    suffix = uuid.uuid4().hex
    r = client.post("/api/v1/analyses", json={"text": f"{POSTING} {suffix}", "skillset": created["id"]})
    assert r.status_code == 202
    drain(app, r.get_json()["id"])
    result = client.get(r.headers["Location"]).get_json()["result"]
    assert result["skillset"] == {"id": created["id"], "version": "1"}
    assert {"dispensing", "pharmacy_systems"} <= {s["id"] for s in result["skills"]}
    page = client.get(f"/analyses/{r.get_json()['id']}").get_data(as_text=True)
    assert f'href="/skillsets/{created["id"]}@1#skill-dispensing"' in page
    # And by a batch, recorded with its version; then the same rows against another set.
    r = client.post("/api/v1/batches", content_type="multipart/form-data", data={
        "file": (csv_batch([f"{POSTING} {suffix} {i}" for i in range(3)]), "jobs.csv"),
        "skillset": created["id"]})
    assert r.status_code == 202, r.get_json()
    batch_id = r.get_json()["id"]
    drain(app, batch_id)
    batch = client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert batch["status"] == "done" and batch["skillset"]["id"] == created["id"]
    assert batch["skillset"]["version"].startswith("1+engine")
    # Its export names the gaps from the stored set, in a process that has not read it yet.
    from models import skillset as skillset_module
    from worker import skillsets

    skillset_module._REMEMBERED.clear()
    skillsets._load_version.cache_clear()
    exported = client.get(f"/api/v1/batches/{batch_id}/results?format=csv").get_data(as_text=True)
    assert "Dispensing automation" in exported
    r = client.post(f"/api/v1/batches/{batch_id}/reanalyze", json={"skillset": "medical-office-specialist"})
    assert r.status_code == 202, r.get_json()
    again = r.get_json()
    assert again["id"] != batch_id and again["skillset"]["id"] == "medical-office-specialist"
    drain(app, again["id"])
    assert client.get(again["status_url"]).get_json()["done"] == 3
    assert client.post(f"/api/v1/batches/{batch_id}/reanalyze", json={"skillset": "nope"}).status_code == 422
    assert client.post("/api/v1/batches/nope/reanalyze", json={"skillset": created["id"]}).status_code == 404
    page = client.get(again["compare_url"]).get_data(as_text=True)
    assert "Two runs side by side" in page and "Demand-weighted coverage" in page


def test_api_adds_a_version_to_a_created_skill_set(app, client) -> None:
    """A created set gets its next version; the first stays readable by id@1 and new work
    uses the latest. Built-in sets, unknown ids and invalid files are refused."""
    text = PHARMACY.read_text(encoding="utf-8")
    created = client.post("/api/v1/skillsets", data=text, content_type="application/toml").get_json()
    sid = created["id"]
    changed = text.replace("weight = 3", "weight = 4", 1)
    r = client.post(f"/api/v1/skillsets/{sid}/versions", data=changed, content_type="application/toml")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["id"], body["version"]) == (sid, "2")
    assert r.headers["Location"] == body["url"] == f"/api/v1/skillsets/{sid}@2"
    latest = client.get(f"/api/v1/skillsets/{sid}").get_json()
    assert latest["version"] == "2" and latest["versions"] == ["1", "2"]
    weight = {s["id"]: s["weight"] for s in latest["skills"]}["pharmacy_systems"]
    first = client.get(f"/api/v1/skillsets/{sid}@1").get_json()
    assert (weight, {s["id"]: s["weight"] for s in first["skills"]}["pharmacy_systems"]) == (4, 3)
    # As a multipart file too (a CSV), which makes version 3.
    r = client.post(f"/api/v1/skillsets/{sid}/versions", content_type="multipart/form-data", data={
        "file": (io.BytesIO(b"skill,tier,weight,aliases\nWelding,modern,2,welding\n"), "welder.csv")})
    assert r.status_code == 201 and r.get_json()["version"] == "3"
    for path, body_text, status, code in [
        ("/api/v1/skillsets/medical-office-specialist/versions", text, 409, "builtin_skillset"),
        ("/api/v1/skillsets/nope-0123456789abcdef0123/versions", text, 404, "not_found"),
        (f"/api/v1/skillsets/{sid}@1/versions", text, 404, "not_found"),
        (f"/api/v1/skillsets/{sid}/versions", "id = ", 422, "invalid_skillset"),
    ]:
        r = client.post(path, data=body_text, content_type="application/toml")
        assert (r.status_code, r.get_json()["error"]["code"]) == (status, code), path
    assert client.get(f"/api/v1/skillsets/{sid}").get_json()["versions"] == ["1", "2", "3"]


def test_compare_with_the_market() -> None:
    from worker.compare import compare, side_by_side

    own = parse_upload(PHARMACY.read_text(encoding="utf-8"), "pharmacy.toml")
    report = {"compared": 10, "skills": [
        {"id": "dispensing", "name": "Dispensing", "tier": "foundation", "count": 8, "share": 0.8,
         "requirement": {"required": 6, "preferred": 2}},
        {"id": "automation", "name": "Automation", "tier": "modern", "count": 0, "share": 0.0, "requirement": {}},
    ], "extras": [{"id": "spreadsheets", "name": "Spreadsheets", "count": 4, "share": 0.4},
                  {"id": "cloud", "name": "Cloud", "count": 0, "share": 0.02}]}
    market = {"skills": [{"id": "ehr", "name": "EHR", "count": 2, "share": 0.2}], "extras": []}
    result = compare(report, own, market)
    rows = {r["id"]: r for r in result["skills"]}
    assert rows["dispensing"]["covered"] and rows["dispensing"]["required"] == pytest.approx(0.6)
    assert [r["id"] for r in result["lacking"]] == ["spreadsheets", "ehr"]
    assert "automation" in {r["id"] for r in result["rarely_asked"]}
    assert len(result["rarely_asked"]) == len(own.skills) - 1
    assert result["weighted_coverage"] == pytest.approx(0.8 / (0.8 + 0.4 + 0.2 + 0.02), abs=1e-4)
    both = side_by_side(result, compare(market, load_skillset("medical-office-specialist")))
    assert both[0]["id"] == "dispensing" and both[0]["runs"][1] is None


def test_pages_list_show_create_and_download(app, client) -> None:
    page = client.get("/skillsets").get_data(as_text=True)
    assert "Medical Office Specialist" in page and 'action="/skillsets"' in page
    page = client.get("/skillsets/medical-office-specialist").get_data(as_text=True)
    assert "How To Become a Medical Office Specialist" in page
    assert "O*NET 43-6013.00 Technology Skills: Medical software" in page
    assert "ESCO “use customer relationship management software”" in page
    assert "<summary>Aliases (" in page and "applies everywhere" in page
    assert ('No gap where a posting asks for <a href="#skill-cmaa">Certified Medical Administrative Assistant</a>'
            in page)
    r = client.post("/skillsets", content_type="multipart/form-data", data={
        "file": (io.BytesIO(b"skill,tier,weight,aliases\nWelding,modern,x,weld\n"), "w.csv")})
    assert r.status_code == 422 and "w.csv, line 2: weight must be a positive number" in r.get_data(as_text=True)
    r = client.post("/skillsets", data={"base": "medical-office-specialist", "name": "Course A",
                                        "keep_ehr": "1", "tier_ehr": "modern", "weight_ehr": "5"})
    assert r.status_code == 303
    sid = r.headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/skillsets/{sid}").get_data(as_text=True)
    assert "Course A" in page and "weight 5" in page and "Created by a user" in page
    # The browser that made it is offered it in the Analyse form.
    assert f'value="{sid}@1"' in client.get(f"/?skillset={sid}").get_data(as_text=True) or \
        f'<option value="{sid}"' in client.get("/").get_data(as_text=True)
    r = client.get(f"/skillsets/{sid}/download")
    assert r.headers["Content-Disposition"].startswith("attachment") and b'base = "medical-office-specialist"' in r.data
    assert client.get("/skillsets/nope").status_code == 404


def test_migration_0006_adds_and_drops_the_skill_set_tables(empty_db_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from worker import db

    db.upgrade(empty_db_url, "0006")
    assert {"skillsets", "skillset_versions"} <= set(inspect(db.get_engine(empty_db_url)).get_table_names())
    command.downgrade(db.alembic_config(empty_db_url), "0005")
    assert not {"skillsets", "skillset_versions"} & set(inspect(db.get_engine(empty_db_url)).get_table_names())
