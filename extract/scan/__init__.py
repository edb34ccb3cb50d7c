"""Scan reader: scanned PDFs and page images (PNG, JPEG, multi-page TIFF) → the IR `Document`.

`read_scan(path, pages=None, jobs=1, cache_dir=None)` is the entry point; `apply_ocr_flags`
carries per-cell OCR doubt (low confidence, rebuilt numbers, snapped values) onto parsed items.
"""

from .flags import apply_ocr_flags
from .reader import read_scan

__all__ = ["apply_ocr_flags", "read_scan"]
