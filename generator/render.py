"""IR -> {relative path: text}, from jinja2 templates. Nothing is written here."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from importlib import resources
from typing import Any

import jinja2

from kubeforge import fields
from kubeforge.fields import Imports
from kubeforge.ir import Field, Model, Module, Package, Resource, SubresourceMethod
from kubeforge.layout import attribute_doc, docstring_text, pystr, wrap

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
    """A tuple display of Python expressions (`pystr`-quoted strings or code), as black
    writes it: a trailing comma only for one element (more would make black explode it)."""
    return f"({values[0]},)" if len(values) == 1 else "(" + ", ".join(values) + ")"


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
    env.filters["attribute_doc"] = attribute_doc
    env.filters["first_paragraph"] = first_paragraph
    env.filters["pyrepr"] = repr
    env.filters["pystr"] = pystr
    env.filters["tomlstr"] = json.dumps
    env.filters["prefix"] = lambda value, p: p + value
    env.filters["suffix"] = lambda value, s: value + s
    return env


def render(
    package: Package, base_package: str = "", from_base: frozenset[str] = frozenset()
) -> dict[str, str]:
    """Every file of the generated package, by path relative to the output directory.

    Modules named in `from_base` re-export the classes of the same module of the installed
    `base_package` instead of defining copies; their clients are the base package's.
    """
    env = _environment()
    common = {
        "spec_sha256": package.spec_sha256,
        "package": package.name,
        "base_package": base_package,
    }
    out: dict[str, str] = {}
    root = package.name
    templates = resources.files("kubeforge.templates")
    header = env.get_template("header.jinja").module.header(package.spec_sha256)  # type: ignore[attr-defined]
    for name in PLAIN:
        out[f"{root}/{name}.py"] = f"{header}\n{templates.joinpath(f'{name}.py').read_text()}"
    out[f"{root}/_runtime/client.py"] = env.get_template("_runtime/client.py.jinja").render(common)
    for module in package.modules:
        if module.name in from_base:
            names = sorted([m.name for m in module.models] + [a.name for a in module.aliases])
            text = env.get_template("base_module.py.jinja").render(
                common, module=module.name, names=names
            )
            out[f"{root}/{module.name}.py"] = wrap(text)
            continue
        ctx = _module_context(module, package)
        text = env.get_template("group_module.py.jinja").render(common, **ctx)
        out[f"{root}/{module.name}.py"] = wrap(text)
    with_clients = [
        {"name": m.name, "client_class": m.client_class, "group_version": _group_version(m)}
        for m in package.modules
        if m.client_class and m.name not in from_base
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
            if m.name not in from_base
            for r in m.resources
        }.items()
    )
    out[f"{root}/__init__.py"] = wrap(
        env.get_template("init.py.jinja").render(
            common, modules=with_clients, resources=[view for _, view in kinds]
        )
    )
    groups = {
        (f"{m.group}/{m.version}" if m.group else m.version): m.name
        for m in package.modules
        if m.version
    }
    out[f"{root}/_groups.py"] = wrap(
        env.get_template("groups.py.jinja").render(common, modules=dict(sorted(groups.items())))
    )
    out[f"{root}/py.typed"] = ""
    out["pyproject.toml"] = env.get_template("pyproject.toml.jinja").render(common)
    return dict(sorted(out.items()))


def handwritten(package: str) -> frozenset[str]:
    """Files copied from plain, black-formatted Python, which the format stage can leave be.

    tests/test_render.py proves they are black-stable with their header.
    """
    return frozenset(f"{package}/{name}.py" for name in PLAIN)


def laid_out(package: Package) -> frozenset[str]:
    """Files rendered from templates written in black's layout and passed through
    `layout.wrap`: the format stage skips black for those `layout.black_form` accepts.

    tests/test_layout.py proves black leaves them as they are.
    """
    root = package.name
    modules = {f"{root}/{m.name}.py" for m in package.modules}
    return frozenset(modules | {f"{root}/__init__.py", f"{root}/_groups.py"})
