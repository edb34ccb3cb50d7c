"""The sub-item labels ("Shundan:", "Бундан", "в том числе"): one vocabulary, data/sub_item_labels.yaml,
for the parser (a label row opens sub-items) and the matcher (a label at the start of a text is not
what is counted; inside a text it ends the activity's name)."""

from __future__ import annotations

from functools import cache

from reja.schema.data_files import package_yaml


def _data() -> dict:
    return package_yaml("reja.schema", "sub_item_labels.yaml")


@cache
def sub_item_labels() -> tuple[str, ...]:
    """Every label as plans write it, either script and Russian."""
    return tuple(str(w) for w in _data()["sub_item_labels"])


@cache
def labels_ending_a_head() -> tuple[str, ...]:
    """The labels that end an activity's name where they stand inside a text: all but those that are
    ordinary words as well ("undan"). Longest first (for a regex: "shu jumladan" before "jumladan")."""
    ordinary = {str(w) for w in _data().get("text_words") or []}
    unknown = ordinary - set(sub_item_labels())
    if unknown:
        raise ValueError(f"sub_item_labels.yaml: text_words not among the labels: {sorted(unknown)}")
    return tuple(sorted((w for w in sub_item_labels() if w not in ordinary), key=len, reverse=True))
