"""Read-modify-write as users write it; must pass mypy --strict and basedpyright (never run).

`crdapi` is generated in the test from widget-crd.yaml: custom resources type-check like
built-in kinds.
"""

from __future__ import annotations

from datetime import datetime, timezone

from crdapi import meta_v1 as crd_meta
from crdapi.shop_example_v1 import Widget, WidgetSpec, WidgetSpecParts

from kubeapi.apps_v1 import Deployment
from kubeapi.core_v1 import Container, ContainerPort, Pod, PodSpec, ResourceRequirements
from kubeapi.meta_v1 import ObjectMeta


def scalars(pod: Pod, dep: Deployment) -> None:
    pod.spec.node_name = "node-1"
    pod.spec.containers[0].image = "nginx:1.27"
    dep.spec.replicas = 3
    dep.spec.template.spec.containers[0].ports[0].container_port = 8080
    dep.spec.strategy.rolling_update.max_surge = "25%"
    dep.spec.strategy.rolling_update.max_unavailable = 1
    pod.spec.node_name = None
    pod.metadata.deletion_timestamp = datetime.now(timezone.utc)
    pod.metadata.deletion_timestamp = "2026-12-01T00:00:00Z"


def objects(pod: Pod, dep: Deployment) -> None:
    pod.metadata = ObjectMeta(name="web", namespace="prod")
    pod.spec = PodSpec(containers=[Container(name="web", image="nginx")])
    dep.spec.template.spec.containers[0].resources = ResourceRequirements(limits={"cpu": "1"})
    dep.spec.template.metadata = None


def lists(pod: Pod, dep: Deployment) -> None:
    pod.spec.containers.append(Container(name="sidecar"))
    pod.spec.containers[0] = Container(name="web", ports=[ContainerPort(container_port=80)])
    pod.spec.containers[0].args = ["--verbose"]
    pod.spec.containers[0].args.extend(["-v", "2"])
    dep.spec.template.spec.volumes = []
    del pod.spec.containers[1:]
    first: Container = pod.spec.containers[0]
    first.command = ("sh", "-c", "true")


def maps(pod: Pod, dep: Deployment) -> None:
    pod.metadata.labels["app"] = "web"
    pod.metadata.annotations = {"team": "platform"}
    dep.spec.selector.match_labels.update({"app": "web"})
    dep.spec.template.spec.containers[0].resources.limits["memory"] = "128Mi"
    dep.spec.template.spec.node_selector.pop("disk", None)


def custom_resources(widget: Widget) -> Widget:
    widget.spec.size = 3
    widget.spec.color = "blue"
    widget.spec.port = "http"
    widget.spec.port = 8080
    widget.spec.expires = datetime(2027, 1, 1, tzinfo=timezone.utc)
    widget.spec.tags.append("new")
    widget.spec.prices["small"] = 1.5
    widget.spec.parts[0].count = 2
    widget.spec.parts[0].labels["kind"] = "bolt"
    widget.spec.parts.append(WidgetSpecParts(name="nut", count=4))
    widget.spec.options = {"anything": ["goes", 1]}
    widget.status.ready = True
    widget.metadata.labels["tier"] = "gold"
    return Widget(
        metadata=crd_meta.ObjectMeta(name="w"),
        spec=WidgetSpec(size=1, tags=["a"], prices={"a": 2.0}),
        _extra={"futureField": {"kept": True}},
    )


def reads(pod: Pod, widget: Widget) -> tuple[str | None, int, list[str], float | None]:
    name: str | None = pod.metadata.name
    size: int = widget.spec.size
    tags: list[str] = list(widget.spec.tags)
    price: float | None = widget.spec.prices.get("small")
    created: datetime | None = pod.metadata.creation_timestamp
    assert created is None or created.tzinfo is not None
    return name, size, tags, price
