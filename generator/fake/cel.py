"""CEL validation rules (`x-kubernetes-validations`), evaluated as kube-apiserver evaluates them.

cel-python parses and runs the expressions; this module adds what Kubernetes puts around
them: values typed by the structural schema (`number` is a double even when written `1`,
`date-time` strings are timestamps, property names escaped as `__dash__` etc., `metadata`
reduced to `name` and `generateName`), `oldSelf` (optional with `optionalOldSelf`), and the
cheap Kubernetes library functions (lists, strings, regex). Each distinct expression is
parsed once per process (`_parse`), whatever CRD or request uses it.

Not provided: the optional-field syntax (`self.?x`, `optional.of`), `quantity`, `url`, `ip`,
`cidr`, `semver`, `format`, cost estimates and limits, and set/map-list equality that ignores
order. A rule cel-python cannot parse, or one that calls what is not provided, is not enforced:
`Rule.problem` says why, and the server logs it once.
"""

from __future__ import annotations

import base64
import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import celpy
import lark
import re2  # what cel-python's own matches() uses: RE2, the syntax CEL specifies
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError

Json = dict[str, Any]
# CEL's reserved words: a property with one of these names is reached as `__name__`.
_RESERVED = frozenset(
    {
        *("true", "false", "null", "in", "as", "break", "const", "continue", "else", "for"),
        *("function", "if", "import", "let", "loop", "package", "namespace", "return", "var"),
        *("void", "while"),
    }
)
_ESCAPABLE = re.compile(r"^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$")
_ESCAPES = {"__": "__underscores__", ".": "__dot__", "-": "__dash__", "/": "__slash__"}
_ENV = celpy.Environment()


class Unsupported(Exception):
    """A rule this server cannot evaluate (it names what is missing)."""


def escape(name: str) -> str | None:
    """A property name as CEL reaches it, or None when CEL cannot reach it at all."""
    if name in _RESERVED:
        return f"__{name}__"
    if not _ESCAPABLE.match(name):
        return None
    return re.sub(r"__|[.\-/]", lambda m: _ESCAPES[m.group(0)], name)


@dataclass(frozen=True)
class Optional:
    """`oldSelf` of a rule with `optionalOldSelf`: a value that may be absent."""

    value: Any
    present: bool


# ------------------------------------------------------------ Kubernetes library functions


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"{type(value).__name__} is not a list")
    return value


def _is_sorted(items: Any) -> celtypes.BoolType:
    values = _list(items)
    return celtypes.BoolType(all(a <= b for a, b in itertools.pairwise(values)))


def _sum(items: Any) -> Any:
    values = _list(items)
    total: Any = celtypes.IntType(0)
    for i, item in enumerate(values):
        total = item if i == 0 else total + item
    return total


def _extreme(pick: Callable[..., Any]) -> Callable[[Any], Any]:
    def apply(items: Any) -> Any:
        values = _list(items)
        if not values:
            return CELEvalError("min/max of an empty list", ValueError, None)
        return pick(values)

    return apply


def _index_of(target: Any, item: Any, offset: Any = None) -> Any:
    if isinstance(target, str):
        start = int(offset or 0)
        if start < 0 or start > len(target):
            return CELEvalError(f"index out of range: {start}", IndexError, None)
        return celtypes.IntType(target.find(item, start))
    values = _list(target)
    return celtypes.IntType(next((i for i, v in enumerate(values) if v == item), -1))


def _last_index_of(target: Any, item: Any, offset: Any = None) -> Any:
    if isinstance(target, str):
        end = len(target) if offset is None else int(offset)
        return celtypes.IntType(target.rfind(item, 0, end + len(item)))
    values = _list(target)
    return celtypes.IntType(
        next((i for i in range(len(values) - 1, -1, -1) if values[i] == item), -1)
    )


def _char_at(text: Any, index: Any) -> Any:
    i = int(index)
    if i < 0 or i > len(text):
        return CELEvalError(f"index out of range: {i}", IndexError, None)
    return celtypes.StringType(text[i : i + 1])


def _substring(text: Any, start: Any, end: Any = None) -> Any:
    stop = len(text) if end is None else int(end)
    if int(start) < 0 or stop > len(text) or int(start) > stop:
        return CELEvalError(f"index out of range: {start}", IndexError, None)
    return celtypes.StringType(text[int(start) : stop])


def _replace(text: Any, old: Any, new: Any, count: Any = -1) -> celtypes.StringType:
    return celtypes.StringType(str(text).replace(old, new, int(count)))


