"""Every flag code a row or a plan can carry, with what it means (part of the dataset's contract).

Flags are short strings "code" or "code: detail", e.g. "stacked_values: 230 40 kept unsplit". Readers,
parser and matchers write them; reports, the review page and the message catalogue explain them from
here, so every layer can name a code without importing the layer that writes it.
"""

from __future__ import annotations

# code -> explanation shown to the data clerk
FLAG_CODES: dict[str, str] = {
    "no_item_no": "row has no item number (kept as its own item)",
    "item_no_rebuilt": "item number was rebuilt from the sequence (OCR)",
    "duplicate_item_no": "the same item number appears twice in the plan",
    "stacked_values": "several numbers in one cell that could not be assigned to sub-items",
    "unparsable_number": "a number column holds text that is not a number",
    "stitched_row": "row continued across a page break and was joined",
    "no_section": "item appears before any section heading",
    "unknown_deadline": "deadline could not be understood",
    "low_ocr_confidence": "an OCR'd cell is below the confidence threshold",
    "snapped_value": "OCR'd value was snapped to the closest catalogue value",
    "mixed_script": "text mixes Latin and Cyrillic letters; look-alikes were repaired",
    "section_review": "section match needs a person to confirm",
    "section_unmatched": "section did not match the catalogue",
    "indicator_review": "activity match needs a person to confirm",
    "indicator_unmatched": "activity did not match any catalogue indicator",
    "unit_review": "unit match needs a person to confirm",
    "unit_unmatched": "unit not in the catalogue",
    "place_review": "region/district match needs a person to confirm",
    "place_unmatched": "region/district not found in the gazetteer",
    "correction_conflict": "the plan changed under a clerk's correction (source now / before / corrected): held back until a person chooses",
    "meta_missing": "plan metadata could not be found",
    "unsure_number": "a number that could be read two ways (\"230 400\", \"1,750\"); check it",
    "column_review": "column roles were inferred (no header, or a header naming no fact/plan); check them",
    "consistency_subtotal": "a total is not the sum of its sub-items (check the total and its parts)",
    "consistency_plan_below_fact": "this year's plan is far below last year's fact (a lost digit?)",
    "consistency_outlier": "the figure is far from the other districts of the region (ten times or a tenth)",
    "lineless_table": "the page had no ruling lines; the row was rebuilt from text positions (OCR)",
    "cut_in_xlsx": "a cell longer than Excel's 32 767 characters was cut in the workbook (marked); Parquet and CSV keep all of it",
    "formula_uncached": "a spreadsheet formula had no saved value and could not be computed; the cell was left empty",
    "ocr_number": "an OCR'd number cell did not read as a number, or two readings disagreed; check the crop",
    "ocr_alphabet": "the plan is in the 2026 Latin alphabet but OCR lost its letters (ş ç ö ğ) in this row",
}

# The codes that put a row's figures (fact, plan) in doubt. A wrong value counts as flagged only when one of
# these stands on its row: `no_section` or a matching doubt says nothing about the numbers a clerk should check.
VALUE_DOUBT_CODES: frozenset[str] = frozenset({
    "stacked_values", "unparsable_number", "low_ocr_confidence", "unsure_number", "column_review",
    "consistency_subtotal", "consistency_plan_below_fact", "consistency_outlier", "lineless_table",
    "formula_uncached", "ocr_number", "stitched_row", "correction_conflict",
})


def doubts_a_value(flags) -> bool:
    """True when one of `flags` ("code" or "code: detail") puts the row's figures in doubt."""
    return any(str(flag).split(":", 1)[0].strip() in VALUE_DOUBT_CODES for flag in flags or ())
