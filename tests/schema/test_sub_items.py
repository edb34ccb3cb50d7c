"""The sub-item labels ("Shundan:", "Бундан", "в том числе"): one list, schema/data/sub_item_labels.yaml,
read by the parser and the matcher alike (issue 16: they were three lists that disagreed)."""

from __future__ import annotations

import pytest
from reja.extract.plan_words import is_label, starts_with_label
from reja.normalize.match import head_key, prepare
from reja.schema.data_files import package_yaml

DATA = package_yaml("reja.schema", "sub_item_labels.yaml")
LABELS = DATA["sub_item_labels"]
TEXT_WORDS = DATA["text_words"]


@pytest.mark.parametrize("label", LABELS)
def test_every_label_alone_is_a_label_to_the_parser(label):
    assert is_label(label)
    assert is_label(label.capitalize() + ":")
    assert starts_with_label(f"{label.capitalize()}: jurnallar")


@pytest.mark.parametrize("label", LABELS)
def test_a_text_opening_with_a_label_is_matched_without_it(label):
    """"Shu jumladan kitoblar" counts "kitoblar": the label is no part of the matcher's key, stemmed or not."""
    assert prepare(f"{label} kitoblar soni") == prepare("kitoblar soni")
    assert prepare(f"{label} kitoblar soni", stem=False) == prepare("kitoblar soni", stem=False)


@pytest.mark.parametrize("label", [w for w in LABELS if w not in TEXT_WORDS])
def test_a_label_inside_a_text_ends_the_activitys_name(label):
    assert head_key(f"Umumiy fond jami {label} kitoblar") == head_key("Umumiy fond jami")


@pytest.mark.parametrize("word", TEXT_WORDS)
def test_a_label_that_is_a_word_of_a_text_does_not_end_the_name(word):
    """"Elektron katalog va {undan} foydalanish": the word, not a label."""
    text = f"Elektron katalog {word} foydalanish"
    assert head_key(text) == prepare(text)
    assert word in LABELS and is_label(word)
