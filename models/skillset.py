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
from typing import Any

from models.locale import LOCALES_FILE, known_locales
from models.pay import PayRangeError, parse_pay_ranges
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
    # The locales where the skill applies ("US"); empty: everywhere.
    applies: tuple[str, ...] = ()
    # What stands for it where it does not apply ("AMSPAR qualifications").
    counterpart: str = ""
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
                 "why": s.why, "applies": list(s.applies) or None, "counterpart": s.counterpart or None}
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


def parse_skillset(text: str, source: str, *, require_skills: bool = True, builtin: bool = False) -> SkillSet:
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
    version = data.get("version", "1")
    if not isinstance(version, str | int | float) or isinstance(version, bool) or not 0 < len(str(version)) <= 24:
        raise SkillSetError(f"{source}, line {_line_of(text, 'version')}: 'version' must be a short string "
                            "(at most 24 characters), e.g. \"2026.11.1\"")
    base = data.get("base")
    inherited: dict[str, Skill] = {}
    extras = data.get("extras", DEFAULT_EXTRAS)
    if base is not None:
        if not isinstance(base, str):
            raise SkillSetError(f"{source}, line {_line_of(text, 'base')}: 'base' must be a skill-set id")
        base_set = load_skillset(base)
        # A set built on another is of the same occupation: its extras too, unless it says otherwise.
        extras = data.get("extras", base_set.extras)
        for parent in (base_set, load_extras(base_set.extras)):
            for skill in parent.skills:
                inherited.setdefault(skill.id, skill)
    skills: list[Skill] = []
    seen: set[str] = set()
    search_from = 0
    for n, raw in enumerate(skills_raw, 1):
        if isinstance(raw, dict) and "aliases" not in raw and raw.get("id") in inherited:
            # A skill taken from the base skill set (or the extras catalogue),
            # with its tier, weight or why overridden where given.
            base = inherited[raw["id"]]
            raw = {
                "id": base.id, "name": base.name, "category": base.category,
                "tier": base.tier, "weight": base.weight, "why": base.why,
                "medical": base.medical,
                **({"applies": list(base.applies), "counterpart": base.counterpart} if base.applies else {}),
                **raw,
                "aliases": list(base.aliases) or ["?"], "not_aliases": list(base.not_aliases),
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
            "applies", "counterpart",
        }
        if unknown:
            raise SkillSetError(f"{where}: unknown key(s) {sorted(unknown)}")
        applies = raw.get("applies", [])
        if not isinstance(applies, list) or not applies and "applies" in raw \
                or not all(a in known_locales() for a in applies):
            raise SkillSetError(f"{_key_where(text, 'applies', source, line, n, sid)}: 'applies' must be a "
                                f"non-empty list of locales, of {', '.join(known_locales())} "
                                "(leave it out for everywhere)")
        counterpart = raw.get("counterpart", "")
        if not isinstance(counterpart, str):
            raise SkillSetError(f"{_key_where(text, 'counterpart', source, line, n, sid)}: "
                                "'counterpart' must be a string")
        if counterpart.strip() and not applies:
            raise SkillSetError(f"{_key_where(text, 'counterpart', source, line, n, sid)}: 'counterpart' "
                                "says what stands for the skill where it does not apply; give 'applies' too")
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
                applies=tuple(applies),
                counterpart=counterpart.strip(),
                line=line,
            )
        )
    if extras not in EXTRAS_CATALOGUES:
        raise SkillSetError(f"{source}, line {_line_of(text, 'extras')}: 'extras' names a catalogue of "
                            f"skills outside the set, one of {', '.join(EXTRAS_CATALOGUES)}")
    try:
        pay = parse_pay_ranges(data.get("pay", {}), known_locales())
    except PayRangeError as exc:
        raise SkillSetError(f"{source}, line {_line_of(text, exc.head) or _line_of(text, '[pay')}: {exc}") from None
    meaning = (data["id"].strip(), data["name"].strip(), str(version), tuple(skills), sorted(pay.items()),
               extras)
    return SkillSet(
        id=data["id"].strip(),
        name=data["name"].strip(),
        version=str(version),
        description=str(data.get("description", "")).strip(),
        skills=tuple(skills),
        pay=pay,
        source=source,
        digest=hashlib.sha256(repr(meaning).encode("utf-8")).hexdigest()[:16],
        builtin=builtin,
        extras=extras,
    )


def _key_where(text: str, key: str, source: str, line: int, n: int, sid: str) -> str:
    """Where a skill's own key stands: "file, line L (skill N 'id')"; the skill's line if not found."""
    lines = text.splitlines()[max(line, 1) - 1:]
    end = next((i for i, t in enumerate(lines) if i and t.lstrip().startswith("[[skills]]")), len(lines))
    at = next((i for i, t in enumerate(lines[:end]) if re.match(rf"\s*{key}\s*=", t)), None)
    return f"{source}, line {line + at if at is not None and line else line or '?'} (skill {n} {sid!r})"


# The engine's release. Bump it with every change to the engine's code or to its own
# data (models/*.py, extra-skills.toml, background-phrases.txt, sections.toml,
# duty-verbs.txt, locales.toml, trades.toml, the market's reference postings and scoring.toml) that
# changes any analysis output: stored analyses of an older release are made again.
# A change that leaves every output the same (a comment, a refactor, a speed-up)
# keeps it, and so keeps the stored analyses. A built-in skill set's data has a
# release of its own: its declared ``version``, bumped when its data changes.
ENGINE_VERSION = 8


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
