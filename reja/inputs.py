"""Collecting an import's inputs: files; folders, walked recursively, skipping Office lock files
(`~$…`), hidden files and folders, and symbolic links; zip archives, extracted safely into a private
work directory (absolute or `..` member names, symlinks and zip bombs are refused), members known as
`archive.zip!member.docx`; the page images of one plan given one by one.

Each input is read once (`snapshot`): its bytes are copied into the work dir while being hashed, so
hash, size, file time and rows come from the same read even when the file is replaced during the batch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reja.extract.errors import ReadError
from reja.import_report import BatchLimits, FileOutcome, MiB


def _is_photo_set(path: Path) -> bool:
    from reja.extract.readers import is_photo_set  # the readers (pdfplumber …) load only when a zip is met

    return is_photo_set(path)


JUNK_NAMES = {"thumbs.db", "desktop.ini"}
# Inside folders and archives only these are taken as plans (content decides the real format later);
# files without a suffix too, since messengers strip them. A file named explicitly is always tried.
PLAN_SUFFIXES = {".docx", ".docm", ".doc", ".odt", ".rtf", ".pdf", ".xlsx", ".xlsm", ".xls", ".ods",
                 ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".heic", ".heif", ".zip", ""}


@dataclass
class InputFile:
    path: Path  # where to read it (inside the work dir for zip members)
    display: str  # as the user knows it: the path given, or archive.zip!member
    source_key: str  # resolved, stable identity of the input
    mtime: float


def text_of(path_text: str) -> str:
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
    return [InputFile(archive, text_of(display), text_of(key), max(p.stat().st_mtime for p in paths))]


class _Collector:
    """What `collect_inputs` gathers: input files, failed outcomes, ignored files."""

    def __init__(self, workdir: Path, limits: BatchLimits, skip: frozenset[Path]) -> None:
        self.workdir, self.limits, self.skip = workdir, limits, skip
        self.inputs: list[InputFile] = []
        self.problems: list[FileOutcome] = []
        self.ignored: list[str] = []

    def fail(self, display: str, reason: str, code: str) -> None:
        self.problems.append(FileOutcome(text_of(display), "failed", reason, error_code=code))

    def add_path(self, raw: Path | str) -> None:
        path = Path(raw)
        if not path.exists():
            self.fail(str(raw), "no such file or folder", "not_found")
        elif path.is_dir():
            unreadable: list[OSError] = []
            for p in _walk(path, self.skip, unreadable):
                self.add_found(p, str(p), str(p.resolve()))
            for exc in unreadable:
                self.fail(str(exc.filename or path), f"read_error: cannot read the folder ({exc.strerror or exc})",
                          "read_error")
        elif not path.is_file():
            self.fail(str(raw), "not a regular file (a pipe, socket or device)", "unsupported_format")
        else:
            self.add_file(path, str(path), str(path.resolve()))

    def add_found(self, path: Path, display: str, key: str, mtime: float | None = None) -> None:
        if path.suffix.lower() in PLAN_SUFFIXES:
            self.add_file(path, display, key, mtime)
        else:
            self.ignored.append(text_of(display))

    def add_file(self, path: Path, display: str, key: str, mtime: float | None = None) -> None:
        if path.suffix.lower() == ".zip" and _is_photo_set(path):
            pass  # photos of one plan's pages: one document, read as a whole (reja.extract.readers)
        elif path.suffix.lower() == ".zip":
            if "!" in display:
                self.fail(display, "an archive inside an archive is not opened: unpack it first", "unsupported_format")
            else:
                self.add_archive(path, display)
            return
        self.inputs.append(InputFile(path, text_of(display), text_of(key),
                                     path.stat().st_mtime if mtime is None else mtime))

    def add_archive(self, archive: Path, display: str) -> None:
        dest = self.workdir / f"zip{len(list(self.workdir.iterdir()))}"
        try:
            _safe_extract(archive, dest, self.limits)
            with zipfile.ZipFile(archive) as zf:
                times = {i.filename.replace("\\", "/").rstrip("/"): i.date_time for i in zf.infolist()}
        except ReadError as exc:
            self.fail(display, text_of(f"{exc.code}: {exc.cause}"), exc.code)
            return
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            self.fail(display, text_of(f"corrupt_file: {exc}"), "corrupt_file")
            return
        zip_key = str(archive.resolve())
        for member in _walk(dest):
            rel = member.relative_to(dest).as_posix()
            stamp = times.get(rel)
            mtime = dt.datetime(*stamp, tzinfo=dt.UTC).timestamp() if stamp else archive.stat().st_mtime
            self.add_found(member, f"{display}!{rel}", f"{zip_key}!{rel}", mtime)


def collect_inputs(
    paths: Iterable[Path | str], workdir: Path, limits: BatchLimits, exclude: Iterable[Path] = ()
) -> tuple[list[InputFile], list[FileOutcome], list[str]]:
    """Expand the given paths into input files. Archives that cannot be opened safely, missing
    paths and nested archives come back as failed outcomes, never as exceptions. Also returns the
    files of folders that were ignored because their suffix is not a document's (.py, .json, …)."""
    found = _Collector(workdir, limits, frozenset(Path(p).resolve() for p in exclude))
    for raw in paths:
        found.add_path(raw)
    # the same input named twice (a folder and a file in it) is imported once
    unique: dict[str, InputFile] = {}
    for item in found.inputs:
        unique.setdefault(item.source_key, item)
    return sorted(unique.values(), key=lambda i: i.display), found.problems, found.ignored




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
        if inside(path, workdir) or os.fstat(src.fileno()).st_size > max_bytes:
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


def inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def drop_snapshot(path: Path, workdir: Path) -> None:
    """Remove a snapshot copy (a zip member is left to the work dir's cleanup)."""
    if path.parent.parent.resolve() == workdir.resolve() and path.parent.name.startswith("in"):
        shutil.rmtree(path.parent, ignore_errors=True)

