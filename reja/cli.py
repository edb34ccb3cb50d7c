"""The `reja` command line. Each part of reja adds its commands here:

- `reja import` / `reja export` (this module);
- other parts register a typer sub-app with ONE line at the bottom of this file
  (`app.add_typer(sub_app, name="compare")`).

Exit codes are documented in docs/exit_codes.md and in `reja import --help`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import typer.core

from reja.batch import EXIT_DISK_FULL, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_REVIEW, BatchLimits
from reja.db import exists, is_server, location, shown
from reja.i18n import N_, _

EXIT_USAGE = 2  # click's own code for a bad option or argument
EXIT_CONTRACT = 5  # the dataset broke its pandera schema: export blocked

# the exit codes' help: catalogue messages (translated when shown), the numbers filled in then
EXIT_CODES_HELP = N_("""Exit codes:

{ok}: done, every file imported and every row clean.

1: reja itself failed unexpectedly (a bug; a traceback is printed).

{usage}: usage error (unknown option, missing path, no plan document under the paths).

{review}: done, some rows need review (flagged; see the flags column or `reja review`).

{failed}: some files could not be imported (named in the output and the documents table).

{contract}: the dataset broke its schema, the export was not written.

{disk_full}: the disk is full: the batch stopped at the file named; everything stored before it is whole. Free some space and run the same command again.

{interrupted}: interrupted (Ctrl+C); run the same command again to continue.
""")

# export reads the store only: flagged rows and failed files do not change its code
EXPORT_EXIT_CODES_HELP = N_("""Exit codes:

{ok}: the exports were written (flagged rows and failed files included as they are).

1: reja itself failed unexpectedly (a bug; a traceback is printed).

{usage}: usage error: no store at --db, or --out is a file or cannot be written.

{contract}: the dataset broke its schema, the export was not written (the previous one is untouched).
""")

EXIT_CODE_NUMBERS = {"ok": EXIT_OK, "usage": EXIT_USAGE, "review": EXIT_REVIEW, "failed": EXIT_FAILED,
                     "contract": EXIT_CONTRACT, "disk_full": EXIT_DISK_FULL, "interrupted": EXIT_INTERRUPTED}
# the English epilog a command carries -> its message, to show it in the clerk's language
_EPILOGS = {m.format(**EXIT_CODE_NUMBERS): m for m in (EXIT_CODES_HELP, EXPORT_EXIT_CODES_HELP)}

app = typer.Typer(
    name="reja",
    help=N_("reja: district AKM work plans (ish rejasi) into one dataset."),
    no_args_is_help=True,
    add_completion=False,
)


def _set_language(value: str | None) -> str | None:
    from reja.i18n import set_language

    try:
        return set_language(value) if value else value
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@app.callback()
def main(
    lang: Annotated[
        str | None,
        typer.Option("--lang", envvar="REJA_LANG", callback=_set_language, is_eager=True,
                     help=N_("Language of messages, workbooks and reports: uz (O‘zbekcha, default), en, ru.")),
    ] = None,
) -> None:
    """reja: district AKM work plans (ish rejasi) into one dataset."""


def _existing_store(value: Path | None):
    """--db of a command that reads a store: a file that exists, or a postgresql:// URL."""
    if value is None:
        return value
    db = location(value)
    if not is_server(db) and not Path(db).is_file():
        raise typer.BadParameter(f"File '{value}' does not exist.")
    return db


