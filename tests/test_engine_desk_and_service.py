"""Wordings of the front desk and of customer service, each class over several wordings: co-pays
collected at the desk, not named among a plan's benefits; a call centre as experience asked of the
worker, not as the place, the department or the title of the job; and wordings near a skill that are
not it (appointments attended, flexible hours, a body lifted, channels set up, how to apply)."""

from __future__ import annotations

import pytest

from models.analysis import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.for_skillset()


def asks(analyzer: Analyzer, text: str, sid: str = "customer_service") -> bool:
    return sid in {s["id"] for s in analyzer.analyze(text)["skills"]}


@pytest.mark.parametrize("duty, counts", [
    ("Collect co-pays and deductibles from patients.", True),
    ("Performs cashiering functions, collecting required copay.", True),
    ("Request payment of co-pay, deductible or good-faith deposit as hospital policy specifies.", True),
    ("Collects copays from patients at the time of service.", True),
    ("Confirm plan status, effective dates, co-pays, deductibles, coinsurance and authorization requirements.",
     False),
    ("Determine coverage benefits, including any copays, deductibles, or coinsurance requirements.", False),
    ("Maintains records of financial transactions including revenue collected, co-payments and payment history.",
     False),
])
def test_copays_collected_not_named_among_benefits_are_the_front_desk(analyzer, duty, counts):
    assert asks(analyzer, f"Medical clinic\nDuties\n- {duty}", "front_desk") is counts


@pytest.mark.parametrize("text", [
    "Requirements\n- Call centre experience is essential.",
    "Requirements\n- 1-2 years of call center or similar experience.",
    "Preferred\n- Call Center or Help Desk experience a plus.",
    "Requirements\n- Experience in a customer service call center or hospital office.",
    "Requirements\n- Previous work in a busy contact centre environment.",
])
def test_call_centre_experience_is_customer_service(analyzer, text):
    assert asks(analyzer, text)


@pytest.mark.parametrize("text", [
    "Call Center - Clinton\nThe clinic is seeking a representative at our Clinton location.",
    "Duties\n- Engage in day-to-day scheduling call center operations, including queue monitoring.",
    "Duties\n- Serve as the initial point of contact for the units, clinics and call centers.",
    "About us\nOur nurses work in our Contact Centres, giving clinical advice over the phone.",
])
def test_a_call_centre_as_a_place_is_not_customer_service(analyzer, text):
    assert not asks(analyzer, text)


