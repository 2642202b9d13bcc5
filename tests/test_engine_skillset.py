"""Skill sets: the built-in data against the reference contract, and user files.

The contract (``../shared/skillsets/medical-office-specialist.md``) may be absent on a
user's machine, so its table is hard-coded here; when the file is present a further
test checks that this copy has not drifted from it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from models.analysis import Analyzer
from models.skillset import (
    ENGINE_VERSION,
    SkillSetError,
    analysis_version,
    builtin_ids,
    builtin_skillsets,
    load_skillset,
)
from models.skillset_file import parse_skillset

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_MD = ROOT.parent / "shared" / "skillsets" / "medical-office-specialist.md"

# id -> (name, category, tier), exactly as the contract table gives them.
CONTRACT = {
    "ehr": ("Electronic health records (EHR/EMR)", "technology", "modern"),
    "practice_management": ("Practice-management / scheduling software", "technology", "modern"),
    "crm": ("CRM software", "technology", "modern"),
    "database_management": ("Database management", "technology", "modern"),
    "office_software": ("Office and general software applications", "technology", "modern"),
    "data_entry": ("Data entry", "technology", "foundation"),
    "typing": ("Typing / keyboarding", "technology", "foundation"),
    "medical_billing": ("Medical billing (electronic claims)", "billing_coding", "modern"),
    "medical_coding": ("Medical coding", "billing_coding", "modern"),
    "insurance_verification": (
        "Insurance verification and authorizations", "billing_coding", "foundation"),
    "hipaa": ("HIPAA and patient privacy", "compliance", "modern"),
    "medical_law_ethics": (
        "Medical law, ethics and regulatory compliance", "compliance", "modern"),
    "medical_terminology": ("Medical terminology", "medical_knowledge", "foundation"),
    "anatomy": ("Anatomy and physiology", "medical_knowledge", "foundation"),
    "scheduling": ("Appointment scheduling", "office_procedures", "foundation"),
    "front_desk": ("Front desk and patient reception", "office_procedures", "foundation"),
    "medical_records": ("Medical records management", "office_procedures", "foundation"),
    "medical_documentation": (
        "Medical correspondence, reports and transcription", "office_procedures", "foundation"),
    "communication": ("Communication and interpersonal skills", "people", "modern"),
    "customer_service": ("Customer / patient service", "people", "modern"),
    "ma_certification": (
        "Medical assistant certification (CMA or equivalent)", "credentials", "foundation"),
    "cmaa": ("Certified Medical Administrative Assistant", "credentials", "foundation"),
    "coding_certification": (
        "Billing/coding or health-information certification", "credentials", "modern"),
}


@pytest.fixture(scope="module")
def specialist():
    return load_skillset("medical-office-specialist")


@pytest.fixture(scope="module")
def manager():
    return load_skillset("medical-office-manager")


# --- built-in skill sets against the contract -------------------------------------------


def test_contract_has_23_ids():
    assert len(CONTRACT) == 23


def test_every_contract_id_is_in_the_specialist_set(specialist):
    missing = sorted(set(CONTRACT) - set(specialist.ids))
    assert missing == []


def test_default_skillset_is_the_specialist(specialist):
    assert load_skillset() is specialist
    assert load_skillset(None).id == "medical-office-specialist"
    assert specialist.name == "Medical Office Specialist"


@pytest.mark.parametrize("sid", sorted(CONTRACT))
def test_contract_tier_and_category(specialist, sid):
    name, category, tier = CONTRACT[sid]
    skill = specialist.get(sid)
    assert skill is not None
    assert (skill.category, skill.tier) == (category, tier)
    assert skill.name == name
    assert skill.weight > 0
    assert skill.aliases, f"{sid} has no aliases"


def test_modern_skills_weigh_at_least_as_much_as_foundation_on_average(specialist):
    modern = [s.weight for s in specialist.skills if s.tier == "modern"]
    foundation = [s.weight for s in specialist.skills if s.tier == "foundation"]
    assert len(modern) == 12 and len(foundation) == 11
    assert sum(modern) / len(modern) > sum(foundation) / len(foundation)


def test_specialist_ids_are_unique(specialist):
    assert len(specialist.ids) == len(set(specialist.ids))


ROW_RE = re.compile(r"^\|\s*`([a-z_]+)`\s*\|\s*([^|]+?)\s*\|\s*([a-z_]+)\s*\|\s*([a-z]+)\s*\|")


def test_contract_copy_matches_shared_contract_when_present():
    if not CONTRACT_MD.exists():
        pytest.skip(f"{CONTRACT_MD} is absent")
    rows = {}
    for line in CONTRACT_MD.read_text(encoding="utf-8").splitlines():
        m = ROW_RE.match(line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3), m.group(4))
    assert rows == CONTRACT


def test_builtin_ids():
    ids = builtin_ids()
    assert {"medical-office-specialist", "medical-office-manager"} <= set(ids)
    assert "extra-skills" not in ids and "extras" not in ids
    assert ids == sorted(ids)
    assert [s.id for s in builtin_skillsets()] == ids


def test_pay_table_present(specialist, manager):
    assert isinstance(specialist.pay, dict) and specialist.pay
    assert isinstance(manager.pay, dict) and manager.pay


# --- the manager skill set ----------------------------------------------------------------


def test_manager_loads_and_differs(specialist, manager):
    assert manager.id == "medical-office-manager"
    assert manager.name == "Medical Office Manager"
    assert manager is not specialist
    assert set(manager.ids) != set(specialist.ids)
    # Management skills the specialist set does not hold.
    assert {"supervision", "bookkeeping", "revenue_cycle"} <= set(manager.ids)
    assert not {"supervision", "bookkeeping", "revenue_cycle"} & set(specialist.ids)
    # Hands-on specialist skills the manager set leaves out.
    assert "typing" not in manager.ids and "ma_certification" not in manager.ids
    assert len(manager.ids) == len(set(manager.ids))


def test_manager_inherits_and_overrides(specialist, manager):
    # Inherited from the specialist set, weight overridden, aliases kept.
    ehr_s, ehr_m = specialist.get("ehr"), manager.get("ehr")
    assert ehr_m.weight == 2.5 and ehr_s.weight == 3
    assert ehr_m.aliases == ehr_s.aliases
    assert ehr_m.tier == ehr_s.tier == "modern"
    assert manager.get("front_desk").weight == 1 < specialist.get("front_desk").weight
    # Taken from the extras catalogue and promoted to a modern skill.
    supervision = manager.get("supervision")
    assert supervision.tier == "modern" and supervision.weight == 3
    assert supervision.name == "Supervising and managing staff"
    # Name overridden.
    assert manager.get("bookkeeping").name == "Budgeting and office finances"


def test_manager_counts_supervision_as_a_skill_not_an_extra():
    text = "Supervise a team of front desk staff and manage the office budget."
    spec = Analyzer.for_skillset("medical-office-specialist").analyze(text)
    mgr = Analyzer.for_skillset("medical-office-manager").analyze(text)
    assert "supervision" in {e["id"] for e in spec["extras"]}
    assert "supervision" not in {s["id"] for s in spec["skills"]}
    assert "supervision" in {s["id"] for s in mgr["skills"]}
    assert "supervision" not in {e["id"] for e in mgr["extras"]}
    assert mgr["skillset"]["id"] == "medical-office-manager"


# --- user skill-set files -----------------------------------------------------------------

HEAD = 'id = "mine"\nname = "My skill set"\nversion = "3"\n\n'


def skill(sid: str, *, tier: str = "modern", aliases: str = '["forklift"]', extra: str = "") -> str:
    return (
        f'[[skills]]\nid = "{sid}"\nname = "Skill {sid}"\ncategory = "ops"\ntier = "{tier}"\n'
        f"aliases = {aliases}\n{extra}\n"
    )


def write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(SkillSetError) as info:
        load_skillset(str(path))
    message = str(info.value)
    assert "Traceback" not in message
    return message


def id_line(text: str, sid: str, occurrence: int = 1) -> int:
    """The line of the ``occurrence``-th ``id = "<sid>"`` in a TOML text."""
    return line_of(text, 'id = "' + sid + '"', occurrence)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    pos = -1
    for _ in range(occurrence):
        pos = text.index(needle, pos + 1)
    return text.count("\n", 0, pos) + 1


def test_skillset_error_is_a_value_error():
    assert issubclass(SkillSetError, ValueError)


def test_bad_toml_syntax_names_file_and_line(tmp_path):
    text = HEAD + '[[skills]]\nid = "a"\nname = "unterminated\ncategory = "ops"\n'
    path = write(tmp_path, text)
    message = load_error(path)
    assert str(path) in message
    assert "line 7" in message  # the unterminated string


def test_missing_name(tmp_path):
    path = write(tmp_path, 'id = "mine"\n\n' + skill("a"))
    message = load_error(path)
    assert str(path) in message
    assert "line 1" in message
    assert "'name'" in message


def test_bad_tier_names_the_skill_and_its_line(tmp_path):
    text = HEAD + skill("a") + skill("b", tier="expert", aliases='["pallets"]')
    path = write(tmp_path, text)
    message = load_error(path)
    assert str(path) in message
    assert f"line {id_line(text, 'b')}" in message
    assert "'b'" in message
    assert "expert" in message and "foundation" in message and "modern" in message


def test_duplicate_id(tmp_path):
    text = HEAD + skill("a") + skill("a", aliases='["pallets"]')
    path = write(tmp_path, text)
    message = load_error(path)
    assert str(path) in message
    assert "duplicate" in message
    assert f"line {id_line(text, 'a', 2)}" in message


@pytest.mark.parametrize("aliases", ["[]", '["   "]', '[""]'])
def test_empty_aliases(tmp_path, aliases):
    text = HEAD + skill("a", aliases=aliases)
    path = write(tmp_path, text)
    message = load_error(path)
    assert str(path) in message
    assert f"line {id_line(text, 'a')}" in message
    assert "alias" in message


def test_bad_regex_pattern(tmp_path):
    text = HEAD + skill("a", aliases='["forklift", { pattern = "(unclosed" }]')
    path = write(tmp_path, text)
    message = load_error(path)
    assert str(path) in message
    assert f"line {id_line(text, 'a')}" in message
    assert "(unclosed" in message and "pattern" in message


def test_unknown_key(tmp_path):
    text = HEAD + skill("a", extra='colour = "red"')
    path = write(tmp_path, text)
    message = load_error(path)
    assert str(path) in message
    assert f"line {id_line(text, 'a')}" in message
    assert "colour" in message


def test_unknown_alias_key(tmp_path):
    text = HEAD + skill("a", aliases='[{ phrase = "forklift", nearby = ["truck"] }]')
    message = load_error(write(tmp_path, text))
    assert "nearby" in message


@pytest.mark.parametrize(("alias", "key"), [
    ('{ phrase = "forklift", needs = ["fork"] }', "needs"),  # needs is for patterns
    ('{ pattern = "fork\\\\w+", needs = "fork" }', "needs"),  # not a list
    ('{ pattern = "fork\\\\w+", needs = [""] }', "needs"),  # empty text
    ('{ pattern = "fork\\\\w+", unless = ["pallet"] }', "unless"),  # unless is for phrases
    ('{ pattern = "fork\\\\w+", near = ["truck"] }', "near"),  # so is near: a pattern says it itself
    ('{ phrase = "forklift", unless = "pallet" }', "unless"),  # not a list
    ('{ phrase = "forklift", unless = [""] }', "unless"),  # empty text
    ('{ phrase = "forklift", alone = "no" }', "alone"),  # not true or false
])
def test_bad_needs_or_unless(tmp_path, alias, key):
    message = load_error(write(tmp_path, HEAD + skill("a", aliases=f"[{alias}]")))
    assert key in message


def test_asked_and_needs_load(tmp_path):
    aliases = '[{ phrase = "forklift", asked = true }, { pattern = "\\\\d+ tonnes", needs = ["TONNE"] }]'
    text = HEAD + skill("a", aliases=aliases)
    skillset = load_skillset(str(write(tmp_path, text)))
    first, second = skillset.skills[0].aliases
    assert first.asked and not second.asked
    assert second.needs == ("tonne",)
    assert first.alone and second.alone  # by default a wording makes its skill by itself


def test_alone_false_loads(tmp_path):
    aliases = '[{ phrase = "forklift", alone = false }, { pattern = "\\\\d+ tonnes", alone = false }, "pallet truck"]'
    skillset = load_skillset(str(write(tmp_path, HEAD + skill("a", aliases=aliases))))
    assert [a.alone for a in skillset.skills[0].aliases] == [False, False, True]


def test_bad_id(tmp_path):
    text = HEAD + skill("Bad-Id")
    path = write(tmp_path, text)
    message = load_error(path)
    assert str(path) in message and "'id'" in message


def test_no_skills(tmp_path):
    path = write(tmp_path, HEAD)
    message = load_error(path)
    assert str(path) in message and "skills" in message


def test_nonexistent_path(tmp_path):
    path = tmp_path / "nowhere" / "missing.toml"
    message = load_error(path)
    assert str(path) in message
    assert "no such" in message


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes((HEAD + skill("a", aliases='["caf\u00e9"]')).encode("latin-1"))
    message = load_error(path)
    assert str(path) in message and "cannot be read" in message


def test_unknown_builtin_id_lists_the_builtins():
    with pytest.raises(SkillSetError) as info:
        load_skillset("no-such-occupation")
    message = str(info.value)
    assert "no-such-occupation" in message
    assert "medical-office-specialist" in message and "medical-office-manager" in message


def test_parse_skillset_uses_source_name():
    with pytest.raises(SkillSetError, match=r"^inline\.toml"):
        parse_skillset('id = "x"\n', "inline.toml")


def test_error_line_is_the_skills_own_line_when_an_alias_repeats_its_id(tmp_path):
    text = (
        HEAD
        + '[[skills]]\nid = "front"\nname = "Front desk"\ncategory = "office"\n'
        + 'aliases = ["reception", "billing"]\n\n'
        + '[[skills]]\nid = "billing"\nname = "Billing"\ncategory = "money"\ntier = "expert"\n'
        + 'aliases = ["claims"]\n'
    )
    path = write(tmp_path, text)
    message = load_error(path)
    assert f"line {id_line(text, 'billing')} " in message


# --- a valid user file in the analyzer --------------------------------------------------

VALID = HEAD + (
    '[[skills]]\nid = "forklift"\nname = "Forklift driving"\ncategory = "warehouse"\n'
    'tier = "modern"\nweight = 3\nwhy = "Pallets move by forklift."\n'
    'aliases = ["forklift", "fork-lift truck", { phrase = "FLT", case = true }]\n\n'
    '[[skills]]\nid = "stock_rotation"\nname = "Stock rotation"\ncategory = "warehouse"\n'
    'tier = "foundation"\naliases = ["stock rotation", "FIFO"]\n'
)


def test_valid_user_file_loads(tmp_path):
    path = write(tmp_path, VALID)
    skillset = load_skillset(str(path))
    assert skillset.id == "mine" and skillset.name == "My skill set" and skillset.version == "3"
    assert skillset.ids == ["forklift", "stock_rotation"]
    forklift = skillset.get("forklift")
    assert forklift.weight == 3.0 and forklift.tier == "modern"
    assert forklift.line == id_line(VALID, "forklift") == 6
    assert skillset.get("stock_rotation").weight == 1.0  # foundation default
    assert skillset.source == str(path)


def test_valid_user_file_via_path_in_analyzer(tmp_path):
    path = write(tmp_path, VALID)
    analyzer = Analyzer.for_skillset(str(path))
    assert analyzer.skillset.id == "mine"
    assert Analyzer.for_skillset(str(path)) is analyzer
    record = analyzer.analyze("Warehouse operative. You must hold an FLT licence.", id="w1")
    assert record["error"] is None
    assert record["skillset"] == {"id": "mine", "version": "3"}
    assert [s["id"] for s in record["skills"]] == ["forklift"]
    assert record["skills"][0]["requirement"] == "required"
    assert [g["id"] for g in record["gaps"]] == ["stock_rotation"]
    assert record["score"] == 75.0  # weight 3 of 4
    # Case-sensitive alias: "flt" in lower case is not the skill.
    assert analyzer.analyze("The flt ran late.")["skills"] == []


def test_user_file_with_a_relative_path(tmp_path, monkeypatch):
    write(tmp_path, VALID)
    monkeypatch.chdir(tmp_path)
    assert Analyzer.for_skillset("mine.toml").skillset.id == "mine"


def test_user_file_based_on_a_builtin(tmp_path):
    text = (
        'id = "my-office"\nname = "My office"\nbase = "medical-office-specialist"\n\n'
        '[[skills]]\nid = "ehr"\nweight = 5\n\n'
        '[[skills]]\nid = "phlebotomy"\ntier = "modern"\n'
    )
    skillset = load_skillset(str(write(tmp_path, text, "based.toml")))
    assert skillset.ids == ["ehr", "phlebotomy"]
    assert skillset.get("ehr").weight == 5
    assert skillset.get("ehr").aliases == load_skillset().get("ehr").aliases
    assert skillset.get("phlebotomy").category == "clinical"
    record = Analyzer.for_skillset(str(tmp_path / "based.toml")).analyze(
        "Draw blood and update Epic.")
    assert {s["id"] for s in record["skills"]} == {"ehr", "phlebotomy"}
    assert record["extras"] == []


def test_edited_user_file_is_read_again(tmp_path):
    path = write(tmp_path, VALID)
    first = load_skillset(str(path))
    path.write_text(VALID.replace('name = "My skill set"', 'name = "Renamed"'), encoding="utf-8")
    mtime = os.path.getmtime(path) + 10
    os.utime(path, (mtime, mtime))
    second = load_skillset(str(path))
    assert first.name == "My skill set" and second.name == "Renamed"


def test_stored_analyses_are_kept_under_the_releases_of_engine_and_skill_set(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A new release of the engine or of the skill set makes analyses again; nothing else does."""
    from models import skillset as module

    builtin = load_skillset("medical-office-specialist")
    version = analysis_version(builtin)
    assert version == f"{builtin.version}+engine{ENGINE_VERSION}" and len(version) <= 64
    assert Analyzer.for_skillset().version == version
    text = (ROOT / "models" / "data" / "medical-office-specialist.toml").read_text(encoding="utf-8")
    commented = parse_skillset("# A new comment.\n" + text, "medical-office-specialist.toml", builtin=True)
    assert analysis_version(commented) == version
    bumped = parse_skillset(text.replace(f'version = "{builtin.version}"', 'version = "2099.1.1"', 1),
                            "medical-office-specialist.toml", builtin=True)
    assert analysis_version(bumped) == f"2099.1.1+engine{ENGINE_VERSION}" != version
    monkeypatch.setattr(module, "ENGINE_VERSION", ENGINE_VERSION + 1)
    assert analysis_version(builtin) != version


