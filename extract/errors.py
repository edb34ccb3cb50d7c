"""Errors a reader raises for a file it cannot read. Each names the file and the cause, so a batch
can report it and go on; none of them should ever escape a batch import."""

from __future__ import annotations


class ReadError(Exception):
    """A file could not be read. `code` is stable (used in logs, exit reports, the documents table)."""

    code = "read_error"

    def __init__(self, file: str, cause: str, *, page: int | None = None):
        self.file = file
        self.cause = cause
        self.page = page
        where = f"{file}, page {page}" if page is not None else file
        super().__init__(f"{where}: {cause}")


class UnsupportedFormat(ReadError):
    code = "unsupported_format"


class EmptyFile(ReadError):
    code = "empty_file"


class CorruptFile(ReadError):
    code = "corrupt_file"


class EncryptedFile(ReadError):
    code = "encrypted_file"


class TooLarge(ReadError):
    """Over a configured limit: inflated size, pages, image pixels, table rows."""

    code = "too_large"


class ConversionFailed(ReadError):
    """LibreOffice (or another converter) failed or ran past its time limit."""

    code = "conversion_failed"


class OcrFailed(ReadError):
    code = "ocr_failed"
