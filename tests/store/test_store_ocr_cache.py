"""The OCR cache is on by default, beside the store (issue 22), and a batch of fewer files than
--jobs gives a scan's pages the idle slots."""

import json
import os
import time

import pytest
from reja.extract.scan.cache import OcrCache, prune

import reja.pipeline
from reja.batch import run_import

pytestmark = pytest.mark.usefixtures("no_enrichment", "pinned_versions")


@pytest.fixture
def seen(tmp_path, fp, monkeypatch):
    """parse_file replaced by the fake parser; what the batch passed it is written to a file (the
    parse runs in a forked child)."""
    log = tmp_path / "calls.jsonl"

    def parse_file(path, **options):
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({k: str(v) for k, v in options.items()}) + "\n")
        if options.get("jobs", 1) > 1:  # as the scan reader does: worker processes for the pages
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(options["jobs"]) as pool:
                assert list(pool.map(abs, [-1, -2])) == [1, 2]
        return fp.fake_parse(path)

    monkeypatch.delenv("REJA_OCR_CACHE", raising=False)
    monkeypatch.setattr(reja.pipeline, "parse_file", parse_file)
    return lambda: [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_the_cache_beside_the_store_is_the_default_and_idle_slots_read_pages(tmp_path, fp, seen):
    fp.write(tmp_path / "in" / "a.docx", fp.spec(n=2))
    db = tmp_path / "store" / "reja.sqlite"
    report = run_import([tmp_path / "in"], db=db, jobs=2)
    assert [f.status for f in report.files] == ["ok"], report.files
    assert seen() == [{"ocr_cache": str(tmp_path / "store" / "ocr-cache"), "jobs": "2"}]


def test_no_cache_and_no_spare_slots(tmp_path, fp, seen):
    for name in ("a", "b"):
        fp.write(tmp_path / "in" / f"{name}.docx", fp.spec(n=2, district=f"{name} tumani"))
    run_import([tmp_path / "in"], db=tmp_path / "reja.sqlite", jobs=2, ocr_cache=False)
    # two files, two slots: each file one page worker; no cache, said as False so that the reader does
    # not take $REJA_OCR_CACHE instead
    assert seen() == [{"ocr_cache": "False"}, {"ocr_cache": "False"}]


@pytest.mark.parametrize(("given", "used"), [(False, None), (None, "env"), ("dir", "dir")])
def test_no_cache_wins_over_the_environment_in_the_scan_reader(tmp_path, monkeypatch, given, used):
    """`--no-ocr-cache` reaches read_scan as cache_dir=False: no cache even where REJA_OCR_CACHE is set
    (None still means the environment's folder; a folder given is that folder)."""
    import cv2
    import numpy as np
    from reja.extract.scan import reader

    monkeypatch.setenv("REJA_OCR_CACHE", str(tmp_path / "env"))
    page = tmp_path / "page.png"
    cv2.imwrite(str(page), np.full((60, 80), 255, np.uint8))
    opened = []

    class Stop(Exception):
        pass

    def cache(folder):  # the first cache the reader opens says which folder it uses; nothing is OCR'd
        opened.append(folder)
        raise Stop

    monkeypatch.setattr(reader, "OcrCache", cache)
    with pytest.raises(Stop):
        reader.read_scan(page, cache_dir=tmp_path / "dir" if given == "dir" else given)
    assert opened == [None if used is None else tmp_path / used]


def test_prune_removes_the_least_recently_used_entries_first(tmp_path):
    cache = OcrCache(tmp_path)
    for i, key in enumerate(("aa01", "bb02", "cc03")):
        cache.put(key, {"text": "x" * 1000})
        os.utime(cache._path(key), (time.time() - 100 + i, time.time() - 100 + i))
    assert cache.get("aa01") is not None  # read now: the most recently used
    assert prune(tmp_path, 2500) == 1
    assert cache.get("bb02") is None and cache.get("aa01") is not None and cache.get("cc03") is not None


def test_no_ocr_cache_import_keeps_nothing_where_the_environment_points(tmp_path, monkeypatch):
    """`run_import(ocr_cache=False)` (`reja import --no-ocr-cache`) through the real readers: the scan
    reader of the forked child opens no cache, although REJA_OCR_CACHE is set."""
    import cv2
    import numpy as np
    from reja.extract.scan import reader

    monkeypatch.setenv("REJA_OCR_CACHE", str(tmp_path / "env"))
    (tmp_path / "in").mkdir()
    cv2.imwrite(str(tmp_path / "in" / "page.png"), np.full((60, 80), 255, np.uint8))
    log = tmp_path / "opened.txt"

    def cache(folder):  # in the child: which folder the reader would cache in; then the file stops there
        log.write_text(str(folder), encoding="utf-8")
        raise RuntimeError("stop before OCR")

    monkeypatch.setattr(reader, "OcrCache", cache)
    report = run_import([tmp_path / "in"], db=tmp_path / "reja.sqlite", ocr_cache=False)
    assert [f.error_code for f in report.files] == ["internal_error"]
    assert log.read_text(encoding="utf-8") == "None"
    run_import([tmp_path / "in"], db=tmp_path / "again.sqlite", force=True)  # the default: the env's folder
    assert log.read_text(encoding="utf-8") == str(tmp_path / "env")


def test_a_page_read_at_other_header_scores_is_not_taken_from_the_cache(tmp_path, monkeypatch):
    # the header scores decide which columns' numbers are read again: a page read under other scores
    # is another reading, never a cache hit (issue 16: the key held the scan settings only)
    from dataclasses import replace
    from pathlib import Path

    from reja.extract.scan import reader
    from reja.extract.settings import load_parse_settings

    reads = []
    monkeypatch.setattr(reader, "read_page", lambda img, dpi, lang, scan, header: reads.append(header) or {"tables": []})
    scan = Path(__file__).resolve().parents[2] / "samples" / "jondor_2021_scan.pdf"
    settings = load_parse_settings()
    other = replace(settings, header=replace(settings.header, match=settings.header.match - 5))
    cache = str(tmp_path / "ocr")
    first = reader._page_job(str(scan), 1, "uzb", settings, cache)
    again = reader._page_job(str(scan), 1, "uzb", settings, cache)
    moved = reader._page_job(str(scan), 1, "uzb", other, cache)
    assert (first["cached"], again["cached"], moved["cached"]) == (False, True, False)
    assert reads == [settings.header, other.header]
