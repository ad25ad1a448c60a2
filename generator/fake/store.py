"""Objects by (group, resource, namespace, name), one global resourceVersion, and event logs.

Every method runs on the server's event loop thread, so no locks are needed; watchers wait
on a per-resource wake-up and read the bounded event log, which also serves watch resume.
Controllers subscribe to every stored change (`subscribe`).
"""

from __future__ import annotations

import asyncio
import base64
import copy
import datetime
import json
import secrets
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kubeforge.fake import status
from kubeforge.fake.registry import ResourceType

Obj = dict[str, Any]
Key = tuple[str, str]  # (group, plural)
_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"  # what the real server uses: no vowels, no 0/1/3


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def encode(obj: Obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass
class Event:
    """One change. `old` is the object before a MODIFIED, so a watch with a selector can tell
    an object entering it (ADDED) or leaving it (DELETED) from one that changed inside it."""

    rv: int
    type: str
    object: Obj
    namespace: str
    old: Obj | None = None
    # A DELETED whose dependents keep living without it (propagationPolicy Orphan).
    orphan: bool = False
    _lines: dict[str, bytes] = field(default_factory=dict)

    def line(self, api_version: str) -> bytes:
        """The event as one JSON line in a watch stream, encoded once per API version."""
        found = self._lines.get(api_version)
        if found is None:
            obj = (
                self.object
                if self.object.get("apiVersion") == api_version
                else {**self.object, "apiVersion": api_version}
            )
            found = self._lines[api_version] = encode({"type": self.type, "object": obj}) + b"\n"
        return found


# Told of every stored change, after it is in the log; runs on the loop and may write.
Subscriber = Callable[[ResourceType, Event], None]


class Store:
    def __init__(self, window: int = 1000) -> None:
        self.window = window
        self.rv = 1
        self.objects: dict[Key, dict[tuple[str, str], Obj]] = {}
        self.logs: dict[Key, deque[Event]] = {}
        self.compacted: dict[Key, int] = {}
        # Set once when the resource next changes, then replaced: one wake-up for all its
        # watchers, without a task or a lock per change.
        self._changed: dict[Key, asyncio.Event] = {}
        self._snapshots: OrderedDict[str, tuple[str, list[Obj]]] = OrderedDict()
        self._subscribers: list[Subscriber] = []
        # Changes subscribers have yet to see: a write a subscriber makes is queued behind the
        # one it reacts to, so cascades (garbage collection, namespace cleanup) do not recurse.
        self._pending: deque[tuple[ResourceType, Event]] = deque()
        self._dispatching = False
        self._encoded: dict[int, tuple[Obj, bytes]] = {}
        # Container logs by (namespace, pod, container), for pods/log.
        self.pod_logs: dict[tuple[str, str, str], str] = {}
        self._log_changed = asyncio.Event()

    # ------------------------------------------------------------ reads

    def find(self, rt: ResourceType, namespace: str, name: str) -> Obj | None:
        return self.objects.get((rt.group, rt.plural), {}).get((namespace, name))

    def get(self, rt: ResourceType, namespace: str, name: str) -> Obj:
        found = self.find(rt, namespace, name)
        if found is None:
            raise status.not_found(rt.plural, rt.group, name)
        return found

    def select(
        self, rt: ResourceType, namespace: str | None, match: Callable[[Obj], bool]
    ) -> list[Obj]:
        """Matching objects in key order (namespace, then name), as etcd returns them."""
        objects = self.objects.get((rt.group, rt.plural), {})
        return [
            obj
            for (ns, _), obj in sorted(objects.items())
            if (namespace is None or ns == namespace) and match(obj)
        ]

    def snapshot(self, items: list[Obj], offset: int, rv: str) -> str:
        """A continue token for the rest of a paged list; the newest 64 snapshots are kept."""
        key = secrets.token_hex(8)
        self._snapshots[key] = (rv, items)
        while len(self._snapshots) > 64:
            self._snapshots.popitem(last=False)
        return base64.urlsafe_b64encode(
            json.dumps({"rv": rv, "id": key, "start": offset}).encode()
        ).decode()

    def resume(self, token: str) -> tuple[str, list[Obj], int]:
        """(resourceVersion, items, offset) of a continue token; 410 once it has expired."""
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode()))
            rv, items = self._snapshots[data["id"]]
            return rv, items, int(data["start"])
        except KeyError:
            raise status.gone(
                "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter."
            ) from None
        except (ValueError, TypeError):
            raise status.bad_request(f"invalid continue token: {token!r}") from None

    def encoded(self, obj: Obj) -> bytes:
        """A stored object as JSON, encoded once while it is current."""
        hit = self._encoded.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        raw = encode(obj)
        self._encoded[id(obj)] = (obj, raw)
        return raw

    def _forget(self, obj: Obj) -> None:
        self._encoded.pop(id(obj), None)

    # ------------------------------------------------------------ writes

    def _next_rv(self) -> str:
        self.rv += 1
        return str(self.rv)

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def _emit(self, rt: ResourceType, event: Event) -> None:
        key = (rt.group, rt.plural)
        log = self.logs.setdefault(key, deque())
        log.append(event)
        while len(log) > self.window:
            self.compacted[key] = log.popleft().rv
        waiting = self._changed.pop(key, None)
        if waiting is not None:
            waiting.set()
        self._pending.append((rt, event))
        if self._dispatching:
            return
        self._dispatching = True
        try:
            while self._pending:
                changed, pending = self._pending.popleft()
                for subscriber in self._subscribers:
                    subscriber(changed, pending)
        finally:
            self._dispatching = False
            self._pending.clear()  # after a failed subscriber: never replayed to the next write

    def create(self, rt: ResourceType, namespace: str, obj: Obj, *, dry_run: bool = False) -> Obj:
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise status.bad_request("metadata must be an object")
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(
                secrets.choice(_NAME_CHARS) for _ in range(5)
            )
        name = meta.get("name")
        if not name:
            raise status.invalid(
                rt.kind,
                rt.group,
                "",
                [
                    {
                        "reason": "FieldValueRequired",
                        "message": "Required value: name or generateName is required",
                        "field": "metadata.name",
                    }
                ],
            )
        if rt.namespaced:
            if namespace not in {n for _, n in self.objects.get(("", "namespaces"), {})}:
                raise status.not_found("namespaces", "", namespace)
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        objects = self.objects.setdefault((rt.group, rt.plural), {})
        if (namespace, name) in objects:
            raise status.already_exists(rt.plural, rt.group, name)
        meta.update(uid=str(uuid.uuid4()), creationTimestamp=now(), generation=1)
        meta.pop("deletionTimestamp", None)
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        if dry_run:
            return obj
        meta["resourceVersion"] = self._next_rv()
        objects[(namespace, name)] = obj
        self._emit(rt, Event(self.rv, "ADDED", obj, meta.get("namespace", "")))
        return obj

    def update(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        obj: Obj,
        subresource: str = "",
        *,
        dry_run: bool = False,
    ) -> Obj:
        """Replace an object; with a status subresource, each side keeps the other's part."""
        current = self.get(rt, namespace, name)
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        assert isinstance(meta, dict)
        wanted_rv = meta.get("resourceVersion")
        if wanted_rv and wanted_rv != current["metadata"]["resourceVersion"]:
            raise status.conflict(rt.plural, rt.group, name, status.MODIFIED)
        if meta.get("name", name) != name:
            raise status.bad_request(
                f'the name of the object ({meta.get("name")}) does not match the name on the URL ({name})'
            )
        has_status = "status" in rt.subresources
        if subresource == "status":
            new = copy.deepcopy(current)
            if "status" in obj:
                new["status"] = obj["status"]
            else:
                new.pop("status", None)
        else:
            new = obj
            new_meta = dict(meta)
            for kept in ("uid", "creationTimestamp", "generation", "namespace", "name"):
                if kept in current["metadata"]:
                    new_meta[kept] = current["metadata"][kept]
                else:
                    new_meta.pop(kept, None)
            new["metadata"] = new_meta
            if has_status:
                if "status" in current:
                    new["status"] = current["status"]
                else:
                    new.pop("status", None)
            if _spec_of(new) != _spec_of(current):
                new_meta["generation"] = current["metadata"].get("generation", 1) + 1
        if _same(new, current):
            return current
        new["apiVersion"], new["kind"] = rt.api_version, rt.kind
        if dry_run:
            return new
        new["metadata"]["resourceVersion"] = self._next_rv()
        self._forget(current)
        self.objects[(rt.group, rt.plural)][(namespace, name)] = new
        self._emit(rt, Event(self.rv, "MODIFIED", new, namespace, current))
        return new

    def delete(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        preconditions: dict[str, Any] | None = None,
        *,
        dry_run: bool = False,
        orphan: bool = False,
    ) -> Obj:
        """Remove an object; its dependents go too (garbage collection) unless `orphan`."""
        current = self.get(rt, namespace, name)
        meta = current["metadata"]
        for key in ("uid", "resourceVersion"):
            wanted = (preconditions or {}).get(key)
            if wanted and wanted != meta.get(key):
                label = "UID" if key == "uid" else "ResourceVersion"
                raise status.conflict(
                    rt.plural,
                    rt.group,
                    name,
                    f"Precondition failed: {label} in precondition: {wanted}, {label} in object meta: {meta.get(key)}",
                )
        if dry_run:
            return current
        del self.objects[(rt.group, rt.plural)][(namespace, name)]
        self._forget(current)
        gone = copy.deepcopy(current)
        gone["metadata"]["resourceVersion"] = self._next_rv()
        self._emit(rt, Event(self.rv, "DELETED", gone, namespace, orphan=orphan))
        return gone

    def drop(self, rt: ResourceType) -> None:
        """Delete every object of a resource (its definition is going away)."""
        for (namespace, name), _ in sorted(self.objects.get((rt.group, rt.plural), {}).items()):
            self.delete(rt, namespace, name)

    def append_log(self, namespace: str, pod: str, container: str, text: str) -> None:
        key = (namespace, pod, container)
        self.pod_logs[key] = self.pod_logs.get(key, "") + text
        self._log_changed.set()
        self._log_changed = asyncio.Event()

    def log_changed(self) -> asyncio.Event:
        """Set when any container log next grows."""
        return self._log_changed

    # ------------------------------------------------------------ watch support

    def changed(self, rt: ResourceType) -> asyncio.Event:
        """Set when the resource next changes: take it before reading `events_since`, so a
        change between the read and the wait is not missed."""
        return self._changed.setdefault((rt.group, rt.plural), asyncio.Event())

    def events_since(self, rt: ResourceType, rv: int) -> list[Event]:
        """Events after `rv`; raises 410 Gone when `rv` is older than the window."""
        key = (rt.group, rt.plural)
        if rv < self.compacted.get(key, 0):
            oldest = self.logs[key][0].rv if self.logs.get(key) else self.rv
            raise status.gone(f"too old resource version: {rv} ({oldest - 1})")
        newer: list[Event] = []
        for event in reversed(self.logs.get(key, ())):  # the log is in rv order: walk the new end
            if event.rv <= rv:
                break
            newer.append(event)
        newer.reverse()
        return newer


def _spec_of(obj: Obj) -> Obj:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def _same(a: Obj, b: Obj) -> bool:
    strip = ("resourceVersion", "managedFields")
    return {
        **a,
        "apiVersion": None,
        "kind": None,
        "metadata": {k: v for k, v in a["metadata"].items() if k not in strip},
    } == {
        **b,
        "apiVersion": None,
        "kind": None,
        "metadata": {k: v for k, v in b["metadata"].items() if k not in strip},
    }
