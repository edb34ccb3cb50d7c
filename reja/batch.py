"""Batch import: many files, folders and zip archives into the store, one whole document at a time.

- Inputs: files; folders, walked recursively, skipping Office lock files (`~$…`), hidden files and
  folders, and symbolic links; zip archives, extracted safely into a private work directory
  (absolute or `..` member names, symlinks and zip bombs are refused). Members appear as
  `archive.zip!member.docx`.
- Each input is read once (`snapshot`): its bytes are copied into the private work dir while being
  hashed, and the child parses that copy, so hash, size, file time and rows come from the same read
  even when the file is replaced during the batch (issue 14).
- Every input is accounted for: a missing path, a refused archive, an unreadable folder or file gets
  a `documents` row (status failed, its error code); files that are not documents are counted as
  `ignored` with their suffixes.
- Each input is keyed by the SHA-256 of its bytes + the pipeline version + the catalogue version
  (`import_key`); an input whose key is already stored is skipped, so a re-run after a crash or an
  interrupt continues where it stopped. `force=True` re-imports everything.
- Each document is read and parsed in its own forked child process (at most `jobs` at a time): a
  crash, a hang (killed after `timeout_s`) or a memory blow-up in one document costs that document
  only, memory is returned to the system after each document, and the parent — the only writer —
  stores each result in one transaction.
- Reporting: one status line per file (ok / partial / failed / skipped, with the reason), a rich
  progress bar on stderr when it is a terminal, a JSON-lines run log (`runs/<run_id>.jsonl` in the
  out dir, or next to the store), tracebacks of unexpected errors in the log only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import importlib
import json
import multiprocessing as mp
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import zipfile
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from multiprocessing.connection import wait as wait_any
from pathlib import Path

from reja import db as dbapi
from reja.extract.errors import ReadError
from reja.extract.model import ParsedPlan
from reja.terminal import printable

MiB = 1024 * 1024


def _is_photo_set(path: Path) -> bool:
    from reja.extract.readers import is_photo_set  # the readers (pdfplumber …) load only when a zip is met

    return is_photo_set(path)

JUNK_NAMES = {"thumbs.db", "desktop.ini"}
# Inside folders and archives only these are taken as plans (content decides the real format later);
# files without a suffix too, since messengers strip them. A file named explicitly is always tried.
PLAN_SUFFIXES = {".docx", ".docm", ".doc", ".odt", ".rtf", ".pdf", ".xlsx", ".xlsm", ".xls", ".ods",
                 ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".heic", ".heif", ".zip", ""}

# exit codes (docs/exit_codes.md)
EXIT_OK = 0
EXIT_REVIEW = 3
EXIT_FAILED = 4
EXIT_INTERRUPTED = 130
EXIT_DISK_FULL = 6  # the disk (or the store's quota) filled up: the batch stopped, every stored document is whole
EXIT_NOTHING = 2  # no plan document under the paths given: as a usage error, the command was wrong


@dataclass
class BatchLimits:
    max_file_bytes: int = 200 * MiB  # a larger input is reported too_large without being read
    timeout_s: float = 900.0  # hard wall-clock limit per document; the child is killed after it
    # address-space limit of each child (RLIMIT_AS), on by default: a 44 KB file can ask a parser for
    # gigabytes (issue 24); the limit turns that into too_large for that file. None = no limit.
    max_memory_mb: int | None = 2048
    max_archive_members: int = 5000
    max_archive_bytes: int = 1024 * MiB  # total inflated size of one zip archive
    # the OCR cache next to the store (`ocr-cache/`) is trimmed to this after each run, least
    # recently used pages first (a page's entry is a few KB: 2 GiB holds hundreds of thousands)
    ocr_cache_max_mb: int = 2048


@dataclass
class InputFile:
    path: Path  # where to read it (inside the work dir for zip members)
    display: str  # as the user knows it: the path given, or archive.zip!member
    source_key: str  # resolved, stable identity of the input
    mtime: float


@dataclass
class FileOutcome:
    source_file: str
    status: str  # ok | partial | failed | skipped
    reason: str = ""
    document_id: str | None = None
    n_items: int = 0
    n_flagged: int = 0
    error_code: str | None = None
    stored_status: str | None = None  # for skipped files: the status of the stored version
    seconds: float = 0.0
    rematched: bool = False  # rows re-matched from the stored parse: the file was not read again

    @property
    def effective_status(self) -> str:
        return self.stored_status if self.status == "skipped" and self.stored_status else self.status


@dataclass
class ImportReport:
    run_id: str
    db: Path | str  # a SQLite file or a PostgreSQL URL
    log_path: Path
    files: list[FileOutcome] = field(default_factory=list)
    interrupted: bool = False
    disk_full: bool = False  # a write failed for want of space: the batch stopped there
    nothing_found: bool = False  # the paths held no plan document at all (wrong folder?)
    seconds: float = 0.0
    exports: dict[str, Path] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # files in folders that are not documents
    plans: list = field(default_factory=list)  # reja.store.PlanVersions of plans with several files

    def counts(self) -> dict[str, int]:
        c = Counter(f.status for f in self.files)
        c["rematched"] = sum(f.rematched for f in self.files)
        return {"files": len(self.files), "ok": c["ok"], "partial": c["partial"], "failed": c["failed"],
                "skipped": c["skipped"], "rematched": c["rematched"]}  # fmt: skip

    @property
    def rows_to_review(self) -> int:
        return sum(f.n_flagged for f in self.files)

    @property
    def exit_code(self) -> int:
        """130 interrupted; 4 some file failed; 3 some rows need review; 0 all clean. Skipped files
        count with the status of their stored version: the exit code describes the whole batch."""
        if self.disk_full:
            return EXIT_DISK_FULL
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.nothing_found:
            return EXIT_NOTHING
        statuses = {f.effective_status for f in self.files}
        if "failed" in statuses:
            return EXIT_FAILED
        if "partial" in statuses:
            return EXIT_REVIEW
        return EXIT_OK

    def summary(self) -> str:
        c = self.counts()
        failed = [f.source_file for f in self.files if f.effective_status == "failed"]
        text = (
            f"{c['files']} file(s): {c['ok']} ok, {c['partial']} partial, {c['failed']} failed, "
            f"{c['skipped']} skipped (unchanged); {self.rows_to_review} row(s) need review; "
            f"{self.seconds:.1f} s."
        )
        if c["rematched"]:
            text += (f" {c['rematched']} file(s) re-matched from their stored rows without being read again "
                     "(the catalogue or the learned wordings changed, the files and the parser did not).")
        if failed:
            text += " Failed: " + ", ".join(failed) + "."
        if self.disk_full:
            text += " DISK FULL: the batch stopped; free some space and run the same command again to continue."
        elif self.interrupted:
            text += " INTERRUPTED: re-run the same command to continue."
        return printable(text)  # file names may hold newlines or escape sequences


def is_disk_full(exc: BaseException) -> bool:
    """No space left (ENOSPC, a quota) from the OS, or the database's own (SQLITE_FULL, PostgreSQL's disk_full)."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return dbapi.is_full(exc)


