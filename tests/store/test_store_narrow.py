"""The post-import checks ask the store about the corrections' rows only (issue 22): which keys have a
row, and which documents could hold a row a correction remembers — never the whole store."""

import pytest

from reja.batch import run_import
from reja.store import Store

pytestmark = pytest.mark.usefixtures("no_enrichment", "pinned_versions")


@pytest.fixture
def two_plans(tmp_path, fp):
    folder = tmp_path / "plans"
    fp.write(folder / "izboskan.docx", fp.spec(n=3))
    fp.write(folder / "jondor.docx", fp.spec(district="Jondor tumani", region="Buxoro viloyati", year=2021, n=2))
    db = tmp_path / "reja.sqlite"
    run_import([folder], db=db, parse=fp.fake_parse)
    return db


def test_keys_with_rows_names_only_the_stored_ones(two_plans):
    with Store(two_plans) as store:
        keys = [r[0] for r in store.conn.execute("SELECT row_key FROM items ORDER BY row_key")]
        asked = [*keys[:2], "0000000000000000", *(f"{i:016x}" for i in range(1, 1200))]
        assert store.keys_with_rows(asked) == set(keys[:2])
        assert store.keys_with_rows([]) == set()


def test_documents_for_narrows_by_what_a_correction_remembers(two_plans):
    with Store(two_plans) as store:
        docs = {r["district"]: (r["document_id"], r["source_file"]) for r in store.conn.execute(
            "SELECT document_id, district, source_file FROM documents")}
        jondor_id, jondor_file = docs["Jondor tumani"]
        assert store.documents_for([{"source_file": jondor_file}]) == [jondor_id]
        assert store.documents_for([{"district": "Jondor tumani", "year": 2021}]) == [jondor_id]
        assert store.documents_for([{"district": "Jondor tumani", "year": "2025"}]) == []
        assert store.documents_for([{"source_file": "gone.docx", "item_no": "3"}]) == []
        # a correction that remembers nothing of its row could be in any document
        assert sorted(store.documents_for([{}])) == sorted(d for d, _f in docs.values())
        rows = store.items(include_superseded=True, document_ids=[jondor_id])
        assert set(rows["document_id"]) == {jondor_id} and len(rows) == 2
        assert len(store.items(document_ids=[])) == 0
