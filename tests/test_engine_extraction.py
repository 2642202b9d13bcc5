"""Skill extraction, context (negation, boilerplate, required/preferred), scoring, matcher."""

from __future__ import annotations

import csv
import inspect
import json
import re
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from models import analysis
from models.analysis import Analyzer
from models.calibration import calibrate
from models.matcher import PHRASE_THRESHOLD, WORD_THRESHOLD, SkillMatcher, background_phrases
from models.record import describe_coverage
from models.skillset import load_extras, load_skillset

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.for_skillset()


@pytest.fixture(scope="module")
def plain() -> Analyzer:
    """Aliases only, no fuzzy matcher."""
    return Analyzer.for_skillset(use_matcher=False)


def skill_ids(record: dict) -> set[str]:
    return {s["id"] for s in record["skills"]}


def by_id(record: dict) -> dict[str, dict]:
    return {s["id"]: s for s in record["skills"]}


def evidence(record: dict, sid: str) -> list[str]:
    return [e["text"] for e in by_id(record)[sid]["evidence"]]


def assert_offsets_exact(record: dict) -> None:
    text = record["text"]
    for item in record["skills"] + record["extras"]:
        assert item["evidence"], item["id"]
        for e in item["evidence"]:
            assert 0 <= e["start"] < e["end"] <= len(text)
            assert text[e["start"]:e["end"]] == e["text"], (item["id"], e)


# --- evidence offsets ----------------------------------------------------------------------

POSTING = """Medical Receptionist

Responsibilities:
- Schedule appointments and greet patients at the front desk
- Verify insurance eligibility and obtain prior authorizations
- Enter patient demographics into eClinicalWorks

Requirements:
- Knowledge of ICD-10 and CPT codes
- Excellent communication skills

Preferred:
- CMA certification
"""


def test_evidence_offsets_are_exact_in_plain_text(analyzer):
    record = analyzer.analyze(POSTING, include_text=True)
    assert record["error"] is None
    assert_offsets_exact(record)
    ids = skill_ids(record)
    assert {"scheduling", "front_desk", "insurance_verification", "ehr", "medical_coding",
            "communication", "ma_certification"} <= ids
    assert "eClinicalWorks" in evidence(record, "ehr")
    assert {"ICD-10", "CPT codes"} <= set(evidence(record, "medical_coding"))
    # Evidence of one skill does not overlap itself and is in text order.
    for item in record["skills"]:
        spans = [(e["start"], e["end"]) for e in item["evidence"]]
        assert spans == sorted(spans)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
        assert len(spans) <= 5


