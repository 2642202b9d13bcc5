"""Faults: a worker killed mid-batch, Redis restarted mid-batch, a chunk that keeps failing."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import RedisServer, missing_service, wait_for
from tests.test_worker_integration import as_jsonl, real_postings
from worker import db, pipeline, tasks
from worker.celery_app import create_celery
from worker.storage import Analysis, Batch, BatchRow

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def batch_state(url: str, batch_id: str) -> Batch:
    with db.session_scope(url) as s:
        batch = s.get(Batch, batch_id)
        assert batch is not None
        return batch


def assert_each_row_analysed_once(url: str, batch_id: str, total: int) -> None:
    batch = batch_state(url, batch_id)
    assert (batch.status, batch.total, batch.done, batch.failed) == ("done", total, total, 0)
    with db.session_scope(url) as s:
        rows = s.execute(select(BatchRow.status, BatchRow.analysis_id, BatchRow.posting_id)
                         .where(BatchRow.batch_id == batch_id)).all()
        assert len(rows) == total and all(r.status == "done" and r.analysis_id for r in rows)
        # One stored analysis per posting: the unique key makes a second one impossible,
        # and the counters above show no row was counted twice.
        pids = {r.posting_id for r in rows}
        n = s.scalar(select(func.count()).select_from(Analysis)
                     .where(Analysis.posting_id.in_(pids)))
        assert n == total == len(pids)


def submit(settings: dict[str, Any], n: int) -> str:
    app = create_celery(settings)
    return pipeline.submit_file(
        settings["DATABASE_URL"], io.BytesIO(as_jsonl(real_postings(n))), "f.jsonl",
        tasks.enqueuer(app), chunk_size=int(settings["CHUNK_SIZE"]),
    )


def progress(url: str, batch_id: str) -> int:
    b = batch_state(url, batch_id)
    return b.done + b.failed


@pytest.fixture
def fault_settings(own_db_url: str, redis_url: str, tmp_path: Path, real_engine) -> dict[str, Any]:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    return {
        "DATABASE_URL": own_db_url, "REDIS_URL": redis_url,
        "INSTANCE_PATH": str(tmp_path / "instance"), "CHUNK_SIZE": 10,
        # A killed worker's unacknowledged chunk comes back after this many seconds.
        "VISIBILITY_TIMEOUT": 3, "RESTORE_INTERVAL": 1,
        "TASK_SOFT_TIME_LIMIT": 20, "TASK_TIME_LIMIT": 25,
        "RETRY_DELAY": 0.2,
        # A chunk killed after Redis handed it over but before Redis recorded it as
        # unacknowledged is lost; the workers' sweep sends it again once the batch has
        # been still for this long with nothing queued, well within the waits below.
        "STALL_TIMEOUT": 10, "SWEEP_INTERVAL": 1,
    }


def test_worker_killed_mid_batch(fault_settings, start_worker_process) -> None:
    url = fault_settings["DATABASE_URL"]
    first = start_worker_process(fault_settings, concurrency=1)
    batch_id = submit(fault_settings, 300)
    wait_for(lambda: progress(url, batch_id) >= 40, timeout=90)
    first.kill()
    assert progress(url, batch_id) < 300, "the batch finished before the kill; make it longer"
    start_worker_process(fault_settings, concurrency=2)
    wait_for(lambda: batch_state(url, batch_id).status == "done", timeout=120, interval=0.5)
    assert_each_row_analysed_once(url, batch_id, 300)


def test_redis_restarted_mid_batch(fault_settings, start_worker_process, tmp_path: Path) -> None:
    if not shutil.which("redis-server"):
        missing_service("redis-server is needed to restart Redis in a test")
    server = RedisServer(tmp_path / "redis")
    (tmp_path / "redis").mkdir()
    server.start()
    try:
        settings = {**fault_settings, "REDIS_URL": server.url}
        url = settings["DATABASE_URL"]
        start_worker_process(settings, concurrency=1)
        batch_id = submit(settings, 600)
        wait_for(lambda: progress(url, batch_id) >= 30, timeout=90)
        server.stop()  # SIGTERM: Redis writes its append-only file and exits.
        assert progress(url, batch_id) < 600, "the batch finished before the restart"
        server.start()
        wait_for(lambda: batch_state(url, batch_id).status == "done", timeout=150, interval=0.5)
        assert_each_row_analysed_once(url, batch_id, 600)
    finally:
        server.stop()


def test_failing_chunk_is_retried_then_failed(fault_settings, monkeypatch) -> None:
    """Chunk 1 always raises: tried MAX_ATTEMPTS times, its rows fail, the rest is done."""
    from celery.contrib.testing.worker import start_worker

    url = fault_settings["DATABASE_URL"]
    real_run = pipeline.run_chunk
    calls: list[int] = []

    def flaky(url: str, batch_id: str, chunk: int, **options):
        if chunk == 1:
            calls.append(chunk)
            raise ConnectionError("simulated failure")
        return real_run(url, batch_id, chunk, **options)

    monkeypatch.setattr(pipeline, "run_chunk", flaky)
    app = create_celery(fault_settings)
    batch_id = submit(fault_settings, 40)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10,
                      queues=["interactive", "batch"]):
        wait_for(lambda: batch_state(url, batch_id).status == "done", timeout=90)
    batch = batch_state(url, batch_id)
    assert (batch.done, batch.failed) == (30, 10)
    assert len(calls) == 3
    with db.session_scope(url) as s:
        failed = s.execute(select(BatchRow.error, BatchRow.attempts).where(
            BatchRow.batch_id == batch_id, BatchRow.status == "failed")).all()
    assert len(failed) == 10
    assert all("failed 3 times" in e and a == 3 for e, a in failed)


def test_chunk_whose_worker_keeps_dying_gives_up(fault_settings, monkeypatch) -> None:
    """Re-deliveries past MAX_ATTEMPTS (worker lost each time) mark the rows failed."""
    from celery.contrib.testing.worker import start_worker

    url = fault_settings["DATABASE_URL"]
    batch_id = submit(fault_settings, 10)
    # Three deliveries whose worker died: each counted an attempt and never finished.
    for _ in range(3):
        assert pipeline.start_chunk(url, batch_id, 0) is not None
    app = create_celery(fault_settings)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10,
                      queues=["interactive", "batch"]):
        wait_for(lambda: batch_state(url, batch_id).status == "done", timeout=60)
    batch = batch_state(url, batch_id)
    assert (batch.done, batch.failed) == (0, 10)
