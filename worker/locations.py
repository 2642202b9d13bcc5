"""A file row's location, normalised for the batch report: city, state or county, country.

"New York", "new york, ny" and "New York, NY 10001" are one place in a report.
What names a state, a county or a country is data, in ``models/data/locales.toml``
(``regions``, ``counties``, ``country_names`` and ``cities_named_as_regions`` of
each locale); the raw value is kept beside the normalised one.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

from models.toml import tomllib

# "CO 80202" (a state code and its ZIP code), "80202", "80202-1234"; a UK postcode.
_ZIP = re.compile(r"^(?:([A-Z]{2})\s+)?\d{5}(?:-\d{4})?$", re.I)
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}$", re.I)
_SPLIT = re.compile(r"\s*[,;|/]\s*")


@dataclass(frozen=True)
class Place:
    """A location as the report groups it; ``name`` is what it shows ("Leeds, West Yorkshire",
    "Austin, TX", and a state alone by its name: "Texas")."""

    city: str | None
    region: str | None  # a US state's code, a UK county's name
    country: str | None  # a locale code: "US", "UK"

    @property
    def name(self) -> str:
        if self.city is None and self.region:
            return _knowledge().region_names.get(self.region, self.region)
        return ", ".join(p for p in (self.city, self.region) if p) or self.country or ""


@dataclass(frozen=True)
class _Knowledge:
    countries: dict[str, str]  # casefolded country name -> locale code
    regions: dict[str, tuple[str, str]]  # casefolded state name, or code as written -> (code, locale)
    counties: dict[str, tuple[str, str]]  # casefolded county -> (county as written, locale)
    same_name: dict[str, tuple[str, str]]  # casefolded city -> (state code, locale)
    region_names: dict[str, str]  # state code -> its name


@functools.lru_cache(maxsize=1)
def _knowledge() -> _Knowledge:
    text = (resources.files("models.data") / "locales.toml").read_text(encoding="utf-8")
    countries: dict[str, str] = {}
    regions: dict[str, tuple[str, str]] = {}
    counties: dict[str, tuple[str, str]] = {}
    same_name: dict[str, tuple[str, str]] = {}
    region_names: dict[str, str] = {}
    for code, data in tomllib.loads(text).items():
        for name in data.get("country_names", []):
            countries[name.casefold()] = code
        for name, region in data.get("regions", {}).items():
            regions[name.casefold()] = (region, code)
            regions[region] = (region, code)
            region_names.setdefault(region, name)
        for county in data.get("counties", []):
            counties[county.casefold()] = (county, code)
        for city in data.get("cities_named_as_regions", []):
            region = data.get("regions", {}).get(city)
            if region:
                same_name[city.casefold()] = (region, code)
    return _Knowledge(countries, regions, counties, same_name, region_names)


def _city(part: str) -> str:
    """A city as written, in title case when it was all one case ("NEW YORK", "leeds")."""
    part = " ".join(part.split())
    return part.title() if part.islower() or part.isupper() else part


def _region(known: _Knowledge, part: str) -> tuple[str, str] | None:
    """(state code or county, locale) that a part of a location names, else None."""
    folded = part.casefold()
    if len(part) == 2 and part.upper() in known.regions:
        return known.regions[part.upper()]
    return known.regions.get(folded) or known.counties.get(folded)


@functools.lru_cache(maxsize=4096)
def normalise(raw: str | None) -> Place | None:
    """The place a location names, or None for an empty one.

    Read from the end, as a location is written: country, ZIP code or postcode,
    state or county, then the city; a site before it ("City Hospital, ...") is dropped.
    """
    if not raw or not raw.strip():
        return None
    known = _knowledge()
    region = country = None
    parts = [p for p in _SPLIT.split(raw.strip()) if p]
    while parts:
        last = parts[-1]
        if m := _ZIP.match(last):
            if m.group(1) and region is None and (found := _region(known, m.group(1))):
                region, country = found
        elif _POSTCODE.match(last):
            pass
        elif last.casefold() in known.countries and country is None:
            country = known.countries[last.casefold()]
        elif region is None and len(parts) > 1 and (found := _region(known, last)):
            region, country = found[0], country or found[1]
        else:
            break
        parts.pop()
    if len(parts) == 1 and region is None:
        only = parts[0].casefold()
        if only in known.same_name:
            region, country = known.same_name[only]
        elif found := _region(known, parts[0]):
            return Place(None, found[0], country or found[1])
    # What is left nearest the state or postcode is the city: "City Hospital, Nottingham".
    return Place(_city(parts[-1]) if parts else None, region, country)
