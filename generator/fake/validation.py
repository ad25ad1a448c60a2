"""Request bodies checked against the spec's schema, as the API server checks them.

jsonschema finds wrong types and missing required fields (422 Invalid, one cause per
field). Fields the schema does not know are handled per `fieldValidation`: Strict fails
with 400, Warn (the default) drops them with a Warning header, Ignore drops them silently;
schemas with `x-kubernetes-preserve-unknown-fields` keep everything below them.
"""

from __future__ import annotations

import copy
from typing import Any

from jsonschema import Draft4Validator

from kubeforge.diagnostics import json_path, pointer_key
from kubeforge.fake import status

Json = dict[str, Any]
_REF = "#/definitions/"
# Kubernetes types whose wire form is wider than their v2 `type` says.
_WIDER = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
        "anyOf": [{"type": "integer"}, {"type": "string"}]
    },
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {
        "anyOf": [{"type": "number"}, {"type": "string"}]
    },
}


def _without_nulls(value: Any) -> Any:
    """null means "not set" to the API server; jsonschema would call it a wrong type."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _widen(schema: Any) -> Any:
    if isinstance(schema, dict):
        if schema.get("x-kubernetes-int-or-string"):
            return {"anyOf": [{"type": "integer"}, {"type": "string"}]}
        return {k: _widen(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_widen(v) for v in schema]
    return schema


class Validator:
    """Validation against the definitions of one spec document."""

    def __init__(self, definitions: Json) -> None:
        self.definitions = definitions
        self._schemas = {**{k: _widen(v) for k, v in definitions.items()}, **_WIDER}
        self._validators: dict[str, Draft4Validator] = {}

    def _validator(self, model: str) -> Draft4Validator:
        found = self._validators.get(model)
        if found is None:
            ref = json_path("definitions", model)
            found = Draft4Validator({"$ref": ref, "definitions": self._schemas})
            self._validators[model] = found
        return found

    def check(
        self, model: str, kind: str, group: str, obj: Json, mode: str
    ) -> tuple[Json, list[str]]:
        """The object with unknown fields handled, and the warnings; raises on invalid bodies."""
        if model not in self.definitions:
            return obj, []
        unknown: list[str] = []
        pruned = self._prune(copy.deepcopy(obj), self.definitions[model], "", unknown)
        if unknown and mode == "Strict":
            raise status.bad_request(
                "strict decoding error: " + ", ".join(f'unknown field "{u}"' for u in unknown)
            )
        causes = []
        for error in sorted(
            self._validator(model).iter_errors(_without_nulls(pruned)),
            key=lambda e: list(e.absolute_path),
        ):
            field = ".".join(str(p) for p in error.absolute_path)
            if error.validator == "required":
                missing = error.message.split("'")[1] if "'" in error.message else ""
                field = f"{field}.{missing}" if field else missing
                causes.append(
                    {"reason": "FieldValueRequired", "message": "Required value", "field": field}
                )
            else:
                value = error.instance if not isinstance(error.instance, (dict, list)) else "object"
                message = f'Invalid value: "{value}": {field} in body {_reason(error)}'
                causes.append({"reason": "FieldValueInvalid", "message": message, "field": field})
        if causes:
            name = str((obj.get("metadata") or {}).get("name", ""))
            raise status.invalid(kind, group, name, causes)
        warnings = [f'unknown field "{u}"' for u in unknown] if mode == "Warn" else []
        return pruned, warnings

    def _resolve(self, schema: Json) -> Json:
        seen = 0
        while "$ref" in schema and seen < 50:
            schema = self.definitions.get(pointer_key(str(schema["$ref"])[len(_REF) :]), {})
            seen += 1
        if "allOf" in schema and len(schema["allOf"]) == 1:
            return self._resolve(schema["allOf"][0])
        return schema

    def _prune(self, value: Any, schema: Json, path: str, unknown: list[str]) -> Any:
        schema = self._resolve(schema)
        if schema.get("x-kubernetes-preserve-unknown-fields"):
            return value
        if isinstance(value, dict):
            props = schema.get("properties")
            extra = schema.get("additionalProperties")
            for key in list(value):
                where = f"{path}.{key}" if path else key
                if props is not None and key in props:
                    value[key] = self._prune(value[key], props[key], where, unknown)
                elif isinstance(extra, dict):
                    value[key] = self._prune(value[key], extra, where, unknown)
                elif props is not None and extra is None and key not in ("apiVersion", "kind"):
                    unknown.append(where)
                    del value[key]
        elif isinstance(value, list) and isinstance(schema.get("items"), dict):
            return [
                self._prune(v, schema["items"], f"{path}[{i}]", unknown)
                for i, v in enumerate(value)
            ]
        return value


def _reason(error: Any) -> str:
    if error.validator == "type":
        return f'must be of type {error.validator_value}: "{error.instance}"'
    if error.validator == "enum":
        return "must be one of " + ", ".join(f'"{v}"' for v in error.validator_value)
    return str(error.message)
