"""Spec (+ discovery) -> IR. A pure function: same documents in, same Package out."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from kubeforge.diagnostics import Diagnostic, GenerateError, Level, json_path, pointer_key
from kubeforge.ir import (
    Alias,
    Field,
    Model,
    Module,
    Package,
    PrinterColumn,
    Resource,
    Skipped,
    SubresourceMethod,
    TypeRef,
)
from kubeforge.names import (
    KUBERNETES_PACKAGES,
    ClassName,
    PythonName,
    is_version,
    module_for_group,
    unique,
)

Json = dict[str, Any]

# Definitions whose value is free-form JSON rather than an object with fields.
_FREE_FORM = ("RawExtension", "FieldsV1", "Patch", "JSON")
_EXTENSIONS = (
    "x-kubernetes-patch-strategy",
    "x-kubernetes-patch-merge-key",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "x-kubernetes-int-or-string",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
)
_SENSITIVE = {
    "io.k8s.api.core.v1.Secret": ("data", "stringData"),
    "io.k8s.api.authentication.v1.TokenRequestStatus": ("token",),
    "io.k8s.api.authentication.v1.TokenReviewSpec": ("token",),
}
_SENSITIVE_NAMES = frozenset({"token", "password", "privateKey", "secretKey"})
_VERB_PREFIX = {"get": "get", "put": "replace", "patch": "patch", "post": "create"}
_ACTION_VERB = {
    "get": "get",
    "list": "list",
    "post": "create",
    "put": "update",
    "patch": "patch",
    "delete": "delete",
    "deletecollection": "deletecollection",
}
_REF = "#/definitions/"
# apimachinery's meta/v1 types, as aggregated API servers' specs name them (`v1.ObjectMeta`).
_META_NAMES = frozenset(
    {
        "APIGroup",
        "APIGroupList",
        "APIResource",
        "APIResourceList",
        "APIVersions",
        "Condition",
        "DeleteOptions",
        "FieldsV1",
        "GroupVersionForDiscovery",
        "LabelSelector",
        "LabelSelectorRequirement",
        "ListMeta",
        "ManagedFieldsEntry",
        "MicroTime",
        "ObjectMeta",
        "OwnerReference",
        "Patch",
        "Preconditions",
        "ServerAddressByClientCIDR",
        "Status",
        "StatusCause",
        "StatusDetails",
        "Time",
        "WatchEvent",
    }
)


@dataclass
class _Parser:
    spec: Json
    discovery: Mapping[str, Json] | None
    package: str
    warnings: list[Diagnostic] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    models: dict[str, Model] = field(default_factory=dict)
    aliases: dict[str, Alias] = field(default_factory=dict)
    module_of: dict[str, str] = field(default_factory=dict)
    class_name: dict[str, str] = field(default_factory=dict)
    gv_module: dict[tuple[str, str], str] = field(default_factory=dict)
    pending: list[tuple[str, Json, str]] = field(default_factory=list)
    previous: Mapping[str, str] = field(default_factory=dict)
    served: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    alias_types: dict[str, TypeRef | None] = field(default_factory=dict)
    resolving: set[str] = field(default_factory=set)
    crds: Sequence[Json] = ()

    # ---------------------------------------------------------------- definitions

    def run(self, sha: str) -> Package:
        definitions: Json = self.spec.get("definitions") or {}
        self.served = self._served_kinds()
        self._assign_modules(definitions)
        for key in sorted(definitions):
            self._definition(key, definitions[key])
        while self.pending:
            key, schema, module = self.pending.pop(0)
            self._model(key, schema, module, json_path("definitions", key))
        resources, skipped = self._resources()
        if self.errors:
            raise GenerateError(sorted(self.errors))
        resources = [_with_crd(r, self.crds) for r in resources]
        return Package(self.package, sha, self._modules(resources), tuple(skipped))

    def _assign_modules(self, definitions: Json) -> None:
        """Each definition's module: its API group and version, named by one rule for every
        spec (names.module_for_group); apimachinery's Go packages keep their names."""
        gv_of = _group_versions(definitions, self.spec.get("paths"))
        claimed: set[str] = set()
        for gv, module in sorted(self.previous.items()):
            group, _, version = gv.rpartition("/")
            self.gv_module[(group, version)] = module
            claimed.add(module)
        for key in sorted(definitions):
            fixed = _apimachinery_module(key)
            if fixed:
                self.module_of[key] = fixed
                continue
            group, version = gv_of.get(key) or _gv_from_key(key)
            self.module_of[key] = self._group_module(group, version, claimed)
        names_by_module: dict[str, list[str]] = defaultdict(list)
        for key in sorted(definitions):
            names_by_module[self.module_of[key]].append(key)
        for module, keys in sorted(names_by_module.items()):
            self._name_classes(module, keys, [key.rsplit(".", 1)[-1] for key in keys])

    def _group_module(self, group: str, version: str, claimed: set[str]) -> str:
        if (group, version) in self.gv_module:
            return self.gv_module[(group, version)]
        name = module_for_group(group, version)
        if name in claimed:  # another group reads the same (foo.io and foo.com): say so
            self.warnings.append(
                Diagnostic(
                    f"group {group}/{version}",
                    f"module name {name} is taken by another group",
                    Level.WARNING,
                    "using a numbered module name",
                )
            )
            name = unique([*sorted(claimed), name])[-1]
        claimed.add(name)
        self.gv_module[(group, version)] = name
        return name

    def _name_classes(self, module: str, keys: list[str], wanted: list[str]) -> None:
        names = [ClassName(w) for w in wanted]
        taken = {n for k, n in self.class_name.items() if self.module_of.get(k) == module}
        final = unique([*sorted(taken), *names])[len(taken) :]
        for key, want, got in zip(keys, names, final, strict=True):
            if want != got:
                self.warnings.append(
                    Diagnostic(
                        json_path("definitions", key),
                        f"class name {want} collides in module {module}",
                        Level.WARNING,
                        f"named {got}",
                    )
                )
            self.class_name[key] = got

    def _definition(self, key: str, schema: Any) -> None:
        module, name = self.module_of[key], self.class_name[key]
        where = json_path("definitions", key)
        if not isinstance(schema, dict):
            self.errors.append(Diagnostic(where, "definition is not an object"))
            return
        aliased = self._alias(key)
        if aliased is not None:
            self.aliases[key] = Alias(key, name, module, _text(schema), aliased)
            return
        self._model(key, schema, module, where)

    def _alias(self, key: str) -> TypeRef | None:
        """The type a definition stands for when it is not an object with fields (Quantity,
        Time, a list or a union), else None; a definition that is only itself (`A` a list of
        `A`) is any JSON value."""
        if key in self.alias_types:
            return self.alias_types[key]
        schema = (self.spec.get("definitions") or {}).get(key)
        if not isinstance(schema, dict):
            return None
        if key in self.resolving:
            return TypeRef("any")
        self.resolving.add(key)
        try:
            found = self._alias_of(key, schema)
        finally:
            self.resolving.discard(key)
        self.alias_types[key] = found
        return found

    def _alias_of(self, key: str, schema: Json) -> TypeRef | None:
        name = key.rsplit(".", 1)[-1]
        types, nullable = _schema_types(schema)
        if types == ("object",) or (not types and "properties" in schema):
            if schema.get("properties") or name not in _FREE_FORM:
                return None
            return TypeRef("any")
        if types == ("string",) and name == "Quantity":
            return TypeRef("quantity", nullable=nullable)
        if types == ("string",) and schema.get("format") == "date-time":
            return TypeRef("microtime" if name == "MicroTime" else "time", nullable=nullable)
        if not types and "$ref" not in schema and not _alternatives(schema):
            return TypeRef("any")
        return self._type(schema, json_path("definitions", key), key, "item", self.module_of[key])

    def _model(self, key: str, schema: Json, module: str, where: str) -> None:
        props = schema.get("properties") or {}
        if not isinstance(props, dict):
            self.errors.append(Diagnostic(f"{where}/properties", "properties is not an object"))
            return
        required = set(schema.get("required") or ())
        wires = sorted(props)
        pynames = _field_names(wires)
        for wire, py in zip(wires, pynames, strict=True):
            if py != PythonName(wire):
                self.warnings.append(
                    Diagnostic(
                        f"{where}/properties/{wire}",
                        f"property name collides with another after sanitising to {PythonName(wire)}",
                        Level.WARNING,
                        f"named {py}",
                    )
                )
        fields = []
        for wire, py in zip(wires, pynames, strict=True):
            prop = props[wire]
            pwhere = f"{where}/properties/{wire}"
            if not isinstance(prop, dict):
                self.errors.append(Diagnostic(pwhere, "property schema is not an object"))
                continue
            type_ = self._type(prop, pwhere, key, wire, module)
            fields.append(
                Field(
                    wire=wire,
                    name=py,
                    type=type_,
                    required=wire in required,
                    description=_text(prop),
                    extensions=tuple(
                        (ext, _ext_text(prop[ext])) for ext in _EXTENSIONS if ext in prop
                    ),
                    sensitive=wire in _SENSITIVE.get(key, ())
                    or (wire in _SENSITIVE_NAMES and type_.kind == "str"),
                )
            )
        items = next((f for f in fields if f.wire == "items"), None)
        gvks = _gvks(schema) or ((self.served[key],) if key in self.served else ())
        list_item = ""
        if (
            items is not None
            and items.type.kind == "list"
            and items.type.item is not None
            and items.type.item.kind == "model"
            and any(k.endswith("List") for _, _, k in gvks)
        ):
            list_item = items.type.item.model
        self.models[key] = Model(
            key, self.class_name[key], module, _text(schema), tuple(fields), gvks, list_item
        )

    def _type(self, prop: Json, where: str, owner: str, wire: str, module: str) -> TypeRef:
        """A property's type; `null` among its types, `nullable` or `x-nullable` make a value
        of it optional even when the property is required."""
        found = self._type_of(prop, where, owner, wire, module)
        if _schema_types(prop)[1] and not found.nullable:
            return TypeRef(found.kind, found.model, found.item, found.options, nullable=True)
        return found

    def _type_of(self, prop: Json, where: str, owner: str, wire: str, module: str) -> TypeRef:
        ref = prop.get("$ref")
        if ref is None and isinstance(prop.get("allOf"), list) and len(prop["allOf"]) == 1:
            ref = prop["allOf"][0].get("$ref")
        if ref is not None:
            target = _ref_key({"$ref": ref}) or None
            if target is None or target not in (self.spec.get("definitions") or {}):
                self.errors.append(Diagnostic(where, f"$ref {ref!r} points to no definition"))
                return TypeRef("any")
            aliased = self._alias(target)
            return aliased if aliased is not None else TypeRef("model", target)
        if prop.get("x-kubernetes-int-or-string"):
            return TypeRef("int_or_str")
        if prop.get("x-kubernetes-preserve-unknown-fields") and not prop.get("properties"):
            return TypeRef("any")
        types, _ = _schema_types(prop)
        if not types and not prop.get("properties"):
            types = _alternatives(prop)
        if len(types) > 1:
            return _union(types)
        type_ = types[0] if types else None
        if type_ == "array":
            items = prop.get("items")
            if not isinstance(items, dict):
                return TypeRef("list", item=TypeRef("any"))
            return TypeRef("list", item=self._type(items, f"{where}/items", owner, wire, module))
        if type_ == "object" or (type_ is None and "properties" in prop):
            if prop.get("properties"):
                return TypeRef("model", self._inline(prop, owner, wire, module))
            extra = prop.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return TypeRef(
                    "map",
                    item=self._type(extra, f"{where}/additionalProperties", owner, wire, module),
                )
            return TypeRef("map", item=TypeRef("any")) if extra is not None else TypeRef("any")
        scalar = _SCALAR_TYPES.get((str(type_), str(prop.get("format"))))
        return TypeRef(scalar or _SCALAR_TYPES.get((str(type_), None), "any"))

    def _inline(self, schema: Json, owner: str, wire: str, module: str) -> str:
        """An inline object schema (CRDs have them) becomes a model named after its parent."""
        key = f"{owner}.{wire}"
        if key not in self.class_name:
            self.module_of[key] = module
            self._name_classes(module, [key], [self.class_name[owner] + ClassName(wire)])
            self.pending.append((key, schema, module))
        return key

    # ---------------------------------------------------------------- resources

    def _operations(self) -> Iterator[tuple[str, str, Json, RestPath | None, str]]:
        """(path, method, operation, what the path addresses, action) of every operation."""
        paths = self.spec.get("paths")
        if not isinstance(paths, dict):
            return
        for path in sorted(paths):
            item = paths[path]
            if not isinstance(item, dict):
                continue
            where = rest_path(path)
            for method in sorted(item):
                op = item[method]
                if method == "parameters" or not isinstance(op, dict):
                    continue
                yield path, method, op, where, _action(op, method, where) if where else ""

    def _served_kinds(self) -> dict[str, tuple[str, str, str]]:
        """GVKs the paths show for definitions that carry none (go-restful servers): the
        object an item or create answers with, and the list a list answers with."""
        found: dict[str, tuple[str, str, str]] = {}
        definitions = self.spec.get("definitions") or {}
        for _, _, op, where, action in self._operations():
            if where is None or where.subresource or action not in ("get", "post", "put", "list"):
                continue
            key = _ref_key(_response_schema(op))
            schema = definitions.get(key)
            if isinstance(schema, dict) and not _gvks(schema):
                found.setdefault(key, (where.group, where.version, key.rsplit(".", 1)[-1]))
        return found

    def _resources(self) -> tuple[list[Resource], list[Skipped]]:
        by_gvk: dict[tuple[str, str, str], str] = {}
        for key, model in sorted(self.models.items()):
            if len(model.gvks) == 1:
                by_gvk[model.gvks[0]] = key
        found: dict[tuple[str, str, str], _Res] = {}
        ops: dict[tuple[str, str, str], list[tuple[str, str, str]]] = defaultdict(list)
        skipped: list[Skipped] = []
        watched: set[tuple[str, str, str]] = set()
        params: Json = self.spec.get("parameters") or {}
        for path, method, op, where, action in self._operations():
            op_id = str(op.get("operationId", ""))
            if where is None:
                skipped.append(Skipped(path, method, op_id, _NOT_A_RESOURCE, "not a resource"))
                continue
            if where.watch or action in ("watch", "watchlist"):
                watched.add((where.group, where.version, where.plural))
                skipped.append(
                    Skipped(
                        path,
                        method,
                        op_id,
                        "deprecated watch path; watch() uses ?watch=true on the list path",
                        "watch path",
                    )
                )
                continue
            if action == "connect":
                skipped.append(
                    Skipped(
                        path,
                        method,
                        op_id,
                        "connect: a streaming upgrade or proxy, not a typed verb; use Client.request()",
                        "connect",
                    )
                )
                continue
            if action not in _ACTION_VERB:
                reason = f"no verb for {method.upper()} on this path" + (
                    f" (x-kubernetes-action {action!r})" if action else ""
                )
                skipped.append(Skipped(path, method, op_id, reason, "no verb"))
                self.warnings.append(
                    Diagnostic(
                        json_path("paths", path, method),
                        f"no client method: {reason}",
                        Level.WARNING,
                        "use Client.request()",
                    )
                )
                continue
            triple = (where.group, where.version, where.plural)
            res = found.setdefault(triple, _Res(*triple))
            ops[triple].append((path, method, op_id))
            if where.subresource:
                res.subs.append(self._sub_method(where.subresource, method, op, params))
                continue
            res.namespaced = res.namespaced or where.namespaced
            gvk = op.get("x-kubernetes-group-version-kind")
            kind = gvk.get("kind") if isinstance(gvk, dict) else None
            if not kind and action in ("get", "post", "put", "patch"):
                returned = self.models.get(_ref_key(_response_schema(op)))
                kind = returned.gvks[0][2] if returned and len(returned.gvks) == 1 else None
            res.kind = kind or res.kind
            res.verbs.add(_ACTION_VERB[action])
            if action == "list":
                res.list_model = _ref_key(_response_schema(op)) or res.list_model
        # A list can be watched. Where a group-version writes watch paths (the apiserver's
        # built-ins do), only the resources that have one can: componentstatuses cannot.
        watching_gvs = {t[:2] for t in watched}
        for triple, res in found.items():
            if "list" in res.verbs and (triple in watched or triple[:2] not in watching_gvs):
                res.verbs.add("watch")
        resources = []
        for triple, res in sorted(found.items()):
            group, version, plural = triple
            model_key = by_gvk.get((group, version, res.kind), "")
            if not model_key:
                why = (
                    f"no definition has the kind {res.kind} of {plural}"
                    if res.kind
                    else f"no operation of {plural} names its kind or returns a known model"
                )
                skipped += [Skipped(p, m, i, why, "no model") for p, m, i in ops[triple]]
                self.warnings.append(
                    Diagnostic(
                        json_path("paths", min(p for p, _, _ in ops[triple])),
                        f"no client for {plural}: {why}",
                        Level.WARNING,
                        "use Client.request()",
                    )
                )
                continue
            resources.append(
                Resource(
                    group=group,
                    version=version,
                    plural=plural,
                    singular=res.kind.lower(),
                    kind=res.kind,
                    model=model_key,
                    list_model=res.list_model if res.list_model in self.models else "",
                    namespaced=res.namespaced,
                    verbs=tuple(sorted(res.verbs)),
                    subresources=tuple(sorted(set(res.subs), key=lambda s: s.name)),
                    method=PythonName(plural),
                )
            )
        if self.discovery is not None:
            in_spec = {(r.group, r.version, r.plural) for r in resources}
            resources = self._apply_discovery(resources, by_gvk)
            for triple in sorted(in_spec - {(r.group, r.version, r.plural) for r in resources}):
                why = f"discovery of {'/'.join(triple[:2]).lstrip('/')} does not list {triple[2]}"
                skipped += [Skipped(p, m, i, why, "not served") for p, m, i in ops[triple]]
        return resources, skipped

    def _sub_method(self, sub: str, method: str, op: Json, params: Json) -> SubresourceMethod:
        body = ""
        for param in op.get("parameters") or ():
            resolved = (
                params.get(param["$ref"].rsplit("/", 1)[-1], {}) if "$ref" in param else param
            )
            if resolved.get("in") == "body":
                body = _ref_key(resolved.get("schema") or {})
        result = _ref_key(_response_schema(op))
        name = f"{_VERB_PREFIX.get(method, method)}_{PythonName(sub.replace('/', '_'))}"
        return SubresourceMethod(
            name,
            sub,
            method,
            body if body in self.models else "",
            result if result in self.models else "",
        )

    def _apply_discovery(
        self, resources: list[Resource], by_gvk: dict[tuple[str, str, str], str]
    ) -> list[Resource]:
        """Discovery is the truth for plural, namespaced, verbs, short names and categories."""
        assert self.discovery is not None
        known = {(r.group, r.version, r.plural): r for r in resources}
        out: dict[tuple[str, str, str], Resource] = {}
        for gv in sorted(self.discovery):
            doc = self.discovery[gv]
            group, _, version = gv.rpartition("/")
            for entry in doc.get("resources") or ():
                name = entry.get("name", "")
                if "/" in name:
                    continue
                kind = entry.get("kind", "")
                base = known.get((group, version, name))
                model = by_gvk.get((group, version, kind), base.model if base else "")
                if not model:
                    self.warnings.append(
                        Diagnostic(
                            f"discovery {gv}",
                            f"{name} (kind {kind or '?'}) is served, but no definition has its kind",
                            Level.WARNING,
                            "no client for it; use Client.request()",
                        )
                    )
                    continue
                list_key = (
                    base.list_model if base else by_gvk.get((group, version, kind + "List"), "")
                )
                out[(group, version, name)] = Resource(
                    group=group,
                    version=version,
                    plural=name,
                    singular=entry.get("singularName") or kind.lower(),
                    kind=kind,
                    model=model,
                    list_model=list_key,
                    namespaced=bool(entry.get("namespaced")),
                    verbs=tuple(sorted(entry.get("verbs") or ())),
                    short_names=tuple(sorted(entry.get("shortNames") or ())),
                    categories=tuple(sorted(entry.get("categories") or ())),
                    subresources=base.subresources if base else (),
                    method=PythonName(name),
                )
        for key, res in known.items():
            if key not in out and f"{res.group}/{res.version}".lstrip("/") not in self.discovery:
                out[key] = res
        return [out[k] for k in sorted(out)]

    # ---------------------------------------------------------------- modules

    def _modules(self, resources: list[Resource]) -> tuple[Module, ...]:
        models: dict[str, list[Model]] = defaultdict(list)
        aliases: dict[str, list[Alias]] = defaultdict(list)
        res_by_module: dict[str, list[Resource]] = defaultdict(list)
        for model in self.models.values():
            models[model.module].append(model)
        for alias in self.aliases.values():
            aliases[alias.module].append(alias)
        for res in resources:
            res_by_module[self.models[res.model].module].append(res)
        modules = []
        for name in sorted(set(models) | set(aliases)):
            gv = next((g for g, m in sorted(self.gv_module.items()) if m == name), ("", ""))
            res_list = sorted(res_by_module.get(name, []), key=lambda r: r.plural)
            taken = {m.name for m in models[name]} | {a.name for a in aliases[name]}
            classes = _free_classes(
                taken,
                [ClassName(name.replace("_", "-"))] * bool(res_list)
                + [ClassName(r.kind) + "Client" for r in res_list],
            )
            methods = unique([r.method for r in res_list])
            modules.append(
                Module(
                    name=name,
                    group=gv[0],
                    version=gv[1],
                    models=tuple(sorted(models[name], key=lambda m: m.name)),
                    aliases=tuple(sorted(aliases[name], key=lambda a: a.name)),
                    resources=tuple(
                        replace(r, client=c, method=m)
                        for r, c, m in zip(res_list, classes[1:], methods, strict=True)
                    ),
                    client_class=classes[0] if res_list else "",
                )
            )
        return tuple(modules)