# -- versions ----------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """reja's version + a hash of the code that turns a file into rows: any change re-imports."""
    import reja

    h = hashlib.sha256()
    roots = [Path(importlib.import_module(p).__file__).parent for p in ("reja.extract", "reja.normalize", "reja.schema")]
    files = [f for root in roots for f in sorted(root.rglob("*.py"))]
    here = Path(__file__).parent
    files += [here / n for n in ("pipeline.py", "records.py", "enrich.py", "identity.py")]
    for f in files:
        if f.exists():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return f"{reja.__version__}+{h.hexdigest()[:12]}"


# Every package whose data/ folder changes what a file turns into: the readers' and parser's word
# lists and scan settings as much as the catalogue. A package missing here is a file that changes
# output while every input stays "skipped (unchanged)".
DATA_PACKAGES = ("reja.schema", "reja.normalize", "reja.extract", "reja.extract.scan")


def data_dirs() -> list[Path]:
    return [Path(importlib.import_module(pkg).__file__).parent / "data" for pkg in DATA_PACKAGES]


def data_hash(dirs: Iterable[Path]) -> str:
    """One content hash over every file under the given data folders (name and bytes)."""
    h = hashlib.sha256()
    for data in dirs:
        for f in sorted(data.rglob("*")) if data.is_dir() else []:
            if f.is_file():
                h.update(f"{data.parent.name}/{f.relative_to(data).as_posix()}".encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:12]


@lru_cache(maxsize=1)
def data_version() -> str:
    return data_hash(data_dirs())


def parse_key(document_id: str) -> str:
    """Bytes (in the document id) + the code that turns a file into rows + every data file the
    readers and the parser read (the scan reader's lexicon reads the catalogue's words too). Stored
    rows under the same parse key are what reading the file again would give."""
    return hashlib.sha256(f"{document_id}|{pipeline_version()}|data:{data_version()}".encode()).hexdigest()[:32]


@lru_cache(maxsize=1)
def catalogue_version() -> str:
    """The catalogue's own version string when it loads, plus a hash of every data file that
    changes output (synonyms added by clerks, a reader's word list → re-import)."""
    from reja.schema.catalogue import catalogue_version as named_version

    try:
        named = named_version()
    except Exception:  # broken catalogue data: matching is off, and the key says so
        named = "none"
    return f"{named}|data:{data_version()}"


def import_key(sha256: str, catalogue: str | None = None) -> str:
    catalogue = catalogue or catalogue_version()
    return hashlib.sha256(f"{sha256}|{pipeline_version()}|{catalogue}".encode()).hexdigest()[:32]


def document_id(source_key: str, sha256: str) -> str:
    return hashlib.sha256(f"{source_key}\0{sha256}".encode()).hexdigest()[:16]


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(MiB):
            h.update(chunk)
    return h.hexdigest()


