"""Custom resources checked against their CRD version's own `openAPIV3Schema`, as kube-apiserver does.

A request body is pruned (unknown fields per `fieldValidation`), non-nullable nulls without a
default are dropped, `default`s are applied, and then it is validated: the schema's keywords
(v3 ones included: `nullable`, `x-kubernetes-int-or-string`, `anyOf`...), `x-kubernetes-list-type`
set/map uniqueness, and the `x-kubernetes-validations` CEL rules (`kubeforge.fake.cel`), which
kube-apiserver skips when the schema already found a wrong type, a missing field, an unsupported
value or something too long or too many. Errors are `field.Error`s worded as apimachinery words
them; a rule failing on a value an update did not change is a warning (validation ratcheting).
Stored objects are coerced again (pruned, defaulted) when their CRD changes, which is what a
read through the real server's new storage shows.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft4Validator, ValidationError, validators

from kubeforge.fake import cel, status

Json = dict[str, Any]
_MISSING: Any = object()
# Error types that make kube-apiserver skip the CEL rules (strategy.go's hasBlockingErr).
_BLOCKING = frozenset(
    {
        "FieldValueNotSupported",
        "FieldValueRequired",
        "FieldValueTooLong",
        "FieldValueTooMany",
        "FieldValueTypeInvalid",
    }
)
_WORDS = {
    "FieldValueRequired": "Required value",
    "FieldValueDuplicate": "Duplicate value",
    "FieldValueInvalid": "Invalid value",
    "FieldValueTypeInvalid": "Invalid value",
    "FieldValueNotSupported": "Unsupported value",
    "FieldValueForbidden": "Forbidden",
    "FieldValueTooLong": "Too long",
    "FieldValueTooMany": "Too many",
    "InternalError": "Internal error",
}
_NO_VALUE = frozenset(
    {"FieldValueRequired", "FieldValueForbidden", "FieldValueTooLong", "InternalError"}
)
_log = logging.getLogger("kubeforge.fake")


# ------------------------------------------------------------ field errors


@dataclass(frozen=True)
class FieldError:
    """apimachinery's field.Error: a type (the cause's reason), a path, the bad value, detail."""

    type: str
    field: str  # "" is the nil path, printed "<nil>"
    value: Any = None
    detail: str = ""

    def body(self) -> str:
        """ErrorBody(): the message without the field."""
        text = _WORDS[self.type]
        if self.type not in _NO_VALUE:
            text += ": " + go_value(self.value)
        return f"{text}: {self.detail}" if self.detail else text

    def cause(self) -> dict[str, str]:
        return {"reason": self.type, "message": self.body(), "field": self.field or "<nil>"}

    def __str__(self) -> str:
        return f"{self.field or '<nil>'}: {self.body()}"


def go_value(value: Any) -> str:
    """A bad value as apimachinery prints it: scalars plainly, strings quoted, the rest as JSON."""
    if value is None:
        return '"null"'  # apimachinery turns a nil value into the string "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    text = json.dumps(
        _json_numbers(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    # Go's encoding/json escapes what HTML would read as markup.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _go_float(number: float) -> str:
    """Go's %v of a float64: no exponent from 1e-4 up to 1e21, shortest digits."""
    if number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    text = repr(number)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{'-' if exponent.startswith('-') else '+'}{abs(int(exponent)):02d}"
    return text


