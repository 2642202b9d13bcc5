"""The sections of a posting: which headings start which kind, and what a section asks.

What the heading words mean is data (``models/data/sections.toml``), loaded and
validated once at import, with errors that name the file and the line. A skill
named under "Nice to have" is preferred, one under "What you will do" is a duty
of the job and so required, one under "Benefits" is the employer's own.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from models.toml import entry_where, tomllib

if TYPE_CHECKING:
    from models.parsing import Block

DATA_PACKAGE = "models.data"
SECTIONS_FILE = "sections.toml"
LEVELS = ("required", "preferred")
_NAME_WORD = re.compile(r"^(?:\*|[a-z0-9]+\*?)$")


class SectionsError(ValueError):
    """The sections file is malformed; the message names file and line."""


@dataclass(frozen=True)
class SectionKind:
    kind: str
    names: tuple[str, ...]
    level: str | None = None
    boilerplate: bool = False
    labels: tuple[str, ...] = ()


class Sections:
    """The section kinds, in the order they are tried, and the words a heading may hold besides a name."""

    def __init__(self, kinds: tuple[SectionKind, ...], filler: frozenset[str]) -> None:
        self.kinds = kinds
        self.filler = filler
        self._patterns = [(k.kind, _names_re(k.names)) for k in kinds]
        # At each word, the longest name that starts there; names may overlap.
        names = sorted((n for k in kinds for n in k.names), key=len, reverse=True)
        self._overlapping = re.compile(r"(?=(" + _names_re(names).pattern + "))")

    def classify(self, heading: str) -> str | None:
        """The kind of the first section one of whose names the heading holds, or None."""
        words = heading_words(heading)
        for kind, pattern in self._patterns:
            if pattern.search(words):
                return kind
        return None

    def is_name(self, line: str) -> bool:
        """Is the line section names and filler words only ("It would be great if you also had")?

        Names may overlap: in "your day to day" one name covers "your day", another
        "day to day"; each word must be covered by a name or be filler.
        """
        words = heading_words(line)
        covered = [False] * len(words)
        for m in self._overlapping.finditer(words):
            covered[m.start():m.start() + len(m.group(1))] = [True] * len(m.group(1))
        if not any(covered):
            return False
        rest = "".join(" " if hit else ch for ch, hit in zip(words, covered, strict=True))
        return all(w in self.filler for w in rest.split())


def heading_words(text: str) -> str:
    """A heading's words, lower-cased, contractions spelt out, joined by single spaces."""
    low = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("&", " and ")
    low = _CONTRACTION.sub(lambda m: _SPELT_OUT[m.group(1)], low)
    return " ".join(re.findall(r"[a-z0-9]+", low))


_SPELT_OUT = {"n't": " not", "'ll": " will", "'re": " are", "'ve": " have", "'d": " would", "'s": " is"}
_CONTRACTION = re.compile(r"(n't|'ll|'re|'ve|'d|'s)\b")


def _names_re(names: list[str] | tuple[str, ...]) -> re.Pattern[str]:
    """Any of the names, as whole words of ``heading_words``.

    The word boundaries stand once around all the names, not around each: the
    search then tries the names only where a word starts (15 times faster than
    with a boundary of its own for each of the hundreds of names; the same matches).
    """
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(_name_re, names)) + r")(?![a-z0-9])")


def _name_re(name: str) -> str:
    """A name as an expression on ``heading_words``: a word, its plural, or what a "word*" begins."""
    parts = []
    for word in name.split():
        if word == "*":
            parts.append("[a-z0-9]+")
        elif word.endswith("*"):
            parts.append(re.escape(word[:-1]) + "[a-z0-9]*")
        else:
            parts.append(re.escape(word) + "(?:s|es)?")
    return " ".join(parts)


def _line(text: str, needle: str, start: int = 0) -> int:
    pos = text.find(needle, start)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else 0


def _strings(raw: Any, what: str, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(s, str) and s.strip() for s in raw):
        raise SectionsError(f"{where}: '{what}' must be a list of non-empty strings")
    return tuple(s.strip() for s in raw)


