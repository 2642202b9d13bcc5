"""Sentence-level context: is a mention negated, boilerplate, required or preferred?

These cues are English phrases that postings use over and over; they are kept
as small regular expressions here rather than in the skill-set data because
they are about how postings are written, not about any one occupation.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from itertools import compress, count

from models.duties import starts_with_duty
from models.sections import SECTION_LEVELS
from models.text import Tokens, find_all

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
BOILERPLATE = (
    r"equal (?:employment )?opportunit", r"\beeo\b", r"affirmative action",
    r"regardless of (?:race|age|sex|gender|religion|disability|their)", r"without regard to",
    r"protected (?:veteran|characteristic|class)", r"(?<!anti-)(?<!anti )discriminat",
    r"committed to (?:equality|diversity|equal|inclusion|being an inclusive)",
    r"disability confident", r"guaranteed interview", r"positive about disab", r"mindful employer",
    r"reasonable (?:adjustment|accommodation)", r"armed forces covenant", r"privacy (?:notice|policy|statement)",
    *(rf"{verb}s? your (?:personal )?(?:data|information|application)"
      for verb in ("process", "use", "hold", "store", "share", "handle")),
    r"your (?:personal )?data", r"personal data you", r"data protection (?:notice|policy|statement)",
    r"\bwe offer\b", r"benefits? (?:include|package|such as)", r"\b401\s?\(?k\)?", r"\bpto\b",
    r"paid time off", r"pension scheme", r"annual leave", r"tuition reimbursement", r"employee assistance",
    r"health,? dental", r"dental(?:,| and) vision", r"life insurance", r"\bdbs\b", r"disclosure and barring",
    r"rehabilitation of offenders", r"right to work in the uk", r"certificate of sponsorship",
    r"(?<!formal and )informal (?:visit|discussion|enquir|chat)",  # not "respond to formal and informal ..."
    r"may close (?:early|this)",
    # Each alternative's literal head is its prefilter (``cue_part``): "for further" and "for more"
    # apart are cued by "further" and "more", where "for (?:further|more)" would be cued by "for".
    r"for further (?:information|details)", r"for more (?:information|details)",
    r"please (?:contact|email|e-mail|call|note|see|refer)", r"closing date",
    # "Please apply" is how to apply, except where the candidate's skills are its
    # condition: "If you have good customer service skills, then please apply".
    r"(?<!then )(?<!so )(?<!so, )please apply(?![^.\n]*\bif\b)",
    # Not where the candidate's skills are the condition: "if you have experience of PAS ... your
    # application will be considered".
    r"applications? (?:will be|are|must)(?! considered)", r"\bvaccinat", r"covid-?19 vaccin", r"flu vaccin",
    r"smoke[- ]free", r"no smoking", r"\binterviews? (?:will|are|may|to be)", r"pathway to becoming", r"tuition",
    r"sign[- ]on bonus", r"rated (?:good|outstanding|requires)", r"\bawards?\b", r"authori[sz]ation to work",
    r"sponsorship", r"email address", r"informal visits? contact", r"compensation information", r"pay transparency",
    r"\bif (?:you )?ha(?:ve|s)\b[^.\n]{0,120}:\s*[$£]\d",
    # A job board's category line: "Healthcare Administration, Medical Billing and Coding".
    r"healthcare administration, (?:medical|administrative)",
    r"may be substituted", r"can be substituted",  # an alternative route asks none of what it lists
    r"\bdiffers from\b", r"\bis distinguished from\b",  # a class specification's other classes
    # "... expects all staff and volunteers to share this commitment": a safeguarding statement.
    r"share (?:this|our|the) commitment",
    # How candidates are chosen: "as part of the assessment process candidates will ...".
    *(rf"{step} process" for step in ("assessment", "selection", "recruitment", "interview")),
    # The employer's size: "DSFS has just over 700 staff in Facilities, ... Patient Records, Switchboard".
    *(rf"{verb}\s+(?:(?:just|almost|nearly|around|about|over|more than|some|approximately)\s+)*"
      r"[\d,]{2,}\+?\s+(?:staff|employees|colleagues|people|members of staff)\b"
      for verb in ("employs", "employing", "has", "have", "with")),
    # Who the employer already has: "the team consists of 5 GP Partners ..., reception,
    # admin and secretarial teams", "we have 3 GP partners ... and a team of receptionists".
    r"team consists of", r"team comprises of", r"team is made up of",
    r"\bwe have (?:\d+|two|three|four|five|six|seven|eight|nine|ten) (?:(?:full|part)[- ]time |salaried )?"
    r"(?:gp partners|gps|partners|doctors|clinicians)\b",
    # Contact details: a telephone number (not digits inside a code: "e63c048777424") or an e-mail address.
    r"(?<![\w,.])0\d{2,4}[ -]?\d{3}[ -]?\d{3,4}(?!\d)", r"@[a-z0-9-]+\.[a-z]",
)
BOILERPLATE_RE = re.compile("|".join(BOILERPLATE), re.I)

PREFERRED = (
    r"\bpreferred\b", r"\bpreferable\b", r"\bpreferably\b", r"\bdesirable\b", r"\bdesired\b",
    # "Epic a plus", "bilingual is a big plus", "Epic experience plus.": not "plus benefits".
    r"\ba plus\b", *(rf"\b{word} plus\b" for word in ("big", "huge", "definite", "major", "added", "real")),
    r"\bplus(?=\s*(?:[.;!)\n]|$))", r"\badvantage(?:ous)?\b", r"\bideally\b", r"\bnice to have\b",
    r"\bbeneficial\b", r"\bbonus\b", r"\bwould be (?:an asset|helpful|useful|great)\b", r"\bis an asset\b",
    # "Applications from ... are welcome"; not "welcome patients", a duty.
    *(rf"\b{word} welcome\b" for word in ("is", "are", "be", "also", "very", "most", "all", "always")),
)
PREFERRED_RE = re.compile("|".join(PREFERRED), re.I)
REQUIRED = (
    r"\bmust\b", r"\brequire[ds]?\b", r"\brequirements?\b", r"\bessential\b", r"\bminimum\b",
    r"\bmandatory\b", r"\bneed(?:s|ed)? to (?:have|be)\b", r"\bexperience (?:in|of|with)\b",
    r"\bknowledge of\b", r"\bproficien", r"\bcompetent\b", r"\bskills? in\b", r"\bability to\b",
    r"\bable to\b", r"\bcertified\b", r"\bqualifi(?:ed|cation)\b", r"\bwill have\b", r"\byou have\b",
    r"\bshould have\b", r"\bexpected to\b", r"\bskilled (?:in|at|with)\b",  # "Skilled in MS Office"
    # Duties: a sentence about what the worker does asks it of them.
    r"\byou(?:'ll| will)\b", r"\bpost ?holder\b", r"\bjob ?holder\b",
    r"\bthe (?:ideal |successful )?(?:candidate|applicant|individual|incumbent|employee)s?\b",
    r"\bcandidates?\b", r"\bresponsib", r"\bduties\b", r"\bmay (?:also )?(?:perform|assist)\b",  # "May also perform"
    *(rf"\b{word} (?:role|position)\b" for word in ("this", "the", "your")),
    r"\blooking for\b", r"\bseeking\b", r"\bwe (?:need|require)\b",
    # A class specification's duties: "Assigned to ...", "involves ...", "These functions include ...".
    r"\bassigned to\b", r"\binvolves\b", r"\bfunctions? (?:of|includes?)\b", r"\bthis (?:also )?includes [a-z]+ing\b",
    # A line that rates a skill is a requirement: "Strong customer focused service orientation skills".
    *(rf"\b{word} [^.;\n]{{0,60}}?\bskills\b"
      for word in ("strong", "excellent", "good", "proven", "demonstrable", "demonstrated", "exceptional",
                   "outstanding", "effective")),
)
REQUIRED_RE = re.compile("|".join(REQUIRED), re.I)

# The employer's own sections: "Serves patients across three counties" there is about the employer.
_NOT_DUTIES = frozenset(("about", "apply"))

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


# Equal-opportunity and privacy statements run on for a whole paragraph: every
# sentence after one of these, in the same block, is the employer's too.
STATEMENT = (
    r"equal (?:employment )?opportunit", r"\beeo\b", r"affirmative action",
    r"regardless of (?:race|age|sex|gender|religion|disability|their)", r"without regard to",
    r"protected (?:veteran|characteristic|class)", r"privacy (?:notice|policy|statement)",
    *(rf"{verb}s? your (?:personal )?(?:data|information)"
      for verb in ("process", "use", "hold", "store", "share", "handle")),
    r"data protection (?:notice|policy|statement)", r"considered for employment", r"qualified applicants",
    r"compensation information", r"pay transparency",
)
STATEMENT_RE = re.compile("|".join(STATEMENT), re.I)

# Prefilters derived from the expressions above at start-up: every match of an alternative
# starts with its literal head (``literal_head``), so a word that holds the head's longest
# word-part (``cue_part``) stands in every sentence that matches, no more than 40 characters
# into the match. Most sentences hold none of these parts and skip the expressions.
BOILERPLATE_CUE, STATEMENT_CUE, PREFERRED_CUE = 1, 2, 4
_LEADING_ASSERTION = re.compile(r"\\b|\(\?<[!=][^()]*\)")
_ESCAPED = re.compile(r"\\([^A-Za-z0-9])")
_META = frozenset(".^$*+?{}[]|()")


def literal_head(alternative: str) -> str:
    """The text every match of a regular-expression alternative starts with, lower-cased.

    Leading assertions (``\\b``, look-behinds) are skipped; the head ends where the
    expression stops being literal, without a last character that a quantifier makes
    optional ("processs?" gives "process").
    """
    while m := _LEADING_ASSERTION.match(alternative):
        alternative = alternative[m.end():]
    head: list[str] = []
    i = 0
    while i < len(alternative):
        c = alternative[i]
        if c == "\\":
            m = _ESCAPED.match(alternative, i)
            if not m:
                break  # \\b, \\s, \\d: not a literal character
            head.append(m.group(1))
            i = m.end()
            continue
        if c in _META:
            break
        head.append(c)
        i += 1
    if i < len(alternative) and alternative[i] in "?*{" and head:
        head.pop()
    return "".join(head).lower()


def cue_part(alternative: str) -> str:
    """The longest run of letters or of digits in an alternative's head that starts in its first
    40 characters (the last of equals); or, for a head without one ("@"), the head itself."""
    head = literal_head(alternative)
    if not head:
        raise ValueError(f"a cue expression must start with literal text: {alternative!r}")
    runs = [m.group() for m in re.finditer(r"[a-z]+|[0-9]+", head) if m.start() <= 40]
    # Of equally long runs the last: "team is made up of" is cued by "made", not "team".
    return max(reversed(runs), key=len) if runs else head


def _parts(alternatives: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the word-parts, the other literal heads) of some alternatives' cues."""
    cues = {cue_part(a) for a in alternatives}
    return tuple(sorted(c for c in cues if c.isalnum())), tuple(sorted(c for c in cues if not c.isalnum()))


