"""Imports on a Dask distributed cluster: `reja import … --scheduler tcp://host:8786` (issue 23).

Reading a file (reader, parser, OCR, matching: `reja.worker.process_document`) is a pure function of
its bytes, so it can run anywhere reja is installed. With a scheduler given, the import sends that
step to the cluster's workers and keeps everything else where it was:

- each worker loads readers, parser, pipeline and catalogue once, when the import connects (a worker
  plugin, `WarmUp`; a worker that joins later is warmed as it joins), not on its first file;
- the client collects and snapshots the inputs as always (hash, size, file time from one read), decides
  what is unchanged or only needs re-matching, and sends the remaining files' BYTES: workers need no
  shared disk and never see a path of the client's machine. Small files travel in parcels of several
  consecutive files (one Dask task each: `parcels`), a large one (a scan) alone;
- on a worker the bytes are written into a private temporary folder under the files' own names (a
  title block may be read from it) and the files are parsed in a forked child as the local executor
  does (`reja.executor.LocalExecutor` with one job): the same memory limit per document, the same time
  limit (the child is killed after it, with what it started), a crash costs that file only. A parcel's
  small files (`shares_child`: below 256 KiB, not a photo) are read one after the other by one child
  (a fork, a cold start and an exit per typed plan cost more CPU than the plan itself); after a crash
  or a time-out the parcel's remaining files go on in a new child;
- the reader options are the client's: the OCR cache folder beside the store (or none with
  --no-ocr-cache) when the worker sees that folder (the same machine or a shared disk: the client puts
  a marker file in it), else the worker's own `REJA_OCR_CACHE`, as a local reader would take;
- the client stays the only writer: results are written to the store in the order the files were
  given, each in its own transaction, with the same status lines, run log and exit codes. Parcels are
  collected as they finish (not head first), so a long scan at the head never leaves workers idle;
  finished results wait in memory for their turn (at most `window` files on the cluster, and
  `4 × window` finished ones waiting);
- with fewer files than worker threads, the idle workers read a scan's pages too (`_ClusterPages`, as
  `--jobs` does locally with idle slots);
- a worker says when it starts a file and how many pages of a scan it has read (Dask's event topics),
  so the progress line shows "page 7/15" as it does locally;
- a worker lost while reading (the process died; Dask retried the task elsewhere and gave up): each
  file of the task is read again alone, with nothing else on the cluster, and only the file that takes
  a worker down then is `worker_crashed` (Dask counts every task that was on a dying worker, innocent
  ones too); never the batch's end;
- a worker hung as a whole (stopped: its own time limit on the child cannot act, and Dask's heartbeat
  waits minutes): each task tells the client when it starts, and one with no result `timeout_s +
  hang_grace` seconds per file later is given up, its file fails as `too_large` saying so (a parcel's
  files are first read again alone), and the worker is restarted through its nanny.

Workers need reja with the same version and data as the client (a different pipeline would store rows
under the client's import key): install the same wheel on every worker. docs/deploy.md has the commands.
`DaskExecutor.stats` (also in the run log) says where a run's time went on the workers.
"""

from __future__ import annotations

import functools
import importlib
import multiprocessing as mp
import queue
import resource
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

PARCEL_BYTES = 2 * 1024 * 1024  # a file this large or larger (a scan) travels alone
PARCEL_FILES = 8  # at most this many small files in one task
# a file below this size (not a photo) shares its reading child with the parcel's other small files: a child
# per file cost ~0.05 s CPU a file (fork, the cold start of the first document, exit) on typed plans of ~0.03 s
SHARED_CHILD_BYTES = 256 * 1024


def shares_child(task: dict) -> bool:
    """Whether a parcel's file may be read by the same child as its neighbours: small, not a photo (a page
    image is OCR: seconds, and a big heap left for the next file)."""
    from reja.extract.scan.rasterize import IMAGE_SUFFIXES

    return int(task.get("size_bytes") or 0) < SHARED_CHILD_BYTES and Path(task["path"]).suffix.lower() not in IMAGE_SUFFIXES


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


