"""Skill sets: the data files that say what an occupation's modern skill set is.

A skill set is a TOML file (see ``models/data/medical-office-specialist.toml``),
loaded and validated once. Errors name the file, the line and the problem, since
users write their own skill sets.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from models.locale import LOCALES_FILE
from models.sections import SECTIONS_FILE
from models.toml import tomllib
from models.trades import TRADES_FILE

TIERS = ("foundation", "modern")
DATA_PACKAGE = "models.data"
DEFAULT_SKILLSET = "medical-office-specialist"
EXTRAS_FILE = "extra-skills.toml"
# The catalogues of skills outside a skill set ("extras"), by the name a skill set's
# ``extras`` gives; a set that names none gets the general one.
EXTRAS_CATALOGUES = {"medical-office": EXTRAS_FILE, "general": "extras-general.toml"}
DEFAULT_EXTRAS = "general"
SOURCES_FILE = "skill-sources.toml"
# The other data files beside the skill sets: the extras catalogues, the section names,
# the locales' cues, the trades' cues and where the built-in sets come from.
NOT_SKILLSETS = frozenset((*EXTRAS_CATALOGUES.values(), SECTIONS_FILE, LOCALES_FILE, TRADES_FILE,
                           SOURCES_FILE))
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class SkillSetError(ValueError):
    """A skill-set file is missing or malformed; the message names file and line."""


@dataclass(frozen=True)
class Alias:
    """One way a posting can name a skill.

    ``case`` makes the match case-sensitive (``Epic`` the product, not "epic");
    ``near`` lists words of which one must stand close by in the same sentence
    (``extraction.NEAR_CHARS``), for aliases that mean the skill only in
    context ("Vision" the GP system);
    ``unless`` lists words of which none may stand in the same sentence
    ("inputting data on the database" is data entry, not database management);
    ``context`` lists words of which one must stand anywhere in the posting
    ("confidentiality" is patient privacy in a posting about patients);
    ``needs`` lists text of which a pattern's every match holds one ("wpm"),
    so that postings without any of it skip the pattern; ``asked`` counts a
    mention only in a sentence that asks something of the worker (a duty,
    requirement or preference), for phrases that employers also use about
    themselves ("we give the best patient experience"); ``alone = False`` marks a
    wording too loose to make the skill by itself ("denials" in a nurse reviewer's
    posting, "filing" among a clerk's chores): it counts only beside another of
    the skill's wordings.
    """

    phrase: str
    case: bool = False
    near: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    pattern: bool = False
    needs: tuple[str, ...] = ()
    asked: bool = False
    unless: tuple[str, ...] = ()
    alone: bool = True


@dataclass(frozen=True)
class Skill:
    id: str
    name: str
    category: str
    tier: str
    weight: float
    why: str
    aliases: tuple[Alias, ...]
    # Phrases that look like an alias but mean something else ("coding club").
    not_aliases: tuple[str, ...] = ()
    medical: bool = False
    # The locales where the skill applies ("US"); empty: everywhere.
    applies: tuple[str, ...] = ()
    # What stands for it where it does not apply ("AMSPAR qualifications").
    counterpart: str = ""
    # Skills of the set that stand for this one: a posting that asks for one of them is
    # not short of this one (the CMAA for the CMA). It is still no skill found.
    alternatives: tuple[str, ...] = ()
    # Where the skill stands in its file, for messages; not part of what it means.
    line: int = field(default=0, compare=False, repr=False)

    def applies_in(self, locale: str | None) -> bool:
        """Whether the skill counts for a posting of this locale (None: unknown, all count)."""
        return locale is None or not self.applies or locale in self.applies


@dataclass(frozen=True, eq=False)
class SkillSet:
    id: str
    name: str
    version: str
    description: str
    skills: tuple[Skill, ...]
    # Pay ranges by locale ("US", "UK"; "" for a range given without one): each with
    # currency, period, min, max and source.
    pay: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = ""
    # Of the parsed data (skills, aliases, pay; not comments or layout): an edited
    # alias makes another digest.
    digest: str = ""
    # Shipped with skillgap, so its declared version is a release (see ``analysis_version``).
    builtin: bool = False
    # The catalogue of skills outside the set that postings are searched for
    # (``EXTRAS_CATALOGUES``): the occupation's own, or the general one.
    extras: str = DEFAULT_EXTRAS

    def get(self, skill_id: str) -> Skill | None:
        return next((s for s in self.skills if s.id == skill_id), None)

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.skills]

    def to_json(self, *, skills: bool = True) -> dict[str, object]:
        """What the skill set says, as JSON: for the API, the CLI and the pages."""
        out: dict[str, object] = {
            "id": self.id, "name": self.name, "version": self.version, "description": self.description,
            "skills_count": len(self.skills),
            "pay": [dict(r) for r in self.pay.values()],
        }
        if skills:
            out["skills"] = [
                {"id": s.id, "name": s.name, "category": s.category, "tier": s.tier, "weight": s.weight,
                 "why": s.why, "applies": list(s.applies) or None, "counterpart": s.counterpart or None,
                 "alternatives": list(s.alternatives) or None}
                for s in self.skills
            ]
        return out

    def pay_range(self, locale: str | None, currency: str | None = None) -> dict[str, Any] | None:
        """The pay range for a posting of this locale; with no locale, the one in its currency.

        A range in another currency than the posting's is never returned for it.
        """
        if locale is not None:
            found = self.pay.get(locale) or self.pay.get("")
        else:
            found = next((r for r in self.pay.values() if currency and r.get("currency") == currency),
                         None if currency else self.pay.get(""))
        if found and currency and found.get("currency") != currency:
            return None
        return found


# The engine's release. Bump it with every change to the engine's code or to its own
# data (models/*.py, extra-skills.toml, background-phrases.txt, sections.toml,
# duty-verbs.txt, locales.toml, trades.toml, the market's reference postings and scoring.toml) that
# changes any analysis output: stored analyses of an older release are made again.
# A change that leaves every output the same (a comment, a refactor, a speed-up)
# keeps it, and so keeps the stored analyses. A built-in skill set's data has a
# release of its own: its declared ``version``, bumped when its data changes.
ENGINE_VERSION = 37


def analysis_version(skillset: SkillSet) -> str:
    """The version stored analyses are kept under, beside the skill set's id: its
    declared version and the engine's release ("2026.11.1+engine3").

    A user's own skill-set file has no release, so a digest of its data follows.
    An identical posting is analysed once per (skill-set id, analysis version).
    """
    version = f"{skillset.version}+engine{ENGINE_VERSION}"
    return version if skillset.builtin else f"{version}.{skillset.digest[:10]}"


def builtin_ids() -> list[str]:
    """Ids of the skill sets shipped with skillgap."""
    files = resources.files(DATA_PACKAGE).iterdir()
    return sorted(
        f.name[: -len(".toml")] for f in files if f.name.endswith(".toml") and f.name not in NOT_SKILLSETS
    )


def builtin_skillsets() -> list[SkillSet]:
    return [load_skillset(sid) for sid in builtin_ids()]


@functools.lru_cache(maxsize=32)
def _load_cached(key: str, mtime: float) -> SkillSet:
    from models.skillset_file import parse_skillset

    del mtime  # part of the cache key only: an edited file is read again
    if os.sep in key or key.endswith(".toml"):
        path = Path(key)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise SkillSetError(f"{key}: no such skill-set file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SkillSetError(f"{key}: cannot be read ({exc})") from None
        return parse_skillset(text, str(path))
    resource = resources.files(DATA_PACKAGE) / f"{key}.toml"
    if not resource.is_file():
        raise SkillSetError(
            f"unknown skill set {key!r}; built-in ones are: {', '.join(builtin_ids())}, "
            "or give the path of a .toml file"
        )
    return parse_skillset(resource.read_text(encoding="utf-8"), f"{key}.toml", builtin=True)


def load_skillset(id_or_path: str | None = None) -> SkillSet:
    """Load a built-in skill set by id, or a user's skill-set file by path."""
    key = (id_or_path or DEFAULT_SKILLSET).strip()
    mtime = 0.0
    if os.sep in key or key.endswith(".toml"):
        key = os.path.abspath(key)
        try:
            mtime = os.path.getmtime(key)
        except OSError:
            mtime = -1.0
    return _load_cached(key, mtime)


@functools.lru_cache(maxsize=4)
def load_extras(catalogue: str = "medical-office") -> SkillSet:
    """A catalogue of skills outside a skill set (``EXTRAS_CATALOGUES``), used to report extras."""
    from models.skillset_file import parse_skillset

    name = EXTRAS_CATALOGUES[catalogue]
    text = (resources.files(DATA_PACKAGE) / name).read_text(encoding="utf-8")
    return parse_skillset(text, name, builtin=True)


@functools.lru_cache(maxsize=1)
def load_sources() -> dict[str, Any]:
    """Where the built-in sets come from: their seed articles, and each skill's O*NET
    and ESCO entries (``models/data/skill-sources.toml``)."""
    text = (resources.files(DATA_PACKAGE) / SOURCES_FILE).read_text(encoding="utf-8")
    return dict(tomllib.loads(text))


# Skill sets read from elsewhere than the package (users' sets, stored in a database), by
# id and version, as this process loaded them: versions never change, so a record naming
# one is described from it like a built-in set's (``models.scoring.record_skillset``).
_REMEMBERED: dict[tuple[str, str], SkillSet] = {}


def remember(skillset: SkillSet) -> SkillSet:
    """Keep a stored skill set's version for the records that name it; return it."""
    _REMEMBERED[(skillset.id, skillset.version)] = skillset
    return skillset


def remembered(skillset_id: str, version: str) -> SkillSet | None:
    return _REMEMBERED.get((skillset_id, version))
