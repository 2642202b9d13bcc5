"""Find the skills a posting asks for, with evidence.

Aliases from the skill-set data are matched on word stems (longest first); the
fitted ``SkillMatcher`` then maps wording the aliases miss. Each mention is
checked in its sentence: negated mentions and mentions in the employer's
boilerplate do not count.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import compress, count
from typing import Any, cast

from models.context import CUE_STEMS, Cues, word_cues
from models.parsing import Document
from models.sections import BOILERPLATE_SECTIONS
from models.skillset import Alias, Skill, SkillSet
from models.text import Sentences, Tokens, find_all, phrase_stems, phrase_words, stem, tokenize

# Between the words of an alias: spaces, hyphens, apostrophes ("patients' records").
_GAP_CHARS = frozenset(" \t-'\u2019\u2010\u2011\u2013")
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_NO_GAPS: frozenset[str] = frozenset()
REQUIREMENT_RANK = {"unspecified": 0, "preferred": 1, "required": 2}
# What a word is to the extractor, one byte a word: an alias or a pattern may start
# at it (bit 0), its stem is a context cue (bit 1), a pattern may start at it (bit 2),
# its kind to the matcher (bits 3-4) and its ``word_cues`` (bits 5-6).
_FIRST, _CUE, _LEADING, _BOILERPLATE, _STATEMENT = 1, 2, 4, 32, 64
_IS_FIRST, _IS_CUE, _IS_LEADING, _IS_BOILERPLATE, _IS_STATEMENT = (
    bytes(int(bool(c & bit)) for c in range(256)) for bit in (_FIRST, _CUE, _LEADING, _BOILERPLATE, _STATEMENT)
)
_MATCHER_KIND = bytes((c >> 3) & 3 for c in range(256))
MAX_EVIDENCE = 5
# An alias's ``near`` word counts within this many characters of it, in its sentence:
# "speak to patients ... and keep accurate records" is not about patient records.
NEAR_CHARS = 50


@dataclass(frozen=True)
class _Entry:
    skill: Skill
    alias: Alias
    words: tuple[str, ...]
    near_re: re.Pattern[str] | None
    context_re: re.Pattern[str] | None
    extra: bool
    gaps: frozenset[str] = frozenset()  # what may stand between the alias's words
    unless_re: re.Pattern[str] | None = None


@dataclass
class Mention:
    skill: Skill
    extra: bool
    start: int
    end: int
    via: str  # "alias", "pattern" or "matcher"
    asked: bool = False  # counts only where the sentence asks it of the worker


@dataclass
class Candidate:
    """A mention in its context: where it stands and what the hand rules make of it."""

    mention: Mention
    section: str  # of the block it stands in
    sentence: tuple[int, int]  # the span of its sentence
    level: str  # the sentence's requirement level: "required", "preferred" or "unspecified"
    rejected: str = ""  # why the hand rules do not count it ("section", "negated", ...), or ""


class Extractor:
    """Alias index of a skill set and the extras catalogue, plus an optional matcher."""

    def __init__(self, skillset: SkillSet, extras: SkillSet, matcher: Any = None) -> None:
        self.skillset = skillset
        self.matcher = matcher
        self.index: dict[tuple[str, ...], list[_Entry]] = {}
        # Phrases that look like an alias but are not, per skill they block.
        self.blockers: dict[tuple[str, ...], set[str]] = {}
        self.patterns: list[tuple[re.Pattern[str], _Entry, frozenset[str], str]] = []
        self.leading: set[str] = set()  # every word a pattern can start with
        own = {s.id for s in skillset.skills}
        self.skills = {s.id: s for s in skillset.skills}
        for group, is_extra in ((skillset.skills, False), (extras.skills, True)):
            for skill in group:
                if is_extra and skill.id in own:
                    continue
                self.skills.setdefault(skill.id, skill)
                for alias in skill.aliases:
                    self._add(skill, alias, is_extra)
                for phrase in skill.not_aliases:
                    key = phrase_stems(phrase)
                    if key:
                        self.blockers.setdefault(key, set()).add(skill.id)
        self.own_ids = frozenset(own)
        self.order = {s.id: i for i, s in enumerate(skillset.skills)}  # how skills are listed
        self.alias_table = _PhraseTable(self.index)
        self.first_words = frozenset(self.alias_table.lengths) | self.leading  # where an alias or pattern may start
        self.codes: dict[str, int] = {}  # word -> its code (see _FIRST), filled as postings come
        # The patterns tried in every posting, and those tried only where a word they start with stands.
        self.unled = [k for k, (_, _, leading, _) in enumerate(self.patterns) if not leading]
        self.led_by: dict[str, list[int]] = {}
        for k, (_, _, leading, _) in enumerate(self.patterns):
            for word in leading:
                self.led_by.setdefault(word, []).append(k)
        self.blocker_table = _PhraseTable(self.blockers)
        # skill id -> every word of the phrases that block it
        self.blocker_words: dict[str, frozenset[str]] = {}
        for key, ids in self.blockers.items():
            for sid in ids:
                self.blocker_words[sid] = self.blocker_words.get(sid, frozenset()) | frozenset(key)

    def _add(self, skill: Skill, alias: Alias, extra: bool) -> None:
        near_re = _words_re(alias.near)
        context_re = _words_re(alias.context)
        if alias.pattern:
            flags = 0 if alias.case else re.I
            entry = _Entry(skill, alias, (), near_re, context_re, extra)
            leading = _leading_words(alias.phrase)
            self.leading |= leading
            head = _literal_head(alias.phrase) if alias.case else ""
            self.patterns.append((re.compile(alias.phrase, flags), entry, leading, head))
            return
        key = phrase_stems(alias.phrase)
        if not key:
            return
        gaps = _GAP_CHARS | set(re.sub(r"[A-Za-z0-9]", "", alias.phrase))
        entry = _Entry(skill, alias, phrase_words(alias.phrase), near_re, context_re, extra, frozenset(gaps),
                       _words_re(alias.unless))
        entries = self.index.setdefault(key, [])
        # "patient's experience" and "patient experience" are one entry.
        if alias.case or not any(_same_rule(entry, other) for other in entries):
            entries.append(entry)

    # -- finding mentions ---------------------------------------------------------

    def word_codes(self, toks: Tokens) -> bytes:
        """Each word's code, one byte a word: one look-up a word for what five passes over the words found."""
        try:
            return bytes(map(self.codes.__getitem__, toks.words))  # every word seen before: the usual case
        except KeyError:
            codes = list(map(self.codes.get, toks.words))
        for i in [i for i, c in enumerate(codes) if c is None]:
            word, s = toks.words[i], toks.stems[i]
            codes[i] = code = (
                (_FIRST if s in self.first_words else 0) | (_CUE if s in CUE_STEMS else 0)
                | (_LEADING if s in self.leading else 0)
                | (self.matcher.kind(word, s) << 3 if self.matcher is not None else 0)
                | word_cues(word) << 5
            )
            if len(self.codes) < 500_000:
                self.codes[word] = code
        return bytes(cast("list[int]", codes))  # every None was filled in above

    def mentions(self, doc: Document) -> tuple[list[Mention], Sentences, Tokens, bytes]:
        """Every alias and matcher mention in a document, before context checks.

        Also returns the document's sentences, words and word codes, for the checks.
        """
        text = doc.text
        toks = tokenize(text)
        codes = self.word_codes(toks)
        stems, words, starts = toks.stems, toks.words, toks.starts
        sentences = Sentences(text, [(b.start, b.end) for b in doc.blocks])
        n = len(stems)
        blocked = _BlockedAt(self.blocker_table, self.blocker_words, stems)
        found: list[Mention] = []
        covered = bytearray(n)
        aliases = self.alias_table
        in_text: dict[re.Pattern[str], bool] = {}  # context expression -> found in the posting
        # One pass over the words finds where an alias or a pattern may start.
        marked = list(compress(count(), codes.translate(_IS_FIRST)))
        for i in aliases.starts(stems, marked):
            for length, entries in aliases.at(stems, i):
                last = i + length - 1
                start, end = starts[i], starts[last] + len(words[last])
                # Words of an alias must sit in one sentence (one word always does:
                # sentences end at spaces).
                span = sentences.span_at(start) if length > 1 else None
                if span and end > span[1]:
                    continue
                # What stands between the words: the span's characters but letters and digits
                # (which gaps never hold; an apostrophe inside a word is a gap character anyway).
                gaps = set(text[start + len(words[i]):starts[last]]) - _ALNUM if length > 1 else _NO_GAPS
                hit = False
                for entry in entries:
                    # "patient, focused" is not "patient-focused": no commas
                    # or other stops between an alias's words.
                    if not gaps <= entry.gaps:
                        continue
                    if blocked.covers(i, i + length - 1, entry.skill.id):
                        continue
                    if entry.context_re:
                        if entry.context_re not in in_text:
                            in_text[entry.context_re] = entry.context_re.search(text) is not None
                        if not in_text[entry.context_re]:
                            continue
                    if entry.alias.case and (
                        tuple(words[i:i + length]) != entry.words
                        # An acronym glued to letters or digits ("3CMA05") is not the acronym.
                        or (start and text[start - 1].isalnum())
                        or (end < len(text) and text[end].isalnum())
                    ):
                        continue
                    if entry.near_re or entry.unless_re:
                        s_start, s_end = span = span or sentences.span_at(start)
                        if entry.near_re and not entry.near_re.search(
                                text, max(s_start, start - NEAR_CHARS), min(s_end, end + NEAR_CHARS)):
                            continue
                        if entry.unless_re and entry.unless_re.search(text, s_start, s_end):
                            continue
                    found.append(Mention(entry.skill, entry.extra, start, end, "alias", entry.alias.asked))
                    hit = True
                if hit:
                    for j in range(i, i + length):
                        covered[j] = 1
                    break
        found.extend(self._pattern_mentions(text, stems, starts, compress(count(), codes.translate(_IS_LEADING))))
        found = _drop_nested(found)
        if self.matcher is not None:
            found.extend(self._matcher_mentions(text, toks, covered, sentences, blocked, codes))
        return found, sentences, toks, codes

    def _pattern_mentions(
        self, text: str, stems: list[str], starts: list[int], leading_words: Iterable[int]
    ) -> Iterator[Mention]:
        """Mentions found by regular-expression aliases.

        A pattern that must start with one of a few words is tried only where
        they stand (``leading_words``: the indices of such words), a
        case-sensitive one that starts with some letters only where they are,
        and one that ``needs`` some text only where that text is: most patterns
        then never scan the posting at all.
        """
        leading_at: dict[str, list[int]] = {}
        for i in leading_words:
            leading_at.setdefault(stems[i], []).append(i)
        todo = set(self.unled)
        for word in leading_at:
            todo.update(self.led_by[word])
        low = ""
        for k in sorted(todo):
            pattern, entry, leading, head = self.patterns[k]
            needs = entry.alias.needs
            if needs:
                low = low or text.lower()
                if not any(n in low for n in needs):
                    continue
            if leading:
                at = sorted(starts[i] for word in leading for i in leading_at.get(word, ()))
            elif head:
                at = find_all(text, head)
            if (leading or head) and not at:
                continue
            if entry.context_re and not entry.context_re.search(text):
                continue
            if not (leading or head):
                for m in pattern.finditer(text):
                    yield Mention(entry.skill, entry.extra, m.start(), m.end(), "pattern", entry.alias.asked)
                continue
            # As finditer would: the next match starts after the last one ends.
            end = -1
            for start in at:
                if start >= end and (found := pattern.match(text, start)):
                    end = max(found.end(), start + 1)
                    yield Mention(entry.skill, entry.extra, found.start(), found.end(), "pattern", entry.alias.asked)

    def _matcher_mentions(
        self, text: str, toks: Tokens, covered: bytearray, sentences: Sentences, blocked: _BlockedAt,
        codes: bytes,
    ) -> list[Mention]:
        candidates = self.matcher.candidates(toks, covered, text, codes.translate(_MATCHER_KIND))
        if not candidates:
            return []
        matches = self.matcher.match([c[0] for c in candidates])
        out = []
        for (_phrase, start, end), j in zip(candidates, matches, strict=True):
            if j is None:
                continue
            label = self.matcher.labels_[j]
            # The words from the one at start to the one that ends at end.
            if blocked.covers(bisect_left(toks.starts, start), bisect_left(toks.starts, end) - 1, label):
                continue
            s_start, s_end = sentences.span_at(start)
            if end > s_end:
                continue
            near, context, asked, unless = self.matcher.alias_context_[j]
            near_re, unless_re, context_re = _words_re(near), _words_re(unless), _words_re(context)
            if near_re and not near_re.search(text, max(s_start, start - NEAR_CHARS), min(s_end, end + NEAR_CHARS)):
                continue
            if unless_re and unless_re.search(text, s_start, s_end):
                continue
            if context_re and not context_re.search(text):
                continue
            skill = self.skills.get(label)
            if skill is not None:
                out.append(Mention(skill, skill.id not in self.own_ids, start, end, "matcher", asked))
        return out

    # -- deciding what counts -------------------------------------------------------

    def extract(self, doc: Document) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Return (skills of the skill set, extras) the posting asks for, with evidence.

        The hand rules' verdict: every candidate that no context check rejects.
        """
        return self.collect(doc.text, [c for c in self.candidates(doc) if not c.rejected])

    def candidates(self, doc: Document) -> list[Candidate]:
        """Every mention of a posting, in text order, with what the context checks found.

        Takes a parsed document; gives one ``Candidate`` a mention: its section,
        its sentence's requirement level, and why the hand rules reject it
        (``rejected``, empty when they accept it). Nothing is dropped here.
        """
        mentions, sentences, toks, codes = self.mentions(doc)
        blocks = doc.blocks
        block_starts = [b.start for b in blocks]
        text = doc.text
        out: list[Candidate] = []
        # Sentence-level verdicts are computed once per sentence, not per mention.
        sentence_info: dict[int, tuple[bool, list[tuple[int, str]], list[tuple[int, int]]]] = {}
        statement_at: dict[int, int] = {}  # block -> where its EEO/privacy statement starts
        cues = Cues(text, toks, doc.title, (
            compress(count(), codes.translate(_IS_CUE)),
            compress(count(), codes.translate(_IS_BOILERPLATE)),
            compress(count(), codes.translate(_IS_STATEMENT)),
        ))
        for mention in sorted(mentions, key=lambda m: m.start):
            bi = bisect_right(block_starts, mention.start) - 1
            section = blocks[bi].section if bi >= 0 else "other"
            s_start, s_end = sentences.span_at(mention.start)
            info = sentence_info.get(s_start)
            if info is None:
                level = cues.requirement(s_start, s_end, section, bi >= 0 and blocks[bi].kind == "item"
                                         and s_start == blocks[bi].start)
                info = sentence_info[s_start] = (
                    cues.boilerplate_in(s_start, s_end), cues.clause_levels(s_start, s_end, level, section),
                    cues.negated_clauses(s_start, s_end),
                )
            level = next(lv for a, lv in reversed(info[1]) if a <= mention.start)  # its clause's
            candidate = Candidate(mention, section, (s_start, s_end), level)
            out.append(candidate)
            if section in BOILERPLATE_SECTIONS:
                candidate.rejected = "section"
                continue
            if bi >= 0:
                if bi not in statement_at:
                    block = blocks[bi]
                    statement_at[bi] = len(text) + 1
                    # Most blocks hold no statement cue at all: one search of the block
                    # then spares a search per sentence.
                    if cues.statement_cue_in(block.start, block.end):
                        statement_at[bi] = next(
                            (a for a, b in sentences.within(block.start, block.end) if cues.statement_in(a, b)),
                            len(text) + 1,
                        )
                if s_start >= statement_at[bi]:
                    candidate.rejected = "statement"
                    continue
            if info[0]:
                candidate.rejected = "boilerplate"
                continue
            rel_start, rel_end = mention.start - s_start, mention.end - s_start
            if any(a <= rel_start and rel_end <= b for a, b in info[2]):
                candidate.rejected = "negated"
                continue
            if mention.asked and level == "unspecified":
                candidate.rejected = "not asked"
        return out

    def collect(
        self, text: str, accepted: Iterable[Candidate], confidence: dict[str, float] | None = None
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Return (skills of the skill set, extras) of the accepted candidates, with evidence.

        ``confidence`` (skill id -> probability), when given, goes into each skill's record.
        """
        by_skill: dict[str, dict[str, Any]] = {}
        for candidate in accepted:
            mention, level = candidate.mention, candidate.level
            skill = mention.skill
            item = by_skill.get(skill.id)
            if item is None:
                item = by_skill[skill.id] = {
                    "id": skill.id,
                    "name": skill.name,
                    "category": skill.category,
                    "tier": skill.tier,
                    "requirement": level,
                    "evidence": [],
                    "_extra": mention.extra,
                }
                if confidence is not None and skill.id in confidence:
                    item["confidence"] = round(confidence[skill.id], 3)
            elif REQUIREMENT_RANK[level] > REQUIREMENT_RANK[item["requirement"]]:
                item["requirement"] = level
            _add_evidence(item["evidence"], text, mention.start, mention.end)
        order = self.order
        skills: list[dict[str, Any]] = []
        extras: list[dict[str, Any]] = []
        for item in by_skill.values():
            is_extra = item.pop("_extra")
            (extras if is_extra else skills).append(item)
        skills.sort(key=lambda s: order.get(s["id"], 1_000))
        extras.sort(key=lambda s: s["name"].lower())
        return skills, extras


