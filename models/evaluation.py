"""Measure extraction against hand-labelled postings: precision and recall.

Micro-averaged over (posting, skill) pairs, per skill, per set (relevant and
control postings apart), and for the control postings (other trades) the
medical-only skills that wrongly appear there. Where a label records whether
the posting requires or prefers the skill, the engine's requirement level is
checked against it.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.analysis import Analyzer
from models.toml import tomllib


@dataclass
class LabelledPosting:
    id: str
    set: str  # "relevant" or "control"
    text: str
    labels: frozenset[str]
    title: str | None = None
    source: str = ""
    # "required" or "preferred" per labelled skill, where the labeller recorded it.
    levels: dict[str, str] = field(default_factory=dict)
    saved_page: bool = False  # a whole saved HTML page, which carries its own title


def load_devset(
    fixtures: Path, pages_dir: Path | None = None, pattern: str = "devset_*.jsonl"
) -> list[LabelledPosting]:
    """Read the labelled postings; saved pages are read from ``pages_dir`` when present."""
    items: list[LabelledPosting] = []
    for path in sorted(fixtures.glob(pattern)):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                if "labels" not in row:
                    # An unlabelled row would silently count as "asks for nothing".
                    raise ValueError(f"{path}:{n}: posting {row.get('id')!r} has no labels yet")
                levels = row.get("levels", {})
                bad = {k: v for k, v in levels.items() if k not in row["labels"] or v not in LEVELS}
                if bad:
                    raise ValueError(f"{path}:{n}: posting {row.get('id')!r} has levels that fit no label: {bad}")
                items.append(
                    LabelledPosting(row["id"], row["set"], row["description"], frozenset(row["labels"]),
                                    row.get("title"), row.get("source", path.stem), dict(levels))
                )
    pages = fixtures / "devset_pages.json"
    if pages_dir is not None and pages.exists() and pages_dir.is_dir():
        for row in json.loads(pages.read_text(encoding="utf-8")):
            page = pages_dir / row["file"]
            if page.exists():
                items.append(
                    LabelledPosting(row["file"], row["set"], page.read_text(encoding="utf-8", errors="replace"),
                                    frozenset(row["labels"]), row.get("title"), "pages", saved_page=True)
                )
    return items


LEVELS = ("required", "preferred")


def labelled_sets(fixtures: Path) -> list[str]:
    """Names of the held-out folders under ``fixtures``: every folder that holds a ``.jsonl`` file.

    The numbered holdouts come first in number order, then the others by name.
    """
    names = [p.name for p in fixtures.iterdir() if p.is_dir() and any(p.glob("*.jsonl"))]

    def key(name: str) -> tuple[int, int, str]:
        number = name[len("holdout"):]
        if name.startswith("holdout") and (number == "" or number.isdigit()):
            return (0, int(number or 1), name)
        return (1, 0, name)

    return sorted(names, key=key)


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    per_skill: dict[str, Counter[str]] = field(default_factory=dict)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (posting, kind, skill)
    control_medical: Counter[str] = field(default_factory=Counter)
    by_set: dict[str, Counter[str]] = field(default_factory=dict)  # "relevant"/"control" -> tp, fp, fn
    # For labelled skills the engine found whose label has a level: (label level, engine level) -> count.
    levels: Counter[tuple[str, str]] = field(default_factory=Counter)

    def set_precision(self, name: str) -> float:
        c = self.by_set.get(name, Counter())
        return c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0

    def set_recall(self, name: str) -> float:
        c = self.by_set.get(name, Counter())
        return c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0

    @property
    def level_checked(self) -> int:
        return sum(self.levels.values())

    @property
    def level_right(self) -> int:
        """Engine level equal to the label's; an engine "unspecified" is never right."""
        return sum(n for (label, found), n in self.levels.items() if label == found)

    @property
    def level_accuracy(self) -> float:
        return self.level_right / self.level_checked if self.level_checked else 1.0

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
            item.text, id=item.id, title=None if item.saved_page else item.title
        )
        found = {s["id"]: s.get("requirement", "unspecified") for s in record["skills"]}
        predicted = set(found)
        in_set = scores.by_set.setdefault(item.set, Counter())
        for sid in predicted | item.labels:
            counter = scores.per_skill.setdefault(sid, Counter())
            if sid in predicted and sid in item.labels:
                scores.tp += 1
                kind = "tp"
                if sid in item.levels:
                    scores.levels[(item.levels[sid], found[sid])] += 1
            elif sid in predicted:
                scores.fp += 1
                kind = "fp"
                scores.errors.append((item.id, "fp", sid))
            else:
                scores.fn += 1
                kind = "fn"
                scores.errors.append((item.id, "fn", sid))
            counter[kind] += 1
            in_set[kind] += 1
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
