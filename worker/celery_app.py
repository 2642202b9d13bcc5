"""The Celery app factory, configured from the shared settings.

The reliability settings go together: a task is acknowledged only after it ran
(late acks), re-queued when its worker process dies, fetched one at a time, and
cut off by time limits; so every task must be idempotent, and ours are.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from celery import Celery
from kombu import Queue

from worker.settings import DEFAULTS, broker_folder, embedded, load_settings, resolve

# Pasted postings go to their own queue, so a person never waits behind a batch
# for longer than one chunk.
INTERACTIVE_QUEUE = "interactive"
BATCH_QUEUE = "batch"


def celery_config(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Return Celery's configuration for the app's settings."""
    config: dict[str, Any] = {
        "broker_url": settings["BROKER_URL"],
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_serializer": "json",
        # Progress and results live in the database; no result backend needed.
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": settings["TASK_SOFT_TIME_LIMIT"],
        "task_time_limit": settings["TASK_TIME_LIMIT"],
        "task_queues": [Queue(INTERACTIVE_QUEUE), Queue(BATCH_QUEUE)],
        "task_default_queue": BATCH_QUEUE,
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        "worker_send_task_events": False,
        "worker_hijack_root_logger": False,
        # Prefork, whose idle processes survive one of them being killed (worker/pool.py).
        "worker_pool": "worker.pool:TaskPool",
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        # A new pool process builds the analyzer before it reports ready (about 2 s of
        # CPU, so the first posting is answered fast). Celery kills one that takes over
        # 4 s, as on a busy machine, and the one replacing it again and again; a process
        # still starting after a minute is stuck.
        "worker_proc_alive_timeout": 60.0,
    }
    if embedded(settings):
        folder = broker_folder(settings)
        queue_dir = os.path.join(folder, "queue")
        for path in (queue_dir, os.path.join(folder, "processed")):
            os.makedirs(path, exist_ok=True)
        config["broker_transport_options"] = {
            "data_folder_in": queue_dir,
            "data_folder_out": queue_dir,
            "processed_folder": os.path.join(folder, "processed"),
            # Exchange tables too, or kombu writes them to ./control of the working directory.
            "control_folder": os.path.join(folder, "control"),
            "store_processed": False,
            "polling_interval": settings["POLL_INTERVAL"],
        }
        # Write-then-rename, and a file that is not a message is set aside, not fatal.
        config["broker_transport"] = "worker.broker:FilesystemTransport"
    else:
        config["broker_transport_options"] = {
            "visibility_timeout": settings["VISIBILITY_TIMEOUT"],
            # kombu scans for such tasks only every interval x throttle seconds
            # (100 s by default); a scan is one cheap query, so do it every interval.
            "unacked_restore_interval": settings["RESTORE_INTERVAL"],
            "unacked_restore_throttle": 1,
            # Each scan holds a Redis lock; a worker killed while holding it would
            # stop every scan until the lock expires (kombu's default is 300 s).
            # A scan takes milliseconds, and a chunk restored twice is harmless.
            "unacked_mutex_expire": max(10, 2 * int(settings["RESTORE_INTERVAL"])),
        }
        if str(settings["BROKER_URL"]).startswith("redis://"):
            config["broker_transport"] = "worker.broker:Transport"
        # Without this, one connection blip would lose the unacknowledged tasks'
        # acks; with it, they are re-delivered after the visibility timeout.
        config["broker_pool_limit"] = 10
    if settings.get("WORKER_CONCURRENCY"):
        config["worker_concurrency"] = int(settings["WORKER_CONCURRENCY"])
    return config


def create_celery(settings: Mapping[str, Any] | None = None) -> Celery:
    """Create the Celery app for ``settings`` (default: from the environment)."""
    if settings is None:
        settings = load_settings()
    else:
        # Given settings are complete or partial; missing keys take the defaults.
        settings = resolve({**DEFAULTS, **settings})
    app = Celery("skillgap")
    app.conf.update(celery_config(settings))
    app.conf["skillgap"] = settings
    app.set_default()
    # Importing the tasks registers them with every app, as shared tasks; the sweep
    # for lost chunk tasks starts with each worker of the batch queue.
    import worker.matches  # noqa: F401
    import worker.sweep  # noqa: F401
    import worker.tasks  # noqa: F401

    return app


def settings_of(app: Celery) -> dict[str, Any]:
    """Return the skillgap settings a Celery app was built with."""
    return app.conf["skillgap"]
