"""kombu transports as skillgap uses them.

Redis: one Redis client per channel instead of one per command. kombu builds a new
``redis.Redis`` object for every publish and every ack (the connection pool is
shared; only the client object is new), and building one costs as much CPU as the
command it sends. A client is safe to share between threads, so each channel keeps
the one it built for as long as its pool lives.

Filesystem (the embedded default): a message file is written under a temporary name
and renamed into place, so a reader never sees it half-written; and a file that is
not a message (empty, cut short, junk) is left for a moment and then set aside in
``bad/``, instead of killing the worker with a JSONDecodeError and being lost.
kombu's own transport creates the file first and writes it after, and deletes a
file before it knows the file could be read (kombu issue #1551).
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from queue import Empty
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem, redis
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

log = logging.getLogger(__name__)


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


# A file that is still not a message after this many seconds never will be: its
# writer died, or it was never one. Until then it may be a writer's file in progress.
BAD_FILE_GRACE = 10.0


class FilesystemChannel(filesystem.Channel):
    # kombu's filesystem Channel, whose signature this keeps, names the message
    # ``payload``; its base class names it ``message``. No override can match both.
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Put a message on ``queue``: written in full under a name no reader takes,
        then renamed to its message name (atomic within a folder)."""
        name = f"{int(round(time.monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + ".part"
        try:
            with open(partial, "wb") as fh:
                fh.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            try:
                os.unlink(partial)
            except OSError:
                pass
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        """Take the oldest message of ``queue``.

        A file is claimed by renaming it into the processed folder (only one reader's
        rename succeeds), read there, and deleted only once it was read as a message.
        """
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            path = os.path.join(self.data_folder_in, name)
            claimed = os.path.join(self.processed_folder, name)
            try:
                os.rename(path, claimed)
            except OSError:
                continue  # Another reader took it.
            try:
                with open(claimed, "rb") as fh:
                    data = fh.read()
                payload = loads(bytes_to_str(data))
            except (OSError, ValueError) as exc:
                self._not_a_message(claimed, path, exc)
                continue
            if not self.store_processed:
                os.remove(claimed)
            return payload
        raise Empty()

    def _not_a_message(self, claimed: str, path: str, exc: Exception) -> None:
        """Give a file that could not be read back to the queue, or set it aside for good."""
        try:
            age = time.time() - os.stat(claimed).st_mtime
            if age < BAD_FILE_GRACE:
                os.rename(claimed, path)
                return
            bad = os.path.join(os.path.dirname(self.processed_folder), "bad")
            os.makedirs(bad, exist_ok=True)
            os.rename(claimed, os.path.join(bad, os.path.basename(claimed)))
            log.error("queue file %s is not a message after %.0f s (%r): moved to %s",
                      os.path.basename(path), age, exc, bad)
        except OSError:
            log.exception("could not put back or set aside queue file %s", path)


class FilesystemTransport(filesystem.Transport):
    Channel = FilesystemChannel
    # One state for every connection of the process, as kombu's own transport has.
    global_state = filesystem.Transport.global_state
