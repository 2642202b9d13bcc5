"""Score a posting against a skill set: alignment, coverage, gaps.

The alignment score is the share of the skill set's weight that the posting asks
for, 0-100; modern skills carry more weight, so a posting that asks for the
foundations only scores low. Gaps are the skill-set skills it does not ask for,
most important first. Only the skills that apply in the posting's locale count
(a US credential is no gap of an NHS post); with no locale known, all do.

``score_parts`` weighs each skill found by the level at which the posting asks
for it (``models/data/market/scoring.toml``), and ``rank_gaps`` orders the gaps by how
often postings like this one ask for them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

from models.skillset import DATA_PACKAGE, TIERS, SkillSet, SkillSetError, load_skillset, remembered
from models.toml import tomllib

LEVELS = ("required", "preferred", "unspecified")
_BUILTIN_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")


def score_posting(skillset: SkillSet, found: list[dict[str, Any]], locale: str | None = None) -> dict[str, Any]:
    """Return ``score``, ``coverage`` and ``gaps`` for the skills found.

    A gap is its skill's id, the gaps most important first: the skill's name,
    tier, weight and why it matters are the skill set's to tell (``describe_gaps``),
    not repeated in every record. So is how many skills each tier and category
    holds (``coverage_totals``): a coverage group gives the skills found and their share.
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
            coverage[key][name] = {"found": len(hits), "share": round(sum(hits) / total_weight, 3) if pairs else 0.0}
    return {
        "score": score,
        "coverage": coverage,
        # A skill is no gap where the posting asks for one that stands for it.
        "gaps": [{"id": sid} for sid, stand_ins in gaps if sid not in found_ids and found_ids.isdisjoint(stand_ins)],
    }


@functools.lru_cache(maxsize=32)
def _layout(
    skillset: SkillSet, locale: str | None,
) -> tuple[float, list[tuple[str, float]], dict[str, dict[str, Any]], list[tuple[str, frozenset[str]]]]:
    """What scoring needs of a skill set in one locale, worked out once.

    Total weight, (id, weight) of each skill, each group's (id, weight) pairs
    and total weight, and the gaps in order, each with the skills that stand for it.
    """
    skills = [s for s in skillset.skills if s.applies_in(locale)]
    total = sum(s.weight for s in skills)
    weighted = [(s.id, s.weight) for s in skills]
    groups: dict[str, dict[str, Any]] = {}
    for key in ("tier", "category"):
        collected: dict[str, tuple[list[str], list[float]]] = {}
        for skill in skills:
            ids, weights = collected.setdefault(getattr(skill, key), ([], []))
            ids.append(skill.id)
            weights.append(skill.weight)
        members = {
            name: (list(zip(ids, weights, strict=True)), sum(weights)) for name, (ids, weights) in collected.items()
        }
        if key == "tier":
            members = {t: members[t] for t in TIERS if t in members}
        groups[key] = members
    gaps = [(s.id, frozenset(s.alternatives)) for s in sorted(skills, key=lambda s: (-s.weight, s.tier != "modern"))]
    return total, weighted, groups, gaps


@functools.lru_cache(maxsize=1)
def scoring_settings() -> dict[str, Any]:
    """The scoring data file (``models/data/market/scoring.toml``), read once."""
    with (resources.files(DATA_PACKAGE) / "market" / "scoring.toml").open("rb") as f:
        return tomllib.load(f)


def coverage_totals(skillset: SkillSet, locale: str | None = None) -> dict[str, dict[str, int]]:
    """How many of the skill set's skills that apply in the locale each tier and category holds."""
    groups = _layout(skillset, locale)[2]
    return {key: {name: len(pairs) for name, (pairs, _) in members.items()} for key, members in groups.items()}


def requirement_weights() -> dict[str, float]:
    """The weight of each requirement level (required > preferred > mentioned)."""
    weights = scoring_settings()["requirement_weights"]
    return {level: float(weights[level]) for level in LEVELS}


