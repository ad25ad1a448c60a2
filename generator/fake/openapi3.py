"""OpenAPI v3 documents per group-version, derived from the served v2 spec (what kubectl reads).

`/openapi/v3` is an index of `api/v1`, `apis/<group>/<version>`; each document holds that
group-version's paths and the schemas they reach, with v2's body parameters turned into
request bodies and `#/definitions/` references into `#/components/schemas/`. A custom
resource's schema is not derived from v2, which lost its v3 keywords (`nullable`, `anyOf`,
...): kube-apiserver publishes the CRD version's own schema in v3, and so does this, from the
schemas given beside the spec. kubectl leaves validation to the server (`fieldValidation`)
only when it finds that parameter on the kind's PATCH operation here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

Json = dict[str, Any]
_V2 = "#/definitions/"
_V3 = "#/components/schemas/"


def _schema(value: Any) -> Any:
    """A v2 schema as v3: only references change."""
    if isinstance(value, dict):
        out = {k: _schema(v) for k, v in value.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith(_V2):
            out["$ref"] = _V3 + ref[len(_V2) :]
        return out
    if isinstance(value, list):
        return [_schema(v) for v in value]
    return value


def _refs(value: Any, found: set[str], prefix: str) -> None:
    """Names of the schemas `value` refers to with `prefix` references."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith(prefix):
            found.add(ref[len(prefix) :])
        for v in value.values():
            _refs(v, found, prefix)
    elif isinstance(value, list):
        for v in value:
            _refs(v, found, prefix)


def _parameter(param: Json) -> Json:
    out = {k: v for k, v in param.items() if k in ("name", "in", "description", "required")}
    schema = {k: v for k, v in param.items() if k in ("type", "format", "items", "enum", "default")}
    if param.get("uniqueItems"):
        schema["uniqueItems"] = True
    out["schema"] = _schema(schema)
    return out


def _operation(op: Json, parameters: Json) -> Json:
    out: Json = {
        k: v
        for k, v in op.items()
        if k not in ("parameters", "responses", "consumes", "produces", "schemes")
    }
    params, body = [], None
    for param in op.get("parameters") or ():
        resolved = (
            parameters.get(param["$ref"].rsplit("/", 1)[-1], {}) if "$ref" in param else param
        )
        if resolved.get("in") == "body":
            body = resolved
        else:
            params.append(_parameter(resolved))
    if params:
        out["parameters"] = params
    if body is not None:
        content = {
            ct: {"schema": _schema(body.get("schema") or {})}
            for ct in op.get("consumes") or ["application/json"]
        }
        out["requestBody"] = {"content": content}
        if body.get("required"):
            out["requestBody"]["required"] = True
    responses: Json = {}
    for code, response in (op.get("responses") or {}).items():
        entry: Json = {"description": response.get("description", "")}
        if "schema" in response:
            produces = op.get("produces") or ["application/json"]
            entry["content"] = {ct: {"schema": _schema(response["schema"])} for ct in produces}
        responses[code] = entry
    out["responses"] = responses
    return out


def _prefix(path: str) -> str | None:
    """`api/v1` or `apis/<group>/<version>` for a REST path, else None."""
    segs = [s for s in path.split("/") if s]
    if len(segs) >= 2 and segs[0] == "api":
        return "/".join(segs[:2])
    if len(segs) >= 3 and segs[0] == "apis":
        return "/".join(segs[:3])
    return None


class OpenAPIv3:
    """The index and the per-group-version documents of one v2 spec; `schemas` (v3 schemas
    with v2 references, by definition key) replace the spec's definitions of those keys."""

    def __init__(self, spec: Json, schemas: Mapping[str, Json] | None = None) -> None:
        self.documents: dict[str, bytes] = {}
        self.hashes: dict[str, str] = {}
        by_prefix: dict[str, list[str]] = {}
        for path in spec.get("paths") or {}:
            prefix = _prefix(path)
            if prefix:
                by_prefix.setdefault(prefix, []).append(path)
        definitions: Json = {**(spec.get("definitions") or {}), **(schemas or {})}
        parameters: Json = spec.get("parameters") or {}
        for prefix, paths in sorted(by_prefix.items()):
            doc_paths: Json = {}
            for path in sorted(paths):
                item = spec["paths"][path]
                converted: Json = {}
                for method, op in item.items():
                    if method == "parameters":
                        converted["parameters"] = [
                            _parameter(
                                parameters.get(p["$ref"].rsplit("/", 1)[-1], {})
                                if "$ref" in p
                                else p
                            )
                            for p in op
                        ]
                    else:
                        converted[method] = _operation(op, parameters)
                doc_paths[path] = converted
            reached: set[str] = set()
            _refs(doc_paths, reached, _V3)
            pending = sorted(reached)
            while pending:
                key = pending.pop()
                found: set[str] = set()
                _refs(definitions.get(key, {}), found, _V2)
                for new in sorted(found - reached):
                    reached.add(new)
                    pending.append(new)
            document = {
                "openapi": "3.0.0",
                "info": spec.get("info") or {"title": "Kubernetes", "version": "unversioned"},
                "paths": doc_paths,
                "components": {
                    "schemas": {
                        k: _schema(definitions[k]) for k in sorted(reached) if k in definitions
                    }
                },
            }
            body = json.dumps(document, separators=(",", ":")).encode()
            self.documents[prefix] = body
            self.hashes[prefix] = hashlib.sha512(body).hexdigest().upper()

    def index(self) -> Json:
        return {
            "paths": {
                prefix: {"serverRelativeURL": f"/openapi/v3/{prefix}?hash={self.hashes[prefix]}"}
                for prefix in sorted(self.documents)
            }
        }