def _json_numbers(value: Any) -> Any:
    """Whole floats as Go's encoding/json writes them (`1`, not `1.0`)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: _json_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_numbers(v) for v in value]
    return value


def invalid(kind: str, group: str, name: str, errors: list[FieldError]) -> status.StatusError:
    return status.invalid(kind, group, name, [e.cause() for e in errors])


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# ------------------------------------------------------------ schema helpers


def _kind(value: Any) -> str:
    """The JSON type name kube-openapi reports for a value."""
    if value is None:
        return '"null"'  # apimachinery turns a nil value into the string "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _property(schema: Json, key: str) -> Json | None:
    """The schema of a key of an object: its property, else additionalProperties, else None."""
    props = schema.get("properties")
    if isinstance(props, dict) and key in props:
        found: Json = props[key]
        return found
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def _items(schema: Json) -> Json | None:
    items = schema.get("items")
    return items if isinstance(items, dict) else None


def _is_resource(schema: Json) -> bool:
    return bool(schema.get("x-kubernetes-embedded-resource"))


# ------------------------------------------------------------ pruning and defaulting


def prune(value: Any, schema: Json, path: str, unknown: list[str], resource: bool = False) -> Any:
    """Drop fields the structural schema does not know; record where (`spec.a[0].b`)."""
    if schema.get("x-kubernetes-preserve-unknown-fields") and not schema.get("properties"):
        return value
    if isinstance(value, dict):
        # A resource's apiVersion, kind and metadata are the API server's, never pruned here.
        keep = ("apiVersion", "kind", "metadata") if resource or _is_resource(schema) else ()
        preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
        for key in list(value):
            sub = _property(schema, key)
            if key in keep:
                continue
            if sub is not None:
                value[key] = prune(value[key], sub, _child(path, key), unknown)
            elif not preserve:
                unknown.append(_child(path, key))
                del value[key]
    elif isinstance(value, list) and _items(schema) is not None:
        items = _items(schema)
        assert items is not None
        return [prune(v, items, f"{path}[{i}]", unknown) for i, v in enumerate(value)]
    return value


def prune_nulls(value: Any, schema: Json | None) -> None:
    """Drop nulls the schema does not allow and cannot default (PruneNonNullableNullsWithoutDefaults)."""
    if isinstance(value, dict):
        for key in list(value):
            sub = _property(schema, key) if schema is not None else None
            if (
                value[key] is None
                and sub is not None
                and not sub.get("nullable")
                and "default" not in sub
            ):
                del value[key]
            else:
                prune_nulls(value[key], sub)
    elif isinstance(value, list):
        items = _items(schema) if schema is not None else None
        for item in value:
            prune_nulls(item, items)


def default(value: Any, schema: Json | None) -> None:
    """Apply `default`s where the parent exists, and for non-nullable nulls (defaulting.Default)."""
    if schema is None:
        return
    if isinstance(value, dict):
        for key, prop in (schema.get("properties") or {}).items():
            if "default" in prop and (
                key not in value or (value[key] is None and not prop.get("nullable"))
            ):
                value[key] = copy.deepcopy(prop["default"])
        extra = schema.get("additionalProperties")
        for key in value:
            if key in (schema.get("properties") or {}):
                default(value[key], schema["properties"][key])
            elif isinstance(extra, dict):
                if value[key] is None and "default" in extra and not extra.get("nullable"):
                    value[key] = copy.deepcopy(extra["default"])
                default(value[key], extra)
    elif isinstance(value, list):
        items = _items(schema)
        for i, item in enumerate(value):
            if (
                item is None
                and items is not None
                and "default" in items
                and not items.get("nullable")
            ):
                value[i] = copy.deepcopy(items["default"])
            default(value[i], items)


# ------------------------------------------------------------ OpenAPI v3 keywords (jsonschema)


def _type(validator: Any, types: Any, instance: Any, schema: Json) -> Iterator[ValidationError]:
    if instance is None and schema.get("nullable"):
        return
    wanted = [types] if isinstance(types, str) else list(types)
    actual = _kind(instance)
    if actual in wanted or (actual == "integer" and "number" in wanted):
        return
    yield ValidationError(f"must be of type {','.join(wanted)}", validator_value=actual)


def _int_or_string(
    validator: Any, flag: Any, instance: Any, schema: Json
) -> Iterator[ValidationError]:
    if not flag or "type" in schema or (instance is None and schema.get("nullable")):
        return
    if _kind(instance) not in ("integer", "string"):
        yield ValidationError("must be of type integer,string", validator_value=_kind(instance))


def _enum(validator: Any, enums: Any, instance: Any, schema: Json) -> Iterator[ValidationError]:
    if instance is None and schema.get("nullable"):
        return
    if not any(instance == e and _kind(instance) == _kind(e) for e in enums):
        yield ValidationError("enum")


# Draft 4 is OpenAPI 3.0's schema dialect (boolean exclusiveMinimum/Maximum); v3 keywords are added.
_Checker: Any = validators.extend(  # type: ignore[no-untyped-call]
    Draft4Validator,
    {"type": _type, "x-kubernetes-int-or-string": _int_or_string, "enum": _enum},
)


def _schema_path(parts: Any) -> str:
    """A kube-openapi error name: `spec.ports[0].name`, map keys with dots."""
    text = ""
    for part in parts:
        text = f"{text}[{part}]" if isinstance(part, int) else _child(text, str(part))
    return text


def schema_errors(checker: Any, obj: Any) -> list[FieldError]:
    """The schema keywords' findings, worded as apiextensions-apiserver words them."""
    out: list[FieldError] = []
    for error in checker.iter_errors(obj):
        out.extend(_field_errors(error))
    return sorted(out, key=lambda e: (e.field, e.type, e.detail))


