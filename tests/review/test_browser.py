"""A clerk's session in a real headless Chromium: edit a value with the keyboard shortcuts, accept
a row, and see both in the exported dataset; and a whole session in Uzbek — filter, confirm top
candidates with one key each, apply a choice to all rows of one wording, bulk-accept a filter, undo —
checked in the exported Parquet."""

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from reja.api import import_paths, load_items
from reja.export import export_dataset
from reja.i18n import translate
from reja.review.web import ReviewSettings, create_app
from tests.browser import chromium_driver, serving

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SAMPLE = SAMPLES / "izboskan_2025.pdf"
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _shot(driver, name):
    shots = os.environ.get("REJA_SCREENSHOT_DIR")
    if shots:
        driver.save_screenshot(str(Path(shots) / name))


def _export(db, out):
    written = export_dataset(db, out)
    return pd.read_parquet(written["items.parquet"] if "items.parquet" in written else out / "items.parquet")


def test_correction_made_on_the_page_reaches_the_export(tmp_path):
    shutil.copy(SAMPLE, tmp_path / SAMPLE.name)
    db = tmp_path / "reja.sqlite"
    import_paths([tmp_path / SAMPLE.name], db=db)
    flagged = load_items(db).query("status == 'flagged'")
    first, second = flagged.iloc[0]["row_key"], flagged.iloc[1]["row_key"]

    driver = chromium_driver()
    try:
        with serving(create_app(ReviewSettings(db=db, clerk="Dilnoza", lang="en"))) as base:
            wait = _waiter(driver)
            driver.get(base + "/")
            driver.find_element(By.CSS_SELECTOR, f'a.row-link[href^="/row/{first}?"]').click()
            wait.until(ec.presence_of_element_located((By.ID, "edit-form")))
            driver.find_element(By.TAG_NAME, "body").send_keys("e")  # shortcut: open the editor, focus the value
            assert driver.switch_to.active_element.get_attribute("id") == "edit-value"
            Select(driver.find_element(By.ID, "edit-field")).select_by_visible_text("plan_value")
            box = driver.find_element(By.ID, "edit-value")
            box.send_keys("777")
            driver.find_element(By.ID, "edit-save").click()
            wait.until(lambda d: d.find_element(By.ID, "v-plan_value").text == "777")
            assert driver.find_element(By.ID, "status").text == "corrected"

            driver.get(base + f"/row/{second}")
            wait.until(ec.presence_of_element_located((By.ID, "accept")))
            driver.find_element(By.TAG_NAME, "body").send_keys("a")  # shortcut: accept, go to next
            wait.until(lambda d: f"/row/{second}" not in d.current_url)
            # a bad value is refused on the page, with its reason
            driver.find_element(By.TAG_NAME, "body").send_keys("e")
            Select(driver.find_element(By.ID, "edit-field")).select_by_visible_text("fact_value")
            driver.find_element(By.ID, "edit-value").send_keys("many")
            driver.find_element(By.ID, "edit-save").click()
            wait.until(lambda d: "is not a number" in d.find_element(By.ID, "edit-result").text)
    finally:
        driver.quit()

    by_key = _export(db, tmp_path / "out").set_index("row_key")
    assert by_key.loc[first, "plan_value"] == 777
    assert by_key.loc[first, "status"] == "corrected"
    assert by_key.loc[second, "status"] == "corrected"


def _waiter(driver) -> WebDriverWait:
    # a loaded CI machine answers slowly; an element read while htmx swaps its fragment is gone for a
    # moment — selenium says "stale element", or Chromium's inspector "Node … does not belong to the
    # document" (a plain WebDriverException): read it again; a condition that never holds still fails at 60 s
    return WebDriverWait(driver, 60, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException,
                                                         WebDriverException))


def _top(row, kind):
    data = json.loads(row["match_candidates"] or "{}")
    return data[kind][0][0]


def _row_key_of(url):
    return url.split("/row/", 1)[1].split("?", 1)[0]


