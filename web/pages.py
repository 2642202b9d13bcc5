"""Pages for one posting: the Analyse form (home), the result, its print view."""

from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from models.inputs import MAX_POSTING_CHARS, InputError, check_text, decode_bytes, without_nul
from models.skillset import DEFAULT_SKILLSET, SkillSetError, builtin_ids
from web import error_pages, history, present, samples, services
from web.health import worker_up
from worker import notify, skillsets
from worker.results import single_result

bp = Blueprint("pages", __name__)
error_pages.catch_all(bp)


def _url() -> str:
    return str(current_app.config["DATABASE_URL"])


def chosen_skillset(value: str | None) -> str | None:
    """Accept a built-in or created skill set's id; anything else means the default."""
    if value and value in builtin_ids():
        return value
    if value and skillsets.CREATED_ID.match(value.partition("@")[0]):
        try:
            skillsets.pin(_url(), value)
            return value
        except SkillSetError:
            pass
    default = current_app.config.get("DEFAULT_SKILLSET")
    return default if default in builtin_ids() else DEFAULT_SKILLSET


def _form(text: str = "", error: str | None = None, skillset: str | None = None,
          status: int = 200):
    selected = skillset or chosen_skillset(None)
    choices = present.skillset_choices()
    if selected and selected not in dict(choices):
        # A set of someone else's, opened by its link: offered too.
        choices.append((selected, present.skillset_name(selected)))
    return render_template(
        "analyze.html", text=text, error=error, skillsets=choices,
        selected=selected,
        examples=samples.available(), batch_example=samples.batch_path() is not None,
    ), status


@bp.get("/")
def analyze_form():
    example = request.args.get("example")
    text = samples.posting_text(example) if example else None
    return _form(text or "", skillset=chosen_skillset(request.args.get("skillset")))


@bp.post("/analyses")
def analyze_submit():
    text = request.form.get("text", "")
    skillset = chosen_skillset(request.form.get("skillset"))
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        try:
            # The content decides: binary files are refused whatever they are called.
            text = decode_bytes(upload.read(MAX_POSTING_CHARS * 4 + 1), "the file")
        except InputError:
            return _form(text, "That file is not text or HTML. Choose a .txt or .html file "
                         "(a saved job page works), or paste the posting.", skillset, 422)
    text = without_nul(text)
    problem = check_text(text)
    if problem:
        return _form(text if len(text) < 100_000 else "", f"Nothing analysed: {problem}.",
                     skillset, 422)
    analysis_id = services.submit_posting(_url(), current_app.extensions["celery"], text,
                                          skillset)
    history.remember("analysis", analysis_id)
    wait = float(current_app.config["PASTE_WAIT_SECONDS"])
    if wait > 0:
        services.wait_finished(notify.redis_url(current_app.config), analysis_id,
                               time.monotonic() + wait,
                               lambda: single_result(_url(), analysis_id))
    return redirect(url_for("pages.result", analysis_id=analysis_id), 303)


def _result(analysis_id: str, template: str):
    found = single_result(_url(), analysis_id)
    if found is None:
        abort(404)
    if found.status in ("queued", "running"):
        no_worker = found.status == "queued" and not worker_up(current_app.extensions["celery"])
        return render_template("result_pending.html", result=found, no_worker=no_worker)
    view = present.result_view(found.record or {}, found.text)
    return render_template(template, result=found, **view)


@bp.get("/analyses/<analysis_id>")
def result(analysis_id: str):
    return _result(analysis_id, "result.html")


@bp.get("/analyses/<analysis_id>/print")
def result_print(analysis_id: str):
    return _result(analysis_id, "result_print.html")
