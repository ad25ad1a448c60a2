"""Users' code type-checks against generated packages, with mypy --strict and basedpyright.

The checkers run as a user's would: against an interpreter whose site-packages hold only
what the generated package requires (httpx, pyyaml and their own requirements), so no
msgspec, orjson or stub package is there to hide an import the runtime should not expose.
The generated packages are found through MYPYPATH / extraPaths, so errors inside them are
reported too (mypy checks them as part of the run).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import venv
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from helpers import GENERATED, REPO
from packaging.requirements import Requirement

from kubeforge.cli import main
from kubeforge.fake import FakeServer

TYPING = REPO / "tests/typing"
MARK = "# mistake"


@pytest.fixture(scope="session")
def crd_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`crdapi`, generated from a fake server serving the Widget CRD of tests/typing."""
    out = tmp_path_factory.mktemp("crd")
    crd = yaml.safe_load((TYPING / "widget-crd.yaml").read_text())
    with FakeServer() as server:
        server.add(crd)
        args = ["generate", "--server", server.url, "--token", server.token]
        args += ["--ca-file", str(server.ca_file), "--out", str(out), "--package", "crdapi"]
        assert main([*args, "--quiet"]) == 0
    assert (out / "crdapi/shop_example_v1.py").is_file()
    return out


def _required(names: list[str]) -> set[str]:
    """These distributions and everything they require (no extras), as installed here."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        dist = metadata.distribution(name)
        key = dist.metadata["Name"].lower().replace("-", "_")
        if key in seen:
            continue
        seen.add(key)
        for text in dist.requires or ():
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


@pytest.fixture(scope="session")
def user_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding only the generated package's required distributions (linked in)."""
    root = tmp_path_factory.mktemp("user-venv")
    venv.create(root, with_pip=False)
    python = root / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    project = tomllib.loads((GENERATED / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r).name for r in project["dependencies"]]
    # typing_extensions: the user modules' assert_type, for Python 3.10
    for name in sorted(_required([*wanted, "typing_extensions"])):
        dist = metadata.distribution(name)
        for top in sorted({f.parts[0] for f in dist.files or ()} - {"..", "__pycache__"}):
            source = Path(str(dist.locate_file(top)))
            if source.exists() and not (site / top).exists():
                (site / top).symlink_to(source)
    found = subprocess.run(
        [python, "-c", "import httpx, yaml; import msgspec"], capture_output=True, text=True
    )
    assert "No module named 'msgspec'" in found.stderr, found.stderr
    return python


def _mypy(paths: list[Path], python: Path, crd: Path, cache: Path) -> dict[tuple[str, int], str]:
    command = [sys.executable, "-m", "mypy", "--strict", "--python-executable", str(python)]
    command += ["--cache-dir", str(cache), "--no-error-summary", *map(str, paths)]
    env = {"MYPYPATH": f"{GENERATED}:{crd}", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cache)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    found: dict[tuple[str, int], str] = {}
    for line in result.stdout.splitlines():
        match = re.match(r"(.+?):(\d+): error: (.*)", line)
        if match:
            found[(Path(match[1]).name, int(match[2]))] = match[3]
    assert bool(found) == (result.returncode == 1), result.stdout
    return found


def _pyright(
    paths: list[Path], python: Path, crd: Path, where: Path, mode: str
) -> dict[tuple[str, int], str]:
    config = {"typeCheckingMode": mode, "extraPaths": [str(GENERATED), str(crd)]}
    (where / "pyrightconfig.json").write_text(json.dumps(config))
    binary = Path(sys.executable).parent / "basedpyright"
    command = [str(binary), "--outputjson", "--pythonpath", str(python), "-p", str(where)]
    result = subprocess.run([*command, *map(str, paths)], capture_output=True, text=True)
    report = json.loads(result.stdout)
    found = {
        (Path(d["file"]).name, d["range"]["start"]["line"] + 1): d["message"]
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    }
    assert report["summary"]["filesAnalyzed"] == len(paths), report["summary"]
    return found


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")


def test_read_modify_write_passes_mypy_strict(
    user_python: Path, crd_package: Path, mypy_cache: Path
) -> None:
    modules = [TYPING / "read_modify_write.py", TYPING / "user_module.py"]
    assert _mypy(modules, user_python, crd_package, mypy_cache) == {}


