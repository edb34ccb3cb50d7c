"""The review page over a real store (the Izboskan PDF sample imported): routes, CSRF, tokens."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reja.api import load_items
from reja.review.web import ReviewSettings, create_app

from .conftest import copy_of, store_of_sample

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "izboskan_2025.pdf"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return store_of_sample(tmp_path_factory, SAMPLE, "review")


@pytest.fixture
def db(store, tmp_path):
    return copy_of(store, tmp_path)


def _client(db, host="127.0.0.1", **kw):
    return TestClient(create_app(ReviewSettings(db=db, clerk="Dilnoza", host=host, **kw)),
                      base_url="http://127.0.0.1")


def _flagged_key(db):
    items = load_items(db)
    return items[items["status"] == "flagged"].iloc[0]["row_key"]


def _csrf(client, key):
    page = client.get(f"/row/{key}").text
    return re.search(r'name="csrf" content="([0-9a-f]+)"', page).group(1)


def test_index_lists_flagged_rows_with_filters(db):
    client = _client(db)
    page = client.get("/").text
    flagged = load_items(db).query("status == 'flagged'")
    assert f"{len(flagged)} rows need review" in page
    assert page.count('class="row-link"') == len(flagged)
    reason = flagged.iloc[0]["flags"].split(":")[0].split(";")[0].strip()
    only = client.get("/", params={"reason": reason}).text
    assert 0 < only.count('class="row-link"') <= len(flagged)


def test_edit_on_the_page_becomes_a_correction(db):
    client = _client(db)
    key = _flagged_key(db)
    token = _csrf(client, key)
    r = client.post(f"/row/{key}/correct", data={"field": "plan_value", "value": "1 234", "why": "typo",
                                                 "csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    row = load_items(db).set_index("row_key").loc[key]
    assert row["plan_value"] == 1234 and row["status"] == "corrected"
    assert "1234" in client.get(f"/row/{key}").text  # history shows it


def test_invalid_edit_is_refused_with_a_clear_message(db):
    client = _client(db)
    key = _flagged_key(db)
    r = client.post(f"/row/{key}/correct", data={"field": "indicator_id", "value": "nonsense",
                                                 "csrf": _csrf(client, key)})
    assert r.status_code == 422 and "unknown indicator id &#39;nonsense&#39;" in r.text
    assert load_items(db).set_index("row_key").loc[key, "status"] == "flagged"


def test_post_without_csrf_or_from_another_site_is_refused(db):
    client = _client(db)
    key = _flagged_key(db)
    assert client.post(f"/row/{key}/accept", data={}).status_code == 403
    r = client.post(f"/row/{key}/accept", data={"csrf": _csrf(client, key)},
                    headers={"origin": "http://evil.example"})
    assert r.status_code == 403
    assert load_items(db).set_index("row_key").loc[key, "status"] == "flagged"


def test_accept_then_undo(db):
    client = _client(db)
    key = _flagged_key(db)
    token = _csrf(client, key)
    client.post(f"/row/{key}/accept", data={"csrf": token})
    assert load_items(db).set_index("row_key").loc[key, "status"] == "corrected"
    client.post(f"/row/{key}/undo", data={"csrf": token})
    assert load_items(db).set_index("row_key").loc[key, "status"] == "flagged"


def test_crop_of_a_pdf_row_is_a_png_and_unknown_rows_404(db):
    client = _client(db)
    items = load_items(db)
    key = items[items["page"].notna() & items["bbox"].notna()].iloc[0]["row_key"]
    r = client.get(f"/crop/{key}.png")
    assert r.status_code == 200 and r.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/crop/../../etc/passwd.png").status_code == 404
    assert client.get("/row/nope").status_code == 404


def test_bound_elsewhere_it_needs_the_token(db):
    client = _client(db, host="0.0.0.0", access_token="s3cret")
    assert client.get("/").status_code == 401
    assert client.get("/", params={"token": "wrong"}).status_code == 401
    assert client.get("/", params={"token": "s3cret"}).status_code == 200
    assert client.get("/").status_code == 200  # the cookie carries it from now on


def test_long_lists_are_paged(db, monkeypatch):
    import reja.review.web as web

    monkeypatch.setattr(web, "PAGE_SIZE", 4)
    client = _client(db)
    flagged = len(load_items(db).query("status == 'flagged'"))
    first = client.get("/").text
    assert first.count('class="row-link"') == 4 and f"rows 1–4 of {flagged}" in first
    assert 'id="page-next" href="/?status=flagged&amp;page=2"' in first
    last_page = -(-flagged // 4)
    last = client.get("/", params={"page": str(last_page)}).text
    assert last.count('class="row-link"') == flagged - 4 * (last_page - 1)
    assert 'id="page-next"' not in last
    assert client.get("/", params={"page": "nonsense"}).status_code == 200
