"""The plan parser's vocabulary (extract/data/plan_words.yaml) and the folding used to compare text
with it: case, apostrophe variants, quotes and spacing do not matter when recognising a layout word."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from reja.normalize.apostrophes import APOSTROPHE_VARIANTS  # the one list of apostrophe look-alikes
from reja.normalize.translit import fold_new_latin
from reja.schema.data_files import package_yaml
from reja.schema.sub_items import sub_item_labels

_QUOTES = "\"“”„«»‟"
_FOLD_TABLE = {ord(c): "'" for c in APOSTROPHE_VARIANTS} | {ord(c): " " for c in _QUOTES}
_WS_RE = re.compile(r"\s+")


def plan_words() -> dict[str, Any]:
    return package_yaml("reja.extract", "plan_words.yaml")


def fold(s: str | None) -> str:
    """Lower case, one apostrophe, no quotes, single spaces, 1995 Latin letters: for comparing, never
    for output."""
    if not s:
        return ""
    # the 2026 letters as 1995 Latin: "Şundan," is the label "Shundan,", "Ölçov birligi" a unit header
    return _WS_RE.sub(" ", fold_new_latin(s).translate(_FOLD_TABLE).lower()).strip()


@cache
def word_set(key: str) -> frozenset[str]:
    return frozenset(fold(w) for w in plan_words()[key])


_LABEL_EDGES = " ,.:;-–—"  # punctuation around a label ("Shundan,", "shu jumladan:", "в т.ч.")


def is_label(text: str | None) -> bool:
    """True for a sub-item label alone: "Shundan,", "Бундан", "shu jumladan:"."""
    t = fold(text).strip(_LABEL_EDGES)
    # a narrow № cell wraps the word itself ("Шун\nдан:"): compared without its spaces too
    return bool(t) and (t in _labels() or t.replace(" ", "") in _labels_unspaced())


@cache
def _labels() -> frozenset[str]:
    """The sub-item labels (schema/data/sub_item_labels.yaml), folded as a text is."""
    return frozenset(fold(w).strip(_LABEL_EDGES) for w in sub_item_labels())


@cache
def _labels_unspaced() -> frozenset[str]:
    return frozenset(w.replace(" ", "") for w in _labels())


_LABEL_PREFIX_RE = re.compile(r"^(.{3,20}?)\s*[:,;–—-]\s*(\S.*)$", re.S)


def starts_with_label(text: str | None) -> bool:
    """True for a text that opens with a sub-item label and goes on: "Shu jumladan: jurnallar"."""
    m = _LABEL_PREFIX_RE.match((text or "").strip())
    return bool(m) and is_label(m.group(1))
