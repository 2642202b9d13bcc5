"""A posting's locale, the skills that apply in it, and its pay beside the range of its locale."""

from __future__ import annotations

import glob
import html
import json
from pathlib import Path

import pytest

from models.analysis import Analyzer
from models.locale import detect_locale, known_locales
from models.parsing import parse_posting
from models.pay import compare_pay, find_pay
from models.record import describe_coverage
from models.skillset import SkillSetError, load_skillset
from models.skillset_file import parse_skillset

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
US_ONLY = {"insurance_verification", "ma_certification", "cmaa"}

NHS_POST = """<p>An opportunity has arisen for a Medical Secretary (Band 3) to join the Trust's
cardiology team at our hospital in York, YO24 3WX. The post holder will manage consultants'
diaries, type clinic letters and use SystmOne. Salary: £22,000 - £24,000 per annum.</p>"""
US_POST = """Medical Office Specialist, Denver, CO 80202. Verify insurance eligibility and obtain
prior authorizations; schedule appointments in Epic. CMA or CMAA certification preferred.
Pay: $18 - $21 per hour. We are an Equal Opportunity Employer."""


def locale_of(text: str, location: str | None = None) -> str | None:
    doc = parse_posting(text)
    return detect_locale(doc, find_pay(doc), location)


def ld_page(country: object, body: str = "Front desk receptionist, schedule appointments.") -> str:
    ld = {"@context": "https://schema.org", "@type": "JobPosting", "title": "Receptionist",
          "description": f"<p>{body}</p>",
          "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressCountry": country}}}
    return f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head><body></body></html>'


def test_locales_come_from_the_data_file():
    assert known_locales() == ("US", "UK")


@pytest.mark.parametrize("country, expected", [
    ("US", "US"), ("GB", "UK"), ("United Kingdom", "UK"), ({"@type": "Country", "name": "USA"}, "US"),
])
def test_json_ld_address_country_decides(country, expected):
    assert locale_of(ld_page(country)) == expected


def test_json_ld_country_outweighs_a_spelling():
    assert locale_of(ld_page("US", "Join our organisation as a receptionist.")) == "US"


def test_currency_of_the_pay_tells_the_locale():
    assert locale_of("Receptionist. Pay: £9.50 per hour.") == "UK"
    assert locale_of("Receptionist. Pay: $19.50 per hour.") == "US"


def test_nhs_cues_and_postcodes_tell_the_uk():
    assert locale_of(NHS_POST) == "UK"
    assert locale_of("Ward clerk for our NHS Foundation Trust, Agenda for Change Band 2.") == "UK"
    assert locale_of("Receptionist at the surgery, Exeter EX2 5DW.") == "UK"


def test_states_and_zip_codes_tell_the_us():
    assert locale_of(US_POST) == "US"
    assert locale_of("Front desk receptionist at our clinic, Portland, OR 97201.") == "US"
    assert locale_of("Front desk receptionist at our clinic in Montana and Wyoming.") == "US"


def test_a_spelling_tells_the_locale_when_nothing_else_does():
    # One spelling is weak, but measured on every labelled and shared posting it was never
    # wrong where nothing else spoke; any stronger cue of the other country outweighs it.
    assert locale_of("Receptionist for our organisation.") == "UK"
    assert locale_of("Receptionist at our health center.") == "US"
    assert locale_of("Receptionist for our organisation at our health center.") is None
    assert locale_of("Receptionist for our organization. Pay: £9.50 per hour.") == "UK"
    # A spelling both countries use is no cue.
    assert locale_of("Office clerk. Uses good judgement in routine matters.") is None
    assert locale_of("Receptionist for our organisation; you will be organised.") == "UK"
    assert locale_of("Receptionist at our health center; you will be organized.") == "US"


@pytest.mark.parametrize("text", [
    "Practice nurse. You will be supported by a team of GP's and nurse practitioners.",  # a cue's possessive
    "An exciting opportunity has arisen for a ward clerk to join our team.",
    "Ward clerk. For further details / informal visits contact Jane Smith.",
    "Ward administrator. Contact marianne.horne@trust.nhs.uk for details.",
    "Health records clerk. Please call 01438 286924 for details.",
    "Practice nurse: child immunisations and travel immunisations; recognise when to refer.",
    "Waiting list co-ordinator: an excellent understanding of the referral to treatment (RTT) pathway.",
    "Legal support secretary, London (Central).",
])
def test_the_uks_wording_numbers_and_addresses_tell_the_uk(text):
    assert locale_of(text) == "UK"


@pytest.mark.parametrize("text, locale", [
    ("Medical assistant: child immunizations; obtain prior authorizations.", "US"),
    ("Front desk receptionist. Please call (617) 555-0134 or 617-555-0134.", None),  # a US number is no UK cue
    ("Receptionist. Call 0800 for details or visit www.example.com.", None),
])
def test_spellings_and_numbers_of_either_country(text, locale):
    assert locale_of(text) == locale