@pytest.mark.parametrize("mode", ["standard", "strict"])
def test_read_modify_write_passes_basedpyright(
    user_python: Path, crd_package: Path, tmp_path: Path, mode: str
) -> None:
    modules = [TYPING / "read_modify_write.py", TYPING / "user_module.py"]
    assert _pyright(modules, user_python, crd_package, tmp_path, mode) == {}


def _marked() -> set[tuple[str, int]]:
    lines = (TYPING / "mistakes.py").read_text().splitlines()
    marked = {("mistakes.py", n) for n, line in enumerate(lines, 1) if line.endswith(MARK)}
    assert len(marked) >= 15
    return marked


def test_mypy_reports_exactly_the_marked_mistakes(
    user_python: Path, crd_package: Path, mypy_cache: Path
) -> None:
    found = _mypy([TYPING / "mistakes.py"], user_python, crd_package, mypy_cache)
    assert set(found) == _marked(), found


def test_basedpyright_reports_exactly_the_marked_mistakes(
    user_python: Path, crd_package: Path, tmp_path: Path
) -> None:
    found = _pyright([TYPING / "mistakes.py"], user_python, crd_package, tmp_path, "standard")
    assert set(found) == _marked(), found


def test_a_misspelled_keyword_is_named(
    user_python: Path, crd_package: Path, mypy_cache: Path
) -> None:
    """The constructor takes no catch-all: the checker names the misspelled keyword."""
    found = _mypy([TYPING / "mistakes.py"], user_python, crd_package, mypy_cache)
    assert any('"nmae"' in message for message in found.values()), found


@pytest.fixture(scope="session")
def crd_fixtures_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`crdfix`, generated offline (`--crd`) from two CRDs of tests/crds."""
    out = tmp_path_factory.mktemp("crdfix")
    args = ["generate", "--quiet", "--out", str(out), "--package", "crdfix"]
    for name in ("nested.yaml", "cluster.yaml"):
        args += ["--crd", str(REPO / "tests/crds" / name)]
    assert main(args) == 0
    return out


def test_two_generated_crd_classes_pass_mypy_strict(
    user_python: Path, crd_fixtures_package: Path, mypy_cache: Path
) -> None:
    """Issue 11, acceptance 4: nested objects, maps of objects, int-or-string and lists."""
    found = _mypy([TYPING / "crd_classes.py"], user_python, crd_fixtures_package, mypy_cache)
    assert found == {}


def test_mypy_reports_the_marked_crd_mistakes_as_marked(
    user_python: Path, crd_fixtures_package: Path, mypy_cache: Path
) -> None:
    lines = (TYPING / "crd_mistakes.py").read_text().splitlines()
    marked = {
        ("crd_mistakes.py", n): line.split(f"{MARK}: ", 1)[1]
        for n, line in enumerate(lines, 1)
        if f"{MARK}: " in line
    }
    assert len(marked) >= 5
    found = _mypy([TYPING / "crd_mistakes.py"], user_python, crd_fixtures_package, mypy_cache)
    assert set(found) == set(marked), found
    assert all(marked[where] in found[where] for where in marked), found


@pytest.fixture(scope="session")
def crd_base_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`crdbase`, generated with `--base-package kubeapi`: kubeapi's shared types, not copies."""
    out = tmp_path_factory.mktemp("crdbase")
    args = ["generate", "--quiet", "--out", str(out), "--package", "crdbase"]
    args += ["--crd", str(REPO / "tests/crds/cluster.yaml"), "--base-package", "kubeapi"]
    assert main(args) == 0
    assert "from kubeapi.meta_v1 import (" in (out / "crdbase/meta_v1.py").read_text()
    return out


def test_a_base_package_s_classes_type_check_in_the_crd_package(
    user_python: Path, crd_base_package: Path, mypy_cache: Path, tmp_path: Path
) -> None:
    assert _mypy([TYPING / "crd_base.py"], user_python, crd_base_package, mypy_cache) == {}
    for mode in ("standard", "strict"):
        found = _pyright([TYPING / "crd_base.py"], user_python, crd_base_package, tmp_path, mode)
        assert found == {}, (mode, found)
