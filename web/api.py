"""The JSON API, version 1. Documented in ``web/openapi.yaml`` (served at /api/v1/openapi.yaml)."""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import time
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    request,
    send_from_directory,
    stream_with_context,
    url_for,
)

from models.inputs import InputError, check_text, input_format, without_nul
from models.record import describe_record
from models.skillset import SkillSetError, builtin_ids
from web import services, uploads
from web.errors import ApiError, json_object
from worker import batches, notify, pipeline, report, skillsets, tasks
from worker.export import FORMATS, iter_export
from worker.results import SingleResult, iter_results, single_result
from worker.storage import DONE, FAILED, FINISHED, Batch

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


def _url() -> str:
    return str(current_app.config["DATABASE_URL"])


def _celery():
    return current_app.extensions["celery"]


@functools.lru_cache(maxsize=1)
def _builtin_ids() -> tuple[str, ...]:
    """The built-in skill sets: package data, listed once per process, not per request."""
    return tuple(builtin_ids())


def _skillset(value: Any) -> str | None:
    """A skill set's id (built in or created; ``worker.skillsets`` resolves it, and
    refuses a path, which would read the server's files)."""
    if value is None:
        return current_app.config.get("DEFAULT_SKILLSET")
    if not isinstance(value, str) or not value.strip():
        raise ApiError(422, "unknown_skillset",
                       f"unknown skill set {value!r}; built-in ones are: {', '.join(_builtin_ids())}")
    try:
        return skillsets.pin(_url(), value).ref
    except SkillSetError as exc:
        raise ApiError(422, "unknown_skillset", str(exc)) from None


def _optional_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ApiError(400, "bad_request", f"{key!r} must be a string")
    return without_nul(value) if value else None


def _accepted(batch_id: str, endpoint: str) -> tuple[Response, int, dict[str, str]]:
    status_url = url_for(endpoint, batch_id=batch_id)
    return jsonify({"id": batch_id, "status_url": status_url}), 202, {"Location": status_url}


@bp.post("/analyses")
def create_analysis():
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "send JSON: Content-Type: application/json")
    data = json_object()
    text = data.get("text")
    if not isinstance(text, str):
        raise ApiError(400, "bad_request", "'text' is required: the posting, as text or HTML")
    # NUL characters are no part of any text, and no database column takes them.
    text = without_nul(text)
    problem = check_text(text)
    if problem:
        raise ApiError(422, "unanalysable_text", problem)
    skillset = _skillset(data.get("skillset"))
    wait = _wait_arg()
    try:
        batch_id = pipeline.submit_text(
            _url(), text, tasks.interactive_enqueuer(_celery()), skillset=skillset,
            title=_optional_str(data, "title"), company=_optional_str(data, "company"),
        )
    except SkillSetError as exc:
        raise ApiError(422, "unknown_skillset", str(exc)) from None
    # ``?wait=S``: answer with the result itself when it is ready within S seconds,
    # one request where submit-then-poll takes two.
    if wait > 0:
        found = _wait(batch_id, time.monotonic() + wait)
        if found is not None and found.status in FINISHED:
            status_url = url_for("api.get_analysis", batch_id=batch_id)
            body = _analysis_body(batch_id, found)
            body["status_url"] = status_url
            return jsonify(body), 200, {"Location": status_url}
    return _accepted(batch_id, "api.get_analysis")


@bp.get("/analyses/<batch_id>")
def get_analysis(batch_id: str):
    """Return a pasted posting's status and result; ``?wait=S`` waits up to S seconds for it."""
    wait = _wait_arg()
    found = _wait(batch_id, time.monotonic() + wait) if wait > 0 else single_result(_url(), batch_id)
    if found is None:
        raise ApiError(404, "not_found", "no such analysis")
    return jsonify(_analysis_body(batch_id, found))


def _wait_arg() -> float:
    return min(_float_arg("wait", 0.0), float(current_app.config["MAX_WAIT_SECONDS"]))


def _analysis_body(batch_id: str, found: SingleResult) -> dict[str, Any]:
    """The JSON of a pasted posting's state and, once it is finished, its result."""
    body: dict[str, Any] = {"id": batch_id, "status": found.status, "result": None}
    if found.status not in FINISHED:
        return body
    if found.row is not None and found.record is not None:
        result = found.row.merged()
        # The skills' names, tiers and categories, the coverage's totals and the market's
        # reference, as before engine release 9 (``models.record``); gaps stay ids.
        from web.skillsets import find  # it registers routes on this module's blueprint

        named = result.get("skillset") or {}
        result = describe_record(result, find(named.get("id"), named.get("version")))
        for key in ("row", "location", "date", "status"):
            result.pop(key, None)
        result["id"] = batch_id
        if found.text is not None:
            result["text"] = found.text
        body["result"] = result
    if found.error:
        body["error"] = {"code": "analysis_failed", "message": found.error}
    return body


def _wait(batch_id: str, deadline: float) -> SingleResult | None:
    """Wait until the posting is analysed or the deadline passes; return its state
    (None at once for an unknown id)."""
    return services.wait_finished(notify.redis_url(current_app.config), batch_id, deadline,
                                  lambda: single_result(_url(), batch_id))


