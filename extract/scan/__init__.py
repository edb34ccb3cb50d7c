"""Scan reader: scanned PDFs and page images (PNG, JPEG, multi-page TIFF) → the IR `Document`.

`read_scan(path, pages=None, jobs=1, cache_dir=None)` is the entry point; `apply_ocr_flags`
carries per-cell OCR doubt (low confidence, rebuilt numbers, snapped values) onto parsed items.
Both load on first use (OpenCV, Tesseract), so `reja.extract.scan.settings` is light to import.
"""

from __future__ import annotations

import importlib
import os

# One OpenCV thread a reading process: reja spreads pages and files over processes, and OpenCV's own pool
# (two threads here) only fights them for the same cores. Set before cv2 builds its pool: calling
# cv2.setNumThreads in a forked child whose parent used the pool deadlocks.
os.environ.setdefault("OPENCV_FOR_THREADS_NUM", "1")

__all__ = ["apply_ocr_flags", "read_scan"]
_HOME = {"apply_ocr_flags": ".flags", "read_scan": ".reader"}


def __getattr__(name: str):
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
