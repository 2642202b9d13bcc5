"""Résumés in (text, PDF, Word, scans refused) and held against a posting, in the engine and on the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from models.analysis import Analyzer
from models.match import compare, match_texts, rank_postings
from models.resume import ResumeError, find_skills, read_resume, resume_text
from web import match_cli
from web.match_cli import match as match_command

ROOT = Path(__file__).resolve().parent.parent
RESUMES = ROOT / "tests" / "fixtures" / "resumes"
RECEPTIONIST = (RESUMES / "receptionist.txt").read_text(encoding="utf-8")
BILLING = (RESUMES / "billing-no-coding.txt").read_text(encoding="utf-8")

POSTING = """Medical Receptionist

Responsibilities
- Greet patients and schedule appointments in Epic
- Verify insurance eligibility before each visit
- Answer phones and keep patient records up to date

Requirements
- Medical coding experience (ICD-10) required
- HIPAA knowledge required

Preferred
- Medical billing experience preferred
"""


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a text layer, written by hand (no PDF writer is needed)."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = "BT /F1 11 Tf 14 TL 50 760 Td " + " ".join(f"({esc(line)}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Length {len(content.encode('cp1252'))} >>\nstream\n{content}\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("cp1252")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def make_scanned_pdf() -> bytes:
    """A PDF whose page has no text layer, as a scanner makes (here: a blank page)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    from docx import Document

    document = Document()
    for p in paragraphs:
        document.add_paragraph(p)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.for_skillset(None)


def ids(items: list[dict]) -> list[str]:
    return [i["id"] for i in items]


# -- reading -----------------------------------------------------------------------------------

def test_pdf_resume_is_read_by_its_text_layer() -> None:
    data = make_pdf(["Ana Ruiz - Medical Receptionist", "Scheduled appointments in Epic (café clinic)",
                     "Certified Medical Administrative Assistant"])
    text = read_resume(data, "cv.pdf")
    assert "Scheduled appointments in Epic" in text and "café" in text


def test_scanned_pdf_gets_a_clear_message() -> None:
    with pytest.raises(ResumeError, match="no text to read.*scan.*paste its text"):
        read_resume(make_scanned_pdf(), "scan.pdf")


def test_docx_resume_is_read_with_its_tables() -> None:
    data = make_docx(["Ana Ruiz", "Front desk receptionist"], [["Skills", "HIPAA, medical terminology"]])
    text = read_resume(data, "cv.docx")
    assert "Front desk receptionist" in text and "HIPAA, medical terminology" in text


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"%PDF-1.4\n garbage", "cv.pdf", "could not be read"),
    (b"PK\x03\x04 not a zip at all", "cv.docx", "not a readable Word"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "cv.doc", "not a readable .doc file"),
    (bytes(range(256)) * 20, "photo.jpg", "not a PDF, a Word"),
    (b"   \n ", "cv.txt", "the résumé is empty"),
])
def test_unreadable_files_get_a_clear_message(data: bytes, name: str, message: str) -> None:
    with pytest.raises(ResumeError, match=message):
        read_resume(data, name)


def test_pasted_text_is_checked() -> None:
    assert resume_text("Receptionist\x00 ") == "Receptionist "
    with pytest.raises(ResumeError, match="characters"):
        resume_text("x" * 300_000)


# -- finding skills ----------------------------------------------------------------------------

def test_claims_count_with_evidence_and_no_levels(analyzer: Analyzer) -> None:
    found = find_skills(analyzer, RECEPTIONIST)
    by_id = {s["id"]: s for s in found["skills"]}
    # Experience, duties held, a certificate, software used.
    assert {"front_desk", "scheduling", "cmaa", "ehr", "office_software", "hipaa"} <= set(by_id)
    assert [e["text"] for e in by_id["ehr"]["evidence"]] == ["Epic"]
    for skill in found["skills"]:
        assert "requirement" not in skill
        for e in skill["evidence"]:
            assert found["text"][e["start"]:e["end"]] == e["text"]


def test_negated_skills_do_not_count(analyzer: Analyzer) -> None:
    found = find_skills(analyzer, BILLING)
    assert "medical_billing" in ids(found["skills"])
    assert "medical_coding" not in ids(found["skills"])
    assert found["negated"] == ["medical_coding"]
    # The same résumé without the negation claims it.
    claimed = find_skills(analyzer, BILLING.replace(
        "I have not done medical coding and have no ICD-10 experience", "I did medical coding in ICD-10"))
    assert "medical_coding" in ids(claimed["skills"])


# -- one résumé, one posting --------------------------------------------------------------------

