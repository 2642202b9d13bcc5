"""`skillgap serve` with nothing configured: SQLite and a filesystem queue, no server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, wait_for

pytestmark = [pytest.mark.integration]


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)
    except OSError:
        return 0, {}


def test_serve_embedded_default(tmp_path: Path, real_engine) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SKILLGAP_") and k not in ("REDIS_URL", "DATABASE_URL")}
    env["PYTHONPATH"] = str(ROOT)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from web.cli import main; main()", "serve", "--port", str(port),
         "-c", "1"],
        cwd=tmp_path, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / "serve.log", "wb"),  # noqa: SIM115
    )
    base = f"http://127.0.0.1:{port}"
    workers: list[int] = []
    try:
        wait_for(lambda: get(f"{base}/readyz")[0] == 200, timeout=60, interval=0.5)
        assert (tmp_path / "instance" / "skillgap.sqlite3").exists()
        req = urllib.request.Request(
            f"{base}/api/v1/analyses", method="POST",
            data=json.dumps({"text": "Medical secretary: audio typing, SystmOne, "
                                     "managing clinic letters and appointments."}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 202
            location = r.headers["Location"]
        # Long-polls until it is done. No bound on the machine's speed: the worker's pool
        # process builds the engine first, 2 s on an idle machine, 15 s or more on a loaded
        # one; two minutes is far beyond either.
        status, body = wait_for(lambda: (s := get(f"{base}{location}?wait=10"))[0] == 200
                                and s[1]["status"] in ("done", "failed") and s,
                                timeout=120, interval=0)
        assert status == 200 and body["status"] == "done", body
        assert body["result"]["skills"]
        workers = children(proc.pid)
        assert workers, "skillgap serve started no worker"
    finally:
        asked = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
            stopped = time.monotonic() - asked
        finally:
            # Each worker has a process group of its own; nothing of them may be left.
            time.sleep(1)
            left = []
            for group in [proc.pid, *workers]:
                try:
                    os.killpg(group, 0)
                except ProcessLookupError:
                    continue
                os.killpg(group, signal.SIGKILL)
                left.append(group)
            if left:
                pytest.fail("skillgap serve left its worker running after SIGTERM")
    # It gives its workers SKILLGAP_STOP_TIMEOUT (3 s) to stop, then kills them: a
    # generous bound, met on a machine loaded four times over (it took 6-20 s before).
    assert stopped < 10, f"skillgap serve took {stopped:.1f} s to stop"
    log = (tmp_path / "serve.log").read_text(encoding="utf-8", errors="replace")
    # One line to say where it runs; no Celery banner and no warning about a host name.
    assert "skillgap: http://127.0.0.1:" in log and "Ctrl+C stops" in log
    assert "-------------- [queues]" not in log and "No hostname was supplied" not in log


def children(pid: int) -> list[int]:
    """Return the ids of a process's child processes (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # "pid (name) state ppid ...": the name may hold spaces, so split after it.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found
