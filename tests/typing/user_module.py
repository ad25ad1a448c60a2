"""A user's module, type-checked by mypy --strict in tests/kubeapi/test_typing.py (never run)."""

from __future__ import annotations

from collections.abc import MutableMapping, MutableSequence
from datetime import datetime

from typing_extensions import assert_type

from kubeapi import Client, DynamicObject
from kubeapi._runtime.client import WatchEvent
from kubeapi._runtime.model import Model
from kubeapi.apps_v1 import Deployment, DeploymentList
from kubeapi.core_v1 import Container, Pod, PodList
from kubeapi.meta_v1 import Status


def inspect(pod: Pod) -> None:
    assert_type(pod.spec.containers, MutableSequence[Container])
    assert_type(pod.spec.containers[0].resources.limits, MutableMapping[str, str])
    assert_type(pod.metadata.name, str | None)
    assert_type(pod.metadata.creation_timestamp, datetime | None)
    assert_type(pod.spec.containers[0].name, str)
    assert_type(pod.status.container_statuses[0].restart_count, int)


def use(kube: Client) -> None:
    pods = kube.core_v1.pods(namespace="default")
    assert_type(pods.get("web"), Pod)
    assert_type(pods.list(label_selector="app=web"), PodList)
    for pod in pods.list():
        assert_type(pod, Pod)
    for event in pods.watch(resource_version="1"):
        assert_type(event, WatchEvent[Pod])
        assert_type(event.object, Pod)
    deployments = kube.apps_v1.deployments("prod")
    assert_type(deployments.list(), DeploymentList)
    assert_type(deployments.patch("web", {"spec": {"replicas": 3}}), Deployment)
    scale = deployments.get_scale("web")
    assert_type(scale.spec.replicas, int | None)


def dynamic(kube: Client) -> None:
    assert_type(kube.resource("apps/v1", "Deployment").get("x"), Deployment)
    assert_type(kube.resource("v1", "Pod", "prod").list(), PodList)
    widget = kube.resource("shop.example.com/v1", "Widget").get("w")
    assert_type(widget, DynamicObject)
    assert_type(widget.metadata.name, str | None)
    assert_type(kube.apply_manifest("kind: List"), list[Model])


def informers(kube: Client) -> None:
    def added(pod: Pod) -> None: ...

    def updated(old: Pod, new: Pod) -> None: ...

    with kube.core_v1.pods().informer(on_add=added, on_update=updated) as informer:
        informer.wait_synced(10)
        assert_type(informer.get("web"), Pod | None)
        assert_type(informer.list(label_selector="app=web"), list[Pod])
    deleted = kube.core_v1.pods().delete("web", grace_period_seconds=0)
    assert_type(deleted, Pod | Status)
