"""A pool process whose analyzer takes long to build (a busy machine) reports ready in
time, instead of being killed by Celery and replaced again and again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import ROOT, wait_for, worker_env
from tests.test_serve_faults import celery_children
from worker import db, pipeline, tasks
from worker.celery_app import create_celery
from worker.storage import Batch

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SLOW = ROOT / "tests" / "fixtures" / "slow_warm_up"


def test_slow_warm_up_does_not_get_pool_processes_killed(tmp_path: Path, redis_url: str,
                                                         real_engine) -> None:
    # On Redis: Celery's event loop, which is what gives a new pool process 4 s.
    settings = {"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "REDIS_URL": redis_url,
                "INSTANCE_PATH": str(tmp_path / "instance"), "SWEEP_INTERVAL": 0,
                # Past Celery's 4 s wait for a new pool process to report ready.
                "TEST_WARM_UP_SECONDS": 6}
    db.upgrade(settings["DATABASE_URL"])
    env = worker_env(settings)
    env["PYTHONPATH"] = f"{SLOW}{os.pathsep}{ROOT}"
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker.app", "worker", "-Q",
             "interactive,batch", "-c", "1", "-P", "prefork", "--without-gossip",
             "--without-mingle", "-l", "INFO"],
            env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    app = create_celery(settings)

    def analysed(timeout: float) -> None:
        batch_id = pipeline.submit_text(settings["DATABASE_URL"],
                                        f"Receptionist: scheduling {uuid.uuid4().hex}",
                                        tasks.interactive_enqueuer(app))

        def done() -> bool:
            with db.session_scope(settings["DATABASE_URL"]) as s:
                batch = s.get(Batch, batch_id)
                return batch is not None and batch.status == "done"

        wait_for(done, timeout=timeout, interval=0.5)

    try:
        analysed(timeout=90)
        # A pool process killed (the OOM killer, a hard time limit): Celery starts
        # another, and gives it 4 s to report ready.
        (child,) = celery_children(proc.pid)
        os.kill(child, signal.SIGKILL)
        wait_for(lambda: celery_children(proc.pid) not in ([], [child]), timeout=10)
        analysed(timeout=60)
        assert celery_children(proc.pid) != [child]
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(10)
    log = log_path.read_text(errors="replace")
    assert "Timed out waiting for UP message" not in log
