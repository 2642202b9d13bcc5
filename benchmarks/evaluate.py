"""Print precision and recall of skill extraction on the labelled dev set.

    python benchmarks/evaluate.py [--set dev|holdout|holdout2|...|us_dev|us_test] [--errors]
                                  [--typos 0.1] [--pages ../shared/data/pages]

Micro-averaged over (posting, skill) pairs, per skill, per set (relevant and
control postings apart), the ablation (aliases only, aliases + matcher (the
default), with the sentence model, with the learned verdict), medical skills wrongly found in
control postings, and, where the labels record it, whether the engine's
requirement level (required/preferred) is right.
The dev set (tests/fixtures/devset_*) is what the skill-set data was tuned on;
every folder of tests/fixtures that holds .jsonl files is a further set
(holdout*, us_dev, us_test, ...). The held-out sets were labelled separately,
without looking at what the engine finds, so their figures are the honest
estimate; each is an estimate only until its errors are read and acted on.
"""

import argparse
import json
from collections import Counter
from pathlib import Path

from models.analysis import Analyzer
from models.evaluation import Scores, add_typos, evaluate, labelled_sets, load_devset
from models.parsing import parse_posting

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=ROOT / "tests" / "fixtures")
    parser.add_argument("--pages", type=Path, default=ROOT.parent / "shared" / "data" / "pages")
    parser.add_argument("--postings", type=Path, default=ROOT.parent / "shared" / "data" / "postings",
                        help="folder of real postings whose control rows are checked for medical-only skills")
    parser.add_argument("--errors", action="store_true", help="list every false positive and negative")
    parser.add_argument("--set", choices=("dev", *labelled_sets(ROOT / "tests" / "fixtures")), default="dev")
    parser.add_argument("--typos", type=float, default=0.0,
                        help="misspell this share of words of 6+ letters (e.g. 0.05), seeded")
    args = parser.parse_args()
    if args.set == "dev":
        items = load_devset(args.fixtures, args.pages)
    else:
        items = load_devset(args.fixtures / args.set, None, "*.jsonl")
    if args.typos:
        for n, item in enumerate(items):
            # Misspell the posting's text, not its markup.
            item.text = add_typos(parse_posting(item.text).text, args.typos, seed=n)
    relevant = sum(i.set == "relevant" for i in items)
    print(f"{args.set} set: {len(items)} postings ({relevant} relevant, {len(items) - relevant} control), "
          f"{sum(len(i.labels) for i in items)} labelled (posting, skill) pairs"
          + (f"; {args.typos:.0%} of longer words misspelt" if args.typos else ""))
    results = {}
    # The learned verdict (models/verdicts.py, off by default) was fitted on the dev and
    # held-out sets: its row is in-sample there; benchmarks/verdicts_cv.py gives its
    # figures on sets left out.
    # The sentence model (models/sentence_skills.py, off by default) learned from the quoted
    # sentences of the labelled sets: its row is in-sample there, like the learned verdict's.
    for name, use_matcher, use_sentences, use_verdicts in (
            ("aliases only", False, False, False), ("aliases + matcher", True, False, False),
            ("+ sentence model", True, True, False), ("+ learned verdict", True, False, True)):
        results[name] = evaluate(Analyzer.for_skillset(use_matcher=use_matcher, use_sentences=use_sentences,
                                                       use_verdicts=use_verdicts), items)
    print(f"\n{'run':<20} {'precision':>9} {'recall':>7} {'F1':>6} {'TP':>5} {'FP':>5} {'FN':>5}")
    for name, s in results.items():
        print(f"{name:<20} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f} {s.tp:5d} {s.fp:5d} {s.fn:5d}")
    full = results["aliases + matcher"]  # the engine as shipped
    print(f"\nby set (the engine as shipped)\n{'set':<20} {'precision':>9} {'recall':>7} {'TP':>5} {'FP':>5} {'FN':>5}")
    for name in ("relevant", "control"):
        c = full.by_set.get(name)
        if c is not None:
            print(f"{name:<20} {full.set_precision(name):9.3f} {full.set_recall(name):7.3f} "
                  f"{c['tp']:5d} {c['fp']:5d} {c['fn']:5d}")
    print_levels(full)
    print(f"\nper skill (the engine as shipped)\n{'skill':<24} {'P':>6} {'R':>6} {'TP':>4} {'FP':>4} {'FN':>4}")
    for sid, c in sorted(full.per_skill.items()):
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else float("nan")
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else float("nan")
        print(f"{sid:<24} {p:6.2f} {r:6.2f} {c['tp']:4d} {c['fp']:4d} {c['fn']:4d}")
    controls = sum(i.set == "control" for i in items)
    wrong = sum(full.control_medical.values())
    print(f"\ncontrol postings: {controls}; medical-only skills found there: {wrong} "
          f"{dict(full.control_medical) if wrong else ''}")
    if args.errors:
        print("\nerrors:")
        for posting, kind, sid in sorted(full.errors, key=lambda e: (e[2], e[1])):
            print(f"  {kind} {sid:<24} {posting}")
    if args.postings.is_dir():
        check_controls(Analyzer.for_skillset(), args.postings)


def print_levels(scores: Scores) -> None:
    """How often the engine's requirement level matches the label's, for the skills both agree on."""
    if not scores.level_checked:
        print("\nrequirement level: no labelled levels in this set")
        return
    unspecified = sum(n for (_, found), n in scores.levels.items() if found == "unspecified")
    print(f"\nrequirement level (labelled skills the engine found, whose label has a level): "
          f"{scores.level_right}/{scores.level_checked} right = {scores.level_accuracy:.3f}; "
          f"engine 'unspecified' counted as wrong ({unspecified} of them)")
    for label in ("required", "preferred"):
        row = {found: scores.levels[(label, found)] for found in ("required", "preferred", "unspecified")}
        print(f"  label {label:<9} -> engine " + ", ".join(f"{k} {v}" for k, v in row.items()))


def check_controls(analyzer: Analyzer, folder: Path) -> None:
    """Share of all control postings (other trades) in which each medical-only skill is found."""
    medical = {s.id for s in analyzer.skillset.skills if s.medical}
    found: Counter[str] = Counter()
    total = 0
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            if row.get("set") != "control":
                continue
            total += 1
            record = analyzer.analyze(row["description"], title=row.get("title"))
            found.update(s["id"] for s in record["skills"] if s["id"] in medical)
    if total:
        shares = ", ".join(f"{sid} {n / total:.1%}" for sid, n in found.most_common()) or "none"
        print(f"\nall {total} control postings in {folder}: medical-only skills found in {shares}")


if __name__ == "__main__":
    main()