def _utc(ts: float | None = None) -> str:
    moment = dt.datetime.now(dt.UTC) if ts is None else dt.datetime.fromtimestamp(ts, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{moment.microsecond:06d}Z" if ts is None else "Z")


# -- collecting inputs -------------------------------------------------------------------------
def _text_of(path_text: str) -> str:
    """A path as text that can be printed, logged and stored. A name that is not UTF-8 (Cyrillic
    in CP1251 from a Windows PC) arrives with surrogates, which every encoder refuses; its bytes are
    shown as \\xNN instead: readable, unique and stable across runs (so it keys the input)."""
    return path_text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _skippable(name: str) -> bool:
    return name.startswith("~$") or name.startswith(".") or name.lower() in JUNK_NAMES


def _walk(folder: Path, exclude: frozenset[Path] = frozenset(), errors: list[OSError] | None = None) -> Iterable[Path]:
    """Files under folder, sorted; not hidden, not lock files, not symlinks, not under `exclude`
    (the store and the out dir, when they sit inside an input folder). Folders that cannot be read
    are appended to `errors` (each becomes a failed input, never a silent gap)."""
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False, onerror=None if errors is None else errors.append):
        dirnames[:] = sorted(
            d for d in dirnames if not _skippable(d) and (Path(dirpath) / d).resolve() not in exclude
        )
        for name in sorted(filenames):
            p = Path(dirpath) / name
            # is_file: a pipe, socket or device is no plan (opening a pipe would block the batch)
            if not _skippable(name) and not p.is_symlink() and p.is_file() and p.resolve() not in exclude:
                yield p


def _safe_extract(archive: Path, dest: Path, limits: BatchLimits) -> None:
    """Extract a zip archive into dest with the readers' rules (`reja.extract.limits`): the whole
    archive is refused when a member has an absolute or `..` path or is a symlink, or when it is a
    bomb (member count, inflated size, ratio)."""
    from reja.extract.limits import Limits, safe_extract_zip

    safe_extract_zip(
        archive, dest, Limits(max_zip_members=limits.max_archive_members, max_inflated_bytes=limits.max_archive_bytes)
    )


def page_set_input(paths: list[Path], workdir: Path) -> list[InputFile]:
    """Page images of one plan given one by one → one input: a zip of them (stored, in the order
    given) that the scan reader reads as one document, known as "p1.jpg + p2.jpg"."""
    width = len(str(len(paths)))
    archive = workdir / f"{paths[0].stem}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for k, p in enumerate(paths, 1):
            zf.write(p, f"page{k:0{width}d}{p.suffix.lower()}")  # numbered: the given order is kept
    display = " + ".join(str(p) for p in paths)
    key = "pages:" + "|".join(str(p.resolve()) for p in paths)
    return [InputFile(archive, _text_of(display), _text_of(key), max(p.stat().st_mtime for p in paths))]


def collect_inputs(
    paths: Iterable[Path | str], workdir: Path, limits: BatchLimits, exclude: Iterable[Path] = ()
) -> tuple[list[InputFile], list[FileOutcome], list[str]]:
    """Expand the given paths into input files. Archives that cannot be opened safely, missing
    paths and nested archives come back as failed outcomes, never as exceptions. Also returns the
    files of folders that were ignored because their suffix is not a document's (.py, .json, …)."""
    inputs: list[InputFile] = []
    problems: list[FileOutcome] = []
    ignored: list[str] = []
    skip = frozenset(Path(p).resolve() for p in exclude)

    def add_found(path: Path, display: str, key: str, mtime: float | None = None) -> None:
        if path.suffix.lower() in PLAN_SUFFIXES:
            add_file(path, display, key, mtime)
        else:
            ignored.append(_text_of(display))

    def add_file(path: Path, display: str, key: str, mtime: float | None = None) -> None:
        if path.suffix.lower() == ".zip" and _is_photo_set(path):
            pass  # photos of one plan's pages: one document, read as a whole (reja.extract.readers)
        elif path.suffix.lower() == ".zip":
            if "!" in display:
                problems.append(FileOutcome(_text_of(display), "failed", "an archive inside an archive is not opened: unpack it first",
                                            error_code="unsupported_format"))  # fmt: skip
            else:
                add_archive(path, display)
            return
        inputs.append(InputFile(path, _text_of(display), _text_of(key),
                                path.stat().st_mtime if mtime is None else mtime))

    def add_archive(archive: Path, display: str) -> None:
        dest = workdir / f"zip{len(list(workdir.iterdir()))}"
        try:
            _safe_extract(archive, dest, limits)
            with zipfile.ZipFile(archive) as zf:
                times = {i.filename.replace("\\", "/").rstrip("/"): i.date_time for i in zf.infolist()}
        except ReadError as exc:
            problems.append(FileOutcome(_text_of(display), "failed", _text_of(f"{exc.code}: {exc.cause}"), error_code=exc.code))
            return
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            problems.append(FileOutcome(_text_of(display), "failed", _text_of(f"corrupt_file: {exc}"), error_code="corrupt_file"))
            return
        zip_key = str(archive.resolve())
        for member in _walk(dest):
            rel = member.relative_to(dest).as_posix()
            stamp = times.get(rel)
            mtime = dt.datetime(*stamp, tzinfo=dt.UTC).timestamp() if stamp else archive.stat().st_mtime
            add_found(member, f"{display}!{rel}", f"{zip_key}!{rel}", mtime)

    for raw in paths:
        path = Path(raw)
        if not path.exists():
            problems.append(FileOutcome(_text_of(str(raw)), "failed", "no such file or folder", error_code="not_found"))
        elif path.is_dir():
            unreadable: list[OSError] = []
            for p in _walk(path, skip, unreadable):
                add_found(p, str(p), str(p.resolve()))
            for exc in unreadable:
                where = _text_of(str(exc.filename or path))
                problems.append(FileOutcome(where, "failed", f"read_error: cannot read the folder ({exc.strerror or exc})",
                                            error_code="read_error"))  # fmt: skip
        elif not path.is_file():
            problems.append(FileOutcome(_text_of(str(raw)), "failed", "not a regular file (a pipe, socket or device)",
                                        error_code="unsupported_format"))  # fmt: skip
        else:
            add_file(path, str(path), str(path.resolve()))
    # the same input named twice (a folder and a file in it) is imported once
    unique: dict[str, InputFile] = {}
    for item in inputs:
        unique.setdefault(item.source_key, item)
    return sorted(unique.values(), key=lambda i: i.display), problems, ignored


