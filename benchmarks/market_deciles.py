"""How the market percentiles spread, in deciles.

    python benchmarks/market_deciles.py [--dev]

For each built-in skill set, and for postings of each locale (and of none, as
for a posting whose locale is unknown): how many postings fall in each tenth
of the percentile range, each set against the market a posting of its locale
is compared with. Rows:

- ``market``: the reference postings the percentile compares with, against
  their own market;
- ``all``: every reference posting of the occupation of that locale, job-board
  summaries included, excerpts not;
- with ``--dev``, ``held out``: the medical-office excerpts of each labelled US set
  (``tests/fixtures/us_dev*``, ``us_test*``), each set against the US market without it,
  as a posting from outside the reference is.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterable

from models.market import Market, MarketPosition, market_for
from models.scoring import weighted_coverage
from models.skillset import SkillSet, load_skillset


def _row(label: str, percentiles: Iterable[int]) -> str:
    values = list(percentiles)
    deciles = Counter(min(9, p // 10) for p in values)
    return f"  {label:12s} {len(values):4d} postings, per decile 0-9: " + " ".join(
        f"{deciles[d]:4d}" for d in range(10))


def _held_out(skillset: SkillSet, market: Market, locale: str) -> list[int]:
    """The percentiles of each labelled set's excerpts against the market of ``locale`` without that set."""
    postings = [p for p in market.market_postings if p.locale == locale]
    percentiles = []
    for name in sorted({p.source for p in postings if p.excerpt}):
        rest = [p for p in postings if p.source != name]
        position = MarketPosition().fit([weighted_coverage(skillset, p.skills, p.locale) for p in rest],
                                        [locale] * len(rest))
        percentiles += [position.percentile(weighted_coverage(skillset, p.skills, p.locale), locale)
                        for p in postings if p.source == name]
    return percentiles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="also the US labelled sets, each held out")
    args = parser.parse_args()
    for skillset_id in ("medical-office-specialist", "medical-office-manager"):
        skillset = load_skillset(skillset_id)
        market = market_for(skillset)
        assert market is not None
        print(skillset_id)
        in_market = getattr(market, "market_postings", market.postings)
        for locale in ("UK", "US", None):
            name = locale or "none"
            for label, postings in (("market", in_market), ("all", market.postings)):
                mine = [p for p in postings if locale is None or p.locale == locale]
                print(_row(f"{name} {label}", (
                    market.position.percentile(weighted_coverage(skillset, p.skills, p.locale), locale)
                    for p in mine)))
        if args.dev:
            print(_row("US held out", _held_out(skillset, market, "US")))


if __name__ == "__main__":
    main()
