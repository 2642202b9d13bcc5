"""Engine speed and memory on real postings, figures side by side in one run.

    python benchmarks/bench_engine.py [--data ../shared/data] [--n 5000] [--rows 100000]

1. Every real posting in the data folder (NHS, US, controls and the saved pages),
   repeated to at least --n, analysed in one process on one core: postings/s for
   parse + extract + score (+ the market: occupation fit, percentile, similar
   postings), against BeautifulSoup parsing alone (lxml parser) of the same
   inputs, and the ratio of the two; and the analysis without the market.
2. In a second pass, the same against the analysis with the matcher's phrase
   cache cleared before every posting (the cold case) and without the matcher.
   The passes are apart because the other analysers' turns slow the turn after
   them: taking turns with all four, parse alone came out 10% slower than beside
   the analysis alone, and every ratio 10% better than it is.
3. A CSV of --rows rows built from the same postings, streamed through
   ``skillgap analyze --format jsonl`` in a subprocess: wall time and peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup

from models.analysis import Analyzer
from models.market import market_for
from models.parsing import looks_like_html, unescape_html
from models.skillset import load_skillset

ROOT = Path(__file__).resolve().parent.parent


def load_postings(data: Path) -> list[str]:
    texts = []
    for path in sorted((data / "postings").glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            texts.append(json.loads(line)["description"])
    for path in sorted((data / "pages").glob("*.html")):
        texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return texts


def parse_alone(texts: list[str]) -> None:
    for raw in texts:
        raw = unescape_html(raw)
        if looks_like_html(raw):
            BeautifulSoup(raw, "lxml")


def analyse_all(analyzer: Analyzer, texts: list[str], cold: bool = False) -> None:
    matcher = analyzer.extractor.matcher
    for raw in texts:
        if cold and matcher is not None:
            matcher.cache_.clear()
        analyzer.analyze(raw)


def timed_in_turns(runs: dict[str, Callable[[list[str]], None]], texts: list[str], chunk: int = 50) -> dict:
    """CPU and wall seconds of each run over all texts, the runs taking turns chunk by chunk.

    Each turn ends by collecting its own garbage (BeautifulSoup's trees are cycles),
    inside its timing: otherwise a collection falls at random into whichever run
    happens to be timed, and the ratios swing by 10%. The caller freezes what
    existed before, so a collection costs only the garbage of the turn.
    """
    totals = {name: [0.0, 0.0] for name in runs}
    for i in range(0, len(texts), chunk):
        part = texts[i:i + chunk]
        for name, run in runs.items():
            gc.collect()
            cpu, wall = time.process_time(), time.perf_counter()
            run(part)
            gc.collect()
            totals[name][0] += time.process_time() - cpu
            totals[name][1] += time.perf_counter() - wall
    return totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    base = load_postings(args.data)
    texts = (base * (args.n // len(base) + 1))[: max(args.n, len(base))]
    chars = sum(len(t) for t in texts)
    print(f"inputs: {len(base)} real postings repeated to {len(texts):,} ({chars / 1e6:.1f} M characters)")
    started = time.process_time()
    no_market = Analyzer(load_skillset(), use_market=False)
    built = time.process_time()
    market_for(no_market.skillset)
    print(f"start-up (CPU): analyzer without the market {built - started:.2f} s, "
          f"the market (occupation fit, percentiles, similar postings) {time.process_time() - built:.2f} s")
    analyzer = Analyzer.for_skillset()
    cold = Analyzer(analyzer.skillset)  # its own matcher, whose cache is cleared
    plain = Analyzer.for_skillset(use_matcher=False)
    for a in (analyzer, cold, plain, no_market):
        a.analyze(texts[0])  # warm imports
    # What exists now (inputs, skill sets, matchers) is never garbage: set it aside,
    # so that a collection costs only what the timed runs made.
    gc.collect()
    gc.freeze()
    n = len(texts)
    parse = "BeautifulSoup parse alone (lxml)"
    for runs in (
        {parse: parse_alone, "analysis: parse + extract + score + market": lambda part: analyse_all(analyzer, part),
         "the same without the market": lambda part: analyse_all(no_market, part)},
        {
            parse: parse_alone,
            "analysis, matcher cache cleared per posting": lambda part: analyse_all(cold, part, cold=True),
            "analysis, aliases only (no matcher)": lambda part: analyse_all(plain, part),
        },
    ):
        totals = timed_in_turns(runs, texts)
        t_parse = totals[parse][0]
        print(f"\n{'run (one core, taking turns)':<44} {'CPU s':>8} {'postings/s':>11} {'x parse':>8} {'wall s':>8}")
        for name, (t, w) in totals.items():
            print(f"{name:<44} {t:8.2f} {n / t:11.0f} {t / t_parse:8.2f} {w:8.2f}")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "postings.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "title", "description"])
            for i in range(args.rows):
                writer.writerow([i, "", base[i % len(base)]])
        size = path.stat().st_size
        cmd = [sys.executable, "-c", "from web.cli import main; main()", "analyze", str(path),
               "--format", "jsonl", "--no-progress"]
        start = time.perf_counter()
        with open(os.devnull, "wb") as devnull:
            proc = subprocess.run(cmd, stdout=devnull, stderr=subprocess.PIPE, check=False)
        wall = time.perf_counter() - start
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}: {proc.stderr[-300:]!r}"
        print(f"\nstreaming CSV: {args.rows:,} rows ({size / 1e6:.0f} MB) through `skillgap analyze "
              f"--format jsonl`: {wall:.1f} s, {args.rows / wall:.0f} rows/s, "
              f"peak RSS {peak_kb / 1024:.0f} MB ({status})")


if __name__ == "__main__":
    main()
