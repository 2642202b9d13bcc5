"""Turn a posting (plain text, an HTML fragment or a whole saved page) into blocks.

The result is a ``Document``: one normalised text that the UI shows and that
evidence offsets point into, cut into blocks (headings, list items, paragraphs),
each tagged with the section it sits in (requirements, benefits, ...). Sections
matter because a skill named in a benefits list or an equal-opportunity
statement is not something the posting asks for.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any, cast

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from models.pagemeta import job_posting_ld, job_posting_ld_text, title_from_page_title
from models.sections import assign_sections, classify_heading, is_section_name
from models.soup import make_soup
from models.text import without_surrogates

BLOCK_TAGS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 br tr td th table section article header footer "
    "blockquote pre dd dt dl hr form fieldset address main aside figure figcaption".split()
)
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6 dt".split())
DROP_TAGS = frozenset(["script", "style", "noscript", "svg", "template", "iframe", "nav", "header",
             "footer", "button", "select", "option", "head", "form", "canvas", "link", "meta"])
BOLD_TAGS = frozenset(("strong", "b"))



@dataclass
class Block:
    """A run of the document's text: a heading, a list item or a paragraph."""

    start: int
    end: int
    kind: str  # "heading", "item" or "para"
    section: str = "other"


@dataclass
class Document:
    text: str
    blocks: list[Block]
    title: str | None = None
    company: str | None = None
    date_posted: str | None = None
    salary: dict[str, Any] | None = None
    fields: dict[str, Any] = field(default_factory=dict)


_ESCAPED_TAG = re.compile(r"&(?:amp;)*lt;\s*/?\s*(?:p|br|li|ul|div|strong|b|h\d|span|ol|em|i|a|table)\b", re.I)
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?\s*>")
# Runs of spaces to fold into one; a lone plain space is left alone (most are).
_OTHER_SPACE = "\t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000"
_WS = re.compile(f"[{_OTHER_SPACE}][ {_OTHER_SPACE}]*| [ {_OTHER_SPACE}]+")
_ODD_SPACE = re.compile(f"[{_OTHER_SPACE}]")
# "<title" in any case, as lower() would find it, without lower-casing a whole page.
_TITLE_TAG = re.compile("<[tT][iI][tT][lL][eE]")
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u25cf\u25aa\u25e6\u2023\u2043\u00b7o]|\d{1,2}[.)])\s+")


def unescape_html(raw: str) -> str:
    """Undo HTML entity escaping applied once or twice (``&lt;p&gt;``, ``&amp;lt;``)."""
    for _ in range(3):
        if not _ESCAPED_TAG.search(raw):
            break
        raw = _unescape(raw)
    return raw


_PLAIN_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'"), ("&amp;", "&"))


def _unescape(raw: str) -> str:
    """``html.unescape``, with string replaces when every ``&`` opens one of the five entities escaping uses.

    Escaped markup is mostly those five, and ``html.unescape`` calls back into
    Python for each one. ``&amp;`` goes last, so ``&amp;lt;`` becomes ``&lt;``
    as in one ``html.unescape``.
    """
    if raw.count("&") != sum(raw.count(entity) for entity, _ in _PLAIN_ENTITIES):
        return html.unescape(raw)
    for entity, char in _PLAIN_ENTITIES:
        raw = raw.replace(entity, char)
    return raw


def looks_like_html(raw: str) -> bool:
    return bool(_TAG.search(raw[:20000]))


def parse_posting(raw: str) -> Document:
    """Parse plain text or HTML into a ``Document``."""
    raw = unescape_html(without_surrogates(raw))
    if looks_like_html(raw):
        return _parse_html(raw)
    return _parse_text(raw)


# --- plain text ---------------------------------------------------------------


def _parse_text(raw: str) -> Document:
    builder = _Builder()
    for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if not stripped:
            builder.flush()
            continue
        heading = _markdown_heading(stripped)
        if heading is not None:
            builder.flush()
            builder.add(heading)
            builder.flush("heading")
            continue
        bullet = _BULLET.match(stripped)
        if bullet:
            builder.flush()
            builder.add(stripped[bullet.end():])
            builder.flush("item")
            continue
        if _is_text_heading(stripped):
            builder.flush()
            builder.add(stripped)
            builder.flush("heading")
            continue
        builder.add(stripped)
        # A line break inside a paragraph of plain text usually ends a sentence-like
        # unit in job boards' text exports, so each line becomes its own block.
        builder.flush()
    builder.flush()
    doc = builder.document()
    doc.title = _first_line_title(doc)
    return doc


