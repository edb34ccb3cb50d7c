"""A plan spec drawn at random from a seed: the single source of a variety document AND its truth.

`draw_spec(seed, family)` returns a JSON-ready dict: the layout options of the family (drawn where
the family lists several), the title block, the column set, the sections and the items with every
cell's text as it will be written. Renderers only lay these strings out; `expected_from_spec` reads
the truth from the same dict — never from reja's output.

Conventions the corpus assumes (docs/conventions.md, plus two the reference plans do not show):
- a list mark that opens a sub-item ("- Kitoblar", "a) Kitoblar") is not part of its text; the
  sub-item has no item number and its parent is the numbered item above (like a "Shundan:" row);
- a plan without item numbers has no parents either (nothing names the parent).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reja.schema.data_files import read_yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
NBSP = "\u00a0"
SPEC_VERSION = 1  # bump when drawing changes: cached files are keyed by the spec's hash

# Column sets: the roles of each column, in order. `quarter` expands to four columns (I–IV).
COLUMN_SETS: dict[str, list[str]] = {
    "basic": ["number", "text", "unit", "fact", "plan", "deadline", "responsible"],
    "no_fact": ["number", "text", "unit", "plan", "deadline", "responsible"],
    "mechanism": ["number", "text", "unit", "fact", "plan", "mechanism", "deadline", "responsible"],
    "note": ["number", "text", "unit", "fact", "plan", "deadline", "responsible", "note"],
    "quarterly": ["number", "text", "unit", "plan", "q1", "q2", "q3", "q4", "responsible"],
    "deadline_first": ["number", "text", "deadline", "unit", "fact", "plan", "responsible"],
}


@lru_cache(maxsize=1)
def bank() -> dict:
    return read_yaml(DATA_DIR / "bank.yaml")


@lru_cache(maxsize=1)
def wording() -> dict:
    return read_yaml(DATA_DIR / "wording.yaml")


@lru_cache(maxsize=1)
def families() -> dict[str, dict]:
    data = read_yaml(DATA_DIR / "families.yaml")
    return data["families"]


@lru_cache(maxsize=1)
def _places() -> tuple[list[dict], dict[str, dict]]:
    from reja.schema.gazetteer import gazetteer_rows

    rows = list(gazetteer_rows())
    regions = {r["region_id"]: r for r in rows if r["kind"] == "region"}
    return [r for r in rows if r["kind"] in ("district", "city")], regions


_KEEP_LATIN = re.compile(r"(\b[IVX]+\b|Telegram|Facebook|Instagram|CD/DVD)")


# --- scripts ----------------------------------------------------------------------------------


def _latn2026(s: str) -> str:
    """1995 Latin → the 2026 letters ş ç ö ğ (o' g' sh ch), case kept."""
    for old, new in (("O'", "Ö"), ("o'", "ö"), ("G'", "Ğ"), ("g'", "ğ"), ("Sh", "Ş"), ("SH", "Ş"), ("sh", "ş"),
                     ("Ch", "Ç"), ("CH", "Ç"), ("ch", "ç")):
        s = s.replace(old, new)
    return s


def in_script(s: str, script: str) -> str:
    """A Latin bank string written in the document's script (ru strings are passed through)."""
    if not s or script == "latn":
        return s
    if script == "cyrl":
        from reja.normalize.translit import to_cyrillic

        # Roman numerals ("II-III chorak") and brand names stay Latin in Cyrillic plans
        parts = _KEEP_LATIN.split(s)
        return "".join(p if _KEEP_LATIN.fullmatch(p) else to_cyrillic(p) for p in parts)
    if script == "latn26":
        return _latn2026(s)
    return s


# --- drawing ----------------------------------------------------------------------------------


@dataclass
class Draw:
    """The seeded random source of one spec, with the few choice helpers the drawing needs."""

    rng: random.Random

    def pick(self, options):
        return options[self.rng.randrange(len(options))] if isinstance(options, list) else options

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


