"""Acceptance 2: the generated package covers the spec, counted against the spec itself."""

from __future__ import annotations

import gzip
import importlib
import json
from collections import Counter
from typing import Any

import pytest
from helpers import REPO
from kubeapi._runtime.model import Model

from kubeforge.parse import parse

SPEC: dict[str, Any] = json.loads(
    gzip.decompress((REPO / "generator/data/kubernetes-1.36.json.gz").read_bytes())
)


def _module_of(key: str) -> str:
    """The module a definition should be in, by the Go package naming rule."""
    parts = key.split(".")[:-1]
    if parts[-1].startswith("v") and parts[-1][1:2].isdigit():
        return f"{parts[-2].replace('-', '_')}_{parts[-1]}"
    return parts[-1]


def _find(key: str) -> Any:
    module = importlib.import_module(f"kubeapi.{_module_of(key)}")
    name = key.rsplit(".", 1)[-1]
    return getattr(module, name)


def test_every_definition_has_a_model_or_a_type_alias() -> None:
    missing = []
    for key in SPEC["definitions"]:
        try:
            _find(key)
        except (ImportError, AttributeError):
            missing.append(key)
    assert not missing
    assert len(SPEC["definitions"]) == 771


def test_every_kind_has_a_class_with_its_api_version_and_kind() -> None:
    kinds = [
        (k, s["x-kubernetes-group-version-kind"])
        for k, s in SPEC["definitions"].items()
        if "x-kubernetes-group-version-kind" in s
    ]
    assert len(kinds) == 193
    for key, gvks in kinds:
        cls = _find(key)
        wire = json.loads(cls().to_json())
        if len(gvks) == 1:
            gvk = gvks[0]
            api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            assert (wire.get("apiVersion"), wire.get("kind")) == (api_version, gvk["kind"]), key
        else:
            # DeleteOptions and WatchEvent are served by every group: nothing is assumed.
            assert "apiVersion" not in wire, key


def _expected_method(
    path: str, method: str, action: str
) -> tuple[tuple[str, str, str], str] | None:
    """(group, version, plural) and the client method an operation should map to; None if skipped."""
    segs = [s for s in path.split("/") if s]
    group, version, rest = (
        ("", segs[1], segs[2:]) if segs[0] == "api" else (segs[1], segs[2], segs[3:])
    )
    if rest[0] == "watch" or action in ("watch", "watchlist", "connect"):
        return None
    if len(rest) >= 3 and rest[:2] == ["namespaces", "{namespace}"]:
        rest = rest[2:]
    plural, tail = rest[0], rest[1:]
    if not tail:
        name = {"list": "list", "post": "create", "deletecollection": "delete_collection"}[action]
    elif len(tail) == 1:
        name = {"get": "get", "put": "replace", "patch": "patch", "delete": "delete"}[action]
    else:
        verb = {"get": "get", "put": "replace", "patch": "patch", "post": "create"}[method]
        name = f"{verb}_{tail[1]}"
    return (group, version, plural), name


def _version_prefix(path: str) -> str:
    """`api/v1` or `apis/<group>/<version>`: what a watch path puts `watch/` after."""
    segs = path.strip("/").split("/")
    return "/".join(segs[:2] if segs[0] == "api" else segs[:3])


