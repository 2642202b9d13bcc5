"""Fixtures: databases (SQLite and PostgreSQL), a throwaway Redis, workers, the app.

Real services are used where a test needs them. When one is missing the test is
skipped with a reason, unless SKILLGAP_REQUIRE_SERVICES=1 (as in CI), where a
skip would hide a broken setup and so becomes a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "SKILLGAP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE = os.environ.get("SKILLGAP_REQUIRE_SERVICES") == "1"
DB_KINDS = [k.strip() for k in os.environ.get("SKILLGAP_TEST_DBS", "sqlite,postgresql").split(",")]


def missing_service(reason: str) -> None:
    """Skip a test that lacks a service, or fail it when services are required."""
    if REQUIRE:
        pytest.fail(f"{reason} (SKILLGAP_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- Databases ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    from worker import db

    url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    db.upgrade(url)
    return url


@contextmanager
def new_postgresql_database() -> Iterator[str]:
    """Create an empty PostgreSQL database and drop it afterwards."""
    from sqlalchemy import create_engine, text

    from worker import db

    name = f"skillgap_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        admin.dispose()
        missing_service(f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.__class__.__name__}")
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    db.get_engine(url).dispose()
    with admin.connect() as conn:
        conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
        ), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    """Create a fresh database for this test session and drop it afterwards."""
    from worker import db

    with new_postgresql_database() as url:
        db.upgrade(url)
        yield url


@pytest.fixture(params=DB_KINDS)
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture(params=DB_KINDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new database without tables, on SQLite and on PostgreSQL: for migrations."""
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "empty.sqlite3")
        return
    with new_postgresql_database() as url:
        yield url


@pytest.fixture
def own_db_url(empty_db_url: str) -> str:
    """A migrated database of the test's own, on SQLite and on PostgreSQL.

    For a worker that sweeps for stalled batches with a short stall timeout: in the
    shared database it would also send again the chunks other tests left pending.
    """
    from worker import db

    db.upgrade(empty_db_url)
    return empty_db_url


# --- A stand-in engine for the unit tests -------------------------------------------------

class FakeSkillSet:
    id = "fake"
    version = "1"
    name = "Fake"


class FakeAnalyzer:
    """Answers like the engine: skills found by keyword, a score, gaps."""

    skillset = FakeSkillSet()
    version = "1"

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.locations: list[str | None] = []
        self.titles: list[str | None] = []
        self.companies: list[str | None] = []
        self.fail_on: str | None = None
        # What the records name as their skill set, their locale and further gaps
        # (a test sets a real skill set's id to see its why-texts on the page).
        self.record_skillset = "fake"
        self.locale: str | None = None
        self.more_gaps: list[dict[str, Any]] = []

    def analyze(self, raw: str, *, id: Any = None, title: Any = None, company: Any = None,
                location: Any = None, include_text: bool = False) -> dict[str, Any]:
        self.calls.append(raw)
        self.locations.append(location)
        self.titles.append(title)
        self.companies.append(company)
        if self.fail_on and self.fail_on in raw:
            raise RuntimeError("poison")
        record: dict[str, Any] = {
            "id": id, "title": title, "company": company,
            "skillset": {"id": self.record_skillset, "version": "1"},
            "skills": [], "score": None, "coverage": None, "gaps": [], "extras": [],
            "pay": None, "locale": self.locale, "error": None,
        }
        if "EMPTY" in raw:
            record["error"] = "no text found in the posting"
            return record
        # The title first, as the engine puts it when the text does not start with it
        # (models.parsing.with_title): evidence offsets point into that text.
        text = raw if not title or title.lower() in raw[:len(title) + 40].lower() else f"{title}\n{raw}"
        found = [w for w in ("scheduling", "epic", "billing") if w in text.lower()]
        record["skills"] = [
            {"id": w, "name": w.title(), "category": "x",
             "tier": "modern" if w == "epic" else "foundation", "requirement": "required",
             "evidence": [{"text": text[m.start():m.end()], "start": m.start(), "end": m.end()}
                          for m in re.finditer(w, text, re.I)]}
            for w in found
        ]
        record["gaps"] = [
            {"id": w, "name": w.title(), "tier": "modern", "category": "x", "weight": 1.0}
            for w in ("epic", "telehealth") if w not in found
        ] + self.more_gaps
        record["score"] = round(100 * len(found) / 3, 1)
        record["coverage"] = {"tier": {
            "foundation": {"found": len(found), "total": 3, "share": len(found) / 3},
            "modern": {"found": int("epic" in found), "total": 2, "share": ("epic" in found) / 2},
        }}
        if include_text:
            record["text"] = text
        return record


