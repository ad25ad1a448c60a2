"""Print what a pod's downwardAPI volume says about it, and optionally watch it change.

The kubelet rewrites the volume when the pod's labels or annotations change (environment
variables never change), so `--watch` shows edits such as `kubectl label pod web tier=gold`
while the pod runs. A volume mounted with `subPath` is not updated.

    spec:
      containers:
      - name: app
        image: python:3.12
        command: ["python", "/app/downward_volume.py", "--watch", "3600"]
        resources:
          limits: {cpu: 500m, memory: 128Mi}
        volumeMounts:
        - {name: podinfo, mountPath: /etc/downward, readOnly: true}
      volumes:
      - name: podinfo
        downwardAPI:
          items:
          - {path: podName, fieldRef: {fieldPath: metadata.name}}
          - {path: podNamespace, fieldRef: {fieldPath: metadata.namespace}}
          - {path: uid, fieldRef: {fieldPath: metadata.uid}}
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
          - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
          # The divisor decides the unit: 1m gives millicores, 1Ki gives kibibytes.
          - path: cpu_limit
            resourceFieldRef: {containerName: app, resource: limits.cpu, divisor: 1m}
          - path: mem_limit
            resourceFieldRef: {containerName: app, resource: limits.memory, divisor: 1Ki}

Run: python examples/downward_volume.py [--dir DIR] [--watch SECONDS [--changes N]]
DIR defaults to $KUBEAPI_DOWNWARD_DIR, else /etc/downward.
"""

from __future__ import annotations

import argparse
import sys

from kubeapi.downward import DownwardVolume, MapDiff, VolumeSnapshot


def show(snap: VolumeSnapshot) -> None:
    print(f"version: {snap.version or '<plain directory>'}")
    for name in ("pod_name", "namespace", "uid", "cpu_limit", "memory_limit"):
        value = getattr(snap, name)
        print(f"{name}: {'<absent>' if value is None else value}")
    for key, value in snap.labels.items():
        print(f"label {key}={value!r}")
    for key, value in snap.annotations.items():
        print(f"annotation {key}={value!r}")


def show_diff(kind: str, diff: MapDiff) -> None:
    for key, value in diff.added.items():
        print(f"  {kind} + {key}={value!r}")
    for key, value in diff.removed.items():
        print(f"  {kind} - {key}={value!r}")
    for key, (old, new) in diff.changed.items():
        print(f"  {kind} ~ {key}: {old!r} -> {new!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dir", help="the volume's mount path")
    parser.add_argument("--watch", type=float, metavar="SECONDS", help="then watch this long")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    parser.add_argument("--changes", type=int, help="stop watching after this many changes")
    args = parser.parse_args(argv)
    volume = DownwardVolume(args.dir)
    try:
        snap = volume.read()
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    show(snap)
    if args.watch is None:
        return 0
    print(f"watching {volume.path} for {args.watch:g}s", flush=True)
    seen = 0
    try:
        for change in volume.watch(args.interval, timeout=args.watch, since=snap):
            print(f"update {change.after.version}: {', '.join(change.fields)}")
            show_diff("label", change.labels)
            show_diff("annotation", change.annotations)
            sys.stdout.flush()
            seen += 1
            if args.changes is not None and seen >= args.changes:
                break
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{seen} change(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
