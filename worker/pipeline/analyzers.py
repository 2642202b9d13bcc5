"""The engine's analyzer and skill sets, imported late: they are heavy."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.analysis import Analyzer


def get_analyzer(skillset: str | None) -> Analyzer:
    """Return the engine's process-wide analyzer (imported late: it is heavy)."""
    from models.analysis import Analyzer

    return Analyzer.for_skillset(skillset)


def resolve_skillset(skillset: str | None) -> tuple[str, str]:
    """Return the id of a skill set and the version its analyses are kept under
    (``models.skillset.analysis_version``); raises ``SkillSetError``."""
    from models.skillset import analysis_version, load_skillset

    loaded = load_skillset(skillset)
    return loaded.id, analysis_version(loaded)
