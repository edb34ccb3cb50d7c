"""A clerk's match becomes a synonym the next import uses; undoing it forgets it."""

import shutil
from pathlib import Path

from reja import corrections as c
from reja.api import import_paths, load_items
from reja.learned import load_learned

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "izboskan_2025.docx"


def test_indicator_correction_teaches_its_wording_and_undo_forgets_it(tmp_path):
    db = tmp_path / "s.sqlite"
    ctx = {"text": "Qo'shni mahalla bilan futbol o'yini", "section_title": "TADBIRLAR", "unit": "Tadbir"}
    cid = c.record(db, "k1", "indicator_id", None, "events", who="Dilnoza", context=ctx)
    learned = load_learned(db)
    assert learned.lookup("indicator", "QO‘SHNI MAHALLA bilan futbol o’yini")["id"] == "events"
    assert learned.lookup("section", "TADBIRLAR") is None  # only what was corrected is learned
    version = learned.version
    c.undo(db, cid, who="Dilnoza")
    assert load_learned(db).lookup("indicator", ctx["text"]) is None
    assert load_learned(db).version != version


def test_next_import_rematches_with_the_learned_synonym(tmp_path):
    shutil.copy(SAMPLE, tmp_path / SAMPLE.name)
    db = tmp_path / "reja.sqlite"
    import_paths([tmp_path / SAMPLE.name], db=db)
    items = load_items(db)
    # a clerk re-files the plan's last row (item 30, media coverage) as an event: the next import must agree
    row = items[items["indicator_id"] != "events"].iloc[-1]
    c.record(db, row.row_key, "indicator_id", None, "events", who="Dilnoza", context=c.row_context(row))
    again = import_paths([tmp_path / SAMPLE.name], db=db)
    assert [f.status for f in again.files] != ["skipped"]  # the vocabulary changed: re-matched
    raw = load_items(db, corrections=False).set_index("row_key")
    assert raw.loc[row.row_key, "indicator_id"] == "events"
    assert raw.loc[row.row_key, "indicator_score"] == 100


def test_learned_synonyms_export_in_the_catalogue_shape(tmp_path):
    import yaml

    from reja.learned import write_synonyms_yaml

    db = tmp_path / "s.sqlite"
    c.record(db, "k1", "indicator_id", None, "events", who="A", context={"text": "Shahar bayrami tadbiri"})
    c.record(db, "k2", "unit_id", None, "marta", who="B", context={"unit": "Maro-taba"})
    out = write_synonyms_yaml(load_learned(db), tmp_path / "learned.yaml")
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert doc["indicator"] == [{"id": "events", "synonyms": ["Shahar bayrami tadbiri"]}]
    assert doc["unit"] == [{"id": "marta", "synonyms": ["Maro-taba"]}]


def test_an_activity_the_clerk_says_is_not_in_the_catalogue_is_learned_without_an_id(tmp_path):
    """Clearing a row's indicator (or accepting a row without one) teaches "not in the catalogue":
    the same wording, and one a typo away, need no decision again; the export lists them apart."""
    import yaml

    from reja.enrich import enrich_rows
    from reja.learned import write_synonyms_yaml
    from reja.records import ItemRow

    db = tmp_path / "s.sqlite"
    text = "Kutubxona hovlisiga daraxt ko'chatlari ekish"
    c.record(db, "k1", "indicator_id", "events", None, who="Dilnoza", context={"text": text})
    c.record(db, "k2", c.ACCEPT_FIELD, None, True, who="Aziz",
             context={"text": "Shaxsiy mashg'ulot xonasini jihozlash", "indicator_id": None})
    learned = load_learned(db)
    assert learned.lookup("indicator", text.upper())["id"] is None
    assert learned.lookup("indicator", "Shaxsiy mashg'ulot xonasini jihozlash")["id"] is None

    def enriched(t):
        row = ItemRow(text=t)
        enrich_rows([row], plan_year=2025, learned=learned, place={"region_id": None, "district_id": None})
        return row

    for wording in (text, "Kutubxona hovlisga daraxt ko'chatlari ekish"):  # the same, and a typo away
        row = enriched(wording)
        assert row.indicator_id is None
        assert not [f for f in row.flags if f.startswith("indicator_")], row.flags
    # without the lesson the same row is flagged for the clerk
    bare = ItemRow(text="Kutubxona hovlisga daraxt ko'chatlari ekish")
    enrich_rows([bare], plan_year=2025, place={"region_id": None, "district_id": None})
    assert [f for f in bare.flags if f.startswith("indicator_")]

    doc = yaml.safe_load(write_synonyms_yaml(learned, tmp_path / "l.yaml").read_text(encoding="utf-8"))
    assert doc["not_in_catalogue"] == {"indicator": sorted([text, "Shaxsiy mashg'ulot xonasini jihozlash"])}
    assert "indicator" not in doc