def test_evidence_offsets_are_exact_in_html_and_escaped_html(analyzer):
    html = (EXAMPLES / "medical-secretary.html").read_text(encoding="utf-8")
    record = analyzer.analyze(html, include_text=True)
    assert_offsets_exact(record)
    assert {"ehr", "typing", "medical_documentation", "scheduling"} <= skill_ids(record)
    assert evidence(record, "ehr") == ["SystmOne"]
    with open(EXAMPLES / "postings.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        record = analyzer.analyze(row["description"], include_text=True)
        assert record["error"] is None, row["id"]
        assert_offsets_exact(record)


def test_text_is_only_included_when_asked(analyzer):
    assert "text" not in analyzer.analyze(POSTING)
    assert analyzer.analyze(POSTING, include_text=True)["text"].startswith("Medical Receptionist\n")


# --- required / preferred / unspecified ------------------------------------------------------


def test_requirement_levels(analyzer):
    record = analyzer.analyze(POSTING)
    skills = by_id(record)
    assert skills["scheduling"]["requirement"] == "required"  # responsibilities section
    assert skills["medical_coding"]["requirement"] == "required"  # requirements section
    assert skills["communication"]["requirement"] == "required"
    assert skills["ma_certification"]["requirement"] == "preferred"  # preferred section


@pytest.mark.parametrize(
    ("text", "sid", "level"),
    [
        ("Use Epic to look up patients.", "ehr", "unspecified"),
        ("Experience with Epic is a plus.", "ehr", "preferred"),
        ("Epic experience preferred.", "ehr", "preferred"),
        ("Ideally you will know Epic.", "ehr", "preferred"),
        ("You must know Epic.", "ehr", "required"),
        ("Epic experience is essential.", "ehr", "required"),
        ("Knowledge of ICD-10 coding.", "medical_coding", "required"),
        ("Desirable: knowledge of SystmOne.", "ehr", "preferred"),
        ("Essential: audio typing.", "typing", "required"),
        # A line that rates a skill asks for it; a skill named only in passing does not.
        ("Strong communication and interpersonal skills.", "communication", "required"),
        ("Good customer care skills.", "customer_service", "required"),
        ("Strong customer focused service orientation skills.", "customer_service", "required"),
        ("Our good communication with patients is why they come back.", "communication", "unspecified"),
    ],
)
def test_requirement_from_the_sentence(analyzer, text, sid, level):
    record = analyzer.analyze(text)
    assert by_id(record)[sid]["requirement"] == level


def test_strongest_requirement_wins(analyzer):
    record = analyzer.analyze("Answer phones.\nEpic is a plus.\n\nRequirements:\n- Epic EHR")
    assert by_id(record)["ehr"]["requirement"] == "required"
    assert len(by_id(record)["ehr"]["evidence"]) == 2


# --- negation ----------------------------------------------------------------------------------


def test_negated_coding_is_not_a_skill(analyzer):
    record = analyzer.analyze(
        "No coding experience needed. You will schedule appointments for our patients."
    )
    assert "medical_coding" not in skill_ids(record)
    assert "scheduling" in skill_ids(record)


def test_negated_hipaa_is_not_a_skill(analyzer):
    record = analyzer.analyze(
        "HIPAA knowledge is not required. Knowledge of medical terminology is essential."
    )
    assert "hipaa" not in skill_ids(record)
    assert by_id(record)["medical_terminology"]["requirement"] == "required"


@pytest.mark.parametrize(
    "text",
    [
        "Prior medical billing experience is not necessary.",
        "You do not need to know Epic.",
        "No previous experience of SystmOne required.",
        "We will train you, so no medical terminology knowledge is expected.",
    ],
)
def test_other_negations(analyzer, text):
    assert analyzer.analyze(text)["skills"] == []


def test_negation_is_limited_to_its_clause(analyzer):
    record = analyzer.analyze("No coding experience needed, but you must know Epic.")
    assert skill_ids(record) == {"ehr"}
    assert by_id(record)["ehr"]["requirement"] == "required"


def test_positive_mention_elsewhere_still_counts(analyzer):
    record = analyzer.analyze(
        "No coding experience needed.\n\nDuties:\n- Assign ICD-10 codes to outpatient visits",
        include_text=True,
    )
    assert evidence(record, "medical_coding") == ["ICD-10"]
    record = analyzer.analyze(
        "HIPAA knowledge is not required on day one.\n\n"
        "You must maintain patient confidentiality at all times.",
        include_text=True,
    )
    assert evidence(record, "hipaa") == ["maintain patient confidentiality"]
    assert by_id(record)["hipaa"]["requirement"] == "required"
    assert_offsets_exact(record)


# --- boilerplate ------------------------------------------------------------------------------


def test_eeo_statement_does_not_count(analyzer):
    record = analyzer.analyze(
        "Answer phones and book appointments.\n\n"
        "Sunrise Clinic is an equal opportunity employer and complies with HIPAA; all "
        "applicant information is kept confidential."
    )
    assert skill_ids(record) == {"scheduling"}


def test_eeo_section_does_not_count(analyzer):
    record = analyzer.analyze(
        "<h2>Duties</h2><ul><li>Book appointments</li></ul>"
        "<h2>Equal Opportunity Employer</h2><p>We are committed to diversity. We protect the "
        "confidentiality of applicant information in line with HIPAA.</p>"
    )
    assert skill_ids(record) == {"scheduling"}


def test_eeo_paragraph_second_sentence_does_not_count(analyzer):
    record = analyzer.analyze(
        "Answer phones.\n\n"
        "ABC Clinic is an equal opportunity employer. We protect the confidentiality of "
        "applicant information and comply with HIPAA."
    )
    assert "hipaa" not in skill_ids(record)


def test_benefits_do_not_count(analyzer):
    for text in (
        "Verify patients' insurance.\n\nBenefits:\n- Medical, dental insurance and vision\n- 401k",
        "Verify patients' insurance.\n\nWhat we offer\n- Dental insurance\n- Paid time off",
        "Verify patients' insurance. We offer medical and dental insurance.",
        "Verify patients' insurance.\nBenefits include dental insurance and a 401(k).",
    ):
        record = analyzer.analyze(text, include_text=True)
        assert skill_ids(record) == {"insurance_verification"}, text
        # Only the duty counts, not the benefits after it.
        duty_end = len("Verify patients' insurance")
        found = by_id(record)["insurance_verification"]["evidence"]
        spans = [(e["start"], e["end"]) for e in found]
        assert spans and all(end <= duty_end for _, end in spans), (text, spans)


@pytest.mark.parametrize(("html", "expected"), [
    # A lead-in line opens the benefits, as a heading would.
    ("<p>You will verify patients' insurance.</p>"
     "<p>As a member of our staff bank, we offer the following benefits:-</p>"
     "<ul><li>Access to a temporary staffing booking team</li>"
     "<li>An online self-booking system for shifts</li></ul>", {"insurance_verification"}),
    # ... and the benefits it opens end with their list.
    ("<p>As an NHS employer we can offer you a first rate package including:</p>"
     "<p>Attractive pension</p>"
     "<ul><li>Generous annual leave</li><li>Discounts with retailers</li></ul>"
     "<p>______________________</p>"
     "<p>The successful applicant must possess excellent interpersonal skills.</p>", {"communication"}),
    # A salary line is a field of the job, not a benefits section.
    ("<h3>Job Title \u2013 Bank Facilities Assistant</h3>"
     "<h3>Salary \u2013 \u00a39.21 to \u00a39.89 per hour</h3>"
     "<p>You will have great communication skills.</p>", {"communication"}),
    # A salary heading with nothing after it still opens the benefits.
    ("<p>You will book appointments.</p><h3>Salary and benefits</h3><p>Staff Excel training.</p>",
     {"scheduling"}),
])
def test_where_benefits_start_and_end(analyzer, html, expected):
    assert skill_ids(analyzer.analyze(html)) == expected


def test_privacy_notice_does_not_count(analyzer):
    record = analyzer.analyze(
        "Book appointments.\n\nPrivacy notice\nWe process your personal data in line with the "
        "Data Protection Act and GDPR."
    )
    assert skill_ids(record) == {"scheduling"}


# --- US and UK wording ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sid", "ev"),
    [
        ("Experience with Epic is required.", "ehr", "Epic"),
        ("Update charts in eClinicalWorks.", "ehr", "eClinicalWorks"),
        ("Use athenahealth daily.", "ehr", "athenahealth"),
        ("Assign ICD-10 codes.", "medical_coding", "ICD-10"),
        ("Assign ICD10 codes.", "medical_coding", "ICD10"),
        ("Knowledge of CPT is needed.", "medical_coding", "CPT"),
        ("Follow HIPAA rules.", "hipaa", "HIPAA"),
        ("Knowledge of HIPPA regulations.", "hipaa", "HIPPA"),
        ("Register patients on SystmOne.", "ehr", "SystmOne"),
        ("Book appointments on EMIS.", "ehr", "EMIS"),
        ("Audio typing of clinic letters.", "typing", "Audio typing"),
        ("Audio typing of clinic letters.", "medical_documentation", "Audio typing"),
        ("Knowledge of the Data Protection Act.", "hipaa", "Data Protection Act"),
        ("Typing speed of 50 wpm.", "typing", "50 wpm"),
        ("Submit claims to the clearinghouse.", "medical_billing", "clearinghouse"),
        ("Obtain prior authorizations.", "insurance_verification", "prior authorizations"),
        ("Manage the consultants' diaries.", "scheduling", "diaries"),
        ("Proficient in Microsoft Excel.", "office_software", "Microsoft Excel"),
        ("CPC certification required.", "coding_certification", "CPC"),
        ("Must hold a CMAA.", "cmaa", "CMAA"),
        ("Preparing agendas and minutes for the clinical team.", "medical_documentation", "agendas and minutes"),
        ("Typing of minutes for the ward meetings.", "medical_documentation", "minutes"),
        ("Typing of minutes for the ward meetings.", "typing", "Typing"),
        ("Writing and dispatching routine letters.", "medical_documentation", "routine letters"),
        ("Organise meetings and take notes at each meeting.", "medical_documentation", "take notes"),
        ("Back office duties include updating EPR.", "data_entry", "updating EPR"),
        ("Capturing attendances on the PAS system.", "data_entry", "Capturing attendances on the PAS system"),
        ("You possess strong research, writing and editing skills.", "communication", "writing and editing skills"),
        ("You must provide an excellent service to patients and visitors.", "customer_service", "excellent service"),
        ("Supports Cloud9 optimization for the orthodontic practice.", "practice_management", "Cloud9"),
        ("Performs a variety of tasks in the Soarian Financials system.", "practice_management", "Soarian Financials"),
        ("Schedules visits in Epic Cadence.", "practice_management", "Epic Cadence"),
        ("A working knowledge of personal computers is required.", "office_software",
         "knowledge of personal computers"),
    ],
)
def test_us_and_uk_wording(analyzer, text, sid, ev):
    record = analyzer.analyze(text, include_text=True)
    assert sid in skill_ids(record), record["skills"]
    # Evidence of one skill that overlaps or touches is one span: the words stand inside one.
    assert any(ev in e for e in evidence(record, sid)), evidence(record, sid)
    assert_offsets_exact(record)


