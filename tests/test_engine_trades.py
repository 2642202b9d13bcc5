"""Trades and roles from models/data/trades.toml: who a posting is for, read from its words and title."""

from __future__ import annotations

import re

import pytest

from models.analysis import Analyzer
from models.parsing import parse_posting
from models.text import tokenize
from models.trades import TradesError, load_trades, parse_trades

HOTEL = ("Night Auditor\nResponsibilities\n- Balance the hotel's guest accounts each night.\n"
         "- Check in late guests at the front desk of the hotel and answer guest calls.\n"
         "- Prepare the room revenue report for the hotel manager every morning before the shift ends.\n"
         "Benefits\n- Medical, dental and vision insurance for you and your family.")
CLINIC = ("Patient Access Representative\nResponsibilities\n- Register patients at the clinic front desk.\n"
          "- Verify insurance before each visit and collect co-pays from patients.\n"
          "- Answer calls from patients and physicians' offices about their appointments and bills.")


def _read(text: str, title: str | None = None):
    doc = parse_posting(text)
    toks = tokenize(doc.text)
    by_trade, by_role = load_trades().excluded_parts(toks, doc.blocks, title, frozenset({"medical_billing"}))
    return by_trade | by_role


def test_a_hotel_is_of_its_trade_though_its_benefits_are_medical():
    assert {"front_desk", "scheduling", "medical_billing"} <= _read(HOTEL)


def test_a_clinic_is_healthcare_and_its_front_desk_counts():
    assert _read(CLINIC) == frozenset()


@pytest.mark.parametrize(("title", "excluded"), [
    ("Payment Poster", True), ("Billing Specialist", True), ("Front Office Specialist and Medical Biller", False),
    ("Patient Access Cashier", False), ("Medical Receptionist", False),
])
def test_a_back_office_title_names_its_role(title, excluded):
    assert ("front_desk" in _read(CLINIC, title)) is excluded


@pytest.mark.parametrize(("title", "excluded"), [
    ("Registered Nurse Weekend - SICU", True), ("Certified Nursing Assistant (CNA)", True),
    ("LPN - Women's Health", True),
    ("Phlebotomist", True), ("Pharmacy Technician - Inpatient", True), ("Dental Hygiene Assistant", True),
    ("Dental Assistant", True), ("Triage Telephone Nurse", True),
    ("Medical Assistant, Licensed Practical Nurse", False), ("Nursing Unit Secretary II", False),
    ("Dental Receptionist", False), ("Pharmacy Front Desk Clerk", False), ("Ward Clerk", False),
    ("Dental Office Coordinator", False), ("Assistant Practice Manager", False),
])
def test_a_clinical_title_names_its_role_and_a_front_office_word_another(title, excluded):
    """The front desk and appointments a nurse, a phlebotomist or a dental assistant speaks of are others' work."""
    assert ("scheduling" in _read(CLINIC, title)) is excluded
    assert ("front_desk" in _read(CLINIC, title)) is excluded


def test_a_role_phrase_counts_only_with_its_words_in_a_row():
    assert _read(CLINIC, "Assistant to the Dental Director") == frozenset()
    assert load_trades().role_of(("dental", "assistant")) is not None


CITY = ("Administrative Assistant\nResponsibilities\n- Serve as backup to the front office and answer the phones.\n"
        "- Manage the department's calendar and set appointments with vendors and residents of the city.\n"
        "- Prepare agendas and minutes for council committees and track the contracts of the department.")


@pytest.mark.parametrize(("title", "excluded"), [
    ("Administrative Assistant", True), ("Leasing Consultant", True), ("Accounts Receivable Clerk", True),
    ("Receptionist", False), ("Front Desk Coordinator", False), ("Appointments Clerk", False),
])
def test_front_desk_and_scheduling_count_outside_healthcare_only_for_a_title_that_names_them(title, excluded):
    """A city office's front office and a leasing agent's appointments are not patient reception and scheduling."""
    assert ("front_desk" in _read(CITY, title)) is excluded
    assert ("scheduling" in _read(CITY, title)) is excluded
    assert _read(CLINIC, title) & {"front_desk", "scheduling"} == frozenset()


@pytest.mark.parametrize(("title", "excluded"), [
    ("Senior Analyst", True), ("EPR Business Intelligence Developer", True), ("Medical Laboratory Scientist", True),
    ("Waiting List Analyst", False), ("Patient Access Data Analyst", False), ("Payment Analyst", True),
])
def test_an_analyst_or_developer_title_does_not_count_the_appointments_it_studies(title, excluded):
    assert ("scheduling" in _read(CLINIC, title)) is excluded