@dataclass
class _Res:
    group: str
    version: str
    plural: str
    kind: str = ""
    namespaced: bool = False
    list_model: str = ""
    verbs: set[str] = field(default_factory=set)
    subs: list[SubresourceMethod] = field(default_factory=list)


_SCALAR_TYPES = {
    ("string", None): "str",
    ("string", "date-time"): "time",
    ("string", "int-or-string"): "int_or_str",
    ("integer", None): "int",
    ("number", None): "float",
    ("boolean", None): "bool",
}


def _with_crd(res: Resource, crds: Sequence[Json]) -> Resource:
    """A resource with what its CRD alone says: the storage version and the printer columns."""
    for crd in crds:
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        if (spec.get("group"), names.get("plural")) != (res.group, res.plural):
            continue
        versions = [v for v in spec.get("versions") or () if isinstance(v, dict)]
        storage = next((str(v.get("name")) for v in versions if v.get("storage")), "")
        this = next((v for v in versions if v.get("name") == res.version), {})
        columns = tuple(
            PrinterColumn(
                name=str(c.get("name", "")),
                type=str(c.get("type", "")),
                json_path=str(c.get("jsonPath", "")),
                description=str(c.get("description", "")),
                priority=int(c.get("priority") or 0),
                format=str(c.get("format", "")),
            )
            for c in this.get("additionalPrinterColumns") or ()
            if isinstance(c, dict)
        )
        return replace(res, storage_version=storage, printer_columns=columns)
    return res


