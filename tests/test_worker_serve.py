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


def get(url: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
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
    try:
        wait_for(lambda: get(f"{base}/readyz")[0] == 200, timeout=60, interval=0.5)
        assert (tmp_path / "instance" / "skillgap.sqlite3").exists()
        req = urllib.request.Request(
            f"{base}/api/v1/analyses", method="POST",
            data=json.dumps({"text": "Medical secretary: audio typing, SystmOne, "
                                     "managing clinic letters and appointments."}).encode(),
            headers={"Content-Type": "application/json"},
        )
        started = time.monotonic()
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 202
            location = r.headers["Location"]
        status, body = get(f"{base}{location}?wait=10")
        assert status == 200 and body["status"] == "done", body
        assert body["result"]["skills"]
        assert time.monotonic() - started < 5
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        finally:
            # The worker is in serve's process group; nothing of it may be left.
            time.sleep(1)
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                pass
            else:
                os.killpg(proc.pid, signal.SIGKILL)
                pytest.fail("skillgap serve left its worker running after SIGTERM")
