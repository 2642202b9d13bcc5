"""Words and sentences of a document, with offsets into its text.

Aliases and postings are both reduced to the same word stems here, so that
"Patient Records", "patient record" and "patients' records" meet, and
"ICD-10", "ICD 10" and "ICD10" do too.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from dataclasses import dataclass
from operator import add
from typing import AnyStr

TOKEN_RE = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)?|\d+")
# A sentence ends at white space after a stop, before a capital, digit, quote or
# bullet, or at a bullet between spaces. Both kinds start with a space, which
# lets the search skip to spaces (a leading look-behind would try every position).
SENTENCE_END_RE = re.compile(r"\s(?:(?<=[.!?;]\s)\s*(?=[\"'(\[A-Z0-9\u2022])|\s*[\u2022]\s+)")


# A lone surrogate ("\\ud800" in a JSON line or a page's JSON-LD) cannot be encoded:
# lxml, the database, a CSV export and a web page would all fail on it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """The text with each lone surrogate replaced by U+FFFD (one character for one: offsets hold)."""
    if text.isascii():  # known without a scan: Python marks all-ASCII strings
        return text
    try:
        text.encode("utf-8")  # five times faster than searching for one
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Lower-case a word and drop a plural or possessive ending."""
    w = word.lower()
    if "'" in w or "\u2019" in w:
        w = re.split(r"['\u2019]", w, maxsplit=1)[0]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


@dataclass
class Tokens:
    """The words of a text: surface form, stem and where each starts.

    Where a word ends (its start and its length) is asked of few words, so it is
    not kept for all.
    """

    words: list[str]
    stems: list[str]
    starts: list[int]

    @property
    def ends(self) -> list[int]:
        return list(map(add, self.starts, map(len, self.words)))


def tokenize(text: str) -> Tokens:
    """The words of a text as ``TOKEN_RE`` finds them, with their stems and offsets."""
    found = list(TOKEN_RE.finditer(text))
    words = [m.group() for m in found]
    return Tokens(words, [stem(w) for w in words], [m.start() for m in found])


def find_all(data: AnyStr, part: AnyStr) -> list[int]:
    """Where ``part`` stands in ``data`` (a string or bytes), in order."""
    found = []
    i = data.find(part)
    while i >= 0:
        found.append(i)
        i = data.find(part, i + 1)
    return found


def phrase_stems(phrase: str) -> tuple[str, ...]:
    return tuple(stem(m.group()) for m in TOKEN_RE.finditer(phrase))


def phrase_words(phrase: str) -> tuple[str, ...]:
    return tuple(m.group() for m in TOKEN_RE.finditer(phrase))


class Sentences:
    """Sentence spans of a text, found per block when first asked; look one up by offset.

    Only the blocks that hold a mention are ever split into sentences.
    """

    def __init__(self, text: str, block_spans: list[tuple[int, int]]) -> None:
        self.text = text
        self.blocks = block_spans
        self.block_starts = [start for start, _ in block_spans]
        self.split: dict[int, tuple[list[int], list[int]]] = {}

    def _block(self, bi: int) -> tuple[list[int], list[int]]:
        spans = self.split.get(bi)
        if spans is None:
            start, end = self.blocks[bi]
            starts, ends = [], []
            pos = start
            for m in SENTENCE_END_RE.finditer(self.text, start, end):
                a, b = m.span()
                starts.append(pos)
                ends.append(a)
                pos = b
            starts.append(pos)
            ends.append(end)
            spans = self.split[bi] = (starts, ends)
        return spans

    def within(self, start: int, end: int) -> list[tuple[int, int]]:
        """The sentence spans that start in [start, end)."""
        out: list[tuple[int, int]] = []
        bi = max(0, bisect_right(self.block_starts, start) - 1)
        while bi < len(self.blocks) and self.blocks[bi][0] < end:
            starts, ends = self._block(bi)
            out.extend((a, b) for a, b in zip(starts, ends, strict=True) if start <= a < end)
            bi += 1
        return out

    def span_at(self, offset: int) -> tuple[int, int]:
        bi = bisect_right(self.block_starts, offset) - 1
        if bi < 0:
            return 0, 0
        starts, ends = self._block(bi)
        i = bisect_right(starts, offset) - 1
        return starts[i], ends[i]
