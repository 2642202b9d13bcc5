"""How the market percentiles of the shipped medical-office postings spread, in deciles.

    python benchmarks/market_deciles.py

For each built-in skill set and each locale (and all postings, as for a posting
whose locale is unknown): how many reference postings fall in each tenth of the
percentile range when set against their own market.
"""

from __future__ import annotations

from collections import Counter

from models.market import market_for
from models.scoring import weighted_coverage
from models.skillset import load_skillset


def main() -> None:
    for skillset_id in ("medical-office-specialist", "medical-office-manager"):
        skillset = load_skillset(skillset_id)
        market = market_for(skillset)
        assert market is not None
        print(skillset_id)
        for locale in ("UK", "US", None):
            postings = [p for p in market.postings if locale is None or p.locale == locale]
            deciles = Counter(
                min(9, market.position.percentile(weighted_coverage(skillset, p.skills, p.locale), locale) // 10)
                for p in postings)
            row = " ".join(f"{deciles[d]:4d}" for d in range(10))
            print(f"  {locale or 'all':4s} {len(postings):4d} postings, per decile 0-9: {row}")


if __name__ == "__main__":
    main()
