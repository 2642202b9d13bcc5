"""Cross-validate a learned verdict over alias candidates against the hand rules.

    python benchmarks/verdicts_cv.py [--model lr|gb] [--split-us-dev 4] [--no-us-dev]
                                    [--objective f1|precision]

Each labelled set (devset_nhs, devset_us, holdout .. holdout17, us_dev .. us_dev4, us_test ..
us_test3, uk_test3: the sets scripts/make_verdicts_data.py trains on) is left
out in turn (each us_dev set can be cut into K groups so that some of its
postings train the classifier that decides the others): the classifier is
fitted on the other sets, its threshold chosen by an inner grouped
cross-validation on them, and it decides the left-out set's candidates.
Micro precision and recall over (posting, skill) pairs of the skill set, as
benchmarks/evaluate.py counts them; a labelled skill that no alias
proposes, or that the rules reject, is a miss for both. US rows (sources us_* and indeed_*, and
saved pages of US postings, ids us-*) and UK rows (the others) are also scored apart, each with a
bootstrap interval of the difference. The hand rules were tuned on all these sets, so their figures are
in-sample; the classifier's are not.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction import DictVectorizer
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

from models.analysis import Analyzer
from models.parsing import parse_posting, with_title
from models.verdicts import VerdictClassifier, describe, features
from scripts.make_verdicts_data import labelled_files

ROOT = Path(__file__).resolve().parent.parent
# US postings: the reprojobs and Indeed rows of the fixtures, and saved pages of US postings.
US_SOURCES = ("us_", "indeed_")


@dataclass
class Row:
    group: str
    posting: str
    us: bool
    skill: str
    features: dict[str, float]
    label: int
    rules: int


def load_sets(fixtures: Path, us_dev: bool) -> dict[str, list[dict]]:
    sets: dict[str, list[dict]] = {}
    paths = [p for p in labelled_files(fixtures) if us_dev or not p.parent.name.startswith("us_dev")]
    for path in paths:
        sets[path.stem] = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    return sets


def candidate_rows(analyzer: Analyzer, sets: dict[str, list[dict]]) -> tuple[list[Row], dict[str, dict]]:
    """One row per (posting, skill) an alias proposes; and per posting its labels and US flag."""
    ex = analyzer.extractor
    own = frozenset(s.id for s in analyzer.skillset.skills)
    rows, postings = [], {}
    for group, items in sets.items():
        for item in items:
            doc = parse_posting(item["description"])
            doc = with_title(doc, item.get("title") or doc.title)
            cands = ex.candidates(doc)
            labels = set(item["labels"]) & own
            us = item.get("source", "").startswith(US_SOURCES) or item["id"].startswith("us-")
            postings[f"{group}/{item['id']}"] = {"group": group, "labels": labels, "us": us}
            for sid, d in describe(doc, cands, own).items():
                rows.append(Row(group, f"{group}/{item['id']}", us, sid, features(d), int(sid in labels),
                                int(d["rules"])))
    return rows, postings


def make_model(kind: str, c: float):
    if kind == "gb":
        return make_pipeline(DictVectorizer(sparse=False),
                             HistGradientBoostingClassifier(class_weight="balanced", random_state=0))
    return VerdictClassifier(C=c)


def choose_threshold(probs: np.ndarray, y: np.ndarray, rules: np.ndarray, missed: int, objective: str) -> float:
    """The threshold on out-of-fold probabilities of best F1 (objective "f1"), or of best
    precision whose recall is no more than half a point below the rules' ("precision")."""
    total = int(y.sum()) + missed
    rules_recall = int((rules.astype(bool) & (y == 1)).sum()) / total
    best, best_t = -1.0, float("nan")
    for t in np.round(np.arange(0.04, 0.9, 0.02), 2):
        pred = probs >= t
        tp = int((pred & (y == 1)).sum())
        fp = int((pred & (y == 0)).sum())
        if objective == "f1":
            value = 2 * tp / (total + tp + fp)
        elif tp / total < rules_recall - 0.005:
            continue
        else:
            value = tp / (tp + fp) if tp + fp else 0.0
        if value >= best:
            best, best_t = value, float(t)
    return best_t


