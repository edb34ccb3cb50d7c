"""Writing an import's outcomes to the store: a document's rows (or its failure), a `documents` row
for an input that was never read, and what follows a run (re-identified plans, moved corrections,
which file of a plan is current).
"""

from __future__ import annotations

import traceback
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from reja import db as dbapi
from reja import keys
from reja.import_report import FileOutcome, ImportReport, utc
from reja.inputs import InputFile, text_of
from reja.records import ItemRow


def store_unread(store, outcome: FileOutcome, run_id: str, versions: dict, source_key: str | None = None) -> str:
    """A `documents` row (status failed, its code) for an input that was never read: a missing path, a
    refused archive, an unreadable folder or file. Returns its document id."""
    key = source_key or outcome.source_file
    doc_id = keys.document_id(key, "unread")
    row = {"document_id": doc_id, "source_file": outcome.source_file, "source_key": key, "sha256": "",
           "import_key": f"unread:{outcome.error_code}", "run_id": run_id, **versions, "status": "failed",
           "error_code": outcome.error_code, "error": outcome.reason, "n_items": 0, "n_flagged": 0,
           "imported_at": utc(), "plan_key": None}  # fmt: skip
    store.write_failure(row)
    return doc_id


def after_import(store, db: Path | str, report: ImportReport, emit, log) -> None:
    """Corrections stored under version 1 row keys move to their rows (`reja.rekey`), and
    each plan this run touched that has several files says which one is current."""
    from reja.rekey import move_legacy_corrections

    rekeyed = store.reidentify(keys.pipeline_version())
    if rekeyed:
        log.write("plans_reidentified", documents=rekeyed)
        emit(f"plans    {rekeyed} earlier import(s) not read again re-identified by place id (never by a first word)")
    moved = move_legacy_corrections(db, store.keys_with_rows,
                                    lambda contexts: store.items(include_superseded=True,
                                                                 document_ids=store.documents_for(contexts)))
    if moved:
        log.write("corrections_moved", moves=moved)
        emit(f"moved    {len(moved)} correction(s) to their rows' new keys (row key version 2)")
    report.plans = store.plan_versions([f.document_id for f in report.files if f.document_id])
    for plan in report.plans:
        line = plan.describe()
        log.write("plan_versions", **asdict(plan))
        emit(line)


def store_failure(store, base: dict, inp: InputFile, code: str, reason: str, doc: dict | None = None,
                  *, seconds: float | None = None, suffix: str | None = None) -> None:  # fmt: skip
    suffix = (suffix if suffix is not None else inp.path.suffix).lstrip(".").lower() or None
    row = {**base, **(doc or {}), "status": "failed", "error_code": code, "error": reason, "n_items": 0,
           "n_flagged": 0, "imported_at": utc(), "duration_s": seconds, "plan_key": None}  # fmt: skip
    row.setdefault("source_format", suffix)
    row["source_format"] = row["source_format"] or suffix
    store.write_failure(row)


# the fields of a task that are the document's own (the rest is the work's: path, learned, parsed …)
BASE_FIELDS = ("document_id", "source_file", "source_key", "sha256", "size_bytes", "file_mtime", "import_key",
               "run_id", "pipeline_version", "catalogue_version")  # fmt: skip
# a value the store cannot hold: this document fails, the batch goes on
def _unstorable() -> tuple[type[BaseException], ...]:
    return (*dbapi.value_errors(), ValueError, TypeError, OverflowError)


def store_result(store, task: dict, result: dict) -> tuple[FileOutcome, dict]:
    """Write one document's result (its rows, or its failure) in one transaction. Returns the file's
    outcome and what the run log adds to it (a traceback). Disk-full errors are the caller's."""
    base = {k: task[k] for k in BASE_FIELDS}
    seconds = round(result.get("seconds", 0.0), 3)
    if result["ok"]:
        doc = {**base, **result["doc"], "imported_at": utc(), "duration_s": seconds}
        kept = (task["parse_key"], result["parsed"]) if result.get("parsed") else None
        try:
            store.write_document(doc, result["rows"], parsed=kept)
            return _stored_outcome(task, doc, result["rows"], seconds), {}
        except _unstorable() as exc:
            result = {"ok": False, "code": "internal_error", "reason": f"could not store the rows ({exc})",
                      "traceback": traceback.format_exc()}  # fmt: skip
    reason = text_of(result["reason"])  # may quote a path that is not UTF-8
    inp = InputFile(Path(task["path"]), task["display"], task["source_key"], 0)
    store_failure(store, base, inp, result["code"], reason, result.get("doc"), seconds=seconds, suffix=task["suffix"])
    outcome = FileOutcome(task["display"], "failed", f"{result['code']}: {reason}", document_id=task["document_id"],
                          error_code=result["code"], seconds=seconds)  # fmt: skip
    return outcome, {"traceback": result.get("traceback")}


def _stored_outcome(task: dict, doc: dict, rows: list[ItemRow], seconds: float) -> FileOutcome:
    codes = Counter(f.split(":", 1)[0] for r in rows for f in r.flags)
    reason = ", ".join(f"{c} {n}" for c, n in codes.most_common(4))
    if doc["meta_flags"]:
        reason = "; ".join(x for x in (reason, doc["meta_flags"]) if x)
    return FileOutcome(task["display"], doc["status"], reason if doc["status"] == "partial" else "",
                       document_id=doc["document_id"], n_items=doc["n_items"], n_flagged=doc["n_flagged"],
                       seconds=seconds, rematched=task.get("parsed") is not None)  # fmt: skip