def test_a_clerks_session_in_uzbek_reaches_the_export(tmp_path, monkeypatch):
    source = SAMPLES / "jondor_2021.docx"
    shutil.copy(source, tmp_path / source.name)
    monkeypatch.chdir(tmp_path)  # the file as a clerk names it (the page and the screenshots show it)
    db = tmp_path / "reja.sqlite"
    import_paths([Path(source.name)], db=db)
    before = load_items(db)
    codes = before["flags"].fillna("").map(lambda f: {c.split(":")[0].strip() for c in f.split(";") if c.strip()})
    queue = list(before[(before["status"] == "flagged") & codes.map(lambda c: "indicator_review" in c)]["row_key"])
    assert len(queue) >= 6
    uz = lambda text: translate(text, "uz")  # noqa: E731 - what the catalogue says in Uzbek

    driver = chromium_driver(1366, 768)
    picked = {}
    try:
        app = create_app(ReviewSettings(db=db, clerk="Dilnoza", lang="uz"))
        with serving(app) as base:
            wait = _waiter(driver)
            body = lambda: driver.find_element(By.TAG_NAME, "body")  # noqa: E731
            driver.get(base + "/")
            assert driver.find_element(By.ID, "filter-apply").text == uz("Filter")
            _shot(driver, "review_list.png")

            # filter: the rows whose activity match needs a person
            Select(driver.find_element(By.ID, "f-reason")).select_by_value("indicator_review")
            driver.find_element(By.ID, "filter-apply").click()
            wait.until(lambda d: "reason=indicator_review" in d.current_url)
            driver.find_element(By.ID, "start").click()
            wait.until(ec.presence_of_element_located((By.ID, "source-table")))  # the source rows, as written
            _shot(driver, "review_row.png")

            # five rows: one key each confirms the top candidate; the page stays inside the filter
            for _ in range(5):
                key = _row_key_of(driver.current_url)
                assert key in queue
                picked[key] = _top(before.set_index("row_key").loc[key], "indicator")
                assert driver.find_element(By.CSS_SELECTOR, 'button[data-key="1"]').get_attribute("title").endswith(
                    f"[{picked[key]}]")
                page = body()
                page.send_keys("1")
                wait.until(ec.staleness_of(page))  # the answer is a new page (the URL may name the last action)
                wait.until(ec.presence_of_element_located((By.ID, "flash")))
                if _row_key_of(driver.current_url) == key:  # another catalogue doubt (its unit) keeps it here
                    body().send_keys("s")
                    wait.until(lambda d, k=key: _row_key_of(d.current_url) != k)
                assert _row_key_of(driver.current_url) in queue
            _shot(driver, "review_after_pick.png")

            # one wording, many rows: a section chosen for every row under the same heading
            wording_row = before[before["section_title"].notna() & (before["status"] == "flagged")].iloc[0]
            title = wording_row["section_title"]
            section = json.loads(wording_row["match_candidates"])["section"][1][0]  # not the top: a real choice
            driver.get(base + f"/row/{wording_row['row_key']}?status=")
            wait.until(ec.presence_of_element_located((By.ID, "all-wording")))
            body().send_keys("w")
            assert driver.find_element(By.ID, "all-wording").is_selected()
            button = driver.find_element(By.CSS_SELECTOR, f'#cand-section button[title$="[{section}]"]')
            body().send_keys(button.get_attribute("data-key"))
            wait.until(ec.presence_of_element_located((By.ID, "flash")))
            n_wording = int((before["section_title"] == title).sum())
            assert str(n_wording) in driver.find_element(By.ID, "flash").text
            assert app.state.rematcher.wait(300)  # the plans with that heading re-matched (in the background)

            # bulk accept: every row of a filter at once, with its count and a confirmation
            driver.get(base + "/?reason=unit_unmatched")
            bulk_keys = set(before[(before["status"] == "flagged")
                                   & codes.map(lambda c: "unit_unmatched" in c)]["row_key"])
            bulk_keys -= {k for k in bulk_keys if k in picked}
            driver.find_element(By.ID, "bulk-open").click()
            confirm = driver.find_element(By.ID, "bulk-confirm")
            _shot(driver, "review_bulk.png")
            confirm.click()
            wait.until(lambda d: "done_what=bulk" in d.current_url)
            accepted = load_items(db).set_index("row_key").loc[sorted(bulk_keys)]
            assert (accepted["status"] == "corrected").all()

            # undo: the last action (the bulk accept) is taken back whole, from the list page
            body().send_keys("u")
            wait.until(lambda d: "done_what=undone" in d.current_url)
    finally:
        driver.quit()

    items = _export(db, tmp_path / "out").set_index("row_key")
    for key, indicator in picked.items():
        assert items.loc[key, "indicator_id"] == indicator
        assert items.loc[key, "status"] == "corrected"
    same = items[items["section_title"] == title]
    assert len(same) == n_wording and (same["section_id"] == section).all()
    # the bulk accept was undone: those rows are in doubt again (unless another action touched them)
    untouched = [k for k in bulk_keys if k not in picked and items.loc[k, "section_title"] != title]
    assert untouched and (items.loc[untouched, "status"] == "flagged").all()
