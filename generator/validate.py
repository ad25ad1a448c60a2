"""The spec checked: our structural checks (errors), then openapi-spec-validator (warnings).

Real servers serve specs the validator rejects (a `default` outside its enum, a missing
`info.version`); those still generate, with each finding reported at its JSON path.
The validator's verdict costs seconds on a full spec, so it is cached by the spec's hash.
"""

from __future__ import annotations

import ast
import json
import re
import string
from collections import defaultdict
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kubeforge.cache import Cache, digest
from kubeforge.diagnostics import Diagnostic, Level, json_path, pointer_key

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_REF = "#/definitions/"


@dataclass(frozen=True)
class Checked:
    """The document to generate from (repaired under --lenient), and what was found."""

    document: dict[str, Any]
    errors: list[Diagnostic]
    warnings: list[Diagnostic]


def structural(document: dict[str, Any], lenient: bool = False) -> Checked:
    """Breakage the generator cannot work around alone: wrong shapes and dangling $refs.

    `paths: null` means models only (a warning). A `$ref` to a missing definition is one
    error per missing target, with how often it is used and, when exactly one definition
    ends with the same `<version>.<Kind>`, which; `lenient` resolves such unique matches,
    reads the other targets as any JSON value, and warns once per target instead.
    """
    errors: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    definitions = document.get("definitions", {})
    if not isinstance(definitions, dict):
        return Checked(document, [Diagnostic(json_path("definitions"), "is not an object")], [])
    paths = document.get("paths", {})
    if paths is None:
        warnings.append(
            Diagnostic(json_path("paths"), "is null", Level.WARNING, "models only, no clients")
        )
        document = {**document, "paths": {}}
    elif not isinstance(paths, dict):
        errors.append(Diagnostic(json_path("paths"), "is not an object"))
    dangling: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    stack: list[tuple[Any, tuple[str, ...]]] = [(document, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and path[:1] != ("parameters",) and ref.startswith(_REF):
                if pointer_key(ref[len(_REF) :]) not in definitions:
                    dangling[pointer_key(ref[len(_REF) :])].append(path)
            elif (
                isinstance(ref, str)
                and ref.startswith("#/parameters/")
                and ref.rsplit("/", 1)[-1] not in (document.get("parameters") or {})
            ):
                errors.append(Diagnostic(json_path(*path), f"$ref {ref!r} points to no parameter"))
            stack.extend((v, (*path, str(k))) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, (*path, str(i))) for i, v in enumerate(node))
    repairs: dict[tuple[str, ...], str | None] = {}
    for target, uses in sorted(dangling.items()):
        uses.sort()
        match = _unique_match(target, definitions)
        count = f"used {len(uses)} time{'s' * (len(uses) > 1)}, first at {json_path(*uses[0])}"
        if lenient:
            for use in uses:
                repairs[use] = match
            action = f"read as {match}" if match else "read as any JSON value"
            warnings.append(
                Diagnostic(
                    json_path("definitions", target), f"is missing ({count})", Level.WARNING, action
                )
            )
            continue
        hint = f"{match} is the only definition named like it; " if match else ""
        errors.append(
            Diagnostic(
                json_path("definitions", target),
                f"is missing: $ref {json_path('definitions', target)!r} is {count}",
                Level.ERROR,
                f"{hint}--lenient {'uses it' if match else 'reads it as any JSON value'}",
            )
        )
    if repairs:
        on_the_way = {use[:i] for use in repairs for i in range(len(use))}
        document = _repaired(document, repairs, on_the_way)
    return Checked(document, sorted(errors), sorted(warnings))


def _unique_match(target: str, definitions: dict[str, Any]) -> str | None:
    """The one definition whose name ends like the target's `<version>.<Kind>`, if one."""
    suffix = ".".join(target.rsplit(".", 2)[-2:])
    found = [k for k in definitions if k == suffix or k.endswith("." + suffix)]
    return found[0] if len(found) == 1 else None


def _repaired(
    node: Any,
    repairs: dict[tuple[str, ...], str | None],
    on_the_way: set[tuple[str, ...]],
    path: tuple[str, ...] = (),
) -> Any:
    """The document with each dangling $ref pointed at its match, or dropped (an empty
    schema: any JSON value); only the nodes on the way to a repair are copied."""
    if path in repairs:
        match = repairs[path]
        rest = {k: v for k, v in node.items() if k != "$ref"}
        return {**rest, "$ref": json_path("definitions", match)} if match else rest
    if path not in on_the_way:
        return node
    if isinstance(node, dict):
        return {k: _repaired(v, repairs, on_the_way, (*path, str(k))) for k, v in node.items()}
    return [_repaired(v, repairs, on_the_way, (*path, str(i))) for i, v in enumerate(node)]


def _validator(document: dict[str, Any]) -> list[Diagnostic]:
    from openapi_spec_validator import OpenAPIV2SpecValidator

    places = _Places(document)
    found: set[Diagnostic] = set()
    try:
        for error in OpenAPIV2SpecValidator(document).iter_errors():
            for leaf in _leaves(error):
                where = json_path(*places.of(leaf))
                found.add(Diagnostic(where, _reason(leaf), Level.WARNING, "generating anyway"))
    except Exception as exc:  # the validator's own failure on input it did not foresee
        found.add(_stopped(document, exc))
    return sorted(found)


def _stopped(document: dict[str, Any], exc: Exception) -> Diagnostic:
    """Why the validator gave up, at the path it could not read when that is the cause (it
    reads path templates as Python format strings)."""
    where = "#/"
    for template in sorted(document.get("paths") or {}):
        try:
            list(string.Formatter().parse(template))
        except ValueError:
            where = json_path("paths", template)
            break
    return Diagnostic(
        where,
        f"openapi-spec-validator stopped: {type(exc).__name__}: {exc}",
        Level.WARNING,
        "its later findings are missing; generating anyway",
    )


def _leaves(error: ValidationError) -> list[ValidationError]:
    """What is wrong, not that a node matched none of `oneOf`'s shapes: the errors of the
    alternative that comes closest. Alternatives refused on a one-value enum (a parameter's
    `in`, a discriminator) are set aside first; of the rest, the one with fewest errors."""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    by_alternative: dict[Any, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        by_alternative[sub.relative_schema_path[0]].append(sub)
    candidates = [
        subs for subs in by_alternative.values() if not any(_one_value_enum(s) for s in subs)
    ] or list(by_alternative.values())
    closest = min(candidates, key=len)
    return [leaf for sub in closest for leaf in _leaves(sub)]


def _one_value_enum(error: ValidationError) -> bool:
    value = error.validator_value
    return error.validator == "enum" and isinstance(value, list) and len(value) == 1


def _reason(error: ValidationError) -> str:
    """The validator's message, with a long echo of the offending value shortened to what
    it is: the reason itself is never cut."""
    message: str = error.message
    instance: Any = error.instance
    shown = repr(instance)
    if len(shown) > 60 and message.startswith(shown):
        kind: dict[type, str] = {dict: "this object", list: "this array", str: "this string"}
        message = kind.get(type(instance), "this value") + message[len(shown) :]
    return message.replace(
        "is not valid under any of the given schemas", "matches no allowed shape"
    )


class _Places:
    """Where an error's node is in the document. Most errors carry their path; some carry a
    path relative to a `$ref`'s target, and some (checks of `default` against `enum`) none,
    only the node itself. Indexes are built on first need."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._nodes: list[tuple[tuple[str, ...], Any]] | None = None

    def nodes(self) -> list[tuple[tuple[str, ...], Any]]:
        if self._nodes is None:
            self._nodes = []
            stack: list[tuple[tuple[str, ...], Any]] = [((), self.document)]
            while stack:
                path, node = stack.pop()
                if isinstance(node, dict):
                    self._nodes.append((path, node))
                    stack.extend(((*path, str(k)), v) for k, v in node.items())
                elif isinstance(node, list):
                    self._nodes.append((path, node))
                    stack.extend(((*path, str(i)), v) for i, v in enumerate(node))
            self._nodes.sort(key=lambda pair: pair[0])
        return self._nodes

    def of(self, error: ValidationError) -> tuple[str, ...]:
        path = tuple(str(p) for p in error.absolute_path)
        if not path:
            for where, node in self.nodes():
                if node is error.schema:
                    # The checks that carry no path compare a node's `default` to its enum.
                    held = isinstance(node, dict) and node.get("default") is error.instance
                    return (*where, "default") if held else where
            return self._from_message(error.message)
        if _resolve(self.document, path) == error.instance:
            return path
        for where, node in self.nodes():
            if _resolve(node, path) == error.instance:
                return (*where, *path)
        return path

    def _from_message(self, message: str) -> tuple[str, ...]:
        """The checks of operations say where only in their message."""
        if m := re.search(r"for '(\w+)' (?:operation )?in '([^']*)'", message):
            method, url = m.groups()
            end = ("operationId",) if message.startswith("Operation ID") else ()
            return ("paths", url, method, *end)
        if m := re.fullmatch(r"Duplicate parameter '(.*)'", message):
            for where, node in self.nodes():
                if where[:1] == ("paths",) and where[-1:] == ("parameters",):
                    names = [p.get("name") for p in node if isinstance(p, dict)]
                    if names.count(m[1]) > 1:
                        return where
        if m := re.fullmatch(r"Required list has not defined properties: (\[.*\])", message):
            missing = set(ast.literal_eval(m[1]))
            for where, node in self.nodes():
                required = node.get("required") if isinstance(node, dict) else None
                if isinstance(required, list) and missing <= set(required):
                    return (*where, "required")
        return ()


_MISSING = object()


def _resolve(node: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _key(sha: str) -> str:
    # Findings depend on the validator and on how this module reads them.
    return digest(sha, version("openapi-spec-validator"), Path(__file__).read_bytes())


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
    remember(sha, found, use_cache)
    return found


def remember(sha: str, found: list[Diagnostic], use_cache: bool) -> None:
    """Keep the validator's verdict on a spec for the next run."""
    rows = [
        {"where": d.where, "message": d.message, "level": d.level.value, "action": d.action}
        for d in found
    ]
    Cache("validate", use_cache).put(_key(sha), json.dumps(rows).encode())


# Below this many paths one validator run is cheaper than splitting the document.
SPLIT_FROM = 64


def parts(document: dict[str, Any], count: int, least: int = SPLIT_FROM) -> list[dict[str, Any]]:
    """The document as smaller documents that together say what it says, for validator runs
    in parallel: one with every definition and no paths, and `count` with a share of the
    paths each.

    The validator's time goes mostly to paths (seconds for a few hundred CRD operations), and
    with their schemas in place it walks every referenced definition again for each one. A
    share of the paths is therefore checked against stand-ins (`type: object`) for the
    definitions it refers to: those are checked, once, in the first part.
    """
    paths = document.get("paths")
    if count < 2 or not isinstance(paths, dict) or len(paths) < max(least, 1):
        return [document]
    definitions = document.get("definitions")
    definitions = definitions if isinstance(definitions, dict) else {}
    keys = sorted(paths)
    out = [{**document, "paths": {}}]
    for i in range(count):
        share = {k: paths[k] for k in keys[i::count]}
        refs = reached(definitions, [share, document.get("parameters")])
        stand_ins = {k: {"type": "object"} for k in sorted(refs)}
        out.append({**document, "paths": share, "definitions": stand_ins})
    return out


def part_findings(document: dict[str, Any]) -> list[Diagnostic]:
    """openapi-spec-validator's findings on one part of a document."""
    return _validator(document)


def reached(definitions: dict[str, Any], roots: Any) -> set[str]:
    """The definitions `roots` refer to, directly or through each other."""
    found: set[str] = set()
    pending = [roots]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/definitions/"):
                key = pointer_key(ref[len("#/definitions/") :])
                if key not in found and key in definitions:
                    found.add(key)
                    pending.append(definitions[key])
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return found
