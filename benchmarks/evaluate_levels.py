"""Print the share of (skill, level) pairs the engine gets right on the levels fixture.

    python benchmarks/evaluate_levels.py [--set postings|holdout] [--errors]

The fixtures (tests/fixtures/levels/) hold short US-style postings that state
their levels under the headings US employers use: postings.toml is what the
section names were tuned on, holdout.toml was scored once, untouched.
"""

import argparse
from pathlib import Path

from models.analysis import Analyzer
from models.evaluation import level_accuracy, load_levelled

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "levels"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("postings", "holdout"), default="postings")
    parser.add_argument("--errors", action="store_true", help="list every pair the engine gets wrong")
    args = parser.parse_args()
    items = load_levelled(FIXTURES / f"{args.set}.toml")
    share, misses = level_accuracy(Analyzer.for_skillset(), items)
    pairs = sum(len(i.levels) for i in items)
    print(f"{len(items)} postings, {pairs} labelled (skill, level) pairs: {share:.1%} right ({pairs - len(misses)})")
    if args.errors:
        print("\n".join(misses))


if __name__ == "__main__":
    main()
