"""``analyze`` and ``skillsets`` on the command line (click), plus one real subprocess run."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from web.analyze_cli import CSV_COLUMNS, csv_row, register
from worker.export import safe_cell

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SECRETARY = str(EXAMPLES / "medical-secretary.html")
POSTINGS_CSV = EXAMPLES / "postings.csv"

RECORD_KEYS = {"id", "title", "skills", "score", "coverage", "gaps", "extras", "error"}
# A skill found names its skill by id: the name, category and tier are the skill set's.
SKILL_KEYS = {"id", "requirement", "evidence"}
EXTRA_KEYS = {"id", "name", "category", "tier", "requirement", "evidence"}
EVIDENCE_KEYS = {"text", "start", "end"}


@pytest.fixture(scope="module")
def group() -> click.Group:
    @click.group()
    def skillgap() -> None:
        """A stand-in for the skillgap group."""

    register(skillgap)
    return skillgap


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2: keep stderr apart
    except TypeError:
        return CliRunner()  # click >= 8.2: stdout and stderr are always apart


@pytest.fixture(scope="module", autouse=True)
def _analyzer_built_once():
    from models.analysis import Analyzer

    Analyzer.for_skillset()


def run(runner: CliRunner, group: click.Group, *args: str, input: bytes | str | None = None):
    """Invoke a command; parse ``result.stdout`` (``result.output`` also holds stderr)."""
    return runner.invoke(group, list(args), input=input, catch_exceptions=True)


def assert_clean_failure(result) -> str:
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.output


def check_record_shape(record: dict) -> None:
    assert RECORD_KEYS <= set(record), set(record)
    for skill in record["skills"]:
        assert set(skill) == SKILL_KEYS, skill
        assert skill["requirement"] in ("required", "preferred", "unspecified")
        assert skill["evidence"]
        for e in skill["evidence"]:
            assert EVIDENCE_KEYS <= set(e), e
            assert isinstance(e["start"], int) and isinstance(e["end"], int)
            assert e["end"] - e["start"] == len(e["text"])
    for extra in record["extras"]:
        assert EXTRA_KEYS <= set(extra), extra
    for gap in record["gaps"]:
        assert set(gap) <= {"id", "similar_share"} and "id" in gap
    if record["error"] is None:
        assert 0 <= record["score"] <= 100
        assert set(record["coverage"]) == {"tier", "category"}
    else:
        assert record["skills"] == [] and record["score"] is None


# --- analyze: output formats ---------------------------------------------------------------


def test_register_adds_both_commands(group):
    assert {"analyze", "skillsets"} <= set(group.commands)


def test_analyze_html_json(runner, group):
    result = run(runner, group, "analyze", SECRETARY, "--format", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert isinstance(records, list) and len(records) == 1
    record = records[0]
    check_record_shape(record)
    assert record["title"] == "Medical Secretary"
    assert record["id"] == "medical-secretary.html"
    assert record["error"] is None
    ids = {s["id"] for s in record["skills"]}
    assert {"ehr", "typing", "medical_documentation", "communication"} <= ids
    assert record["skillset"]["id"] == "medical-office-specialist"


def test_analyze_json_of_several_files_is_one_array(runner, group, tmp_path):
    second = tmp_path / "second.txt"
    second.write_text("Answer phones and book appointments.", encoding="utf-8")
    result = run(runner, group, "analyze", SECRETARY, str(second), "--format", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert [r["id"] for r in records] == ["medical-secretary.html", "second.txt"]


def test_analyze_html_jsonl(runner, group):
    result = run(runner, group, "analyze", SECRETARY, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    check_record_shape(record)
    assert record["title"] == "Medical Secretary"


def test_analyze_html_csv(runner, group):
    result = run(runner, group, "analyze", SECRETARY, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.stdout.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == "medical-secretary.html"
    assert row["title"] == "Medical Secretary"
    assert row["error"] == ""
    skills = row["skills"].split(";")
    assert "ehr" in skills and "typing" in skills
    assert set(row["required"].split(";")) <= set(skills)
    assert not set(row["gaps"].split(";")) & set(skills)
    assert 0 < float(row["score"]) <= 100
    assert 0 <= float(row["modern_share"]) <= 1


def test_analyze_html_table(runner, group):
    result = run(runner, group, "analyze", SECRETARY)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("medical-secretary.html - Medical Secretary\n")
    assert "alignment score:" in out and "/100" in out
    assert "skills asked for:" in out and '"SystmOne"' in out
    assert "gaps (most asked by similar postings first):" in out


def test_analyze_table_stays_aligned_on_long_skill_ids(runner, group, tmp_path):
    """A skill set's own id longer than the column is written whole on a line of its own;
    the tier and level columns of every row stay where they are."""
    toml = (EXAMPLES / "skillsets" / "pharmacy-technician.toml").read_text(encoding="utf-8")
    long = "dispensing_and_prescription_processing"
    skillset = tmp_path / "pharmacy.toml"
    skillset.write_text(toml.replace('id = "dispensing"', f'id = "{long}"', 1), encoding="utf-8")
    posting = tmp_path / "posting.txt"
    posting.write_text("Pharmacy Technician\nYou will dispense medication and fill prescriptions, "
                       "and do dosage calculations.\n", encoding="utf-8")
    result = run(runner, group, "analyze", str(posting), "--skillset", str(skillset))
    assert result.exit_code == 0, result.output
    lines = result.stdout.split("skills asked for:\n")[1].split("  gaps")[0].splitlines()
    assert f"    {long}" in lines
    rows = [line for line in lines if re.search(r" (foundation|modern) ", line)]
    assert len(rows) >= 2
    assert {re.search(r" (foundation|modern) ", line).start() for line in rows} == {4 + 24}  # type: ignore[union-attr]


def test_csv_cells_are_formula_safe(runner, group, tmp_path):
    src = tmp_path / "evil.csv"
    src.write_text(
        'id,title,company,description\n'
        '"=1+1","=HYPERLINK(""http://x"")","@Acme","Book appointments and answer phones."\n'
        '"-2","+Clerk","Plain","Data entry."\n',
        encoding="utf-8",
    )
    result = run(runner, group, "analyze", str(src), "--format", "csv", "--no-progress")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["title"] for r in rows] == ["'=HYPERLINK(\"http://x\")", "'+Clerk"]
    # A plain number is no formula and stays as it is, as in a batch's export.
    assert [r["id"] for r in rows] == ["'=1+1", "-2"]
    assert rows[0]["company"] == "'@Acme" and rows[1]["company"] == "Plain"
    assert "scheduling" in rows[0]["skills"]


def test_safe_cell_and_csv_row():
    assert safe_cell("=SUM(A1)") == "'=SUM(A1)"
    assert safe_cell("\tx") == "'\tx"
    assert safe_cell("Clerk") == "Clerk"
    assert safe_cell(42.5) == "42.5" and safe_cell(None) == "" and safe_cell("-3") == "-3"
    row = csv_row({"id": "x", "title": None, "skills": [], "gaps": [], "error": "bad"})
    assert set(row) == set(CSV_COLUMNS)
    assert row["error"] == "bad" and row["skills"] == "" and row["modern_share"] is None


# --- analyze: inputs -----------------------------------------------------------------------


def test_stdin(runner, group):
    result = run(runner, group, "analyze", "-", "--format", "jsonl",
                 input=b"Schedule appointments using Epic.")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["id"] == "stdin"
    assert {s["id"] for s in record["skills"]} == {"ehr", "scheduling"}


def test_stdin_cp1252_and_html(runner, group):
    data = "<p>Caf\u00e9 receptionist \u2013 greet patients.</p>".encode("cp1252")
    result = run(runner, group, "analyze", "-", "--format", "json", input=data)
    assert result.exit_code == 0, result.output
    (record,) = json.loads(result.stdout)
    assert "front_desk" in {s["id"] for s in record["skills"]}


def test_stdin_empty_and_binary(runner, group):
    result = run(runner, group, "analyze", "-", "--format", "jsonl", input=b"  \n")
    # The record says why; the exit code says that nothing was analysed.
    assert result.exit_code == 1
    assert "empty" in json.loads(result.stdout)["error"]
    result = run(runner, group, "analyze", "-", input=b"\x00\x01\x02" * 100)
    message = assert_clean_failure(result)
    assert "standard input" in message and "binary" in message


def test_csv_with_a_broken_row(runner, group, tmp_path):
    src = tmp_path / "batch.csv"
    src.write_bytes(
        b"id,title,description\n"
        b"a,Receptionist,Greet patients at the front desk.\n"
        b"b,Broken,\n"
        b'c,Huge,"' + b"x" * 2_000_010 + b'"\n'
        b"d,Coder,Assign ICD-10 codes.\n"
    )
    result = run(runner, group, "analyze", str(src), "--format", "jsonl", "--no-progress")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["a", "b", "3", "d"]
    for r in records:
        check_record_shape(r)
    assert records[0]["error"] is None and records[3]["error"] is None
    assert "front_desk" in {s["id"] for s in records[0]["skills"]}
    assert "medical_coding" in {s["id"] for s in records[3]["skills"]}
    assert "empty" in records[1]["error"]
    assert "row 3" in records[2]["error"]


def test_jsonl_with_a_broken_line(runner, group, tmp_path):
    src = tmp_path / "batch.jsonl"
    src.write_text(
        '{"id": "a", "text": "Greet patients at the front desk."}\n'
        '{"id": "b", "text": \n'
        '{"id": "c", "description": "Assign ICD-10 codes."}\n',
        encoding="utf-8",
    )
    result = run(runner, group, "analyze", str(src), "--format", "csv", "--no-progress")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == ["a", "2", "c"]
    assert rows[1]["error"].startswith("line 2:") and rows[1]["skills"] == ""
    assert rows[0]["error"] == rows[2]["error"] == ""


def test_text_column_option(runner, group, tmp_path):
    src = tmp_path / "ads.csv"
    src.write_text("ref,advert\nr1,Answer phones and book appointments.\n", encoding="utf-8")
    result = run(runner, group, "analyze", str(src), "--format", "jsonl")
    message = assert_clean_failure(result)
    assert "no description column" in message and "ref, advert" in message
    result = run(runner, group, "analyze", str(src), "--format", "jsonl", "--text-column", "advert")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["id"] == "r1" and "scheduling" in {s["id"] for s in record["skills"]}


def test_nonexistent_file(runner, group, tmp_path):
    missing = str(tmp_path / "no-such-file.csv")
    result = run(runner, group, "analyze", missing, "--format", "json")
    message = assert_clean_failure(result)
    assert result.exit_code == 1
    assert f"Error: {missing}: no such file" in message


def test_folder_instead_of_file(runner, group, tmp_path):
    result = run(runner, group, "analyze", str(tmp_path))
    message = assert_clean_failure(result)
    assert "folder" in message


def test_bad_skillset(runner, group):
    result = run(runner, group, "analyze", SECRETARY, "--skillset", "no-such-set")
    message = assert_clean_failure(result)
    assert "'no-such-set'" in message
    assert "medical-office-specialist" in message and "medical-office-manager" in message


def test_bad_skillset_file(runner, group, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\nname = "X"\n[[skills]]\nid = "a"\nname = "A"\ncategory = "c"\n'
                   'tier = "expert"\naliases = ["a"]\n', encoding="utf-8")
    result = run(runner, group, "analyze", SECRETARY, "--skillset", str(bad))
    message = assert_clean_failure(result)
    assert str(bad) in message and "line 4" in message and "expert" in message
    result = run(runner, group, "analyze", SECRETARY, "--skillset", str(tmp_path / "missing.toml"))
    assert "no such skill-set file" in assert_clean_failure(result)


def test_manager_skillset_option(runner, group):
    result = run(runner, group, "analyze", SECRETARY, "--format", "jsonl",
                 "--skillset", "medical-office-manager")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["skillset"]["id"] == "medical-office-manager"
    assert "typing" not in {s["id"] for s in record["skills"]}


def test_no_matcher_option(runner, group):
    result = run(runner, group, "analyze", "-", "--format", "jsonl", "--no-matcher",
                 input=b"Book appointments.")
    assert result.exit_code == 0, result.output
    assert {s["id"] for s in json.loads(result.stdout)["skills"]} == {"scheduling"}


def test_bad_format_option(runner, group):
    result = run(runner, group, "analyze", SECRETARY, "--format", "xml")
    assert result.exit_code == 2 and "xml" in result.output


# --- skillsets -------------------------------------------------------------------------------


def test_skillsets_lists_both_builtins(runner, group):
    result = run(runner, group, "skillsets")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) >= 2
    spec = next(line for line in lines if line.startswith("medical-office-specialist "))
    mgr = next(line for line in lines if line.startswith("medical-office-manager "))
    assert "Medical Office Specialist" in spec and "23 skills, 12 modern" in spec
    assert "Medical Office Manager" in mgr and "skills" in mgr


def test_skillsets_show_tells_each_skill_with_why_and_where_it_applies(runner, group):
    result = run(runner, group, "skillsets", "show", "medical-office-specialist")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("medical-office-specialist: Medical Office Specialist (version ")
    assert "why: Charts now live in electronic systems" in out
    assert re.search(r"^  cmaa +foundation +1  US +Certified Medical Administrative Assistant$", out, re.M)
    assert "elsewhere: AMSPAR qualifications" in out
    assert "pay (US): USD 19,000-45,000 a year" in out and "pay (UK): GBP 23,615-29,114 a year" in out


def test_skillsets_show_as_json_is_what_the_api_gives(runner, group):
    from models.record import skillset_json
    from models.references import market_references
    from models.skillset import load_skillset

    result = run(runner, group, "skillsets", "show", "medical-office-manager", "--format", "json")
    assert result.exit_code == 0, result.output
    told = json.loads(result.stdout)
    assert told == json.loads(json.dumps(skillset_json(load_skillset("medical-office-manager"))))
    # What a record's market.reference id stands for.
    assert told["markets"] == json.loads(json.dumps(market_references()))
    assert {s["id"] for s in told["skills"] if s["applies"]} == {"insurance_verification", "cmaa"}
    assert all(s["why"] for s in told["skills"])


def test_skillsets_show_of_an_unknown_id_is_a_clean_error(runner, group):
    result = run(runner, group, "skillsets", "show", "no-such-set")
    assert "unknown skill set 'no-such-set'" in assert_clean_failure(result)


def test_table_tells_the_locale_and_sets_the_pay_beside_its_range(runner, group):
    text = "Medical secretary, NHS Foundation Trust, Band 3. Audio typing. Salary £18,005 - £19,337 per annum."
    result = run(runner, group, "analyze", "-", input=text)
    assert result.exit_code == 0, result.output
    assert "  locale: UK\n" in result.stdout
    assert "(below the skill set's UK range, GBP 23,615-29,114)" in result.stdout
    assert "cmaa" not in result.stdout  # a US credential is no gap of an NHS post


# --- the whole example CSV -----------------------------------------------------------------


def test_whole_example_csv_record_shape(runner, group):
    with open(POSTINGS_CSV, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 10
    result = run(runner, group, "analyze", str(POSTINGS_CSV), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    # Progress goes to stderr only.
    assert f"{len(rows)} postings analysed" in result.stderr
    assert [r["id"] for r in records] == [row["id"] for row in rows]
    assert [r["title"] for r in records] == [row["title"].strip() for row in rows]
    for record in records:
        check_record_shape(record)
        assert record["error"] is None, record["id"]
    # The office postings score above the control jobs (porters, IT, estates) on average.
    office = [r["score"] for r in records
              if "Secretary" in r["title"] or "Receptionist" in r["title"]]
    controls = {"Domestic Assistant", "Senior Voice and Data Engineer", "Information Analyst"}
    control = [r["score"] for r in records if r["title"] in controls]
    assert office and control
    assert sum(office) / len(office) > 1.5 * sum(control) / len(control)


# --- a real process ----------------------------------------------------------------------------

CLI_PY = ROOT / "web" / "cli.py"
# Use the project's skillgap group; add the engine's commands if it does not have them yet.
LAUNCH = (
    "from web.cli import main\n"
    "from web.analyze_cli import register\n"
    "if 'analyze' not in main.commands:\n"
    "    register(main)\n"
    "main(prog_name='skillgap')\n"
)


def subprocess_run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-c", LAUNCH, *args], input=stdin, capture_output=True, cwd=ROOT,
        env=env, timeout=120,
    )


def test_real_process():
    if not CLI_PY.exists():
        pytest.skip("web/cli.py (the skillgap group) does not exist yet")
    done = subprocess_run("analyze", SECRETARY, "-", "--format", "jsonl",
                          stdin=b"Greet patients and verify insurance.")
    assert done.returncode == 0, done.stderr.decode()
    records = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert [r["id"] for r in records] == ["medical-secretary.html", "stdin"]
    assert records[0]["title"] == "Medical Secretary"
    assert b"Traceback" not in done.stderr
    done = subprocess_run("analyze", "no-such-file.html")
    assert done.returncode == 1
    assert done.stderr.decode().strip() == "Error: no-such-file.html: no such file"
    assert done.stdout == b""


def test_jsonl_with_lone_surrogates_and_deep_markup(runner, group, tmp_path):
    """A lone surrogate (a JSON escape) and markup nested thousands deep are read, not a traceback."""
    src = tmp_path / "odd.jsonl"
    deep = "<div>" * 5000 + "Use EMIS daily." + "</div>" * 5000
    src.write_text(
        '{"id": "a", "description": "<p>Use EMIS \\ud800 daily.</p>"}\n'
        + json.dumps({"id": "b", "description": deep}) + "\n"
        + '{"id": "c", "description": "Book appointments."}\n',
        encoding="utf-8",
    )
    result = run(runner, group, "analyze", str(src), "--format", "csv", "--no-progress")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["id"], r["skills"], r["error"]) for r in rows] == [
        ("a", "ehr", ""), ("b", "ehr", ""), ("c", "scheduling", ""),
    ]


def test_a_posting_the_engine_fails_on_is_an_error_row_and_the_run_goes_on(runner, group, tmp_path, monkeypatch):
    from models.analysis import Analyzer

    analyze = Analyzer.analyze

    def failing(self, raw, **kw):
        if "BOOM" in raw:
            raise ValueError("engine bug")
        return analyze(self, raw, **kw)

    monkeypatch.setattr(Analyzer, "analyze", failing)
    src = tmp_path / "batch.jsonl"
    src.write_text('{"id": "a", "text": "BOOM"}\n{"id": "b", "text": "Book appointments."}\n', encoding="utf-8")
    result = run(runner, group, "analyze", str(src), "--format", "csv", "--no-progress")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["id"], r["error"]) for r in rows] == [("a", "the analysis failed (ValueError)"), ("b", "")]


def test_a_page_with_an_xml_declaration_gives_no_warning(tmp_path):
    if not CLI_PY.exists():
        pytest.skip("web/cli.py (the skillgap group) does not exist yet")
    page = tmp_path / "page.html"
    page.write_text('<?xml version="1.0" encoding="utf-8"?><html><body><p>Use EMIS daily.</p></body></html>',
                    encoding="utf-8")
    done = subprocess_run("analyze", str(page), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["skills"][0]["id"] == "ehr"
    assert b"Warning" not in done.stderr, done.stderr


def test_every_commands_help_reads_as_plain_text(runner):
    """Help is read in a terminal: no reStructuredText markup such as ``double backticks``."""
    from web.cli import main

    def commands(group: click.Command, path: tuple[str, ...] = ()):
        yield path
        for name, sub in getattr(group, "commands", {}).items():
            yield from commands(sub, (*path, name))

    for path in commands(main):
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "``" not in result.output, (path, result.output)


def test_progress_counts_one_posting_in_the_singular(capsys):
    from web.analyze_cli import Progress

    progress = Progress(enabled=True)
    progress.update()
    assert "1 posting analysed" in capsys.readouterr().err
    progress.update()
    progress.update(force=True)  # a forced line counts no posting; it shows the count now
    assert "2 postings analysed" in capsys.readouterr().err