@pytest.mark.parametrize("text, sid", [
    # Getting to an appointment is not booking it; hours the employer offers are not scheduling.
    ("Duties\n- Drive patients attending appointments and procedures at our hospitals.", "scheduling"),
    ("Duties\n- Signpost callers to services that may support them to attend their hospital appointments.",
     "scheduling"),
    ("About us\nWe offer in-home coverage with flexible scheduling.", "scheduling"),
    ("Duties\n- Assist with patient referral intake, delivery/pick-up scheduling and supply orders.", "scheduling"),
    ("Duties\n- Responsible for scheduling facility staff (RNs, LPNs, CNAs, Dietary) for all shifts.", "scheduling"),
    ("Duties\n- Oversees Referral Coordinators, including organizing and scheduling daily work assignments.",
     "scheduling"),
    ("Duties\n- Obtain authorization requests prior to a patient's scheduled appointment.", "scheduling"),
    # The body lifted in a physical-demands paragraph is no anatomy.
    ("Physical demands\nLift, carry, push, pull, or otherwise move objects, including the human body.", "anatomy"),
    # Channels of communication set up are no skill of the worker's.
    ("Duties\n- Establish effective communication channels with providers and medical staff.", "communication"),
    # A court's complaints are pleadings, not a customer's.
    ("Duties\n- Type and proofread pleadings (e.g., complaints, answers), motions and subpoenas.",
     "customer_service"),
    # Patients as the subject of "experience", and a patient's complaints as symptoms.
    ("Duties\n- Develop performance metrics to understand how patients experience the NHS.", "customer_service"),
    ("Duties\n- Informs the surgeon if the patient has any complaints during the procedure.", "customer_service"),
    # An employer's patients "on Medicare" are no verification of cover; the staff a manager supervises
    # are no credential asked of the manager.
    ("About us\nWe run primary care centers for adults on Medicare in underserved communities.",
     "insurance_verification"),
    ("Duties\n- Directly supervises clinical administrative staff, including PASR, CMA, CNA and MA roles.",
     "ma_certification"),
    # Entering records into a database is data entry, not managing the database.
    ("Duties\n- Scans registrations and enters them into the state-controlled database.", "database_management"),
    ("Duties\n- Operates computer systems to accomplish assigned database entries.", "database_management"),
    # Compliance with HIPAA alone is HIPAA (the contract), and a patient's non-compliance no law.
    ("Essential duties\n- Maintains compliance with all HIPAA requirements.",
     "medical_law_ethics"),
    ("Duties\n- Indicates a patient's non-compliance with treatment to medical and nursing staff.",
     "medical_law_ethics"),
    # Clinical documentation read, asked for or sent on is another task's material, not records kept.
    ("Duties\n- Submit supporting clinical documentation, including notes and test results, to payers.",
     "medical_records"),
    ("Duties\n- Evaluate clinical documentation for inpatient stays against plan criteria.", "medical_records"),
    # A job board's category line under the posting's date.
    ("Patient Access Specialist\nListed on 2026-01-13\n-\nHealthcare\nHealthcare Administration, Medical Billing "
     "and Coding, Medical Receptionist\n3 days ago\nRegister patients for their visits.", "medical_coding"),
    ("Financial Counselor\nListed on 2026-02-07\n-\nHealthcare\nHealthcare Administration, Medical Billing and "
     "Coding\nOverview\nHelp patients apply for financial assistance.", "medical_billing"),
    # Applications for jobs are no patient's forms.
    ("Duties\n- Process applications for healthcare positions at the hospital's clinics.", "medical_documentation"),
    # How to apply is no data entry.
    ("How to apply\nOnly the information entered in your application will be considered.", "data_entry"),
])
def test_wordings_near_a_skill_that_are_not_it(analyzer, text, sid):
    assert not asks(analyzer, text, sid)


@pytest.mark.parametrize("text, sid", [
    ("Duties\n- Schedule patient appointments and procedures.", "scheduling"),
    ("Requirements\n- Knowledge of the human body and medical terminology.", "anatomy"),
    ("Requirements\n- Effective communication skills with patients and providers.", "communication"),
    ("Duties\n- Make sure all patient information entered in the system is correct.", "data_entry"),
    ("Duties\n- Processing and typing referrals to other organisations.", "medical_documentation"),
    ("Duties\n- Types discharge summaries for the ward's consultants.", "medical_documentation"),
    ("Duties\n- Typing clinic and referral letters from dictation.", "medical_documentation"),
    ("Duties\n- Manages physician orders and other clinical documentation for each patient visit.",
     "medical_records"),
    # A health program's applications and forms prepared for the patient.
    ("Duties\n- The preparation/completion of applications for governmental healthcare programs for patients.",
     "medical_documentation"),
    ("Duties\n- Submits and tracks required forms for Medicaid payer sources for each patient.",
     "medical_documentation"),
])
def test_the_same_skills_in_their_own_words(analyzer, text, sid):
    assert asks(analyzer, text, sid)


@pytest.mark.parametrize("text, sid, counts", [
    # A patient's fluid balance charted at the bedside is no intake at the desk.
    ("Assist in measuring and documenting patient intake and output (I&O).", "front_desk", False),
    ("Records patient intake & output and vital signs.", "front_desk", False),
    ("Completes patient intake and registration at check-in.", "front_desk", True),
    # Customer service as another party to get information from, not the worker's service.
    ("Verify account discrepancies by obtaining information from sales, customer service, and from customers.",
     "customer_service", False),
    ("Obtains missing remittance details from customer service.", "customer_service", False),
    ("Provides excellent customer service to patients and visitors.", "customer_service", True),
])
def test_wordings_near_a_skill_that_another_party_or_the_bedside_holds(analyzer, text, sid, counts):
    assert asks(analyzer, f"Duties\n- {text}", sid) is counts
