"""Limits that keep one hostile or broken file from eating the machine, and the checks that enforce them.

All limits are data (`Limits`), so a batch, a test or a user can tighten or loosen them. The zip
checks run BEFORE any XML parser sees a DOCX: declared member sizes bound what `zipfile` will ever
inflate (it stops at the declared size and then verifies the CRC), so summing them is a real bound.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import stat
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from reja.extract.errors import CorruptFile, TooLarge

MiB = 1024 * 1024


def _default_table_settings() -> dict:
    # pdfplumber TableSettings: our plans are ruled tables, so the lines strategy is right; the
    # tolerances absorb the 0.5–2 pt gaps LibreOffice and Word leave between cell borders.
    return {
        "vertical_strategy": "lines",
        "horizontal_strategy": "lines",
        "snap_tolerance": 3,
        "join_tolerance": 3,
        "intersection_tolerance": 3,
        "edge_min_length": 3,
    }


@dataclass
class Limits:
    max_file_bytes: int = 200 * MiB
    max_inflated_bytes: int = 512 * MiB  # sum of a zip's declared member sizes
    max_member_bytes: int = 256 * MiB  # any single member, inflated
    max_compression_ratio: float = 200.0  # inflated / compressed, checked on members over ratio_floor_bytes
    ratio_floor_bytes: int = 8 * MiB  # small members may compress as well as they like
    max_zip_members: int = 5000
    max_pdf_pages: int = 500
    max_image_pixels: int = 120_000_000  # ~ A3 at 600 dpi; a 30000×30000 claim is far over
    max_page_objects: int = 200_000  # chars + lines + rects + curves on one PDF page
    max_table_rows: int = 20_000  # a 10 000-row table is read; beyond this → TooLarge, never truncated
    max_table_cols: int = 1_000  # plans have 4–30 columns; a grid this wide is a hostile file
    # path-building operators (m l c v y re) in one PDF page's content streams, counted on the raw
    # stream BEFORE pdfminer builds an object for each (4 million `re` cost 5.6 GB)
    max_page_operators: int = 400_000
    # Per document, OCR included: checked between pages/tables, and enforced by a SIGALRM timer in
    # the main thread (pdfminer can loop for minutes on a damaged file).
    time_limit_s: float = 900.0
    libreoffice_timeout_s: float = 120.0
    soffice_command: str = "soffice"  # path or name of the LibreOffice launcher
    pdf_table_settings: dict = field(default_factory=_default_table_settings)
    # A page whose text is mostly "(cid:NN)" has a font without a Unicode map: unusable, send to OCR.
    max_cid_fraction: float = 0.3


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(signum: int = signal.SIGKILL) -> bool:
    """Linux only: have the kernel send `signum` to this process when its parent dies, so a worker or
    a converter never outlives a killed `reja import`. Returns False where prctl is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


class Deadline:
    """Cooperative per-document time limit: readers call `check()` between pages and tables."""

    def __init__(self, seconds: float, file: str):
        self.seconds = seconds
        self.file = file
        self.start = time.monotonic()

    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.start)

    def check(self, *, page: int | None = None) -> None:
        if self.remaining() <= 0:
            raise TooLarge(
                self.file, f"reading took longer than the per-document time limit of {self.seconds:g} s", page=page
            )


class _TimeUp(BaseException):
    """BaseException, so a library's broad `except Exception` cannot swallow the time limit."""


@contextlib.contextmanager
def hard_time_limit(seconds: float, name: str) -> Iterator[None]:
    """Interrupt the block after `seconds` with TooLarge, even inside a library's endless loop.

    Uses SIGALRM, so only in the main thread on POSIX; elsewhere the cooperative Deadline checks
    remain. An outer timer that would fire first is left alone; a later one is re-armed after.
    """
    if (seconds <= 0 or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return
    outer_delay, _ = signal.getitimer(signal.ITIMER_REAL)
    if outer_delay and outer_delay <= seconds:
        yield
        return

    def on_alarm(signum, frame):
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, on_alarm)
    start = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _TimeUp:  # also when it fires between the block's end and the disarm above
        raise TooLarge(name, f"reading took longer than the per-document time limit of {seconds:g} s") from None
    finally:
        signal.signal(signal.SIGALRM, previous)
        if outer_delay:
            signal.setitimer(signal.ITIMER_REAL, max(outer_delay - (time.monotonic() - start), 0.001))


