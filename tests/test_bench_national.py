"""The national-store generator (issue 22): distinct places and years, one current file per plan,
rows keyed as the import keys them, corrections on real rows and some orphaned."""

import sqlite3

from reja.bench.national import FIRST_YEAR, generate, markdown
from reja.store import Store


def test_generated_store_is_a_real_store_of_distinct_plans(tmp_path):
    db = tmp_path / "n.sqlite"
    out = generate(db, plans=30, corrections=10, orphans=3, work=tmp_path / "w", log=lambda m: None)
    assert out["plans"] == 30 and out["documents"] >= 30
    con = sqlite3.connect(db)
    current = con.execute("SELECT district_id, year, n_items FROM documents WHERE superseded_by IS NULL").fetchall()
    assert len(current) == 30 and len({(d, y) for d, y, _n in current}) == 30
    assert {y for _d, y, _n in current} == {FIRST_YEAR}  # the first year's places come first
    assert out["current_rows"] == sum(n for _d, _y, n in current)
    assert con.execute("SELECT COUNT(*) FROM items").fetchone()[0] == out["rows"]
    assert con.execute("SELECT COUNT(DISTINCT row_key) FROM current_items").fetchone()[0] == out["current_rows"]
    keys = [r[0] for r in con.execute("SELECT row_key FROM corrections ORDER BY id")]
    assert len(keys) == 13
    with Store(db, readonly=True) as store:  # the store module reads it as its own
        assert store.keys_with_rows(keys, current=True) == set(keys[:10])
        assert len(store.items()) == out["current_rows"]


def test_markdown_gives_the_ratio():
    row = {"small": {"seconds": 2.0, "peak_rss_mb": 100.0}, "national": {"seconds": 8.0, "peak_rss_mb": 150.0}}
    assert "| export | 2.0 | 8.0 | 4.0 | 100.0 | 150.0 | 1.5 |" in markdown({"export": row})


def test_the_review_queue_read_piece_by_piece_is_the_whole_loads_flagged_rows(tmp_path, monkeypatch):
    # `reja review export` reads the flagged rows piece by piece (flagged_pieces); the reference is the
    # whole store loaded at once and filtered (load_items), on a store with corrections, re-sends and
    # consistency findings across several regions
    import pandas as pd

    import reja.corrected
    from reja.api import orphaned_corrections
    from reja.review.data import flagged_pieces, load_items
    from reja.store import Store

    db = tmp_path / "n.sqlite"
    generate(db, plans=40, corrections=20, orphans=2, work=tmp_path / "w", log=lambda m: None)
    whole, orphans = load_items(db)
    whole = whole.loc[whole["status"] == "flagged"].reset_index(drop=True)
    monkeypatch.setattr(reja.corrected, "CHUNK_ROWS", 250)  # several pieces, several region-year packs
    pieces = pd.concat(list(flagged_pieces(db)), ignore_index=True)
    with Store(db, readonly=True) as store:  # as `load_items` adds them (the page's crop)
        documents = store.documents()[["document_id", "source_key", "source_format"]]
    pieces = pieces.merge(documents.rename(columns={"source_format": "document_format"}), on="document_id",
                          how="left")
    orphans_too = orphaned_corrections(db)
    assert len(whole) and whole["flags"].str.contains("outlier|subitems|plan_below").any()
    pd.testing.assert_frame_equal(pieces, whole[list(pieces.columns)])
    assert orphans_too == orphans and len(orphans) == 2


def test_the_unfiltered_compare_step_reads_the_store_of_400_plans(tmp_path):
    from reja.bench.national import COMPARE_ALL, COMPARE_PLANS, commands

    plans = tmp_path / "p.sqlite"
    cmd = commands(tmp_path / "national.sqlite", tmp_path, tmp_path / "one.docx", "py", plans)[COMPARE_ALL]
    assert COMPARE_PLANS == 400
    assert cmd[:4] == ["py", "-m", "reja.cli", "compare"] and cmd[cmd.index("--db") + 1] == str(plans)
    assert not {"--region", "--district", "--years"} & set(cmd)  # unfiltered: every plan of the store


def test_the_review_page_steps_build_the_index_then_serve_the_stores_rows(tmp_path):
    import subprocess
    import sys

    from reja.bench.national import REVIEW_INDEX, REVIEW_PAGE, commands

    db = tmp_path / "n.sqlite"
    out = generate(db, plans=12, corrections=4, orphans=1, work=tmp_path / "w", log=lambda m: None)
    steps = commands(db, tmp_path, tmp_path / "one.docx", sys.executable)
    assert list(steps).index(REVIEW_INDEX) < list(steps).index(REVIEW_PAGE)  # the page reads the built index
    for name in (REVIEW_INDEX, REVIEW_PAGE, REVIEW_INDEX):  # built again from scratch when re-run
        run = subprocess.run(steps[name], capture_output=True, text=True, check=False)
        assert run.returncode == 0, run.stderr
        assert int(run.stdout.split()[-1]) == out["current_rows"]  # every current row, as the page counts them


