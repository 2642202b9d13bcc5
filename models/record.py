"""Fill in what an analysis record leaves to its skill set and to the market's data.

A record does not repeat the skill set: a skill it finds is its id, level and
evidence (the name, category and tier are the skill set's), a coverage group is
the skills found and their share (the group's size is the skill set's), the
score parts are the counts by tier (the level weights are the same in every
record), and the market names its reference postings by id. Pages, reports,
exports, the API and the CLI's table show a record through ``describe_record``;
a record stored before (engine release 8 and older) carries these itself and
keeps its own.
"""

from __future__ import annotations

from typing import Any

from models.references import market_references, serves
from models.scoring import coverage_totals, describe_parts
from models.skillset import SkillSet


def describe_skills(skills: Any, skillset: SkillSet | None) -> list[dict[str, Any]]:
    """A record's skills found, each with the ``name``, ``category`` and ``tier`` of its skill.

    A skill the skill set does not hold (or with no skill set) has only what it carries.
    """
    out = []
    for found in skills if isinstance(skills, list) else []:
        if not isinstance(found, dict):
            continue
        skill = skillset.get(str(found.get("id"))) if skillset is not None else None
        if skill is None:
            out.append(dict(found))
        else:
            out.append({"id": skill.id, "name": skill.name, "category": skill.category, "tier": skill.tier,
                        **found})
    return out


def describe_coverage(coverage: Any, skillset: SkillSet | None, locale: str | None) -> Any:
    """A record's ``coverage`` with each group's ``total``: the skills of the group that apply."""
    if not isinstance(coverage, dict) or skillset is None:
        return coverage
    totals = coverage_totals(skillset, locale)
    out: dict[str, Any] = {}
    for key, groups in coverage.items():
        if not isinstance(groups, dict):
            out[key] = groups
            continue
        out[key] = {}
        for name, group in groups.items():
            total = totals.get(key, {}).get(name)
            if isinstance(group, dict) and "total" not in group and total is not None:
                group = {"found": group.get("found"), "total": total, **group}
            out[key][name] = group
    return out


def describe_market(market: Any) -> Any:
    """A record's ``market`` with its ``reference`` postings' name, locale, size, months and source."""
    if not isinstance(market, dict) or not isinstance(market.get("reference"), str):
        return market
    reference = market_references().get(market["reference"])
    return {**market, "reference": dict(reference) if reference else {"id": market["reference"]}}


def skillset_json(skillset: SkillSet, *, skills: bool = True) -> dict[str, Any]:
    """A skill set as JSON (``SkillSet.to_json``) and, for one the market serves, the reference
    markets its records' ``market.reference`` names, by id (with its skills only)."""
    out: dict[str, Any] = dict(skillset.to_json(skills=skills))
    if skills and serves(skillset):
        out["markets"] = market_references()
    return out


def describe_record(record: dict[str, Any], skillset: SkillSet | None) -> dict[str, Any]:
    """The record with what it leaves to its skill set filled in (its gaps: ``describe_gaps``).

    ``skillset`` is the one the record names; with None, the skills and coverage
    have only what the record carries.
    """
    out = dict(record)
    if "skills" in out:
        out["skills"] = describe_skills(out["skills"], skillset)
    if "score_parts" in out:
        out["score_parts"] = describe_parts(out["score_parts"])
    if "coverage" in out:
        out["coverage"] = describe_coverage(out["coverage"], skillset, out.get("locale"))
    if "market" in out:
        out["market"] = describe_market(out["market"])
    return out
