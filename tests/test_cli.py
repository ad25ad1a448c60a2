"""Every I/O failure of the CLI is one clear line and exit code 1, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def _kubeforge(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real command, as a user runs it: stderr and the exit code are what they see."""
    return subprocess.run(
        [sys.executable, "-m", "kubeforge", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "KUBEFORGE_CACHE_DIR": os.environ["KUBEFORGE_CACHE_DIR"]},
    )


def _one_error(result: subprocess.CompletedProcess[str], *parts: str) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    if "generate" in result.args:  # generate closes with its summary
        assert lines[-1] == "kubeforge: 1 error; nothing written", result.stderr
        lines = lines[:-1]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kubeforge: error: "), lines[0]
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


def test_out_is_a_file(tmp_path: Path, spec_file: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("keep me\n")
    result = _kubeforge("generate", "--quiet", "--spec", str(spec_file), "--out", str(afile))
    _one_error(result, str(afile), "is not a directory")
    assert afile.read_text() == "keep me\n"


def test_out_under_a_file(tmp_path: Path, spec_file: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("keep me\n")
    out = afile / "sub"
    result = _kubeforge("generate", "--quiet", "--spec", str(spec_file), "--out", str(out))
    _one_error(result, str(out), f"{afile} is not a directory")


@pytest.mark.parametrize("out", ["/proc/kubeforge-out", "/sys/kubeforge-out"])
def test_out_where_nothing_can_be_written(spec_file: Path, out: str) -> None:
    result = _kubeforge("generate", "--quiet", "--spec", str(spec_file), "--out", out)
    line = _one_error(result, out, "cannot write the package here: ")
    assert line.rstrip().split(": ")[-1] in (
        "Permission denied",
        "Operation not permitted",
        "No such file or directory",
        "Read-only file system",
    ), line


def test_unreadable_token_file(tmp_path: Path) -> None:
    missing = tmp_path / "no-token"
    result = _kubeforge("generate", "--server", "https://127.0.0.1:1", "--token-file", str(missing))
    _one_error(result, str(missing), "cannot read token file", "No such file or directory")


def test_token_file_that_is_a_directory(tmp_path: Path) -> None:
    result = _kubeforge(
        "generate", "--server", "https://127.0.0.1:1", "--token-file", str(tmp_path)
    )
    _one_error(result, str(tmp_path), "cannot read token file", "Is a directory")


def test_serve_with_an_unreadable_token_file(tmp_path: Path) -> None:
    missing = tmp_path / "tokens.csv"
    result = _kubeforge("serve", "--token-file", str(missing))
    _one_error(result, str(missing), "cannot read token file")


def test_serve_with_a_missing_spec(tmp_path: Path) -> None:
    missing = tmp_path / "spec.json"
    result = _kubeforge("serve", "--spec", str(missing))
    _one_error(result, str(missing))


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


def test_serve_on_a_busy_port(busy_port: int) -> None:
    result = _kubeforge("serve", "--port", str(busy_port))
    _one_error(result, f"cannot serve on 127.0.0.1:{busy_port}", "ddress already in use")


def test_serve_cannot_write_its_kubeconfig(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("")
    result = _kubeforge("serve", "--write-kubeconfig", str(afile / "kubeconfig"))
    _one_error(result, str(afile), "cannot write")


def test_generate_usage_errors_print_generates_usage() -> None:
    result = _kubeforge("generate", "--diff")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: kubeforge generate "), result.stderr
    assert "--diff needs --check" in result.stderr


def test_serve_usage_errors_print_serves_usage() -> None:
    result = _kubeforge("serve", "--insecure-http", "--token", "abc")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: kubeforge serve "), result.stderr
