"""clean_text, fold_apostrophes, match_key, script detection, look-alike repair, normalize_text."""

from __future__ import annotations

import pytest
from reja.normalize.apostrophes import OKINA, TUTUQ, fold_apostrophes
from reja.normalize.cell import normalize_text
from reja.normalize.keys import match_key
from reja.normalize.script import detect_script, dominant_script, repair_lookalikes
from reja.normalize.text import clean_text, join_spaced_hyphens


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Axborot   kutubxona\n markazi ", "Axborot kutubxona markazi"),
        ("1\u00a0750\u2009nusxa", "1 750 nusxa"),
        ("kitob\u00adxon\u200blik", "kitobxonlik"),
        ("<p>5.4</p> <p>Тадбирлар ўтказиш</p>", "5.4 Тадбирлар ўтказиш"),
        ("II. Хужжатлар <i>Ахборот бўлими</i>", "II. Хужжатлар Ахборот бўлими"),
        ("**VI. Фонд билан ишлаш**", "VI. Фонд билан ишлаш"),
        # conventions.md: a hyphen after a digit is kept, the line break goes
        ("Prezidentining 2022-yil 28-\nyanvardagi", "Prezidentining 2022-yil 28-yanvardagi"),
        # a word broken by hyphenation is joined without the hyphen
        ("Biblio-\ngrafik yozuvlar", "Bibliografik yozuvlar"),
        # a compound broken at its own hyphen keeps it
        ("axborot-\nkutubxona markazi", "axborot-kutubxona markazi"),
        ("ахборот-\nКутубхона", "ахборот-Кутубхона"),
        # a span of months broken at its dash ("Mart-aprel" in a row split across pages)
        ("Mart-\naprel", "Mart-aprel"),
        # a compound unit wrapped after its slash in a narrow cell
        ("nomda/\nnusxa", "nomda/nusxa"),
        ("ном/ \nнусха", "ном/нусха"),
        ("Сентябр-\nдекабрда", "Сентябр-декабрда"),
        # on one line the text stays as written (the expected data keeps "21- dekabrda")
        ("2023-yil 21- dekabrda", "2023-yil 21- dekabrda"),
        ("ахборот- кутубхона фондларини", "ахборот- кутубхона фондларини"),
        # " -word" after other text is a list mark, not a broken word
        ("Шундан; -босма нашрлар: -электрон ресурслар", "Шундан; -босма нашрлар: -электрон ресурслар"),
        ("kitobxon ona – kitobxon bola", "kitobxon ona – kitobxon bola"),
        (None, ""),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    ("raw", "joined"),
    [
        ("Ахборот- кутубхона фондларини", "Ахборот-кутубхона фондларини"),
        ("ЖОНДОР ТУМАН АХБОРОТ -КУТУБХОНА", "ЖОНДОР ТУМАН АХБОРОТ-КУТУБХОНА"),
        ("2024- yil (fakt)", "2024-yil (fakt)"),
        ("2021 йил I- чорак", "2021 йил I-чорак"),
        ("(1921- 2005)", "(1921-2005)"),
        ("Шундан; -босма нашрлар: -электрон", "Шундан; -босма нашрлар: -электрон"),  # list marks
        ("Direktor- Xizmat rahbarlari", "Direktor- Xizmat rahbarlari"),
    ],
)
def test_join_spaced_hyphens(raw, joined):
    assert join_spaced_hyphens(raw) == joined


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("O'zbekiston", f"O{OKINA}zbekiston"),
        ("o‘quv", f"o{OKINA}quv"),
        ("to’g’risida", f"to{OKINA}g{OKINA}risida"),
        ("tog`", f"tog{OKINA}"),  # gʻ at the end of a word
        ("Mas'ullar", f"Mas{TUTUQ}ullar"),
        ("ma´naviy", f"ma{TUTUQ}naviy"),
        ("san\u02bbat", f"san{TUTUQ}at"),  # wrong modifier letter after n
        ("O'UK", f"O{OKINA}UK"),
        ("'Kitob' kuni", "'Kitob' kuni"),  # a quote after a space is not an apostrophe
    ],
)
def test_fold_apostrophes(raw, folded):
    assert fold_apostrophes(raw) == folded


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("AKM faoliyatini yoritish", "axborot-kutubxona markazi faoliyatini yoritish"),
        ("АКМ фаолиятини ёритиш", "Axborot-kutubxona markazi faoliyatini yoritish"),
        ("TAKMning veb-sayti", "tuman axborot kutubxona markazining veb sayti"),
        ("ЎМКга тақдим этиш", "O'zbekiston Milliy kutubxonasiga taqdim etish"),
        ("Tadbirlarni OAV da yoritish", "tadbirlarni ommaviy axborot vositalari da yoritish"),
        ("Ma'naviy-ma‘rifiy reja", "manaviy marifiy reja"),
        ("Resurslarni O'UKda tizimlashtirish", "resurslarni O‘UKda tizimlashtirish"),
    ],
)
def test_match_key_equates(a, b):
    assert match_key(a) == match_key(b)


