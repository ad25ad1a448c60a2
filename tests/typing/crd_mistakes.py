"""Mistakes with generated CRD classes that mypy --strict must report: each marked line, with
the words after its mark in the message, and no other line (never run).

`crdfix` is generated in the test from tests/crds (see crd_classes.py).
"""

from __future__ import annotations

from crdfix.infra_example_v1 import NodePool, NodePoolSpec
from crdfix.infra_example_v1beta1 import NodePoolSpec as NodePoolSpecV1beta1
from crdfix.streaming_example_v1 import KafkaCluster, KafkaClusterSpecKafkaStorage


def wrong_scalar(pool: NodePool) -> None:
    pool.spec.replicas = "5"  # mistake: Incompatible types in assignment


def wrong_int_or_string(cluster: KafkaCluster) -> None:
    cluster.spec.kafka.max_unavailable = 0.5  # mistake: Incompatible types in assignment


def wrong_map_of_objects(cluster: KafkaCluster) -> None:
    cluster.spec.kafka.storage["data"] = {"size": "1Gi"}  # mistake: Incompatible types


def wrong_list_item(pool: NodePool) -> None:
    pool.spec.template.machine.zones.append(3)  # mistake: incompatible type "int"


def wrong_nested_object(cluster: KafkaCluster) -> None:
    cluster.spec.kafka.rack = KafkaClusterSpecKafkaStorage(size=1)  # mistake: Incompatible types


def field_of_the_other_version() -> NodePoolSpec:
    return NodePoolSpec(size=3)  # mistake: Unexpected keyword argument "size"


def other_version_as_this_one(pool: NodePool) -> None:
    pool.spec = NodePoolSpecV1beta1(size=3)  # mistake: Incompatible types in assignment
