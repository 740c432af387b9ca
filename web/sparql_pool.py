"""A pool of query worker processes, each killed outright when its query passes the time limit.

Workers are started on demand (up to ``size``) and reused, so a query pays a pipe round trip, not a
process start. A request waits for a free worker at most one time limit (every busy worker is free
or killed by then), else gets 503.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

from kg.config import PROJECT_ROOT
from web.sparql_worker import READY, read_frame, write_frame

STARTUP_SECONDS = 60.0


class QueryTimeout(Exception):
    """The query ran past its time limit; its worker was killed."""


class PoolBusy(Exception):
    """No worker became free in time."""


class WorkerDied(Exception):
    """The worker exited without answering (a crash, or killed from outside)."""


class Worker:
    def __init__(self, store_root: Path) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "web.sparql_worker", str(store_root)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0, env=env, cwd=PROJECT_ROOT,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.requests, self.answers = self.proc.stdin, self.proc.stdout
        try:  # startup (imports, opening the store) is not charged to any query's time limit
            ready = self._read(time.monotonic() + STARTUP_SECONDS)
        except (QueryTimeout, WorkerDied) as exc:
            self.kill()
            raise WorkerDied("a query worker did not start") from exc
        if ready != READY:
            self.kill()
            raise WorkerDied("a query worker did not start")

    def ask(self, job: dict, deadline: float) -> tuple[dict, bytes]:
        try:
            write_frame(self.requests, json.dumps(job, ensure_ascii=False).encode("utf-8"))
        except (BrokenPipeError, OSError) as exc:
            raise WorkerDied("the query worker is gone") from exc
        header = self._read(deadline)
        return json.loads(header), self._read(deadline)

    def _read(self, deadline: float) -> bytes:
        """One frame, waiting no later than the deadline (a frame arrives whole once it starts)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([self.answers], [], [], remaining)[0]:
            raise QueryTimeout
        frame = read_frame(self.answers)
        if frame is None:
            raise WorkerDied(f"the query worker exited (status {self.proc.poll()})")
        return frame

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        for stream in (self.requests, self.answers):
            stream.close()


class WorkerPool:
    def __init__(self, store_root: Path, size: int) -> None:
        self.store_root = store_root
        self.size = max(1, size)
        self._idle: queue.LifoQueue[Worker] = queue.LifoQueue()  # LIFO: the warmest worker first
        self._lock = threading.Lock()
        self._live = 0
        self._closed = False
        atexit.register(self.close)

    def run(self, job: dict, timeout: float) -> tuple[dict, bytes]:
        """Run one job within ``timeout`` seconds (the query's own time; waiting for a worker is extra)."""
        worker = self._acquire(timeout)
        try:
            answer = worker.ask(dict(job, timeout=timeout), time.monotonic() + timeout)
        except BaseException:
            self._discard(worker, replace=True)  # a timed-out, dead or interrupted worker is never reused
            raise
        self._idle.put(worker)
        return answer

    def _acquire(self, wait: float) -> Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._live < self.size and not self._closed:
                self._live += 1
                try:
                    return Worker(self.store_root)
                except BaseException:
                    self._live -= 1
                    raise
        try:
            return self._idle.get(timeout=wait + 1.0)
        except queue.Empty as exc:
            raise PoolBusy from exc

    def _discard(self, worker: Worker, replace: bool = False) -> None:
        worker.kill()
        with self._lock:
            self._live -= 1
        if replace and not self._closed:  # the next query finds a warm worker, not a cold start
            threading.Thread(target=self._replenish, daemon=True).start()

    def _replenish(self) -> None:
        with self._lock:
            if self._live >= self.size or self._closed:
                return
            self._live += 1
        try:
            self._idle.put(Worker(self.store_root))
        except BaseException:
            with self._lock:
                self._live -= 1

    def warm(self) -> None:
        """Start one worker ahead of the first query."""
        self._idle.put(self._acquire(0.0))

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._discard(self._idle.get_nowait())
            except queue.Empty:
                return
