"""Request bodies are validated against the schema, with the real server's answers."""

from __future__ import annotations

import httpx

DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"


def _deployment(**spec: object) -> dict[str, object]:
    template = {
        "metadata": {"labels": {"app": "a"}},
        "spec": {"containers": [{"name": "c", "image": "i"}]},
    }
    return {
        "metadata": {"name": "d"},
        "spec": {"selector": {"matchLabels": {"app": "a"}}, "template": template, **spec},
    }


def test_wrong_types_and_missing_required_fields_are_422_with_causes(http: httpx.Client) -> None:
    bad = _deployment(replicas="three")
    del bad["spec"]["selector"]  # type: ignore[index, attr-defined]
    answer = http.post(DEPLOYMENTS, json=bad)
    assert answer.status_code == 422
    status = answer.json()
    assert status["reason"] == "Invalid"
    assert status["message"].startswith('Deployment.apps "d" is invalid: ')
    causes = {c["field"]: c for c in status["details"]["causes"]}
    assert causes["spec.replicas"]["reason"] == "FieldValueInvalid"
    assert 'must be of type integer: "three"' in causes["spec.replicas"]["message"]
    assert causes["spec.selector"]["reason"] == "FieldValueRequired"


def test_unknown_fields_per_field_validation(http: httpx.Client) -> None:
    body = _deployment(surprise=1)
    strict = http.post(DEPLOYMENTS, params={"fieldValidation": "Strict"}, json=body)
    assert (strict.status_code, strict.json()["message"]) == (
        400,
        'Deployment in version "v1" cannot be handled as a Deployment: '
        'strict decoding error: unknown field "spec.surprise"',
    )
    warned = http.post(DEPLOYMENTS, json=body)
    assert warned.status_code == 201
    assert warned.headers["Warning"] == '299 - "unknown field \\"spec.surprise\\""'
    assert "surprise" not in warned.json()["spec"]
    http.delete(f"{DEPLOYMENTS}/d")
    ignored = http.post(DEPLOYMENTS, params={"fieldValidation": "Ignore"}, json=body)
    assert ignored.status_code == 201 and "Warning" not in ignored.headers


def test_nulls_int_or_string_and_quantities_are_accepted(http: httpx.Client) -> None:
    pod = {
        "metadata": {"name": "p", "deletionTimestamp": None},
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "image": "i",
                    "resources": {"limits": {"cpu": 1, "memory": "64Mi"}},
                    "readinessProbe": {"httpGet": {"port": "http"}},
                    "livenessProbe": {"httpGet": {"port": 8080}},
                }
            ]
        },
    }
    assert http.post("/api/v1/namespaces/default/pods", json=pod).status_code == 201
