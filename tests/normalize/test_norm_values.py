"""parse_number and parse_deadline on the forms found in the two seed plans."""

from __future__ import annotations

import pytest
from reja.normalize.deadlines import PERIODS, parse_deadline
from reja.normalize.numbers import parse_number


@pytest.mark.parametrize(
    ("raw", "kind", "value", "values", "sure"),
    [
        ("1750", "number", 1750, (1750,), True),
        ("1 750", "number", 1750, (1750,), True),
        ("1\u00a0750", "number", 1750, (1750,), True),
        ("1\u2009750", "number", 1750, (1750,), True),
        ("1.750", "number", 1750, (1750,), True),
        ("1,5", "number", 1.5, (1.5,), True),
        ("12 345 678", "number", 12345678, (12345678,), True),
        ("-", "dash", None, (), True),
        ("–", "dash", None, (), True),
        ("—", "dash", None, (), True),
        ("", "empty", None, (), True),
        ("  ", "empty", None, (), True),
        (None, "empty", None, (), True),
        # seed 000: item 9.4 "230 40", item 12 "134 4010", item 13 stacked on lines
        ("230 40", "stacked", None, (230, 40), True),
        ("134 4010", "stacked", None, (134, 4010), True),
        ("13862\n390\n3541", "stacked", None, (13862, 390, 3541), True),
        ("12009 410 573", "stacked", None, (12009, 410, 573), True),
        # ambiguous: a valid grouping with an ordinary space, or a comma + three digits
        ("230 400", "number", 230400, (230400,), False),
        ("1,750", "number", 1.75, (1.75,), False),
        ("1\n750", "stacked", None, (1, 750), False),
        # text in a number column (seed 002, 6.12 "-1 йилда 2" / "маротаба")
        ("-1 йилда 2", "text", None, (1, 2), False),
        ("маротаба", "text", None, (), False),
        ("II чорак", "text", None, (), False),
    ],
)
def test_parse_number(raw, kind, value, values, sure):
    p = parse_number(raw)
    assert (p.kind, p.value, p.values, p.sure) == (kind, value, tuple(float(v) for v in values), sure)
    if not p.sure:
        assert p.note  # doubt always says why


@pytest.mark.parametrize(
    ("raw", "period", "label", "quarters", "month", "day", "year"),
    [
        ("2025-yil davomida", "year", "year", (), None, None, 2025),
        ("2025-yil davomida.", "year", "year", (), None, None, 2025),
        ("2025-yil davomida\n", "year", "year", (), None, None, 2025),
        ("Йил давомида", "year", "year", (), None, None, 2021),
        ("Йил мобайнида", "year", "year", (), None, None, 2021),
        ("Доимий", "permanent", "permanent", (), None, None, 2021),
        ("I-IV chorak", "quarters", "Q1-Q4", (1, 2, 3, 4), None, None, 2021),
        ("2025-yil I-IV-chorak", "quarters", "Q1-Q4", (1, 2, 3, 4), None, None, 2025),
        ("2025-yil II-chorak", "quarter", "Q2", (2,), None, None, 2025),
        ("2025-yil IV-chorak", "quarter", "Q4", (4,), None, None, 2025),
        ("2025-yil I – II-chorak", "quarters", "Q1-Q2", (1, 2), None, None, 2025),
        ("2025-yil 1-chorak", "quarter", "Q1", (1,), None, None, 2025),
        ("2021 йил I- чорак", "quarter", "Q1", (1,), None, None, 2021),
        ("2021 йил II-чорак", "quarter", "Q2", (2,), None, None, 2021),
        ("II- чорак", "quarter", "Q2", (2,), None, None, 2021),
        ("Ҳар чорак", "quarterly", "quarterly", (), None, None, 2021),
        ("Ҳар чоракда", "quarterly", "quarterly", (), None, None, 2021),
        ("2025-yil har chorakda", "quarterly", "quarterly", (), None, None, 2025),
        ("har oyda", "monthly", "monthly", (), None, None, 2021),
        ("Ҳар ойда", "monthly", "monthly", (), None, None, 2021),
        ("Ҳар ой", "monthly", "monthly", (), None, None, 2021),
        ("Ҳар ойнинг биринчи ҳафтасида", "monthly", "monthly", (), None, None, 2021),
        ("2021 йил Ҳар ойнинг биринчи ҳафтасида", "monthly", "monthly", (), None, None, 2021),
        ("2025-yil har haftada", "weekly", "weekly", (), None, None, 2025),
        ("2025-yilda ikki marotaba", "twice_year", "twice_year", (), None, None, 2025),
        ("Май", "month", "2021-05", (), 5, None, 2021),
        ("2021 йил январь", "month", "2021-01", (), 1, None, 2021),
        ("2021 йил 5 февралгача", "date", "2021-02-05", (), 2, 5, 2021),
        ("01.05.2021", "date", "2021-05-01", (), 5, 1, 2021),
        # Russian, as district plans with Russian columns write them
        ("В течение года", "year", "year", (), None, None, 2021),
        ("В течение 2021 года", "year", "year", (), None, None, 2021),
        ("Ежеквартально", "quarterly", "quarterly", (), None, None, 2021),
        ("Ежемесячно", "monthly", "monthly", (), None, None, 2021),
        ("Еженедельно", "weekly", "weekly", (), None, None, 2021),
        ("Постоянно", "permanent", "permanent", (), None, None, 2021),
        ("I квартал", "quarter", "Q1", (1,), None, None, 2021),
        ("в IV квартале", "quarter", "Q4", (4,), None, None, 2021),
        ("II-III квартал", "quarters", "Q2-Q3", (2, 3), None, None, 2021),
    ],
)
def test_parse_deadline(raw, period, label, quarters, month, day, year):
    d = parse_deadline(raw, plan_year=2021)
    assert (d.period, d.label, d.quarters, d.month, d.day, d.year) == (period, label, quarters, month, day, year)
    assert d.sure
    assert d.period in PERIODS


