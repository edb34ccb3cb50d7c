"""Shared fixtures for the catalogue/gazetteer/matching tests.

tools/measure_matching.py is the one code path for the labelled-set figures (the lead quotes its
output); the tests import it by file path because tools/ is not a package.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "tools"


def _load(name: str):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses need the module registered while it executes
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def measure():
    return _load("measure_matching")


@pytest.fixture(scope="session")
def labelled_results(measure):
    """The labelled set plus its seeded perturbations, matched once per session."""
    return measure.run(measure.full_set())
