"""Document-level OCR repairs (placeholder, filled below)."""

from __future__ import annotations

from reja.extract.ir import Document


def repair_document(doc: Document, *, lang: str) -> None:
    return None
