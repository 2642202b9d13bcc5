"""Rebuild models/data/market/reference-postings.jsonl from the shared postings.

The reference postings train the occupation fit (models/fit.py) and make the
reference market (models/market.py). For each real posting it keeps what those
need and no posting text (the shared postings, the saved pages, the labelled sets of
``LABELLED_SETS`` and the written other-trade postings): source, id, whether it is
of the medical-office occupation, whether its text is a job board's summary rather
than the whole advert or an excerpt cut off part-way (which teaches the fit only),
locale (its source's country), month posted, title, the skills the engine finds
in it with their requirement levels (every built-in skill set and the extras
catalogue), and which words of a fixed vocabulary it holds (the
VOCABULARY most frequent words over all the postings: frequency, not labels,
chooses them).

    python scripts/make_reference.py [--data ../shared/data] [--check]

``--check`` rebuilds into memory and exits 1 when the shipped file differs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from models.analysis import Analyzer
from models.fit import words_of
from models.parsing import parse_posting
from models.skillset import builtin_ids, load_skillset

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "models" / "data" / "market" / "reference-postings.jsonl"
WRITTEN = ROOT / "tests" / "fixtures" / "written_other_trades.jsonl"
# The labelled sets of tests/fixtures, and their locale: excerpts of real job pages (cut off
# part-way) and, for us_test12/us_dev13 and later GitHub sets, whole postings; medical-office
# ("relevant") or other trades, clinical jobs included ("control"). All teach the fit, and the
# medical-office ones are in the market (``models/references.py``: most of the US market).
# Named one by one, so a set made later (a blind test set) stays out until it is listed here.
LABELLED_SETS = {
    "us_dev": "US", "us_dev2": "US", "us_dev3": "US", "us_dev4": "US",
    "us_test": "US", "us_test2": "US", "us_test3": "US", "uk_test3": "UK",
    "us_dev5": "US", "uk_dev4": "UK", "us_test4": "US", "uk_test4": "UK",
    "us_dev6": "US", "us_test5": "US", "us_dev7": "US", "us_test6": "US",
    "us_dev8": "US", "us_test7": "US", "us_dev9": "US", "us_test8": "US",
    "us_dev10": "US", "us_test9": "US", "us_dev11": "US", "us_test10": "US",
    "us_dev12": "US", "us_test11": "US", "us_dev13": "US", "us_test12": "US",
    "us_dev14": "US", "us_test13": "US", "us_dev15": "US", "us_test14": "US",
    "uk_dev5": "UK", "uk_test5": "UK", "us_dev16": "US", "us_test15": "US",
    "us_dev17": "US", "us_test16": "US", "us_dev18": "US", "us_test17": "US",
    "uk_dev6": "UK", "uk_test6": "UK", "us_dev19": "US", "us_test18": "US", "us_dev20": "US",
    "us_test19": "US", "us_dev21": "US", "us_test20": "US", "uk_dev7": "UK", "uk_test7": "UK",
    "us_dev22": "US", "us_test21": "US", "uk_dev8": "UK", "uk_test8": "UK", "us_dev23": "US", "us_test22": "US",
    "uk_dev9": "UK", "uk_test9": "UK", "us_dev24": "US", "us_test23": "US",
    "uk_dev10": "UK", "uk_test10": "UK", "us_dev25": "US", "us_test24": "US",
    "uk_dev11": "UK", "uk_test11": "UK", "us_dev26": "US", "us_test25": "US",
    "uk_dev12": "UK", "uk_test12": "UK", "us_dev27": "US", "us_test26": "US",
    "uk_dev13": "UK", "uk_test13": "UK", "us_dev28": "US", "us_test27": "US",
    "uk_dev14": "UK", "uk_test14": "UK", "us_dev29": "US", "us_test28": "US",
    "uk_dev15": "UK", "uk_test15": "UK", "us_dev30": "US", "us_test29": "US",
    "us_dev31": "US", "us_test30": "US", "uk_dev16": "UK", "uk_test16": "UK",
    "us_dev32": "US", "us_test31": "US",
}
VOCABULARY = 2000
# Source file -> (fits the occupation, locale, summary). ReproJobs rows are front-office,
# medical-assistant, billing and clinic-manager posts at US clinics: medical office. Their
# text is what the employer typed into the board's form, usually a summary of the advert
# (median about 600 characters; the postings README), so they are no market for whole adverts.
SOURCES = {
    "nhs_jobs_2020_medical_office": (True, "UK", False),
    "nhs_jobs_2020_control": (False, "UK", False),
    "us_reprojobs_jobsboard": (True, "US", True),
    "indeed_datasci_html_control": (False, "US", False),
}
# The saved US job pages (data/pages/): four medical-office posts, two others.
PAGES_NOT_FITTING = {"mercyhealth-medical-lab-scientist-39454", "indeed-village-green-assistant-manager"}


def _month(date: str | None) -> str | None:
    """'YYYY-MM' of an ISO date ("2025-4-2" too), else None."""
    m = re.match(r"(\d{4})-(\d{1,2})\b", date or "")
    return f"{m.group(1)}-{int(m.group(2)):02d}" if m else None


def _rows(data: Path) -> list[dict]:
    """Every posting: the shared files, the saved pages, the labelled sets and the written
    other-trade postings."""
    rows = []
    for name, (fits, locale, summary) in SOURCES.items():
        for line in (data / "postings" / f"{name}.jsonl").open(encoding="utf-8"):
            r = json.loads(line)
            rows.append({"source": name, "id": r["id"], "fits": fits, "summary": summary, "locale": locale,
                         "title": r.get("title"),
                         "date": _month(r.get("date_posted") or r.get("date")), "raw": r["description"]})
    for path in sorted((data / "pages").glob("*.html")):
        raw = path.read_text(encoding="utf-8", errors="replace")
        rows.append({"source": "saved_pages", "id": path.stem, "fits": path.stem not in PAGES_NOT_FITTING,
                     "summary": False, "locale": "US", "title": None,
                     "date": _month(parse_posting(raw).date_posted), "raw": raw})
    for name, locale in LABELLED_SETS.items():
        for line in (ROOT / "tests" / "fixtures" / name / f"{name}.jsonl").open(encoding="utf-8"):
            r = json.loads(line)
            rows.append({"source": name, "id": r["id"], "fits": r["set"] == "relevant", "summary": False,
                         "excerpt": True, "locale": locale, "title": r.get("title"), "date": None,
                         "raw": r["description"]})
    for line in WRITTEN.open(encoding="utf-8"):
        r = json.loads(line)
        rows.append({"source": r["source"], "id": r["id"], "fits": r["set"] == "relevant", "summary": False,
                     "locale": r["locale"],
                     "title": r["title"], "date": None, "raw": r["description"]})
    return rows


def build(data: Path) -> list[str]:
    """Return the reference file's lines."""
    # Read by the aliases and the hand rules alone: the occupation fit learned from these postings
    # decides whether the sentence model may add skills, on the rules' skills of the posting.
    analyzers = [Analyzer(load_skillset(sid), use_market=False, use_sentences=False) for sid in builtin_ids()]
    seen: set[str] = set()
    postings = []
    for row in _rows(data):
        key = "".join(row["raw"].split())
        if key in seen:  # re-posts of the same text count once
            continue
        seen.add(key)
        skills: dict[str, str] = {}
        for analyzer in analyzers:
            record = analyzer.analyze(row["raw"], title=row["title"], include_text=True)
            for s in record["skills"] + record["extras"]:
                skills.setdefault(s["id"], s["requirement"])
        title = record["title"] or ""
        postings.append({"source": row["source"], "id": row["id"], "fits": row["fits"], "summary": row["summary"],
                         **({"excerpt": True} if row.get("excerpt") else {}), "locale": row["locale"],
                         "date": row["date"], "title": title, "skills": dict(sorted(skills.items())),
                         "words": words_of(record["text"])})
    df = Counter(w for p in postings for w in p["words"] if w not in ENGLISH_STOP_WORDS)
    vocabulary = {w for w, _ in sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))[:VOCABULARY]}
    lines = []
    for p in postings:
        p["words"] = " ".join(sorted(p["words"] & vocabulary))
        lines.append(json.dumps(p, ensure_ascii=False, sort_keys=False))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = "\n".join(build(args.data)) + "\n"
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("reference postings are up to date" if same else f"{OUT} differs from a rebuild")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"{text.count(chr(10))} postings -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