def test_match_lists_have_missing_and_learn_next(analyzer: Analyzer) -> None:
    result = match_texts(analyzer, RECEPTIONIST, POSTING)
    assert result["error"] is None
    have, missing, learn = result["have"], result["missing"], result["learn_next"]
    assert {"scheduling", "ehr", "insurance_verification", "medical_records", "hipaa"} <= set(ids(have))
    assert "medical_coding" in ids(missing) and "medical_billing" in ids(missing)
    # Required first, and the résumé's "No medical coding experience yet" is told.
    levels = [i["requirement"] for i in missing]
    assert levels == sorted(levels, key=["required", "preferred", "unspecified"].index)
    coding = next(i for i in missing if i["id"] == "medical_coding")
    assert coding["negated"] is True and coding["evidence"]["resume"] == []
    assert coding["evidence"]["posting"]
    ehr = next(i for i in have if i["id"] == "ehr")
    assert ehr["evidence"]["posting"][0]["text"] == "Epic" and ehr["evidence"]["resume"][0]["text"] == "Epic"
    # The posting's record names its skills by id; their names are the skill set's.
    assert ehr["name"] == analyzer.skillset.get("ehr").name
    # Learn next: neither side mentions them; most asked by the market first.
    mentioned = set(ids(have)) | set(ids(missing)) | set(ids(result["also_shown"]))
    assert learn and not set(ids(learn)) & mentioned
    shares = [i["asked_share"] for i in learn]
    assert shares == sorted(shares, reverse=True) and shares[0] > 0
    assert all(i["why"] for i in learn)


def test_match_figure_weighs_required_above_preferred() -> None:
    posting = {"skills": [
        {"id": "a", "name": "A", "requirement": "required", "evidence": []},
        {"id": "b", "name": "B", "requirement": "preferred", "evidence": []},
    ], "extras": [], "locale": None}
    skillset = Analyzer.for_skillset(None).skillset
    has_required = compare(posting, {"skills": [{"id": "a", "name": "A", "evidence": []}], "extras": []}, skillset)
    has_preferred = compare(posting, {"skills": [{"id": "b", "name": "B", "evidence": []}], "extras": []}, skillset)
    assert has_required["match"] == round(100 * 1.0 / 1.6) == 62
    assert has_preferred["match"] == round(100 * 0.6 / 1.6) == 38
    assert "1 of 1 required, 0 of 1 preferred" in has_required["match_parts"]["explained"]
    nothing = compare({"skills": [], "extras": [], "locale": None}, {"skills": [], "extras": []}, skillset)
    assert nothing["match"] is None and "nothing to match" in nothing["match_parts"]["explained"]


def test_learn_next_keeps_to_the_postings_locale(analyzer: Analyzer) -> None:
    uk = (RESUMES / "uk-admin.txt").read_text(encoding="utf-8")
    posting = "GP Receptionist, NHS practice in Leeds\n\nYou will book appointments on SystmOne."
    result = match_texts(analyzer, uk, posting)
    assert result["posting"]["locale"] == "UK"
    us_only = {s.id for s in analyzer.skillset.skills if s.applies and "UK" not in s.applies}
    assert us_only and not set(ids(result["learn_next"])) & us_only


def test_rank_postings_and_skills_that_open_them() -> None:
    resume = {"skills": [{"id": "a", "name": "A", "evidence": []}], "extras": []}

    def record(row: int, *asks: tuple[str, str]) -> dict:
        return {"row": row, "title": f"job {row}", "error": None, "extras": [],
                "skills": [{"id": i, "name": i.upper(), "requirement": lv} for i, lv in asks]}

    records = [record(1, ("a", "required"), ("b", "required")), record(2, ("a", "required")),
               record(3, ("b", "required"), ("c", "preferred")), record(4), {"row": 5, "error": "empty"}]
    ranked = rank_postings(records, resume)
    assert [p["row"] for p in ranked["postings"]] == [2, 1, 3]
    assert [p["match"] for p in ranked["postings"]] == [100, 50, 0]
    assert ranked["postings"][2]["missing"] == [{"id": "b", "name": "B", "requirement": "required"},
                                                {"id": "c", "name": "C", "requirement": "preferred"}]
    assert ranked["unmatched"] == 2 and ranked["full_matches"] == 1
    b, c = ranked["to_learn"]
    assert (b["id"], b["completes"], b["improves"], b["required_in"]) == ("b", 1, 2, 2)
    assert (c["id"], c["completes"], c["improves"]) == ("c", 0, 1)


# -- the command -------------------------------------------------------------------------------