def _field_names(wires: list[str]) -> list[str]:
    """Python names for wire names, in their order. When two sanitise alike, a wire name that
    already is its Python name keeps it (`jwks_uri`), the others get `_2`, `_3`, ... in wire
    name order (`jwksUri` -> `jwks_uri_2`)."""
    first = sorted(range(len(wires)), key=lambda i: (PythonName(wires[i]) != wires[i], wires[i]))
    names = unique([PythonName(wires[i]) for i in first])
    out = [""] * len(wires)
    for i, name in zip(first, names, strict=True):
        out[i] = name
    return out


def _free_classes(taken: set[str], wanted: list[str]) -> list[str]:
    """Names for generated classes that clash with no model of the module, nor with each
    other, in their plain and `Async` forms (a model may be called `PodClient`)."""
    out: list[str] = []
    for want in wanted:
        got, n = want, 1
        while got in taken or "Async" + got in taken:
            n += 1
            got = f"{want}{n}"
        taken |= {got, "Async" + got}
        out.append(got)
    return out


def _schema_types(schema: Json) -> tuple[tuple[str, ...], bool]:
    """A schema's JSON types other than null, sorted, and whether null is allowed: `type`
    may be one name or a list (JSON Schema), `nullable` (OpenAPI 3) or `x-nullable` say so too."""
    raw = schema.get("type")
    named = raw if isinstance(raw, list) else [raw]
    types = tuple(sorted({t for t in named if isinstance(t, str) and t != "null"}))
    nullable = "null" in named or schema.get("nullable") is True or schema.get("x-nullable") is True
    return types, nullable


