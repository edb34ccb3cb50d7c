"""What an import is given and what it tells: its limits, one outcome per file, the report with its
exit code and summary, the status line of each file and the JSON-lines run log.

The exit codes are documented in docs/exit_codes.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from reja import db as dbapi
from reja.terminal import printable

MiB = 1024 * 1024

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


def utc(ts: float | None = None) -> str:
    moment = dt.datetime.now(dt.UTC) if ts is None else dt.datetime.fromtimestamp(ts, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{moment.microsecond:06d}Z" if ts is None else "Z")


class RunLog:
    """JSON-lines, one event per line, flushed as it goes (a killed run keeps its log so far)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.fh = open(path, "a", encoding="utf-8", errors="backslashreplace")  # odd file names never stop a run

    def write(self, event: str, **data) -> None:
        try:
            self.fh.write(json.dumps({"at": utc(), "event": event, **data}, ensure_ascii=False, default=str) + "\n")
            self.fh.flush()
        except OSError as exc:  # a full disk must not turn the batch into a traceback: the store says it all
            if not is_disk_full(exc):
                raise

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.fh.close()


def suffix_counts(names: list[str]) -> str:
    counts = Counter(Path(n).suffix.lower() or "no suffix" for n in names)
    return ", ".join(f"{n} {sfx}" for sfx, n in counts.most_common(5))


def status_line(o: FileOutcome) -> str:
    """One file's line, in the clerk's language (reja.i18n); the status word is padded to line up."""
    from reja.i18n import _

    if o.status == "ok":
        detail = _("{n} items").format(n=o.n_items)
    elif o.status == "partial":
        detail = _("{n} items, {flagged} need review").format(n=o.n_items, flagged=o.n_flagged) + (
            f" ({o.reason})" if o.reason else "")
    elif o.status == "skipped":
        if o.stored_status == "failed":
            detail = _("unchanged since last import (stored as failed: {code}: {reason})").format(
                code=o.error_code, reason=o.reason)
        else:
            detail = _("unchanged since last import (stored as {status})").format(status=status_word(o.stored_status))
    else:
        detail = o.reason
    if o.rematched:
        detail += "; " + _("re-matched, not read again")
    return f"{status_word(o.status):<8} {o.source_file} — {detail}"


def status_word(status: str | None) -> str:
    from reja.i18n import _

    words = {"ok": _("ok"), "partial": _("partial"), "failed": _("failed"), "skipped": _("skipped")}
    return words.get(status or "", status or "")
