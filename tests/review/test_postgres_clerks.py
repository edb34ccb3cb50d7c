"""Clerks of one regional centre reviewing on their own PCs at once, through the review page, against
one PostgreSQL store (issue 23): every correction is kept, each on its row, with its clerk."""

import re
import threading

from fastapi.testclient import TestClient

from reja import corrections as corr
from reja.api import load_items
from reja.batch import run_import
from reja.review.web import ReviewSettings, create_app
from tests.store import fakeplans

PER_CLERK = 50


def test_two_clerks_applying_50_corrections_each_at_once_lose_none(tmp_path, pg_url, monkeypatch):
    import reja.enrich

    monkeypatch.setattr(reja.enrich, "enrich_rows", lambda rows, **kw: {"region_id": None, "district_id": None, "flags": []})
    monkeypatch.setattr(reja.enrich, "warm_up", lambda: None)
    n = 2 * PER_CLERK
    fakeplans.write(tmp_path / "plan.docx", fakeplans.spec(n=n, flagged=range(1, n + 1)))
    run_import([tmp_path / "plan.docx"], db=pg_url, log_dir=tmp_path, parse=fakeplans.fake_parse)
    items = load_items(pg_url)
    keys = list(items.sort_values("item_index")["row_key"])
    assert len(keys) == n and set(items["status"]) == {"flagged"}

    # each clerk's PC runs its own review page on the shared store
    clients = {who: TestClient(create_app(ReviewSettings(db=pg_url, clerk=who)), base_url="http://127.0.0.1")
               for who in ("Dilnoza", "Sardor")}
    tokens = {who: re.search(r'name="csrf" content="([0-9a-f]+)"', c.get(f"/row/{keys[0]}").text).group(1)
              for who, c in clients.items()}
    answers: dict[str, list[int]] = {who: [] for who in clients}
    start = threading.Barrier(2)

    def clerk(who: str, mine: list[str], value0: int) -> None:
        start.wait()
        for k, key in enumerate(mine):
            r = clients[who].post(f"/row/{key}/correct", follow_redirects=False,
                                  data={"field": "plan_value", "value": str(value0 + k), "csrf": tokens[who]})
            answers[who].append(r.status_code)

    threads = [threading.Thread(target=clerk, args=("Dilnoza", keys[:PER_CLERK], 1000)),
               threading.Thread(target=clerk, args=("Sardor", keys[PER_CLERK:], 5000))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert answers == {"Dilnoza": [303] * PER_CLERK, "Sardor": [303] * PER_CLERK}

    saved = corr.all_corrections(pg_url)
    assert len(saved) == n
    assert sorted(c.who for c in saved) == ["Dilnoza"] * PER_CLERK + ["Sardor"] * PER_CLERK
    after = load_items(pg_url).set_index("row_key")
    assert [after.loc[k, "plan_value"] for k in keys] == [1000.0 + k for k in range(PER_CLERK)] + \
        [5000.0 + k for k in range(PER_CLERK)]
    assert set(after["status"]) == {"corrected"}


def test_behind_a_proxy_each_clerk_logs_in_on_a_postgres_store(tmp_path, pg_url, monkeypatch):
    """`reja review serve --login --public-host reja.example.uz` on 127.0.0.1 behind a reverse proxy:
    requests all come from the proxy, yet each correction is the logged-in clerk's; accounts live in
    the PostgreSQL store."""
    import reja.enrich
    from reja.review import accounts

    monkeypatch.setattr(reja.enrich, "enrich_rows", lambda rows, **kw: {"region_id": None, "district_id": None, "flags": []})
    monkeypatch.setattr(reja.enrich, "warm_up", lambda: None)
    fakeplans.write(tmp_path / "plan.docx", fakeplans.spec(n=2, flagged=(1, 2)))
    run_import([tmp_path / "plan.docx"], db=pg_url, log_dir=tmp_path, parse=fakeplans.fake_parse)
    accounts.add_user(pg_url, "Dilnoza", "kitob-2025")
    settings = ReviewSettings(db=pg_url, clerk="server", require_login=True, extra_hosts=("reja.example.uz",))
    client = TestClient(create_app(settings), base_url="https://reja.example.uz")
    first = client.get("/", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/login"
    login = client.get("/login").text
    token = re.search(r'name="csrf" content="([0-9a-f]+)"', login).group(1)
    assert client.post("/login", data={"csrf": token, "name": "Dilnoza", "password": "wrong-one"},
                       follow_redirects=False).status_code == 401
    assert client.post("/login", data={"csrf": token, "name": "Dilnoza", "password": "kitob-2025"},
                       follow_redirects=False).status_code == 303
    key = load_items(pg_url)["row_key"].iloc[0]
    r = client.post(f"/row/{key}/accept", data={"csrf": token}, headers={"origin": "https://reja.example.uz"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert corr.history(pg_url, key)[-1].who == "Dilnoza"
    other = TestClient(create_app(settings), base_url="https://evil.example")
    assert other.get("/login").status_code == 403  # a name the page was not given is refused
