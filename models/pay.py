"""Find the pay a posting offers, and set it beside a skill set's range for its locale."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeGuard

if TYPE_CHECKING:
    from models.parsing import Document

HOURS_PER_YEAR = 2080
PER_YEAR = {"hour": HOURS_PER_YEAR, "day": 260, "week": 52, "month": 12, "year": 1}
CURRENCY = {"$": "USD", "£": "GBP", "€": "EUR"}

_AMOUNT = r"([$£€])\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s?(k\b)?"
PAY_RE = re.compile(
    _AMOUNT + r"(?:\s*(?:-|–|—|to)\s*" + r"[$£€]?\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s?(k\b)?)?"
    r"(?:\s*(?:per|an|a|/)\s*(hour|hr|day|week|wk|month|annum|year|yr))?",
    re.I,
)
PERIOD_WORDS = {"hr": "hour", "wk": "week", "annum": "year", "yr": "year"}
# An amount that is a bonus, an allowance or tuition help, not pay: named right after
# it ("$500 sign-on bonus") or before it on its line ("Tuition assistance (up to $5,250)").
_NOT_PAY_AFTER = re.compile(
    r"\s*(?:(?:sign[- ]?on|signing|joining|referral|relocation|retention|annual)\s+)?"
    r"(?:bonus|allowance|stipend|reimbursement|tuition)", re.I,
)
_NOT_PAY_BEFORE = re.compile(r"(?:bonus|referral|relocation|tuition|allowance|reimburse|stipend)[^\n]{0,40}$", re.I)


def _number(whole: str, cents: str | None, k: str | None) -> float:
    value = float(whole.replace(",", "") + ("." + cents if cents else ""))
    return value * 1000 if k else value


def _annual(value: float, period: str | None) -> float:
    return value * PER_YEAR.get(period or "year", 1)


def _guess_period(value: float) -> str:
    return "hour" if value < 200 else "year"


def find_pay(doc: Document) -> dict[str, Any] | None:
    """Return the posting's pay (from its JSON-LD baseSalary or its text), or None."""
    if doc.salary:
        found = _from_ld(doc.salary)
        if found:
            return found
    text = doc.text
    if not any(sign in text for sign in CURRENCY):
        return None  # no currency sign, so no amount: most postings (each test is a fast scan)
    for m in PAY_RE.finditer(text):
        if _NOT_PAY_AFTER.match(text, m.end()) or _NOT_PAY_BEFORE.search(text, max(0, m.start() - 60), m.start()):
            continue
        low = _number(m.group(2), m.group(3), m.group(4))
        high = _number(m.group(5), m.group(6), m.group(7)) if m.group(5) else low
        if low < 1000 <= high and high / 2 <= low * 1000 <= high:
            low *= 1000  # "£19 – 22,000", "$19-22k": thousands written once
        if low <= 0 or high < low:
            continue
        period = m.group(8)
        period = PERIOD_WORDS.get(period.lower(), period.lower()) if period else _guess_period(low)
        if period == "year" and low < 1000:
            continue
        return {
            "text": m.group(0).strip(),
            "currency": CURRENCY[m.group(1)],
            "min": low,
            "max": high,
            "period": period,
            "annual_min": round(_annual(low, period)),
            "annual_max": round(_annual(high, period)),
        }
    return None


def _from_ld(salary: dict[str, Any]) -> dict[str, Any] | None:
    value = salary.get("value")
    currency = salary.get("currency") or "USD"
    if isinstance(value, dict):
        low = value.get("minValue", value.get("value"))
        high = value.get("maxValue", low)
        unit = str(value.get("unitText") or "YEAR").lower()
    else:
        low = high = value
        unit = "year"
    if low is None or high is None:
        return None
    try:
        low_f, high_f = float(low), float(high)
    except (TypeError, ValueError):
        return None
    if low_f <= 0:
        return None
    period = unit if unit in PER_YEAR else "year"
    return {
        "text": f"{currency} {low_f:,.2f}-{high_f:,.2f} per {period}",
        "currency": str(currency),
        "min": low_f,
        "max": high_f,
        "period": period,
        "annual_min": round(_annual(low_f, period)),
        "annual_max": round(_annual(high_f, period)),
    }


def compare_pay(found: dict[str, Any], range_: dict[str, Any]) -> str | None:
    """Set a posting's pay (``find_pay``) beside a skill set's range, both a year.

    "within": all of it inside the range; "below" or "above": all of it outside;
    "overlaps": partly inside. None when the currencies differ: a pound salary is
    never compared with a dollar range.
    """
    if found.get("currency") != range_.get("currency"):
        return None
    per_year = PER_YEAR.get(str(range_.get("period") or "year"), 1)
    low, high = found["annual_min"], found["annual_max"]
    r_low, r_high = range_["min"] * per_year, range_["max"] * per_year
    if high < r_low:
        return "below"
    if low > r_high:
        return "above"
    if r_low <= low and high <= r_high:
        return "within"
    return "overlaps"


def _positive(value: object) -> TypeGuard[int | float]:
    """A positive number (a bool is not one, though Python counts it as an int)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


class PayRangeError(ValueError):
    """A skill set's pay range is malformed; ``head`` is its table ("[pay.UK]"), to find its line."""

    def __init__(self, head: str, message: str) -> None:
        super().__init__(f"{head}: {message}")
        self.head = head


def parse_pay_ranges(raw: object, locales: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Validate a skill set's [pay.US], [pay.UK], ... (or one [pay] range for everywhere).

    Return them by locale code ("" for the one range for everywhere).
    """
    if not isinstance(raw, dict):
        raise PayRangeError("[pay]", "must be a table")
    ranges = {"": raw} if "currency" in raw or "min" in raw else raw
    out: dict[str, dict[str, Any]] = {}
    for locale, table in ranges.items():
        head = f"[pay.{locale}]" if locale else "[pay]"
        if locale and locale not in locales:
            raise PayRangeError(head, f"unknown locale; use one of {', '.join(locales)}")
        if not isinstance(table, dict):
            raise PayRangeError(head, "must be a table of currency, period, min, max, source")
        unknown = set(table) - {"currency", "period", "min", "max", "source"}
        if unknown:
            raise PayRangeError(head, f"unknown key(s) {sorted(unknown)}")
        currency, low, high = table.get("currency"), table.get("min"), table.get("max")
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
            raise PayRangeError(head, "'currency' must be a currency code such as \"USD\"")
        if not (_positive(low) and _positive(high) and low <= high):
            raise PayRangeError(head, "'min' and 'max' must be positive numbers, min <= max")
        period = table.get("period", "year")
        if period not in PER_YEAR:
            raise PayRangeError(head, f"'period' must be one of {', '.join(PER_YEAR)}")
        if not isinstance(table.get("source", ""), str):
            raise PayRangeError(head, "'source' must be a string")
        out[locale] = {"locale": locale or None, "currency": currency, "period": period,
                       "min": low, "max": high, "source": table.get("source", "")}
    return out