def _first_line_title(doc: Document) -> str | None:
    """A pasted posting's first line, when it reads as a job title.

    People paste a posting as the board shows it, its title on the first line
    ("Medical Receptionist - Boston, MA"); the title tells a receptionist from a
    nurse as a saved page's <title> does. A line that ends a sentence, labels a
    field ("Location: ..."), names a section ("Job description"), starts with no
    letter ("2 shifts per week") or runs long is not a title, nor is the whole
    posting's only line.
    """
    line = doc.text[doc.blocks[0].start:doc.blocks[0].end] if len(doc.blocks) > 1 else ""
    if (not line or len(line) > 80 or len(line.split()) > 10 or ":" in line or line[-1] in ".,;!?\u2026"
            or not line[0].isalpha() or is_section_name(line)):
        return None
    return title_from_page_title(line) or None


_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.*\S)\s*#*$")
_BOLD_LINE = re.compile(r"^(?:\*\*|__)(.{2,80}?)(?:\*\*|__)\s*:?$")
_LOWER_ASCII = re.compile("[a-z]")


def _markdown_heading(line: str) -> str | None:
    m = _MARKDOWN_HEADING.match(line)
    if m:
        return m.group(1)
    m = _BOLD_LINE.match(line)
    if m:
        return m.group(1)
    return None


def _is_section_line(line: str) -> bool:
    """A line of its own that is only a section's name, in any case: "Key duties", "What you will do".

    Job boards set section names on lines of their own, between line breaks,
    without bold or a colon. A line with any other word ("Experience of EMIS",
    "Knowledge of medical terminology") is more often an ask on a line of its own.
    """
    if line[-1] in ".,;!?:" or not is_section_name(line):
        return False
    # "Diversity and inclusion" on a line of its own is as often a value the posting names.
    return classify_heading(line) != "eeo"


def _is_text_heading(line: str) -> bool:
    if len(line) > 70:
        return False
    if line.rstrip(" -\u2013").endswith(":") and len(line.split()) <= 8:
        return True
    if _LOWER_ASCII.search(line):  # a lower-case letter: not all capitals (the common case, found fast)
        return _is_section_line(line)
    letters = [c for c in line if c.isalpha()]
    if not (len(letters) >= 4 and all(c.isupper() for c in letters) and len(line.split()) <= 8):
        return False
    # A lone capitalised word is as likely an acronym ("EMIS", "HIPAA") as a heading.
    return len(line.split()) > 1 or classify_heading(line) is not None


# --- HTML ---------------------------------------------------------------------


def _parse_html(raw: str) -> Document:
    # A saved page's JobPosting JSON-LD holds the posting: then only its
    # description needs parsing, not the whole page around it.
    posting = job_posting_ld_text(raw) if "ld+json" in raw else None
    soup = None
    if posting is None:
        soup = make_soup(raw)
        # Searching the tree costs as much as building it; look only when the
        # markup can hold what is searched for.
        posting = job_posting_ld(soup) if "ld+json" in raw else None
    if posting is not None:
        description = posting.get("description")
        if isinstance(description, str) and description.strip():
            inner = unescape_html(description)
            if looks_like_html(inner):
                doc = _parse_html_body(make_soup(inner), inner)
            else:
                doc = _parse_text(inner)
            if doc.text.strip():
                _apply_ld(doc, posting)
                return doc
    if soup is None:
        soup = make_soup(raw)
    title = None
    title_tag = soup.title if _TITLE_TAG.search(raw, 0, 200_000) else None
    if title_tag and title_tag.string:
        title = _clean(title_tag.string) or None
    doc = _parse_html_body(soup, raw)
    if title and not doc.title:
        doc.title = title_from_page_title(title)
    if posting is not None:
        _apply_ld(doc, posting)
    return doc


def _parse_html_body(soup: BeautifulSoup, raw: str) -> Document:
    root = None
    if "<main" in raw:
        root = soup.find("main")
    if root is None and "role=" in raw:
        root = soup.find(role="main")
    root = root or _first_body(soup) or soup
    builder = _Builder()
    try:
        _walk(root, builder)
    except RecursionError:
        # Markup nested deeper than Python recurses (thousands of levels) is no
        # real posting's; its text is still read, line by line, without sections.
        return _parse_text(root.get_text("\n"))
    builder.flush()
    return builder.document()


