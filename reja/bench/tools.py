"""The table finders a user would otherwise pick, each run with its DEFAULT settings, returning rows
of cell strings for reja.bench.scoring.

camelot and img2table are development-only (the `bench` extra); when one is not importable its
column says so instead of failing the run. Neither downloads anything: Camelot renders with its
pdfium backend (no Ghostscript), img2table OCRs with Debian's tesseract through TesseractOCR.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from .corpus import Sample

Rows = list[list[str]]


def _python_docx(sample: Sample) -> Rows:
    from docx import Document

    doc = Document(str(sample.path))
    # row.cells is python-docx's own view: a merged cell comes back once per grid position it covers
    return [[c.text for c in row.cells] for table in doc.tables for row in table.rows]


def _pdfplumber(sample: Sample) -> Rows:
    import pdfplumber

    rows: Rows = []
    with pdfplumber.open(sample.path) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():  # default TableSettings
                rows.extend([["" if c is None else c for c in row] for row in table])
            page.close()  # drop the page's cached objects, as a long document would need
    return rows


def _camelot(sample: Sample) -> Rows:
    import warnings

    import camelot

    with warnings.catch_warnings():  # "page is image-based" on scans: the empty result says it
        warnings.simplefilter("ignore")
        tables = camelot.read_pdf(str(sample.path), pages="all", flavor="lattice", backend="pdfium")
    return [[str(c) for c in row] for t in tables for row in t.df.values.tolist()]


def _img2table(sample: Sample) -> Rows:
    from img2table.document import PDF

    ocr = None
    if sample.format == "scan":  # a typed PDF is read from its text layer, a scan needs OCR
        from img2table.ocr import TesseractOCR

        ocr = TesseractOCR(n_threads=1, lang=sample.tesseract_lang)
    doc = PDF(str(sample.path))
    found = doc.extract_tables(ocr=ocr)  # defaults: no implicit rows, no borderless tables
    rows: Rows = []
    for page in sorted(found):
        for table in found[page]:
            rows.extend([["" if c.value is None else str(c.value) for c in row] for row in table.content.values()])
    return rows


@dataclass(frozen=True)
class Tool:
    key: str
    label: str
    run: Callable[[Sample], Rows]
    formats: frozenset[str]
    not_for: str  # why it cannot run on the other formats
    module: str  # import name that must be present

    def available(self) -> bool:
        return importlib.util.find_spec(self.module) is not None

    def na_reason(self, fmt: str, enabled: bool = True) -> str | None:
        """None when the tool runs on `fmt`, else the 'n/a — …' text for the report."""
        if fmt not in self.formats:
            return f"n/a — {self.not_for}"
        if not enabled:
            return "n/a — comparison tools switched off (--tools none)"
        if not self.available():
            return f"n/a — {self.module} not installed (pip install -e '.[bench]')"
        return None


TOOLS: tuple[Tool, ...] = (
    Tool("python_docx", "python-docx tables", _python_docx, frozenset({"docx"}),
         "python-docx reads DOCX only", "docx"),
    Tool("pdfplumber", "pdfplumber extract_tables()", _pdfplumber, frozenset({"pdf", "scan"}),
         "pdfplumber reads PDF only", "pdfplumber"),
    Tool("camelot", "Camelot lattice", _camelot, frozenset({"pdf", "scan"}),
         "Camelot reads PDF only", "camelot"),
    Tool("img2table", "img2table (+ Tesseract on scans)", _img2table, frozenset({"pdf", "scan"}),
         "img2table reads PDF and images only", "img2table"),
)  # fmt: skip
