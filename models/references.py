"""The reference postings as shipped, and the reference markets they make.

``models/data/market/reference-postings.jsonl`` holds real postings of the
occupation as derived data (per posting its title, locale, month, whether its
text is a whole advert or a job board's summary of one, the skills asked with
their levels and a bag of common words; no posting text; made by
``scripts/make_reference.py``). A record's ``market.reference`` names the
postings its percentile is among by id; ``market_references`` tells what each
is. This module reads data only: the fitted ``Market`` is ``models/market.py``,
so pages and exports can tell a reference without loading scikit-learn.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from models.scoring import scoring_settings
from models.skillset import DATA_PACKAGE, SkillSet

if TYPE_CHECKING:
    from models.fit import Sample


@dataclass(frozen=True)
class ReferencePosting:
    """One real posting of the reference data, as shipped."""

    source: str
    id: str
    fits: bool
    summary: bool
    # An excerpt of a real job page cut off part-way (a labelled set): it teaches the fit and
    # is in the market, but holds no more than part of the advert, so it is no neighbour.
    excerpt: bool
    locale: str | None
    date: str | None
    title: str
    skills: Mapping[str, str]
    words: frozenset[str]

    @property
    def sample(self) -> Sample:
        from models.fit import Sample  # scikit-learn's: loaded with the fit that needs it

        return Sample(self.title, self.words, self.skills)


@functools.lru_cache(maxsize=1)
def load_reference() -> list[ReferencePosting]:
    """The shipped reference postings (relevant and others), read once."""
    name = scoring_settings()["occupation"]["reference"]
    postings = []
    with (resources.files(DATA_PACKAGE) / "market" / name).open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            postings.append(ReferencePosting(
                r["source"], r["id"], bool(r["fits"]), bool(r["summary"]), bool(r.get("excerpt")),
                r["locale"], r["date"], r["title"], r["skills"], frozenset(r["words"].split())))
    return postings


def _dates(dates: Iterable[str | None]) -> str | None:
    months = sorted(d for d in dates if d)
    if not months:
        return None
    return months[0] if months[0] == months[-1] else f"{months[0]} to {months[-1]}"


ALL = "all"  # the id of the reference market of every locale


def in_market(posting: ReferencePosting) -> bool:
    """Whether a reference posting is in the market: a real job page of the occupation.

    Whole adverts and labelled excerpts are; a job board's summary of an advert names
    fewer skills than the advert, and a pasted advert would stand above nearly all of
    them. The excerpts are most of the US market: held out a set at a time, US postings
    spread evenly against it (docs/scoring.md).
    """
    return posting.fits and not posting.summary


def reference_id(locale: str | None) -> str:
    """The id a record names its reference market by: its locale, or "all"."""
    return locale or ALL


@functools.lru_cache(maxsize=1)
def market_references() -> dict[str, dict[str, Any]]:
    """The reference markets by id: the name, locale, size, months and source of each.

    A record names the one its percentile is among by id (``reference_id``); what
    it is comes from here, the same for every record. The markets are those
    ``MarketPosition`` keeps: every locale with ``min_postings`` postings in the market, and all.
    """
    settings = scoring_settings()
    occupation = settings["occupation"]
    postings = [p for p in load_reference() if in_market(p)]
    counts = Counter(p.locale for p in postings if p.locale is not None)
    locales = [None, *sorted(k for k, n in counts.items() if n >= int(settings["market"]["min_postings"]))]
    references = {}
    for locale in locales:
        mine = [p for p in postings if locale is None or p.locale == locale]
        sources = occupation["sources"]
        source = sources.get(locale) if locale else " and ".join(
            sources[k] for k in sorted({p.locale for p in mine if p.locale}))
        references[reference_id(locale)] = {
            "name": occupation["name"], "locale": locale, "postings": len(mine),
            "dates": _dates(p.date for p in mine), "source": source}
    return references


def serves(skillset: SkillSet) -> bool:
    """Whether the reference postings serve a skill set (``market_for``)."""
    return skillset.id in scoring_settings()["occupation"]["skillsets"] and skillset.source == f"{skillset.id}.toml"
