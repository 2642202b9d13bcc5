"""Skill sets users bring: an uploaded TOML file, a simple CSV, or a built-in set edited in a form.

Whatever the form, the result is a TOML text that ``parse_upload`` validates: sizes
are capped, ``base`` names a built-in set only (never a path on the server), and
patterns keep to the bounded syntax of ``models.safe_patterns``. Errors name the
line and the problem.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Mapping

from models.safe_patterns import UnsafePattern, check_pattern
from models.skillset import TIERS, SkillSet, SkillSetError, builtin_ids, load_skillset
from models.skillset_file import parse_skillset
from models.toml import key_line, tomllib

# A created set's id: a slug of its name, then 80 random bits (``worker.skillsets``).
CREATED_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,48}-[0-9a-f]{20}$")
MAX_BYTES = 256_000
MAX_SKILLS = 200
MAX_ALIASES_PER_SKILL = 100
MAX_ALIASES = 3000
CSV_COLUMNS = ("skill", "tier", "weight", "aliases")
CSV_OPTIONAL = ("category", "why")


def parse_upload(text: str, source: str) -> SkillSet:
    """Validate a user's skill-set TOML with the caps and the bounded pattern syntax."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise SkillSetError(f"{source}: {size:,} bytes; a skill set is at most {MAX_BYTES:,} bytes")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SkillSetError(f"{source}: {exc}") from None
    base = data.get("base")
    if base is not None and base not in builtin_ids():
        raise SkillSetError(f"{source}, line {key_line(text, 'base')[0]}: 'base' must be a built-in skill set, "
                            f"one of {', '.join(builtin_ids())}")
    raw_skills = data.get("skills")
    if isinstance(raw_skills, list) and len(raw_skills) > MAX_SKILLS:
        raise SkillSetError(f"{source}: {len(raw_skills)} skills; a skill set has at most {MAX_SKILLS}")
    _check_skills(text, source, raw_skills if isinstance(raw_skills, list) else [])
    return parse_skillset(text, source)


def _check_skills(text: str, source: str, raw_skills: list[object]) -> None:
    """Cap the aliases the file itself writes (a skill taken from ``base`` keeps the built-in
    set's), and check its patterns."""
    total = 0
    for n, raw in enumerate(raw_skills, 1):
        if not isinstance(raw, dict) or not isinstance(raw.get("aliases"), list):
            continue
        sid = raw.get("id")
        where = f"{source}, line {(key_line(text, 'id', sid)[0] if isinstance(sid, str) else 0) or '?'} " \
                f"(skill {n}{f' {sid!r}' if sid else ''})"
        total += len(raw["aliases"])
        if len(raw["aliases"]) > MAX_ALIASES_PER_SKILL:
            raise SkillSetError(f"{where}: {len(raw['aliases'])} aliases; a skill has at most {MAX_ALIASES_PER_SKILL}")
        if total > MAX_ALIASES:
            raise SkillSetError(f"{where}: more than {MAX_ALIASES:,} aliases; a skill set has at most {MAX_ALIASES:,}")
        for alias in raw["aliases"]:
            if isinstance(alias, dict) and isinstance(alias.get("pattern"), str):
                try:
                    check_pattern(alias["pattern"])
                except UnsafePattern as exc:
                    raise SkillSetError(f"{where}: pattern {alias['pattern']!r} is not allowed: {exc}") from None


def toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's."""
    return json.dumps(value, ensure_ascii=False)


