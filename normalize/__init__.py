"""Script, transliteration, text and number normalisation, fuzzy matching."""
