"""Loading the package data files in normalize/data (YAML), cached."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def load_yaml(name: str) -> Any:
    """Parse normalize/data/<name>; a missing or broken file is a packaging error, raised as is."""
    text = resources.files("reja.normalize").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)
