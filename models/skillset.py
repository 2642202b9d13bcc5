"""Skill sets: the data files that say what an occupation's modern skill set is.

A skill set is a TOML file (see ``models/data/medical-office-specialist.toml``),
loaded and validated once. Errors name the file, the line and the problem, since
users write their own skill sets.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import tomllib

TIERS = ("foundation", "modern")
DATA_PACKAGE = "models.data"
DEFAULT_SKILLSET = "medical-office-specialist"
EXTRAS_FILE = "extra-skills.toml"
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
    themselves ("we give the best patient experience").
    """

    phrase: str
    case: bool = False
    near: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    pattern: bool = False
    needs: tuple[str, ...] = ()
    asked: bool = False
    unless: tuple[str, ...] = ()


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
    line: int = 0


@dataclass(frozen=True, eq=False)
class SkillSet:
    id: str
    name: str
    version: str
    description: str
    skills: tuple[Skill, ...]
    pay: dict[str, object] = field(default_factory=dict)
    source: str = ""
    # Of the file's text (and its base's): edited aliases make another digest.
    digest: str = ""

    def get(self, skill_id: str) -> Skill | None:
        return next((s for s in self.skills if s.id == skill_id), None)

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.skills]


def _line_of(text: str, needle: str, start: int = 0) -> int:
    pos = text.find(needle, start)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else 0


def _parse_alias(raw: object, where: str) -> Alias:
    if isinstance(raw, str):
        if not raw.strip():
            raise SkillSetError(f"{where}: empty alias")
        return Alias(raw.strip())
    if isinstance(raw, dict):
        unknown = set(raw) - {"phrase", "pattern", "case", "near", "context", "needs", "asked", "unless"}
        if unknown:
            raise SkillSetError(f"{where}: unknown alias key(s) {sorted(unknown)}")
        if ("phrase" in raw) == ("pattern" in raw):
            raise SkillSetError(f"{where}: an alias table needs exactly one of 'phrase' or 'pattern'")
        near = raw.get("near", [])
        if not isinstance(near, list) or not all(isinstance(n, str) for n in near):
            raise SkillSetError(f"{where}: 'near' must be a list of strings")
        context = raw.get("context", [])
        if not isinstance(context, list) or not all(isinstance(n, str) for n in context):
            raise SkillSetError(f"{where}: 'context' must be a list of strings")
        unless = raw.get("unless", [])
        if not isinstance(unless, list) or not all(isinstance(n, str) and n for n in unless):
            raise SkillSetError(f"{where}: 'unless' must be a list of non-empty strings")
        if unless and "pattern" in raw:
            raise SkillSetError(f"{where}: 'unless' is for phrases only")
        needs = raw.get("needs", [])
        if not isinstance(needs, list) or not all(isinstance(n, str) and n for n in needs):
            raise SkillSetError(f"{where}: 'needs' must be a list of non-empty strings")
        if needs and "pattern" not in raw:
            raise SkillSetError(f"{where}: 'needs' is for patterns only")
        if "pattern" in raw:
            try:
                re.compile(raw["pattern"])
            except re.error as exc:
                raise SkillSetError(f"{where}: bad pattern {raw['pattern']!r}: {exc}") from None
            return Alias(
                raw["pattern"], bool(raw.get("case", False)), tuple(near), tuple(context), pattern=True,
                needs=tuple(n.lower() for n in needs), asked=bool(raw.get("asked", False)),
            )
        if not isinstance(raw["phrase"], str) or not raw["phrase"].strip():
            raise SkillSetError(f"{where}: 'phrase' must be a non-empty string")
        return Alias(
            raw["phrase"].strip(), bool(raw.get("case", False)), tuple(near), tuple(context),
            asked=bool(raw.get("asked", False)), unless=tuple(unless),
        )
    raise SkillSetError(f"{where}: an alias must be a string or a table, not {type(raw).__name__}")


