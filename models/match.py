"""Hold a résumé against a posting, against the skill set and against many postings.

The posting's record comes from ``Analyzer.analyze``; the résumé's skills from
``models.resume.find_skills``. Three lists come out, each item with its
evidence on both sides where there is some:

- ``have``: the posting asks, the résumé shows;
- ``missing``: the posting asks, the résumé does not show (required first);
- ``learn_next``: the skill set expects, neither mentions, ranked by the share of
  the real postings of the market (``models/data/market/``) that ask for it.

The match figure is the share of the posting's asks the résumé covers, each ask
weighed by its requirement level (``requirement_weights`` of
``models/data/market/scoring.toml``: required above preferred above mentioned).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from models.record import describe_skills
from models.scoring import LEVELS, requirement_weights
from models.skillset import SkillSet

_LEVEL_ORDER = {level: i for i, level in enumerate(LEVELS)}
_LEVEL_WORDS = {"required": "required", "preferred": "preferred", "unspecified": "mentioned"}


def compare(posting: Mapping[str, Any], resume: Mapping[str, Any], skillset: SkillSet,
            shares: Mapping[str, float] | None = None) -> dict[str, Any]:
    """Return ``have``, ``missing``, ``learn_next``, ``match`` and how the match was worked out.

    ``posting`` is an analysis record, ``resume`` what ``find_skills`` found;
    ``shares`` maps a skill id to the share of real postings that ask for it
    (``market_shares``), None when there is no market for the skill set.
    """
    shown = {s["id"]: s for s in [*resume["skills"], *resume["extras"]]}
    negated = set(resume.get("negated", ()))
    have, missing = [], []
    asks = [(s, False) for s in describe_skills(posting.get("skills"), skillset)] + \
        [(s, True) for s in posting.get("extras") or []]
    for skill, extra in asks:
        item = {
            "id": skill["id"], "name": skill["name"],
            "requirement": skill.get("requirement") or "unspecified", "extra": extra,
            "evidence": {"posting": _spans(skill), "resume": _spans(shown.get(skill["id"]))},
        }
        if skill["id"] in shown:
            have.append(item)
        else:
            item["negated"] = skill["id"] in negated
            missing.append(item)
    # Required first; the posting's order (the skill set's, then extras by name) within a level.
    missing.sort(key=lambda i: _LEVEL_ORDER.get(i["requirement"], len(LEVELS)))
    asked = {s["id"] for s, _ in asks}
    learn_next = _learn_next(skillset, posting.get("locale"), asked | set(shown), shares)
    also = [{"id": s["id"], "name": s["name"], "extra": s["id"] not in _own(skillset),
             "evidence": {"posting": [], "resume": _spans(s)}}
            for s in shown.values() if s["id"] not in asked]
    return {
        "have": have,
        "missing": missing,
        "learn_next": learn_next,
        "also_shown": also,
        **match_figure(have, missing),
        "posting": {"title": posting.get("title"), "company": posting.get("company"),
                    "locale": posting.get("locale"), "skillset": posting.get("skillset")},
    }


def match_figure(have: list[dict[str, Any]], missing: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``match`` (0-100, None when the posting asks for nothing) and ``match_parts``:
    per level the asks and those shown, the weights, and a sentence that says it."""
    weights = requirement_weights()
    parts = {level: {"asked": 0, "shown": 0} for level in LEVELS}
    for item, got in [(i, 1) for i in have] + [(i, 0) for i in missing]:
        level = item["requirement"] if item["requirement"] in parts else "unspecified"
        parts[level]["asked"] += 1
        parts[level]["shown"] += got
    total = sum(weights[lv] * p["asked"] for lv, p in parts.items())
    got_weight = sum(weights[lv] * p["shown"] for lv, p in parts.items())
    match = round(100 * got_weight / total) if total else None
    said = [f"{p['shown']} of {p['asked']} {_LEVEL_WORDS[level]}" for level, p in parts.items() if p["asked"]]
    if match is None:
        explained = "The posting asks for none of the skills skillgap knows: there is nothing to match."
    else:
        explained = (f"The résumé shows {len(have)} of the posting's {len(have) + len(missing)} asks "
                     f"({', '.join(said)}); weighed by level "
                     f"(required {weights['required']:g}, preferred {weights['preferred']:g}, "
                     f"mentioned {weights['unspecified']:g}) that is {match}%.")
    return {"match": match, "match_parts": {"levels": parts, "weights": weights, "explained": explained}}


