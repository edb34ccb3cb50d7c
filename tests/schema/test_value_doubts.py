"""Which flags put a row's figures in doubt (the image measure's "wrong value without a flag")."""

import pytest
from reja.schema.flags import FLAG_CODES, VALUE_DOUBT_CODES, doubts_a_value


def test_every_value_doubt_is_a_known_flag_code():
    assert VALUE_DOUBT_CODES <= set(FLAG_CODES)


@pytest.mark.parametrize(("flags", "expected"), [
    (["no_section"], False),  # says where the row stands, not what its numbers are
    (["indicator_review", "unit_unmatched: 'Г ҳужжат'"], False),
    ([], False),
    (None, False),
    (["no_section", "low_ocr_confidence: plan 30 box 1537,911,1768,1012"], True),
    (["unparsable_number: plan '1n'"], True),
    (["ocr_number: value read as '1\"'; stray marks dropped: '1' box 1,2,3,4"], True),
    (["column_review: column 5 holds '14' under a header naming no column"], True),
])
def test_a_value_is_in_doubt_only_under_a_flag_about_numbers(flags, expected):
    assert doubts_a_value(flags) is expected
