"""`--crd` as a source: reading manifests, converting schemas as kube-apiserver publishes them in
/openapi/v2, clear errors for bad manifests, `--group` and `--all-versions`, class metadata."""

from __future__ import annotations

import importlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubeforge import crd, manifests, source
from kubeforge.cli import main
from kubeforge.diagnostics import GenerateError


def _crd(schema: Any, *, versions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "gizmos.shop.example.com"},
        "spec": {
            "group": "shop.example.com",
            "scope": "Namespaced",
            "names": {"kind": "Gizmo", "plural": "gizmos", "shortNames": ["gz"]},
            "versions": versions
            or [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": schema},
                }
            ],
        },
    }


SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["size", "note"],
            "properties": {
                "size": {"type": "integer", "default": 3, "minimum": 1},
                "note": {"type": "string", "nullable": True},
                "port": {"x-kubernetes-int-or-string": True},
                "extra": {
                    "type": "object",
                    "x-kubernetes-preserve-unknown-fields": True,
                    "properties": {"known": {"type": "string"}},
                },
                "template": {
                    "type": "object",
                    "x-kubernetes-embedded-resource": True,
                    "properties": {"spec": {"type": "object"}},
                },
                "choice": {"type": "string", "oneOf": [{"enum": ["a"]}, {"enum": ["b"]}]},
                "tags": {
                    "type": "array",
                    "items": {"type": "string"},
                    "x-kubernetes-list-type": "set",
                },
            },
            "x-kubernetes-validations": [{"rule": "self.size < 10", "message": "too big"}],
            "example": {"size": 1},
        }
    },
}


def test_the_v2_schema_is_what_kube_apiserver_publishes() -> None:
    out = crd.definitions(_crd(SCHEMA))
    gizmo = out["com.example.shop.v1.Gizmo"]
    spec = gizmo["properties"]["spec"]
    props = spec["properties"]
    # A nullable field is untyped in v2 and no longer required; defaults are pruned.
    assert props["note"] == {}
    assert spec["required"] == ["size"]
    assert props["size"] == {"type": "integer", "minimum": 1}
    # int-or-string keeps its marker, without the anyOf v2 cannot carry.
    assert props["port"] == {"x-kubernetes-int-or-string": True}
    # Preserve-unknown-fields: neither type nor properties (kubectl would enforce them).
    assert props["extra"] == {"x-kubernetes-preserve-unknown-fields": True}
    # Embedded resources look like objects: apiVersion, kind, metadata; kind and apiVersion required.
    template = props["template"]
    assert set(template["properties"]) == {"spec", "apiVersion", "kind", "metadata"}
    assert template["properties"]["metadata"]["$ref"].endswith("meta.v1.ObjectMeta")
    assert template["required"] == ["kind", "apiVersion"]
    # Junctors go, list markers and CEL rules stay, keys a structural schema lacks go.
    assert props["choice"] == {"type": "string"}
    assert props["tags"]["x-kubernetes-list-type"] == "set"
    assert spec["x-kubernetes-validations"] == [{"rule": "self.size < 10", "message": "too big"}]
    assert "example" not in spec
    assert gizmo["x-kubernetes-group-version-kind"] == [
        {"group": "shop.example.com", "version": "v1", "kind": "Gizmo"}
    ]
    assert gizmo["properties"]["metadata"]["$ref"].endswith("meta.v1.ObjectMeta")
    listed = out["com.example.shop.v1.GizmoList"]
    assert listed["properties"]["items"]["items"] == {
        "$ref": "#/definitions/com.example.shop.v1.Gizmo"
    }
    assert listed["required"] == ["items"]


def test_the_v3_schema_keeps_what_v2_cannot_carry() -> None:
    out = crd.schema(_crd(SCHEMA), "v1", v2=False)
    props = out["properties"]["spec"]["properties"]
    assert props["note"] == {"type": "string", "nullable": True}
    assert props["size"]["default"] == 3
    assert props["port"]["anyOf"] == [{"type": "integer"}, {"type": "string"}]
    assert props["extra"]["properties"] == {"known": {"type": "string"}}


def test_a_root_that_preserves_unknown_fields_publishes_no_properties_in_v2() -> None:
    open_root = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    assert crd.schema(_crd(open_root), "v1") == {
        "type": "object",
        "x-kubernetes-group-version-kind": [
            {"group": "shop.example.com", "version": "v1", "kind": "Gizmo"}
        ],
    }


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_manifests_read_as_kubernetes_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bare `=` (PyYAML's safe loader refuses it), a non-CRD document, a List, a JSON file.
    stream = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n"
        + yaml.safe_dump(_crd(SCHEMA)).replace("message: too big", "message: =")
        + "---\n"
    )
    found = manifests.load([str(_write(tmp_path, "a.yaml", stream))])
    assert [m.name for m in found] == ["gizmos.shop.example.com"]
    rules = found[0].crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    assert rules["x-kubernetes-validations"][0]["message"] == "="
    assert found[0].where.endswith("a.yaml (document 2)")
    other = _crd(SCHEMA)
    other["metadata"]["name"] = "widgets.shop.example.com"
    other["spec"]["names"] = {"kind": "Widget", "plural": "widgets"}
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "sub", "list.json", json.dumps({"kind": "List", "items": [other]}))
    assert [m.name for m in manifests.load([str(tmp_path)])] == [
        "gizmos.shop.example.com",
        "widgets.shop.example.com",
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO(stream))
    assert [m.where for m in manifests.load(["-"])] == ["<stdin> (document 2)"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [1\n", "is not YAML"),
        ("apiVersion: v1\nkind: ConfigMap\n", "holds no CustomResourceDefinition"),
        (
            "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\n"
            "metadata: {name: old.example.com}\n",
            "only apiextensions.k8s.io/v1 is served",
        ),
    ],
)
def test_unreadable_manifests_are_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, "bad.yaml", text)
    with pytest.raises(GenerateError) as caught:
        manifests.load([str(path)])
    assert caught.value.diagnostics[0].where == str(path)
    assert message in caught.value.diagnostics[0].message


