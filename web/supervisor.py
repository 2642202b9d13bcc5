"""Keeps the worker processes of ``skillgap serve`` running.

A worker can die for good (killed by the OOM killer, an unrecoverable broker error),
and nothing else would start it again: pasted postings would then wait as queued
forever. The supervisor starts an exited worker again, after a pause that grows
while it keeps dying soon after starting.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence

# A worker that ran this long before exiting was healthy: start it again at once.
HEALTHY_SECONDS = 60.0
FIRST_DELAY, MAX_DELAY = 1.0, 30.0


class Supervisor:
    def __init__(self, commands: Sequence[Sequence[str]], say: Callable[[str], None],
                 poll: float = 0.5) -> None:
        self.commands = [list(c) for c in commands]
        self.say = say
        self.poll = poll
        self.procs: list[subprocess.Popen[bytes]] = []
        self.started_at: list[float] = []
        self.delays = [FIRST_DELAY] * len(self.commands)
        self.restarts = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, name="skillgap-supervisor",
                                        daemon=True)

    def start(self) -> None:
        for command in self.commands:
            self.procs.append(self._popen(command))
            self.started_at.append(time.monotonic())
        self._thread.start()

    def _watch(self) -> None:
        due: dict[int, float] = {}
        while not self._stop.wait(self.poll):
            with self._lock:
                if self._stop.is_set():
                    return
                for i, proc in enumerate(self.procs):
                    code = proc.poll()
                    if code is None:
                        continue
                    now = time.monotonic()
                    if i not in due:
                        if now - self.started_at[i] >= HEALTHY_SECONDS:
                            self.delays[i] = FIRST_DELAY
                        due[i] = now + self.delays[i]
                        self.say(f"skillgap: worker {proc.pid} exited with code {code}; "
                                 f"starting it again in {self.delays[i]:.0f} s")
                        self.delays[i] = min(self.delays[i] * 2, MAX_DELAY)
                    elif now >= due[i]:
                        del due[i]
                        self.procs[i] = self._popen(self.commands[i])
                        self.started_at[i] = now
                        self.restarts += 1

    @staticmethod
    def _popen(command: list[str]) -> subprocess.Popen[bytes]:
        # Each worker in a process group of its own, so that stopping reaches its children.
        return subprocess.Popen(command, start_new_session=True)

    def stop(self, grace: float = 3.0) -> None:
        """Stop watching, then stop every worker: a warm shutdown for ``grace`` seconds, then
        a cold one (SIGQUIT: the worker ends its pool processes and reaps them), then SIGKILL.

        A warm shutdown of an idle prefork worker on the file-system queue takes 6-20 s
        on a loaded machine (the consumer polls in 2 s steps, then each child exits). A
        chunk cut short is safe: chunks are idempotent, Redis gives an unacknowledged
        task back, and the workers' sweep sends again what the file-system queue lost.
        Killing the whole group at once would leave its pool processes to an init that
        may never reap them.
        """
        self._stop.set()
        with self._lock:
            for proc in self.procs:
                proc.terminate()
            for sig, wait in ((signal.SIGQUIT, grace), (signal.SIGKILL, 2.0)):
                deadline = time.monotonic() + wait
                for proc in self.procs:
                    try:
                        proc.wait(max(0.0, deadline - time.monotonic()))
                    except subprocess.TimeoutExpired:
                        pass
                for proc in self.procs:
                    if proc.poll() is None:
                        proc.send_signal(sig)
            for proc in self.procs:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)  # whatever of the worker is still there
                except ProcessLookupError:
                    pass
                proc.wait()
