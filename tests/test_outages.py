"""Outages of the database and of Redis: connections reset mid-batch, servers away.

PostgreSQL is reached through a TCP proxy on loopback that the test can cut: every
open connection is reset and new ones are refused until it is restored.
"""

from __future__ import annotations

import io
import socket
import struct
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import POSTGRES_URL, drain, make_app, new_postgresql_database, wait_for
from worker import db, pipeline, tasks
from worker.celery_app import create_celery
from worker.storage import Batch

pytestmark = [pytest.mark.integration]


class CuttableProxy:
    """Forwards 127.0.0.1:port to a server; ``cut`` resets every connection and refuses
    new ones until ``restore``."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = threading.Event()
        self.up.set()
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                self._reset(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                self._reset(client)
                continue
            server.settimeout(None)  # A pooled connection may sit idle for long.
            with self.lock:
                self.open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    @staticmethod
    def _reset(sock: socket.socket) -> None:
        # Close with a TCP reset, as a crashed server or a dropped route does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

    def cut(self) -> None:
        self.up.clear()
        with self.lock:
            sockets, self.open = self.open, []
        for s in sockets:
            self._reset(s)

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.closed = True
        self.cut()
        self.listener.close()


@pytest.fixture
def proxied_postgresql() -> Iterator[tuple[str, CuttableProxy, str]]:
    """A migrated PostgreSQL database of the test's own, reached through a proxy
    (its URL, the proxy, and the URL without the proxy for the test's own checks)."""
    from sqlalchemy.engine import make_url

    with new_postgresql_database() as direct:
        db.upgrade(direct)
        target = make_url(POSTGRES_URL)
        proxy = CuttableProxy(target.host or "127.0.0.1", target.port or 5432)
        url = make_url(direct).set(host="127.0.0.1", port=proxy.port)
        proxied = url.render_as_string(hide_password=False)
        try:
            yield proxied, proxy, direct
        finally:
            db.get_engine(proxied).dispose()
            db.get_engine(proxied, write=True).dispose()
            proxy.close()


def batch_state(url: str, batch_id: str) -> Batch:
    with db.session_scope(url) as s:
        batch = s.get(Batch, batch_id)
        assert batch is not None
        return batch


def finished(url: str, batch_id: str) -> bool:
    from sqlalchemy.exc import DBAPIError

    try:
        return batch_state(url, batch_id).status == "done"
    except DBAPIError:
        return False  # This test's own connection, reset by the outage.


def test_connection_reset_as_a_chunk_starts_does_not_lose_it(
        proxied_postgresql, tmp_path: Path, fake_analyzer, monkeypatch) -> None:
    from celery.contrib.testing.worker import start_worker

    url, proxy, direct = proxied_postgresql
    settings = {"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "instance"),
                "CHUNK_SIZE": 5, "RETRY_DELAY": 0.5,
                # No sweep: a lost chunk would stay lost for the test's whole wait.
                "SWEEP_INTERVAL": 0, "STALL_TIMEOUT": 3600}
    real_start = pipeline.start_chunk
    cuts: list[int] = []

    def start_during_an_outage(url: str, batch_id: str, chunk: int) -> Any:
        if chunk == 2 and not cuts:
            cuts.append(chunk)
            proxy.cut()
            threading.Timer(2.0, proxy.restore).start()
        return real_start(url, batch_id, chunk)

    monkeypatch.setattr(pipeline, "start_chunk", start_during_an_outage)
    app = create_celery(settings)
    tag = uuid.uuid4().hex
    body = "description\n" + "".join(f"Epic scheduling {tag} {i}\n" for i in range(20))
    batch_id = pipeline.submit_file(url, io.BytesIO(body.encode()), "f.csv", tasks.enqueuer(app),
                                    chunk_size=5)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10,
                      queues=["interactive", "batch"]):
        wait_for(lambda: finished(direct, batch_id), timeout=40, interval=0.2)
    batch = batch_state(direct, batch_id)
    assert cuts == [2]
    assert (batch.total, batch.done, batch.failed) == (20, 20, 0)