def _alternatives(schema: Json) -> tuple[str, ...]:
    """The scalar types of an `anyOf`/`oneOf` whose every branch is one scalar type."""
    for word in ("anyOf", "oneOf"):
        branches = schema.get(word)
        if isinstance(branches, list) and branches:
            types = [_schema_types(b)[0] if isinstance(b, dict) else () for b in branches]
            if all(len(t) == 1 and t[0] in _SCALARS for t in types):
                return tuple(sorted({t[0] for t in types}))
    return ()


_SCALARS = frozenset({"string", "integer", "number", "boolean"})


def _union(types: tuple[str, ...]) -> TypeRef:
    """The type of a value that may be any of several JSON types (never null here)."""
    if not set(types) <= _SCALARS:
        return TypeRef("any")  # object-or-array and the like: no narrower Python type
    if set(types) == {"integer", "string"}:
        return TypeRef("int_or_str")
    if set(types) == {"integer", "number"}:
        return TypeRef("float")  # an int is a float to a type checker
    kinds = {_SCALAR_TYPES[(t, None)] for t in types}
    if "float" in kinds:
        kinds.discard("int")
    return TypeRef("union", options=tuple(sorted(kinds)))


def _gvks(schema: Json) -> tuple[tuple[str, str, str], ...]:
    raw = schema.get("x-kubernetes-group-version-kind") or ()
    return tuple(
        sorted(
            (str(g.get("group", "")), str(g.get("version", "")), str(g.get("kind", "")))
            for g in raw
            if isinstance(g, dict)
        )
    )


