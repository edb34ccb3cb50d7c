"""The parse stage keeps each row's catalogue-independent normal forms (`reja.enrich.prepare_rows`)
with the stored rows; matching from them must give what matching from the bare rows gives. The
rows are hand-made, in both scripts, with look-alike letters, learned wordings and deadlines."""

import copy
import json

from reja.normalize.keys import match_key

from reja.enrich import enrich_rows, prepare_rows
from reja.learned import LearnedSynonyms
from reja.records import ItemRow


def _rows():
    base = {"section_no": "IV", "item_no": None, "parent_item_no": None, "year": 2025, "plan_year": None,
            "region": "Andijon viloyati", "district": "Izboskan tumani", "flags": []}  # fmt: skip
    texts = [
        ("Axborot-kutubxona resurslarini tasniflash", "ASOSIY ISHLAB CHIQRARISH FAOLIYATI", "Dona", "2025-yil davomida"),
        ("Ахборот-кутубхона ресурсларини таснифлаш", "Хужжатларга техник ишлов бериш", "нусха", "I чорак"),
        ("Kитоб кўргазмаси", None, None, "qachondir"),  # a Latin K among Cyrillic letters: mixed_script
        ("Qo'shni mahalla bilan futbol o'yini", "ASOSIY ISHLAB CHIQRARISH FAOLIYATI", "to'p", None),
    ]
    return [ItemRow(**{**base, "text": t, "section_title": s, "unit": u, "deadline": d, "item_no": str(i + 1),
                       "flags": []}) for i, (t, s, u, d) in enumerate(texts)]


def test_matching_from_the_stored_normal_forms_equals_matching_from_the_rows():
    wording = "Qo'shni mahalla bilan futbol o'yini"
    learned = LearnedSynonyms({"indicator": {match_key(wording): {
        "id": "events", "text": wording, "correction": 7, "who": "Dilnoza"}}})
    bare, kept = _rows(), _rows()
    stored = json.loads(json.dumps(prepare_rows(kept, 2025)))  # as the store keeps them
    doc_bare = enrich_rows(bare, plan_year=2025, learned=learned)
    doc_kept = enrich_rows(kept, plan_year=2025, learned=learned, prepared=stored)
    assert doc_bare == doc_kept
    assert bare == kept
    # the rows were really enriched (the comparison is not between two untouched lists)
    assert kept[3].indicator_id == "events"
    assert any(f.startswith("mixed_script") for f in kept[2].flags)
    assert any(f.startswith("unknown_deadline") for f in kept[2].flags)


def test_the_normal_forms_are_used_not_made_again():
    rows = _rows()
    prepared = prepare_rows(copy.deepcopy(rows), 2025)
    prepared[0]["text_latin"] = "as the parse stage wrote it"
    enrich_rows(rows, plan_year=2025, prepared=prepared)
    assert rows[0].text_latin == "as the parse stage wrote it"
