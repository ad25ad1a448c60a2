"""A user's module, type-checked by mypy --strict in tests/kubeapi/test_typing.py (never run)."""

from __future__ import annotations

from collections.abc import MutableMapping, MutableSequence
from datetime import datetime

from typing_extensions import assert_type

from kubeapi import Client
from kubeapi._runtime.client import WatchEvent
from kubeapi.apps_v1 import Deployment, DeploymentList
from kubeapi.core_v1 import Container, Pod, PodList


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
