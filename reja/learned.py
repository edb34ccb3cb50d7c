"""Synonyms learned from clerks: a correction that sets (or an accept that confirms) a section,
activity or unit match teaches the matcher that this wording means that catalogue entry.

An activity the clerk says is not in the catalogue (the indicator cleared, or a row without one
accepted) is learned too, with id None: the same wording in other plans is then no decision again
(nor its words said again, or a typo or two away from it, when the matcher does not accept an entry itself).

They are derived from the corrections table, not stored twice: undoing the correction forgets the
synonym. Their content hash joins the catalogue version in each document's import key, so after a
clerk teaches one, the next `reja import` re-matches the plans (versioned, like the catalogue's own
synonyms, which stay in schema/data/ and are edited by the catalogue's maintainers).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from reja import db as dbapi
from reja.corrections import ACCEPT_FIELD, all_corrections, effective

# correction field → (match kind, the row's text that was matched)
TAUGHT_BY = {"section_id": ("section", "section_title"), "indicator_id": ("indicator", "text"),
             "unit_id": ("unit", "unit")}
# kinds whose "not in the catalogue" is learned (a heading or unit cell without an entry is rare and
# usually a reading error; an activity the catalogue does not hold is common: chess clubs, repairs)
NONE_LEARNED = frozenset({"indicator"})


@dataclass
class LearnedSynonyms:
    # kind → match key of the wording → {"id", "text", "correction", "who"}
    entries: dict[str, dict[str, dict]] = field(default_factory=dict)

    @property
    def version(self) -> str:
        blob = json.dumps(self.entries, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:12] if self.entries else "none"

    def lookup(self, kind: str, text: str | None, key: str | None = None) -> dict | None:
        """The learned entry of a wording; `key`: its match key when already known (stored rows)."""
        if not text or kind not in self.entries:
            return None
        if key is None:
            from reja.normalize.keys import match_key

            key = match_key(text)
        return self.entries[kind].get(key)

    def wordings(self, kind: str) -> tuple[tuple[str, str], ...]:
        """(wording as written, id) of every synonym learned for `kind` (normalize.match.match_near_learned);
        id None: a wording the clerk said is not in the catalogue."""
        return tuple(sorted(((e["text"], e["id"]) for e in self.entries.get(kind, {}).values()),
                            key=lambda t: (t[0], t[1] or "")))

    def __len__(self) -> int:
        return sum(len(v) for v in self.entries.values())


def _teach(out: dict, kind: str, text: str | None, target: str | None, correction) -> None:
    if not text or (not target and kind not in NONE_LEARNED):
        return
    from reja.normalize.keys import match_key

    key = match_key(text)
    if key:
        out.setdefault(kind, {})[key] = {"id": target or None, "text": text, "correction": correction.id,
                                         "who": correction.who}


def load_learned(db: Path | str) -> LearnedSynonyms:
    """Learned synonyms in force (later corrections win over earlier ones for the same wording)."""
    if not dbapi.exists(db):
        return LearnedSynonyms()
    out: dict[str, dict[str, dict]] = {}
    for (_row, fieldname), c in sorted(effective(all_corrections(db)).items(), key=lambda kv: kv[1].id):
        if fieldname in TAUGHT_BY:
            kind, text_field = TAUGHT_BY[fieldname]
            _teach(out, kind, c.context.get(text_field), c.value_after, c)
        elif fieldname == ACCEPT_FIELD:  # an accepted row confirms every match it had
            for id_field, (kind, text_field) in TAUGHT_BY.items():
                _teach(out, kind, c.context.get(text_field), c.context.get(id_field), c)
    return LearnedSynonyms(out)


def write_synonyms_yaml(learned: LearnedSynonyms, path: Path | str) -> Path:
    """The learned synonyms in the catalogue's own shape ({kind: [{id, synonyms: [...]}]}), written
    atomically, for a maintainer to merge into schema/data/*.yaml; the wordings clerks said are not
    in the catalogue under `not_in_catalogue` ({kind: [...]}: candidates for a new entry)."""
    import os
    import tempfile

    import yaml

    by_kind: dict[str, dict[str, list[str]]] = {}
    none: dict[str, list[str]] = {}
    for kind, entries in learned.entries.items():
        for entry in entries.values():
            if entry["id"] is None:
                none.setdefault(kind, []).append(entry["text"])
            else:
                by_kind.setdefault(kind, {}).setdefault(entry["id"], []).append(entry["text"])
    doc = {"learned_synonyms_version": learned.version,
           **{kind: [{"id": i, "synonyms": sorted(texts)} for i, texts in sorted(ids.items())]
              for kind, ids in sorted(by_kind.items())}}
    if none:
        doc["not_in_catalogue"] = {kind: sorted(texts) for kind, texts in sorted(none.items())}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".synonyms-", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yaml.safe_dump(doc, fh, allow_unicode=True, sort_keys=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