def _field_errors(error: Any) -> list[FieldError]:
    path = _schema_path(error.absolute_path)
    where = f"{path} in body"
    value = error.instance
    keyword, limit = error.validator, error.validator_value
    if keyword in ("type", "x-kubernetes-int-or-string"):
        actual = str(error.validator_value)
        detail = f'{where} {error.message}: "{actual}"'
        return [FieldError("FieldValueTypeInvalid", path, actual, detail)]
    if keyword == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        return [FieldError("FieldValueRequired", _child(path, missing))]
    if keyword == "enum":
        allowed = [
            v if isinstance(v, str) else json.dumps(_json_numbers(v), separators=(",", ":"))
            for v in error.schema.get("enum") or ()
        ]
        detail = "supported values: " + ", ".join(
            json.dumps(v, ensure_ascii=False) for v in allowed
        )
        return [FieldError("FieldValueNotSupported", path, value, detail)]
    if keyword == "maxLength":
        return [FieldError("FieldValueTooLong", path, value, f"may not be more than {limit} bytes")]
    if keyword in ("maxItems", "maxProperties"):
        return [
            FieldError("FieldValueTooMany", path, len(value), f"must have at most {limit} items")
        ]
    wording = {
        "minLength": f"should be at least {limit} chars long",
        "minItems": f"should have at least {limit} items",
        "minProperties": f"should have at least {limit} properties",
        "pattern": f"should match '{limit}'",
        "multipleOf": f"should be a multiple of {_number(limit)}",
    }
    if keyword in wording:
        shown = len(value) if keyword in ("minItems", "minProperties") else value
        return [FieldError("FieldValueInvalid", path, shown, f"{where} {wording[keyword]}")]
    if keyword in ("minimum", "maximum"):
        exclusive = error.schema.get(f"exclusive{keyword.capitalize()}")
        bound = "greater than" if keyword == "minimum" else "less than"
        relation = bound if exclusive else f"{bound} or equal to"
        return [
            FieldError(
                "FieldValueInvalid", path, value, f"{where} should be {relation} {_number(limit)}"
            )
        ]
    # anyOf, oneOf, not: kube-openapi names the path inside the detail, not as the field.
    if keyword == "anyOf":
        first = [e for e in error.context or () if e.schema_path and e.schema_path[0] == 0]
        found = [
            FieldError(
                "FieldValueInvalid", "", "", f'"{path}" must validate at least one schema (anyOf)'
            )
        ]
        return found + [f for e in first for f in _field_errors(e)]
    if keyword == "oneOf":
        valid = sum(1 for s in limit if _Checker(s).is_valid(value))
        found_text = "Found none valid" if not valid else f"Found {valid} valid alternatives"
        detail = f'"{path}" must validate one and only one schema (oneOf). {found_text}'
        return [FieldError("FieldValueInvalid", "", "", detail)]
    if keyword == "not":
        return [
            FieldError("FieldValueInvalid", "", "", f'"{path}" must not validate the schema (not)')
        ]
    return [FieldError("FieldValueInvalid", path, value, f"{where} {error.message}")]


def _number(value: Any) -> str:
    return _go_float(float(value)) if isinstance(value, (int, float)) else str(value)


# ------------------------------------------------------------ list-type set and map