def parse_skillset(text: str, source: str, *, require_skills: bool = True) -> SkillSet:
    """Parse and validate a skill set from TOML text; ``source`` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SkillSetError(f"{source}: {exc}") from None
    for key in ("id", "name"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise SkillSetError(f"{source}, line 1: the skill set needs a string '{key}'")
    skills_raw = data.get("skills", [])
    if not isinstance(skills_raw, list) or (require_skills and not skills_raw):
        raise SkillSetError(f"{source}: no [[skills]] tables found")
    base = data.get("base")
    inherited: dict[str, Skill] = {}
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if base is not None:
        if not isinstance(base, str):
            raise SkillSetError(f"{source}, line {_line_of(text, 'base')}: 'base' must be a skill-set id")
        for parent in (load_skillset(base), load_extras()):
            digest = hashlib.sha256((digest + parent.digest).encode()).hexdigest()
            for skill in parent.skills:
                inherited.setdefault(skill.id, skill)
    skills: list[Skill] = []
    seen: set[str] = set()
    search_from = 0
    for n, raw in enumerate(skills_raw, 1):
        if isinstance(raw, dict) and "aliases" not in raw and raw.get("id") in inherited:
            # A skill taken from the base skill set (or the extras catalogue),
            # with its tier, weight or why overridden where given.
            parent = inherited[raw["id"]]
            raw = {
                "id": parent.id, "name": parent.name, "category": parent.category,
                "tier": parent.tier, "weight": parent.weight, "why": parent.why,
                "medical": parent.medical, **raw,
                "aliases": list(parent.aliases) or ["?"], "not_aliases": list(parent.not_aliases),
            }
        sid = raw.get("id") if isinstance(raw, dict) else None
        line = 0
        if isinstance(sid, str):
            m = re.compile(r"^[ \t]*id[ \t]*=[ \t]*[\"']" + re.escape(sid) + r"[\"']", re.M).search(
                text, search_from
            )
            if m:
                line = text.count("\n", 0, m.start()) + 1
                search_from = m.end()
        where = f"{source}, line {line or '?'} (skill {n}{f' {sid!r}' if sid else ''})"
        if not isinstance(raw, dict):
            raise SkillSetError(f"{where}: each skill must be a table")
        if not isinstance(sid, str) or not ID_RE.match(sid):
            raise SkillSetError(f"{where}: 'id' must be lower-case letters, digits and _")
        if sid in seen:
            raise SkillSetError(f"{where}: duplicate id {sid!r}")
        seen.add(sid)
        for key in ("name", "category"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise SkillSetError(f"{where}: missing or empty '{key}'")
        tier = raw.get("tier", "foundation")
        if tier not in TIERS:
            raise SkillSetError(f"{where}: tier must be one of {', '.join(TIERS)}, not {tier!r}")
        weight = raw.get("weight", 2.0 if tier == "modern" else 1.0)
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
            raise SkillSetError(f"{where}: weight must be a positive number")
        aliases_raw = raw.get("aliases", [])
        if not isinstance(aliases_raw, list) or not aliases_raw:
            raise SkillSetError(f"{where}: 'aliases' must be a non-empty list")
        aliases = tuple(a if isinstance(a, Alias) else _parse_alias(a, where) for a in aliases_raw)
        not_aliases = raw.get("not_aliases", [])
        if not isinstance(not_aliases, list) or not all(isinstance(a, str) for a in not_aliases):
            raise SkillSetError(f"{where}: 'not_aliases' must be a list of strings")
        unknown = set(raw) - {
            "id", "name", "category", "tier", "weight", "why", "aliases", "not_aliases", "medical",
        }
        if unknown:
            raise SkillSetError(f"{where}: unknown key(s) {sorted(unknown)}")
        skills.append(
            Skill(
                id=sid,
                name=raw["name"].strip(),
                category=raw["category"].strip(),
                tier=tier,
                weight=float(weight),
                why=str(raw.get("why", "")).strip(),
                aliases=aliases,
                not_aliases=tuple(not_aliases),
                medical=bool(raw.get("medical", False)),
                line=line,
            )
        )
    pay = data.get("pay", {})
    if not isinstance(pay, dict):
        raise SkillSetError(f"{source}: [pay] must be a table")
    return SkillSet(
        id=data["id"].strip(),
        name=data["name"].strip(),
        version=str(data.get("version", "1")),
        description=str(data.get("description", "")).strip(),
        skills=tuple(skills),
        pay=pay,
        source=source,
        digest=digest[:16],
    )


# Part of every analysis version. The engine's own source is too (``_engine_digest``),
# so that a change to its code is never served the analyses of the code before it.
ENGINE_VERSION = 2


def analysis_version(skillset: SkillSet) -> str:
    """The version stored analyses are kept under: the skill set's own, then a digest
    of its data, the extras catalogue and the engine (its version and source).

    An identical posting is analysed once per (skill-set id, analysis version).
    """
    parts = f"{skillset.digest}|{load_extras().digest}|{ENGINE_VERSION}|{_engine_digest()}"
    return f"{skillset.version}+{hashlib.sha256(parts.encode()).hexdigest()[:10]}"


@functools.lru_cache(maxsize=1)
def _engine_digest() -> str:
    """A digest of the engine's modules (``models/*.py``) and the verdict stage's data, as installed."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for path in sorted(here.glob("*.py")) + sorted(here.glob("data/verdicts.json*")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def builtin_ids() -> list[str]:
    """Ids of the skill sets shipped with skillgap."""
    files = resources.files(DATA_PACKAGE).iterdir()
    return sorted(
        f.name[: -len(".toml")] for f in files if f.name.endswith(".toml") and f.name != EXTRAS_FILE
    )


def builtin_skillsets() -> list[SkillSet]:
    return [load_skillset(sid) for sid in builtin_ids()]


@functools.lru_cache(maxsize=32)
def _load_cached(key: str, mtime: float) -> SkillSet:
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
    return parse_skillset(resource.read_text(encoding="utf-8"), f"{key}.toml")


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


@functools.lru_cache(maxsize=1)
def load_extras() -> SkillSet:
    """The catalogue of skills outside any one skill set, used to report extras."""
    text = (resources.files(DATA_PACKAGE) / EXTRAS_FILE).read_text(encoding="utf-8")
    return parse_skillset(text, EXTRAS_FILE)
