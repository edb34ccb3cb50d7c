"""Issue 16: the parser's and readers' thresholds are one validated object built from the data files,
handed down by the pipeline, and every file it is built from is in the parse key."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from reja.extract.ir import Cell, Document, Table
from reja.extract.plan import parse_plan
from reja.extract.settings import (
    SETTINGS_FILES,
    HeaderScores,
    SettingsError,
    load_parse_settings,
    settings_from,
)
from reja.schema import data_files

import reja.keys as keys

PLAN_WORDS = data_files.package_yaml("reja.extract", "plan_words.yaml")
SCAN = data_files.package_yaml("reja.extract.scan", "scan.yaml")


def test_the_settings_are_those_of_the_data_files():
    s = load_parse_settings()
    assert s == settings_from(PLAN_WORDS, SCAN)
    # the numbers as written in the data files (not reja's defaults)
    assert (s.header.match, s.header.subheader, s.header.guess) == tuple(
        float(PLAN_WORDS["header_scores"][k]) for k in ("match", "subheader", "guess"))
    assert s.low_ocr_confidence == float(PLAN_WORDS["low_ocr_confidence"])
    assert s.scan.dpi == SCAN["dpi"]


@pytest.mark.parametrize(("plan_words", "scan", "says"), [
    ({"header_scores": {"match": 85, "subheader": 80}}, {}, "header_scores"),
    ({"header_scores": {"match": 70, "subheader": 80, "guess": 65}}, {}, "guess <= subheader <= match"),
    ({"header_scores": {"match": 185, "subheader": 80, "guess": 65}}, {}, "header_scores.match"),
    ({"low_ocr_confidence": "sixty"}, {}, "low_ocr_confidence"),
    ({}, {"dpi": 30}, "dpi"),
    ({}, {"dpi": 300.5}, "dpi"),
    ({}, {"dpii": 300}, "unknown settings ['dpii']"),
])
def test_a_wrong_setting_is_refused_naming_the_file_and_key(plan_words, scan, says):
    with pytest.raises(SettingsError, match=says.replace("[", r"\[").replace("]", r"\]")):
        settings_from({**PLAN_WORDS, **plan_words}, {**SCAN, **scan})


def test_the_settings_files_are_in_the_parse_key():
    dirs = {d.resolve() for d in keys.data_dirs()}
    for package, name in SETTINGS_FILES:
        path = (data_files.data_dir(package) / name).resolve()
        assert path.parent in dirs and not data_files.match_only(path)


def _table(rows: list[list[str]]) -> Table:
    cells = [Cell(text=t, row=r, col=c) for r, row in enumerate(rows) for c, t in enumerate(row)]
    return Table(index=0, page=1, n_rows=len(rows), n_cols=len(rows[0]), cells=cells)


def test_the_parser_uses_the_settings_it_is_given():
    """Headers written a little off ("Bajariladigan ishlar mazmun", "Olchov birlik", "Otkazish
    muddati": 88-97 points) make a header at the data files' scores; with every score at 100 only
    exact labels count, the row is no header and the deadlines are not read as deadlines."""
    rows = [["№", "Bajariladigan ishlar mazmun", "Olchov birlik", "Otkazish muddati"],
            ["1", "Kitob ko'rgazmasi", "ta", "Yanvar"],
            ["2", "Kitobxonlar klubi", "ta", "Fevral"]]
    doc = Document(source="t.docx", format="docx", blocks=[_table(rows)])
    default = parse_plan(doc)
    strict = parse_plan(doc, replace(load_parse_settings(), header=HeaderScores(100, 100, 100)))
    assert [i.deadline for i in default.items] == ["Yanvar", "Fevral"]
    assert [i.deadline for i in strict.items] != ["Yanvar", "Fevral"]


def test_the_low_ocr_confidence_setting_flags_items():
    rows = [["№", "Tadbirlar", "O'lchov birligi"], ["1", "Kitob ko'rgazmasi", "ta"]]
    table = _table(rows)
    for c in table.cells:
        if c.row == 1:
            c.confidence = 62.0
    doc = Document(source="t.pdf", format="scan", blocks=[table])
    flagged = lambda s: any(f.startswith("low_ocr_confidence") for i in parse_plan(doc, s).items for f in i.flags)  # noqa: E731
    base = load_parse_settings()
    assert flagged(replace(base, low_ocr_confidence=70))
    assert not flagged(replace(base, low_ocr_confidence=50))


def test_no_module_keeps_its_own_header_score_constant():
    src = (Path(__file__).resolve().parents[2] / "extract" / "header.py").read_text(encoding="utf-8")
    assert "MATCH_SCORE" not in src and "SUBHEADER_SCORE" not in src and "GUESS_SCORE" not in src


def test_the_readers_use_the_settings_they_are_given(tmp_path):
    """read_document hands its settings to the readers: the workbook reader finds the plan header
    (written a little off, as above) at the data files' scores and none when every score is 100;
    the lineless-PDF reader likewise finds its header band or no table."""
    import openpyxl
    from reja.extract.pdf_lineless import lineless_table
    from reja.extract.readers import read_document

    wb = openpyxl.Workbook()
    for row in [["Izboskan tumani 2025-yil ish rejasi"], [], ["№", "Bajariladigan ishlar mazmun", "Olchov birlik",
                "Otkazish muddati"], ["1", "Kitob ko'rgazmasi", "ta", "Yanvar"], ["2", "Kitobxonlar klubi", "ta", "Fevral"]]:
        wb.active.append(row)
    wb.save(tmp_path / "plan.xlsx")
    strict = replace(load_parse_settings(), header=HeaderScores(100, 100, 100))
    found = read_document(tmp_path / "plan.xlsx", settings=load_parse_settings())
    assert [t.n_rows for t in found.tables] == [3] and not found.warnings  # the title above the header cut off
    none = read_document(tmp_path / "plan.xlsx", settings=strict)
    assert [t.n_rows for t in none.tables] == [5] and "none with a №/activity header" in none.warnings[0]

    def word(text, x0, top):
        return {"text": text, "x0": x0, "x1": x0 + 5.5 * len(text), "top": top, "bottom": top + 10.0}

    words = [word("№", 40, 100), word("Mazmun", 80, 100), word("Birlik", 300, 100), word("Muddat", 450, 100),
             word("1.", 40, 125), word("Kitob", 80, 125), word("nusxa", 300, 125), word("Yanvar", 450, 125),
             word("2.", 40, 150), word("Obuna", 80, 150), word("nom", 300, 150), word("Fevral", 450, 150)]
    assert lineless_table(words, 1, scores=load_parse_settings().header) is not None
    assert lineless_table(words, 1, scores=strict.header) is None
