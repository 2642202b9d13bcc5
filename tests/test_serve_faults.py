"""Faults of `skillgap serve` in its embedded default (SQLite and the filesystem queue):
a queue file read while still empty, a worker killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)
    except OSError:
        return 0, {}


def paste(base: str, text: str) -> str:
    req = urllib.request.Request(
        f"{base}/api/v1/analyses", method="POST", data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 202
        return str(r.headers["Location"])


def analysed(base: str, location: str, timeout: float) -> dict:
    """Poll a pasted posting until it is finished; fail after ``timeout`` seconds."""
    def done() -> dict | None:
        status, body = get(f"{base}{location}?wait=2")
        return body if status == 200 and body["status"] in ("done", "failed") else None
    return wait_for(done, timeout=timeout, interval=0.2)


def celery_children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"celery" in cmdline:
            found.append(int(entry))
    return found


@pytest.fixture
def serve(tmp_path: Path, real_engine):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SKILLGAP_") and k not in ("REDIS_URL", "DATABASE_URL")}
    env["PYTHONPATH"] = str(ROOT)
    port = free_port()
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-c", "from web.cli import main; main()", "serve", "--port", str(port),
         "-c", "1"],
        cwd=tmp_path, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: get(f"{base}/readyz")[0] == 200, timeout=90, interval=0.5)
        yield base, proc, tmp_path
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        finally:
            time.sleep(1)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            log.close()


def test_empty_queue_file_neither_kills_the_worker_nor_is_lost(serve) -> None:
    base, proc, tmp_path = serve
    queue = tmp_path / "instance" / "broker" / "queue"
    # What kombu's own transport leaves between creating a message file and writing it.
    empty = queue / f"0_{uuid.uuid4()}.interactive.msg"
    empty.write_bytes(b"")
    time.sleep(1)
    workers = celery_children(proc.pid)
    started = time.monotonic()
    body = analysed(base, paste(base, f"Receptionist: SystmOne and scheduling {uuid.uuid4().hex}"),
                    timeout=30)
    assert body["status"] == "done" and body["result"]["skills"]
    assert time.monotonic() - started < 20
    # The same worker did it: none died and was started again.
    assert celery_children(proc.pid) == workers
    # A file that never becomes a message is set aside after a while, not deleted.
    wait_for(lambda: (tmp_path / "instance" / "broker" / "bad" / empty.name).exists(), timeout=30)
    assert not empty.exists()
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert "Unrecoverable error" not in log


def test_killed_worker_is_started_again(serve) -> None:
    base, proc, tmp_path = serve
    (worker,) = celery_children(proc.pid)
    os.kill(worker, signal.SIGKILL)
    location = paste(base, f"Medical secretary: audio typing {uuid.uuid4().hex}")
    body = analysed(base, location, timeout=90)
    assert body["status"] == "done"
    (again,) = celery_children(proc.pid)
    assert again != worker
    assert get(f"{base}/readyz")[0] == 200
    assert "exited with code" in (tmp_path / "serve.log").read_text(errors="replace")


def test_killed_pool_process_is_replaced_and_takes_the_next_posting(serve) -> None:
    base, proc, tmp_path = serve
    (worker,) = celery_children(proc.pid)
    # Analysed once first, so the pool process is warm and idle when it is killed.
    assert analysed(base, paste(base, f"Ward clerk: filing {uuid.uuid4().hex}"), 60)["status"] == "done"
    (child,) = celery_children(worker)
    os.kill(child, signal.SIGKILL)
    replacement = wait_for(lambda: [p for p in celery_children(worker) if p != child], timeout=60)
    for k in range(3):
        body = analysed(base, paste(base, f"Receptionist: SystmOne {k} {uuid.uuid4().hex}"), 60)
        assert body["status"] == "done" and body["result"]["skills"]
    # The worker itself lived on: its new pool process took the postings.
    assert celery_children(proc.pid) == [worker]
    assert celery_children(worker) == replacement
