"""Score a posting against a skill set: alignment, coverage, gaps.

The alignment score is the share of the skill set's weight that the posting asks
for, 0-100; modern skills carry more weight, so a posting that asks for the
foundations only scores low. Gaps are the skill-set skills it does not ask for,
most important first. Only the skills that apply in the posting's locale count
(a US credential is no gap of an NHS post); with no locale known, all do.
"""

from __future__ import annotations

import functools
from typing import Any

from models.skillset import TIERS, SkillSet


def score_posting(skillset: SkillSet, found: list[dict[str, Any]], locale: str | None = None) -> dict[str, Any]:
    """Return ``score``, ``coverage`` and ``gaps`` for the skills found.

    A gap names its skill only (id, name, tier, category, weight): why it matters,
    and the rest of what the skill set says of it, are the skill set's to tell.
    """
    found_ids = {s["id"] for s in found}
    total, weighted, groups, gaps = _layout(skillset, locale)
    got = sum([w for i, w in weighted if i in found_ids])
    score = round(100.0 * got / total, 1) if total else 0.0
    coverage: dict[str, dict[str, dict[str, Any]]] = {}
    for key, members in groups.items():
        coverage[key] = {}
        for name, (pairs, total_weight) in members.items():
            hits = [w for i, w in pairs if i in found_ids]
            coverage[key][name] = {
                "found": len(hits), "total": len(pairs), "share": round(sum(hits) / total_weight, 3) if pairs else 0.0,
            }
    return {
        "score": score,
        "coverage": coverage,
        "gaps": [g.copy() for g in gaps if g["id"] not in found_ids],
    }


@functools.lru_cache(maxsize=32)
def _layout(
    skillset: SkillSet, locale: str | None,
) -> tuple[float, list[tuple[str, float]], dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """What scoring needs of a skill set in one locale, worked out once.

    Total weight, (id, weight) of each skill, each group's (id, weight) pairs
    and total weight, and the gaps in order.
    """
    skills = [s for s in skillset.skills if s.applies_in(locale)]
    total = sum(s.weight for s in skills)
    weighted = [(s.id, s.weight) for s in skills]
    groups: dict[str, dict[str, Any]] = {}
    for key in ("tier", "category"):
        members: dict[str, tuple[list[str], list[float], float]] = {}
        for skill in skills:
            ids, weights, _ = members.setdefault(getattr(skill, key), ([], [], 0.0))
            ids.append(skill.id)
            weights.append(skill.weight)
        members = {
            name: (list(zip(ids, weights, strict=True)), sum(weights)) for name, (ids, weights, _) in members.items()
        }
        if key == "tier":
            members = {t: members[t] for t in TIERS if t in members}
        groups[key] = members
    gaps = [
        {"id": s.id, "name": s.name, "tier": s.tier, "category": s.category, "weight": s.weight}
        for s in skills
    ]
    gaps.sort(key=lambda g: (-g["weight"], g["tier"] != "modern"))
    return total, weighted, groups, gaps
