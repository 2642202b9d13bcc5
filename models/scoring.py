"""Score a posting against a skill set: alignment, coverage, gaps.

The alignment score is the share of the skill set's weight that the posting asks
for, 0-100; modern skills carry more weight, so a posting that asks for the
foundations only scores low. Gaps are the skill-set skills it does not ask for,
most important first.
"""

from __future__ import annotations

from typing import Any

from models.skillset import TIERS, SkillSet


def score_posting(skillset: SkillSet, found: list[dict[str, Any]]) -> dict[str, Any]:
    """Return ``score``, ``coverage`` and ``gaps`` for the skills found."""
    found_ids = {s["id"] for s in found}
    total = sum(s.weight for s in skillset.skills)
    got = sum(s.weight for s in skillset.skills if s.id in found_ids)
    score = round(100.0 * got / total, 1) if total else 0.0

    def coverage(key: str) -> dict[str, dict[str, Any]]:
        groups: dict[str, dict[str, Any]] = {}
        for skill in skillset.skills:
            g = groups.setdefault(getattr(skill, key), {"found": 0, "total": 0, "_w": 0.0, "_wf": 0.0})
            g["total"] += 1
            g["_w"] += skill.weight
            if skill.id in found_ids:
                g["found"] += 1
                g["_wf"] += skill.weight
        for g in groups.values():
            g["share"] = round(g.pop("_wf") / g.pop("_w"), 3) if g["total"] else 0.0
        return groups

    by_tier = coverage("tier")
    by_tier = {t: by_tier[t] for t in TIERS if t in by_tier}
    gaps = [
        {"id": s.id, "name": s.name, "category": s.category, "tier": s.tier, "weight": s.weight, "why": s.why}
        for s in skillset.skills
        if s.id not in found_ids
    ]
    gaps.sort(key=lambda g: (-g["weight"], g["tier"] != "modern"))
    return {"score": score, "coverage": {"tier": by_tier, "category": coverage("category")}, "gaps": gaps}