def score(pred: dict[str, set[str]], postings: dict[str, dict], keys) -> tuple[float, float, int, int, int]:
    tp = fp = fn = 0
    for key in keys:
        labels, found = postings[key]["labels"], pred.get(key, set())
        tp += len(labels & found)
        fp += len(found - labels)
        fn += len(labels - found)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, tp, fp, fn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("lr", "gb"), default="lr")
    parser.add_argument("--C", type=float, default=0.3)
    parser.add_argument("--objective", choices=("f1", "precision"), default="precision",
                        help="choose the threshold for best F1, or best precision at the rules' recall")
    parser.add_argument("--no-us-dev", action="store_true", help="leave tests/fixtures/us_dev* out")
    parser.add_argument("--split-us-dev", type=int, default=0, metavar="K",
                        help="cut us_dev into K groups of postings (so its own postings train too)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    analyzer = Analyzer.for_skillset(use_verdicts=False)
    sets = load_sets(ROOT / "tests" / "fixtures", not args.no_us_dev)
    for name in [n for n in sets if n.startswith("us_dev")] if args.split_us_dev else []:
        items = sets.pop(name)
        for k in range(args.split_us_dev):
            sets[f"{name}#{k}"] = items[k::args.split_us_dev]
    rows, postings = candidate_rows(analyzer, sets)
    print(f"{len(postings)} postings in {len(sets)} sets, {len(rows)} candidate (posting, skill) rows, "
          f"{sum(r.label for r in rows)} of them labelled; "
          f"{sum(len(p['labels']) for p in postings.values())} labels in all "
          f"({time.perf_counter() - t0:.1f} s to extract)")
    groups = np.array([r.group for r in rows])
    y = np.array([r.label for r in rows])
    rules = np.array([r.rules for r in rows])
    X = [r.features for r in rows]
    proposed = {}
    for r in rows:
        proposed.setdefault(r.posting, set()).add(r.skill)
    unproposed = {key: len(p["labels"] - proposed.get(key, set())) for key, p in postings.items()}
    probs = np.zeros(len(rows))
    thresholds = {}
    for group in sets:
        # As the engine does: the classifier judges the skills the rules accept (``describe``
        # gives no others), and may veto them.
        train, test = groups != group, groups == group
        # The threshold: inner grouped cross-validation over the training sets.
        inner = np.zeros(train.sum())
        g_train = groups[train]
        idx_train = np.flatnonzero(train)
        for a, b in GroupKFold(n_splits=5).split(idx_train, groups=g_train):
            model = make_model(args.model, args.C).fit([X[i] for i in idx_train[a]], y[idx_train[a]])
            inner[b] = model.predict_proba([X[i] for i in idx_train[b]])[:, 1]
        missed = sum(n for key, n in unproposed.items() if postings[key]["group"] != group)
        thresholds[group] = choose_threshold(inner, y[train], rules[train], missed, args.objective)
        model = make_model(args.model, args.C).fit([X[i] for i in idx_train], y[train])
        probs[test] = model.predict_proba([X[i] for i in np.flatnonzero(test)])[:, 1]
    by_rules: dict[str, set[str]] = {}
    by_model: dict[str, set[str]] = {}
    for r, p in zip(rows, probs, strict=True):
        if r.rules:
            by_rules.setdefault(r.posting, set()).add(r.skill)
        if p >= thresholds[r.group]:
            by_model.setdefault(r.posting, set()).add(r.skill)
    print(f"\n{'set':<12} {'n':>4} {'thr':>5} | {'rules P':>7} {'R':>5} {'FP':>4} {'FN':>4} | "
          f"{'clf P':>7} {'R':>5} {'FP':>4} {'FN':>4}")

    def line(name: str, keys: list[str], thr: str) -> None:
        a, b = score(by_rules, postings, keys), score(by_model, postings, keys)
        print(f"{name:<12} {len(keys):4d} {thr:>5} | {a[0]:7.3f} {a[1]:5.3f} {a[3]:4d} {a[4]:4d} | "
              f"{b[0]:7.3f} {b[1]:5.3f} {b[3]:4d} {b[4]:4d}")

    for group in sets:
        line(group, [k for k, p in postings.items() if p["group"] == group], f"{thresholds[group]:.2f}")
    print("-" * 70)
    line("all", list(postings), "")
    line("US rows", [k for k, p in postings.items() if p["us"]], "")
    line("UK rows", [k for k, p in postings.items() if not p["us"]], "")
    print("\nclassifier - rules, 95% bootstrap interval over postings:")
    for name, us in (("all", None), ("US rows", True), ("UK rows", False)):
        low, high = bootstrap(by_rules, by_model, {k: p for k, p in postings.items() if us in (None, p["us"])})
        print(f"  {name:<8} precision {low[0]:+.3f} .. {high[0]:+.3f}, recall {low[1]:+.3f} .. {high[1]:+.3f}")
    print(f"({time.perf_counter() - t0:.0f} s in all)")


def bootstrap(a: dict[str, set[str]], b: dict[str, set[str]], postings: dict[str, dict], n: int = 2000):
    """2.5 and 97.5 percentiles of b's precision and recall minus a's, postings resampled."""
    keys = list(postings)
    counts = np.array([[len(postings[k]["labels"] & p.get(k, set())), len(p.get(k, set()) - postings[k]["labels"]),
                        len(postings[k]["labels"] - p.get(k, set()))] for p in (a, b) for k in keys])
    counts = counts.reshape(2, len(keys), 3)
    rng = np.random.default_rng(0)
    diffs = []
    for _ in range(n):
        tp, fp, fn = counts[:, rng.integers(0, len(keys), len(keys))].sum(axis=1).T
        p, r = tp / (tp + fp), tp / (tp + fn)
        diffs.append((p[1] - p[0], r[1] - r[0]))
    return np.percentile(diffs, 2.5, axis=0), np.percentile(diffs, 97.5, axis=0)


if __name__ == "__main__":
    # Small fits: many BLAS threads on a busy machine only slow them down.
    with threadpool_limits(1):
        main()
