"""Turn an analysis record into what the result page shows: groups, highlights, meanings.

Pure functions over the engine's record; the templates escape every string they
print, so the posting's own HTML never reaches the page.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from models.pay import compare_pay
from models.record import describe_market, describe_record
from models.scoring import describe_gaps, describe_parts, scoring_settings
from models.skillset import SkillSet, builtin_skillsets
from web.explain import LEVEL_LABELS, badge_key, score_explanation

CATEGORY_LABELS = {
    "technology": "Technology",
    "billing_coding": "Billing and coding",
    "compliance": "Compliance and privacy",
    "medical_knowledge": "Medical knowledge",
    "office_procedures": "Office procedures",
    "people": "People skills",
    "credentials": "Credentials",
    "management": "Management",
}
REQUIREMENT_LABELS = LEVEL_LABELS
CURRENCY = {"USD": "$", "GBP": "£", "EUR": "€"}
LOCALE_LABELS = {"US": "US", "UK": "UK"}
PAY_NOTES = {
    "within": "Within the skill set's {where}range.",
    "overlaps": "Overlaps the skill set's {where}range: partly inside it, partly outside.",
    "below": "Below the skill set's {where}range.",
    "above": "Above the skill set's {where}range.",
}


def category_label(category: str | None) -> str:
    if not category:
        return "Other"
    return CATEGORY_LABELS.get(category, category.replace("_", " ").capitalize())


def score_meaning(score: float | None) -> str:
    """One line on what an alignment score means."""
    if score is None:
        return "No score: the posting could not be analysed."
    if score >= 70:
        return "Close to the modern skill set: the posting asks for most of what matters."
    if score >= 45:
        return "Partly aligned: the posting covers the basics but misses several modern skills."
    if score >= 20:
        return "Behind the modern skill set: many of its important skills are not asked for."
    return "Far from the modern skill set: the posting asks for few of its skills."


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def percentile_meaning(percentile: int) -> str:
    """One line on where a posting stands among real postings of its occupation."""
    if percentile >= 75:
        return "Ahead of most postings like it: it asks for more of the modern skill set than three in four."
    if percentile >= 40:
        return "Around the middle of the market: it asks for about as much of the skill set as postings like it."
    if percentile >= 15:
        return "Behind most postings like it: most real postings of this occupation ask for more."
    return "Far behind postings like it: nearly every real posting of this occupation asks for more."


def market_view(record: dict[str, Any]) -> dict[str, Any] | None:
    """The headline of a posting that fits its occupation: its percentile among real postings.

    None for a record without a market (a user's skill set, or one analysed before
    the market existed): the page then shows the alignment score as before.
    """
    market = describe_market(record.get("market"))
    fit = record.get("fit")
    if not isinstance(market, dict) or not isinstance(fit, dict) or not fit.get("fits"):
        return None
    reference = market.get("reference") or {}
    where = [reference.get("locale") or "UK and US"]
    if reference.get("dates"):
        where.append(str(reference["dates"]))
    percentile = int(market.get("percentile") or 0)
    return {
        "percentile": percentile,
        "ordinal": ordinal(percentile),
        "meaning": percentile_meaning(percentile),
        "among": f"among {reference.get('postings')} real {reference.get('name')} postings ({', '.join(where)})",
        "source": reference.get("source"),
    }


def not_fitting(record: dict[str, Any]) -> str | None:
    """A plain statement for a posting that is not of the skill set's occupation, else None."""
    fit = record.get("fit")
    if not isinstance(fit, dict) or fit.get("fits") is not False:
        return None
    name = ((describe_market(record.get("market")) or {}).get("reference") or {}).get("name") or fit.get("occupation")
    likelihood = round(100 * float(fit.get("probability") or 0))
    return (f"This does not look like a {name} posting (likelihood {likelihood}%). The skills it asks for "
            f"are listed below, but it is not compared with {name} postings, so there is no verdict.")


def parts_view(record: dict[str, Any]) -> dict[str, Any] | None:
    """The weighted coverage and what went into it, by requirement level."""
    parts = describe_parts(record.get("score_parts"))
    if not isinstance(parts, dict):
        return None
    weights, counts = parts.get("weights") or {}, parts.get("level") or {}
    return {
        "coverage": parts.get("coverage"),
        "rows": [{"level": REQUIREMENT_LABELS.get(level, level), "weight": weights[level],
                  "count": counts.get(level, 0)} for level in weights],
    }


