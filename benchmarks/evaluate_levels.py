"""Print the share of (skill, level) pairs the engine gets right on the levels fixture.

    python benchmarks/evaluate_levels.py [--errors]

The fixture (tests/fixtures/levels/postings.toml) holds short US-style postings
that state their levels under the headings US employers use.
"""

import argparse
from pathlib import Path

from models.analysis import Analyzer
from models.evaluation import level_accuracy, load_levelled

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "levels" / "postings.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every pair the engine gets wrong")
    args = parser.parse_args()
    items = load_levelled(FIXTURE)
    share, misses = level_accuracy(Analyzer.for_skillset(), items)
    pairs = sum(len(i.levels) for i in items)
    print(f"{len(items)} postings, {pairs} labelled (skill, level) pairs: {share:.1%} right ({pairs - len(misses)})")
    if args.errors:
        print("\n".join(misses))


if __name__ == "__main__":
    main()
