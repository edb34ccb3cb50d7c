"""One document's work, wherever it runs (a forked child, the parent for a re-match, another
machine): parse the file, or take its stored parse, and build its rows (`reja.pipeline`). The
executors (`reja.executor`) run `process_document` per task; `warm_up` loads what every task needs.
"""

from __future__ import annotations

import importlib
import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from reja import db as dbapi
from reja.extract.errors import ReadError
from reja.extract.model import ParsedPlan

# the running batch's reader options, set by run_import before its children fork (they inherit it):
# the OCR cache folder and how many processes a scan's pages may use
READ_OPTIONS: dict = {}


def default_parse(path: Path) -> ParsedPlan:
    """`reja.pipeline.parse_file` with the run's reader options (`READ_OPTIONS`)."""
    from reja.pipeline import parse_file

    return parse_file(path, **READ_OPTIONS)


def set_read_options(db, log_dir: Path | str | None, ocr_cache: bool | Path) -> Path | None:
    """The reader options of a new run (`READ_OPTIONS`): its OCR cache folder (True = `ocr_cache_dir`,
    a folder = there, False = none: the reader is told so, or it would take $REJA_OCR_CACHE). Returns
    the folder."""
    READ_OPTIONS.clear()
    cache_dir = (ocr_cache_dir(db, log_dir) if ocr_cache is True else Path(ocr_cache)) if ocr_cache else None
    READ_OPTIONS["ocr_cache"] = cache_dir if cache_dir is not None else False
    return cache_dir


OCR_CACHE_DIR = "ocr-cache"  # next to a SQLite store (for a server store: in the run-log folder)


def ocr_cache_dir(db, log_dir: Path | None) -> Path:
    """Where a run keeps OCR results by page content: `ocr-cache/` beside the store file, or in the
    run-log folder (else the current folder) when the store is a server; $REJA_OCR_CACHE when set."""
    if os.environ.get("REJA_OCR_CACHE"):  # the reader's own setting still wins
        return Path(os.environ["REJA_OCR_CACHE"])
    if dbapi.is_server(db):
        return (Path(log_dir) if log_dir is not None else Path(".")) / OCR_CACHE_DIR
    return Path(db).parent / OCR_CACHE_DIR


def process_document(parse: Callable[[Path], ParsedPlan], task: dict) -> dict:
    """Parse one file (or take its stored parse) and build its rows (`reja.pipeline`). Never raises:
    failures come back as a result."""
    from reja import pipeline

    start = time.monotonic()
    try:
        if task.get("parsed") is not None:  # re-match: the stored rows, the file is not read
            parsed, parsed_json = pipeline.from_stored(task["parsed"]), task["parsed"]
            for row in parsed["rows"]:
                row.source_file = task["display"]
        else:
            parsed, parsed_json = pipeline.as_stored(pipeline.read_rows(parse, task))
        result = pipeline.match_rows(parsed, task)
        return {**result, "parsed": parsed_json, "seconds": time.monotonic() - start}
    except ReadError as exc:
        where = f" (page {exc.page})" if exc.page is not None else ""
        return {"ok": False, "code": exc.code, "reason": f"{exc.cause}{where}", "seconds": time.monotonic() - start}
    except MemoryError:  # over the memory limit, not a bug: _child_main reports it as too_large
        raise
    except Exception as exc:  # a bug on one document must not stop the batch; the log keeps the traceback
        return {"ok": False, "code": "internal_error", "reason": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(), "seconds": time.monotonic() - start}  # fmt: skip



def warm_up() -> None:
    """Import the readers, parser and matchers once in the parent, so each forked child inherits
    them (and the matchers' loaded catalogue) instead of loading them per document."""
    from reja.enrich import warm_up as warm_enrichment

    # the PDF library too: a child that imports it after forking from a parent with threads (a web
    # server, a test client) can fail inside the import machinery (SystemError), costing the document
    # PIL (every read sets its pixel limit) and zip names' cp437: imported by the first document otherwise, in
    # each forked child again (0.03 s CPU of a 0.07 s typed plan)
    for module in ("reja.extract.readers", "reja.extract.plan", "pdfplumber", "PIL.Image", "encodings.cp437"):
        importlib.import_module(module)
    warm_enrichment()

