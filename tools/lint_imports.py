"""Run import-linter's contracts (pyproject.toml, [tool.importlinter]) over reja as installed.

The user's layout keeps extract/, normalize/ and schema/ at the top level and maps them into the
one import name `reja` (pyproject's package-dir). import-linter finds modules by walking the root
package's folder, so it is shown the installed shape: a temporary tree of links, one folder per
package, built from the same package-dir mapping. Exit code and output are lint-imports' own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def stage(tree: Path, repo: Path = REPO) -> Path:
    """Link every package's .py files into tree/<package as folders>; returns tree."""
    setup = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    for package in setup["packages"]:
        source = repo / setup["package-dir"].get(package, package.replace(".", "/"))
        target = tree.joinpath(*package.split("."))
        target.mkdir(parents=True, exist_ok=True)
        for module in source.glob("*.py"):
            (target / module.name).symlink_to(module)
    return tree


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="reja-imports-") as tmp:
        env = {**os.environ, "PYTHONPATH": str(stage(Path(tmp)))}
        lint = Path(sys.executable).with_name("lint-imports")
        cmd = [str(lint), str(REPO / "pyproject.toml"), "--no-cache", *argv]
        return subprocess.run(cmd, env=env, cwd=tmp).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
