"""Measure extraction against hand-labelled postings: precision and recall.

Micro-averaged over (posting, skill) pairs, per skill, and for the control
postings (other trades) the medical-only skills that wrongly appear there.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

from models.analysis import Analyzer


@dataclass
class LabelledPosting:
    id: str
    set: str  # "relevant" or "control"
    text: str
    labels: frozenset[str]
    title: str | None = None
    source: str = ""


def load_devset(
    fixtures: Path, pages_dir: Path | None = None, pattern: str = "devset_*.jsonl"
) -> list[LabelledPosting]:
    """Read the labelled postings; saved pages are read from ``pages_dir`` when present."""
    items: list[LabelledPosting] = []
    for path in sorted(fixtures.glob(pattern)):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                items.append(
                    LabelledPosting(row["id"], row["set"], row["description"], frozenset(row["labels"]),
                                    row.get("title"), row.get("source", path.stem))
                )
    pages = fixtures / "devset_pages.json"
    if pages_dir is not None and pages.exists() and pages_dir.is_dir():
        for row in json.loads(pages.read_text(encoding="utf-8")):
            page = pages_dir / row["file"]
            if page.exists():
                items.append(
                    LabelledPosting(row["file"], row["set"], page.read_text(encoding="utf-8", errors="replace"),
                                    frozenset(row["labels"]), row.get("title"), "pages")
                )
    return items


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    per_skill: dict[str, Counter[str]] = field(default_factory=dict)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (posting, kind, skill)
    control_medical: Counter[str] = field(default_factory=Counter)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(analyzer: Analyzer, items: list[LabelledPosting]) -> Scores:
    """Score the analyzer's skills against the labels of every posting."""
    scores = Scores()
    medical = {s.id for s in analyzer.skillset.skills if s.medical}
    for item in items:
        # The title goes in as it would from a CSV's title column (a saved page has its own).
        record: dict[str, Any] = analyzer.analyze(
            item.text, id=item.id, title=None if item.source == "pages" else item.title
        )
        predicted = {s["id"] for s in record["skills"]}
        for sid in predicted | item.labels:
            counter = scores.per_skill.setdefault(sid, Counter())
            if sid in predicted and sid in item.labels:
                scores.tp += 1
                counter["tp"] += 1
            elif sid in predicted:
                scores.fp += 1
                counter["fp"] += 1
                scores.errors.append((item.id, "fp", sid))
            else:
                scores.fn += 1
                counter["fn"] += 1
                scores.errors.append((item.id, "fn", sid))
        if item.set == "control":
            for sid in predicted & medical - item.labels:
                scores.control_medical[sid] += 1
    return scores


_WORD = re.compile(r"[A-Za-z]{6,}")


def add_typos(text: str, rate: float, seed: int = 0) -> str:
    """Misspell a share of the longer words (drop, double or swap a letter).

    Real postings are typed by people; this measures how extraction holds up
    when they misspell, which the hand-labelled sets alone do not show.
    """
    rng = random.Random(seed)

    def typo(m: re.Match[str]) -> str:
        word = m.group()
        if rng.random() >= rate:
            return word
        i = rng.randrange(1, len(word) - 2)
        op = rng.randrange(3)
        if op == 0:
            return word[:i] + word[i + 1:]
        if op == 1:
            return word[:i] + word[i] + word[i:]
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]

    return _WORD.sub(typo, text)


@dataclass
class LevelledPosting:
    id: str
    text: str
    levels: dict[str, str]  # skill id -> "required" or "preferred"


def load_levelled(path: Path) -> list[LevelledPosting]:
    """Read postings labelled with each skill's level (``tests/fixtures/levels/postings.toml``)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [LevelledPosting(p["id"], p["text"], dict(p["levels"])) for p in data["postings"]]


def level_accuracy(analyzer: Analyzer, items: list[LevelledPosting]) -> tuple[float, list[str]]:
    """Share of labelled (skill, level) pairs found at that level, and a line for each miss.

    A skill not found at all counts as a miss: it has no level.
    """
    right, misses = 0, []
    for item in items:
        record = analyzer.analyze(item.text)
        found = {s["id"]: s["requirement"] for s in record["skills"] + record["extras"]}
        for sid, level in item.levels.items():
            if found.get(sid) == level:
                right += 1
            else:
                misses.append(f"{item.id}: {sid} is {found.get(sid, 'not found')}, labelled {level}")
    total = sum(len(i.levels) for i in items)
    return (right / total if total else 1.0), misses