def slug(name: str) -> str:
    """An id made of a name: lower-case letters, digits and _ ("Patient care" -> "patient_care")."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    out = "_".join(words)[:48]
    return out if out[:1].isalpha() else f"s_{out}"


def _header(name: str, description: str = "", base: str | None = None) -> list[str]:
    lines = [f"id = {toml_string(slug(name).replace('_', '-'))}", f"name = {toml_string(name)}",
             'version = "1"']
    if base:
        lines.append(f"base = {toml_string(base)}")
    if description:
        lines.append(f"description = {toml_string(description)}")
    return lines


def csv_to_toml(data: str, source: str, name: str) -> str:
    """The TOML of a CSV of skills (skill, tier, weight, aliases; optional category, why).

    Aliases are separated by ``;``. Errors name the CSV's line.
    """
    if len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise SkillSetError(f"{source}: a skill-set file is at most {MAX_BYTES:,} bytes")
    reader = csv.reader(io.StringIO(data))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise SkillSetError(f"{source}, line 1: the header needs the columns {', '.join(CSV_COLUMNS)} "
                            f"(missing: {', '.join(missing)})")
    unknown = [c for c in header if c and c not in CSV_COLUMNS + CSV_OPTIONAL]
    if unknown:
        raise SkillSetError(f"{source}, line 1: unknown column(s) {', '.join(unknown)}; "
                            f"the columns are {', '.join(CSV_COLUMNS + CSV_OPTIONAL)}")
    lines = _header(name or "My skill set")
    seen: set[str] = set()
    count = 0
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        row = dict(zip(header, (c.strip() for c in cells), strict=False))
        where = f"{source}, line {line}"
        skill = row.get("skill", "")
        if not skill:
            raise SkillSetError(f"{where}: the skill has no name")
        sid = slug(skill)
        if sid in seen:
            raise SkillSetError(f"{where}: {skill!r} is listed twice")
        seen.add(sid)
        tier = row.get("tier", "").lower() or "foundation"
        if tier not in TIERS:
            raise SkillSetError(f"{where}: tier must be one of {', '.join(TIERS)}, not {row.get('tier')!r}")
        weight_text = row.get("weight", "") or ("2" if tier == "modern" else "1")
        try:
            weight = float(weight_text)
        except ValueError:
            weight = -1.0
        if not 0 < weight < 1000:
            raise SkillSetError(f"{where}: weight must be a positive number, not {weight_text!r}")
        aliases = [a.strip() for a in row.get("aliases", "").split(";") if a.strip()] or [skill]
        count += 1
        if count > MAX_SKILLS:
            raise SkillSetError(f"{where}: a skill set has at most {MAX_SKILLS} skills")
        if len(aliases) > MAX_ALIASES_PER_SKILL:
            raise SkillSetError(f"{where}: {len(aliases)} aliases; a skill has at most {MAX_ALIASES_PER_SKILL}")
        lines += ["", "[[skills]]", f"id = {toml_string(sid)}", f"name = {toml_string(skill)}",
                  f"category = {toml_string(row.get('category') or 'skills')}", f"tier = {toml_string(tier)}",
                  f"weight = {weight:g}", f"why = {toml_string(row.get('why', ''))}",
                  f"aliases = [{', '.join(toml_string(a) for a in aliases)}]"]
    if not count:
        raise SkillSetError(f"{source}: no skills found below the header")
    return "\n".join(lines) + "\n"


def form_to_toml(form: Mapping[str, str], base_id: str) -> str:
    """The TOML of a built-in set edited in a form: the skills kept, with their tiers and
    weights, and the new skills added (``new_name_N``, ``new_tier_N``, ``new_weight_N``,
    ``new_aliases_N``). Kept skills take the built-in set's aliases through ``base``."""
    if base_id not in builtin_ids():
        raise SkillSetError(f"no built-in skill set {base_id!r}")
    base = load_skillset(base_id)
    name = (form.get("name") or "").strip() or f"{base.name} (edited)"
    lines = _header(name, base=base_id, description=f"Edited from {base.name}.")
    for skill in base.skills:
        if not form.get(f"keep_{skill.id}"):
            continue
        tier = form.get(f"tier_{skill.id}", skill.tier)
        if tier not in TIERS:
            raise SkillSetError(f"{skill.name}: tier must be one of {', '.join(TIERS)}")
        weight = _weight(form.get(f"weight_{skill.id}", ""), skill.name, skill.weight)
        lines += ["", "[[skills]]", f"id = {toml_string(skill.id)}", f"tier = {toml_string(tier)}",
                  f"weight = {weight:g}"]
    n = 1
    while f"new_name_{n}" in form:
        new = form.get(f"new_name_{n}", "").strip()
        if new:
            tier = form.get(f"new_tier_{n}", "foundation")
            if tier not in TIERS:
                raise SkillSetError(f"new skill {n}: tier must be one of {', '.join(TIERS)}")
            aliases = [a.strip() for a in form.get(f"new_aliases_{n}", "").split(";") if a.strip()] or [new]
            lines += ["", "[[skills]]", f"id = {toml_string(slug(new))}", f"name = {toml_string(new)}",
                      'category = "skills"', f"tier = {toml_string(tier)}",
                      f"weight = {_weight(form.get(f'new_weight_{n}', ''), new, 2.0 if tier == 'modern' else 1.0):g}",
                      f"aliases = [{', '.join(toml_string(a) for a in aliases)}]"]
        n += 1
    if not any(line == "[[skills]]" for line in lines):
        raise SkillSetError("keep or add at least one skill")
    return "\n".join(lines) + "\n"


def _weight(text: str, name: str, default: float) -> float:
    try:
        weight = float(text) if text.strip() else default
    except ValueError:
        weight = -1.0
    if not 0 < weight < 1000:
        raise SkillSetError(f"{name}: weight must be a positive number, not {text!r}")
    return weight


def read_upload(data: bytes, filename: str, name: str | None) -> tuple[str, str]:
    """The TOML text of an uploaded file (a .csv is turned into TOML) and its name for errors."""
    if len(data) > MAX_BYTES:
        raise SkillSetError(f"{filename}: a skill-set file is at most {MAX_BYTES:,} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SkillSetError(f"{filename}: not UTF-8 text; save it as UTF-8") from None
    if filename.lower().endswith(".csv"):
        return csv_to_toml(text, filename, name or os.path.splitext(filename)[0]), filename
    return text, filename
