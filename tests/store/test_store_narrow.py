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


def test_a_file_a_correction_remembers_is_found_by_index_not_by_a_scan(two_plans):
    # run after every import for each lost correction: a scan of documents grew with the store (50 lost
    # corrections cost ~1 s of each import into a national store)
    with Store(two_plans) as store:
        store.conn.execute("SELECT 1")  # the store opened for writing has made its indexes
        plan = store.conn.execute(
            "EXPLAIN QUERY PLAN SELECT document_id FROM documents WHERE status != 'failed' AND source_file = ? "
            "AND district = ?", ("gone.docx", "Nowhere")).fetchall()  # fmt: skip
        assert any("documents_source_file" in str(tuple(r)) for r in plan), [tuple(r) for r in plan]
        assert store.documents_for([{"source_file": "", "district": None}]) == []  # "" still means a missing file


def test_orphaned_corrections_are_those_whose_row_is_in_no_current_plan(two_plans):
    from reja import corrections as c
    from reja.api import orphaned_corrections

    with Store(two_plans) as store:
        izboskan_key = store.conn.execute(
            "SELECT row_key FROM items JOIN documents USING (document_id) WHERE documents.district = 'Izboskan tumani' "
            "ORDER BY item_index").fetchone()[0]  # fmt: skip
    c.record(two_plans, izboskan_key, "plan_value", 1, 2, who="A", context={"district": "Izboskan tumani"})
    c.record(two_plans, "gone-key", "plan_value", 1, 2, who="B", context={"district": "Jondor", "year": 2021,
                                                                          "item_no": "4.5"})  # fmt: skip
    assert len(orphaned_corrections(two_plans)) == 1
    assert "by B" in orphaned_corrections(two_plans)[0] and "Jondor 2021 4.5" in orphaned_corrections(two_plans)[0]
    # the Izboskan plan superseded by a newer file that reworded its rows: the old rows stay, not current
    with Store(two_plans) as store, store.transaction() as con:
        con.execute("UPDATE documents SET superseded_by = 'newer' WHERE district = 'Izboskan tumani'")
    with Store(two_plans) as store:
        assert store.keys_with_rows([izboskan_key]) == {izboskan_key}
        assert store.keys_with_rows([izboskan_key], current=True) == set()
    lines = orphaned_corrections(two_plans)
    assert len(lines) == 2 and "by A" in lines[0]


def test_documents_are_re_identified_once_per_pipeline_version(two_plans, monkeypatch):
    import reja.identity

    calls = []
    real = reja.identity.identify_plan
    monkeypatch.setattr(reja.identity, "identify_plan", lambda *a, **kw: calls.append(a) or real(*a, **kw))
    with Store(two_plans) as store:
        with store.transaction() as con:  # as an older pipeline left them: a wrong plan key
            con.execute("UPDATE documents SET plan_key = 'wrong|2025', pipeline_version = 'old'")
        n_docs = store.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        assert store.reidentify("v2") == n_docs and len(calls) == n_docs
        assert store.reidentify("v2") == 0 and len(calls) == n_docs  # the same documents: not read again
        with store.transaction() as con:  # an older reja wrote to the store again
            con.execute("UPDATE documents SET plan_key = 'wrong|2025'")
        assert store.reidentify("v2") == n_docs and len(calls) == 2 * n_docs
        assert store.reidentify("v3") == 0 and len(calls) == 3 * n_docs  # another version checks again