def _apimachinery_module(key: str) -> str:
    """apimachinery's packages keep their Go names: meta_v1, intstr, resource, runtime, version
    (`io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`, or kube-openapi's `k8s.io.` form)."""
    if key.startswith("k8s.io."):
        key = "io.k8s." + key[len("k8s.io.") :]
    version, _, name = key.partition(".")
    if version == "v1" and name in _META_NAMES:  # kube-openapi's short names: `v1.ObjectMeta`
        return "meta_v1"
    if not key.startswith("io.k8s.apimachinery."):
        return ""
    parts = key.split(".")[:-1]
    if len(parts) >= 2 and is_version(parts[-1]):
        return f"{PythonName(parts[-2]).rstrip('_')}_{parts[-1]}"
    return PythonName(parts[-1]).rstrip("_")


def _gv_from_key(key: str) -> tuple[str, str]:
    """A group-version guessed from a definition's name alone (no GVK, no path serves it):
    Kubernetes Go paths (`io.k8s.api.core.v1.X`, `k8s.io.api.core.v1.X`) by their package;
    other Go paths (`com.github.org.repo.pkg.apis.monitoring.v1.X`) by the package after
    `apis`; reversed domains (`com.example.stable.v1.X`) by the domain; a bare version
    (`v1beta1.X`) by nothing but the version."""
    parts = key.split(".")[:-1]
    if parts[:3] == ["k8s", "io", "api"]:
        parts = ["io", "k8s", *parts[2:]]
    index = next((i for i in range(len(parts) - 1, -1, -1) if is_version(parts[i])), None)
    if index is None:
        return ".".join(reversed(parts)), ""
    prefix, version = parts[:index], parts[index]
    if prefix[:3] == ["io", "k8s", "api"] and len(prefix) == 4:
        package = prefix[3]
        group = next((g for g, p in KUBERNETES_PACKAGES.items() if p == package), package)
        return group, version
    if "apis" in prefix:
        return prefix[-1], version  # .../pkg/apis/<package>/<version>
    if not prefix:
        return "unknown", version  # never core_*: nothing says this is the core group
    return ".".join(reversed(prefix)), version


