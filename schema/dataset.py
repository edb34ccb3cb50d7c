"""The contract of the dataset: the items table (one row per plan activity) and the documents table
(one row per input file), as field lists and as pandera schemas.

The field lists are the single source of truth: the SQLite store builds its tables from them, the
Python API coerces DataFrames to their dtypes, the exports describe them in `datapackage.json`, and
the pandera schemas check every frame before it is exported. Columns the issue names come first,
in its order; the extras after them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

ITEM_STATUSES = ("ok", "flagged", "corrected")
DOCUMENT_STATUSES = ("ok", "partial", "failed")
YEAR_MIN, YEAR_MAX = 1900, 2100  # a year outside is a misread; records.py nulls and flags it


@dataclass(frozen=True)
class FieldDef:
    name: str
    kind: str  # "string" | "integer" | "number"  (Frictionless type names)
    description: str
    required: bool = False  # never null
    # "" is a real value (flags of a clean row): CSV cannot tell it from null, so the data package
    # does not mark it required (frictionless reads an empty cell as missing)
    empty_ok: bool = False

    @property
    def dtype(self):
        return {"string": pd.StringDtype(), "integer": pd.Int64Dtype(), "number": "float64"}[self.kind]

    @property
    def sql_type(self) -> str:
        return {"string": "TEXT", "integer": "INTEGER", "number": "REAL"}[self.kind]


def _f(name: str, kind: str, description: str, required: bool = False, *, empty_ok: bool = False) -> FieldDef:
    return FieldDef(name, kind, description, required, empty_ok)


STR, INT, NUM = "string", "integer", "number"

ITEM_FIELDS: tuple[FieldDef, ...] = (
    _f("document_id", STR, "Id of the imported file version this row comes from (documents table)", True),
    _f("source_file", STR, "The input file as given to `reja import` (zip members as archive.zip!member)", True),
    _f("source_format", STR, "docx / doc / pdf / scan … as detected by the reader"),
    _f("page", INT, "1-based page of the row (null for formats without pages, e.g. DOCX)"),
    _f("region", STR, "Region (viloyat) as written in the plan's title block"),
    _f("district", STR, "District (tuman) as written in the plan's title block"),
    _f("year", INT, "The plan year"),
    _f("section_no", STR, "Section (bo'lim) number as written: I, II, 5"),
    _f("section_title", STR, "Section heading as written"),
    _f("section_id", STR, "Catalogue id of the section, null when unmatched"),
    _f("section_score", NUM, "Match score of section_id (matcher's scale, 0–100)"),
    _f("item_no", STR, "Item number as written, trailing dot removed: 9, 9.1"),
    _f("parent_item_no", STR, "Item number of the parent for sub-items (Shundan / Бундан)"),
    _f("text", STR, "The activity as written (whitespace normalised)", True),
    _f("text_latin", STR, "The activity normalised to Uzbek Latin"),
    _f("indicator_id", STR, "Catalogue id of the activity / indicator, null when unmatched"),
    _f("indicator_score", NUM, "Match score of indicator_id (0–100)"),
    _f("unit", STR, "Unit of measure (o'lchov birligi) as written"),
    _f("unit_id", STR, "Catalogue id of the unit"),
    _f("fact_year", INT, "Year of the fact (fakt) column"),
    _f("fact_value", NUM, "Fact value, null when empty, '-' or unparsable"),
    _f("plan_year", INT, "Year of the plan (reja) column"),
    _f("plan_value", NUM, "Planned value, null when empty, '-' or unparsable"),
    _f("deadline", STR, "Deadline (bajarilish muddati) as written"),
    _f("deadline_period", STR, "Deadline normalised to a period label (e.g. Q1, 2025-03, 2025-03/2025-04, year, monthly)"),
    _f("mechanism", STR, "Implementation mechanism (amalga oshirish mexanizmi) as written"),
    _f("responsible", STR, "Responsible (mas'ullar) as written"),
    _f("flags", STR, "Reasons this row needs review, joined by '; ' (code or 'code: detail'); empty when clean", True,
       empty_ok=True),
    _f("status", STR, "ok (clean) / flagged (needs review) / corrected (a clerk fixed it)", True),
    # extras
    _f("row_key", STR, "Stable key of the row across re-imports and corrected re-scans (see reja.records)", True),
    _f("item_index", INT, "0-based position of the row in its document", True),
    _f("subsection_title", STR, "Sub-section heading (1.1. …) the row sits under"),
    _f("table_index", INT, "0-based index of the source table in the document"),
    _f("row_index", INT, "0-based first row of the item within its source table"),
    _f("bbox", STR, "Box of the row on its page as JSON [x0, top, x1, bottom] (PDF points / image pixels)"),
    _f("fact_raw", STR, "The fact cell as written"),
    _f("plan_raw", STR, "The plan cell as written"),
    _f("region_id", STR, "Gazetteer id of the region"),
    _f("district_id", STR, "Gazetteer id of the district"),
    _f("region_latin", STR, "The gazetteer's Latin name of the region (one name whatever script the plan used)"),
    _f("region_cyrillic", STR, "The gazetteer's Cyrillic name of the region"),
    _f("district_latin", STR, "The gazetteer's Latin name of the district or city"),
    _f("district_cyrillic", STR, "The gazetteer's Cyrillic name of the district or city"),
    _f("ocr_confidence", NUM, "Lowest OCR confidence of the row's cells (0–100), null when typed"),
    _f("match_candidates", STR, "Top catalogue candidates per match as JSON {section, indicator, unit}"),
    _f("parent_indicator_id", STR, "indicator_id of the parent item, for sub-items (which total a breakdown belongs to)"),
    _f("corrected_fields", STR, "Fields a clerk corrected (comma-separated; 'accepted' = match confirmed)"),
)

DOCUMENT_FIELDS: tuple[FieldDef, ...] = (
    _f("document_id", STR, "Id of this file version: hash of its source key and its bytes", True),
    _f("source_file", STR, "The input file as given to `reja import`", True),
    _f("source_key", STR, "Resolved path identifying the input (zip members: archive!member)", True),
    _f("source_format", STR, "Detected format (docx / doc / pdf / scan) or the file suffix when unread"),
    _f("sha256", STR, "SHA-256 of the file's bytes", True),
    _f("size_bytes", INT, "File size"),
    _f("file_mtime", STR, "File modification time (UTC, ISO 8601); decides which plan supersedes which"),
    _f("import_key", STR, "sha256 + pipeline version + catalogue version: unchanged key → file skipped", True),
    _f("pipeline_version", STR, "reja version + hash of the extraction code"),
    _f("catalogue_version", STR, "Version of the catalogue the matches were made against"),
    _f("region", STR, "Region as written"),
    _f("district", STR, "District as written"),
    _f("year", INT, "Plan year"),
    _f("region_id", STR, "Gazetteer id of the region"),
    _f("district_id", STR, "Gazetteer id of the district"),
    _f("organisation", STR, "Organisation (AKM) as written"),
    _f("title", STR, "Plan title"),
    _f("approved_by", STR, "TASDIQLAYMAN: approver as written"),
    _f("approved_date", STR, "Approval date as written"),
    _f("agreed_by", STR, "KELISHILDI: agreeing official as written"),
    _f("agreed_date", STR, "Agreement date as written"),
    _f("page_count", INT, "Pages (null for DOCX)"),
    _f("n_items", INT, "Rows in the items table", True),
    _f("n_flagged", INT, "Rows that need review", True),
    _f("status", STR, "ok / partial (imported, some rows or metadata need review) / failed", True),
    _f("error_code", STR, "Why the file failed: empty_file, corrupt_file, encrypted_file, too_large, …"),
    _f("error", STR, "The failure's cause in words"),
    _f("meta_flags", STR, "Plan-level flags (e.g. meta_missing), joined by '; '"),
    _f("warnings", STR, "Parser warnings, joined by '; '"),
    _f("plan_key", STR, "<gazetteer district/city id>|year; documents sharing it are versions of one plan; empty when the place or year is not identified (the plan stands alone)"),
    _f("superseded_by", STR, "document_id of the newer plan for the same district and year, null when current"),
    _f("imported_at", STR, "When this version was imported (UTC, ISO 8601)", True),
    _f("run_id", STR, "Import run that wrote it (run log: runs/<run_id>.jsonl)", True),
    _f("duration_s", NUM, "Seconds spent reading and parsing"),
)

ITEM_COLUMNS = tuple(f.name for f in ITEM_FIELDS)
DOCUMENT_COLUMNS = tuple(f.name for f in DOCUMENT_FIELDS)


def _column(f: FieldDef) -> pa.Column:
    checks = []
    if f.name == "status":
        checks.append(pa.Check.isin(ITEM_STATUSES))
    elif f.name.endswith("_score") or f.name == "ocr_confidence":
        checks.append(pa.Check.in_range(0, 100))
    elif f.name in ("year", "fact_year", "plan_year"):
        checks.append(pa.Check.in_range(YEAR_MIN, YEAR_MAX))
    return pa.Column(f.dtype, nullable=not f.required, checks=checks, description=f.description)


def _flags_agree_with_status(df: pd.DataFrame) -> pd.Series:
    """A clean row has no flags, a flagged row has at least one: doubt is never silent."""
    has_flags = df["flags"].fillna("") != ""
    return ((df["status"] == "ok") & ~has_flags) | ((df["status"] == "flagged") & has_flags) | (
        df["status"] == "corrected"
    )


items_schema = pa.DataFrameSchema(
    {f.name: _column(f) for f in ITEM_FIELDS},
    checks=[pa.Check(_flags_agree_with_status, error="status must be 'flagged' exactly when flags is non-empty")],
    unique=["document_id", "item_index"],
    strict=True,
    ordered=True,
    name="items",
)


def _document_column(f: FieldDef) -> pa.Column:
    checks = [pa.Check.isin(DOCUMENT_STATUSES)] if f.name == "status" else []
    if f.name == "year":
        checks.append(pa.Check.in_range(YEAR_MIN, YEAR_MAX))
    return pa.Column(f.dtype, nullable=not f.required, checks=checks, description=f.description)


documents_schema = pa.DataFrameSchema(
    {f.name: _document_column(f) for f in DOCUMENT_FIELDS},
    unique=["document_id"],
    strict=True,
    ordered=True,
    name="documents",
)


def coerce(df: pd.DataFrame, fields: tuple[FieldDef, ...]) -> pd.DataFrame:
    """Put a frame (e.g. straight from SQLite) into the contract's column order and dtypes."""
    out = pd.DataFrame(index=df.index)
    for f in fields:
        col = df[f.name] if f.name in df.columns else pd.Series([None] * len(df), index=df.index)
        if col.dtype == f.dtype:  # already the contract's type (a frame coerced before): as it is
            out[f.name] = col
        elif f.kind == "number":
            out[f.name] = pd.to_numeric(col, errors="coerce").astype("float64")
        elif f.kind == "integer":
            out[f.name] = pd.to_numeric(col, errors="coerce").astype(pd.Int64Dtype())
        else:
            out[f.name] = col.astype(object).where(col.notna(), None).astype(pd.StringDtype())
    return out.reset_index(drop=True)


def frame_from_rows(rows: list, fields: tuple[FieldDef, ...]) -> pd.DataFrame:
    """A database cursor's rows (one value per field, in the order of `fields`) as a frame in the
    contract's dtypes: what `coerce(pd.DataFrame(rows, columns=names), fields)` gives, built column by
    column (text straight into Arrow) instead of letting pandas infer each column first. A column
    whose values are not of its kind goes through `coerce` as before."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(fields)
    return pd.DataFrame({f.name: _typed_column(values, f) for values, f in zip(columns, fields, strict=True)})


def _typed_column(values: tuple, f: FieldDef):
    import numpy as np
    import pyarrow as arrow

    try:
        if f.kind == "string":
            return pd.array(arrow.array(values, type=arrow.string()), dtype=f.dtype)  # str and None only
        if f.kind == "integer":
            return pd.array(values, dtype=f.dtype)
        return np.array(values, dtype="float64")
    except (TypeError, ValueError, arrow.ArrowException):
        return coerce(pd.DataFrame({f.name: pd.Series(values, dtype=object)}), (f,))[f.name].array


def empty_frame(fields: tuple[FieldDef, ...]) -> pd.DataFrame:
    return coerce(pd.DataFrame(columns=[f.name for f in fields]), fields)
