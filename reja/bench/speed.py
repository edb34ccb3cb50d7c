"""The raw readers reja is built on, timed alone on the same documents, so reja's own overhead shows
as a ratio: python-docx `Document()` for DOCX, pdfplumber page load (`pdf.pages[i].chars`) for PDF,
bare `tesseract page.png stdout` on the same page images for scans, LibreOffice's DOC→DOCX
conversion plus python-docx for DOC.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .corpus import Sample

RAW_READER = {
    "docx": "python-docx Document()",
    "pdf": "pdfplumber pages[i].chars",
    "scan": "bare tesseract per page",
    "doc": "LibreOffice → DOCX + python-docx",
}


def best_of(fn: Callable[[], object], repeat: int, clock: Callable[[], float] = time.perf_counter) -> float:
    """Fastest of `repeat` runs: the machine is shared, the minimum is the least disturbed run. `clock`
    time.process_time counts this process's CPU (all its threads) instead of the wall clock."""
    best = float("inf")
    for _ in range(max(1, repeat)):
        t0 = clock()
        fn()
        best = min(best, clock() - t0)
    return best


def _docx_load(path: Path) -> None:
    from docx import Document

    Document(str(path))


def _pdf_chars(path: Path) -> None:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for i in range(len(pdf.pages)):
            _ = pdf.pages[i].chars


def _doc_convert_and_load(path: Path) -> None:
    from reja.extract.convert import converted_docx

    with converted_docx(path, name=path.name, fmt="doc", timeout_s=300) as docx_path:
        _docx_load(docx_path)


def tesseract_seconds(sample: Sample) -> float:
    """Bare tesseract on each page image as reja's rasteriser loads it (rendering not timed)."""
    from reja.extract.scan.rasterize import page_pngs
    from reja.extract.scan.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="reja-bench-tess-") as tmp:
        images = page_pngs(sample.path, Path(tmp), dpi=load_settings().dpi)
        # one thread, as reja's OCR runs (it sets OMP_THREAD_LIMIT=1 and parallelises by page)
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        t0 = time.perf_counter()
        for f in images:
            subprocess.run(["tesseract", str(f), "stdout", "-l", sample.tesseract_lang], check=True,
                           capture_output=True, timeout=600, env=env)  # fmt: skip
        return time.perf_counter() - t0


def raw_reader_seconds(sample: Sample, repeat: int = 3) -> dict:
    """{"reader": label, "seconds": whole document} for the sample's format."""
    fmt = sample.format
    if fmt == "docx":
        seconds = best_of(lambda: _docx_load(sample.path), repeat)
    elif fmt == "pdf":
        seconds = best_of(lambda: _pdf_chars(sample.path), repeat)
    elif fmt == "scan":
        seconds = tesseract_seconds(sample)
    elif fmt == "doc":
        seconds = best_of(lambda: _doc_convert_and_load(sample.path), 1)
    else:
        raise ValueError(f"no raw reader for format {fmt!r}")
    return {"reader": RAW_READER[fmt], "seconds": seconds}