def split_gaps(gaps: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    """Gaps that postings like this one usually ask for, and the rest; None without similar shares."""
    if not gaps or any("similar_share" not in g for g in gaps):
        return None
    threshold = float(scoring_settings()["similar"]["ask_share"])
    usual = [g for g in gaps if (g.get("similar_share") or 0) >= threshold]
    return usual, [g for g in gaps if (g.get("similar_share") or 0) < threshold]


def skillset_choices() -> list[tuple[str, str]]:
    """The built-in sets, then those this browser created."""
    from web.skillsets import mine

    return [(s.id, s.name) for s in builtin_skillsets()] + mine()


def skillset_name(skillset_id: str | None) -> str:
    found = _skillset(skillset_id)
    return found.name if found else str(skillset_id or "")


def _skillset(skillset_id: str | None, version: str | None = None) -> SkillSet | None:
    """The skill set a record was made with (None: unknown, e.g. since removed)."""
    from web.skillsets import find

    return find(skillset_id, version)


def gap_view(record: dict[str, Any], ranked: bool = False) -> list[dict[str, Any]]:
    """The record's gaps, each with its name, tier, weight and why it matters from the skill set.

    Kept in the record's order when ``ranked`` (by what similar postings ask) and every
    gap has its ``similar_share``; otherwise most important first. A record names its
    gaps by id only; an older one that still carries a name or a ``why`` keeps them.
    """
    skillset = _skillset((record.get("skillset") or {}).get("id"))
    gaps = []
    for gap in describe_gaps(record.get("gaps"), skillset):
        skill = skillset.get(str(gap.get("id"))) if skillset else None
        gaps.append({**gap, "why": gap.get("why") or (skill.why if skill else None)})
    if not ranked or any("similar_share" not in g for g in gaps):
        gaps.sort(key=lambda g: (-(g.get("weight") or 0), g.get("tier") != "modern"))
    return gaps


def not_counted_view(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The skill set's skills that do not apply in the posting's locale, with their counterparts."""
    locale = record.get("locale")
    skillset = _skillset((record.get("skillset") or {}).get("id"))
    if not locale or not skillset:
        return []
    return [{"name": s.name, "applies": ", ".join(s.applies), "counterpart": s.counterpart}
            for s in skillset.skills if not s.applies_in(locale)]


def group_skills(skills: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Group found skills by category: modern first within a group, then by name."""
    groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for skill in skills:
        groups.setdefault(category_label(skill.get("category")), []).append(skill)
    for items in groups.values():
        items.sort(key=lambda s: (s.get("tier") != "modern", str(s.get("name"))))
    return sorted(groups.items(), key=lambda kv: -len(kv[1]))


@dataclass
class Segment:
    text: str
    kind: str | None = None  # None (plain), "skill" or "extra"
    label: str | None = None
    anchor: str | None = None
    # The anchors of evidence spans this highlight stands for, besides its own:
    # spans that overlap it and so are not highlighted apart.
    covers: tuple[str, ...] = ()


def highlight(text: str | None, record: dict[str, Any]) -> list[Segment]:
    """Cut the posting's text into plain and highlighted segments, one per evidence span.

    Overlapping spans keep the first (skills before extras); a span left out is
    listed in the ``covers`` of the highlight it overlaps, so that its evidence
    link still has somewhere to go. Offsets outside the text, or whose words are
    not the evidence's (a text normalised again by another version of the engine),
    are ignored rather than trusted.
    """
    if not text:
        return []
    spans: list[tuple[int, int, str, str, str]] = []
    for kind, key in (("skill", "skills"), ("extra", "extras")):
        for item in record.get(key) or []:
            if not isinstance(item, dict):
                continue
            for n, ev in enumerate(item.get("evidence") or []):
                start, end = ev.get("start"), ev.get("end")
                if (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
                        and ev.get("text") in (None, text[start:end])):
                    spans.append((start, end, kind, str(item.get("name") or item.get("id")),
                                  f"ev-{item.get('id')}-{n}"))
    spans.sort(key=lambda s: (s[0], s[2] != "skill", -s[1]))
    out: list[Segment] = []
    pos = 0
    for start, end, kind, label, anchor in spans:
        if start < pos:
            # Spans are in order of start: the last highlight is the one this overlaps.
            last = next(seg for seg in reversed(out) if seg.anchor)
            last.covers += (anchor,)
            continue
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], kind, label, anchor))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def evidence_links(segments: list[Segment]) -> dict[str, str]:
    """Each evidence anchor -> the anchor on the page that shows its words."""
    return {a: seg.anchor for seg in segments if seg.anchor for a in (seg.anchor, *seg.covers)}


def money(value: float | int | None, currency: str | None) -> str:
    if value is None:
        return "?"
    symbol = CURRENCY.get(currency or "", "")
    amount = f"{value:,.0f}"
    return f"{symbol}{amount}" if symbol else f"{amount} {currency or ''}".strip()


