"""Decide which mentions of a posting count: the hand rules' verdict, and the record.

Each mention (``models.mentions``) is checked in its sentence: mentions in the
employer's boilerplate, negated ones, those in another trade's posting
(``models.trades``) and those only the employer speaks of do not count. The
section and the sentence give each its requirement level.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from models.context import Cues
from models.duties import starts_with_duty
from models.evidence import REQUIREMENT_RANK, add_evidence
from models.mentions import Mention, MentionFinder, where
from models.parsing import Document
from models.phrases import BlockedAt
from models.sections import BOILERPLATE_SECTIONS
from models.sentence_skills import SentenceSkills, posting_sentences, read
from models.skillset import SkillSet
from models.text import Sentences, Tokens
from models.trades import load_trades


@dataclass
class Candidate:
    """A mention in its context: where it stands and what the hand rules make of it."""

    mention: Mention
    section: str  # of the block it stands in
    sentence: tuple[int, int]  # the span of its sentence
    level: str  # the sentence's requirement level: "required", "preferred" or "unspecified"
    rejected: str = ""  # why the hand rules do not count it ("section", "negated", ...), or ""


def own_duty(text: str, mention: Mention, start: int, end: int) -> bool:
    """Does the sentence at [start, end) open with a duty whose object the mention is?

    "Checks patients into the clinic", "Makes dental appointments", "Receives and schedules
    patients": the duty's verb first, the mention within its next few words. The mention may
    also be the next of duties joined to the first: "Answering phones and scheduling appointments".
    """
    before = text[start:mention.start].split()
    if len(before) > 2:
        joined = before[-1].lower() in ("and", "or", "&") or before[-1].endswith(",")
        if not (joined and starts_with_duty(text, mention.start, end, True)):
            return False
    return starts_with_duty(text, start, end, True)


def reject_alone(candidates: list[Candidate], text: str) -> None:
    """Reject the skills that only loose wordings make (``Alias.alone = False``).

    A skill counts when one accepted mention of it may stand alone, or when two
    different loose wordings of it agree ("denials" and "reimbursement").
    """
    accepted = [c for c in candidates if not c.rejected]
    standing = {c.mention.skill.id for c in accepted if c.mention.alone}
    loose: dict[str, set[str]] = {}
    for c in accepted:
        if not c.mention.alone:
            loose.setdefault(c.mention.skill.id, set()).add(text[c.mention.start:c.mention.end].lower().rstrip("s"))
    for c in accepted:
        if c.mention.skill.id not in standing and len(loose[c.mention.skill.id]) < 2:
            c.rejected = "alone"


class Extractor(MentionFinder):
    """Finds a posting's mentions of skills and decides which count."""

    def __init__(self, skillset: SkillSet, extras: SkillSet, matcher: Any = None,
                 sentence_model: SentenceSkills | None = None, thresholds: Mapping[str, float] | None = None) -> None:
        super().__init__(skillset, extras, matcher)
        self.medical = frozenset(sid for sid, s in self.skills.items() if s.medical)
        self.trades = load_trades()
        # The sentence model (models/sentence_skills.py), its column of each skill of this
        # skill set, and the probability at which it adds a skill (``add``).
        self.sentence_model = sentence_model
        self.columns = {} if sentence_model is None else {
            sid: j for j, sid in enumerate(sentence_model.skills_) if sid in self.skills}
        self.thresholds = dict(thresholds or {})

    # -- deciding what counts -------------------------------------------------------

    def candidates(self, doc: Document) -> list[Candidate]:
        """Every mention of a posting, in text order, with what the context checks found.

        Takes a parsed document; gives one ``Candidate`` a mention: its section,
        its sentence's requirement level, and why the hand rules reject it
        (``rejected``, empty when they accept it). Nothing is dropped here.
        """
        mentions, sentences, toks, facts = self.mentions(doc)
        blocks = doc.blocks
        block_starts = [b.start for b in blocks]
        text = doc.text
        out: list[Candidate] = []
        # Sentence-level verdicts are computed once per sentence, not per mention.
        sentence_info: dict[int, tuple[bool, list[tuple[int, str]], list[tuple[int, int]]]] = {}
        statement_at: dict[int, int] = {}  # block -> where its EEO/privacy statement starts
        # For its trade, and for its title's role unless the worker's own duty names it.
        excluded, by_role = self.trades.excluded_parts(toks, blocks, doc.title, self.medical)
        cues = Cues(text, toks, doc.title,
                    (where(facts, "negation"), where(facts, "preferred"), where(facts, "boilerplate"),
                     where(facts, "statement")))
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
            if mention.skill.id in excluded or (  # a hotel's front desk, a bank's billing, a poster's co-pays
                    mention.skill.id in by_role and not own_duty(text, mention, s_start, s_end)):
                candidate.rejected = "trade"
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
        reject_alone(out, text)
        if self.columns:
            out.extend(self.judge_by_sentences(doc, out, sentences, toks, cues, excluded | by_role))
            out.sort(key=lambda c: c.mention.start)
        return out

    def judge_by_sentences(self, doc: Document, candidates: list[Candidate], sentences: Sentences,
                           toks: Tokens, cues: Cues, barred: Iterable[str]) -> list[Candidate]:
        """The candidates the sentence model adds to the rules' verdict.

        A skill the aliases did not find is added when one of the posting's sentences
        reaches the ``add`` probability for it: that sentence is its evidence.
        Where the hand rules have spoken, they win: no skill is added from a sentence
        in which they rejected a mention of it or that holds one of its not-aliases,
        nor from boilerplate, a negated sentence, the employer's statement, or for
        another trade's skill (``barred``).
        """
        spans = posting_sentences(doc, sentences)
        if not spans:
            return []
        probabilities = self.sentence_model.predict_proba(read(doc, spans))  # type: ignore[union-attr]
        best, top = probabilities.argmax(axis=0), probabilities.max(axis=0)
        found = {c.mention.skill.id for c in candidates if not c.rejected}
        added = []
        barred = set(barred)
        blocked: BlockedAt | None = None
        for sid, column in self.columns.items():
            if sid in found or sid in barred or top[column] < self.thresholds["add"]:
                continue
            start, end, block = spans[best[column]]
            if cues.boilerplate_in(start, end) or cues.statement_in(start, end) or cues.negated_clauses(start, end):
                continue
            if any(c.mention.skill.id == sid and start <= c.mention.start < end for c in candidates):
                continue  # the rules read this sentence's wording of the skill and rejected it
            if blocked is None:
                blocked = BlockedAt(self.blocker_table, self.blocker_words, toks.stems)
            first, last = bisect_left(toks.starts, start), bisect_left(toks.starts, end)
            if any(blocked.covers(i, i, sid) for i in range(first, last)):
                continue  # one of its not-aliases: "patient account records" is not medical records
            level = cues.requirement(start, end, block.section, block.kind == "item" and start == block.start)
            added.append(Candidate(Mention(self.skills[sid], False, start, end, "model"),
                                   block.section, (start, end), level))
        return added

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
            add_evidence(item["evidence"], text, mention.start, mention.end)
        order = self.order
        skills: list[dict[str, Any]] = []
        extras: list[dict[str, Any]] = []
        for item in by_skill.values():
            is_extra = item.pop("_extra")
            (extras if is_extra else skills).append(item)
        skills.sort(key=lambda s: order.get(s["id"], 1_000))
        extras.sort(key=lambda s: s["name"].lower())
        return skills, extras