def list_errors(value: Any, schema: Json | None, path: str) -> list[FieldError]:
    """Duplicates in `x-kubernetes-list-type: set` and `map` lists (listtype.ValidateListSetsAndMaps)."""
    if schema is None:
        return []
    out: list[FieldError] = []
    if isinstance(value, dict):
        for key, item in value.items():
            sub = _property(schema, key)
            child = (
                _child(path, key) if key in (schema.get("properties") or {}) else f"{path}[{key}]"
            )
            out.extend(list_errors(item, sub, child))
    elif isinstance(value, list):
        list_type = schema.get("x-kubernetes-list-type")
        if list_type == "set":
            out.extend(
                FieldError("FieldValueDuplicate", f"{path}[{i}]", value[i]) for i in _repeats(value)
            )
        elif list_type == "map":
            out.extend(
                _map_list_errors(value, list(schema.get("x-kubernetes-list-map-keys") or ()), path)
            )
        for i, item in enumerate(value):
            out.extend(list_errors(item, _items(schema), f"{path}[{i}]"))
    return out


def _repeats(values: list[Any]) -> list[int]:
    """Indices of each value's second appearance (the ones kube-apiserver reports)."""
    seen: dict[str, int] = {}
    out = []
    for i, v in enumerate(values):
        key = json.dumps([_kind(v), v], sort_keys=True)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            out.append(i)
    return out


def _map_list_errors(values: list[Any], keys: list[str], path: str) -> list[FieldError]:
    for i, item in enumerate(values):
        if item is not None and not isinstance(item, dict):
            return [
                FieldError(
                    "FieldValueInvalid",
                    f"{path}[{i}]",
                    item,
                    "must be an object for an array of list-type map",
                )
            ]
    identities = [
        {k: item[k] for k in keys if k in item} if isinstance(item, dict) else {} for item in values
    ]
    return [
        FieldError("FieldValueDuplicate", f"{path}[{i}]", identities[i])
        for i in _repeats(identities)
    ]


def _map_key(item: Any, keys: list[str]) -> str:
    identity = {k: item.get(k) for k in keys} if isinstance(item, dict) else {}
    return json.dumps(identity, sort_keys=True)


# ------------------------------------------------------------ CEL rules


