"""Identity of plans and rows (issue 14): no plan hidden by another, no row key shared by two plans.

Every case is one an adversarial user really met; expectations come from the gazetteer
(schema/data/gazetteer.csv) and from the plans written here by hand, never from reja's output."""

import os
from pathlib import Path

import pandas as pd
import pytest
from reja.extract.model import ParsedPlan, PlanItem, PlanMeta
from reja.extract.title_block import parse_title_block

from reja.api import load_documents, load_items
from reja.batch import run_import
from reja.records import finalise_rows, fold, plan_rows

pytestmark = pytest.mark.usefixtures("no_enrichment", "pinned_versions")


def _parse_with_title_block(fp):
    """fake_parse, but a plan without a district gets its meta from the title-block parser and the
    file name (what a real plan without a title block goes through)."""

    def parse(path: Path):
        plan = fp.fake_parse(path)
        if plan.meta.district is None:
            meta = parse_title_block([], path.name)
            meta.year = plan.meta.year or meta.year
            plan.meta = meta
        return plan

    return parse


def _import(paths, db, parse, **kw):
    return run_import(paths, db=db, parse=parse, **kw)


# -- plans --------------------------------------------------------------------------------------
def test_a_city_plan_and_the_district_plan_of_the_same_name_are_two_plans(tmp_path, fp):
    """buxoro_shahar_2025 was superseded by buxoro_tumani_2025: both named 'Buxoro' by the first word."""
    city = fp.write(tmp_path / "buxoro_shahar_2025.docx", fp.spec(district=None, region=None, n=48))
    district = fp.write(tmp_path / "buxoro_tumani_2025.docx", fp.spec(district=None, region=None, n=48))
    os.utime(city, (1_700_000_000, 1_700_000_000))
    os.utime(district, (1_700_100_000, 1_700_100_000))
    db = tmp_path / "db.sqlite"
    _import([city, district], db, _parse_with_title_block(fp))
    docs = load_documents(db).set_index("source_file")
    assert docs["superseded_by"].isna().all()
    assert docs.loc[str(city), "district_id"] == "1706401"  # Buxoro (city) in the gazetteer
    assert docs.loc[str(district), "district_id"] == "1706207"  # Buxoro tumani
    assert "taken from the file name: Buxoro shahri" in docs.loc[str(city), "meta_flags"]
    assert len(load_items(db)) == 96


def test_plans_whose_place_is_unknown_stand_alone_and_say_so(tmp_path, fp):
    """Two regions each sent Ish_rejasi_2025.docx without a title block: district 'Ish' hid one."""
    a = fp.write(tmp_path / "andijon" / "Ish_rejasi_2025.docx", fp.spec(district=None, region=None, n=48))
    b = fp.write(tmp_path / "xorazm" / "Ish_rejasi_2025.docx", fp.spec(district=None, region=None, n=48))
    db = tmp_path / "db.sqlite"
    report = _import([a, b], db, _parse_with_title_block(fp))
    docs = load_documents(db)
    assert docs["superseded_by"].isna().all() and docs["plan_key"].isna().all()
    assert docs["meta_flags"].str.contains("place_unmatched").all()
    assert len(load_items(db)) == 96
    assert {f.status for f in report.files} == {"partial"}  # a doubt is never an ok
    # their rows never share a key: a correction on one cannot reach the other
    items = load_items(db)
    keys = items.groupby("document_id")["row_key"].apply(set).tolist()
    assert not keys[0] & keys[1]


def test_a_plan_in_doubt_never_supersedes_a_certain_one(tmp_path, fp):
    """'Jondor tumani' under 'Andijon viloyati' (Jondor is in Buxoro): in doubt, so it stands alone."""
    sure = fp.write(tmp_path / "jondor.docx", fp.spec(district="Jondor tumani", region="Buxoro viloyati", n=3))
    odd = fp.write(tmp_path / "jondor_new.docx", fp.spec(district="Jondor tumani", region="Andijon viloyati", n=2))
    os.utime(sure, (1_700_000_000, 1_700_000_000))
    os.utime(odd, (1_700_100_000, 1_700_100_000))  # newer: it would win if identity were guessed
    db = tmp_path / "db.sqlite"
    _import([sure, odd], db, fp.fake_parse)
    docs = load_documents(db).set_index("source_file")
    assert docs["superseded_by"].isna().all()
    assert docs.loc[str(odd), "meta_flags"].startswith("place_review")
    assert len(load_items(db)) == 5


