"""IR -> {relative path: text}, from jinja2 templates. Nothing is written here."""

from __future__ import annotations

import io
import itertools
import json
import re
import tokenize
from collections.abc import Sequence
from importlib import resources
from typing import Any

import jinja2

from kubeforge import fields
from kubeforge.fields import Imports
from kubeforge.ir import Field, Model, Module, Package, Resource, SubresourceMethod

_MIXINS = (
    ("get", "Get"),
    ("list", "List"),
    ("watch", "Watch"),
    ("create", "Create"),
    ("update", "Replace"),
    ("patch", "Patch"),
    ("delete", "Delete"),
    ("deletecollection", "DeleteCollection"),
)
# Definition keys of Kubernetes' own types: their clients patch with strategic merge by
# default, as kubectl does; custom resources and aggregated APIs have other keys.
_BUILTIN = (
    "io.k8s.api.",
    "io.k8s.apimachinery.",
    "io.k8s.kube-aggregator.",
    "io.k8s.apiextensions-apiserver.",
)
LINE_LENGTH = 100  # black's line length, pinned in kubeforge.format
# Hand-written modules of the generated package, kept in templates/ as plain, linted and
# type-checked Python and shipped with the header line added: the runtime, and the public
# kubeapi.downward and `python -m kubeapi.proxy`.
PLAIN = (
    "_runtime/__init__",
    "_runtime/codec",
    "_runtime/config",
    "_runtime/core",
    "_runtime/credentials",
    "_runtime/errors",
    "_runtime/kubeconfig",
    "_runtime/model",
    "_runtime/static",
    "downward",
    "proxy",
)


def docstring_text(text: str, indent: str = "") -> str:
    """Text that is safe inside a triple-quoted literal and reads back as `text`."""
    out = []
    for ch in text.replace("\r\n", "\n"):
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n" or ch == "\t" or (ch.isprintable() and ch not in "\u2028\u2029"):
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    body = "".join(out).replace('"""', '\\"\\"\\"').strip()
    if body.endswith('"') and not body.endswith('\\"'):
        body = body[:-1] + '\\"'
    lines = [line.rstrip() for line in body.split("\n")]
    rest = [_expand_leading_tabs(indent + line) if line else "" for line in lines[1:]]
    body = "\n".join([lines[0], *rest])
    if len(lines) > 1 and len(indent) + len(lines[-1]) + 3 > LINE_LENGTH:
        body += "\n" + indent  # black puts the closing quotes of a long last line on their own
    return body


def _expand_leading_tabs(line: str) -> str:
    """As black writes docstring lines: tabs in the indentation become spaces."""
    content = line.lstrip(" \t")
    return line[: len(line) - len(content)].expandtabs() + content


def pystr(value: str) -> str:
    """A string literal as black writes it: double quotes when nothing needs escaping."""
    if value.isprintable() and not any(c in value for c in "\"'\\"):
        return f'"{value}"'
    return repr(value)


_LONG_PARAM = re.compile(r"^(\s+)(\w+): ([^'\"]+) = None,$")
_TAIL = re.compile(r"\)(:| -> [^()'\"]+:)?")


def _bracket_split(line: str) -> tuple[str, list[str], str] | None:
    """(head through the last opening bracket, top-level parts inside it, closing tail).

    The line is tokenized, so brackets and commas inside string literals never count.
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line + "\n").readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    ops = [t for t in tokens if t.type == tokenize.OP]
    closers = [t for t in ops if t.string == ")"]
    if not closers or not _TAIL.fullmatch(line[closers[-1].start[1] :]):
        return None
    close = closers[-1].start[1]
    depth, opening, commas = 0, -1, []
    for token in reversed([t for t in ops if t.start[1] < close]):
        if token.string in ")]}":
            depth += 1
        elif token.string in "([{":
            if depth == 0:
                opening = token.start[1]
                break
            depth -= 1
        elif token.string == "," and depth == 0:
            commas.append(token.start[1])
    if opening < 0:
        return None
    cuts = [opening, *sorted(commas), close]
    parts = [line[a + 1 : b].strip() for a, b in itertools.pairwise(cuts)]
    return line[: opening + 1], [p for p in parts if p], line[close:]


def prewrap(text: str, width: int = LINE_LENGTH) -> str:
    """Split long lines the way black does, so black has little left to do.

    Handles the shapes generated modules have: calls and class or def headers (split after
    their last opening bracket) and long parameter annotations (parenthesised). Only a
    speed-up: black still formats the result. Lines inside docstrings are never touched.
    """
    out: list[str] = []
    in_doc = False
    for line in text.split("\n"):
        quotes = line.count('"""')
        if in_doc or quotes or len(line) <= width:
            out.append(line)
            in_doc = in_doc != (quotes % 2 == 1)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        inner = indent + "    "
        param = _LONG_PARAM.match(line)
        split = None if param else _bracket_split(line.strip())
        if param:
            out += [f"{indent}{param.group(2)}: (", inner + param.group(3), f"{indent}) = None,"]
        elif split is None:
            out.append(line)
        else:
            head, parts, tail = split
            body = ", ".join(parts)
            if len(inner) + len(body) <= width:
                out += [indent + head, inner + body, indent + tail]
            else:
                out += [indent + head, *(f"{inner}{part}," for part in parts), indent + tail]
    return "\n".join(out)