def test_match_key_shape():
    assert match_key("  Kitob, jurnal; (gazeta)! ") == "kitob jurnal gazeta"
    assert match_key("ХКА йўли орқали") == "xalqaro kitob almashinuvi yoʻli orqali"
    assert match_key("akm") == "akm"  # lower-case letters are not an abbreviation
    assert match_key(None) == ""


@pytest.mark.parametrize(
    ("s", "script"),
    [("kitob", "latin"), ("китоб", "cyrillic"), ("инobatга", "mixed"), ("2025 - 12", "none"),
     ("Oʻzbekiston", "latin"), ("CD/DVD дисклар", "mixed"), ("", "none"),
     # roman section and quarter numbers are not Latin words (seed 002 headings)
     ("VI. Фонд билан ишлаш", "cyrillic"), ("2021 йил II-чорак", "cyrillic"), ("XIV-Milliy", "latin"),
     ("I", "none")],
)
def test_detect_script(s, script):
    assert detect_script(s) == script


@pytest.mark.parametrize(
    ("s", "ctx", "repaired", "changed"),
    [
        ("инobatга олган ҳолда", None, "инобатга олган ҳолда", True),  # seed 002, item 7.6
        ("газеталар формати ҳисобга олинishi", None, "газеталар формати ҳисобга олиниши", True),
        ("Kitоb", None, "Kitob", True),  # Cyrillic о inside a Latin word
        ("Сорт kitob", None, "Сорт kitob", False),  # one-script words are left alone
        ("Cоpт kitob", None, "Copt kitob", True),  # only look-alikes: the line decides (Latin)
        ("Cоpт китоб", None, "Сорт китоб", True),
        ("Cоpт", "cyrillic", "Сорт", True),  # line undecided: the document decides
        ("Cоpт", None, "Cоpт", False),  # nothing decides: left as written
        ("CD/DVD дисклар", None, "CD/DVD дисклар", False),
    ],
)
def test_repair_lookalikes(s, ctx, repaired, changed):
    assert repair_lookalikes(s, ctx) == (repaired, changed)


def test_dominant_script():
    assert dominant_script("Online маълумотлар базаси") == "cyrillic"
    assert dominant_script("AKM ning ijtimoiy tarmoqlari") == "latin"
    assert dominant_script("123") is None


def test_normalize_text():
    n = normalize_text("<p>фондда йўқ ва инobatга</p>")
    assert n.clean == "фондда йўқ ва инobatга"  # as written, only cleaned
    assert n.latin == "fondda yoʻq va inobatga"
    assert n.script == "cyrillic"
    assert n.flags and n.flags[0].startswith("mixed_script")
    assert n.key == "fondda yoʻq va inobatga"
    plain = normalize_text("O'zbekiston Milliy kutubxonasi")
    assert plain.latin == "Oʻzbekiston Milliy kutubxonasi" and plain.flags == () and plain.script == "latin"


def test_normalized_latin_joins_spaced_hyphens():
    n = normalize_text("маълумот ахборот- кутубхона фондларини")  # seed 002, 4.7
    assert n.clean == "маълумот ахборот- кутубхона фондларини"
    assert n.latin == "maʼlumot axborot-kutubxona fondlarini"


def test_jondor_heading_reads_as_latin():
    # seed 002, paragraph heading of section VI
    n = normalize_text("VI. Фонд билан ишлаш (шу жумладан нодир ва алоҳида қимматга эга нашрлар)")
    assert n.latin == "VI. Fond bilan ishlash (shu jumladan nodir va alohida qimmatga ega nashrlar)"


def test_line_end_hyphen_before_a_digit_keeps_the_hyphen_without_a_space():
    assert clean_text("PQ-\n201-son qarori") == "PQ-201-son qarori"


def test_list_mark_left_alone_at_a_line_end_joins_the_next_word():
    assert clean_text("Шулардан: -\nМаънавий-маърифий") == "Шулардан: -Маънавий-маърифий"
    assert clean_text("a - b") == "a - b"  # a dash inside a line is not touched