def test_every_operation_with_an_action_maps_to_a_client_method() -> None:
    package, _ = parse(SPEC, None, "kubeapi", "sha")
    clients = {}
    for module in package.modules:
        for res in module.resources:
            mod = importlib.import_module(f"kubeapi.{module.name}")
            group_client = getattr(mod, module.client_class)
            clients[(res.group, res.version, res.plural)] = (
                getattr(mod, f"{res.kind}Client"),
                group_client,
                res.method,
            )
    mapped, skipped = 0, Counter[str]()
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            if "x-kubernetes-action" not in op:
                skipped["not a resource"] += 1
                continue
            action = op["x-kubernetes-action"]
            expected = _expected_method(path, method, action)
            if expected is None:
                skipped["watch" if action != "connect" else "connect"] += 1
                continue
            key, name = expected
            assert key in clients, f"{path}: no client for {key}"
            client, group_client, accessor = clients[key]
            assert hasattr(
                client, name
            ), f"{method.upper()} {path}: {client.__name__} has no {name}()"
            assert hasattr(group_client, accessor)
            if action == "list":  # watchable where the spec has a watch path for it
                watch_path = path.replace(
                    f"/{_version_prefix(path)}/", f"/{_version_prefix(path)}/watch/", 1
                )
                assert hasattr(client, "watch") == (watch_path in SPEC["paths"]), path
            mapped += 1
    reported = Counter(
        next(k for k in ("connect", "not a resource", "deprecated watch") if s.reason.startswith(k))
        for s in package.skipped
    )
    reported["watch"] = reported.pop("deprecated watch")
    assert reported == skipped, "the generator's report of skipped operations matches the spec"
    assert mapped + sum(skipped.values()) == 1123  # every operation of the 1.36 spec
    # The 65 without an action: discovery documents, /version, /logs, the OIDC documents.
    assert skipped == {"watch": 215, "connect": 48, "not a resource": 65}


@pytest.mark.parametrize(
    ("key", "module"),
    [
        ("io.k8s.api.core.v1.Pod", "core_v1"),
        ("io.k8s.api.apps.v1.Deployment", "apps_v1"),
        ("io.k8s.api.rbac.v1.ClusterRole", "rbac_v1"),
        ("io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler", "autoscaling_v2"),
        ("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "meta_v1"),
        (
            "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
            "apiextensions_v1",
        ),
        ("io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService", "apiregistration_v1"),
        ("io.k8s.apimachinery.pkg.util.intstr.IntOrString", "intstr"),
        ("io.k8s.apimachinery.pkg.api.resource.Quantity", "resource"),
        ("io.k8s.apimachinery.pkg.runtime.RawExtension", "runtime"),
        ("io.k8s.apimachinery.pkg.version.Info", "version"),
    ],
)
def test_modules_are_named_like_the_go_packages(key: str, module: str) -> None:
    """A Kubernetes user guesses the import: the Go package's name and version."""
    assert _module_of(key) == module
    found = getattr(importlib.import_module(f"kubeapi.{module}"), key.rsplit(".", 1)[1])
    if isinstance(found, type) and issubclass(found, Model):
        assert found.__module__ == f"kubeapi.{module}"
    else:  # a type alias (Quantity = str) is where its package says
        assert key.rsplit(".", 1)[1] in importlib.import_module(f"kubeapi.{module}").__all__


def test_every_model_lives_in_its_go_packages_module() -> None:
    misplaced = {
        key: found.__module__
        for key in SPEC["definitions"]
        if isinstance(found := _find(key), type)
        and issubclass(found, Model)
        and found.__module__ != f"kubeapi.{_module_of(key)}"
    }
    assert misplaced == {}


def test_the_group_table_names_modules_like_the_go_packages() -> None:
    from kubeapi._groups import MODULES

    assert {gv: MODULES[gv] for gv in ("v1", "apps/v1", "rbac.authorization.k8s.io/v1")} == {
        "v1": "core_v1",
        "apps/v1": "apps_v1",
        "rbac.authorization.k8s.io/v1": "rbac_v1",
    }
    for key, schema in SPEC["definitions"].items():
        gvks = schema.get("x-kubernetes-group-version-kind") or []
        # meta_v1 kinds say core v1 or are served by every group (DeleteOptions): not a group's
        if len(gvks) == 1 and _module_of(key) != "meta_v1":
            group, version = gvks[0]["group"], gvks[0]["version"]
            group_version = f"{group}/{version}" if group else version
            assert MODULES[group_version] == _module_of(key), key