def first_paragraph(text: str) -> str:
    return text.strip().split("\n\n", 1)[0]


def _field_view(f: Field, imp: Imports) -> dict[str, Any]:
    return {
        "name": f.name,
        "annotation": fields.annotation(f, imp),
        "param": fields.param(f.type, imp),
        "description": f.description,
        "entry": fields.entry(f, imp),
    }


def _strings(values: Sequence[str]) -> str:
    """A tuple display of Python expressions (`pystr`-quoted strings or code)."""
    return "(" + "".join(f"{v}, " for v in values).rstrip(" ") + ")"


def _api_resource(r: Resource) -> str:
    """The `api_resource` of a resource's kind, by keyword; empty values are left to defaults."""
    columns = [
        "_m.PrinterColumn("
        + ", ".join(
            (pystr(c.name), pystr(c.type), pystr(c.json_path))
            + ((f"description={pystr(c.description)}",) if c.description else ())
            + ((f"priority={c.priority}",) if c.priority else ())
            + ((f"format={pystr(c.format)}",) if c.format else ())
        )
        + ")"
        for c in r.printer_columns
    ]
    args = {
        "group": pystr(r.group),
        "version": pystr(r.version),
        "kind": pystr(r.kind),
        "plural": pystr(r.plural),
        "singular": pystr(r.singular),
        "namespaced": str(r.namespaced),
        "short_names": _strings([pystr(s) for s in r.short_names]) if r.short_names else "",
        "categories": _strings([pystr(c) for c in r.categories]) if r.categories else "",
        "subresources": _strings(
            [pystr(s) for s in sorted({s.subresource for s in r.subresources})]
        ),
        "storage_version": pystr(r.storage_version) if r.storage_version else "",
        "printer_columns": _strings(columns) if columns else "",
    }
    if args["subresources"] == "()":
        args["subresources"] = ""
    return "_m.APIResource(" + ", ".join(f"{k}={v}" for k, v in args.items() if v) + ")"


def _model_view(m: Model, imp: Imports, resource: Resource | None = None) -> dict[str, Any]:
    views = [_field_view(f, imp) for f in m.fields]
    gvk: tuple[str, str] | None = None
    if len(m.gvks) == 1:
        group, version, kind = m.gvks[0]
        gvk = (f"{group}/{version}" if group else version, kind)
    base = f"_m.ListModel[{imp.model(m.list_item)}]" if m.list_item else "_m.Model"
    return {
        "name": m.name,
        "base": base,
        "description": m.description or f"{m.name} has no description in the spec.",
        "table": " ".join(f["entry"] for f in views),
        "gvk": gvk,
        "resource": _api_resource(resource) if resource else "",
        "secret": sorted(f.name for f in m.fields if f.sensitive),
        "fields": views,
    }


def _sub_view(s: SubresourceMethod, imp: Imports) -> dict[str, Any]:
    return {
        "name": s.name,
        "subresource": s.subresource,
        "verb": s.verb,
        "result": imp.qualified(s.result) if s.result else "",
        "result_type": imp.model(s.result) if s.result else "str",
        "body_type": (imp.model(s.body) if s.body else "Any") + " | dict[str, Any]",
    }


def _resource_view(r: Resource, imp: Imports) -> dict[str, Any]:
    verbs = set(r.verbs)
    if not r.list_model:
        verbs -= {"list", "watch"}
    mixins = [name for verb, name in _MIXINS if verb in verbs] or ["Resource"]
    if len(mixins) == len(_MIXINS):
        mixins = ["Standard"]  # one base: cheaper to import than eight
    if any(s.subresource == "log" and not s.result for s in r.subresources):
        imp.collections |= {"AsyncIterator", "Iterator"}  # stream_log
    scope = "namespaced" if r.namespaced else "cluster-scoped"
    extra = f"; short names: {', '.join(r.short_names)}" if r.short_names else ""
    return {
        "client": r.client,
        "mixins": mixins,
        "group": r.group,
        "version": r.version,
        "api_version": r.api_version,
        "plural": r.plural,
        "kind": r.kind,
        "namespaced": r.namespaced,
        "strategic": r.model.startswith(_BUILTIN),
        "method": r.method,
        "model": imp.model(r.model),
        "list_model": imp.model(r.list_model) if r.list_model else "",
        "list": imp.model(r.list_model) if r.list_model else "_m.ListModel[_m.Model]",
        "subresources": [_sub_view(s, imp) for s in r.subresources],
        "summary": f"{r.plural} ({r.kind}), {scope}; verbs: {', '.join(r.verbs)}{extra}.",
    }


def _group_version(module: Module) -> str:
    if not module.version:
        return module.name
    return f"{module.group}/{module.version}" if module.group else f"core/{module.version}"


