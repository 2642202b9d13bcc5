"""The posting's locale: which country's skills, credentials and pay apply to it.

A skill set says where each skill applies (``applies = ["US"]``) and gives a pay
range per locale, so a US credential is no gap of an NHS post and an NHS salary
is set beside NHS pay bands, not US dollars. The locale is told from what the
posting says of itself; the cues are data, in ``models/data/locales.toml``.
Strongest first: the JSON-LD ``addressCountry``, the country or state of the
location a row gives, the currency of the pay, then words, postcodes, ZIP codes
and spellings in the text. A posting whose cues are too few or too mixed has no
locale (None): every skill applies to it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import tomllib

if TYPE_CHECKING:
    from models.parsing import Document

LOCALES_FILE = "locales.toml"

# Points each kind of cue gives its locale. A locale is chosen with at least
# MIN_POINTS and at least twice the points of any other.
ADDRESS_COUNTRY = 10
LOCATION_COUNTRY = 10
LOCATION_REGION = 6
CURRENCY = 5
STATE_ZIP = 3
CUE = 2
CITY_STATE = 2
REGION_NAME = 2
SPELLING = 1
MIN_POINTS = 2


@dataclass(frozen=True)
class Locale:
    """One locale's cues, compiled."""

    code: str
    name: str
    currency: str
    country_names: frozenset[str]
    regions: frozenset[str]  # names and codes, as written
    cues: re.Pattern[str] | None
    patterns: tuple[re.Pattern[str], ...]
    spelling: re.Pattern[str] | None
    region_names: re.Pattern[str] | None
    state_zip: re.Pattern[str] | None
    city_state: re.Pattern[str] | None


def _words(words: list[str], *, any_case: bool = False) -> re.Pattern[str] | None:
    """One pattern for whole words; lower-case words (or all, with ``any_case``) in any case."""
    if not words:
        return None
    alts = [re.escape(w) if w != w.lower() and not any_case else f"(?i:{re.escape(w)})" for w in words]
    return re.compile(r"(?<![\w-])(?:" + "|".join(sorted(alts, key=len, reverse=True)) + r")(?![\w-])")


def _locale(code: str, data: dict[str, Any]) -> Locale:
    regions: dict[str, str] = data.get("regions", {})
    codes = sorted(set(regions.values()))
    code_alt = "|".join(codes)
    return Locale(
        code=code,
        name=str(data.get("name", code)),
        currency=str(data.get("currency", "")),
        country_names=frozenset(n.casefold() for n in data.get("country_names", [])),
        regions=frozenset([*regions, *codes]),
        cues=_words(list(data.get("cues", []))),
        patterns=tuple(re.compile(p) for p in data.get("patterns", [])),
        spelling=_words(list(data.get("spelling", [])), any_case=True),
        region_names=_words(list(regions)),
        state_zip=re.compile(rf"(?<![\w-])(?:{code_alt})\s+\d{{5}}(?:-\d{{4}})?(?!\d)") if codes else None,
        city_state=re.compile(rf"[a-z],\s(?:{code_alt})(?![\w-])") if codes else None,
    )


@functools.lru_cache(maxsize=1)
def load_locales() -> tuple[Locale, ...]:
    """The locales of ``models/data/locales.toml``, compiled once per process."""
    text = (resources.files("models.data") / LOCALES_FILE).read_text(encoding="utf-8")
    return tuple(_locale(code, table) for code, table in tomllib.loads(text).items())


def known_locales() -> tuple[str, ...]:
    """The locale codes a skill set may name ("US", "UK")."""
    return tuple(loc.code for loc in load_locales())


def detect_locale(doc: Document, pay: dict[str, Any] | None = None, location: str | None = None) -> str | None:
    """Return the posting's locale code, or None when its cues are too few or mixed.

    ``pay`` is the pay found in it (``models.pay.find_pay``); ``location`` the
    location its row gives, when it comes from a file.
    """
    points = locale_points(doc, pay, location)
    ranked = sorted(points.items(), key=lambda kv: -kv[1])
    best, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    return best if score >= MIN_POINTS and score >= 2 * runner_up else None


def locale_points(doc: Document, pay: dict[str, Any] | None = None, location: str | None = None) -> dict[str, int]:
    """The points each locale's cues give the posting (see the constants above)."""
    countries = _ld_strings(doc.fields.get("jobLocation"), ("addressCountry",))
    ld_regions = _ld_strings(doc.fields.get("jobLocation"), ("addressRegion",))
    parts = [p.strip() for p in re.split(r"[,;|/]", location or "") if p.strip()]
    text = doc.text
    points: dict[str, int] = {}
    for loc in load_locales():
        n = 0
        if any(c.casefold() in loc.country_names for c in countries):
            n += ADDRESS_COUNTRY
        if any(r in loc.regions for r in ld_regions):
            n += LOCATION_REGION
        if any(p.casefold() in loc.country_names for p in parts):
            n += LOCATION_COUNTRY
        if any(p in loc.regions or (loc.state_zip and loc.state_zip.fullmatch(p)) for p in parts):
            n += LOCATION_REGION
        if pay and pay.get("currency") == loc.currency:
            n += CURRENCY
        for where in (text, location or ""):
            n += _text_points(loc, where)
        points[loc.code] = n
    return points


def _text_points(loc: Locale, text: str) -> int:
    if not text:
        return 0
    n = 0
    if loc.cues:
        n += CUE * len({m.group(0).casefold() for m in loc.cues.finditer(text)})
    n += CUE * sum(1 for p in loc.patterns if p.search(text))
    if loc.state_zip and loc.state_zip.search(text):
        n += STATE_ZIP
    if loc.city_state and loc.city_state.search(text):
        n += CITY_STATE
    if loc.region_names:
        n += REGION_NAME * min(2, len({m.group(0) for m in loc.region_names.finditer(text)}))
    if loc.spelling:
        n += SPELLING * len({m.group(0).casefold() for m in loc.spelling.finditer(text)})
    return n


def _ld_strings(value: Any, keys: tuple[str, ...]) -> list[str]:
    """The strings under ``keys`` anywhere in a JSON-LD value (a Country's name too)."""
    found: list[str] = []
    if isinstance(value, list):
        for item in value:
            found += _ld_strings(item, keys)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in keys:
                if isinstance(item, str):
                    found.append(item.strip())
                elif isinstance(item, dict) and isinstance(item.get("name"), str):
                    found.append(item["name"].strip())
            elif isinstance(item, dict | list):
                found += _ld_strings(item, keys)
    return found