def _split(text: Any, separator: Any, count: Any = -1) -> celtypes.ListType:
    limit = int(count)
    if limit == 0:
        return celtypes.ListType([])
    parts = str(text).split(separator, limit - 1) if limit > 0 else str(text).split(separator)
    return celtypes.ListType([celtypes.StringType(p) for p in parts])


def _join(items: Any, separator: Any = "") -> celtypes.StringType:
    return celtypes.StringType(str(separator).join(str(v) for v in _list(items)))


def _find(text: Any, pattern: Any) -> celtypes.StringType:
    found = re2.search(pattern, text)
    return celtypes.StringType(found.group(0) if found else "")


def _find_all(text: Any, pattern: Any, limit: Any = -1) -> celtypes.ListType:
    found = [celtypes.StringType(m.group(0)) for m in re2.finditer(pattern, text)]
    return celtypes.ListType(found if int(limit) < 0 else found[: int(limit)])


def _has_value(opt: Any) -> celtypes.BoolType:
    if not isinstance(opt, Optional):
        raise TypeError("hasValue() needs an optional")
    return celtypes.BoolType(opt.present)


def _value(opt: Any) -> Any:
    if not isinstance(opt, Optional):
        raise TypeError("value() needs an optional")
    return opt.value if opt.present else CELEvalError("optional.none() dereference")


def _or_value(opt: Any, default: Any) -> Any:
    if not isinstance(opt, Optional):
        raise TypeError("orValue() needs an optional")
    return opt.value if opt.present else default


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "isSorted": _is_sorted,
    "sum": _sum,
    "min": _extreme(min),
    "max": _extreme(max),
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    "charAt": _char_at,
    "substring": _substring,
    "replace": _replace,
    "split": _split,
    "join": _join,
    "lowerAscii": lambda s: celtypes.StringType(
        "".join(c.lower() if c.isascii() else c for c in s)
    ),
    "upperAscii": lambda s: celtypes.StringType(
        "".join(c.upper() if c.isascii() else c for c in s)
    ),
    "trim": lambda s: celtypes.StringType(str(s).strip()),
    "find": _find,
    "findAll": _find_all,
    "hasValue": _has_value,
    "value": _value,
    "orValue": _or_value,
}


# ------------------------------------------------------------ rules


@dataclass(frozen=True)
class Rule:
    """One entry of `x-kubernetes-validations`, ready to run."""

    rule: str
    message: str
    message_expression: str
    reason: str  # "" means FieldValueInvalid
    field_path: str  # the rule's `fieldPath`, normalised (`.a['b']` -> `a.b`); "" for none
    optional_old_self: bool
    uses_old_self: bool
    program: celpy.Runner | None
    message_program: celpy.Runner | None
    problem: str  # why this server cannot evaluate the rule; "" when it can

    @property
    def text(self) -> str:
        """What error messages quote for the rule: its message, else its expression."""
        return self.message.strip() or self.rule.strip()


@functools.lru_cache(maxsize=8192)
def _parse(expression: str) -> tuple[celpy.Runner | None, bool, str]:
    """(program, uses oldSelf, problem) of one expression; parsed once per process."""
    try:
        tree = _ENV.compile(expression)
    except CELParseError as exc:
        column = getattr(exc, "column", None)
        return None, False, "cel-python cannot parse it" + (f" (column {column})" if column else "")
    uses_old_self = any(
        True
        for _ in tree.scan_values(
            lambda t: isinstance(t, lark.Token) and t.type == "IDENT" and t.value == "oldSelf"
        )
    )
    return _ENV.program(tree, FUNCTIONS), uses_old_self, ""


def compiled() -> int:
    """How many distinct expressions this process has parsed so far (each is parsed once)."""
    return _parse.cache_info().misses


def compile_rule(spec: Json) -> Rule:
    """A `x-kubernetes-validations` entry as a Rule (its expressions parsed, or the problem)."""
    program, uses_old_self, problem = _parse(str(spec.get("rule", "")))
    message_expression = str(spec.get("messageExpression") or "")
    message_program = None
    if message_expression:
        message_program, _, message_problem = _parse(message_expression)
        problem = problem or message_problem
    return Rule(
        rule=str(spec.get("rule", "")),
        message=str(spec.get("message") or ""),
        message_expression=message_expression,
        reason=str(spec.get("reason") or ""),
        field_path=normal_field_path(str(spec.get("fieldPath") or "")),
        optional_old_self=bool(spec.get("optionalOldSelf")),
        uses_old_self=uses_old_self,
        program=program,
        message_program=message_program,
        problem=problem,
    )


