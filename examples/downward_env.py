"""Print what a container learns about its pod from Downward API environment variables.

The variables exist only if the pod spec sets them; this fragment sets every name that
`kubeapi.downward.DownwardEnv` reads by default. They are resolved once, when the container
starts: use a downwardAPI volume (examples/downward_volume.py) to see later label changes.

    spec:
      serviceAccountName: web
      containers:
      - name: app
        image: python:3.12
        command: ["python", "/app/downward_env.py"]
        resources:
          requests: {cpu: 250m, memory: 64Mi}
          limits: {cpu: 500m, memory: 128Mi}
        env:
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        - name: POD_NAMESPACE
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
        - name: POD_UID
          valueFrom: {fieldRef: {fieldPath: metadata.uid}}
        - name: POD_IP
          valueFrom: {fieldRef: {fieldPath: status.podIP}}
        - name: POD_IPS
          valueFrom: {fieldRef: {fieldPath: status.podIPs}}
        - name: NODE_NAME
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        - name: HOST_IP
          valueFrom: {fieldRef: {fieldPath: status.hostIP}}
        - name: SERVICE_ACCOUNT
          valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}
        # The divisor decides the unit: 1m gives millicores, 1Ki gives kibibytes.
        - name: CONTAINER_CPU_REQUEST_MILLICORES
          valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m}}
        - name: CONTAINER_CPU_LIMIT_MILLICORES
          valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}
        - name: CONTAINER_MEMORY_REQUEST_KIBIBYTES
          valueFrom: {resourceFieldRef: {resource: requests.memory, divisor: 1Ki}}
        - name: CONTAINER_MEMORY_LIMIT_KIBIBYTES
          valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Ki}}

Run: python examples/downward_env.py [--name FIELD=VARIABLE ...]
(for instance `--name namespace=MY_NAMESPACE` if the pod uses other variable names)
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from kubeapi.downward import DownwardEnv

UNITS = {
    "cpu_request": "millicores",
    "cpu_limit": "millicores",
    "memory_request": "KiB",
    "memory_limit": "KiB",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--name",
        action="append",
        default=[],
        metavar="FIELD=VARIABLE",
        help="read FIELD from VARIABLE instead of the conventional name",
    )
    args = parser.parse_args(argv)
    names: dict[str, str] = {}
    for item in args.name:
        field, equals, variable = item.partition("=")
        if not equals:
            parser.error(f"--name takes FIELD=VARIABLE, not {item!r}")
        names[field] = variable
    try:
        env = DownwardEnv.from_environ(names=names)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for item in dataclasses.fields(env):
        value = getattr(env, item.name)
        if value is None:
            shown = "<unset>"
        elif isinstance(value, tuple):
            shown = ",".join(value)
        elif item.name in UNITS:
            shown = f"{value} {UNITS[item.name]}"
        else:
            shown = str(value)
        print(f"{item.name}: {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
