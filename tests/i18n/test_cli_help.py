"""`reja … --help` in the clerk's language: the help texts are catalogue messages, translated when shown
(with --lang before the command, or REJA_LANG)."""

from typer.testing import CliRunner

from reja.cli import app
from reja.i18n import translate

IMPORT_HELP = "Import plans into the store: one status line per file, then a summary."


def _flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def test_import_help_in_uzbek_and_russian():
    for lang in ("uz", "ru"):
        result = CliRunner().invoke(app, ["--lang", lang, "import", "--help"], terminal_width=200)
        assert result.exit_code == 0, result.output
        shown = _flat(result.output)
        assert IMPORT_HELP not in shown  # not English any more
        assert _flat(translate("Documents read in parallel.", lang)) in shown
        assert translate("Documents read in parallel.", lang) != "Documents read in parallel."


def test_command_list_and_english_stay_as_written():
    result = CliRunner().invoke(app, ["--lang", "en", "import", "--help"], terminal_width=200)
    assert IMPORT_HELP in _flat(result.output) and "Documents read in parallel." in _flat(result.output)
    listing = _flat(CliRunner().invoke(app, ["--lang", "uz", "--help"], terminal_width=200).output)
    rematch = ("Match every stored plan again from its stored rows (after a catalogue edit or taught wordings), "
               "without reading the files.")
    assert _flat(translate(rematch, "uz"))[:40] in listing and rematch[:40] not in listing


def test_review_and_compare_help_in_the_clerks_language():
    cases = [(["review", "--help"], "Fix flagged rows (Excel or the review page); corrections are never lost."),
             (["review", "serve", "--help"], "The clerk's name, recorded with each correction (on this PC)."),
             (["review", "users", "add", "--help"], "Asked for when not given (at least 8 characters)."),
             (["compare", "--help"], "Folder for compare.xlsx and compare.html.")]
    for args, english in cases:
        for lang in ("uz", "ru"):
            shown = _flat(CliRunner().invoke(app, ["--lang", lang, *args], terminal_width=200).output)
            assert translate(english, lang) != english
            assert _flat(translate(english, lang))[:40] in shown and english[:40] not in shown, (lang, args)


def test_exit_codes_help_in_the_clerks_language():
    from reja.cli import EXIT_CODES_HELP

    for lang in ("uz", "ru"):
        shown = _flat(CliRunner().invoke(app, ["--lang", lang, "import", "--help"], terminal_width=200).output)
        assert "Exit codes" not in shown
        first = translate(EXIT_CODES_HELP, lang).split("\n")[2].format(ok=0)  # "0: …" in the clerk's language
        assert _flat(first)[:30] in shown
    english = _flat(CliRunner().invoke(app, ["--lang", "en", "import", "--help"], terminal_width=200).output)
    assert "Exit codes" in english and "6: the disk is full" in english