def test_versions_of_one_place_still_supersede_in_either_script(tmp_path, fp):
    old = fp.write(tmp_path / "a.docx", fp.spec(district="Izboskan tumani", region="Andijon viloyati", n=2))
    new = fp.write(tmp_path / "b.docx", fp.spec(district="Избоскан тумани", region="Андижон вилояти", n=3))
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(new, (1_700_100_000, 1_700_100_000))
    db = tmp_path / "db.sqlite"
    _import([old, new], db, fp.fake_parse)
    docs = load_documents(db).set_index("source_file")
    assert docs.loc[str(old), "superseded_by"] == docs.loc[str(new), "document_id"]
    assert docs.loc[str(new), "plan_key"] == "1703214|2025"


def test_tashkent_city_districts_are_places_of_their_own(tmp_path, fp):
    paths = [fp.write(tmp_path / f"{d}.docx", fp.spec(district=f"{d} tumani", region="Toshkent shahri", n=2))
             for d in ("Yunusobod", "Chilonzor", "Mirzo Ulug'bek")]
    db = tmp_path / "db.sqlite"
    _import(paths, db, fp.fake_parse)
    docs = load_documents(db)
    assert docs["plan_key"].nunique() == 3 and docs["superseded_by"].isna().all()
    assert all(k.startswith("1726") for k in docs["district_id"])


# -- row keys -----------------------------------------------------------------------------------
def _keys(district, region, items, year=2025, place_key=None):
    plan = ParsedPlan(source="x", format="docx", meta=PlanMeta(region=region, district=district, year=year),
                      items=items)
    rows = plan_rows(plan, document_id="d", source_file="x.docx")
    finalise_rows(rows, place_key)
    return [r.row_key for r in rows]


def test_the_newer_latin_letters_fold_like_1995_latin_and_cyrillic():
    assert fold("Şahar") == fold("Shahar") == fold("Шаҳар") == "shahar"
    assert fold("Şahar") == fold("Șahar")  # s with comma below, the look-alike
    assert fold("Ötkir Çoğlu") == fold("O'tkir Chog'lu") == fold("Ўткир Чоғлу")
    assert fold("Soñg") == fold("Songg")
    items_2026 = [PlanItem("1", "Kitobxonlar bilan uçraşuv ötkazish", section_no="I")]
    items_1995 = [PlanItem("1", "Kitobxonlar bilan uchrashuv o‘tkazish", section_no="I")]
    assert _keys("Şahrixon tumani", None, items_2026, place_key="id:1703230") == _keys(
        "Shahrixon tumani", None, items_1995, place_key="id:1703230")


def test_row_keys_of_two_places_sharing_a_first_word_differ():
    items = [PlanItem("1", "Kitob ko'rgazmasi", section_no="II")]
    assert _keys("Urganch tumani", "Xorazm viloyati", items, place_key="id:1733217") != _keys(
        "Urganch shahri", "Xorazm viloyati", items, place_key="id:1733401")
    # without an identity (a caller outside the batch) the whole names count, never the first word
    assert _keys("Urganch tumani", "Xorazm viloyati", items) != _keys("Urganch shahri", "Xorazm viloyati", items)


def test_rows_that_start_alike_are_told_apart_by_their_whole_text():
    a = PlanItem("3", "Kitobxonlar bilan uchrashuvlar o'tkazish: maktablarda", section_no="I")
    b = PlanItem("3", "Kitobxonlar bilan uchrashuvlar o'tkazish: kollejlarda", section_no="I")
    keys_both = _keys("Izboskan tumani", None, [a, b], place_key="id:1703214")
    keys_b_alone = _keys("Izboskan tumani", None, [b], place_key="id:1703214")
    assert keys_both[1] == keys_b_alone[0]  # dropping the first row does not move the second's key


# -- corrections --------------------------------------------------------------------------------
from reja import corrections as corr  # noqa: E402
from reja.review.data import load_items as review_items  # noqa: E402


def _plan(district, region, items, year=2025):
    return {"district": district, "region": region, "year": year,
            "items": [{"item_no": no, "text": text, "unit": "marta", "plan_value": value, **extra}
                      for no, text, value, *rest in items for extra in [rest[0] if rest else {}]]}


def _correct(db, row, field, after, who="Dilnoza"):
    """What the review page does: the row as the clerk sees it, its own value as `before`."""
    return corr.record(db, row["row_key"], field, row[field], after, who=who, context=corr.row_context(row))


