"""The sweep for lost chunk tasks: which batches it sends again, and workers that do it."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from models.inputs import Posting
from tests.conftest import wait_for
from tests.test_storage import csv_file, run_all, unique
from tests.test_worker_faults import assert_each_row_analysed_once, batch_state
from tests.test_worker_integration import as_jsonl, real_postings
from worker import db, pipeline, storage, sweep, tasks
from worker.celery_app import create_celery
from worker.settings import DEFAULTS, resolve
from worker.storage import Batch

SECONDS = dt.timedelta(seconds=1)


def lost_batch(url: str, rows: int = 5, chunk_size: int = 2) -> str:
    """Submit a batch whose chunk tasks never reach a broker."""
    return pipeline.submit_file(
        url, csv_file([{"description": f"epic {unique()}"} for _ in range(rows)]), "a.csv",
        lambda _batch, _chunk: None, chunk_size=chunk_size)


def moved_at(url: str, batch_id: str) -> dt.datetime:
    with db.session_scope(url) as s:
        moment = s.scalar(select(Batch.progress_at).where(Batch.id == batch_id))
    assert moment is not None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def test_a_stalled_batch_is_sent_again_when_its_queue_is_empty(own_db_url: str,
                                                               fake_analyzer) -> None:
    url = own_db_url
    batch_id = lost_batch(url)
    sent: list[tuple[str, int]] = []
    enqueuers = {"batch": lambda b, c: sent.append((b, c))}
    start = moved_at(url, batch_id)

    # Still for less than the stall timeout: left alone.
    assert pipeline.resend_stalled(url, enqueuers, 60, now=start + 30 * SECONDS) == {}
    # Messages wait in the batch queue (so no enqueuer for its kind): it may be waiting its
    # turn behind another batch, and is left alone however long it has been still.
    hour_later = start + 3600 * SECONDS
    assert pipeline.resend_stalled(url, {}, 60, now=hour_later) == {}
    assert pipeline.resend_stalled(url, {"single": enqueuers["batch"]}, 60, now=hour_later) == {}
    assert sent == []

    # Still for longer, and nothing queued: every pending chunk is sent again, once.
    later = start + 90 * SECONDS
    assert pipeline.resend_stalled(url, enqueuers, 60, now=later) == {batch_id: [0, 1, 2]}
    assert sent == [(batch_id, 0), (batch_id, 1), (batch_id, 2)]
    assert moved_at(url, batch_id) == later
    # Sending them counts as progress: the next sweeps wait another stall timeout.
    assert pipeline.resend_stalled(url, enqueuers, 60, now=later + 59 * SECONDS) == {}
    assert pipeline.resend_stalled(url, enqueuers, 60, now=later + 61 * SECONDS) == {
        batch_id: [0, 1, 2]}

    # Chunks that ran are not sent again; a finished batch is never found.
    sent.clear()
    run_all(url, [(batch_id, 0), (batch_id, 1)])
    assert pipeline.resend_stalled(url, enqueuers, 60, now=hour_later + 61 * SECONDS) == {
        batch_id: [2]}
    run_all(url, [(batch_id, 2)])
    assert batch_state(url, batch_id).status == "done"
    assert pipeline.resend_stalled(url, enqueuers, 0, now=start + 7200 * SECONDS) == {}


def test_progress_time_moves_with_the_batch(own_db_url: str, fake_analyzer) -> None:
    url = own_db_url

    def backdated(batch_id: str) -> dt.datetime:
        """Set the batch's progress time an hour back; return the hour that it was."""
        with db.session_scope(url, write=True) as s:
            s.execute(update(Batch).where(Batch.id == batch_id)
                      .values(progress_at=storage.utcnow() - 3600 * SECONDS))
        return storage.utcnow() - 60 * SECONDS

    batch_id = lost_batch(url)
    assert moved_at(url, batch_id) > storage.utcnow() - 60 * SECONDS  # received just now
    recent = backdated(batch_id)
    assert pipeline.start_chunk(url, batch_id, 0).attempt == 1  # its first chunk started
    assert moved_at(url, batch_id) > recent
    recent = backdated(batch_id)
    pipeline.run_chunk(url, batch_id, 0)  # rows counted
    assert moved_at(url, batch_id) > recent
    recent = backdated(batch_id)
    pipeline.fail_chunk(url, batch_id, 1, "gave up")  # rows counted as failed
    assert moved_at(url, batch_id) > recent
    assert (batch_state(url, batch_id).done, batch_state(url, batch_id).failed) == (2, 2)


def test_only_unfinished_batches_with_pending_rows_stall(own_db_url: str, fake_analyzer) -> None:
    url = own_db_url
    stalled = lost_batch(url)
    cancelled = lost_batch(url)
    pipeline.cancel(url, cancelled)
    finished = lost_batch(url, rows=1)
    run_all(url, [(finished, 0)])
    # A file still being received: its rows have chunks, but the upload may still be going.
    receiving = pipeline.create_batch(url, filename="b.csv")
    pipeline.store_chunks(url, receiving, [(0, [Posting(row=1, id="1", text="epic")])])
    single = pipeline.submit_text(url, f"epic {unique()}", lambda _b, _c: None)

    future = storage.utcnow() + 60 * SECONDS
    assert pipeline.stalled_batches(url, ["batch"], future) == [(stalled, "batch")]
    assert pipeline.stalled_batches(url, ["single"], future) == [(single, "single")]
    assert pipeline.stalled_batches(url, ["batch", "single"], storage.utcnow() - 60 * SECONDS) == []


