"""The review page's queue and many-row actions over a real store (the Jondor DOCX sample imported):
next/previous and the row after an action stay inside the filter, the last action (one row or many)
is undone from anywhere, a choice applies to every row of one wording, bulk accept asks for the count,
the page speaks the clerk's language, and clerks log in when the page is shared."""

import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from reja.api import load_items
from reja.i18n import translate
from reja.review import accounts, queue
from reja.review.web import ReviewSettings, create_app

from .conftest import copy_of, store_of_sample

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "jondor_2021.docx"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return store_of_sample(tmp_path_factory, SAMPLE, "queue")


@pytest.fixture
def db(store, tmp_path):
    return copy_of(store, tmp_path)


def _client(db, **kw):
    kw.setdefault("clerk", "Dilnoza")
    return TestClient(create_app(ReviewSettings(db=db, **kw)), base_url="http://127.0.0.1")


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" content="([0-9a-f]+)"', page).group(1)


def _codes(flags) -> set[str]:
    return {c.split(":")[0].strip() for c in (flags or "").split(";") if c.strip()}


def _queue(db, reason):
    items = load_items(db)
    rows = items[(items["status"] == "flagged") & items["flags"].map(lambda f: reason in _codes(f))]
    return list(dict.fromkeys(rows["row_key"]))


def _target(response) -> tuple[str | None, dict]:
    url = urlsplit(response.headers["location"])
    key = url.path.split("/row/", 1)[1] if url.path.startswith("/row/") else None
    return key, parse_qs(url.query)


def test_previous_and_next_stay_inside_the_filter(db):
    client = _client(db)
    keys = _queue(db, "unit_unmatched")
    assert len(keys) >= 3
    page = client.get(f"/row/{keys[1]}", params={"reason": "unit_unmatched"}).text
    assert f'href="/row/{keys[2]}?' in page.split('id="next"')[1][:200]
    assert f'href="/row/{keys[0]}?' in page.split('id="prev"')[1][:200]
    assert "reason=unit_unmatched" in page.split('id="next"')[1][:300]


def test_accept_goes_to_the_next_row_of_the_filter_and_confirms(db):
    client = _client(db)
    keys = _queue(db, "unit_unmatched")
    page = client.get(f"/row/{keys[0]}", params={"reason": "unit_unmatched"}).text
    r = client.post(f"/row/{keys[0]}/accept", data={"csrf": _csrf(page), "query": "reason=unit_unmatched&status=flagged"},
                    follow_redirects=False)
    key, params = _target(r)
    assert key == keys[1]  # the next row of THIS filter, not the first flagged row of the store
    assert params["reason"] == ["unit_unmatched"] and params["done_what"] == ["accepted"]
    shown = client.get(r.headers["location"]).text
    assert 'id="flash"' in shown


def test_a_picked_candidate_is_recorded_with_one_post_and_named_not_numbered(db):
    client = _client(db, lang="uz")
    keys = _queue(db, "indicator_review")
    row = load_items(db).set_index("row_key").loc[keys[0]]
    top = json.loads(row["match_candidates"])["indicator"][0][0]
    page = client.get(f"/row/{keys[0]}", params={"reason": "indicator_review"}).text
    from reja.schema.catalogue import load_catalogue

    name = load_catalogue().indicators[top].name_latn
    button = re.search(r'<button type="submit" data-key="1" title="([^"]*)">(.*?)</button>', page, re.S)
    assert button and button.group(1).endswith(f"[{top}]") and name in html.unescape(button.group(2))
    r = client.post(f"/row/{keys[0]}/pick", data={"csrf": _csrf(page), "kind": "indicator", "candidate": top,
                                                  "query": "reason=indicator_review&status=flagged"},
                    follow_redirects=False)
    assert r.status_code == 303
    after = load_items(db).set_index("row_key").loc[keys[0]]
    assert after["indicator_id"] == top and "indicator_id" in after["corrected_fields"]