def test_nhs_posting_with_uk_wording(analyzer):
    text = (
        "<p><strong>Main duties</strong></p><ul>"
        "<li>Audio typing of clinic letters using digital dictation (Winscribe)</li>"
        "<li>Book patients in on SystmOne and manage the waiting list</li>"
        "<li>Maintain confidentiality in line with the Data Protection Act and GDPR</li></ul>"
        "<p><strong>Person specification</strong></p><ul><li>RSA III typing or equivalent</li>"
        "<li>Knowledge of medical terminology</li></ul>"
    )
    record = analyzer.analyze(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    assert {"typing", "medical_documentation", "ehr", "scheduling", "hipaa",
            "medical_terminology"} <= skill_ids(record)
    assert all(s["requirement"] == "required" for s in record["skills"])


def test_alias_words_are_not_split_by_punctuation(analyzer):
    assert "customer_service" in skill_ids(analyzer.analyze("You will be customer-centered and calm."))
    assert "customer_service" not in skill_ids(analyzer.analyze("You should be customer, centered and calm."))


def test_phrases_employers_use_about_themselves_need_an_ask(analyzer):
    # "patient experience" is marked `asked` in the skill set: the employer's
    # own ambitions do not count, a duty or requirement does.
    about = "Our hospital is proud to give the best patient experience."
    assert "customer_service" not in skill_ids(analyzer.analyze(about))
    duty = "You will make sure every caller has an excellent patient experience."
    assert by_id(analyzer.analyze(duty))["customer_service"]["requirement"] == "required"


def test_the_job_title_as_subject_makes_a_duty(analyzer):
    text = "Parking is free.\nThe Ward Clerk books patient appointments for the clinics."
    record = analyzer.analyze(text, title="Ward Clerk")
    assert by_id(record)["scheduling"]["requirement"] == "required"


def test_case_sensitive_aliases(analyzer):
    assert "ehr" not in skill_ids(analyzer.analyze("Join us on an epic journey in patient care."))
    assert "ehr" in skill_ids(analyzer.analyze("Join us on Epic, our patient care system."))
    # "CMA" the certificate, not "cma" in lower case.
    assert "ma_certification" in skill_ids(analyzer.analyze("CMA required."))
    assert "ma_certification" not in skill_ids(analyzer.analyze("The cma team meets weekly."))


def test_not_aliases_block_lookalikes(analyzer):
    record = analyzer.analyze("Please send a cover letter and a clean criminal record check.")
    assert "medical_documentation" not in skill_ids(record)
    assert "medical_records" not in skill_ids(record)


def test_a_near_word_counts_only_outside_the_alias():
    """"Patient Accounts" (an alias near "patient") is not near "patient" by its own first word."""
    from models.mentions import stands_near
    from models.phrases import words_re

    patient = words_re(("patient",))
    text = "Patient Accounts Representative in Greensboro. Post payments to patient accounts daily."
    first, second = text.index("Patient Accounts"), text.index("patient accounts")
    assert not stands_near(patient, text, first, first + 16, 0, text.index(".") + 1)
    sentence = text.index("Post")
    assert stands_near(words_re(("payment",)), text, second, second + 16, sentence, len(text))
    assert not stands_near(patient, text, second, second + 16, sentence, len(text))


@pytest.mark.parametrize(("text", "counts"), [
    ("Cone Health Patient Account Representative in Greensboro, North Carolina.", False),
    ("At least one year of experience in patient accounts is required.", True),
    ("Resolve insurance denials on patient accounts.", True),
])
def test_patient_accounts_are_billing_beside_its_words(analyzer, text, counts):
    assert ("medical_billing" in skill_ids(analyzer.analyze(text))) is counts


# --- scoring and gaps ----------------------------------------------------------------------

MODERN_ALL = (
    "Use Epic EHR and Kareo practice management software. Update Salesforce CRM. "
    "Maintain the SQL database. Proficient in Microsoft Office. Submit electronic claims for "
    "medical billing. Assign ICD-10 and CPT codes. Follow HIPAA. Comply with OSHA regulations. "
    "Excellent communication skills. Outstanding customer service. CPC certification."
)
FOUNDATION_ONLY = (
    "Data entry. Typing at 40 wpm. Verify insurance eligibility. Knowledge of medical "
    "terminology and anatomy. Schedule appointments. Greet patients at the front desk. "
    "File medical records. Transcribe dictation. Certified Medical Assistant. CMAA."
)


def test_score_modern_beats_foundation(analyzer):
    skillset = analyzer.skillset
    modern_ids = {s.id for s in skillset.skills if s.tier == "modern"}
    foundation_ids = {s.id for s in skillset.skills if s.tier == "foundation"}
    modern = analyzer.analyze(MODERN_ALL)
    foundation = analyzer.analyze(FOUNDATION_ONLY)
    assert skill_ids(modern) == modern_ids
    assert skill_ids(foundation) == foundation_ids
    assert 0 <= foundation["score"] < modern["score"] <= 100
    total = sum(s.weight for s in skillset.skills)
    modern_weight = sum(s.weight for s in skillset.skills if s.tier == "modern")
    assert modern["score"] == round(100 * modern_weight / total, 1)
    assert foundation["score"] == round(100 * (total - modern_weight) / total, 1)
    assert modern["coverage"]["tier"]["modern"] == {"found": 12, "share": 1.0}
    assert modern["coverage"]["tier"]["foundation"]["found"] == 0
    assert foundation["coverage"]["tier"]["foundation"] == {"found": 11, "share": 1.0}
    assert list(modern["coverage"]["tier"]) == ["foundation", "modern"]


def test_score_bounds(analyzer):
    everything = analyzer.analyze(MODERN_ALL + " " + FOUNDATION_ONLY)
    assert everything["score"] == 100.0 and everything["gaps"] == []
    nothing = analyzer.analyze("Drive a forklift in our warehouse.")
    assert nothing["score"] == 0.0 and nothing["skills"] == []
    assert len(nothing["gaps"]) == len(analyzer.skillset.skills)


def test_gaps_sorted_by_similar_share_then_weight_and_exclude_found(analyzer):
    from models.scoring import score_posting

    record = analyzer.analyze(POSTING)
    gaps = record["gaps"]
    weight = {s.id: s.weight for s in analyzer.skillset.skills}
    keys = [(-g["similar_share"], -weight[g["id"]]) for g in gaps]
    assert keys == sorted(keys)
    assert not {g["id"] for g in gaps} & skill_ids(record)
    # Every skill is found, a gap, or stood for by one found (the CMA by the CMAA).
    stood_for = {s.id for s in analyzer.skillset.skills if skill_ids(record) & set(s.alternatives)}
    assert {g["id"] for g in gaps} | skill_ids(record) | stood_for == set(analyzer.skillset.ids)
    assert not {g["id"] for g in gaps} & stood_for
    # A gap is its skill's id (and how often similar postings ask for it); what the skill is,
    # and why it matters, are the skill set's to tell.
    assert all(set(g) == {"id", "similar_share"} for g in gaps)
    # Scored without the market, the gaps are by weight.
    plain = score_posting(analyzer.skillset, record["skills"])["gaps"]
    weights = [weight[g["id"]] for g in plain]
    assert weights == sorted(weights, reverse=True)
    # There the heaviest missing skills come first.
    assert weights[0] == 3 and plain[0]["id"] in {"medical_billing", "hipaa"}


def test_coverage_by_category(analyzer):
    record = analyzer.analyze(POSTING)
    category = record["coverage"]["category"]
    assert set(category) == {s.category for s in analyzer.skillset.skills}
    # A group's size is the skill set's: filled in, not repeated in every record.
    assert all("total" not in c for c in category.values())
    described = describe_coverage(record["coverage"], analyzer.skillset, record["locale"])["category"]
    assert sum(c["total"] for c in described.values()) == 23
    assert sum(c["found"] for c in category.values()) == len(record["skills"])
    assert all(0 <= c["share"] <= 1 for c in category.values())


def test_skills_follow_skillset_order(analyzer):
    order = analyzer.skillset.ids
    ids = [s["id"] for s in analyzer.analyze(POSTING)["skills"]]
    assert ids == sorted(ids, key=order.index)


# --- extras -----------------------------------------------------------------------------------


def test_extras_reported_separately(analyzer):
    record = analyzer.analyze(
        "Perform phlebotomy and take vital signs. Answer phones and schedule appointments. "
        "Bilingual in Spanish preferred."
    )
    extras = {e["id"]: e for e in record["extras"]}
    assert {"phlebotomy", "vital_signs", "languages"} <= set(extras)
    assert not set(extras) & skill_ids(record)
    assert "phlebotomy" not in {g["id"] for g in record["gaps"]}
    assert "scheduling" in skill_ids(record)
    assert extras["languages"]["requirement"] == "preferred"
    assert extras["phlebotomy"]["category"] == "clinical"
    # Extras do not move the score.
    assert record["score"] == analyzer.analyze("Schedule appointments.")["score"]


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # A word that only shares its stem with an alias is not the alias.
        ("You will play a vital role in the team.", "vital_signs"),
        ("Supporting excellent service delivery and patient care delivery.", "portering"),
        ("Experience of Band C administration and Hepatitis C clinics.", "programming"),
        ("You will support ad hoc projects within the department.", "project_management"),
        ("We are recruiting a medical secretary to join the surgery.", "supervision"),
        ("Retrieval and maintenance of patient records.", "maintenance"),
        ("The finance team works with directors across the region.", "teamwork"),
        ("Data acquisition, cleaning and modelling.", "cleaning"),
        # Being supervised is not supervising.
        ("Under direct supervision of the Health Center Manager, performs clinic duties.", "supervision"),
        ("Delivers care under the medical supervision of a Clinician and/or Physician.", "supervision"),
        ("LEVEL OF SUPERVISION REQUIRED: General", "supervision"),
        ("The post holder will work under the direction of the Team Leader.", "supervision"),
        # A record system's name, statistics collated for the office, the upkeep of a service.
        ("Working with Medway, Outlook, Excel, Spine Portal, Bloodhound or Panda.", "statistics_ml"),
        ("Collate statistical information as required.", "statistics_ml"),
        ("Support with the maintenance of logs and risk registers.", "maintenance"),
        ("The development and maintenance of a quality administrative service.", "maintenance"),
        ("Flying the flag for clinical coding in the Trust.", "programming"),
        ("Enters orders in CPRS, the VA's record system.", "cpr_bls"),
        # Real words a letter from an alias are no misspelling of it.
        ("Assists residents with bathing and grooming.", "vital_signs"),
        ("No leaning on the window sill.", "cleaning"),
        ("Experience in investment banking and financial services.", "cash_handling"),
    ],
)
def test_extras_need_the_words_that_name_them(analyzer, text, absent):
    assert absent not in {e["id"] for e in analyzer.analyze(text)["extras"]}


