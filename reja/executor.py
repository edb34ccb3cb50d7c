"""Executors: who runs the documents' work, and where. `run_import` hands an executor the tasks and
gets each result back through `on_result`, in the parent (the only store writer).

- `LocalExecutor`: each document in its own forked child process (at most `jobs` at a time). A crash,
  a hang (killed after `timeout_s`) or a memory blow-up (RLIMIT_AS) in one document costs that
  document only, and memory is returned to the system after each document.
- `InlineExecutor`: in this process, one after the other (re-matching stored rows: no reader runs,
  so nothing needs containing).

Another executor implements the same `run` (`reja.cluster.DaskExecutor`: a Dask cluster's workers);
the work is `work(task) -> result`, a picklable callable (`functools.partial(reja.worker.process_document,
parse)`), and `limits` the time and memory each document may take.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import wait as wait_any
from typing import Protocol

from reja import worker
from reja.import_report import BatchLimits, MiB

Work = Callable[[dict], dict]
OnResult = Callable[[dict, dict], None]


class Executor(Protocol):
    def run(self, work: Work, tasks: list[dict], limits: BatchLimits, on_result: OnResult,
            should_stop: Callable[[], bool] = ..., on_start: Callable[[dict], None] | None = None) -> None:
        """Run work(task) for every task; call on_start(task) as each begins and on_result(task, result)
        in the calling process as each finishes. Return early (abandoning the rest) as soon as
        should_stop() is true. A task that cannot finish gets a failed result, never an exception."""
        ...


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this worker when the parent dies (SIGKILL, a closed terminal), so no
    worker outlives `reja import`. Elsewhere a no-op: the closed pipe then ends the worker."""
    from reja.extract.limits import die_with_parent

    die_with_parent()
    if os.getppid() != parent_pid:  # the parent died before the request above was in place
        os._exit(1)


def _address_space() -> int:
    """Bytes of address space this process maps now (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


PAGES = "pages_read"  # a child's message before its result: {PAGES: (pages read, pages to read)}


def _child_main(conn, work: Work, task: dict, max_memory_mb: int | None, parent_ends=(), parent_pid: int | None = None) -> None:
    _die_with_parent(parent_pid or os.getppid())
    for end in parent_ends:
        end.close()
    # Ctrl+C is the parent's business: it stops the batch and kills the children itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if max_memory_mb:
        import resource

        # on top of what the fork inherited: a parent with many threads (a server, a test run) already
        # maps gigabytes it never touches, and an absolute limit would leave the reader no room at all
        limit = max_memory_mb * MiB + _address_space()
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.setpgrp()  # its own process group: a timeout kills the worker AND what it started (LibreOffice)
    if worker.READ_OPTIONS.get("jobs", 1) > 1:
        # a scan's pages go to worker processes of this child (idle slots): a daemonic process may not
        # start any; they are in this process group, so a timeout or the batch's end kills them too
        mp.current_process().daemon = False
    from reja.extract.progress import set_page_listener

    # a scan's pages as they are read: the parent's progress line shows "page 7/15"
    set_page_listener(lambda done, total: conn.send({PAGES: (done, total)}))
    try:
        result = work(task)
    except MemoryError:
        why = f"needed more than {max_memory_mb} MiB of memory" if max_memory_mb else "ran out of memory"
        result = {"ok": False, "code": "too_large", "reason": why}
    try:
        conn.send(result)
    except Exception as exc:  # e.g. a parser put something unpicklable in a row
        conn.send({"ok": False, "code": "internal_error", "reason": f"result could not be handed over ({exc!r})",
                   "traceback": traceback.format_exc()})  # fmt: skip
    conn.close()


def _kill(proc) -> None:
    """Kill a worker and its process group (converters it started), then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.join(10)


def _never() -> bool:
    return False


@dataclass
class InlineExecutor:
    """Runs each task in this process, one after the other (no isolation: for work that reads no file)."""

    def run(self, work: Work, tasks: list[dict], limits: BatchLimits, on_result: OnResult,
            should_stop: Callable[[], bool] = _never, on_start: Callable[[dict], None] | None = None) -> None:
        for task in tasks:
            if should_stop():
                return
            if on_start is not None:
                on_start(task)
            on_result(task, work(task))


@dataclass
class LocalExecutor:
    """Each task in a forked child, at most `jobs` at once, under the run's limits (time-out, memory).
    `on_pages(task, done, total)`: told as a child reads a scan's pages (the progress line)."""

    jobs: int = 1
    on_pages: Callable[[dict, int, int], None] | None = None

    def run(self, work: Work, tasks: list[dict], limits: BatchLimits, on_result: OnResult,
            should_stop: Callable[[], bool] = _never, on_start: Callable[[dict], None] | None = None) -> None:
        """Kills the running children when should_stop() turns true (or on any exception)."""
        ctx = mp.get_context("fork")  # fork: children inherit `work` (any callable) and the warm caches
        pending = deque(tasks)
        running: dict = {}  # read end of a child's pipe -> (task, process, start time)
        try:
            while (pending or running) and not should_stop():
                while pending and len(running) < max(1, self.jobs):
                    task = pending.popleft()
                    self._start(ctx, work, task, limits, running)
                    if on_start is not None:
                        on_start(task)
                self._collect(running, on_result, should_stop, self.on_pages)
                self._time_out(running, limits, on_result)
        finally:
            for conn, (_task, proc, _started) in running.items():
                _kill(proc)
                conn.close()

    def _start(self, ctx, work: Work, task: dict, limits: BatchLimits, running: dict) -> None:
        recv, send = ctx.Pipe(duplex=False)
        # the child closes every read end the parent holds (its own and the other workers'):
        # a child holding a read end would block forever on a full pipe once the parent died
        parent_ends = [recv, *running]
        proc = ctx.Process(target=_child_main, args=(send, work, task, limits.max_memory_mb, parent_ends, os.getpid()),
                           daemon=True)  # fmt: skip
        proc.start()
        send.close()
        running[recv] = (task, proc, time.monotonic())

    @staticmethod
    def _collect(running: dict, on_result: OnResult, should_stop: Callable[[], bool], on_pages=None) -> None:
        """Hand over the results of the children that finished (waits up to half a second), and the
        pages read so far by those reading a scan."""
        for conn in wait_any(list(running), timeout=0.5):
            if should_stop():
                break
            task, proc, started = running[conn]
            try:
                result = conn.recv()
            except Exception:  # EOF: the child died before sending (segfault, OOM killer, …)
                proc.join(10)
                code = proc.exitcode
                why = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                result = {"ok": False, "code": "worker_crashed", "reason": f"the reading process died ({why})",
                          "seconds": time.monotonic() - started}  # fmt: skip
            if isinstance(result, dict) and PAGES in result:  # pages read so far; the result follows
                if on_pages is not None:
                    on_pages(task, *result[PAGES])
                continue
            del running[conn]
            conn.close()
            proc.join(10)
            on_result(task, result)

    @staticmethod
    def _time_out(running: dict, limits: BatchLimits, on_result: OnResult) -> None:
        """Kill the children that ran over the time limit; each task gets a too_large result."""
        now = time.monotonic()
        for conn, (task, proc, started) in list(running.items()):
            if now - started > limits.timeout_s:
                _kill(proc)
                conn.close()
                del running[conn]
                on_result(task, {"ok": False, "code": "too_large", "seconds": now - started,
                                 "reason": f"reading took longer than {limits.timeout_s:g} s: stopped"})  # fmt: skip
