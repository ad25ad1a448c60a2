"""The pre-commit hook this repository defines fails on a stale generated package, with the diff.

What `pre-commit try-repo` does, with hook arguments: the project's files (committed or not)
become a snapshot repository, and a user's repository uses the hook from it by revision.
pre-commit installs kubeforge into its own environment, as it would for a user.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import REPO, thing_spec

from kubeforge.cli import main


def _git(where: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args],
        cwd=where,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _snapshot(target: Path) -> str:
    """The project as it is now, committed into a new repository; returns the commit."""
    listed = _git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for rel in filter(None, listed.split("\0")):
        source = REPO / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            (target / rel).write_bytes(source.read_bytes())
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "snapshot")
    return _git(target, "rev-parse", "HEAD").strip()


def test_the_hook_fails_on_a_stale_package_and_shows_the_diff(tmp_path: Path) -> None:
    hooks, user = tmp_path / "kubeforge", tmp_path / "user"
    hooks.mkdir()
    user.mkdir()
    rev = _snapshot(hooks)
    (user / "spec.json").write_text(json.dumps(thing_spec()))
    args = ["generate", "--quiet", "--spec", str(user / "spec.json"), "--out", str(user / "gen")]
    assert main(args) == 0
    config = {
        "repos": [
            {
                "repo": str(hooks),
                "rev": rev,
                "hooks": [
                    {"id": "kubeforge-check", "args": ["--spec", "spec.json", "--out", "gen"]}
                ],
            }
        ]
    }
    (user / ".pre-commit-config.yaml").write_text(json.dumps(config))
    _git(user, "init", "-q")
    _git(user, "add", "-A")
    _git(user, "commit", "-q", "-m", "generated")
    command = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    fresh = subprocess.run(command, cwd=user, capture_output=True, text=True, env=env)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert "kubeforge generate --check" in fresh.stdout and "Passed" in fresh.stdout

    module = user / "gen" / "kubeapi" / "example_v1.py"
    module.write_text(module.read_text().replace("class Thing(", "class Old("))
    stale = subprocess.run(command, cwd=user, capture_output=True, text=True, env=env)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "Failed" in stale.stdout
    assert "differs: gen/kubeapi/example_v1.py" in stale.stdout
    assert "-class Old(_m.Model):\n+class Thing(_m.Model):" in stale.stdout
    assert "class Old(" in module.read_text(), "the hook writes nothing"