@pytest.fixture
def fake_analyzer(monkeypatch: pytest.MonkeyPatch) -> FakeAnalyzer:
    from worker import skillsets
    from worker.pipeline import analyzers

    fake = FakeAnalyzer()
    monkeypatch.setattr(analyzers, "get_analyzer", lambda url, skillset: fake)
    monkeypatch.setattr(analyzers, "resolve_skillset",
                        lambda url, skillset: skillsets.Pinned("fake", "fake", "1", "1"))
    return fake


# --- Redis --------------------------------------------------------------------------------

class RedisServer:
    """A throwaway redis-server with persistence on, which a test can restart."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.workdir), "--appendonly", "yes", "--appendfsync", "always",
             "--save", "", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)
        self.proc = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer | None]:
    if os.environ.get("REDIS_URL"):
        yield None
        return
    if not shutil.which("redis-server"):
        yield None
        return
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_url(redis_server: RedisServer | None) -> str:
    if redis_server is not None:
        return redis_server.url
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    missing_service("no REDIS_URL and no redis-server binary to start a throwaway Redis")
    return ""


# --- Workers ------------------------------------------------------------------------------

def worker_env(settings: dict[str, Any]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLGAP_")}
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    for key, value in settings.items():
        if value is not None:
            env[f"SKILLGAP_{key}"] = str(value)
    env["PYTHONPATH"] = str(ROOT)
    return env


class WorkerProcess:
    """A `celery worker` subprocess in its own process group, so a test can SIGKILL it."""

    def __init__(self, settings: dict[str, Any], name: str, concurrency: int = 1,
                 log: Path | None = None) -> None:
        self.log = open(log or os.devnull, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker.app", "worker", "-Q",
             "interactive,batch", "-c", str(concurrency), "-P", "prefork", "-n",
             f"{name}@%h", "--without-gossip", "--without-mingle", "-l", "INFO"],
            env=worker_env(settings), cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes, like a machine that died."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
            except ProcessLookupError:
                pass
        self.log.close()


@pytest.fixture
def start_worker_process(tmp_path: Path) -> Iterator[Any]:
    started: list[WorkerProcess] = []

    def start(settings: dict[str, Any], concurrency: int = 1) -> WorkerProcess:
        name = f"w{len(started)}-{uuid.uuid4().hex[:6]}"
        w = WorkerProcess(settings, name, concurrency, tmp_path / f"{name}.log")
        started.append(w)
        return w

    yield start
    for w in started:
        w.stop()


def engine_ready() -> bool:
    try:
        from models.analysis import Analyzer

        Analyzer.for_skillset(None)
    except Exception:  # noqa: BLE001
        return False
    return True


@pytest.fixture(scope="session")
def real_engine() -> None:
    if not engine_ready():
        missing_service("the analysis engine (models.analysis) does not import yet")


def wait_for(predicate: Any, timeout: float = 60, interval: float = 0.1) -> Any:
    """Return predicate()'s first truthy value, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")


def drain(app, batch_id: str) -> None:
    """Do what a worker would: run every pending chunk of the batch."""
    from worker import pipeline

    url = app.config["DATABASE_URL"]
    for chunk in pipeline.pending_chunks(url, batch_id):
        if (claim := pipeline.start_chunk(url, batch_id, chunk)) is not None:
            pipeline.run_chunk(url, batch_id, chunk, claim)


def make_app(db_url: str, tmp_path: Path, **extra):
    """The app on a test database, a file-system broker and small limits."""
    from web import create_app

    return create_app({
        "TESTING": True,
        "DATABASE_URL": db_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "REDIS_URL": None,
        "BROKER_URL": "filesystem://localhost/",
        "MAX_UPLOAD_MB": 1,
        "CHUNK_SIZE": 4,
        # No worker runs in-process: the form would wait for nothing.
        "PASTE_WAIT_SECONDS": 0,
        **extra,
    })


@pytest.fixture
def client(app):
    """A test client of the module's own ``app`` fixture."""
    return app.test_client()
