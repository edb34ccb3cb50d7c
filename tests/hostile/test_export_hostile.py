"""Exports under attack or accident (issue 24, cases 7, 9, 11, 12): a set switched in whole or not at
all, no temporaries left by a killed export, a data package `frictionless validate` accepts, text too
long for an Excel cell cut visibly and flagged, and files as readable as the store."""

from __future__ import annotations

import json
import os
import stat

import openpyxl
import pandas as pd
import pytest
from reja.extract.model import ParsedPlan, PlanItem, PlanMeta

from reja.batch import run_import
from reja.export import EXCEL_CELL_MAX, EXPORT_NAMES, STAGING_PREFIX, export_dataset

LONG_TEXT = "Kitobxonlar bilan uchrashuv. " * 36_000  # ~1 MB in one cell


def _parse(path):
    name = path.name
    items = [PlanItem(item_no=str(i), text=f"Tadbir {i}", unit="marta", plan_raw=str(i), plan_value=float(i))
             for i in range(1, 5)]
    items[0].flags.append("unsure_number: plan 1")
    if name.startswith("long"):
        items[1].text = LONG_TEXT
    if name.startswith("formula"):
        items[2].text = '=HYPERLINK("http://x.invalid","ok")'
    return ParsedPlan(source=name, format="docx", meta=PlanMeta(district=f"{path.stem} tumani", year=2025),
                      items=items)


@pytest.fixture
def store(tmp_path, monkeypatch):
    import reja.enrich
    import reja.worker

    monkeypatch.setattr(reja.enrich, "enrich_rows",
                        lambda rows, **kw: {"region_id": None, "district_id": None, "flags": []})
    monkeypatch.setattr(reja.worker, "warm_up", lambda: None)
    folder = tmp_path / "in"
    folder.mkdir()
    for name, data in (("long.docx", b"l"), ("formula.docx", b"f"), ("plain.docx", b"p"), ("empty.docx", b"")):
        (folder / name).write_bytes(data)  # the empty one fails: a failed document in documents
    db = tmp_path / "reja.sqlite"
    run_import([folder], db=db, parse=_parse)
    return db


def _snapshot(out):
    return {p.name: p.read_bytes() for p in out.iterdir()}


# -- 9. a valid data package -------------------------------------------------------------------------
def test_the_data_package_passes_frictionless_validate(store, tmp_path):
    frictionless = pytest.importorskip("frictionless")  # a dev dependency (pyproject [dev])
    out = tmp_path / "out"
    export_dataset(store, out)
    report = frictionless.validate(str(out / "datapackage.json"))
    errors = [e.message for task in report.tasks for e in task.errors] + [e.message for e in report.errors]
    assert report.valid, errors[:5]
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["name"] for r in package["resources"]} >= {"items", "documents", "workbook"}
    items = pd.read_csv(out / "items.csv", encoding="utf-8-sig", keep_default_na=False)
    assert (items["flags"] == "").any()  # clean rows with empty flags are in it, and still valid


