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

from models.toml import tomllib

if TYPE_CHECKING:
    from models.parsing import Document

LOCALES_FILE = "locales.toml"

# Points each kind of cue gives its locale. A locale is chosen with at least
# MIN_POINTS and at least twice the points of any other: a single spelling is
# enough when nothing else speaks (never wrong on the labelled postings).
ADDRESS_COUNTRY = 10
LOCATION_COUNTRY = 10
LOCATION_REGION = 6
CURRENCY = 5
STATE_ZIP = 3
CUE = 2
CITY_STATE = 2
REGION_NAME = 2
SPELLING = 1
MIN_POINTS = 1


# Words, of cues and postings alike ("A&E" is "A E", "401(k)" is "401 k"). A word keeps its inner
# apostrophe ("don't") but not a possessive's: "GP's" and "the Trust's" are the cues "GP" and "Trust",
# then "s".
_WORD = re.compile(r"\w+(?:['\u2019](?!s\b)\w+)*")
# A state code before a ZIP code ("CO 80202"), after a city ("Denver, CO").
_STATE_ZIP = re.compile(r"\b([A-Z]{2})\s+\d{5}(?:-\d{4})?(?!\d)")
_CITY_STATE = re.compile(r",\s([A-Z]{2})(?![\w-])")


@dataclass(frozen=True)
class Phrases:
    """Phrases found by their first word among a posting's words, whatever their number.
    Phrases written in lower case match in any case.

    Each table maps a first word to its phrases, each as its words joined by spaces
    between spaces, to be found in the text's words joined the same way.
    """

    cased: dict[str, tuple[str, ...]]
    any_case: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, phrases: list[str], *, any_case: bool = False) -> Phrases:
        cased: dict[str, list[str]] = {}
        uncased: dict[str, list[str]] = {}
        for phrase in phrases:
            words = _WORD.findall(phrase)
            table = uncased if any_case or phrase == phrase.lower() else cased
            if table is uncased:
                words = [w.lower() for w in words]
            table.setdefault(words[0], []).append(f" {' '.join(words)} ")
        return cls({k: tuple(v) for k, v in cased.items()}, {k: tuple(v) for k, v in uncased.items()})

    def found(self, text: _Text) -> set[str]:
        """The distinct phrases among the text's words."""
        return {
            phrase
            for table, words, joined in ((self.cased, text.word_set, text.joined),
                                         (self.any_case, text.lowered_set, text.joined_lower))
            for first in words.intersection(table)
            for phrase in table[first]
            if phrase.count(" ") == 2 or phrase in joined  # one word: found already
        }


@dataclass(frozen=True)
class Locale:
    """One locale's cues, ready to look up."""

    code: str
    name: str
    currency: str
    country_names: frozenset[str]
    regions: frozenset[str]  # names and codes, as written
    region_codes: frozenset[str]
    cues: Phrases
    patterns: tuple[re.Pattern[str], ...]
    spelling: Phrases
    region_names: Phrases


def _locale(code: str, data: dict[str, Any]) -> Locale:
    regions: dict[str, str] = data.get("regions", {})
    return Locale(
        code=code,
        name=str(data.get("name", code)),
        currency=str(data.get("currency", "")),
        country_names=frozenset(n.casefold() for n in data.get("country_names", [])),
        regions=frozenset([*regions, *regions.values()]),
        region_codes=frozenset(regions.values()),
        cues=Phrases.of(list(data.get("cues", []))),
        patterns=tuple(re.compile(p) for p in data.get("patterns", [])),
        spelling=Phrases.of(list(data.get("spelling", [])), any_case=True),
        region_names=Phrases.of(list(regions)),
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
    texts = [_Text(doc.text), _Text(location or "")]
    points: dict[str, int] = {}
    for loc in load_locales():
        n = 0
        if any(c.casefold() in loc.country_names for c in countries):
            n += ADDRESS_COUNTRY
        if any(r in loc.regions for r in ld_regions):
            n += LOCATION_REGION
        if any(p.casefold() in loc.country_names for p in parts):
            n += LOCATION_COUNTRY
        if any(p in loc.regions or _STATE_ZIP.fullmatch(p) and p[:2] in loc.region_codes for p in parts):
            n += LOCATION_REGION
        if pay and pay.get("currency") == loc.currency:
            n += CURRENCY
        points[loc.code] = n + sum(_text_points(loc, text) for text in texts)
    return points


class _Text:
    """A text with its words, found once for every locale."""

    def __init__(self, text: str) -> None:
        self.text = text
        words = _WORD.findall(text)
        self.joined = f" {' '.join(words)} "
        self.joined_lower = self.joined.lower()
        self.word_set = set(words)
        self.lowered_set = {w.lower() for w in self.word_set}
        self.state_zip = {m.group(1) for m in _STATE_ZIP.finditer(text)}
        # "Denver, CO": a lower-case letter before the comma.
        self.city_state = {m.group(1) for m in _CITY_STATE.finditer(text) if text[m.start() - 1:m.start()].islower()}


def _text_points(loc: Locale, text: _Text) -> int:
    if not text.text:
        return 0
    n = CUE * len(loc.cues.found(text))
    n += CUE * sum(1 for p in loc.patterns if p.search(text.text))
    if text.state_zip & loc.region_codes:
        n += STATE_ZIP
    if text.city_state & loc.region_codes:
        n += CITY_STATE
    n += REGION_NAME * min(2, len(loc.region_names.found(text)))
    n += SPELLING * len(loc.spelling.found(text))
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
