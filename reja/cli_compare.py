"""`reja compare`: the analyst's comparison across years and districts, from the store."""

from __future__ import annotations

from pathlib import Path

import typer

from reja.db import exists
from reja.i18n import N_, _


def _store_or_default(db: Path | None) -> Path:
    from reja.store import find_store  # the store module (pandas, pandera) only when a command runs

    return find_store(db)


def _regions_asked(districts: list[str] | None, regions: list[str] | None) -> list[str] | None:
    """Gazetteer ids of the regions the places asked for lie in, so only those regions' plans are read
    (whole regions: their consistency findings need every district); None (read every plan) when
    no place is asked for or a name is not the gazetteer's one place (matched as written instead)."""
    from reja.compare.places import find_places

    if not districts and not regions:
        return None
    out = set()
    for names, kinds in ((districts or [], ("district", "city")), (regions or [], ("region",))):
        for name in names:
            found = find_places(name, kinds)
            if len(found) != 1:
                return None
            out.add(found[0].region_id)
    return sorted(out)


# the selection names plans the store does not have (none at all, or some of the years asked for)
EXIT_NOTHING_TO_COMPARE = 8


COMPARE_HELP = N_("Compare plans indicator by indicator: values side by side, change, coverage, unaligned items.")


def compare_cmd(
    ctx: typer.Context,
    db: Path = typer.Option(None, "--db", callback=_store_or_default,
                         help=N_("The store written by `reja import` (default: ./reja.sqlite, else out/reja.sqlite).")),
    years: list[int] = typer.Option(None, "--years", help=N_("Plan years to compare: --years 2021 2025 (or --years 2021 --years 2025).")),
    district: list[str] = typer.Option(None, "--district", help=N_("District name in Latin or Cyrillic, e.g. Jondor or Жондор (repeatable).")),
    region: list[str] = typer.Option(None, "--region", help=N_("Region (viloyat) name, e.g. Buxoro (repeatable).")),
    out: Path = typer.Option(Path("out/compare"), "--out", help=N_("Folder for compare.xlsx and compare.html.")),
) -> None:
    from reja.api import load_items
    from reja.compare.align import compare
    from reja.compare.html import write_html
    from reja.compare.places import PlaceLookupError
    from reja.compare.xlsx import write_xlsx
    from reja.store import StoreError

    # `--years 2021 2025`: click takes one value per option, the rest arrive as extra arguments
    extra = list(ctx.args)
    years = list(years or []) + [int(a) for a in extra if a.isdigit()]
    unknown = [a for a in extra if not a.isdigit()]
    if unknown:
        typer.echo(_("error: unexpected argument(s): {args}").format(args=" ".join(unknown)), err=True)
        raise typer.Exit(2)
    if not exists(db):
        typer.echo(_("error: {db}: no store here (run `reja import` first, or pass --db)").format(db=db), err=True)
        raise typer.Exit(2)
    try:
        region_ids = _regions_asked(district, region)
        items = load_items(db, region_ids=region_ids, years=years or None)
    except StoreError as exc:  # a file that is not a reja store: said plainly, exit 2 as for import
        typer.echo(_("error: {reason}").format(reason=exc), err=True)
        raise typer.Exit(2) from exc
    try:
        result = compare(items, years=years or None, districts=district or None, regions=region or None)
    except PlaceLookupError as exc:  # "Buxoro" is a district and a city: say both, guess neither
        typer.echo(_("error: {reason}").format(reason=exc), err=True)
        raise typer.Exit(2) from exc
    except ValueError as exc:
        typer.echo(_("error: {reason}").format(reason=exc), err=True)
        if region_ids is not None or years:  # only part of the store was read: what is there to choose from
            items = load_items(db, corrections=False)
        if len(items):  # say what there is to choose from, so the analyst need not guess
            have_years = ", ".join(str(y) for y in sorted(items["year"].dropna().unique()))
            have_districts = ", ".join(sorted(str(d) for d in items["district"].dropna().unique()))
            typer.echo(_("the store has plans for years {years}; districts {districts}").format(
                years=have_years, districts=have_districts), err=True)
        raise typer.Exit(EXIT_NOTHING_TO_COMPARE) from exc
    try:
        xlsx = write_xlsx(result, out / "compare.xlsx")
        html = write_html(result, out / "compare.html")
    except OSError as exc:  # --out is a file, not writable, disk full
        typer.echo(_("error: cannot write the comparison to {path}: {reason}").format(
            path=out, reason=exc.strerror or exc), err=True)
        raise typer.Exit(2) from exc
    shared = int(result.presence[list(result.plans["plan"])].all(axis=1).sum())
    typer.echo(_("{plans} plan(s), {indicators} indicator(s), {shared} shared by all; {unaligned} item(s) not matched "
                 "to a catalogue indicator.").format(plans=len(result.plans), indicators=result.values["indicator_id"].nunique(),
                                                      shared=shared, unaligned=len(result.unaligned)))
    if len(result.findings):
        flagged = int(result.findings["flag"].sum())
        typer.echo(_("{n} consistency finding(s), {flagged} sent to the clerk's queue.").format(
            n=len(result.findings), flagged=flagged))
    typer.echo(_("written: {paths}").format(paths=f"{xlsx}  {html}"))
    if result.missing:  # asked for, not there: the comparison is partial, and the exit code says so
        for line in result.missing:
            typer.echo(_("missing: {what}").format(what=line), err=True)
        raise typer.Exit(EXIT_NOTHING_TO_COMPARE)
