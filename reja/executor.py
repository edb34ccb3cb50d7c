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
STARTED = "task_started"  # a child reading several tasks, before the k-th: {STARTED: k}


def _child_main(conn, work: Work, tasks: list[dict], max_memory_mb: int | None, parent_ends=(),
                parent_pid: int | None = None) -> None:  # fmt: skip
    """One forked child: the tasks one after the other (usually one; several small files share a child
    when the executor says so, `LocalExecutor.shares`), each result sent as it is ready."""
    _die_with_parent(parent_pid or os.getppid())
    for end in parent_ends:
        end.close()
    # Ctrl+C is the parent's business: it stops the batch and kills the children itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.setpgrp()  # its own process group: a timeout kills the worker AND what it started (LibreOffice)
    if worker.READ_OPTIONS.get("jobs", 1) > 1:
        # a scan's pages go to worker processes of this child (idle slots): a daemonic process may not
        # start any; they are in this process group, so a timeout or the batch's end kills them too
        mp.current_process().daemon = False
    from reja.extract.progress import set_page_listener

    # a scan's pages as they are read: the parent's progress line shows "page 7/15"
    set_page_listener(lambda done, total: conn.send({PAGES: (done, total)}))
    for k, task in enumerate(tasks):
        if len(tasks) > 1:
            conn.send({STARTED: k})
        _limit_memory(max_memory_mb)
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
        if isinstance(result, dict) and result.get("code") == "too_large":  # out of memory: the next task gets a fresh child
            break
    conn.close()


def _limit_memory(max_memory_mb: int | None) -> None:
    """The document's memory limit (RLIMIT_AS), on top of what this process maps now: a parent with many
    threads (a server, a test run) already maps gigabytes it never touches, and an absolute limit would
    leave the reader no room at all; in a child reading several tasks, each gets its own headroom."""
    if not max_memory_mb:
        return
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = max_memory_mb * MiB + _address_space()
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


@dataclass
class _Child:
    """A running child and where it is in its tasks: `tasks[k]` is the one it reads (`reading`) or the next."""

    tasks: list[dict]
    proc: object
    since: float  # the current task's start (or the last result's)
    k: int = 0
    reading: bool = True  # the first task counts as started with the child


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
    `on_pages(task, done, total)`: told as a child reads a scan's pages (the progress line).
    `per_child` > 1 with `shares(task)`: up to that many consecutive tasks that may share (small files) are
    read one after the other by one child, which saves a fork, a cold start and an exit per file (on a
    typed plan of ~0.03 s CPU about 0.05 s); each keeps its own time and memory limit. A task that crashes
    or outruns its time costs itself only: the tasks after it go to a new child."""

    jobs: int = 1
    on_pages: Callable[[dict, int, int], None] | None = None
    per_child: int = 1
    shares: Callable[[dict], bool] | None = None

    def run(self, work: Work, tasks: list[dict], limits: BatchLimits, on_result: OnResult,
            should_stop: Callable[[], bool] = _never, on_start: Callable[[dict], None] | None = None) -> None:
        """Kills the running children when should_stop() turns true (or on any exception)."""
        ctx = mp.get_context("fork")  # fork: children inherit `work` (any callable) and the warm caches
        pending = deque(tasks)
        running: dict = {}  # read end of a child's pipe -> _Child
        try:
            while (pending or running) and not should_stop():
                while pending and len(running) < max(1, self.jobs):
                    group = self._group(pending)
                    self._start(ctx, work, group, limits, running)
                    if on_start is not None:
                        on_start(group[0])
                self._collect(running, pending, on_result, should_stop, on_start)
                self._time_out(running, pending, limits, on_result)
        finally:
            for conn, child in running.items():
                _kill(child.proc)
                conn.close()

    def _group(self, pending: deque) -> list[dict]:
        """The next child's tasks: one, or consecutive ones that may share a child."""
        group = [pending.popleft()]
        if self.per_child > 1 and self.shares is not None and self.shares(group[0]):
            while pending and len(group) < self.per_child and self.shares(pending[0]):
                group.append(pending.popleft())
        return group

    def _start(self, ctx, work: Work, group: list[dict], limits: BatchLimits, running: dict) -> None:
        recv, send = ctx.Pipe(duplex=False)
        # the child closes every read end the parent holds (its own and the other workers'):
        # a child holding a read end would block forever on a full pipe once the parent died
        parent_ends = [recv, *running]
        proc = ctx.Process(target=_child_main, args=(send, work, group, limits.max_memory_mb, parent_ends, os.getpid()),
                           daemon=True)  # fmt: skip
        proc.start()
        send.close()
        running[recv] = _Child(group, proc, time.monotonic())

    def _collect(self, running: dict, pending: deque, on_result: OnResult, should_stop: Callable[[], bool],
                 on_start=None) -> None:  # fmt: skip
        """Hand over the results of the children that answered (waits up to half a second), the pages
        read so far by those reading a scan, and a group's next task starting."""
        for conn in wait_any(list(running), timeout=0.5):
            if should_stop():
                break
            child = running[conn]
            try:
                message = conn.recv()
            except Exception:  # EOF: the child is done (all its results sent) or died (segfault, OOM killer, …)
                self._ended(conn, running, pending, on_result)
                continue
            if isinstance(message, dict) and PAGES in message:  # pages read so far; the result follows
                if self.on_pages is not None and child.reading:
                    self.on_pages(child.tasks[child.k], *message[PAGES])
                continue
            if isinstance(message, dict) and STARTED in message:
                child.k, child.reading, child.since = message[STARTED], True, time.monotonic()
                if on_start is not None and child.k > 0:
                    on_start(child.tasks[child.k])
                continue
            task = child.tasks[child.k]
            child.k, child.reading, child.since = child.k + 1, False, time.monotonic()
            if child.k == len(child.tasks):  # its last: the slot is free now
                self._ended(conn, running, pending, on_result)
            on_result(task, message)

    @staticmethod
    def _ended(conn, running: dict, pending: deque, on_result: OnResult) -> None:
        """A child's pipe closed: reap it; the task it was reading (if any) died with it, the tasks it had
        not started go to a new child."""
        child = running.pop(conn)
        conn.close()
        child.proc.join(10)
        if child.reading:
            code = child.proc.exitcode
            why = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            on_result(child.tasks[child.k], {"ok": False, "code": "worker_crashed", "seconds": time.monotonic() - child.since,
                                             "reason": f"the reading process died ({why})"})  # fmt: skip
            child.k += 1
        pending.extendleft(reversed(child.tasks[child.k:]))

    @staticmethod
    def _time_out(running: dict, pending: deque, limits: BatchLimits, on_result: OnResult) -> None:
        """Kill the children whose task ran over the time limit: that task gets a too_large result, the
        ones after it in the same child go to a new one."""
        now = time.monotonic()
        for conn, child in list(running.items()):
            if now - child.since > limits.timeout_s:
                _kill(child.proc)
                conn.close()
                del running[conn]
                if child.reading:
                    on_result(child.tasks[child.k], {"ok": False, "code": "too_large", "seconds": now - child.since,
                                                     "reason": f"reading took longer than {limits.timeout_s:g} s: stopped"})  # fmt: skip
                    child.k += 1
                pending.extendleft(reversed(child.tasks[child.k:]))
