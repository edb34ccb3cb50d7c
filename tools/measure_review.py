"""How fast the review page answers a clerk's actions on a store of a realistic size (issue 20: each
action ≤ 300 ms).

The store: the typed samples imported once by `reja import`, then copied inside the store as
`--plans` plans (each copy its own document, row keys, stored parse and a district name of its own),
so the page works on a few hundred plans and tens of thousands of rows without importing them all.
Each action is timed `--repeat` times through FastAPI's TestClient (the same app `reja review serve`
runs), together with the page it leads to (what the clerk waits for), and undone before the next try, so every try sees the same store; the median is reported.

    .venv/bin/python tools/measure_review.py --plans 400 --repeat 5

Prints one line per action and the machine's load average (timings on a loaded machine are several
times slower: compare them with the `baseline` line, a bare GET of a static file, in the same run).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
SAMPLES = ("izboskan_2025.docx", "jondor_2021.docx")
BUDGET_MS = 300


def build_store(work: Path, plans: int) -> Path:
    """Import the samples, then give each of their plans to other districts of the gazetteer (and other
    years) until the store holds `plans` plans: each copy is a document of its own whose stored parse
    names its district, matched by `reja rematch` as an import of that plan would be."""
    import csv

    from reja.api import import_paths
    from reja.batch import parse_key
    from reja.rematch import rematch_store

    for name in SAMPLES:
        shutil.copy(REPO / "samples" / name, work / name)
    db = work / "reja.sqlite"
    import_paths([work / n for n in SAMPLES], db=db)
    with open(REPO / "schema" / "data" / "gazetteer.csv", encoding="utf-8") as fh:
        places = list(csv.DictReader(fh))
    regions = {p["region_id"]: p["name_latn"] for p in places if p["kind"] == "region"}
    districts = [(regions.get(p["region_id"]), p["name_latn"]) for p in places if p["kind"] != "region"]
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    docs = [dict(r) for r in con.execute("SELECT * FROM documents WHERE superseded_by IS NULL")]
    with con:
        for k in range(max(0, plans - len(docs))):
            doc = dict(docs[k % len(docs)])
            old_id = doc["document_id"]
            region, district = districts[(k // len(docs)) % len(districts)]
            year = int(doc["year"]) - (k // (len(docs) * len(districts)))
            new_id = hashlib.sha256(f"{old_id}|copy{k}".encode()).hexdigest()[:16]
            parsed = json.loads(con.execute("SELECT rows_json FROM parsed WHERE document_id = ?",
                                            (old_id,)).fetchone()[0])
            parsed["meta"].update(region=region, district=district, year=year)
            for row in parsed["rows"]:
                row.update(document_id=new_id, region=region, district=district, year=year)
            doc.update(document_id=new_id, source_key=f"{doc['source_key']}#copy{k}", import_key="copy",
                       sha256=hashlib.sha256(f"{doc['sha256']}|copy{k}".encode()).hexdigest(), plan_key=None)
            con.execute(f"INSERT INTO documents ({', '.join(doc)}) VALUES ({', '.join('?' * len(doc))})",
                        list(doc.values()))
            con.execute("INSERT INTO parsed VALUES (?, ?, ?)",
                        (parse_key(new_id), new_id, json.dumps(parsed, ensure_ascii=False)))
    con.close()
    rematch_store(db)  # the copies' rows, as the pipeline makes them
    con = sqlite3.connect(db)
    n_docs, n_rows = con.execute("SELECT count(*), sum(n_items) FROM documents WHERE superseded_by IS NULL").fetchone()
    con.close()
    print(f"store: {n_docs} current plans, {n_rows} rows", flush=True)
    return db


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" content="([0-9a-f]+)"', html).group(1)


def measure(db: Path, repeat: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from reja.review.data import load_items
    from reja.review.web import ReviewSettings, create_app

    client = TestClient(create_app(ReviewSettings(db=db, clerk="bench")), base_url="http://127.0.0.1")
    items, _orphans = load_items(db)
    flagged = items[items["status"] == "flagged"]
    indicator_rows = flagged[flagged["flags"].fillna("").str.contains("indicator_")
                             & flagged["match_candidates"].fillna("").str.contains('"indicator"')]
    district = str(flagged["district"].iloc[len(flagged) // 2])
    query = urlencode({"status": "flagged", "district": district})
    token = _csrf(client.get("/").text)
    times: dict[str, list[float]] = {}

    def timed(name: str, call) -> object:
        t0 = time.perf_counter()
        response = call()
        times.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
        if response.status_code >= 400:
            raise SystemExit(f"{name}: HTTP {response.status_code}: {response.text[:300]}")
        return response

    def background(name: str) -> None:
        """The plans a taught wording touches are re-matched in the background: waited for (so each
        try starts from the same store) and reported in seconds, apart from the actions."""
        t0 = time.perf_counter()
        client.app.state.rematcher.wait(3600)
        times.setdefault(name, []).append(time.perf_counter() - t0)

    def undo() -> None:
        client.post("/undo", data={"csrf": token, "query": query}, follow_redirects=False)

    client.get(f"/row/{flagged['row_key'].iloc[0]}")  # first load: the store is read and cached
    for i in range(repeat):
        timed("baseline (static file)", lambda: client.get("/static/htmx.min.js"))
        timed("list", lambda: client.get(f"/?{query}"))
        row = indicator_rows.iloc[(i * 7) % len(indicator_rows)]
        key = row["row_key"]
        timed("row", lambda key=key: client.get(f"/row/{key}?{query}"))
        timed("accept", lambda key=key: client.post(f"/row/{key}/accept", data={"csrf": token, "query": query},
                                                     follow_redirects=True))
        undo()
        cand = json.loads(row["match_candidates"])["indicator"][0]
        cid = cand["id"] if isinstance(cand, dict) else cand[0]
        timed("pick", lambda key=key, cid=cid: client.post(
            f"/row/{key}/pick", data={"csrf": token, "query": query, "kind": "indicator", "candidate": cid},
            follow_redirects=True))
        undo()
        timed("apply-to-wording", lambda key=key, cid=cid: client.post(
            f"/row/{key}/pick", data={"csrf": token, "query": query, "kind": "indicator", "candidate": cid,
                                      "all_wording": "1"}, follow_redirects=True))
        background("re-match after apply (s)")
        undo()
        background("re-match after its undo (s)")
        page = client.get(f"/?{query}").text
        expected = re.search(r'name="expected" value="(\d+)"', page).group(1)
        timed("bulk accept", lambda expected=expected: client.post(
            "/bulk/accept", data={"csrf": token, "query": query, "expected": expected}, follow_redirects=True))
        undo()
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=400, help="plans in the store (default 400)")
    parser.add_argument("--repeat", type=int, default=5, help="tries per action (median reported)")
    parser.add_argument("--db", type=Path, help="measure this store instead of building one (it is changed and undone)")
    args = parser.parse_args(argv)
    os.environ.setdefault("REJA_LANG", "uz")
    with tempfile.TemporaryDirectory(prefix="reja-measure-review-") as tmp:
        t0 = time.perf_counter()
        db = args.db or build_store(Path(tmp), args.plans)
        print(f"store ready in {time.perf_counter() - t0:.1f} s", flush=True)
        medians = measure(db, args.repeat)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs; "
          f"median of {args.repeat} tries per action, ms (re-match: s, in the background):")
    slow = []
    for name, ms in medians.items():
        mark = "" if name.startswith(("baseline", "re-match")) or ms <= BUDGET_MS else f"  > {BUDGET_MS} ms"
        if mark:
            slow.append(name)
        print(f"  {name:<24} {ms:8.1f}{mark}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
