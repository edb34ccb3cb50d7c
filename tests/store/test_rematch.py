"""Re-match without re-reading: after a clerk teaches a wording, the next import re-matches each
file's stored rows (before matching) instead of reading the file again, and ends where a full
re-import ends. Files are read again when their bytes change."""

import sqlite3

import pandas as pd
import pytest
from reja.schema.catalogue import load_catalogue

from reja import corrections
from reja.api import load_documents, load_items
from reja.batch import run_import

VOLATILE = ["imported_at", "run_id", "duration_s"]


def _must_not_read(path):
    raise AssertionError(f"{path} was read again")


def _copy(db, dest):
    with sqlite3.connect(db) as src, sqlite3.connect(dest) as out:
        src.backup(out)


def _tables(db):
    items = load_items(db, include_superseded=True, corrections=False)
    docs = load_documents(db).drop(columns=VOLATILE)
    return (items.sort_values(["source_file", "item_index"]).reset_index(drop=True),
            docs.sort_values("source_file").reset_index(drop=True))  # fmt: skip


@pytest.fixture
def imported(tmp_path, fp):
    folder = tmp_path / "plans"
    for i in range(3):
        fp.write(folder / f"plan_{i}.docx", fp.spec(district=f"Tuman{i} tumani", n=4, flagged=(2,)))
    db = tmp_path / "reja.sqlite"
    first = run_import([folder], db=db, parse=fp.fake_parse)
    assert not any(f.rematched for f in first.files)
    return folder, db


def _teach(db):
    """A clerk sets the activity of one row to another catalogue entry: a learned wording."""
    row = load_items(db).iloc[0]
    other = next(i for i in load_catalogue().indicators if i != row.indicator_id)
    corrections.record(db, row.row_key, "indicator_id", row.indicator_id, other, who="Dilnoza",
                       context=corrections.row_context(row))  # fmt: skip
    return row.text, other


def test_a_learned_wording_re_matches_the_stored_rows_without_reading_a_file(imported, tmp_path, fp):
    folder, db = imported
    text, taught = _teach(db)
    full = tmp_path / "full.sqlite"
    _copy(db, full)

    report = run_import([folder], db=db, parse=_must_not_read)
    assert [f.rematched for f in report.files] == [True, True, True]
    assert {f.status for f in report.files} <= {"ok", "partial"}
    assert "re-matched" in report.summary() and "learned wordings" in report.summary()
    items = load_items(db, corrections=False)
    # every row with the taught wording now matches the taught entry, in every plan
    assert set(items.loc[items.text == text, "indicator_id"]) == {taught}

    run_import([folder], db=full, parse=fp.fake_parse, force=True)  # the same store, read in full
    for mine, theirs in zip(_tables(db), _tables(full), strict=True):
        pd.testing.assert_frame_equal(mine, theirs)


def test_nothing_changed_is_still_skipped_and_changed_bytes_are_read(imported, fp):
    folder, db = imported
    again = run_import([folder], db=db, parse=_must_not_read)
    assert [f.status for f in again.files] == ["skipped"] * 3

    fp.write(folder / "plan_1.docx", fp.spec(district="Tuman1 tumani", n=5))
    _teach(db)
    report = run_import([folder], db=db, parse=fp.fake_parse)
    # the re-sent file is read (its five items); the others are re-matched from their stored rows
    assert {f.source_file.rsplit("/", 1)[-1]: (f.rematched, f.n_items) for f in report.files} == {
        "plan_0.docx": (True, 4), "plan_1.docx": (False, 5), "plan_2.docx": (True, 4)}


def test_force_reads_every_file(imported, fp):
    folder, db = imported
    _teach(db)
    report = run_import([folder], db=db, parse=fp.fake_parse, force=True)
    assert [f.rematched for f in report.files] == [False] * 3 and "re-matched" not in report.summary()


def test_reja_rematch_needs_no_files_and_equals_a_full_import(imported, tmp_path, fp):
    from reja.rematch import rematch_store

    folder, db = imported
    text, taught = _teach(db)
    full = tmp_path / "full.sqlite"
    _copy(db, full)
    moved = tmp_path / "moved"
    folder.rename(moved)  # the files are not there any more

    report = rematch_store(db)
    assert len(report.rematched) == 3 and not report.failed and not report.need_reading
    assert "3 plan(s) re-matched" in report.summary()
    assert set(load_items(db, corrections=False).query("text == @text")["indicator_id"]) == {taught}
    again = rematch_store(db)
    assert len(again.unchanged) == 3 and not again.rematched  # nothing changed since

    moved.rename(folder)
    run_import([folder], db=full, parse=fp.fake_parse, force=True)
    for mine, theirs in zip(_tables(db), _tables(full), strict=True):
        pd.testing.assert_frame_equal(mine.drop(columns=["run_id"], errors="ignore"),
                                      theirs.drop(columns=["run_id"], errors="ignore"))  # fmt: skip


def test_a_second_run_takes_the_matches_of_the_first_from_the_stores_match_cache(tmp_path, fp, monkeypatch):
    """A re-match in a new process finds every wording matched already (by the first import's
    workers) in the match cache next to the store: the matcher itself does not run again."""
    import reja.normalize.match as matcher

    folder = tmp_path / "plans"
    for i in range(3):
        fp.write(folder / f"plan_{i}.docx", fp.spec(district=f"Tuman{i} tumani", n=4, flagged=(2,)))
    db = tmp_path / "reja.sqlite"
    matcher.clear_cache()  # each import a new process: nothing matched in memory
    run_import([folder], db=db, parse=fp.fake_parse)
    _teach(db)
    matcher.clear_cache()

    def must_not_match(*args, **kwargs):
        raise AssertionError("matched again instead of taken from the match cache")

    import reja.worker

    monkeypatch.setattr(reja.worker, "warm_up", lambda: None)  # its fixed words may be in this process only
    for name in ("_match_indicator", "_match_section", "_match_unit"):
        monkeypatch.setattr(matcher, name, must_not_match)
    report = run_import([folder], db=db, parse=_must_not_read)
    assert [f.rematched for f in report.files] == [True, True, True], report.files
    assert {f.status for f in report.files} <= {"ok", "partial"}


def test_a_catalogue_edit_re_matches_and_reads_no_file(imported, tmp_path, monkeypatch):
    """An edit to a data file only matching reads (the catalogue's indicators) changes the import key
    but not the parse key: every plan is re-matched from its stored rows."""
    import shutil

    import reja.keys as keys

    folder, db = imported
    copies = []
    for i, d in enumerate(keys.data_dirs()):  # same names and bytes: the same keys as the real folders
        copies.append(shutil.copytree(d, tmp_path / f"data{i}" / d.parent.name / "data"))
    monkeypatch.setattr(keys, "data_dirs", lambda: copies)
    for fn in (keys.data_version, keys.parse_data_version, keys.catalogue_version):
        fn.cache_clear()
    indicators = next(c / "indicators.yaml" for c in copies if (c / "indicators.yaml").exists())
    indicators.write_text(indicators.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    try:
        report = run_import([folder], db=db, parse=_must_not_read)
    finally:
        for fn in (keys.data_version, keys.parse_data_version, keys.catalogue_version):
            fn.cache_clear()
    assert [f.rematched for f in report.files] == [True, True, True]
