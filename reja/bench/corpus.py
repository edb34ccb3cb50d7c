"""The benchmark's documents: the sample manifest, each entry's expected data and page count."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from reja.evaluate import MANIFEST, REPO_DIR, manifest_entries

# --quick: one typed document, the cheapest to read, so the smoke run stays well under 30 s
QUICK_SAMPLE = "izboskan_2025_docx"
FORMAT_ORDER = ("docx", "pdf", "scan", "doc")


@dataclass(frozen=True)
class Sample:
    name: str
    path: Path
    format: str  # docx / pdf / scan / doc, as in the manifest
    expected_path: Path
    script: str  # latin / cyrillic

    @cached_property
    def expected(self) -> dict:
        return json.loads(self.expected_path.read_text(encoding="utf-8"))

    @property
    def tesseract_lang(self) -> str:
        """The Debian model a user would pick for the plan's script (reja picks the same one)."""
        return "uzb_cyrl" if self.script == "cyrillic" else "uzb"

    @cached_property
    def pages(self) -> int:
        """Pages of the document; a DOCX/DOC counts the pages of its LibreOffice PDF sibling
        (samples/<stem>.pdf) since Word files have no fixed pages, else 1."""
        pdf = self.path if self.path.suffix.lower() == ".pdf" else self.path.with_suffix(".pdf")
        if not pdf.exists():
            return 1
        import pdfplumber

        with pdfplumber.open(pdf) as doc:
            return len(doc.pages)


def load_samples(names: list[str] | None = None, manifest: Path = MANIFEST, repo_dir: Path = REPO_DIR) -> list[Sample]:
    entries = manifest_entries(names, manifest)
    samples = [
        Sample(e["name"], repo_dir / e["file"], e["format"], repo_dir / e["expected"], e.get("script", "latin"))
        for e in entries
    ]
    return sorted(samples, key=lambda s: (FORMAT_ORDER.index(s.format) if s.format in FORMAT_ORDER else 99, s.name))
