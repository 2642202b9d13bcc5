"""Where a posting stands among real postings of its occupation and locale.

The share of the whole skill set a posting names says little alone: real
postings are short and specialised. The reference market is real postings of
the occupation, shipped as derived data (``models/data/market/reference-postings.jsonl``:
per posting its title, locale, month, whether its text is a whole advert or a
job board's summary of one, the skills asked with their levels and a bag of
common words; no posting text; made by ``scripts/make_reference.py``).
``Market`` puts together, once per process and skill set, the occupation fit
(``models/fit.py``), ``MarketPosition`` (the percentile of a posting's weighted
coverage among the reference postings of its locale) and ``SimilarPostings``
(``models/similar.py``: the gaps that postings like this one ask for). The
reference postings and the markets they make are read in ``models/references.py``.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Sequence
from typing import Any

from sklearn.base import BaseEstimator

from models.fit import OccupationFit, sample_of
from models.references import in_market, load_reference, reference_id, serves
from models.scoring import scoring_settings, weighted_coverage
from models.similar import SimilarPostings
from models.skillset import SkillSet


class MarketPosition(BaseEstimator):
    """The percentile of a coverage among reference coverages, per locale.

    A posting's percentile is the share of reference postings of its locale
    with a lower weighted coverage, ties counted half: 50 is the middle of the
    market. A posting whose locale is unknown, or has fewer than
    ``min_postings`` reference postings, is compared with all of them.

    Parameters
    ----------
    min_postings : int
        The fewest reference postings a locale's own market is made of: below
        it a percentile moves in steps of several points and rests on a
        handful of employers.
    """

    def __init__(self, *, min_postings: int = 1) -> None:
        self.min_postings = min_postings

    def fit(self, coverages: Sequence[float], locales: Sequence[str | None]) -> MarketPosition:
        by_locale: dict[str | None, list[float]] = {}
        for coverage, locale in zip(coverages, locales, strict=True):
            if locale is not None:
                by_locale.setdefault(locale, []).append(coverage)
        self.coverages_: dict[str | None, list[float]] = {None: sorted(coverages)}
        for locale, values in sorted(by_locale.items()):
            if len(values) >= self.min_postings:
                self.coverages_[locale] = sorted(values)
        return self

    def locale_of(self, locale: str | None) -> str | None:
        """The locale whose postings a posting of ``locale`` is compared with (None: all)."""
        return locale if locale in self.coverages_ else None

    def percentile(self, coverage: float, locale: str | None = None) -> int:
        values = self.coverages_[self.locale_of(locale)]
        below = bisect.bisect_left(values, coverage)
        equal = bisect.bisect_right(values, coverage) - below
        return round(100.0 * (below + 0.5 * equal) / len(values))


class Market:
    """The occupation fit, market position and similar postings of one skill set."""

    def __init__(self, skillset: SkillSet) -> None:
        settings = scoring_settings()
        self.occupation = settings["occupation"]
        reference = load_reference()
        self.fit = OccupationFit().fit([p.sample for p in reference], [p.fits for p in reference])
        # The real postings of the occupation the similar postings are drawn from; the written
        # other-trade ones only teach the fit.
        self.postings = [p for p in reference if p.fits and not p.excerpt]
        self.market_postings = [p for p in reference if in_market(p)]
        self.position = MarketPosition(min_postings=int(settings["market"]["min_postings"])).fit(
            [weighted_coverage(skillset, p.skills, p.locale) for p in self.market_postings],
            [p.locale for p in self.market_postings])
        similar = settings["similar"]
        self.similar = SimilarPostings(
            n_neighbors=int(similar["k"]), min_similarity=float(similar["min_similarity"]),
            min_neighbors=int(similar["min_k"])).fit(
            [p.sample for p in self.postings])

    def fits(self, title: str | None, text: str | None, found: list[dict[str, Any]]) -> bool:
        """Is the posting one of the occupation's (``found``: every skill found, extras included)?"""
        return bool(self.fit.probability(sample_of(title, text, found)) >= self.fit.threshold)

    def assess(self, title: str | None, text: str | None, found: list[dict[str, Any]],
               coverage: float, gap_ids: Iterable[str], locale: str | None = None) -> dict[str, Any]:
        """The posting's ``fit`` and ``market``, and the ``similar_share`` of each gap.

        ``found`` holds every skill found, extras included; ``coverage`` is the
        weighted coverage of ``models.scoring.score_parts``.
        """
        sample = sample_of(title, text, found)
        probability = self.fit.probability(sample)
        shares, compared = self.similar.asked_shares(sample, gap_ids)
        return {
            "fit": {"occupation": self.occupation["id"], "probability": round(probability, 3),
                    "fits": probability >= self.fit.threshold},
            "market": {"percentile": self.position.percentile(coverage, locale),
                       "reference": reference_id(self.position.locale_of(locale)),
                       "similar_postings": compared},
            "similar_shares": shares,
        }


def market_for(skillset: SkillSet) -> Market | None:
    """The process-wide ``Market`` of a skill set, or None for one the reference does not serve.

    A user's own skill set may name other skills or other aliases than the
    reference postings were read with, so only the built-in skill sets listed in
    ``models/data/market/scoring.toml`` are compared with them.
    """
    return _market(skillset) if serves(skillset) else None


@functools.lru_cache(maxsize=4)
def _market(skillset: SkillSet) -> Market:
    return Market(skillset)
