"""A clerk's session in a real headless Chromium: edit a value with the keyboard shortcuts, accept
a row, and see both in the exported dataset."""

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from reja.api import import_paths, load_items
from reja.export import export_dataset
from reja.review.web import ReviewSettings, create_app
from tests.browser import chromium_driver, serving

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "izboskan_2025.pdf"
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_correction_made_on_the_page_reaches_the_export(tmp_path):
    shutil.copy(SAMPLE, tmp_path / SAMPLE.name)
    db = tmp_path / "reja.sqlite"
    import_paths([tmp_path / SAMPLE.name], db=db)
    flagged = load_items(db).query("status == 'flagged'")
    first, second = flagged.iloc[0]["row_key"], flagged.iloc[1]["row_key"]

    driver = chromium_driver()
    try:
        with serving(create_app(ReviewSettings(db=db, clerk="Dilnoza"))) as base:
            wait = WebDriverWait(driver, 20)
            driver.get(base + "/")
            driver.find_element(By.CSS_SELECTOR, f'a.row-link[href="/row/{first}"]').click()
            wait.until(ec.presence_of_element_located((By.ID, "edit-form")))
            driver.find_element(By.TAG_NAME, "body").send_keys("e")  # shortcut: focus the value box
            assert driver.switch_to.active_element.get_attribute("id") == "edit-value"
            Select(driver.find_element(By.ID, "edit-field")).select_by_visible_text("plan_value")
            box = driver.find_element(By.ID, "edit-value")
            box.send_keys("777")
            driver.find_element(By.ID, "edit-save").click()
            wait.until(lambda d: d.find_element(By.ID, "v-plan_value").text == "777")
            assert driver.find_element(By.ID, "status").text == "corrected"
            shots = os.environ.get("REJA_SCREENSHOT_DIR")
            if shots:
                driver.save_screenshot(str(Path(shots) / "review_row.png"))

            driver.get(base + f"/row/{second}")
            wait.until(ec.presence_of_element_located((By.ID, "accept")))
            driver.find_element(By.TAG_NAME, "body").send_keys("a")  # shortcut: accept, go to next
            wait.until(lambda d: f"/row/{second}" not in d.current_url)
            # a bad value is refused on the page, with its reason
            Select(driver.find_element(By.ID, "edit-field")).select_by_visible_text("fact_value")
            driver.find_element(By.ID, "edit-value").send_keys("many")
            driver.find_element(By.ID, "edit-save").click()
            wait.until(lambda d: "is not a number" in d.find_element(By.ID, "edit-result").text)
    finally:
        driver.quit()

    written = export_dataset(db, tmp_path / "out")
    items = pd.read_parquet(written["items.parquet"] if "items.parquet" in written else tmp_path / "out" / "items.parquet")
    by_key = items.set_index("row_key")
    assert by_key.loc[first, "plan_value"] == 777
    assert by_key.loc[first, "status"] == "corrected"
    assert by_key.loc[second, "status"] == "corrected"
