"""Reading a skill-set file: its TOML checked field by field into a ``SkillSet``.

Users write their own skill sets, so every error names the file, the line and the
problem. ``models.skillset`` holds what a skill set is, and loads the built-in ones
through ``parse_skillset``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re

from models.locale import known_locales
from models.pay import PayRangeError, parse_pay_ranges
from models.skillset import (
    DEFAULT_EXTRAS,
    EXTRAS_CATALOGUES,
    ID_RE,
    TIERS,
    Alias,
    Skill,
    SkillSet,
    SkillSetError,
    load_extras,
    load_skillset,
)
from models.toml import entry_where, tomllib


def _line_of(text: str, needle: str, start: int = 0) -> int:
    pos = text.find(needle, start)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else 0


def _parse_alias(raw: object, where: str) -> Alias:
    if isinstance(raw, str):
        if not raw.strip():
            raise SkillSetError(f"{where}: empty alias")
        return Alias(raw.strip())
    if isinstance(raw, dict):
        unknown = set(raw) - {"phrase", "pattern", "case", "near", "context", "needs", "asked", "unless",
                          "alone"}
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
        if (unless or near) and "pattern" in raw:  # a pattern says its surroundings itself
            raise SkillSetError(f"{where}: '{'unless' if unless else 'near'}' is for phrases only")
        needs = raw.get("needs", [])
        if not isinstance(needs, list) or not all(isinstance(n, str) and n for n in needs):
            raise SkillSetError(f"{where}: 'needs' must be a list of non-empty strings")
        if needs and "pattern" not in raw:
            raise SkillSetError(f"{where}: 'needs' is for patterns only")
        alone = raw.get("alone", True)
        if not isinstance(alone, bool):
            raise SkillSetError(f"{where}: 'alone' must be true or false")
        if "pattern" in raw:
            try:
                re.compile(raw["pattern"])
            except re.error as exc:
                raise SkillSetError(f"{where}: bad pattern {raw['pattern']!r}: {exc}") from None
            return Alias(
                raw["pattern"], bool(raw.get("case", False)), context=tuple(context), pattern=True,
                needs=tuple(n.lower() for n in needs), asked=bool(raw.get("asked", False)), alone=alone,
            )
        if not isinstance(raw["phrase"], str) or not raw["phrase"].strip():
            raise SkillSetError(f"{where}: 'phrase' must be a non-empty string")
        return Alias(
            raw["phrase"].strip(), bool(raw.get("case", False)), tuple(near), tuple(context),
            asked=bool(raw.get("asked", False)), unless=tuple(unless), alone=alone,
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
    taken: set[str] = set()  # ids of the skills taken from the base skill set or the extras
    search_from = 0
    for n, raw in enumerate(skills_raw, 1):
        if isinstance(raw, dict) and "aliases" not in raw and raw.get("id") in inherited:
            taken.add(raw["id"])
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
        where, line, search_from = entry_where(text, source, "skill", n, "id", sid, search_from)
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
            "applies", "counterpart", "alternatives",
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
        alternatives = raw.get("alternatives", [])
        if not isinstance(alternatives, list) or not all(isinstance(a, str) for a in alternatives) \
                or sid in alternatives:
            raise SkillSetError(f"{_key_where(text, 'alternatives', source, line, n, sid)}: 'alternatives' "
                                "must be a list of the ids of other skills of the set")
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
                alternatives=tuple(alternatives),
                line=line,
            )
        )
    ids = {s.id for s in skills}
    for n, skill in enumerate(skills):
        if skill.id in taken and not skill.alternatives:
            # A skill taken from the base keeps the stand-ins that this set holds too.
            base_alternatives = tuple(a for a in inherited[skill.id].alternatives if a in ids)
            skills[n] = skill = dataclasses.replace(skill, alternatives=base_alternatives)
        unknown_ids = [a for a in skill.alternatives if a not in ids]
        if unknown_ids:
            raise SkillSetError(f"{_key_where(text, 'alternatives', source, skill.line, n + 1, skill.id)}: "
                                f"'alternatives' names no skill of the set: {', '.join(unknown_ids)}")
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
