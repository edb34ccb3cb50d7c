"""The message catalogue: every message the code uses is translated into uz, en and ru, and the
language is chosen as documented (set_language > REJA_LANG > Uzbek)."""

import re
import string

import pytest

from reja import i18n
from reja.i18n import collect

LANGS = list(i18n.LANGUAGES)


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def used():
    return collect.messages()


@pytest.fixture(scope="module")
def catalogs():
    return {lang: collect.read(lang) for lang in LANGS}


def test_the_code_uses_messages(used):
    # extraction really finds the page's, the CLI's and the flags' messages (a broken extractor finds none)
    ids = {m if isinstance(m, str) else m[0] for m in used}
    from reja.extract.model import FLAG_CODES

    assert set(FLAG_CODES.values()) <= ids
    assert len(ids) > len(FLAG_CODES) + 10


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_has_a_translation(lang, used, catalogs):
    catalog = catalogs[lang]
    missing = []
    for msgid in used:
        key = msgid if isinstance(msgid, str) else msgid[0]
        entry = catalog.get(key)
        strings = [] if entry is None else (list(entry.string) if isinstance(entry.string, tuple | list) else [entry.string])
        if entry is None or entry.fuzzy or not strings or not all(strings):
            missing.append(key)
    assert not missing, f"{lang}: untranslated (run `make i18n`, then translate): {missing[:10]}"


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_the_placeholders(lang, catalogs):
    for entry in catalogs[lang]:
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple | list) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
        want = set().union(*(_fields(i) for i in ids))
        for s in strings:
            if not s:
                continue
            if len(ids) == 1:
                assert _fields(s) == want, f"{lang}: {entry.id!r} → {s!r} changes the placeholders"
            else:  # a plural form may leave out the number ("one file"), never add a name
                assert _fields(s) <= want, f"{lang}: {entry.id!r} → {s!r} adds a placeholder"


@pytest.mark.parametrize("lang", ["uz", "ru"])
def test_uzbek_and_russian_are_not_english(lang, catalogs):
    # a catalogue filled by copying the English ids would pass the tests above: most must differ
    entries = [e for e in catalogs[lang] if e.id and isinstance(e.id, str) and len(e.id) > 12]
    same = [e.id for e in entries if e.string == e.id]
    assert entries and len(same) < len(entries) * 0.05, same[:10]


def test_russian_is_cyrillic_and_uzbek_latin(catalogs):
    ru = " ".join(e.string for e in catalogs["ru"] if isinstance(e.string, str))
    uz = " ".join(e.string for e in catalogs["uz"] if isinstance(e.string, str))
    assert len(re.findall("[а-яА-Я]", ru)) > len(re.findall("[a-zA-Z]", ru))
    assert len(re.findall("[a-zA-Z]", uz)) > 10 * len(re.findall("[а-яА-Я]", uz))


def test_language_choice(monkeypatch):
    monkeypatch.delenv("REJA_LANG", raising=False)
    i18n.set_language(None)
    assert i18n.get_language() == "uz"  # the default
    from reja.extract.model import FLAG_CODES

    assert i18n.flag_explanation("unit_unmatched") != FLAG_CODES["unit_unmatched"]
    monkeypatch.setenv("REJA_LANG", "ru_RU.UTF-8")
    assert i18n.get_language() == "ru"
    i18n.set_language("en")
    try:
        assert i18n.flag_explanation("unit_unmatched") == FLAG_CODES["unit_unmatched"]
        with i18n.use_language("uz"):
            assert i18n.get_language() == "uz"
        assert i18n.get_language() == "en"
        with pytest.raises(ValueError, match="uz, en, ru"):
            i18n.set_language("de")
    finally:
        i18n.set_language(None)


def test_unknown_message_falls_back_to_english():
    assert i18n.translate("no such message 123", "uz") == "no such message 123"