@pytest.mark.parametrize(
    ("text", "present"),
    [
        ("Take vitals and room patients.", "vital_signs"),
        ("Collect and make deliveries across the hospital site.", "portering"),
        ("Strong C++ and Python programming skills.", "programming"),
        ("Experience managing projects across teams.", "project_management"),
        ("Recruiting staff and managing rotas.", "supervision"),
        ("Report repairs and maintenance to the Estates team.", "maintenance"),
        ("Cleaning of wards and toilets.", "cleaning"),
        ("Good team work and team-working skills.", "teamwork"),
        ("Cashing up the till and banking.", "cash_handling"),
        ("You will be hiring, training, and conducting performance reviews.", "supervision"),
        ("Supervision of the reception team under the practice manager.", "supervision"),
        ("You will be the team leader of the reception staff.", "supervision"),
        ("Strong Python and Pandas skills.", "statistics_ml"),
        ("Statistical analysis of outcomes in R.", "statistics_ml"),
        ("Report building maintenance requests to the Estates team.", "maintenance"),
        ("Current CPR/BLS certification.", "cpr_bls"),
    ],
)
def test_extras_still_found_by_their_names(analyzer, text, present):
    assert present in {e["id"] for e in analyzer.analyze(text)["extras"]}


# --- the matcher --------------------------------------------------------------------------


def test_misspellings_found_through_the_matcher(analyzer, plain):
    text = "Must be a good recepcionist at our clinic and maintain confidentialty."
    record = analyzer.analyze(text, include_text=True)
    assert evidence(record, "front_desk") == ["recepcionist"]
    assert evidence(record, "hipaa") == ["confidentialty"]
    assert_offsets_exact(record)
    # Without the matcher the aliases alone miss both.
    assert skill_ids(plain.analyze(text)) == set()


@pytest.mark.parametrize("text", ["Prepares low-sodium and diabetic meals.", "Restocks sodium chloride bags."])
def test_a_short_real_word_a_letter_from_an_alias_is_no_misspelling(analyzer, text):
    # "sodium" is a letter from "Podium" (a CRM); a word alone is read as misspelt from seven letters.
    assert "crm" not in skill_ids(analyzer.analyze(text))


@pytest.mark.parametrize(("text", "crm"), [
    ("We weave compassion into everything we do.", False), ("Presenting at the podium.", False),
    ("Uses Weave to text patients reminders.", True), ("Experience with Podium or Klara messaging.", True),
])
def test_products_named_by_ordinary_words_need_their_name_and_purpose(analyzer, text, crm):
    assert ("crm" in skill_ids(analyzer.analyze(text))) is crm


def test_fitted_matcher_predictions(analyzer):
    matcher = analyzer.extractor.matcher
    assert isinstance(matcher, SkillMatcher)
    assert matcher.predict(["confidentialty", "recepcionist", "Receptionist"]) == [
        "hipaa", "front_desk", "front_desk"]
    # Too short, and ordinary words, match nothing.
    assert matcher.predict(["ehr", "the weather today", "bicycle"]) == [None, None, None]
    # Other real words near an alias are not misspellings of it; other forms of it neither.
    assert matcher.predict(["sympathetic", "geodatabases", "decontaminating"]) == [None, None, None]
    assert 0.75 <= matcher.threshold_ <= 0.95


