"""`make i18n` (python -m reja.i18n.collect): find every message and keep the three .po files in step.

Messages are the `_()`, `gettext()`, `ngettext()` and `N_()` calls in reja's Python code and Jinja
templates, plus the flag explanations of schema/flags.py FLAG_CODES (that layer cannot import
reja.i18n, so its English texts are collected here). New messages are added untranslated (English
gets its msgid as msgstr); messages no longer used are dropped. tests/i18n uses `messages()` too.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from . import DOMAIN, LANGUAGES, LOCALE_DIR

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # reja/
METHODS = [("**/i18n/**.py", "ignore"), ("**.py", "python"), ("**/templates/**.j2", "jinja2.ext:babel_extract")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def messages() -> dict[str | tuple[str, str], None]:
    """Every message id (a string, or (singular, plural)) in first-seen order."""
    found: dict = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE_DIR), METHODS, keywords=KEYWORDS, options_map={"**/templates/**.j2": {"trimmed": "true"}}):
        if isinstance(message, tuple):
            message = tuple(message[:2]) if len(message) > 1 and message[1] else message[0]
        if message:
            found.setdefault(message, None)
    from reja.schema.flags import FLAG_CODES

    for meaning in FLAG_CODES.values():
        found.setdefault(meaning, None)
    return found


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.is_file():
        return Catalog(locale=lang, domain=DOMAIN, project="reja")
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def update() -> dict[str, int]:
    """Add new messages, drop unused ones; return the number of untranslated messages per language."""
    wanted = messages()
    missing = {}
    for lang in LANGUAGES:
        old = read(lang)
        new = Catalog(locale=lang, domain=DOMAIN, project="reja", fuzzy=False, version="",
                      header_comment=f"# reja's messages in {LANGUAGES[lang]} (reja.i18n; `make i18n` adds new ones).",
                      creation_date=old.creation_date, revision_date=old.creation_date)
        for msgid in wanted:
            key = msgid[0] if isinstance(msgid, tuple) else msgid
            was = old.get(key)
            string = was.string if was is not None else None
            if lang == "en" and not (string and any(string if isinstance(string, tuple) else [string])):
                string = msgid  # English is the source language
            if isinstance(msgid, tuple) and not isinstance(string, tuple | list):
                string = tuple([string or ""] * new.num_plurals)
            new.add(msgid, string or ("" if not isinstance(msgid, tuple) else string))
        missing[lang] = sum(1 for m in new if m.id and not _translated(m.string))
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, new, width=0, omit_header=False, sort_output=True, no_location=True)
    return missing


def _translated(string) -> bool:
    if isinstance(string, tuple | list):
        return all(s for s in string)
    return bool(string)


if __name__ == "__main__":
    result = update()
    for lang, n in result.items():
        print(f"{po_path(lang)}: {n} message(s) to translate")
    sys.exit(0)
