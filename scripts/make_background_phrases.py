"""Rebuild models/data/background-phrases.txt from a folder of real postings.

The matcher calibrates its threshold against these phrases: frequent words and
word runs of real job postings that contain no alias of any skill.
Usage: python scripts/make_background_phrases.py ../shared/data/postings
"""

import collections
import json
import pathlib
import sys

from models.matcher import STOPWORDS
from models.parsing import parse_posting
from models.skillset import builtin_skillsets, load_extras
from models.text import phrase_stems, tokenize

folder = pathlib.Path(sys.argv[1])
alias_stems = set()
for skillset in [*builtin_skillsets(), load_extras()]:
    for skill in skillset.skills:
        for alias in skill.aliases:
            if not alias.pattern:
                alias_stems.add(phrase_stems(alias.phrase))
alias_words = {w for key in alias_stems for w in key}
counts: collections.Counter[str] = collections.Counter()
for path in sorted(folder.glob("*.jsonl")):
    for line in path.open(encoding="utf-8"):
        doc = parse_posting(json.loads(line)["description"])
        toks = tokenize(doc.text)
        n = len(toks.stems)
        for i in range(n):
            for length in (1, 2, 3):
                j = i + length
                if j > n:
                    break
                key = tuple(toks.stems[i:j])
                if key[0] in STOPWORDS or key[-1] in STOPWORDS or any(w.isdigit() for w in key):
                    continue
                if any(w in alias_words for w in key):
                    continue
                phrase = " ".join(w.lower() for w in toks.words[i:j])
                if len(phrase) >= 5:
                    counts[phrase] += 1
out = pathlib.Path("models/data/background-phrases.txt")
lines = [p for p, c in counts.most_common(4000) if c >= 3]
out.write_text(
    "# Frequent phrases of real job postings that name no skill (matcher negatives).\n"
    "# Made by scripts/make_background_phrases.py; one phrase a line.\n" + "\n".join(sorted(lines)) + "\n",
    encoding="utf-8",
)
print(f"{len(lines)} phrases -> {out}")
