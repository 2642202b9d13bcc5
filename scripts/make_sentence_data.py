"""Make the sentence model's training data from the labelled fixtures' notes.

    python scripts/make_sentence_data.py [--check]

Each labelled posting's ``notes`` quote the words that decided each label
("medical_billing: 'posting of payments, adjustments, and denials', ...
Rejected: insurance_verification ('coordination of benefits')"). The posting is
parsed as the engine parses it and cut into sentences; a sentence that holds a
quote of a label is an example of that skill, one that holds a quote of a
rejected skill is an example against it, and every sentence of a posting not
labelled with a skill is an example against it too. The sentences of a
labelled skill that nobody quoted are left unknown for it. Sentences of the
employer's boilerplate sections (benefits, about us) are left out: the model
never reads them.

Writes models/data/sentences/sentences.jsonl, one distinct sentence a line: its text,
section, block kind, ``yes`` (skills it is an example of) and ``unknown``.
Run it again whenever the fixtures, the parser or the section rules change;
``--check`` only says whether the shipped file is what it would write (exit 1
if not).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.parsing import parse_posting, with_title  # noqa: E402
from models.sentence_skills import SENTENCES, posting_sentences  # noqa: E402
from models.skillset import load_skillset  # noqa: E402
from models.text import Sentences  # noqa: E402
from scripts.make_verdicts_data import SKILLSET, labelled_files  # noqa: E402

QUOTE = re.compile(r"['\u2018](.+?)['\u2019](?=[\s,.;:)\]]|$)")
ELISION = re.compile(r"\.\.\.|\u2026|\[[^\]]*\]")
MIN_QUOTE = 12  # shorter pieces of a quote ("EHR") would mark any sentence that holds them


def quotes_by_skill(notes: str, skills: Iterable[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The quotes of each labelled skill, and of each rejected one, in a posting's notes."""
    names = "|".join(sorted(skills, key=len, reverse=True))
    label = re.compile(rf"(?:^|(?<=[.;)]\s)|(?<=[.;)]\s\s))({names})(?:\s*\([^)]*\))?\s*:")
    head, _, rejected = notes.partition("Rejected:")
    asked: dict[str, list[str]] = {}
    marks = list(label.finditer(head))
    for i, m in enumerate(marks):
        part = head[m.end(): marks[i + 1].start() if i + 1 < len(marks) else len(head)]
        asked.setdefault(m.group(1), []).extend(QUOTE.findall(part))
    refused: dict[str, list[str]] = {}
    for m in re.finditer(rf"\b({names})\b[^;]*", rejected):
        refused.setdefault(m.group(1), []).extend(QUOTE.findall(m.group(0)))
    return asked, refused


def _plain(text: str) -> str:
    return " ".join(text.split()).lower()


def pieces(quote: str) -> list[str]:
    """A quote's stretches between elisions ("...", "[...]"), long enough to look for."""
    return [p for p in (_plain(part) for part in ELISION.split(quote)) if len(p) >= MIN_QUOTE]


def posting_rows(row: dict, skills: frozenset[str]) -> list[dict]:
    """The sentences of one labelled posting with what each is an example of."""
    doc = with_title(parse_posting(row["description"]), row.get("title") or None)
    spans = posting_sentences(doc, Sentences(doc.text, [(b.start, b.end) for b in doc.blocks]))
    plain = [_plain(doc.text[a:b]) for a, b, _ in spans]
    asked, refused = quotes_by_skill(row.get("notes") or "", skills)
    labels = set(row["labels"]) & skills
    out = []
    for (a, b, block), text in zip(spans, plain, strict=True):
        yes = {s for s in labels for q in asked.get(s, ()) if any(p in text for p in pieces(q))}
        no = {s for s, qs in refused.items() for q in qs if any(p in text for p in pieces(q))}
        out.append({"text": " ".join(doc.text[a:b].split()), "section": block.section, "kind": block.kind,
                    "yes": yes, "unknown": labels - yes - no})
    return out


def make_rows(files: list[Path]) -> list[dict]:
    """Distinct sentences: an example of a skill where any copy is; unknown where every copy is."""
    skills = frozenset(s.id for s in load_skillset(SKILLSET).skills)
    merged: dict[tuple[str, str, str], dict] = {}
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            for r in posting_rows(json.loads(line), skills):
                key = (r["text"], r["section"], r["kind"])
                seen = merged.get(key)
                if seen is None:
                    merged[key] = r
                else:
                    seen["yes"] |= r["yes"]
                    seen["unknown"] &= r["unknown"]
    rows = []
    for r in merged.values():
        rows.append({**r, "yes": sorted(r["yes"]), "unknown": sorted(r["unknown"] - r["yes"])})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped file is stale")
    args = parser.parse_args(argv)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in make_rows(labelled_files()))
    if args.check:
        stale = not SENTENCES.exists() or SENTENCES.read_text(encoding="utf-8") != text
        print(f"{SENTENCES.name}: {'stale' if stale else 'up to date'}")
        return 1 if stale else 0
    SENTENCES.write_text(text, encoding="utf-8")
    rows = text.count("\n")
    print(f"wrote {SENTENCES} ({rows} sentences)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
