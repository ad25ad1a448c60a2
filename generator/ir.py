"""The intermediate representation: frozen dataclasses from the parsed spec to the templates.

Package -> Module (one per API group-version or Go package) -> Model (fields) and Resource.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TypeRef:
    """A field's type: kind "model" (with `model`, a definition key), "list" or "map" (with
    `item`), "union" (with `options`, scalar kinds), or a scalar: str, int, bool, float,
    int_or_str, quantity, time, microtime, any. `nullable`: null is a value of it."""

    kind: str
    model: str = ""
    item: TypeRef | None = None
    options: tuple[str, ...] = ()
    nullable: bool = False


@dataclass(frozen=True)
class Field:
    wire: str
    name: str
    type: TypeRef
    required: bool
    description: str
    extensions: tuple[tuple[str, str], ...] = ()
    sensitive: bool = False


@dataclass(frozen=True)
class Model:
    """An object schema. `key` is its definition name (or a synthesised one for inline schemas)."""

    key: str
    name: str
    module: str
    description: str
    fields: tuple[Field, ...]
    gvks: tuple[tuple[str, str, str], ...] = ()  # (group, version, kind)
    list_item: str = ""  # for list kinds: the item model's key


@dataclass(frozen=True)
class Alias:
    """A definition that is not an object with fields: Quantity, Time, IntOrString, RawExtension,
    a list, a union of scalars."""

    key: str
    name: str
    module: str
    description: str
    type: TypeRef


@dataclass(frozen=True)
class SubresourceMethod:
    """A typed method on a resource client for one subresource verb (get_status, create_eviction)."""

    name: str
    subresource: str
    verb: str  # get, put, patch, post
    body: str  # model key of the request body, "" when none
    result: str  # model key of the response, "" for text (pods/log)


@dataclass(frozen=True)
class PrinterColumn:
    """One of a CRD version's additionalPrinterColumns (what `kubectl get` shows)."""

    name: str
    type: str
    json_path: str
    description: str = ""
    priority: int = 0
    format: str = ""


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    singular: str
    kind: str
    model: str  # model key
    list_model: str  # model key, "" when the resource cannot be listed
    namespaced: bool
    verbs: tuple[str, ...]
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[SubresourceMethod, ...] = ()
    method: str = ""  # accessor name on the group client, e.g. "pods"
    client: str = ""  # the client class, e.g. "PodClient" (and "AsyncPodClient")
    # What only a CustomResourceDefinition says: empty for built-in kinds.
    storage_version: str = ""
    printer_columns: tuple[PrinterColumn, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


@dataclass(frozen=True)
class Skipped:
    """An operation with no client method: why, and in which of a few words (the summary's
    tally: "watch path", "connect", "not a resource", "no verb", "no model")."""

    path: str
    method: str
    operation_id: str
    reason: str
    category: str


@dataclass(frozen=True)
class Module:
    name: str
    group: str
    version: str
    models: tuple[Model, ...]
    aliases: tuple[Alias, ...]
    resources: tuple[Resource, ...]
    client_class: str = ""  # e.g. "CoreV1"; empty for modules with no resources


@dataclass(frozen=True)
class Package:
    name: str
    spec_sha256: str
    modules: tuple[Module, ...]
    skipped: tuple[Skipped, ...] = field(default=())

    def model(self, key: str) -> Model:
        for module in self.modules:
            for model in module.models:
                if model.key == key:
                    return model
        raise KeyError(key)
