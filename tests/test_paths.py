"""Resources come from the paths when the operations carry no Kubernetes extensions: a
go-restful server (an aggregated API, an older controller) writes `{namespace:[a-z0-9]...}`
templates and names no x-kubernetes-action or group-version-kind."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import kubectl_binaries, minimal_spec, serve

from kubeforge.parse import RestPath, parse, rest_path

GO_RESTFUL = Path(__file__).parent / "specs" / "go-restful-without-actions.json"


def _fixture() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(GO_RESTFUL.read_text())
    return document


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/pods", RestPath("", "v1", "pods", False, False, "", False)),
        (
            "/api/v1/namespaces/{namespace}/pods/{name}/log",
            RestPath("", "v1", "pods", True, True, "log", False),
        ),
        (
            "/apis/x.io/v1/namespaces/{namespace:[a-z0-9][a-z0-9\\-]*}/ws/{name:[a-z0-9\\.]*}/status",
            RestPath("x.io", "v1", "ws", True, True, "status", False),
        ),
        (
            "/apis/x.io/v1/watch/namespaces/{namespace}/ws",
            RestPath("x.io", "v1", "ws", True, False, "", True),
        ),
        (
            "/api/v1/namespaces/{namespace}/services/{name}/proxy/{path:*}",
            RestPath("", "v1", "services", True, True, "proxy", False),
        ),
        # `namespaces/{name}` is the namespace object itself, not a namespaced resource.
        ("/api/v1/namespaces/{name}", RestPath("", "v1", "namespaces", False, True, "", False)),
        (
            "/api/v1/namespaces/{name}/status",
            RestPath("", "v1", "namespaces", False, True, "status", False),
        ),
        ("/healthz", None),
        ("/apis/x.io", None),
        ("/apis/x.io/v1/{plural}", None),
    ],
)
def test_rest_path_reads_every_template_shape(path: str, expected: RestPath | None) -> None:
    assert rest_path(path) == expected


def test_verbs_kinds_and_lists_come_from_paths_and_response_schemas() -> None:
    package, _ = parse(_fixture(), None, "shop", "0" * 64)
    (module,) = [m for m in package.modules if m.resources]
    (widgets,) = module.resources
    assert (widgets.group, widgets.version, widgets.plural, widgets.kind) == (
        "shop.example.com",
        "v1alpha1",
        "widgets",
        "Widget",
    )
    assert widgets.namespaced
    assert set(widgets.verbs) == {
        "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"
    }  # fmt: skip
    assert widgets.model == "v1alpha1.Widget" and widgets.list_model == "v1alpha1.WidgetList"
    assert sorted((s.subresource, s.verb) for s in widgets.subresources) == [
        ("status", "get"),
        ("status", "put"),
    ]
    models = {m.key: m for mod in package.modules for m in mod.models}
    assert models["v1alpha1.Widget"].gvks == (("shop.example.com", "v1alpha1", "Widget"),)
    assert models["v1alpha1.WidgetList"].gvks == (("shop.example.com", "v1alpha1", "WidgetList"),)
    # A definition no path returns keeps no kind.
    assert models["v1alpha1.WidgetSpec"].gvks == ()
    reasons = {(s.path.rsplit("/", 1)[-1], s.method): s.reason for s in package.skipped}
    assert "streaming upgrade or proxy" in reasons[("proxy", "get")]
    assert "deprecated watch path" in reasons[("widgets", "get")]
    assert reasons[("healthz", "get")].startswith("not a resource path")


def test_no_operation_is_dropped_without_a_reason() -> None:
    item = {"$ref": "#/definitions/x.v1.Gadget"}
    paths = {
        # No kind anywhere: the response is not a definition with a kind.
        "/apis/x.io/v1/gadgets": {
            "get": {"responses": {"200": {"schema": {"type": "object"}}}},
            "options": {"responses": {"200": {"description": "CORS"}}},
        },
        "/apis/x.io/v1/gadgets/{name}": {"get": {"responses": {"200": {"schema": item}}}},
        # A kind no definition has.
        "/apis/x.io/v1/gizmos/{name}": {
            "get": {
                "x-kubernetes-action": "get",
                "x-kubernetes-group-version-kind": {
                    "group": "x.io",
                    "version": "v1",
                    "kind": "Gizmo",
                },
                "responses": {"200": {"schema": {"type": "object"}}},
            }
        },
    }
    definitions = {"x.v1.Gadget": {"type": "object", "properties": {"a": {"type": "string"}}}}
    package, _ = parse(minimal_spec(definitions, paths), None, "pkg", "0" * 64)
    resources = {r.plural: r for mod in package.modules for r in mod.resources}
    # The item path names its kind through its response, so gadgets is served with a get.
    assert set(resources) == {"gadgets"} and "get" in resources["gadgets"].verbs
    reasons = {(s.path, s.method): s.reason for s in package.skipped}
    assert reasons == {
        ("/apis/x.io/v1/gadgets", "options"): "no verb for OPTIONS on this path",
        ("/apis/x.io/v1/gizmos/{name}", "get"): "no definition has the kind Gizmo of gizmos",
    }


def test_watch_needs_a_watch_path_where_a_group_version_writes_them() -> None:
    """A list can be watched; where a group-version writes watch paths (the apiserver's
    built-ins do), a resource without one (componentstatuses) cannot."""
    item = {"$ref": "#/definitions/x.v1.Gadget"}
    listed = {"$ref": "#/definitions/x.v1.GadgetList"}
    definitions = {
        "x.v1.Gadget": {"type": "object", "properties": {"a": {"type": "string"}}},
        "x.v1.GadgetList": {
            "type": "object",
            "properties": {"items": {"type": "array", "items": item}},
        },
    }

    def paths(group: str, watch_paths: bool) -> dict[str, Any]:
        found = {}
        for plural in ("gadgets", "statuses"):
            found[f"/apis/{group}/v1/{plural}"] = {
                "get": {"responses": {"200": {"schema": listed}}}
            }
            found[f"/apis/{group}/v1/{plural}/{{name}}"] = {
                "get": {"responses": {"200": {"schema": item}}}
            }
        if watch_paths:
            found[f"/apis/{group}/v1/watch/gadgets"] = {
                "get": {"responses": {"200": {"schema": item}}}
            }
        return found

    verbs = {}
    for group, watch_paths in (("writes.io", True), ("omits.io", False)):
        package, _ = parse(
            minimal_spec(definitions, paths(group, watch_paths)), None, "p", "0" * 64
        )
        for r in (r for mod in package.modules for r in mod.resources):
            verbs[(group, r.plural)] = r.verbs
    assert verbs == {
        ("writes.io", "gadgets"): ("get", "list", "watch"),
        ("writes.io", "statuses"): ("get", "list"),
        ("omits.io", "gadgets"): ("get", "list", "watch"),
        ("omits.io", "statuses"): ("get", "list", "watch"),
    }


def test_what_discovery_leaves_out_is_reported() -> None:
    """Discovery is the truth when generating from a server: a resource the spec has but
    discovery does not list gets no client, and its operations say why; a resource
    discovery lists but no definition describes is a warning."""
    item = {"$ref": "#/definitions/x.v1.Gadget"}
    gadget = {"group": "x.io", "version": "v1", "kind": "Gadget"}
    paths = {
        "/apis/x.io/v1/gadgets/{name}": {
            "get": {"responses": {"200": {"schema": item}}},
            "delete": {"responses": {"200": {"schema": item}}},
        },
        "/apis/x.io/v1/widgets/{name}": {"get": {"responses": {"200": {"schema": item}}}},
    }
    definitions = {
        "x.v1.Gadget": {
            "type": "object",
            "x-kubernetes-group-version-kind": [gadget],
            "properties": {"a": {"type": "string"}},
        }
    }
    discovery = {
        "x.io/v1": {
            "kind": "APIResourceList",
            "groupVersion": "x.io/v1",
            "resources": [
                {"name": "widgets", "namespaced": False, "kind": "Gadget", "verbs": ["get"]},
                {"name": "gizmos", "namespaced": True, "kind": "Gizmo", "verbs": ["get"]},
            ],
        }
    }
    package, warnings = parse(minimal_spec(definitions, paths), discovery, "pkg", "0" * 64)
    resources = {r.plural for mod in package.modules for r in mod.resources}
    assert resources == {"widgets"}
    assert sorted((s.path, s.method, s.reason, s.category) for s in package.skipped) == [
        ("/apis/x.io/v1/gadgets/{name}", method, why, "not served")
        for method in ("delete", "get")
        for why in ["discovery of x.io/v1 does not list gadgets"]
    ]
    assert [str(w) for w in warnings] == [
        "warning: discovery x.io/v1: gizmos (kind Gizmo) is served, but no definition has its"
        " kind (no client for it; use Client.request())"
    ]


def test_serve_generate_and_use_a_go_restful_api(tmp_path: Path) -> None:
    """`kubeforge serve --spec` the fixture, `kubeforge generate` from it, and create and get
    through the generated typed client; kubectl, reading the served discovery, sees the result."""
    with serve("--spec", str(GO_RESTFUL)) as (kubeconfig, _):
        config = yaml.safe_load(kubeconfig.read_text())
        cluster, user = config["clusters"][0]["cluster"], config["users"][0]["user"]
        generate = [sys.executable, "-m", "kubeforge", "generate", "--quiet"]
        server = ["--server", cluster["server"], "--ca-file", cluster["certificate-authority"]]
        where = [*server, "--token", user["token"], "--out", str(tmp_path), "--package", "shop"]
        result = subprocess.run([*generate, *where], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        sys.path.insert(0, str(tmp_path))
        try:
            shop = importlib.import_module("shop")
            from shop.meta_v1 import ObjectMeta  # type: ignore[import-not-found]
            from shop.shop_example_v1alpha1 import Widget, WidgetSpec  # type: ignore[import-not-found]

            fresh = Widget(metadata=ObjectMeta(name="w1"), spec=WidgetSpec(size=3, color="red"))
            assert fresh.to_dict()["apiVersion"] == "shop.example.com/v1alpha1"
            assert fresh.to_dict()["kind"] == "Widget"
            assert shop.model_for("shop.example.com/v1alpha1", "Widget") is Widget
            with shop.Client(shop.load_config(str(kubeconfig))) as kube:
                widgets = kube.shop_example_v1alpha1.widgets("default")
                made = widgets.create(fresh)
                assert isinstance(made, Widget) and made.metadata.uid
                got = widgets.get("w1")
                assert isinstance(got.spec, WidgetSpec)
                assert (got.spec.size, got.spec.color) == (3, "red")
                assert [w.metadata.name for w in widgets.list()] == ["w1"]
        finally:
            sys.path.remove(str(tmp_path))
            for name in [m for m in sys.modules if m == "shop" or m.startswith("shop.")]:
                del sys.modules[name]
        kubectl = [kubectl_binaries()["kubectl"], f"--kubeconfig={kubeconfig}"]
        cache = f"--cache-dir={tmp_path / 'kubectl-cache'}"
        shown = subprocess.run(
            [*kubectl, cache, "get", "widgets", "-n", "default", "-o", "json"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert shown.returncode == 0, shown.stderr
        (stored,) = json.loads(shown.stdout)["items"]
        assert stored["kind"] == "Widget" and stored["apiVersion"] == "shop.example.com/v1alpha1"
        assert stored["spec"] == {"size": 3, "color": "red"}
