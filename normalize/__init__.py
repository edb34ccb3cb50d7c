"""Script, transliteration, text and number normalisation, fuzzy matching.

Public API (import from the modules):
  text:        clean_text, join_spaced_hyphens
  apostrophes: fold_apostrophes
  translit:    to_latin, to_cyrillic, fold_new_latin
  script:      detect_script, dominant_script, repair_lookalikes
  keys:        match_key, expand_abbreviations
  numbers:     parse_number -> NumberParse
  deadlines:   parse_deadline -> Deadline
  cell:        normalize_text -> NormalizedText (what the pipeline calls per text cell)
  speed:       normalizer_speed (characters per second, for make bench)
  match:       fuzzy matching (separate owner)
"""
