"""The comparison workbook's sheets are written cell by cell with xlsxwriter (not DataFrame.to_excel, a
third of a 400-plan compare): the cells must be those pandas' to_excel writes, byte for byte."""

import datetime as dt
import math
import zipfile
from decimal import Decimal

import numpy as np
import pandas as pd
from xlsxwriter import Workbook

from reja.compare.xlsx import _write_frame

OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def _odd_frame() -> pd.DataFrame:
    n = 9
    return pd.DataFrame({
        "floats": [1.5, math.nan, math.inf, -math.inf, -0.0, 1e300, 2.0, 0.1, 7.25],
        "ints": np.arange(n, dtype="int64") - 4,
        "nullable": pd.array([1, None, 3, None, 5, 6, 7, 8, 9], dtype="Int64"),
        "flags": [True, False] * 4 + [True],
        "maybe": pd.array([True, None, False, None, True, True, False, None, True], dtype="boolean"),
        "text": pd.array(["a", None, "", "=1+1", "http://x.invalid", "ўзбек", "Ёш", "  ", "b"], dtype="str"),
        "mixed": [None, math.nan, "", "x", 3, 2.5, True, Decimal("1.5"), np.int64(4)],
        "when": [dt.datetime(2025, 1, 2, 3, 4, 5), dt.date(2024, 5, 6), dt.timedelta(days=1, hours=6), None,
                 pd.Timestamp("2023-01-01"), pd.NaT, "text", math.inf, np.float64(-2.5)],
        "stamps": pd.to_datetime(["2021-01-01", None, "2022-02-02", "2023-03-03", None, "2024-04-04",
                                  "2025-05-05", "2026-06-06", "2027-07-07"]),
        2025: np.linspace(0, 1, n, dtype="float32"),
        "": ["x"] * n,
    })


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist() if name.startswith("xl/")}


def test_cells_are_those_of_pandas_to_excel(tmp_path):
    frames = {"odd": _odd_frame(), "empty": _odd_frame().iloc[:0], "notes": pd.DataFrame({"note": ["one", "two"]})}
    with pd.ExcelWriter(tmp_path / "pandas.xlsx", engine="xlsxwriter", engine_kwargs={"options": OPTIONS}) as w:
        for name, frame in frames.items():
            frame.to_excel(w, sheet_name=name, index=False)
    book = Workbook(str(tmp_path / "reja.xlsx"), OPTIONS)
    for name, frame in frames.items():
        _write_frame(book, book.add_worksheet(name), frame)
    book.close()
    expected, got = _parts(tmp_path / "pandas.xlsx"), _parts(tmp_path / "reja.xlsx")
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], name


def test_list_cells_are_joined_text(tmp_path):
    frame = pd.DataFrame({"ids": [["b", "a"], [], ("x",), {"z"}, None], "n": [1, 2, 3, 4, 5]})
    book = Workbook(str(tmp_path / "l.xlsx"), OPTIONS)
    _write_frame(book, book.add_worksheet("l"), frame)
    book.close()
    got = pd.read_excel(tmp_path / "l.xlsx", dtype=object)
    assert got["ids"].tolist()[:1] + got["ids"].tolist()[2:4] == ["b, a", "x", "z"]
    assert got["ids"].isna().tolist() == [False, True, False, False, True]  # an empty list is no cell, as ""