def test_an_invalid_schema_names_file_crd_version_and_schema_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _crd(
        {},
        versions=[
            {
                "name": "v1alpha1",
                "served": True,
                "storage": False,
                "schema": {"openAPIV3Schema": SCHEMA},
            },
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {"type": "object", "properties": {"size": {"type": "integr"}}}
                        },
                    }
                },
            },
        ],
    )
    path = _write(tmp_path, "gizmo.yaml", yaml.safe_dump(bad))
    out = tmp_path / "out"
    assert main(["generate", "--quiet", "--crd", str(path), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0] == (
        f"kubeforge: error: {path}: CustomResourceDefinition gizmos.shop.example.com, version v1:"
        " spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[size].type:"
        " 'integr' is not a type (one of array, boolean, integer, number, object, string)"
    )
    assert len(err) == 2 and "1 error" in err[1]
    assert not out.exists()


def test_groups_and_all_versions_choose_what_is_generated(tmp_path: Path) -> None:
    versions = [
        {
            "name": "v1alpha1",
            "served": False,
            "storage": False,
            "schema": {"openAPIV3Schema": SCHEMA},
        },
        {
            "name": "v1",
            "served": True,
            "storage": True,
            "schema": {"openAPIV3Schema": SCHEMA},
            "subresources": {"status": {}},
            "additionalPrinterColumns": [
                {"name": "Size", "type": "integer", "jsonPath": ".spec.size", "priority": 1}
            ],
        },
    ]
    path = _write(tmp_path, "gizmo.yaml", yaml.safe_dump(_crd({}, versions=versions)))
    served = source.load(crd=[str(path)])
    assert {k for k in served.document["definitions"] if k.startswith("com.")} == {
        "com.example.shop.v1.Gizmo",
        "com.example.shop.v1.GizmoList",
    }
    every = source.load(crd=[str(path)], all_versions=True)
    assert "com.example.shop.v1alpha1.Gizmo" in every.document["definitions"]
    # --group cuts any source, here the bundled spec plus the manifest.
    bundled = source.bundled().document
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(bundled))
    both = source.load(spec=str(spec_file), crd=[str(path)], groups=["shop.example.com", "core"])
    groups = {p.split("/")[2] if p.startswith("/apis/") else "" for p in both.document["paths"]}
    assert groups == {"shop.example.com", ""}
    assert "io.k8s.api.apps.v1.Deployment" not in both.document["definitions"]
    assert "io.k8s.api.core.v1.Pod" in both.document["definitions"]
    with pytest.raises(GenerateError) as caught:
        source.load(crd=[str(path)], groups=["nope.example.com"])
    assert "--group nope.example.com: no such API group" in str(caught.value)

    out = tmp_path / "out"
    assert (
        main(
            ["generate", "--quiet", "--crd", str(path), "--out", str(out), "--package", "gizmoapi"]
        )
        == 0
    )
    sys.path.insert(0, str(out))
    try:
        module = importlib.import_module("gizmoapi.shop_example_v1")
        info = module.Gizmo.api_resource
        assert (info.plural, info.namespaced, info.short_names) == ("gizmos", True, ("gz",))
        assert (info.subresources, info.storage_version) == (("status",), "v1")
        assert [(c.name, c.json_path, c.priority) for c in info.printer_columns] == [
            ("Size", ".spec.size", 1)
        ]
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m.split(".")[0] == "gizmoapi"]:
            del sys.modules[name]


def test_a_warm_run_reads_manifests_and_the_build_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kubeforge import pipeline

    monkeypatch.setenv("KUBEFORGE_CACHE_DIR", str(tmp_path / "cache"))
    stamped = yaml.safe_dump(_crd(SCHEMA)).replace("message: too big", "message: 2020-01-01")
    path = _write(tmp_path, "gizmo.yaml", stamped)
    out = tmp_path / "out"
    args = ["generate", "--quiet", "--crd", str(path), "--out", str(out)]
    assert main(args) == 0
    first = {p: p.read_bytes() for p in sorted(out.rglob("*.py"))}
    # An unquoted date is text, as Kubernetes reads YAML: it survives the JSON cache.
    rule = manifests.load([str(path)])[0].crd["spec"]["versions"][0]["schema"]
    assert rule["openAPIV3Schema"]["properties"]["spec"]["x-kubernetes-validations"][0] == {
        "rule": "self.size < 10",
        "message": "2020-01-01",
    }

    def never(*args: Any) -> Any:
        raise AssertionError("a warm run parsed or built again")

    with monkeypatch.context() as m:
        m.setattr(manifests, "_documents", never)
        m.setattr(pipeline, "_build", never)
        assert main([*args, "--check"]) == 0
        # --no-cache reads nothing from the cache.
        with pytest.raises(AssertionError, match="parsed or built again"):
            main([*args, "--check", "--no-cache"])
        # Another package name is another build.
        with pytest.raises(AssertionError, match="parsed or built again"):
            main([*args, "--package", "other", "--check"])
    # A changed manifest is read and built again, and the output follows it.
    path.write_text(stamped.replace("Gizmo", "Gadget"))
    assert main(args) == 0
    assert first != {p: p.read_bytes() for p in sorted(out.rglob("*.py"))}
    assert "class Gadget(" in (out / "kubeapi/shop_example_v1.py").read_text()
