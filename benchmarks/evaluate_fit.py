"""How well the occupation fit tells medical-office postings from others, measured.

    python benchmarks/evaluate_fit.py [--folds 5] [--errors]

Grouped cross-validation over the shipped reference postings
(models/data/market/reference-postings.jsonl): a posting's group is the labelled
fixture set that holds it (tests/fixtures/devset_*, holdout*/), "unlabelled"
for the few in none, and the written other-trade postings are dealt over the
folds in their own groups. Whole groups are held out together, so no fold
learns from the set it is tested on. Prints the share of medical-office
postings that fit (target >= 95%) and of other postings that do not (target
>= 90%), by source, then the same leaving out one whole source at a time (a
harder test: a source the model has never seen).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut

from models.fit import OccupationFit
from models.market import load_reference

ROOT = Path(__file__).resolve().parent.parent


def fixture_groups() -> dict[str, str]:
    """Posting id -> the name of the labelled fixture set that holds it."""
    groups = {}
    fixtures = ROOT / "tests" / "fixtures"
    for path in sorted(fixtures.glob("devset_*.jsonl")) + sorted(fixtures.glob("holdout*/*.jsonl")):
        for line in path.open(encoding="utf-8"):
            groups.setdefault(json.loads(line)["id"], path.stem)
    return groups


def report(name: str, postings: list, predicted: np.ndarray, errors: bool = False) -> None:
    by_source: dict[str, list[bool]] = defaultdict(list)
    for p, fits in zip(postings, predicted, strict=True):
        by_source[p.source].append(bool(fits) == p.fits)
    fits = [bool(f) for p, f in zip(postings, predicted, strict=True) if p.fits]
    others = [not f for p, f in zip(postings, predicted, strict=True) if not p.fits]
    print(f"\n{name}")
    print(f"  medical-office postings that fit:   {sum(fits)}/{len(fits)} = {sum(fits) / len(fits):.1%}")
    print(f"  other postings that do not fit:     {sum(others)}/{len(others)} = {sum(others) / len(others):.1%}")
    for source, right in sorted(by_source.items()):
        print(f"    {source:32s} right {sum(right)}/{len(right)} = {sum(right) / len(right):.1%}")
    if errors:
        for p, fits in zip(postings, predicted, strict=True):
            if bool(fits) != p.fits:
                print(f"      wrong: {p.source} {p.id} {p.title!r} (fits: {p.fits})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--errors", action="store_true", help="list every posting put on the wrong side")
    args = parser.parse_args()
    postings = load_reference()
    labelled = fixture_groups()
    groups = []
    for n, p in enumerate(postings):
        groups.append(labelled.get(p.id, f"written-{n % args.folds}" if p.source == "written_other_trades"
                                   else "unlabelled"))
    samples = [p.sample for p in postings]
    y = np.array([p.fits for p in postings])
    for title, splitter, keys in (
        (f"grouped {args.folds}-fold cross-validation (groups: fixture sets)", GroupKFold(args.folds), groups),
        ("leave one source out", LeaveOneGroupOut(), [p.source for p in postings]),
    ):
        predicted = np.zeros(len(postings), dtype=bool)
        for train, test in splitter.split(samples, y, keys):
            if len(set(y[train])) < 2:
                predicted[test] = y[train][0]
                continue
            model = OccupationFit().fit([samples[i] for i in train], y[train])
            predicted[test] = model.predict([samples[i] for i in test])
        report(title, postings, predicted, args.errors)
    wrong = OccupationFit().fit(samples, y)
    print("\nfitted on all: 'Hello' fits?", bool(wrong.predict([samples[0]._replace(
        title="", words=frozenset({"hello"}), skills={})])[0]))


if __name__ == "__main__":
    main()
