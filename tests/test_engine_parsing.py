"""Parsing postings into text and blocks: plain text, HTML fragments, escaped HTML, saved pages."""

from __future__ import annotations

import csv
import html
import json
import random
from pathlib import Path

import pytest

from models.parsing import (
    Document,
    classify_heading,
    looks_like_html,
    parse_posting,
    unescape_html,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PAGES = ROOT.parent / "shared" / "data" / "pages"


def blocks(doc: Document) -> list[tuple[str, str, str]]:
    """(kind, section, text) of every block."""
    return [(b.kind, b.section, doc.text[b.start:b.end]) for b in doc.blocks]


def assert_consistent(doc: Document) -> None:
    """Blocks are ordered, do not overlap, and are joined by single newlines."""
    prev_end = -1
    for b in doc.blocks:
        assert 0 <= b.start < b.end <= len(doc.text)
        assert b.start > prev_end
        if prev_end >= 0:
            assert doc.text[prev_end:b.start] == "\n"
        piece = doc.text[b.start:b.end]
        assert piece == piece.strip() and "\n" not in piece
        prev_end = b.end
    if doc.blocks:
        assert doc.blocks[0].start == 0 and doc.blocks[-1].end == len(doc.text)


# --- plain text -------------------------------------------------------------------------

PLAIN = """Medical Receptionist

About the role
We are a busy family practice.

RESPONSIBILITIES
- Schedule appointments
* Greet patients at the front desk
\u2022 Verify insurance
1. Answer multi-line phones

Requirements:
- Two years of experience with Epic

## Benefits
- Dental insurance
"""


def test_plain_text_headings_and_bullets():
    doc = parse_posting(PLAIN)
    assert_consistent(doc)
    assert blocks(doc) == [
        ("para", "other", "Medical Receptionist"),
        ("heading", "responsibilities", "About the role"),
        ("para", "responsibilities", "We are a busy family practice."),
        ("heading", "responsibilities", "RESPONSIBILITIES"),
        ("item", "responsibilities", "Schedule appointments"),
        ("item", "responsibilities", "Greet patients at the front desk"),
        ("item", "responsibilities", "Verify insurance"),
        ("item", "responsibilities", "Answer multi-line phones"),
        ("heading", "requirements", "Requirements:"),
        ("item", "requirements", "Two years of experience with Epic"),
        ("heading", "benefits", "Benefits"),
        ("item", "benefits", "Dental insurance"),
    ]
    # Bullet markers are dropped from the text the evidence offsets point into.
    assert "- Schedule" not in doc.text and "\u2022" not in doc.text and "##" not in doc.text
    assert doc.title == "Medical Receptionist"  # its first line reads as a job title


def test_plain_text_bold_markdown_heading_and_crlf():
    doc = parse_posting(
        "**Essential criteria**\r\nGCSE English\r\n\r\n**Desirable**\r\nExperience of EMIS\r\n"
    )
    assert blocks(doc) == [
        ("heading", "requirements", "Essential criteria"),
        ("para", "requirements", "GCSE English"),
        ("heading", "preferred", "Desirable"),
        ("para", "preferred", "Experience of EMIS"),
    ]
    assert "\r" not in doc.text


@pytest.mark.parametrize(
    "raw",
    [
        "Desirable:\nEMIS\nMedical terminology",
        "<h3>Desirable</h3><p>EMIS</p><p>Medical terminology</p>",
    ],
)
def test_acronym_alone_on_a_line_is_not_a_heading(raw):
    doc = parse_posting(raw)
    assert blocks(doc)[1:] == [
        ("para", "preferred", "EMIS"), ("para", "preferred", "Medical terminology")]


def test_plain_text_collapses_whitespace():
    doc = parse_posting("Answer   phones\tand\u00a0greet   patients.")
    assert doc.text == "Answer phones and greet patients."


def test_text_with_angle_brackets_is_not_html():
    assert not looks_like_html("Typing speed > 50 wpm and < 5 errors")
    doc = parse_posting("Typing speed > 50 wpm and < 5 errors")
    assert doc.text == "Typing speed > 50 wpm and < 5 errors"


# --- HTML fragments -----------------------------------------------------------------------

FRAGMENT = (
    "<h2>Job summary</h2><p>Support the <b>outpatient</b> clinic.</p>"
    "<h2>Essential</h2><ul><li>Audio typing</li><li>Knowledge of ICD-10</li></ul>"
    "<h2>Desirable</h2><ul><li>Experience of EMIS</li></ul>"
    "<h2>Benefits</h2><ul><li>NHS pension</li><li>Dental insurance</li></ul>"
    "<h3>Equal opportunity</h3><p>We welcome applications from everyone.</p>"
)


def test_html_fragment_headings_and_list_items():
    doc = parse_posting(FRAGMENT)
    assert_consistent(doc)
    assert blocks(doc) == [
        ("heading", "responsibilities", "Job summary"),
        ("para", "responsibilities", "Support the outpatient clinic."),
        ("heading", "requirements", "Essential"),
        ("item", "requirements", "Audio typing"),
        ("item", "requirements", "Knowledge of ICD-10"),
        ("heading", "preferred", "Desirable"),
        ("item", "preferred", "Experience of EMIS"),
        ("heading", "benefits", "Benefits"),
        ("item", "benefits", "NHS pension"),
        ("item", "benefits", "Dental insurance"),
        ("heading", "eeo", "Equal opportunity"),
        ("para", "eeo", "We welcome applications from everyone."),
    ]
    assert "<" not in doc.text and ">" not in doc.text


def test_html_entities_are_decoded():
    doc = parse_posting("<p>Letters &amp; reports &ndash; A&amp;E &pound;20k</p>")
    assert doc.text == "Letters & reports \u2013 A&E \u00a320k"


def test_bold_paragraph_is_a_heading():
    doc = parse_posting("<p><strong>Person specification</strong></p><p>Good IT skills.</p>")
    assert blocks(doc) == [
        ("heading", "requirements", "Person specification"),
        ("para", "requirements", "Good IT skills."),
    ]


def test_br_splits_blocks_and_lead_ins_open_sections():
    doc = parse_posting(
        "<p>Essential: typing at 40 wpm.<br>Desirable: knowledge of SystmOne.<br>"
        "Preferred qualifications: CMA.</p>"
    )
    assert [(k, s) for k, s, _ in blocks(doc)] == [
        ("para", "requirements"), ("para", "preferred"), ("para", "preferred"),
    ]


# --- NHS-style escaped HTML ------------------------------------------------------------------

RAW_NHS = (
    "<p><strong>Job Purpose</strong></p><p>Audio typing of clinic letters &amp; reports "
    "for the consultants.</p><ul><li>Use SystmOne</li><li>Book appointments</li></ul>"
    "<p><strong>Benefits</strong></p><p>NHS pension</p>"
)


def escape(raw: str) -> str:
    return raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_escaped_once_and_twice_give_the_same_text():
    once = escape(RAW_NHS)
    twice = escape(once)
    assert once.startswith("&lt;p&gt;") and twice.startswith("&amp;lt;p&amp;gt;")
    docs = [parse_posting(x) for x in (RAW_NHS, once, twice)]
    expected = (
        "Job Purpose\nAudio typing of clinic letters & reports for the consultants.\n"
        "Use SystmOne\nBook appointments\nBenefits\nNHS pension"
    )
    for doc in docs:
        assert doc.text == expected
        assert blocks(doc) == blocks(docs[0])
    assert [s for _, s, _ in blocks(docs[1])] == [
        "responsibilities", "responsibilities", "responsibilities", "responsibilities",
        "benefits", "benefits",
    ]


def test_unescape_html_leaves_plain_entities_in_text_alone():
    # No escaped tag: nothing to undo, so a literal "&amp;" in plain text stays.
    assert unescape_html("Fish &amp; chips") == "Fish &amp; chips"
    assert unescape_html("&amp;amp;lt;p&amp;amp;gt;x") == "<p>x"


def test_unescaping_by_replaces_is_html_unescape():
    """The fast path for the five plain entities gives what ``html.unescape`` gives, on any mix."""
    from models.parsing import _unescape

    rng = random.Random(7)
    parts = ["&lt;", "&gt;", "&amp;", "&quot;", "&#39;", "&", "amp;", "lt;", "&lt", "&#", "&#039;",
             "&nbsp;", "&amp;lt;", "&amp;amp;", "x", " ", ";", "<", "\u00e9"]
    for _ in range(20_000):
        s = "".join(rng.choice(parts) for _ in range(rng.randrange(1, 12)))
        assert _unescape(s) == html.unescape(s), s


def test_real_nhs_row_escaped_again_parses_the_same():
    with open(EXAMPLES / "postings.csv", encoding="utf-8", newline="") as fh:
        row = next(csv.DictReader(fh))
    description = row["description"]
    assert description.startswith("&lt;p&gt;")
    once = parse_posting(description)
    twice = parse_posting(description.replace("&", "&amp;"))
    assert once.text == twice.text
    assert "&lt;" not in once.text and "<p>" not in once.text and "&amp;" not in once.text
    assert once.text.startswith("Our Trust\n")
    assert len(once.text) > 500


# --- whole saved pages ------------------------------------------------------------------------

LD = {
    "@context": "https://schema.org",
    "@type": "JobPosting",
    "title": "Patient Access Representative",
    "hiringOrganization": {"@type": "Organization", "name": "Acme Health &amp; Care"},
    "datePosted": "2025-04-01",
    "baseSalary": {
        "@type": "MonetaryAmount", "currency": "USD",
        "value": {"@type": "QuantitativeValue", "minValue": 18.5, "maxValue": 22,
                  "unitText": "HOUR"},
    },
    "description": "&lt;p&gt;&lt;strong&gt;Responsibilities&lt;/strong&gt;&lt;/p&gt;&lt;ul&gt;"
                   "&lt;li&gt;Verify insurance eligibility&lt;/li&gt;"
                   "&lt;li&gt;Register patients in "
                   "Epic&lt;/li&gt;&lt;/ul&gt;",
}

NOISE = ("STYLETEXT", "SCRIPTTEXT", "NAVTEXT", "HEADERTEXT", "FOOTERTEXT", "COOKIETEXT",
         "COMMENTTEXT")


def saved_page(ld: object) -> str:
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Careers | Acme | Search jobs</title>
<style>.job {{ color: red }} /* STYLETEXT */</style>
<script>window.tracker = "SCRIPTTEXT";</script>
<script type="application/ld+json">{json.dumps(ld)}</script>
</head><body>
<nav><a href="/">NAVTEXT Home</a> <a href="/jobs">Jobs</a></nav>
<header>HEADERTEXT Acme careers</header>
<!-- COMMENTTEXT -->
<div class="page"><h1>Patient Access Representative</h1>
<p>Greet patients and answer phones.</p>
<noscript>SCRIPTTEXT enable javascript</noscript>
<form><button>COOKIETEXT Accept cookies</button></form></div>
<footer>FOOTERTEXT Privacy policy</footer>
<script>console.log("SCRIPTTEXT")</script>
</body></html>"""


def test_saved_page_with_json_ld():
    doc = parse_posting(saved_page(LD))
    assert doc.title == "Patient Access Representative"
    assert doc.company == "Acme Health & Care"
    assert doc.date_posted == "2025-04-01"
    assert doc.salary == LD["baseSalary"]
    # The posting's own description is used, not the page around it.
    assert doc.text == "Responsibilities\nVerify insurance eligibility\nRegister patients in Epic"
    for noise in NOISE:
        assert noise not in doc.text


def test_saved_page_with_json_ld_in_a_graph_without_description():
    ld = {k: v for k, v in LD.items() if k != "description"}
    graph = {"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, ld]}
    doc = parse_posting(saved_page(graph))
    assert doc.title == "Patient Access Representative"
    assert doc.company == "Acme Health & Care"
    assert doc.date_posted == "2025-04-01"
    # Falls back to the page body, without scripts, styles, navigation or footers.
    assert doc.text == (
        "Patient Access Representative\nGreet patients and answer phones."
    )
    for noise in NOISE:
        assert noise not in doc.text


def test_broken_json_ld_is_ignored():
    page = saved_page(LD).replace(json.dumps(LD), '{"@type": "JobPosting", broken')
    doc = parse_posting(page)
    assert doc.title == "Careers"
    assert doc.company is None and doc.salary is None
    assert "Greet patients and answer phones." in doc.text


def test_page_without_json_ld_uses_title_tag():
    page = (
        "<html><head><title>Medical Biller \u2013 Sunrise Clinic | Careers</title>"
        "<script>SCRIPTTEXT</script><style>STYLETEXT</style></head>"
        "<body><nav>NAVTEXT</nav><div><h2>Duties</h2><ul><li>Submit claims</li></ul></div>"
        "<footer>FOOTERTEXT</footer></body></html>"
    )
    doc = parse_posting(page)
    assert doc.title == "Medical Biller"
    assert doc.company is None and doc.date_posted is None and doc.salary is None
    assert doc.text == "Duties\nSubmit claims"


def test_main_element_is_preferred_to_the_rest_of_the_body():
    page = (
        "<html><body><div>SIDEBARTEXT other jobs</div><main><h2>Duties</h2>"
        "<p>Book appointments.</p></main><div>SIMILARTEXT</div></body></html>"
    )
    doc = parse_posting(page)
    assert doc.text == "Duties\nBook appointments."


def test_example_medical_secretary_page():
    doc = parse_posting((EXAMPLES / "medical-secretary.html").read_text(encoding="utf-8"))
    assert_consistent(doc)
    assert doc.title == "Medical Secretary"
    assert doc.text.startswith("Medical Secretary\nLivewell Southwest CIC")
    assert "audio typing of clinic dictations" in doc.text
    assert "<" not in doc.text


REAL_PAGES = {
    "mercyhealth-patient-access-lead-39494.html": ("Patient Access Lead", "Mercyhealth"),
    "indeed-medical-cash-poster.html": ("Medical Cash Poster", "Ignite Medical Resorts"),
    "indeed-village-green-assistant-manager.html": ("Assistant Manager", "Village Green"),
}


@pytest.mark.parametrize("name", sorted(REAL_PAGES))
def test_real_saved_pages(name):
    path = PAGES / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    raw = path.read_text(encoding="utf-8", errors="replace")
    doc = parse_posting(raw)
    assert_consistent(doc)
    assert (doc.title, doc.company) == REAL_PAGES[name]
    assert doc.date_posted and doc.date_posted[:4] in ("2024", "2025")
    assert isinstance(doc.salary, dict)
    # 65-770 KB of page around a few KB of posting.
    assert 500 < len(doc.text) < 20_000 < len(raw)
    for noise in ("function(", "var ", "{display", "window.", "cookie"):
        assert noise not in doc.text


# --- sections --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "section"),
    [
        ("Essential", "requirements"),
        ("Essential criteria:", "requirements"),
        ("Requirements", "requirements"),
        ("Qualifications", "requirements"),
        ("What you'll need", "requirements"),
        ("Desirable", "preferred"),
        ("Preferred qualifications", "preferred"),
        ("Nice to have", "preferred"),
        ("Benefits", "benefits"),
        ("What we offer", "benefits"),
        ("Perks", "benefits"),
        ("Equal opportunity", "eeo"),
        ("Equal Employment Opportunity", "eeo"),
        ("Diversity and inclusion", "eeo"),
        ("Privacy notice", "privacy"),
        ("How to apply", "apply"),
        ("Responsibilities", "responsibilities"),
        ("Main duties", "responsibilities"),
        ("About us", "about"),
    ],
)
def test_classify_heading(heading, section):
    assert classify_heading(heading) == section


def test_unrecognised_heading_resets_the_section():
    doc = parse_posting("<h2>Benefits</h2><p>Pension</p><h2>Parking</h2><p>Free parking.</p>")
    assert [s for _, s, _ in blocks(doc)] == ["benefits", "benefits", "other", "other"]
    assert classify_heading("Parking") is None


_TREE_PAGES = [
    "<p>One <b>two</b></p><ul><li>three</li></ul>",
    "<html><head><title>T</title></head><body><div class='a b'>x &amp; y</div></body></html>",
    "<p>unclosed <i>tags<p>and <br> breaks</span></div>",
    # Namespaced names, scripts and styles (strings of their own classes), comments.
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    '<use xlink:href="#a"/></svg><x:tag xml:lang="en">t</x:tag>',
    "<script>var a = '<p>';</script><style>p {}</style><!-- note --><p>after</p>",
    "<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><body><p>x</p></body></html>",
    # White space kept in <pre> and <textarea>, folded elsewhere; a <meta> charset; list attributes.
    "<meta charset='utf-8'><pre>  a <b> b </b>\n</pre> \n <textarea> t </textarea>"
    "<td headers='a b' class=' c  d '>  </td><a rel='x y'>z</a><template><p>t</p></template>",
    "<!DOCTYPE html><table><tr><td>1<td>2</table><dl><dt>a<dd>b</dl>",
]


def _same_tree(ours, stock):
    from models.soup import same_tree

    return same_tree(ours, stock)


def test_the_tree_builder_builds_what_beautifulsoup_builds():
    from bs4 import BeautifulSoup

    from models import soup

    for markup in _TREE_PAGES * 2:  # the second time round, the kept parser is used again
        ours, stock = soup.make_soup(markup), BeautifulSoup(markup, "lxml")
        assert str(ours) == str(stock)
        assert [(type(s), s) for s in ours.descendants] == [(type(s), s) for s in stock.descendants]
        assert _same_tree(ours, stock), markup
    # Plain tags and strings were linked directly, not by BeautifulSoup's routine.
    assert soup._builders.lxml is not None and soup._builders.lxml.direct_ok


def test_the_tree_builder_builds_real_postings_as_beautifulsoup_does():
    from bs4 import BeautifulSoup

    from models.parsing import looks_like_html, unescape_html
    from models.soup import make_soup

    pages = sorted(PAGES.glob("*.html")) if PAGES.is_dir() else []
    if not pages:
        pytest.skip("the shared data folder is absent")
    markups = [unescape_html(p.read_text(encoding="utf-8")) for p in pages]
    for line in (PAGES.parent / "postings" / "nhs_jobs_2020_medical_office.jsonl").open(encoding="utf-8"):
        markups.append(unescape_html(json.loads(line)["description"]))
    for markup in markups:
        if looks_like_html(markup):
            assert _same_tree(make_soup(markup), BeautifulSoup(markup, "lxml"))


def _random_markup(rng, depth=0):
    """Tag soup: nested, unclosed and stray tags of every kind, odd attributes, entities, comments."""
    tags = ("p div span b i li ul br table tr td pre textarea script style template meta a main nav "
            "svg math title body html head dl dt form select option img").split()
    attrs = ['class="a b"', "id=x", 'rel="n f"', 'headers="h1 h2"', 'xml:lang="en"', 'xlink:href="#a"',
             'xmlns="http://www.w3.org/2000/svg"', 'xmlns:x="urn:x"', 'x:y="1"', 'charset="utf-8"',
             'http-equiv="Content-Type" content="text/html; charset=utf-8"', 'CLASS="Up"', 'data-x=""']
    texts = ["text", "  ", "\n", " \t ", "&amp;", "&lt;p&gt;", "a&nbsp;b", "<!-- c -->", "<![CDATA[x]]>",
             "<?php x ?>", "\u00e9", "'", "<!DOCTYPE html>", "&#x1F600;", "x\r\ny"]
    out = []
    for _ in range(rng.randint(0, 6)):
        r = rng.random()
        if r < 0.4 or depth > 5:
            out.append(rng.choice(texts))
        elif r < 0.9:
            tag = rng.choice(tags).upper() if rng.random() < 0.2 else rng.choice(tags)
            inner, attr = _random_markup(rng, depth + 1), " ".join(rng.sample(attrs, rng.randint(0, 2)))
            out.append(rng.choice([f"<{tag} {attr}>{inner}</{tag}>", f"<{tag} {attr}>{inner}",
                                   f"<{tag} {attr}/>{inner}</{rng.choice(tags)}>"]))
        else:
            out.append(f"</{rng.choice(tags)}>")
    return "".join(out)


def test_the_tree_builder_builds_random_tag_soup_as_beautifulsoup_does():
    import random

    from bs4 import BeautifulSoup

    from models.soup import make_soup

    rng = random.Random(5)
    for _ in range(400):
        markup = _random_markup(rng)
        assert _same_tree(make_soup(markup), BeautifulSoup(markup, "lxml")), markup


def test_the_tree_builder_falls_back_to_beautifulsoups_path_when_the_sample_differs(monkeypatch):
    from bs4 import BeautifulSoup

    from models import soup

    # As if BeautifulSoup kept something per tag that the direct path does not set.
    monkeypatch.setattr(soup, "_TAG_OWN", soup._TAG_OWN | {"hidden"})
    builder = soup._new_builder()
    assert builder is None
    monkeypatch.setattr(soup._builders, "lxml", builder)
    for markup in _TREE_PAGES:
        assert _same_tree(soup.make_soup(markup), BeautifulSoup(markup, "lxml"))


def test_the_tree_builder_falls_back_to_beautifulsoup_when_its_set_up_fails(monkeypatch):
    """The set-up raising (here: the sample lacks the tag it reads): every posting still parses."""
    from bs4 import BeautifulSoup

    from models import soup
    from models.parsing import parse_posting

    monkeypatch.setattr(soup, "_SAMPLE", soup._SAMPLE.replace("span", "i"))
    assert soup._new_builder() is None
    monkeypatch.delattr(soup._builders, "lxml", raising=False)
    for markup in _TREE_PAGES:
        assert _same_tree(soup.make_soup(markup), BeautifulSoup(markup, "lxml"))
    assert "Medical receptionist" in parse_posting("<h2>Medical receptionist</h2><p>Greet patients.</p>").text


def test_the_reusing_tree_builder_keeps_no_tree_and_serves_each_thread_its_own():
    import threading

    from models import soup as soups

    soup = soups.make_soup("<p>" + "word " * 1000 + "</p>")
    assert soups._builders.lxml.soup is None
    assert soup.get_text().count("word") == 1000

    results: dict[int, list[str]] = {}

    def parse_many(n: int) -> None:
        results[n] = [soups.make_soup(f"<p>thread {n} posting {i}</p>").get_text() for i in range(200)]

    threads = [threading.Thread(target=parse_many, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for n in range(4):
        assert results[n] == [f"thread {n} posting {i}" for i in range(200)]


@pytest.mark.parametrize(("page_title", "title"), [
    ("Data Engineer \u2013 Systems and Configuration - Palo Alto, CA",
     "Data Engineer \u2013 Systems and Configuration"),
    ("Medical Cash Poster - Park Ridge, IL 60068 - Indeed.com", "Medical Cash Poster"),
    ("Front Desk Receptionist - Remote", "Front Desk Receptionist"),
    ("Patient Access Lead - Mercyhealth | Careers", "Patient Access Lead"),
    ("Receptionist", "Receptionist"),
])
def test_title_tag_loses_only_what_a_job_board_adds(page_title, title):
    doc = parse_posting(f"<html><head><title>{page_title}</title></head><body><p>Greet patients.</p></body></html>")
    assert doc.title == title


def test_lone_surrogates_become_replacement_characters():
    doc = parse_posting('<script type="application/ld+json">{"@type": "JobPosting", "title": "Clerk \\ud800", '
                        '"description": "<p>Use EMIS \\udfff daily</p>"}</script>')
    assert doc.title == "Clerk \ufffd"
    assert doc.text == "Use EMIS \ufffd daily"
    assert parse_posting("Use EMIS \ud800 daily").text == "Use EMIS \ufffd daily"


def test_markup_nested_thousands_deep_is_still_read():
    doc = parse_posting("<p>" + "<div>" * 5000 + "Greet patients." + "</div>" * 5000 + "</p>")
    assert doc.text == "Greet patients."


def test_a_job_boards_title_case_section_lines_are_headings():
    # An applicant tracking system's template: section names on lines of their own.
    raw = ("<p>Run the laboratory.</p> <br>Responsibilities<br><br><ul><li>Perform tests</li></ul>"
           "<br>Education and Experience<br><br><p>A degree in science.</p>"
           "<br>Culture of Excellence Behavior Expectations<br><br><p>Abides by our confidentiality agreement.</p>")
    assert [b for b in blocks(parse_posting(raw)) if b[0] == "heading"] == [
        ("heading", "responsibilities", "Responsibilities"),
        ("heading", "requirements", "Education and Experience"),
        ("heading", "values", "Culture of Excellence Behavior Expectations"),
    ]


@pytest.mark.parametrize("line", [
    "Promoting equality and diversity",  # a duty in sentence case
    "Inclusion & Collaboration",  # one of a list of values
    "Salary: Band 5",  # a field of the job
    "Experienced",  # one of a list of qualities
    "Experience of EMIS",  # an ask on a line of its own
    "Knowledge of Medical Terminology",
])
def test_other_short_lines_are_not_headings(line):
    doc = parse_posting(f"<p>Intro.</p><br>{line}<br><p>Answer the telephone.</p>")
    assert blocks(doc)[1][0] == "para"


@pytest.mark.parametrize(("text", "title"), [
    ("Triage Clinician (Part-Time)\nLocation: Morton Hospital\nThe clinician refers patients.",
     "Triage Clinician (Part-Time)"),
    ("Medical Receptionist - Boston, MA\nGreets patients on arrival.", "Medical Receptionist"),
    ("BILLING ASSOCIATE\nPosts insurance payments.", "BILLING ASSOCIATE"),
    # A sentence, a field's label, a section's name, or the only line are no title.
    ("We are hiring a receptionist.\nGreets patients on arrival.", None),
    ("Location: Boston, MA\nGreets patients on arrival.", None),
    ("Job description\nGreets patients on arrival.", None),
    ("2 shifts per week\nGreets patients on arrival.", None),
    ("Just a few of the benefits enjoyed by our employees\u2026\nDental cover.", None),
    ("Medical Receptionist", None),
])
def test_a_pasted_postings_first_line_is_its_title_when_it_reads_as_one(text, title):
    assert parse_posting(text).title == title


def test_a_title_given_outranks_the_first_line():
    from models.analysis import Analyzer

    analyzer = Analyzer.for_skillset()
    record = analyzer.analyze("Nurse - Boston, MA\nGreets patients.", title="Medical Receptionist")
    assert record["title"] == "Medical Receptionist"
    assert analyzer.analyze("Medical Receptionist\nGreets patients on arrival.")["title"] == "Medical Receptionist"
