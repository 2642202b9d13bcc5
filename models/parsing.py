"""Turn a posting (plain text, an HTML fragment or a whole saved page) into blocks.

The result is a ``Document``: one normalised text that the UI shows and that
evidence offsets point into, cut into blocks (headings, list items, paragraphs),
each tagged with the section it sits in (requirements, benefits, ...). Sections
matter because a skill named in a benefits list or an equal-opportunity
statement is not something the posting asks for.
"""

from __future__ import annotations

import functools
import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

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

# Section kinds a heading can start. The first pattern that matches wins, so the
# more specific kinds (preferred before requirements) come first.
SECTION_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("eeo", re.compile(
        r"equal (employment )?opportunit|\beeo\b|diversity|inclusion|non-?discriminat|"
        r"disability confident|reasonable adjustment|accessibility|affirmative action", re.I)),
    ("values", re.compile(
        r"culture of|our (core )?values|values and behaviou?rs|our behaviou?rs|code of conduct", re.I)),
    ("privacy", re.compile(r"privacy|data protection notice|gdpr notice|how we use your", re.I)),
    ("benefits", re.compile(
        r"benefit|perks|we offer|what we can offer|what'?s in it for you|why (join|work)|"
        r"rewards?\b|compensation|salary|pay (and|&) benefits|total rewards|package", re.I)),
    ("apply", re.compile(
        r"how to apply|application process|to apply|contact (details|us|information)|"
        r"further (details|information)|for (more|further) information|interview", re.I)),
    ("preferred", re.compile(
        r"desirable|preferred|nice to have|bonus (points|if)|advantageous|would be an advantage|"
        r"additional|it would be great|plus\b", re.I)),
    ("requirements", re.compile(
        r"requirement|essential|qualification|experience|skills|knowledge|person spec|"
        r"what we(?:'?re| are)? look(?:ing)? for|what you('| wi)ll (need|bring|have)|about you|"
        r"who you are|you will have|you have|must have|criteria|competenc|education|"
        r"licen[cs]|certif|abilities|attributes|the ideal candidate|you'?ll need", re.I)),
    ("responsibilities", re.compile(
        r"responsibilit|duties|main tasks|what you('| wi)ll do|the role|role (summary|overview|"
        r"purpose|description)|job (summary|description|purpose|overview|profile)|"
        r"position (summary|overview)|key (tasks|accountabilit|areas)|accountabilit|"
        r"day to day|day-to-day|your role|overview|summary|about the (role|job|position)|"
        r"essential functions|functions", re.I)),
    ("about", re.compile(
        r"about (us|the (trust|practice|company|organi[sz]ation|team|employer|department|"
        r"service|hospital))|who we are|our (mission|values|story|organi[sz]ation|practice|trust)|"
        r"company (overview|description)|working for|about [A-Z]", re.I)),
]
BOILERPLATE_SECTIONS = frozenset(("eeo", "privacy", "benefits", "values"))


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
_LD_SCRIPT = re.compile(
    r"<script\b[^>]*\btype\s*=\s*[\"']?application/ld\+json[^>]*>(.*?)</script\s*>", re.I | re.S
)
# "<title" in any case, as lower() would find it, without lower-casing a whole page.
_TITLE_TAG = re.compile("<[tT][iI][tT][lL][eE]")
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u25cf\u25aa\u25e6\u2023\u2043\u00b7o]|\d{1,2}[.)])\s+")


def _ld_without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, dict):
        return {k: _ld_without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ld_without_surrogates(v) for v in value]
    return value


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
    return builder.document()


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


# The words job boards name their sections with. A short title-case line made of
# them alone is a section name; one with any other word ("Experience of EMIS",
# "Knowledge of Medical Terminology") is more often an ask on a line of its own.
_SECTION_WORDS = frozenset(
    "a an and & / - of for in to the our your us you key main core job role position "
    "summary overview description responsibilities responsibility duties duty functions "
    "essential essentials typical supervisory areas area qualifications qualification "
    "requirements requirement required experience education skills skill abilities "
    "knowledge competencies criteria preferred desired desirable additional information "
    "minimum basic personal licensure license licenses licence certification certifications "
    "registration registrations benefits benefit perks package compensation pay rewards "
    "culture excellence behavior behaviour behaviors behaviours expectations values "
    "who we are what will do bring need needed have must".split()
)


def _is_title_case_heading(line: str) -> bool:
    """A short title-case line of section words only: "Education and Experience".

    Job boards set section names on lines of their own, between line breaks,
    without bold or a colon.
    """
    words = line.replace("/", " / ").split()
    if len(words) > 6 or len(line) > 50 or not line[0].isupper() or line[-1] in ".,;!?:":
        return False
    if not all(w.lower().strip(",") in _SECTION_WORDS for w in words):
        return False
    if not all(w[0].isupper() for w in words if len(w) > 3):
        return False
    return classify_heading(line) not in (None, "eeo")


def _is_text_heading(line: str) -> bool:
    if len(line) > 70:
        return False
    if line.rstrip(" -\u2013").endswith(":") and len(line.split()) <= 8:
        return True
    if _LOWER_ASCII.search(line):  # a lower-case letter: not all capitals (the common case, found fast)
        return _is_title_case_heading(line)
    letters = [c for c in line if c.isalpha()]
    if not (len(letters) >= 4 and all(c.isupper() for c in letters) and len(line.split()) <= 8):
        return False
    # A lone capitalised word is as likely an acronym ("EMIS", "HIPAA") as a heading.
    return len(line.split()) > 1 or classify_heading(line) is not None


# --- HTML ---------------------------------------------------------------------