def test_a_comment_in_the_engine_code_keeps_the_analysis_version(tmp_path: Path) -> None:
    """The version is read from the releases, not from a digest of the source."""
    import shutil
    import subprocess
    import sys

    copy = tmp_path / "models"
    shutil.copytree(ROOT / "models", copy, ignore=shutil.ignore_patterns("__pycache__"))
    with open(copy / "scoring.py", "a", encoding="utf-8") as f:
        f.write("\n# A comment-only change.\n")
    script = "from models.skillset import analysis_version, load_skillset; print(analysis_version(load_skillset()))"
    versions = {
        subprocess.run([sys.executable, "-c", script], cwd=where, capture_output=True, text=True,
                       check=True, env={**os.environ, "PYTHONPATH": str(where)}).stdout
        for where in (ROOT, tmp_path)
    }
    assert len(versions) == 1 and versions.pop().strip() == analysis_version(load_skillset())


def test_a_user_file_has_no_release_so_its_data_is_in_its_version(tmp_path: Path) -> None:
    text = (ROOT / "models" / "data" / "medical-office-specialist.toml").read_text(encoding="utf-8")
    copy = parse_skillset(text, "copy.toml")
    version = analysis_version(copy)
    builtin = analysis_version(load_skillset())
    assert version.startswith(builtin + ".") and len(version) <= 64
    assert analysis_version(parse_skillset("# Mine.\n" + text, "copy.toml")) == version
    edited = parse_skillset(text.replace('"audio typing"', '"audio-typing work"', 1), "edited.toml")
    assert edited.version == copy.version and analysis_version(edited) != version


