"""The real pipeline (readers + parser) behind the batch: a folder with a corrupt and an encrypted
file imports the rest and names both; the command line's exit codes."""

import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pypdf
import pytest
from typer.testing import CliRunner

from reja.api import import_paths, load_documents, load_items
from reja.cli import app

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
DOCX = SAMPLES / "izboskan_2025.docx"
EXPECTED = SAMPLES / "expected" / "izboskan_2025.json"



def _expected_items() -> int:
    data = json.loads(EXPECTED.read_text(encoding="utf-8"))
    return len(data["items"])


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "from_districts"
    folder.mkdir()
    shutil.copy(DOCX, folder / "izboskan_2025.docx")
    (folder / "jondor_2021.docx").write_bytes(b"PK\x03\x04 this zip was cut off in the messenger" + bytes(200))
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("parol")
    with open(folder / "kogon_2024.pdf", "wb") as fh:
        writer.write(fh)
    return folder


def test_folder_with_corrupt_and_encrypted_files_imports_the_rest_and_names_both(folder, tmp_path):
    report = import_paths([folder], db=tmp_path / "reja.sqlite", out=tmp_path / "out")
    by_name = {Path(f.source_file).name: f for f in report.files}
    assert by_name["izboskan_2025.docx"].status in ("ok", "partial")
    assert by_name["izboskan_2025.docx"].n_items == _expected_items()
    assert by_name["jondor_2021.docx"].status == "failed"
    assert by_name["jondor_2021.docx"].error_code in ("corrupt_file", "unsupported_format")
    assert by_name["kogon_2024.pdf"].error_code == "encrypted_file"
    summary = report.summary()
    assert "jondor_2021.docx" in summary and "kogon_2024.pdf" in summary
    assert report.exit_code == 4
    items = pd.read_parquet(tmp_path / "out" / "items.parquet")
    assert len(items) == _expected_items()
    assert items["district"].iloc[0] == "Izboskan tumani" and items["year"].iloc[0] == 2025


def test_cli_import_exit_codes_and_export(tmp_path, folder):
    runner = CliRunner()
    db = tmp_path / "reja.sqlite"
    result = runner.invoke(app, ["import", str(folder), "--db", str(db)])
    assert result.exit_code == 4, result.output
    assert "encrypted_file" in result.output and "kogon_2024.pdf" in result.output
    # only the good plan: done, and rows need review or not — never the failure code
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(DOCX, good / "izboskan_2025.docx")
    result = runner.invoke(app, ["import", str(good), "--db", str(tmp_path / "good.sqlite")])
    flagged = (load_items(tmp_path / "good.sqlite")["status"] == "flagged").any()
    assert result.exit_code == (3 if flagged else 0), result.output
    result = runner.invoke(app, ["export", "--db", str(db), "--out", str(tmp_path / "exp")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "exp" / "datapackage.json").exists()
    assert runner.invoke(app, ["import", str(tmp_path / "missing.docx")]).exit_code == 2
    assert "130" in runner.invoke(app, ["import", "--help"]).output


def test_zip_of_plans_imports_its_members(tmp_path):
    archive = tmp_path / "andijon.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(DOCX, "izboskan/izboskan_2025.docx")
    report = import_paths(archive, db=tmp_path / "reja.sqlite")
    assert [f.source_file for f in report.files] == [f"{archive}!izboskan/izboskan_2025.docx"]
    docs = load_documents(tmp_path / "reja.sqlite")
    assert docs["n_items"].tolist() == [_expected_items()]
