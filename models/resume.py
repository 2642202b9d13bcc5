"""Read a résumé (pasted text, or a .txt, .pdf or .docx file) and find the skills it shows.

A résumé is read with the same engine and skill set as a posting, with two
differences: what it claims counts wherever it stands (experience, duties held,
certificates, software used), and there are no requirement levels. What it
negates ("no coding experience yet") does not count.

PDF text comes from pypdf, Word text from python-docx. A PDF without a text
layer (a scan or a photo) has nothing to read: it gets a clear message instead
of an empty result.
"""

from __future__ import annotations

import functools
import io
import os
import re
from importlib import resources
from typing import Any

from models.context import CLAUSE_END_RE
from models.inputs import InputError, check_text, decode_bytes, without_nul
from models.parsing import parse_posting

# A résumé is a few pages; a larger file is not one.
MAX_RESUME_BYTES = 10 * 1024 * 1024
MAX_RESUME_CHARS = 200_000
FORMATS = (".txt", ".pdf", ".docx")
# Fewer letters than this in a whole PDF: its pages are pictures, not text.
_MIN_LETTERS = 20
# The only reason a mention of a résumé does not count (see ``find_skills``).
_NOT_CLAIMED = frozenset({"negated"})
NEGATIONS_FILE = "resume-negations.txt"


class ResumeError(InputError):
    """A résumé that cannot be read; the message says why and what to do."""


def read_resume(data: bytes, filename: str = "") -> str:
    """Return the text of a résumé file: .txt, .pdf or .docx, told by content first.

    Raises ``ResumeError`` with a message for the person who sent it.
    """
    if len(data) > MAX_RESUME_BYTES:
        raise ResumeError(f"the file is {len(data) / 1e6:.1f} MB; a résumé of up to "
                          f"{MAX_RESUME_BYTES // (1024 * 1024)} MB is read")
    ext = os.path.splitext(filename.lower())[1]
    if data.startswith(b"%PDF"):
        text = _pdf_text(data)
    elif data.startswith(b"PK\x03\x04"):
        text = _docx_text(data)
    elif ext in (".pdf", ".docx", ".doc"):
        raise ResumeError(f"the file is called {ext} but is not a readable {ext} file: "
                          "save it again as PDF, Word (.docx) or plain text, or paste the text")
    else:
        try:
            text = decode_bytes(data, "the file")
        except InputError:
            raise ResumeError("the file is not a PDF, a Word (.docx) or a text file: "
                              "save it as one of those, or paste the text") from None
    return resume_text(text)


def resume_text(text: str) -> str:
    """Return a pasted or read résumé's text, checked; raise ``ResumeError`` when unusable."""
    text = without_nul(text)
    if len(text) > MAX_RESUME_CHARS:
        raise ResumeError(f"the résumé is {len(text):,} characters; a résumé of up to "
                          f"{MAX_RESUME_CHARS:,} is read")
    problem = check_text(text)
    if problem:
        raise ResumeError(problem.replace("posting", "résumé"))
    return text


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ResumeError("the PDF is protected by a password: save it without one, "
                              "or paste the text")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ResumeError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        raise ResumeError("the PDF could not be read (it may be damaged): save it again, "
                          "or paste the text") from None
    text = "\n\n".join(pages)
    if sum(c.isalpha() for c in text) < _MIN_LETTERS:
        raise ResumeError("the PDF has no text to read, only pictures of pages (a scan or a "
                          "photo): save the résumé as PDF from the program it was written in, "
                          "or paste its text")
    return text


def _docx_text(data: bytes) -> str:
    import zipfile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise ResumeError("the file is not a readable Word (.docx) file: save it again as "
                          ".docx, PDF or plain text, or paste the text") from None
    lines = [p.text for p in document.paragraphs]
    # Many résumé templates lay out skills and jobs in tables.
    for table in document.tables:
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if cell.text not in cells:  # merged cells repeat their text
                    cells.append(cell.text)
            lines.append("\n".join(cells))
    return "\n".join(lines)


def find_skills(analyzer: Any, text: str) -> dict[str, Any]:
    """Return what a résumé shows: ``skills`` (of the skill set) and ``extras``, with evidence.

    ``analyzer`` is a ``models.analysis.Analyzer``. Every mention counts but a
    negated one: the employer's boilerplate, statements and requirement levels
    are a posting's, not a résumé's. Evidence offsets point into ``text`` of the
    result, the résumé's normalised text.
    """
    doc = parse_posting(text)
    candidates = analyzer.extractor.candidates(doc)
    cues = negation_re()
    for c in candidates:
        if c.rejected not in _NOT_CLAIMED and _negated(doc.text, c.sentence[0], c.mention.start, cues):
            c.rejected = "negated"
    # The sentence model learned what postings ask (models/sentence_skills.py); a résumé's
    # claims are read by the aliases alone.
    accepted = [c for c in candidates if c.rejected not in _NOT_CLAIMED and c.mention.via != "model"]
    skills, extras = analyzer.extractor.collect(doc.text, accepted)
    for item in skills + extras:
        item.pop("requirement", None)
    # Said not to be held, and claimed nowhere else.
    negated = sorted({c.mention.skill.id for c in candidates if c.rejected in _NOT_CLAIMED}
                     - {s["id"] for s in skills + extras})
    return {"skills": skills, "extras": extras, "negated": negated, "text": doc.text}


def _negated(text: str, sentence_start: int, start: int, cues: re.Pattern[str]) -> bool:
    """Whether a résumé's own negation ("I am not familiar with ...") stands before a mention in its clause."""
    before = text[sentence_start:start]
    cut = max((m.end() for m in CLAUSE_END_RE.finditer(before)), default=0)
    return cues.search(before, cut) is not None


@functools.lru_cache(maxsize=1)
def negation_re() -> re.Pattern[str]:
    """The phrases of ``models/data/resume-negations.txt`` as one expression, read once."""
    text = (resources.files("models.data") / NEGATIONS_FILE).read_text(encoding="utf-8")
    phrases = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    words = sorted({p for p in phrases if p}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p).replace("\\ ", r"\s+") for p in words) + r")\b", re.I)