def _float_arg(name: str, default: float) -> float:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (0 <= value < math.inf):
        raise ApiError(400, "bad_request", f"{name!r} must be a number of seconds, 0 or more")
    return value


@bp.post("/batches")
def create_batch():
    if not request.mimetype.startswith("multipart/form-data"):
        raise ApiError(415, "unsupported_media_type",
                       "upload the file as multipart/form-data in a field named 'file'")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError(400, "bad_request", "no file: send it in a form field named 'file'")
    filename = without_nul(os.path.basename(upload.filename))
    if input_format(filename) not in ("csv", "jsonl"):
        raise ApiError(415, "unsupported_media_type",
                       "a batch is a .csv, .tsv or .jsonl file; paste single postings instead")
    skillset = _skillset(request.form.get("skillset"))
    text_column = request.form.get("text_column") or None
    limit = int(current_app.config["MAX_ROWS"])
    try:
        # Counted before anything is stored, as the upload form does; the upload is
        # a file Werkzeug spooled (in memory or on disk), so it can be read twice.
        uploads.count_postings(upload.stream, filename, limit, text_column=text_column)
        upload.stream.seek(0)
        batch_id = uploads.receive_file(
            _url(), _celery(), upload.stream, filename, filename=filename, skillset=skillset,
            chunk_size=int(current_app.config["CHUNK_SIZE"]), text_column=text_column,
        )
    except uploads.TooManyRows:
        raise ApiError(413, "too_many_rows",
                       f"a batch can hold at most {limit:,} postings: split the file, or ask "
                       "whoever runs this site to raise SKILLGAP_MAX_ROWS") from None
    except InputError as exc:
        raise ApiError(422, "unreadable_file", str(exc)) from None
    except SkillSetError as exc:
        raise ApiError(422, "unknown_skillset", str(exc)) from None
    return _accepted(batch_id, "api.get_batch")


def _batch(batch_id: str) -> Batch:
    batch = batches.get_batch(_url(), batch_id)
    if batch is None:
        raise ApiError(404, "not_found", "no such batch")
    return batch


def batch_json(batch: Batch) -> dict[str, Any]:
    def iso(value: Any) -> str | None:
        # Times are stored in UTC; SQLite hands some back without their zone.
        if value and value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.isoformat() if value else None

    return {
        "id": batch.id,
        "status": batch.status,
        "total": batch.total,
        "done": batch.done,
        "failed": batch.failed,
        # Rows a cancel left unanalysed; done + failed + cancelled = total once known.
        "cancelled": batch.cancelled or 0,
        # Of done + failed, the rows that took an analysis stored before.
        "reused": batch.reused or 0,
        "filename": batch.filename,
        "skillset": {"id": batch.skillset_id, "version": batch.skillset_version},
        "error": batch.error,
        "created_at": iso(batch.created_at),
        "started_at": iso(batch.started_at),
        "finished_at": iso(batch.finished_at),
        "results_url": url_for("api.batch_results", batch_id=batch.id),
        "report_url": url_for("api.batch_report", batch_id=batch.id),
    }


@bp.get("/batches/<batch_id>")
def get_batch(batch_id: str):
    return jsonify(batch_json(_batch(batch_id)))


@bp.get("/batches/<batch_id>/results")
def batch_results(batch_id: str):
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        raise ApiError(400, "bad_request", f"format must be one of: {', '.join(FORMATS)}")
    batch = _batch(batch_id)
    stem = os.path.splitext(batch.filename or "batch")[0] or "batch"
    body = stream_with_context(iter_export(iter_results(_url(), batch_id), fmt))
    return Response(
        body,
        mimetype=MEDIA_TYPES[fmt].split(";")[0],
        content_type=MEDIA_TYPES[fmt],
        headers={
            # An upload's results are always downloaded, never shown inline.
            "Content-Disposition": f'attachment; filename="{_safe_name(stem)}-results.{fmt}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:100] or "batch"


@bp.get("/batches/<batch_id>/report")
def batch_report(batch_id: str):
    batch = _batch(batch_id)
    return jsonify({"batch": batch_json(batch), "report": report.batch_report(_url(), batch_id)})


@bp.delete("/batches/<batch_id>")
def cancel_batch(batch_id: str):
    _batch(batch_id)
    pipeline.cancel(_url(), batch_id)
    return jsonify(batch_json(_batch(batch_id)))


@bp.post("/batches/<batch_id>/resume")
def resume_batch(batch_id: str):
    """Take a cancelled batch up again, or queue again a running one's lost chunks."""
    batch = _batch(batch_id)
    if batch.status not in (DONE, FAILED):
        pipeline.resume(_url(), batch_id, tasks.enqueuer(_celery()))
    return jsonify(batch_json(_batch(batch_id)))


@bp.get("/openapi.yaml")
def openapi():
    return send_from_directory(os.path.dirname(__file__), "openapi.yaml",
                               mimetype="application/yaml")