def test_no_cue_or_mixed_cues_give_no_locale():
    assert locale_of("Receptionist. Schedule appointments and answer phones.") is None
    assert locale_of("Our NHS Foundation Trust in York, YO24 3WX, partners with a clinic in Denver, CO 80202.") is None


def test_the_location_of_a_row_is_a_cue():
    assert locale_of("Receptionist. Schedule appointments.", "Montana") == "US"
    assert locale_of("Receptionist. Schedule appointments.", "York, YO24 3WX, GB") == "UK"
    assert locale_of("Receptionist. Schedule appointments.", "San Francisco, CA 94105") == "US"


# --- skills that apply in a locale ------------------------------------------------------------


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.for_skillset("medical-office-specialist")


def test_us_only_skills_are_marked_with_their_uk_counterpart():
    skillset = load_skillset("medical-office-specialist")
    marked = {s.id: s for s in skillset.skills if s.applies}
    assert set(marked) == US_ONLY and all(s.applies == ("US",) for s in marked.values())
    assert "AMSPAR" in marked["cmaa"].counterpart and "AMSPAR" in marked["ma_certification"].counterpart
    assert "insurer" in marked["insurance_verification"].counterpart
    # The manager takes the skills of the specialist by id, and with them where they apply.
    manager = load_skillset("medical-office-manager")
    assert {s.id for s in manager.skills if s.applies} == {"insurance_verification", "cmaa"}


def test_a_uk_posting_lists_no_us_only_gap(analyzer):
    record = analyzer.analyze(NHS_POST)
    assert record["locale"] == "UK"
    gaps = {g["id"] for g in record["gaps"]}
    assert gaps and not gaps & US_ONLY
    # A coverage group's size is the skill set's, for the posting's locale.
    described = describe_coverage(record["coverage"], analyzer.skillset, record["locale"])
    total = sum(c["total"] for c in described["tier"].values())
    assert total == len(analyzer.skillset.skills) - len(US_ONLY)


def test_a_us_posting_and_one_of_no_locale_count_every_skill(analyzer):
    us = analyzer.analyze(US_POST)
    assert us["locale"] == "US"
    assert {"insurance_verification", "ma_certification", "cmaa"} <= {s["id"] for s in us["skills"]}
    unknown = analyzer.analyze("Receptionist. Schedule appointments and answer phones.")
    assert unknown["locale"] is None
    assert US_ONLY <= {g["id"] for g in unknown["gaps"]}
    described = describe_coverage(unknown["coverage"], analyzer.skillset, unknown["locale"])
    assert sum(c["total"] for c in described["tier"].values()) == len(analyzer.skillset.skills)


def test_the_score_leaves_out_skills_that_do_not_apply(analyzer):
    """The same skills asked for score higher where fewer skills apply."""
    text = "Receptionist: schedule appointments and greet patients at the front desk."
    uk = analyzer.analyze(text, location="Leeds, LS1 3EX, GB")
    us = analyzer.analyze(text, location="Denver, CO")
    assert uk["locale"] == "UK" and us["locale"] == "US"
    assert {s["id"] for s in uk["skills"]} == {s["id"] for s in us["skills"]}
    assert uk["score"] > us["score"] > 0


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


HEAD = 'id = "mine"\nname = "Mine"\nversion = "1"\n\n'
SKILL = '[[skills]]\nid = "forklift"\nname = "Forklift"\ncategory = "ops"\naliases = ["forklift"]\n'


@pytest.mark.parametrize("extra, message", [
    ('applies = ["FR"]\n', r"line 10 \(skill 1 'forklift'\): 'applies' must be a non-empty list of locales, of US, UK"),
    ("applies = []\n", r"line 10 .*'applies' must be a non-empty list"),
    ('applies = "US"\n', r"line 10 .*'applies' must be a non-empty list"),
    ('counterpart = "A UK licence"\n', r"line 10 .*give 'applies' too"),
    ('applies = ["UK"]\ncounterpart = 3\n', r"line 11 .*'counterpart' must be a string"),
])
def test_bad_applies_or_counterpart_names_the_line(tmp_path, extra, message):
    with pytest.raises(SkillSetError, match=message):
        load_skillset(write(tmp_path, HEAD + SKILL + extra))


