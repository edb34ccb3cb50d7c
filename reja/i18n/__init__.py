"""One message catalogue for everything a clerk reads (gettext through Babel).

Uzbek (Latin) is the default; English and Russian are available. Messages are written in English in
the code (the gettext msgid) and translated in `reja/i18n/locale/<lang>/LC_MESSAGES/reja.po`; the .po
files are the sources and are compiled in memory when first used, so a fresh `make setup` needs no
build step.

Use it like this::

    from reja.i18n import _, ngettext, set_language, use_language

    _("{n} rows need review").format(n=12)      # -> "Tekshirish kerak: 12 ta qator" (uz)
    ngettext("{n} file", "{n} files", n).format(n=n)
    set_language("ru")                          # the whole process (the CLI's --lang does this)
    with use_language("en"):                    # this thread/request only (the review page does this)
        ...
    flag_explanation("unit_unmatched")          # a flag code's explanation in the current language
    N_("text")                                  # marks a message for extraction without translating

Rules for messages: named `{placeholders}` (never positional, never f-strings inside `_()`), one full
sentence per message (word order differs between the languages), codes and ids stay untranslated.
Which language: `set_language()` > the `REJA_LANG` environment variable > Uzbek.

Adding or changing a message: write `_("…")` in the code, run `make i18n` (extracts the messages
and adds new ones to the three .po files), fill in the Uzbek and Russian `msgstr` (English repeats the
msgid), and run `pytest tests/i18n`: it fails while any message lacks a translation.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import os
from functools import cache
from pathlib import Path

LANGUAGES: dict[str, str] = {"uz": "O‘zbekcha", "en": "English", "ru": "Русский"}
DEFAULT_LANGUAGE = "uz"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "reja"

_process_language: str | None = None  # set_language(); None = REJA_LANG or the default
_context_language: contextvars.ContextVar[str | None] = contextvars.ContextVar("reja_language", default=None)


def normalize_language(value: str | None) -> str | None:
    """'uz', 'uz_UZ', 'uz-Latn', 'RU', 'en_US.UTF-8' → a code of LANGUAGES, or None when unknown."""
    if not value:
        return None
    code = str(value).strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return code if code in LANGUAGES else None


def get_language() -> str:
    return (_context_language.get() or _process_language
            or normalize_language(os.environ.get("REJA_LANG")) or DEFAULT_LANGUAGE)


def set_language(lang: str | None) -> str:
    """Set the language of the whole process; an unknown code raises ValueError naming the choices."""
    global _process_language
    if lang is None:
        _process_language = None
        return get_language()
    code = normalize_language(lang)
    if code is None:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    _process_language = code
    return code


@contextlib.contextmanager
def use_language(lang: str | None):
    """The language of this thread / request only (falls back to the process language if unknown)."""
    token = _context_language.set(normalize_language(lang))
    try:
        yield get_language()
    finally:
        _context_language.reset(token)


@cache
def translations(lang: str):
    """The compiled catalogue of one language (read from its .po once, compiled to .mo in memory)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import NullTranslations, Translations

    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out: an unreviewed guess is never shown
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def gettext(message: str) -> str:
    return translations(get_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(get_language()).ngettext(singular, plural, n)


def translate(message: str, lang: str) -> str:
    """`message` in a given language, whatever the current one."""
    return translations(normalize_language(lang) or DEFAULT_LANGUAGE).gettext(message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Marks a message for extraction; translated later, where it is shown."""
    return message


_ = gettext


def flag_explanation(code: str) -> str:
    """A flag code's explanation in the current language (codes stay as they are: they are data)."""
    from reja.schema.flags import FLAG_CODES

    meaning = FLAG_CODES.get(code)
    return gettext(meaning) if meaning else code


__all__ = ["LANGUAGES", "DEFAULT_LANGUAGE", "_", "N_", "gettext", "ngettext", "set_language", "get_language",
           "use_language", "translate", "translations", "normalize_language", "flag_explanation"]
