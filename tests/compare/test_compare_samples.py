"""Issue 9's yardstick: the Jondor 2021 and Izboskan 2025 samples compared for real. Expected
shared indicators are the cross-plan pairs written by hand in docs/catalogue_mapping.md."""

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from reja.api import import_paths, load_items
from reja.compare import compare, write_html, write_xlsx
from tests.browser import chromium_driver

ROOT = Path(__file__).resolve().parents[2]

# pairs from docs/catalogue_mapping.md (2025 item ↔ 2021 item), with the 2025 plan's own values
HAND_PAIRS = {"classification": (373, 750), "digitising": (3135, 4000), "info_security": (4, 4)}


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    work = tmp_path_factory.mktemp("compare")
    for name in ("izboskan_2025.docx", "jondor_2021.docx"):
        shutil.copy(ROOT / "samples" / name, work / name)
    db = work / "reja.sqlite"
    import_paths([work], db=db)
    return compare(load_items(db), years=[2021, 2025]), work


def test_shared_indicators_sit_side_by_side(comparison):
    result, _ = comparison
    assert list(result.plans["plan"]) == ["Jondor tumani 2021", "Izboskan tumani 2025"]
    side = result.side_by_side.set_index("indicator_id")
    for indicator, (fact, plan) in HAND_PAIRS.items():
        assert side.loc[indicator, "plans"] == 2, indicator
        assert side.loc[indicator, "Izboskan tumani 2025: fact"] == fact
        assert side.loc[indicator, "Izboskan tumani 2025: plan"] == plan
    assert side.loc["digitising", "Jondor tumani 2021: plan"] == 5  # 2021 item 10.6, "2021 йил режа" column


def test_report_renders_in_chromium_and_xlsx_reads_back_the_same_numbers(comparison):
    result, work = comparison
    from reja.i18n import use_language

    with use_language("uz"):  # the language a regional centre reads
        html = write_html(result, work / "compare.html")
    xlsx = write_xlsx(result, work / "compare.xlsx")
    side = pd.read_excel(xlsx, sheet_name="Side by side").set_index("indicator_id")
    for indicator, (fact, plan) in HAND_PAIRS.items():
        assert side.loc[indicator, "Izboskan tumani 2025: plan"] == plan
        assert side.loc[indicator, "Izboskan tumani 2025: fact"] == fact
    driver = chromium_driver(1300, 2000)
    try:
        driver.get(html.as_uri())
        shared_rows = driver.find_elements("css selector", "#shared-table tr")
        assert len(shared_rows) - 1 == int(result.presence[list(result.plans["plan"])].all(axis=1).sum())
        assert driver.find_elements("css selector", ".figure svg"), "charts did not render"
        text = driver.find_element("id", "shared").text
        assert "Umumiy ko‘rsatkichlar" in text  # the report speaks Uzbek by default
        shots = os.environ.get("REJA_SCREENSHOT_DIR")
        if shots:
            driver.save_screenshot(str(Path(shots) / "compare_report.png"))
        link = driver.find_element("css selector", '#shared-table a[href^="#src-izboskan-tumani-2025-classification"]')
        link.click()
        assert driver.execute_script("return location.hash") == "#src-izboskan-tumani-2025-classification"
    finally:
        driver.quit()


def test_cli_says_which_asked_for_plan_is_missing_and_exits_8(comparison):
    """Only a 2021 plan of Jondor exists: asking for 2021 and 2025 must not answer "89 shared by all"."""
    from typer.testing import CliRunner

    from reja.cli import app

    _, work = comparison
    result = CliRunner().invoke(app, ["compare", "--db", str(work / "reja.sqlite"), "--years", "2021",
                                      "2025", "--district", "Jondor", "--out", str(work / "cmp-missing")])
    assert result.exit_code == 8, result.output
    assert "no plan for 2025" in result.output
    assert (work / "cmp-missing" / "compare.html").is_file()  # what exists is still compared


def test_cli_district_without_apostrophe_or_in_cyrillic_is_found(comparison):
    from typer.testing import CliRunner

    from reja.cli import app

    _, work = comparison
    for typed in ("Жондор", "jondor tumani"):
        result = CliRunner().invoke(app, ["compare", "--db", str(work / "reja.sqlite"), "--district", typed,
                                          "--out", str(work / "cmp-name")])
        assert result.exit_code == 0, result.output


def test_cli_ambiguous_place_is_refused_naming_both(comparison):
    from typer.testing import CliRunner

    from reja.cli import app

    _, work = comparison
    result = CliRunner().invoke(app, ["compare", "--db", str(work / "reja.sqlite"), "--district",
                                      "Buxoro", "--out", str(work / "cmp-amb")])
    assert result.exit_code == 2, result.output
    assert "Buxoro tumani" in result.output and "1706401" in result.output
