"""Celery tasks: thin wrappers that take ids and call ``worker.pipeline``."""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, shared_task, signals
from celery.exceptions import Retry
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from models.inputs import failure_message
from worker import notify, pipeline, report
from worker.celery_app import BATCH_QUEUE, INTERACTIVE_QUEUE, settings_of
from worker.pipeline import analyzers

log = logging.getLogger(__name__)


@shared_task(bind=True, name="skillgap.analyze_chunk", max_retries=None)
def analyze_chunk(self: Any, batch_id: str, chunk: int) -> None:
    """Analyse one chunk of a batch (or one pasted posting, chunk 0)."""
    settings = settings_of(self.app)
    url = settings["DATABASE_URL"]
    limit = int(settings["MAX_ATTEMPTS"])
    try:
        claim = pipeline.start_chunk(url, batch_id, chunk)
    except DBAPIError as exc:
        if not database_away(exc):
            raise
        # Nothing was counted: send the task again later rather than lose it (it is
        # acknowledged when this returns, and only the sweep would find it again).
        delay = min(float(settings["RETRY_DELAY"]) * 2 ** self.request.retries, 60.0)
        log.warning("chunk %s/%s could not start, the database is away (%r): again in %.0f s",
                    batch_id, chunk, exc, delay)
        raise self.retry(exc=exc, countdown=delay) from None
    if claim is None:
        return
    attempt = claim.attempt
    on_finish = report_enqueuer(self.app)
    if attempt > limit:
        # Earlier attempts died with their worker or hit the hard time limit.
        pipeline.fail_chunk(url, batch_id, chunk, f"the analysis was tried {limit} times and "
                            "never finished (the worker stopped or ran out of time)", on_finish)
        return
    try:
        pipeline.run_chunk(url, batch_id, chunk, claim=claim, isolate=attempt >= limit,
                           on_finish=on_finish)
        notify.publish(settings, batch_id)
    except Retry:
        raise
    except Exception as exc:
        log.warning("chunk %s/%s failed on attempt %s: %r", batch_id, chunk, attempt, exc)
        if attempt >= limit:
            pipeline.fail_chunk(url, batch_id, chunk,
                                failure_message(exc, limit),
                                on_finish)
            notify.publish(settings, batch_id)
            return
        raise self.retry(exc=exc, countdown=settings["RETRY_DELAY"] * attempt) from None


def database_away(exc: DBAPIError) -> bool:
    """Tell a database out of reach (refused, reset, restarting) from an error in a statement."""
    return isinstance(exc, (OperationalError, InterfaceError)) or exc.connection_invalidated


@shared_task(bind=True, name="skillgap.store_report")
def store_report(self: Any, batch_id: str) -> None:
    """Build a finished batch's report and store it, so that even its first view is quick."""
    report.batch_report(settings_of(self.app)["DATABASE_URL"], batch_id)


def report_enqueuer(app: Celery) -> pipeline.OnFinish:
    """Return a function that sends a finished batch's ``store_report`` task."""

    def enqueue(batch_id: str) -> None:
        app.send_task("skillgap.store_report", args=(batch_id,), queue=BATCH_QUEUE)

    return enqueue


def enqueuer(app: Celery, queue: str = BATCH_QUEUE) -> pipeline.Enqueue:
    """Return a function that sends chunk tasks to ``queue`` through ``app``."""

    def enqueue(batch_id: str, chunk: int) -> None:
        app.send_task("skillgap.analyze_chunk", args=(batch_id, chunk), queue=queue)

    return enqueue


def interactive_enqueuer(app: Celery) -> pipeline.Enqueue:
    return enqueuer(app, INTERACTIVE_QUEUE)


def warm_up(sender: Any = None, **_: Any) -> None:
    """Build the default analyzer now, so the first posting is answered fast."""
    try:
        from celery import current_app

        settings = settings_of(current_app)
        analyzers.get_analyzer(settings["DATABASE_URL"], settings.get("DEFAULT_SKILLSET"))
    except Exception:  # A broken engine shows up in the task that uses it.
        log.exception("could not build the analyzer at start")


signals.worker_process_init.connect(warm_up, weak=False)


@signals.worker_ready.connect(weak=False)
def _warm_solo(sender: Any = None, **kwargs: Any) -> None:
    # The solo and threads pools fork no child, so worker_process_init never fires.
    pool = getattr(sender, "pool", None)
    if "prefork" not in type(pool).__module__:
        warm_up()
