"""The bounded regular-expression syntax of patterns in a skill set a user uploads.

Python's ``re`` backtracks: a pattern such as ``(a+)+$`` takes time exponential in
the text's length, and a worker running it never ends. A built-in skill set is
reviewed; an uploaded one is not, so its patterns keep to a subset in which the
work at each place of the text is bounded by the pattern itself:

- no open-ended repeats (``*``, ``+``, ``{m,}``): an open-ended repeat makes the work
  at each place grow with the text (a run of 50,000 letters), so the whole quadratic;
- counted repeats ``{m,n}`` up to ``MAX_COUNT``, of single characters or classes
  only; a group may only be optional (``?``);
- at most ``MAX_PATHS`` ways through the pattern's alternatives, optional parts and
  counted repeats;
- no back-references, lookarounds, named groups or inline flags;
- at most ``MAX_PATTERN_CHARS`` characters.
"""

from __future__ import annotations

import re

MAX_PATTERN_CHARS = 200
MAX_UNBOUNDED = 0
MAX_COUNT = 20
MAX_PATHS = 256
MAX_DEPTH = 4
_CLASS_ESCAPES = set("dDwWsS")
_ANCHOR_ESCAPES = set("bBAZ")
_CHAR_ESCAPES = set("ntrfv")
_QUANT = re.compile(r"\{(\d+)(?:(,)(\d*))?\}")


class UnsafePattern(ValueError):
    """A pattern outside the bounded syntax; the message says what to change."""


def check_pattern(pattern: str) -> None:
    """Raise ``UnsafePattern`` unless ``pattern`` keeps to the bounded syntax."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise UnsafePattern(f"a pattern is at most {MAX_PATTERN_CHARS} characters")
    parser = _Parser(pattern)
    paths = parser.alternation(0)
    if parser.i < len(pattern):
        raise UnsafePattern(f"unbalanced ')' at character {parser.i + 1}")
    if parser.unbounded > MAX_UNBOUNDED:
        raise UnsafePattern("open-ended repeats (*, + or {m,}) are not allowed in an uploaded skill set; "
                            "give a bound, such as \\s{0,3} or \\w{1,20}")
    if paths > MAX_PATHS:
        raise UnsafePattern(f"too many ways through the pattern ({paths} > {MAX_PATHS}): "
                            "fewer alternatives, optional parts or counted repeats")


class _Parser:
    """A recursive-descent reading of the pattern that counts its ways through."""

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.unbounded = 0

    def alternation(self, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise UnsafePattern(f"groups nest at most {MAX_DEPTH} deep")
        paths = self.sequence(depth)
        while self.i < len(self.p) and self.p[self.i] == "|":
            self.i += 1
            paths += self.sequence(depth)
        return paths

    def sequence(self, depth: int) -> int:
        paths = 1
        while self.i < len(self.p) and self.p[self.i] not in "|)":
            paths *= self.item(depth)
            paths = min(paths, MAX_PATHS + 1)
        return paths

    def item(self, depth: int) -> int:
        start = self.i
        kind, inner = self.atom(depth)
        low, high = self.quantifier()
        if (low, high) == (1, 1):
            return inner
        at = f"at character {start + 1}"
        if kind == "anchor":
            raise UnsafePattern(f"an anchor cannot be repeated ({at})")
        if kind == "group":
            if (low, high) != (0, 1):
                raise UnsafePattern(f"a group may only be optional with '?' ({at}); repeat single "
                                    "characters or classes instead")
            return inner + 1
        if high is None:
            self.unbounded += 1
            return inner
        if high > MAX_COUNT:
            raise UnsafePattern(f"a counted repeat goes up to {MAX_COUNT} ({at})")
        return high - low + 1

    def atom(self, depth: int) -> tuple[str, int]:
        p, i = self.p, self.i
        c = p[i]
        if c == "\\":
            if i + 1 >= len(p):
                raise UnsafePattern("the pattern ends in a lone backslash")
            e = p[i + 1]
            self.i += 2
            if e.isdigit():
                raise UnsafePattern(f"back-references are not allowed (\\{e})")
            if e in _ANCHOR_ESCAPES:
                return "anchor", 1
            if e in _CLASS_ESCAPES or e in _CHAR_ESCAPES or not e.isalnum():
                return "char", 1
            raise UnsafePattern(f"the escape \\{e} is not allowed")
        if c == "[":
            j = i + 1
            if j < len(p) and p[j] == "^":
                j += 1
            if j < len(p) and p[j] == "]":
                j += 1
            while j < len(p) and p[j] != "]":
                j += 2 if p[j] == "\\" else 1
            if j >= len(p):
                raise UnsafePattern(f"unclosed '[' at character {i + 1}")
            self.i = j + 1
            return "char", 1
        if c == "(":
            if p.startswith("(?:", i):
                self.i += 3
            elif p.startswith("(?", i):
                raise UnsafePattern(f"lookarounds, named groups and flags are not allowed (character {i + 1})")
            else:
                self.i += 1
            inner = self.alternation(depth + 1)
            if self.i >= len(p) or p[self.i] != ")":
                raise UnsafePattern(f"unclosed '(' at character {i + 1}")
            self.i += 1
            return "group", inner
        if c in "*+?{":
            raise UnsafePattern(f"nothing to repeat at character {i + 1}")
        self.i += 1
        return ("anchor" if c in "^$" else "char"), 1

    def quantifier(self) -> tuple[int, int | None]:
        p, i = self.p, self.i
        if i >= len(p):
            return 1, 1
        c = p[i]
        if c in "?*+":
            self.i += 1
            bounds: tuple[int, int | None] = {"?": (0, 1), "*": (0, None), "+": (1, None)}[c]
        elif c == "{":
            m = _QUANT.match(p, i)
            if not m:
                raise UnsafePattern(f"write a literal '{{' as '\\{{' (character {i + 1})")
            self.i = m.end()
            low = int(m.group(1))
            high = None if m.group(2) and not m.group(3) else int(m.group(3) or low)
            bounds = (low, high)
        else:
            return 1, 1
        if self.i < len(p) and p[self.i] in "?+":
            if p[self.i] == "+":
                raise UnsafePattern(f"possessive repeats are not allowed (character {self.i + 1})")
            self.i += 1  # lazy: the same bound on the work
        return bounds