def _first_body(soup: BeautifulSoup) -> Tag | None:
    """``soup.body``, found by walking the tree: ``find`` sets up a search that costs more than the walk."""
    for element in soup.descendants:
        if isinstance(element, Tag) and element.name == "body":
            return element
    return None


def _walk(node: Tag, builder: _Builder) -> None:
    for child in node.contents:
        if not isinstance(child, Tag):  # text: a NavigableString or a subclass of it
            # Comments, CDATA and doctypes are not text of the posting.
            if type(child) is NavigableString or not isinstance(child, PreformattedString):
                builder.add(cast(NavigableString, child))
            continue
        name = child.name
        if name in DROP_TAGS:
            continue
        if name in BLOCK_TAGS:
            builder.flush()
            if name == "br":
                continue
            _walk(child, builder)
            if name in HEADING_TAGS:
                builder.flush("heading")
            elif name == "li":
                builder.flush("item")
            else:
                builder.flush()
        elif name in BOLD_TAGS:
            builder.bold_depth += 1
            _walk(child, builder)
            builder.bold_depth -= 1
        else:
            _walk(child, builder)


def _apply_ld(doc: Document, posting: dict[str, Any]) -> None:
    title = posting.get("title")
    if isinstance(title, str) and title.strip():
        doc.title = _clean(html.unescape(title))
    org = posting.get("hiringOrganization")
    if isinstance(org, dict):
        org = org.get("name")
    if isinstance(org, str) and org.strip():
        doc.company = _clean(html.unescape(org))
    date = posting.get("datePosted")
    if isinstance(date, str):
        doc.date_posted = date.strip()
    salary = posting.get("baseSalary")
    if isinstance(salary, dict):
        doc.salary = salary
    location = posting.get("jobLocation")
    if location:
        doc.fields["jobLocation"] = location


def _clean(text: str) -> str:
    if _ODD_SPACE.search(text):
        return _WS.sub(" ", text).strip()
    # Only plain spaces: fold their runs without the regular expression.
    while "  " in text:
        text = text.replace("  ", " ")
    return text.strip()


# --- building the normalised text --------------------------------------------------


class _Builder:
    """Collect text into blocks and join them into the document's text."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.bold_chars = 0
        self.bold_depth = 0
        self.out: list[str] = []
        self.blocks: list[Block] = []
        self.pos = 0

    def add(self, text: str) -> None:
        if not text:
            return
        self.parts.append(text)
        if self.bold_depth:
            self.bold_chars += len(text.strip())

    def flush(self, kind: str | None = None) -> None:
        if not self.parts:
            return
        text = _clean("".join(self.parts))
        bold_chars = self.bold_chars
        self.parts = []
        self.bold_chars = 0
        if not text:
            return
        if kind is None:
            bullet = _BULLET.match(text)
            if bullet and text[:1] in "-*\u2022\u25cf\u25aa\u25e6\u00b7":
                text = text[bullet.end():]
                kind = "item"
            elif bold_chars >= len(text) * 0.8 and len(text) <= 90:
                kind = "heading"
            elif _is_text_heading(text):
                kind = "heading"
            else:
                kind = "para"
        if self.out:
            self.out.append("\n")
            self.pos += 1
        self.out.append(text)
        self.blocks.append(Block(self.pos, self.pos + len(text), kind))
        self.pos += len(text)

    def document(self) -> Document:
        text = "".join(self.out)
        assign_sections(text, self.blocks)
        return Document(text=text, blocks=self.blocks)


def with_title(doc: Document, title: str | None) -> Document:
    """Put the posting's title first in its text, as a block of its own.

    A job title is part of what a posting asks for ("Receptionist", "Clinical
    Coder"), but a JSON-LD description or a CSV's description column leaves it out.
    When the text already starts with the title, the document is returned as is.
    The title given is the document's title, before one read from its first line.
    """
    title = _clean(title or "")
    if not title:
        return doc
    if doc.text[: len(title) + 40].lower().find(title.lower()) >= 0:
        doc.title = title
        return doc
    shift = len(title) + 1
    blocks = [Block(0, len(title), "heading", "title")]
    blocks += [Block(b.start + shift, b.end + shift, b.kind, b.section) for b in doc.blocks]
    return Document(
        text=title + "\n" + doc.text, blocks=blocks, title=title, company=doc.company,
        date_posted=doc.date_posted, salary=doc.salary, fields=doc.fields,
    )
