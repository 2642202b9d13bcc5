"""Classes of wording a skill must be found in, each tested over several wordings, and its evidence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from models.analysis import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.for_skillset()


def found(analyzer: Analyzer, text: str) -> dict[str, dict]:
    record = analyzer.analyze(text)
    return {s["id"]: s for s in record["skills"] + record["extras"]}


@pytest.mark.parametrize("duty", [
    "Schedule follow-up visits for patients.",
    "Schedules follow up visits with the physician.",
    "Scheduling new patient consults.",
    "Schedules consults and procedures for the clinic's patients.",
    "Book outpatient procedures for patients.",
    "Reschedules patient exams when a provider is out.",
    "Arranges follow-ups for patients after discharge.",
])
def test_appointments_by_another_name_are_scheduling(analyzer, duty):
    assert found(analyzer, f"Duties\n- {duty}")["scheduling"]["requirement"] == "required"


@pytest.mark.parametrize("not_scheduling", [
    "Schedule site visits with clients.",  # no patient, clinic or doctor in the posting
    "Book a visit to see our site.",
])
def test_visits_outside_a_clinic_are_not_scheduling(analyzer, not_scheduling):
    assert "scheduling" not in found(analyzer, f"Duties\n- {not_scheduling}")


@pytest.mark.parametrize("duty", [
    "Enters physician orders into the electronic health record.",
    "Enter orders in the electronic medical record.",
    "Documents patient visits in the EHR.",
    "Updates patient charts in the EMR.",
    "Inputs referrals into Epic.",
    "Records vital signs in the electronic health record (EHR) system.",
])
def test_a_verb_and_an_ehr_is_the_ehr_and_a_duty(analyzer, duty):
    assert found(analyzer, f"Job duties\n{duty}")["ehr"]["requirement"] == "required"


@pytest.mark.parametrize("duty", [
    "Communicates with patients and visitors, greeting them upon arrival.",
    "Greets each patient warmly on arrival.",
    "Welcomes visitors on arrival and directs them.",
    "Welcoming patients upon their arrival at the practice.",
    "Greet and check patients in.",
])
def test_greeting_patients_on_arrival_is_the_front_desk(analyzer, duty):
    assert found(analyzer, f"Duties\n{duty}")["front_desk"]["requirement"] == "required"


@pytest.mark.parametrize(("item", "sid"), [
    ("Communication", "communication"),
    ("communication", "communication"),
    ("Written communication", "communication"),
    ("Customer service", "customer_service"),
    ("Typing", "typing"),
    ("Scheduling", "scheduling"),
    ("Data entry", "data_entry"),
])
def test_a_bare_item_that_is_a_skills_name_is_that_skill(analyzer, item, sid):
    for raw in (f"Skills\n- {item}\n- Teamwork", f"<h3>Skills</h3><ul><li>{item}</li><li>Teamwork</li></ul>"):
        assert found(analyzer, raw)[sid]["requirement"] == "required"


def test_communication_named_in_a_sentence_is_not_a_bare_item(analyzer):
    assert "communication" not in found(analyzer, "Duties\n- Handle communication with suppliers")


@pytest.mark.parametrize("wording", [
    "CMAA", "CMAA certification", "cmaa certification", "CMAA-certified",
    "Certified Medical Administrative Assistant", "certified medical administrative assistant (CMAA)",
    "Certified Medical Administrative Assistant (CMAA) through the NHA",
    "NHA Certified Medical Administrative Assistant credential",
    "Medical Administrative Assistant certification",
])
def test_the_cmaa_counts_as_the_cmaa_only(analyzer, wording):
    skills = found(analyzer, f"Requirements\n- {wording} required")
    assert "cmaa" in skills and "ma_certification" not in skills


@pytest.mark.parametrize(("text", "sid", "chip"), [
    ("Working knowledge of medical terminology", "medical_terminology", "knowledge of medical terminology"),
    ("Requirements: knowledge of medical terminology and anatomy", "medical_terminology",
     "knowledge of medical terminology"),
])
def test_touching_evidence_of_one_skill_is_one_chip(analyzer, text, sid, chip):
    evidence = found(analyzer, text)[sid]["evidence"]
    assert [e["text"] for e in evidence] == [chip]
    assert text[evidence[0]["start"]:evidence[0]["end"]] == chip


def test_evidence_of_one_skill_far_apart_stays_apart(analyzer):
    text = "Requirements: Epic experience. We use Epic daily."
    assert [e["text"] for e in found(analyzer, text)["ehr"]["evidence"]] == ["Epic", "Epic"]


# What any trade's posting says besides: a posting this long is judged by its trade
# (models/data/trades.toml), a shorter one is not.
_ANY_TRADE = (
    "\nWork evenings, weekends and holidays as the schedule requires; lift up to 25 pounds; stand for "
    "long periods; follow all policies and procedures; other duties as assigned by the manager on duty. "
    "Must be reliable and punctual."
)


def test_a_one_line_posting_is_not_judged_by_its_trade(analyzer):
    assert "ehr" in found(analyzer, "Inputs referrals into Epic.")
    assert "ehr" not in found(analyzer, "Bank Teller\nInputs loan referrals into Epic." + _ANY_TRADE)


@pytest.mark.parametrize("posting", [
    "Front Desk Agent\nResponsibilities\n- Check-in and check-out of hotel guests.\n"
    "- Answer guest questions at the front desk.\n- Greet guests on arrival at the hotel.",
    "Night Auditor\nReports to: Front Office Manager\n- Assist with check-in of guests.\n"
    "- Balance the hotel's guest accounts and room revenue at the front desk.",
    "Host/Hostess\n- Greets and welcomes guests upon arrival.\n- Seats guests at their table in the "
    "restaurant and hands out menus.\n- Takes reservations and schedules guests' tables.",
])
def test_a_hotel_or_restaurant_front_desk_is_not_patient_reception(analyzer, posting):
    skills = found(analyzer, posting + _ANY_TRADE)
    assert "front_desk" not in skills and "scheduling" not in skills


@pytest.mark.parametrize("posting", [
    "Collections Specialist\nResolve customer billing issues and reduce accounts receivable delinquency. "
    "Make outbound collection calls. Maintain strict confidentiality of account information.",
    "Bank Teller\nProcess deposits and loan payments for bank customers. Handle billing questions. "
    "Follow the bank's compliance requirements and regulations.",
])
def test_billing_and_confidentiality_in_other_trades_are_not_medical(analyzer, posting):
    skills = found(analyzer, posting + _ANY_TRADE)
    medical = {s.id for s in analyzer.skillset.skills if s.medical}
    assert not medical & set(skills)


@pytest.mark.parametrize("wording", [
    "Provide courteous guest service to every caller.",
    "Deliver exceptional guest services during the overnight shift.",
    "Increase guest satisfaction through efficient service.",
    "Provide excellent service to members at the branch.",
])
def test_guest_service_is_customer_service(analyzer, wording):
    assert "customer_service" in found(analyzer, f"Responsibilities\n- {wording}")


@pytest.mark.parametrize("duty", [
    "Post insurance and patient payments into the practice management system.",
    "Responsible for posting payments from insurance payers and patients.",
    "Audit patient accounts, verification of patient balances versus insurance balance.",
    "Notify the manager of patient account and insurance issues.",
])
def test_insurance_payments_are_not_insurance_verification(analyzer, duty):
    assert "insurance_verification" not in found(analyzer, f"Patient clinic job.\nDuties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Registration includes the collection of demographic and billing data for the patient.",
    "Collect data for outside billing sources and obtain accurate billing addresses.",
    "Identify all true self-pay patients and forward them to Medicaid eligibility staff.",
    "Under the direction of the Financial Counseling Supervisor, meet patients in the clinic.",
])
def test_registration_and_counselling_are_not_medical_billing(analyzer, duty):
    assert "medical_billing" not in found(analyzer, f"Patient Access\nDuties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Obtains current and accurate demographics and insurance information from patients.",
    "Responsible for the accurate collection of patient demographic and financial information.",
    "Confirm insurance and demographic information with the patient.",
])
def test_collecting_demographics_from_patients_is_not_data_entry(analyzer, duty):
    assert "data_entry" not in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Enters required information into the Meditech system for each patient.",
    "Enter requests for authorization accurately within UM systems.",
    "Recording each patient visit within the scheduling system.",
])
def test_entering_information_into_a_named_system_is_data_entry(analyzer, duty):
    assert "data_entry" in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize(("title", "duty"), [
    ("Payment Poster", "Post co-pays and insurance payments from the front desk's daily log."),
    ("Cash Posting Specialist", "Verify receipt of end of day totals report (co pay log sheets) from the clinics."),
    ("Authorization Coordinator", "Communicate co-payments to front office coordinators for each patient."),
    ("Billing Specialist", "Review and update patient registration information as needed."),
])
def test_copays_and_the_front_desk_in_back_office_roles_are_not_front_desk(analyzer, title, duty):
    record = analyzer.analyze(f"Duties\n- {duty}\n- Work with patients' accounts at the clinic." + _ANY_TRADE,
                              title=title)
    assert "front_desk" not in {s["id"] for s in record["skills"]}


def test_a_front_office_word_in_the_title_keeps_the_front_desk(analyzer):
    record = analyzer.analyze("Duties\n- Greet patients at the front desk and collect co-pays." + _ANY_TRADE,
                              title="Front Office Specialist and Medical Biller")
    assert "front_desk" in {s["id"] for s in record["skills"]}


@pytest.mark.parametrize("duty", [
    "Respond to guest inquiries about opening hours and reservations.",
    "Resolve customer complaints promptly and courteously.",
    "Answer member inquiries at the branch counter.",
])
def test_inquiries_and_complaints_of_guests_and_customers_are_customer_service(analyzer, duty):
    assert "customer_service" in found(analyzer, f"Responsibilities\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Adheres to all laws, regulations, and hospital policies on handling medications.",
    "Complies with all laws and regulations of the hospital pharmacy.",
    "Ensure compliance with pertinent laws and regulations in the hospital billing office.",
])
def test_laws_a_healthcare_worker_follows_are_medical_law(analyzer, duty):
    assert "medical_law_ethics" in found(analyzer, f"Duties\n- {duty}")


def test_contacting_someone_elses_customer_service_is_not_customer_service(analyzer):
    assert "customer_service" not in found(analyzer, "Duties\n- Contact customer service at banks to find missing "
                                                     "remittance advice for the clinic's payments.")


@pytest.mark.parametrize("duty", [
    "Manage the Director's diary and arrange board meetings.",
    "Diary management for the Chief Executive and the senior management team.",
    "Manage diaries of the practice managers.",
])
def test_the_diary_of_a_director_or_manager_is_not_appointment_scheduling(analyzer, duty):
    assert "scheduling" not in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Prepare meeting agendas, materials and correspondence for the medical staff committees.",
    "Send appropriate letters to insurance companies about unpaid accounts.",
])
def test_a_secretarys_correspondence_and_letters_are_medical_documentation(analyzer, duty):
    assert "medical_documentation" in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Responsible for accurately registering all Inpatient and Outpatient Patient Types.",
    "Registers new and returning patients in the emergency department.",
])
def test_registering_patients_by_other_words_is_the_front_desk(analyzer, duty):
    assert "front_desk" in found(analyzer, f"Duties\n- {duty}")


def test_a_pattern_that_starts_inside_a_word_is_tried_where_the_word_stands(analyzer):
    """"regist(?:er|ration of)" starts words whose stems are not "regist": no leading word is assumed."""
    from models.phrases import leading_words

    assert leading_words(r"\bregist(?:er|ration of)\s+patients\b") == frozenset()
    assert leading_words(r"\b(?:input|enter)\s+data") == frozenset({"input", "enter"})
    # Nor where a class continues the word: "(?:prepar|complet)[a-z]*" starts "preparing".
    assert leading_words(r"\b(?:prepar|complet)[a-z]*\s+forms") == frozenset()
    assert leading_words(r"\bprocess\w+") == leading_words(r"\bprocess[\w-]+") == frozenset()
    assert leading_words(r"\bthird[- ]party\b") == frozenset({"third"})
    assert "medical_documentation" in found(analyzer, "Duties\n- Assists patients in preparing, completing, and "
                                                      "processing Medi-Cal and other health applications.")


@pytest.mark.parametrize("duty", [
    "Re-files claims with Medicare, Medicaid and commercial payers.",
    "Responsible for the billing of Medicare and Medicaid to the appropriate intermediary.",
    "Timely collection of account balances from Medicare and private insurance carriers.",
    "Follows up on claims denied by insurance carriers or paid incorrectly.",
    "Sends bills to patients and insurance companies.",
    "Maintain adherence to payer-specific remittance rules, including those for Medicare and Medicaid.",
])
def test_a_payer_named_in_billing_work_is_not_insurance_verification(analyzer, duty):
    assert "insurance_verification" not in found(analyzer, f"Patient accounts.\nDuties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Knowledge of Medicare, Medicaid and commercial payers.",
    "Contact insurance companies to obtain authorizations for testing.",
    "Verify Medicaid eligibility at registration.",
    "Identify coordination of benefits for patients with two plans.",
])
def test_a_payer_named_outside_billing_work_is_insurance_verification(analyzer, duty):
    assert "insurance_verification" in found(analyzer, f"Patient access.\nDuties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Department: Revenue Cycle Patient Access.",
    "The specialist belongs to the Revenue Cycle team of the hospital.",
    "Patient access specialists directly impact the revenue cycle by registering patients accurately.",
    "Works closely with scheduling, clinical, and billing teams at the hospital.",
    "Collaborate with clinical teams and billing departments on patient flow.",
    "Ensure patient data integrity for billing and clinical purposes.",
    "Verify insurance coverage for patients using payer portals and clearinghouses.",
])
def test_the_revenue_cycle_and_others_billing_are_not_medical_billing(analyzer, duty):
    assert "medical_billing" not in found(analyzer, f"Patient Access\nDuties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Submit clean claims to the clearinghouse daily.",
    "Responsible for patient billing and collections at the clinic.",
    "Work closely with providers to resolve claim denials.",
])
def test_billing_work_is_still_medical_billing(analyzer, duty):
    assert "medical_billing" in found(analyzer, f"Billing office\nDuties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Obtains current and accurate demographics and insurance information to register patients.",
    "Registering patients for appointments in the emergency department.",
    "Completes thorough and accurate registration of patients including insurance verification.",
])
def test_registering_patients_is_the_front_desk_not_data_entry(analyzer, duty):
    skills = found(analyzer, f"Duties\n- {duty}")
    assert "front_desk" in skills and "data_entry" not in skills


@pytest.mark.parametrize("duty", [
    "To undertake the registration of patients and the inputting of their details using the computer system.",
    "Registering patients on the practice computer system.",
    "Responsible for the accurate collection and entry of demographic and financial patient information.",
    "Collection and entry of information of demographic and billing data.",
])
def test_registration_beside_the_system_and_entry_of_data_are_data_entry(analyzer, duty):
    assert "data_entry" in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Pre-registration and pre-certify outpatients by obtaining demographic information.",
    "Related experience in hospital registration preferred.",
    "Manage the functions of scheduling, outpatient registration and emergency room registration.",
    "Ensure complete and accurate registration, including patient demographics.",
    "Accepts patient payments at time of registration and/or at check-out.",
])
def test_registration_by_its_kinds_is_the_front_desk(analyzer, duty):
    assert "front_desk" in found(analyzer, f"Patient access\nDuties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Train and audit front desk staff on third-party payer processes.",
    "Collaborate with front office staff to implement new payer contracts.",
    "Communicate relevant information to the front desk team and patients.",
])
def test_the_front_desk_as_colleagues_is_not_the_front_desk(analyzer, duty):
    assert "front_desk" not in found(analyzer, f"Patient financial coordinator\nDuties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "This role involves maintaining effective communication with referring providers.",
    "Ensure good communication between all internal and external parties.",
    "Responsible for fostering excellent communication and working relationships amongst the teams.",
    "Meets the needs of the patient by using clear and respectful communication.",
    "Ensuring a high level of service through effective and timely communication.",
    "Establishes and maintains good interpersonal relationships with patients and co-workers.",
    "Answers the telephone with proper telephone etiquette.",
])
def test_communication_that_is_part_of_the_work_is_not_the_skill(analyzer, duty):
    assert "communication" not in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("ask", [
    "Excellent communication skills.",
    "Good communication with patients and staff is essential.",
    "Must have strong verbal and written communication.",
    "Ability to interact and communicate with people effectively over the telephone.",
    "Able to listen and communicate clearly with patients.",
    "Effective communication is required in this role.",
    "You will need to have excellent commucation skills.",  # misspelt: the matcher's
])
def test_communication_asked_of_the_worker_is_the_skill(analyzer, ask):
    assert "communication" in found(analyzer, f"Requirements\n- {ask}")


def test_a_pattern_may_start_with_several_lookbehinds():
    from models.phrases import leading_words

    assert leading_words(r"(?<!ensure )(?<!using )\b(?:good|clear)\b") == frozenset({"good", "clear"})


@pytest.mark.parametrize(("pattern", "flags", "within", "starts"), [
    # Of a sequence's runs of literal text, the rarest (the longest shortest string).
    (r"\bcharts?\s+(?:[\w-]+\s+){0,2}?(?:findings|vital signs)\b", re.I, {"findings", "vital signs"}, {"chart"}),
    # Short alternatives and optional letters are joined with the text around them; a string
    # that holds another ("inputs", "input") is left out.
    (r"(?:very )?good\s+\w+", re.I, {"good"}, {"good", "very good"}),
    (r"\b(?:input|inputs|enter)\s+data", re.I, {"input", "enter"}, {"input", "enter"}),
    (r"\bteam[- ]work(?:ing)?\b", re.I, {"team work", "team-work"}, {"team work", "team-work"}),
    # Case: a case-blind expression's text is lower-cased, a case-sensitive one's kept.
    (r"\bIT\s+Skills", re.I, {"skills"}, {"it"}),
    (r"\bIT\s+Skills", 0, {"Skills"}, {"IT"}),
    (r"(?i)\bIT\s+Skills", 0, {"skills"}, {"it"}),
    # A branch: every alternative's text; the heads of a look-behind are not the match's.
    (r"(?:(?<=typing )|(?<=type ))minutes\b", re.I, {"minutes"}, {"minutes"}),
    (r"\b(?:greet|welcom)(?:e|ed)?\b[^.;\n]{0,60}?\bon arrival", re.I, {"on arrival"}, {"greet", "welcom"}),
    # Nothing to go on: no literal text, an optional or repeated start, text outside ASCII.
    (r"\b\d{2,3}\s*\w+", re.I, None, None),
    (r"(?:very\s+)?good\s+\w+", re.I, {"good"}, None),
    (r"\u2019s\s+\w+", re.I, {"s"}, None),
    (r"(?:ab|\w)c", re.I, {"c"}, None),
])
def test_what_every_match_of_a_pattern_holds_is_read_from_the_pattern(pattern, flags, within, starts):
    from models.phrases import literals

    found = literals(re.compile(pattern, flags))
    assert found.within == (frozenset(within) if within else None)
    assert found.starts == (frozenset(starts) if starts else None)


def test_skipping_patterns_on_their_literals_finds_what_scanning_every_posting_finds(analyzer):
    """The labelled postings and the odd cases: every pattern's matches, found by scanning them
    whole, are the pattern mentions the engine finds."""
    from models.evaluation import load_devset
    from models.parsing import parse_posting
    from models.text import tokenize

    finder = analyzer.extractor
    fixtures = Path(__file__).parent / "fixtures"
    items = load_devset(fixtures) + load_devset(fixtures / "uk_dev4", None, "*.jsonl")
    for folder in sorted(fixtures.glob("us_*")):  # every US set
        if folder.is_dir():
            items += load_devset(folder, None, "*.jsonl")
    texts = [parse_posting(item.text).text for item in items]
    # A dotless "\u0131" that an expression ignoring case takes for "i" and lower-casing keeps, an
    # "\u0130" that lower-cases to two characters: the lower-cased text cannot stand for these.
    texts += ["Skills: data entry, IT and computer skills, team-work.",
              "Commun\u0130cation, typing and IT skills; computer skills.",
              "Excellent commun\u0131cation and wr\u0131ting skills.",
              # A pattern whose first word a class continues: "(?:prepar|complet)[a-z]*".
              "Assists patients in preparing, completing, and processing Medi-Cal and other health applications."]
    for text in texts:
        toks = tokenize(text)
        leading = [i for i, f in enumerate(finder.word_facts(toks)) if f.leading]
        got = sorted((m.skill.id, m.start, m.end) for m in finder._pattern_mentions(text, toks.stems, toks.starts,
                                                                                      leading))
        want = sorted(
            (entry.skill.id, m.start(), m.end())
            for pattern, entry, _, _ in finder.patterns
            if not entry.context_re or entry.context_re.search(text)
            for m in pattern.finditer(text)
        )
        assert got == want, text[:200]


@pytest.mark.parametrize(("text", "sid"), [
    ("Financial Screening Specialist (PAS Resource Specialist)\nScreens patients for financial assistance.", "ehr"),
    ("Admitting Specialist (PAS Specialist)\nGreets and registers patients.", "ehr"),
    ("Financial Specialist (PAS-R)\nProcesses financial allowance applications for patients.", "ehr"),
    ("Appointment type: Permanent\nMedical records technician for the clinic's patients.", "scheduling"),
    ("Responds to patient requests for sliding fee applications, by appointment or walk-ins.", "scheduling"),
    ("Maintain up-to-date patient account records and records of payment activities.", "medical_records"),
    ("Cash Posting Associate\nHealthcare experience: Preferred. Posts patient payments.", "customer_service"),
    ("Requires 3 years of healthcare experience with patients.", "customer_service"),
])
def test_names_of_roles_and_other_records_are_not_the_skill(analyzer, text, sid):
    assert sid not in found(analyzer, text)


@pytest.mark.parametrize(("text", "sid"), [
    ("Registers patients in PAS and keeps their records up to date.", "ehr"),
    ("Schedules patient appointments for the clinic.", "scheduling"),
    ("Maintains patient records and files charts.", "medical_records"),
    ("Responsible for starting each patient's healthcare experience with a warm welcome.", "customer_service"),
])
def test_the_skill_itself_is_still_found(analyzer, text, sid):
    assert sid in found(analyzer, f"Duties\n- {text}")


@pytest.mark.parametrize("duty", [
    "Assisting patients with questions regarding payments on their accounts.",
    "Responds to questions from patients and families regarding billing.",
    "Handling of patient and staff questions at the front office.",
    "Answers patients' questions about their statements.",
])
def test_patients_questions_are_patient_queries(analyzer, duty):
    assert "customer_service" in found(analyzer, f"Duties\n- {duty}")


def test_questions_about_the_post_are_not_patient_queries(analyzer):
    assert "customer_service" not in found(analyzer, "Questions about the post? Contact the clinic manager.")


@pytest.mark.parametrize("duty", [
    "Responsible for the processing of referrals and requests for treatment authorizations.",
    "Coordinates the verification of eligibility and benefits for scheduled patients.",
    "Verification of patient eligibility for possible payer sources.",
    "Performs verification of benefits before each procedure.",
])
def test_authorizations_and_verification_by_other_words_are_insurance_verification(analyzer, duty):
    assert "insurance_verification" in found(analyzer, f"Patient access\nDuties\n- {duty}")


def test_processing_referrals_alone_is_not_insurance_verification(analyzer):
    assert "insurance_verification" not in found(analyzer, "Duties\n- Processing referrals for the clinic's patients.")


@pytest.mark.parametrize("duty", [
    "Obtain authorization prior to scheduled procedures for patients.",
    "Ensure that all admissions and scheduled surgeries are financially cleared for patients.",
])
def test_scheduled_procedures_are_others_bookings_not_scheduling(analyzer, duty):
    assert "scheduling" not in found(analyzer, f"Duties\n- {duty}")
# NHS wording. A word that is a skill elsewhere names something else here.
@pytest.mark.parametrize(("text", "skill"), [
    ("Current registration with a professional body (eg NMC, HCPC, BABCP, Social Work England).", "medical_coding"),
    ("You must hold HCPC registration as a radiographer.", "medical_coding"),
    ("Kitchen Menu Summariser (sorting and consolidating patients order).", "medical_coding"),
    ("The postholder will record information using relevant Trust paper and computer based systems.",
     "office_software"),
    ("Ensure that all patient information in manual and computerised systems is dealt with in line with policy.",
     "office_software"),
    ("Maintain the computer based system for patient flow in the Emergency Department.", "office_software"),
    ("No later than 12 months from the date of appointment to the Band 2 role, you will progress to Band 3.",
     "scheduling"),
    ("You will provide a full domestic cleaning service to patient areas, offices and departments.",
     "customer_service"),
    ("You will maintain effective financial controls, resolving queries and guiding colleagues.", "customer_service"),
    ("The post holder is responsible for resolving invoice queries referred to the Trust.", "customer_service"),
    ("Duties include putting patient letters into envelopes and posting them.", "medical_documentation"),
])
def test_nhs_words_that_name_something_else_are_not_the_skill(analyzer, text, skill):
    assert skill not in found(analyzer, f"Main duties of the job\n{text}")


@pytest.mark.parametrize(("text", "skill"), [
    ("Knowledge of CPT, ICD-10 and HCPCS codes is required.", "medical_coding"),
    ("As Medical Notes Summariser you will summarise patient records.", "medical_coding"),
    ("Experience of computer based systems is essential.", "office_software"),
    ("Use of computerised systems including the Patient Administration System.", "office_software"),
    ("You will be responsible for processing Subject Access Requests from solicitors and patients.",
     "medical_records"),
    ("You will produce patient letters from a template.", "medical_documentation"),
    ("General administrative tasks including data input, letter generation and filing.", "medical_documentation"),
    ("Dealing with general enquiries from staff and patients.", "customer_service"),
    ("Dealing with queries from GP practices, dental practices and patients via telephone.", "customer_service"),
    ("Answering queries from families of the children we see.", "customer_service"),
    ("Updating details on the Patient Administration and other systems.", "ehr"),
    ("Scanning and uploading documents onto the patient's computer records.", "ehr"),
    ("To communicate sensitively and courteously with patients, visitors and staff.", "communication"),
    ("Confident communicating with patients and clinical staff.", "communication"),
    ("You will need a friendly manner and a sensitive approach when dealing with patients and their families.",
     "communication"),
    ("Candidates need a sensitive manner when dealing with patients.", "communication"),
])
def test_nhs_wordings_of_a_skill_are_found(analyzer, text, skill):
    assert found(analyzer, f"Main duties of the job\n{text}")[skill]["requirement"] == "required"


@pytest.mark.parametrize("condition", [
    "If you have experience of PAS that would be preferred, but if you are used to working with data entry your "
    "application will be considered.",
    "Applications will be considered from candidates who have used PAS.",
])
def test_a_skill_that_is_the_condition_of_an_application_counts(analyzer, condition):
    skills = found(analyzer, f"Job overview\nWe are looking for a waiting list coordinator. {condition}")
    assert "ehr" in skills


def test_how_applications_are_handled_is_still_boilerplate(analyzer):
    text = ("Main duties of the job\nBook outpatient appointments.\n"
            "Applications will be processed in line with the Data Protection Act.")
    assert "hipaa" not in found(analyzer, text)


@pytest.mark.parametrize("duty", [
    "Experience of working within the NHS and with the public is essential.",
    "You will have experience of liaising with colleagues and the public.",
    "Applicants must be able to deal pleasantly with all patients / relative enquires at departmental level.",
    "Deal with complex enquires from staff/patients/relatives and visitors.",
    "Responding to enquiries from GPs, consultants and patients by telephone.",
])
def test_the_public_and_patients_enquiries_by_other_words_are_customer_service(analyzer, duty):
    assert "customer_service" in found(analyzer, f"Main duties of the job\n{duty}")


@pytest.mark.parametrize("duty", [
    "Remain calm under pressure and when dealing with challenging situations.",
    "You will communicate with the public about our research programme.",
    "Someone who thrives on and remains calm and focused in difficult situations.",
])
def test_composure_and_talking_to_the_public_are_not_customer_service(analyzer, duty):
    assert "customer_service" not in found(analyzer, f"Main duties of the job\n{duty}")


@pytest.mark.parametrize("duty", [
    "The post holder will support the Clinical Governance teams for Paediatrics and Gynaecology.",
    "A clinical coding service to support the business needs of the Trust, including Clinical Governance.",
    "Use experience to support the implementation of both clinical and non-clinical governance.",
])
def test_supporting_clinical_governance_is_not_medical_law(analyzer, duty):
    assert "medical_law_ethics" not in found(analyzer, f"Main duties of the job\n{duty}")


@pytest.mark.parametrize("duty", [
    "This includes proficiency in Word and Excel and the ability to type accurately during MDT meetings.",
    "You must be able to type at speed.",
    "You will be used to working with a keyboard and data entry.",
])
def test_typing_asked_as_an_ability_is_typing(analyzer, duty):
    assert "typing" in found(analyzer, f"Main duties of the job\n{duty}")


@pytest.mark.parametrize(("text", "expected"), [
    ("Experience of the Patient Centre system is desirable.", True),
    ("Systems used include PAS, Patient Centre and Bluespier.", True),
    ("We deliver patient-centre high-quality care.", False),
    ("A patient centre approach to all we do.", False),
    ("A working knowledge of Track It, Nerve Centre and Patient Centre would be beneficial.", True),
])
def test_patient_centre_care_or_approach_is_not_the_patient_centre_pas(analyzer, text, expected):
    assert ("ehr" in found(analyzer, f"Job summary\nNHS hospital patients.\n{text}")) is expected


@pytest.mark.parametrize("duty", [
    "Ensure up-to-date information about patients is recorded on the Trusts databases.",
    "Collect data for all cancers and enter this on the Somerset Cancer Registry (SCR).",
    "To validate and input patient information in relation to a patients 18-week pathway.",
    "Inputs patient demographics for new referrals.",
])
def test_keying_into_databases_registries_and_patient_details_is_data_entry(analyzer, duty):
    assert "data_entry" in found(analyzer, f"Main duties of the job\n{duty}")


@pytest.mark.parametrize("duty", [
    "Track patients against the cancer waiting times.",
    "Maintain the Trust databases and run reports.",
])
def test_databases_and_tracking_without_keying_are_not_data_entry(analyzer, duty):
    assert "data_entry" not in found(analyzer, f"Main duties of the job\n{duty}")


@pytest.mark.parametrize("duty", [
    "The Mental Health Act covers the reception, care and treatment of people who suffer from mental disorders.",
    "Process applications for reception into guardianship under the Act.",
    "Assist with tribunals, meeting and greeting the tribunal panel and escorting them to the room.",
    "Meet and greet the interview panel members.",
])
def test_reception_in_law_and_greeting_a_panel_are_not_the_front_desk(analyzer, duty):
    assert "front_desk" not in found(analyzer, f"Job summary\nNHS hospital patients.\n{duty}")


@pytest.mark.parametrize("duty", [
    "Meeting and greeting patients on arrival at the surgery.",
    "Meet and greet patients and visitors.",
    "Working on reception at the practice.",
])
def test_greeting_patients_and_working_on_reception_are_the_front_desk(analyzer, duty):
    assert "front_desk" in found(analyzer, f"Job summary\nNHS hospital patients.\n{duty}")


@pytest.mark.parametrize("duty", [
    "Writing to patients and their nearest relatives using standard Trust letters and providing leaflets.",
    "Deal with a variety of routine and complex correspondence on a day to day basis.",
    "Handles incoming correspondence and post for the service.",
])
def test_writing_to_patients_and_dealing_with_correspondence_is_medical_documentation(analyzer, duty):
    assert "medical_documentation" in found(analyzer, f"Job summary\nNHS hospital patients.\n{duty}")


@pytest.mark.parametrize("duty", [
    "Write to the team with updates.",
    "Deal with patients' queries by telephone.",
])
def test_writing_and_dealing_without_letters_are_not_medical_documentation(analyzer, duty):
    assert "medical_documentation" not in found(analyzer, f"Job summary\nNHS hospital patients.\n{duty}")


@pytest.mark.parametrize(("duty", "expected"), [
    ("Manage medical workforce processes, including medical appraisal compliance and honorary contracts.", False),
    ("Take ownership of appraisal compliance and revalidation compliance for doctors.", False),
    ("Monitor medical appraisal and revalidation compliance for consultants.", False),
    ("Ensure compliance with CQC regulations and the Mental Health Act.", True),
])
def test_appraisal_compliance_is_an_hr_process_not_medical_law(analyzer, duty, expected):
    assert ("medical_law_ethics" in found(analyzer, f"Job summary\nNHS hospital patients.\n{duty}")) is expected


def test_mosaiq_the_oncology_system_is_an_ehr(analyzer):
    text = "Job summary\nRadiotherapy patients.\nReview the patient pathway tools within MOSAIQ and track patients."
    assert "ehr" in found(analyzer, text)


@pytest.mark.parametrize("duty", [
    "Your primary responsibility will be to deliver a swift, efficient, and welcoming service to all our customers.",
    "Provide a high quality service to all our customers.",
    "Deliver a friendly service to the customers of the clinic.",
])
def test_a_service_to_all_our_customers_is_customer_service(analyzer, duty):
    assert "customer_service" in found(analyzer, f"Main duties of the job\n{duty}")


@pytest.mark.parametrize("duty", [
    "The team provides a courier service to the hospital.",
    "Provide secretarial service to the consultants.",
    "We pride ourselves on providing a courteous and caring service to our patients.",
])
def test_a_service_to_the_hospital_its_staff_or_the_employers_patients_is_not_customer_service(analyzer, duty):
    assert "customer_service" not in found(analyzer, f"Main duties of the job\n{duty}")
@pytest.mark.parametrize("duty", [
    "A good fit would be someone who is comfortable with computers and following procedures.",
    "Work is of a confidential nature and involves the skilled use of a computer.",
    "Familiar with operating personal computers and knowledge of general clerical duties.",
    "Must possess some knowledge of related software and programs as they relate to computing and office automation.",
])
def test_computer_use_in_us_public_postings_is_office_software(analyzer, duty):
    assert "office_software" in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("text", [
    "Human Resources Assistant (Office Automation)\nThese positions are located in the Office of Operations.",
    "Legal Assistant (Office Automation), Department of Justice. Salary $43,078 per year.",
])
def test_office_automation_in_a_title_is_not_office_software(analyzer, text):
    assert "office_software" not in found(analyzer, text)


@pytest.mark.parametrize("duty", [
    "Scan the letter into the patient's health record and document accordingly in RPMS.",
    "Registers patients in RPMS and updates their demographics.",
    "Review daily ePCRs and associated documentation to ensure accuracy before billing.",
    "Audits electronic Patient Care Records (ePCR) for completeness.",
    # athenahealth by its short name, CPSI, therapy and behavioural practices' systems.
    "Scan all surgery related documents into Athena.",
    "Manage the following Athena workflows for the clinic's patients.",
    "Complete documentation with Athena software for daily treatment sessions.",
    "Enters charges on CPSI for patient accounts.",
    "Documents each patient visit in WebPT.",
    "Experience with SimplePractice or TherapyNotes preferred for our therapy clinic.",
])
def test_record_systems_by_their_product_names_are_ehr(analyzer, duty):
    assert "ehr" in found(analyzer, f"Duties\n- {duty}")


def test_rpms_named_only_for_financial_reports_is_not_ehr(analyzer):
    text = "Duties\n- Initiate report queries and export accounts receivable data from RPMS and UFMS for the clinic."
    assert "ehr" not in found(analyzer, text)


@pytest.mark.parametrize("duty", [
    "Processes record requests in compliance with the Health Insurance Portability and Accountability Act "
    "and authorization standards.",
    "Follows the Health Insurance Portability and Accountability Act (HIPAA) when verifying a requester's "
    "authorization for the patient's records.",
])
def test_hipaa_by_its_full_name_is_not_insurance_verification(analyzer, duty):
    skills = found(analyzer, f"Duties\n- {duty}")
    assert "insurance_verification" not in skills
    assert "hipaa" in skills


@pytest.mark.parametrize("duty", [
    "Schedule and register patients, and resolve associated discrepancies.",
    "Schedules and checks in patients for the podiatry clinic.",
    "Scheduling and registering new patients for the clinic.",
])
def test_scheduling_joined_to_another_duty_on_patients_is_scheduling(analyzer, duty):
    assert "scheduling" in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("text", [
    "Applicants for a Veterans Employment Opportunities Act of 1998 (VEOA) appointment may apply. "
    "The clinic serves patients.",
    "This announcement may also be used to fill time-limited appointments such as TERM. The clinic serves patients.",
    "Arrange travel for eligible Veterans to appointments at the medical center.",
    "Escorts patients to their appointments in the hospital.",
])
def test_a_federal_posts_appointment_and_travel_to_appointments_are_not_scheduling(analyzer, text):
    assert "scheduling" not in found(analyzer, f"Duties\n- {text}")


@pytest.mark.parametrize("duty", [
    "Checks patients into the clinic and documents intake data.",
    "Admits patients by completing appropriate forms and procedures.",
    "Greet and direct visitors in a health care setting.",
])
def test_us_wordings_of_reception_are_front_desk(analyzer, duty):
    assert "front_desk" in found(analyzer, f"Patient services clerk\nDuties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "The physician admits patients to the medical unit.",
    "Checks medication orders into the pharmacy system for patients.",
])
def test_admitting_to_a_ward_and_other_checks_are_not_front_desk(analyzer, duty):
    assert "front_desk" not in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Reviews and monitors the third-party collections from Medicare, Medicaid, and Private Insurance payers.",
    "Handles third party collections for the hospital's patient accounts.",
    "Third-party collection from Medicaid and private insurance on the clinic's accounts.",
])
def test_collections_from_payers_are_medical_billing(analyzer, duty):
    assert "medical_billing" in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Patient registration, including data collection and limited insurance eligibility verification.",
    "Point-of-service cash collection at registration for insured patients.",
])
def test_data_and_cash_collection_at_registration_are_not_medical_billing(analyzer, duty):
    assert "medical_billing" not in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("text, skill", [
    ("Serves as a Patient Advocate within a VA facility (VAMC, CBOC, OPC) for patients.", "medical_coding"),
    ("Key enters data for commitment registers, which requires knowledge of fiscal coding procedures "
     "for patient care funds.", "medical_coding"),
    ("Interviews to determine eligibility of California Children's Services (CCS) clients and patients.",
     "coding_certification"),
    ("May fill in as a Certified Medication Assistant (CNA / CMA) for residents and patients.", "ma_certification"),
])
def test_us_acronyms_and_codes_of_other_things_are_not_coding_or_credentials(analyzer, text, skill):
    assert skill not in found(analyzer, f"Duties\n- {text}")


@pytest.mark.parametrize("text, skill", [
    ("Clinical coding of inpatient episodes using ICD-10 and OPCS.", "medical_coding"),
    ("CCS or CPC certification required for the coder.", "coding_certification"),
    ("Current CMA certification required for the clinic.", "ma_certification"),
])
def test_the_same_acronyms_as_codes_and_credentials_still_count(analyzer, text, skill):
    assert skill in found(analyzer, f"Duties\n- {text}")


@pytest.mark.parametrize("duty", [
    "Safeguards and ensures statutory and constitutional rights of patients.",
    "Ensures Patient Rights and Responsibilities, advocacy, and services are available.",
    "Explains patients' rights to veterans and families at the medical center.",
])
def test_patients_rights_the_worker_upholds_are_medical_law(analyzer, duty):
    assert "medical_law_ethics" in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Collects payments on delinquent accounts for services rendered to patients of the clinic.",
    "Collects payments on outstanding accounts for which tracers have been sent to patients.",
    "Communicates with patients, physicians and insurance representatives for the purpose of collecting payments.",
    "Ensure clean handoff to front desk and procedure scheduling teams for new patients.",
])
def test_collecting_old_balances_and_handing_off_to_the_front_desk_are_not_front_desk(analyzer, duty):
    assert "front_desk" not in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Collects payments from patients at the time of service.",
    "Collecting payments from patients for outstanding balances at the clinic window.",
])
def test_collecting_payments_at_the_desk_is_still_front_desk(analyzer, duty):
    assert "front_desk" in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("header", [
    "Location\nSalisbury, North Carolina\nSalary\n$46,421 - $47,969\nper year\nType\nCloses\n",
    "Salary\n$43,078 - $56,001 per year\n",
    "Agency: Veterans Health Administration\nSalary\n$37,764 - $49,094\nTypical requirements: 1 year at GS-5.\n",
])
def test_a_job_boards_salary_field_does_not_make_the_summary_boilerplate(analyzer, header):
    text = (f"Program Support Assistant\n{header}This job involves handling paperwork for veterans' care. "
            "A good fit would be someone who is comfortable with computers and following procedures.")
    assert "office_software" in found(analyzer, text)


@pytest.mark.parametrize("heading", ["Salary and benefits", "Benefits", "What we offer"])
def test_a_benefits_section_stays_boilerplate(analyzer, heading):
    text = f"Medical Receptionist\nDuties\n- Greets patients.\n{heading}\n- We pay for your CMA certification.\n"
    assert "ma_certification" not in found(analyzer, text)


@pytest.mark.parametrize("duty", [
    "Maintains records related to appointments, examinations, treatment, and supplies for each patient.",
    "Maintain records of patient examinations in the dental clinic.",
    "Maintaining records of procedures performed on patients.",
])
def test_records_of_the_care_given_are_medical_records(analyzer, duty):
    assert "medical_records" in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Maintains records of maintenance procedures for the building's heating system.",
    "Maintains records of office supplies ordered.",
])
def test_records_outside_care_are_not_medical_records(analyzer, duty):
    assert "medical_records" not in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Enter and post all AR and miscellaneous cash receipts.",
    "Enters new and shut-off changes on accounts.",
    "Enters the daily totals on the balancing spreadsheet.",
    "Enter transactions into bank records.",
    "Inputs data necessary to generate the notification letter.",
    "Completes payment entry and daily reconciliation.",
    "Performs computer input of account changes.",
])
def test_keying_an_offices_transactions_is_data_entry(analyzer, duty):
    assert found(analyzer, f"Duties\n- {duty}")["data_entry"]["requirement"] == "required"


@pytest.mark.parametrize("text", [
    "Payment Entry Coordinator\nDuties\n- Posts all incoming payments.",  # a job's name
    "Duties\n- Enter the building by the staff door.",
    "Duties\n- Enters into agreements with payment vendors.",
    "Duties\n- Trains Charge Entry staff on coding changes.",
])
def test_entry_that_keys_nothing_is_not_data_entry(analyzer, text):
    assert "data_entry" not in found(analyzer, text)


@pytest.mark.parametrize("duty", [
    "Records all nursing procedures and basic care on appropriate forms.",
    "Document important health details for each patient.",
    "Performs, monitors, reports and documents all clinical activities within scope of practice for patients.",
    "Assembles chart paperwork and checks that all papers have the patient's identification sticker.",
    "Maintain records of patient prescriptions, work orders, and payments.",
])
def test_charting_the_care_given_is_medical_records(analyzer, duty):
    assert "medical_records" in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Documents all payments and patient care invoices for the clinic.",
    "Documents office procedures for the medical clinic.",
    "Maintains accurate records of patient movements between wards.",
])
def test_records_of_money_procedures_or_movements_are_not_charting(analyzer, duty):
    assert "medical_records" not in found(analyzer, f"Duties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Complies with all federal, state and local regulatory agency requirements in patient care.",
    "Stay informed of federal, state, and local regulatory requirements for the clinic.",
    "Follows state regulations for the handling of patient information in the clinic.",
    "Comply with accreditation standards of the hospital.",
    "Knowledge of billing and reimbursement regulations for patient accounts.",
])
def test_regulators_requirements_by_who_sets_them_are_medical_law(analyzer, duty):
    assert "medical_law_ethics" in found(analyzer, f"Medical Clinic\nDuties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Provide coded information in line with national and local standards for patients.",
    "Report cancer information to meet both national and local requirements for the hospital.",
    "Collect state taxes from patients' accounts.",
])
def test_local_or_national_standards_alone_are_not_medical_law(analyzer, duty):
    assert "medical_law_ethics" not in found(analyzer, f"Medical Clinic\nDuties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Answers patient and authorized party's questions about their bills.",
    "Assists with all payment related inquiries in person, by phone, or email from any customer.",
    "Handles dispute resolution with customers.",
    "Responds to family complaints about the care home's invoices.",
])
def test_answering_the_questions_of_those_served_is_customer_service(analyzer, duty):
    assert found(analyzer, f"Medical clinic\nDuties\n- {duty}")["customer_service"]["requirement"] == "required"


@pytest.mark.parametrize("duty", [
    "Answers staff questions about the payroll system.",
    "Handles vendor inquiries about purchase orders for the clinic.",
    "Resolves questions from physicians about coding.",
])
def test_answering_staffs_or_vendors_questions_is_not_customer_service(analyzer, duty):
    assert "customer_service" not in found(analyzer, f"Medical clinic\nDuties\n- {duty}")


@pytest.mark.parametrize(("duty", "sid"), [
    ("Initiates medical Authorizations to include hospitalization and professional fees.", "insurance_verification"),
    ("Requests authorizations for scheduled procedures.", "insurance_verification"),
    ("Knowledge of insurance.", "insurance_verification"),
    ("Experience with health insurance preferred.", "insurance_verification"),
    ("Referral processing for new oncology patients.", "insurance_verification"),
    ("Skill in operating computers.", "office_software"),
    ("Ability to learn and navigate multiple computer systems efficiently.", "office_software"),
])
def test_payers_authorizations_and_computers_by_other_words(analyzer, duty, sid):
    assert sid in found(analyzer, f"Medical clinic\nDuties\n- {duty}")


@pytest.mark.parametrize(("duty", "sid"), [
    ("Requests authorization from the manager to work overtime.", "insurance_verification"),
    ("Must have knowledge of insurance payment processing.", "insurance_verification"),
    ("Knowledge of insurance sales.", "insurance_verification"),
    ("Requires manual dexterity sufficient to operate office equipment such as computer, fax and telephone.",
     "office_software"),
    ("Operates computerized lab analyzers.", "office_software"),
])
def test_what_only_shares_their_words_is_not_them(analyzer, duty, sid):
    assert sid not in found(analyzer, f"Medical clinic\nDuties\n- {duty}")


@pytest.mark.parametrize("ask", [
    "Ability to clearly and pleasantly communicate in English with guests and visitors.",
    "Ability to clearly explain billing issues to patients.",
    "Must be able to effectively communicate with patients and families.",
])
def test_the_ability_to_communicate_well_in_any_order_is_communication(analyzer, ask):
    assert "communication" in found(analyzer, f"Medical clinic\nRequirements\n- {ask}")


@pytest.mark.parametrize("ask", [
    "Ability to explain the clinic's opening hours.",
    "Able to clearly see and read small print on labels.",
])
def test_explaining_or_seeing_without_a_manner_asked_is_not_communication(analyzer, ask):
    assert "communication" not in found(analyzer, f"Medical clinic\nRequirements\n- {ask}")


@pytest.mark.parametrize("duty", [
    "Generates denial letters and/or web-portal requests for reconsideration and/or appeals.",
    "Drafts and sends out response letters for grievances within the 7-day time frame.",
    "Facilitates accurate reimbursement through appeal writing.",
    "Assisting patients with the Mass Health/Low Income/Commonwealth Care application process.",
    "Assisting patient in the process of completing financial assistance applications.",
    "Provides assistance in seeking and applying for healthcare funding.",
    "Coordinate and apply for manufacturer-sponsored copay or patient assistance programs for eligible patients.",
])
def test_appeal_letters_and_applications_made_for_the_patient_are_medical_documentation(analyzer, duty):
    assert "medical_documentation" in found(analyzer, f"Hospital\nDuties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Reviews denial letters received from payers.",
    "Assist candidates with job applications.",
    "Helps patients with questions about their bills.",
    "Employees may apply for tuition assistance after 90 days.",
    "Apply for this position online.",
    "Assist patients with Financial Assistance, notify them of status of application.",
])
def test_letters_read_and_applications_of_others_are_not_medical_documentation(analyzer, duty):
    assert "medical_documentation" not in found(analyzer, f"Hospital\nDuties\n- {duty}")


@pytest.mark.parametrize("ask", [
    "Written and verbal fluency in Spanish.",
    "Demonstrates skill or oral and written fluency in English to Spanish and Spanish to English.",
    "Language Workers interpret verbal communications and translate written communications between providers "
    "and patients.",
    "Assures confidential treatment of all communications written and verbal.",
])
def test_a_language_spoken_and_written_or_words_interpreted_are_not_communication(analyzer, ask):
    assert "communication" not in found(analyzer, f"Health department clinic\nQualifications\n- {ask}")


@pytest.mark.parametrize("ask", [
    "Excellent written and verbal communication skills.",
    "Strong verbal and written communication.",
    "Written and verbal communication skills in English and Spanish.",
    "Must communicate well verbal and written.",
])
def test_communication_skills_beside_a_language_are_communication(analyzer, ask):
    assert "communication" in found(analyzer, f"Health department clinic\nQualifications\n- {ask}")


@pytest.mark.parametrize("duty", [
    "Responsible for screening and enrolling uninsured and underinsured patients for external assistance programs, "
    "with a primary focus on Medicaid.",
    "Meets patients who require assistance in seeking and applying for healthcare funding (e.g., Charity Care, "
    "Medicaid, or other local funding program).",
    "Ensure compliance with payer contracts, CMS guidelines, Medicaid regulations, and internal policies.",
    "Posts payments for mental health services billed to Medicaid, Medicare, and commercial insurance plans.",
    "Review and interpret EOBs and ERAs, including multiple payers, secondary claims, and coordination of benefits.",
    "Assist patients with Medicaid applications at registration.",  # an application made for the patient
])
def test_public_programs_enrolled_in_or_payers_billed_are_not_insurance_verification(analyzer, duty):
    assert "insurance_verification" not in found(analyzer, f"Hospital\nDuties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Knowledge of Medicare and Medicaid.",
    "Verifies Medicaid eligibility for each patient.",
    "Experience with Medicare, Medicaid and commercial insurance plans.",
    "Determines coordination of benefits for patients with two insurance plans.",
    "Assist patients with account issues by explaining and coordinating resolutions for billing, private pay "
    "options, collection efforts, coordination of benefits, and insurance coverage.",
])
def test_payers_known_or_checked_are_insurance_verification(analyzer, duty):
    assert "insurance_verification" in found(analyzer, f"Hospital\nDuties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Input cash activity on posting spreadsheets for tracking purposes daily.",
    "Screening patients for the Mass Health application process (entering the information into the Virtual "
    "Gateway online application).",
    "Records information regarding accounts reviewed and actions taken via on line system.",
    "Processing accounts payable transactions (reviewing and entering invoices, verifying documentation).",
])
def test_keying_into_a_spreadsheet_an_online_application_or_via_the_system_is_data_entry(analyzer, duty):
    assert "data_entry" in found(analyzer, f"Hospital business office\nDuties\n- {duty}")


@pytest.mark.parametrize("duty", [
    "Maintains medical records in the EHR system.",
    "Enter the building via the staff entrance.",
    "Uses spreadsheets in Excel to track referrals.",
    "Answers questions on the patient portal.",
])
def test_records_kept_or_a_portal_used_are_not_data_entry(analyzer, duty):
    assert "data_entry" not in found(analyzer, f"Hospital business office\nDuties\n- {duty}")


@pytest.mark.parametrize(("duty", "counts"), [
    ("Demonstrates business practices and personal actions that are ethical and adhere to corporate compliance "
     "and integrity guidelines.", True),
    ("The Patient Advocate manages the patient and family member complaint and grievance process in accordance "
     "with regulatory requirements.", True),
    ("This position combines clinical, business, and regulatory knowledge and skill.", True),
    ("Ensure compliance with CMS and Medicare regulations.", True),
    # A payer's rules that billing must meet are billing, and a compliance office is others' work.
    ("Responsible for ensuring compliance with all insurance rules and regulations.", False),
    ("Reviews billing systems and documents to assure program compliance for Medicare, Medi-Cal, Mental Health, "
     "and insurance programs.", False),
    ("Reports concerns to the Corporate Compliance Officer.", False),
    ("Knowledge of regulatory affairs.", False),
])
def test_a_compliance_plan_and_regulators_requirements_but_not_payers_rules_are_medical_law(analyzer, duty, counts):
    assert ("medical_law_ethics" in found(analyzer, f"Hospital\nDuties\n- {duty}")) is counts


@pytest.mark.parametrize(("duty", "counts"), [
    ("Initiates and maintains patient paper and electronic medical records.", True),
    ("Maintains hard copy or electronic health records of each patient.", True),
    ("Assemble patients health information by ensuring initial medical charts are complete.", True),
    ("Keeps residents' charts in order on the unit.", True),
    # The electronic record alone is the system.
    ("Implementing the new electronic medical records system.", False),
    ("Builds org charts and flow charts for the finance team.", False),
])
def test_records_on_paper_and_electronically_and_medical_charts_are_medical_records(analyzer, duty, counts):
    assert ("medical_records" in found(analyzer, f"Hospital\nDuties\n- {duty}")) is counts


@pytest.mark.parametrize(("duty", "counts"), [
    # "Records" as a cashier's verb and keeping records confidential (patient privacy) are not
    # keeping the records.
    ("The cashier receives and records payments from patients.", False),
    ("Records all charges and credits to patient accounts.", False),
    ("Ensures strict confidentiality of financial and health records.", False),
    ("Files and retrieves patient records in the records office.", True),
    ("Maintains medical records and releases information on request.", True),
])
def test_records_as_a_cashiers_verb_or_kept_confidential_are_not_keeping_records(analyzer, duty, counts):
    assert ("medical_records" in found(analyzer, f"Hospital\nDuties\n- {duty}")) is counts


@pytest.mark.parametrize(("duty", "counts"), [
    ("Types documents necessary for unit functions such as flyers.", True),
    ("Classifies material; types labels, index and file cards, and files correspondence.", True),
    ("Types letters and memos for the clinic manager.", True),
    ("Handles all types of documents.", False),
    ("Different types of forms are filed here.", False),
    ("Knowledge of the types of reports used in the clinic.", False),
])
def test_the_verb_types_before_what_is_typed_is_typing(analyzer, duty, counts):
    assert ("typing" in found(analyzer, f"Hospital\nDuties\n- {duty}")) is counts


@pytest.mark.parametrize(("duty", "sid", "counts"), [
    ("Uploads payment back up and Payment Report into HCHB for all manual postings.", "ehr", True),
    ("Scanning and indexing into the Horizon Patient Folder (HPF) imaging system.", "ehr", True),
    ("Confirm outcomes are documented in the PM/EMR system.", "practice_management", True),
    ("Horizon Blue Cross patients are seen here.", "ehr", False),
    ("Covers the desk from 8 AM to 5 PM/EMR downtime included.", "practice_management", False),
])
def test_record_and_practice_systems_by_name_or_initials(analyzer, duty, sid, counts):
    assert (sid in found(analyzer, f"Home health agency\nDuties\n- {duty}")) is counts


@pytest.mark.parametrize(("duty", "counts"), [
    ("Responsible for the daily operations of all scheduling, registration or admission, registration, and "
     "financial counseling functions.", True),
    ("Coordinating and completing every phase of the admission function including admissions, pre-admissions, "
     "interviews for financial information.", True),
    ("Admissions and registrations of patients at the ED.", True),
    ("Reviews hospital admissions for medical necessity.", False),
    ("Books admissions from the waiting list.", False),
    ("Monitors admission/registration and scheduled surgeries flow of patient information.", False),
])
def test_admission_beside_registration_is_the_front_desk(analyzer, duty, counts):
    assert ("front_desk" in found(analyzer, f"Hospital\nDuties\n- {duty}")) is counts


@pytest.mark.parametrize(("duty", "sid", "counts"), [
    # ERA in capitals is a remittance; an era is a time.
    ("Posts ERA files and reconciles them daily.", "medical_billing", True),
    ("Reconciles ERAs against deposits.", "medical_billing", True),
    ("Join a company designed to usher in a new era of wellness.", "medical_billing", False),
    ("In an era of change, we lead the way.", "medical_billing", False),
    # A credential renewed is no pre-certification of a patient's care.
    ("Completes annual recertification and scores at least 90%.", "insurance_verification", False),
    ("Maintains pharmacy technician recertification.", "insurance_verification", False),
    ("Obtains pre-certification for scheduled procedures.", "insurance_verification", True),
    # Entry into a system by another word.
    ("Prepares charge documents for entry into the brand inspection database.", "data_entry", True),
    ("Performs all related data collection and entry functions.", "data_entry", True),
    ("Ensures timely entry into the billing system of every charge.", "data_entry", True),
    ("Entry into the building requires a badge.", "data_entry", False),
    # The cancer registry's credential.
    ("Certified Tumor Registrar (CTR) required.", "coding_certification", True),
    ("CTR eligible within one year of hire.", "coding_certification", True),
    ("Tracks the click-through rate (ctr) of campaigns.", "coding_certification", False),
    # Customer relationship skills are a service skill, not CRM software.
    ("Must have positive customer relationship skills.", "customer_service", True),
    ("Strong customer relations skills.", "customer_service", True),
    # A city's name, a medical staff's appointments, and knowledge of the software or the
    # systems of medicine are not billing, booking or medical terminology.
    ("Billings Clinic Pre Access Specialist I in Billings, Montana.", "medical_billing", False),
    ("Based in Billings, MT, with travel to outreach clinics.", "medical_billing", False),
    ("Experience in billing and collections.", "medical_billing", True),
    ("Directs all aspects of the credentialing functions for appointments and reappointments.", "scheduling", False),
    ("Processes initial appointment and reappointment applications of the medical staff.", "scheduling", False),
    ("Schedules and reschedules patient appointments.", "scheduling", True),
    ("Must have basic knowledge of medical software.", "medical_terminology", False),
    ("Knowledge of medical systems and applications preferred.", "medical_terminology", False),
    ("Knowledge of medical terminology and abbreviations.", "medical_terminology", True),
    # Residents of a care home are its patients: their questions answered are patient service.
    ("Assist residents with the resolution of questions or concerns regarding monthly billing statements.",
     "customer_service", True),
    ("Responds to questions and complaints from residents and their families.", "customer_service", True),
    ("Assists residents with bathing and dressing.", "customer_service", False),
    # A switchboard is telephone work away from reception; a patient's complaint is a symptom;
    # collecting deductibles is not verifying cover.
    ("Operates the hospital switchboard and pages staff.", "front_desk", False),
    ("Switchboard and reception duties: greets patients on arrival.", "front_desk", True),
    ("Reviews each requisition to assure that the area of complaint is consistent with the exam.",
     "customer_service", False),
    ("Elicits the chief complaint and records vital signs.", "customer_service", False),
    ("Resolves patient complaints about their bills.", "customer_service", True),
    ("Represents the hospital in court for collection of co-pays, deductibles or coinsurance.",
     "insurance_verification", False),
    ("Explains deductibles and coinsurance to patients before their visit.", "insurance_verification", True),
    # The VA's record system by its names; a city's name is not it.
    ("Utilizes hospital computer systems specific to VISTA, CPRS and Class-III software.", "ehr", True),
    ("Uses VistA and CPRS to check Veterans in for their appointments.", "ehr", True),
    ("Works from our office in Chula Vista, CA.", "ehr", False),
    # A record number obtained at registration is a look-up; assigning one from the index is records work.
    ("Obtains medical record number from MPI if none available.", "medical_records", False),
    ("Obtain a patient medical record number when necessary.", "medical_records", False),
    ("Searches the MPI and assigns the correct medical record number.", "medical_records", True),
    # Charting in the record, whatever is charted, and clinicians' notes of their sessions, are records work.
    ("Documents spiritual care encounters in the electronic medical record according to policy.",
     "medical_records", True),
    ("Document all findings and coordination efforts in the EHR.", "medical_records", True),
    ("Records patient evaluations and care provided in the medical record.", "medical_records", True),
    ("Document evaluations, progress notes, and discharge summaries for each patient.", "medical_records", True),
    ("Deliver crisis intervention services to patients and document sessions appropriately.",
     "medical_records", True),
    ("Review the electronic medical record before each visit.", "medical_records", False),
    ("Document your training sessions for the HR team.", "medical_records", False),
    # Clinical services to patients are no customer service; service to a patient is, and so is a
    # complaint from the public; a court's complaints and employees' complaints are not.
    ("Provide compassionate social services to patients and their families.", "customer_service", False),
    ("Delivery of high quality services to patients across the county.", "customer_service", False),
    ("Provide excellent service to patients at the front desk.", "customer_service", True),
    ("Processes subpoenas, criminal complaints, citations and warrants.", "customer_service", False),
    ("Prepares complaints which are sworn to and filed.", "customer_service", False),
    ("Respond to questions or complaints from employees regarding payroll.", "customer_service", False),
    ("Handles complaints from patients and families.", "customer_service", True),
    # Staff rotas are no appointments: "Manage staffing, scheduling, and payroll processes".
    ("Manage staffing, scheduling, and payroll processes for the unit.", "scheduling", False),
    ("Scheduling patient appointments for three providers.", "scheduling", True),
    # A reviewer's determinations and a denials team beside one are no billing; denied claims are.
    ("Generate Approval and Denial letters based on the Medical Director's determination.",
     "medical_billing", False),
    ("Work with the Denials RN and the Appeals & Denials team on complex cases.", "medical_billing", False),
    ("Works denials and resubmits claims to insurance payers.", "medical_billing", True),
    ("Collaborates with the care team in assisting the patient to make personal adjustments.",
     "medical_billing", False),
    ("Bills premium, reconciles cash and pursues aged accounts for group members.", "medical_billing", False),
    # Charting in an electronic system by its other names is the EHR.
    ("Excellent computer skills, to include computerized charting and email.", "ehr", True),
    ("2000 hours of clinical experience with competency in electronic documentation.", "ehr", True),
    ("Assist with electronic medical documentation during patient exams.", "ehr", True),
    ("Electronic documentation of invoices for the finance team.", "ehr", False),
    # Records of the tests and visits done are records work.
    ("Responsible for reporting and maintaining records of patient test results.", "medical_records", True),
    ("Caseload management, visit documentation and client outreach.", "medical_records", True),
    # A community's payer mix and Medicaid applications are no verification of a patient's cover.
    ("This position is for a community with a high volume of Medicaid/Long Term Managed Care.",
     "insurance_verification", False),
    ("Ensure Medicaid applications and renewals are completed on time.", "insurance_verification", False),
    # Verifying cover, with words between or among other verbs.
    ("Verifying dental insurance.", "insurance_verification", True),
    ("Accurately verify dental benefits before each visit.", "insurance_verification", True),
    ("Collecting, verifying, recording and processing patient demographics, insurance/payment and referral "
     "information.", "insurance_verification", True),
    ("Verifies patient insurance claims are paid.", "insurance_verification", False),
    ("Responsible for verifying and certifying the legal eligibility of applicants.", "insurance_verification",
     False),
    # Keeping the electronic records is records work; charting the vital signs by their names is too.
    ("Managing electronic medical records, reports and correspondence.", "medical_records", True),
    ("Obtaining, measuring and recording routine information such as temperature, pulse and blood pressure "
     "for each patient.", "medical_records", True),
    ("Compliance with relevant documentation (cleaning records, temperature records and other such "
     "mandatory paperwork).", "medical_records", False),
    # De-escalating agitated patients or volatile situations is crisis work, not service; calming a
    # dissatisfied patient at the desk is service.
    ("Provide verbal de-escalation of agitated patients or visitors.", "customer_service", False),
    ("Assist in the prevention and de-escalation of potentially volatile situations.", "customer_service", False),
    ("Works with managers as a resource to de-escalate dissatisfied patients and families.",
     "customer_service", True),
    # CCA is a coding credential among its kind, not a health plan's name.
    ("Member services for CCA members and their care partners.", "coding_certification", False),
    ("CPC, CCA or CCS certification required.", "coding_certification", True),
    # Patient Access is a department, not Microsoft Access.
    ("Supervise the Patient Access staff; strong skills in Word and Excel.", "database_management", False),
    # The NHS's charging of overseas visitors and private patients: its regulations are healthcare law, and
    # costing, billing and invoicing patients is billing.
    ("Implement NHS Charging Regulations in line with current and new legislation.", "medical_law_ethics", True),
    ("Ensure all activity is accurately recorded, costed and billed in a timely manner.", "medical_billing", True),
    ("Producing invoices for all overseas visitors' patients.", "medical_billing", True),
    # Something recorded accurately is not keyed into a system by that alone.
    ("Ensure results are accurately recorded and sent to the patient's GP.", "data_entry", False),
    ("Accurately record observations and incidents in line with ward procedures.", "data_entry", False),
    ("Accurately enter patient demographics into the PAS.", "data_entry", True),
    # Recording named data into a system is keying it, with words between the verb and the data.
    ("Collects, analyzes and records demographic, insurance and clinical data in computer system.", "data_entry",
     True),
    ("Records all patient information in the system.", "data_entry", True),
    # Orders placed in a system are keyed into it; orders placed with a vendor are not.
    ("Orders tests in the hospital information system.", "data_entry", True),
    ("Orders office supplies from approved vendors.", "data_entry", False),
    # Medicare's Conditions of Participation are the rules an aide is trained to, no coverage to verify.
    ("Competence conforms with the Medicare Conditions of Participation found in 42CFR 484.",
     "insurance_verification", False),
    # An employer's own rules are not the law; the regulators' are.
    ("Deliver safe patient care in full compliance with Trust policies, departmental protocols and SOPs.",
     "medical_law_ethics", False),
    ("Ensure compliance with CQC regulations in the clinic.", "medical_law_ethics", True),
    # The NHS Complaints Regulations are healthcare law; answering "formal and informal enquiries" is a
    # duty, not the how-to-apply line "for informal enquiries contact ...".
    ("Respond to formal and informal enquiries and complaints in line with the NHS Complaints Regulations.",
     "medical_law_ethics", True),
    ("Respond to formal and informal enquiries and complaints from patients.", "customer_service", True),
    ("For informal enquiries about the customer service role please contact the manager.", "customer_service",
     False),
])
def test_wordings_of_the_fresh_us_postings(analyzer, duty, sid, counts):
    assert (sid in found(analyzer, f"Hospital\nDuties\n- {duty}")) is counts


def test_amazons_athena_is_not_the_ehr(analyzer):
    posting = "Data engineer at a hospital\n\nTools: Spark, AWS Athena, Redshift and patient data pipelines."
    assert "ehr" not in found(analyzer, posting)


@pytest.mark.parametrize("ask, sid", [
    ("PC proficiency required.", "office_software"),
    ("Must be proficient in extensive computer use.", "office_software"),
    ("Prepares routine correspondence for the clinic's patients.", "medical_documentation"),
    ("Answer insurance correspondence about patient accounts.", "medical_documentation"),
    ("Initiates correspondence to discuss the status of the patient's account.", "medical_documentation"),
    ("Processing referral requests, confirming patient eligibility.", "insurance_verification"),
    ("Determination of patient eligibility for medical coverage.", "insurance_verification"),
    ("Knowledge of HMOs, managed care and other third party insurers for our patients.", "insurance_verification"),
    ("Advanced knowledge of the multi-payor system for patient accounts.", "insurance_verification"),
    ("Scan all surgery related documents into the patient's record.", "medical_records"),
    ("Scans and indexes patient documents into the clinic system.", "medical_records"),
    ("Maintains knowledge of state/federal laws as they relate to patient accounts.", "medical_law_ethics"),
])
def test_asks_by_their_wording_classes_are_found(analyzer, ask, sid):
    assert sid in found(analyzer, f"Patient services representative\n\nDuties\n- {ask}")


@pytest.mark.parametrize("text, sid", [
    ("Ability to read and write routine reports and correspondence.", "medical_documentation"),
    ("Answering personal correspondence for our residents at the care home.", "medical_documentation"),
    ("Understanding of managed care contracts when posting patient payments.", "insurance_verification"),
    ("Knowledge of Windows Server operating systems.", "office_software"),
])
def test_near_misses_of_those_classes_are_not_the_skill(analyzer, text, sid):
    assert sid not in found(analyzer, f"Patient services representative\n\nDuties\n- {text}")


@pytest.mark.parametrize("ask", [
    "Awareness and understanding of NMC code of professional conduct.",
    "Good knowledge of HCPC / Chartered Society of Physiotherapy codes of practice.",
    "Be fully conversant with the Health Professions Council codes of practice.",
    "Work within the scope of practice defined by the HCPC.",
])
def test_a_health_regulators_code_is_medical_law(analyzer, ask):
    assert "medical_law_ethics" in found(analyzer, f"Physiotherapist\n\nPerson specification\n- {ask}")


def test_the_act_as_the_patients_status_is_not_medical_law(analyzer):
    posting = ("Registered Nurse\n\nWe care for patients, including those who are detained under the "
               "Mental Health Act, on our hospital wards.")
    assert "medical_law_ethics" not in found(analyzer, posting)


def test_an_operating_rooms_words_make_a_posting_a_healthcare_one(analyzer):
    posting = ("Scheduling clerk\n\nScheduling functions\n"
               "- Review cases submitted in E-Records and approve them for the surgical schedule.\n"
               "- Call each surgeon's office to confirm case start times.\n"
               "- Keep the operating room schedule up to date for 34 rooms.\n"
               "- Triage emails to the scheduling office and resolve conflicts between the cases of the day.\n"
               "- Print the preliminary schedule three business days ahead and bring add-on requests to the "
               "administrator.")
    assert "ehr" in found(analyzer, posting)


@pytest.mark.parametrize("text", [
    "Raise awareness of NHS Health Checks in practices.",
    "Make sure safety checks in place are followed.",
    "Check in on patients regularly to see how they are.",
    "Direct line management of the reception team leader and the practice nurses.",
])
def test_checks_as_a_noun_and_a_reception_team_managed_are_not_the_front_desk(analyzer, text):
    assert "front_desk" not in found(analyzer, f"Care coordinator at the surgery\n\nDuties\n- {text}")


def test_checking_patients_in_is_still_the_front_desk(analyzer):
    posting = "Care coordinator at the surgery\n\nDuties\n- Checks in patients on arrival."
    assert "front_desk" in found(analyzer, posting)


def test_the_use_of_a_pc_is_office_software(analyzer):
    posting = "Physiotherapist\n\nPerson specification\n- Proficient in the use of a PC, including software."
    assert "office_software" in found(analyzer, posting)


@pytest.mark.parametrize("heading", ["Core Values", "Values", "Our Culture of Excellence standards",
                                     "Standards of Behavior", "Service Standards"])
def test_the_employers_values_and_standards_for_everyone_ask_nothing(analyzer, heading):
    posting = ("Patient account representative\n\nResponsibilities\n- Post payments to patient accounts.\n\n"
               f"{heading}\n- Service excellence\n- Maintains confidentiality\n"
               "- Effectively communicates information to partners")
    assert set(found(analyzer, posting)) & {"customer_service", "hipaa", "communication"} == set()


def test_a_values_word_in_a_duty_is_no_heading(analyzer):
    posting = ("Medical assistant\n\nDuties\n- Record lab values and vital signs.\n"
               "- Maintains confidentiality of patient records.")
    assert "hipaa" in found(analyzer, posting)


@pytest.mark.parametrize("duty", [
    "Performs review of patient charts to determine the level of care.",
    "Requests and obtains medical records from outside providers for appeals.",
    "Review clinical records to confirm study eligibility.",
])
def test_records_read_or_requested_for_another_task_are_not_records_kept(analyzer, duty):
    posting = f"Utilization review coordinator at the hospital\n\nDuties\n- {duty}"
    assert "medical_records" not in found(analyzer, posting)


def test_records_kept_are_still_medical_records(analyzer):
    posting = "Health records clerk at the hospital\n\nDuties\n- Maintain and file medical records."
    assert "medical_records" in found(analyzer, posting)


def test_the_classes_a_class_specification_differs_from_ask_nothing(analyzer):
    posting = ("Health records specialist 1\n\nDistinguishing characteristics\n"
               "Health Records Specialist 1 maintains health records and performs data entry. It differs from the "
               "Office Specialist series which performs reception and word processing.")
    skills = found(analyzer, posting)
    assert "medical_records" in skills and not {"front_desk", "typing"} & set(skills)


@pytest.mark.parametrize("duty", [
    "Tracking patients referred to the Trust with a suspected cancer diagnosis along their pathway.",
    "Support patients through pathways, identifying potential breach patients.",
    "Cancer tracking for the 62 day target.",
])
def test_tracking_patients_along_a_pathway_is_scheduling(analyzer, duty):
    assert "scheduling" in found(analyzer, f"Cancer services administrator\n\nDuties\n- {duty}")


def test_tracking_patients_with_no_pathway_or_waiting_list_is_not_scheduling(analyzer):
    posting = "Ward nurse at the hospital\n\nDuties\n- Track patients' fluid intake and report changes."
    assert "scheduling" not in found(analyzer, posting)


@pytest.mark.parametrize(("text", "skill"), [
    ("Responsibilities\n- Follows up on denials from the hospital's review team.", "medical_billing"),
    ("Responsibilities\n- Seeks reimbursement of travel expenses.", "medical_billing"),
    ("Responsibilities\n- Seeks reimbursment of travel expenses.", "medical_billing"),  # misspelt, as loose
    ("Responsibilities\n- Filing and photocopying for the medical team.", "medical_records"),
    ("Responsibilities\n- Covers the switchboard at lunch.", "front_desk"),
    ("Requirements\n- Establishes a good rapport with patients.", "communication"),
    ("Responsibilities\n- Photocopies forms for the medical team.", "medical_documentation"),
    ("Clerk. Explains the clinic's privacy practices to patients.", "hipaa"),
    ("Clerk. Maintain database of the clinic's patients.", "database_management"),
])
def test_a_loose_wording_alone_does_not_make_the_skill(analyzer, text, skill):
    assert skill not in found(analyzer, text)


@pytest.mark.parametrize(("text", "skill"), [
    # Two different loose wordings agree.
    ("Responsibilities\n- Follows up on denials and reimbursement from payers.", "medical_billing"),
    # A loose wording beside one that stands alone.
    ("Responsibilities\n- Follows up on denials.\n- Submits claims to insurance companies.", "medical_billing"),
    ("Responsibilities\n- Filing and photocopying for the medical team.\n- Maintains medical records.",
     "medical_records"),
    ("Requirements\n- Establishes a good rapport with patients.\n- Excellent communication skills.", "communication"),
])
def test_a_loose_wording_counts_beside_another(analyzer, text, skill):
    evidence = {e["text"].lower() for e in found(analyzer, text)[skill]["evidence"]}
    assert any(w in evidence for w in ("denials", "filing", "rapport", "reimbursement"))


@pytest.mark.parametrize(("text", "skill"), [
    # A clinico-pathological conference, not the coder's credential.
    ("Specialty registrar. Audit, Journal Club, CPC and governance meetings are provided.", "coding_certification"),
    ("Specialty registrar. Attends the weekly CPC conference.", "coding_certification"),
    # A clinic's books, not its patients' records.
    ("Billing clerk. Applies standard financial record keeping practices for the clinic's patients.",
     "medical_records"),
])
def test_meetings_and_books_named_like_office_skills_are_not_them(analyzer, text, skill):
    assert skill not in found(analyzer, text)


def test_the_coders_credential_and_patients_records_still_count(analyzer):
    assert "coding_certification" in found(analyzer, "Coder. CPC certification required.")
    assert "medical_records" in found(analyzer, "Clerk. Maintains record keeping for clinic patients.")