# -- one document (runs in a child process) -------------------------------------------------------
# the running batch's reader options, set by run_import before its children fork (they inherit it):
# the OCR cache folder and how many processes a scan's pages may use
_READ_OPTIONS: dict = {}


def default_parse(path: Path) -> ParsedPlan:
    """`reja.pipeline.parse_file` with the run's reader options (`_READ_OPTIONS`)."""
    from reja.pipeline import parse_file

    return parse_file(path, **_READ_OPTIONS)


OCR_CACHE_DIR = "ocr-cache"  # next to a SQLite store (for a server store: in the run-log folder)


def ocr_cache_dir(db, log_dir: Path | None) -> Path:
    """Where a run keeps OCR results by page content: `ocr-cache/` beside the store file, or in the
    run-log folder (else the current folder) when the store is a server; $REJA_OCR_CACHE when set."""
    if os.environ.get("REJA_OCR_CACHE"):  # the reader's own setting still wins
        return Path(os.environ["REJA_OCR_CACHE"])
    if dbapi.is_server(db):
        return (Path(log_dir) if log_dir is not None else Path(".")) / OCR_CACHE_DIR
    return Path(db).parent / OCR_CACHE_DIR


def process_document(parse: Callable[[Path], ParsedPlan], task: dict) -> dict:
    """Parse one file (or take its stored parse) and build its rows (`reja.pipeline`). Never raises:
    failures come back as a result."""
    from reja import pipeline

    start = time.monotonic()
    try:
        if task.get("parsed") is not None:  # re-match: the stored rows, the file is not read
            parsed, parsed_json = json.loads(task["parsed"]), task["parsed"]
            for row in parsed["rows"]:
                row["source_file"] = task["display"]
        else:
            parsed, parsed_json = pipeline.as_stored(pipeline.read_rows(parse, task))
        result = pipeline.match_rows(parsed, task)
        return {**result, "parsed": parsed_json, "seconds": time.monotonic() - start}
    except ReadError as exc:
        where = f" (page {exc.page})" if exc.page is not None else ""
        return {"ok": False, "code": exc.code, "reason": f"{exc.cause}{where}", "seconds": time.monotonic() - start}
    except MemoryError:  # over the memory limit, not a bug: _child_main reports it as too_large
        raise
    except Exception as exc:  # a bug on one document must not stop the batch; the log keeps the traceback
        return {"ok": False, "code": "internal_error", "reason": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(), "seconds": time.monotonic() - start}  # fmt: skip


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


def _child_main(conn, parse, task: dict, max_memory_mb: int | None, parent_ends=(), parent_pid: int | None = None) -> None:
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
    if _READ_OPTIONS.get("jobs", 1) > 1:
        # a scan's pages go to worker processes of this child (idle slots): a daemonic process may not
        # start any; they are in this process group, so a timeout or the batch's end kills them too
        mp.current_process().daemon = False
    try:
        result = process_document(parse, task)
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


def warm_up() -> None:
    """Import the readers, parser and matchers once in the parent, so each forked child inherits
    them (and the matchers' loaded catalogue) instead of loading them per document."""
    from reja.enrich import warm_up as warm_enrichment

    # the PDF library too: a child that imports it after forking from a parent with threads (a web
    # server, a test client) can fail inside the import machinery (SystemError), costing the document
    for module in ("reja.extract.readers", "reja.extract.plan", "pdfplumber"):
        importlib.import_module(module)
    warm_enrichment()


