"""OCR results cached by content: the same page image, settings and Tesseract never OCR'd twice.

Key = sha256 of the page pixels + the settings fingerprint + the Tesseract version + the reader's
own version (bumped when the reading logic changes). One JSON file per entry, written atomically,
so parallel workers and an interrupted run never leave a half-written entry behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

READER_VERSION = "scan-28"


def image_digest(img: np.ndarray) -> str:
    h = hashlib.sha256()
    h.update(repr((img.shape, str(img.dtype))).encode())
    h.update(np.ascontiguousarray(img).tobytes())
    return h.hexdigest()


def cache_key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join((READER_VERSION, *parts)).encode()).hexdigest()


class OcrCache:
    def __init__(self, directory: Path | None):
        self.dir = Path(directory) if directory is not None else None

    def _path(self, key: str) -> Path:
        assert self.dir is not None
        return self.dir / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        if self.dir is None:
            return None
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # missing or damaged entry: read the page again
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: `prune` removes the least recently used entries first
        return data

    def put(self, key: str, data: dict) -> None:
        if self.dir is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def prune(directory: Path | str, max_bytes: int) -> int:
    """Keep the cache folder under `max_bytes`: the least recently used entries (written or read
    longest ago) are removed first. Returns how many were removed."""
    entries = []
    for path in Path(directory).glob("*/*.json"):
        with contextlib.suppress(OSError):
            st = path.stat()
            entries.append((st.st_mtime, st.st_size, path))
    total = sum(size for _t, size, _p in entries)
    removed = 0
    for _t, size, path in sorted(entries, key=lambda e: e[0]):
        if total <= max_bytes:
            break
        with contextlib.suppress(OSError):
            path.unlink()
            total -= size
            removed += 1
    return removed
