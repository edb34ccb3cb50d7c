"""Imports on a Dask distributed cluster: `reja import … --scheduler tcp://host:8786` (issue 23).

Reading a file (reader, parser, OCR, matching: `reja.worker.process_document`) is a pure function of
its bytes, so it can run anywhere reja is installed. With a scheduler given, the import sends that
step to the cluster's workers and keeps everything else where it was:

- the client collects and snapshots the inputs as always (hash, size, file time from one read), decides
  what is unchanged or only needs re-matching, and sends each remaining file's BYTES with its task:
  workers need no shared disk and never see a path of the client's machine;
- on a worker the bytes are written into a private temporary folder under the file's own name (a
  title block may be read from it) and parsed in a forked child exactly as the local executor does
  (`reja.executor.LocalExecutor` with one job): the same memory limit per document, the same time limit
  (the child is killed after it, with what it started), a crash costs that file only;
- the client stays the only writer: results are written to the store in the order the files were
  given, each in its own transaction, with the same status lines, run log and exit codes;
- at most `window` files are on the cluster at once (their bytes are in memory), by default four per
  worker thread; a worker lost while reading (the process died, Dask gave up on it) is that file's
  `worker_crashed`, never the batch's end.

Workers need reja with the same version and data as the client (a different pipeline would store rows
under the client's import key): install the same wheel on every worker. docs/deploy.md has the commands.
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import shutil
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from pathlib import Path

_warm = threading.Lock()
_warmed = False


def _allow_children() -> None:
    """Dask runs its worker processes as daemons, and multiprocessing refuses a daemon children. The
    batch's children die with their parent (PR_SET_PDEATHSIG, `reja.executor._child_main`), which is what
    the daemon flag is for; so the worker may fork them."""
    mp.current_process()._config["daemon"] = False


def warm_worker() -> None:
    """Load readers, parser, pipeline and catalogue once per worker process, so each forked child
    inherits them (a child importing `reja.pipeline` itself spent ~3 s of a 0.5 s document on it)."""
    global _warmed
    from reja import worker

    with _warm:
        if not _warmed:
            worker.warm_up()
            importlib.import_module("reja.pipeline")
            _allow_children()
            _warmed = True


def parse_remote(task: dict, data: bytes, limits, work: Callable[[dict], dict]) -> dict:
    """On a worker: the file's bytes into a private folder, read and matched in a forked child
    (`reja.executor.LocalExecutor`), the result back to the client. Never raises for a document's fault."""
    from reja.executor import LocalExecutor

    warm_worker()
    folder = Path(tempfile.mkdtemp(prefix="reja-worker-"))
    try:
        name = Path(task["path"]).name or "document"
        path = folder / "in" / name
        path.parent.mkdir()
        path.write_bytes(data)
        results: list[dict] = []
        LocalExecutor(jobs=1).run(work, [{**task, "path": str(path)}], limits,
                                  lambda _task, result: results.append(result))
        if not results:
            return {"ok": False, "code": "internal_error", "reason": "the worker gave no result"}
        return results[0]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class ClusterError(RuntimeError):
    """The cluster cannot be reached (or Dask is not installed): said as a usage error."""


class DaskExecutor:
    """Runs the batch's per-file step on a Dask distributed cluster (see the module doc).

    `scheduler`: the scheduler's address (tcp://host:8786) or a `distributed.Client` already connected
    (tests, notebooks); `window`: files on the cluster at once (default: four per worker thread)."""

    def __init__(self, scheduler, *, window: int | None = None, connect_timeout: float = 30):
        self.scheduler = scheduler
        self.window = window
        self.connect_timeout = connect_timeout
        self._client = None
        self._own = False

    def connect(self):
        """The client of the cluster (connected once); ClusterError when there is no scheduler there."""
        if self._client is not None:
            return self._client
        try:
            from distributed import Client
        except ImportError as exc:
            raise ClusterError("--scheduler needs Dask: pip install 'reja[cluster]'") from exc
        if isinstance(self.scheduler, Client):
            self._client = self.scheduler
            return self._client
        try:
            self._client = Client(self.scheduler, timeout=self.connect_timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise ClusterError(f"no Dask scheduler at {self.scheduler} ({exc})") from exc
        self._own = True
        return self._client

    def close(self) -> None:
        if self._own and self._client is not None:
            self._client.close()
        self._client, self._own = None, False

    def run(self, work: Callable[[dict], dict], tasks: list[dict], limits, on_result, should_stop=lambda: False,
            on_start=None) -> None:
        """`reja.executor.Executor.run`: on_result(task, result) for each task, in the order given, in
        this process (the only writer); returns early, cancelling what is on the cluster, as soon as
        should_stop() is true."""
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker

        client = self.connect()
        run = uuid.uuid4().hex[:8]
        threads = sum(client.nthreads().values()) or 1
        window = self.window or max(2, 4 * threads)
        pending = deque(tasks)
        inflight: deque = deque()
        try:
            while (pending or inflight) and not should_stop():
                while pending and len(inflight) < window:
                    task = pending.popleft()
                    data = Path(task["path"]).read_bytes()
                    future = client.submit(parse_remote, task, data, limits, work, pure=False,
                                           key=f"reja-read-{run}-{task['document_id']}")
                    inflight.append((task, future, time.monotonic()))
                    if on_start is not None:
                        on_start(task)
                task, future, started = inflight[0]
                try:
                    result = future.result(timeout=0.5)
                except TimeoutError:
                    continue  # the head file is still being read: look at should_stop() again
                except KilledWorker as exc:  # the worker process died on this file (Dask retried, then gave up)
                    result = {"ok": False, "code": "worker_crashed", "seconds": time.monotonic() - started,
                              "reason": f"the reading process died on the cluster ({getattr(exc, 'last_worker', None) or 'a worker'} lost)"}
                except FutureCancelledError:
                    result = {"ok": False, "code": "worker_crashed", "seconds": time.monotonic() - started,
                              "reason": "the cluster cancelled the reading"}
                except Exception as exc:  # a result that could not travel back, say: this file only
                    result = {"ok": False, "code": "internal_error", "seconds": time.monotonic() - started,
                              "reason": f"on the cluster: {type(exc).__name__}: {exc}"}
                inflight.popleft()
                future.release()
                on_result(task, result)
        finally:
            for _task, future, _started in inflight:
                future.cancel()