@dataclass
class _Outcome:
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class Version:
    """One version of a CRD: its schema, its compiled rules, how its objects are admitted."""

    def __init__(self, crd: Json, version: Json) -> None:
        spec = crd.get("spec") or {}
        self.group = str(spec.get("group", ""))
        self.kind = str((spec.get("names") or {}).get("kind", ""))
        self.name = str(version.get("name", ""))
        self.schema: Json = copy.deepcopy(
            (version.get("schema") or {}).get("openAPIV3Schema") or {"type": "object"}
        )
        self.has_status = "status" in (version.get("subresources") or {})
        self._checker = _Checker(self.schema)
        self._rules: dict[int, list[cel.Rule]] = {}
        self.problems: list[str] = []
        self._unenforced: set[str] = set()
        self._compile(self.schema, "openAPIV3Schema")

    def _compile(self, node: Json, where: str) -> None:
        """Rules by schema node (cel.Rule parses each expression once per process)."""
        specs = [(where, r) for r in node.get("x-kubernetes-validations") or ()]
        for i, part in enumerate(node.get("allOf") or ()):
            specs += [
                (f"{where}.allOf[{i}]", r) for r in part.get("x-kubernetes-validations") or ()
            ]
        rules = []
        for at, spec in specs:
            rule = cel.compile_rule(spec)
            if rule.problem:
                self.problems.append(f"{at}: rule {rule.rule!r} is not enforced: {rule.problem}")
            rules.append(rule)
        if rules:
            self._rules[id(node)] = rules
        for key, prop in (node.get("properties") or {}).items():
            self._compile(prop, f"{where}.properties[{key}]")
        if isinstance(node.get("additionalProperties"), dict):
            self._compile(node["additionalProperties"], f"{where}.additionalProperties")
        if _items(node) is not None:
            self._compile(node["items"], f"{where}.items")

    # -------------------------------------------------------- admission

    def coerce(self, obj: Json, unknown: list[str]) -> Json:
        """Prune, drop disallowed nulls, default: what decoding does to a body (or a stored object)."""
        pruned: Json = prune(obj, self.schema, "", unknown, resource=True)
        prune_nulls(pruned, self.schema)
        default(pruned, self.schema)
        return pruned

    def admit(
        self,
        obj: Json,
        old: Json | None,
        mode: str,
        subresource: str = "",
        partial: bool = False,
    ) -> tuple[Json, list[str]]:
        """The body as it will be stored, and its warnings; raises the real server's errors.

        `partial` marks a server-side apply configuration: it is pruned, never defaulted or
        validated (the merged object is).
        """
        body = copy.deepcopy(obj)
        if subresource == "status" and old is not None:
            # Only status is written through /status; the rest is checked as stored.
            body = {
                **copy.deepcopy(old),
                "metadata": body.get("metadata", old.get("metadata")),
                "status": body.get("status"),
            }
        elif self.has_status and not partial:
            # Status is written through /status only; create and update keep what is stored.
            body.pop("status", None)
            if old is not None and "status" in old:
                body["status"] = copy.deepcopy(old["status"])
        unknown: list[str] = []
        body = prune(body, self.schema, "", unknown, resource=True)
        if unknown and mode == "Strict":
            raise status.bad_request(
                "strict decoding error: " + ", ".join(f'unknown field "{u}"' for u in unknown)
            )
        warnings = [f'unknown field "{u}"' for u in unknown] if mode == "Warn" else []
        if partial:
            return body, warnings
        prune_nulls(body, self.schema)
        default(body, self.schema)
        outcome = self.validate(body, old)
        if outcome.errors:
            name = str((body.get("metadata") or {}).get("name", ""))
            raise invalid(self.kind, self.group, name, outcome.errors)
        if subresource == "status":
            written = {k: v for k, v in obj.items() if k != "status"}
            body = {**written, "status": body["status"]} if "status" in body else written
        return body, warnings + outcome.warnings

    def validate(self, obj: Json, old: Json | None) -> _Outcome:
        """Schema keywords, list sets and maps, then the CEL rules unless an error blocks them."""
        outcome = _Outcome(schema_errors(self._checker, obj))
        if old is None or not list_errors(old, self.schema, ""):
            outcome.errors += list_errors(obj, self.schema, "")
        if any(e.type in _BLOCKING for e in outcome.errors):
            outcome.errors.append(
                FieldError(
                    "FieldValueInvalid",
                    "",
                    None,
                    "some validation rules were not checked because the object was invalid; "
                    "correct the existing errors to complete validation",
                )
            )
            return outcome
        self._rules_at(
            obj,
            _MISSING if old is None else old,
            self.schema,
            "",
            True,
            old is not None and obj == old,
            outcome,
        )
        return outcome

    def _rules_at(
        self,
        value: Any,
        old: Any,
        node: Json,
        path: str,
        resource: bool,
        unchanged: bool,
        outcome: _Outcome,
    ) -> None:
        """The rules of one node, then of its children (cel.Validator.validate)."""
        if value is None:
            return  # rules only see values that are set
        rules = self._rules.get(id(node))
        if rules:
            self._evaluate(rules, value, old, node, path, resource, unchanged, outcome)
        if isinstance(value, dict):
            props = node.get("properties") or {}
            extra = node.get("additionalProperties")
            for key, item in value.items():
                sub = props.get(key) if key in props else extra if isinstance(extra, dict) else None
                if sub is None:
                    continue
                before = old.get(key, _MISSING) if isinstance(old, dict) else _MISSING
                same = item == before if before is not _MISSING else unchanged
                child = _child(path, key) if key in props else f"{path}[{key}]"
                self._rules_at(item, before, sub, child, _is_resource(sub), same, outcome)
        elif isinstance(value, list) and _items(node) is not None:
            items = _items(node)
            assert items is not None
            keys = list(node.get("x-kubernetes-list-map-keys") or ())
            olds: dict[str, Any] = {}
            if node.get("x-kubernetes-list-type") == "map" and isinstance(old, list):
                # Only list-type map items correlate with their old selves (by their keys).
                olds = {_map_key(o, keys): o for o in old}
            for i, item in enumerate(value):
                before = olds.get(_map_key(item, keys), _MISSING) if olds else _MISSING
                same = item == before if before is not _MISSING else unchanged
                self._rules_at(
                    item, before, items, f"{path}[{i}]", _is_resource(items), same, outcome
                )

    def _evaluate(
        self,
        rules: list[cel.Rule],
        value: Any,
        old: Any,
        node: Json,
        path: str,
        resource: bool,
        unchanged: bool,
        outcome: _Outcome,
    ) -> None:
        kind = str(node.get("type", ""))
        this = cel.value(value, node, resource)
        has_old = old is not _MISSING and old is not None
        previous = cel.value(old, node, resource) if has_old else None
        for rule in rules:
            if rule.problem or rule.program is None:
                continue
            if rule.uses_old_self and not has_old and not rule.optional_old_self:
                continue  # a transition rule needs an old value
            bindings = {"self": this}
            if rule.optional_old_self:
                bindings["oldSelf"] = cel.Optional(previous, has_old)
            elif has_old:
                bindings["oldSelf"] = previous
            try:
                result = cel.evaluate(rule.program, bindings)
            except cel.Unsupported as exc:
                if rule.rule not in self._unenforced:  # said once, not on every request
                    self._unenforced.add(rule.rule)
                    _log.warning(
                        "%s.%s %s: rule %r is not enforced: %s",
                        self.kind,
                        self.group,
                        self.name,
                        rule.rule,
                        exc,
                    )
                continue
            except RuntimeError as exc:
                if str(exc) == "no such overload":
                    detail = f"'{exc}': call arguments did not match a supported operator, function or macro signature for rule: {rule.text}"
                else:
                    detail = f"{exc} evaluating rule: {rule.text}"
                outcome.errors.append(FieldError("FieldValueInvalid", path, kind, detail))
                continue
            if cel.holds(result):
                continue
            where = _child(path, rule.field_path) if rule.field_path else path
            error = _rule_error(rule, where, kind, self._message(rule, bindings))
            if unchanged and not rule.uses_old_self:
                outcome.warnings.append(str(error))  # ratcheting: an unchanged value may stay
            else:
                outcome.errors.append(error)

    def _message(self, rule: cel.Rule, bindings: dict[str, Any]) -> str:
        """The messageExpression's string when it gives a usable one, else message or default."""
        if rule.message_program is not None:
            try:
                text = cel.evaluate(rule.message_program, bindings)
            except (cel.Unsupported, RuntimeError):
                text = None
            if isinstance(text, str) and text.strip() and "\n" not in text.strip():
                return str(text).strip()
        return rule.message.strip() or f"failed rule: {rule.rule.strip()}"