_BOILERPLATE_PARTS, _BOILERPLATE_LITERALS = _parts(BOILERPLATE)
_STATEMENT_PARTS, _STATEMENT_LITERALS = _parts(STATEMENT)
_PREFERRED_PARTS, _PREFERRED_LITERALS = _parts(PREFERRED)
# Negations are whole words ("no", "not"), and "n't" at the end of one.
_NEGATIONS = tuple(literal_head(a) for a in _NEGATION_WORD.pattern.split("|"))
NEGATION_WORDS = frozenset(n for n in _NEGATIONS if n.isalpha())
_NEGATION_LITERALS = tuple(n for n in _NEGATIONS if not n.isalpha())
if _STATEMENT_LITERALS or _PREFERRED_LITERALS:
    raise ValueError("statement and preference cues must start with a letter or a digit")


def word_cues(word: str) -> int:
    """BOILERPLATE_CUE, STATEMENT_CUE and PREFERRED_CUE, for a word that holds a cue part of their expressions."""
    low = word.lower()
    return ((BOILERPLATE_CUE if any(part in low for part in _BOILERPLATE_PARTS) else 0)
            | (STATEMENT_CUE if any(part in low for part in _STATEMENT_PARTS) else 0)
            | (PREFERRED_CUE if any(part in low for part in _PREFERRED_PARTS) else 0))