def _parse_html(raw: str) -> Document:
    # A saved page's JobPosting JSON-LD holds the posting: then only its
    # description needs parsing, not the whole page around it.
    posting = _job_posting_ld_text(raw) if "ld+json" in raw else None
    soup = None
    if posting is None:
        soup = make_soup(raw)
        # Searching the tree costs as much as building it; look only when the
        # markup can hold what is searched for.
        posting = _job_posting_ld(soup) if "ld+json" in raw else None
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
        doc.title = _title_from_page_title(title)
    if posting is not None:
        _apply_ld(doc, posting)
    return doc


_TITLE_SEPARATOR = re.compile(r"\s+[|\u2013\u2014-]\s+")
# What a job board puts after the title: its place ("Palo Alto, CA", "Park Ridge, IL
# 60068") and its site ("Indeed.com").
_TITLE_PLACE = re.compile(r"[A-Z][\w .'-]*,\s*[A-Z]{2}(?:\s+\d{5})?|remote", re.I)
_TITLE_SITE = re.compile(r"[\w-]+\.(?:com|org|net|co\.uk)|jobs?|careers?", re.I)


def _title_from_page_title(title: str) -> str:
    """The job title in a page's <title>.

    A job board's "Data Engineer \u2013 Systems and Configuration - Palo Alto, CA" loses
    only its place (and site); otherwise the title is what stands before the first
    separator ("Patient Access Lead - Mercyhealth | Careers").
    """
    cuts = list(_TITLE_SEPARATOR.finditer(title))
    end, placed = len(title), False
    for cut in reversed(cuts):
        tail = title[cut.end():end].strip()
        if _TITLE_PLACE.fullmatch(tail):
            placed = True
        elif not _TITLE_SITE.fullmatch(tail):
            break
        end = cut.start()
    if placed and title[:end].strip():
        return title[:end].strip()
    return (title[:cuts[0].start()].strip() if cuts else "") or title.strip()


def _parse_html_body(soup: BeautifulSoup, raw: str) -> Document:
    root = None
    if "<main" in raw:
        root = soup.find("main")
    if root is None and "role=" in raw:
        root = soup.find(attrs={"role": "main"})
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
        if element.name == "body":
            return element
    return None


def _walk(node: Tag, builder: _Builder) -> None:
    for child in node.contents:
        name = getattr(child, "name", None)
        if name is None:  # text
            # Comments, CDATA and doctypes are not text of the posting.
            if type(child) is NavigableString or not isinstance(child, PreformattedString):
                builder.add(child)
            continue
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


def _job_posting_ld(soup: BeautifulSoup) -> dict[str, Any] | None:
    """Return the schema.org JobPosting JSON-LD object of a page, if it has one."""
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(script.string or script.get_text() or "")
        except (ValueError, TypeError):
            continue
        found = _find_job_posting(data)
        if found is not None:
            return _ld_without_surrogates(found)
    return None


def _job_posting_ld_text(raw: str) -> dict[str, Any] | None:
    """The JobPosting JSON-LD of a page found in its markup, without building a tree."""
    for m in _LD_SCRIPT.finditer(raw):
        try:
            found = _find_job_posting(json.loads(m.group(1)))
        except ValueError:
            continue
        if found is not None:
            return _ld_without_surrogates(found)
    return None


def _find_job_posting(data: Any) -> dict[str, Any] | None:
    if isinstance(data, list):
        for item in data:
            found = _find_job_posting(item)
            if found is not None:
                return found
    elif isinstance(data, dict):
        kind = data.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if "JobPosting" in kinds:
            return data
        if "@graph" in data:
            return _find_job_posting(data["@graph"])
    return None


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


@functools.lru_cache(maxsize=4096)
def classify_heading(text: str) -> str | None:
    """Return the section kind a heading starts, or None for an unrecognised heading."""
    text = text.strip().rstrip(":-\u2013 ").strip()
    if len(text) > 90:
        return None
    for kind, pattern in SECTION_PATTERNS:
        if pattern.search(text):
            return kind
    return None


_FIELD_LINE = re.compile(r"^\s*([^:\u2013\u2014-]{1,40}?)\s*(?::|\s[\u2013\u2014-])\s*\S")
_RULE_LINE = re.compile(r"^[\s_\-=*~.\u2013\u2014]{5,}$")
# "customer service experience: 2 years (Preferred)": a job board's qualification line.
_QUALIFICATION_LINE = re.compile(r"\((preferred|required)\)\s*$", re.I)
_LEAD_IN_LINE = re.compile(r"^\s*(essential|desirable|preferred|required)\b[^:]{0,25}:", re.I)


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
        # "Essential:" / "Desirable:" lead-ins inside a paragraph also open a section.
        m = _LEAD_IN_LINE.match(line[:40])
        if m:
            current = "preferred" if m.group(1).lower() in ("desirable", "preferred") else "requirements"
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
        block.section = current


def with_title(doc: Document, title: str | None) -> Document:
    """Put the posting's title first in its text, as a block of its own.

    A job title is part of what a posting asks for ("Receptionist", "Clinical
    Coder"), but a JSON-LD description or a CSV's description column leaves it out.
    When the text already starts with the title, the document is returned as is.
    """
    title = _clean(title or "")
    if not title:
        return doc
    if doc.text[: len(title) + 40].lower().find(title.lower()) >= 0:
        doc.title = doc.title or title
        return doc
    shift = len(title) + 1
    blocks = [Block(0, len(title), "heading", "title")]
    blocks += [Block(b.start + shift, b.end + shift, b.kind, b.section) for b in doc.blocks]
    return Document(
        text=title + "\n" + doc.text, blocks=blocks, title=doc.title or title, company=doc.company,
        date_posted=doc.date_posted, salary=doc.salary, fields=doc.fields,
    )
