"""Where a call centre or a contact centre is customer service: as experience asked of the worker, not as
the place, the department or the title of the job."""

from __future__ import annotations

import pytest

from models.analysis import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.for_skillset()


def asks(analyzer: Analyzer, text: str) -> bool:
    return "customer_service" in {s["id"] for s in analyzer.analyze(text)["skills"]}


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
