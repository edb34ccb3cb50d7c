"""`reja review …`: the clerk's commands (Excel round-trip, review page, undo, history)."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from reja.db import exists
from reja.i18n import N_, _


def _store_or_default(db: Path | None) -> Path:
    from reja.store import find_store  # the store module (pandas, pandera) only when a command runs

    return find_store(db)


review_app = typer.Typer(help=N_("Fix flagged rows (Excel or the review page); corrections are never lost."),
                         no_args_is_help=True)

DB_OPTION = typer.Option(None, "--db", callback=_store_or_default,
                         help=N_("The store written by `reja import` (default: ./reja.sqlite, else out/reja.sqlite)."))


def _who(who: str | None) -> str:
    return who or getpass.getuser()


def _need_store(db: Path) -> None:
    """A wrong --db must be said plainly (not a traceback, not an empty store made at a typo's path)."""
    if not exists(db):
        typer.echo(_("error: {db}: no store here (run `reja import` first, or pass --db)").format(db=db), err=True)
        raise typer.Exit(2)


def _load(db: Path, *, flagged: bool = False, region_ids=None, years=None):
    from reja.store import StoreError

    from .data import load_items

    _need_store(db)
    try:
        if flagged:
            from reja.api import orphaned_corrections

            from .data import flagged_pieces

            return flagged_pieces(db, region_ids=region_ids, years=years), orphaned_corrections(db)
        return load_items(db)
    except StoreError as exc:
        typer.echo(_("error: {reason}").format(reason=exc), err=True)
        raise typer.Exit(2) from exc


def _place(name: str, kinds: tuple[str, ...]):
    """The gazetteer place named (forgiving of script, apostrophes and tuman/viloyat); a name that fits
    none or several is a usage error, never a guess."""
    from reja.compare.places import PlaceLookupError, resolve

    try:
        return resolve(name, kinds)
    except PlaceLookupError as exc:
        typer.echo(_("error: {reason}").format(reason=exc), err=True)
        raise typer.Exit(2) from exc


def _only_places(pieces, whole_regions: set, district_ids: set):
    """The rows of the districts asked for, and every row of the regions asked for whole."""
    for piece in pieces:
        yield piece.loc[piece["district_id"].isin(district_ids) | piece["region_id"].isin(whole_regions)]


@review_app.command("export", help=N_("Write a review workbook: flagged rows, dropdowns of catalogue ids, hidden row keys."))
def export_cmd(
    out: Path = typer.Argument(Path("out/review.xlsx"), help=N_("Workbook to write.")),
    db: Path = DB_OPTION,
    all_rows: bool = typer.Option(False, "--all", help=N_("Every row, not only the flagged ones.")),
    region: list[str] = typer.Option(None, "--region", help=N_("Only this region's plans (viloyat name, e.g. Buxoro; repeatable).")),
    district: list[str] = typer.Option(None, "--district", help=N_("Only this district's or city's plans (e.g. Jondor; repeatable).")),
    year: list[int] = typer.Option(None, "--year", help=N_("Only the plans of this year (repeatable).")),
):
    from reja.store import StoreError

    from .excel import export_workbook

    if all_rows and (region or district or year):
        typer.echo(_("error: --all takes every row; --region, --district and --year choose among the flagged ones"),
                   err=True)
        raise typer.Exit(2)
    regions = [_place(name, ("region",)) for name in region or ()]
    districts = [_place(name, ("district", "city")) for name in district or ()]
    region_ids = sorted({p.region_id for p in regions + districts}) if regions or districts else None
    # the flagged rows are read piece by piece into the workbook (a national store's whole load does
    # not fit in memory); --all loads every row
    items, orphans = _load(db) if all_rows else _load(db, flagged=True, region_ids=region_ids, years=year or None)
    if districts:  # a district's rows, its region read whole (the findings compare it with its neighbours)
        items = _only_places(items, {p.region_id for p in regions}, {p.district_id for p in districts})
    try:
        n = export_workbook(items, out, only_flagged=not all_rows)
    except StoreError as exc:  # met while the pieces are read
        typer.echo(_("error: {reason}").format(reason=exc), err=True)
        raise typer.Exit(2) from exc
    except OSError as exc:  # its folder is a file, not writable, disk full
        typer.echo(_("error: cannot write {path}: {reason}").format(path=out, reason=exc.strerror or exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(_("{path}: {n} row(s) to review (current plans only; superseded copies of a plan are left out). "
                 "Edit the yellow cells, save, then: reja review apply {path}").format(path=out, n=n))
    for line in orphans:
        typer.echo(_("warning: {message}").format(message=line), err=True)


@review_app.command("apply", help=N_("Read back the clerk's edits; valid ones become corrections, refused ones are listed."))
def apply_cmd(
    workbook: Path = typer.Argument(..., exists=True, dir_okay=False, help=N_("The edited review workbook.")),
    db: Path = DB_OPTION,
    who: str = typer.Option(None, "--who", help=N_("The clerk's name (default: the login name).")),
):
    from .excel import apply_workbook

    items, _orphans = _load(db)
    try:
        result = apply_workbook(workbook, items, db, who=_who(who))
    except ValueError as exc:
        typer.echo(_("error: {reason}").format(reason=exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(_("{n} correction(s) saved from {file}.").format(n=result.applied, file=workbook.name))
    for rejected in result.rejected:
        typer.echo(_("refused: {edit}").format(edit=rejected), err=True)
    for line in result.ignored:
        typer.echo(_("ignored: {edit}").format(edit=line), err=True)
    if result.rejected:
        typer.echo(_("{n} edit(s) refused and not saved: fix them in the workbook, "
                     "then run `reja review apply {path}` again.").format(n=len(result.rejected), path=workbook),
                   err=True)
    if result.rejected:  # 3 as in docs/exit_codes.md: done, rows still need review (1 means reja crashed)
        raise typer.Exit(3)


@review_app.command("serve", help=N_("Start the review page (source crop, fields, candidates, keyboard shortcuts)."))
def serve_cmd(
    db: Path = DB_OPTION,
    host: str = typer.Option("127.0.0.1", help=N_("Address to bind; anything but loopback requires a token "
                                               "and a clerk's login (reja review users add).")),
    port: int = typer.Option(8765, min=1, max=65535, help=N_("TCP port (1–65535).")),
    who: str = typer.Option(None, "--who", help=N_("The clerk's name, recorded with each correction (on this PC).")),
    token: str = typer.Option(None, help=N_("Access token when bound beyond loopback (default: random).")),
    lang: str = typer.Option(None, "--lang", help=N_("The page's language until a clerk switches it: uz (default), en, ru.")),
    login: bool = typer.Option(False, "--login", help=N_("Each clerk logs in even on 127.0.0.1: the page behind a "
                                                      "reverse proxy on this server (docs/deploy.md).")),
    public_host: list[str] = typer.Option(None, "--public-host", help=N_("A name the page is reached by through the "
                                                                     "proxy (reja.example.uz); repeatable.")),
):
    from reja.i18n import get_language, normalize_language

    from .web import EXIT_PORT_BUSY, PortBusy, ReviewSettings, serve

    _need_store(db)
    settings = ReviewSettings(db=db, clerk=_who(who), host=host, access_token=token,
                              lang=normalize_language(lang) or get_language(), require_login=login,
                              extra_hosts=tuple(public_host or ()))
    if settings.needs_login:
        from .accounts import users

        if not users(db):
            typer.echo(_("error: on {host} several clerks share the page, so each logs in: add an account first "
                         "with `reja review users add NAME`").format(host=host), err=True)
            raise typer.Exit(2)
    try:
        serve(settings, port=port)
    except PortBusy as exc:
        typer.echo(_("error: port {port} on {host} is taken by another program (another `reja review serve`?): "
                     "stop it, or choose another port with --port {other}").format(port=port, host=host,
                                                                                   other=port + 1), err=True)
        raise typer.Exit(EXIT_PORT_BUSY) from exc


users_app = typer.Typer(help=N_("Clerks' accounts for a review page shared on the network."), no_args_is_help=True)
review_app.add_typer(users_app, name="users")


@users_app.command("add", help=N_("Add a clerk (or set a new password); passwords are stored as scrypt hashes only."))
def users_add_cmd(
    name: str = typer.Argument(..., help=N_("The clerk's name, recorded with each correction.")),
    db: Path = DB_OPTION,
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True,
                                 help=N_("Asked for when not given (at least 8 characters).")),
):
    from .accounts import add_user

    _need_store(db)
    try:
        add_user(db, name, password)
    except ValueError as exc:
        typer.echo(_("error: {reason}").format(reason=exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(_("clerk {name} can log in to the review page.").format(name=name.strip()))


@users_app.command("list", help=N_("The clerks who can log in."))
def users_list_cmd(db: Path = DB_OPTION):
    from .accounts import users

    _need_store(db)
    for name in users(db):
        typer.echo(name)


@review_app.command("history", help=N_("Every correction of one row, undone ones included; each line starts with its correction number (#N) for `undo`."))
def history_cmd(
    row_key: str = typer.Argument(..., help=N_("The row's key: hidden column A (row_key) of the review workbook, "
                                            "or the end of the row's address on the review page (/row/KEY).")),
    db: Path = DB_OPTION,
):
    from reja.corrections import history

    _need_store(db)
    for c in history(db, row_key):
        undo = f" (undoes #{c.reverts})" if c.reverts else ""
        typer.echo(f"#{c.id} {c.at} {c.who} via {c.via}: {c.field} {c.value_before!r} → {c.value_after!r}"
                   f"{undo} {c.why or ''}")


@review_app.command("undo", help=N_("Undo one correction (a reverting entry is added; history keeps both)."))
def undo_cmd(
    correction_id: int = typer.Argument(..., help=N_("The correction's number, #N in `reja review history`.")),
    db: Path = DB_OPTION,
    who: str = typer.Option(None, "--who", help=N_("The clerk's name (default: the login name).")),
):
    from reja.corrections import undo

    _need_store(db)
    try:
        new_id = undo(db, correction_id, who=_who(who))
    except ValueError as exc:
        typer.echo(_("error: {reason}").format(reason=exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(_("correction #{id} undone (entry #{new_id}).").format(id=correction_id, new_id=new_id))


@review_app.command("synonyms", help=N_("Wording the clerks matched by hand: used by every import from this store; --yaml hands them to whoever maintains the catalogue (schema/data/*.yaml synonyms) so every centre gets them."))
def synonyms_cmd(
    db: Path = DB_OPTION,
    yaml_out: Path = typer.Option(None, "--yaml", help=N_("Also write them as YAML for the catalogue's maintainers.")),
):
    from reja.learned import load_learned, write_synonyms_yaml

    _need_store(db)
    learned = load_learned(db)
    if not len(learned):
        typer.echo(_("no learned synonyms yet: correct or accept a match (reja review) to teach one."))
        return
    for kind, entries in sorted(learned.entries.items()):
        for entry in sorted(entries.values(), key=lambda e: (e["id"] or "", e["text"])):
            typer.echo(f"{kind:9} {entry['id'] or '-':28} ← {entry['text']!r}  (correction #{entry['correction']} by {entry['who']})")
    if yaml_out is not None:
        write_synonyms_yaml(learned, yaml_out)
        typer.echo(_("written: {path} (learned synonyms version {version})").format(path=yaml_out, version=learned.version))