def _add_evidence(evidence: list[dict[str, Any]], text: str, start: int, end: int) -> None:
    """Add a span to a skill's evidence, joined to one it overlaps or touches.

    "knowledge of medical" and "terminology" are one piece of evidence, not two
    chips; only spaces and hyphens may stand between the spans joined.
    """
    for e in evidence:
        a, b = (e["end"], start) if e["end"] <= start else (end, e["start"]) if end <= e["start"] else (0, 0)
        if not set(text[a:b]) <= _JOINING:
            continue
        e["start"], e["end"] = min(e["start"], start), max(e["end"], end)
        e["text"] = text[e["start"]:e["end"]]
        return
    if len(evidence) < MAX_EVIDENCE:
        evidence.append({"text": text[start:end], "start": start, "end": end})


_JOINING = frozenset(" -\u2010\u2011")


class _PhraseTable:
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


class _BlockedAt:
    """The not-alias phrases of one posting, looked up only around mentions that need checking."""

    def __init__(self, table: _PhraseTable, words: dict[str, frozenset[str]], stems: list[str]) -> None:
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


def _same_rule(a: _Entry, b: _Entry) -> bool:
    """Does case-blind entry ``b`` count exactly where ``a`` would?"""
    def rule(e: _Entry) -> tuple[Any, ...]:
        return e.skill.id, e.extra, e.near_re, e.context_re, e.gaps, e.alias.asked, e.unless_re

    return not b.alias.case and rule(a) == rule(b)