def _row(items, source_name, item_no, nth=0):
    rows = items[(items["source_file"].str.endswith(source_name)) & (items["item_no"] == item_no)]
    return rows.iloc[nth]


def test_a_correction_on_urganch_tumani_never_touches_urganch_city(tmp_path, fp):
    tumani = fp.write(tmp_path / "urganch_t.docx", _plan("Urganch tumani", "Xorazm viloyati",
                                                          [("1", "Kitob ko'rgazmasi tashkil etish", 18.0)]))
    city = fp.write(tmp_path / "urganch_sh.docx", _plan("Urganch shahri", "Xorazm viloyati",
                                                         [("1", "Kitob ko'rgazmasi tashkil etish", 777.0)]))
    db = tmp_path / "db.sqlite"
    run_import([tumani, city], db=db, parse=fp.fake_parse)
    items, _ = review_items(db)
    _correct(db, _row(items, "urganch_t.docx", "1"), "plan_value", 19)
    after = load_items(db)
    assert _row(after, "urganch_t.docx", "1")["plan_value"] == 19
    city_row = _row(after, "urganch_sh.docx", "1")
    assert city_row["plan_value"] == 777 and city_row["status"] != "corrected"


def test_a_resend_without_the_first_of_two_same_worded_rows_does_not_move_its_correction(tmp_path, fp):
    same = "Kitobxonlar bilan uchrashuv"
    plan = tmp_path / "izboskan.docx"
    fp.write(plan, _plan("Izboskan tumani", "Andijon viloyati", [("5", same, 50.0), ("5", same, 500.0)]))
    db = tmp_path / "db.sqlite"
    run_import([plan], db=db, parse=fp.fake_parse)
    items, _ = review_items(db)
    _correct(db, _row(items, "izboskan.docx", "5", nth=0), "plan_value", 100)
    assert sorted(load_items(db)["plan_value"]) == [100, 500]
    fp.write(plan, _plan("Izboskan tumani", "Andijon viloyati", [("5", same, 500.0)]))  # first row dropped
    run_import([plan], db=db, parse=fp.fake_parse)
    row = load_items(db).iloc[0]
    assert row["plan_value"] == 500  # the remaining row keeps its own value
    assert row["status"] == "flagged" and "correction_conflict: plan_value: 2 same-worded rows" in row["flags"]


def test_a_stale_correction_never_overrides_a_corrected_resend(tmp_path, fp):
    plan = tmp_path / "izboskan.docx"
    fp.write(plan, _plan("Izboskan tumani", "Andijon viloyati", [("7", "Ommaviy tadbirlar", 1350.0)]))
    db = tmp_path / "db.sqlite"
    run_import([plan], db=db, parse=fp.fake_parse)
    items, _ = review_items(db)
    _correct(db, items.iloc[0], "plan_value", 1750)
    assert load_items(db).iloc[0]["plan_value"] == 1750
    fp.write(plan, _plan("Izboskan tumani", "Andijon viloyati", [("7", "Ommaviy tadbirlar", 1400.0)]))
    run_import([plan], db=db, parse=fp.fake_parse)
    row = load_items(db).iloc[0]
    assert row["plan_value"] == 1400 and row["status"] == "flagged"
    assert "correction_conflict: plan_value: source now '1400', before '1350', corrected '1750'" in row["flags"]
    # the clerk chooses: keeping 1750 against the new source settles it
    items, _ = review_items(db)
    assert corr.SOURCE_COLUMN in items and "1400" in items.iloc[0][corr.SOURCE_COLUMN]
    _correct(db, items.iloc[0], "plan_value", 1750)
    row = load_items(db).iloc[0]
    assert row["plan_value"] == 1750 and row["status"] == "corrected" and "correction_conflict" not in row["flags"]


def test_a_correction_on_an_unchanged_resend_still_applies(tmp_path, fp):
    plan = tmp_path / "izboskan.docx"
    fp.write(plan, _plan("Izboskan tumani", "Andijon viloyati", [("7", "Ommaviy tadbirlar", 1350.0),
                                                                  ("8", "Kitob taqdimoti", 4.0)]))
    db = tmp_path / "db.sqlite"
    run_import([plan], db=db, parse=fp.fake_parse)
    items, _ = review_items(db)
    _correct(db, _row(items, "izboskan.docx", "7"), "plan_value", 1750)
    fp.write(plan, _plan("Izboskan tumani", "Andijon viloyati", [("7", "Ommaviy tadbirlar", 1350.0),
                                                                  ("8", "Kitob taqdimoti", 5.0)]))
    run_import([plan], db=db, parse=fp.fake_parse)
    row = _row(load_items(db), "izboskan.docx", "7")
    assert row["plan_value"] == 1750 and row["status"] == "corrected"


