"""The generated package gives users precise types: a typed user module passes mypy --strict."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import GENERATED, REPO

USER_MODULE = REPO / "tests/typing/user_module.py"


def _mypy(path: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--config-file",
        str(REPO / "pyproject.toml"),
        str(path),
    ]
    env = dict(os.environ, MYPYPATH=str(GENERATED))
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)


def test_a_typed_user_module_passes_mypy_strict() -> None:
    result = _mypy(USER_MODULE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_wrong_type_is_caught(tmp_path: Path) -> None:
    """The check above can fail: mypy rejects a model attribute used with the wrong type."""
    wrong = tmp_path / "wrong_module.py"
    wrong.write_text(
        USER_MODULE.read_text().replace("MutableMapping[str, str])", "MutableMapping[str, int])")
    )
    result = _mypy(wrong)
    assert result.returncode == 1
    assert "Expression is of type" in result.stdout, result.stdout