def _spans(skill: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return [dict(e) for e in (skill or {}).get("evidence", [])]


def _own(skillset: SkillSet) -> frozenset[str]:
    return frozenset(s.id for s in skillset.skills)


def _learn_next(skillset: SkillSet, locale: str | None, known: set[str],
                shares: Mapping[str, float] | None) -> list[dict[str, Any]]:
    """The skill set's skills (of the posting's locale) that neither side mentions, most asked first."""
    out: list[dict[str, Any]] = [
        {"id": s.id, "name": s.name, "tier": s.tier, "why": s.why,
         "asked_share": None if shares is None else round(shares.get(s.id, 0.0), 3),
         "evidence": {"posting": [], "resume": []}}
        for s in skillset.skills if s.applies_in(locale) and s.id not in known
    ]
    weight = {s.id: s.weight for s in skillset.skills}
    out.sort(key=lambda i: (-(i["asked_share"] or 0.0), -weight[i["id"]], i["tier"] != "modern"))
    return out


def market_shares(skillset: SkillSet, locale: str | None) -> dict[str, float] | None:
    """The share of the market's real postings (of ``locale`` when it has some) asking for each skill.

    None for a skill set the reference postings do not serve.
    """
    from models.market import market_for

    if market_for(skillset) is None:
        return None
    return dict(_shares(locale))


@functools.lru_cache(maxsize=8)
def _shares(locale: str | None) -> tuple[tuple[str, float], ...]:
    from models.market import load_reference

    market = [p for p in load_reference() if p.fits and not p.excerpt]
    local = [p for p in market if p.locale == locale] if locale else []
    postings = local or market
    counts = Counter(sid for p in postings for sid in p.skills)
    return tuple((sid, n / len(postings)) for sid, n in counts.items())


# -- one résumé, many postings --------------------------------------------------------------

def rank_postings(records: Iterable[Mapping[str, Any]], resume: Mapping[str, Any],
                  limit: int = 50) -> dict[str, Any]:
    """Rank a batch's analysed postings by match, and the skills that would open the most.

    ``records`` are analysis records with a ``row``; those with an error, or asking
    for nothing skillgap knows, are counted but not ranked. A skill ``completes``
    a posting when it is the one ask the résumé misses there (the match would be
    100), and ``improves`` one where it is among the asks missed.
    """
    shown = {s["id"] for s in [*resume["skills"], *resume["extras"]]}
    ranked: list[dict[str, Any]] = []  # row, title, company, match (int), have, missing
    names: dict[str, str] = {}
    completes: Counter[str] = Counter()
    improves: Counter[str] = Counter()
    required: Counter[str] = Counter()
    unmatched = 0
    for record in records:
        asks = [*(record.get("skills") or []), *(record.get("extras") or [])]
        if record.get("error") or not asks:
            unmatched += 1
            continue
        have = [_ask(s) for s in asks if s["id"] in shown]
        missing = [_ask(s) for s in asks if s["id"] not in shown]
        missing.sort(key=lambda i: _LEVEL_ORDER.get(i["requirement"], len(LEVELS)))
        for s in asks:
            names[s["id"]] = s.get("name") or s["id"]
        for item in missing:
            improves[item["id"]] += 1
            required[item["id"]] += item["requirement"] == "required"
        if len(missing) == 1:
            completes[missing[0]["id"]] += 1
        ranked.append({
            "row": record.get("row"), "title": record.get("title"), "company": record.get("company"),
            "match": match_figure(have, missing)["match"],
            "have": [i["id"] for i in have],
            "missing": [{**i, "name": names[i["id"]]} for i in missing],
        })
    ranked.sort(key=lambda r: (-int(r["match"]), len(r["missing"]), r["row"] or 0))
    to_learn: list[dict[str, Any]] = [
        {"id": sid, "name": names[sid], "completes": completes[sid], "improves": n,
         "required_in": required[sid]}
        for sid, n in improves.items()
    ]
    to_learn.sort(key=lambda i: (-i["completes"], -i["improves"], -i["required_in"], i["name"]))
    return {"postings": ranked[:limit], "ranked": len(ranked), "unmatched": unmatched,
            "full_matches": sum(r["match"] == 100 for r in ranked), "to_learn": to_learn}


def _ask(skill: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": skill["id"], "requirement": skill.get("requirement") or "unspecified"}


def match_texts(analyzer: Any, resume_text: str, posting_text: str) -> dict[str, Any]:
    """Compare a résumé's text with a posting's (text or HTML) through ``analyzer``.

    The posting's record ``error`` (an empty posting, say) is the result's ``error``.
    """
    from models.resume import find_skills

    record = analyzer.analyze(posting_text)
    resume = find_skills(analyzer, resume_text)
    if record.get("error"):
        return {"error": f"the posting: {record['error']}"}
    shares = market_shares(analyzer.skillset, record.get("locale"))
    result = compare(record, resume, analyzer.skillset, shares)
    result["resume"] = {"skills": len(resume["skills"]) + len(resume["extras"]),
                        "negated": resume["negated"]}
    result["error"] = None
    return result