def _group_versions(definitions: Json, paths: Any) -> dict[str, tuple[str, str]]:
    """The group-version of each definition that says or shows it: its GVK, else the paths
    whose operations send or return it, else the definitions of its Go package that do.
    Definitions with none are left out (their name decides)."""
    found: dict[str, tuple[str, str]] = {}
    for key, schema in definitions.items():
        gvs = {g[:2] for g in _gvks(schema)} if isinstance(schema, dict) else set()
        if len(gvs) == 1:
            found[key] = gvs.pop()
    served: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for path, item in (paths or {}).items() if isinstance(paths, dict) else ():
        where = rest_path(path)
        if where is None or not isinstance(item, dict):
            continue
        for op in item.values():
            if isinstance(op, dict):
                for key in _operation_refs(op):
                    served[key].add((where.group, where.version))
    for key, gvs in served.items():
        if key not in found and key in definitions and len(gvs) == 1:
            found[key] = next(iter(gvs))
    by_package: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for key, gv in found.items():
        by_package[key.rpartition(".")[0]].add(gv)
    for key in definitions:
        package = by_package.get(key.rpartition(".")[0], set())
        if key not in found and len(package) == 1:
            found[key] = next(iter(package))
    return found


def _operation_refs(op: Json) -> list[str]:
    """Definitions an operation sends or returns (directly)."""
    refs = [_ref_key(_response_schema(op))]
    for param in op.get("parameters") or ():
        if isinstance(param, dict) and param.get("in") == "body":
            refs.append(_ref_key(param.get("schema") or {}))
    return [r for r in refs if r]


