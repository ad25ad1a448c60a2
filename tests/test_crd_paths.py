"""A CRD's REST operations as kube-apiserver publishes them, judged against Kubernetes' own
spec: a custom resource shaped like a built-in kind must get the built-in kind's paths,
operation ids, actions, descriptions, tags and parameters, except where apiextensions-apiserver
is known to build them differently. Then the fake server's /openapi/v2 and /openapi/v3 with
CRDs registered: no validator findings, and what kubectl looks for in v3."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml
from helpers import REPO
from openapi_spec_validator import OpenAPIV30SpecValidator

from kubeforge import crd_paths, source
from kubeforge.crd import Served
from kubeforge.fake import FakeServer
from kubeforge.validate import validator_findings

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


# ---------------------------------------------------------------- as the fake server serves them

CRDS = REPO / "tests/crds/kubectl-crds.yaml"
CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
PATCH_TYPES = {
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
}


@pytest.fixture(scope="module")
def crds() -> list[Json]:
    return [doc for doc in yaml.safe_load_all(CRDS.read_text()) if doc]


@pytest.fixture(scope="module")
def api(crds: list[Json]) -> Iterator[httpx.Client]:
    """A fake server with the CRDs of tests/crds/kubectl-crds.yaml registered over HTTPS."""
    with FakeServer() as server:
        verify = ssl.create_default_context(cafile=server.ca_file)
        headers = {"Authorization": f"Bearer {server.token}"}
        with httpx.Client(base_url=server.url, verify=verify, headers=headers) as client:
            for crd in crds:
                created = client.post(CRD_PATH, json=crd)
                assert created.status_code == 201, created.text
            yield client


def _reached(definitions: Json, roots: Any) -> Json:
    """The definitions `roots` refer to, directly or through each other."""
    found: Json = {}
    pending = [roots]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            ref = value.get("$ref", "")
            key = ref.removeprefix("#/definitions/")
            if ref.startswith("#/definitions/") and key not in found:
                found[key] = definitions[key]
                pending.append(definitions[key])
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return found


def test_the_served_v2_document_of_crds_has_no_validator_findings(
    api: httpx.Client, crds: list[Json]
) -> None:
    """The CRDs' paths and every definition they reach, exactly as /openapi/v2 serves them
    (checked apart from the built-ins, whose document takes the validator many seconds)."""
    spec = api.get("/openapi/v2").json()
    groups = tuple(f"/apis/{crd['spec']['group']}/" for crd in crds)
    paths = {p: item for p, item in spec["paths"].items() if p.startswith(groups)}
    assert len(paths) == 16  # CronTab 5 + 3, Backend 2, Pool 4 + 2
    document = {
        "swagger": "2.0",
        "info": spec["info"],
        "paths": paths,
        "definitions": _reached(spec["definitions"], paths),
    }
    assert validator_findings(document, "crd-paths", use_cache=False) == []
    ids = [op["operationId"] for item in paths.values() for m, op in item.items() if m in METHODS]
    assert len(ids) == len(set(ids))


def test_v3_documents_pass_the_validator_and_declare_field_validation(
    api: httpx.Client, crds: list[Json]
) -> None:
    index = api.get("/openapi/v3").json()["paths"]
    for crd in crds:
        spec = crd["spec"]
        for version in spec["versions"]:
            entry = index[f"apis/{spec['group']}/{version['name']}"]
            document = api.get(entry["serverRelativeURL"]).json()
            assert list(OpenAPIV30SpecValidator(document).iter_errors()) == []
            gvk = {
                "group": spec["group"],
                "kind": spec["names"]["kind"],
                "version": version["name"],
            }
            patches = [
                item["patch"]
                for item in document["paths"].values()
                if item.get("patch", {}).get("x-kubernetes-group-version-kind") == gvk
            ]
            assert patches, gvk
            for patch in patches:  # what kubectl looks for to leave validation to the server
                assert "fieldValidation" in {p["name"] for p in patch["parameters"]}
                assert set(patch["requestBody"]["content"]) == PATCH_TYPES
            schemas = document["components"]["schemas"]
            group = ".".join(reversed(spec["group"].split(".")))
            model = f"{group}.{version['name']}.{spec['names']['kind']}"
            assert schemas[model]["x-kubernetes-group-version-kind"] == [gvk]
            assert f"{model}List" in schemas


def test_v3_publishes_the_crd_version_s_own_schema(api: httpx.Client) -> None:
    """v3 keeps what v2 cannot say: nullable, anyOf, rules, defaults; int-or-string is
    spelled out as anyOf, as kube-apiserver's structural schemas unfold it."""
    crontab = api.get("/openapi/v3/apis/stable.example.com/v1").json()["components"]["schemas"]
    spec = crontab["com.example.stable.v1.CronTab"]["properties"]["spec"]["properties"]
    assert spec["timeout"] == {"type": "string", "nullable": True}
    assert spec["retries"]["anyOf"] == [{"type": "integer"}, {"type": "string"}]
    assert spec["port"] == {
        "x-kubernetes-int-or-string": True,
        "anyOf": [{"type": "integer"}, {"type": "string"}],
    }
    assert spec["env"]["x-kubernetes-list-map-keys"] == ["name"]
    v2 = api.get("/openapi/v2").json()["definitions"]["com.example.stable.v1.CronTab"]
    assert "nullable" not in v2["properties"]["spec"]["properties"]["timeout"]

    pool = api.get("/openapi/v3/apis/compute.example.net/v1").json()["components"]["schemas"]
    spec = pool["net.example.compute.v1.Pool"]["properties"]["spec"]
    assert spec["x-kubernetes-validations"][0]["rule"] == "self.minSize <= self.size"
    assert spec["properties"]["tier"]["default"] == "silver"
    assert spec["properties"]["zones"]["additionalProperties"]["properties"]["drain"] == {
        "type": "boolean",
        "nullable": True,
    }
    embedded = spec["properties"]["template"]
    assert {"apiVersion", "kind", "metadata"} <= set(embedded["properties"])
    assert embedded["properties"]["metadata"]["$ref"] == (
        "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    )
    beta = api.get("/openapi/v3/apis/compute.example.net/v1beta1").json()["components"]["schemas"]
    zones = beta["net.example.compute.v1beta1.Pool"]["properties"]["spec"]["properties"]["zones"]
    assert zones == {"type": "array", "items": {"type": "string"}}


def test_changing_one_crd_keeps_the_paths_of_another_in_its_group_version(
    api: httpx.Client,
) -> None:
    def crd(kind: str) -> Json:
        plural = kind.lower() + "s"
        schema = {"openAPIV3Schema": {"type": "object"}}
        return {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.shared.example.com"},
            "spec": {
                "group": "shared.example.com",
                "scope": "Cluster",
                "names": {"kind": kind, "plural": plural},
                "versions": [{"name": "v1", "served": True, "storage": True, "schema": schema}],
            },
        }

    for kind in ("Left", "Right"):
        assert api.post(CRD_PATH, json=crd(kind)).status_code == 201
    assert api.delete(f"{CRD_PATH}/lefts.shared.example.com").status_code == 200
    paths = sorted(p for p in api.get("/openapi/v2").json()["paths"] if "/shared." in p)
    assert paths == [
        "/apis/shared.example.com/v1/rights",
        "/apis/shared.example.com/v1/rights/{name}",
    ]