def pay_view(record: dict[str, Any], skillset_id: str | None) -> dict[str, Any] | None:
    """Return the posting's pay beside the skill set's range for its locale, when either is known.

    The range is the one of the posting's locale, or with no locale the one in the
    posting's currency: a pound salary is never set beside a dollar range. With
    neither pay nor locale known, every range is shown, compared with nothing.
    """
    found = record.get("pay") if isinstance(record.get("pay"), dict) else None
    skillset = _skillset(skillset_id)
    locale = record.get("locale") if record.get("locale") in LOCALE_LABELS else None
    # The range is the skill set's occupation's: a posting of another is not held against it.
    fits = (record.get("fit") or {}).get("fits") is not False
    ranges: list[dict[str, Any]] = []
    if skillset and fits:
        if found or locale:
            one = skillset.pay_range(locale, found.get("currency") if found else None)
            ranges = [one] if one else []
        else:
            ranges = list(skillset.pay.values())
    if not found and not ranges:
        return None
    view: dict[str, Any] = {"posting": None, "articles": [], "note": None, "verdict": None}
    if found:
        low, high = (money(found.get(k), found.get("currency")) for k in ("annual_min", "annual_max"))
        view["posting"] = {
            "text": found.get("text"),
            # "£18,138 a year" for one figure, not "£18,138 – £18,138".
            "annual": f"{low} a year" if low == high else f"{low} – {high} a year",
        }
    for article in ranges:
        where = f"{article['locale']} " if article.get("locale") else ""
        view["articles"].append({
            "label": f"The skill set's {where}range",
            "range": f"{money(article.get('min'), article.get('currency'))} – "
                     f"{money(article.get('max'), article.get('currency'))} a "
                     f"{article.get('period', 'year')}",
            "source": article.get("source"),
        })
        if found:
            view["verdict"] = compare_pay(found, article)
            if view["verdict"]:
                view["note"] = PAY_NOTES[view["verdict"]].format(where=where)
    if found and not fits:
        view["note"] = ("Not compared with the skill set's pay range: that range is for its own "
                        "occupation, and this posting is of another.")
    elif found and not ranges and skillset and skillset.pay:
        view["note"] = (f"The posting pays in {found.get('currency')}; the skill set has no range in it"
                        f"{' for ' + locale + ' postings' if locale else ''}, so the two are not compared.")
    return view


def _page_ref(record: dict[str, Any]) -> str | None:
    """The id of the skill-set page a record's gaps link to (None: no such set)."""
    named = record.get("skillset") or {}
    sid, version = named.get("id"), named.get("version")
    found = _skillset(sid, version)
    if found is None:
        return None
    return sid if found.builtin or not version else f"{sid}@{version}"


def result_view(record: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    """Everything the result template shows, from one analysis record (filled in from its
    skill set: ``models.record``)."""
    named = record.get("skillset") or {}
    skillset = named.get("id")
    record = describe_record(record, _skillset(skillset, named.get("version")))
    segments = highlight(text, record)
    statement = not_fitting(record)
    # A posting of another occupation is not ranked by postings like it: most important first.
    gaps = gap_view(record, ranked=not statement)
    return {
        "record": record,
        "score": record.get("score"),
        "meaning": score_meaning(record.get("score")),
        "skillset_name": skillset_name(skillset),
        # Every stored skill set has a page of its own; a created one's, at the version used.
        "skillset_id": _page_ref(record),
        "market": market_view(record),
        "not_fitting": statement,
        "parts": parts_view(record),
        "gap_groups": split_gaps(gaps),
        "similar_postings": (record.get("market") or {}).get("similar_postings"),
        "groups": group_skills(record.get("skills") or []),
        "gaps": gaps,
        "locale": record.get("locale"),
        "not_counted": not_counted_view(record),
        "extras": record.get("extras") or [],
        "pay": pay_view(record, skillset),
        "segments": segments,
        "links": evidence_links(segments),
        "requirement_labels": REQUIREMENT_LABELS,
        "category_label": category_label,
        "how": score_explanation(record),
        "badge_key": badge_key,
    }


def skillset_view(skillset: SkillSet) -> dict[str, Any]:
    """What the skill-set page shows: its skills by tier, heaviest first, and its pay ranges."""
    tiers = []
    for tier, heading in (("modern", "Modern skills"), ("foundation", "Foundation skills")):
        skills = sorted((s for s in skillset.skills if s.tier == tier), key=lambda s: (-s.weight, s.name))
        tiers.append((heading, [{"skill": s, "category": category_label(s.category)} for s in skills]))
    ranges = [{"locale": r.get("locale"),
               "range": f"{money(r.get('min'), r.get('currency'))} – "
                        f"{money(r.get('max'), r.get('currency'))} a {r.get('period', 'year')}",
               "source": r.get("source")} for r in skillset.pay.values()]
    return {"skillset": skillset, "tiers": tiers, "ranges": ranges, "tier_key": badge_key(("tier",))}
