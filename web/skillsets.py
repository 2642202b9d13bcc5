"""Pages of skill sets: the list, each set's skills and sources, creating your own
(a TOML or CSV file, or a built-in set edited in a form), and a finished batch
compared with a skill set."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    has_app_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from models.own_skillsets import MAX_BYTES, form_to_toml, read_upload
from models.skillset import SkillSet, SkillSetError, builtin_ids, load_skillset, load_sources
from web import error_pages, present
from web.skillsets_api import download_response
from worker import batches, compare, report, skillsets, tasks
from worker.reanalyze import NotFinished, reanalyze
from worker.storage import DONE

bp = Blueprint("skillsets", __name__)
error_pages.catch_all(bp)

KEY = "skillsets"
LIMIT = 20


def _url() -> str:
    return str(current_app.config["DATABASE_URL"])


def remember(skillset_id: str) -> None:
    """Keep a set this browser created in its session cookie, for its forms' choices."""
    mine = [s for s in session.get(KEY, []) if isinstance(s, str) and s != skillset_id]
    session[KEY] = [skillset_id, *mine][:LIMIT]
    session.permanent = True


def mine() -> list[tuple[str, str]]:
    """(id, name) of the sets this browser created, newest first (unknown ones left out)."""
    out = []
    for sid in session.get(KEY, []):
        try:
            out.append((sid, skillsets.load(_url(), sid).name))
        except SkillSetError:
            continue
    return out


def find(skillset_id: str | None, version: str | None = None) -> SkillSet | None:
    """The skill set a record names (None: unknown). Built-in sets are found by id."""
    if not skillset_id:
        return None
    try:
        if skillset_id in builtin_ids():
            return load_skillset(skillset_id)
        if not has_app_context():
            return None
        return skillsets.load(_url(), f"{skillset_id}@{version}" if version else skillset_id)
    except SkillSetError:
        return None


@bp.get("/skillsets")
def listing():
    builtin = [skillsets.load(_url(), sid) for sid in builtin_ids()]
    return render_template("skillsets.html", builtin=builtin, mine=mine(), max_kb=MAX_BYTES // 1000)


@bp.post("/skillsets")
def create():
    """A new set from an uploaded TOML or CSV file, or from the edit form of a built-in set."""
    try:
        if request.form.get("base"):
            text, source = form_to_toml(request.form, request.form["base"]), "the form"
        else:
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                raise SkillSetError("choose a .toml or .csv file")
            text, source = read_upload(upload.read(MAX_BYTES + 1), upload.filename, request.form.get("name"))
        pinned = skillsets.create(_url(), text, source)
    except SkillSetError as exc:
        if request.form.get("base"):
            return _edit_form(request.form["base"], str(exc), 422)
        builtin = [skillsets.load(_url(), sid) for sid in builtin_ids()]
        return render_template("skillsets.html", builtin=builtin, mine=mine(), error=str(exc),
                               max_kb=MAX_BYTES // 1000), 422
    remember(pinned.id)
    return redirect(url_for("skillsets.page", skillset_id=pinned.id), 303)


def _edit_form(base_id: str, error: str | None = None, status: int = 200):
    if base_id not in builtin_ids():
        abort(404)
    base = skillsets.load(_url(), base_id)
    return render_template("skillset_edit.html", base=base, error=error, form=request.form,
                           new_rows=range(1, 4)), status


@bp.get("/skillsets/<skillset_id>/edit")
def edit(skillset_id: str):
    """Start from a built-in set: keep, drop and weigh its skills, add new ones."""
    return _edit_form(skillset_id)


@bp.get("/skillsets/<skillset_id>")
def page(skillset_id: str):
    """A skill set: each skill, why it matters, where it applies, where it comes from."""
    try:
        pinned = skillsets.pin(_url(), skillset_id)
        loaded = skillsets.load(_url(), pinned.ref)
    except SkillSetError:
        abort(404)
    sources = load_sources()
    builtin = pinned.id in builtin_ids()
    view = present.skillset_view(loaded)
    article = (sources["skillsets"].get(loaded.id) or {}).get("article") if builtin else None
    return render_template(
        "skillset.html", **view, pinned=pinned, asked=skillset_id, builtin=builtin, article=article,
        taxonomy=sources.get("skills", {}) if builtin else {},
        versions=skillsets.versions(_url(), pinned.id),
    )


@bp.get("/skillsets/<skillset_id>/download")
def download(skillset_id: str):
    try:
        pinned, text = skillsets.text_of(_url(), skillset_id)
    except SkillSetError:
        abort(404)
    return download_response(pinned, text)


def _finished_report(batch_id: str) -> tuple[Any, dict[str, Any]]:
    batch = batches.get_batch(_url(), batch_id)
    if batch is None or batch.kind != "batch":
        abort(404)
    return batch, report.batch_report(_url(), batch_id)


@bp.post("/batches/<batch_id>/compare")
def compare_start(batch_id: str):
    """Analyse a finished batch's postings against a chosen set, then compare."""
    try:
        new_id = reanalyze(_url(), batch_id, request.form.get("skillset"),
                           tasks.enqueuer(current_app.extensions["celery"]))
    except LookupError:
        abort(404)
    except (NotFinished, SkillSetError) as exc:
        return render_template("error.html", title="Cannot compare", message=str(exc)), 422
    return redirect(url_for("skillsets.compare_runs", batch_id=new_id, market=batch_id), 303)


@bp.get("/batches/<batch_id>/compare")
def compare_runs(batch_id: str):
    """The batch's skill set against its postings; beside another run of them (``market``)."""
    batch, data = _finished_report(batch_id)
    loaded = find(batch.skillset_id, (batch.skillset or "").partition("@")[2] or None)
    if loaded is None:
        abort(404)
    if batch.status != DONE:
        return render_template("compare.html", batch=batch, pending=True, skillset=loaded), 200, {"Refresh": "2"}
    market_id = request.args.get("market") or request.args.get("other")
    market_batch = market_set = market_data = None
    if market_id:
        market_batch, market_data = _finished_report(market_id)
        market_set = find(market_batch.skillset_id, (market_batch.skillset or "").partition("@")[2] or None)
    result = compare.compare(data, loaded, market_data)
    runs = None
    if market_data is not None and market_set is not None:
        runs = compare.side_by_side(compare.compare(market_data, market_set), result)
    choices = [(s.id, s.name) for s in (skillsets.load(_url(), i) for i in builtin_ids())] + mine()
    return render_template("compare.html", batch=batch, skillset=loaded, result=result, pending=False,
                           market_batch=market_batch, market_set=market_set, runs=runs, choices=choices,
                           market_compared=(market_data or {}).get("compared", 0),
                           rare=compare.RARE_SHARE)
