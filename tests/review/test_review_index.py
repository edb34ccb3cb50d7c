"""The review page reads only what it shows (issue 22): its lists, counts, facets and queue come from
an index of the store kept per region-year (reja.review.index), in SQLite and in PostgreSQL alike;
an import or a correction builds again only the region-years it touched. Expected values come from
the plans' specs (tests/store/fakeplans.py), not from reja's output."""

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reja.batch import run_import
from reja.review.web import ReviewSettings, create_app
from reja.store import Store
from tests.store import fakeplans

# three plans: (file, district, year, items, flagged item numbers); no region (matching is off)
PLANS = [("a_izboskan_2025.docx", "Izboskan tumani", 2025, 5, {2, 4}),
         ("b_jondor_2024.docx", "Jondor tumani", 2024, 4, {1}),
         ("c_jondor_2025.docx", "Jondor tumani", 2025, 3, set())]
TOTAL = sum(n for *_x, n, _f in PLANS)
FLAGGED = sum(len(f) for *_x, f in PLANS)


@pytest.fixture(params=["sqlite", "postgres"])
def db(request, tmp_path, monkeypatch):
    import reja.enrich

    monkeypatch.setattr(reja.enrich, "enrich_rows", lambda rows, **kw: {"region_id": None, "district_id": None,
                                                                       "flags": []})
    monkeypatch.setattr(reja.enrich, "warm_up", lambda: None)
    store = request.getfixturevalue("pg_url") if request.param == "postgres" else tmp_path / "reja.sqlite"
    files = [fakeplans.write(tmp_path / name, fakeplans.spec(district=d, year=y, n=n, flagged=f))
             for name, d, y, n, f in PLANS]
    run_import(files, db=store, log_dir=tmp_path, parse=fakeplans.fake_parse)
    return store


def _keys(db) -> dict[tuple[str, str], str]:
    """(file, item number) → row key, from the store."""
    with Store(db, readonly=True) as store:
        items = store.items()
    return {(Path(f).name, i): k for f, i, k in zip(items["source_file"], items["item_no"], items["row_key"],
                                                    strict=True)}


def _places(db) -> dict[str, str]:
    """file → its region-year (as the index names it), from the store's documents."""
    from reja.review.index import place_of

    with Store(db, readonly=True) as store:
        rows = store.conn.execute("SELECT source_file, region_id, year FROM documents").fetchall()
    return {Path(r[0]).name: place_of(r[1], r[2]) for r in rows}


def _client(db):
    return TestClient(create_app(ReviewSettings(db=db, clerk="Dilnoza")), base_url="http://127.0.0.1")


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _reads(monkeypatch) -> list:
    """The documents each read of stored rows asked for (None: every row of the store)."""
    calls = []
    original = Store.items

    def spy(self, *args, **kw):
        calls.append(kw.get("document_ids"))
        return original(self, *args, **kw)

    monkeypatch.setattr(Store, "items", spy)
    return calls


def test_counts_filters_and_queue_come_from_the_index(db):
    client = _client(db)
    keys = _keys(db)
    page = _text(client.get("/").text)
    assert f"{FLAGGED} rows need review · 0 corrected · {TOTAL} rows in the store." in page
    # the filter by district is a case-insensitive part of the name, by year exact, by reason a flag code
    for query, expected in (("district=jondor", 1), ("year=2025", 2), ("reason=stacked_values", FLAGGED),
                            ("district=IZBOS&year=2024", 0), ("status=&year=2025", 5 + 3),
                            ("status=ok&district=jondor", 4 - 1 + 3)):
        body = client.get(f"/?{query}").text
        shown = {k for k in keys.values() if f"/row/{k}" in body}
        assert len(shown) == expected, query
    # the queue walks the flagged rows in the store's order: the files' order, then the items'
    a2, a4, b1 = keys[(PLANS[0][0], "2")], keys[(PLANS[0][0], "4")], keys[(PLANS[1][0], "1")]
    row = client.get(f"/row/{a4}?status=flagged").text
    assert "2 of 3 in this list" in _text(row)
    assert f'href="/row/{b1}?' in row and f'href="/row/{a2}?' in row
    first = client.get(f"/row/{a2}?status=flagged&year=2025").text
    assert "1 of 2 in this list" in _text(first)
    assert client.get("/row/no-such-key").status_code == 404


def test_a_correction_builds_again_only_its_region_year(db, monkeypatch):
    client = _client(db)
    keys = _keys(db)
    places = _places(db)
    client.get("/")  # the first page builds the index: every region-year once
    assert sorted(client.app.state.index.built) == sorted(set(places.values())) and len(set(places.values())) > 1
    reads = _reads(monkeypatch)
    a2 = keys[(PLANS[0][0], "2")]
    page = client.get(f"/row/{a2}").text
    assert client.app.state.index.built == []  # nothing changed: nothing built
    csrf = re.search(r'name="csrf" content="([0-9a-f]+)"', page).group(1)
    answer = client.post(f"/row/{a2}/accept", data={"csrf": csrf, "query": "status=flagged"},
                         follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(f"/row/{keys[(PLANS[0][0], '4')]}?")  # the queue's next row
    reads.clear()
    body = _text(client.get("/").text)
    assert client.app.state.index.built == [places[PLANS[0][0]]]  # the accepted row's region-year only
    assert f"{FLAGGED - 1} rows need review · 1 corrected · {TOTAL} rows in the store." in body
    assert None not in reads  # never the whole store
    with Store(db, readonly=True) as store:
        docs = {Path(r[1]).name: r[0] for r in store.conn.execute("SELECT document_id, source_file FROM documents")}
    there = {docs[f] for f, p in places.items() if p == places[PLANS[0][0]]}
    assert reads and all(set(ids) <= there for ids in reads)


def test_an_import_builds_again_only_the_region_years_it_wrote(db, tmp_path, monkeypatch):
    client = _client(db)
    client.get("/")
    before = set(_places(db).values())
    more = fakeplans.write(tmp_path / "d_jondor_2023.docx", fakeplans.spec(district="Jondor tumani", year=2023,
                                                                           n=2, flagged={1, 2}))
    run_import([more], db=db, log_dir=tmp_path, parse=fakeplans.fake_parse)
    reads = _reads(monkeypatch)
    body = _text(client.get("/").text)
    assert client.app.state.index.built == [_places(db)["d_jondor_2023.docx"]]
    assert _places(db)["d_jondor_2023.docx"] not in before
    assert f"{FLAGGED + 2} rows need review · 0 corrected · {TOTAL + 2} rows in the store." in body
    assert None not in reads
