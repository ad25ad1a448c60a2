"""The spec checked: our structural checks (errors), then openapi-spec-validator (warnings).

Real servers serve specs the validator rejects (a `default` outside its enum, a missing
`info.version`); those still generate, with each finding reported at its JSON path.
The validator's verdict costs seconds on a full spec, so it is cached by the spec's hash.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from typing import Any

from kubeforge.cache import Cache, digest
from kubeforge.diagnostics import Diagnostic, Level, json_path

_REF = "#/definitions/"
_MAX_FINDINGS = 50


def structural(document: dict[str, Any]) -> list[Diagnostic]:
    """Breakage the generator cannot work around: wrong shapes and dangling $refs."""
    out: list[Diagnostic] = []
    definitions = document.get("definitions", {})
    if not isinstance(definitions, dict):
        return [Diagnostic(json_path("definitions"), "is not an object")]
    if not isinstance(document.get("paths", {}), dict):
        out.append(Diagnostic(json_path("paths"), "is not an object"))
    stack: list[tuple[Any, tuple[str, ...]]] = [(document, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if (
                isinstance(ref, str)
                and path[:1] != ("parameters",)
                and ref.startswith("#/definitions/")
            ):
                if ref[len(_REF) :] not in definitions:
                    out.append(
                        Diagnostic(json_path(*path), f"$ref {ref!r} points to no definition")
                    )
            elif (
                isinstance(ref, str)
                and ref.startswith("#/parameters/")
                and ref.rsplit("/", 1)[-1] not in (document.get("parameters") or {})
            ):
                out.append(Diagnostic(json_path(*path), f"$ref {ref!r} points to no parameter"))
            stack.extend((v, (*path, str(k))) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, (*path, str(i))) for i, v in enumerate(node))
    return sorted(out)


def _validator(document: dict[str, Any]) -> list[Diagnostic]:
    from openapi_spec_validator import OpenAPIV2SpecValidator

    found: list[Diagnostic] = []
    for error in OpenAPIV2SpecValidator(document).iter_errors():
        where = json_path(*(str(p) for p in error.absolute_path)) if error.absolute_path else "#"
        found.append(Diagnostic(where, error.message[:300], Level.WARNING, "generating anyway"))
        if len(found) >= _MAX_FINDINGS:
            break
    return sorted(found)


def _key(sha: str) -> str:
    return digest(sha, version("openapi-spec-validator"))


def cached(sha: str, use_cache: bool) -> list[Diagnostic] | None:
    """The validator's findings for a spec it has already checked, else None."""
    hit = Cache("validate", use_cache).get(_key(sha))
    if hit is None:
        return None
    rows = json.loads(hit)
    return [Diagnostic(d["where"], d["message"], Level(d["level"]), d["action"]) for d in rows]


def validator_findings(document: dict[str, Any], sha: str, use_cache: bool) -> list[Diagnostic]:
    """Run openapi-spec-validator and remember its verdict for this spec."""
    found = _validator(document)
    rows = [
        {"where": d.where, "message": d.message, "level": d.level.value, "action": d.action}
        for d in found
    ]
    Cache("validate", use_cache).put(_key(sha), json.dumps(rows).encode())
    return found
