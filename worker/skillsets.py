"""Skill sets as stored data: every process resolves a reference the same way.

A reference is a skill set's id, or ``id@version``. A built-in id resolves to the
data shipped with skillgap (recorded in the database the first time a process uses
it); any other id to a version stored in the database, which the web app, the API,
the CLI and every worker on every machine read alike. Versions never change, so a
process reads each one once.
"""

from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from models.own_skillsets import CREATED_ID, parse_upload, slug
from models.skillset import (
    DEFAULT_SKILLSET,
    SkillSet,
    SkillSetError,
    analysis_version,
    builtin_ids,
    load_skillset,
    remember,
)
from models.skillset_file import parse_skillset
from worker.db import get_engine, session_scope
from worker.storage import SkillSetVersion, StoredSkillSet, utcnow

if TYPE_CHECKING:
    from models.analysis import Analyzer

SEP = "@"


@dataclass(frozen=True)
class Pinned:
    """A reference resolved to one version: what a batch records and its workers load."""

    ref: str  # the built-in id, or "id@version"
    id: str
    version: str
    analysis_version: str  # what its analyses are stored under


def _split(ref: str) -> tuple[str, str | None]:
    sid, sep, version = ref.strip().partition(SEP)
    return sid, (version if sep else None)


def _check_ref(ref: str) -> None:
    if os.sep in ref or ref.endswith(".toml") or not ref.strip():
        raise SkillSetError(f"{ref!r} is no skill-set id: upload the file first (POST /api/v1/skillsets, "
                            "or `skillgap batch submit --skillset FILE`)")


def _unknown(sid: str) -> SkillSetError:
    return SkillSetError(f"unknown skill set {sid!r}; built-in ones are: {', '.join(builtin_ids())}, "
                         "or give the id of one you created")


def pin(url: str, ref: str | None) -> Pinned:
    """Resolve a reference (None: the default built-in) to one version; raise ``SkillSetError``."""
    ref = ref or DEFAULT_SKILLSET
    _check_ref(ref)
    sid, version = _split(ref)
    if sid in builtin_ids():
        loaded = load_skillset(sid)
        if version not in (None, loaded.version):
            raise SkillSetError(f"the built-in skill set {sid!r} is at version {loaded.version}; "
                                "older versions of built-in sets are not kept")
        _record_builtin(url, sid)
        return Pinned(sid, sid, loaded.version, analysis_version(loaded))
    if not CREATED_ID.match(sid):
        raise _unknown(sid)
    if version is None:
        with session_scope(url) as session:
            version = session.scalar(select(StoredSkillSet.latest).where(StoredSkillSet.id == sid))
        if version is None:
            raise _unknown(sid)
    loaded = _load_version(url, sid, version)
    return Pinned(f"{sid}{SEP}{version}", sid, version, analysis_version(loaded))


def load(url: str, ref: str | None) -> SkillSet:
    """The skill set a reference names (the same object for the same version in a process)."""
    pinned = pin(url, ref)
    if pinned.id in builtin_ids():
        return load_skillset(pinned.id)
    return _load_version(url, pinned.id, pinned.version)


def analyzer(url: str, ref: str | None) -> Analyzer:
    """The process-wide analyzer of a reference (imported late: the engine is heavy)."""
    from models.analysis import Analyzer

    return Analyzer.for_skillset(load(url, ref))


@functools.lru_cache(maxsize=64)
def _load_version(url: str, sid: str, version: str) -> SkillSet:
    with session_scope(url) as session:
        text = session.scalar(select(SkillSetVersion.text).where(
            SkillSetVersion.skillset_id == sid, SkillSetVersion.version == version))
    if text is None:
        raise SkillSetError(f"skill set {sid!r} has no version {version!r}")
    return remember(replace(parse_skillset(text, f"{sid}{SEP}{version}"), id=sid, version=version))


def text_of(url: str, ref: str) -> tuple[Pinned, str]:
    """A version's file as it was stored (a built-in set's own file): for download."""
    pinned = pin(url, ref)
    if pinned.id in builtin_ids():
        return pinned, _builtin_text(pinned.id)
    with session_scope(url) as session:
        text = session.scalar(select(SkillSetVersion.text).where(
            SkillSetVersion.skillset_id == pinned.id, SkillSetVersion.version == pinned.version))
    return pinned, str(text)


def versions(url: str, sid: str) -> list[dict[str, Any]]:
    """A skill set's stored versions, oldest first."""
    with session_scope(url) as session:
        found = session.execute(select(SkillSetVersion.version, SkillSetVersion.created_at).where(
            SkillSetVersion.skillset_id == sid).order_by(SkillSetVersion.created_at)).all()
    return [{"version": v, "created_at": at} for v, at in found]


def create(url: str, text: str, source: str, *, add_to: str | None = None) -> Pinned:
    """Store a user's skill-set file as a new set, or as the next version of ``add_to``.

    Validated first (``models.own_skillsets.parse_upload``); nothing is stored when it
    is not valid.
    """
    parsed = parse_upload(text, source)
    if add_to is None:
        sid = f"{slug(parsed.id).replace('_', '-')[:40].strip('-') or 'skillset'}-{secrets.token_hex(10)}"
        version = "1"
        with session_scope(url, write=True) as session:
            session.add(StoredSkillSet(id=sid, name=parsed.name[:255], builtin=False, latest=version))
            session.flush()
            session.add(SkillSetVersion(skillset_id=sid, version=version, digest=parsed.digest, text=text))
    else:
        sid = add_to
        if sid in builtin_ids() or not CREATED_ID.match(sid):
            raise SkillSetError(f"{sid!r} is not a skill set you created: built-in sets change with releases")
        with session_scope(url, write=True) as session:
            row = session.execute(select(StoredSkillSet).where(StoredSkillSet.id == sid)
                                  .with_for_update()).scalar_one_or_none()
            if row is None:
                raise _unknown(sid)
            version = str(int(row.latest) + 1)
            session.add(SkillSetVersion(skillset_id=sid, version=version, digest=parsed.digest, text=text))
            row.latest = version
            row.name = parsed.name[:255]
    return pin(url, f"{sid}{SEP}{version}")


# The built-in versions this process recorded: one write per set and process.
_recorded: set[tuple[str, str, str]] = set()


def _record_builtin(url: str, sid: str) -> None:
    """Record a built-in set's current version in the database (once per process)."""
    loaded = load_skillset(sid)
    key = (url, sid, loaded.version)
    if key in _recorded:
        return
    text = _builtin_text(sid)
    with get_engine(url, write=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        conn.execute(insert(StoredSkillSet).values(
            id=sid, name=loaded.name, builtin=True, latest=loaded.version, created_at=utcnow(),
        ).on_conflict_do_nothing())
        conn.execute(update(StoredSkillSet).where(StoredSkillSet.id == sid).values(latest=loaded.version))
        conn.execute(insert(SkillSetVersion).values(
            skillset_id=sid, version=loaded.version, digest=loaded.digest, text=text, created_at=utcnow(),
        ).on_conflict_do_nothing())
    _recorded.add(key)


def _builtin_text(sid: str) -> str:
    from importlib import resources

    from models.skillset import DATA_PACKAGE

    return (resources.files(DATA_PACKAGE) / f"{sid}.toml").read_text(encoding="utf-8")
