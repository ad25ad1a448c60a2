"""What the server serves: resource types from a spec, grown by CRDs, and the discovery documents."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kubeforge.crd import api_resources
from kubeforge.parse import parse, rest_path

# Facts about built-in resources that the OpenAPI document does not carry (kubectl uses them).
SHORT_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "configmaps"): ("cm",),
    ("", "componentstatuses"): ("cs",),
    ("", "endpoints"): ("ep",),
    ("", "events"): ("ev",),
    ("", "limitranges"): ("limits",),
    ("", "namespaces"): ("ns",),
    ("", "nodes"): ("no",),
    ("", "persistentvolumeclaims"): ("pvc",),
    ("", "persistentvolumes"): ("pv",),
    ("", "pods"): ("po",),
    ("", "replicationcontrollers"): ("rc",),
    ("", "resourcequotas"): ("quota",),
    ("", "serviceaccounts"): ("sa",),
    ("", "services"): ("svc",),
    ("apps", "daemonsets"): ("ds",),
    ("apps", "deployments"): ("deploy",),
    ("apps", "replicasets"): ("rs",),
    ("apps", "statefulsets"): ("sts",),
    ("autoscaling", "horizontalpodautoscalers"): ("hpa",),
    ("batch", "cronjobs"): ("cj",),
    ("certificates.k8s.io", "certificatesigningrequests"): ("csr",),
    ("apiextensions.k8s.io", "customresourcedefinitions"): ("crd", "crds"),
    ("events.k8s.io", "events"): ("ev",),
    ("networking.k8s.io", "ingresses"): ("ing",),
    ("networking.k8s.io", "ipaddresses"): ("ip",),
    ("networking.k8s.io", "networkpolicies"): ("netpol",),
    ("policy", "poddisruptionbudgets"): ("pdb",),
    ("scheduling.k8s.io", "priorityclasses"): ("pc",),
    ("storage.k8s.io", "storageclasses"): ("sc",),
    ("storage.k8s.io", "volumeattributesclasses"): ("vac",),
}
_ALL = {
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("", "services"),
    ("apps", "daemonsets"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("autoscaling", "horizontalpodautoscalers"),
    ("batch", "cronjobs"),
    ("batch", "jobs"),
}
_API_EXTENSIONS = {
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"),
    ("apiextensions.k8s.io", "customresourcedefinitions"),
    ("apiregistration.k8s.io", "apiservices"),
}
_SUB_VERBS = {"get": "get", "put": "update", "patch": "patch", "post": "create", "delete": "delete"}
# HEAD and OPTIONS reach a proxy too, but discovery names only these.
_CONNECT_VERBS = frozenset(_SUB_VERBS.values())


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...]
    list_kind: str = ""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    model: str = ""  # definition key of the object's schema
    # Streams and proxies (exec, attach, portforward, proxy): listed, never served here.
    connect: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # (group, version, kind) of a subresource whose object is not the resource's own.
    subresource_kinds: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # A custom resource's scale subresource: where replicas (spec, status) and the label
    # selector live; None for built-in kinds (spec.replicas, status.replicas, spec.selector).
    scale_paths: tuple[str, str, str] | None = None

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


NAMESPACE_TYPE = ResourceType(
    group="",
    version="v1",
    plural="namespaces",
    singular="namespace",
    kind="Namespace",
    namespaced=False,
    verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
    list_kind="NamespaceList",
    short_names=SHORT_NAMES[("", "namespaces")],
)


def _version_key(version: str) -> tuple[int, int, int]:
    """Kubernetes version priority: GA before beta before alpha, then higher numbers first."""
    m = re.match(r"^v(\d+)(?:(alpha|beta)(\d+))?$", version)
    if not m:
        return (3, 0, 0)
    level = {None: 0, "beta": 1, "alpha": 2}[m.group(2)]
    return (level, -int(m.group(1)), -int(m.group(3) or 0))


class Registry:
    """Resource types by (group, version, plural)."""

    def __init__(self, types: list[ResourceType]) -> None:
        self.types: dict[tuple[str, str, str], ResourceType] = {}
        for t in types:
            self.add(t)

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> Registry:
        package, _ = parse(spec, None, "fake", "")
        models = {m.key: m for mod in package.modules for m in mod.models}
        # Streams and proxies have no typed method (the parser skips them); discovery lists
        # them, with the kind their operations name.
        connect: dict[tuple[str, str, str], dict[str, set[str]]] = {}
        connect_kinds: dict[tuple[str, str, str, str], tuple[str, str, str]] = {}
        for skipped in package.skipped:
            where = rest_path(skipped.path)
            if skipped.category != "connect" or not where or not where.subresource:
                continue
            triple, sub = (where.group, where.version, where.plural), where.subresource.split("/")[
                0
            ]
            verb = _SUB_VERBS.get(skipped.method, skipped.method)
            if verb in _CONNECT_VERBS:
                connect.setdefault(triple, {}).setdefault(sub, set()).add(verb)
            gvk = spec["paths"][skipped.path][skipped.method].get("x-kubernetes-group-version-kind")
            if isinstance(gvk, dict) and gvk.get("kind"):
                found = (str(gvk.get("group", "")), str(gvk.get("version", "")), str(gvk["kind"]))
                connect_kinds.setdefault((*triple, sub), found)
        types = []
        for module in package.modules:
            for r in module.resources:
                subs: dict[str, set[str]] = {}
                kinds: dict[str, tuple[str, str, str]] = {}
                for s in r.subresources:
                    subs.setdefault(s.subresource, set()).add(_SUB_VERBS[s.verb])
                    # A create's object is what it is sent (an Eviction); the rest answer with it.
                    served = models.get(s.body if s.verb == "post" else s.result)
                    if served and len(served.gvks) == 1 and served.gvks[0][2] != r.kind:
                        kinds[s.subresource] = served.gvks[0]
                triple = (r.group, r.version, r.plural)
                for sub in connect.get(triple, {}):
                    gvk = connect_kinds.get((*triple, sub))
                    if gvk and gvk[2] != r.kind:
                        kinds[sub] = gvk
                key = (r.group, r.plural)
                categories = (
                    ("all",)
                    if key in _ALL
                    else ("api-extensions",) if key in _API_EXTENSIONS else ()
                )
                types.append(
                    ResourceType(
                        group=r.group,
                        version=r.version,
                        plural=r.plural,
                        singular=r.singular,
                        kind=r.kind,
                        namespaced=r.namespaced,
                        verbs=r.verbs,
                        list_kind=models[r.list_model].gvks[0][2] if r.list_model else "",
                        short_names=SHORT_NAMES.get(key, ()),
                        categories=categories,
                        subresources={k: tuple(sorted(v)) for k, v in sorted(subs.items())},
                        model=r.model,
                        connect={
                            k: tuple(sorted(v)) for k, v in sorted(connect.get(triple, {}).items())
                        },
                        subresource_kinds=kinds,
                    )
                )
        registry = cls(types)
        if registry.get("", "v1", "namespaces") is None:
            # Every API server has namespaces, even one whose document leaves the core group out
            # (an aggregated server's spec): namespaced objects need one to live in.
            registry.add(NAMESPACE_TYPE)
        return registry

    def add(self, t: ResourceType) -> None:
        self.types[(t.group, t.version, t.plural)] = t

    def remove(self, group: str, plural: str) -> None:
        for key in [k for k in self.types if k[0] == group and k[2] == plural]:
            del self.types[key]

    def get(self, group: str, version: str, plural: str) -> ResourceType | None:
        return self.types.get((group, version, plural))

    def group_versions(self) -> dict[str, list[str]]:
        """Versions of every group, preferred first."""
        out: dict[str, set[str]] = {}
        for group, version, _ in self.types:
            out.setdefault(group, set()).add(version)
        return {g: sorted(v, key=_version_key) for g, v in sorted(out.items())}

    # ------------------------------------------------------------ discovery documents

    def api_versions(self, address: str) -> dict[str, Any]:
        return {
            "kind": "APIVersions",
            "versions": self.group_versions().get("", []),
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}],
        }

    def api_group(self, group: str) -> dict[str, Any] | None:
        versions = self.group_versions().get(group)
        if not group or not versions:
            return None
        entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        return {
            "kind": "APIGroup",
            "apiVersion": "v1",
            "name": group,
            "versions": entries,
            "preferredVersion": entries[0],
        }

    def api_group_list(self) -> dict[str, Any]:
        groups = []
        for group in self.group_versions():
            doc = self.api_group(group)
            if doc is not None:
                del doc["kind"], doc["apiVersion"]
                groups.append(doc)
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}

    def resource_list(self, group: str, version: str) -> dict[str, Any] | None:
        types = sorted(
            (t for (g, v, _), t in self.types.items() if g == group and v == version),
            key=lambda t: t.plural,
        )
        if not types:
            return None
        resources: list[dict[str, Any]] = []
        for t in types:
            resources += api_resources(
                t.group,
                t.version,
                t.plural,
                t.singular,
                t.kind,
                t.namespaced,
                t.verbs,
                t.short_names,
                t.categories,
                {**t.subresources, **t.connect},
                t.subresource_kinds,
            )
        gv = f"{group}/{version}" if group else version
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": gv,
            "resources": resources,
        }