try:
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # Dask not installed: DaskExecutor.connect says so
    WorkerPlugin = object  # type: ignore[misc,assignment]


class WarmUp(WorkerPlugin):
    """Registered by the client on connecting: every worker (and each that joins later) warms up once,
    all at the same time, before its first file."""

    name = "reja-warm-up"

    def setup(self, worker) -> None:
        warm_worker()


def parcels(tasks: list[dict], sizes: list[int], most_files: int, most_bytes: int = PARCEL_BYTES) -> list[list[int]]:
    """The tasks' indexes in parcels of consecutive files: at most `most_files` each and below
    `most_bytes` together; a file of `most_bytes` or more alone."""
    out: list[list[int]] = []
    current: list[int] = []
    held = 0
    for i, size in enumerate(sizes):
        if current and (len(current) >= most_files or held + size >= most_bytes):
            out.append(current)
            current, held = [], 0
        current.append(i)
        held += size
    if current:
        out.append(current)
    return out


def parcel_size(files: int, threads: int) -> int:
    """Files per parcel: enough parcels for every worker thread to get four (the last ones balance the
    load), at most PARCEL_FILES."""
    return max(1, min(PARCEL_FILES, files // (4 * max(1, threads))))


def _visible_options(options: dict) -> dict:
    """The client's reader options as this worker can use them: its OCR cache folder only when the
    client's marker file is seen there (the same machine or a shared disk)."""
    options = dict(options)
    marker = options.pop("ocr_cache_marker", None)
    cache = options.get("ocr_cache")  # a folder, or False (--no-ocr-cache: no cache on any worker)
    if isinstance(cache, str) and not (marker and (Path(cache) / marker).is_file()):
        options.pop("ocr_cache")  # not this machine's folder: the reader takes $REJA_OCR_CACHE, as locally
    return options


def _with_options(options: dict, work: Callable[[dict], dict], task: dict) -> dict:
    """In the forked child: the run's reader options, then the work (children of two runs on one worker
    never see each other's options). With `pages_on` (fewer files than worker threads), a scan's pages
    are shared with idle workers (`_ClusterPages`)."""
    from reja import worker
    from reja.extract.progress import set_page_runner

    options = dict(options)
    spread = options.pop("pages_on", None)
    worker.READ_OPTIONS.clear()
    worker.READ_OPTIONS.update(options)
    if spread is not None and options.get("jobs", 1) > 1:
        set_page_runner(_ClusterPages(**spread))
    return work(task)


def _page_call(job: Callable, call: dict, task: dict):
    return job(task["path"], **call)


def read_page(job: Callable, raw: bytes, name: str, call: dict, options: dict, limits) -> dict:
    """On an idle worker: one page of a scan another worker is reading (`_ClusterPages`), from the file's
    bytes, in a forked child under the run's time and memory limits. The OCR cache is this worker's by the
    run's rule (the client's folder when seen here, else $REJA_OCR_CACHE; none with --no-ocr-cache)."""
    import os

    from reja.executor import LocalExecutor

    warm_worker()
    importlib.import_module("reja.extract.scan.reader")  # OpenCV and Tesseract once per worker, not per page
    visible = _visible_options(options)
    cache = visible["ocr_cache"] if "ocr_cache" in visible else os.environ.get("REJA_OCR_CACHE")
    call = {**call, "cache_dir": cache or None} if "cache_dir" in call else call
    folder = Path(tempfile.mkdtemp(prefix="reja-page-"))
    try:
        path = folder / (Path(name).name or "document")
        path.write_bytes(raw)
        out: list[dict] = []
        LocalExecutor(jobs=1).run(functools.partial(_page_call, job, call), [{"path": str(path)}], limits,
                                  lambda _task, result: out.append(result))  # fmt: skip
        return out[0] if out else {"ok": False, "code": "internal_error", "reason": "no result"}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class _ClusterPages:
    """A page runner (`reja.extract.progress.set_page_runner`) for a reading child on a Dask worker when
    the run has fewer files than worker threads: this child reads the scan's pages from the first on,
    `jobs - 1` other workers from the last on (`read_page`, the file's bytes with each; two pages queued
    for each helper), until they meet; pages come back in order. The child never waits long on a helper: a page whose helper has not
    answered within twice the child's own time for a page (a helper busy with another file, a lost
    worker) is read here, so two files can never wait on each other's helpers."""

    def __init__(self, scheduler: str, here: str, options: dict, limits):
        self.scheduler, self.here, self.options, self.limits = scheduler, here, options, limits

    def _helpers(self):
        """A client of the cluster (this child's own) and the workers other than this one."""
        from distributed import Client

        try:
            client = Client(self.scheduler, timeout=10, set_as_default=False)
        except Exception:  # noqa: BLE001  the scheduler cannot be reached from here: read every page here
            return None, []
        return client, [w for w in client.scheduler_info().get("workers", {}) if w != self.here]

    def __call__(self, job: Callable, path: str, calls: list[dict], jobs: int):
        client, others = self._helpers() if jobs > 1 and len(calls) > 1 else (None, [])
        if not others:
            if client is not None:
                client.close()
            for call in calls:
                yield job(path, **call)
            return
        try:
            yield from self._spread(client, others, job, path, calls, jobs)
        finally:
            client.close()

    def _spread(self, client, others: list[str], job: Callable, path: str, calls: list[dict], jobs: int):
        n = len(calls)
        results: list = [None] * n
        remote: dict = {}  # future -> page index
        front, back, out, own = 0, n, 0, []
        # the bytes go with each page's task, through the scheduler (scattered from this forked child,
        # they never reached the helpers: weak for a long scan's many pages)
        data = Path(path).read_bytes()
        tag = uuid.uuid4().hex[:8]
        try:
            while out < n:
                back = self._queue_pages(client, others, job, data, path, calls, remote, front, back, jobs, tag)
                _collect(remote, results)
                while out < n and results[out] is not None:
                    yield results[out]
                    out += 1
                if out >= n:
                    break
                if front < back:  # this child's next page
                    start = time.monotonic()
                    results[front] = job(path, **calls[front])
                    own.append(time.monotonic() - start)
                    front += 1
                    continue
                if _helper_answered(remote, out, own):
                    continue
                results[out] = job(path, **calls[out])  # the helper failed or is too late
        finally:
            for future in remote:
                future.cancel()

    def _queue_pages(self, client, others, job, data, path, calls, remote, front, back, jobs, tag) -> int:
        """Pages from the back for the helpers, two queued for each (it goes on to the next while this
        child is busy reading and cannot hand it one); the child keeps the next page for itself.
        Returns the new back."""
        while len(remote) < 2 * (jobs - 1) and back > front + 1:
            back -= 1
            remote[client.submit(read_page, job, data, Path(path).name, calls[back], self.options, self.limits,
                                 workers=others, allow_other_workers=False, pure=False,
                                 key=f"reja-page-{tag}-{back}")] = back  # fmt: skip
        return back


def _collect(remote: dict, results: list) -> None:
    """The helpers' finished pages into `results` (a failed one as None: read here)."""
    for future, i in list(remote.items()):
        if future.done():
            del remote[future]
            results[i] = _page_answer(future)


def _helper_answered(remote: dict, index: int, own: list[float]) -> bool:
    """Wait a while (twice this child's longest page) for the helper holding page `index`: True when it
    answered in any way; else the page is taken back (cancelled) to be read here."""
    waiting = next((f for f, i in remote.items() if i == index), None)
    if waiting is None:
        return False
    try:
        waiting.result(timeout=2 * max(own or [30.0]))
    except Exception:  # noqa: BLE001  not yet (a time-out), or failed: _page_answer says which
        pass
    if waiting.done():
        return True
    waiting.cancel()
    del remote[waiting]
    return False


def _page_answer(future):
    """A helper's page, or None (to be read here) when the helper failed in any way."""
    try:
        answer = future.result()
    except Exception:  # noqa: BLE001  a lost worker, a cancelled task
        return None
    return answer if isinstance(answer, dict) and ("tables" in answer or "error" in answer) else None


def _tell(topic: str | None, message: dict) -> None:
    """An event for the client (a task or a file started, pages read); nothing when not on a Dask worker."""
    if topic is None:
        return
    try:
        from distributed import get_worker

        worker = get_worker()
        if "task" in message:  # which worker: the client restarts it if the task never ends
            message = {**message, "worker": worker.address}
        worker.log_event(topic, message)
    except ValueError:  # not inside a worker (called directly)
        pass


def _thread_cpu() -> float:
    """CPU seconds of this thread (Linux), else of this process."""
    r = resource.getrusage(getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF))
    return r.ru_utime + r.ru_stime


def read_parcel(tasks: list[dict], data: list[bytes], limits, work: Callable[[dict], dict], options: dict | None = None,
                topic: str | None = None, key: str | None = None, progress: bool = True) -> dict:  # fmt: skip
    """On a worker: the files' bytes into a private folder, each read and matched in its own forked child
    (`reja.executor.LocalExecutor`). Returns {"results": one per task, in order, "stats": …}. Never raises
    for a document's fault. Tells `topic` that task `key` started here (the client's deadline counts from
    then) and, with `progress`, each file's start and a scan's pages."""
    from reja.executor import LocalExecutor

    start = time.monotonic()
    _tell(topic, {"task": key})
    if not progress:
        topic = None
    warm_worker()  # done by the WarmUp plugin already, unless it could not be registered
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = _thread_cpu()
    folder = Path(tempfile.mkdtemp(prefix="reja-worker-"))
    try:
        local = []
        for n, (task, raw) in enumerate(zip(tasks, data, strict=True)):
            path = folder / f"in{n}" / (Path(task["path"]).name or "document")
            path.parent.mkdir()
            path.write_bytes(raw)
            local.append({**task, "path": str(path)})
        results: dict[int, dict] = {}
        options = dict(options or {})
        if options.get("jobs", 1) > 1:  # fewer files than worker threads: idle workers read pages too
            from distributed import get_worker

            here = get_worker()
            options["pages_on"] = {"scheduler": here.scheduler.address, "here": here.address,
                                   "options": dict(options), "limits": limits}  # fmt: skip
        # the parcel's small files one after the other in one forked child (each with its own time and memory
        # limit; a crash or time-out costs that file, the rest go on in a new child), a large one alone
        executor = LocalExecutor(jobs=1, per_child=len(local), shares=shares_child,
                                 on_pages=lambda t, done, total: _tell(topic, {"index": t["_index"], "done": done,
                                                                               "total": total}))  # fmt: skip
        executor.run(functools.partial(_with_options, _visible_options(options), work), local, limits,
                     lambda t, result: results.__setitem__(t["_index"], result),
                     on_start=lambda t: _tell(topic, {"index": t["_index"], "start": True}))  # fmt: skip
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = [results.get(t["_index"], {"ok": False, "code": "internal_error", "reason": "the worker gave no result"})
               for t in tasks]  # fmt: skip
        stats = {"files": len(tasks), "worker_s": time.monotonic() - start, "worker_thread_cpu_s": _thread_cpu() - own,
                 "document_s": sum(r.get("seconds") or 0.0 for r in out),
                 "reader_cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)}  # fmt: skip
        return {"results": out, "stats": stats}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class ClusterError(RuntimeError):
    """The cluster cannot be reached (or Dask is not installed): said as a usage error."""


class DaskExecutor:
    """Runs the batch's per-file step on a Dask distributed cluster (see the module doc).

    `scheduler`: the scheduler's address (tcp://host:8786) or a `distributed.Client` already connected
    (tests, notebooks); `window`: files on the cluster at once (default: four per worker thread, at least
    two parcels per thread); `parcel`: small files per task (default: `parcel_size`; 1 = one task a file).
    `on_pages(task, done, total)`: told as a worker reads a scan's pages (the progress line).
    `hang_grace`: seconds a file may take beyond the time limit (`--timeout`) before the client calls
    its worker hung (the worker's own child is stopped at the limit; this is for the worker itself)."""

    reads_here = False  # the files are read on the workers: the client loads no reader (`reja.batch`)

    def __init__(self, scheduler, *, window: int | None = None, connect_timeout: float = 30, parcel: int | None = None,
                 hang_grace: float = 30.0):  # fmt: skip
        self.scheduler = scheduler
        self.hang_grace = hang_grace
        self.window = window
        self.connect_timeout = connect_timeout
        self.parcel = parcel
        self.on_pages: Callable[[dict, int, int], None] | None = None
        self.stats: dict = {}
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
        else:
            try:
                self._client = Client(self.scheduler, timeout=self.connect_timeout, set_as_default=False)
            except (OSError, TimeoutError, ValueError, TypeError) as exc:
                raise ClusterError(f"no Dask scheduler at {self.scheduler} ({exc})") from exc
            self._own = True
        try:
            self._client.register_plugin(WarmUp(), name=WarmUp.name)  # every worker warms up now, at once
        except Exception:  # noqa: BLE001  a worker refused it: each warms up on its first file instead
            pass
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
        from reja import worker

        client = self.connect()
        run = _Run(self, client, work, tasks, limits, dict(worker.READ_OPTIONS), on_start)
        try:
            run.loop(on_result, should_stop)
        finally:
            run.close()
            self.stats = run.stats()


class _Run:
    """One `DaskExecutor.run`: parcels on the cluster, finished results waiting for their turn, events."""

    def __init__(self, executor: DaskExecutor, client, work, tasks: list[dict], limits, options: dict, on_start):
        self.ex, self.client, self.work, self.tasks, self.limits = executor, client, work, tasks, limits
        self.on_start = on_start
        self.id = uuid.uuid4().hex[:8]
        threads = sum(client.nthreads().values()) or 1
        sizes = [int(t.get("size_bytes") or 0) for t in tasks]
        size = executor.parcel or parcel_size(len(tasks), threads)
        self.todo: deque[list[int]] = deque(parcels(tasks, sizes, size))
        self.window = executor.window or max(4 * threads, 2 * threads * size)
        self.options = self._options(options)
        if 0 < len(tasks) < threads:  # as `--jobs` locally: the threads no file needs read a scan's pages
            self.options["jobs"] = threads // len(tasks)
        self.inflight: dict = {}  # future -> (indexes, submitted at)
        self.done: dict[int, dict] = {}  # index -> result, waiting for its turn
        self.next = 0  # the next index to hand over
        self.suspects: deque[int] = deque()  # files whose worker died: to be read again alone
        self.isolated: set[int] = set()  # files read alone on the cluster
        self.totals = {"parcels": 0, "files": 0, "worker_s": 0.0, "document_s": 0.0, "reader_cpu_s": 0.0,
                       "worker_thread_cpu_s": 0.0, "round_trip_s": 0.0, "resent_alone": 0, "hung_tasks": 0}  # fmt: skip
        self.sent = 0  # tasks submitted (a file read again alone gets a key of its own)
        self.keys: dict = {}  # task key -> future, for the workers' "started" events
        self.started: dict = {}  # future -> (when its worker said it started, the worker's address)
        self.restarts: list[threading.Thread] = []
        self.events: queue.Queue = queue.Queue()
        self.topic = f"reja-read-{self.id}"
        client.subscribe_topic(self.topic, lambda event: self.events.put(("event", event)))

    def _options(self, options: dict) -> dict:
        """The client's reader options for the workers: the OCR cache folder with a marker in it (a worker
        that sees the marker shares the folder); never the local page processes (`jobs`)."""
        options.pop("jobs", None)
        self.marker = None
        cache = options.get("ocr_cache")
        if cache:
            try:
                Path(cache).mkdir(parents=True, exist_ok=True)
                self.marker = Path(cache) / f".reja-client-{self.id}"
                self.marker.touch()
                options["ocr_cache_marker"] = self.marker.name
            except OSError:
                self.marker = None
        return {k: str(v) if k == "ocr_cache" and v else v for k, v in options.items()}

    def _submit(self, indexes: list[int]) -> None:
        parcel = [{**self.tasks[i], "_index": i} for i in indexes]
        data = [Path(t["path"]).read_bytes() for t in parcel]
        # the workers tell a task's start always (the deadline), files' starts and pages only to a progress
        # line (events cost the scheduler a message each)
        progress = self.on_start is not None or self.ex.on_pages is not None
        self.sent += 1
        key = f"reja-read-{self.id}-{indexes[0]}-{len(indexes)}-{self.sent}"
        future = self.client.submit(read_parcel, parcel, data, self.limits, self.work, self.options, self.topic, key,
                                    progress, pure=False, key=key)  # fmt: skip
        self.inflight[future] = (indexes, time.monotonic())
        self.keys[key] = future
        future.add_done_callback(lambda f: self.events.put(("done", f)))

    def on_cluster(self) -> int:
        return sum(len(ix) for ix, _t in self.inflight.values())

    def _fill(self) -> None:
        """Send parcels while the window has room. The files on the cluster and the finished ones waiting
        are bounded; the file whose turn it is goes out regardless (it is always the first waiting:
        parcels leave in order). A suspect (its worker died) goes out alone, with nothing else on the
        cluster, so that a second death is its own."""
        if self.suspects:
            if not self.inflight:
                i = self.suspects.popleft()
                self.isolated.add(i)
                self._submit([i])
            return
        while self.todo and self.on_cluster() < self.window and (len(self.done) < 4 * self.window
                                                                 or self.todo[0][0] == self.next):
            self._submit(self.todo.popleft())

    def loop(self, on_result, should_stop) -> None:
        while (self.todo or self.suspects or self.inflight or self.next in self.done) and not should_stop():
            self._fill()
            while self.next in self.done:  # in the order given
                task, result = self.tasks[self.next], self.done.pop(self.next)
                self.next += 1
                on_result(task, result)
                if should_stop():
                    return
            if not self.inflight:
                continue
            self._deadlines()
            try:  # a finished parcel or a worker's event; every half second should_stop() is asked again
                kind, item = self.events.get(timeout=0.5)
            except queue.Empty:
                continue
            if kind == "done":
                self._collect(item)
            else:
                self._event(item)

    def _collect(self, future) -> None:
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker

        if future not in self.inflight:  # told twice, or given up on (a hung worker)
            return
        indexes, submitted = self.inflight.pop(future)
        self.started.pop(future, None)
        self.keys.pop(future.key, None)
        seconds = time.monotonic() - submitted
        failed = None
        try:
            answer = future.result()
        except KilledWorker as exc:  # the worker process died on this parcel (Dask retried, then gave up)
            # which file did it? Dask counts every task on the dead worker; each is read again alone
            suspects = [i for i in indexes if i not in self.isolated]
            self.suspects = deque(sorted([*self.suspects, *suspects]))
            self.totals["resent_alone"] += len(suspects)
            why = f"the reading process died on the cluster ({getattr(exc, 'last_worker', None) or 'a worker'} lost)"
            for i in indexes:
                if i in self.isolated:  # it died alone on the cluster: this file took the worker down
                    self.done[i] = {"ok": False, "code": "worker_crashed", "seconds": seconds, "reason": why}
            future.release()
            return
        except FutureCancelledError:
            failed = {"ok": False, "code": "worker_crashed", "seconds": seconds, "reason": "the cluster cancelled the reading"}
        except Exception as exc:  # a result that could not travel back, say: these files only
            failed = {"ok": False, "code": "internal_error", "seconds": seconds,
                      "reason": f"on the cluster: {type(exc).__name__}: {exc}"}
        future.release()
        if failed is not None:
            answer = {"results": [dict(failed) for _ in indexes], "stats": {"files": len(indexes)}}
        for i, result in zip(indexes, answer["results"], strict=True):
            self.done[i] = result
        t = self.totals
        t["parcels"] += 1
        t["round_trip_s"] += seconds
        for key in ("files", "worker_s", "document_s", "reader_cpu_s", "worker_thread_cpu_s"):
            t[key] += answer["stats"].get(key, 0)

    def _event(self, event) -> None:
        """A worker started a file or read a scan's page: the progress line is told (an event that comes
        after its file was handed over is dropped)."""
        _when, message = event
        if "task" in message:  # a task started on a worker: its deadline counts from now
            future = self.keys.get(message["task"])
            if future in self.inflight:
                self.started[future] = (time.monotonic(), message.get("worker"))
            return
        i = message.get("index")
        if not isinstance(i, int) or i < self.next or i in self.done or i >= len(self.tasks):
            return
        if message.get("start"):
            if self.on_start is not None:
                self.on_start(self.tasks[i])
        elif self.ex.on_pages is not None:
            self.ex.on_pages(self.tasks[i], message["done"], message["total"])

    def _deadlines(self) -> None:
        """A task whose worker said it started and has given no result `timeout_s + hang_grace` seconds per
        file later:
        the worker is hung as a whole (its reading child would have been stopped at the time limit and the
        task would have answered). The task is given up and its worker restarted by its nanny (a thread:
        the batch goes on); its file fails, or, in a parcel, each file is read again alone as after a
        worker's death."""
        now = time.monotonic()
        per_file = self.limits.timeout_s + self.ex.hang_grace
        for future, (since, address) in list(self.started.items()):
            indexes, submitted = self.inflight[future]
            if now - since <= per_file * len(indexes):
                continue
            del self.inflight[future], self.started[future]
            self.keys.pop(future.key, None)
            future.cancel()
            self.totals["hung_tasks"] += 1
            if address:
                thread = threading.Thread(target=self._restart, args=(address,), daemon=True)
                thread.start()
                self.restarts.append(thread)
            alone = [i for i in indexes if i in self.isolated] if len(indexes) > 1 else indexes
            suspects = [i for i in indexes if i not in alone]
            self.suspects = deque(sorted([*self.suspects, *suspects]))
            self.totals["resent_alone"] += len(suspects)
            why = (f"the worker reading it ({address or 'unknown'}) stopped answering: no result {now - since:.0f} s "
                   f"after it started (time limit {self.limits.timeout_s:g} s a file): stopped, the worker restarted")
            for i in alone:
                self.done[i] = {"ok": False, "code": "too_large", "seconds": now - submitted, "reason": why}

    def _restart(self, address: str) -> None:
        try:
            self.client.restart_workers([address], timeout=self.ex.hang_grace, raise_for_error=False)
        except Exception:  # noqa: BLE001  no nanny, or the cluster is gone: Dask's heartbeat will remove it
            pass

    def close(self) -> None:
        for future in self.inflight:
            future.cancel()
        for thread in self.restarts:
            thread.join(self.ex.hang_grace * 2)
        try:
            self.client.unsubscribe_topic(self.topic)
        except Exception:  # the client is gone already
            pass
        if self.marker is not None:
            self.marker.unlink(missing_ok=True)

    def stats(self) -> dict:
        t = {k: round(v, 3) if isinstance(v, float) else v for k, v in self.totals.items()}
        files = t["files"] or 1
        t["worker_overhead_s_per_file"] = round((self.totals["worker_s"] - self.totals["document_s"]) / files, 4)
        t["window"] = self.window
        return t
