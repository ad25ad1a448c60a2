"""List, create and watch pods from inside a pod with the generated client and no arguments.

`Client()` finds the service account (token, CA, namespace) as a pod sees it; outside a
cluster it reads kubeconfig instead.

Run: python examples/generated_client.py
"""

from __future__ import annotations

from kubeapi import Client
from kubeapi.core_v1 import ConfigMap
from kubeapi.meta_v1 import ObjectMeta


def main() -> int:
    with Client() as kube:
        print(f"namespace {kube.config.namespace} via {kube.config.source.split(' (')[0]}")
        maps = kube.core_v1.configmaps()
        made = maps.create(
            ConfigMap(metadata=ObjectMeta(generate_name="example-"), data={"hello": "world"})
        )
        name = made.metadata.name or ""
        for item in maps.list():
            print("configmap", item.metadata.name, dict(item.data))
        maps.patch(name, {"data": {"hello": "again"}})
        for event in maps.watch(resource_version=made.metadata.resource_version, timeout_seconds=1):
            print("event", event.type, event.object.metadata.name, dict(event.object.data))
        maps.delete(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
