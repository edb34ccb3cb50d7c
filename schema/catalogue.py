"""The canonical catalogue: sections, indicators, units and column roles, loaded from `schema/data/`.

The vocabulary is data (YAML), not code, so a clerk or analyst can extend it without touching Python.
Loading validates every cross-reference (an indicator's unit and sections must exist, ids are unique)
and fails with a `CatalogueError` naming the file and the entry.

`catalogue_version` = "<version field>+<12 hex of the data files' sha256>": two runs that used the
same vocabulary carry the same string, and any edit of a data file changes it, so a dataset can say
exactly which catalogue its matches were made against.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from . import data_files

DATA_DIR = Path(__file__).parent / "data"

# Files whose content defines the catalogue (and therefore its version hash).
CATALOGUE_FILES = (
    "sections.yaml",
    "indicators.yaml",
    "units.yaml",
    "column_roles.yaml",
    "match_thresholds.yaml",
    "labels_rus.yaml",
)


class CatalogueError(ValueError):
    """A catalogue data file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Entry:
    """Anything with an id, a name in each script and synonyms."""

    id: str
    name_latn: str
    name_cyrl: str
    synonyms: tuple[str, ...] = ()
    labels_rus: tuple[str, ...] = ()  # Russian labels (labels_rus.yaml), first = the Russian name

    @property
    def name_rus(self) -> str | None:
        return self.labels_rus[0] if self.labels_rus else None

    def labels(self) -> tuple[str, ...]:
        """Every way this entry may be written: both names, the synonyms, then the Russian labels."""
        seen: list[str] = []
        for s in (self.name_latn, self.name_cyrl, *self.synonyms, *self.labels_rus):
            if s and s not in seen:
                seen.append(s)
        return tuple(seen)


@dataclass(frozen=True)
class Section(Entry):
    order: int = 0  # position in a typical plan, used as weak evidence only


@dataclass(frozen=True)
class Unit(Entry):
    kind: str = "count"  # what is counted: copies, titles, people, events, pages, documents, ...


@dataclass(frozen=True)
class Indicator(Entry):
    unit: str | None = None  # usual unit id
    units: tuple[str, ...] = ()  # other units seen for this activity
    sections: tuple[str, ...] = ()  # section ids where it may appear
    parent: str | None = None  # indicator id this one breaks down ("acq_purchase" -> "acq_total")

    def allowed_units(self) -> tuple[str, ...]:
        return tuple(u for u in (self.unit, *self.units) if u)


@dataclass(frozen=True)
class ColumnRole(Entry):
    year_pattern: bool = False  # the header names a year ("2024- yil (fakt)")


@dataclass(frozen=True)
class Catalogue:
    version: str
    catalogue_version: str
    sections: dict[str, Section] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    column_roles: dict[str, ColumnRole] = field(default_factory=dict)
    thresholds: dict = field(default_factory=dict)

    def indicators_in(self, section_id: str) -> list[Indicator]:
        return [i for i in self.indicators.values() if section_id in i.sections]


def _read_yaml(path: Path) -> dict:
    try:
        data = data_files.read_yaml(path)
    except FileNotFoundError as exc:
        raise CatalogueError(f"{path.name}: catalogue file is missing") from exc
    except data_files.YAMLError as exc:
        raise CatalogueError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogueError(f"{path.name}: expected a mapping at the top level")
    return data


