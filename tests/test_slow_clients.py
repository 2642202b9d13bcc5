"""The web server of docker-compose.yml keeps answering while many clients send their
requests slowly (headers, then part of a body, then nothing): gunicorn run with the
very command line the compose file gives, on loopback."""

from __future__ import annotations

import json
import os
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, free_port, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SLOW_CLIENTS = 80


def gunicorn_argv(port: int) -> list[str]:
    """The web service's gunicorn command from docker-compose.yml, bound to loopback."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    script = compose["services"]["web"]["command"][-1]
    part = next(p.strip() for p in script.split("&&") if "gunicorn" in p)
    argv = shlex.split(part)
    argv = argv[1:] if argv[0] == "exec" else argv
    argv[argv.index("--bind") + 1] = f"127.0.0.1:{port}"
    return [sys.executable, "-m", "gunicorn", *argv[1:]]


def healthz(base: str, timeout: float) -> int:
    with urllib.request.urlopen(f"{base}/healthz", timeout=timeout) as r:
        return int(r.status)


def test_slow_clients_do_not_stop_healthz(tmp_path: Path) -> None:
    pytest.importorskip("gunicorn")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SKILLGAP_") and k not in ("REDIS_URL", "DATABASE_URL")}
    env.update({"PYTHONPATH": str(ROOT), "SKILLGAP_SECRET_KEY": secrets.token_hex(32),
                "SKILLGAP_INSTANCE_PATH": str(tmp_path / "instance")})
    subprocess.run([sys.executable, "-c", "from web.cli import main; main()", "db", "upgrade"],
                   env=env, cwd=tmp_path, check=True, capture_output=True, timeout=120)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(gunicorn_argv(port), env=env, cwd=tmp_path, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    clients: list[socket.socket] = []
    try:
        def up() -> bool:
            try:
                return healthz(base, 2) == 200
            except OSError:
                return False

        wait_for(up, timeout=90, interval=0.5)
        head = (f"POST /api/v1/batches HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 1000000\r\n\r\n"
                "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n"
                "description\r\n").encode()
        for _ in range(SLOW_CLIENTS):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(head)
            clients.append(s)
        time.sleep(1)  # Let the server take them all in.
        started = time.monotonic()
        for _ in range(3):
            assert healthz(base, 10) == 200
        assert time.monotonic() - started < 10
        # The app itself (database, queue) works under these workers meanwhile.
        req = urllib.request.Request(f"{base}/api/v1/analyses", method="POST",
                                     data=json.dumps({"text": "Epic and scheduling"}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 202
            location = r.headers["Location"]
        with urllib.request.urlopen(f"{base}{location}?wait=0.5", timeout=10) as r:
            assert json.load(r)["status"] == "queued"
        assert server.poll() is None
    finally:
        for s in clients:
            s.close()
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait(10)
        log.close()
