"""Phrases looked up on a posting's word stems, and what a pattern must start with.

The alias index and the not-alias phrases of a skill set are ``PhraseTable``s;
``BlockedAt`` finds, around one mention, a not-alias phrase that covers it. What
a regular-expression alias must start with (``leading_words``) or hold
(``literals``) lets it run only where that stands.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable, Iterator
from itertools import compress, count
from typing import Any, NamedTuple

from models.text import stem

if sys.version_info >= (3, 11):
    from re import _parser as sre_parse  # type: ignore[attr-defined,unused-ignore]
else:
    import sre_parse


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


# The words a pattern starts with, a group of them or one (and its plural), where no letter,
# repeat, group, wildcard or class of word characters continues them.
_LEADING = re.compile(
    r"^\\b(?:\(\?:([A-Za-z|]+)\)|([A-Za-z]{3,})(s\?)?)"
    r"(?![A-Za-z?*+{(.]|\\[wWdDS]|\[(?:[^\]\\]|\\.)*?(?:[A-Za-z]-[A-Za-z]|\\w))"
)


def leading_words(pattern: str) -> frozenset[str]:
    """Stems of the words a pattern must start with (``\\b(?:input|enter)...``, ``\\bskills?``), if plain words."""
    pattern = _LEADING_LOOKBEHIND.sub("", pattern)
    # Not where a group or a class follows ("document(?:s|ing)", "regist(?:er|ration of)",
    # "(?:prepar|complet)[a-z]*", "process\\w+"): the words it ends ("documenting", "preparing")
    # are not the words the pattern starts with, nor have their stems.
    m = _LEADING.match(pattern)
    if not m or has_top_level_branch(pattern):
        return frozenset()
    words = (m.group(1) or m.group(2)).split("|")
    if m.group(3):  # "skills?": "skill" or "skills"
        words.append(words[0] + "s")
    return frozenset(map(stem, words))


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


class Literals(NamedTuple):
    """Text every match of an expression holds (``within``) and starts with (``starts``).

    Each is a set of strings one of which stands in (or begins) every match,
    lower-cased for an expression that ignores case; None where the expression
    gives none. ``exact`` is every string the expression can match, where few.
    """

    within: frozenset[str] | None
    starts: frozenset[str] | None
    exact: frozenset[str] | None = None


_UNKNOWN = Literals(None, None)
_EMPTY = Literals(None, None, frozenset({""}))  # \b, ^, look-arounds: they match no text
_MOST = 64  # more strings than this in a set and it is given up


def literals(pattern: re.Pattern[str]) -> Literals:
    """What every match of a compiled expression holds and starts with, read from its syntax tree.

    Literal characters in a row are joined, with the few strings of short
    alternatives and optional parts ("skills?", "(?:in|of)"); of the sets a
    sequence yields, the one whose shortest string is longest (then the
    smallest) is kept. Character classes, ``\\s`` and repeats break a run;
    characters outside ASCII are not used.
    """
    lower = bool(pattern.flags & re.IGNORECASE)
    found = _sequence(sre_parse.parse(pattern.pattern, pattern.flags), lower)
    return found._replace(exact=None)


def _sequence(items: Any, lower: bool) -> Literals:
    run = frozenset({""})  # every string the items since the last unknown one match
    sets = []
    starts = None
    leading = True  # every item so far matched one of a few strings: ``run`` begins every match
    for op, av in items:
        part = _part(op.name, av, lower)
        if part.within:
            sets.append(part.within)
        if part.exact is not None and len(run) * len(part.exact) <= _MOST:
            run = frozenset(a + b for a in run for b in part.exact)
            continue
        sets.append(run)
        if leading:
            leading = False
            more = part.starts if part.exact is None else part.exact
            starts = _join(run, more) if more and len(run) * len(more) <= _MOST else run
        run = part.exact if part.exact is not None else frozenset({""})
    sets.append(run)
    if leading:
        return Literals(_best(sets), _fewest(run, str.startswith), run)
    return Literals(_best(sets), _fewest(starts, str.startswith))


def _part(op: str, av: Any, lower: bool) -> Literals:
    if op == "LITERAL":
        c = chr(av)
        return Literals(None, None, frozenset({c.lower() if lower else c})) if c.isascii() else _UNKNOWN
    if op == "IN":  # a class of plain characters only ("[- ]")
        if all(o.name == "LITERAL" and chr(a).isascii() for o, a in av):
            return Literals(None, None, frozenset(chr(a).lower() if lower else chr(a) for o, a in av))
        return _UNKNOWN
    if op in ("AT", "ASSERT_NOT"):
        return _EMPTY
    if op == "ASSERT":  # (?=...), (?<=...): the text they look at stands in the posting too
        return _EMPTY._replace(within=_sequence(av[1], lower).within)
    if op == "BRANCH":
        branches = [_sequence(b, lower) for b in av[1]]
        return Literals(*(_union([getattr(b, field) for b in branches]) for field in Literals._fields))
    if op == "SUBPATTERN":
        group, add_flags, del_flags, items = av
        if add_flags & re.IGNORECASE and not lower:
            return _UNKNOWN  # a case-blind part of a case-sensitive expression
        return _sequence(items, lower)
    if op == "ATOMIC_GROUP":
        return _sequence(av, lower)
    if op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        least, most, items = av
        inner = _sequence(items, lower)
        if least == 0:
            return Literals(None, None, inner.exact | {""} if inner.exact is not None and most == 1 else None)
        exact = inner.exact if least == most == 1 else None
        return Literals(inner.within, inner.starts, exact)
    return _UNKNOWN  # any character, \s, \w, [^...], back-references


def _join(heads: frozenset[str], tails: frozenset[str]) -> frozenset[str]:
    return frozenset(a + b for a in heads for b in tails)


def _union(sets: list[frozenset[str] | None]) -> frozenset[str] | None:
    if any(s is None for s in sets):
        return None
    union = frozenset[str]().union(*(s for s in sets if s is not None))
    return union if len(union) <= _MOST else None


def _fewest(strings: frozenset[str] | None, within: Any = str.__contains__) -> frozenset[str] | None:
    """The strings of a set that hold no other (each that does stands wherever that other does)."""
    if not strings or "" in strings:
        return None
    return frozenset(s for s in strings if not any(t != s and within(s, t) for t in strings))


def _best(sets: list[frozenset[str]]) -> frozenset[str] | None:
    """The set least likely to stand in a posting: the longest shortest string, then the fewest."""
    usable = [f for f in map(_fewest, sets) if f]
    if not usable:
        return None
    return max(usable, key=lambda s: (min(map(len, s)), -len(s)))
