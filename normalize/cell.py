"""normalize_text: the one call the pipeline makes for every text cell."""

from __future__ import annotations

from dataclasses import dataclass, field

from .keys import match_key
from .script import detect_script, repair_lookalikes
from .text import clean_text, join_spaced_hyphens
from .translit import to_latin


@dataclass(frozen=True)
class NormalizedText:
    original: str  # as given
    clean: str  # as written, cleaned (this is PlanItem.text)
    latin: str  # look-alikes repaired, 1995 Latin, apostrophes folded (PlanItem text_latin)
    script: str  # "latin" | "cyrillic" | "mixed" | "none", after look-alike repair
    flags: tuple[str, ...] = field(default=())  # e.g. "mixed_script: инobatга→инобатга"

    @property
    def key(self) -> str:
        """The match key (lower case, no punctuation, abbreviations expanded)."""
        return match_key(self.latin)


def normalize_text(s: str | None, context_script: str | None = None) -> NormalizedText:
    """Clean, repair look-alikes, transliterate. `context_script` is the document's main script
    ("latin"/"cyrillic"), used only for words that neither they nor their line decide."""
    original = s or ""
    clean = clean_text(original)
    repaired, changed = repair_lookalikes(join_spaced_hyphens(clean), context_script)
    flags: tuple[str, ...] = ()
    if changed:
        before = join_spaced_hyphens(clean).split()
        after = repaired.split()
        diffs = [f"{a}→{b}" for a, b in zip(before, after, strict=False) if a != b]
        flags = ("mixed_script: " + ", ".join(diffs[:3]) + (" …" if len(diffs) > 3 else ""),)
    return NormalizedText(original, clean, to_latin(repaired), detect_script(repaired), flags)
