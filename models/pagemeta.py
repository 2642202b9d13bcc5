"""What a saved job page says about its posting besides its text: the JobPosting JSON-LD and the title.

A job board's page carries the posting as schema.org JSON-LD (its description,
title, employer, date, pay) and names the job in its <title>; both are read
here, apart from the cutting of text into blocks.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bs4 import BeautifulSoup

from models.text import without_surrogates

_LD_SCRIPT = re.compile(
    r"<script\b[^>]*\btype\s*=\s*[\"']?application/ld\+json[^>]*>(.*?)</script\s*>", re.I | re.S
)
def _ld_without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, dict):
        return {k: _ld_without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ld_without_surrogates(v) for v in value]
    return value


def job_posting_ld(soup: BeautifulSoup) -> dict[str, Any] | None:
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


def job_posting_ld_text(raw: str) -> dict[str, Any] | None:
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



_TITLE_SEPARATOR = re.compile(r"\s+[|\u2013\u2014-]\s+")
# What a job board puts after the title: its place ("Palo Alto, CA", "Park Ridge, IL
# 60068") and its site ("Indeed.com").
_TITLE_PLACE = re.compile(r"[A-Z][\w .'-]*,\s*[A-Z]{2}(?:\s+\d{5})?|remote", re.I)
_TITLE_SITE = re.compile(r"[\w-]+\.(?:com|org|net|co\.uk)|jobs?|careers?", re.I)


def title_from_page_title(title: str) -> str:
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