def test_a_long_declared_version_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace('version = "3"', 'version = "' + "9" * 30 + '"'))
    with pytest.raises(SkillSetError, match=r"line \d+: 'version' must be a short string"):
        load_skillset(str(path))


# --- skills that stand for each other ------------------------------------------------


def test_a_credential_that_stands_for_another_leaves_no_gap():
    """A posting that asks for the CMAA is not told it lacks the CMA, nor the other way."""
    analyzer = Analyzer.for_skillset()
    for asked, other in (("CMAA", "ma_certification"), ("CMA", "cmaa")):
        record = analyzer.analyze(f"Medical Office Assistant\nRequirements\n- {asked} certification required")
        gaps = [g["id"] for g in record["gaps"]]
        assert other not in gaps and other not in {s["id"] for s in record["skills"]}
    record = analyzer.analyze("Medical Office Assistant\nRequirements\n- Schedules appointments")
    assert {"cmaa", "ma_certification"} <= {g["id"] for g in record["gaps"]}
    skill = load_skillset().get("ma_certification")
    assert skill is not None and skill.alternatives == ("cmaa",)
    assert next(s for s in load_skillset().to_json()["skills"] if s["id"] == "cmaa")["alternatives"] == [
        "ma_certification"]


ALT_HEAD = 'id = "mine"\nname = "Mine"\nversion = "1"\n\n'


