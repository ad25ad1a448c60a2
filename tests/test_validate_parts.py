"""The validator runs on a big document in parts; the parts together must find what the whole
document's run finds, no more and no less."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from helpers import REPO

from kubeforge import source, validate


def _findings_in_parts(document: dict[str, Any], count: int) -> list[Any]:
    parts = validate.parts(document, count, least=0)
    assert len(parts) == count + 1
    # Every path is in exactly one part, every definition checked in the first.
    assert sorted(p for part in parts for p in part["paths"]) == sorted(document["paths"])
    assert parts[0]["definitions"] == document["definitions"]
    return sorted({d for part in parts for d in validate.part_findings(part)})


def _with_paths() -> list[str]:
    """The broken specs with paths to split (paths-null.json has none, by design)."""
    names = []
    for path in sorted((REPO / "tests/specs").glob("*.json")):
        paths = json.loads(path.read_text()).get("paths")
        if isinstance(paths, dict) and len(paths) >= 2:
            names.append(path.name)
    return names


@pytest.mark.parametrize("name", _with_paths())
def test_parts_find_what_the_whole_finds_in_the_broken_specs(name: str) -> None:
    document = json.loads((REPO / "tests/specs" / name).read_text())
    assert _findings_in_parts(document, 2) == validate.part_findings(document)


def test_there_are_broken_specs_to_split() -> None:
    assert len(_with_paths()) >= 2


def test_parts_find_what_the_whole_finds_in_a_crd_document_with_mistakes() -> None:
    crd = REPO / "tests/crds/bundle.yaml"
    document = copy.deepcopy(source.load(crd=[str(crd)], use_cache=False).document)
    paths = sorted(document["paths"])
    # A path operation that lost a parameter's type, and a definition with a bad type.
    first = document["paths"][paths[0]]
    op = next(v for k, v in first.items() if k != "parameters")
    op.setdefault("parameters", []).append({"name": "x", "in": "query"})
    key = next(k for k in sorted(document["definitions"]) if not k.startswith("io.k8s."))
    document["definitions"][key]["properties"] = {"size": {"type": 7}}
    whole = validate.part_findings(document)
    assert any(d.where.startswith("#/paths/") for d in whole), whole
    assert any(key in d.where for d in whole), whole
    assert _findings_in_parts(document, 3) == whole
