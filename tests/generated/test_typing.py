"""The generated package gives users precise types: a typed user module passes mypy --strict."""

from __future__ import annotations

import os
import subprocess
import sys

from helpers import GENERATED, REPO


def test_a_typed_user_module_passes_mypy_strict() -> None:
    env = dict(os.environ, MYPYPATH=str(GENERATED))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(REPO / "pyproject.toml"),
            str(REPO / "tests/typing/user_module.py"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_wrong_type_is_caught(tmp_path: object) -> None:
    """The check above can fail: mypy rejects a model attribute used with the wrong type."""
    bad = REPO / "tests/typing/user_module.py"
    source = bad.read_text().replace("MutableMapping[str, str])", "MutableMapping[str, int])")
    path = os.path.join(str(tmp_path), "wrong_module.py")
    with open(path, "w") as f:
        f.write(source)
    env = dict(os.environ, MYPYPATH=str(GENERATED))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(REPO / "pyproject.toml"),
            path,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert result.returncode == 1
    assert "assert_type" in result.stdout or "Expression is of type" in result.stdout