def run_children(tasks: list[dict], parse, jobs: int, limits: BatchLimits, on_result, should_stop=lambda: False,
                 on_start=None) -> None:
    """Run process_document for each task in forked children, at most `jobs` at once; call
    on_result(task, result) in the parent as each finishes (the parent is the only store writer),
    and on_start(task) as each begins (the progress line names the files being read).
    Returns early, killing the running children, as soon as should_stop() is true."""
    ctx = mp.get_context("fork")  # fork: children inherit parse (any callable) and the warm caches
    pending = deque(tasks)
    running: dict = {}
    try:
        while (pending or running) and not should_stop():
            while pending and len(running) < max(1, jobs):
                task = pending.popleft()
                recv, send = ctx.Pipe(duplex=False)
                # the child closes every read end the parent holds (its own and the other workers'):
                # a child holding a read end would block forever on a full pipe once the parent died
                parent_ends = [recv, *running]
                proc = ctx.Process(target=_child_main, args=(send, parse, task, limits.max_memory_mb, parent_ends, os.getpid()),
                                   daemon=True)
                proc.start()
                send.close()
                running[recv] = (task, proc, time.monotonic())
                if on_start is not None:
                    on_start(task)
            for conn in wait_any(list(running), timeout=0.5):
                if should_stop():
                    break
                task, proc, started = running.pop(conn)
                try:
                    result = conn.recv()
                except Exception:  # EOF: the child died before sending (segfault, OOM killer, …)
                    proc.join(10)
                    code = proc.exitcode
                    why = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                    result = {"ok": False, "code": "worker_crashed", "reason": f"the reading process died ({why})",
                              "seconds": time.monotonic() - started}  # fmt: skip
                conn.close()
                proc.join(10)
                on_result(task, result)
            now = time.monotonic()
            for conn, (task, proc, started) in list(running.items()):
                if now - started > limits.timeout_s:
                    _kill(proc)
                    conn.close()
                    del running[conn]
                    on_result(task, {"ok": False, "code": "too_large", "seconds": now - started,
                                     "reason": f"reading took longer than {limits.timeout_s:g} s: stopped"})  # fmt: skip
    finally:
        for conn, (_task, proc, _started) in running.items():
            _kill(proc)
            conn.close()