def test_undo_takes_back_the_last_action_from_another_row(db):
    client = _client(db)
    keys = _queue(db, "unit_unmatched")
    page = client.get(f"/row/{keys[0]}").text
    csrf = _csrf(page)
    client.post(f"/row/{keys[0]}/accept", data={"csrf": csrf}, follow_redirects=False)
    assert load_items(db).set_index("row_key").loc[keys[0], "status"] == "corrected"
    client.get(f"/row/{keys[2]}")  # the clerk has moved on
    r = client.post("/undo", data={"csrf": csrf}, follow_redirects=False)
    key, params = _target(r)
    assert key == keys[0] and params["done_what"] == ["undone"]
    assert load_items(db).set_index("row_key").loc[keys[0], "status"] == "flagged"
    # another clerk's change is not "mine": nothing left for Dilnoza to undo
    other = _client(db, clerk="Aziz")
    other.post(f"/row/{keys[1]}/accept", data={"csrf": _csrf(other.get(f"/row/{keys[1]}").text)})
    r = client.post("/undo", data={"csrf": csrf}, follow_redirects=False)
    assert _target(r)[1]["done_what"] == ["nothing_to_undo"]
    assert load_items(db).set_index("row_key").loc[keys[1], "status"] == "corrected"


def test_apply_to_all_rows_with_this_wording_and_undo_it_whole(db):
    from reja.corrections import all_corrections
    from reja.learned import load_learned

    client = _client(db)
    items = load_items(db)
    titles = items["section_title"].value_counts()
    title = titles.index[0]
    rows = items[items["section_title"] == title]
    assert len(rows) > 3
    key, other_key = rows.iloc[0]["row_key"], rows.iloc[1]["row_key"]
    choice = json.loads(rows.iloc[0]["match_candidates"])["section"][1][0]
    # another clerk already chose a section for one of the rows: that choice stands, shown as a conflict
    aziz_choice = next(c for c, _score in json.loads(rows.iloc[1]["match_candidates"])["section"] if c != choice)
    aziz = _client(db, clerk="Aziz")
    r = aziz.post(f"/row/{other_key}/correct", data={"csrf": _csrf(aziz.get(f"/row/{other_key}").text),
                                                      "field": "section_id", "value": aziz_choice})
    assert r.status_code < 400
    before = len(all_corrections(db))
    page = client.get(f"/row/{key}").text
    r = client.post(f"/row/{key}/pick", data={"csrf": _csrf(page), "kind": "section", "candidate": choice,
                                              "all_wording": "1"}, follow_redirects=False)
    params = _target(r)[1]
    assert params["done_n"] == [str(len(rows) - 1)] and params["done_conflicts"] == ["1"]
    assert client.app.state.rematcher.wait(300) and not client.app.state.rematcher.errors
    made = all_corrections(db)[before:]
    assert [(c.row_key, c.field, c.value_after) for c in made] == [(key, "section_id", choice)]  # one, on this row
    after = load_items(db).set_index("row_key")
    same = after[after["section_title"] == title]
    # Aziz's choice is not overwritten: the re-match changed the value it was made against, so it is
    # held back and the row asks a person (both values named), as any change under a correction does
    assert same.loc[other_key, "status"] == "flagged"
    assert f"corrected '{aziz_choice}'" in same.loc[other_key, "flags"] and "by Aziz" in same.loc[other_key, "flags"]
    assert (same.drop(index=other_key)["section_id"] == choice).all()  # the others by the re-match
    assert set(same.drop(index=[key, other_key])["status"]) <= {"ok", "flagged"}  # no correction of theirs
    others = after[after["section_title"] != title]["section_id"]
    assert others.equals(items[items["section_title"] != title].set_index("row_key")["section_id"])  # untouched
    assert load_learned(db).lookup("section", title)["id"] == choice  # a learned wording for future imports
    client.post("/undo", data={"csrf": _csrf(page)})
    assert client.app.state.rematcher.wait(300)
    back = load_items(db).set_index("row_key")
    assert (back[back["section_title"] == title].drop(index=other_key)["section_id"].fillna("") != choice).all()
    assert load_learned(db).lookup("section", title) is None or \
        load_learned(db).lookup("section", title)["id"] != choice