def test_matcher_asks_only_about_single_words_within_reach_of_an_alias(analyzer):
    from models.matcher import SPELT, UNKNOWN, _edits

    matcher = analyzer.extractor.matcher
    rng = np.random.default_rng(7)
    tried = 0
    # Every word _plausible could accept (one or two edits from an alias) passes the cheap test...
    for alias in rng.choice(matcher.phrases_, 300, replace=False):
        word = alias.replace(" ", "")
        for _ in range(2 if len(alias) >= 12 else 1):
            i = int(rng.integers(1, len(word) - 1))
            word = [word[:i] + word[i + 1:], word[:i] + "x" + word[i:], word[:i] + "q" + word[i + 1:],
                    word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]][int(rng.integers(0, 4))]
        if _edits(word, alias.replace(" ", "")) > (1 if len(alias) < 12 else 2):
            continue  # two edits at one place can count as three
        tried += 1
        assert matcher._within_reach(word), (alias, word)
    assert tried > 250
    # ...and ordinary words far from every alias are not compared with them on their own.
    assert matcher.kind("recepcionist", "recepcionist") == SPELT
    assert matcher.kind("kaleidoscope", "kaleidoscope") == UNKNOWN
    assert matcher.predict(["recepcionist", "confidentialty"]) == ["front_desk", "hipaa"]


def test_a_word_longer_than_every_alias_is_not_compared_letter_by_letter(analyzer, monkeypatch):
    # A run of thousands of letters once cost seconds of deletions (minutes for a few
    # such runs); no word more than two letters longer than the longest alias is
    # within two edits of it.
    from models import matcher as matcher_module

    matcher = analyzer.extractor.matcher
    made: list[str] = []
    monkeypatch.setattr(matcher_module, "_deletions", lambda word, most: made.append(word) or set())
    longest = max(len(p.replace(" ", "")) for p in matcher.phrases_)
    assert not matcher._within_reach("q" * (longest + 3))
    assert not matcher._within_reach("abcdefghij" * 400)
    assert made == []
    matcher._within_reach("q" * (longest + 2))
    assert made == ["q" * (longest + 2)]


def test_matcher_does_not_map_unrelated_words(analyzer):
    # Once mapped to hipaa through the alias "discretion".
    record = analyzer.analyze("Apply cleansing, discretization, imputation and feature selection.")
    assert "hipaa" not in skill_ids(record)


SMALL_X = ["receptionist", "front desk", "confidentiality", "medical coding", "data entry"]
SMALL_Y = ["front_desk", "front_desk", "hipaa", "medical_coding", "data_entry"]
SMALL_NEG = ["team player", "full time", "competitive salary", "free parking", "annual leave"]


def test_matcher_follows_sklearn_conventions():
    matcher = SkillMatcher(threshold=None, min_chars=4, random_state=3)
    params = matcher.get_params()
    # Every __init__ argument is a parameter, stored unchanged.
    init_args = set(inspect.signature(SkillMatcher.__init__).parameters) - {"self"}
    assert set(params) == init_args
    assert {"ngram_range", "threshold", "target_precision", "min_chars",
            "random_state"} <= init_args
    assert (params["threshold"], params["min_chars"], params["random_state"]) == (None, 4, 3)
    assert params["ngram_range"] == (2, 4)
    # Nothing is learnt in __init__.
    assert not [k for k in vars(matcher) if k.endswith("_")]
    with pytest.raises(NotFittedError):
        check_is_fitted(matcher)
    fitted = matcher.fit(SMALL_X, SMALL_Y, negatives=SMALL_NEG)
    assert fitted is matcher
    check_is_fitted(matcher)
    learnt = [k for k in vars(matcher) if k.endswith("_") and not k.startswith("_")]
    assert {"vectorizer_", "labels_", "threshold_"} <= set(learnt)
    assert set(matcher.get_params()) == set(params)  # fitting adds no parameters
    assert list(matcher.labels_) == SMALL_Y
    assert 0 < matcher.threshold_ <= 1
    assert matcher.predict(["receptionist", "medical coding"]) == ["front_desk", "medical_coding"]
    assert matcher.predict(["free parking"]) == [None]
    # clone: same parameters, not fitted.
    twin = clone(matcher)
    assert twin is not matcher
    assert twin.get_params() == params
    assert not hasattr(twin, "vectorizer_")
    # set_params returns the estimator and changes what get_params reports.
    assert twin.set_params(threshold=0.9) is twin
    assert twin.get_params()["threshold"] == 0.9
    assert twin.fit(SMALL_X, SMALL_Y).threshold_ == pytest.approx(0.9)
    # With a fixed threshold, a misspelling lands on the right skill.
    loose = clone(matcher).set_params(threshold=0.7, word_threshold=0.7).fit(SMALL_X, SMALL_Y, negatives=SMALL_NEG)
    assert loose.predict(["recepcionist", "confidentialty", "data entyr"]) == [
        "front_desk", "hipaa", "data_entry"]
    assert "SkillMatcher(" in repr(twin) and "threshold=0.9" in repr(twin)


def test_the_fixed_thresholds_stay_near_what_the_calibration_gives():
    """The matcher's thresholds are fixed so that an alias added anywhere does not move every match;
    calibrated on the built-in skill set they land near the fixed values (re-choose them if not)."""
    skillset = load_skillset()
    fixed = SkillMatcher().fit_skillsets(skillset, load_extras(skillset.extras))
    assert (fixed.threshold_, fixed.word_threshold_) == (PHRASE_THRESHOLD, WORD_THRESHOLD)
    calibrated = SkillMatcher(threshold=None).fit_skillsets(skillset, load_extras(skillset.extras))
    assert abs(calibrated.threshold_ - PHRASE_THRESHOLD) <= 0.03
    assert abs(calibrated.word_threshold_ - WORD_THRESHOLD) <= 0.03


def test_matcher_fit_is_deterministic():
    a = SkillMatcher(random_state=5).fit(SMALL_X, SMALL_Y, negatives=SMALL_NEG)
    b = SkillMatcher(random_state=5).fit(SMALL_X, SMALL_Y, negatives=SMALL_NEG)
    assert a.threshold_ == b.threshold_
    probe = ["recepcionist", "data entyr", "medicl coding", "team players", "parking"]
    assert a.predict(probe) == b.predict(probe)
    assert np.array_equal(a.labels_, b.labels_)


def test_one_more_alias_does_not_move_the_calibration(analyzer):
    # Each alias's made-up misspelling is its own: one alias added in front of the
    # others must not change all the rest, and with them the threshold.
    fitted = analyzer.extractor.matcher
    X, y = list(fitted.phrases_), list(fitted.labels_)
    negatives = background_phrases()
    before = calibrate(fitted, X, y, negatives)
    after = calibrate(fitted, ["CQC preparation", *X], ["medical_law_ethics", *y], negatives)
    assert all(abs(a - b) < 0.01 for a, b in zip(after, before, strict=True))  # phrases' and words'


