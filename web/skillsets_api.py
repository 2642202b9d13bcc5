"""The JSON API of skill sets: list the built-in ones, create your own, read and download
any by id, and analyse a finished batch again against another one."""

from __future__ import annotations

import os
from typing import Any

from flask import Response, jsonify, request, url_for

from models.own_skillsets import MAX_BYTES, read_upload
from models.record import skillset_json as describe_json
from models.skillset import SkillSet, SkillSetError, builtin_ids
from web.api import _batch, _builtin_ids, _celery, _url, batch_json, bp
from web.errors import ApiError, json_object
from worker import skillsets, tasks
from worker.reanalyze import NotFinished, reanalyze


def skillset_json(pinned: skillsets.Pinned, loaded: SkillSet, *, skills: bool = True) -> dict[str, Any]:
    """A skill set as the API gives it: what it says, and where to see and download it."""
    return {
        **describe_json(loaded, skills=skills), "id": pinned.id, "version": pinned.version,
        "builtin": pinned.id in builtin_ids(),
        "url": url_for("api.get_skillset", skillset_id=pinned.id),
        "page_url": url_for("skillsets.page", skillset_id=pinned.id),
        "download_url": url_for("skillsets.download", skillset_id=pinned.ref),
    }


def _uploaded() -> tuple[str, str]:
    """A skill-set file from the request (multipart field ``file``, or a TOML or CSV body):
    its text and what it came as."""
    if request.mimetype.startswith("multipart/form-data"):
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ApiError(400, "bad_request", "no file: send it in a form field named 'file'")
        data, filename = upload.read(MAX_BYTES + 1), os.path.basename(upload.filename)
    elif request.mimetype in ("application/toml", "text/plain", "text/x-toml", "text/csv"):
        data = request.get_data(cache=False)[: MAX_BYTES + 1]
        filename = "skillset.csv" if request.mimetype == "text/csv" else "skillset.toml"
    else:
        raise ApiError(415, "unsupported_media_type",
                       "send the skill set as multipart/form-data (field 'file') or as application/toml")
    try:
        return read_upload(data, filename, request.form.get("name"))
    except SkillSetError as exc:
        raise ApiError(422, "invalid_skillset", str(exc)) from None


def _created(pinned: skillsets.Pinned, location: str) -> tuple[Response, int, dict[str, str]]:
    return (jsonify({"id": pinned.id, "version": pinned.version, "url": location,
                     "page_url": url_for("skillsets.page", skillset_id=pinned.id)}),
            201, {"Location": location})


@bp.post("/skillsets")
def create_skillset():
    """A new skill set from a TOML or CSV file (multipart field ``file``) or a TOML body."""
    text, source = _uploaded()
    try:
        pinned = skillsets.create(_url(), text, source)
    except SkillSetError as exc:
        raise ApiError(422, "invalid_skillset", str(exc)) from None
    return _created(pinned, url_for("api.get_skillset", skillset_id=pinned.id))


@bp.post("/skillsets/<skillset_id>/versions")
def add_skillset_version(skillset_id: str):
    """The next version of a created skill set, from a file as for a new one. The earlier
    versions stay: batches run against them keep reading them by ``id@version``."""
    if skillset_id in builtin_ids():
        raise ApiError(409, "builtin_skillset",
                       "a built-in skill set changes only with a release: create your own from its file")
    if skillsets.SEP in skillset_id:
        raise ApiError(404, "not_found", "add a version to a skill set's id, not to one of its versions")
    _pinned(skillset_id)  # 404 when there is no such set
    text, source = _uploaded()
    try:
        pinned = skillsets.create(_url(), text, source, add_to=skillset_id)
    except SkillSetError as exc:
        raise ApiError(422, "invalid_skillset", str(exc)) from None
    return _created(pinned, url_for("api.get_skillset", skillset_id=pinned.ref))


@bp.get("/skillsets")
def list_skillsets():
    """The built-in skill sets, without their skills (created ones are known by id only)."""
    out = []
    for sid in _builtin_ids():
        pinned = skillsets.pin(_url(), sid)
        out.append(skillset_json(pinned, skillsets.load(_url(), sid), skills=False))
    return jsonify({"skillsets": out})


def _pinned(skillset_id: str) -> tuple[skillsets.Pinned, SkillSet]:
    try:
        pinned = skillsets.pin(_url(), skillset_id)
        return pinned, skillsets.load(_url(), pinned.ref)
    except SkillSetError as exc:
        raise ApiError(404, "not_found", str(exc)) from None


@bp.get("/skillsets/<skillset_id>")
def get_skillset(skillset_id: str):
    """A skill set with every skill: what a record's gap ids stand for (``id@version`` for an older one)."""
    pinned, loaded = _pinned(skillset_id)
    body = skillset_json(pinned, loaded)
    body["versions"] = [v["version"] for v in skillsets.versions(_url(), pinned.id)] or [pinned.version]
    return jsonify(body)


@bp.post("/batches/<batch_id>/reanalyze")
def reanalyze_batch(batch_id: str):
    """Analyse a finished batch again against another skill set: 202 with the new batch."""
    data = json_object() if request.is_json else {}
    if not isinstance(data.get("skillset"), str):
        raise ApiError(400, "bad_request", 'send JSON: {"skillset": "<skill-set id>"}')
    try:
        new_id = reanalyze(_url(), batch_id, data["skillset"], tasks.enqueuer(_celery()))
    except LookupError:
        raise ApiError(404, "not_found", "no such batch") from None
    except NotFinished as exc:
        raise ApiError(409, "not_finished", str(exc)) from None
    except SkillSetError as exc:
        raise ApiError(422, "unknown_skillset", str(exc)) from None
    status_url = url_for("api.get_batch", batch_id=new_id)
    body = {**batch_json(_batch(new_id)), "status_url": status_url,
            "compare_url": url_for("skillsets.compare_runs", batch_id=batch_id, other=new_id)}
    return jsonify(body), 202, {"Location": status_url}


def download_response(pinned: skillsets.Pinned, text: str) -> Response:
    """A skill set's file, always as a download."""
    name = f"{pinned.id}-{pinned.version}.toml".replace("/", "_")
    return Response(text, mimetype="application/toml", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"})
