"""Tell a waiting web request that a chunk's results are stored (Redis pub/sub).

Only a hint to wake up sooner: the database stays the truth, and without Redis
(the embedded default) the web process simply polls it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)


def channel(batch_id: str) -> str:
    return f"skillgap:batch:{batch_id}"


def redis_url(settings: Mapping[str, Any]) -> str | None:
    url = str(settings.get("BROKER_URL") or "")
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
