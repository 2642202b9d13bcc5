"""Wordings of eligibility, authorizations and referrals handled as office work (insurance_verification),
each class over several wordings, and the near wordings that are not."""

from __future__ import annotations

import pytest

from models.analysis import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.for_skillset()


def asks(analyzer: Analyzer, duty: str) -> bool:
    record = analyzer.analyze(f"Medical clinic\nDuties\n- {duty}")
    return "insurance_verification" in {s["id"] for s in record["skills"]}


@pytest.mark.parametrize("duty, counts", [
    # Whose eligibility is verified may be named.
    ("Verification of member eligibility by means of the health plan's eligibility websites.", True),
    ("Verification of patient eligibility before each visit.", True),
    ("Verifies member eligibility and benefits in the payer portal.", True),
    ("Verifying patient insurance eligibility for scheduled services.", True),
    ("Verification of employment eligibility is required of all new hires.", False),
    ("Verify employment eligibility through E-Verify.", False),
    # Authorizations for care that the worker manages, obtains or asks for.
    ("Managing all clinical authorizations for the practice's patients.", True),
    ("Processes outpatient authorizations with insurance payers.", True),
    ("Enter requests for authorization for each patient referral.", True),
    ("Contact review organizations and insurance companies to ensure prior approval requirements are met.", True),
    ("Obtain prior approval from your manager before working overtime.", False),
    ("Process credit card authorizations for hotel guests.", False),
    # Referrals handled as office work where the posting is about payers and plans.
    ("Obtain all referrals needed for HMO patients.", True),
    ("Processing and managing inbound patient referrals; confirm Medicaid coverage.", True),
    ("Obtains and enters referrals for patients whose health plan requires them.", True),
    ("Verify insurance benefits and referral requirements for new patients.", True),
    ("Processes referrals to outside specialists for HMO patients.", True),
    ("Tracks referrals to community resources for the health plan's members.", False),
    ("Initiates referrals to other disciplines as needed under the health plan's care model.", False),
])
def test_eligibility_authorizations_and_referrals(analyzer, duty, counts):
    assert asks(analyzer, duty) is counts


@pytest.mark.parametrize("duty", [
    "Processing referrals and booking first appointments on the PAS.",
    "Managing incoming GP referrals via e-RS and typing clinic letters.",
])
def test_nhs_referrals_alone_are_not_insurance_verification(analyzer, duty):
    # The contract's UK wording: NHS referrals alone are not insurance verification.
    assert not asks(analyzer, duty)


def test_an_aba_providers_authorizations_are_healthcare_work(analyzer):
    """An Applied Behavior Analysis provider's posting names no patient or clinic, but payers and
    behavioural care: its authorizations are a healthcare office's (models/data/trades.toml)."""
    posting = (
        "ABA Authorization Specialist\n"
        "The specialist manages the end-to-end process of obtaining, tracking, and maintaining authorizations "
        "for Applied Behavior Analysis (ABA) services, and assists with the credentialing and enrollment of "
        "providers with various insurance payers.\n"
        "Duties\n"
        "- Proactively follow up with insurance companies to obtain initial and ongoing authorizations.\n"
        "- Confirm receipt and completeness of all submitted documentation.\n"
        "- Monitor authorization expiration dates and submit treatment plans on time.\n"
    )
    record = analyzer.analyze(posting)
    assert "insurance_verification" in {s["id"] for s in record["skills"]}