def test_match_command_json_and_table(tmp_path: Path, analyzer: Analyzer) -> None:
    posting = tmp_path / "posting.txt"
    posting.write_text(POSTING, encoding="utf-8")
    pdf = tmp_path / "cv.pdf"
    pdf.write_bytes(make_pdf(RECEPTIONIST.splitlines()))
    runner = CliRunner()
    result = runner.invoke(match_command, [str(pdf), str(posting), "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert {"have", "missing", "learn_next", "match"} <= set(body)
    assert 0 <= body["match"] <= 100
    for key in ("have", "missing", "learn_next"):
        for item in body[key]:
            assert {"id", "name", "evidence"} <= set(item)
    assert body == {**match_texts(analyzer, read_resume(pdf.read_bytes(), "cv.pdf"), POSTING)}
    table = runner.invoke(match_command, [str(RESUMES / "receptionist.txt"), str(posting)])
    assert table.exit_code == 0
    assert "Match with Medical Receptionist: " in table.stdout and "6 of 7 required" in table.stdout
    assert "Missing (" in table.stdout and "the résumé says you do not have it" in table.stdout


def test_match_command_fails_clearly(tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(make_scanned_pdf())
    posting = tmp_path / "posting.txt"
    posting.write_text(POSTING, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(match_command, [str(scan), str(posting)])
    assert result.exit_code == 1 and "no text to read" in result.output and "Traceback" not in result.output
    result = runner.invoke(match_command, [str(tmp_path / "none.txt"), str(posting)])
    assert result.exit_code == 1 and "No such file" in result.output


def test_written_resumes_against_their_labels(analyzer: Analyzer) -> None:
    """The figures of docs/job-seekers.md: every negation honoured, nothing counted that is not
    claimed, and at least 85% of the claims found (40 of 45 when measured)."""
    labels = json.loads((RESUMES / "labels.json").read_text(encoding="utf-8"))
    found = claimed = 0
    for name, label in labels.items():
        if name.startswith("_"):
            continue
        got = find_skills(analyzer, (RESUMES / name).read_text(encoding="utf-8"))
        ids_found = set(ids(got["skills"] + got["extras"]))
        assert ids_found <= set(label["claims"]), name
        assert not ids_found & set(label["negated"]), name
        found += len(ids_found)
        claimed += len(label["claims"])
    assert found / claimed >= 0.85


def test_a_resume_says_what_it_lacks_in_its_own_words(analyzer: Analyzer) -> None:
    text = ("Retail lead. I am not familiar with electronic health records; I have never used Epic. "
            "Customer service and typing 50 wpm.")
    got = find_skills(analyzer, text)
    assert "ehr" not in ids(got["skills"]) and got["negated"] == ["ehr"]
    assert {"customer_service", "typing"} <= set(ids(got["skills"]))


def _columns(lines: list[str], words: tuple[str, ...]) -> set[int]:
    """Where the first of ``words`` stands on each line holding one."""
    found = set()
    for line in lines:
        at = [line.find(f" {w} ") for w in words if f" {w} " in line]
        if at:
            found.add(min(at) + 1)
    return found


def test_match_tables_stay_aligned_on_long_skill_names() -> None:
    """A name longer than its column (a skill set's own, or the built-in ones of 50 letters) is
    written whole on a line of its own; the columns after it stay where they are."""
    long = "Billing/coding or health-information certification, RHIT or CCS"
    evidence = {"resume": [{"text": "billing"}], "posting": [{"text": "billing"}]}
    have = [{"name": n, "requirement": r, "evidence": evidence}
            for n, r in (("Scheduling", "required"), (long, "preferred"), ("EHR", "unspecified"))]
    result = {"posting": {"title": "Clerk"}, "match": 50, "match_parts": {"explained": "1 of 2"},
              "have": have, "missing": [dict(have[1], negated=False), dict(have[0], negated=False)],
              "learn_next": [{"name": long, "asked_share": 0.5}, {"name": "EHR", "asked_share": 0.25}]}
    out = io.StringIO()
    match_cli.write_table(result, out)
    text = out.getvalue()
    assert f"  {long}\n" in text  # whole, on its own line
    assert _columns(text.splitlines(), ("required", "preferred", "mentioned")) == {2 + match_cli.NAME + 1}
    assert _columns(text.splitlines(), ("asked",)) == {2 + match_cli.NAME + 1}
    batch = {"ranked": 2, "full_matches": 0, "unmatched": 0, "postings": [],
             "to_learn": [{"name": n, "completes": 1, "improves": 2, "required_in": 1} for n in (long, "EHR")]}
    out = io.StringIO()
    match_cli.write_batch_table(batch, out)
    assert f"  {long}\n" in out.getvalue()
    assert _columns(out.getvalue().splitlines(), ("completes",)) == {2 + match_cli.NAME + 1}