def test_paste_during_a_database_outage_is_503_with_retry_after(
        proxied_postgresql, tmp_path: Path, fake_analyzer) -> None:
    url, proxy, _ = proxied_postgresql
    app = make_app(url, tmp_path, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    text = f"Epic scheduling {uuid.uuid4().hex}"
    assert client.post("/api/v1/analyses", json={"text": text}).status_code == 202
    proxy.cut()
    try:
        r = client.post("/api/v1/analyses", json={"text": text})
        assert r.status_code == 503, r.get_data(as_text=True)
        assert r.get_json()["error"]["code"] == "unavailable"
        assert int(r.headers["Retry-After"]) > 0
        r = client.post("/analyses", data={"text": text})
        assert r.status_code == 503 and int(r.headers["Retry-After"]) > 0
        assert "Back in a moment" in r.get_data(as_text=True)
        r = client.post("/api/v1/batches", data={"file": (io.BytesIO(b"description\nEpic\n"),
                                                          "x.csv")},
                        content_type="multipart/form-data")
        assert r.status_code == 503 and int(r.headers["Retry-After"]) > 0
    finally:
        proxy.restore()
    r = client.post("/api/v1/analyses", json={"text": text})
    assert r.status_code == 202
    drain(app, r.get_json()["id"])


# --- Redis away, a web process killed mid-upload -------------------------------------------

def receiving_batches(url: str) -> list[str]:
    from sqlalchemy import select

    with db.session_scope(url) as s:
        return list(s.scalars(select(Batch.id).where(Batch.status == "receiving")))


def test_redis_outage_is_503_and_leaves_no_batch_receiving(db_url: str, tmp_path: Path,
                                                           fake_analyzer) -> None:
    from tests.conftest import RedisServer

    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        app = make_app(db_url, tmp_path, REDIS_URL=server.url, BROKER_URL=server.url)
        client = app.test_client()
        tag = uuid.uuid4().hex
        csv = ("description\n" + "".join(f"Epic {tag} {i}\n" for i in range(10))).encode()

        def post_batch():
            return client.post("/api/v1/batches", data={"file": (io.BytesIO(csv), "x.csv")},
                               content_type="multipart/form-data")

        assert post_batch().status_code == 202
        server.stop()
        r = client.post("/api/v1/analyses", json={"text": f"Epic {tag}"})
        assert r.status_code == 503 and int(r.headers["Retry-After"]) > 0, r.get_data(as_text=True)
        assert r.get_json()["error"]["code"] == "unavailable"
        r = post_batch()
        assert r.status_code == 503 and int(r.headers["Retry-After"]) > 0
        assert receiving_batches(db_url) == []
        server.start()
        assert post_batch().status_code == 202
    finally:
        server.stop()


SLOW_UPLOAD = """
import io, sys, time
from web import uploads
from worker.celery_app import create_celery

class Slow(io.RawIOBase):
    # 700 rows at once, then nothing more: the upload hangs after its first commit.
    def __init__(self):
        self.data = b"description\\n" + b"".join(b"Epic scheduling %d\\n" % i for i in range(700))
    def readable(self):
        return True
    def readinto(self, b):
        if not self.data:
            time.sleep(3600)
        n = min(len(b), len(self.data))
        b[:n], self.data = self.data[:n], self.data[n:]
        return n

url, instance = sys.argv[1], sys.argv[2]
app = create_celery({"DATABASE_URL": url, "INSTANCE_PATH": instance})
uploads.receive_file(url, app, io.BufferedReader(Slow()), "up.csv", filename="up.csv",
                      skillset=None, chunk_size=5)
"""


def test_batch_of_a_killed_upload_is_finished_by_the_sweep(db_url: str, tmp_path: Path,
                                                           fake_analyzer) -> None:
    import os
    import subprocess
    import sys
    import time

    from sqlalchemy import func, select

    from tests.conftest import ROOT
    from worker import sweep
    from worker.storage import BatchRow

    before = set(receiving_batches(db_url))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", SLOW_UPLOAD, db_url, str(tmp_path / "instance")],
                            env=env, stderr=subprocess.PIPE)
    try:
        def stored() -> str | None:
            for batch_id in set(receiving_batches(db_url)) - before:
                with db.session_scope(db_url) as s:
                    n = s.scalar(select(func.count()).select_from(BatchRow)
                                 .where(BatchRow.batch_id == batch_id))
                if n == 500:
                    return batch_id
            assert proc.poll() is None, proc.stderr.read().decode()  # type: ignore[union-attr]
            return None

        batch_id = wait_for(stored, timeout=60, interval=0.2)
    finally:
        proc.kill()  # The web process dies mid-upload.
        proc.wait(10)
    assert batch_state(db_url, batch_id).status == "receiving"
    settings = {"DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path / "instance"),
                "RECEIVE_TIMEOUT": 1, "STALL_TIMEOUT": 3600}
    time.sleep(1.2)
    app = create_celery(settings)
    resent = sweep.sweep(app)
    assert len(resent[batch_id]) == 100
    batch = batch_state(db_url, batch_id)
    assert (batch.status, batch.total) == ("queued", 500)
    assert "stopped arriving after 500 rows" in batch.error
    assert batch_id not in sweep.sweep(app)  # Finished once.
    drain(make_app(db_url, tmp_path), batch_id)
    batch = batch_state(db_url, batch_id)
    assert (batch.status, batch.done, batch.failed) == ("done", 500, 0)
