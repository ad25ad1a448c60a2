"""Acceptance 6: stale files go, --check lists what differs and writes nothing; writes are atomic."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers import minimal_spec

from kubeforge.cli import main


def _tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def test_generate_removes_files_that_should_no_longer_exist(
    tmp_path: Path, spec_file: Path
) -> None:
    out = tmp_path / "out"
    assert main(["generate", "--quiet", "--spec", str(spec_file), "--out", str(out)]) == 0
    stale = out / "kubeapi" / "old_v1.py"
    stale.write_text("# from an older spec\n")
    assert main(["generate", "--quiet", "--spec", str(spec_file), "--out", str(out)]) == 0
    assert not stale.exists()
    assert "kubeapi/example_v1.py" in _tree(out)
    assert not [
        p for p in out.iterdir() if p.name.startswith(".")
    ], "no staging directories left behind"


def test_check_on_a_stale_tree_lists_the_differences_and_writes_nothing(
    tmp_path: Path, spec_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["generate", "--quiet", "--spec", str(spec_file), "--out", str(out)]) == 0
    (out / "kubeapi" / "extra.py").write_text("x = 1\n")
    (out / "kubeapi" / "example_v1.py").write_text("changed = True\n")
    (out / "kubeapi" / "py.typed").unlink()
    before = _tree(out)
    capsys.readouterr()
    assert main(["generate", "--check", "--spec", str(spec_file), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"differs: {out / 'kubeapi/example_v1.py'}" in err
    assert f"stale:   {out / 'kubeapi/extra.py'}" in err
    assert f"missing: {out / 'kubeapi/py.typed'}" in err
    assert _tree(out) == before


def test_check_diff_prints_a_unified_diff_of_what_would_change(
    tmp_path: Path, spec_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["generate", "--quiet", "--spec", str(spec_file), "--out", str(out)]) == 0
    module = out / "kubeapi" / "example_v1.py"
    fresh = module.read_text()
    module.write_text(fresh.replace("class Thing(", "class Renamed("))
    (out / "kubeapi" / "extra.py").write_text("x = 1\n")
    before = _tree(out)
    capsys.readouterr()
    args = ["generate", "--quiet", "--check", "--diff", "--spec", str(spec_file), "--out", str(out)]
    assert main(args) == 1
    diff = capsys.readouterr().out
    assert "--- a/kubeapi/example_v1.py\n+++ b/kubeapi/example_v1.py\n" in diff
    assert "\n-class Renamed(" in diff and "\n+class Thing(" in diff
    assert "--- a/kubeapi/extra.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x = 1\n" in diff
    assert _tree(out) == before
    # The diff is exact: applied to the directory, it gives what the generator makes.
    patch = subprocess.run(["patch", "-p1", "-d", str(out)], input=diff, text=True, check=False)
    assert patch.returncode == 0
    assert module.read_text() == fresh and not (out / "kubeapi" / "extra.py").exists()


def test_check_on_a_fresh_tree_passes(tmp_path: Path, spec_file: Path) -> None:
    out = tmp_path / "out"
    assert main(["generate", "--quiet", "--spec", str(spec_file), "--out", str(out)]) == 0
    assert (
        main(["generate", "--quiet", "--check", "--spec", str(spec_file), "--out", str(out)]) == 0
    )


def test_the_output_can_be_installed_alone(tmp_path: Path, spec_file: Path) -> None:
    out = tmp_path / "out"
    assert (
        main(
            [
                "generate",
                "--quiet",
                "--spec",
                str(spec_file),
                "--out",
                str(out),
                "--package",
                "thingapi",
            ]
        )
        == 0
    )
    text = (out / "pyproject.toml").read_text()
    assert 'name = "thingapi"' in text and '"httpx>=0.27"' in text
    assert (out / "thingapi" / "py.typed").exists()
    for path in (out / "thingapi").rglob("*.py"):
        text = path.read_text()
        assert (
            "import kubeforge" not in text and "from kubeforge" not in text
        ), f"{path} imports kubeforge"


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["generate", "--token", "x"])
    assert info.value.code == 2
    assert "--token needs --server" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["generate", "--package", "not-a-name"])
    assert info.value.code == 2


def _group_spec(*groups: str) -> dict[str, object]:
    definitions = {}
    for group in groups:
        key = ".".join([*reversed(group.split(".")), "v1", "Widget"])
        gvk = [{"group": group, "version": "v1", "kind": "Widget"}]
        definitions[key] = {
            "type": "object",
            "properties": {"a": {"type": "string"}},
            "x-kubernetes-group-version-kind": gvk,
        }
    return minimal_spec(definitions)


def test_adding_a_group_never_renames_an_existing_module(tmp_path: Path) -> None:
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    first = tmp_path / "first.json"
    first.write_text(json.dumps(_group_spec("widgets.example.org")))
    assert main(["generate", "--quiet", "--spec", str(first), "--out", str(out)]) == 0
    assert (out / "kubeapi" / "widgets_example_v1.py").exists()
    second = tmp_path / "second.json"
    second.write_text(json.dumps(_group_spec("widgets.example.org", "widgets.acme.com")))
    for target in (out, fresh):  # names come from the group alone, whatever else is there
        assert main(["generate", "--quiet", "--spec", str(second), "--out", str(target)]) == 0
        modules = {p.name for p in (target / "kubeapi").glob("widgets*.py")}
        assert modules == {"widgets_example_v1.py", "widgets_acme_v1.py"}


def test_regeneration_keeps_the_module_names_of_an_earlier_generation(tmp_path: Path) -> None:
    """An earlier kubeforge named modules by another rule: its names stay, recorded in _groups."""
    out = tmp_path / "out"
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(_group_spec("widgets.example.org")))
    assert main(["generate", "--quiet", "--spec", str(spec), "--out", str(out)]) == 0
    groups = out / "kubeapi" / "_groups.py"
    groups.write_text(groups.read_text().replace('"widgets_example_v1"', '"widgets_v1"'))
    assert main(["generate", "--quiet", "--spec", str(spec), "--out", str(out)]) == 0
    assert {p.name for p in (out / "kubeapi").glob("widgets*.py")} == {"widgets_v1.py"}
    assert '"widgets.example.org/v1": "widgets_v1"' in groups.read_text()