def _choose_layout(d: Draw, fam: dict) -> dict:
    """Each family option is a value or a list of values to draw from."""
    return {k: d.pick(v) for k, v in fam.get("layout", {}).items()}


def _fmt_number(value: float, sep: str, decimal: bool) -> str:
    if decimal:
        return f"{value:.1f}".replace(".", ",")
    n = int(value)
    s = f"{n:,}".replace(",", sep) if sep is not None else str(n)
    return s


def _place(d: Draw, layout: dict) -> dict:
    districts, regions = _places()
    kind = layout.get("place") or d.pick(["district"] * 6 + ["city", "region_named"])
    if kind == "city":
        pool = [p for p in districts if p["kind"] == "city"]
    elif kind == "region_named":
        pool = [p for p in districts if p["kind"] == "district"
                and regions[p["region_id"]]["name_latn"].split()[0] == p["name_latn"].split()[0]]
        pool += [p for p in districts if p["kind"] == "city"
                 and regions[p["region_id"]]["name_latn"].split()[0] == p["name_latn"]]
    else:
        pool = [p for p in districts if p["kind"] == "district"]
    # a pool of every fourth district (all regions), small enough that a district comes back in other years
    pool = sorted(pool, key=lambda p: p["district_id"])
    place = d.pick(pool[::4]) if kind == "district" else d.pick(pool)
    return {"place": place, "region": regions[place["region_id"]]}


def _place_names(pl: dict, lang: str, d: Draw) -> tuple[str, str]:
    """(district as written, region as written) in the title block's language."""
    place, region = pl["place"], pl["region"]
    if lang == "ru":
        if place["kind"] == "city":
            return f"г. {place['name_rus']}", region["name_rus"]
        return place["name_rus"], region["name_rus"]
    col = "name_cyrl" if lang == "cyrl" else "name_latn"
    name = place[col]
    if place["kind"] == "city":
        word = d.pick(["shahri", "shahar"]) if lang != "cyrl" else d.pick(["шаҳри", "шаҳар"])
        name = f"{name} {word}"
    return name, region[col]


def _lang_of(layout: dict) -> tuple[str, str]:
    """(header/title language, text script). Header 'mixed' = Uzbek title and text, Russian headers."""
    script = layout.get("script", "latn")
    header = layout.get("header_lang", "same")
    if header == "same":
        header = {"latn26": "latn"}.get(script, script)
    return header, script


def _words(key: str, lang: str, d: Draw, script: str, **fmt) -> str:
    table = wording()[key]
    lang_key = "ru" if lang == "ru" else ("cyrl" if lang == "cyrl" and "cyrl" in table else "latn")
    s = d.pick(table[lang_key]).format(**fmt)
    if lang_key == "latn" and lang != "ru":
        s = in_script(s, "cyrl" if lang == "cyrl" else script)
    return s


def _typo(d: Draw, text: str) -> str:
    """Now and then a clerk's typo: one letter dropped or doubled inside a long word."""
    words = text.split(" ")
    long_ones = [i for i, w in enumerate(words) if len(w) >= 7 and w.isalpha()]
    if not long_ones:
        return text
    i = d.pick(long_ones)
    w = words[i]
    k = d.rng.randrange(2, len(w) - 2)
    kind = d.rng.random()
    if kind < 0.2 and w[k] in LOOKALIKES:  # a Cyrillic look-alike typed in a Latin word
        words[i] = w[:k] + LOOKALIKES[w[k]] + w[k + 1:]
    elif kind < 0.6:
        words[i] = w[:k] + w[k + 1:]
    else:
        words[i] = w[:k] + w[k] + w[k:]
    return " ".join(words)


LOOKALIKES = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у"}


def _activities_by_section() -> dict[str, list[dict]]:
    by: dict[str, list[dict]] = {}
    part_ids = {p for a in bank()["activities"] for p in a.get("parts", [])}
    for a in bank()["activities"]:
        if a["indicator"] in part_ids:
            continue  # breakdowns only appear under their total
        by.setdefault(a["section"], []).append(a)
    return by


