"""A résumé against a posting or a finished batch: the ``/match`` pages and ``/api/v1/matches``.

The work is a worker's (``worker/matches.py``); here a résumé is read, checked and
stored under an unguessable id, and the result is shown until it expires or is
deleted. Nothing of a résumé is logged: errors name what is wrong, never quote it.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for

from models.inputs import MAX_POSTING_CHARS, InputError, check_text, decode_bytes, without_nul
from models.resume import FORMATS, MAX_RESUME_BYTES, ResumeError, read_resume, resume_text
from web import error_pages, present, services
from web.errors import ApiError, json_object
from web.health import worker_up
from web.pages import chosen_skillset
from worker import matches, notify
from worker.storage import FINISHED, Match

bp = Blueprint("match", __name__)
error_pages.catch_all(bp)
api_bp = Blueprint("match_api", __name__, url_prefix="/api/v1")


def _url() -> str:
    return str(current_app.config["DATABASE_URL"])


def _wait(match_id: str, seconds: float) -> Match | None:
    return services.wait_finished(notify.redis_url(current_app.config), match_id,
                                  time.monotonic() + seconds, lambda: matches.get(_url(), match_id))


def _resume_of(form: Any, files: Any) -> str:
    """The résumé of a request: an uploaded file (field ``resume_file``) or pasted text (``resume``)."""
    upload = files.get("resume_file")
    if upload is not None and upload.filename:
        return read_resume(upload.read(MAX_RESUME_BYTES + 1), upload.filename)
    text = form.get("resume")
    if not isinstance(text, str):
        raise ResumeError("no résumé: paste its text or choose its file (.txt, .pdf or .docx)")
    return resume_text(text)


def _posting_of(form: Any, files: Any) -> str:
    """The posting of a request: an uploaded .txt/.html file (``posting_file``) or text (``posting``)."""
    upload = files.get("posting_file")
    text = form.get("posting")
    if upload is not None and upload.filename:
        try:
            text = decode_bytes(upload.read(MAX_POSTING_CHARS * 4 + 1), "the posting's file")
        except InputError:
            raise InputError("the posting's file is not text or HTML: choose a .txt or .html "
                             "file (a saved job page works), or paste the posting") from None
    if not isinstance(text, str):
        raise InputError("no posting: paste it, or choose its file")
    text = without_nul(text)
    problem = check_text(text)
    if problem:
        raise InputError(problem)
    return text


def _create(form: Any, files: Any) -> str:
    """Read a request's résumé and posting (or batch), store the match and queue it."""
    resume = _resume_of(form, files)
    batch_id = form.get("batch_id") or None
    posting = None if batch_id else _posting_of(form, files)
    skillset = form.get("skillset")
    skillset = chosen_skillset(skillset if isinstance(skillset, str) else None)
    return matches.create(
        _url(), matches.enqueuer(current_app.extensions["celery"]), resume,
        ttl_hours=float(current_app.config["MATCH_TTL_HOURS"]), posting_text=posting,
        batch_id=batch_id if isinstance(batch_id, str) else None,
        skillset=skillset)


# -- pages ----------------------------------------------------------------------------------

def _form(error: str | None = None, status: int = 200, **values: Any):
    return render_template(
        "match.html", error=error, skillsets=present.skillset_choices(),
        selected=chosen_skillset(values.get("skillset")),
        ttl_hours=current_app.config["MATCH_TTL_HOURS"], formats=", ".join(FORMATS),
        deleted=request.args.get("deleted") == "1", batch_id=request.values.get("batch_id") or "",
        resume=values.get("resume", ""), posting=values.get("posting", ""),
    ), status


def _nothing_matched(subject: str, exc: Exception) -> str:
    """The form's error: the problem, said of the résumé or the posting unless it names it."""
    problem = str(exc)
    about = "" if subject in problem else f"the {subject}: "
    return f"Nothing matched: {about}{problem}."


@bp.get("/match")
def form():
    return _form()


