"""How the market percentiles spread, in deciles.

    python benchmarks/market_deciles.py [--dev]

For each built-in skill set, and for postings of each locale (and of none, as
for a posting whose locale is unknown): how many postings fall in each tenth
of the percentile range, each set against the market a posting of its locale
is compared with. Rows:

- ``market``: the reference postings the percentile compares with, against
  their own market;
- ``all``: every reference posting of the occupation of that locale, job-board
  summaries included;
- with ``--dev``, ``US dev``: the relevant postings of the US dev sets
  (``tests/fixtures/us_dev``, ``us_dev2``, ``us_dev3``: US adverts collected apart from
  the reference), analysed as a user's pasted posting is.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from models.analysis import Analyzer
from models.market import market_for
from models.scoring import weighted_coverage
from models.skillset import load_skillset

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
DEV_SETS = ("us_dev/us_dev.jsonl", "us_dev2/us_dev2.jsonl", "us_dev3/us_dev3.jsonl")


def _row(label: str, percentiles: Iterable[int]) -> str:
    values = list(percentiles)
    deciles = Counter(min(9, p // 10) for p in values)
    return f"  {label:10s} {len(values):4d} postings, per decile 0-9: " + " ".join(
        f"{deciles[d]:4d}" for d in range(10))


def _dev_postings() -> list[dict]:
    rows = []
    for name in DEV_SETS:
        for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["set"] == "relevant":
                rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="also analyse the US dev sets' relevant postings")
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
            analyzer = Analyzer(skillset)
            records = [analyzer.analyze(r["description"], title=r.get("title")) for r in _dev_postings()]
            print(_row("US dev", (r["market"]["percentile"] for r in records if r["market"])))


if __name__ == "__main__":
    main()
