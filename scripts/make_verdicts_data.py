"""Make the verdict classifier's training data from the labelled fixtures.

    python scripts/make_verdicts_data.py [--check]

Writes models/data/verdicts.jsonl: one row per (posting, skill of the skill
set) that the hand rules accept (what the classifier judges), its description
(models/verdicts.py ``describe``), whether the posting's labels hold the skill,
and its labelled set. Then models/data/verdicts.json: the skill set, C and the
decision threshold (the best precision at the rules' recall less half a point,
with each labelled set left out in turn). Run it again whenever the aliases, the
context rules or the fixtures change; ``--check`` only says whether the shipped
files are what it would write (exit status 1 if not).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

from models.analysis import Analyzer
from models.parsing import parse_posting, with_title
from models.skillset import load_skillset
from models.verdicts import SETTINGS, TRAINING, VerdictClassifier, describe, features

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.make_reference import LABELLED_SETS  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
SKILLSET = "medical-office-specialist"
C = 0.3
THRESHOLDS = np.round(np.arange(0.04, 0.90, 0.02), 2)
RECALL_GIVEN = 0.005  # the recall the threshold may give up for precision, against the rules


def _set_order(name: str) -> tuple[bool, int, bool]:
    """The US sets by number, then the UK ones, a test set before its dev set."""
    number = re.search(r"\d+$", name)
    return name.startswith("uk_"), int(number.group()) if number else 1, "_dev" in name


def labelled_files(fixtures: Path = FIXTURES) -> list[Path]:
    """The labelled sets: the dev sets, the held-out sets, and the sets of excerpts that
    ``scripts/make_reference.py`` names (a set made blind is in none until it is named there),
    the US dev sets first."""
    us_dev = sorted(name for name in LABELLED_SETS if name.startswith("us_dev"))
    others = sorted((name for name in LABELLED_SETS if not name.startswith("us_dev")), key=_set_order)
    return (sorted(fixtures.glob("devset_*.jsonl")) + sorted(fixtures.glob("holdout*/*.jsonl"))
            + [fixtures / name / f"{name}.jsonl" for name in us_dev + others])


def training_rows(analyzer: Analyzer, files: list[Path]) -> tuple[list[dict], dict[str, int]]:
    """The rows of the skills the rules accept, in file and posting order (those are what
    the classifier judges); and per set the labelled skills the rules do not accept."""
    extractor = analyzer.extractor
    own = frozenset(s.id for s in analyzer.skillset.skills)
    rows, unjudged = [], {}
    for path in files:
        unjudged[path.stem] = 0
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            doc = parse_posting(item["description"])
            doc = with_title(doc, item.get("title") or doc.title)
            labels = set(item["labels"]) & own
            judged = {sid: d for sid, d in describe(doc, extractor.candidates(doc), own).items() if d["rules"]}
            unjudged[path.stem] += len(labels - set(judged))
            for sid, description in judged.items():
                rows.append({"set": path.stem, "label": int(sid in labels), **description})
    return rows, unjudged


def choose_threshold(rows: list[dict], unjudged: dict[str, int], c: float = C) -> float:
    """The threshold of best precision whose recall is at most half a point below the rules'.

    On probabilities from fits that leave each labelled set out in turn; recall
    counts the labelled skills that the rules do not accept as misses (on a
    tie, the higher threshold).
    """
    sets = np.array([r["set"] for r in rows])
    y = np.array([r["label"] for r in rows])
    X = [features(r) for r in rows]
    probs = np.zeros(len(rows))
    for name in dict.fromkeys(sets):
        train = np.flatnonzero(sets != name)
        test = np.flatnonzero(sets == name)
        model = VerdictClassifier(C=c).fit([X[i] for i in train], y[train])
        probs[test] = model.predict_proba([X[i] for i in test])[:, 1]
    total = int(y.sum()) + sum(unjudged.values())
    least_tp = int(y.sum()) - RECALL_GIVEN * total  # the rules' true positives, less half a point
    best, best_t = -1.0, float(THRESHOLDS[0])
    for t in THRESHOLDS:
        pred = probs >= t
        tp = int((pred & (y == 1)).sum())
        if tp < least_tp:
            continue
        precision = tp / int(pred.sum())
        if precision >= best:
            best, best_t = precision, float(t)
    return best_t


def render(rows: list[dict], skillset: str, threshold: float) -> tuple[str, str]:
    """The two files' text."""
    jsonl = "".join(json.dumps(r, sort_keys=True, separators=(",", ":")) + "\n" for r in rows)
    settings = {
        "made_by": "scripts/make_verdicts_data.py (do not edit by hand)",
        "skillset": skillset,
        "C": C,  # inverse regularisation of the logistic regression
        # The least probability that counts: the best precision at the rules' recall less
        # half a point, each labelled set left out in turn.
        "threshold": threshold,
    }
    return jsonl, json.dumps(settings, indent=2) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped files, write nothing")
    args = parser.parse_args()
    analyzer = Analyzer(load_skillset(SKILLSET), use_verdicts=False)
    rows, unjudged = training_rows(analyzer, labelled_files())
    jsonl, toml = render(rows, SKILLSET, choose_threshold(rows, unjudged))
    if args.check:
        same = TRAINING.read_text(encoding="utf-8") == jsonl and SETTINGS.read_text(encoding="utf-8") == toml
        print("the shipped files are up to date" if same else "the shipped files differ: run this script")
        return 0 if same else 1
    TRAINING.write_text(jsonl, encoding="utf-8")
    SETTINGS.write_text(toml, encoding="utf-8")
    print(f"{len(rows)} rows ({sum(r['label'] for r in rows)} asked for) -> {TRAINING}; "
          f"threshold {json.loads(toml)['threshold']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