# -- the batch -----------------------------------------------------------------------------------
class _RunLog:
    """JSON-lines, one event per line, flushed as it goes (a killed run keeps its log so far)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.fh = open(path, "a", encoding="utf-8", errors="backslashreplace")  # odd file names never stop a run

    def write(self, event: str, **data) -> None:
        try:
            self.fh.write(json.dumps({"at": _utc(), "event": event, **data}, ensure_ascii=False, default=str) + "\n")
            self.fh.flush()
        except OSError as exc:  # a full disk must not turn the batch into a traceback: the store says it all
            if not is_disk_full(exc):
                raise

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.fh.close()


def _suffixes(names: list[str]) -> str:
    counts = Counter(Path(n).suffix.lower() or "no suffix" for n in names)
    return ", ".join(f"{n} {sfx}" for sfx, n in counts.most_common(5))


def _status_line(o: FileOutcome) -> str:
    if o.status == "ok":
        detail = f"{o.n_items} items"
    elif o.status == "partial":
        detail = f"{o.n_items} items, {o.n_flagged} need review" + (f" ({o.reason})" if o.reason else "")
    elif o.status == "skipped":
        detail = f"unchanged since last import (stored as {o.stored_status}" + (
            f": {o.error_code}: {o.reason})" if o.stored_status == "failed" else ")"
        )
    else:
        detail = o.reason
    if o.rematched:
        detail += "; re-matched, not read again"
    return f"{o.status:<8} {o.source_file} — {detail}"


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
    executor=None,
    ocr_cache: bool | Path = True,
) -> ImportReport:
    """Import files / folders / zips into the store at `db`. See the module docstring.

    `pages`: the paths are the page images of ONE plan, in order (`reja import --pages`).
    `parse` (default: `reja.pipeline.parse_file`) turns a path into a ParsedPlan; tests inject a
    fake. `ocr_cache`: True = OCR results kept by page content in `ocr-cache/` beside the store
    (`ocr_cache_dir`; a re-import after a parser change does not OCR again), a folder = there,
    False = none (`--no-ocr-cache`). When the batch has fewer files to read than `jobs`, a scan's
    pages are read by the idle slots (`jobs` // files page workers each). Both reach the reader
    through `_READ_OPTIONS`, which the children inherit.
    `on_status` receives one line per file. `progress` None = a bar when stderr is a terminal.
    """
    from reja.store import Store

    limits = limits or BatchLimits()
    db = dbapi.location(db)  # a SQLite file, or a PostgreSQL URL (text)
    server = dbapi.is_server(db)
    paths = [Path(p) for p in paths]
    run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    log_given = log_dir is not None
    cache_dir = (ocr_cache_dir(db, log_dir) if ocr_cache is True else Path(ocr_cache)) if ocr_cache else None
    parse = parse or default_parse
    _READ_OPTIONS.clear()
    if cache_dir is not None:
        _READ_OPTIONS["ocr_cache"] = cache_dir
    log_dir = Path(log_dir) if log_given else (Path(".") if server else db.parent)
    report = ImportReport(run_id=run_id, db=db, log_path=log_dir / "runs" / f"{run_id}.jsonl")
    sink = on_status or (lambda line: None)

    def emit(line: str) -> None:
        sink(printable(line))  # file names may hold newlines or escape sequences
    t0 = time.monotonic()
    log = _RunLog(report.log_path)
    store = Store(db)
    workdir = Path(tempfile.mkdtemp(prefix="reja-import-"))
    bar = None
    # Ctrl+C / SIGTERM stop the batch between two documents (never inside a store write, never in a
    # fork); a second Ctrl+C raises at once. The store is whole either way (one transaction each).
    stop_requested: list[int] = []
    previous: dict = {}

    def request_stop(signum, frame):
        if stop_requested and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop_requested.append(signum)

    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, request_stop)
    try:
        from reja.learned import load_learned

        # synonyms clerks taught (issue 8) are part of the vocabulary: teaching one re-imports
        learned = load_learned(db)
        versions = {"pipeline_version": pipeline_version(),
                    "catalogue_version": catalogue_version() + (f"|learned:{learned.version}" if len(learned) else "")}
        options = {"jobs": jobs, "force": force, "limits": asdict(limits)}
        log.write("run_start", run_id=run_id, db=dbapi.shown(db), paths=[str(p) for p in paths], options=options,
                  learned_synonyms=len(learned), **versions)  # fmt: skip
        store.start_run({"run_id": run_id, "started_at": _utc(), "paths": [str(p) for p in paths],
                         "options": options, **versions})  # fmt: skip
        own_files = [log_dir / "runs"]
        if not server:
            own_files += [db, *(db.with_name(db.name + sfx) for sfx in ("-wal", "-shm", "-journal"))]
        if log_given:
            own_files.append(log_dir)  # --out inside an input folder: never import our own outputs
        if cache_dir is not None:
            own_files.append(cache_dir)
        if pages:
            inputs, problems, ignored = page_set_input(paths, workdir), [], []
        else:
            inputs, problems, ignored = collect_inputs(paths, workdir, limits, exclude=own_files)
        report.ignored = ignored
        if ignored:
            log.write("ignored", files=ignored, why="not a document suffix")
            emit(f"ignored  {len(ignored)} file(s) in the folders that are not plan documents ({_suffixes(ignored)})")
        if not inputs and not problems:
            report.nothing_found = True
            suffixes = " ".join(sorted(s for s in PLAN_SUFFIXES if s))
            emit(f"no plan documents found in {', '.join(str(p) for p in paths)} (looked for {suffixes})")
            log.write("nothing_found", paths=[str(p) for p in paths])

        def record(outcome: FileOutcome, **extra) -> None:
            report.files.append(outcome)
            line = printable(_status_line(outcome))  # a name with a newline cannot forge a line
            if bar is not None and on_status is not None and sys.stdout.isatty():
                # one terminal for both: print above the live bar, or the bar would overwrite the line
                bar[0].console.print(line, markup=False, highlight=False, soft_wrap=True)
            else:
                emit(line)
            log.write("file", **asdict(outcome), **extra)
            if bar is not None:
                bar[0].file_done(outcome.source_file)

        tasks: list[dict] = []
        rematches: list[dict] = []  # parsed before under the same parse key: matched again, not read
        for problem in problems:  # every path given and every folder is accounted for in `documents`
            problem.document_id = _store_unread(store, problem, run_id, versions)
            record(problem)
        for n, inp in enumerate(inputs):
            try:
                read_path, sha, size, mtime = snapshot(inp.path, workdir, f"in{n}", limits.max_file_bytes)
            except OSError as exc:  # no permission, removed meanwhile, I/O error: this file only
                if is_disk_full(exc):  # no room for the snapshot copy: nothing more can be imported
                    report.disk_full = True
                    record(FileOutcome(inp.display, "failed", "disk_full: no space left on the disk to read it",
                                       error_code="disk_full"))  # fmt: skip
                    break
                outcome = FileOutcome(inp.display, "failed", f"read_error: cannot read the file ({exc.strerror or exc})",
                                      error_code="read_error")  # fmt: skip
                outcome.document_id = _store_unread(store, outcome, run_id, versions, source_key=inp.source_key)
                record(outcome)
                continue
            mtime = inp.mtime if _inside(inp.path, workdir) else mtime  # zip members: the archive's time
            key = import_key(sha, versions["catalogue_version"])
            doc_id = document_id(inp.source_key, sha)
            base = {"document_id": doc_id, "source_file": inp.display, "source_key": inp.source_key,
                    "sha256": sha, "size_bytes": size, "file_mtime": _utc(mtime), "import_key": key,
                    "run_id": run_id, **versions}  # fmt: skip
            stored = None if force else store.unchanged(inp.source_key, key)
            if stored is not None:
                _drop_snapshot(read_path, workdir)
                record(FileOutcome(inp.display, "skipped", document_id=stored["document_id"], n_items=stored["n_items"],
                                   n_flagged=stored["n_flagged"], stored_status=stored["status"],
                                   error_code=stored["error_code"], reason=stored["error"] or ""))  # fmt: skip
                continue
            pkey = parse_key(doc_id)
            parsed = None if force else store.parsed(pkey)
            if parsed is not None:
                _drop_snapshot(read_path, workdir)
                rematches.append({"path": str(read_path), "display": inp.display, "suffix": inp.path.suffix,
                                  "learned": learned, "parse_key": pkey, "parsed": parsed, **base})  # fmt: skip
                continue
            if size == 0 or size > limits.max_file_bytes:
                code = "empty_file" if size == 0 else "too_large"
                why = "the file is empty" if size == 0 else f"{size // MiB} MiB is over the {limits.max_file_bytes // MiB} MiB limit"
                _store_failure(store, base, inp, code, why)
                _drop_snapshot(read_path, workdir)
                record(FileOutcome(inp.display, "failed", f"{code}: {why}", document_id=doc_id, error_code=code))
                continue
            # the child parses the very bytes that were hashed (a file replaced meanwhile cannot mix)
            tasks.append({"path": str(read_path), "display": inp.display, "suffix": inp.path.suffix,
                          "learned": learned, "parse_key": pkey, **base})

        if progress is None:
            progress = sys.stderr.isatty()
        if progress and (tasks or rematches):
            from reja.import_progress import start_progress

            bar = start_progress(tasks + rematches)

        def on_result(task: dict, result: dict) -> None:
            _drop_snapshot(Path(task["path"]), workdir)
            try:
                store_result(task, result)
            except (*dbapi.operational_errors(), OSError) as exc:
                if not is_disk_full(exc):
                    raise
                # the document's transaction was rolled back: the store is whole; stop before the next file
                report.disk_full = True
                record(FileOutcome(task["display"], "failed", "disk_full: no space left on the disk to store it",
                                   document_id=task["document_id"], error_code="disk_full"))

        def store_result(task: dict, result: dict) -> None:
            base = {k: task[k] for k in ("document_id", "source_file", "source_key", "sha256", "size_bytes",
                                         "file_mtime", "import_key", "run_id", "pipeline_version", "catalogue_version")}  # fmt: skip
            seconds = round(result.get("seconds", 0.0), 3)
            if result["ok"]:
                doc = {**base, **result["doc"], "imported_at": _utc(), "duration_s": seconds}
                kept = (task["parse_key"], result["parsed"]) if result.get("parsed") else None
                try:
                    store.write_document(doc, result["rows"], parsed=kept)
                except (*dbapi.value_errors(), ValueError, TypeError, OverflowError) as exc:
                    # a value the store cannot hold: this document fails, the batch goes on
                    result = {"ok": False, "code": "internal_error", "reason": f"could not store the rows ({exc})",
                              "traceback": traceback.format_exc()}  # fmt: skip
            if result["ok"]:
                codes = Counter(f.split(":", 1)[0] for r in result["rows"] for f in (r["flags"] or "").split("; ") if f)
                reason = ", ".join(f"{c} {n}" for c, n in codes.most_common(4))
                if doc["meta_flags"]:
                    reason = "; ".join(x for x in (reason, doc["meta_flags"]) if x)
                record(FileOutcome(task["display"], doc["status"], reason if doc["status"] == "partial" else "",
                                   document_id=doc["document_id"], n_items=doc["n_items"], n_flagged=doc["n_flagged"],
                                   seconds=seconds, rematched=task.get("parsed") is not None))  # fmt: skip
            else:
                result["reason"] = _text_of(result["reason"])  # may quote a path that is not UTF-8
                inp = InputFile(Path(task["path"]), task["display"], task["source_key"], 0)
                _store_failure(store, base, inp, result["code"], result["reason"], result.get("doc"),
                               seconds=seconds, suffix=task["suffix"])  # fmt: skip
                record(FileOutcome(task["display"], "failed", f"{result['code']}: {result['reason']}",
                                   document_id=task["document_id"], error_code=result["code"], seconds=seconds),
                       traceback=result.get("traceback"))  # fmt: skip

        if rematches or tasks:
            warm_up()
        for task in rematches:  # matching only: no reader runs, so no child is needed to contain one
            if stop_requested or report.disk_full:
                break
            if bar is not None:
                bar[0].file_started(task)
            on_result(task, process_document(parse, task))
        if tasks and jobs > len(tasks):  # slots no file needs read a scan's pages
            _READ_OPTIONS["jobs"] = jobs // len(tasks)
        if tasks:
            run = executor.run if executor is not None else (
                lambda *a, **kw: run_children(a[0], a[1], jobs, *a[2:], **kw))
            run(tasks, parse, limits, on_result,
                         should_stop=lambda: bool(stop_requested) or report.disk_full,
                         on_start=(lambda task: bar[0].file_started(task)) if bar is not None else None)
        _after_import(store, db, report, emit, log)
        if cache_dir is not None and tasks:
            from reja.extract.scan.cache import prune

            prune(cache_dir, limits.ocr_cache_max_mb * MiB)
    except KeyboardInterrupt:  # a second Ctrl+C, or one outside the main thread's handler
        report.interrupted = True
    except (*dbapi.operational_errors(), OSError) as exc:  # full before any document (starting the run, a failure row)
        if not is_disk_full(exc):
            raise
        report.disk_full = True
        emit(f"disk full: {printable(str(exc))}")
    finally:
        _READ_OPTIONS.clear()
        report.interrupted = report.interrupted or bool(stop_requested)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if bar is not None:
            bar[0].stop()
        shutil.rmtree(workdir, ignore_errors=True)
        report.seconds = time.monotonic() - t0
        summary = {**report.counts(), "rows_to_review": report.rows_to_review, "exit_code": report.exit_code,
                   "interrupted": report.interrupted, "seconds": round(report.seconds, 3), "finished_at": _utc()}  # fmt: skip
        try:
            store.finish_run(run_id, summary)
        except (*dbapi.operational_errors(), OSError) as exc:
            if not is_disk_full(exc):
                raise
            report.disk_full = True
        finally:
            log.write("run_end", **summary)
            log.close()
            store.close()
    return report


def snapshot(path: Path, workdir: Path, name: str, max_bytes: int) -> tuple[Path, str, int, float]:
    """Read a file ONCE: its bytes are copied into the work dir (under their own file name, which
    the title block may use) while being hashed, so the hash, the size, the file time and the rows
    all come from the same read, even when the file is replaced during the batch. Returns (path to
    parse, sha256, size, mtime). Files already in the work dir (zip members) and files over the size
    limit (never parsed) are hashed in place."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as src:
        mtime = os.fstat(src.fileno()).st_mtime
        if _inside(path, workdir) or os.fstat(src.fileno()).st_size > max_bytes:
            while chunk := src.read(MiB):
                h.update(chunk)
                size += len(chunk)
            return path, h.hexdigest(), size, mtime
        folder = workdir / name
        folder.mkdir(parents=True, exist_ok=True)
        copy = folder / path.name
        with open(copy, "wb") as dst:
            while chunk := src.read(MiB):
                h.update(chunk)
                dst.write(chunk)
                size += len(chunk)
    return copy, h.hexdigest(), size, mtime


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _drop_snapshot(path: Path, workdir: Path) -> None:
    """Remove a snapshot copy (a zip member is left to the work dir's cleanup)."""
    if path.parent.parent.resolve() == workdir.resolve() and path.parent.name.startswith("in"):
        shutil.rmtree(path.parent, ignore_errors=True)


def _store_unread(store, outcome: FileOutcome, run_id: str, versions: dict, source_key: str | None = None) -> str:
    """A `documents` row (status failed, its code) for an input that was never read: a missing path, a
    refused archive, an unreadable folder or file. Returns its document id."""
    key = source_key or outcome.source_file
    doc_id = document_id(key, "unread")
    row = {"document_id": doc_id, "source_file": outcome.source_file, "source_key": key, "sha256": "",
           "import_key": f"unread:{outcome.error_code}", "run_id": run_id, **versions, "status": "failed",
           "error_code": outcome.error_code, "error": outcome.reason, "n_items": 0, "n_flagged": 0,
           "imported_at": _utc(), "plan_key": None}  # fmt: skip
    store.write_failure(row)
    return doc_id


def _after_import(store, db: Path | str, report: ImportReport, emit, log) -> None:
    """Corrections stored under version 1 row keys move to their rows (`reja.review.rekey`), and
    each plan this run touched that has several files says which one is current."""
    from reja.review.rekey import move_legacy_corrections

    rekeyed = store.reidentify(pipeline_version())
    if rekeyed:
        log.write("plans_reidentified", documents=rekeyed)
        emit(f"plans    {rekeyed} earlier import(s) not read again re-identified by place id (never by a first word)")
    moved = move_legacy_corrections(db, store.keys_with_rows,
                                    lambda contexts: store.items(include_superseded=True,
                                                                 document_ids=store.documents_for(contexts)))
    if moved:
        log.write("corrections_moved", moves=moved)
        emit(f"moved    {len(moved)} correction(s) to their rows' new keys (row key version 2)")
    report.plans = store.plan_versions([f.document_id for f in report.files if f.document_id])
    for plan in report.plans:
        line = plan.describe()
        log.write("plan_versions", **asdict(plan))
        emit(line)


def _store_failure(store, base: dict, inp: InputFile, code: str, reason: str, doc: dict | None = None,
                   *, seconds: float | None = None, suffix: str | None = None) -> None:  # fmt: skip
    suffix = (suffix if suffix is not None else inp.path.suffix).lstrip(".").lower() or None
    row = {**base, **(doc or {}), "status": "failed", "error_code": code, "error": reason, "n_items": 0,
           "n_flagged": 0, "imported_at": _utc(), "duration_s": seconds, "plan_key": None}  # fmt: skip
    row.setdefault("source_format", suffix)
    row["source_format"] = row["source_format"] or suffix
    store.write_failure(row)
