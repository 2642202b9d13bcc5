"""Where the engine's time goes, stage by stage, in CPU seconds per pass over the real postings.

    .venv/bin/python benchmarks/profile_engine.py                 # 3 passes over the 993 postings
    .venv/bin/python benchmarks/profile_engine.py --passes 5 --profile warm.prof

It builds the analyzer as ``skillgap analyze`` does (start-up: imports, the matcher and
the market fitted), then analyses every posting ``benchmarks/bench_engine.py`` reads and
writes its record as a JSON line, pass after pass. The first pass meets every word and
phrase for the first time (the matcher's cold case); later passes find them known, as
the later rounds of the benchmark's 5,000 do. Each stage's own time is timed (a stage
called inside another is taken out of the outer one). ``--profile FILE`` writes a
cProfile (CPU time) of the last pass. CPU time, unlike wall time, means something on a
busy machine; compare two versions taking turns in the same hour.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_engine import load_postings  # noqa: E402

cpu = time.process_time
spent: dict[str, float] = defaultdict(float)
_inner: list[float] = []  # time spent in timed stages called from the one running


def timed(owner: Any, name: str, stage: str) -> None:
    """Replace ``owner.name`` with a function that adds its own CPU time to ``spent[stage]``."""
    original: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(original)
    def run(*args: Any, **kwargs: Any) -> Any:
        start = cpu()
        _inner.append(0.0)
        try:
            return original(*args, **kwargs)
        finally:
            took = cpu() - start
            spent[stage] += took - _inner.pop()
            if _inner:
                _inner[-1] += took

    setattr(owner, name, run)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the last pass here")
    args = parser.parse_args()
    texts = load_postings(args.data)

    started = cpu()
    from models import analysis, extraction, market, mentions
    from web.analyze_cli import JSONL_SEPARATORS

    analyzer = analysis.Analyzer.for_skillset(None)
    gc.freeze()  # as ``skillgap analyze`` does once its analyzer is built
    print(f"start-up (imports, matcher and market fitted): {cpu() - started:.2f} CPU s")

    timed(analysis, "parse_posting", "parse")
    timed(mentions, "tokenize", "words: tokenize")
    timed(mentions.MentionFinder, "word_facts", "words: facts")
    timed(mentions.MentionFinder, "_matcher_mentions", "mentions: matcher")
    timed(mentions.MentionFinder, "mentions", "mentions: aliases, patterns")
    timed(extraction.Extractor, "candidates", "context and levels")
    timed(extraction.Extractor, "collect", "skills and evidence")
    timed(analysis, "find_pay", "pay")
    timed(analysis, "detect_locale", "locale")
    for name in ("score_posting", "score_parts", "rank_gaps"):
        timed(analysis, name, "scoring")
    timed(market.Market, "assess", "market: fit, similar postings")

    for n in range(1, args.passes + 1):
        profiler = cProfile.Profile(cpu) if args.profile and n == args.passes else None
        spent.clear()
        start = cpu()
        if profiler:
            profiler.enable()
        for i, text in enumerate(texts):
            record = analyzer.analyze(text, id=str(i))
            began = cpu()
            json.dumps(record, ensure_ascii=False, separators=JSONL_SEPARATORS)
            spent["JSON line"] += cpu() - began
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        total = cpu() - start
        spent["the rest of analyze"] = total - sum(spent.values())
        print(f"\npass {n}: {len(texts)} postings in {total:.2f} CPU s ({len(texts) / total:.0f} per CPU second)")
        for stage, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"  {stage:<32} {seconds:6.2f}  {100 * seconds / total:4.1f}%")


if __name__ == "__main__":
    main()
