"""The dataset's items as they stand: the extraction with clerks' corrections applied and the
consistency findings flagged — what `reja.api.load_items` returns and every export writes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reja.corrections import apply_corrections
from reja.schema.dataset import ITEM_FIELDS, coerce


def corrected_items(items: pd.DataFrame, db: Path | str) -> pd.DataFrame:
    """Clerk corrections (issue 8) on top of the extraction: the one place they meet the dataset."""
    # lazy: reja.compare's package brings matplotlib, which reading corrections alone does not need
    from reja.compare.consistency import with_consistency_flags

    corrected, _report = apply_corrections(items, db)
    # consistency findings (a total that is not its parts' sum …) reach the dataset and the clerk's
    # queue as flags of their own kind; they are computed over the plans as they now stand
    return coerce(with_consistency_flags(corrected), ITEM_FIELDS)
