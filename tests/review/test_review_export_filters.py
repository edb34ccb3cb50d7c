"""`reja review export --region/--district/--year`: a regional clerk's workbook holds only the plans asked for.

Two committed samples in one store: Izboskan's 2025 plan (Andijon region) and Jondor's 2021 plan
(Buxoro region) — regions and years as the documents' title blocks state them."""

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from reja.cli import app

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    import shutil

    from reja.api import import_paths

    work = tmp_path_factory.mktemp("two_regions")
    for name in ("izboskan_2025.docx", "jondor_2021.docx"):
        shutil.copy(SAMPLES / name, work / name)
    db = work / "reja.sqlite"
    import_paths([work / "izboskan_2025.docx", work / "jondor_2021.docx"], db=db)
    return db


def _files_of(store, tmp_path, *args) -> list[str]:
    book = tmp_path / "review.xlsx"
    result = CliRunner().invoke(app, ["review", "export", str(book), "--db", str(store), *args])
    assert result.exit_code == 0, result.output
    ws = load_workbook(book, read_only=True)["Review"]
    rows = list(ws.iter_rows(values_only=True))
    column = rows[0].index("source_file")
    return [Path(row[column]).name for row in rows[1:] if row[column]]


def test_every_flagged_row_of_both_plans_without_a_filter(store, tmp_path):
    files = _files_of(store, tmp_path)
    assert {"izboskan_2025.docx", "jondor_2021.docx"} <= set(files)


@pytest.mark.parametrize("args, kept", [
    (("--region", "Buxoro"), "jondor_2021.docx"),
    (("--region", "Бухоро вилояти"), "jondor_2021.docx"),  # the other script, with its designator
    (("--region", "Andijon viloyati"), "izboskan_2025.docx"),
    (("--year", "2025"), "izboskan_2025.docx"),
    (("--region", "Buxoro", "--year", "2021"), "jondor_2021.docx"),
    (("--district", "Jondor"), "jondor_2021.docx"),
    (("--district", "Izboskan tumani"), "izboskan_2025.docx"),
    (("--district", "Избоскан"), "izboskan_2025.docx"),
])
def test_a_filter_keeps_exactly_the_flagged_rows_of_the_plans_it_names(store, tmp_path, args, kept):
    every = _files_of(store, tmp_path)
    chosen = _files_of(store, tmp_path, *args)
    assert chosen and set(chosen) == {kept}
    assert len(chosen) == every.count(kept)


def test_a_filter_naming_no_plan_writes_an_empty_workbook(store, tmp_path):
    assert _files_of(store, tmp_path, "--region", "Buxoro", "--year", "2025") == []
    assert _files_of(store, tmp_path, "--district", "Gijduvon") == []  # Buxoro region, no plan in the store


@pytest.mark.parametrize("args, said", [
    (("--region", "Atlantida"), "names no region"),
    (("--district", "Atlantida"), "names no district or city"),
    (("--all", "--region", "Buxoro"), "--all"),
    (("--all", "--district", "Jondor"), "--all"),
])
def test_a_region_that_is_not_one_place_or_a_filter_with_all_is_a_usage_error(store, tmp_path, args, said):
    book = tmp_path / "review.xlsx"
    result = CliRunner().invoke(app, ["review", "export", str(book), "--db", str(store), *args])
    assert result.exit_code == 2, result.output
    assert said in result.output and not book.exists()