def weighted_coverage(skillset: SkillSet, asked: Mapping[str, str], locale: str | None = None) -> float:
    """0-100: the weight of the skill set's skills that apply in the locale the posting asks for,
    each skill times its level's weight.

    ``asked`` maps skill id to requirement level; ids outside the skill set count nothing.
    """
    total, weighted, _, _ = _layout(skillset, locale)
    levels = requirement_weights()
    got = sum(w * levels.get(asked[i], levels["unspecified"]) for i, w in weighted if i in asked)
    return round(100.0 * got / total, 1) if total else 0.0


def score_parts(skillset: SkillSet, found: list[dict[str, Any]], locale: str | None = None) -> dict[str, Any]:
    """The skills found counted by tier and level, and the weighted coverage.

    The level weights (``requirement_weights``) and the counts by level (the sums
    over tiers) are the same in every record or follow from it: ``describe_parts``
    fills them in.
    """
    asked = {s["id"]: s.get("requirement") or "unspecified" for s in found}
    tiers = {s.id: s.tier for s in skillset.skills}
    by_tier = {t: {level: 0 for level in LEVELS} for t in TIERS}
    for skill_id, level in asked.items():
        if skill_id in tiers:
            by_tier[tiers[skill_id]][level if level in LEVELS else "unspecified"] += 1
    return {"tier": by_tier, "coverage": weighted_coverage(skillset, asked, locale)}


def describe_parts(parts: Any) -> Any:
    """A record's ``score_parts`` with the level ``weights`` and the counts by ``level``.

    Those of an older record that carries them are kept.
    """
    if not isinstance(parts, dict):
        return parts
    by_tier = parts.get("tier")
    tiers: list[dict[str, Any]] = []
    if isinstance(by_tier, dict):
        tiers = [c for c in by_tier.values() if isinstance(c, dict)]
    level = {lv: sum([int(c.get(lv) or 0) for c in tiers]) for lv in LEVELS}
    return {"weights": parts.get("weights") or requirement_weights(), "tier": parts.get("tier"),
            "level": parts.get("level") or level, **parts}


def rank_gaps(gaps: list[dict[str, Any]], shares: Mapping[str, float]) -> list[dict[str, Any]]:
    """The gaps with their ``similar_share``, most often asked by similar postings first.

    Gaps asked equally often keep their order (``score_posting``'s: most important first).
    """
    ranked = [{**g, "similar_share": shares.get(g["id"], 0.0)} for g in gaps]
    ranked.sort(key=lambda g: -g["similar_share"])
    return ranked


def describe_gaps(gaps: Any, skillset: SkillSet | None) -> list[dict[str, Any]]:
    """A record's gaps, each with the ``name``, ``tier``, ``category`` and ``weight`` of its skill.

    A record gives a gap's id (and ``similar_share``) only; the rest is the skill
    set's. A gap of an older record that carries these keeps its own, and one whose
    skill the skill set does not hold (or with no skill set) has only what it carries.
    """
    out = []
    for gap in gaps if isinstance(gaps, list) else []:
        if not isinstance(gap, dict):
            continue
        skill = skillset.get(str(gap.get("id"))) if skillset is not None else None
        if skill is None:
            out.append(dict(gap))
        else:
            out.append({"name": skill.name, "tier": skill.tier, "category": skill.category,
                        "weight": skill.weight, **gap})
    return out


def record_skillset(record: Mapping[str, Any]) -> SkillSet | None:
    """The skill set a record names: a built-in one, or a stored one this process has
    loaded (``models.skillset.remember``); None for none, or one not known here."""
    named = record.get("skillset") or {}
    skillset_id = named.get("id")
    if isinstance(skillset_id, str) and (stored := remembered(skillset_id, str(named.get("version")))):
        return stored
    # A built-in id only: never a path that a stored record could name.
    if not isinstance(skillset_id, str) or not _BUILTIN_ID.fullmatch(skillset_id):
        return None
    try:
        return load_skillset(skillset_id)
    except SkillSetError:
        return None