@dataclass(frozen=True)
class RestPath:
    """What a REST path addresses: `/apis/{group}/{version}[/namespaces/{namespace}]/{plural}
    [/{name}[/{subresource}]]` (or `/api/{version}/...`), `/watch/` paths included."""

    group: str
    version: str
    plural: str
    namespaced: bool
    named: bool
    subresource: str
    watch: bool


_TEMPLATE = re.compile(r"^\{([^}:]+)(?::.*)?\}$")  # go-restful: {namespace:[a-z0-9][a-z0-9\-]*}


def _segment(text: str) -> str:
    """A path segment with a go-restful parameter's pattern dropped: `{name:.+}` -> `{name}`."""
    found = _TEMPLATE.match(text)
    return "{" + found.group(1) + "}" if found else text


def rest_path(path: str) -> RestPath | None:
    """The resource a path addresses, or None for any other path (discovery documents under
    /api and /apis, /version, /logs, ...)."""
    segs = [_segment(s) for s in path.split("/") if s]
    if len(segs) >= 2 and segs[0] == "api":
        group, version, rest = "", segs[1], segs[2:]
    elif len(segs) >= 3 and segs[0] == "apis":
        group, version, rest = segs[1], segs[2], segs[3:]
    else:
        return None
    watch = bool(rest) and rest[0] == "watch"
    if watch:
        rest = rest[1:]
    if not rest or rest[0].startswith("{"):
        return None
    if len(rest) >= 3 and rest[0] == "namespaces" and rest[1] == "{namespace}":
        plural, tail, namespaced = rest[2], rest[3:], True
    else:
        plural, tail, namespaced = rest[0], rest[1:], False
    named = bool(tail) and tail[0].startswith("{")
    sub = "/".join(tail[1:]) if named else ""
    sub = re.sub(r"/\{[^}]*\}$", "", sub)
    return RestPath(group, version, plural, namespaced, named, sub, watch)