def check_zip_directory(zip_path: Path, limits: Limits, name: str) -> None:
    """Read the member count from the end-of-central-directory record, before `zipfile` builds an
    object per member (a million tiny members would cost hundreds of MB)."""
    try:
        with open(zip_path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 65_557))  # the record (22 bytes) plus the longest comment
            tail = fh.read()
    except OSError:
        return  # zipfile reports it
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return
    entries = int.from_bytes(tail[at + 10:at + 12], "little")
    cd_size = int.from_bytes(tail[at + 12:at + 16], "little")
    if entries != 0xFFFF and entries > limits.max_zip_members:
        raise TooLarge(name, f"zip container has {entries} members (limit {limits.max_zip_members})")
    if cd_size != 0xFFFFFFFF and cd_size > limits.max_zip_members * 1024:
        raise TooLarge(name, f"zip central directory is {cd_size} bytes: too many or too long member names")


def check_zip(zip_path: Path, limits: Limits, name: str) -> zipfile.ZipFile:
    """Open a zip container and reject bombs before anything inflates it. Returns the open ZipFile."""
    check_zip_directory(zip_path, limits, name)
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise CorruptFile(name, f"damaged or truncated zip container ({exc})") from exc
    try:
        infos = zf.infolist()
        if len(infos) > limits.max_zip_members:
            raise TooLarge(name, f"zip container has {len(infos)} members (limit {limits.max_zip_members})")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > limits.max_member_bytes:
                raise TooLarge(
                    name,
                    f"zip member {info.filename!r} inflates to {info.file_size // MiB} MiB "
                    f"(limit {limits.max_member_bytes // MiB} MiB): zip bomb?",
                )
            if info.file_size > limits.ratio_floor_bytes:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_compression_ratio:
                    raise TooLarge(
                        name,
                        f"zip member {info.filename!r} compresses {ratio:.0f}:1 "
                        f"(limit {limits.max_compression_ratio:g}:1): zip bomb?",
                    )
        if total > limits.max_inflated_bytes:
            raise TooLarge(
                name, f"zip container inflates to {total // MiB} MiB (limit {limits.max_inflated_bytes // MiB} MiB)"
            )
    except BaseException:
        zf.close()
        raise
    return zf


_ENTITY_MARKERS = tuple(
    marker.encode(enc) for marker in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be")
)


def check_xml_parts(zf: zipfile.ZipFile, name: str) -> None:
    """Reject XML parts that declare a DTD or entities. Word never writes one; an attacker does
    (external entities read local files, nested entities expand exponentially)."""
    for info in zf.infolist():
        lower = info.filename.lower()
        if not (lower.endswith(".xml") or lower.endswith(".rels")):
            continue
        tail = b""
        with zf.open(info) as member:
            while chunk := member.read(1 << 16):
                window = tail + chunk
                if any(m in window for m in _ENTITY_MARKERS):
                    raise CorruptFile(
                        name, f"XML part {info.filename!r} declares a DTD or entities (refused: unsafe XML)"
                    )
                tail = window[-32:]


def _unsafe_member(info: zipfile.ZipInfo) -> str | None:
    raw = info.filename
    norm = raw.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":"):
        return "an absolute path"
    if any(part == ".." for part in PurePosixPath(norm).parts):
        return "a '..' component"
    if "\x00" in raw:
        return "a NUL byte"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return None


def safe_extract_zip(zip_path: Path, dest: Path, limits: Limits | None = None) -> list[Path]:
    """Extract a zip archive into `dest` without ever writing outside it.

    Rejects (CorruptFile) members with absolute paths, '..' components or symlinks, and (TooLarge)
    bombs by count, declared size and ratio; writes at most the declared size of each member.
    Returns the extracted files. Nothing is extracted when any member is rejected.
    """
    limits = limits or Limits()
    name = Path(zip_path).name
    dest = Path(dest).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    with check_zip(Path(zip_path), limits, name) as zf:
        infos = zf.infolist()
        for info in infos:
            why = _unsafe_member(info)
            if why:
                raise CorruptFile(name, f"archive member {info.filename!r} has {why}: refused, nothing extracted")
            target = (dest / info.filename.replace("\\", "/")).resolve()
            if not target.is_relative_to(dest):
                raise CorruptFile(name, f"archive member {info.filename!r} would be written outside the work directory")
        for info in infos:
            target = (dest / info.filename.replace("\\", "/")).resolve()
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".part")
            written = 0
            try:
                with zf.open(info) as src, open(tmp, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > info.file_size:  # zipfile already stops here; belt and braces
                            raise TooLarge(name, f"archive member {info.filename!r} inflates past its declared size")
                        dst.write(chunk)
                os.replace(tmp, target)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError) as exc:
                raise CorruptFile(name, f"archive member {info.filename!r} is damaged ({exc})") from exc
            finally:
                if tmp.exists():
                    tmp.unlink()
            out.append(target)
    return out