@pytest.mark.parametrize(
    ("raw", "label", "months"),
    [
        ("Mart-aprel", "2021-03/2021-04", (3, 4)),
        ("Март-апрел", "2021-03/2021-04", (3, 4)),
        ("Yanvar – mart", "2021-01/2021-03", (1, 2, 3)),
        ("Сентябрь-декабрь", "2021-09/2021-12", (9, 10, 11, 12)),
    ],
)
def test_a_span_of_months_is_one_sure_period(raw, label, months):
    d = parse_deadline(raw, plan_year=2021)
    assert (d.period, d.label, d.months, d.month, d.sure) == ("months", label, months, months[0], True)


def test_two_months_that_are_no_span_stay_unsure():
    # December to January crosses the year; "va" lists months rather than spanning them
    for raw in ("Dekabr-yanvar", "Mart va may"):
        assert parse_deadline(raw, plan_year=2021).sure is False


def test_month_without_plan_year():
    d = parse_deadline("Май")
    assert (d.period, d.label, d.year) == ("month", "--05", None)


def test_marta_is_not_march():
    # "oyda 2 marta" = twice a month, not March
    assert parse_deadline("oyda 2 marta").period == "monthly"


def test_unknown_is_kept_and_flagged():
    d = parse_deadline("ЎМК режаси асосида", plan_year=2021)
    assert (d.period, d.label, d.sure, d.raw) == ("unknown", "unknown", False, "ЎМК режаси асосида")
    assert d.note


def test_several_periods_are_doubtful():
    # seed 002, item 8.1
    d = parse_deadline("-Ҳар ойда 2 мартаба -ЎМК режаси асосида -Ҳар чорак -Ҳар чорак -Ҳар ойда", 2021)
    assert d.sure is False and "several periods" in d.note


def test_empty_deadline():
    d = parse_deadline("  ")
    assert (d.period, d.label) == ("unknown", "")


@pytest.mark.parametrize(
    ("raw", "period", "label"),
    [
        ("I yarim yillik", "quarters", "Q1-Q2"),
        ("II ярим йиллик", "quarters", "Q3-Q4"),
        ("II полугодие", "quarters", "Q3-Q4"),
        ("2 раза в год", "twice_year", "twice_year"),
        ("Ҳар ярим йилда", "twice_year", "twice_year"),
        ("-1 йилда 2 маротаба", "twice_year", "twice_year"),  # seed 002, 6.12 (two cells joined)
    ],
)
def test_half_years(raw, period, label):
    d = parse_deadline(raw, 2025)
    assert (d.period, d.label) == (period, label)


def test_normalizer_speed_reports_throughput():
    from reja.normalize.speed import normalizer_speed

    r = normalizer_speed(["Йил давомида", "O'zbekiston Milliy kutubxonasi", ""], repeat=1)
    assert r["cells"] == 2 and r["chars"] == len("Йил давомида") + len("O'zbekiston Milliy kutubxonasi")
    assert r["chars_per_s"] > 0
