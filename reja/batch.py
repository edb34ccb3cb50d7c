"""Batch import: many files, folders and zip archives into the store, one whole document at a time.

`run_import` only schedules; each job lives in its own module:
- `reja.inputs` — collecting the inputs (files, folders, zip archives, page sets), each read once
  (`snapshot`: copied into a private work dir while being hashed, so hash, size, file time and rows
  come from the same read even when the file is replaced during the batch, issue 14). Every input is
  accounted for: a missing path, a refused archive, an unreadable folder or file gets a `documents`
  row (status failed, its error code); files that are not documents are counted as `ignored`.
- `reja.keys` — versions and keys. An input whose import key (bytes + pipeline + catalogue and learned
  wordings) is stored is skipped, so a re-run after a crash or an interrupt continues where it
  stopped; one whose parse key (bytes + pipeline + data) has stored rows is re-matched without being
  read. `force=True` re-imports everything.
- `reja.worker` — one document's work (`process_document`); `reja.executor` — who runs it: by default
  `LocalExecutor`, each document in its own forked child (at most `jobs` at a time), so a crash, a
  hang (killed after `timeout_s`) or a memory blow-up costs that document only. Any object with the
  `Executor.run` method can take its place (`run_import(..., executor=…)`).
- `reja.import_store` — the parent, the only writer, stores each result in one transaction.
- `reja.import_report` — one status line per file (ok / partial / failed / skipped, with the reason),
  the report and its exit code, the JSON-lines run log (`runs/<run_id>.jsonl` in the out dir, or next
  to the store; tracebacks of unexpected errors go there only); a rich progress bar on stderr when it
  is a terminal (`reja.import_progress`).
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path

from reja import db as dbapi
from reja import import_store, inputs, keys, match_cache, worker
from reja.executor import Executor, InlineExecutor, LocalExecutor
from reja.extract.model import ParsedPlan
from reja.import_report import (
    EXIT_DISK_FULL,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_NOTHING,
    EXIT_OK,
    EXIT_REVIEW,
    BatchLimits,
    FileOutcome,
    ImportReport,
    MiB,
    RunLog,
    is_disk_full,
    status_line,
    suffix_counts,
    utc,
)  # fmt: skip
from reja.inputs import PLAN_SUFFIXES, InputFile, collect_inputs, page_set_input, snapshot
from reja.keys import catalogue_version, document_id, import_key, parse_key, pipeline_version
from reja.terminal import printable
from reja.worker import default_parse, process_document, warm_up

# the names callers import from reja.batch (each lives in the module named above)
__all__ = [
    "EXIT_DISK_FULL", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_NOTHING", "EXIT_OK", "EXIT_REVIEW", "BatchLimits",
    "Executor", "FileOutcome", "ImportReport", "InlineExecutor", "InputFile", "LocalExecutor", "PLAN_SUFFIXES",
    "catalogue_version", "collect_inputs", "default_parse", "document_id", "import_key", "is_disk_full",
    "page_set_input", "parse_key", "pipeline_version", "process_document", "run_import", "snapshot", "warm_up",
]  # fmt: skip


def run_import(
    paths: Iterable[Path | str],
    *,
    db: Path | str,
    log_dir: Path | str | None = None,
    jobs: int = 1,
    force: bool = False,
    parse: Callable[[Path], ParsedPlan] | None = None,
    limits: BatchLimits | None = None,
    on_status: Callable[[str], None] | None = None,
    progress: bool | None = None,
    pages: bool = False,
    executor: Executor | None = None,
    ocr_cache: bool | Path = True,
) -> ImportReport:
    """Import files / folders / zips into the store at `db`. See the module docstring.

    `pages`: the paths are the page images of ONE plan, in order (`reja import --pages`).
    `parse` (default: `reja.pipeline.parse_file`) turns a path into a ParsedPlan; tests inject a
    fake. `ocr_cache`: True = OCR results kept by page content in `ocr-cache/` beside the store
    (`reja.worker.ocr_cache_dir`; a re-import after a parser change does not OCR again), a folder =
    there, False = none (`--no-ocr-cache`). When the batch has fewer files to read than `jobs`, a
    scan's pages are read by the idle slots (`jobs` // files page workers each). Both reach the
    reader through `reja.worker.READ_OPTIONS`, which the children inherit.
    `on_status` receives one line per file. `progress` None = a bar when stderr is a terminal.
    `executor` runs the files that are read (default: `LocalExecutor(jobs)`, forked children;
    `reja.cluster.DaskExecutor` on a Dask cluster).
    """
    limits = limits or BatchLimits()
    db = dbapi.location(db)
    cache_dir = worker.set_read_options(db, log_dir, ocr_cache)
    run = _ImportRun([Path(p) for p in paths], db, log_dir, limits, on_status, cache_dir)
    previous = _stop_on_signals(run.request_stop)
    try:
        run.start(jobs, force)
        tasks, rematches = run.sort(run.collect(pages), force)
        run.execute(parse or worker.default_parse, tasks, rematches, executor or LocalExecutor(jobs), progress, jobs)
        run.after(bool(tasks))
    except KeyboardInterrupt:  # a second Ctrl+C, or one outside the main thread's handler
        run.report.interrupted = True
    except (*dbapi.operational_errors(), OSError) as exc:  # full before any document (starting the run, a failure row)
        if not is_disk_full(exc):
            raise
        run.report.disk_full = True
        run.emit(f"disk full: {printable(str(exc))}")
    finally:
        worker.READ_OPTIONS.clear()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        run.finish()
    return run.report


def _stop_on_signals(handler) -> dict:
    """Ctrl+C / SIGTERM stop the batch between two documents (never inside a store write, never in a
    fork). Returns the handlers to restore (none outside the main thread)."""
    previous: dict = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, handler)
    return previous


class _ImportRun:
    """One run of `run_import`: its report, store, run log, private work dir, progress bar and stop
    requests. The parent is the only writer: every outcome is stored and recorded here."""

    def __init__(self, paths: list[Path], db: Path | str, log_dir: Path | str | None, limits: BatchLimits,
                 on_status: Callable[[str], None] | None, ocr_cache_dir: Path | None = None):  # fmt: skip
        from reja.store import Store

        self.t0 = time.monotonic()
        self.paths, self.db, self.limits, self.ocr_cache_dir = paths, db, limits, ocr_cache_dir
        self.run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
        self.log_given = log_dir is not None
        self.server = dbapi.is_server(db)  # a PostgreSQL URL (text), else a SQLite file
        self.log_dir = Path(log_dir) if self.log_given else (Path(".") if self.server else db.parent)
        self.report = ImportReport(run_id=self.run_id, db=db, log_path=self.log_dir / "runs" / f"{self.run_id}.jsonl")
        self.sink = on_status
        self.log = RunLog(self.report.log_path)
        self.store = Store(db)
        self.workdir = Path(tempfile.mkdtemp(prefix="reja-import-"))
        self.bar = None
        self.stop_requested: list[int] = []
        self.match_cache = None

    def request_stop(self, signum, frame) -> None:
        """A first Ctrl+C asks to stop after the documents running now; a second one raises at once."""
        if self.stop_requested and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.stop_requested.append(signum)

    def should_stop(self) -> bool:
        return bool(self.stop_requested) or self.report.disk_full

    def emit(self, line: str) -> None:
        if self.sink is not None:
            self.sink(printable(line))  # file names may hold newlines or escape sequences

    def record(self, outcome: FileOutcome, **extra) -> None:
        self.report.files.append(outcome)
        line = printable(status_line(outcome))  # a name with a newline cannot forge a line
        if self.bar is not None and self.sink is not None and sys.stdout.isatty():
            # one terminal for both: print above the live bar, or the bar would overwrite the line
            self.bar[0].console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            self.emit(line)
        self.log.write("file", **asdict(outcome), **extra)
        if self.bar is not None:
            self.bar[0].file_done(outcome.source_file)

    # -- before reading ----------------------------------------------------------------------------
    def start(self, jobs: int, force: bool) -> None:
        """The learned wordings and the versions that key this run; the run's start in log and store."""
        from reja.learned import load_learned

        # synonyms clerks taught (issue 8) are part of the vocabulary: teaching one re-matches
        self.learned = load_learned(self.db)
        learned = f"|learned:{self.learned.version}" if len(self.learned) else ""
        self.versions = {"pipeline_version": keys.pipeline_version(),
                         "catalogue_version": keys.catalogue_version() + learned}  # fmt: skip
        options = {"jobs": jobs, "force": force, "limits": asdict(self.limits)}
        paths = [str(p) for p in self.paths]
        self.log.write("run_start", run_id=self.run_id, db=dbapi.shown(self.db), paths=paths, options=options,
                       learned_synonyms=len(self.learned), **self.versions)  # fmt: skip
        self.store.start_run({"run_id": self.run_id, "started_at": utc(), "paths": paths, "options": options,
                              **self.versions})  # fmt: skip
        if not self.server:  # matches shared by the workers and kept for the next run (a re-match)
            self.match_cache = match_cache.install(self.db, scope=keys.match_scope())

    def collect(self, pages: bool) -> list[InputFile]:
        """The input files; each problem (a missing path, a refused archive …) is stored and recorded."""
        db = self.db
        own_files = [self.log_dir / "runs"]
        if not self.server:
            cache = match_cache.cache_path(db)
            own_files += [f.with_name(f.name + sfx) for f in (db, cache) for sfx in ("", "-wal", "-shm", "-journal")]
        if self.log_given:
            own_files.append(self.log_dir)  # --out inside an input folder: never import our own outputs
        if self.ocr_cache_dir is not None:
            own_files.append(self.ocr_cache_dir)
        if pages:
            found, problems, ignored = inputs.page_set_input(self.paths, self.workdir), [], []
        else:
            found, problems, ignored = inputs.collect_inputs(self.paths, self.workdir, self.limits, exclude=own_files)
        self.report.ignored = ignored
        if ignored:
            self.log.write("ignored", files=ignored, why="not a document suffix")
            self.emit(f"ignored  {len(ignored)} file(s) in the folders that are not plan documents ({suffix_counts(ignored)})")
        if not found and not problems:
            self.report.nothing_found = True
            suffixes = " ".join(sorted(s for s in PLAN_SUFFIXES if s))
            self.emit(f"no plan documents found in {', '.join(str(p) for p in self.paths)} (looked for {suffixes})")
            self.log.write("nothing_found", paths=[str(p) for p in self.paths])
        for problem in problems:  # every path given and every folder is accounted for in `documents`
            problem.document_id = import_store.store_unread(self.store, problem, self.run_id, self.versions)
            self.record(problem)
        return found

    def sort(self, found: list[InputFile], force: bool) -> tuple[list[dict], list[dict]]:
        """Each input read once (snapshot) and sorted: skipped (stored under the same import key),
        re-matched (rows stored under the same parse key), failed at once (empty, too large), or a
        task to read. Returns (tasks to read, tasks to re-match)."""
        tasks: list[dict] = []
        rematches: list[dict] = []
        for n, inp in enumerate(found):
            try:
                read_path, sha, size, mtime = inputs.snapshot(inp.path, self.workdir, f"in{n}", self.limits.max_file_bytes)
            except OSError as exc:  # no permission, removed meanwhile, I/O error: this file only
                if self._unreadable(inp, exc):
                    break
                continue
            mtime = inp.mtime if inputs.inside(inp.path, self.workdir) else mtime  # zip members: the archive's time
            task = self._task(inp, read_path, sha, size, mtime)
            kind = self._triage(task, inp, force)
            if kind != "read":
                inputs.drop_snapshot(read_path, self.workdir)
            {"read": tasks, "rematch": rematches}.get(kind, []).append(task)
        return tasks, rematches

    def _unreadable(self, inp: InputFile, exc: OSError) -> bool:
        """Record a file that could not be read; True when the disk is full (nothing more can be)."""
        if is_disk_full(exc):  # no room for the snapshot copy: nothing more can be imported
            self.report.disk_full = True
            self.record(FileOutcome(inp.display, "failed", "disk_full: no space left on the disk to read it",
                                    error_code="disk_full"))  # fmt: skip
            return True
        outcome = FileOutcome(inp.display, "failed", f"read_error: cannot read the file ({exc.strerror or exc})",
                              error_code="read_error")  # fmt: skip
        outcome.document_id = import_store.store_unread(self.store, outcome, self.run_id, self.versions,
                                                        source_key=inp.source_key)  # fmt: skip
        self.record(outcome)
        return False

    def _task(self, inp: InputFile, read_path: Path, sha: str, size: int, mtime: float) -> dict:
        doc_id = keys.document_id(inp.source_key, sha)
        return {"path": str(read_path), "display": inp.display, "suffix": inp.path.suffix, "learned": self.learned,
                "parse_key": keys.parse_key(doc_id), "document_id": doc_id, "source_file": inp.display,
                "source_key": inp.source_key, "sha256": sha, "size_bytes": size, "file_mtime": utc(mtime),
                "import_key": keys.import_key(sha, self.versions["catalogue_version"]), "run_id": self.run_id,
                **self.versions}  # fmt: skip

    def _triage(self, task: dict, inp: InputFile, force: bool) -> str:
        """"skipped" | "rematch" | "failed" | "read" (the outcome of the first and third is recorded)."""
        stored = None if force else self.store.unchanged(inp.source_key, task["import_key"])
        if stored is not None:
            self.record(FileOutcome(inp.display, "skipped", document_id=stored["document_id"], n_items=stored["n_items"],
                                    n_flagged=stored["n_flagged"], stored_status=stored["status"],
                                    error_code=stored["error_code"], reason=stored["error"] or ""))  # fmt: skip
            return "skipped"
        parsed = None if force else self.store.parsed(task["parse_key"])
        if parsed is not None:  # parsed before under the same parse key: matched again, not read
            task["parsed"] = parsed
            return "rematch"
        size, most = task["size_bytes"], self.limits.max_file_bytes
        if size == 0 or size > most:
            code = "empty_file" if size == 0 else "too_large"
            why = "the file is empty" if size == 0 else f"{size // MiB} MiB is over the {most // MiB} MiB limit"
            base = {k: task[k] for k in import_store.BASE_FIELDS}
            import_store.store_failure(self.store, base, inp, code, why)
            self.record(FileOutcome(inp.display, "failed", f"{code}: {why}", document_id=task["document_id"], error_code=code))
            return "failed"
        return "read"  # the child parses the very bytes that were hashed (a file replaced meanwhile cannot mix)

    # -- reading and storing -----------------------------------------------------------------------
    def execute(self, parse, tasks: list[dict], rematches: list[dict], executor: Executor, progress: bool | None,
                jobs: int) -> None:  # fmt: skip
        """Re-matches in this process (no reader runs, nothing to contain), then the files to read on
        the executor; each result is stored as it comes."""
        if tasks and jobs > len(tasks):  # slots no file needs read a scan's pages
            worker.READ_OPTIONS["jobs"] = jobs // len(tasks)
        self._start_bar(progress, tasks + rematches)
        if not (tasks or rematches):
            return
        if rematches or getattr(executor, "reads_here", True):  # a cluster reads elsewhere: nothing to inherit
            worker.warm_up()
        work = functools.partial(worker.process_document, parse)
        on_start = (lambda task: self.bar[0].file_started(task)) if self.bar is not None else None
        InlineExecutor().run(work, rematches, self.limits, self.on_result, self.should_stop, on_start)
        if tasks:
            self._read_files(executor, work, tasks, on_start)

    def _start_bar(self, progress: bool | None, work: list[dict]) -> None:
        """The progress line, on a terminal (or when asked) and when there is work."""
        if progress is None:
            progress = sys.stderr.isatty()
        if progress and work:
            from reja.import_progress import start_progress

            self.bar = start_progress(work)

    def _read_files(self, executor: Executor, work, tasks: list[dict], on_start) -> None:
        if self.bar is not None and hasattr(executor, "on_pages"):  # a scan's pages on the line
            executor.on_pages = lambda task, done, total: self.bar[0].file_pages(task["display"], done, total)
        try:
            executor.run(work, tasks, self.limits, self.on_result, self.should_stop, on_start)
        finally:
            if getattr(executor, "stats", None):  # where a cluster's time went (reja.cluster)
                self.log.write("executor", **executor.stats)

    def on_result(self, task: dict, result: dict) -> None:
        inputs.drop_snapshot(Path(task["path"]), self.workdir)
        try:
            outcome, extra = import_store.store_result(self.store, task, result)
        except (*dbapi.operational_errors(), OSError) as exc:
            if not is_disk_full(exc):
                raise
            # the document's transaction was rolled back: the store is whole; stop before the next file
            self.report.disk_full = True
            outcome, extra = FileOutcome(task["display"], "failed", "disk_full: no space left on the disk to store it",
                                         document_id=task["document_id"], error_code="disk_full"), {}  # fmt: skip
        self.record(outcome, **extra)

    # -- after -------------------------------------------------------------------------------------
    def after(self, read_any: bool) -> None:
        """What follows the documents (`import_store.after_import`); the OCR cache trimmed when files were read."""
        import_store.after_import(self.store, self.db, self.report, self.emit, self.log)
        if self.ocr_cache_dir is not None and read_any:
            from reja.extract.scan.cache import prune

            prune(self.ocr_cache_dir, self.limits.ocr_cache_max_mb * MiB)

    def finish(self) -> None:
        """Stop the bar, remove the work dir, write the run's summary; close log and store."""
        report = self.report
        report.interrupted = report.interrupted or bool(self.stop_requested)
        if self.match_cache is not None:
            self.match_cache.close()
        if self.bar is not None:
            self.bar[0].stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
        report.seconds = time.monotonic() - self.t0
        summary = {**report.counts(), "rows_to_review": report.rows_to_review, "exit_code": report.exit_code,
                   "interrupted": report.interrupted, "seconds": round(report.seconds, 3), "finished_at": utc()}  # fmt: skip
        try:
            self.store.finish_run(self.run_id, summary)
        except (*dbapi.operational_errors(), OSError) as exc:
            if not is_disk_full(exc):
                raise
            report.disk_full = True
        finally:
            self.log.write("run_end", **summary)
            self.log.close()
            self.store.close()