def _rule_error(rule: cel.Rule, path: str, kind: str, detail: str) -> FieldError:
    """fieldErrorForReason: the rule's reason decides the error type."""
    if rule.reason == "FieldValueForbidden":
        return FieldError("FieldValueForbidden", path, None, detail)
    if rule.reason == "FieldValueRequired":
        return FieldError("FieldValueRequired", path, None, detail)
    if rule.reason == "FieldValueDuplicate":
        return FieldError("FieldValueDuplicate", path, kind)
    return FieldError("FieldValueInvalid", path, kind, detail)


def versions(crd: Json) -> dict[str, Version]:
    """Every version of a CRD with its schema, by version name; unenforced rules are logged."""
    out = {}
    name = (crd.get("metadata") or {}).get("name", "")
    for version in (crd.get("spec") or {}).get("versions") or ():
        found = Version(crd, version)
        for problem in found.problems:
            _log.warning("CRD %s version %s: %s", name, found.name, problem)
        out[found.name] = found
    return out


class CustomResources:
    """The schemas of every CRD's versions, by (group, plural), remade only when they change."""

    def __init__(self) -> None:
        self._schemas: dict[tuple[str, str], tuple[list[Json], dict[str, Version]]] = {}

    def update(self, crd: Json, deleted: bool = False) -> bool:
        """Follow a CRD's change; True when its versions' schemas are new or gone."""
        spec = crd.get("spec") or {}
        key = (str(spec.get("group", "")), str((spec.get("names") or {}).get("plural", "")))
        if deleted:
            return self._schemas.pop(key, None) is not None
        wanted = list(spec.get("versions") or ())
        known = self._schemas.get(key)
        if known is not None and known[0] == wanted:
            return False  # a status write, or a change elsewhere: the rules stay compiled
        self._schemas[key] = (copy.deepcopy(wanted), versions(crd))
        return True

    def get(self, group: str, plural: str, version: str) -> Version | None:
        found = self._schemas.get((group, plural))
        return found[1].get(version) if found else None