@pytest.mark.parametrize(("title", "excluded"), [
    ("Payroll Assistant, Band 3", True), ("E-Rostering Administrator", True), ("HR Advisor", True),
    ("Medical Workforce Administrator", True), ("Recruitment Officer", True),
    ("Medical Secretary", False), ("Patient Access Representative", False),
])
def test_a_staff_administration_title_keeps_employment_law_and_staff_rotas_apart(title, excluded):
    """The regulations payroll and HR keep are employment law; the rotas they keep are staff's."""
    assert ("medical_law_ethics" in _read(CLINIC, title)) is excluded
    assert ("scheduling" in _read(CLINIC, title)) is excluded


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.for_skillset()


def _found(analyzer: Analyzer, text: str) -> set[str]:
    return {s["id"] for s in analyzer.analyze(text)["skills"]}


@pytest.mark.parametrize(("sentence", "skill", "counts"), [
    # A post's appointment is not a patient's.
    ("Job Appointment: Full-Time, permanent.", "scheduling", False),
    ("Appointment type: Term - 4 years.", "scheduling", False),
    ("From the date of appointment the post holder will be eligible for progression.", "scheduling", False),
    ("The successful candidate's appointment to the Band 3 role follows training.", "scheduling", False),
    ("Processes new producer appointments and licensing appointment statuses.", "scheduling", False),
    ("Schedule patient appointments and confirm them by phone.", "scheduling", True),
    ("Book appointments for the clinic's patients.", "scheduling", True),
    # A rota's and an event's scheduling.
    ("Assists with staff scheduling for the unit.", "scheduling", False),
    ("Manage event logistics such as scheduling and catering.", "scheduling", False),
    ("Coordinate travel arrangements and conference bookings.", "scheduling", False),
    ("Scheduling patients for procedures with the physician.", "scheduling", True),
    # A registered nurse is no registration of patients.
    ("The registered nurse provides patient care utilizing the nursing process.", "front_desk", False),
    ("Registered nurses care for patients on the ward.", "front_desk", False),
    ("Registers and checks in patients at the clinic.", "front_desk", True),
    ("Accurately registering all inpatient and outpatient patient types.", "front_desk", True),
    # PALS the life-support course is no Patient Advice and Liaison Service.
    ("Nurses with pediatric patients must complete and maintain PALS certification.", "customer_service", False),
    ("BLS, ACLS and PALS required for the clinic's nurses.", "customer_service", False),
    ("Liaise with PALS to resolve patient complaints.", "customer_service", True),
    # A medication's adjustments are no billing; a patient account's are.
    ("Consults with the physician regarding medication adjustments for the patient.", "medical_billing", False),
    ("Post patient payments, insurance adjustments and denials.", "medical_billing", True),
    # Physiological factors are no knowledge of physiology.
    ("The care plan includes physiological, psychosocial and environmental factors of a patient.", "anatomy", False),
    ("Knowledge of human anatomy and physiology is required for the patient role.", "anatomy", True),
    ("Working knowledge of physiological terms used in patient records.", "anatomy", True),
    # A body's name is no ask for its standards.
    ("Completion of an International Joint Commission on Allied Health Personnel in Ophthalmology program "
     "for patient care.", "medical_law_ethics", False),
    ("Follow Joint Commission standards in the patient clinic.", "medical_law_ethics", True),
])
def test_other_trades_wordings_of_a_skills_words(analyzer, sentence, skill, counts):
    assert (skill in _found(analyzer, f"Responsibilities\n- {sentence}")) is counts



@pytest.mark.parametrize(("sentence", "counts"), [
    ("Performs an initial dental examination, including the charting of carious lesions.", True),
    ("Preliminarily charts conditions of decay and disease for the dentist.", True),
    ("Sterilizes instruments after patient treatment and charts dental anomalies.", True),
    ("Renders assistance to residents in need and documents on NAC flowsheets.", True),
    ("Ensure entries made in nursing documentation are correct, legible and countersigned.", True),
    ("Taking and recording vital signs of each patient.", True),
    ("Encourage residents' intake at meals and accurately document intake.", True),
    ("Personal care of patients and maintaining thorough records and documentation.", True),
    ("Build charting dashboards in Excel for the clinical team.", False),
    ("Know the medical abbreviations and symbols used in the dispensing and charting of medications.", False),
    ("Document the intake of new clients for the sales team.", False),
    ("Maintains the charts of accounts for the medical group.", False),
])
def test_clinical_charting_is_keeping_medical_records(analyzer, sentence, counts):
    """The labels count clinical charting as keeping records (medical_records), not as documentation."""
    assert ("medical_records" in _found(analyzer, f"Responsibilities\n- {sentence}")) is counts


