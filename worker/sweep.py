"""The sweep for lost chunk tasks, run by every worker of the batch queue.

A thread of the worker's main process calls ``pipeline.resend_stalled`` every
``SWEEP_INTERVAL`` seconds, so no scheduler or extra process is needed: whoever
runs ``skillgap serve`` or ``skillgap worker`` has it. Several workers sweeping
is fine: a batch is claimed in the database before its chunks are sent again.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import Celery, signals
from kombu.exceptions import ChannelError

from worker import matches, pipeline, receiving
from worker.celery_app import BATCH_QUEUE, INTERACTIVE_QUEUE, settings_of
from worker.tasks import enqueuer

log = logging.getLogger(__name__)

# The queue each kind of batch sends its chunks to.
QUEUE_OF_KIND = {"batch": BATCH_QUEUE, "single": INTERACTIVE_QUEUE}

_stop = threading.Event()


def waiting_messages(app: Celery, queue: str) -> int:
    """Return how many messages ``queue`` holds that no worker has taken yet.

    A passive declare answers with the count on both the Redis and the filesystem
    transport; tasks a worker took and has not acknowledged are not counted.
    """
    with app.connection_for_write() as conn:
        try:
            return int(conn.default_channel.queue_declare(queue=queue, passive=True).message_count)
        except ChannelError:
            # Redis keeps no empty list: a queue with no message "does not exist".
            return 0


def sweep(app: Celery) -> dict[str, list[int]]:
    """Send again the chunks of stalled batches whose queue is empty; return them."""
    settings = settings_of(app)
    enqueuers = {kind: enqueuer(app, queue) for kind, queue in QUEUE_OF_KIND.items()
                 if waiting_messages(app, queue) == 0}
    resent = pipeline.resend_stalled(settings["DATABASE_URL"], enqueuers,
                                     float(settings["STALL_TIMEOUT"]))
    resent.update(receiving.finish_abandoned(settings["DATABASE_URL"], enqueuer(app, BATCH_QUEUE),
                                             float(settings["RECEIVE_TIMEOUT"])))
    # Résumé matches past their time are deleted here too (and on read, and at each new match).
    matches.sweep_expired(settings["DATABASE_URL"])
    for batch_id, chunks in resent.items():
        log.warning("batch %s made no progress for %s s with no task queued: sent its %d "
                    "pending chunk(s) again %s", batch_id, settings["STALL_TIMEOUT"],
                    len(chunks), chunks)
    return resent


def _sweep_every(app: Celery, interval: float) -> None:
    while not _stop.wait(interval):
        try:
            sweep(app)
        except Exception:  # noqa: BLE001 - a database or broker away now may be back next time
            log.exception("the sweep for lost chunk tasks failed")


@signals.worker_ready.connect(weak=False)
def _start(sender: Any = None, **_: Any) -> None:
    """Start sweeping in a worker that consumes the batch queue."""
    app = sender.app
    interval = float(settings_of(app)["SWEEP_INTERVAL"])
    if interval <= 0 or BATCH_QUEUE not in app.amqp.queues.consume_from:
        return
    _stop.clear()
    threading.Thread(target=_sweep_every, args=(app, interval), name="skillgap-sweep",
                     daemon=True).start()


@signals.worker_shutdown.connect(weak=False)
def _stop_sweeping(**_: Any) -> None:
    _stop.set()
