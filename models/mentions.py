"""Find where a posting mentions a skill: aliases, patterns and the matcher.

Aliases from the skill-set data are matched on word stems (longest first); the
fitted ``SkillMatcher`` then maps wording the aliases miss. What counts of the
mentions is decided in ``models.extraction``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import compress, count
from operator import attrgetter
from typing import Any, NamedTuple

from models.context import BOILERPLATE_CUE, NEGATION_WORDS, PREFERRED_CUE, STATEMENT_CUE, word_cues
from models.parsing import Document
from models.phrases import BlockedAt, Literals, PhraseTable, leading_words, literals, words_re
from models.skillset import Alias, Skill, SkillSet
from models.text import Sentences, Tokens, find_all, phrase_stems, phrase_words, tokenize

# Between the words of an alias: spaces, hyphens, apostrophes ("patients' records").
_GAP_CHARS = frozenset(" \t-'\u2019\u2010\u2011\u2013")
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_NO_GAPS: frozenset[str] = frozenset()
# Characters outside ASCII that an expression ignoring case takes for an ASCII letter: the
# dotless "ı" is "I" to it, but a posting's lower-cased text keeps "ı". Where they stand the
# literals of case-blind patterns are not looked for in the lower-cased text.
_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")
_ASCII_LETTER = re.compile("[a-z]", re.I)
# An alias's ``near`` word counts within this many characters of it, in its sentence:
# "speak to patients ... and keep accurate records" is not about patient records.
NEAR_CHARS = 50


def stands_near(pattern: re.Pattern[str], text: str, start: int, end: int, s_start: int, s_end: int) -> bool:
    """Whether a near word stands beside the mention at ``start:end``, in its sentence: outside
    the mention, so that "Patient Accounts" is not near "patient" by its own first word."""
    return bool(pattern.search(text, max(s_start, start - NEAR_CHARS), start)
                or pattern.search(text, end, min(s_end, end + NEAR_CHARS)))


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
    alone: bool = True  # makes the skill without another of its wordings (``Alias.alone``)


class WordFacts(NamedTuple):
    """What a word is to the extractor, worked out once per distinct word."""

    first: bool  # an alias or a pattern may start at it
    leading: bool  # a pattern may start at it
    negation: bool  # it is a negation ("no", "not": ``context.NEGATION_WORDS``)
    preferred: bool  # it may hold a preference cue word (``context.word_cues``)
    boilerplate: bool  # it may hold a boilerplate cue word
    statement: bool  # it may hold a statement cue word
    kind: int  # what it is to the matcher (``SkillMatcher.kind``)


def where(facts: list[WordFacts], fact: str) -> list[int]:
    """The indices of the words of which ``fact`` (a ``WordFacts`` field name) holds."""
    return list(compress(count(), map(attrgetter(fact), facts)))


class MentionFinder:
    """Alias index of a skill set and the extras catalogue, plus an optional matcher."""

    def __init__(self, skillset: SkillSet, extras: SkillSet, matcher: Any = None) -> None:
        self.skillset = skillset
        self.matcher = matcher
        self.index: dict[tuple[str, ...], list[_Entry]] = {}
        # Phrases that look like an alias but are not, per skill they block.
        self.blockers: dict[tuple[str, ...], set[str]] = {}
        self.patterns: list[tuple[re.Pattern[str], _Entry, frozenset[str], Literals]] = []
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
        self.alias_table = PhraseTable(self.index)
        self.first_words = frozenset(self.alias_table.lengths) | self.leading  # where an alias or pattern may start
        self.facts: dict[str, WordFacts] = {}  # word -> its facts, filled as postings come
        # The patterns tried in every posting, and those tried only where a word they start with stands.
        self.unled = [k for k, (_, _, leading, _) in enumerate(self.patterns) if not leading]
        self.led_by: dict[str, list[int]] = {}
        for k, (_, _, leading, _) in enumerate(self.patterns):
            for word in leading:
                self.led_by.setdefault(word, []).append(k)
        # Which patterns ignore case, asked once: ``pattern.flags & re.I`` goes through the
        # flag enum's own ``&``, which costs more than the rest of a skipped pattern's checks.
        self.case_blind = [bool(pattern.flags & re.I) for pattern, _, _, _ in self.patterns]
        self.blocker_table = PhraseTable(self.blockers)
        # skill id -> every word of the phrases that block it
        self.blocker_words: dict[str, frozenset[str]] = {}
        for key, ids in self.blockers.items():
            for sid in ids:
                self.blocker_words[sid] = self.blocker_words.get(sid, frozenset()) | frozenset(key)

    def _add(self, skill: Skill, alias: Alias, extra: bool) -> None:
        near_re = words_re(alias.near)
        context_re = words_re(alias.context)
        if alias.pattern:
            flags = 0 if alias.case else re.I
            entry = _Entry(skill, alias, (), near_re, context_re, extra)
            leading = leading_words(alias.phrase)
            self.leading |= leading
            pattern = re.compile(alias.phrase, flags)
            self.patterns.append((pattern, entry, leading, literals(pattern)))
            return
        key = phrase_stems(alias.phrase)
        if not key:
            return
        gaps = _GAP_CHARS | set(re.sub(r"[A-Za-z0-9]", "", alias.phrase))
        entry = _Entry(skill, alias, phrase_words(alias.phrase), near_re, context_re, extra, frozenset(gaps),
                       words_re(alias.unless))
        entries = self.index.setdefault(key, [])
        # "patient's experience" and "patient experience" are one entry.
        if alias.case or not any(_same_rule(entry, other) for other in entries):
            entries.append(entry)

    # -- finding mentions ---------------------------------------------------------

    def word_facts(self, toks: Tokens) -> list[WordFacts]:
        """The facts of each word of a posting; a word seen before is one look-up."""
        facts = self.facts
        try:
            return list(map(facts.__getitem__, toks.words))  # every word seen before: the usual case
        except KeyError:
            pass
        out = []
        for word, s in zip(toks.words, toks.stems, strict=True):
            f = facts.get(word)
            if f is None:
                cues = word_cues(word)
                f = WordFacts(
                    first=s in self.first_words, leading=s in self.leading, negation=s in NEGATION_WORDS,
                    preferred=bool(cues & PREFERRED_CUE), boilerplate=bool(cues & BOILERPLATE_CUE),
                    statement=bool(cues & STATEMENT_CUE),
                    kind=self.matcher.kind(word, s) if self.matcher is not None else 0,
                )
                if len(facts) < 500_000:
                    facts[word] = f
            out.append(f)
        return out

    def mentions(self, doc: Document) -> tuple[list[Mention], Sentences, Tokens, list[WordFacts]]:
        """Every alias and matcher mention in a document, before context checks.

        Also returns the document's sentences, words and word facts, for the checks.
        """
        text = doc.text
        toks = tokenize(text)
        facts = self.word_facts(toks)
        stems, words, starts = toks.stems, toks.words, toks.starts
        sentences = Sentences(text, [(b.start, b.end) for b in doc.blocks])
        n = len(stems)
        blocked = BlockedAt(self.blocker_table, self.blocker_words, stems)
        found: list[Mention] = []
        covered = bytearray(n)
        aliases = self.alias_table
        in_text: dict[re.Pattern[str], bool] = {}  # context expression -> found in the posting
        # One pass over the words finds where an alias or a pattern may start.
        marked = where(facts, "first")
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
                        if entry.near_re and not stands_near(entry.near_re, text, start, end, s_start, s_end):
                            continue
                        if entry.unless_re and entry.unless_re.search(text, s_start, s_end):
                            continue
                    found.append(Mention(entry.skill, entry.extra, start, end, "alias", entry.alias.asked,
                                         entry.alias.alone))
                    hit = True
                if hit:
                    for j in range(i, i + length):
                        covered[j] = 1
                    break
        found.extend(self._pattern_mentions(text, stems, starts, where(facts, "leading")))
        found = _drop_nested(found)
        if self.matcher is not None:
            found.extend(self._matcher_mentions(text, toks, covered, sentences, blocked, facts))
        return found, sentences, toks, facts

    def _pattern_mentions(
        self, text: str, stems: list[str], starts: list[int], leading_words: Iterable[int]
    ) -> Iterator[Mention]:
        """Mentions found by regular-expression aliases.

        A pattern that must start with one of a few words is tried only where
        they stand (``leading_words``: the indices of such words), one whose
        every match starts with some text (``Literals.starts``) only where that
        text is; one whose every match holds some text (``Literals.within``) or
        that ``needs`` some text is skipped where none of it stands: most
        patterns never scan the posting at all.
        """
        leading_at: dict[str, list[int]] = {}
        for i in leading_words:
            leading_at.setdefault(stems[i], []).append(i)
        todo = set(self.unled)
        for word in leading_at:
            todo.update(self.led_by[word])
        low = text.lower()
        # Can the lower-cased text stand for the text in case-blind tests, offsets and all?
        plain = len(low) == len(text) and (text.isascii() or not _ASCII_LETTER.search(_ASCII_RUNS.sub("", text)))
        for k in sorted(todo):
            pattern, entry, leading, (within, heads, _) = self.patterns[k]
            if self.case_blind[k]:
                seen = low
                if not plain:
                    within = heads = None
            else:
                seen = text
            if within and not any(map(seen.__contains__, within)):
                continue
            needs = entry.alias.needs
            if needs and not any(n in low for n in needs):
                continue
            if leading:
                at = sorted(starts[i] for word in leading for i in leading_at.get(word, ()))
            elif heads:
                at = sorted({i for s in heads for i in find_all(seen, s)})
            if (leading or heads) and not at:
                continue
            if entry.context_re and not entry.context_re.search(text):
                continue
            if not (leading or heads):
                for m in pattern.finditer(text):
                    yield Mention(entry.skill, entry.extra, m.start(), m.end(), "pattern", entry.alias.asked,
                                  entry.alias.alone)
                continue
            # As finditer would: the next match starts after the last one ends.
            end = -1
            for start in at:
                if start >= end and (found := pattern.match(text, start)):
                    end = max(found.end(), start + 1)
                    yield Mention(entry.skill, entry.extra, found.start(), found.end(), "pattern",
                                  entry.alias.asked, entry.alias.alone)

    def _matcher_mentions(
        self, text: str, toks: Tokens, covered: bytearray, sentences: Sentences, blocked: BlockedAt,
        facts: list[WordFacts],
    ) -> list[Mention]:
        candidates = self.matcher.candidates(toks, covered, text, [f.kind for f in facts])
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
            near, context, asked, unless, alone = self.matcher.alias_context_[j]
            near_re, unless_re, context_re = words_re(near), words_re(unless), words_re(context)
            if near_re and not stands_near(near_re, text, start, end, s_start, s_end):
                continue
            if unless_re and unless_re.search(text, s_start, s_end):
                continue
            if context_re and not context_re.search(text):
                continue
            skill = self.skills.get(label)
            if skill is not None:
                out.append(Mention(skill, skill.id not in self.own_ids, start, end, "matcher", asked, alone))
        return out


def _same_rule(a: _Entry, b: _Entry) -> bool:
    """Does case-blind entry ``b`` count exactly where ``a`` would?"""
    def rule(e: _Entry) -> tuple[Any, ...]:
        return e.skill.id, e.extra, e.near_re, e.context_re, e.gaps, e.alias.asked, e.unless_re

    return not b.alias.case and rule(a) == rule(b)


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