def _section_draw_order() -> list[str]:
    """The sections a spec draws from, in the bank's fixed `section_draw_order` (not sorted by id: a
    relabelled section keeps its place, so no seed's draws move)."""
    by_section = _activities_by_section()
    order = [s for s in bank()["section_draw_order"] if s in by_section]
    missing = sorted(set(by_section) - set(order))
    if missing:
        raise ValueError(f"bank.yaml: sections {missing} are not in section_draw_order")
    return order


def _activity(indicator: str) -> dict:
    return next(a for a in bank()["activities"] if a["indicator"] == indicator)


def draw_spec(seed: int, family: str, *, district_id: str | None = None, year: int | None = None) -> dict:
    """The spec of document `seed` of `family` (deterministic: same seed and family, same spec).
    `district_id` and `year` fix the plan's place and year (a region batch, `reja.variety.region`);
    the draws are made all the same, so every other choice stays what the seed gives."""
    fam = families()[family]
    d = Draw(random.Random(f"{SPEC_VERSION}:{family}:{seed}"))
    layout = _choose_layout(d, fam)
    lang, script = _lang_of(layout)
    text_lang = "ru" if layout.get("text_lang") == "ru" else ("cyrl" if script == "cyrl" else "latn")
    drawn_year = d.rng.randint(2021, 2026)
    year = drawn_year if year is None else year
    prev = year - 1

    pl = _place(d, layout)
    if district_id is not None:
        districts, regions = _places()
        place = next(p for p in districts if p["district_id"] == district_id)
        pl = {"place": place, "region": regions[place["region_id"]]}
    district, region = _place_names(pl, lang, d)
    org = _words("org", lang, d, script, place=district)
    meta = {
        "region": region,
        "district": district,
        "region_id": pl["region"]["region_id"],
        "district_id": pl["place"]["district_id"],
        "year": year,
        "organisation": org,
        "agreed_word": _words("agreed", lang, d, script),
        "agreed_role": _words("agreed_role", lang, d, script, region=region),
        "agreed_by": in_script(d.pick(bank()["people"]["latn"]), script if lang != "ru" else "latn"),
        "agreed_date": _words("dates", lang, d, script, year=year, prev=prev),
        "approved_word": _words("approved", lang, d, script),
        "approved_role": _words("approved_role", lang, d, script, org=org),
        "approved_by": in_script(d.pick(bank()["people"]["latn"]), script if lang != "ru" else "latn"),
        "approved_date": _words("dates", lang, d, script, year=year, prev=prev),
        "title": _words("title", lang, d, script, year=year),
    }
    if region not in " ".join(str(v) for v in meta.values()):
        meta["region"] = None  # the title block never names the region (the gazetteer still knows it)
    if meta["agreed_by"] == meta["approved_by"]:
        meta["agreed_by"] = None  # one official cannot both agree and approve: leave it blank

    roles = list(COLUMN_SETS[layout.get("columns", "basic")])
    if layout.get("numbering") == "none" or layout.get("number_in_text"):
        roles.remove("number")
    hdr_lang = "ru" if lang == "ru" or layout.get("header_lang") == "mixed" else lang
    hdr_table = wording()["headers"]["ru" if hdr_lang == "ru" else ("cyrl" if hdr_lang == "cyrl" else "latn")]
    columns = []
    for role in roles:
        if role in ("q1", "q2", "q3", "q4"):
            label = d.pick(hdr_table["quarter"]).format(q=ROMAN[int(role[1]) - 1])
        else:
            label = d.pick(hdr_table[role]).format(year=year, prev=prev)
        if hdr_lang == "latn" and script == "latn26":
            label = _latn2026(label)
        if " " in label and d.chance(0.3):  # clerks break long header cells by hand
            label = label.replace(" ", "\n", 1)
        columns.append({"role": role, "label": label})
    has_fact = "fact" in roles
    value_group = None
    if layout.get("header") == "two_row":
        quarterly = "q1" in roles
        group_roles = ["q1", "q2", "q3", "q4"] if quarterly else [r for r in roles if r in ("fact", "plan")]
        if len(group_roles) >= 2:
            key = "quarter_group" if quarterly else "value_group"
            value_group = {"label": _words(key, hdr_lang, d, script), "roles": group_roles}

    sep = d.pick(["", " ", NBSP, " "]) if layout.get("thousands") is None else layout["thousands"]
    dash = d.pick(["-", "–", "—", ""])
    section_numbers = layout.get("section_numbers") or d.pick(["roman", "roman", "arabic"])
    item_numbering = layout.get("item_numbers") or d.pick(["continuous", "per_section"])
    numbering = layout.get("numbering", "typed")
    parts_styles = layout.get("parts", ["numbered", "label_row", "label_in_number", "dash", "letter", "stacked"])
    if isinstance(parts_styles, str):
        parts_styles = [parts_styles]
    if numbering != "typed":  # only typed numbers can be "9.1"; without numbers nothing names a parent
        parts_styles = [p for p in parts_styles if p not in ("numbered", "letter", "label_in_number")] or ["label_row"]
    if layout.get("number_in_text"):  # no number column to hold a label
        parts_styles = [p for p in parts_styles if p != "label_in_number"] or ["label_row"]

    by_section = _activities_by_section()
    n_sections = d.rng.randint(*fam.get("sections", [3, 5]))
    sec_ids = d.rng.sample(_section_draw_order(), k=min(n_sections, len(by_section)))
    max_items = fam.get("items", [3, 6])
    sections, items = [], []
    counter = 0
    for s_pos, sec_id in enumerate(sec_ids):
        sec_no = ROMAN[s_pos] if section_numbers == "roman" else str(s_pos + 1)
        titles = bank()["sections"][sec_id]
        title = d.pick(titles["ru"]) if text_lang == "ru" and "ru" in titles else in_script(d.pick(titles["latn"]), script)
        sections.append({"section_no": sec_no, "title": title, "section_id": sec_id})
        pool = by_section[sec_id]
        chosen = d.rng.sample(pool, k=min(len(pool), d.rng.randint(*max_items)))
        if item_numbering in ("per_section", "section_prefixed"):
            counter = 0
        # section_prefixed: the section's items numbered "2.1, 2.2 …" with the section's place (also under
        # a roman "II."), all of them or some ("1, 2, 2.3, 4"; docs/conventions.md)
        prefix_all = item_numbering == "section_prefixed" and d.chance(0.5)
        for act in chosen:
            counter += 1
            if item_numbering == "section_prefixed" and numbering != "none":
                no = f"{s_pos + 1}.{counter}" if prefix_all or d.chance(0.5) else str(counter)
            else:
                no = None if numbering == "none" else (
                    f"{sec_no}.{counter}" if section_numbers == "arabic" and item_numbering == "per_section"
                    and d.chance(0.3) else str(counter))
            parts = act.get("parts") or []
            style = d.pick(parts_styles) if parts and d.chance(fam.get("parts_chance", 0.6)) else None
            if style == "numbered" and item_numbering == "section_prefixed" and no == str(s_pos + 1):
                # "2" with parts "2.1, 2.2" among prefixed items: "2.1, 2.2, 2.3" at the section's end would
                # read as three parts as well as two parts and an item; the spec stays unambiguous
                style = "label_row"
            row = _item(d, act, sec_no, title, no, None, text_lang, script, lang, year, prev, has_fact, sep, dash)
            row["render"] = {"number": _shown_no(no, d)}
            items.append(row)
            if style:
                k = d.rng.randint(2, min(3, len(parts)))
                subs = [_item(d, _activity(p), sec_no, title, None, no, text_lang, script, lang, year, prev,
                              has_fact, sep, dash, inherit=row) for p in d.rng.sample(parts, k=k)]
                _total(row, subs, sep, dash)
                row["render"]["parts"] = style
                if style == "numbered":
                    for i, s in enumerate(subs, 1):
                        s["item_no"] = f"{no}.{i}"
                        s["render"] = {"number": f"{no}.{i}."}
                elif style in ("label_row", "label_in_number"):
                    label = _words("part_labels", lang if text_lang != "ru" else "ru", d, script)
                    row["render"]["label"] = label
                elif style == "dash":
                    row["render"]["text"] = row["text"] + ", " + _words("part_labels", text_lang, d, script).rstrip(",:").lower() + ":"
                    row["text"] = row["render"]["text"]
                    for s in subs:
                        s["render"] = {"text": "- " + s["text"]}
                elif style == "letter":
                    letters = "abvgd" if text_lang != "ru" else "абвгд"
                    for i, s in enumerate(subs):
                        s["render"] = {"number": f"{letters[i]})"}
                elif style == "stacked":
                    _stack(row, subs)
                if layout.get("vmerge") and style != "stacked":
                    # the total's deadline and responsible cells merged down over its parts: theirs too
                    row["render"]["vmerge"] = True
                    for s in subs:
                        s["deadline"], s["responsible"] = row["deadline"], row["responsible"]
                for s in subs:
                    s.setdefault("render", {})["sub"] = True
                items.extend(subs)
    spec = {
        "seed": seed,
        "family": family,
        "renderer": fam["renderer"],
        "layout": layout,
        "lang": lang,
        "script": script,
        "numbering": numbering,
        "meta": meta,
        "columns": columns,
        "value_group": value_group,
        "sections": sections,
        "items": items,
    }
    spec["hash"] = spec_hash(spec)
    return spec


