"""Placeholder until reja.i18n lands: the report's words pass through `_`."""


def _(text: str) -> str:
    return text


def current_language() -> str:
    return "en"
