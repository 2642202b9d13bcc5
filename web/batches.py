"""Pages for a file of postings: upload, column preview, progress, report, one row."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import RequestEntityTooLarge

from models.inputs import InputError, without_nul
from web import error_pages, history, present, samples, services, uploads
from web.health import worker_up
from web.pages import chosen_skillset
from web.report_view import FULL_TABLES, postings_link, report_view
from worker import pipeline, rows, tasks
from worker.batches import get_batch
from worker.report import batch_report, build_report
from worker.results import iter_results
from worker.row_filters import RowFilter
from worker.storage import CANCELLED

bp = Blueprint("batches", __name__, url_prefix="/batches")
error_pages.catch_all(bp)


class TooManyRowsError(RequestEntityTooLarge):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.user_message = (f"A batch can hold at most {limit:,} postings. Split the file into "
                             "smaller ones, or ask whoever runs this site to raise "
                             "SKILLGAP_MAX_ROWS.")


def _url() -> str:
    return str(current_app.config["DATABASE_URL"])


def _instance() -> str:
    return str(current_app.instance_path)


def _batch(batch_id: str):
    batch = get_batch(_url(), batch_id)
    if batch is None:
        abort(404)
    return batch


def _upload_form(error: str | None = None, status: int = 200):
    return render_template(
        "batch_new.html", error=error, skillsets=present.skillset_choices(),
        selected=chosen_skillset(None),
        batch_example=samples.batch_path() is not None,
        max_mb=current_app.config["MAX_CONTENT_LENGTH"] / 1024 / 1024,
        max_rows=current_app.config["MAX_ROWS"],
    ), status


@bp.get("/new")
def new():
    return _upload_form()


@bp.post("/upload")
def upload():
    file = request.files.get("file")
    if file is None or not file.filename:
        return _upload_form("Choose a CSV or JSON-lines file first.", 400)
    skillset = chosen_skillset(request.form.get("skillset"))
    try:
        token = uploads.save_upload(_instance(), file.stream, file.filename, skillset)
    except uploads.UploadError as exc:
        return _upload_form(str(exc), 415)
    return redirect(url_for("batches.preview", token=token), 303)


@bp.post("/sample")
def sample():
    path = samples.batch_path()
    if path is None:
        abort(404)
    with path.open("rb") as fh:
        token = uploads.save_upload(_instance(), fh, path.name,
                                     chosen_skillset(request.form.get("skillset")))
    return redirect(url_for("batches.preview", token=token), 303)


def _preview(token: str, error: str | None = None, status: int = 200,
             mapping: dict[str, str | None] | None = None):
    meta = uploads.load_upload(_instance(), token)
    if meta is None:
        abort(404)
    try:
        columns, detected, rows = uploads.upload_preview(meta)
    except InputError as exc:
        return _upload_form(f"That file cannot be read: {exc}", 422)
    return render_template(
        "batch_preview.html", meta=meta, columns=columns, mapping=mapping or detected,
        rows=rows, fields=uploads.FIELDS, labels=uploads.FIELD_LABELS, error=error,
        skillsets=present.skillset_choices(),
        selected=meta.get("skillset") or chosen_skillset(None),
    ), status


@bp.get("/upload/<token>")
def preview(token: str):
    return _preview(token)


@bp.post("/upload/<token>")
def start(token: str):
    meta = uploads.load_upload(_instance(), token)
    if meta is None:
        abort(404)
    mapping = None
    try:
        columns, _, _ = uploads.upload_preview(meta)
        mapping = uploads.mapping_from_form(request.form, columns)
        batch_id = uploads.start_batch(
            _url(), current_app.extensions["celery"], meta, mapping,
            skillset=chosen_skillset(request.form.get("skillset")),
            chunk_size=int(current_app.config["CHUNK_SIZE"]),
            max_rows=int(current_app.config["MAX_ROWS"]),
        )
    except uploads.TooManyRows as exc:
        raise TooManyRowsError(exc.limit) from None
    except InputError as exc:
        return _preview(token, f"Not started: {exc}.", 422, mapping)
    uploads.discard_upload(_instance(), token)
    history.remember("batch", batch_id)
    return redirect(url_for("batches.progress", batch_id=batch_id), 303)


@bp.get("/<batch_id>")
def progress(batch_id: str):
    batch = _batch(batch_id)
    no_worker = batch.status in ("queued", "running") and not worker_up(
        current_app.extensions["celery"])
    return render_template("batch_progress.html", batch=batch, p=services.progress(batch),
                           skillset_name=present.skillset_name(batch.skillset_id),
                           no_worker=no_worker)


@bp.get("/<batch_id>/progress.json")
def progress_json(batch_id: str):
    return jsonify(services.progress(_batch(batch_id)))


@bp.get("/<batch_id>/cancel")
def confirm_cancel(batch_id: str):
    """Ask before cancelling: a page of its own, so no script is needed."""
    batch = _batch(batch_id)
    return render_template("batch_cancel.html", batch=batch, p=services.progress(batch))


@bp.post("/<batch_id>/cancel")
def cancel(batch_id: str):
    _batch(batch_id)
    if request.form.get("confirm") != "yes":
        return redirect(url_for("batches.confirm_cancel", batch_id=batch_id), 303)
    pipeline.cancel(_url(), batch_id)
    return redirect(url_for("batches.progress", batch_id=batch_id), 303)


@bp.post("/<batch_id>/resume")
def resume(batch_id: str):
    """Take a cancelled batch up again, as ``skillgap batch resume`` does."""
    batch = _batch(batch_id)
    if batch.status == CANCELLED:
        pipeline.resume(_url(), batch_id, tasks.enqueuer(current_app.extensions["celery"]))
    return redirect(url_for("batches.progress", batch_id=batch_id), 303)


@bp.get("/<batch_id>/report")
def report(batch_id: str):
    batch = _batch(batch_id)
    data = batch_report(_url(), batch_id)
    args = request.args
    sort = args.get("sort", "row")
    sort = sort if sort in rows.SORTS else "row"
    try:
        page_no = int(args.get("page", "1"))
    except ValueError:
        page_no = 1
    statuses = rows.row_statuses(batch)
    status = args.get("status", "")
    status = status if status in statuses else ""
    filters = RowFilter.from_args(args)
    table = rows.list_rows(
        _url(), batch_id, q=without_nul(args.get("q", "")).strip()[:200], status=status,
        sort=sort, desc=args.get("dir") == "desc", page=page_no,
        per_page=int(current_app.config["ROWS_PER_PAGE"]), filters=filters.clauses(_url(), batch_id),
    )
    return render_template(
        "batch_report.html", batch=batch, p=services.progress(batch), report=data,
        view=report_view(data, batch.skillset_id, batch_id), table=table,
        q=args.get("q", ""), status=status, sort=sort,
        direction="desc" if args.get("dir") == "desc" else "asc",
        statuses=statuses, filters=filters.active(), without=filters.without_each(),
    )


@bp.get("/<batch_id>/report/<kind>")
def breakdown(batch_id: str, kind: str) -> str:
    """A breakdown, or the gaps or extras, in full: the report lists the largest only."""
    if kind not in FULL_TABLES:
        abort(404)
    batch = _batch(batch_id)
    full = build_report(iter_results(_url(), batch_id), top=None)
    groups = full["gaps" if kind == "gaps" else "extras" if kind == "extras" else f"by_{kind}"]
    heading, column = FULL_TABLES[kind]
    return render_template("batch_breakdown.html", batch=batch, kind=kind, heading=heading, column=column,
                           rows=groups, link=postings_link(batch_id))


@bp.get("/<batch_id>/rows/<int:row>")
def row(batch_id: str, row: int):
    batch = _batch(batch_id)
    # Row numbers are 32-bit integers in the database: a larger one is no row, not an error.
    if row > services.MAX_ROW_NUMBER:
        abort(404)
    found = rows.batch_row(_url(), batch_id, row)
    if found is None:
        abort(404)
    return render_template("batch_row.html", batch=batch, row=found.record, nav=found,
                           **present.result_view(found.record, found.text))
