"""Custom resources behave as on a real server: structural defaults, CEL rules, list uniqueness.

tests/crds/rules.yaml is registered over HTTP; the expected bodies are kube-apiserver's
(apiextensions-apiserver's defaulting, validation and CEL packages, apimachinery's field
errors): 422 Invalid, one cause per field error, the message `<Kind>.<group> "<name>" is
invalid: ...` with several errors bracketed and comma-joined.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from kubeforge.fake import FakeServer, cel

RULES = Path(__file__).parents[1] / "crds/rules.yaml"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
PIPELINES = "/apis/ci.example.com/v1/namespaces/default/pipelines"
MERGE = {"Content-Type": "application/merge-patch+json"}
JSON_PATCH = {"Content-Type": "application/json-patch+json"}
APPLY = {"Content-Type": "application/apply-patch+yaml"}
# What the fixture's defaults make of `spec: {size: 3}`.
DEFAULTED = {
    "size": 3,
    "mode": "Safe",
    "policy": "Auto",
    "minReplicas": 1,
    "maxReplicas": 3,
    "retries": 2,
    "notes": "none",
    "port": 8080,
}


def crd() -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load(RULES.read_text())
    return found


@pytest.fixture
def api(fake_api: FakeServer, http: httpx.Client) -> Iterator[httpx.Client]:
    """The fake server with the Pipeline CRD registered."""
    created = http.post(CRDS, json=crd())
    assert created.status_code == 201, created.text
    yield http


def pipeline(spec: dict[str, Any], name: str = "p", **rest: Any) -> dict[str, Any]:
    return {
        "apiVersion": "ci.example.com/v1",
        "kind": "Pipeline",
        "metadata": {"name": name},
        "spec": spec,
        **rest,
    }


def create(
    api: httpx.Client, spec: dict[str, Any], name: str = "p", **query: str
) -> httpx.Response:
    return api.post(PIPELINES, json=pipeline(spec, name), params=query)


def assert_invalid(response: httpx.Response, name: str, causes: list[tuple[str, str, str]]) -> None:
    """A 422 whose causes are (reason, field, message), in order, and whose message joins them."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["kind"], body["status"], body["reason"], body["code"]) == (
        "Status",
        "Failure",
        "Invalid",
        422,
    )
    assert body["details"] == {
        "name": name,
        "group": "ci.example.com",
        "kind": "Pipeline",
        "causes": [{"reason": r, "field": f, "message": m} for r, f, m in causes],
    }
    errors = [f"{f}: {m}" for _, f, m in causes]
    joined = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
    assert body["message"] == f'Pipeline.ci.example.com "{name}" is invalid: {joined}'


# ------------------------------------------------------------ defaults


def test_create_applies_defaults_at_every_depth_where_the_parent_exists(api: httpx.Client) -> None:
    created = create(
        api,
        {
            "size": 3,
            "stages": [{"name": "build"}, {"name": "test", "resources": {"memory": "1Gi"}}],
            "template": {"apiVersion": "batch/v1", "kind": "Job", "spec": {"parallelism": 2}},
            "extra": {"anything": {"goes": True}},
        },
    )
    assert created.status_code == 201, created.text
    stored = api.get(f"{PIPELINES}/p").json()
    assert stored["spec"] == {
        **DEFAULTED,
        "stages": [
            # resources defaults to {}, and then its own cpu default applies inside it.
            {
                "name": "build",
                "image": "busybox:1.36",
                "timeoutSeconds": 60,
                "resources": {"cpu": "100m"},
            },
            {
                "name": "test",
                "image": "busybox:1.36",
                "timeoutSeconds": 60,
                "resources": {"memory": "1Gi", "cpu": "100m"},
            },
        ],
        # Inside an embedded resource that preserves unknown fields: kept, and defaulted.
        "template": {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "spec": {"parallelism": 2, "backoffLimit": 0},
        },
        "extra": {"anything": {"goes": True}},
    }
    assert created.json()["spec"] == stored["spec"]
    # No default reaches an object whose parent is absent: status was never written.
    assert "status" not in stored