@pytest.mark.parametrize(("sentence", "counts"), [
    ("Written and oral exams will be scheduled on a continuous basis.", False),
    ("Applicants must pass an oral and written examination.", False),
    ("Auditory acuity to hear patient verbal communication during assessments.", False),
    ("Communicate verbally and in writing information regarding the resident's condition.", False),
    ("Responds to questions both verbally and in writing regarding licensing statuses.", False),
    ("Excellent oral and written communication skills.", True),
    ("Strong verbal communication skills with guests and coworkers.", True),
    ("Able to communicate effectively both verbally and in writing.", True),
])
def test_exams_hearing_and_passing_on_one_matter_are_not_communication_skills(analyzer, sentence, counts):
    assert ("communication" in _found(analyzer, f"Requirements\n- {sentence}")) is counts


@pytest.mark.parametrize(("sentence", "counts"), [
    ("Accurately updates patient information in the many pharmacy software packages.", False),
    ("Uses hospital computer systems such as VistA, CPRS and other software applications.", False),
    ("Proficient with software applications such as Microsoft Word and Excel.", True),
    ("Experience using a computer and standard software packages for the clinic's patients.", True),
])
def test_pharmacy_systems_are_not_office_software(analyzer, sentence, counts):
    assert ("office_software" in _found(analyzer, f"Requirements\n- {sentence}")) is counts



@pytest.mark.parametrize(("sentence", "counts"), [
    ("Warmly and graciously greet all guests upon arrival.", True),
    ("Greet customers immediately at the front door.", True),
    ("Resolves member requests and questions promptly, courteously, and professionally.", True),
    ("Answers customer questions regarding problems with their account.", True),
    ("Assists with citizen inquiries and concerns at the counter.", True),
    ("Answers questions and solves problems for members.", True),
    ("Responding to, and resolving customer requests for network access.", False),
    ("Greet the day with a positive attitude.", False),
    ("Answers questions from staff about their pay.", False),
])
def test_answering_a_counters_public_is_customer_service_in_any_trade(analyzer, sentence, counts):
    """The labels count a host's, a teller's and a billing clerk's service to the public as customer service."""
    assert ("customer_service" in _found(analyzer, f"Responsibilities\n- {sentence}")) is counts



@pytest.mark.parametrize(("sentence", "counts"), [
    ("Essential: BSc Physiotherapy and HCPC registration.", False),
    ("HCPC-registered paramedic with a C1 driving licence.", False),
    ("Must be registered with the HCPC as a radiographer.", False),
    ("Knowledge of HCPCS.", True),
    ("Assigns CPT and HCPCS Level II codes to claims.", True),
])
def test_a_clinicians_hcpc_registration_is_not_medical_coding(analyzer, sentence, counts):
    assert ("medical_coding" in _found(analyzer, f"Requirements\n- {sentence}")) is counts


@pytest.mark.parametrize("text", [
    "[[trades]]\nid = 'x'\nname = 'X'\nwords = ['a']\n",  # no [healthcare]
    "[healthcare]\nwords = []\n",
    "[healthcare]\nwords = ['patient']\n[[trades]]\nid = 'x'\nname = 'X'\nwords = []\n",
])
def test_a_malformed_trades_file_is_a_clear_error(text):
    with pytest.raises(TradesError, match="trades.toml"):
        parse_trades(text, "trades.toml")


GOOD = ("[healthcare]\nwords = ['patient']\n\n[[trades]]\nid = 'hospitality'\nname = 'Hotels'\nwords = ['hotel']\n"
        "\n[[roles]]\nid = 'back office'\ntitle = ['billing']\nskills = ['front_desk']\n")


@pytest.mark.parametrize(("old", "new", "line", "entry"), [
    ("words = ['patient']", "words = []", 1, "[healthcare]"),
    ("words = ['patient']", "words = ['patient']\nleast_words = 'forty'", 1, "[healthcare]"),
    ("words = ['hotel']", "words = 'hotel'", 5, "trade 1 'hospitality'"),
    ("name = 'Hotels'", "name = ''", 5, "trade 1 'hospitality'"),
    ("words = ['hotel']", "words = ['hotel']\nleast = 0", 5, "trade 1 'hospitality'"),
    ("skills = ['front_desk']", "skills = []", 10, "role 1 'back office'"),
    ("title = ['billing']", "title = ['billing', 3]", 10, "role 1 'back office'"),
])
def test_an_error_in_the_trades_file_names_its_line_and_entry(old, new, line, entry):
    assert parse_trades(GOOD, "trades.toml").roles[0].id == "back office"
    with pytest.raises(TradesError, match=rf"^trades\.toml, line {line} \({re.escape(entry)}\): "):
        parse_trades(GOOD.replace(old, new), "trades.toml")


def test_a_trades_file_that_is_not_toml_is_a_clear_error():
    with pytest.raises(TradesError, match=r"^trades\.toml: .*line 3"):
        parse_trades("[healthcare]\nwords = ['patient'\nleast_words = 40\n", "trades.toml")


