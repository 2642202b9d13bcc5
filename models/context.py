"""Sentence-level context: is a mention negated, boilerplate, required or preferred?

These cues are English phrases that postings use over and over; they are kept
as small regular expressions here rather than in the skill-set data because
they are about how postings are written, not about any one occupation.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import compress, count

from models.text import stem

NEGATION_RE = re.compile(
    r"(?:\bno\b|\bnot\b|n't\b|\bnever\b|\bwithout\b|\bnor\b)\s+(?:[\w/-]+\s+){0,5}?"
    r"(?:required|needed|need|necessary|essential|a requirement|expected|mandatory|a must)\b"
    r"|\b(?:no|without)\s+(?:any\s+)?(?:prior\s+|previous\s+|formal\s+)?(?:[\w/-]+\s+){0,3}?"
    r"(?:experience|knowledge|training|background)\b"
    r"|\bno need\b|\bnot need\b|\bnot a requirement\b|\bnot be required\b",
    re.I,
)
CLAUSE_END_RE = re.compile(r"[,;:.!?]|\s(?:but|however|although|though|while)\s", re.I)

# Whole sentences that are about the employer, not the job: equal opportunity,
# the employer's own privacy notice, benefits, how to apply.
BOILERPLATE_RE = re.compile(
    r"equal (?:employment )?opportunit|\beeo\b|affirmative action|regardless of (?:race|age|sex|gender|"
    r"religion|disability|their)|without regard to|protected (?:veteran|characteristic|class)|"
    r"(?<!anti-)(?<!anti )discriminat|committed to (?:equality|diversity|equal|inclusion|being an inclusive)|"
    r"disability confident|guaranteed interview|positive about disab|mindful employer|"
    r"reasonable (?:adjustment|accommodation)|armed forces covenant|"
    r"privacy (?:notice|policy|statement)|(?:process|use|hold|store|share|handle)s? your (?:personal )?"
    r"(?:data|information|application)|your (?:personal )?data|personal data you|"
    r"data protection (?:notice|policy|statement)|"
    r"\bwe offer\b|benefits? (?:include|package|such as)|\b401\s?\(?k\)?|\bpto\b|paid time off|"
    r"pension scheme|annual leave|tuition reimbursement|employee assistance|health,? dental|"
    r"dental(?:,| and) vision|life insurance|\bdbs\b|disclosure and barring|"
    r"rehabilitation of offenders|right to work in the uk|certificate of sponsorship|"
    r"informal (?:visit|discussion|enquir|chat)|for (?:further|more) (?:information|details)|"
    r"please (?:contact|email|e-mail|call|note|apply|see|refer)|closing date|"
    r"may close (?:early|this)|applications? (?:will be|are|must)|"
    r"\bvaccinat|covid-?19 vaccin|flu vaccin|smoke[- ]free|no smoking|\binterviews? (?:will|are|may|to be)|"
    r"pathway to becoming|tuition|sign[- ]on bonus|rated (?:good|outstanding|requires)|"
    r"\bawards?\b|authori[sz]ation to work|sponsorship|email address|informal visits? contact|"
    r"\bif (?:you )?ha(?:ve|s)\b[^.\n]{0,120}:\s*[$£]\d|compensation information|pay transparency|"
    # "... expects all staff and volunteers to share this commitment": a safeguarding statement.
    r"share (?:this|our|the) commitment",
    re.I,
)

PREFERRED_RE = re.compile(
    r"\bpreferred\b|\bpreferable\b|\bpreferably\b|\bdesirable\b|\bdesired\b|\ba plus\b|\bplus\b|"
    r"\badvantage(?:ous)?\b|\bideally\b|\bnice to have\b|\bbeneficial\b|\bbonus\b|"
    r"\bwould be (?:an asset|helpful|useful|great)\b|\bis an asset\b|\bwelcome\b",
    re.I,
)
REQUIRED_RE = re.compile(
    r"\bmust\b|\brequire[ds]?\b|\brequirements?\b|\bessential\b|\bminimum\b|\bmandatory\b|"
    r"\bneed(?:s|ed)? to (?:have|be)\b|\bexperience (?:in|of|with)\b|\bknowledge of\b|"
    r"\bproficien|\bcompetent\b|\bskills? in\b|\bability to\b|\bable to\b|\bcertified\b|"
    r"\bqualifi(?:ed|cation)\b|\bwill have\b|\byou have\b|\bshould have\b|\bexpected to\b|"
    # Duties: a sentence about what the worker does asks it of them.
    r"\byou(?:'ll| will)\b|\bpost ?holder\b|\bjob ?holder\b|"
    r"\bthe (?:ideal |successful )?(?:candidate|applicant|individual|incumbent|employee)s?\b|\bcandidates?\b|"
    r"\bresponsib|\bduties\b|\b(?:this|the|your) (?:role|position)\b|\blooking for\b|\bseeking\b|"
    r"\bwe (?:need|require)\b",
    re.I,
)


_NEGATION_WORD = re.compile(r"\bno\b|\bnot\b|n't\b|\bnever\b|\bwithout\b|\bnor\b", re.I)


def negated_clauses(sentence: str) -> list[tuple[int, int]]:
    """The spans of a sentence that a negation covers ("no coding experience needed")."""
    if not _NEGATION_WORD.search(sentence):
        return []
    spans = []
    for m in NEGATION_RE.finditer(sentence):
        clause_start = max(0, m.start() - 60)
        for b in CLAUSE_END_RE.finditer(sentence, clause_start, m.start()):
            clause_start = b.end()
        after = CLAUSE_END_RE.search(sentence, m.end())
        spans.append((clause_start, after.start() if after else len(sentence)))
    return spans


# Literal words of which one stands in every BOILERPLATE_RE match: a cheap test
# that spares most sentences the large regular expression.
_BOILERPLATE_WORDS = (
    "opportunit", "eeo", "affirmative", "regardless", "regard to", "protected", "discriminat",
    "committed to", "disab", "guaranteed", "mindful", "reasonable", "armed forces", "privacy",
    "your", "personal data", "data protection", "offer", "benefit", "401", "pto", "paid time",
    "pension", "annual leave", "tuition", "employee assistance", "dental", "life insurance", "dbs",
    "disclosure", "rehabilitation", "right to work", "sponsor", "informal", "further", "more",
    "please", "closing date", "may close", "application", "vaccin", "smok", "interview",
    "pathway to becoming", "sign", "rated", "award", "authori", "email address", "informal visit", "if ha",
    "if you ha", "compensation information", "pay transparency", "commitment",
)


# Equal-opportunity and privacy statements run on for a whole paragraph: every
# sentence after one of these, in the same block, is the employer's too.
STATEMENT_RE = re.compile(
    r"equal (?:employment )?opportunit|\beeo\b|affirmative action|regardless of (?:race|age|sex|gender|"
    r"religion|disability|their)|without regard to|protected (?:veteran|characteristic|class)|"
    r"privacy (?:notice|policy|statement)|(?:process|use|hold|store|share|handle)s? your (?:personal )?"
    r"(?:data|information)|data protection (?:notice|policy|statement)|considered for employment|"
    r"qualified applicants|compensation information|pay transparency",
    re.I,
)


_STATEMENT_WORDS = (
    "opportunit", "eeo", "affirmative", "regardless", "regard to", "protected", "privacy", "your",
    "data protection", "considered for employment", "qualified applicants", "compensation information",
    "pay transparency",
)


# Words (as stems) of which one stands in every PREFERRED_RE match.
_PREFERRED_WORDS = frozenset(stem(w) for w in (
    "preferred preferable preferably desirable desired plus advantage advantageous ideally nice "
    "beneficial bonus would asset welcome"
).split())
_NEGATION_WORDS = frozenset(("no", "not", "never", "without", "nor"))
_CUE_STEMS = _PREFERRED_WORDS | _NEGATION_WORDS


class Cues:
    """Where a document's cue words stand, found once per document.

    Most sentences hold none of the words that every boilerplate, statement,
    preference or negation match needs; looking those words up once in the
    whole text lets such sentences skip the regular expressions. The ones
    that remain run on the lower-cased text, which is faster than ignoring case.
    """

    def __init__(self, text: str, stems: list[str], starts: list[int], title: str | None = None) -> None:
        low = text.lower()
        # Lower-casing can change the length of a few non-ASCII letters; then
        # offsets would not agree, and the case-blind expressions are used.
        self.lowered = len(low) == len(text)
        self.text = low if self.lowered else text
        self.low = low
        # One pass over the words finds both kinds; few words are either.
        marked = list(compress(count(), map(_CUE_STEMS.__contains__, stems)))
        self.preferred = [starts[i] for i in marked if stems[i] in _PREFERRED_WORDS]
        # "The Medical Receptionist greets patients": the job's title as the
        # subject of a sentence makes it a duty.
        title = (title or "").strip().lower()
        self.title = _positions(low, (title,)) if len(title) >= 4 else []
        self.negation = sorted(
            [starts[i] for i in marked if stems[i] in _NEGATION_WORDS]
            + _positions(low, ("n't",))
        )

    def _search(self, pattern: re.Pattern[str], start: int, end: int) -> bool:
        if not self.lowered:
            pattern = _CASE_BLIND[pattern]
        return pattern.search(self.text, start, end) is not None

    def boilerplate_in(self, start: int, end: int) -> bool:
        cue = _BOILERPLATE_CUE.search(self.low, start, end)
        # No cue word stands more than 20 characters into a match.
        return cue is not None and self._search(_BOILERPLATE_LOW, max(start, cue.start() - 20), end)

    def statement_cue_in(self, start: int, end: int) -> bool:
        """Does a statement cue word stand in [start, end)? If not, no sentence there is a statement."""
        return _STATEMENT_CUE.search(self.low, start, end) is not None

    def statement_in(self, start: int, end: int) -> bool:
        cue = _STATEMENT_CUE.search(self.low, start, end)
        return cue is not None and self._search(_STATEMENT_LOW, max(start, cue.start() - 20), end)

    def negated_clauses(self, start: int, end: int) -> list[tuple[int, int]]:
        """The spans (relative to ``start``) of a sentence that a negation covers."""
        if _first_between(self.negation, start, end) < 0:
            return []
        return negated_clauses(self.text[start:end])

    def requirement(self, start: int, end: int, section: str) -> str:
        """'preferred', 'required' or 'unspecified' for the sentence at [start, end)."""
        if section == "preferred" or (
            _first_between(self.preferred, start, end) >= 0 and self._search(_PREFERRED_LOW, start, end)
        ):
            return "preferred"
        if (
            section in ("requirements", "responsibilities", "title")
            or _first_between(self.title, start, end) >= 0
            or self._search(_REQUIRED_LOW, start, end)
        ):
            return "required"
        return "unspecified"


def _positions(low: str, words: tuple[str, ...]) -> list[int]:
    found = []
    for word in words:
        i = low.find(word)
        while i >= 0:
            found.append(i)
            i = low.find(word, i + 1)
    found.sort()
    return found


def _first_between(positions: list[int], start: int, end: int) -> int:
    """The first position in [start, end), or -1."""
    i = bisect_left(positions, start)
    return positions[i] if i < len(positions) and positions[i] < end else -1


def _trie(words: tuple[str, ...] | list[str]) -> str:
    """An expression for any of the words, with one branch per first letter ("a(?:ward|uthori)|...").

    The engine tries a flat alternation's branches one by one at every
    position; nested by letter, it tries few. Where a match starts is the same.
    """
    words = sorted(set(words))
    if "" in words:
        rest = [w for w in words if w]
        return f"(?:{_trie(rest)})?" if rest else ""
    tails: dict[str, list[str]] = {}
    for word in words:
        tails.setdefault(word[0], []).append(word[1:])
    branches = [re.escape(first) + _trie(rest) for first, rest in tails.items()]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


# The first cue word of a sentence, if any: one pass over the sentence.
_BOILERPLATE_CUE = re.compile(_trie(_BOILERPLATE_WORDS))
_STATEMENT_CUE = re.compile(_trie(_STATEMENT_WORDS))

# The expressions above, for lower-cased text (case-sensitive matching is faster).
_BOILERPLATE_LOW = re.compile(BOILERPLATE_RE.pattern)
_STATEMENT_LOW = re.compile(STATEMENT_RE.pattern)
_PREFERRED_LOW = re.compile(PREFERRED_RE.pattern)
_REQUIRED_LOW = re.compile(REQUIRED_RE.pattern)
_CASE_BLIND = {
    _BOILERPLATE_LOW: BOILERPLATE_RE, _STATEMENT_LOW: STATEMENT_RE,
    _PREFERRED_LOW: PREFERRED_RE, _REQUIRED_LOW: REQUIRED_RE,
}