def _shown_no(no: str | None, d: Draw) -> str:
    if no is None:
        return ""
    return no if d.chance(0.25) else f"{no}."


def _item(d: Draw, act: dict, sec_no: str, sec_title: str, no: str | None, parent: str | None,
          text_lang: str, script: str, lang: str, year: int, prev: int, has_fact: bool, sep: str, dash: str,
          inherit: dict | None = None) -> dict:
    if text_lang == "ru" and act.get("ru"):
        text = d.pick(act["ru"])
    else:
        text = d.pick(act["latn"])
        if d.chance(0.12):
            text = _typo(d, text)
        text = in_script(text, script)
    unit_forms = bank()["units"].get(act["unit"]) if act.get("unit") else None
    unit = None
    if unit_forms:
        unit = d.pick(unit_forms["ru"]) if lang == "ru" else in_script(d.pick(unit_forms["latn"]), script)
    lo, hi = act["values"]
    plan = d.rng.randint(lo, hi)
    fact = int(plan * d.rng.uniform(0.8, 1.0)) if has_fact else None
    if unit and plan >= 10000 and inherit is None and not act.get("parts") and d.chance(0.15):
        # counted in thousands with a decimal comma: "45,3" ming nusxa
        plan = round(plan / 1000, 1)
        fact = round(fact / 1000, 1) if fact is not None else None
        unit = ("тыс. " if lang == "ru" else in_script("ming ", script)) + unit
    item = {
        "section_no": sec_no,
        "section_title": sec_title,
        "item_no": no,
        "parent_item_no": parent,
        "text": text,
        "indicator": act["indicator"] if act["indicator"] != "none" else None,
        "unit": unit,
        "fact_year": prev if has_fact else None,
        "fact_value": fact,
        "plan_year": year,
        "plan_value": plan,
    }
    if inherit is None:
        wl = "ru" if lang == "ru" else "latn"
        b = bank()
        item["deadline"] = in_script(d.pick(b["deadlines"][wl]).format(year=year), script if wl == "latn" else "latn")
        item["responsible"] = in_script(d.pick(b["responsible"][wl]), script if wl == "latn" else "latn")
        item["mechanism"] = in_script(d.pick(b["mechanisms"][wl]), script if wl == "latn" else "latn")
        item["note"] = in_script(d.pick(b["notes"][wl]), script if wl == "latn" else "latn") or None
        if d.chance(0.08):  # a value the plan leaves open
            item["fact_value"] = None
        if d.chance(0.05):
            item["plan_value"] = None
    else:
        for k in ("deadline", "responsible", "mechanism", "note"):
            item[k] = None  # a sub-item row leaves these cells empty (merged or blank)
    _raw(item, sep, dash)
    return item


