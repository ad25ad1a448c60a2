"""A deterministic set of CustomResourceDefinition manifests shaped like popular operators'.

`write(directory)` writes 50 CRDs, about 8 MB of YAML, as one multi-document file per API group,
for figure 5h (generating a big CRD set). What makes them realistic is what makes real ones
expensive: long descriptions (paragraphs, bullet lists, quotes, backslashes, unicode), pod
templates inlined the way operators inline PodSpec (deep nesting, maps of objects,
int-or-string), preserve-unknown-fields and embedded resources, `x-kubernetes-validations`,
list-type markers, several versions with different schemas, status and scale subresources
and printer columns. Made from a fixed seed, so every run writes the same bytes.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

Json = dict[str, Any]

GROUPS = (
    "monitoring.example-ops.io",
    "networking.meshlab.dev",
    "cert.acme-issuer.io",
    "rollouts.shipit.dev",
    "db.dataplane.io",
    "storage.blockstack.io",
    "security.policy-guard.io",
    "gateway.edge-proxy.dev",
    "batch.flowrunner.io",
    "infra.cloudforge.io",
    "observability.tracekit.io",
    "k8s.queue-master.org",
)
WORDS = [
    "replica",
    "pod",
    "node",
    "volume",
    "secret",
    "token",
    "policy",
    "route",
    "backend",
    "listener",
    "gateway",
    "certificate",
    "issuer",
    "alert",
    "rule",
    "target",
    "scrape",
    "endpoint",
    "selector",
    "label",
    "annotation",
    "window",
    "threshold",
    "limit",
    "request",
    "quota",
    "shard",
    "cluster",
    "tenant",
    "bucket",
    "snapshot",
    "backup",
    "restore",
    "schedule",
    "retry",
    "timeout",
    "interval",
    "budget",
    "weight",
    "header",
    "path",
    "port",
    "protocol",
    "address",
    "mirror",
    "canary",
    "stage",
    "step",
    "metric",
    "query",
    "sample",
    "record",
    "retention",
    "storage",
    "class",
    "claim",
    "mount",
    "image",
    "registry",
    "pull",
    "hook",
    "probe",
]
PROSE = (
    "This field is optional and defaults to the value the controller chooses.",
    "When unset, the operator falls back to the cluster-wide setting.",
    "Changing it triggers a rolling restart of every managed pod.",
    "The value is validated by the admission webhook before it is persisted.",
    "More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/",
    'Defaults to "Always"; the other accepted values are "IfNotPresent" and "Never".',
    "Must match the regular expression ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ (at most 63 characters).",
    "Durations are written like 30s, 5m or 1h; the pattern is ^\\d+(ms|s|m|h)$.",
    "Paths on Windows nodes look like C:\\var\\lib\\data\\ and must be absolute.",
    "Ratios ≥ 0.5 scale up → faster; naïve clients see the café-style “smart quotes”.",
    'Use the literal """raw""" form only for multi-line payloads.',
    "It's deprecated since v1beta2: use `spec.template` instead.",
    "The selector is ANDed with the pod template's labels; an empty selector matches nothing.",
    "Only one of `secretRef` and `configMapRef` may be set.",
    "Values are in bytes (e.g. 512Mi, 2Gi) or millicores (e.g. 250m) where applicable.",
)
SPECIAL_NAMES = (
    "from",
    "class",
    "continue",
    "x-forwarded-for",
    "tls.crt",
    "$schema",
    "jwks_uri",
    "jwksUri",
    "maximumConcurrentReconciliationsPerControllerWorkerPoolBeforeExponentialBackoffKicksIn",
)


def _quantity() -> Json:
    # a new dict each time: a shared one would be dumped as a YAML alias, which CRDs never use
    return {
        "anyOf": [{"type": "integer"}, {"type": "string"}],
        "pattern": "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE])?$",
        "x-kubernetes-int-or-string": True,
    }


def _camel(rng: random.Random, parts: int = 2) -> str:
    words = rng.sample(WORDS, parts)
    return words[0] + "".join(w.capitalize() for w in words[1:])


def _description(rng: random.Random, size: int) -> str:
    """Paragraphs of prose, with the list markers, indentation and odd characters real CRDs have."""
    paragraphs = []
    for _ in range(size):
        shape = rng.random()
        if shape < 0.2:
            items = [f"  - {rng.choice(PROSE)}" for _ in range(rng.randint(2, 4))]
            paragraphs.append("The following apply:\n" + "\n".join(items))
        elif shape < 0.25:
            paragraphs.append(f"{rng.choice(PROSE)}   \n\t{rng.choice(PROSE)}")
        else:
            paragraphs.append(" ".join(rng.choice(PROSE) for _ in range(rng.randint(1, 4))))
    text = "\n\n".join(paragraphs)
    if rng.random() < 0.03:
        text += ' "'  # a lone quote at the end, as in some hand-written CRDs
    return text


class _Schemas:
    """Schema nodes drawn from one random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def doc(self, node: Json, size: int = 1) -> Json:
        node["description"] = _description(self.rng, size)
        return node

    def scalar(self) -> Json:
        rng = self.rng
        kind = rng.choice(("string", "string", "integer", "boolean", "number", "int-or-string"))
        if kind == "int-or-string":
            node: Json = {
                "anyOf": [{"type": "integer"}, {"type": "string"}],
                "x-kubernetes-int-or-string": True,
                "pattern": "^(\\d+|\\d+%)$",
            }
        elif kind == "string":
            node = {"type": "string"}
            extra = rng.random()
            if extra < 0.3:
                node["enum"] = [w.capitalize() for w in rng.sample(WORDS, 3)]
                node["default"] = node["enum"][0]
            elif extra < 0.5:
                node["pattern"] = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
                node["maxLength"] = 63
            elif extra < 0.6:
                node["format"] = rng.choice(("date-time", "duration", "byte"))
        elif kind == "integer":
            node = {"type": "integer", "format": rng.choice(("int32", "int64")), "minimum": 0}
            if rng.random() < 0.4:
                node["default"] = rng.randint(1, 10)
        else:
            node = {"type": kind}
        return self.doc(node)

    def obj(self, depth: int, width: int) -> Json:
        rng = self.rng
        props: Json = {}
        for _ in range(width):
            name = rng.choice(SPECIAL_NAMES) if rng.random() < 0.04 else _camel(rng)
            props[name] = self.field(depth - 1, width)
        node: Json = {"type": "object", "properties": props}
        if rng.random() < 0.3 and len(props) > 1:
            first, second = sorted(props)[:2]
            node["x-kubernetes-validations"] = [
                {
                    "rule": f"!(has(self.{first}) && has(self.{second}))",
                    "message": f"{first} and {second} are mutually exclusive",
                }
            ]
        if rng.random() < 0.3:
            node["required"] = sorted(props)[:1]
        return self.doc(node, rng.randint(1, 2))

    def field(self, depth: int, width: int) -> Json:
        rng = self.rng
        if depth <= 0:
            return self.scalar()
        shape = rng.random()
        if shape < 0.45:
            return self.scalar()
        if shape < 0.6:
            return self.obj(depth, max(2, width - 1))
        if shape < 0.7:
            item = self.obj(depth, max(2, width - 2))
            item["properties"]["name"] = self.doc({"type": "string"})
            item["required"] = ["name"]
            return self.doc(
                {
                    "type": "array",
                    "items": item,
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["name"],
                }
            )
        if shape < 0.8:
            return self.doc(
                {"type": "object", "additionalProperties": self.obj(depth, max(2, width - 2))}
            )
        if shape < 0.87:
            return self.doc(
                {"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 64}
            )
        if shape < 0.94:
            return self.doc({"type": "object", "x-kubernetes-preserve-unknown-fields": True})
        return self.doc(
            {
                "type": "object",
                "x-kubernetes-embedded-resource": True,
                "x-kubernetes-preserve-unknown-fields": True,
            }
        )

    def container(self) -> Json:
        """A container as operators inline it: probes, resources, env, ports, security."""
        probe = self.obj(2, 5)
        probe["properties"]["httpGet"] = self.doc(
            {
                "type": "object",
                "properties": {
                    "path": self.doc({"type": "string"}),
                    "port": self.doc(
                        {"anyOf": [{"type": "integer"}, {"type": "string"}]}
                        | {"x-kubernetes-int-or-string": True}
                    ),
                    "httpHeaders": self.doc(
                        {
                            "type": "array",
                            "items": self.obj(1, 2),
                            "x-kubernetes-list-type": "atomic",
                        }
                    ),
                },
                "required": ["port"],
            },
            2,
        )
        props: Json = {
            "name": self.doc({"type": "string"}, 2),
            "image": self.doc({"type": "string"}, 3),
            "args": self.doc({"type": "array", "items": {"type": "string"}}, 3),
            "command": self.doc({"type": "array", "items": {"type": "string"}}, 3),
            "env": self.doc(
                {
                    "type": "array",
                    "items": self.obj(2, 4),
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["name"],
                },
                2,
            ),
            "resources": self.doc(
                {
                    "type": "object",
                    "properties": {
                        key: self.doc({"type": "object", "additionalProperties": _quantity()}, 2)
                        for key in ("limits", "requests")
                    },
                },
                2,
            ),
            "livenessProbe": probe,
            "readinessProbe": self.obj(2, 4),
            "securityContext": self.obj(2, 5),
            "volumeMounts": self.doc({"type": "array", "items": self.obj(1, 5)}, 2),
        }
        for _ in range(4):
            props[_camel(self.rng)] = self.field(2, 3)
        return self.doc({"type": "object", "properties": props, "required": ["name"]}, 2)

    def pod_template(self) -> Json:
        """A pod template: containers, init containers, volumes and affinity, deeply nested."""
        spec: Json = {
            "containers": self.doc({"type": "array", "items": self.container()}, 2),
            "initContainers": self.doc({"type": "array", "items": self.container()}, 2),
            "volumes": self.doc({"type": "array", "items": self.obj(2, 5)}, 2),
            "affinity": self.obj(4, 2),
            "nodeSelector": self.doc(
                {"type": "object", "additionalProperties": {"type": "string"}}
            ),
        }
        metadata = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        template = {"metadata": metadata, "spec": self.doc({"type": "object", "properties": spec})}
        return self.doc({"type": "object", "properties": template}, 2)


def _version_schema(schemas: _Schemas, pods: bool, scale: bool) -> Json:
    rng = schemas.rng
    spec = schemas.obj(3, rng.randint(5, 9))
    if pods:
        spec["properties"]["podTemplate"] = schemas.pod_template()
    if scale:
        spec["properties"]["replicas"] = schemas.doc({"type": "integer", "format": "int32"})
    conditions = schemas.obj(1, 5)
    status = schemas.doc(
        {
            "type": "object",
            "properties": {
                "conditions": schemas.doc(
                    {
                        "type": "array",
                        "items": conditions,
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["type"],
                    }
                ),
                "observedGeneration": schemas.doc({"type": "integer", "format": "int64"}),
                "replicas": schemas.doc({"type": "integer", "format": "int32"}),
                "selector": schemas.doc({"type": "string"}),
            },
        }
    )
    conditions["properties"]["type"] = schemas.doc({"type": "string"})
    return {
        "type": "object",
        "description": _description(rng, 3),
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": spec,
            "status": status,
        },
    }