def alt_skill(sid: str, extra: str = "") -> str:
    return f'[[skills]]\nid = "{sid}"\nname = "{sid}"\ncategory = "ops"\naliases = ["{sid}"]\n{extra}\n'


@pytest.mark.parametrize(("extra", "message"), [
    ('alternatives = ["crane"]\n', r"line 10 \(skill 1 'forklift'\): 'alternatives' names no skill of the set: crane"),
    ('alternatives = ["forklift"]\n', r"line 10 .*'alternatives' must be a list of the ids of other skills"),
    ('alternatives = "hoist"\n', r"line 10 .*'alternatives' must be a list"),
])
def test_bad_alternatives_name_the_line(extra, message):
    with pytest.raises(SkillSetError, match=message):
        parse_skillset(ALT_HEAD + alt_skill("forklift", extra) + alt_skill("hoist"), "mine.toml")


def test_a_skill_taken_from_a_base_keeps_only_the_alternatives_its_new_set_holds():
    text = ('id = "mine"\nname = "Mine"\nversion = "1"\nbase = "medical-office-specialist"\n\n'
            '[[skills]]\nid = "cmaa"\n\n[[skills]]\nid = "scheduling"\n')
    assert parse_skillset(text, "mine.toml").get("cmaa").alternatives == ()  # type: ignore[union-attr]
    both = text + '\n[[skills]]\nid = "ma_certification"\n'
    assert parse_skillset(both, "mine.toml").get("cmaa").alternatives == ("ma_certification",)  # type: ignore[union-attr]