# -- 11. text too long for a cell ------------------------------------------------------------------------
def test_an_over_long_cell_is_cut_with_a_marker_and_flagged_in_the_workbook_only(store, tmp_path):
    out = tmp_path / "out"
    export_dataset(store, out)
    ws = openpyxl.load_workbook(out / "reja.xlsx", read_only=True)["items"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    text_col, flags_col = header.index("text"), header.index("flags")
    [long_row] = [r for r in rows[1:] if (r[text_col] or "").startswith("Kitobxonlar bilan uchrashuv. Kitob")]
    assert len(long_row[text_col]) <= EXCEL_CELL_MAX
    assert long_row[text_col].endswith(f"[cut: {len(LONG_TEXT)} characters in all, Excel holds {EXCEL_CELL_MAX}]")
    assert "cut_in_xlsx: text" in long_row[flags_col]
    others = [r for r in rows[1:] if r is not long_row and r[text_col] is not None]
    assert not any("cut_in_xlsx" in (r[flags_col] or "") for r in others)
    parquet = pd.read_parquet(out / "items.parquet")
    assert LONG_TEXT in parquet["text"].tolist()  # the dataset keeps all of it
    assert not parquet["flags"].str.contains("cut_in_xlsx").any()


def test_the_review_workbook_cuts_and_flags_too(store, tmp_path):
    from reja.api import load_items
    from reja.review.excel import export_workbook

    items = load_items(store)
    items.loc[items["text"] == LONG_TEXT, "status"] = "flagged"
    export_workbook(items, tmp_path / "review.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "review.xlsx")["Review"]
    header = [c.value for c in ws[1]]
    texts = [(row[header.index("text")].value, row[header.index("flags")].value) for row in ws.iter_rows(min_row=2)]
    [(text, flags)] = [(t, f) for t, f in texts if t and t.startswith("Kitobxonlar")]
    assert len(text) <= EXCEL_CELL_MAX and text.endswith("Excel holds 32767]")
    assert "cut_in_xlsx: text" in flags


# -- 7. the set switched in whole --------------------------------------------------------------------
@pytest.mark.parametrize("phase", ["moving the old one aside", "moving the new one in"])
@pytest.mark.parametrize("locked", ["reja.xlsx", "items.csv", "datapackage.json"])
def test_a_file_that_cannot_be_replaced_leaves_the_whole_previous_export(store, tmp_path, monkeypatch, locked, phase):
    """On Windows a file open in Excel cannot be renamed or replaced; an immutable file neither. The
    previous export must stay whole: not a new reja.xlsx next to an old items.csv."""
    import reja.export

    out = tmp_path / "out"
    export_dataset(store, out)
    (out / "notes.txt").write_text("the analyst's own file")  # never touched
    before = _snapshot(out)
    real_replace = os.replace
    blocked = (out / locked, "src") if phase == "moving the old one aside" else (out / locked, "dst")

    failed = []

    def replace(src, dst):  # fails once, like a file Excel held for a moment
        path, side = blocked
        if not failed and os.fspath(src if side == "src" else dst) == os.fspath(path):
            failed.append(path)
            raise PermissionError(13, "The process cannot access the file because it is being used", str(path))
        return real_replace(src, dst)

    monkeypatch.setattr(reja.export.os, "replace", replace)
    con = __import__("sqlite3").connect(store)
    con.execute("UPDATE items SET text = 'Yangi tadbir' WHERE item_index = 3")
    con.commit()
    con.close()
    with pytest.raises(PermissionError):
        export_dataset(store, out)
    assert _snapshot(out) == before  # every old file byte for byte, and no staging folder left


def test_a_killed_export_leaves_nothing_that_the_next_one_does_not_clean(store, tmp_path):
    out = tmp_path / "out"
    export_dataset(store, out)
    dead = 2 ** 22 + 12345  # above pid_max on most systems: no process has it
    stale = out / f"{STAGING_PREFIX}{dead}-abc123"
    stale.mkdir()
    (stale / "items.csv").write_text("half")
    (out / ".items.csv.k2j3h4.tmp").write_text("from an older reja")
    export_dataset(store, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(EXPORT_NAMES)


def test_an_export_killed_during_the_switch_is_completed_by_the_next_one(store, tmp_path):
    """Killed after moving the old items.csv aside, before moving the new one in: the next export
    finds the complete staging folder and finishes the switch, so no file is ever missing for good."""
    out = tmp_path / "out"
    export_dataset(store, out)
    dead = 2 ** 22 + 12346
    stale = out / f"{STAGING_PREFIX}{dead}-xyz"
    (stale / "old").mkdir(parents=True)
    os.replace(out / "items.csv", stale / "old" / "items.csv")
    (stale / "items.csv").write_text("the new one")
    (stale / ".complete").touch()
    from reja.export import clean_stale_exports

    clean_stale_exports(out)
    assert (out / "items.csv").read_text() == "the new one" and not stale.exists()


def test_a_live_exports_staging_folder_is_left_alone(tmp_path):
    from reja.export import clean_stale_exports

    live = tmp_path / f"{STAGING_PREFIX}{os.getppid()}-abc"
    live.mkdir()
    clean_stale_exports(tmp_path)
    assert live.exists()


# -- 12. readable like the store ---------------------------------------------------------------------
def test_exports_have_the_permissions_of_the_store(store, tmp_path):
    out = tmp_path / "out"
    os.chmod(store, 0o644)
    old_umask = os.umask(0o077)  # a strict umask must not make the exports private when the store is not
    try:
        export_dataset(store, out)
    finally:
        os.umask(old_umask)
    for name in EXPORT_NAMES:
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o644, name
    os.chmod(store, 0o600)
    export_dataset(store, out)
    assert stat.S_IMODE((out / "items.csv").stat().st_mode) == 0o600
