"""Tell a waiting web request that a chunk's results are stored (Redis pub/sub).

Only a hint to wake up sooner: the database stays the truth, and without Redis
(the embedded default) the web process simply polls it.

Each web process holds one subscription to every batch's channel (a pattern),
read by one thread that wakes the requests waiting on that batch; a request
costs no Redis connection or SUBSCRIBE of its own.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

PREFIX = "skillgap:batch:"


def channel(batch_id: str) -> str:
    return f"{PREFIX}{batch_id}"


def redis_url(settings: Mapping[str, Any]) -> str | None:
    url = str(settings["BROKER_URL"])
    return url if url.startswith(("redis://", "rediss://", "unix://")) else None


@functools.lru_cache(maxsize=4)
def client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def publish(settings: Mapping[str, Any], batch_id: str) -> None:
    """Announce that a batch moved on; never fails the caller."""
    url = redis_url(settings)
    if url is None:
        return
    try:
        client(url).publish(channel(batch_id), b"1")
    except Exception:  # noqa: BLE001 - waiters fall back to polling
        log.debug("could not publish progress of %s", batch_id, exc_info=True)


class Listener:
    """One process-wide subscription to every batch's channel, dispatched to waiters."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.Lock()
        self._waiters: dict[str, set[threading.Event]] = {}
        self._thread: threading.Thread | None = None
        self._pid = 0
        # Set while the subscription is confirmed; a waiter polls when it is not.
        self.ready = threading.Event()

    def _start(self) -> None:
        if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
                return
            # Started anew in each process (a thread does not survive a fork).
            self._pid = os.getpid()
            self.ready = threading.Event()
            self._thread = threading.Thread(target=self._run, name="skillgap-notify", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        import redis

        while True:
            pubsub = None
            try:
                conn = redis.Redis.from_url(self.url, socket_timeout=10, socket_connect_timeout=5,
                                            health_check_interval=5)
                pubsub = conn.pubsub()
                pubsub.psubscribe(PREFIX + "*")
                while True:
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "psubscribe":
                        self.ready.set()
                    elif message["type"] == "pmessage":
                        name = message["channel"]
                        name = name.decode() if isinstance(name, bytes) else str(name)
                        self._wake(name[len(PREFIX):])
            except Exception:  # noqa: BLE001 - Redis away: waiters poll meanwhile
                self.ready.clear()
                self._wake_all()
                log.debug("notification listener lost Redis; retrying", exc_info=True)
                time.sleep(1)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:  # noqa: BLE001
                        pass

    def _wake(self, batch_id: str) -> None:
        with self._lock:
            events = list(self._waiters.get(batch_id, ()))
        for event in events:
            event.set()

    def _wake_all(self) -> None:
        with self._lock:
            events = [e for group in self._waiters.values() for e in group]
        for event in events:
            event.set()

    def register(self, batch_id: str) -> threading.Event:
        """Return an event set when ``batch_id`` is announced (call ``unregister`` after)."""
        self._start()
        event = threading.Event()
        with self._lock:
            self._waiters.setdefault(batch_id, set()).add(event)
        return event

    def unregister(self, batch_id: str, event: threading.Event) -> None:
        with self._lock:
            group = self._waiters.get(batch_id)
            if group is not None:
                group.discard(event)
                if not group:
                    del self._waiters[batch_id]


_listeners: dict[str, Listener] = {}
_listeners_lock = threading.Lock()


def listener(url: str) -> Listener:
    """Return this process's listener for the Redis at ``url``."""
    with _listeners_lock:
        found = _listeners.get(url)
        if found is None:
            found = _listeners[url] = Listener(url)
        return found