def _export(db: Path | str, out: Path, include_superseded: bool = False) -> None:
    from reja.export import DatasetContractError, export_dataset
    from reja.store import StoreError

    try:
        written = export_dataset(db, out, include_superseded=include_superseded)
    except StoreError as exc:
        typer.echo(_("error: {reason}").format(reason=exc), err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    except DatasetContractError as exc:
        typer.echo(_("export blocked, the dataset breaks its contract:") + f"\n{exc}", err=True)
        raise typer.Exit(EXIT_CONTRACT) from exc
    except OSError as exc:  # --out is a file, not writable, disk full: the previous export stays whole
        typer.echo(_("error: cannot write the exports to {path}: {reason}").format(path=out, reason=exc.strerror or exc),
                   err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    typer.echo(_("exports: {paths}").format(paths=", ".join(str(p) for p in written.values())))


def _check_page_images(paths: list[Path]) -> None:
    """--pages takes image files only (a folder or a PDF is a document of its own)."""
    from reja.extract.detect import detect_format
    from reja.extract.errors import ReadError

    for p in paths:
        try:
            fmt = detect_format(p) if p.is_file() else "folder"
        except ReadError as exc:
            fmt = exc.code
        if fmt not in ("png", "jpeg", "tiff", "heic"):
            typer.echo(_("error: --pages takes page images (JPEG, PNG, TIFF, HEIC); {path} is {kind}").format(
                path=p, kind=fmt), err=True)
            raise typer.Exit(EXIT_USAGE)


@app.command("import", epilog=EXIT_CODES_HELP.format(**EXIT_CODE_NUMBERS), help=N_("Import plans into the store: one status line per file, then a summary.\n\nStatus per file: ok (imported, every row clean), partial (imported, some rows need review), failed (not imported; the cause is named), skipped (already imported from the same path with the same bytes and the same reja and catalogue version), which lets a re-run after a crash or Ctrl+C continue where it stopped. A file that cannot be read is reported and the batch goes on."))
def import_cmd(
    paths: Annotated[list[Path], typer.Argument(exists=True, help=N_("Plan files, folders (recursive) and .zip archives."))],
    db: Annotated[
        Path | None,
        typer.Option("--db", help=N_("The store: a SQLite file (default: OUT/reja.sqlite with --out, else "
                                  "./reja.sqlite) or a PostgreSQL URL, postgresql://user@host/db.")),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help=N_("Write the exports (Parquet, CSV, XLSX, datapackage.json) and the run log here.")),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help=N_("Documents read in parallel."))] = 1,
    force: Annotated[bool, typer.Option("--force", help=N_("Re-import files even when unchanged."))] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=1, help=N_("Seconds allowed per document."))] = 900.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=N_("Only the summary, no line per file."))] = False,
    pages: Annotated[
        bool, typer.Option("--pages", help=N_("The files given are the pages of ONE plan (photos or scans), in this order."))
    ] = False,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler",
        help=N_("Read the files on a Dask cluster: its scheduler's address, tcp://host:8786 (the workers need reja "
             "installed, the same version); the files travel as bytes and this command writes the store."),
    )] = None,
    max_memory: Annotated[int, typer.Option(
        "--max-memory", min=0,
        help=N_("MiB of memory each reading process may use; a file needing more fails as too_large (0: no limit)."),
    )] = BatchLimits.max_memory_mb or 0,
    no_ocr_cache: Annotated[bool, typer.Option(
        "--no-ocr-cache", help=N_("Do not keep OCR results (by page content) in ocr-cache/ beside the store."),
    )] = False,
) -> None:
    # help: in the decorator (a message of reja.i18n, translated when shown)
    from reja.batch import run_import
    from reja.store import StoreError

    db = location(db) or ((out / "reja.sqlite") if out else Path("reja.sqlite"))
    if pages:
        _check_page_images(paths)
    _check_out_folder(out)
    executor = _cluster_executor(scheduler) if scheduler else None
    try:
        report = run_import(
            paths, db=db, log_dir=out, jobs=jobs, force=force,
            limits=BatchLimits(timeout_s=timeout, max_memory_mb=max_memory or None),
            on_status=None if quiet else typer.echo, pages=pages, executor=executor,
            ocr_cache=not no_ocr_cache,
        )  # fmt: skip
    except StoreError as exc:
        typer.echo(_("error: {reason}").format(reason=exc), err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    finally:
        if executor is not None:
            executor.close()
    _after_import(db, out, report)
    raise typer.Exit(report.exit_code)


def _check_out_folder(out: Path | None) -> None:
    if out is not None and out.exists() and not out.is_dir():
        typer.echo(_("error: --out {path} is a file, not a folder").format(path=out), err=True)
        raise typer.Exit(EXIT_USAGE)


def _cluster_executor(scheduler: str):
    """A connected Dask executor, or a usage error naming why the cluster cannot be reached."""
    from reja.cluster import ClusterError, DaskExecutor

    executor = DaskExecutor(scheduler)
    try:
        executor.connect()
    except ClusterError as exc:
        typer.echo(_("error: {reason}").format(reason=exc), err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    return executor


def _after_import(db, out: Path | None, report) -> None:
    """The summary, the store's plans, orphaned corrections, the exports and the next command to run."""
    typer.echo(_summary(report))
    typer.echo(_("store: {db}  run log: {log}").format(db=shown(db), log=report.log_path))
    plans = _plans_line(db, report)
    if plans:
        typer.echo(plans)
    if exists(db):
        from reja.api import orphaned_corrections

        for line in orphaned_corrections(db):  # a clerk's work that no longer finds its row is said, not dropped
            typer.echo(_("warning: {message}").format(message=line))
    if out is not None and not report.interrupted and not report.disk_full:
        _export(db, out)
    nxt = _next_command(db, report)
    if nxt:
        typer.echo(nxt)


def _summary(report) -> str:
    """The batch in one line, in the clerk's language (the same facts as ImportReport.summary)."""
    c = report.counts()
    text = _("{files} file(s): {ok} ok, {partial} partial, {failed} failed, {skipped} skipped (unchanged); "
             "{rows} row(s) need review; {seconds} s.").format(
        files=c["files"], ok=c["ok"], partial=c["partial"], failed=c["failed"], skipped=c["skipped"],
        rows=report.rows_to_review, seconds=f"{report.seconds:.1f}")
    failed = [f.source_file for f in report.files if f.effective_status == "failed"]
    if failed:
        text += " " + _("Failed: {files}.").format(files=", ".join(failed))
    if getattr(report, "disk_full", False):
        text += " " + _("DISK FULL: the batch stopped; free some space and run the same command again to continue.")
    elif report.interrupted:
        text += " " + _("INTERRUPTED: re-run the same command to continue.")
    from reja.terminal import printable

    return printable(text)  # file names may hold newlines or escape sequences


def _plans_line(db: Path | str, report) -> str | None:
    """How many plans (one district's plan for one year) the files of this run are, and how many of
    those plans came as several files (only the current file counts in the dataset)."""
    ids = [f.document_id for f in report.files if f.document_id]
    if not ids or not exists(db):
        return None
    from reja.db import errors
    from reja.store import Store, StoreError

    try:
        with Store(db, readonly=True) as store:
            keys = store.plans_of(ids)
    except (StoreError, *errors()):
        return None
    if not keys:
        return None
    line = _("plans: {plans} (a plan = one district's plan for one year)").format(plans=len(keys))
    if report.plans:
        line += "; " + _("{several} of them came as several files (listed above with the current one)").format(
            several=len(report.plans))
    return line


def _next_command(db: Path | str, report) -> str | None:
    """What to do next, as a command to copy."""
    if report.interrupted:
        return None
    store = f" --db {shown(db)}" if db != Path("reja.sqlite") else ""
    if report.rows_to_review:
        return _("next: reja review serve{store}   (or in Excel: reja review export review.xlsx{store})").format(
            store=store)
    if any(f.effective_status != "failed" for f in report.files):
        return _("next: reja compare{store}").format(store=store)
    return None


@app.command("export", epilog=EXPORT_EXIT_CODES_HELP.format(**EXIT_CODE_NUMBERS), help=N_("Write the dataset as Parquet, CSV (UTF-8 with BOM), XLSX and datapackage.json, after checking it against its schema (exit 5 when it breaks it)."))
def export_cmd(
    db: Annotated[
        Path, typer.Option("--db", callback=_existing_store,
                           help=N_("The store written by `reja import` (SQLite file or postgresql:// URL)."))
    ] = Path("reja.sqlite"),
    out: Annotated[Path, typer.Option("--out", help=N_("Folder for the exports."))] = Path("out"),
    all_versions: Annotated[
        bool, typer.Option("--all-versions", help=N_("Include items of superseded versions of a plan."))
    ] = False,
) -> None:
    # help: in the decorator (a message of reja.i18n, translated when shown)
    _export(db, out, include_superseded=all_versions)


@app.command("rematch", help=N_("Match every stored plan again from its stored rows (after a catalogue edit or taught wordings), without reading the files."))
def rematch_cmd(
    db: Annotated[
        Path, typer.Option("--db", callback=_existing_store,
                           help=N_("The store written by `reja import` (SQLite file or postgresql:// URL)."))
    ] = Path("reja.sqlite"),
) -> None:
    # help: in the decorator (a message of reja.i18n, translated when shown)
    from reja.rematch import rematch_store

    report = rematch_store(db, on_status=typer.echo)
    typer.echo(report.summary())
    raise typer.Exit(EXIT_FAILED if report.failed else EXIT_OK)


@app.command("debug", help=N_("Draw what the parser saw on one page of a PDF, scan or photo: the found grid (blue), each column's role on its header (green) and the item boxes with their numbers (red), as a PNG."))
def debug_cmd(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=N_("A plan file with pages (PDF, scan, photo)."))],
    page: Annotated[int, typer.Option("--page", min=1, help=N_("The page to draw (1 = the first)."))] = 1,
    out: Annotated[Path | None, typer.Option("--out", help=N_("The PNG to write (default: FILE-pN.png in the current folder)."))] = None,
) -> None:
    from reja.debug import DebugError, draw_page
    from reja.extract.errors import ReadError

    out = out or Path(f"{file.stem}-p{page}.png")
    try:
        view = draw_page(file, page, out)
    except (DebugError, ReadError) as exc:
        typer.echo(_("cannot draw: {reason}").format(reason=exc), err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    typer.echo(_("{path}: page {page}, {cells} grid cells, {tables} header(s) read, {items} items").format(
        path=out, page=page, cells=view.cells, tables=len(view.roles), items=len(view.items)))


@app.command("match", help=N_("Match one text to the catalogue and explain the decision: id, band, score, reason, top candidates.\n\nExit 0 when the match is accepted automatically, 3 when it would be flagged for review or is\nunmatched, 2 for an unknown kind or id."))
def match_cmd(
    kind: Annotated[str, typer.Argument(help=N_("section, indicator or unit."))],
    text: Annotated[str, typer.Argument(help=N_("The heading, activity or unit as a plan writes it."))],
    section: Annotated[
        str | None, typer.Option("--section", help=N_("Indicators: the section id or heading text of the row."))
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help=N_("Indicators: the unit id or unit text of the row."))] = None,
    parent: Annotated[
        str | None, typer.Option("--parent", help=N_("Indicators: the indicator id of the parent item."))
    ] = None,
) -> None:
    # help: in the decorator (a message of reja.i18n, translated when shown)
    from reja.api import match

    try:
        res = match(kind, text, section=section, unit=unit, parent=parent)
    except ValueError as exc:
        typer.echo(_("error: {reason}").format(reason=exc), err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    for line in res.context:
        typer.echo(_("context: {line}").format(line=line))
    if res.id:
        typer.echo(f"{res.kind}: {res.id} ({res.name_latn} / {res.name_cyrl})")
    else:
        typer.echo(_("{kind}: no match").format(kind=res.kind))
    typer.echo(_("band: {band}, score: {score}").format(band=res.band, score=f"{res.score:.1f}"))
    typer.echo(_("reason: {reason}").format(reason=res.reason))
    typer.echo(_("candidates:"))
    for n, c in enumerate(res.candidates, 1):
        typer.echo(f"  {n}. {c.id} {c.score:.1f}  {c.name_latn}")
    raise typer.Exit(EXIT_OK if res.band == "auto" else EXIT_REVIEW)


# -- sub-commands of other parts: one line each ---------------------------------------------------
# app.add_typer(<their typer app>, name="<command>")
from reja.cli_compare import COMPARE_HELP, compare_cmd  # noqa: E402
from reja.review.cli import review_app  # noqa: E402

app.command("compare", help=COMPARE_HELP, context_settings={"allow_extra_args": True})(compare_cmd)
app.add_typer(review_app, name="review")


# -- help in the clerk's language ---------------------------------------------------------------------
# Help texts are written in English and marked N_(); they are translated when --help is shown, so
# `reja --lang uz import --help` and REJA_LANG both work (the language is known only once --lang is read).
class _TranslatedHelp:
    def format_help(self, ctx, formatter):
        _translate_help(self)
        if isinstance(self, typer.core.TyperGroup):
            for name in self.list_commands(ctx):
                _translate_help(self.get_command(ctx, name))
        return super().format_help(ctx, formatter)


class TranslatedCommand(_TranslatedHelp, typer.core.TyperCommand):
    pass


class TranslatedGroup(_TranslatedHelp, typer.core.TyperGroup):
    pass


def _translate_help(command) -> None:
    if command is None:
        return
    if not hasattr(command, "_help_msgids"):  # the English texts, kept the first time
        command._help_msgids = (command.help, command.short_help, {id(p): getattr(p, "help", None) for p in command.params},
                                getattr(command, "epilog", None))
    help_text, short_help, params, epilog = command._help_msgids
    command.help = _(help_text) if help_text else help_text
    if epilog in _EPILOGS:
        command.epilog = _(_EPILOGS[epilog]).format(**EXIT_CODE_NUMBERS)
    command.short_help = _(short_help) if short_help else short_help
    for param in command.params:
        if params.get(id(param)):
            param.help = _(params[id(param)])


def _translated(typer_app: typer.Typer) -> None:
    if not typer_app.info.cls or typer_app.info.cls is typer.core.TyperGroup:  # unset: a falsy placeholder
        typer_app.info.cls = TranslatedGroup
    for command in typer_app.registered_commands:
        if command.cls in (None, typer.core.TyperCommand):
            command.cls = TranslatedCommand
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _translated(group.typer_instance)


_translated(app)


if __name__ == "__main__":  # python -m reja.cli (used by the import bench)
    app()