class Cues:
    """Where a document's cue words stand, found once per document.

    Most sentences hold none of the words that every boilerplate, statement,
    preference or negation match needs; knowing where those words stand lets
    such sentences skip the regular expressions. The ones that remain run on
    the lower-cased text, which is faster than ignoring case.
    """

    def __init__(
        self, text: str, toks: Tokens, title: str | None = None,
        marks: tuple[Iterable[int], Iterable[int], Iterable[int], Iterable[int]] | None = None,
    ) -> None:
        """``marks``: the indices of the words that are negations (``NEGATION_WORDS``), and of
        those with ``PREFERRED_CUE``, ``BOILERPLATE_CUE`` and ``STATEMENT_CUE``, when the caller knows them.
        """
        low = text.lower()
        # Lower-casing can change the length of a few non-ASCII letters; then
        # offsets would not agree, and the case-blind expressions are used.
        self.lowered = len(low) == len(text)
        self.text = low if self.lowered else text
        self.low, self.cased = low, text
        starts = toks.starts
        if marks is None:
            flags = list(map(word_cues, toks.words))
            marks = (
                compress(count(), map(NEGATION_WORDS.__contains__, toks.stems)),
                compress(count(), [f & PREFERRED_CUE for f in flags]),
                compress(count(), [f & BOILERPLATE_CUE for f in flags]),
                compress(count(), [f & STATEMENT_CUE for f in flags]),
            )
        negation_words, preferred_words, boilerplate_words, statement_words = marks
        # Where a cue word may begin: the start of the word it stands in.
        self.boilerplate = sorted([starts[i] for i in boilerplate_words] + _positions(low, _BOILERPLATE_LITERALS))
        self.statement = [starts[i] for i in statement_words]
        self.preferred = [starts[i] for i in preferred_words]
        # "The Medical Receptionist greets patients": the job's title as the
        # subject of a sentence makes it a duty.
        title = (title or "").strip().lower()
        self.title = _positions(low, (title,)) if len(title) >= 4 else []
        self.negation = sorted([starts[i] for i in negation_words] + _positions(low, _NEGATION_LITERALS))

    def _search(self, pattern: re.Pattern[str], start: int, end: int) -> bool:
        if not self.lowered:
            pattern = _CASE_BLIND[pattern]
        return pattern.search(self.text, start, end) is not None

    def boilerplate_in(self, start: int, end: int) -> bool:
        """Is the sentence at [start, end) the employer's boilerplate?

        Every match holds a cue word no more than 40 characters into it (the staff
        count's first digit, after "employs approximately"; most stand at its
        start), so none starts more than 40 characters before the first cue word.
        """
        cue = _first_between(self.boilerplate, start, end)
        return cue >= 0 and self._search(_BOILERPLATE_LOW, max(start, cue - 40), end)

    def statement_cue_in(self, start: int, end: int) -> bool:
        """Does a statement cue word stand in [start, end)? If not, no sentence there is a statement."""
        return _first_between(self.statement, start, end) >= 0

    def statement_in(self, start: int, end: int) -> bool:
        cue = _first_between(self.statement, start, end)
        return cue >= 0 and self._search(_STATEMENT_LOW, max(start, cue - 20), end)

    def negated_clauses(self, start: int, end: int) -> list[tuple[int, int]]:
        """The spans (relative to ``start``) of a sentence that a negation covers."""
        if _first_between(self.negation, start, end) < 0:
            return []
        return negated_clauses(self.text[start:end])

    def requirement(self, start: int, end: int, section: str, item: bool = False) -> str:
        """'preferred', 'required' or 'unspecified' for the sentence at [start, end).

        ``item``: the sentence starts a list item, where a duty's verb stands in its
        plain form ("Greet patients") or -ing form ("Greeting patients") as well as
        its third-person one ("Greets patients").
        """
        by_section = SECTION_LEVELS.get(section)
        if by_section == "preferred" or (
            _first_between(self.preferred, start, end) >= 0 and self._search(_PREFERRED_LOW, start, end)
        ):
            return "preferred"
        if (
            by_section == "required"
            or _first_between(self.title, start, end) >= 0
            or self._search(_REQUIRED_LOW, start, end)
            or (section not in _NOT_DUTIES and starts_with_duty(self.text, start, end, item))
        ):
            return "required"
        return "unspecified"

    def clause_levels(self, start: int, end: int, level: str, section: str) -> list[tuple[int, str]]:
        """The level of each clause of a sentence, as (clause start, level), first to last.

        A sentence that prefers something where the section or a cue requires ("High school
        diploma required, associate degree preferred"; under "Qualifications": "Strong customer
        service skills, Epic a plus"; run together: "... experience preferred Demonstrated
        expertise") gives each clause its own level. A clause without a cue is required, unless it
        is a short member of a list, which takes the level of the cue after it ("Epic, Cerner or
        Athena preferred"). Any other sentence is one clause.
        """
        if level != "preferred" or SECTION_LEVELS.get(section) == "preferred" or not (
                SECTION_LEVELS.get(section) == "required" or self._search(_STRONG_REQUIRED_LOW, start, end)):
            return [(start, level)]
        starts = [start] + [m.end() for m in _CLAUSE_CUT.finditer(self.cased, start, end)]
        spans = list(zip(starts, [*starts[1:], end], strict=True))
        own: list[str | None] = [
            "preferred" if self._search(_PREFERRED_LOW, a, b)
            else "required" if self._search(_STRONG_REQUIRED_LOW, a, b) else None
            for a, b in spans
        ]
        short = [len(self.text[a:b].split()) <= _LIST_MEMBER_WORDS for a, b in spans]
        levels: list[tuple[int, str]] = []
        for i, (a, _) in enumerate(spans):
            cue = own[i]
            if cue is None and (short[i] or i == 0 and _heads_a_list(own, short)):
                cue = next((c for c in own[i + 1:] if c), None)
            levels.append((a, cue or "required"))
        return levels


