"""Matches: a résumé held against one posting or a finished batch, run by a worker.

A résumé is personal data, so a match is handled unlike a posting:

- its id is 128 random bits, and the id is the only way to it;
- the résumé's and the posting's texts are stored only until the match has run;
  the result, which quotes the résumé, until ``expires_at`` (``MATCH_TTL_HOURS``
  after it was made), or until it is deleted;
- an expired match is gone on read, and workers delete expired ones (the sweep);
- the task takes the id only, and nothing of a résumé is logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from celery import shared_task
from sqlalchemy import delete, update
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from models.inputs import failure_message
from worker.db import session_scope
from worker.storage import DONE, FAILED, FINISHED, QUEUED, RUNNING, Batch, Match, utcnow

log = logging.getLogger(__name__)

Enqueue = Callable[[str], None]


class BatchNotReady(ValueError):
    """The batch to match against is unknown or not finished yet."""


def new_id() -> str:
    """An unguessable match id: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def create(url: str, enqueue: Enqueue, resume_text: str, *, ttl_hours: float,
           posting_text: str | None = None, batch_id: str | None = None,
           skillset: str | None = None) -> str:
    """Store a match to run and queue it; return its id.

    Against a batch, the batch must be finished (``BatchNotReady`` otherwise), and
    its skill set is the match's.
    """
    sweep_expired(url)
    match_id = new_id()
    now = utcnow()
    with _unquoted(), session_scope(url, write=True) as session:
        if batch_id is not None:
            skillset = _finished_batch(session, batch_id).skillset
        session.add(Match(id=match_id, status=QUEUED, skillset=skillset, batch_id=batch_id,
                          resume_text=resume_text, posting_text=posting_text, created_at=now,
                          expires_at=now + dt.timedelta(hours=float(ttl_hours))))
    enqueue(match_id)
    return match_id


def _finished_batch(session: Session, batch_id: str) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None or batch.kind != "batch" or batch.status != DONE:
        raise BatchNotReady(batch_id)
    return batch


def batch_skillset(url: str, batch_id: str) -> str | None:
    """The skill set a match against a batch uses: the batch's (``BatchNotReady`` when it is
    unknown or not finished)."""
    with session_scope(url) as session:
        return _finished_batch(session, batch_id).skillset


def match_batch(url: str, batch_id: str, analyzer: Any, resume_text: str) -> dict[str, Any]:
    """A résumé against a finished batch's analysed postings: the ranked postings and the
    skills that would open the most (``models.match.rank_postings``)."""
    from models.match import rank_postings
    from models.record import describe_record
    from models.resume import find_skills
    from worker.results import iter_results

    resume = find_skills(analyzer, resume_text)
    # The skills' names are the skill set's (``models.record``).
    records = (describe_record(r.merged(), analyzer.skillset) for r in iter_results(url, batch_id)
               if r.record is not None)
    result = rank_postings(records, resume)
    result["resume"] = {"skills": len(resume["skills"]) + len(resume["extras"]),
                        "negated": resume["negated"]}
    result["error"] = None
    return result


def get(url: str, match_id: str, now: dt.datetime | None = None) -> Match | None:
    """Return a match, or None when it is unknown, deleted or expired (an expired one is deleted)."""
    now = now or utcnow()
    with session_scope(url) as session:
        found = session.get(Match, match_id)
        if found is not None:
            session.expunge(found)
    if found is None:
        return None
    if _aware(found.expires_at) <= now:
        delete_match(url, match_id)
        return None
    return found


def delete_match(url: str, match_id: str) -> bool:
    """Delete a match at once; tell whether there was one."""
    with session_scope(url, write=True) as session:
        return bool(session.connection().execute(delete(Match).where(Match.id == match_id)).rowcount)


def sweep_expired(url: str, now: dt.datetime | None = None) -> int:
    """Delete every expired match; return how many."""
    with session_scope(url, write=True) as session:
        expired = delete(Match).where(Match.expires_at <= (now or utcnow()))
        return int(session.connection().execute(expired).rowcount or 0)


def run(url: str, match_id: str) -> None:
    """Run a stored match and store its result; then forget the texts it was made from.

    Idempotent: a match already finished, deleted or expired is left alone.
    """
    from models.match import match_texts
    from worker.pipeline.analyzers import get_analyzer

    found = get(url, match_id)
    if found is None or found.status in FINISHED:
        return
    with session_scope(url, write=True) as session:
        session.execute(update(Match).where(Match.id == match_id).values(status=RUNNING))
    analyzer = get_analyzer(url, found.skillset)
    if found.batch_id is None:
        result = match_texts(analyzer, found.resume_text or "", found.posting_text or "")
    else:
        result = match_batch(url, found.batch_id, analyzer, found.resume_text or "")
    _finish(url, match_id, result, result.get("error"))


def fail(url: str, match_id: str, error: str) -> None:
    """Mark a match failed (its texts are forgotten too)."""
    _finish(url, match_id, None, error)


def _finish(url: str, match_id: str, result: dict[str, Any] | None, error: str | None) -> None:
    with _unquoted(), session_scope(url, write=True) as session:
        session.execute(update(Match).where(Match.id == match_id).values(
            status=FAILED if error else DONE, result=result, error=error,
            resume_text=None, posting_text=None))


@contextmanager
def _unquoted() -> Iterator[None]:
    """Keep a résumé out of a database error's text, which quotes a statement's parameters
    (and may be logged)."""
    try:
        yield
    except StatementError as exc:
        exc.hide_parameters = True
        raise


def _aware(value: dt.datetime) -> dt.datetime:
    # Times are stored in UTC; SQLite hands them back without their zone.
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


@shared_task(bind=True, name="skillgap.run_match")
def run_match(self: Any, match_id: str) -> None:
    """Run one match (the id only: a résumé never travels through the broker)."""
    from worker import notify
    from worker.celery_app import settings_of

    settings = settings_of(self.app)
    url = settings["DATABASE_URL"]
    try:
        run(url, match_id)
    except Exception as exc:
        # The exception's class only: its text could quote the résumé.
        log.warning("match failed: %s", type(exc).__name__)
        fail(url, match_id, failure_message(exc))
    notify.publish(settings, match_id)


def enqueuer(app: Any) -> Enqueue:
    """Return a function that sends a match's task to the interactive queue."""
    from worker.celery_app import INTERACTIVE_QUEUE

    def enqueue(match_id: str) -> None:
        app.send_task("skillgap.run_match", args=(match_id,), queue=INTERACTIVE_QUEUE)

    return enqueue
