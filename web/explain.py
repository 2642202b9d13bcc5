"""What a result's badges mean and how its numbers are made, in words.

One wording for every surface that shows a result: the result page, its print
view, a batch row, the batch report and ``skillgap analyze``'s table. The
meanings are data (``[badges]`` in ``models/data/market/scoring.toml``, beside
the level weights they describe).
"""

from __future__ import annotations

from typing import Any

from models.record import describe_market
from models.scoring import describe_parts, requirement_weights, scoring_settings
from models.skillset import SkillSet

# What the page calls each requirement level (the record says "unspecified").
LEVEL_LABELS = {"required": "required", "preferred": "preferred", "unspecified": "mentioned"}


def badge_key(kinds: tuple[str, ...] = ("tier", "level")) -> list[dict[str, str]]:
    """The badges of ``kinds`` ("tier", "level"), each with its label, CSS class and meaning."""
    badges = scoring_settings()["badges"]
    weights = requirement_weights()
    key = []
    for kind in kinds:
        for value, meaning in badges[kind].items():
            if kind == "tier":
                key.append({"label": value, "cls": f"tier-{value}", "meaning": meaning})
            else:
                key.append({"label": LEVEL_LABELS.get(value, value), "cls": f"req-{value}",
                            "meaning": f"{meaning}; counts x{weights[value]:.1f}"})
    return key


def _tier_weights(skillset: SkillSet) -> str:
    """'modern skills weigh 2-3, foundation ones 1' for a skill set."""
    parts = []
    for tier in ("modern", "foundation"):
        weights = sorted({s.weight for s in skillset.skills if s.tier == tier})
        if weights:
            span = f"{weights[0]:g}" if len(weights) == 1 else f"{weights[0]:g}-{weights[-1]:g}"
            parts.append(f"{tier} skills {span}")
    return ", ".join(parts)


def score_explanation(record: dict[str, Any]) -> list[str]:
    """How the record's weighted coverage, percentile and alignment score are made, one sentence each."""
    if record.get("error"):
        return []
    from web.skillsets import find

    named = record.get("skillset") or {}
    skillset: SkillSet | None = find(named.get("id"), named.get("version"))
    lines = []
    parts = describe_parts(record.get("score_parts"))
    if isinstance(parts, dict):
        weights = parts.get("weights") or {}
        levels = ", ".join(f"{LEVEL_LABELS.get(k, k)} x{v:.1f}" for k, v in weights.items())
        tiers = f" ({_tier_weights(skillset)})" if skillset else ""
        locale = record.get("locale")
        where = f" that apply to a {locale} posting" if locale else ""
        lines.append(
            f"Weighted coverage {parts.get('coverage')}: each skill the posting asks for counts its weight in "
            f"the skill set{tiers} times the weight of how it is asked ({levels}); the sum is taken as a share "
            f"of the total weight of the skill set's skills{where}, out of 100.")
    market, fit = describe_market(record.get("market")), record.get("fit")
    if isinstance(fit, dict) and fit.get("fits") is False:
        lines.append("Not set against the market: the posting does not look like one of the occupation, so it is not "
                     "compared with that occupation's postings.")
    elif isinstance(market, dict):
        ref = market.get("reference") or {}
        lines.append(
            f"Percentile {market.get('percentile')}: the share of the {ref.get('postings')} real "
            f"{ref.get('name')} postings ({ref.get('locale') or 'UK and US'}) whose weighted coverage is "
            "lower than this posting's, ties counting half; 50 is the middle of the market.")
    if record.get("score") is not None:
        lines.append(f"Alignment score {record['score']:g}: the share of the skill set's weight the posting "
                     "names, whatever the level it asks for it at.")
    return lines


def method() -> list[str]:
    """How the numbers are made, in general: the key under ``skillgap analyze``'s table."""
    levels = ", ".join(f"{LEVEL_LABELS.get(k, k)} x{v:.1f}" for k, v in requirement_weights().items())
    return [
        "weighted coverage: each skill asked for counts its weight in the skill set times the weight of "
        f"how it is asked ({levels}), as a share of the weight of the skill set's skills that apply in "
        "the posting's locale (0-100)",
        "percentile: the share of the real postings of the occupation and locale that the market holds "
        "whose weighted coverage is lower, ties counting half (50: the middle of the market)",
        "alignment score: the share of the skill set's weight the posting names, whatever the level",
    ]
