"""The review page against a hostile web page (issue 24): DNS rebinding, malformed tokens, and values
no number parser should choke on.

DNS rebinding: a page on evil.example whose name is made to resolve to 127.0.0.1 talks to the
review server from the browser; its requests carry `Host: evil.example:8765` and, for a POST, the
matching `Origin: http://evil.example:8765`. The server must refuse by Host before anything else."""

import re

import pytest
from fastapi.testclient import TestClient
from reja.extract.model import ParsedPlan, PlanItem, PlanMeta

from reja.api import load_items
from reja.review.web import ReviewSettings, create_app

from .conftest import store_of_one_plan


def _parse(path):
    item = PlanItem(item_no="1", text="Kitobxonlar bilan uchrashuv", unit="marta", fact_raw="12",
                    fact_value=12.0, plan_raw="15", plan_value=15.0, section_no="I", section_title="TASHKILIY ISHLAR")
    item.flags.append("unsure_number: plan 15")
    meta = PlanMeta(region="Andijon viloyati", district="Izboskan tumani", year=2025)
    return ParsedPlan(source=str(path), format="docx", meta=meta, items=[item])


@pytest.fixture
def db(tmp_path, monkeypatch):
    return store_of_one_plan(tmp_path, monkeypatch, _parse)


def _client(db, base="http://127.0.0.1:8765", **settings):
    return TestClient(create_app(ReviewSettings(db=db, clerk="Dilnoza", **settings)), base_url=base)


def _key(db):
    return load_items(db).iloc[0]["row_key"]


def _csrf(client, key):
    return re.search(r'name="csrf" content="([0-9a-f]+)"', client.get(f"/row/{key}").text).group(1)


@pytest.mark.parametrize("host", ["http://127.0.0.1:8765", "http://localhost:8765", "http://LocalHost",
                                  "http://[::1]:8765"])
def test_the_page_answers_to_its_own_names(db, host):
    assert _client(db, host).get("/").status_code == 200


def test_a_rebound_name_reads_nothing_and_writes_nothing(db):
    honest = _client(db)
    key = _key(db)
    token = _csrf(honest, key)  # suppose the attacker had the CSRF token: the Host check still holds
    evil = _client(db, "http://evil.example:8765")
    for path in ("/", f"/row/{key}", f"/crop/{key}.png", "/static/app.js"):
        r = evil.get(path)
        assert r.status_code == 403, path
        assert "Tadbir" not in r.text and token not in r.text
    r = evil.post(f"/row/{key}/correct", data={"field": "plan_value", "value": "999999", "csrf": token},
                  headers={"origin": "http://evil.example:8765"})
    assert r.status_code == 403
    assert load_items(db).iloc[0]["plan_value"] == 15  # no correction stored


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "localhost.evil.example",
                                  "evil.example@127.0.0.1", "127.0.0.1:notaport", ""])
def test_hosts_that_only_look_like_ours_are_refused(db, host):
    client = _client(db)
    assert client.get("/", headers={"host": host}).status_code == 403


def test_origin_is_checked_against_the_allowed_names_not_against_host(db):
    """Before: Origin was compared with the Host header, which a rebinding page controls (both
    evil.example). Now a POST from the page itself passes, one from any other origin does not."""
    client = _client(db)
    key = _key(db)
    token = _csrf(client, key)
    r = client.post(f"/row/{key}/correct", data={"field": "plan_value", "value": "16", "csrf": token},
                    headers={"origin": "http://evil.example"}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post(f"/row/{key}/correct", data={"field": "plan_value", "value": "16", "csrf": token},
                    headers={"origin": "http://127.0.0.1:8765"}, follow_redirects=False)
    assert r.status_code == 303
    assert load_items(db).iloc[0]["plan_value"] == 16


def test_a_name_given_with_host_is_allowed(db):
    client = _client(db, "http://reja-pc.local:8765", host="reja-pc.local", access_token="s3cret")
    assert client.get("/", params={"token": "s3cret"}).status_code in (200, 303)  # 303: the login page
    assert _client(db, "http://evil.example", host="reja-pc.local", access_token="s3cret").get(
        "/", params={"token": "s3cret"}).status_code == 403


@pytest.mark.parametrize("token", ["ü", "%C3%BC", "\u0130stanbul", "s3cret\u00e9", "a" * 5000])
def test_a_malformed_access_token_is_refused_not_a_500(db, token):
    client = _client(db, host="0.0.0.0", access_token="s3cret")
    assert client.get("/", params={"token": token}).status_code == 401
    cookie = f"reja_token={token}".encode()  # raw UTF-8 bytes, as a hostile client sends them
    assert client.get("/", headers={"cookie": cookie}).status_code == 401


def test_a_non_ascii_percent_encoded_token_in_the_url_is_refused(db):
    client = _client(db, host="0.0.0.0", access_token="s3cret")
    assert client.get("/?token=%C3%BC").status_code == 401


@pytest.mark.parametrize("csrf", ["ü", "\u00e9" * 64, "0" * 64 + "\u00fc"])
def test_a_malformed_csrf_token_is_a_403(db, csrf):
    client = _client(db)
    key = _key(db)
    r = client.post(f"/row/{key}/accept", data={"csrf": csrf})
    assert r.status_code == 403
    r = client.post(f"/row/{key}/accept", headers={"x-csrf-token": csrf.encode()}, data={})
    assert r.status_code == 403


@pytest.mark.parametrize("value", ["²", "18¹", "1e400", "9" * 400, "inf", "nan", "Ⅻ", "①"])
def test_a_value_no_parser_reads_as_a_finite_number_is_refused_with_a_message(db, value):
    client = _client(db)
    key = _key(db)
    r = client.post(f"/row/{key}/correct", data={"field": "fact_value", "value": value, "csrf": _csrf(client, key)},
                    follow_redirects=False)
    assert r.status_code == 422, (value, r.status_code)
    assert "fact_value" in r.text
    assert load_items(db).iloc[0]["fact_value"] == 12
