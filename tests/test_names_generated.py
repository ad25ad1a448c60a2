"""Acceptance 4: awkward property names are reachable and encode back; collisions are reported."""

from __future__ import annotations

import importlib
import json
from typing import Any

from helpers import GeneratePackage, minimal_spec

from kubeforge.parse import parse

AWKWARD = ["from", "continue", "not", "except", "$ref", "$schema", "x-kubernetes-list-type", "int"]


def _awkward_spec() -> dict[str, Any]:
    props = {wire: {"type": "string", "description": f"the {wire} field"} for wire in AWKWARD}
    return minimal_spec(
        {
            "io.example.v1.Awkward": {"type": "object", "properties": props},
            "io.example.v1.Foo-Bar": {"type": "object", "properties": {"a": {"type": "string"}}},
            "io.example.v1.Foo_Bar": {"type": "object", "properties": {"b": {"type": "integer"}}},
            "io.example.v1.Twins": {
                "type": "object",
                "properties": {"foo-bar": {"type": "string"}, "foo_bar": {"type": "integer"}},
            },
        }
    )


def test_awkward_names_are_reachable_and_encode_to_wire_names(
    generate_package: GeneratePackage,
) -> None:
    generate_package(_awkward_spec(), "awkward_pkg")
    cls = importlib.import_module("awkward_pkg.example_v1").Awkward
    obj = cls(
        from_="a",
        continue_="b",
        not_="c",
        except_="d",
        ref="e",
        schema="f",
        x_kubernetes_list_type="g",
        int_="h",
    )
    assert json.loads(obj.to_json()) == {
        "from": "a",
        "continue": "b",
        "not": "c",
        "except": "d",
        "$ref": "e",
        "$schema": "f",
        "x-kubernetes-list-type": "g",
        "int": "h",
    }
    decoded = cls.from_json(obj.to_json())
    assert (decoded.from_, decoded.ref, decoded.schema, decoded.x_kubernetes_list_type) == (
        "a",
        "e",
        "f",
        "g",
    )
    decoded.not_ = "changed"
    assert json.loads(decoded.to_json())["not"] == "changed"


def test_the_real_spec_names_are_sanitised(bundled_spec: Any) -> None:
    from kubeapi.apiextensions_v1 import JSONSchemaProps
    from kubeapi.meta_v1 import ListMeta
    from kubeapi.networking_v1 import IPBlock, NetworkPolicyIngressRule, NetworkPolicyPeer

    props = JSONSchemaProps(ref="#/x", schema="s", not_=JSONSchemaProps(type="string"))
    props.x_kubernetes_list_type = "map"
    assert json.loads(props.to_json()) == {
        "$ref": "#/x",
        "$schema": "s",
        "not": {"type": "string"},
        "x-kubernetes-list-type": "map",
    }
    rule = NetworkPolicyIngressRule(
        from_=[NetworkPolicyPeer(ip_block=IPBlock(cidr="10.0.0.0/8", except_=["10.1.0.0/16"]))]
    )
    assert json.loads(rule.to_json()) == {
        "from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}]
    }
    assert ListMeta.from_json(b'{"continue": "tok"}').continue_ == "tok"


def test_colliding_names_are_reported_and_the_wire_name_that_is_already_python_keeps_it() -> None:
    package, warnings = parse(_awkward_spec(), None, "p", "sha")
    models = {m.key: m for mod in package.modules for m in mod.models}
    assert models["io.example.v1.Foo-Bar"].name == "FooBar"
    assert models["io.example.v1.Foo_Bar"].name == "FooBar_2"
    twins = {f.wire: f.name for f in models["io.example.v1.Twins"].fields}
    # `foo_bar` on the wire is `foo_bar` in Python; `foo-bar`, sorted first, yields to it.
    assert twins == {"foo-bar": "foo_bar_2", "foo_bar": "foo_bar"}
    texts = [str(w) for w in warnings]
    assert any("io.example.v1.Foo_Bar" in t and "named FooBar_2" in t for t in texts), texts
    assert any("Twins/properties/foo-bar" in t and "named foo_bar_2" in t for t in texts), texts
    again, _ = parse(_awkward_spec(), None, "p", "sha")
    assert again == package


def test_collisions_resolve_the_same_whatever_the_key_order() -> None:
    document = _awkward_spec()
    reversed_doc = dict(document, definitions=dict(reversed(list(document["definitions"].items()))))
    assert parse(document, None, "p", "sha")[0] == parse(reversed_doc, None, "p", "sha")[0]
