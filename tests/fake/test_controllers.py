"""Controllers run on every stored change, whatever made it: the garbage collector follows
deletecollection, a namespace's deletion and a CRD's deletion, not only a DELETE of one
object."""

from __future__ import annotations

from typing import Any

import httpx

CM = "/api/v1/namespaces/{ns}/configmaps"


def _create(http: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = http.post(path, json=body)
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


def _owned(name: str, owner: dict[str, Any], **meta: Any) -> dict[str, Any]:
    ref = {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
    }
    return {"metadata": {"name": name, "ownerReferences": [ref], **meta}}


def _names(http: httpx.Client, path: str) -> list[str]:
    return [o["metadata"]["name"] for o in http.get(path).json()["items"]]


def test_deletecollection_collects_the_dependents_of_each_owner_it_deletes(
    http: httpx.Client,
) -> None:
    path = CM.format(ns="default")
    owners = {
        name: _create(http, path, {"metadata": {"name": name, "labels": {"app": app}}})
        for name, app in (("a1", "a"), ("a2", "a"), ("b1", "b"))
    }
    child = _create(http, path, _owned("a1-child", owners["a1"]))
    _create(http, path, _owned("a1-grandchild", child))
    _create(http, path, _owned("a2-child", owners["a2"]))
    _create(http, path, _owned("b1-child", owners["b1"]))

    assert http.delete(path, params={"labelSelector": "app=a"}).status_code == 200
    assert _names(http, path) == ["b1", "b1-child"]


def test_deletecollection_orphans_dependents_when_asked(http: httpx.Client) -> None:
    path = CM.format(ns="default")
    owner = _create(http, path, {"metadata": {"name": "owner", "labels": {"app": "a"}}})
    _create(http, path, _owned("child", owner))

    answer = http.request(
        "DELETE",
        path,
        params={"labelSelector": "app=a"},
        json={"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Orphan"},
    )
    assert answer.status_code == 200, answer.text
    assert _names(http, path) == ["child"]
    assert http.get(f"{path}/child").json()["metadata"]["ownerReferences"] == []


def test_deleting_a_namespace_collects_the_dependents_of_what_it_held(
    http: httpx.Client,
) -> None:
    namespace = _create(http, "/api/v1/namespaces", {"metadata": {"name": "team"}})
    held = _create(http, CM.format(ns="team"), {"metadata": {"name": "held"}})
    _create(http, CM.format(ns="team"), _owned("held-child", held))
    # The namespace's own dependent, cluster-scoped as a dependent of a namespace must be.
    roles = "/apis/rbac.authorization.k8s.io/v1/clusterroles"
    _create(http, roles, _owned("team-reader", namespace))
    # A reference across namespaces: kube-apiserver's collector would also remove this
    # dependent (its owner cannot be found in its own namespace); here it shows that the
    # objects the namespace takes with it go through the collector too.
    _create(http, CM.format(ns="default"), _owned("outside", held))

    assert http.delete("/api/v1/namespaces/team").status_code == 200
    assert _names(http, CM.format(ns="team")) == []
    assert "team-reader" not in _names(http, roles)
    assert _names(http, CM.format(ns="default")) == []


CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "gadgets.gc.example.com"},
    "spec": {
        "group": "gc.example.com",
        "scope": "Namespaced",
        "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {"openAPIV3Schema": {"type": "object"}},
            }
        ],
    },
}


def test_deleting_a_crd_collects_the_dependents_of_its_custom_objects(
    http: httpx.Client,
) -> None:
    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    _create(http, crds, CRD)
    gadget = _create(
        http, "/apis/gc.example.com/v1/namespaces/default/gadgets", {"metadata": {"name": "g"}}
    )
    _create(http, CM.format(ns="default"), _owned("made-by-g", gadget))

    assert http.delete(f"{crds}/{CRD['metadata']['name']}").status_code == 200
    assert _names(http, CM.format(ns="default")) == []