@bp.post("/match")
def submit():
    kept = {"skillset": request.form.get("skillset"),
            # Given back on a form with an error, so nothing typed is lost.
            "resume": request.form.get("resume", "")[:MAX_POSTING_CHARS],
            "posting": request.form.get("posting", "")[:MAX_POSTING_CHARS]}
    try:
        match_id = _create(request.form, request.files)
    except ResumeError as exc:
        return _form(_nothing_matched("résumé", exc), 422, **kept)
    except matches.BatchNotReady:
        return _form("Nothing matched: that batch is unknown or not finished yet.", 422, **kept)
    except InputError as exc:
        return _form(_nothing_matched("posting", exc), 422, **kept)
    wait = float(current_app.config["PASTE_WAIT_SECONDS"])
    if wait > 0:
        _wait(match_id, wait)
    return redirect(url_for("match.result", match_id=match_id), 303)


@bp.get("/match/<match_id>")
def result(match_id: str):
    found = matches.get(_url(), match_id)
    if found is None:
        abort(404)
    if found.status not in FINISHED:
        no_worker = not worker_up(current_app.extensions["celery"])
        return render_template("match_pending.html", match=found, no_worker=no_worker)
    return render_template("match_result.html", match=found, r=found.result or {},
                           expires=_iso(found.expires_at))


@bp.post("/match/<match_id>/delete")
def delete(match_id: str):
    matches.delete_match(_url(), match_id)
    return redirect(url_for("match.form", deleted=1), 303)


# -- API --------------------------------------------------------------------------------------

def _iso(value: dt.datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).isoformat()


def match_json(found: Match) -> dict[str, Any]:
    """A match as the API tells it: id, status, expiry, and once done the result's keys."""
    body: dict[str, Any] = {
        "id": found.id, "status": found.status if found.status in ("queued", "running", "done") else "failed",
        "kind": "batch" if found.batch_id else "posting", "expires_at": _iso(found.expires_at),
        "status_url": url_for("match_api.get_match", match_id=found.id),
    }
    if found.result:
        body.update({k: v for k, v in found.result.items() if k not in body and k != "error"})
    if found.error:
        body["error"] = {"code": "match_failed", "message": found.error}
    return body


def _wait_seconds() -> float:
    raw = request.args.get("wait", "0")
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not (0 <= value < float("inf")):
        raise ApiError(400, "bad_request", "'wait' must be a number of seconds, 0 or more")
    return min(value, float(current_app.config["MAX_WAIT_SECONDS"]))


@api_bp.post("/matches")
def create_match():
    if request.is_json:
        form: Any = json_object()
        files: Any = {}  # JSON carries no files
    elif request.mimetype.startswith("multipart/form-data"):
        form, files = request.form, request.files
    else:
        raise ApiError(415, "unsupported_media_type",
                       "send JSON, or multipart/form-data with the résumé file in 'resume_file'")
    batch_id = form.get("batch_id")
    if batch_id is not None and not isinstance(batch_id, str):
        raise ApiError(400, "bad_request", "'batch_id' must be a string")
    skillset = form.get("skillset")
    if skillset is not None and (not isinstance(skillset, str) or skillset not in dict(present.skillset_choices())):
        raise ApiError(422, "unknown_skillset", f"unknown skill set {skillset!r}")
    wait = _wait_seconds()
    try:
        match_id = _create(form, files)
    except ResumeError as exc:
        raise ApiError(422, "unreadable_resume", str(exc)) from None
    except matches.BatchNotReady:
        raise ApiError(422, "batch_not_ready", "that batch is unknown or not finished yet") from None
    except InputError as exc:
        raise ApiError(422, "unanalysable_text", str(exc)) from None
    found = _wait(match_id, wait) if wait > 0 else matches.get(_url(), match_id)
    if found is None:  # deleted at once by another request
        raise ApiError(404, "not_found", "no such match")
    status = 200 if found.status in FINISHED else 202
    body = match_json(found)
    return jsonify(body), status, {"Location": body["status_url"]}


@api_bp.get("/matches/<match_id>")
def get_match(match_id: str):
    wait = _wait_seconds()
    found = _wait(match_id, wait) if wait > 0 else matches.get(_url(), match_id)
    if found is None:
        raise ApiError(404, "not_found", "no such match (it may have expired or been deleted)")
    return jsonify(match_json(found))


@api_bp.delete("/matches/<match_id>")
def delete_match(match_id: str):
    if not matches.delete_match(_url(), match_id):
        raise ApiError(404, "not_found", "no such match (it may have expired or been deleted)")
    return "", 204