def _heads_a_list(own: list[str | None], short: list[bool]) -> bool:
    """Does the first clause head a list of short members, the last with a preferred cue ("..., or Y preferred")?"""
    k = next((i for i, c in enumerate(own) if c), len(own))
    return k >= 2 and all(short[1:k]) and k < len(own) and own[k] == "preferred"


def _positions(low: str, words: tuple[str, ...]) -> list[int]:
    return sorted(i for word in words for i in find_all(low, word))


def _first_between(positions: list[int], start: int, end: int) -> int:
    """The first position in [start, end), or -1."""
    i = bisect_left(positions, start)
    return positions[i] if i < len(positions) and positions[i] < end else -1


def by_first_letter(alternatives: tuple[str, ...]) -> re.Pattern[str]:
    """The alternatives as one expression for lower-cased text, branching on their first character.

    At every position Python's engine tries the branches of an alternation in
    turn, and passes over one quickly only when it starts with a plain character.
    So a leading ``\\b`` or look-behind moves behind the first character
    (``\\beeo`` becomes ``e(?<!\\we)eo``) and the branches are grouped by that
    character: at most one group is entered. What matches, and where, is unchanged.
    """
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        assertions = []
        while m := _LEADING_ASSERTION.match(alternative):
            assertions.append(m.group())
            alternative = alternative[m.end():]
        first, rest = alternative[:1], alternative[1:]
        if not first or first in "\\.^$*+?{}[]|()" or rest[:1] in ("?", "*", "+", "{"):
            raise ValueError(f"an alternative must start with a plain character of its own: {alternative!r}")
        behind = "".join(
            f"(?<!\\w{first})" if a == "\\b" else f"{a[:-1]}{first})" for a in assertions
        )
        groups.setdefault(first, []).append(behind + rest)
    return re.compile("|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items()))


# The expressions above, for lower-cased text (case-sensitive matching is faster).
_BOILERPLATE_LOW = by_first_letter(BOILERPLATE)
_STATEMENT_LOW = by_first_letter(STATEMENT)
_PREFERRED_LOW = by_first_letter(PREFERRED)
_REQUIRED_LOW = by_first_letter(REQUIRED)
# The cues that state a level outright, which a clause of a sentence that also prefers keeps.
_STRONG_REQUIRED_LOW = by_first_letter((
    r"\brequired\b", r"\bmust\b", r"\bessential\b", r"\bmandatory\b", r"\bminimum\b"))
_LIST_MEMBER_WORDS = 3  # "Experience with Epic", "or Athena": a member of a list, not a clause of its own
_CLAUSE_CUT = re.compile(r"[;,]\s*|\s(?:but|whereas|while)\s|(?:(?<=required)|(?<=preferred))\s+(?=[A-Z][a-z])")
_CASE_BLIND = {
    _BOILERPLATE_LOW: BOILERPLATE_RE, _STATEMENT_LOW: STATEMENT_RE,
    _PREFERRED_LOW: PREFERRED_RE, _REQUIRED_LOW: REQUIRED_RE,
    _STRONG_REQUIRED_LOW: re.compile(_STRONG_REQUIRED_LOW.pattern, re.I),
}
