"""Phrases looked up on a posting's word stems, and what a pattern must start with.

The alias index and the not-alias phrases of a skill set are ``PhraseTable``s;
``BlockedAt`` finds, around one mention, a not-alias phrase that covers it. The
heads of regular-expression aliases (``leading_words``, ``literal_head``) let a
pattern run only where its first words stand.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from itertools import compress, count
from typing import Any

from models.text import stem


class PhraseTable:
    """Phrases keyed by their word stems, looked up where they may start in a posting."""

    def __init__(self, table: dict[tuple[str, ...], Any]) -> None:
        self.table = table
        # For each first word, the phrase lengths (in words) that start with it,
        # longest first: only those slices of a posting need looking up.
        lengths: dict[str, set[int]] = {}
        for key in table:
            lengths.setdefault(key[0], set()).add(len(key))
        self.lengths = {word: tuple(sorted(ls, reverse=True)) for word, ls in lengths.items()}
        self.singles = frozenset(key[0] for key in table if len(key) == 1)
        self.pairs = frozenset(key[:2] for key in table if len(key) > 1)
        self.longest = max(map(len, table), default=0)

    def starts(self, stems: list[str], among: Iterable[int] | None = None) -> list[int]:
        """Words where a phrase may start: a one-word phrase, or the first two words of a longer one.

        Common words ("team", "patient") begin many phrases but seldom one that
        is there; the pair test turns them away before any slicing. ``among``
        (word indices, in order) spares the pass over every word when the
        caller has made it already.
        """
        singles, pairs = self.singles, self.pairs
        if among is None:
            among = compress(count(), map(self.lengths.__contains__, stems))
        last = len(stems) - 1
        return [
            i for i in among
            if stems[i] in singles or (i < last and (stems[i], stems[i + 1]) in pairs)
        ]

    def at(self, stems: list[str], i: int) -> Iterator[tuple[int, Any]]:
        """(length, value) of each phrase that starts at word ``i``, longest first."""
        table = self.table
        for length in self.lengths.get(stems[i], ()):
            if i + length <= len(stems):
                value = table.get(tuple(stems[i:i + length]))
                if value:
                    yield length, value


class BlockedAt:
    """The not-alias phrases of one posting, looked up only around mentions that need checking."""

    def __init__(self, table: PhraseTable, words: dict[str, frozenset[str]], stems: list[str]) -> None:
        self.table = table
        self.words = words
        self.stems = stems
        self.phrases: dict[int, list[tuple[int, set[str]]]] = {}  # word -> (length, skills) of the phrases there

    def covers(self, first: int, last: int, skill_id: str) -> bool:
        """Does a phrase that blocks ``skill_id`` span words ``first`` to ``last``?"""
        if self.stems[first] not in self.words.get(skill_id, ()):
            return False  # no phrase that blocks the skill holds the first word: most mentions
        starts_a_phrase = self.table.lengths
        for j in range(max(0, first - self.table.longest + 1), first + 1):
            if self.stems[j] not in starts_a_phrase:
                continue
            if j not in self.phrases:
                self.phrases[j] = list(self.table.at(self.stems, j))
            # Every phrase there, not only the longest: "electronic patient record
            # programme" blocks one skill, "electronic patient record" another.
            if any(j + length - 1 >= last and skill_id in ids for length, ids in self.phrases[j]):
                return True
        return False


# A look-behind at the very start ("(?<!track )\\benter...") does not move where a match starts.
_LEADING_LOOKBEHIND = re.compile(r"^(?:\(\?<[!=](?:\\.|[^()\\])*\))+")


def leading_words(pattern: str) -> frozenset[str]:
    """Stems of the words a pattern must start with (``\\b(?:input|enter)...``, ``\\bskills?``), if plain words."""
    pattern = _LEADING_LOOKBEHIND.sub("", pattern)
    # Not where a group follows ("document(?:s|ing)", "regist(?:er|ration of)"): the words it ends
    # ("documenting") are not the words the pattern starts with, nor have their stems.
    m = re.match(r"^\\b(?:\(\?:([A-Za-z|]+)\)|([A-Za-z]{3,})(s\?)?)(?![A-Za-z?*+{(])", pattern)
    if not m or has_top_level_branch(pattern):
        return frozenset()
    words = (m.group(1) or m.group(2)).split("|")
    if m.group(3):  # "skills?": "skill" or "skills"
        words.append(words[0] + "s")
    return frozenset(map(stem, words))


def literal_head(pattern: str) -> str:
    """The letters a pattern must start with after ``\\b`` (``\\bA\\s?&...``: "A"), or ""."""
    pattern = _LEADING_LOOKBEHIND.sub("", pattern)
    m = re.match(r"^\\b([A-Za-z]+)(?![?*+{])", pattern)
    if not m or has_top_level_branch(pattern):
        return ""
    return m.group(1)


def has_top_level_branch(pattern: str) -> bool:
    """Might ``|`` split the whole pattern? Then it need not start as it seems to."""
    plain = re.sub(r"\\.|\[(?:\\.|[^\]])*\]", "", pattern)  # no escapes or character classes
    depth = 0
    for c in plain:
        depth += (c == "(") - (c == ")")
        if c == "|" and depth <= 0:
            return True
    return False


@functools.lru_cache(maxsize=1024)
def words_re(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")", re.I)
