"""kombu's Redis transport, with one Redis client per channel instead of one per command.

kombu builds a new ``redis.Redis`` object for every publish and every ack (the
connection pool is shared; only the client object is new), and building one
costs as much CPU as the command it sends. A client is safe to share between
threads, so each channel keeps the one it built for as long as its pool lives.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis


class Channel(redis.Channel):
    _sync_client: Any = None

    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:
            return super()._create_client(asynchronous=True)
        client = self._sync_client
        if client is None or client.connection_pool is not self.pool:
            client = self._sync_client = super()._create_client()
        return client


class Transport(redis.Transport):
    Channel = Channel