def normal_field_path(path: str) -> str:
    """`.spec.ports['http'].name` -> `spec.ports.http.name`, as field errors print it."""
    parts = re.findall(r"\.([^.\[\]]+)|\['((?:[^'\\]|\\.)*)'\]", path)
    return ".".join(name or re.sub(r"\\(.)", r"\1", quoted) for name, quoted in parts)


def evaluate(program: celpy.Runner, bindings: dict[str, Any]) -> Any:
    """The expression's value; raises RuntimeError (as cel-go words it) or Unsupported."""
    result: Any
    try:
        result = program.evaluate(bindings)
    except CELEvalError as exc:
        result = exc
    if isinstance(result, CELEvalError):
        text = str(result.args[0]) if result.args else str(result)
        if text.startswith("undeclared reference to"):
            raise Unsupported(text.split(" (in activation")[0])
        raise RuntimeError(_cel_go_wording(result))
    return result


def holds(result: Any) -> bool:
    """A rule passes only when it evaluates to the boolean true."""
    return isinstance(result, celtypes.BoolType) and bool(result)


def _cel_go_wording(error: CELEvalError) -> str:
    text = str(error.args[0]) if error.args else ""
    kind = error.args[1] if len(error.args) > 1 else None
    missing = re.match(r"no such member in mapping: '(.*)'$", text)
    if missing:
        return f"no such key: {missing.group(1)}"
    if kind is ZeroDivisionError:
        return (
            "modulus by zero" if "modulus" in text and "divide" not in text else "division by zero"
        )
    if "overload" in text:
        return "no such overload"
    return text


# ------------------------------------------------------------ values


def value(data: Any, schema: Json | None, resource: bool = False) -> Any:
    """A JSON value as a CEL value of the type its structural schema declares.

    `resource` marks the root of an object (the custom resource, or an embedded resource):
    there `apiVersion` and `kind` are strings and `metadata` offers `name` and `generateName`.
    """
    node = schema or {}
    if data is None:
        return None
    if isinstance(data, dict):
        props = node.get("properties")
        extra = node.get("additionalProperties")
        if props is None and isinstance(extra, dict):
            return celtypes.MapType(
                {celtypes.StringType(k): value(v, extra) for k, v in data.items()}
            )
        if props is None and not resource:
            return json_to_cel(data)
        out: dict[Any, Any] = {}
        for key, item in data.items():
            sub = (props or {}).get(key)
            if resource and key == "metadata":
                meta = item if isinstance(item, dict) else {}
                converted: Any = celtypes.MapType(
                    {
                        celtypes.StringType(k): celtypes.StringType(meta[k])
                        for k in ("name", "generateName")
                        if isinstance(meta.get(k), str)
                    }
                )
            elif sub is not None:
                converted = value(item, sub, bool(sub.get("x-kubernetes-embedded-resource")))
            elif (resource and key in ("apiVersion", "kind")) or node.get(
                "x-kubernetes-preserve-unknown-fields"
            ):
                converted = json_to_cel(item)
            else:
                continue
            name = escape(key)
            if name is not None:
                out[celtypes.StringType(name)] = converted
        return celtypes.MapType(out)
    if isinstance(data, list):
        items = node.get("items") if isinstance(node.get("items"), dict) else None
        return celtypes.ListType([value(v, items) for v in data])
    if isinstance(data, bool):
        return celtypes.BoolType(data)
    if isinstance(data, int):
        return celtypes.DoubleType(data) if node.get("type") == "number" else celtypes.IntType(data)
    if isinstance(data, float):
        if node.get("type") == "integer" and data.is_integer():
            return celtypes.IntType(int(data))
        return celtypes.DoubleType(data)
    if isinstance(data, str) and node.get("type") == "string":
        return _formatted(data, str(node.get("format") or ""))
    return json_to_cel(data)


def _formatted(text: str, fmt: str) -> Any:
    """Strings whose format Kubernetes gives a CEL type of its own; others stay strings."""
    try:
        if fmt in ("date-time", "date"):
            return celtypes.TimestampType(text if fmt == "date-time" else f"{text}T00:00:00Z")
        if fmt == "duration":
            return celtypes.DurationType(text)
        if fmt == "byte":
            return celtypes.BytesType(base64.b64decode(text))
    except (ValueError, TypeError):
        pass  # schema validation reports the malformed value; CEL sees the string
    return celtypes.StringType(text)