# A look-behind at the very start ("(?<!track )\\benter...") does not move where a match starts.
_LEADING_LOOKBEHIND = re.compile(r"^\(\?<[!=](?:\\.|[^()\\])*\)")


def _leading_words(pattern: str) -> frozenset[str]:
    """Stems of the words a pattern must start with (``\\b(?:input|enter)...``, ``\\bskills?``), if plain words."""
    pattern = _LEADING_LOOKBEHIND.sub("", pattern)
    # Not where a group of letters follows ("document(?:s|ing)"): the words it ends
    # ("documenting") are not the words the pattern starts with, nor have their stems.
    m = re.match(r"^\\b(?:\(\?:([A-Za-z|]+)\)|([A-Za-z]{3,})(s\?)?)(?![A-Za-z?*+{]|\(\?:[A-Za-z|]+\))", pattern)
    if not m or _has_top_level_branch(pattern):
        return frozenset()
    words = (m.group(1) or m.group(2)).split("|")
    if m.group(3):  # "skills?": "skill" or "skills"
        words.append(words[0] + "s")
    return frozenset(map(stem, words))


def _literal_head(pattern: str) -> str:
    """The letters a pattern must start with after ``\\b`` (``\\bA\\s?&...``: "A"), or ""."""
    pattern = _LEADING_LOOKBEHIND.sub("", pattern)
    m = re.match(r"^\\b([A-Za-z]+)(?![?*+{])", pattern)
    if not m or _has_top_level_branch(pattern):
        return ""
    return m.group(1)