def _store_v1_correction(db, row, field, before, after, context):
    """A correction as the version 1 code stored it: under the v1 key, no source anchor."""
    import json

    con = corr.connect(db)
    con.execute("INSERT INTO corrections(row_key, field, value_before, value_after, who, at, why, via, reverts,"
                " context) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (row, field, before, after, "Dilnoza", "2026-01-05T10:00:00.000000Z", None, "excel", None,
                 json.dumps(context)))
    con.close()


def test_corrections_under_version_1_keys_move_to_their_rows_and_never_to_the_namesake(tmp_path, fp):
    from reja.records import legacy_row_key_v1

    tumani = fp.write(tmp_path / "urganch_t.docx", _plan("Urganch tumani", "Xorazm viloyati",
                                                          [("1", "Kitob ko'rgazmasi tashkil etish", 18.0)]))
    city = fp.write(tmp_path / "urganch_sh.docx", _plan("Urganch shahri", "Xorazm viloyati",
                                                         [("1", "Kitob ko'rgazmasi tashkil etish", 777.0)]))
    db = tmp_path / "db.sqlite"
    run_import([tumani, city], db=db, parse=fp.fake_parse)
    items = load_items(db)
    t_row = _row(items, "urganch_t.docx", "1").to_dict()
    (v1,) = legacy_row_key_v1([t_row])
    (v1_city,) = legacy_row_key_v1([_row(items, "urganch_sh.docx", "1").to_dict()])
    assert v1 == v1_city  # the version 1 bug: one key for two plans
    context = {"district": "Urganch tumani", "year": 2025, "item_no": "1", "source_file": str(tumani)}
    _store_v1_correction(db, v1, "plan_value", "18", "19", context)
    _store_v1_correction(db, v1, "fact_value", None, "5", {})  # remembers nothing: cannot be placed
    report = run_import([tumani, city], db=db, parse=fp.fake_parse, force=True)
    after = load_items(db)
    assert _row(after, "urganch_t.docx", "1")["plan_value"] == 19
    assert _row(after, "urganch_sh.docx", "1")["plan_value"] == 777
    assert pd.isna(_row(after, "urganch_sh.docx", "1")["fact_value"])
    _, orphans = review_items(db)
    assert len(orphans) == 1 and "fact_value" in orphans[0]  # kept and reported, never guessed
    assert report.files  # the import itself went on
    history = corr.history(db, _row(after, "urganch_t.docx", "1")["row_key"])
    assert [(h.value_before, h.value_after, h.who) for h in history] == [("18", "19", "Dilnoza")]


def test_import_names_the_current_file_of_each_plan_with_several(tmp_path, fp):
    files = []
    for n, stamp in ((1, 1_700_000_000), (2, 1_700_100_000), (3, 1_700_200_000)):
        path = fp.write(tmp_path / f"paxtaobod_v{n}.docx", fp.spec(district="Paxtaobod tumani", year=2023, n=n))
        os.utime(path, (stamp, stamp))
        files.append(path)
    lines = []
    report = run_import(files, db=tmp_path / "db.sqlite", parse=fp.fake_parse, on_status=lines.append)
    (plan,) = report.plans
    assert plan.plan_key == "1703232|2023" and plan.current == str(files[2]) and len(plan.files) == 3
    assert any(line.startswith("plan     Paxtaobod tumani 2023: 3 files, current: ") and str(files[2]) in line
               for line in lines)


