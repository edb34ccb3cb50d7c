"""The export's fast paths (issue 22): the store is read once (findings and rows from the same pieces),
the rows come out of SQLite straight into the contract's dtypes, and the CSV is made by Arrow. Each is
checked against the plain way of doing the same thing: the whole store loaded at once
(`reja.api.load_items`), pandas' own frame construction and `DataFrame.to_csv`."""

import random
import sqlite3

import numpy as np
import pandas as pd
import pytest
from reja.schema.dataset import ITEM_FIELDS, coerce, frame_from_rows

from reja.bench.national import generate
from reja.export import csv_bytes, csv_safe


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """A generated store with re-sends, corrections and consistency findings in several regions, whose
    file names scatter the region-years: the export's order (by file) is not the region-years' order."""
    base = tmp_path_factory.mktemp("national")
    db = base / "n.sqlite"
    generate(db, plans=60, corrections=25, orphans=2, work=base / "w", log=lambda m: None)
    con = sqlite3.connect(db)
    ids = [r[0] for r in con.execute("SELECT document_id FROM documents ORDER BY document_id")]
    random.Random(5).shuffle(ids)
    for n, doc_id in enumerate(ids):
        con.execute("UPDATE documents SET source_file = ? WHERE document_id = ?", (f"inbox/{n:03d}.docx", doc_id))
    con.commit()
    con.close()
    return db


def _read_rows(monkeypatch):
    from reja.store import Store

    read = []
    real = Store.items

    def items(self, **kw):
        frame = real(self, **kw)
        read.append(len(frame))
        return frame

    monkeypatch.setattr(Store, "items", items)
    return read


@pytest.mark.parametrize("held_rows", [None, 0], ids=["held until their turn", "dropped and read again"])
def test_the_streamed_items_are_the_whole_store_loaded_at_once(national, monkeypatch, held_rows):
    from reja.api import load_items
    from reja.corrected import corrected_chunks
    from reja.store import Store

    whole = load_items(national)
    assert whole["flags"].str.contains("outlier|subitems|plan_below").any()  # findings to carry
    assert (whole["status"] == "corrected").sum() >= 20
    read = _read_rows(monkeypatch)
    with Store(national, readonly=True) as store:
        pieces = list(corrected_chunks(store, national, chunk_rows=300, held_rows=held_rows))
    assert len(pieces) > 3 and all(p.index.equals(pd.RangeIndex(len(p))) for p in pieces)
    pd.testing.assert_frame_equal(pd.concat(pieces, ignore_index=True), whole)
    if held_rows is None:  # read once: each current row taken from the store one time
        assert sum(read) == len(whole)
    else:  # every pack dropped after its first piece: the rest read again, with the same findings
        assert sum(read) > len(whole)


def test_rows_come_out_of_the_database_in_the_contract_dtypes_as_coerce_gives_them():
    names = [f.name for f in ITEM_FIELDS]
    rng = random.Random(3)
    kinds = {f.name: f.kind for f in ITEM_FIELDS}

    def value(name, i):
        if i % 7 == 0:
            return None
        return {"string": f"t{i}, «{rng.random()}»", "integer": i * 3, "number": i / 4}[kinds[name]]

    rows = [tuple(value(n, i + j) for j, n in enumerate(names)) for i in range(50)]
    expected = coerce(pd.DataFrame(rows, columns=names), ITEM_FIELDS)
    pd.testing.assert_frame_equal(frame_from_rows(rows, ITEM_FIELDS), expected)
    # values not of the column's kind go the way coerce takes them
    odd = [list(r) for r in rows[:4]]
    odd[0][names.index("text")] = 12  # a number in a text column
    odd[1][names.index("year")] = "2025"  # text in an integer column
    odd[2][names.index("plan_value")] = "abc"  # text in a number column
    odd = [tuple(r) for r in odd]
    expected = coerce(pd.DataFrame(odd, columns=names), ITEM_FIELDS)
    got = frame_from_rows(odd, ITEM_FIELDS)
    pd.testing.assert_frame_equal(got, expected)
    assert got.loc[0, "text"] == "12" and got.loc[1, "year"] == 2025 and np.isnan(got.loc[2, "plan_value"])
    pd.testing.assert_frame_equal(frame_from_rows([], ITEM_FIELDS), coerce(pd.DataFrame(columns=names), ITEM_FIELDS))


_CELLS = ["plain", "a, b", 'say "hi"', "two\nlines", "cr\ronly", "crlf\r\n", "", None, "=1+1", "-5", "-", "@x",
          "\tTab", "Ўзбек, ўқиш", "ğ ş ç", "😀", " lead space", "trail ", '"', ",", "\x00nul"]


def test_csv_bytes_are_pandas_to_csv_bytes():
    rng = random.Random(8)
    n = 400
    frame = pd.DataFrame({
        "text": pd.array([rng.choice(_CELLS) for _ in range(n)], dtype=pd.StringDtype()),
        "value": np.array([rng.choice([np.nan, 0.0, -0.0, 1750.0, 0.1, 1e16, 1e-7, 123456789.125, np.inf, -np.inf,
                                       rng.random() * 1e6]) for _ in range(n)], dtype="float64"),
        "count": pd.array([rng.choice([None, 0, -5, 2**53, 7]) for _ in range(n)], dtype="Int64"),
        "loose": pd.Series([rng.choice(_CELLS) for _ in range(n)], dtype=object),
        'odd "name", too': pd.array([rng.choice(_CELLS) for _ in range(n)], dtype=pd.StringDtype()),
    })  # fmt: skip
    for safe in (frame, csv_safe(frame)):
        for header in (True, False):
            expected = safe.to_csv(index=False, header=header, lineterminator="\r\n").encode("utf-8")
            assert csv_bytes(safe, header=header) == expected
    empty = frame.iloc[:0]
    assert csv_bytes(empty) == empty.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
    # a kind this path does not make (booleans) is left to pandas: still the same bytes
    other = frame.assign(flag=[i % 2 == 0 for i in range(n)])
    assert csv_bytes(other) == other.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