def test_word_threshold_is_calibrated_on_the_one_word_phrases_alone(analyzer):
    # Read off the same transform as the phrases' threshold: as if calibrated on the
    # one-word aliases and one-word negatives by themselves.
    fitted = analyzer.extractor.matcher
    words = [(p, label) for p, label in zip(fitted.phrases_, fitted.labels_, strict=True) if " " not in p]
    negatives = background_phrases()
    _, word_bar = calibrate(fitted, list(fitted.phrases_), list(fitted.labels_), negatives)
    alone = calibrate(fitted, [p for p, _ in words], [label for _, label in words],
                      [n for n in negatives if " " not in n.strip()])
    assert alone[1] == word_bar


# --- the analyzer is built once -----------------------------------------------------------


def test_for_skillset_returns_the_same_object(analyzer, monkeypatch):
    calls = []
    original = SkillMatcher.fit_skillsets

    def counting(self, *skillsets):
        calls.append(skillsets)
        return original(self, *skillsets)

    monkeypatch.setattr(analysis.SkillMatcher, "fit_skillsets", counting)
    first = Analyzer.for_skillset()
    second = Analyzer.for_skillset("medical-office-specialist")
    assert first is second is analyzer
    assert first.extractor.matcher is second.extractor.matcher
    assert calls == []  # already fitted once in this process
    assert Analyzer.for_skillset(use_matcher=False) is not first
    assert Analyzer.for_skillset(use_matcher=False).extractor.matcher is None


def test_analyze_is_pure(analyzer):
    first = analyzer.analyze(POSTING, id="a")
    for _ in range(2):
        assert analyzer.analyze(POSTING, id="a") == first


def test_analyze_passes_id_title_company(analyzer):
    record = analyzer.analyze(POSTING, id="p1", title="Front Desk", company="Sunrise")
    assert (record["id"], record["title"], record["company"]) == ("p1", "Front Desk", "Sunrise")
    assert record["skillset"] == {"id": "medical-office-specialist",
                                  "version": load_skillset().version}


def test_pay_found_in_text(analyzer):
    pay = analyzer.analyze("Front desk. Pay: $18.50 - $22.00 per hour.")["pay"]
    assert pay["currency"] == "USD" and pay["period"] == "hour"
    assert (pay["min"], pay["max"]) == (18.5, 22.0)
    assert pay["annual_min"] == 38480
    uk = analyzer.analyze("Medical secretary, \u00a321,000 - \u00a324,000 per annum.")["pay"]
    assert uk["currency"] == "GBP" and uk["period"] == "year" and uk["max"] == 24000
    assert analyzer.analyze("Front desk. $500 sign-on bonus.")["pay"] is None
    assert analyzer.analyze("Tuition assistance program (up to $5,250 per year)")["pay"] is None
    assert analyzer.analyze("Salary: $40,000 plus bonus.")["pay"]["min"] == 40000


@pytest.mark.parametrize("text", ["Salary: \u00a319 \u2013 22,000 FT depending on experience.", "Pay \u00a319-22k."])
def test_pay_with_thousands_written_once(analyzer, text):
    pay = analyzer.analyze(text)["pay"]
    assert (pay["min"], pay["max"], pay["period"]) == (19000, 22000, "year")


def test_booking_patients_in_on_arrival_is_reception_not_scheduling(analyzer):
    arrival = analyzer.analyze("You will be on our front desk, booking patients in as they arrive.")
    assert skill_ids(arrival) == {"front_desk"}
    booking = analyzer.analyze("You will join a team booking patients in to appointments at our clinics.")
    assert skill_ids(booking) == {"scheduling"}


def test_generic_words_need_a_healthcare_posting(analyzer):
    # "him/her", a vendor's billing, coding standards for traffic crashes.
    text = ("Failure to disclose may render him/her liable to dismissal. Works with vendors to address "
            "billing concerns. Knowledge of national coding standards for traffic crashes.")
    assert skill_ids(analyzer.analyze(text)) == set()
    assert "medical_billing" in skill_ids(analyzer.analyze("Handle billing for patient visits."))


def test_entering_data_on_a_database_is_data_entry_not_database_management(analyzer):
    entering = analyzer.analyze("Duties include inputting and updating data on the hospital database.")
    assert "database_management" not in skill_ids(entering)
    assert "data_entry" in skill_ids(entering)
    assert "database_management" in skill_ids(analyzer.analyze("You will maintain the team's databases."))


def test_word_processing_is_typing(analyzer):
    record = analyzer.analyze("Experience of word processing is essential.")
    assert skill_ids(record) == {"typing"}


def test_anti_discriminatory_practice_is_a_duty_not_an_equal_opportunity_statement(analyzer):
    record = analyzer.analyze("Promoting good customer care and anti-discriminatory practice.")
    assert "customer_service" in skill_ids(record)
    statement = analyzer.analyze("We do not discriminate against anyone in our customer care.")
    assert "customer_service" not in skill_ids(statement)


@pytest.mark.parametrize(("text", "absent"), [
    ("Develop new customer-facing initiatives with the product team.", "customer_service"),
    ("Turn app data into insights that improve the customer experience.", "customer_service"),
    ("Proficiency with statistical software packages: SAS, SPSS or R.", "office_software"),
    ("Work with front office executives, scouts and coaches.", "front_desk"),
    ("Supports scoping, scheduling, and budgeting at a project level.", "scheduling"),
    ("Our work reflects the demographic mix of our patients.", "data_entry"),
    ("See below the key dates to diary in the event you are shortlisted.", "scheduling"),
    ("A proven record of successful primary care practice management.", "practice_management"),
    ("Experience with data visualization tools such as Tableau.", "database_management"),
    # Contact details: the person to call is not the job.
    ("Booking, Scheduling and Admin Manager Jane Smith on 0161 922 5663.", "scheduling"),
    ("Putting patient letters into envelopes and posting them.", "medical_documentation"),
    ("A track record in database design, development and management.", "data_entry"),
    ("As part of the assessment process candidates will complete a computer based assessment.", "office_software"),
    ("Maintain an excellent line of communication between the two teams.", "communication"),
    ("DSFS has just over 700 staff in Facilities, Estates, ICT, Patient Records and Switchboard.", "medical_records"),
    # Service with nobody named to serve: not customer service.
    ("You will be a highly motivated individual, committed to service excellence.", "customer_service"),
    ("The post holder must have the drive to provide an excellent service to stakeholders.", "customer_service"),
    ("West Herts are embarking on an Electronic Patient Record programme.", "ehr"),
    ("Questions? Write to the Medical Records team at records.team@example.nhs.uk", "medical_records"),
])
def test_business_wording_is_not_an_office_skill(analyzer, text, absent):
    assert absent not in skill_ids(analyzer.analyze(text))


@pytest.mark.parametrize("code", ["e63c048777424cdc8b99f1de0f0b7989", "REF-X0161922566", "ab0207946012"])
def test_digits_inside_a_code_are_no_telephone_number(analyzer, code):
    """A reference code whose digits look like a number to call leaves its sentence an ask."""
    assert {"front_desk", "ehr"} <= skill_ids(analyzer.analyze(f"Receptionist: SystmOne 1 {code}"))
    assert "ehr" not in skill_ids(analyzer.analyze(f"SystmOne queries: call 0161 922 5663 ({code})."))


