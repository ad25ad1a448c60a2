"""A CRD's REST operations as kube-apiserver publishes them, judged against Kubernetes' own
spec: a custom resource shaped like a built-in kind must get the built-in kind's paths,
operation ids, actions, descriptions, tags and parameters, except where apiextensions-apiserver
is known to build them differently."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kubeforge import crd_paths, source
from kubeforge.crd import Served

Json = dict[str, Any]
METHODS = ("get", "put", "post", "delete", "patch")


def _served(**changes: Any) -> Served:
    fields: Json = {
        "group": "batch",
        "version": "v1",
        "kind": "CronJob",
        "list_kind": "CronJobList",
        "plural": "cronjobs",
        "singular": "cronjob",
        "namespaced": True,
        "short_names": (),
        "categories": (),
        "subresources": ("status",),
        "storage": True,
    }
    return Served(**{**fields, **changes})


@pytest.fixture(scope="module")
def kubernetes() -> Json:
    return source.bundled().document


def _resolved(spec: Json, params: list[Json]) -> dict[tuple[str, str], Json]:
    """Parameters by (name, in), `#/parameters/` references followed."""
    out = {}
    for param in params:
        if "$ref" in param:
            param = spec["parameters"][param["$ref"].rsplit("/", 1)[-1]]
        out[param["name"], param["in"]] = param
    return out


def _as_builtin(paths: Json) -> Json:
    """Our CronJob's paths with its definitions named as Kubernetes names its own
    (`batch.v1.CronJob` is `io.k8s.api.batch.v1.CronJob` there)."""
    text = json.dumps(paths).replace(
        '"#/definitions/batch.v1.', '"#/definitions/io.k8s.api.batch.v1.'
    )
    result: Json = json.loads(text)
    return result


def _builtin_cronjob_paths(kubernetes: Json) -> dict[str, Json]:
    return {
        path: item
        for path, item in kubernetes["paths"].items()
        if "/watch/" not in path
        and path.startswith("/apis/batch/v1/")
        and path.rstrip("/").split("/{name}")[0].endswith("cronjobs")
    }


def test_a_crd_shaped_like_a_builtin_gets_its_paths_ids_actions_and_descriptions(
    kubernetes: Json,
) -> None:
    builtin = _builtin_cronjob_paths(kubernetes)
    ours = _as_builtin(crd_paths.paths([_served()]))
    assert sorted(ours) == sorted(builtin)
    for path, item in builtin.items():
        assert sorted(ours[path]) == sorted(item), path
        for method in set(item) & set(METHODS):
            want, got = item[method], ours[path][method]
            # The custom resource handler lists in fewer words.
            assert got["description"] == want["description"].replace("list or watch", "list")
            for key in (
                "operationId",
                "tags",
                "x-kubernetes-action",
                "x-kubernetes-group-version-kind",
                "schemes",
            ):
                assert got[key] == want[key], (path, method, key)


def test_parameters_are_the_builtin_ones_where_the_crd_builder_agrees(kubernetes: Json) -> None:
    """apiextensions-apiserver differs in two places: a read takes GetOptions
    (`resourceVersion`), and a deletecollection takes all of ListOptions (`watch` and
    `allowWatchBookmarks` too) but no DeleteOptions; everything else is the built-in's,
    word for word."""
    builtin = _builtin_cronjob_paths(kubernetes)
    ours = _as_builtin(crd_paths.paths([_served()]))
    for path, item in builtin.items():
        assert _resolved(kubernetes, ours[path]["parameters"]) == _resolved(
            kubernetes, item.get("parameters", [])
        ), path
        for method in set(item) & set(METHODS):
            want = _resolved(kubernetes, item[method].get("parameters", []))
            got = _resolved(kubernetes, ours[path][method].get("parameters", []))
            action = item[method]["x-kubernetes-action"]
            if action == "get":
                assert set(got) - set(want) == {("resourceVersion", "query")}, path
                want[("resourceVersion", "query")] = got[("resourceVersion", "query")]
            if action == "deletecollection":
                want = {k: v for k, v in want.items() if k[0] not in _DELETE_OPTIONS}
                listing = _resolved(kubernetes, item["get"].get("parameters", []))
                for key in (("allowWatchBookmarks", "query"), ("watch", "query")):
                    want[key] = listing[key]
            assert got == want, (path, method)
            names = [p.get("name") for p in ours[path][method].get("parameters", [])]
            assert names == sorted(names), (path, method)


_DELETE_OPTIONS = {
    "body",
    "dryRun",
    "gracePeriodSeconds",
    "ignoreStoreReadErrorWithClusterBreakingPotential",
    "orphanDependents",
    "propagationPolicy",
}


def test_media_types_and_answers_are_the_custom_resource_handler_s() -> None:
    ours = crd_paths.paths([_served()])
    item = ours["/apis/batch/v1/namespaces/{namespace}/cronjobs/{name}"]
    # No strategic merge patch, no protobuf, no CBOR for custom resources.
    assert item["patch"]["consumes"] == [
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/apply-patch+yaml",
    ]
    for method in ("get", "put", "delete"):
        assert item[method]["consumes"] == ["application/json", "application/yaml"]
        assert item[method]["produces"] == ["application/json", "application/yaml"]
    codes = {m: sorted(item[m]["responses"]) for m in ("get", "put", "delete", "patch")}
    assert codes == {
        "get": ["200", "401"],
        "put": ["200", "201", "401"],
        "delete": ["200", "202", "401"],
        "patch": ["200", "401"],
    }
    post = ours["/apis/batch/v1/namespaces/{namespace}/cronjobs"]["post"]
    assert sorted(post["responses"]) == ["200", "201", "202", "401"]
    body = {p["name"]: p for p in item["delete"]["parameters"]}["body"]
    assert "required" not in body  # DeleteOptions may be left out


def test_scale_answers_with_a_scale_but_names_the_custom_kind() -> None:
    ours = crd_paths.paths([_served(subresources=("status", "scale"))])
    scale = ours["/apis/batch/v1/namespaces/{namespace}/cronjobs/{name}/scale"]
    scale_ref = {"$ref": "#/definitions/io.k8s.api.autoscaling.v1.Scale"}
    assert scale["get"]["responses"]["200"]["schema"] == scale_ref
    bodies = {m: {p["name"]: p for p in scale[m]["parameters"]}["body"] for m in ("put", "patch")}
    assert bodies["put"]["schema"] == scale_ref
    assert bodies["patch"]["schema"] == {
        "$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch"
    }
    assert scale["get"]["operationId"] == "readBatchV1NamespacedCronJobScale"
    gvk = {"group": "batch", "kind": "CronJob", "version": "v1"}
    assert all(scale[m]["x-kubernetes-group-version-kind"] == gvk for m in ("get", "put", "patch"))


def test_operation_ids_are_unique_across_versions_groups_and_scopes() -> None:
    served = [
        _served(group="stable.example.com", version=v, kind="CronTab", plural="crontabs")
        for v in ("v1", "v1beta1", "v2alpha1")
    ]
    served.append(_served(group="k8s.nginx.org", version="v1", kind="CronTab", plural="crontabs"))
    served.append(
        _served(
            group="gateway.networking.k8s.io",
            kind="Gateway",
            plural="gateways",
            namespaced=False,
            subresources=("status", "scale"),
        )
    )
    ids = [
        op["operationId"]
        for item in crd_paths.paths(served).values()
        for method, op in item.items()
        if method != "parameters"
    ]
    assert len(ids) == len(set(ids))
    assert "listStableExampleComV1beta1NamespacedCronTab" in ids
    assert "readK8sNginxOrgV1NamespacedCronTabStatus" in ids
    # Like Kubernetes' own groups, `.k8s.io` is left out; cluster-scoped names lack "Namespaced".
    assert "patchGatewayNetworkingV1GatewayScale" in ids
    assert "deleteGatewayNetworkingV1CollectionGateway" in ids
