"""An app that reaches the API server through an ambassador sidecar: plain HTTP, no token.

The ambassador container (`python -m kubeapi.proxy`, see ambassador-pod.yaml) holds the pod's
service-account token and the cluster CA and listens on 127.0.0.1:8001, which only containers
of the same pod can reach. This app holds no credentials: `Config("http://127.0.0.1:8001")`.
It lists the pods of its namespace, records their names in a ConfigMap, and can then watch.

Run: python examples/ambassador.py [PROXY_URL] [--namespace NS] [--watch SECONDS]
    PROXY_URL defaults to $AMBASSADOR_URL, else http://127.0.0.1:8001
    NS defaults to $POD_NAMESPACE (the Downward API's metadata.namespace), else "default"
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from kubeapi import Client, Config, KubeError, NotFound
from kubeapi.core_v1 import ConfigMap
from kubeapi.meta_v1 import ObjectMeta

DEFAULT_URL = "http://127.0.0.1:8001"  # where the ambassador (and kubectl proxy) listen
RECORD = "ambassador-example"


def run(url: str, namespace: str, watch: int) -> None:
    with Client(Config(url, namespace=namespace), timeout=30) as kube:
        pods = kube.core_v1.pods()
        names = sorted(pod.metadata.name or "" for pod in pods.list())
        print(f"{len(names)} pods in {namespace} via {url}")
        for name in names:
            print(f"pod {name}")

        maps = kube.core_v1.configmaps()
        try:
            record = maps.get(RECORD)
            record.data["pods"] = ",".join(names)
            maps.replace(record)
            print(f"configmap {RECORD} updated")
        except NotFound:
            maps.create(ConfigMap(metadata=ObjectMeta(name=RECORD), data={"pods": ",".join(names)}))
            print(f"configmap {RECORD} created")

        if watch:  # the ambassador relays the stream as it comes
            for event in pods.watch(timeout_seconds=watch):
                print(f"event {event.type} {event.object.metadata.name}")


def main(argv: Sequence[str] | None = None, env_var: str = "AMBASSADOR_URL") -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=os.environ.get(env_var, DEFAULT_URL))
    parser.add_argument("--namespace", default=os.environ.get("POD_NAMESPACE", "default"))
    parser.add_argument("--watch", type=int, default=0, metavar="SECONDS")
    args = parser.parse_args(argv)
    try:
        run(args.url, args.namespace, args.watch)
    except KubeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
