"""Analyze one posting: parse, extract skills, score against a skill set and the market.

``Analyzer.for_skillset(...)`` is the entry point for the CLI, the workers and
the web app alike. It is built once per process and skill set (the matcher is
fitted then, and so are the occupation fit and the reference market of
``models/market.py``), and ``analyze`` is a pure function of the posting after that.
"""

from __future__ import annotations

import functools
from typing import Any

from models.extraction import Extractor
from models.inputs import check_text
from models.locale import detect_locale
from models.market import market_for
from models.matcher import SkillMatcher
from models.parsing import parse_posting, with_title
from models.pay import find_pay
from models.scoring import rank_gaps, score_parts, score_posting
from models.sentence_skills import fitted as sentence_model
from models.sentence_skills import settings as sentence_settings
from models.skillset import SkillSet, analysis_version, load_extras, load_skillset
from models.verdicts import decide, fitted, settings

# What a skill found carries that its skill set holds.
_SKILLSET_KEYS = ("name", "category", "tier")


class Analyzer:
    """Analyze postings against one skill set."""

    def __init__(self, skillset: SkillSet, *, use_matcher: bool = True, use_verdicts: bool = False,
                 use_market: bool = True, use_sentences: bool = False) -> None:
        self.skillset = skillset
        self.version = analysis_version(skillset)  # what stored analyses are kept under
        self.extras = load_extras(skillset.extras)
        matcher = SkillMatcher().fit_skillsets(skillset, self.extras) if use_matcher else None
        # The sentence model (models/sentence_skills.py) adds to the verdict on the skill set its
        # sentences were labelled with. Off unless asked for: on fresh US postings it added one
        # skill right and two wrong in 50 (docs/sentence-skills.md).
        use = sentence_settings() if use_sentences else None
        self.extractor = Extractor(
            skillset, self.extras, matcher=matcher,
            sentence_model=sentence_model() if use and use["skillset"] == skillset.id else None,
            thresholds=use["use"] if use else None)
        # The learned verdict over the aliases' candidates (models/verdicts.py), for the
        # skill set its data was made for; any other keeps the hand rules' verdict. Off
        # unless asked for: cross-validated it gains under a point of precision for half
        # a point of recall and 12% more time, and vetoes skills of one-line postings
        # (docs/verdicts.md).
        self.verdicts = fitted() if use_verdicts and settings()["skillset"] == skillset.id else None
        self.own = frozenset(s.id for s in skillset.skills)
        # None for a skill set the reference postings do not serve (and while they are being made).
        self.market = market_for(skillset) if use_market else None

    @classmethod
    def for_skillset(
        cls, skillset: str | SkillSet | None = None, *, use_matcher: bool = True,
        use_verdicts: bool = False, use_sentences: bool = False,
    ) -> Analyzer:
        """Return the process-wide analyzer for a built-in id, a skill-set file path or
        a loaded skill set (one the database holds: ``worker.skillsets``).

        Raises ``SkillSetError`` when the skill set cannot be loaded.
        """
        loaded = skillset if isinstance(skillset, SkillSet) else load_skillset(skillset)
        return _analyzer(loaded, use_matcher, use_verdicts, use_sentences)

    def analyze(
        self,
        raw: str,
        *,
        id: str | None = None,
        title: str | None = None,
        company: str | None = None,
        location: str | None = None,
        include_text: bool = False,
    ) -> dict[str, Any]:
        """Return the analysis record of one posting (plain text or HTML).

        ``location`` is the one its row gives, a cue to its locale. Bad input never
        raises: the record's ``error`` says what is wrong.
        """
        record: dict[str, Any] = {
            "id": id,
            "title": title,
            "company": company,
            "skillset": {"id": self.skillset.id, "version": self.skillset.version},
            "skills": [],
            "score": None,
            "score_parts": None,
            "fit": None,
            "market": None,
            "coverage": None,
            "gaps": [],
            "extras": [],
            "pay": None,
            "locale": None,
            "error": None,
        }
        problem = check_text(raw)
        if problem:
            record["error"] = problem
            return record
        doc = parse_posting(raw)
        if not doc.text.strip():
            record["error"] = "no text found in the posting"
            return record
        record["title"] = title or doc.title
        record["company"] = company or doc.company
        doc = with_title(doc, record["title"])
        candidates = self.extractor.candidates(doc)
        confidence = None
        if self.verdicts is None:
            accepted = [c for c in candidates if not c.rejected]
        else:
            accepted, confidence = decide(self.verdicts, doc, candidates, self.own)
        if self.market is not None and any(c.mention.via == "model" for c in accepted):
            # The sentence model learned what postings of the occupation ask; in other trades'
            # postings it reads safety rules as medical law. It adds only where the posting
            # fits the occupation on the aliases' skills alone.
            by_rules = [c for c in accepted if c.mention.via != "model"]
            skills, others = self.extractor.collect(doc.text, by_rules)
            if not self.market.fits(record["title"], doc.text, [*skills, *others]):
                accepted = by_rules
        found, extras = self.extractor.collect(doc.text, accepted, confidence)
        # A skill found is its id, level and evidence: its name, category and tier are the
        # skill set's (``models.record.describe_skills``).
        record["skills"] = [{k: v for k, v in s.items() if k not in _SKILLSET_KEYS} for s in found]
        record["extras"] = extras
        record["pay"] = find_pay(doc)
        record["locale"] = detect_locale(doc, record["pay"], location)
        record.update(score_posting(self.skillset, found, record["locale"]))
        parts = score_parts(self.skillset, found, record["locale"])
        record["score_parts"] = parts
        if self.market is not None:
            assessed = self.market.assess(record["title"], doc.text, found + extras, parts["coverage"],
                                          [g["id"] for g in record["gaps"]], record["locale"])
            record["fit"] = assessed["fit"]
            record["market"] = assessed["market"]
            record["gaps"] = rank_gaps(record["gaps"], assessed["similar_shares"])
        if include_text:
            record["text"] = doc.text
        return record


@functools.lru_cache(maxsize=16)
def _analyzer(skillset: SkillSet, use_matcher: bool, use_verdicts: bool, use_sentences: bool) -> Analyzer:
    return Analyzer(skillset, use_matcher=use_matcher, use_verdicts=use_verdicts, use_sentences=use_sentences)


def normalised_text(raw: str, title: str | None = None) -> str | None:
    """Return the normalised text that the evidence offsets of ``raw``'s analysis point
    into, for analyses stored without it (a batch's); None when there is no text.

    The same steps as ``Analyzer.analyze`` up to extraction (a test keeps them so).
    """
    if check_text(raw):
        return None
    doc = parse_posting(raw)
    if not doc.text.strip():
        return None
    return with_title(doc, title or doc.title).text