def test_word_processing_software_is_office_software(analyzer):
    record = analyzer.analyze("Must be familiar with word processing, spreadsheet, and database applications.")
    assert "office_software" in skill_ids(record) and "typing" not in skill_ids(record)


def test_a_job_boards_qualification_lines_are_asks_even_after_benefits(analyzer):
    text = ("Benefits:\nOn-site parking\nNHS discounts\n"
            "customer service experience: 2 years (Preferred)\nEmis Web 1 year (Preferred)")
    record = analyzer.analyze(text)
    assert {"customer_service", "ehr"} <= skill_ids(record)
    assert by_id(record)["ehr"]["requirement"] == "preferred"


def test_a_pay_transparency_statement_is_boilerplate(analyzer):
    text = ("Greet patients at the front desk.\nEmployees who have access to the compensation "
            "information of other employees cannot disclose it unless in response to a formal "
            "complaint or charge, or in furtherance of an investigation.")
    assert skill_ids(analyzer.analyze(text)) == {"front_desk"}


def test_using_a_database_is_not_managing_one(analyzer):
    record = analyzer.analyze("You must be IT literate, with experience of using databases.")
    assert "database_management" not in skill_ids(record)


def test_compliance_with_privacy_rules_is_privacy_not_law(analyzer):
    record = analyzer.analyze("You will understand patient confidentiality and information governance, "
                              "supporting the team in ensuring compliance.")
    assert "hipaa" in skill_ids(record) and "medical_law_ethics" not in skill_ids(record)


def test_patient_focused_care_is_care_not_customer_service(analyzer):
    record = analyzer.analyze("You must have a passion for supporting excellent patient-focused care.")
    assert "customer_service" not in skill_ids(record)


@pytest.mark.parametrize("name", ["BOILERPLATE", "STATEMENT", "PREFERRED", "REQUIRED"])
def test_cue_expressions_by_first_letter_match_as_written(name):
    """The fast form of each cue expression finds the same spans as the expression as written."""
    from models import context
    from models.evaluation import load_devset
    from models.parsing import parse_posting

    alternatives = getattr(context, name)
    written = re.compile("|".join(alternatives))
    fast = context.by_first_letter(alternatives)
    texts = [parse_posting(item.text).text.lower() for item in load_devset(ROOT / "tests" / "fixtures")]
    texts.append("anti-discriminatory practice; discrimination. the eeo; weeo; 401(k); 401k. "
                 "if you have 2 years: $5 more. you'll be the post holder. candidates welcome, a plus. "
                 "we are an equal opportunity employer and process your personal data.")
    found = 0
    for text in texts:
        spans = [m.span() for m in written.finditer(text)]
        assert [m.span() for m in fast.finditer(text)] == spans
        found += len(spans)
    assert found > 10


def test_cue_words_spare_only_sentences_the_expressions_would_pass():
    """Boilerplate and statement checks that start at the first cue word find what a whole search finds."""
    from models import context
    from models.evaluation import load_devset
    from models.parsing import parse_posting
    from models.text import Sentences, tokenize

    texts = [parse_posting(item.text).text for item in load_devset(ROOT / "tests" / "fixtures")]
    texts.append("Disregard to race. We employ approximately 1,200 staff across 3 sites. Mail me@x.org today. "
                 "Nondiscriminatory hiring. The Trust has over 5,000 colleagues. Keep your data safe.")
    hits = [0, 0, 0, 0]
    for text in texts:
        cues = context.Cues(text, tokenize(text))
        low = text.lower()
        for start, end in Sentences(text, [(0, len(text))]).within(0, len(text)):
            boilerplate = context._BOILERPLATE_LOW.search(low, start, end) is not None
            statement = context._STATEMENT_LOW.search(low, start, end) is not None
            assert cues.boilerplate_in(start, end) == boilerplate, text[start:end]
            assert cues.statement_in(start, end) == statement, text[start:end]
            # A sentence that prefers or negates holds a cue word of its kind.
            if context._PREFERRED_LOW.search(low, start, end):
                assert context._first_between(cues.preferred, start, end) >= 0, text[start:end]
                hits[2] += 1
            if context._NEGATION_WORD.search(low, start, end):
                assert context._first_between(cues.negation, start, end) >= 0, text[start:end]
                hits[3] += 1
            hits[0] += boilerplate
            hits[1] += statement
    assert min(hits) > 10


def test_cue_expressions_need_a_letter_first():
    from models.context import by_first_letter, cue_part

    with pytest.raises(ValueError, match="must start with a plain character"):
        by_first_letter((r"\bone\b", r"(?:two|three)"))
    with pytest.raises(ValueError, match="must start with literal text"):
        cue_part(r"(?:two|three) times")


@pytest.mark.parametrize(("alternative", "head", "part"), [
    (r"\beeo\b", "eeo", "eeo"),
    (r"(?<!anti-)(?<!anti )discriminat", "discriminat", "discriminat"),
    (r"processs? your (?:personal )?data", "process", "process"),
    (r"\bwe offer\b", "we offer", "offer"),
    (r"\b401\s?\(?k\)?", "401", "401"),
    (r"\ba plus\b", "a plus", "plus"),
    (r"@[a-z0-9-]+\.[a-z]", "@", "@"),
])
def test_a_cue_prefilter_is_the_literal_head_of_its_expression(alternative, head, part):
    """The prefilters are derived from the cue expressions: no list to keep in step with them."""
    from models.context import cue_part, literal_head

    assert literal_head(alternative) == head
    assert cue_part(alternative) == part


def test_practice_management_software_beside_its_system(analyzer):
    record = analyzer.analyze("Experience with practice management and EHR systems is required.")
    assert "practice_management" in skill_ids(record)


@pytest.mark.parametrize("text, absent", [
    # The employer's standing with its regulator is not a duty.
    ("The Role:\nThe Trust has an overall CQC rating of good.", "medical_law_ethics"),
    # HIPAA's own rules are HIPAA alone.
    ("Maintains adherence to all HIPAA policies and regulations in the medical office.", "medical_law_ethics"),
    # Keeping records confidential is privacy, not keeping the records.
    ("Maintains strict confidentiality of patients' medical records.", "medical_records"),
])
def test_what_a_sentence_is_about_decides_the_skill(analyzer, text, absent):
    record = analyzer.analyze(text)
    assert absent not in skill_ids(record)


def test_hipaa_regulations_still_make_hipaa_and_a_cqc_duty_still_counts(analyzer):
    assert "hipaa" in skill_ids(analyzer.analyze("Follow HIPAA regulations at all times."))
    record = analyzer.analyze("Main duties:\nSupport the practice in maintaining its Good CQC rating.")
    assert "medical_law_ethics" in skill_ids(record)