def test_bulk_accept_checks_the_confirmed_count(db):
    client = _client(db)
    keys = _queue(db, "unit_unmatched")
    page = client.get("/", params={"reason": "unit_unmatched"}).text
    assert f'name="expected" value="{len(keys)}"' in page
    csrf = _csrf(page)
    query = "reason=unit_unmatched&status=flagged"
    r = client.post("/bulk/accept", data={"csrf": csrf, "query": query, "expected": len(keys) + 1},
                    follow_redirects=False)
    assert _target(r)[1]["done_what"] == ["count_changed"]
    assert _queue(db, "unit_unmatched") == keys  # nothing accepted on a stale count
    r = client.post("/bulk/accept", data={"csrf": csrf, "query": query, "expected": len(keys)},
                    follow_redirects=False)
    assert _target(r)[1]["done_n"] == [str(len(keys))]
    assert _queue(db, "unit_unmatched") == []


def test_facets_count_the_selected_rows(db):
    items = load_items(db)
    rows = queue.selected(items, queue.filters_from({}))
    facets = queue.facets(rows)
    reasons = dict(facets["reason"])
    assert reasons["unit_unmatched"] == len(_queue(db, "unit_unmatched"))
    assert sum(n for _lo, _hi, n in queue.histogram(rows)) == int(rows["indicator_score"].notna().sum())


def test_the_page_speaks_the_chosen_language(db):
    client = _client(db, lang="uz")
    assert translate("Filter", "uz") in client.get("/").text
    r = client.get("/lang/ru", params={"back": "/?status=flagged"}, follow_redirects=False)
    assert r.headers["location"] == "/?status=flagged"
    client.cookies.set("reja_lang", "ru")
    assert translate("Filter", "ru") in client.get("/").text
    assert translate("Filter", "ru") != translate("Filter", "uz")
    assert client.get("/lang/x", params={"back": "https://elsewhere.example/"}, follow_redirects=False
                      ).headers["location"] == "/"  # never an open redirect


def test_docx_rows_show_their_source_table(db):
    client = _client(db)
    key = _queue(db, "unit_unmatched")[0]
    row = load_items(db).set_index("row_key").loc[key]
    html = client.get(f"/row/{key}/source").text
    assert 'id="source-table"' in html and 'class="head"' in html
    assert row["text"].split()[0] in html  # the row's own words, read again from the document


def test_clerks_log_in_when_the_page_is_shared(db):
    accounts.add_user(db, "Dilnoza", "kitob-2025")
    with pytest.raises(ValueError):
        accounts.add_user(db, "Aziz", "short")
    client = _client(db, host="0.0.0.0", access_token="t0ken")
    first = client.get("/", params={"token": "t0ken"}, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/login"
    login = client.get("/login").text
    bad = client.post("/login", data={"csrf": _csrf(login), "name": "Dilnoza", "password": "wrong-one"},
                      follow_redirects=False)
    assert bad.status_code == 401
    ok = client.post("/login", data={"csrf": _csrf(login), "name": "Dilnoza", "password": "kitob-2025"},
                     follow_redirects=False)
    assert ok.status_code == 303
    key = _queue(db, "unit_unmatched")[0]
    page = client.get(f"/row/{key}").text
    client.post(f"/row/{key}/accept", data={"csrf": _csrf(page)})
    from reja.corrections import history

    assert history(db, key)[-1].who == "Dilnoza"  # who = the logged-in clerk, not the server's user
    stored = accounts._connect(db).execute("SELECT hash FROM review_users").fetchone()[0]
    assert b"kitob-2025" not in stored and len(stored) == 32


def test_a_busy_port_is_a_clean_error_with_its_own_exit_code(db):
    import socket

    from typer.testing import CliRunner

    from reja.cli import app

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        port = held.getsockname()[1]
        result = CliRunner().invoke(app, ["review", "serve", "--db", str(db), "--port", str(port)])
    assert result.exit_code == 7
    assert "Traceback" not in result.output and str(port) in result.output
