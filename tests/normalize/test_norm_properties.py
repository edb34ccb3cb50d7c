"""Hypothesis properties: normalisation is idempotent and never loses digits."""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reja.normalize.apostrophes import fold_apostrophes
from reja.normalize.keys import match_key
from reja.normalize.numbers import parse_number
from reja.normalize.text import clean_text, join_spaced_hyphens
from reja.normalize.translit import to_latin

# keep each property well under ~2 s
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_ALPHABET = (
    "abcdeghijklmnopqrstuvxyzOGAKMT"
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяўқғҳАЕЁЎҚҒҲЦЧШЪЬ"
    "0123456789 \n\t\u00a0\u2009\u00ad\u200b-–—.,;:()/\"“”«»'‘’`´ʻʼ<>ip"
)
texts = st.text(alphabet=_ALPHABET, max_size=60)
markup = st.lists(st.one_of(texts, st.sampled_from(["<p>", "</p>", "<i>", "</i>", "**", "-\n", "- "])),
                  max_size=8).map("".join)


@FAST
@given(markup)
def test_clean_text_idempotent(s):
    once = clean_text(s)
    assert clean_text(once) == once


@FAST
@given(markup)
def test_join_spaced_hyphens_idempotent(s):
    once = join_spaced_hyphens(clean_text(s))
    assert join_spaced_hyphens(once) == once
    assert clean_text(once) == once


@FAST
@given(texts)
def test_fold_apostrophes_idempotent(s):
    once = fold_apostrophes(s)
    assert fold_apostrophes(once) == once


@FAST
@given(markup)
def test_match_key_idempotent(s):
    once = match_key(s)
    assert match_key(once) == once


def _digits(s: str) -> str:
    return "".join(re.findall(r"\d", s))


@FAST
@given(texts)
def test_translit_keeps_digits(s):
    assert _digits(to_latin(s)) == _digits(s)


@FAST
@given(texts)
def test_to_latin_idempotent(s):
    once = to_latin(s)
    assert to_latin(once) == once


groups = st.lists(st.integers(min_value=0, max_value=10**9).map(str), min_size=1, max_size=4)
seps = st.sampled_from([" ", "\u00a0", "\u2009", "\n", "  ", " \n "])


@FAST
@given(groups, st.lists(seps, min_size=3, max_size=3))
def test_parse_number_never_loses_digits(gs, sp):
    raw = gs[0] + "".join(s + g for s, g in zip(sp, gs[1:], strict=False))
    p = parse_number(raw)
    assert p.kind in ("number", "stacked")
    assert "".join(str(int(v)) for v in p.values) == "".join(gs)


@FAST
@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**4))
def test_parse_number_decimal_comma_keeps_digits(whole, frac):
    raw = f"{whole},{frac}"
    p = parse_number(raw)
    assert p.kind == "number"
    assert p.value == float(f"{whole}.{frac}")


@FAST
@given(st.text(alphabet="0123456789 ,.-–%\nabcйил", max_size=12))
def test_parse_number_keeps_every_digit(s):
    # any cell, number or text: every non-zero digit written shows up in the reported values
    p = parse_number(s)
    shown = "".join(str(int(v)) if float(v).is_integer() else repr(v) for v in p.values)
    assert not (Counter(d for d in _digits(s) if d != "0") - Counter(_digits(shown)))
