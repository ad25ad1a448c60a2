"""Deterministic generator of realistic Pod objects and PodList bodies.

Pods carry what a real cluster returns: owner references, managed fields, two containers
with env, probes (numeric and named ports), resources, volumes including a projected
service-account volume, tolerations and a full status.
"""

from __future__ import annotations

import json
import random
from typing import Any

_APPS = ("web", "api", "worker", "cache", "ingest", "billing", "search", "auth")
_NAMESPACES = ("default", "prod", "staging", "payments", "platform")


def _ts(rng: random.Random) -> str:
    return f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"


def _uid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _fields(keys: list[str]) -> dict[str, Any]:
    return {f"f:{k}": {} for k in keys}


def _container(rng: random.Random, app: str, name: str, port: int) -> dict[str, Any]:
    env: list[dict[str, Any]] = [
        {"name": f"{app.upper()}_SETTING_{i}", "value": f"value-{rng.randint(0, 9999)}"}
        for i in range(6)
    ]
    env.append(
        {
            "name": "POD_NAME",
            "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}},
        }
    )
    env.append(
        {
            "name": "DB_PASSWORD",
            "valueFrom": {"secretKeyRef": {"name": f"{app}-db", "key": "password"}},
        }
    )
    return {
        "name": name,
        "image": f"registry.example.com/{app}/{name}:1.{rng.randint(0, 40)}.{rng.randint(0, 9)}",
        "imagePullPolicy": "IfNotPresent",
        "args": ["--port", str(port), "--log-level", "info"],
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "env": env,
        "resources": {
            "requests": {
                "cpu": f"{rng.choice((100, 250, 500))}m",
                "memory": f"{rng.choice((128, 256, 512))}Mi",
            },
            "limits": {"cpu": "1", "memory": f"{rng.choice((512, 1024))}Mi"},
        },
        "livenessProbe": {
            "httpGet": {"path": "/healthz", "port": port, "scheme": "HTTP"},
            "initialDelaySeconds": 10,
            "periodSeconds": 10,
            "timeoutSeconds": 1,
            "successThreshold": 1,
            "failureThreshold": 3,
        },
        "readinessProbe": {
            "httpGet": {"path": "/ready", "port": "http", "scheme": "HTTP"},
            "periodSeconds": 5,
            "timeoutSeconds": 1,
            "successThreshold": 1,
            "failureThreshold": 3,
        },
        "volumeMounts": [
            {"name": "config", "mountPath": "/etc/config", "readOnly": True},
            {
                "name": "kube-api-access",
                "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                "readOnly": True,
            },
        ],
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }


def _status(rng: random.Random, names: list[str], start: str) -> dict[str, Any]:
    phase = rng.choice(("Running", "Running", "Running", "Pending", "Succeeded"))
    ip = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    return {
        "phase": phase,
        "conditions": [
            {"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": start}
            for t in (
                "PodReadyToStartContainers",
                "Initialized",
                "Ready",
                "ContainersReady",
                "PodScheduled",
            )
        ],
        "hostIP": f"192.168.{rng.randint(0, 3)}.{rng.randint(1, 254)}",
        "hostIPs": [{"ip": f"192.168.{rng.randint(0, 3)}.{rng.randint(1, 254)}"}],
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "startTime": start,
        "qosClass": "Burstable",
        "containerStatuses": [
            {
                "name": n,
                "state": {"running": {"startedAt": start}},
                "lastState": {},
                "ready": True,
                "restartCount": rng.randint(0, 3),
                "image": f"registry.example.com/{n}:1.0",
                "imageID": f"registry.example.com/{n}@sha256:{rng.getrandbits(256):064x}",
                "containerID": f"containerd://{rng.getrandbits(256):064x}",
                "started": True,
            }
            for n in names
        ],
    }


def make_pod(i: int, rng: random.Random) -> dict[str, Any]:
    """One realistic pod; the same i and rng state always give the same pod."""
    app = _APPS[i % len(_APPS)]
    ns = _NAMESPACES[i % len(_NAMESPACES)]
    rs = f"{app}-{rng.getrandbits(40):010x}"
    name = f"{rs}-{rng.getrandbits(25):05x}"
    created = _ts(rng)
    containers = [_container(rng, app, app, 8080), _container(rng, app, "sidecar", 9090)]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "generateName": f"{rs}-",
            "namespace": ns,
            "uid": _uid(rng),
            "resourceVersion": str(100000 + i),
            "creationTimestamp": created,
            "labels": {"app": app, "pod-template-hash": rs.rsplit("-", 1)[1], "tier": "backend"},
            "annotations": {
                "kubectl.kubernetes.io/restartedAt": created,
                "prometheus.io/scrape": "true",
            },
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": rs,
                    "uid": _uid(rng),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
            "managedFields": [
                {
                    "manager": "kube-controller-manager",
                    "operation": "Update",
                    "apiVersion": "v1",
                    "time": created,
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {
                        "f:metadata": {
                            "f:generateName": {},
                            "f:labels": {".": {}, **_fields(["app", "tier"])},
                        },
                        "f:spec": {
                            "f:containers": {
                                f'k:{{"name":"{c["name"]}"}}': _fields(["image", "env", "ports"])
                                for c in containers
                            }
                        },
                    },
                },
                {
                    "manager": "kubelet",
                    "operation": "Update",
                    "apiVersion": "v1",
                    "time": created,
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {
                        "f:status": {"f:conditions": {}, **_fields(["phase", "podIP", "startTime"])}
                    },
                    "subresource": "status",
                },
            ],
        },
        "spec": {
            "containers": containers,
            "volumes": [
                {"name": "config", "configMap": {"name": f"{app}-config", "defaultMode": 420}},
                {
                    "name": "kube-api-access",
                    "projected": {
                        "defaultMode": 420,
                        "sources": [
                            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                            {
                                "configMap": {
                                    "name": "kube-root-ca.crt",
                                    "items": [{"key": "ca.crt", "path": "ca.crt"}],
                                }
                            },
                            {
                                "downwardAPI": {
                                    "items": [
                                        {
                                            "path": "namespace",
                                            "fieldRef": {
                                                "apiVersion": "v1",
                                                "fieldPath": "metadata.namespace",
                                            },
                                        }
                                    ]
                                }
                            },
                        ],
                    },
                },
            ],
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "serviceAccountName": app,
            "serviceAccount": app,
            "nodeName": f"node-{rng.randint(1, 60):03d}",
            "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "fsGroup": 2000},
            "schedulerName": "default-scheduler",
            "tolerations": [
                {
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                },
                {
                    "key": "node.kubernetes.io/unreachable",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                },
            ],
            "priority": 0,
            "enableServiceLinks": True,
            "preemptionPolicy": "PreemptLowerPriority",
        },
        "status": _status(rng, [c["name"] for c in containers], created),
    }


def pod_list(count: int, seed: int = 1) -> dict[str, Any]:
    """A PodList of `count` pods, identical for the same arguments."""
    rng = random.Random(seed)
    return {
        "apiVersion": "v1",
        "kind": "PodList",
        "metadata": {"resourceVersion": str(100000 + count)},
        "items": [make_pod(i, rng) for i in range(count)],
    }


def pod_list_body(count: int, seed: int = 1) -> bytes:
    """The JSON body a server would send for `pod_list(count, seed)`."""
    return json.dumps(pod_list(count, seed), separators=(",", ":")).encode()