def _str_list(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CatalogueError(f"{where}: expected a list of non-empty strings")
    return tuple(value)


def _base(raw: dict, where: str) -> dict:
    for key in ("id", "name_latn", "name_cyrl"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise CatalogueError(f"{where}: field '{key}' is missing or empty")
    return {
        "id": raw["id"],
        "name_latn": raw["name_latn"],
        "name_cyrl": raw["name_cyrl"],
        "synonyms": _str_list(raw.get("synonyms"), f"{where} synonyms"),
    }


def _entries(data: dict, key: str, fname: str) -> list[dict]:
    items = data.get(key)
    if not isinstance(items, list) or not items:
        raise CatalogueError(f"{fname}: expected a non-empty list under '{key}'")
    seen: set[str] = set()
    for n, raw in enumerate(items):
        if not isinstance(raw, dict):
            raise CatalogueError(f"{fname}: entry {n + 1} is not a mapping")
        eid = raw.get("id")
        if eid in seen:
            raise CatalogueError(f"{fname}: id '{eid}' appears twice")
        seen.add(eid)
    return items


def content_hash(data_dir: Path) -> str:
    return data_files.content_hash((name, data_dir / name) for name in CATALOGUE_FILES if (data_dir / name).exists())


def load_catalogue_from(data_dir: Path) -> Catalogue:
    """Load and validate the catalogue in `data_dir` (uncached; tests use it on fixtures)."""
    data_dir = Path(data_dir)
    sec_data = _read_yaml(data_dir / "sections.yaml")
    ind_data = _read_yaml(data_dir / "indicators.yaml")
    unit_data = _read_yaml(data_dir / "units.yaml")
    role_data = _read_yaml(data_dir / "column_roles.yaml")
    thr_path = data_dir / "match_thresholds.yaml"
    thresholds = _read_yaml(thr_path) if thr_path.exists() else {}

    sections: dict[str, Section] = {}
    for n, raw in enumerate(_entries(sec_data, "sections", "sections.yaml")):
        where = f"sections.yaml section '{raw.get('id', n + 1)}'"
        sections[raw["id"]] = Section(**_base(raw, where), order=int(raw.get("order", n + 1)))

    units: dict[str, Unit] = {}
    for n, raw in enumerate(_entries(unit_data, "units", "units.yaml")):
        where = f"units.yaml unit '{raw.get('id', n + 1)}'"
        units[raw["id"]] = Unit(**_base(raw, where), kind=str(raw.get("kind", "count")))

    indicators = _indicators(_entries(ind_data, "indicators", "indicators.yaml"), sections, units)

    roles: dict[str, ColumnRole] = {}
    for n, raw in enumerate(_entries(role_data, "roles", "column_roles.yaml")):
        where = f"column_roles.yaml role '{raw.get('id', n + 1)}'"
        roles[raw["id"]] = ColumnRole(**_base(raw, where), year_pattern=bool(raw.get("year_pattern", False)))

    _add_russian_labels(data_dir / "labels_rus.yaml", sections, units, indicators)

    versions = {str(d.get("version", "0")) for d in (sec_data, ind_data, unit_data)}
    if len(versions) != 1:
        raise CatalogueError(f"sections/indicators/units.yaml disagree on 'version': {sorted(versions)}")
    version = versions.pop()
    return Catalogue(
        version=version,
        catalogue_version=f"{version}+{content_hash(data_dir)[:12]}",
        sections=sections,
        indicators=indicators,
        units=units,
        column_roles=roles,
        thresholds=thresholds,
    )


def _indicators(ind_raw: list[dict], sections: dict[str, Section], units: dict[str, Unit]) -> dict[str, Indicator]:
    """The indicators of indicators.yaml, each unit, section and parent it names checked to exist."""
    indicators: dict[str, Indicator] = {}
    ind_ids = {r.get("id") for r in ind_raw}
    for n, raw in enumerate(ind_raw):
        where = f"indicators.yaml indicator '{raw.get('id', n + 1)}'"
        unit = raw.get("unit")
        extra_units = _str_list(raw.get("units"), f"{where} units")
        for u in (unit, *extra_units):
            if u is not None and u not in units:
                raise CatalogueError(f"{where}: unit '{u}' is not in units.yaml")
        secs = _str_list(raw.get("sections"), f"{where} sections")
        if not secs:
            raise CatalogueError(f"{where}: lists no sections it may appear in")
        for s in secs:
            if s not in sections:
                raise CatalogueError(f"{where}: section '{s}' is not in sections.yaml")
        parent = raw.get("parent")
        if parent is not None and parent not in ind_ids:
            raise CatalogueError(f"{where}: parent '{parent}' is not an indicator")
        indicators[raw["id"]] = Indicator(
            **_base(raw, where), unit=unit, units=extra_units, sections=secs, parent=parent
        )
    return indicators


def _add_russian_labels(rus_path: Path, sections: dict, units: dict, indicators: dict) -> None:
    """The Russian labels of labels_rus.yaml (when there is one) onto the entries they name."""
    if not rus_path.exists():
        return
    rus = _read_yaml(rus_path)
    for key, pool in (("sections", sections), ("units", units), ("indicators", indicators)):
        for eid, labels in (rus.get(key) or {}).items():
            if eid not in pool:
                raise CatalogueError(f"labels_rus.yaml {key}: '{eid}' is not in {key}.yaml")
            pool[eid] = replace(pool[eid], labels_rus=_str_list(labels, f"labels_rus.yaml {key} '{eid}'"))


@lru_cache(maxsize=4)
def load_catalogue(data_dir: str | None = None) -> Catalogue:
    """The packaged catalogue (cached): `load_catalogue().column_roles["unit"].labels()`."""
    return load_catalogue_from(Path(data_dir) if data_dir else DATA_DIR)


def catalogue_version() -> str:
    return load_catalogue().catalogue_version
