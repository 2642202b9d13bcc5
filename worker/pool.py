"""The prefork pool, safe against a pool process killed while it waits for a task.

On a transport without Celery's event loop, as the file-system queue of the embedded
default, the pool's processes share one pipe of tasks guarded by one lock between
processes, and billiard's idle process waits for a task while holding that lock. A
process killed then (SIGKILL, the OOM killer) leaves the lock taken for good: the
process started in its place, and every other one, wait for it forever and no task
runs again (celery/billiard pull request #457 describes the same wait). Here an idle
process waits for the pipe to be readable without the lock and takes the lock only to
read a task that is there. On Redis the event loop gives each process a pipe of its
own and this pool is not used.
"""

from __future__ import annotations

from typing import Any

from billiard import pool as billiard_pool
from celery.concurrency import prefork


class Worker(billiard_pool.Worker):
    def _make_recv_method(self, conn: Any) -> Any:
        reader, rlock = getattr(conn, "_reader", None), getattr(conn, "_rlock", None)
        if reader is None or rlock is None:
            return super()._make_recv_method(conn)
        poll, loads = reader.poll, billiard_pool.pickle_loads

        def _recv(timeout: float) -> tuple[bool, Any]:
            if not poll(timeout):
                return False, None
            with rlock:
                # Another process may have read it between the poll and the lock.
                if not poll(0):
                    return False, None
                payload = reader.recv_bytes()
            return True, loads(payload)

        return _recv


class BlockingPool(billiard_pool.Pool):
    Worker = Worker


class TaskPool(prefork.TaskPool):
    """Celery's prefork pool with the safe wait above (``worker_pool`` names it)."""

    BlockingPool = BlockingPool