def crd(index: int) -> Json:
    """The index-th CRD of the set: the same manifest for the same index, every run."""
    rng = random.Random(index)
    schemas = _Schemas(rng)
    group = GROUPS[index % len(GROUPS)]
    kind = "".join(w.capitalize() for w in rng.sample(WORDS, 2)) + str(index)
    plural = kind.lower() + "s"
    scale = rng.random() < 0.4
    pods = rng.random() < 0.5
    names = rng.sample(["v1alpha1", "v1beta1", "v1", "v2"], rng.randint(1, 3))
    versions = []
    for i, name in enumerate(sorted(names)):
        subresources: Json = {"status": {}}
        if scale:
            subresources["scale"] = {
                "specReplicasPath": ".spec.replicas",
                "statusReplicasPath": ".status.replicas",
                "labelSelectorPath": ".status.selector",
            }
        versions.append(
            {
                "name": name,
                "served": True,
                "storage": i == len(names) - 1,
                "schema": {"openAPIV3Schema": _version_schema(schemas, pods, scale)},
                "subresources": subresources,
                "additionalPrinterColumns": [
                    {"name": "Ready", "type": "string", "jsonPath": ".status.conditions[0].status"},
                    {"name": "Replicas", "type": "integer", "jsonPath": ".status.replicas"},
                    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                ],
            }
        )
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "names": {
                "kind": kind,
                "listKind": f"{kind}List",
                "plural": plural,
                "singular": kind.lower(),
                "shortNames": [f"{kind[:2].lower()}{index}"],
                "categories": ["all", group.split(".")[0]],
            },
            "scope": "Cluster" if rng.random() < 0.2 else "Namespaced",
            "versions": versions,
        },
    }


def write(directory: Path, count: int = 50) -> list[Path]:
    """The set as one multi-document YAML file per group in `directory`; the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    by_group: dict[str, list[Json]] = {}
    for index in range(count):
        manifest = crd(index)
        by_group.setdefault(manifest["spec"]["group"], []).append(manifest)
    paths = []
    for group, manifests in sorted(by_group.items()):
        path = directory / f"{group}.yaml"
        with path.open("w", encoding="utf-8") as f:
            yaml.dump_all(manifests, f, Dumper=dumper, sort_keys=False, allow_unicode=True)
        paths.append(path)
    return paths
