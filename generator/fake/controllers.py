"""Controllers: store subscribers that act on stored changes, as kube-controller-manager and
apiextensions-apiserver do, however the change was made (a request, a cascade, a test).

They run synchronously, before the write that triggered them is answered, so a client sees
their effects at once: the fake is deterministic where the real cluster is eventually so.
"""

from __future__ import annotations

import copy

from kubeforge.fake import crd
from kubeforge.fake.catalog import Catalog
from kubeforge.fake.registry import Registry, ResourceType
from kubeforge.fake.store import Event, Obj, Store, now

_CRDS = ("apiextensions.k8s.io", "customresourcedefinitions")
_NAMESPACES = ("", "namespaces")
# A stored object: the resource type it was written through, its namespace and name.
_Ref = tuple[ResourceType, str, str]


def start(store: Store, catalog: Catalog) -> None:
    """Subscribe every controller to the store."""
    store.subscribe(CustomResourceDefinitions(store, catalog))
    store.subscribe(NamespaceCleanup(store, catalog.registry))
    store.subscribe(GarbageCollector(store))


class GarbageCollector:
    """Dependents (by `ownerReferences` uid) go with their owner, or lose the reference when it
    was deleted with propagationPolicy Orphan. An index by owner uid keeps each delete's cost
    to its own dependents, so deleting a namespace of n objects is not n full scans."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._dependents: dict[str, dict[tuple[str, str, str, str], _Ref]] = {}

    def __call__(self, rt: ResourceType, event: Event) -> None:
        key = _key(rt, event.object)
        before = _owners(event.old) if event.type == "MODIFIED" else set()
        after = set() if event.type == "DELETED" else _owners(event.object)
        for uid in before - after:
            self._dependents.get(uid, {}).pop(key, None)
        for uid in after - before:
            self._dependents.setdefault(uid, {})[key] = (rt, key[2], key[3])
        if event.type != "DELETED":
            return
        for uid in _owners(event.object):
            self._dependents.get(uid, {}).pop(key, None)
        owner = event.object["metadata"].get("uid", "")
        for dependent_rt, namespace, name in self._dependents.pop(owner, {}).values():
            found = self.store.find(dependent_rt, namespace, name)
            if found is None:
                continue
            if event.orphan:
                kept = copy.deepcopy(found)
                refs = kept["metadata"].get("ownerReferences") or []
                kept["metadata"]["ownerReferences"] = [r for r in refs if r.get("uid") != owner]
                self.store.update(dependent_rt, namespace, name, kept)
            else:
                self.store.delete(dependent_rt, namespace, name)


class NamespaceCleanup:
    """A deleted namespace takes every object in it."""

    def __init__(self, store: Store, registry: Registry) -> None:
        self.store = store
        self.registry = registry

    def __call__(self, rt: ResourceType, event: Event) -> None:
        if (rt.group, rt.plural) != _NAMESPACES or event.type != "DELETED":
            return
        namespace = event.object["metadata"]["name"]
        types = {(t.group, t.plural): t for t in self.registry.types.values() if t.namespaced}
        for t in types.values():
            for obj in self.store.select(t, namespace, lambda o: True):
                name = obj["metadata"]["name"]
                if self.store.find(t, namespace, name) is not None:  # not collected already
                    self.store.delete(t, namespace, name)


class CustomResourceDefinitions:
    """CustomResourceDefinitions change what is served: types, definitions and paths; a new
    CRD is Established at once, and a deleted one takes its custom objects."""

    def __init__(self, store: Store, catalog: Catalog) -> None:
        self.store = store
        self.catalog = catalog

    def __call__(self, rt: ResourceType, event: Event) -> None:
        if (rt.group, rt.plural) != _CRDS:
            return
        obj = event.object
        name = obj["metadata"]["name"]
        withdrawn = self.catalog.withdraw_crd(name)
        if event.type == "DELETED":
            for old in withdrawn:
                self.store.drop(old)
            self.catalog.custom.update(obj, deleted=True)
        else:
            types = self.catalog.serve_crd(obj)
            if self.catalog.custom.update(obj) and event.type == "MODIFIED":
                self._coerce_stored(types)
        self.catalog.changed()
        if event.type == "ADDED":
            self.store.update(rt, "", name, {**obj, "status": crd.status(obj, now())}, "status")

    def _coerce_stored(self, types: list[ResourceType]) -> None:
        """A CRD's schemas changed: stored objects read as the new schema decodes them
        (pruned, defaulted), as the real server's storage made anew for the CRD reads them;
        their resourceVersion stays."""
        for rt in {(t.group, t.plural): t for t in types}.values():
            objects = self.store.objects.get((rt.group, rt.plural), {})
            for key, obj in objects.items():
                version = obj.get("apiVersion", "").rpartition("/")[2]
                schema = self.catalog.custom.get(rt.group, rt.plural, version)
                if schema is not None:
                    objects[key] = schema.coerce(copy.deepcopy(obj), [])


def _key(rt: ResourceType, obj: Obj) -> tuple[str, str, str, str]:
    meta = obj["metadata"]
    return rt.group, rt.plural, meta.get("namespace", ""), meta["name"]


def _owners(obj: Obj | None) -> set[str]:
    refs = ((obj or {}).get("metadata") or {}).get("ownerReferences") or []
    return {r["uid"] for r in refs if isinstance(r, dict) and isinstance(r.get("uid"), str)}
