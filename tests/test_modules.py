"""Which module each definition lands in: one rule for every spec (docs/design.md)."""

from __future__ import annotations

from typing import Any

from helpers import minimal_spec

from kubeforge.parse import parse


def _modules(definitions: dict[str, Any], paths: dict[str, Any] | None = None) -> dict[str, str]:
    """The module of each of these definitions (not of the meta/v1 types parse adds)."""
    package, _ = parse(minimal_spec(definitions, paths), None, "pkg", "0" * 64)
    every = (m for mod in package.modules for m in (*mod.models, *mod.aliases))
    return {m.key: m.module for m in every if m.key in definitions}


def _kind(group: str, version: str, kind: str, **props: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": (
            {"spec": {"$ref": props["spec"]}} if "spec" in props else {"a": {"type": "string"}}
        ),
        "x-kubernetes-group-version-kind": [{"group": group, "version": version, "kind": kind}],
    }


def test_types_without_a_gvk_join_their_packages_group() -> None:
    modules = _modules(
        {
            "com.coreos.monitoring.v1.Prometheus": _kind(
                "monitoring.coreos.com",
                "v1",
                "Prometheus",
                spec="#/definitions/com.coreos.monitoring.v1.PrometheusSpec",
            ),
            "com.coreos.monitoring.v1.PrometheusSpec": {
                "type": "object",
                "properties": {"replicas": {"type": "integer"}},
            },
            "com.github.prometheus-operator.prometheus-operator.pkg.apis.monitoring.v1.Probe": _kind(
                "monitoring.coreos.com", "v1", "Probe"
            ),
            "com.github.prometheus-operator.prometheus-operator.pkg.apis.monitoring.v1.ProbeSpec": {
                "type": "object",
                "properties": {"interval": {"type": "string"}},
            },
        }
    )
    assert set(modules.values()) == {"monitoring_coreos_v1"}, modules


def test_paths_tell_the_group_of_bare_version_names() -> None:
    paths = {
        "/apis/metrics.k8s.io/v1beta1/nodes/{name}": {
            "get": {"responses": {"200": {"schema": {"$ref": "#/definitions/v1beta1.NodeMetrics"}}}}
        }
    }
    modules = _modules(
        {
            "v1beta1.NodeMetrics": {
                "type": "object",
                "properties": {"metadata": {"$ref": "#/definitions/v1.ObjectMeta"}},
            },
            "v1beta1.ContainerMetrics": {
                "type": "object",
                "properties": {"name": {"type": "string"}},
            },
            "v1.ObjectMeta": {"type": "object", "properties": {"name": {"type": "string"}}},
            "v1alpha1.Orphan": {"type": "object", "properties": {"name": {"type": "string"}}},
        },
        paths,
    )
    assert modules == {
        "v1beta1.NodeMetrics": "metrics_v1beta1",
        "v1beta1.ContainerMetrics": "metrics_v1beta1",
        "v1.ObjectMeta": "meta_v1",
        "v1alpha1.Orphan": "unknown_v1alpha1",
    }


def test_kube_openapi_forward_names_and_go_paths() -> None:
    modules = _modules(
        {
            "k8s.io.api.core.v1.Pod": _kind("", "v1", "Pod"),
            "k8s.io.api.core.v1.PodSpec": {
                "type": "object",
                "properties": {"nodeName": {"type": "string"}},
            },
            "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta": {
                "type": "object",
                "properties": {"name": {"type": "string"}},
            },
            "io.k8s.api.apps.v1.DeploymentSpec": {
                "type": "object",
                "properties": {"replicas": {"type": "integer"}},
            },
            "io.k8s.networking.gateway.v1.Gateway": _kind(
                "gateway.networking.k8s.io", "v1", "Gateway"
            ),
        }
    )
    assert modules == {
        "k8s.io.api.core.v1.Pod": "core_v1",
        "k8s.io.api.core.v1.PodSpec": "core_v1",
        "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta": "meta_v1",
        "io.k8s.api.apps.v1.DeploymentSpec": "apps_v1",
        "io.k8s.networking.gateway.v1.Gateway": "gateway_networking_v1",
    }


def test_a_group_split_across_name_prefixes_stays_one_module() -> None:
    modules = _modules(
        {
            "io.example.v1.Widget": _kind("example.io", "v1", "Widget"),
            "com.example.v1.Gadget": _kind("example.io", "v1", "Gadget"),
            "com.example.v1.GadgetSpec": {
                "type": "object",
                "properties": {"a": {"type": "string"}},
            },
        }
    )
    assert set(modules.values()) == {"example_v1"}


def test_no_other_group_is_ever_named_core() -> None:
    modules = _modules(
        {
            "com.example.core.v1.Thing": _kind("core.example.com", "v1", "Thing"),
            "v1.Loose": {"type": "object", "properties": {"a": {"type": "string"}}},
        }
    )
    assert modules == {"com.example.core.v1.Thing": "core_example_v1", "v1.Loose": "unknown_v1"}
