"""Database engines, sessions and migrations.

One engine per URL and process. SQLite gets WAL and a busy timeout, since the
web process, the workers and the CLI write to the same file at once.
"""

from __future__ import annotations

import functools
import os
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, exc, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

if TYPE_CHECKING:
    from alembic.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))

# Every engine made in this process, for a forked child to drop their pools.
_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def _fresh_pools_after_fork() -> None:
    """Give a forked process pools of its own.

    A pooled connection is a socket (or SQLite handle) that the parent may go on
    using: a worker's main process migrates and sweeps for lost chunks, and the
    prefork pool forks a new child from it whenever one exits. ``close=False``
    leaves the parent's connections alone.
    """
    for engine in _engines:
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_fresh_pools_after_fork)


def get_engine(url: str, write: bool = False) -> Engine:
    """Return the process-wide engine for ``url``.

    On SQLite a ``write`` engine starts its transactions with BEGIN IMMEDIATE, so
    a transaction that reads and then writes waits for the lock up front instead
    of failing when another writer committed in between; readers stay deferred.
    Elsewhere readers and writers share one engine, and so one pool.
    """
    if url.startswith("sqlite"):
        return _sqlite_engine(url, bool(write))
    return _engine(url)


@functools.lru_cache(maxsize=16)
def _sqlite_engine(url: str, write: bool) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 60})
    event.listen(engine, "connect", _sqlite_pragmas)
    begin = "BEGIN IMMEDIATE" if write else "BEGIN"
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(begin))
    _engines.add(engine)
    return engine


@functools.lru_cache(maxsize=16)
def _engine(url: str) -> Engine:
    engine = create_engine(url, pool_size=10, max_overflow=20)
    _ping_idle_connections(engine)
    _engines.add(engine)
    return engine


# A pooled connection unused for this long is pinged before it is handed out.
PING_AFTER_IDLE = 2.0


def _ping_idle_connections(engine: Engine) -> None:
    """Like ``pool_pre_ping``, but only for connections that sat idle in the pool.

    A connection returned a moment ago is almost never stale, and a ping per
    checkout is one more round trip on every request and task (a quarter of a
    pasted posting's status query). A connection idle for longer, e.g. across a
    database restart, is pinged and replaced when the ping fails; a connection
    that breaks in use anyway makes SQLAlchemy drop the whole pool.
    """

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        record.info["returned"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: DBAPIConnection, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
        returned = record.info.get("returned")
        if returned is not None and time.monotonic() - returned < PING_AFTER_IDLE:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception:  # noqa: BLE001 - any failure means a dead connection
            alive = False
        if not alive:
            # The pool discards this connection and checks out (or opens) another.
            raise exc.DisconnectionError("stale pooled connection")


@functools.lru_cache(maxsize=16)
def get_autocommit(url: str) -> Engine:
    """Return an engine for single statements, in autocommit: a read, or a write
    that is one statement and so atomic on its own.

    Outside a transaction a statement is one round trip; in one it is three on
    PostgreSQL (BEGIN, the statement, COMMIT or ROLLBACK). It shares ``get_engine``'s pool.
    """
    engine = get_engine(url)
    if engine.dialect.name == "sqlite":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def _sqlite_pragmas(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
    # pysqlite's own transaction handling is switched off; SQLAlchemy's begin
    # event issues BEGIN IMMEDIATE so writers queue on the busy timeout.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


@functools.lru_cache(maxsize=16)
def _sessionmaker(url: str, write: bool) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url, write), expire_on_commit=False)


@contextmanager
def session_scope(url: str, write: bool = False) -> Iterator[Session]:
    """Yield a session that commits at the end, or rolls back on error."""
    session = _sessionmaker(url, write)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config(os.path.join(HERE, "alembic.ini"))
    cfg.set_main_option("script_location", os.path.join(HERE, "migrations"))
    cfg.attributes["url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database schema up to date (safe to run from several machines)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def ping(url: str) -> None:
    """Raise if the database does not answer."""
    with get_engine(url).connect() as conn:
        conn.execute(text("SELECT 1"))
