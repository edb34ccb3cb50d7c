"""The match cache: in memory per process, and shared through a file next to the store (#22)."""

from __future__ import annotations

import sqlite3

from reja.normalize import match as matcher

from reja.match_cache import SharedMatchCache, cache_path


def test_a_repeated_wording_is_answered_from_the_cache():
    matcher.clear_cache()
    a = matcher.match_indicator("Kitobxonlarga adabiyot berish", section_id="user_services", unit_id="nusxa")
    b = matcher.match_indicator("Kitobxonlarga adabiyot berish", section_id="user_services", unit_id="nusxa")
    assert a == b and a is not b  # an equal copy: a caller changing its Match does not change the cache
    c = matcher.match_indicator("Kitobxonlarga adabiyot berish", section_id="user_services", unit_id="nusxa",
                                section_unmatched=True)
    assert c.band != "auto"  # the context is part of the key


def test_shared_cache_round_trip_and_use_by_the_matcher(tmp_path):
    cache = SharedMatchCache(cache_path(tmp_path / "reja.sqlite"))
    assert cache.path.name == "reja.sqlite.match-cache.sqlite"
    m = matcher.Match("book_issue", 91.5, "auto", [("book_issue", 91.5), ("events", 60.0)], "why")
    cache.put("v1", ("indicator", "t", None, None, None, False), m)
    assert cache.get("v1", ("indicator", "t", None, None, None, False)) == m
    assert cache.get("v2", ("indicator", "t", None, None, None, False)) is None  # another catalogue
    # the matcher fills it and reads it back in a new "process" (in-memory level cleared)
    matcher.set_shared_cache(cache)
    try:
        matcher.clear_cache()
        first = matcher.match_unit("nusxalarda")
        with sqlite3.connect(cache.path) as conn:
            assert conn.execute("SELECT count(*) FROM matches").fetchone()[0] >= 2
        matcher.clear_cache()
        assert matcher.match_unit("nusxalarda") == first
    finally:
        matcher.set_shared_cache(None)
        matcher.clear_cache()


def test_an_unusable_cache_file_never_breaks_matching(tmp_path):
    bad = tmp_path / "not-a-db.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    cache = SharedMatchCache(bad)
    assert cache.get("v", ("unit", "x")) is None
    cache.put("v", ("unit", "x"), matcher.Match(None, 0.0, "none"))
    matcher.set_shared_cache(cache)
    try:
        matcher.clear_cache()
        assert matcher.match_unit("nusxa").id == "nusxa"
    finally:
        matcher.set_shared_cache(None)
        matcher.clear_cache()


def test_rows_of_another_matcher_version_are_never_read(tmp_path):
    """The file outlives the reja that filled it: a changed vocabulary or matcher (scope) must not
    read the old answers, even under the same catalogue version."""
    path = cache_path(tmp_path / "reja.sqlite")
    m = matcher.Match("book_issue", 91.5, "auto", [("book_issue", 91.5)], "why")
    old = SharedMatchCache(path, scope="reja-1+aaa|data:111")
    old.put("v1", ("indicator", "t", None, None, None, False), m)
    assert old.get("v1", ("indicator", "t", None, None, None, False)) == m
    new = SharedMatchCache(path, scope="reja-1+bbb|data:222")
    assert new.get("v1", ("indicator", "t", None, None, None, False)) is None
    old.close()
    new.close()
