"""Turn an analysis record into what the result page shows: groups, highlights, meanings.

Pure functions over the engine's record; the templates escape every string they
print, so the posting's own HTML never reaches the page.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from models.skillset import SkillSetError, builtin_skillsets, load_skillset

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
REQUIREMENT_LABELS = {"required": "required", "preferred": "preferred", "unspecified": "mentioned"}
CURRENCY = {"USD": "$", "GBP": "£", "EUR": "€"}


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


def skillset_choices() -> list[tuple[str, str]]:
    return [(s.id, s.name) for s in builtin_skillsets()]


def skillset_name(skillset_id: str | None) -> str:
    try:
        return load_skillset(skillset_id).name
    except SkillSetError:
        return str(skillset_id or "")


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


def highlight(text: str | None, record: dict[str, Any]) -> list[Segment]:
    """Cut the posting's text into plain and highlighted segments, one per evidence span.

    Overlapping spans keep the first (skills before extras); offsets outside the
    text, or whose words are not the evidence's (a text normalised again by another
    version of the engine), are ignored rather than trusted.
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
                    spans.append((start, end, kind, str(item.get("name")),
                                  f"ev-{item.get('id')}-{n}"))
    spans.sort(key=lambda s: (s[0], s[2] != "skill", -s[1]))
    out: list[Segment] = []
    pos = 0
    for start, end, kind, label, anchor in spans:
        if start < pos:
            continue
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], kind, label, anchor))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def money(value: float | int | None, currency: str | None) -> str:
    if value is None:
        return "?"
    symbol = CURRENCY.get(currency or "", "")
    amount = f"{value:,.0f}"
    return f"{symbol}{amount}" if symbol else f"{amount} {currency or ''}".strip()


def pay_view(record: dict[str, Any], skillset_id: str | None) -> dict[str, Any] | None:
    """Return the posting's pay beside the skill set's range, when either is known."""
    found = record.get("pay") if isinstance(record.get("pay"), dict) else None
    try:
        article = load_skillset(skillset_id).pay or None
    except SkillSetError:
        article = None
    if not found and not article:
        return None
    view: dict[str, Any] = {"posting": None, "article": None, "note": None}
    if found:
        low, high = (money(found.get(k), found.get("currency")) for k in ("annual_min", "annual_max"))
        view["posting"] = {
            "text": found.get("text"),
            # "£18,138 a year" for one figure, not "£18,138 – £18,138".
            "annual": f"{low} a year" if low == high else f"{low} – {high} a year",
        }
    if article:
        view["article"] = {
            "range": f"{money(article.get('min'), article.get('currency'))} – "  # type: ignore[arg-type]
                     f"{money(article.get('max'), article.get('currency'))} a "  # type: ignore[arg-type]
                     f"{article.get('period', 'year')}",
            "source": article.get("source"),
        }
    if found and article:
        if found.get("currency") != article.get("currency"):
            view["note"] = (f"The posting pays in {found.get('currency')}, the skill set's range "
                            f"is in {article.get('currency')}: not directly comparable.")
        else:
            low, high = found.get("annual_min"), found.get("annual_max")
            a_low, a_high = article.get("min"), article.get("max")
            if isinstance(high, int | float) and isinstance(a_low, int | float) and high < a_low:
                view["note"] = "Below the skill set's range."
            elif isinstance(low, int | float) and isinstance(a_high, int | float) and low > a_high:
                view["note"] = "Above the skill set's range."
            else:
                view["note"] = "Within the skill set's range."
    return view


def result_view(record: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    """Everything the result template shows, from one analysis record."""
    skillset = (record.get("skillset") or {}).get("id")
    gaps = sorted(record.get("gaps") or [], key=lambda g: (-(g.get("weight") or 0),
                                                          g.get("tier") != "modern"))
    return {
        "record": record,
        "score": record.get("score"),
        "meaning": score_meaning(record.get("score")),
        "skillset_name": skillset_name(skillset),
        "groups": group_skills(record.get("skills") or []),
        "gaps": gaps,
        "extras": record.get("extras") or [],
        "pay": pay_view(record, skillset),
        "segments": highlight(text, record),
        "requirement_labels": REQUIREMENT_LABELS,
        "category_label": category_label,
    }


def report_view(report: dict[str, Any], skillset_id: str | None) -> dict[str, Any]:
    """The report's charts: skill shares against the skill set's tiers, the score histogram."""
    from web.charts import bar_chart, histogram

    asked = {s["id"]: s for s in report.get("skills") or []}
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    try:
        skills = list(load_skillset(skillset_id).skills)
    except SkillSetError:
        skills = []
    for tier, heading in (("modern", "Modern skills"), ("foundation", "Foundation skills")):
        items = [
            {"label": s.name, "share": asked.get(s.id, {}).get("share", 0.0),
             "count": asked.get(s.id, {}).get("count", 0), "cls": f"tier-{tier}"}
            for s in skills if s.tier == tier
        ]
        items.sort(key=lambda i: (-i["share"], i["label"]))
        groups.append((heading, items))
    analysed = report.get("analysed") or 0
    skills_chart = bar_chart(
        "chart-skills", "Share of postings asking for each skill", groups,
        desc=(f"For each skill of the skill set, the share of the {analysed} analysed postings "
              "that ask for it, modern skills first."),
    )
    score = report.get("score") or {}
    score_chart = histogram(
        "chart-scores", "Distribution of alignment scores", score.get("histogram") or [],
        desc=(f"How many postings fall in each band of ten points of the alignment score; "
              f"mean {score.get('mean')}, median {score.get('median')}."),
    )
    return {"skills_chart": skills_chart, "score_chart": score_chart}
