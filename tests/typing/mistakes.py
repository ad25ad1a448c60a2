"""Mistakes type checkers must report: each line marked `# mistake` and no other (never run).

tests/generated/test_typing.py runs mypy --strict and basedpyright on this module and
compares the lines they report with the marked ones.
"""

from __future__ import annotations

from crdapi.shop_example_v1 import Widget, WidgetSpec

from kubeapi import Client
from kubeapi.apps_v1 import Deployment
from kubeapi.core_v1 import Container, Pod, PodSpec


def wrong_scalar(dep: Deployment) -> None:
    dep.spec.replicas = "3"  # mistake


def wrong_time(pod: Pod) -> None:
    pod.metadata.creation_timestamp = 1700000000  # mistake


def wrong_object(pod: Pod) -> None:
    pod.spec = Container(name="web")  # mistake


def wrong_list_item(pod: Pod) -> None:
    pod.spec.containers = [Pod()]  # mistake


def wrong_list_append(pod: Pod) -> None:
    pod.spec.containers.append("web")  # mistake


def wrong_map_value(pod: Pod) -> None:
    pod.metadata.labels["replicas"] = 3  # mistake


def wrong_map(pod: Pod) -> None:
    pod.metadata.annotations = {"a": 1}  # mistake


def misspelled_keyword() -> Container:
    return Container(nmae="web")  # mistake


def misspelled_nested_keyword() -> PodSpec:
    return PodSpec(containers=[Container(name="web", imgae="nginx")])  # mistake


def wrong_read(pod: Pod) -> int:
    return pod.spec.containers[0].name  # mistake


def wrong_optional_read(dep: Deployment) -> int:
    replicas: int = dep.spec.replicas  # mistake
    return replicas


def wrong_custom_resource_field(widget: Widget) -> None:
    widget.spec.size = "large"  # mistake


def wrong_custom_resource_list(widget: Widget) -> None:
    widget.spec.tags = [1, 2]  # mistake


def misspelled_custom_resource_keyword() -> WidgetSpec:
    return WidgetSpec(size=1, colour="red")  # mistake


def wrong_custom_resource_read(widget: Widget) -> str:
    return widget.status.ready  # mistake


def wrong_informer_handler(kube: Client) -> None:
    def added(deployment: Deployment) -> None: ...

    kube.core_v1.pods().informer(on_add=added)  # mistake


def wrong_resource_type(kube: Client) -> Pod:
    return kube.resource("apps/v1", "Deployment").get("web")  # mistake