@pytest.mark.parametrize(("title", "duty", "skill", "counts"), [
    # A duty of the clinical worker's own that names the front desk's work counts.
    ("Practical Nurse", "Checks patients into the clinic and documents intake data.", "front_desk", True),
    ("Registered Dental Assistant", "Makes dental appointments and patient reminder calls.", "scheduling", True),
    ("Registered Dental Assistant", "Performs receptionist and clerical tasks for the dental service.",
     "front_desk", True),
    ("Dental Assistant", "Receives and schedules patients for treatment in the dental clinic.", "scheduling", True),
    # The next of duties joined to the first is the worker's own too.
    ("License Practical Nurse", "Answering phones and scheduling appointments.", "scheduling", True),
    ("Licensed Practical Nurse", "Rooms patients, takes histories, and schedules follow-up appointments.",
     "scheduling", True),
    ("Licensed Practical Nurse", "Takes vitals and reviews the appointments the front desk booked.", "scheduling",
     False),
    # The same work as others' stays theirs.
    ("Practical Nurse", "Assists patients during appointments with the physician.", "scheduling", False),
    ("Registered Nurse", "Hands patients over to the front desk after each visit.", "front_desk", False),
    ("Dental Assistant", "Sterilizes instruments; the front desk books the appointments.", "scheduling", False),
    # A back-office role keeps no own duty of the front desk's: a poster's co-pays are billing.
    ("Business Office Payment Poster", "Posts co-pay, same day, and on account reports.", "front_desk", False),
    # A financial counselor registers patients at the access desk; the front desk around it is others'.
    ("Financial Counselor", "Registers, Pre-registers, verifies insurance and obtains authorizations.",
     "front_desk", True),
    ("Patient Financial Counselor II", "Registers patients arriving for outpatient surgery.", "front_desk", True),
    ("Financial Counselor", "Works with the front desk staff on patients' copays at check-in.", "front_desk", False),
    ("Financial Counselor", "Meets patients after their appointments to discuss payment plans.", "scheduling",
     False),
])
def test_a_clinical_workers_own_duty_counts_the_front_desks_work(analyzer, title, duty, skill, counts):
    text = (f"{title}\nResponsibilities\n- {duty}\n- Takes vital signs and records them for each patient "
            "seen in the clinic by the physician.\n- Sterilizes the instruments used on patients in the clinic.")
    assert (skill in {s["id"] for s in analyzer.analyze(text, title=title)["skills"]}) is counts


def test_own_duties_must_be_true_or_false():
    assert parse_trades(GOOD.replace("skills = ['front_desk']", "skills = ['front_desk']\nown_duties = true"),
                        "trades.toml").roles[0].own_duties
    with pytest.raises(TradesError, match=r"role 1 'back office'\): 'own_duties' must be true or false"):
        parse_trades(GOOD.replace("skills = ['front_desk']", "skills = ['front_desk']\nown_duties = 'yes'"),
                     "trades.toml")


_POSTING = ("Retrieves electronic remittances and lockbox payments, matches them to deposits, and posts into the "
            "revenue system daily. Balances payment reports and deposit amounts on all spreadsheets weekly. "
            "Researches and resolves unposted cash on a timely basis. Problem solves independently before "
            "referring issues to a supervisor. Medical billing experience required.")


@pytest.mark.parametrize(("duty", "counts"), [
    ("Retrieves hard copy EOBs and posts manually.", True),
    ("Communicates with payors and staff in a respectful manner.", True),
    ("Works with payers and vendors in a respectful manner.", False),  # any trade's payers
])
def test_a_billing_offices_eobs_and_payors_are_healthcare_words(analyzer, duty, counts):
    text = f"Responsibilities\n{duty} {_POSTING}"
    assert ("medical_billing" in {s["id"] for s in analyzer.analyze(text)["skills"]}) is counts


COUNTY_CLERK = ("Account Clerk\nDuties\n- Prepare and submit claims for services to third-party insurers.\n"
                "- Work denial management and claim resubmission, and reconcile monthly statements.\n"
                "- Correct errors and omissions in episode entries (diagnosis codes, time durations) with program "
                "staff.\n- Maintain the office's files and answer questions from clients and staff about their "
                "accounts and the program's services every week.\n")
UTILITY_CLERK = ("Utility Billing Clerk\nDuties\n- Prepare and mail monthly water and sewer bills to customers.\n"
                 "- Post payments to customer accounts and reconcile the daily cash drawer.\n"
                 "- Answer questions from customers about their bills, meter readings and service starts.\n"
                 "- Maintain the office's files and prepare reports for the finance director every month.\n")


def test_diagnoses_are_healthcare_words(analyzer):
    """A behavioural health office's billing names diagnosis codes, not patients: it is healthcare
    billing; a city's utility billing names none."""
    assert "medical_billing" in _found(analyzer, COUNTY_CLERK)
    assert "medical_billing" not in _found(analyzer, UTILITY_CLERK)
