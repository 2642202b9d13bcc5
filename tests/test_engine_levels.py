"""Requirement levels that follow the posting's structure, and the sections data they come from."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.analysis import Analyzer
from models.evaluation import level_accuracy, load_levelled
from models.parsing import parse_posting
from models.sections import (
    SECTIONS,
    SectionsError,
    classify_heading,
    heading_words,
    load_sections,
    parse_sections,
)

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "levels" / "postings.toml"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.for_skillset()


def levels(analyzer: Analyzer, text: str) -> dict[str, str]:
    record = analyzer.analyze(text)
    return {s["id"]: s["requirement"] for s in record["skills"] + record["extras"]}


def sections(text: str) -> list[tuple[str, str, str]]:
    doc = parse_posting(text)
    return [(b.kind, b.section, doc.text[b.start:b.end]) for b in doc.blocks]


# --- the measure ---------------------------------------------------------------------------


def test_levels_of_us_postings_follow_their_sections(analyzer):
    items = load_levelled(FIXTURE)
    assert len(items) >= 20 and sum(len(i.levels) for i in items) >= 100
    share, misses = level_accuracy(analyzer, items)
    assert share >= 0.90, "\n".join(misses)


# --- headings in any case, with or without a colon, in text and in HTML -------------------------

DUTIES = ["What you will do", "What you'll do", "WHAT YOU WILL DO", "what you will do", "Key duties",
          "Duties", "Responsibilities:", "Essential functions", "A day in the life", "You will be responsible for:",
          "In this role you will", "Primary Responsibilities",
          # Which duties ("Common duties", "Examples of duties"), names that overlap ("your day" and
          # "day to day"), and a class specification's account of the work.
          "Common Duties", "Representative duties", "Examples of Duties", "Your day to day",
          "Position Description", "DEFINITION:", "Distinguishing Characteristics", "Examples of work performed",
          "Series Concept", "Class Concept",
          # Whose duties: the post's, the class's, this level's of a series.
          "Main duties of the post", "Duties and Responsibilities of this Level", "Duties of the Class"]
REQUIRED = ["You'll need", "you will need", "Minimum qualifications:", "EDUCATION/EXPERIENCE", "Must have",
            "Requirements", "What you bring", "Qualifications", "Skills and abilities", "Required:",
            "Knowledge, Skills & Training"]
PREFERRED = ["Preferred qualifications", "Nice to have", "nice-to-haves", "Bonus points", "Pluses",
             "It would be great if you also had", "Desired:", "Desirable", "What would be nice", "Bonus:",
             "PREFERRED"]


@pytest.mark.parametrize(("heading", "kind"), [(h, "responsibilities") for h in DUTIES]
                         + [(h, "requirements") for h in REQUIRED] + [(h, "preferred") for h in PREFERRED])
def test_a_section_name_on_a_line_of_its_own_is_a_heading(heading, kind):
    # "Essential functions" names the duties, but "essential" opens the requirements first: both ask.
    kind = "requirements" if heading == "Essential functions" else kind
    for raw in (f"Intro.\n{heading}\nAnswer the telephone.",
                f"<p>Intro.</p><p>{heading}</p><p>Answer the telephone.</p>",
                f"<p>Intro.</p><p><b>{heading}</b></p><p>Answer the telephone.</p>",
                f"<p>Intro.</p><h3>{heading}</h3><ul><li>Answer the telephone.</li></ul>"):
        assert sections(raw)[1:] == [("heading", kind, heading), (sections(raw)[2][0], kind, "Answer the telephone.")]


@pytest.mark.parametrize(("heading", "kind"), [
    ("The Triage Clinician will:", "responsibilities"),
    ("The Patient Access Representative will:", "responsibilities"),
    ("The successful candidate will:", "requirements"),
    ("Applicants will:", "requirements"),
])
def test_a_heading_that_says_what_the_role_or_the_candidate_will_opens_its_section(heading, kind):
    for raw in (f"Intro.\n{heading}\n- Answer the telephone.",
                f"<p>Intro.</p><h3>{heading}</h3><ul><li>Answer the telephone.</li></ul>"):
        assert sections(raw)[1:] == [("heading", kind, heading), ("item", kind, "Answer the telephone.")]


@pytest.mark.parametrize(("lead_in", "kind"), [
    ("Prior dental experience is required. Responsibilities will include but are not limited to:",
     "responsibilities"),
    ("The Patient Access Representative (Dentistry Call Center) will be responsible for:", "responsibilities"),
    ("We are looking for additional help to run our day to day. These responsibilities include:",
     "responsibilities"),
    ("There is no typical day in veterinary medicine, however, typical tasks include:", "responsibilities"),
    ("The position requires a high degree of accuracy. To fill this position, we are looking for:",
     "requirements"),
])
def test_a_paragraph_whose_last_sentence_leads_into_a_list_opens_its_section(lead_in, kind):
    """The paragraph stays where it stands; its list takes the section, and the section ends with the list."""
    for raw in (f"Intro.\n{lead_in}\n- Answer the telephone.\nWe offer a friendly team.",
                f"<p>Intro.</p><p>{lead_in}</p><ul><li>Answer the telephone.</li></ul>"
                "<p>We offer a friendly team.</p>"):
        assert sections(raw)[1:] == [("para", "other", lead_in), ("item", kind, "Answer the telephone."),
                                     ("para", "other", "We offer a friendly team.")]


def test_a_long_sentence_ending_in_a_colon_is_no_lead_in():
    line = ("Experience with patient registration, insurance verification and scheduling in a busy multi-provider "
            "practice is required for the following duties:")
    assert sections(f"Intro.\n{line}\n- Answer the telephone.")[2][1] == "other"


@pytest.mark.parametrize("line", [
    "Customer service experience", "Knowledge of medical terminology", "Experience with Epic",
    "Experienced", "Scheduling", "Communication", "Plus dental and vision", "Bonus eligible role",
    "Regular attendance", "Standard operating procedures", "Common sense and good judgement", "Training",
])
def test_an_ask_on_a_line_of_its_own_is_not_a_heading(line):
    assert sections(f"Intro.\n{line}\nAnswer the telephone.")[1][0] == "para"


@pytest.mark.parametrize(("heading", "kind"), [
    ("Annual bonus", "benefits"), ("Sign-on bonus", "benefits"), ("What's in it for you", "benefits"),
    ("About Riverside Clinic", "about"), ("Additional skills", "preferred"),
])
def test_classify_heading_reads_us_names(heading, kind):
    assert classify_heading(heading) == kind


# --- levels: duties and asks are required, what is nice to have is preferred ----------------------------


@pytest.mark.parametrize("heading", DUTIES)
def test_duties_are_required(analyzer, heading):
    text = f"Front Desk\n{heading}\n- Greet patients at the front desk\n- Schedule appointments\n"
    assert levels(analyzer, text) == {"front_desk": "required", "scheduling": "required"}


@pytest.mark.parametrize("heading", PREFERRED)
def test_items_under_a_preferred_heading_are_preferred(analyzer, heading):
    text = f"Requirements\n- Customer service experience\n{heading}\n- Epic experience\n- Medical terminology\n"
    found = levels(analyzer, text)
    assert found == {"customer_service": "required", "ehr": "preferred", "medical_terminology": "preferred"}


@pytest.mark.parametrize(("line", "level"), [
    ("Preferred: Epic experience.", "preferred"),
    ("Required: Epic experience.", "required"),
    ("Epic experience a plus.", "preferred"),
    ("Epic experience desired.", "preferred"),
    ("Epic experience preferred.", "preferred"),
    ("Epic experience is nice to have.", "preferred"),
    ("Nice to have: Epic experience.", "preferred"),
])
def test_inline_labels_set_the_level(analyzer, line, level):
    assert levels(analyzer, f"Medical Receptionist\n{line}")["ehr"] == level


@pytest.mark.parametrize(("line", "sid", "level"), [
    ("Skilled in Microsoft Office suite.", "office_software", "required"),
    ("Highly skilled at customer service.", "customer_service", "required"),
    ("Skilled with Epic and Cerner.", "ehr", "required"),
    ("May also perform cashier and customer service functions.", "customer_service", "required"),
    ("May assist with scheduling appointments for patients.", "scheduling", "required"),
    # Neither cue: a bare name, or what the employer may do.
    ("Microsoft Office suite.", "office_software", "unspecified"),
    ("Our clinic may offer customer service training.", "customer_service", "unspecified"),
])
def test_a_skill_the_worker_is_skilled_in_or_may_perform_is_required(analyzer, line, sid, level):
    assert levels(analyzer, f"Medical clinic\n{line}")[sid] == level


@pytest.mark.parametrize("duty", [
    "Welcome patients at the front desk.", "Welcoming patients and visitors to the clinic.",
])
def test_welcoming_patients_is_a_duty_not_a_preference(analyzer, duty):
    assert levels(analyzer, f"Requirements:\n{duty}")["front_desk"] == "required"


@pytest.mark.parametrize(("item", "sid"), [
    ("Build and maintain accurate records in the credentialing database.", "database_management"),
    ("Collaborate with clinics to verify insurance eligibility for new patients.", "insurance_verification"),
    ("Investigate and resolve patient billing complaints.", "customer_service"),
    ("Escalate denied claims to the billing supervisor.", "medical_billing"),
    ("Troubleshoot scheduling system issues for the front desk.", "practice_management"),
    ("Measures, labels, and documents rhythm strips in the Electronic Medical Record.", "ehr"),
    ("Validates insurance eligibility for each patient before the visit.", "insurance_verification"),
])
def test_a_line_under_no_heading_that_starts_with_a_duty_verb_is_required(analyzer, item, sid):
    text = ("Medical clinic\nReports to:\nDirector of Medical Staff Services\nAs a specialist, you will be a "
            f"vital member of our healthcare team.\nScrutinize documentation submitted to us.\n{item}\n"
            "Other duties as assigned.")
    assert levels(analyzer, text)[sid] == "required"


@pytest.mark.parametrize("wording", [
    "You will be responsible for booking admissions using Medway PAS.",
    "You will be responsible for:\n- booking admissions using Medway PAS",
    "Responsibilities\nBooking admissions using Medway PAS.",
    "Key duties\n- book admissions using Medway PAS",
])
def test_a_duty_using_a_system_asks_for_it(analyzer, wording):
    assert levels(analyzer, wording)["ehr"] == "required"


def test_nhs_person_specification_keeps_its_levels(analyzer):
    text = ("<h2>Person Specification</h2><p><strong>Essential</strong></p><p>Audio typing skills</p>"
            "<p><strong>Desirable</strong></p><p>Knowledge of ICD-10</p>"
            "<h3>Essential criteria</h3><ul><li>Knowledge of medical terminology</li></ul>"
            "<h3>Desirable criteria</h3><ul><li>Experience of EMIS</li></ul>")
    assert sections(text)[-2:] == [("heading", "preferred", "Desirable criteria"),
                                   ("item", "preferred", "Experience of EMIS")]
    found = levels(analyzer, text)
    assert found == {"typing": "required", "medical_documentation": "required", "medical_coding": "preferred",
                     "medical_terminology": "required",
                     "ehr": "preferred"}


# --- the data file ---------------------------------------------------------------------------------


def test_heading_words_spell_out_contractions():
    assert heading_words("What You\u2019ll Need & Bring:") == "what you will need and bring"
    assert heading_words("NICE-TO-HAVES") == "nice to haves"


def test_every_section_kind_of_the_engine_is_in_the_data():
    kinds = [k.kind for k in load_sections().kinds]
    for kind in ("eeo", "values", "privacy", "benefits", "apply", "preferred", "requirements",
                 "responsibilities", "about"):
        assert kind in kinds
    assert SECTIONS is load_sections()


VALID = '''filler = ["the"]

[[sections]]
kind = "preferred"
level = "preferred"
names = ["nice to have"]
'''


@pytest.mark.parametrize(("text", "message"), [
    (VALID.replace('"nice to have"', '"nice to have", "you\'ll need"'), "line 6: name \"you'll need\""),
    (VALID.replace('"nice to have"', '"Nice To Have"'), "line 6: name 'Nice To Have'"),
    (VALID.replace('level = "preferred"', 'level = "optional"'), "line 4 (section 1 'preferred'): level must be"),
    (VALID.replace('kind = "preferred"', 'kind = "Preferred"'), "line 4 (section 1 'Preferred'): 'kind'"),
    (VALID.replace('names = ["nice to have"]', 'names = []'), "must list at least one heading name"),
    (VALID.replace('names = ["nice to have"]', 'names = ["x"]\nwords = ["y"]'), "unknown key(s) ['words']"),
    (VALID + VALID.split("\n", 2)[2], "line 8 (section 2 'preferred'): duplicate kind"),
    (VALID.replace('level = "preferred"', 'boilerplate = true\nlevel = "preferred"'), "takes no level"),
    (VALID.replace('filler = ["the"]', 'filler = "the"'), "line 1: 'filler' must be a list"),
    ("[[sections]\n", "sections.toml"),
])
def test_a_malformed_sections_file_names_the_line(text, message):
    with pytest.raises(SectionsError) as err:
        parse_sections(text)
    assert message in str(err.value)
    assert str(err.value).startswith("sections.toml")


def test_a_valid_sections_file_is_read():
    parsed = parse_sections(VALID)
    assert parsed.classify("Nice-to-have") == "preferred"
    assert parsed.is_name("Nice to have") and not parsed.is_name("Nice to have Epic")


# --- duties without a heading ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "sid"), [
    ("Maintains strict confidentiality in accordance with HIPAA.", "hipaa"),
    ("Enters physician orders into the electronic health record.", "ehr"),
    ("Greets patients and visitors.", "front_desk"),
    ("Verifies insurance before each visit.", "insurance_verification"),
    ("Processes co-pays at check-in.", "front_desk"),
    ("- Greet patients\n- Schedule appointments", "front_desk"),
    ("- Greeting patients\n- Scheduling appointments", "front_desk"),
    ("To greet patients at reception in a helpful manner.", "front_desk"),  # how UK postings list duties
    ("To provide a reception service using EMIS.", "ehr"),
    # The plain form opens a duty in a paragraph too, and an adverb may come first.
    ("Greet patients.", "front_desk"),
    ("Assist pharmacists in charging and maintaining patient records.", "medical_records"),
    ("Search MPI at time of registration for an existing medical record number.", "medical_records"),
    ("Accurately inputs data from various sources into the billing system.", "data_entry"),
    ("Consistently exhibits excellence in patient/customer service.", "customer_service"),
    ("Exercise courtesy, tact and diplomacy in dealing with others.", "communication"),
    ("Understand medical terms, abbreviations and symbols used in charting.", "medical_terminology"),
    ("Performing an audit of patient charts each week.", "medical_records"),
    ("This includes maintaining patient charts and utilizing various computer systems.", "medical_records"),
])
def test_a_sentence_that_starts_with_a_duty_asks_for_it(analyzer, text, sid):
    assert levels(analyzer, text)[sid] == "required"


@pytest.mark.parametrize(("text", "sid"), [
    ("Assigned to different work areas to maximize customer service.", "customer_service"),
    ("Work is highly confidential and involves the skilled use of a computer.", "office_software"),
    ("These functions include referral processing and new patient scheduling.", "scheduling"),
    ("The function of the technician is to establish the payment source and set up a payment plan.",
     "medical_billing"),
])
def test_a_class_specification_states_duties_in_its_own_words(analyzer, text, sid):
    assert levels(analyzer, text)[sid] == "required"


@pytest.mark.parametrize(("text", "sid"), [
    ("Our clinic was assigned a new Epic build last year.", "ehr"),
    ("The clinic's functions were moved to Epic.", "ehr"),
])
def test_words_near_a_class_specification_cue_are_not_one(analyzer, text, sid):
    assert levels(analyzer, text)[sid] == "unspecified"


@pytest.mark.parametrize(("text", "sid"), [
    ("Patient Financial Services\nDuties and responsibilities\nAuthorization, Eligibility, And Collections:\n"
     "- Ensures prior authorizations are in place\n- Reviews patient balances", "insurance_verification"),
    ("<h2>Essential Functions</h2><h3>Patient Registration</h3><p>Patient registration in Epic.</p>", "ehr"),
    ("Job Description\nDEFINITION:\nSome positions schedule and register patients.", "scheduling"),
    ("Requirements\nSystems:\n- Epic", "ehr"),
])
def test_a_heading_of_no_kind_keeps_the_section_it_stands_in(analyzer, text, sid):
    assert levels(analyzer, text)[sid] == "required"


def test_a_heading_of_no_kind_after_no_section_leaves_the_level_to_the_sentence(analyzer):
    assert levels(analyzer, "Acme Clinic\nDenver office:\nPatient registration in Epic.")["ehr"] == "unspecified"
    text = "Duties\n- Greet patients\nAbout us\nClinic systems:\nOur clinic runs Epic."
    assert levels(analyzer, text)["ehr"] == "unspecified"


@pytest.mark.parametrize(("text", "sid"), [
    ("Records are scanned into Epic.", "ehr"),  # a noun, not a verb
    # A plain form that is as often a noun counts only at the start of a list item.
    ("Post holders use EMIS daily.", "ehr"),
    ("Document imaging is done in Epic.", "ehr"),
    ("Schedule flexibility matters more than Epic.", "ehr"),
    # An -ing form opens a duty in a paragraph only before "a", "an", "all", "each"...
    ("Scheduling software such as Epic is used by our staff.", "ehr"),
    ("Taking the lead on our Epic roll-out was the trust's aim.", "ehr"),
    ("This includes Epic and Cerner.", "ehr"),
    ("Greeting patients is what our front desk team does.", "front_desk"),  # so does the -ing form
    ("We would love to hear from you if you:\n- know EMIS", "ehr"),  # not a "nice to have" heading
    ("About us\nServes patients with Epic across three counties.", "ehr"),  # the employer's own
])
def test_what_only_looks_like_a_duty_is_not_one(analyzer, text, sid):
    assert levels(analyzer, text)[sid] == "unspecified"


def test_the_duty_verbs_file_names_a_bad_line():
    from models.duties import DUTY_VERBS, DUTY_VERBS_THIRD_PERSON, load_duty_verbs

    assert {"greets", "verifies", "processes", "enters"} <= DUTY_VERBS_THIRD_PERSON and "greet" in DUTY_VERBS
    assert load_duty_verbs("# verbs\ngreet\n\nenter  # a comment\n") == {"greet", "enter"}
    assert load_duty_verbs("greet\npost noun\n", nouns=True) == {"post"}
    with pytest.raises(ValueError, match=r"line 1: 'post verb' is not one lower-case word"):
        load_duty_verbs("post verb\n")
    with pytest.raises(ValueError, match=r"duty-verbs.txt, line 3: 'Check in' is not one lower-case word"):
        load_duty_verbs("greet\nenter\nCheck in\n")


# --- a sentence that states both levels ------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Medical terminology required, ICD-10 knowledge preferred.",
     {"medical_terminology": "required", "medical_coding": "preferred"}),
    ("Qualifications\nStrong customer service skills, Epic experience a plus.",
     {"customer_service": "required", "ehr": "preferred"}),
    ("Qualifications\nMust have medical terminology; Epic preferred.",
     {"medical_terminology": "required", "ehr": "preferred"}),
    ("Requirements\nExperience with Epic, Cerner, or Athena preferred; HIPAA training required.",
     {"ehr": "preferred", "hipaa": "required"}),
    ("Preferred: Epic, Cerner and medical terminology.", {"ehr": "preferred", "medical_terminology": "preferred"}),
    ("CPC preferred but not required.", {"coding_certification": "preferred"}),
    # A list run together, its items joined without punctuation: the cue ends its item.
    ("Qualifications\nBilling experience required, cardiology experience preferred Demonstrated expertise in "
     "medical terminology.", {"medical_billing": "required", "medical_terminology": "required"}),
    ("Qualifications\nEpic experience preferred Knowledge of HIPAA required.",
     {"ehr": "preferred", "hipaa": "required"}),
    # Not a cue before its noun: "preferred Qualifications" is no run-together list.
    ("Requirements\nDiploma required. The preferred candidate knows Epic.", {"ehr": "preferred"}),
])
def test_each_clause_keeps_its_own_level(analyzer, text, expected):
    assert levels(analyzer, text) == expected


@pytest.mark.parametrize(("text", "level"), [
    ("Requirements\nCustomer service experience plus knowledge of Epic.", "required"),  # "plus" as "and"
    ("Requirements\nEpic experience is a big plus.", "preferred"),
    ("Requirements\nEpic experience a plus.", "preferred"),
    ("Requirements\nEpic (plus)", "preferred"),
])
def test_plus_prefers_only_as_a_verdict(analyzer, text, level):
    assert levels(analyzer, text)["ehr"] == level


@pytest.mark.parametrize("text", [
    "Requirements\n- Six months clerical training with three courses in subjects such as keyboarding, word "
    "processing, spreadsheets or database may be substituted for six months of the required experience.",
    "Requirements\n- Completion of a course in medical terminology can be substituted for one year of experience.",
])
def test_an_alternative_route_to_the_requirements_asks_nothing(analyzer, text):
    assert not levels(analyzer, text)


def test_a_requirement_beside_an_alternative_route_is_still_asked(analyzer):
    text = ("Requirements\n- One year of experience in medical terminology.\n"
            "- Six months of keyboarding training may be substituted for the required experience.")
    assert levels(analyzer, text) == {"medical_terminology": "required"}


@pytest.mark.parametrize("heading", ["II. Duties And Responsibilities", "III. Job Summary", "B) Essential Functions"])
def test_a_numbered_section_name_is_a_heading(analyzer, heading):
    text = f"Registrar\nI. About Us\nWe are a hospital.\n{heading}\nRegistration data entered into Epic."
    assert levels(analyzer, text)["ehr"] == "required"


@pytest.mark.parametrize("line", ["I. Love working with patients in Epic", "Inc. Epic users group"])
def test_a_numbered_line_of_other_words_is_not_a_heading(line):
    assert not [k for k, _, t in sections(f"Registrar\n{line}\nMore text.") if k == "heading" and t == line]


@pytest.mark.parametrize(("text", "expected"), [
    ("Previous experience in data entry, medical insurance, accounting, and/or collections preferred.",
     {"data_entry": "preferred"}),
    ("Experience with medical billing, coding, scheduling or reception preferred.",
     {"medical_billing": "preferred", "medical_coding": "preferred", "scheduling": "preferred",
      "front_desk": "preferred"}),
])
def test_the_head_of_a_list_takes_the_lists_preference(analyzer, text, expected):
    found = levels(analyzer, f"Requirements\n- {text}")
    assert expected.items() <= found.items() and set(found.values()) == {"preferred"}


@pytest.mark.parametrize(("text", "expected"), [
    # Two clauses are no list: the first keeps the section's level.
    ("Strong customer service skills, Epic a plus.", {"customer_service": "required", "ehr": "preferred"}),
    # A long clause in the middle ends the list.
    ("Experience in medical billing, two years of scheduling in a busy clinic, Epic or Cerner preferred.",
     {"medical_billing": "required", "scheduling": "required", "ehr": "preferred"}),
])
def test_a_clause_that_heads_no_list_keeps_its_level(analyzer, text, expected):
    assert levels(analyzer, f"Requirements\n- {text}") == expected


@pytest.mark.parametrize("sentence", [
    "Under general direction, incumbents serve in a secretarial capacity using a wide variety of medical terminology.",
    "Under direction performs medical terminology checks on dictated reports.",
    "Under close supervision of the Office Manager, uses medical terminology in clinic letters.",
])
def test_a_class_specifications_supervision_lead_in_describes_its_duties(analyzer, sentence):
    assert levels(analyzer, f"Medical Secretary\n{sentence}")["medical_terminology"] == "required"
