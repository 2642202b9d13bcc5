"""What the batch report page shows beside the report's figures: its charts, each bar a
link to the postings behind it, and its breakdowns, each saying when it is cut.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for

from web.charts import Chart, bar_chart, histogram, line_chart
from web.explain import badge_key

# The skills the trend chart draws a line for (the table holds them all).
TREND_LINES = 5
# The fewest postings a month needs for the trend to give its shares (docs/scoring.md).
TREND_MIN_POSTINGS = 5
BREAKDOWNS = (
    ("country", "By country", "Country"),
    ("region", "By state or county", "State or county"),
    ("location", "By location", "Location"),
    ("company", "By company", "Company"),
    ("month", "By month", "Month"),
)
FULL_TABLES = {kind: (heading, column) for kind, heading, column in BREAKDOWNS} | {
    "gaps": ("Gaps", "Skill not asked for"), "extras": ("Extras", "Skill outside the skill set")}


def postings_link(batch_id: str) -> Callable[..., str]:
    """A function giving the link to the batch's postings table filtered by its arguments."""
    def link(**filters: str) -> str:
        values: dict[str, Any] = {"batch_id": batch_id, **filters}
        return url_for("batches.report", _anchor="postings", **values)
    return link


def _skills_chart(report: dict[str, Any], skillset_id: str | None, link: Callable[..., str]) -> Chart:
    asked = {s["id"]: s for s in report.get("skills") or []}
    from web.skillsets import find

    found = find(skillset_id)
    if found is not None:
        # Every skill of the skill set, those no posting asks for too.
        skills = [(s.id, s.name, s.tier) for s in found.skills]
    else:
        # A skill set that cannot be read again: the skills the postings ask for.
        skills = [(s["id"], s.get("name") or s["id"], s.get("tier")) for s in asked.values()]
    groups = []
    for tier, heading in (("modern", "Modern skills"), ("foundation", "Foundation skills")):
        items = [
            {"label": name, "share": asked.get(sid, {}).get("share", 0.0),
             "count": asked.get(sid, {}).get("count", 0), "cls": f"tier-{tier}",
             "href": link(skill=sid) if sid in asked else ""}
            for sid, name, skill_tier in skills if skill_tier == tier
        ]
        items.sort(key=lambda i: (-i["share"], i["label"]))
        groups.append((heading, items))
    # Postings of other occupations are left out of the shares (reports before that have no "compared").
    analysed = report.get("compared", report.get("analysed")) or 0
    return bar_chart(
        "chart-skills", "Share of postings asking for each skill", groups,
        desc=(f"For each skill of the skill set, the share of the {analysed} analysed postings "
              "that ask for it, modern skills first. Each bar links to those postings."),
    )


def _score_chart(report: dict[str, Any], link: Callable[..., str]) -> Chart:
    score = report.get("score") or {}
    bins = [dict(b, href=link(band=f"{b['from']:g}-{b['to']:g}")) for b in score.get("histogram") or []]
    return histogram(
        "chart-scores", "Distribution of alignment scores", bins,
        desc=(f"How many postings fall in each band of ten points of the alignment score; "
              f"mean {score.get('mean')}, median {score.get('median')}. Each bar links to those postings."),
    )


def _trend_chart(report: dict[str, Any]) -> Chart | None:
    """Per skill, the share of each month's postings asking for it; None with under two months.

    A month of fewer than TREND_MIN_POSTINGS postings gets no share: one posting more or
    less would swing it by tens of points. Each month's count is written under it.
    """
    trend = report.get("trend") or {}
    months, postings = trend.get("months") or [], trend.get("postings") or []
    if len(months) < 2:
        return None
    series = [{"label": s["name"] or s["id"],
               "values": [c / n if n >= TREND_MIN_POSTINGS else None
                          for c, n in zip(s["counts"], postings, strict=True)]}
              for s in trend.get("skills") or []]
    thin = sum(n < TREND_MIN_POSTINGS for n in postings)
    note = (f"{thin} of the {len(months)} months {'has' if thin == 1 else 'have'} fewer than "
            f"{TREND_MIN_POSTINGS} postings: too few for a share, so none is drawn for "
            f"{'it' if thin == 1 else 'them'}." if thin else "")
    chart = line_chart(
        "chart-trend", "Skills asked for, by month", months, series[:TREND_LINES],
        notes=[f"n={n:,}" for n in postings],
        desc=(f"For the {min(TREND_LINES, len(series))} skills most often asked for, the share of each "
              f"month's postings that ask for it; n is the month's postings. {note} "
              "The table holds every skill."),
    )
    chart.note = note
    chart.headers = ("Skill", *months)
    chart.rows = [("Postings", *(f"{n:,}" for n in postings))] + [
        (s["label"], *("too few" if v is None else f"{round(100 * v)}%" for v in s["values"]))
        for s in series]
    return chart


def breakdowns(report: dict[str, Any], batch_id: str) -> list[dict[str, Any]]:
    """Each breakdown with its rows' links, and how many groups it has when it lists fewer."""
    link = postings_link(batch_id)
    totals = report.get("groups") or {}
    out = []
    for kind, heading, column in BREAKDOWNS:
        rows = report.get(f"by_{kind}") or []
        if not rows:
            continue
        out.append({
            "kind": kind, "heading": heading, "column": column,
            "rows": [dict(g, href=link(**{kind: g["name"]})) for g in rows],
            "total": totals.get(kind, len(rows)),
            "full": url_for("batches.breakdown", batch_id=batch_id, kind=kind),
        })
    return out


def report_view(report: dict[str, Any], skillset_id: str | None, batch_id: str) -> dict[str, Any]:
    """The report's charts, breakdowns and badge key."""
    link = postings_link(batch_id)
    return {
        "skills_chart": _skills_chart(report, skillset_id, link),
        "score_chart": _score_chart(report, link),
        "trend_chart": _trend_chart(report),
        "breakdowns": breakdowns(report, batch_id),
        "tier_key": badge_key(("tier",)),
        "link": link,
    }