def test_waiting_messages_on_redis_and_on_the_filesystem(tmp_path: Path, redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    for broker in ("filesystem://localhost/", redis_url):
        app = create_celery({"INSTANCE_PATH": str(tmp_path / "instance"), "BROKER_URL": broker})
        assert sweep.waiting_messages(app, "batch") == 0
        for chunk in range(3):
            tasks.enqueuer(app)("b", chunk)
        tasks.interactive_enqueuer(app)("s", 0)
        assert (sweep.waiting_messages(app, "batch"), sweep.waiting_messages(app, "interactive")) \
            == (3, 1), broker


def test_sweep_sends_each_kind_to_its_queue_through_the_broker(tmp_path: Path,
                                                              fake_analyzer) -> None:
    """On the embedded default: SQLite and the filesystem transport."""
    settings = resolve({**DEFAULTS, "INSTANCE_PATH": str(tmp_path / "instance"),
                        "STALL_TIMEOUT": 0})
    url = settings["DATABASE_URL"]
    db.upgrade(url)
    app = create_celery(settings)
    batch_id = lost_batch(url)
    single = pipeline.submit_text(url, f"epic {unique()}", lambda _b, _c: None)
    assert sweep.sweep(app) == {batch_id: [0, 1, 2], single: [0]}
    assert (sweep.waiting_messages(app, "batch"), sweep.waiting_messages(app, "interactive")) \
        == (3, 1)
    # Still stalled (the stall timeout is 0), but now their queues hold messages: a
    # batch whose chunks wait their turn is not sent them twice.
    assert sweep.sweep(app) == {}


def test_stall_timeout_outlasts_a_task_given_back_by_redis() -> None:
    from worker.settings import load_settings

    assert load_settings(environ={})["STALL_TIMEOUT"] == 300 + 10 + 150 + 60
    env = {"SKILLGAP_VISIBILITY_TIMEOUT": "600", "SKILLGAP_TASK_TIME_LIMIT": "400"}
    assert load_settings(environ=env)["STALL_TIMEOUT"] == 600 + 10 + 400 + 60
    assert load_settings(environ={**env, "SKILLGAP_STALL_TIMEOUT": "90"})["STALL_TIMEOUT"] == 90


# --- Workers that sweep ---------------------------------------------------------------------

def sweep_logged(tmp_path: Path, text: str) -> bool:
    return any(text in log.read_text(errors="replace") for log in tmp_path.glob("*.log"))


@pytest.mark.integration
@pytest.mark.slow
def test_worker_sends_a_lost_chunk_again(own_db_url: str, redis_url: str, tmp_path: Path,
                                         real_engine, start_worker_process) -> None:
    """Chunk 1's task never reaches Redis (as when a worker dies holding it unrecorded)."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    settings: dict[str, Any] = {
        "DATABASE_URL": own_db_url, "REDIS_URL": redis_url,
        "INSTANCE_PATH": str(tmp_path / "instance"), "CHUNK_SIZE": 10,
        "STALL_TIMEOUT": 3, "SWEEP_INTERVAL": 0.5,
    }
    send = tasks.enqueuer(create_celery(settings))
    batch_id = pipeline.submit_file(
        own_db_url, io.BytesIO(as_jsonl(real_postings(40))), "f.jsonl",
        lambda b, chunk: None if chunk == 1 else send(b, chunk), chunk_size=10)
    start_worker_process(settings, concurrency=1)
    wait_for(lambda: batch_state(own_db_url, batch_id).status == "done", timeout=90, interval=0.3)
    assert_each_row_analysed_once(own_db_url, batch_id, 40)
    assert sweep_logged(tmp_path, f"batch {batch_id} made no progress")


@pytest.mark.integration
@pytest.mark.slow
def test_embedded_worker_sends_lost_chunks_again(tmp_path: Path, real_engine,
                                                 start_worker_process) -> None:
    """No server: SQLite and the filesystem queue, and not one task ever sent."""
    settings: dict[str, Any] = {"INSTANCE_PATH": str(tmp_path / "instance"), "CHUNK_SIZE": 10,
                                "STALL_TIMEOUT": 3, "SWEEP_INTERVAL": 0.5}
    url = resolve({**DEFAULTS, **settings})["DATABASE_URL"]
    db.upgrade(url)
    batch_id = pipeline.submit_file(url, io.BytesIO(as_jsonl(real_postings(30))), "f.jsonl",
                                    lambda _b, _c: None, chunk_size=10)
    assert batch_state(url, batch_id).status == "queued"
    start_worker_process(settings, concurrency=1)
    wait_for(lambda: batch_state(url, batch_id).status == "done", timeout=90, interval=0.3)
    assert_each_row_analysed_once(url, batch_id, 30)
    assert sweep_logged(tmp_path, "sent its 3 pending chunk(s) again")