_NOT_A_RESOURCE = "not a resource path (discovery, version, logs); use Client.request()"

# Subresources that are streams or proxies, not typed verbs (exec, attach, portforward, proxy).
_CONNECT = frozenset({"attach", "exec", "portforward", "proxy"})


def _action(op: Json, method: str, where: RestPath) -> str:
    """An operation's x-kubernetes-action, or what its method and path say it is."""
    action = op.get("x-kubernetes-action")
    if isinstance(action, str):
        return action
    if where.watch:
        return "watchlist" if not where.named else "watch"
    if where.subresource.split("/")[0] in _CONNECT:
        return "connect"
    if where.named:
        return {"get": "get", "put": "put", "patch": "patch", "delete": "delete"}.get(method, "")
    return {"get": "list", "post": "post", "delete": "deletecollection"}.get(method, "")


def _response_schema(op: Json) -> Json:
    ok = (op.get("responses") or {}).get("200") or {}
    schema = ok.get("schema")
    return schema if isinstance(schema, dict) else {}


def _ref_key(schema: Json) -> str:
    ref = schema.get("$ref", "")
    return pointer_key(ref[len(_REF) :]) if isinstance(ref, str) and ref.startswith(_REF) else ""


def _text(schema: Json) -> str:
    value = schema.get("description", "")
    return value if isinstance(value, str) else str(value)


def _ext_text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value).lower() if isinstance(value, bool) else str(value)


# What the generated runtime itself builds on: DynamicObject's metadata, lists, and the
# Status a delete or an error answers with.
_RUNTIME_META = ("ListMeta", "ObjectMeta", "Status")
_META = "io.k8s.apimachinery.pkg.apis.meta.v1."


def _with_runtime_types(spec: Json) -> Json:
    """The spec, with the meta/v1 types the runtime needs added from the bundled Kubernetes
    spec when it lacks them (a CRD-only or aggregated server's document), together with the
    meta/v1 types they use that it lacks; references go to the spec's own when it has one."""
    definitions = spec.get("definitions")
    if not isinstance(definitions, dict):
        return spec
    have = {
        key.rsplit(".", 1)[-1]: key
        for key in sorted(definitions)
        if _apimachinery_module(key) == "meta_v1"
    }
    if all(name in have for name in _RUNTIME_META):
        return spec
    from kubeforge.source import bundled

    kubernetes = bundled().document["definitions"]
    added: Json = {}
    todo = [name for name in _RUNTIME_META if name not in have]
    while todo:
        name = todo.pop()
        if name in have:
            continue
        have[name] = _META + name
        text = json.dumps(kubernetes[_META + name])
        for used in sorted(set(re.findall(rf'"#/definitions/{re.escape(_META)}(\w+)"', text))):
            todo.append(used)
            added_ref = f'"#/definitions/{_META}{used}"'
            text = text.replace(added_ref, f'"#/definitions/{have.get(used, _META + used)}"')
        added[_META + name] = json.loads(text)
    return {**spec, "definitions": {**definitions, **added}}


def parse(
    spec: Json,
    discovery: Mapping[str, Json] | None,
    package: str,
    sha: str,
    previous: Mapping[str, str] | None = None,
    crds: Sequence[Json] = (),
) -> tuple[Package, list[Diagnostic]]:
    """The IR of a spec, with the warnings found on the way. Raises GenerateError on errors.

    `previous` maps group/version to the module an earlier generation gave it: those names
    are kept, so adding a group never renames an existing module. `crds` are the
    CustomResourceDefinitions behind custom kinds, for what only they say.
    """
    parser = _Parser(
        _with_runtime_types(spec), discovery, package, previous=previous or {}, crds=crds
    )
    result = parser.run(sha)
    return result, sorted(set(parser.warnings))
