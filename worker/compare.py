"""A skill set against the market: what the postings of a finished batch ask for, beside
what the set covers. For a career school's curriculum, or to weigh two skill sets.

Pure functions over batch reports (``worker.report.build_report``): the run of the
postings against the set gives the demand for its skills and for the extras of its
occupation; the run against another set (the market's), when given, adds the skills
that set found and this one lacks.
"""

from __future__ import annotations

from typing import Any

from models.skillset import SkillSet

# A skill of the set that fewer postings than this ask for is shown as rarely asked;
# a skill the set lacks is shown as in demand from this share on.
RARE_SHARE = 0.05


def compare(report: dict[str, Any], skillset: SkillSet,
            market: dict[str, Any] | None = None) -> dict[str, Any]:
    """Per skill the share of postings asking (and asking it as required) beside whether
    ``skillset`` covers it; the skills in demand it lacks, its rarely asked ones, and
    the demand-weighted coverage: the share of all skill demand that the set covers."""
    own = {s.id for s in skillset.skills}
    rows: dict[str, dict[str, Any]] = {}
    for s in report.get("skills") or []:
        level = s.get("requirement") or {}
        count = s.get("count") or 0
        rows[s["id"]] = {"id": s["id"], "name": s.get("name"), "share": s.get("share", 0.0),
                         "required": (level.get("required", 0) / count) * s.get("share", 0.0) if count else 0.0,
                         "covered": s["id"] in own, "tier": s.get("tier")}
    for skill in skillset.skills:
        rows.setdefault(skill.id, {"id": skill.id, "name": skill.name, "share": 0.0, "required": 0.0,
                                   "covered": True, "tier": skill.tier})
    for source in (report, market or {}):
        for s in [*(source.get("extras") or []), *(source.get("skills") or [] if source is market else [])]:
            if s["id"] not in rows and s["id"] not in own:
                rows[s["id"]] = {"id": s["id"], "name": s.get("name"), "share": s.get("share", 0.0),
                                 "required": None, "covered": False, "tier": None}
    ordered = sorted(rows.values(), key=lambda r: (-r["share"], str(r["name"])))
    demand = sum(r["share"] for r in ordered)
    covered = sum(r["share"] for r in ordered if r["covered"])
    return {
        "skills": ordered,
        "lacking": [r for r in ordered if not r["covered"] and r["share"] >= RARE_SHARE],
        "rarely_asked": [r for r in ordered if r["covered"] and r["share"] < RARE_SHARE],
        "weighted_coverage": round(covered / demand, 4) if demand else None,
        "compared": report.get("compared", report.get("analysed")) or 0,
    }


def side_by_side(first: dict[str, Any], second: dict[str, Any]) -> list[dict[str, Any]]:
    """Two comparisons' skills in one table: each skill's share and cover in both runs."""
    names: dict[str, str] = {}
    by_run: list[dict[str, dict[str, Any]]] = []
    for run in (first, second):
        by_run.append({r["id"]: r for r in run["skills"]})
        names.update({r["id"]: r["name"] for r in run["skills"]})
    ids = sorted(names, key=lambda i: (-max(run.get(i, {}).get("share", 0.0) for run in by_run), names[i] or i))
    return [{"id": i, "name": names[i], "runs": [run.get(i) for run in by_run]} for i in ids]
