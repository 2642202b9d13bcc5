"""Is a sentence a duty of the job? Its first words tell: "Greets patients", "To book appointments".

The verbs are data (``models/data/duty-verbs.txt``), in their plain form; the
forms a posting writes them in are made from it once, at import.
"""

from __future__ import annotations

import re
from importlib import resources

DUTY_VERBS_FILE = "duty-verbs.txt"


def _third_person(verb: str) -> str:
    if verb.endswith(("s", "x", "z", "ch", "sh", "o")):
        return verb + "es"
    if verb.endswith("y") and verb[-2:-1] not in ("a", "e", "i", "o", "u"):
        return verb[:-1] + "ies"
    return verb + "s"


def load_duty_verbs(text: str, source: str = DUTY_VERBS_FILE, nouns: bool = False) -> frozenset[str]:
    """The verbs of ``duty-verbs.txt``: one lower-case word a line; ``#`` starts a comment.

    A verb followed by ``noun`` ("post noun") is as often a noun at a sentence's
    start ("Post holders will ..."); ``nouns`` returns those alone.
    """
    verbs = set()
    for n, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if not re.fullmatch(r"[a-z]+", words[0]) or words[1:] not in ([], ["noun"]):
            raise ValueError(f"{source}, line {n}: {' '.join(words)!r} is not one lower-case word")
        if not nouns or words[1:]:
            verbs.add(words[0])
    return frozenset(verbs)


_VERBS_TEXT = (resources.files("models.data") / DUTY_VERBS_FILE).read_text(encoding="utf-8")
DUTY_VERBS = load_duty_verbs(_VERBS_TEXT)
# Verbs whose plain form starts a duty only at a list item's start, not a paragraph's.
ALSO_NOUNS = load_duty_verbs(_VERBS_TEXT, nouns=True)
DUTY_VERBS_THIRD_PERSON = frozenset(map(_third_person, DUTY_VERBS))
# "Summarising patient records", "Logging calls": the -ing forms, and a few spellings that are no word.
DUTY_VERBS_ING = frozenset(form for v in DUTY_VERBS for form in (
    v + "ing", v[:-1] + "ing" if v.endswith("e") and not v.endswith("ee") else v + "ing", v + v[-1] + "ing"))
_FIRST_WORDS = re.compile(r"[\s\-*\u2022\u00b7]*([A-Za-z]+)\b(?:[\s,]+([A-Za-z]+))?(?:[\s,]+([A-Za-z]+))?")
# "Under general supervision, ...", "Under direction of the Director performs ...".
_SUPERVISION = re.compile(r"[\s\-*\u2022\u00b7]*under\s+(?:(?:general|close|direct|immediate|limited|administrative|"
                          r"minimal|moderate)\s+)?(?:direction|supervision|guidance)\b", re.I)
# A first word followed by one of these is a noun: "Records are kept", "Documents will be".
_NOT_AFTER_A_VERB = frozenset("are is was were will must should may can have has of".split())


def starts_with_duty(text: str, start: int, end: int, item: bool) -> bool:
    """Does the sentence at [start, end) start with a duty's verb ("Enters orders into the EHR")?

    ``item``: the sentence starts a list item, where the verb also stands in its
    plain form ("Greet patients") or -ing form ("Greeting patients"). A class
    specification's "Under general direction, ..." describes the class's work: a duty.
    """
    if _SUPERVISION.match(text, start, end):
        return True
    m = _FIRST_WORDS.match(text, start, end)
    if not m:
        return False
    words = [(w or "").lower() for w in m.groups()]
    if words[0].endswith("ly") and words[1]:  # "Accurately enters ...", "Consistently exhibits ..."
        return starts_with_duty(text, m.start(2), end, item)
    if words[0] == "to":  # "To provide a reception service": how UK postings list duties
        return words[1] in DUTY_VERBS and words[2] not in _NOT_AFTER_A_VERB
    if words[1] in _NOT_AFTER_A_VERB:
        return False  # "Records are kept ...": a noun, not a verb
    # The plain form starts a duty in a paragraph too ("Search the index at registration."),
    # unless it is as often a noun; the -ing form only a list item's ("Billing experience ...").
    if words[0] in DUTY_VERBS_THIRD_PERSON or (words[0] in DUTY_VERBS and words[0] not in ALSO_NOUNS):
        return True
    if words[0] in DUTY_VERBS_ING and words[1] in _DETERMINERS:  # "Performing an initial examination ..."
        return True
    return item and (words[0] in DUTY_VERBS or words[0] in DUTY_VERBS_ING)


_DETERMINERS = frozenset("a an all any each every".split())  # not "the": "Taking the lead on ..."