@pytest.mark.parametrize("text, found", [
    ("You will need strong IT and communication skills.", True),
    ("Excellent IT, minute and audiotyping skills are essential.", True),
    ("You must have excellent computer, audio and keyboard skills.", True),
    ("Someone who has exceptional IT and record keeping skills.", True),  # items of two words
    ("Strong IT including knowledge of Teams and One Note.", True),
    ("Familiarity with Microsoft systems is a must.", True),
    ("Competent in the use of PC based technologies.", True),
    ("Is it and communication skills that you want?", False),  # "it", not IT
    ("A degree in computer science and analytics skills.", False),
])
def test_it_or_computer_skills_listed_with_others_are_office_software(analyzer, text, found):
    assert ("office_software" in skill_ids(analyzer.analyze(text))) is found


@pytest.mark.parametrize("text, found", [
    ("Adding waiting list entries to Lorenzo and sending out TCI letters.", True),
    ("Picking up booking forms and adding them to Allscripts.", True),
    ("You will add value to the EPR programme.", False),
    ("You will bring added experience to the EPR team.", False),
    # What is entered on a system, in the passive.
    ("Ensure patient information is maintained and updated on the appropriate patient information system.", True),
    ("Make sure accurate and timely data is recorded on the Trust's computerised systems.", True),
    ("Results are captured in SystmOne by the team.", True),
    ("You will be updated on progress by the team.", False),
])
def test_adding_or_entering_on_a_patient_system_is_data_entry(analyzer, text, found):
    assert ("data_entry" in skill_ids(analyzer.analyze(text))) is found


def test_preparing_for_cqc_inspections_is_regulation_but_a_past_inspection_is_not(analyzer):
    record = analyzer.analyze("Duties: keep documentation up to date, preparing for CQC inspections.")
    assert "medical_law_ethics" in skill_ids(record)
    record = analyzer.analyze("Our practice was rated good at its last CQC inspection.")
    assert "medical_law_ethics" not in skill_ids(record)


def test_an_electronic_patient_record_programme_is_not_a_records_duty(analyzer):
    # The longer phrase blocks the EHR, the shorter one inside it the plain records:
    # both are looked up, not only the longest.
    record = analyzer.analyze("Main duties:\nSupport the Trust as it starts an Electronic Patient Record programme.")
    assert not {"ehr", "medical_records"} & skill_ids(record)
    record = analyzer.analyze("Main duties:\nUpdate the electronic patient record and file medical records.")
    assert {"ehr", "medical_records"} <= skill_ids(record)


def test_knowledge_of_medical_coding_is_coding_not_terminology(analyzer):
    assert skill_ids(analyzer.analyze("Advanced knowledge of medical coding procedures.")) == {"medical_coding"}
    assert "medical_terminology" in skill_ids(analyzer.analyze("A knowledge of medical conditions is essential."))


@pytest.mark.parametrize("text, absent", [
    ("Duties:\nThe team consists of 5 GP Partners, as well as reception, admin and secretarial teams.", "front_desk"),
    ("Duties:\nWe have 3 part-time GP partners, 3 practice nurses and a team of receptionists.", "front_desk"),
    ("Duties:\nOur Administration Team is made up of three specialities: Clinical Coding, Patient Records.",
     "medical_coding"),
])
def test_who_the_employer_already_has_is_not_an_ask(analyzer, text, absent):
    assert absent not in skill_ids(analyzer.analyze(text))


def test_managing_the_partners_diaries_is_still_an_ask(analyzer):
    record = analyzer.analyze("Duties:\nYou will manage the diaries of 3 GP partners and work on reception.")
    assert {"scheduling", "front_desk"} <= skill_ids(record)


def test_excel_the_verb_is_not_the_spreadsheet(analyzer):
    assert "office_software" not in skill_ids(analyzer.analyze(
        "Requirements:\nJoin an organisation that excels in quality, safety and patient experience."))
    assert "office_software" in skill_ids(analyzer.analyze("Requirements:\nExperience of word and excel in an office."))


def test_a_listener_is_communication_only_as_a_quality(analyzer):
    assert "communication" in skill_ids(analyzer.analyze("You will need to be an excellent listener."))
    assert "communication" not in skill_ids(analyzer.analyze(
        "Requirements:\nGet a deep understanding of the world of music and listeners."))


@pytest.mark.parametrize("text, found", [
    ("Duties include clinic typing, telephone enquiries and admin.", True),
    ("You will use Bluespier, PAS, CRIS, Dictate I.T. and others.", True),
    ("You will produce written correspondence of a high quality for our patients.", True),
    ("Preparing formal correspondence for the clinical team.", True),
    ("Documents patient encounters, progress, and outcomes.", True),
    # Correspondence outside a posting about patients is not medical.
    ("You will produce written correspondence for our software customers.", False),
    ("Write opinion letters and reports.", False),
    ("Typing letters and reports dictated by the consultants.", True),
])
def test_medical_documentation_written_by_the_worker(analyzer, text, found):
    assert ("medical_documentation" in skill_ids(analyzer.analyze(text))) is found


def test_clinic_typing_is_typing_too(analyzer):
    assert {"typing", "medical_documentation"} <= skill_ids(analyzer.analyze("Duties include clinic typing."))


@pytest.mark.parametrize("text", [
    "All roles require accurate data entry onto the Radiology Information System (RADIS).",
    "Booking outpatient appointments via the HISS Patient System.",
    "Record outcomes of each patient discussion via the Somerset cancer database.",
    "You should be able to use bespoke IT systems such as a clinical portal.",
])
def test_departmental_patient_systems_are_ehr(analyzer, text):
    assert "ehr" in skill_ids(analyzer.analyze(text))


def test_threads_sharing_an_analyzer_get_the_serial_results(analyzer):
    """The interactive worker runs analyses in threads, all with one process-wide analyzer."""
    texts = []
    for path in sorted((ROOT / "tests" / "fixtures").glob("holdout*/*.jsonl"))[:6]:
        texts += [json.loads(line)["description"] for line in path.read_text(encoding="utf-8").splitlines()]
    serial = [analyzer.analyze(t) for t in texts]
    differing: list[int] = []

    def run(first: int) -> None:
        for i in range(first, len(texts), 4):
            for _ in range(2):
                if analyzer.analyze(texts[i]) != serial[i]:
                    differing.append(i)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert differing == []


@pytest.mark.parametrize("text, sid, found", [
    ("If you believe you have good customer service skills with a pleasant manner, then please apply.",
     "customer_service", True),
    ("Please apply for this role if you possess courteous and good communication skills.", "communication", True),
    ("Do you have strong communication skills, and if so please apply today.", "communication", True),
    # Without a condition, "please apply" is how to apply: the employer's, not the job's.
    ("For our customer service awards, please apply online by Friday.", "customer_service", False),
])
def test_please_apply_with_the_candidates_skills_as_its_condition(analyzer, text, sid, found):
    assert (sid in skill_ids(analyzer.analyze(text))) is found


def test_what_we_look_for_opens_the_requirements():
    from models.parsing import classify_heading

    assert classify_heading("What we look for in your application:") == "requirements"
    assert classify_heading("What we look for") == "requirements"
