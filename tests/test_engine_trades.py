"""Trades and roles from models/data/trades.toml: who a posting is for, read from its words and title."""

from __future__ import annotations

import pytest

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
    return load_trades().excluded(toks, doc.blocks, title, frozenset({"medical_billing"}))


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


@pytest.mark.parametrize("text", [
    "[[trades]]\nid = 'x'\nname = 'X'\nwords = ['a']\n",  # no [healthcare]
    "[healthcare]\nwords = []\n",
    "[healthcare]\nwords = ['patient']\n[[trades]]\nid = 'x'\nname = 'X'\nwords = []\n",
])
def test_a_malformed_trades_file_is_a_clear_error(text):
    with pytest.raises(TradesError, match="trades.toml"):
        parse_trades(text, "trades.toml")