def test_nulls_keep_a_nullable_field_and_default_the_others(api: httpx.Client) -> None:
    created = create(api, {"size": 3, "notes": None, "retries": None, "owner": None})
    assert created.status_code == 201, created.text
    spec = api.get(f"{PIPELINES}/p").json()["spec"]
    assert spec == {**DEFAULTED, "notes": None}  # owner: null had no default, so it is dropped


def test_update_and_patch_default_what_they_remove(api: httpx.Client) -> None:
    assert create(api, {"size": 3, "minReplicas": 2, "retries": 5}).status_code == 201
    current = api.get(f"{PIPELINES}/p").json()
    del current["spec"]["minReplicas"]
    updated = api.put(f"{PIPELINES}/p", json=current)
    assert updated.status_code == 200, updated.text
    assert updated.json()["spec"]["minReplicas"] == 1
    patched = api.patch(f"{PIPELINES}/p", json={"spec": {"retries": None}}, headers=MERGE)
    assert patched.status_code == 200, patched.text
    assert api.get(f"{PIPELINES}/p").json()["spec"] == {**DEFAULTED}


def test_objects_stored_before_a_default_existed_read_with_it(api: httpx.Client) -> None:
    created = create(api, {"size": 3}).json()
    changed = crd()
    current = api.get(f"{CRDS}/pipelines.ci.example.com").json()
    spec = changed["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    spec["properties"]["queue"] = {"type": "string", "default": "shared"}
    del spec["properties"]["retries"]  # and a field the new schema drops is pruned on read
    changed["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
    assert api.put(f"{CRDS}/pipelines.ci.example.com", json=changed).status_code == 200

    read = api.get(f"{PIPELINES}/p").json()
    expected = {k: v for k, v in DEFAULTED.items() if k != "retries"}
    assert read["spec"] == {**expected, "queue": "shared"}
    assert read["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    listed = api.get(PIPELINES).json()["items"]
    assert [item["spec"] for item in listed] == [read["spec"]]


# ------------------------------------------------------------ CEL rules


def test_a_rule_on_an_object_refuses_what_it_does_not_hold_for(api: httpx.Client) -> None:
    refused = create(api, {"size": 20})
    assert_invalid(
        refused,
        "p",
        [("FieldValueInvalid", "spec", 'Invalid value: "object": failed rule: self.size < 10')],
    )
    assert api.get(f"{PIPELINES}/p").status_code == 404
    assert create(api, {"size": 9}).status_code == 201


def test_message_expression_field_path_and_reasons(api: httpx.Client) -> None:
    refused = create(
        api,
        {
            "size": 3,
            "minReplicas": 5,
            "maxReplicas": 2,
            "policy": "Manual",
            "labels": {"kubernetes.io/owner": "ci"},
        },
    )
    assert_invalid(
        refused,
        "p",
        [
            (
                "FieldValueInvalid",
                "spec.minReplicas",
                'Invalid value: "object": minReplicas (5) must not exceed maxReplicas (2)',
            ),
            (
                "FieldValueRequired",
                "spec.approvers",
                "Required value: approvers are required for a Manual policy",
            ),
            ("FieldValueForbidden", "spec.labels", "Forbidden: kubernetes.io/ labels are reserved"),
        ],
    )
    duplicate = create(api, {"size": 3, "policy": "Manual", "approvers": ["ann", "Ann"]})
    assert_invalid(
        duplicate, "p", [("FieldValueDuplicate", "spec.approvers", 'Duplicate value: "array"')]
    )


def test_rules_run_at_every_depth_with_self_bound_to_their_node(api: httpx.Client) -> None:
    refused = create(
        api,
        {
            "size": 3,
            "max-parallel": 9,
            "ratio": 2,
            "owner": "Bob",
            "tags": ["b", "a"],
            "labels": {"team": "x" * 64},
            "stages": [{"name": "build", "timeoutSeconds": 0}],
            "template": {"apiVersion": "v1", "kind": "Pod"},
        },
        name="a-name-over-twenty-chars",
    )
    assert_invalid(
        refused,
        "a-name-over-twenty-chars",
        [
            # the root: self is the whole object, metadata reduced to name and generateName
            (
                "FieldValueInvalid",
                "<nil>",
                'Invalid value: "object": pipeline names are at most 20 characters',
            ),
            # a hyphenated property, reached as self.max__dash__parallel
            (
                "FieldValueInvalid",
                "spec",
                'Invalid value: "object": max-parallel may not exceed maxReplicas',
            ),
            ("FieldValueInvalid", "spec.ratio", 'Invalid value: "number": ratio is a fraction'),
            (
                "FieldValueInvalid",
                "spec.owner",
                'Invalid value: "string": owner Bob is not an example.com address',
            ),
            ("FieldValueInvalid", "spec.tags", 'Invalid value: "array": tags must be sorted'),
            (
                "FieldValueInvalid",
                "spec.labels[team]",
                'Invalid value: "string": label values are at most 63 characters',
            ),
            (
                "FieldValueInvalid",
                "spec.stages[0].timeoutSeconds",
                'Invalid value: "integer": timeoutSeconds must be positive',
            ),
            (
                "FieldValueInvalid",
                "spec.template",
                'Invalid value: "object": a pipeline runs Jobs, not Pod',
            ),
        ],
    )
    # A `number` written as 1 is a double to CEL, so `self <= 1.0` holds for it.
    assert (
        create(
            api, {"size": 3, "ratio": 1, "owner": "bob@example.com", "tags": ["a", "b"]}
        ).status_code
        == 201
    )


def test_a_transition_rule_runs_only_on_update(api: httpx.Client) -> None:
    assert create(api, {"size": 3, "mode": "Fast"}).status_code == 201  # no old value: not run
    refused = api.patch(f"{PIPELINES}/p", json={"spec": {"mode": "Safe"}}, headers=MERGE)
    assert_invalid(
        refused,
        "p",
        [("FieldValueInvalid", "spec.mode", 'Invalid value: "string": mode is immutable')],
    )
    assert api.get(f"{PIPELINES}/p").json()["spec"]["mode"] == "Fast"
    kept = api.patch(f"{PIPELINES}/p", json={"spec": {"size": 4}}, headers=MERGE)
    assert kept.status_code == 200, kept.text


def test_status_rules_with_old_self_and_optional_old_self(api: httpx.Client) -> None:
    assert create(api, {"size": 3}).status_code == 201
    current = api.get(f"{PIPELINES}/p").json()
    done = api.put(
        f"{PIPELINES}/p/status",
        json={**current, "status": {"phase": "Done", "observedGeneration": 3}},
    )
    assert done.status_code == 200, done.text
    assert api.get(f"{PIPELINES}/p").json()["status"] == {"phase": "Done", "observedGeneration": 3}
    current = done.json()
    back = api.put(
        f"{PIPELINES}/p/status",
        json={**current, "status": {"phase": "Running", "observedGeneration": 2}},
    )
    assert_invalid(
        back,
        "p",
        [
            (
                "FieldValueInvalid",
                "status.phase",
                'Invalid value: "string": a finished pipeline stays Done',
            ),
            (
                "FieldValueInvalid",
                "status.observedGeneration",
                'Invalid value: "integer": observedGeneration may not go back',
            ),
        ],
    )


def test_rules_are_checked_with_every_field_validation_mode(api: httpx.Client) -> None:
    for mode in ("Strict", "Warn", "Ignore"):
        refused = create(api, {"size": 11}, fieldValidation=mode)
        assert_invalid(
            refused,
            "p",
            [("FieldValueInvalid", "spec", 'Invalid value: "object": failed rule: self.size < 10')],
        )
    warned = create(api, {"size": 3, "unknown": 1}, fieldValidation="Warn")
    assert warned.status_code == 201 and "unknown" not in warned.json()["spec"]
    assert warned.headers.get_list("Warning") == ['299 - "unknown field \\"spec.unknown\\""']
    strict = api.patch(
        f"{PIPELINES}/p",
        json={"spec": {"unknown": 1}},
        headers=MERGE,
        params={"fieldValidation": "Strict"},
    )
    assert strict.status_code == 400
    assert strict.json()["message"] == 'strict decoding error: unknown field "spec.unknown"'


def test_every_patch_flavour_is_checked_and_defaulted(api: httpx.Client) -> None:
    assert create(api, {"size": 3}).status_code == 201
    merge = api.patch(f"{PIPELINES}/p", json={"spec": {"size": 12}}, headers=MERGE)
    jsonpatch = api.patch(
        f"{PIPELINES}/p",
        json=[{"op": "replace", "path": "/spec/size", "value": 12}],
        headers=JSON_PATCH,
    )
    applied = api.patch(
        f"{PIPELINES}/p",
        content=json.dumps(pipeline({"size": 12})),
        headers=APPLY,
        params={"fieldManager": "ci", "force": "true"},
    )
    for refused in (merge, jsonpatch, applied):
        assert_invalid(
            refused,
            "p",
            [("FieldValueInvalid", "spec", 'Invalid value: "object": failed rule: self.size < 10')],
        )
    assert api.get(f"{PIPELINES}/p").json()["spec"]["size"] == 3
    # A server-side apply that creates: the configuration need not be whole, the result is defaulted.
    made = api.patch(
        f"{PIPELINES}/q",
        content=json.dumps(pipeline({"size": 4, "stages": [{"name": "lint"}]}, "q")),
        headers=APPLY,
        params={"fieldManager": "ci"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["spec"] == {
        **DEFAULTED,
        "size": 4,
        "stages": [
            {
                "name": "lint",
                "image": "busybox:1.36",
                "timeoutSeconds": 60,
                "resources": {"cpu": "100m"},
            }
        ],
    }


# ------------------------------------------------------------ list types and blocking errors


def test_list_type_set_and_map_refuse_duplicates(api: httpx.Client) -> None:
    refused = create(
        api,
        {
            "size": 3,
            "tags": ["a", "b", "b"],
            "stages": [
                {"name": "build", "env": ["A=1", "A=1"]},
                {"name": "build", "image": "alpine"},
            ],
        },
    )
    assert_invalid(
        refused,
        "p",
        [
            ("FieldValueDuplicate", "spec.tags[2]", 'Duplicate value: "b"'),
            ("FieldValueDuplicate", "spec.stages[1]", 'Duplicate value: {"name":"build"}'),
            ("FieldValueDuplicate", "spec.stages[0].env[1]", 'Duplicate value: "A=1"'),
        ],
    )


def test_schema_errors_that_block_rules_say_so(api: httpx.Client) -> None:
    refused = create(api, {"size": "big", "minReplicas": 5, "maxReplicas": 2})
    assert_invalid(
        refused,
        "p",
        [
            (
                "FieldValueTypeInvalid",
                "spec.size",
                'Invalid value: "string": spec.size in body must be of type integer: "string"',
            ),
            (
                "FieldValueInvalid",
                "<nil>",
                'Invalid value: "null": some validation rules were not checked because the object '
                "was invalid; correct the existing errors to complete validation",
            ),
        ],
    )
    missing = create(api, {"mode": "Slow", "port": True})
    assert_invalid(
        missing,
        "p",
        [
            (
                "FieldValueNotSupported",
                "spec.mode",
                'Unsupported value: "Slow": supported values: "Fast", "Safe"',
            ),
            (
                "FieldValueTypeInvalid",
                "spec.port",
                'Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
            ),
            ("FieldValueRequired", "spec.size", "Required value"),
            (
                "FieldValueInvalid",
                "<nil>",
                'Invalid value: "null": some validation rules were not checked because the object '
                "was invalid; correct the existing errors to complete validation",
            ),
        ],
    )


def test_an_unchanged_value_may_keep_failing_a_rule_added_later(api: httpx.Client) -> None:
    assert create(api, {"size": 3, "owner": "bob@example.com"}).status_code == 201
    changed = crd()
    owner = changed["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"][
        "properties"
    ]["owner"]
    owner["x-kubernetes-validations"].append(
        {"rule": "self.startsWith('ci')", "message": "owners are ci accounts"}
    )
    changed["metadata"]["resourceVersion"] = api.get(f"{CRDS}/pipelines.ci.example.com").json()[
        "metadata"
    ]["resourceVersion"]
    assert api.put(f"{CRDS}/pipelines.ci.example.com", json=changed).status_code == 200

    # Validation ratcheting: the owner did not change, so its failure is a warning only.
    labelled = api.patch(f"{PIPELINES}/p", json={"spec": {"size": 4}}, headers=MERGE)
    assert labelled.status_code == 200, labelled.text
    assert labelled.headers.get_list("Warning") == [
        '299 - "spec.owner: Invalid value: \\"string\\": owners are ci accounts"'
    ]
    moved = api.patch(f"{PIPELINES}/p", json={"spec": {"owner": "ann@example.com"}}, headers=MERGE)
    assert_invalid(
        moved,
        "p",
        [("FieldValueInvalid", "spec.owner", 'Invalid value: "string": owners are ci accounts')],
    )


def test_rules_are_compiled_once_per_crd_not_per_request(api: httpx.Client) -> None:
    before = cel.compiled()
    for size in range(5):
        api.post(PIPELINES, json=pipeline({"size": size + 8}, f"p{size}"))
    api.patch(f"{PIPELINES}/p0", json={"spec": {"size": 1}}, headers=MERGE)
    assert cel.compiled() == before
    # and a CRD registered again with the same rules parses nothing anew
    again = copy.deepcopy(crd())
    again["metadata"]["name"] = "pipelines.cd.example.com"
    again["spec"]["group"] = "cd.example.com"
    assert api.post(CRDS, json=again).status_code == 201
    assert cel.compiled() == before


def test_rules_this_server_cannot_evaluate_are_logged_not_enforced(
    api: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    changed = crd()
    changed["metadata"]["name"] = "pipelines.cd.example.com"
    changed["spec"]["group"] = "cd.example.com"
    spec = changed["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    spec["x-kubernetes-validations"] = [
        {
            "rule": "self.?owner.orValue('') != 'root'"
        },  # optional syntax: cel-python cannot parse it
        {"rule": "quantity(string(self.size)).isLessThan(quantity('1'))"},  # no quantity library
        {"rule": "self.size < 10"},
    ]
    with caplog.at_level("WARNING", logger="kubeforge.fake"):
        assert api.post(CRDS, json=changed).status_code == 201
        path = "/apis/cd.example.com/v1/namespaces/default/pipelines"
        made = api.post(path, json={**pipeline({"size": 3}), "apiVersion": "cd.example.com/v1"})
        assert made.status_code == 201, made.text
        refused = api.post(
            path, json={**pipeline({"size": 11}, "q"), "apiVersion": "cd.example.com/v1"}
        )
    assert refused.status_code == 422  # the rules it can evaluate still hold
    logged = [r.getMessage() for r in caplog.records]
    assert any(
        "self.?owner" in m and "is not enforced: cel-python cannot parse" in m for m in logged
    ), logged
    assert any(
        "quantity(string" in m and "is not enforced: undeclared reference to" in m for m in logged
    ), logged
