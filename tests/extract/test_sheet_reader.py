"""Plans kept as workbooks (XLSX/XLSM, and XLS/ODS through LibreOffice): each workbook is written
here with openpyxl from a small spec, and the expected items, metadata and warnings are the spec's."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from reja.extract.errors import EncryptedFile
from reja.extract.limits import Limits
from reja.extract.readers import read_document

from reja.pipeline import parse_file

HAS_SOFFICE = shutil.which("soffice") is not None


@dataclass
class Spec:
    district: str = "Paxtaobod tumani"
    year: int = 2024
    approver: str = "N.Burxonov"
    agreer: str = "A.Valiyev"
    # (no, text, unit, fact, plan) — plan may be a formula string "=D12+3" with its expected value
    items: list[tuple] = field(default_factory=lambda: [
        ("1.", "Kitob fondini to'ldirish", "nusxa", 1075, 1750),
        ("2.", "Davriy nashrlarga obuna", "nom", 12, 14),
        ("3.", "Kitobxonlar konferensiyasi", "tadbir", 2, 3),
    ])
    number_format: str | None = "# ##0"  # how the plan values are displayed
    hidden_item: bool = False  # one more item row, hidden
    hidden_column: bool = False  # a hidden old unit column before the unit column (read, it would win)
    extra_sheets: tuple[str, ...] = ()  # sheets before the plan sheet with no plan table
    formula_total: bool = False  # a last item whose plan value is =SUM of the others, saved without a value


def _write(spec: Spec, path: Path) -> Path:
    wb = openpyxl.Workbook()
    first = wb.active
    for k, title in enumerate(spec.extra_sheets):
        ws = first if k == 0 else wb.create_sheet()
        ws.title = title
        ws["A1"], ws["B1"] = "Izoh", "Reja ilovasi"
    ws = wb.create_sheet("Reja") if spec.extra_sheets else first
    if not spec.extra_sheets:
        ws.title = "Reja"
    # title block: the two signature blocks side by side, each in merged cells
    for row, (left, right) in enumerate([
        ("KELISHILDI", "TASDIQLAYMAN"),
        ("Tuman hokimi o'rinbosari", f"{spec.district} AKM direktori"),
        (spec.agreer, spec.approver),
        (f"{spec.year - 1}-yil 28-dekabr", f"{spec.year - 1}-yil 29-dekabr"),
    ], start=1):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        ws.merge_cells(start_row=row, start_column=5, end_row=row, end_column=8)
        ws.cell(row, 1, left)
        ws.cell(row, 5, right)
    ws.merge_cells("A6:H6")
    ws["A6"] = f"{spec.district} axborot-kutubxona markazining {spec.year}-yilga mo'ljallangan ISH REJASI"
    # two-row header: "Miqdori" over the fact and plan years, the others merged down
    for c, text in enumerate(["№", "Nomi", "O'lchov birligi", "Miqdori", None, "Amalga oshirish mexanizmi",
                              "Bajarilish muddati", "Mas'ullar"], start=1):
        if text:
            ws.cell(8, c, text)
        if c not in (4, 5):
            ws.merge_cells(start_row=8, start_column=c, end_row=9, end_column=c)
    ws.merge_cells("D8:E8")
    ws.cell(9, 4, f"{spec.year - 1}- yil (fakt)")
    ws.cell(9, 5, f"{spec.year}- yil (reja)")
    ws.merge_cells("A10:H10")
    ws["A10"] = "I. KITOB FONDI BILAN ISHLASH"
    r = 11
    rows = list(spec.items)
    if spec.hidden_item:
        rows.insert(1, ("9.", "Yashirin qator", "nusxa", 1, 1))
    for no, text, unit, fact, plan in rows:
        for c, v in enumerate([no, text, unit, fact, plan, "Reja asosida", "Yil davomida", "Direktor"], start=1):
            cell = ws.cell(r, c, v)
            if c in (4, 5) and spec.number_format:
                cell.number_format = spec.number_format
        if no == "9.":
            ws.row_dimensions[r].hidden = True
        r += 1
    if spec.formula_total:
        ws.cell(r, 1, f"{len(spec.items) + 1}.")
        ws.cell(r, 2, "Jami tadbirlar")
        ws.cell(r, 3, "tadbir")
        ws.cell(r, 4, 0)
        ws.cell(r, 5, f"=SUM(E11:E{r - 1})")
    if spec.hidden_column:  # an old unit column kept hidden at the right, moved before the unit column
        ws.cell(8, 9, "O'lchov birligi")
        ws.merge_cells(start_row=8, start_column=9, end_row=9, end_column=9)
        for k in range(11, r):
            ws.cell(k, 9, "ESKI")
        ws.column_dimensions["I"].hidden = True
        _move_column_first(ws, 9, before=3)
    wb.save(path)
    return path


def _move_column_first(ws, col: int, before: int) -> None:
    """Move column `col` to position `before` (values, merges and hidden state), shifting the rest."""
    from openpyxl.utils import get_column_letter

    values = {(r, c): ws.cell(r, c).value for r in range(1, ws.max_row + 1) for c in range(1, col + 1)}
    merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
    for m in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(m))
    order = list(range(1, before)) + [col] + list(range(before, col))
    new_of = {old: new for new, old in enumerate(order, start=1)}
    for (r, c), v in values.items():
        ws.cell(r, new_of[c]).value = v
    for r0, c0, r1, c1 in merges:
        ws.merge_cells(start_row=r0, start_column=new_of[c0], end_row=r1, end_column=new_of[c1])
    ws.column_dimensions[get_column_letter(col)].hidden = False
    ws.column_dimensions[get_column_letter(before)].hidden = True


def _expected(spec: Spec) -> list[tuple]:
    want = [(no.rstrip("."), text, unit, float(fact), float(plan)) for no, text, unit, fact, plan in spec.items]
    if spec.formula_total:
        want.append((str(len(spec.items) + 1), "Jami tadbirlar", "tadbir", 0.0,
                     float(sum(i[4] for i in spec.items))))
    return want


def _got(plan) -> list[tuple]:
    return [(i.item_no, i.text, i.unit, i.fact_value, i.plan_value) for i in plan.items]


def test_a_plan_workbook_reads_items_values_and_title_block(tmp_path):
    spec = Spec()
    plan = parse_file(_write(spec, tmp_path / "reja.xlsx"))
    assert _got(plan) == _expected(spec)
    assert {(i.fact_year, i.plan_year) for i in plan.items} == {(spec.year - 1, spec.year)}
    meta = plan.meta
    assert (meta.year, meta.district, meta.approved_by, meta.agreed_by) == (
        spec.year, spec.district, spec.approver, spec.agreer)
    assert plan.format == "xlsx"
    assert {i.section_no for i in plan.items} == {"I"}


def test_numbers_stay_numbers_whatever_their_display_format(tmp_path):
    spec = Spec(number_format='#,##0.00 "nusxa"', items=[("1.", "Kitob fondi", "nusxa", 1075, 1750),
                                                         ("2.", "Yarim stavka", "stavka", 0.5, 0.75)])
    plan = parse_file(_write(spec, tmp_path / "reja.xlsx"))
    assert _got(plan) == _expected(spec)
    assert all("unsure_number" not in " ".join(i.flags) for i in plan.items)


def test_hidden_rows_and_columns_are_left_out_and_counted(tmp_path):
    spec = Spec(hidden_item=True, hidden_column=True)
    plan = parse_file(_write(spec, tmp_path / "reja.xlsx"))
    assert _got(plan) == _expected(spec)  # the hidden item and the helper column are not read
    assert any("1 hidden row(s) and 1 hidden column(s)" in w for w in plan.warnings)


def test_the_plan_sheet_is_found_by_content_and_the_others_are_named(tmp_path):
    spec = Spec(extra_sheets=("Muqova", "Ilova"))
    plan = parse_file(_write(spec, tmp_path / "reja.xlsx"))
    assert _got(plan) == _expected(spec)
    said = " ".join(plan.warnings)
    assert "sheet 'Reja'" in said and "'Muqova'" in said and "'Ilova'" in said


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice computes formulas saved without a value")
def test_a_formula_without_a_saved_value_is_computed_never_read_as_zero(tmp_path):
    spec = Spec(formula_total=True)
    plan = parse_file(_write(spec, tmp_path / "reja.xlsx"))  # openpyxl saves formulas without values
    assert _got(plan) == _expected(spec)


def test_a_formula_that_cannot_be_computed_is_flagged_not_zero(tmp_path):
    spec = Spec(formula_total=True)
    path = _write(spec, tmp_path / "reja.xlsx")
    plan = parse_file(path, limits=Limits(soffice_command="no-such-libreoffice"))
    total = plan.items[-1]
    assert total.text == "Jami tadbirlar"
    assert total.plan_value is None
    assert any(f.startswith("formula_uncached") and "E14" in f for f in total.flags)
    assert _got(plan)[:-1] == _expected(spec)[:-1]


def test_a_workbook_with_no_plan_table_says_what_it_found(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Лист1"
    wb.active.append(["Kitoblar ro'yxati", "soni"])
    wb.active.append(["Alisher Navoiy", 3])
    wb.create_sheet("Лист2")
    wb.create_sheet("Лист3")
    path = tmp_path / "royxat.xlsx"
    wb.save(path)
    plan = parse_file(path)
    assert plan.items == []
    said = " ".join(plan.warnings)
    assert "3 sheet(s), none with a №/activity header" in said
    assert "sheet 'Лист1' has 2 column(s)" in said


def test_a_password_protected_workbook_is_encrypted_file(tmp_path):
    # what Excel writes for a workbook with a password: an OLE2 file with an EncryptedPackage stream
    ole = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    for stream in ("EncryptionInfo", "EncryptedPackage"):
        ole += stream.encode("utf-16-le").ljust(128, b"\0")
    path = tmp_path / "reja.xlsx"
    path.write_bytes(bytes(ole) + b"\0" * 1024)
    with pytest.raises(EncryptedFile) as info:
        read_document(path)
    assert "password" in info.value.cause


def test_an_xlsm_is_read_like_an_xlsx(tmp_path):
    spec = Spec()
    path = _write(spec, tmp_path / "reja.xlsx")
    macro = tmp_path / "reja.xlsm"
    shutil.copyfile(path, macro)
    assert _got(parse_file(macro)) == _expected(spec)


@pytest.mark.skipif(not HAS_SOFFICE, reason="XLS and ODS are read through LibreOffice")
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods_read_through_libreoffice(tmp_path, fmt):
    spec = Spec(hidden_item=True)
    src = _write(spec, tmp_path / "reja.xlsx")
    out = tmp_path / "out"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", fmt, "--outdir", str(out), str(src)], check=True, capture_output=True,
                   timeout=180)
    converted = out / f"reja.{fmt}"
    renamed = tmp_path / "reja.dat"  # by content, not by name
    shutil.copyfile(converted, renamed)
    plan = parse_file(renamed)
    assert plan.format == fmt
    assert _got(plan) == _expected(spec)
    assert plan.meta.year == spec.year and plan.meta.approved_by == spec.approver


def test_the_import_says_what_a_workbook_without_a_plan_holds(tmp_path):
    from reja.batch import default_parse, process_document

    wb = openpyxl.Workbook()
    wb.active.title = "Лист1"
    wb.active.append(["Kitoblar ro'yxati", "soni"])
    path = tmp_path / "royxat.xlsx"
    wb.save(path)
    result = process_document(default_parse, {"path": str(path), "document_id": "d1", "display": path.name,
                                               "source_key": path.name})
    assert result["code"] == "no_items"
    assert "1 sheet(s), none with a №/activity header; sheet 'Лист1' has 2 column(s)" in result["reason"]