def _has_top_level_branch(pattern: str) -> bool:
    """Might ``|`` split the whole pattern? Then it need not start as it seems to."""
    plain = re.sub(r"\\.|\[(?:\\.|[^\]])*\]", "", pattern)  # no escapes or character classes
    depth = 0
    for c in plain:
        depth += (c == "(") - (c == ")")
        if c == "|" and depth <= 0:
            return True
    return False


@functools.lru_cache(maxsize=1024)
def _words_re(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")", re.I)


def _drop_nested(found: list[Mention]) -> list[Mention]:
    """Drop a mention that lies inside a longer alias mention of another skill.

    "electronic patient record" is EHR, not also a plain patient record.
    """
    if len(found) < 2:
        return found
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    keep: list[Mention] = []
    spans: list[tuple[int, int, str]] = []
    reach = -1  # where the spans end, at the furthest
    for m in found:
        if reach <= m.start:
            spans.clear()  # all end before this mention and every later one: none can hold them
        elif any(
            s <= m.start and m.end <= e and (e - s) > (m.end - m.start) and sid != m.skill.id
            for s, e, sid in spans
        ):
            continue
        keep.append(m)
        # A pattern can span a whole clause ("input ... onto the clinical
        # system"); the names inside it still count for their own skills.
        if m.via != "pattern":
            spans.append((m.start, m.end, m.skill.id))
            reach = max(reach, m.end)
    return keep
