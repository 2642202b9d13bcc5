"""Settings shared by the web app, the workers and the CLI.

They follow Flask's habit: defaults in a mapping, then every key can be set from
the environment as ``SKILLGAP_<KEY>`` (values are parsed as JSON when they can be,
like ``Flask.config.from_prefixed_env``). ``DATABASE_URL`` and ``REDIS_URL`` are
also honoured without the prefix, since that is what hosting platforms set.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from models.inputs import MAX_POSTING_CHARS

PREFIX = "SKILLGAP"

DEFAULTS: dict[str, Any] = {
    # Where the embedded default keeps its SQLite file and broker folders.
    "INSTANCE_PATH": None,
    # None means "SQLite file in the instance folder".
    "DATABASE_URL": None,
    # None means "no server": kombu's filesystem transport in the instance folder.
    "REDIS_URL": None,
    # Set only to use another broker than REDIS_URL (e.g. a separate Redis database).
    "BROKER_URL": None,
    "DEFAULT_SKILLSET": None,
    # Rows per chunk task: big enough to amortise a task, small enough that a
    # pasted posting never waits long behind a batch.
    "CHUNK_SIZE": 100,
    # A chunk is tried this many times; after that its rows are marked failed,
    # so a poison row that kills or hangs a worker cannot loop forever.
    "MAX_ATTEMPTS": 3,
    "RETRY_DELAY": 2,
    "TASK_SOFT_TIME_LIMIT": 120,
    "TASK_TIME_LIMIT": 150,
    # Redis re-delivers an unacknowledged task after this many seconds (a worker
    # that died). It must be longer than TASK_TIME_LIMIT.
    "VISIBILITY_TIMEOUT": 300,
    # How often a worker looks for such tasks (seconds).
    "RESTORE_INTERVAL": 10,
    # A queued or running batch that has not moved for this many seconds, with no
    # message waiting in its queue, lost its chunk tasks and gets them sent again.
    # None: VISIBILITY_TIMEOUT + RESTORE_INTERVAL + TASK_TIME_LIMIT + 60.
    "STALL_TIMEOUT": None,
    # How often each worker of the batch queue looks for such batches (seconds; 0: never).
    "SWEEP_INTERVAL": 60,
    # A batch still receiving its file after this many seconds lost the process that
    # read it (an upload of MAX_UPLOAD_MB takes minutes at most): the sweep finishes
    # it with the rows stored and sends them to the workers.
    "RECEIVE_TIMEOUT": 1800,
    "WORKER_CONCURRENCY": None,
    # How often the filesystem broker looks for new messages.
    "POLL_INTERVAL": 0.05,
    # Seconds ``skillgap serve`` gives its workers to stop after SIGTERM or Ctrl+C
    # (finishing the chunks they run) before it kills them.
    "STOP_TIMEOUT": 3,
    # The web app's. The largest upload; MAX_CONTENT_LENGTH, Flask's bound in bytes,
    # is derived from it unless set.
    "MAX_UPLOAD_MB": 50,
    "MAX_CONTENT_LENGTH": None,
    # Form fields are held in memory. The largest is a pasted posting: the HTML of a
    # whole saved job page is 0.5-0.8 MB, and a posting may have MAX_POSTING_CHARS
    # characters (up to four bytes each). Flask's default of 500 kB refused such pages.
    "MAX_FORM_MEMORY_SIZE": 4 * MAX_POSTING_CHARS,
    # The most postings a file uploaded on the pages may hold.
    "MAX_ROWS": 100_000,
    # Rows per page of a report's table of postings.
    "ROWS_PER_PAGE": 25,
    # Long-polling waits at most this long for a pasted posting's result.
    "MAX_WAIT_SECONDS": 30,
    # The Analyse form waits this long for the result before showing the page that
    # waits for it: most postings then go straight to their result.
    "PASTE_WAIT_SECONDS": 3,
    # A form may sit open for a while before a long posting is pasted into it.
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Behind reverse proxies that terminate HTTPS: how many to trust for X-Forwarded-*.
    # Never by default, since a client could send them itself.
    "PROXY_HOPS": 0,
    # Hours a résumé match (its result quotes the résumé) is kept before it is
    # deleted; a person can delete it sooner.
    "MATCH_TTL_HOURS": 24,
}


def _parse(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def default_instance_path() -> str:
    """Return ``./instance`` of the working directory, the same for web, worker and CLI."""
    return os.path.abspath(os.path.join(os.getcwd(), "instance"))


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Return the settings: defaults, then the environment, then ``overrides``."""
    env = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    for plain in ("DATABASE_URL", "REDIS_URL"):
        if env.get(plain):
            settings[plain] = env[plain]
    for key in DEFAULTS:
        value = env.get(f"{PREFIX}_{key}")
        if value is not None and value != "":
            settings[key] = _parse(value)
    if overrides:
        settings.update({k: v for k, v in overrides.items() if k in DEFAULTS})
    return resolve(settings)


def resolve(settings: dict[str, Any]) -> dict[str, Any]:
    """Fill in the derived values: instance folder, database URL, broker URL, stall timeout,
    upload bound in bytes."""
    instance = settings.get("INSTANCE_PATH") or default_instance_path()
    settings["INSTANCE_PATH"] = instance
    settings["DATABASE_URL"] = database_url(settings.get("DATABASE_URL"), instance)
    if not settings.get("BROKER_URL"):
        # A host name, though the file-system transport uses none: without it kombu
        # warns "No hostname was supplied" at every connection.
        settings["BROKER_URL"] = settings.get("REDIS_URL") or "filesystem://localhost/"
    if settings.get("STALL_TIMEOUT") is None:
        settings["STALL_TIMEOUT"] = default_stall_timeout(settings)
    if not settings.get("MAX_CONTENT_LENGTH"):
        settings["MAX_CONTENT_LENGTH"] = int(float(settings["MAX_UPLOAD_MB"]) * 1024 * 1024)
    return settings


def default_stall_timeout(settings: Mapping[str, Any]) -> float:
    """Return how long a batch may stay still before its chunks count as lost.

    By then a chunk whose worker died has been given back by Redis (the visibility
    timeout, then a restore scan) and run to its time limit, with a minute to spare:
    a batch still without progress has lost a task, not just waited for one.
    """
    return (float(settings["VISIBILITY_TIMEOUT"]) + float(settings["RESTORE_INTERVAL"])
            + float(settings["TASK_TIME_LIMIT"]) + 60)


def database_url(url: str | None, instance_path: str) -> str:
    """Return a SQLAlchemy URL: psycopg 3 for PostgreSQL, a SQLite file by default."""
    if not url:
        return "sqlite:///" + os.path.join(instance_path, "skillgap.sqlite3")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def embedded(settings: Mapping[str, Any]) -> bool:
    """Tell whether the broker is the serverless filesystem transport."""
    return str(settings["BROKER_URL"]).startswith("filesystem:")


def broker_folder(settings: Mapping[str, Any]) -> str:
    return os.path.join(settings["INSTANCE_PATH"], "broker")
