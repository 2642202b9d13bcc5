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
from itertools import accumulate, compress
from operator import add
from typing import AnyStr

TOKEN_RE = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)?|\d+")
# A sentence ends at white space after a stop, before a capital, digit, quote or
# bullet, or at a bullet between spaces. Both kinds start with a space, which
# lets the search skip to spaces (a leading look-behind would try every position).
SENTENCE_END_RE = re.compile(r"\s(?:(?<=[.!?;]\s)\s*(?=[\"'(\[A-Z0-9\u2022])|\s*[\u2022]\s+)")
# Where no bullet stands, the same ends as its group 1, found by their stops: far
# fewer than spaces, so the search skips ahead faster.
_STOP_END_RE = re.compile(r"[.!?;](\s+)(?=[\"'(\[A-Z0-9\u2022])")


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


# Bytes of a text encoded one byte a character: word characters stay, all else is a space.
_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_DIGITS = b"0123456789"
_WORD_CHARS = bytes(c if c in _LETTERS or c in _DIGITS or c == 39 else 32 for c in range(256))
# The same with every letter an "a" and every digit a "0": where a word may not be one token.
_CHAR_KINDS = bytes(97 if c in _LETTERS else 48 if c in _DIGITS else 39 if c == 39 else 32 for c in range(256))
_PLUS_ONE = (1).__add__


def tokenize(text: str) -> Tokens:
    """The words of a text as ``TOKEN_RE`` finds them.

    The text is cut at spaces in C, with every character that cannot be part
    of a word made a space first: cheaper than splitting with the expression.
    Only the runs of word characters that hold an apostrophe or letters next to
    digits ("ICD10", "patients'") are split again by the expression itself.
    """
    plain = text.replace("\u2019", "'") if "\u2019" in text else text
    # One byte a character, so offsets hold: what Latin-1 lacks becomes "?".
    data = plain.encode("latin-1", "replace")
    parts = data.translate(_WORD_CHARS).decode("ascii").split(" ")
    words = list(filter(None, parts))
    # Part k starts after the k parts before it and a space after each.
    starts = list(compress(accumulate(map(_PLUS_ONE, map(len, parts)), initial=0), parts))
    kinds = data.translate(_CHAR_KINDS)
    odd = find_all(kinds, b"'") + find_all(kinds, b"a0") + find_all(kinds, b"0a")
    if odd:
        # Last first, so that the indices before stay right.
        for i in sorted({bisect_right(starts, at) - 1 for at in odd}, reverse=True):
            found = list(TOKEN_RE.finditer(text, starts[i], starts[i] + len(words[i])))
            words[i:i + 1] = [m.group() for m in found]
            starts[i:i + 1] = [m.start() for m in found]
    # A plain dict, looked up in C by map, costs less per word than the lru_cache.
    try:
        return Tokens(words, list(map(_STEMS.__getitem__, words)), starts)  # every word seen before
    except KeyError:
        stems = list(map(_STEMS.get, words))
    for i in [i for i, s in enumerate(stems) if s is None]:
        stems[i] = s = stem(words[i])
        if len(_STEMS) < 100_000:
            _STEMS[words[i]] = s
    return Tokens(words, stems, starts)


def find_all(data: AnyStr, part: AnyStr) -> list[int]:
    """Where ``part`` stands in ``data`` (a string or bytes), in order."""
    found = []
    i = data.find(part)
    while i >= 0:
        found.append(i)
        i = data.find(part, i + 1)
    return found


_STEMS: dict[str, str] = {}  # word -> stem, for tokenize


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
            if self.text.find("\u2022", start, end) < 0:
                found = (m.span(1) for m in _STOP_END_RE.finditer(self.text, start, end))
            else:
                found = (m.span() for m in SENTENCE_END_RE.finditer(self.text, start, end))
            for a, b in found:
                starts.append(pos)
                ends.append(a)
                pos = b
            starts.append(pos)
            ends.append(end)
            spans = self.split[bi] = (starts, ends)
        return spans

    def within(self, start: int, end: int) -> list[tuple[int, int]]:
        """The sentence spans that start in [start, end)."""
        out = []
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