def _module_context(module: Module, package: Package) -> dict[str, Any]:
    imp = Imports(module.name, package)
    kinds: dict[str, Resource] = {}
    for r in module.resources:
        kinds.setdefault(r.model, r)
    models = [_model_view(m, imp, kinds.get(m.key)) for m in module.models]
    resources_ = [_resource_view(r, imp) for r in module.resources]
    aliases: list[dict[str, Any]] = []
    for alias in module.aliases:
        aliases.append(
            {
                "name": alias.name,
                "annotation": fields.value_type(alias.type, imp),
                "description": alias.description,
                # Models and collections are named as a string: the module may import them
                # only for type checkers, or define them further down.
                "quoted": alias.type.kind in ("model", "list", "map"),
            }
        )
    exports = sorted(
        [m.name for m in module.models]
        + [a.name for a in module.aliases]
        + [a + r["client"] for r in resources_ for a in ("", "Async")]
        + ([a + module.client_class for a in ("", "Async")] if module.client_class else [])
    )
    # names type aliases need when the module runs (`Time = datetime`, `JSON = Any`)
    runtime = sorted(
        name
        for name in ("Any", "datetime")
        if any(re.search(rf"\b{name}\b", a["annotation"]) for a in aliases if not a["quoted"])
    )
    gv = _group_version(module)
    doc = (
        f"Models and clients of the Kubernetes {gv} API."
        if module.resources
        else f"Models of the Kubernetes {gv} package."
    )
    return {
        "module": _ModuleView(module, aliases),
        "module_doc": doc,
        "group_version": gv,
        "models": models,
        "resources": resources_,
        "exports": exports,
        "uses": {
            "collections": sorted(imp.collections),
            "datetime": imp.datetime,
            "imports": sorted(imp.names),
            "model": bool(models) or any(r["list"] == "_m.ListModel[_m.Model]" for r in resources_),
            "runtime": runtime,
            # what only type checkers need from typing (`_extra: dict[str, Any]`, TypeAlias)
            "typing": ["Any"] * ("Any" not in runtime)
            + ["TypeAlias"] * any(a["quoted"] for a in aliases),
        },
    }


class _ModuleView:
    """What the module template reads of a Module, with aliases as annotation text."""

    def __init__(self, module: Module, aliases: list[dict[str, Any]]) -> None:
        self.name = module.name
        self.models = module.models
        self.resources = module.resources
        self.client_class = module.client_class
        self.aliases = aliases


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.files("kubeforge.templates"))),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["docstring"] = docstring_text
    env.filters["first_paragraph"] = first_paragraph
    env.filters["pyrepr"] = repr
    env.filters["pystr"] = pystr
    env.filters["tomlstr"] = json.dumps
    env.filters["prefix"] = lambda value, p: p + value
    env.filters["suffix"] = lambda value, s: value + s
    return env


def render(package: Package) -> dict[str, str]:
    """Every file of the generated package, by path relative to the output directory."""
    env = _environment()
    common = {"spec_sha256": package.spec_sha256, "package": package.name}
    out: dict[str, str] = {}
    root = package.name
    templates = resources.files("kubeforge.templates")
    header = env.get_template("header.jinja").module.header(package.spec_sha256)  # type: ignore[attr-defined]
    for name in PLAIN:
        out[f"{root}/{name}.py"] = f"{header}\n{templates.joinpath(f'{name}.py').read_text()}"
    out[f"{root}/_runtime/client.py"] = env.get_template("_runtime/client.py.jinja").render(common)
    for module in package.modules:
        ctx = _module_context(module, package)
        text = env.get_template("group_module.py.jinja").render(common, **ctx)
        out[f"{root}/{module.name}.py"] = prewrap(text)
    with_clients = [
        {"name": m.name, "client_class": m.client_class, "group_version": _group_version(m)}
        for m in package.modules
        if m.client_class
    ]
    kinds = sorted(
        {
            (r.api_version, r.kind): {
                "api_version": r.api_version,
                "kind": r.kind,
                "module": m.name,
                "client": r.client,
            }
            for m in package.modules
            for r in m.resources
        }.items()
    )
    out[f"{root}/__init__.py"] = env.get_template("init.py.jinja").render(
        common, modules=with_clients, resources=[view for _, view in kinds]
    )
    groups = {
        (f"{m.group}/{m.version}" if m.group else m.version): m.name
        for m in package.modules
        if m.version
    }
    out[f"{root}/_groups.py"] = env.get_template("groups.py.jinja").render(
        common, modules=dict(sorted(groups.items()))
    )
    out[f"{root}/py.typed"] = ""
    out["pyproject.toml"] = env.get_template("pyproject.toml.jinja").render(common)
    return dict(sorted(out.items()))


def handwritten(package: str) -> frozenset[str]:
    """Files copied from plain, black-formatted Python, which the format stage can leave be.

    tests/test_render.py proves they are black-stable with their header.
    """
    return frozenset(f"{package}/{name}.py" for name in PLAIN)