@pytest.mark.parametrize("pay, message", [
    ('[pay.FR]\ncurrency = "EUR"\nmin = 1\nmax = 2\n', r"line 5: \[pay.FR\]: unknown locale"),
    ('[pay.UK]\ncurrency = "GBP"\nmin = 3\nmax = 2\n', r"line 5: \[pay.UK\]: 'min' and 'max' must be positive"),
    ('[pay.US]\ncurrency = "dollars"\nmin = 1\nmax = 2\n', r"line 5: \[pay.US\]: 'currency' must be a currency code"),
    ('[pay.US]\ncurrency = "USD"\nmin = 1\nmax = 2\nperiod = "fortnight"\n', r"line 5: \[pay.US\]: 'period' must be"),
    ('[pay.US]\ncurrency = "USD"\nmin = 1\nmax = 2\nlow = 1\n', r"line 5: \[pay.US\]: unknown key\(s\) \['low'\]"),
])
def test_bad_pay_ranges_name_the_line(tmp_path, pay, message):
    with pytest.raises(SkillSetError, match=message):
        load_skillset(write(tmp_path, HEAD + pay + "\n" + SKILL))


def test_one_pay_range_without_a_locale_still_loads(tmp_path):
    skillset = load_skillset(write(tmp_path, HEAD + '[pay]\ncurrency = "USD"\nmin = 1\nmax = 2\n\n' + SKILL))
    assert skillset.pay_range(None, "USD")["max"] == 2  # type: ignore[index]
    assert skillset.pay_range("UK", "GBP") is None


# --- pay beside the range of the posting's locale ------------------------------------------


def pay(currency: str, low: float, high: float) -> dict[str, object]:
    return {"currency": currency, "annual_min": low, "annual_max": high}


@pytest.mark.parametrize("locale, currency", [("US", "USD"), ("UK", "GBP")])
def test_pay_is_within_overlaps_below_or_above_the_range_of_its_locale(locale, currency):
    range_ = load_skillset().pay_range(locale, currency)
    assert range_ is not None and range_["currency"] == currency
    low, high = range_["min"], range_["max"]
    assert compare_pay(pay(currency, low, high), range_) == "within"
    assert compare_pay(pay(currency, low + 10, high - 10), range_) == "within"
    assert compare_pay(pay(currency, low - 1000, low + 10), range_) == "overlaps"
    assert compare_pay(pay(currency, high - 10, high + 1000), range_) == "overlaps"
    assert compare_pay(pay(currency, low - 1000, high + 1000), range_) == "overlaps"
    assert compare_pay(pay(currency, low - 2000, low - 1000), range_) == "below"
    assert compare_pay(pay(currency, high + 1000, high + 2000), range_) == "above"


def test_a_pound_salary_is_never_set_beside_a_dollar_range():
    skillset = load_skillset()
    us = skillset.pay["US"]
    assert compare_pay(pay("GBP", 20000, 25000), us) is None
    assert skillset.pay_range("US", "GBP") is None  # a UK salary in a post read as US
    assert skillset.pay_range(None, "GBP")["currency"] == "GBP"  # type: ignore[index]
    assert skillset.pay_range(None, "USD")["currency"] == "USD"  # type: ignore[index]
    assert skillset.pay_range("UK")["currency"] == "GBP"  # type: ignore[index]


def test_the_uk_range_is_the_published_agenda_for_change_bands():
    uk = load_skillset().pay["UK"]
    assert (uk["min"], uk["max"]) == (23615, 29114)
    assert "Agenda for Change" in str(uk["source"]) and "2024/25" in str(uk["source"])


def test_an_hourly_range_is_compared_a_year():
    range_ = parse_skillset(HEAD + '[pay.US]\ncurrency = "USD"\nperiod = "hour"\nmin = 15\nmax = 20\n\n' + SKILL,
                            "x.toml").pay["US"]
    assert compare_pay(pay("USD", 32000, 40000), range_) == "within"
    assert compare_pay(pay("USD", 45000, 50000), range_) == "above"


# --- measured on real postings that state their country -------------------------------------


def _rows() -> list[tuple[str, str | None, str]]:
    rows = []
    for name in ("nhs_jobs_2020_medical_office.jsonl", "us_reprojobs_jobsboard.jsonl"):
        for line in (DATA / "postings" / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rows.append((html.unescape(row["description"]), row.get("location"),
                         {"GB": "UK", "US": "US"}[row["country"]]))
    for path in sorted(glob.glob(str(DATA / "pages" / "*.html"))):
        rows.append((Path(path).read_text(encoding="utf-8"), None, "US"))
    return rows


@pytest.mark.skipif(not (DATA / "postings" / "us_reprojobs_jobsboard.jsonl").exists()
                    or not (DATA / "postings" / "nhs_jobs_2020_medical_office.jsonl").exists(),
                    reason="the shared postings are not here")
def test_locale_on_real_postings_that_state_their_country():
    rows = _rows()
    with_location = [locale_of(text, location) for text, location, _ in rows]
    text_only = [locale_of(text) for text, _, _ in rows]
    expected = [want for _, _, want in rows]
    right = sum(got == want for got, want in zip(with_location, expected, strict=True))
    assert right / len(rows) >= 0.97
    # From the text alone many are unknown, but none is wrong.
    assert all(got in (None, want) for got, want in zip(text_only, expected, strict=True))