def parse_sections(text: str, source: str = SECTIONS_FILE) -> Sections:
    """Parse and validate the sections data; ``source`` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SectionsError(f"{source}: {exc}") from None
    unknown = set(data) - {"filler", "sections"}
    if unknown:
        raise SectionsError(f"{source}, line {_line(text, sorted(unknown)[0])}: unknown key(s) {sorted(unknown)}")
    filler = _strings(data.get("filler", []), "filler", f"{source}, line {_line(text, 'filler')}")
    raw_kinds = data.get("sections")
    if not isinstance(raw_kinds, list) or not raw_kinds:
        raise SectionsError(f"{source}: no [[sections]] tables found")
    kinds: list[SectionKind] = []
    search_from = 0
    for n, raw in enumerate(raw_kinds, 1):
        kind = raw.get("kind") if isinstance(raw, dict) else None
        where, line, search_from = entry_where(text, source, "section", n, "kind", kind, search_from)
        if not isinstance(raw, dict):
            raise SectionsError(f"{where}: each section must be a table")
        if not isinstance(kind, str) or not re.fullmatch(r"[a-z][a-z_]*", kind):
            raise SectionsError(f"{where}: 'kind' must be lower-case letters and _")
        if any(k.kind == kind for k in kinds):
            raise SectionsError(f"{where}: duplicate kind {kind!r}")
        unknown = set(raw) - {"kind", "names", "level", "boilerplate", "labels"}
        if unknown:
            raise SectionsError(f"{where}: unknown key(s) {sorted(unknown)}")
        names = _strings(raw.get("names"), "names", where) if "names" in raw else ()
        if not names:
            raise SectionsError(f"{where}: 'names' must list at least one heading name")
        for name in names:
            bad = [w for w in name.split() if not _NAME_WORD.match(w)]
            if bad or heading_words(name.replace("*", "")) != " ".join(name.replace("*", "").split()).strip():
                raise SectionsError(
                    f"{source}, line {_line(text, repr(name)[1:-1], search_from) or line}: name {name!r} must be "
                    "lower-case words, spelt out (\"you will\", not \"you'll\"), a word may end in '*'"
                )
        level = raw.get("level")
        if level is not None and level not in LEVELS:
            raise SectionsError(f"{where}: level must be one of {', '.join(LEVELS)}, not {level!r}")
        boilerplate = raw.get("boilerplate", False)
        if not isinstance(boilerplate, bool):
            raise SectionsError(f"{where}: 'boilerplate' must be true or false")
        if boilerplate and level:
            raise SectionsError(f"{where}: a boilerplate section asks nothing, so it takes no level")
        labels = _strings(raw.get("labels", []), "labels", where)
        if labels and not level:
            raise SectionsError(f"{where}: 'labels' open a section with a level; give it one")
        kinds.append(SectionKind(kind, names, level, boilerplate, labels))
    return Sections(tuple(kinds), frozenset(heading_words(" ".join(filler)).split()))


@functools.lru_cache(maxsize=1)
def load_sections() -> Sections:
    """The built-in sections data (``models/data/sections.toml``)."""
    text = (resources.files(DATA_PACKAGE) / SECTIONS_FILE).read_text(encoding="utf-8")
    return parse_sections(text)


SECTIONS = load_sections()
BOILERPLATE_SECTIONS = frozenset(k.kind for k in SECTIONS.kinds if k.boilerplate)
# What a section asks of the worker; the job's title, put first by ``with_title``, is asked too.
SECTION_LEVELS = {"title": "required", **{k.kind: k.level for k in SECTIONS.kinds if k.level}}
# "Preferred: Epic", "Essential criteria - ...:": an inline label that opens a section.
_LABELS = sorted(((label, k.kind) for k in SECTIONS.kinds for label in k.labels), key=lambda lk: -len(lk[0]))
LABEL_LINE = re.compile(
    r"^\s*(" + "|".join(re.escape(label) for label, _ in _LABELS) + r")\b[^:.]{0,25}:", re.I)
LABEL_KIND = {label: kind for label, kind in _LABELS}


@functools.lru_cache(maxsize=4096)
def classify_heading(text: str) -> str | None:
    """Return the section kind a heading starts, or None for an unrecognised heading."""
    text = text.strip().rstrip(":-\u2013 ").strip()
    if len(text) > 90:
        return None
    return SECTIONS.classify(text)


def is_section_name(line: str) -> bool:
    """A short line that is a section's name, in any case: "Key duties", "You'll need", "Pluses".

    A numbering before the name ("II. Duties And Responsibilities", "3) Skills") is no word of it.
    """
    line = _NUMBERING.sub("", line, count=1)
    return len(line) <= 70 and len(line.split()) <= 10 and SECTIONS.is_name(line)


_NUMBERING = re.compile(r"^\s*(?:[IVX]{1,4}|[ivx]{1,4}|\d{1,2}|[A-H])[.)]\s+")


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_LEAD_IN_WORDS = 14  # a longer sentence ending in a colon is an ask of its own, not a lead-in
_FIELD_LINE = re.compile(r"^\s*([^:\u2013\u2014-]{1,40}?)\s*(?::|\s[\u2013\u2014-])\s*\S")
_RULE_LINE = re.compile(r"^[\s_\-=*~.\u2013\u2014]{5,}$")
# "customer service experience: 2 years (Preferred)": a job board's qualification line.
_QUALIFICATION_LINE = re.compile(r"\((preferred|required)\)\s*$", re.I)


def assign_sections(text: str, blocks: list[Block]) -> None:
    """Tag each block with the section its nearest heading starts."""
    current = "other"
    # A section opened by a lead-in line ("we can offer you a package including:")
    # rather than a heading ends with its list: at the first paragraph after an item.
    lead_in: str | None = None  # the section before the lead-in
    seen_item = False
    for block in blocks:
        line = text[block.start:block.end]
        if block.kind == "heading":
            kind = classify_heading(line)
            lead_in = None
            # "Salary \u2013 \u00a39.21 per hour" is a field of the job, not the start
            # of a benefits section that would swallow the text below it.
            if kind in BOILERPLATE_SECTIONS and _FIELD_LINE.match(line):
                block.section = kind
                continue
            # "Authorization and eligibility:" under "Duties": a heading of no kind of its
            # own heads a part of the section it stands in, which keeps its level.
            if kind is not None or SECTION_LEVELS.get(current) is None:
                current = kind or "other"
            block.section = current
            continue
        if (q := _QUALIFICATION_LINE.search(line)) and len(line) <= 150:
            block.section = "preferred" if q.group(1).lower() == "preferred" else "requirements"
            continue
        if _RULE_LINE.match(line):
            if lead_in is not None:
                current, lead_in = lead_in, None
            block.section = current
            continue
        if lead_in is not None:
            if block.kind == "item":
                seen_item = True
            elif seen_item:
                current, lead_in = lead_in, None
        # "Essential:" / "Preferred:" labels inside a paragraph also open a section.
        m = LABEL_LINE.match(line[:60])
        if m:
            current = LABEL_KIND[m.group(1).lower()]
            lead_in = None
        # "As a bank worker we offer the following benefits:-" leads into a list
        # of the employer's own, as a heading would.
        stripped = line.rstrip(" -\u2013")
        if stripped.endswith(":") and len(stripped) <= 150:
            kind = classify_heading(stripped[-90:])
            if kind in BOILERPLATE_SECTIONS:
                if lead_in is None:
                    lead_in = current
                seen_item = False
                block.section = current = kind
                continue
        # "Prior dental experience is required. Responsibilities will include but are not
        # limited to:", "The Patient Experience Representative (Dentistry Call Center) will be
        # responsible for:": a paragraph's last sentence leads into a list of duties or asks,
        # which it opens as a heading would; the paragraph itself stays where it stands.
        block.section = current
        if stripped.endswith(":") and block.kind != "item":
            last = _SENTENCE_END.split(stripped)[-1]
            kind = classify_heading(last) if len(last.split()) <= _LEAD_IN_WORDS else None
            if kind in SECTION_LEVELS:
                if lead_in is None:
                    lead_in = current
                seen_item = False
                current = kind