def _raw(item: dict, sep: str, dash: str) -> None:
    for k in ("fact", "plan"):
        v = item[f"{k}_value"]
        item[f"{k}_raw"] = dash if v is None else _fmt_number(v, sep, isinstance(v, float) and v != int(v))
    if item["fact_year"] is None:
        item["fact_raw"] = None
    plan = item["plan_value"]
    if plan is not None and plan != int(plan):
        item["quarters"] = [dash, dash, dash, item["plan_raw"]]
    elif plan is not None:  # quarterly columns: the plan spread over four quarters
        plan = int(plan)
        q = [plan // 4] * 4
        q[3] += plan - sum(q)
        item["quarters"] = [_fmt_number(x, sep, False) for x in q]
    else:
        item["quarters"] = [dash] * 4


def _total(row: dict, subs: list[dict], sep: str, dash: str) -> None:
    """The total's values are the sum of its parts (a spreadsheet writes them as formulas)."""
    for k in ("fact", "plan"):
        vals = [s[f"{k}_value"] for s in subs]
        if row[f"{k}_year"] is None:
            continue
        if any(v is None for v in vals):
            for s in subs:
                s[f"{k}_value"] = s[f"{k}_value"] or 1
            vals = [s[f"{k}_value"] for s in subs]
        row[f"{k}_value"] = sum(vals)
    for s in subs:
        _raw(s, sep, dash)
    _raw(row, sep, dash)


def _stack(row: dict, subs: list[dict]) -> None:
    """One row names its parts after a colon; each value cell holds the total and the parts stacked."""
    row["render"]["text"] = row["text"] + ": " + "; ".join(s["text"] for s in subs)
    for k in ("fact", "plan"):
        if row[f"{k}_raw"] is None:
            continue
        row["render"][f"{k}_lines"] = [row[f"{k}_raw"]] + [s[f"{k}_raw"] for s in subs]
    for s in subs:
        s["render"] = {"skip": True}
        for key in ("unit", "deadline", "responsible", "mechanism"):
            s[key] = row[key]  # named parts of one cell share the row's other cells: the document shows no other


def spec_hash(spec: dict) -> str:
    body = {k: v for k, v in spec.items() if k != "hash"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


EXPECTED_FIELDS = ("section_no", "section_title", "item_no", "parent_item_no", "text", "unit", "fact_year",
                   "fact_value", "plan_year", "plan_value", "mechanism", "deadline", "responsible", "indicator")


def expected_from_spec(spec: dict) -> dict:
    """What reja should read from the document: items and metadata, from the spec alone."""
    roles = {c["role"] for c in spec["columns"]}
    items = []
    for it in spec["items"]:
        e = {k: it.get(k) for k in EXPECTED_FIELDS}
        if "unit" not in roles:
            e["unit"] = None
        if "fact" not in roles:
            e["fact_value"], e["fact_year"] = None, None
        if "plan" not in roles:
            e["plan_value"], e["plan_year"] = None, None
        if "mechanism" not in roles:
            e["mechanism"] = None
        if "deadline" not in roles:
            e["deadline"] = None
        if "responsible" not in roles:
            e["responsible"] = None
        items.append(e)
    m = spec["meta"]
    return {
        "meta": {k: m.get(k) for k in ("region", "district", "year", "approved_by", "agreed_by", "region_id",
                                       "district_id", "organisation", "title")},
        "items": items,
    }
