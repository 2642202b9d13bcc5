"""The engine's analyzer and skill sets, resolved by ``worker.skillsets`` (the engine is
imported late: it is heavy)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from worker import skillsets

if TYPE_CHECKING:
    from models.analysis import Analyzer


def get_analyzer(url: str, skillset: str | None) -> Analyzer:
    """Return the engine's process-wide analyzer for a batch's skill-set reference."""
    return skillsets.analyzer(url, skillset)


def resolve_skillset(url: str, skillset: str | None) -> skillsets.Pinned:
    """Pin a skill-set reference to the version a new batch records; raises ``SkillSetError``."""
    return skillsets.pin(url, skillset)