# -- provenance and accounting ------------------------------------------------------------------
def test_a_file_replaced_during_the_batch_keeps_the_hash_of_the_bytes_its_rows_came_from(tmp_path, fp):
    import hashlib
    import json

    a = fp.write(tmp_path / "in" / "a.docx", fp.spec(district="Asaka tumani", n=1))
    b = fp.write(tmp_path / "in" / "b.docx", _plan("Izboskan tumani", "Andijon viloyati", [("1", "Ommaviy tadbir", 10.0)]))
    old_bytes = b.read_bytes()
    new_plan = _plan("Izboskan tumani", "Andijon viloyati", [("1", "Ommaviy tadbir", 99.0)])

    def parse(path):
        if path.name == "a.docx":  # while a.docx is read, the district's new b.docx lands
            b.write_text(json.dumps(new_plan), encoding="utf-8")
        return fp.fake_parse(path)

    db = tmp_path / "db.sqlite"
    run_import([a, b], db=db, parse=parse)
    docs = load_documents(db).set_index("source_file")
    row = _row(load_items(db), "b.docx", "1")
    # hash and rows from the same read: either both old or both new, never old hash + new rows
    if docs.loc[str(b), "sha256"] == hashlib.sha256(old_bytes).hexdigest():
        assert row["plan_value"] == 10
    else:
        assert row["plan_value"] == 99
    # the new bytes are never mistaken for the stored version
    report = run_import([b], db=db, parse=fp.fake_parse)
    assert _row(load_items(db), "b.docx", "1")["plan_value"] == 99
    assert report.files[0].status == ("skipped" if row["plan_value"] == 99 else "ok")


def test_every_input_is_accounted_for_in_documents(tmp_path, fp):
    import zipfile

    good = fp.write(tmp_path / "in" / "a.docx", fp.spec(n=1))
    locked = tmp_path / "in" / "locked"
    fp.write(locked / "b.docx", fp.spec(n=1))
    bad_zip = tmp_path / "in" / "evil.zip"
    with zipfile.ZipFile(bad_zip, "w") as zf:
        zf.writestr("../escape.docx", "x")
    missing = tmp_path / "nope.docx"
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # root reads any folder: the refusal is simulated where reja walks
            real_walk = os.walk

            def walk(top, *args, onerror=None, **kw):
                for dirpath, dirnames, filenames in real_walk(top, *args, onerror=onerror, **kw):
                    if Path(dirpath) == locked:
                        onerror(PermissionError(13, "Permission denied", str(locked)))
                        dirnames[:] = []
                        continue
                    yield dirpath, dirnames, filenames

            import reja.inputs
            mp = pytest.MonkeyPatch()
            mp.setattr(reja.inputs.os, "walk", walk)
        else:
            mp = None
        report = run_import([tmp_path / "in", missing], db=tmp_path / "db.sqlite", parse=fp.fake_parse)
    finally:
        locked.chmod(0o755)
        if mp is not None:
            mp.undo()
    docs = load_documents(tmp_path / "db.sqlite").set_index("source_file")
    assert docs.loc[str(good), "status"] == "ok"
    assert docs.loc[str(missing), ["status", "error_code"]].tolist() == ["failed", "not_found"]
    assert docs.loc[str(locked), ["status", "error_code"]].tolist() == ["failed", "read_error"]
    assert docs.loc[str(bad_zip), "status"] == "failed"
    assert len(report.files) == 4 and report.exit_code == 4


def test_plans_an_older_version_keyed_by_a_first_word_are_re_identified_without_their_files(tmp_path, fp):
    """Stores made before issue 14 hold plan keys like 'ish|2025'; a file gone from disk is never
    read again, so its key is recomputed from the stored title-block fields."""
    import sqlite3

    a = fp.write(tmp_path / "andijon" / "Ish_rejasi_2025.docx", fp.spec(district=None, region=None, n=2))
    b = fp.write(tmp_path / "xorazm" / "Ish_rejasi_2025.docx", fp.spec(district=None, region=None, n=3))
    db = tmp_path / "db.sqlite"
    run_import([a, b], db=db, parse=_parse_with_title_block(fp))
    con = sqlite3.connect(db)
    ids = [r[0] for r in con.execute("SELECT document_id FROM documents ORDER BY source_file")]
    # what the version 1 code stored: one plan 'ish|2025', the first hidden by the second
    con.execute("UPDATE documents SET plan_key = 'ish|2025', pipeline_version = 'old'")
    con.execute("UPDATE documents SET superseded_by = ? WHERE document_id = ?", (ids[1], ids[0]))
    con.commit()
    con.close()
    assert len(load_items(db)) == 3  # one plan hidden
    a.unlink()
    b.unlink()  # the files are gone: only the store remains
    other = fp.write(tmp_path / "izboskan.docx", fp.spec(n=1))
    run_import([other], db=db, parse=fp.fake_parse)
    docs = load_documents(db)
    assert docs["superseded_by"].isna().all()
    assert len(load_items(db)) == 6
