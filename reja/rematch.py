"""`reja rematch`: match every stored plan again from its stored rows, without its file.

The store keeps each document's rows before matching under its parse key (`reja.keys.parse_key`). After a
clerk teaches a wording, or a catalogue maintainer edits the catalogue, this re-runs only the match
stage (`reja.pipeline.match_rows`) over them and stores the result, as `reja import` of the same files
would. A document whose stored rows were made by another parser version (or that has none) is named:
its file has to be imported again.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from reja import db as dbapi
from reja import keys, match_cache, worker
from reja.i18n import _
from reja.import_report import status_word, utc
from reja.learned import load_learned
from reja.store import Store

BASE_FIELDS = ("document_id", "source_file", "source_key", "sha256", "size_bytes", "file_mtime")


@dataclass
class RematchReport:
    rematched: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # already matched with this catalogue and wordings
    need_reading: list[str] = field(default_factory=list)  # no stored rows from this parser: import the file
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        text = _("{rematched} plan(s) re-matched from their stored rows, {unchanged} unchanged, {failed} failed; "
                 "{seconds} s.").format(rematched=len(self.rematched), unchanged=len(self.unchanged),
                                        failed=len(self.failed), seconds=f"{self.seconds:.1f}")
        if self.need_reading:
            names = ", ".join(self.need_reading[:5]) + (" …" if len(self.need_reading) > 5 else "")
            text += " " + _("{n} plan(s) have no stored rows from this parser version and need `reja import` of "
                            "their files: {names}.").format(n=len(self.need_reading), names=names)
        return text


def rematch_store(db: Path | str, *, on_status: Callable[[str], None] | None = None,
                  documents: Collection[str] | None = None) -> RematchReport:
    """Re-match every current, readable document of the store whose matching inputs changed (only
    those of `documents`, by id, when given: the plans holding a wording a clerk just taught; the
    others keep their key and are re-matched by the next `reja rematch` or import)."""
    emit = on_status or (lambda line: None)
    report = RematchReport()
    t0 = time.monotonic()
    learned = load_learned(db)
    versions = {"pipeline_version": keys.pipeline_version(),
                "catalogue_version": keys.catalogue_version() + (f"|learned:{learned.version}" if len(learned) else "")}  # fmt: skip
    run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-rematch"
    cache = None if dbapi.is_server(db) else match_cache.install(db, scope=keys.match_scope())
    try:
        _rematch(db, report, versions, learned, run_id, emit, documents)
    finally:
        if cache is not None:
            cache.close()
    report.seconds = time.monotonic() - t0
    return report


def _rematch(db, report: RematchReport, versions: dict, learned, run_id: str, emit,
             documents: Collection[str] | None) -> None:
    with Store(db) as store:
        docs = store.documents()
        docs = docs[docs["status"] != "failed"]
        if documents is not None:
            docs = docs[docs["document_id"].isin(set(documents))]
        worker.warm_up()
        for doc in docs.astype(object).where(docs.notna(), None).to_dict("records"):
            name = doc["source_file"]
            key = keys.import_key(doc["sha256"], versions["catalogue_version"])
            if doc["import_key"] == key:
                report.unchanged.append(name)
                continue
            parsed = store.parsed(keys.parse_key(doc["document_id"]))
            if parsed is None:
                report.need_reading.append(name)
                continue
            task = {**{k: doc[k] for k in BASE_FIELDS}, "display": name, "import_key": key, "run_id": run_id,
                    "learned": learned, "parsed": parsed, **versions}  # fmt: skip
            result = worker.process_document(None, task)
            if not result["ok"]:
                report.failed.append(name)
                emit(f"{status_word('failed'):<8} {name} — {result['code']}: {result['reason']}")
                continue
            row = {k: v for k, v in task.items() if k not in ("display", "learned", "parsed")}
            stored = {**row, **result["doc"], "imported_at": utc(), "duration_s": round(result["seconds"], 3)}
            store.write_document(stored, result["rows"], parsed=(keys.parse_key(doc["document_id"]), parsed))
            report.rematched.append(name)
            emit(f"{status_word(stored['status']):<8} {name} — " + _("{n} items, {flagged} need review").format(
                n=stored["n_items"], flagged=stored["n_flagged"]) + "; " + _("re-matched, not read again"))
