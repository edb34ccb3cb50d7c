"""Typed PDF plans whose table has no ruling lines, only a rule under the header, or only horizontal
rules: the same items as the bordered rendering of the same plan (issue 17). Each PDF is rendered by
LibreOffice from a DOCX written from a spec (typed_plan_fixtures); expected rows are the spec's."""

from __future__ import annotations

import shutil

import pytest
from reja.extract.pdf_lineless import lineless_table
from reja.extract.settings import load_parse_settings

from reja.pipeline import parse_file
from tests.extract.typed_plan_fixtures import expected_rows, got_rows, make_spec, to_pdf, write_docx

SCORES = load_parse_settings().header

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="the PDFs are rendered by LibreOffice")


@pytest.mark.parametrize(("borders", "header"), [
    ("none", "uz_latn"), ("header_rule", "uz_cyrl"), ("horizontal", "ru"), ("none", "ru"), ("all", "uz_latn"),
])
def test_every_styling_gives_the_spec_items(tmp_path, borders, header):
    # nine items a section: the table runs onto a second page without its header, and a row whose
    # wrapped text is cut by the page break is stitched
    spec = make_spec(n_sections=2, per_section=9, borders=borders, header=header)
    pdf = to_pdf(write_docx(spec, tmp_path / "reja.docx"), tmp_path)
    plan = parse_file(pdf)
    assert got_rows(plan) == expected_rows(spec)
    assert (plan.meta.year, plan.meta.district) == (spec.year, spec.district)
    assert {(i.fact_year, i.plan_year) for i in plan.items} == {(spec.year - 1, spec.year)}


def _word(text, x0, top, size=10.0):
    return {"text": text, "x0": x0, "x1": x0 + 5.5 * len(text), "top": top, "bottom": top + size}


def test_columns_come_from_the_header_and_the_aligned_rows():
    # a header over five columns, a wrapped text cell, and a row whose number column is left empty
    words = [
        _word("№", 40, 100), _word("Nomi", 80, 100), _word("Birligi", 300, 100), _word("Reja", 380, 100),
        _word("Muddati", 450, 100),
        _word("1.", 40, 125), _word("Kitob", 80, 125), _word("fondini", 115, 125), _word("nusxa", 300, 125),
        _word("1750", 380, 125), _word("Yil", 450, 125), _word("davomida", 472, 125),
        _word("to'ldirish", 80, 137),
        _word("2.", 40, 160), _word("Obuna", 80, 160), _word("nom", 300, 160), _word("12", 380, 160),
        _word("Har", 450, 160), _word("oy", 472, 160),
    ]
    table, columns, _ = lineless_table(words, page_no=1, scores=SCORES)
    assert len(columns.ranges) == 5
    rows = [table.row_texts(r) for r in range(table.n_rows)]
    assert rows == [
        ["№", "Nomi", "Birligi", "Reja", "Muddati"],
        ["1.", "Kitob fondini\nto'ldirish", "nusxa", "1750", "Yil davomida"],
        ["2.", "Obuna", "nom", "12", "Har oy"],
    ]


def test_a_page_without_a_header_continues_the_columns_of_the_page_before():
    head = [_word("№", 40, 100), _word("Nomi", 80, 100), _word("Birligi", 300, 100), _word("Reja", 380, 100)]
    first = head + [_word("1.", 40, 125), _word("Kitob", 80, 125), _word("nusxa", 300, 125), _word("5", 380, 125)]
    _, columns, _ = lineless_table(first, page_no=1, scores=SCORES)
    page2 = [_word("2.", 40, 60), _word("Obuna", 80, 60), _word("nom", 300, 60), _word("12", 380, 60)]
    table, _, _ = lineless_table(page2, page_no=2, carried=columns, scores=SCORES)
    assert table.row_texts(0) == ["2.", "Obuna", "nom", "12"]
    assert lineless_table(page2, page_no=2, scores=SCORES) is None  # no header, nothing carried: no table invented


def test_a_wrapped_row_whose_second_line_fills_three_columns_stays_one_row():
    words = [
        _word("№", 40, 100), _word("Nomi", 80, 100), _word("Muddati", 300, 100), _word("Mas'ullar", 400, 100),
        _word("1.", 40, 125), _word("Kitob", 80, 125), _word("Yil", 300, 125), _word("Bo'lim", 400, 125),
        _word("fondi", 80, 137), _word("davomida", 300, 137), _word("mudiri", 400, 137),
        _word("2.", 40, 160), _word("Obuna", 80, 160), _word("Har", 300, 160), _word("Direktor", 400, 160),
    ]
    table, _, _ = lineless_table(words, page_no=1, scores=SCORES)
    assert [table.row_texts(r) for r in range(1, table.n_rows)] == [
        ["1.", "Kitob\nfondi", "Yil\ndavomida", "Bo'lim\nmudiri"],
        ["2.", "Obuna", "Har", "Direktor"],
    ]
