"""Two classes generated from the CRDs of tests/crds, read and modified as users write it;
must pass mypy --strict (never run).

`crdfix` is generated in the test with `kubeforge generate --crd` from nested.yaml and
cluster.yaml: KafkaCluster (deep nesting, maps of objects, int-or-string, lists, free-form
config) and the v1 NodePool (cluster-scoped, two versions).
"""

from __future__ import annotations

from datetime import datetime, timezone

from crdfix.infra_example_v1 import (
    NodePool,
    NodePoolSpec,
    NodePoolSpecTemplate,
    NodePoolSpecTemplateMachine,
    NodePoolSpecTemplateTaints,
    NodePoolSpecUpgrade,
    NodePoolStatus,
)
from crdfix.infra_example_v1beta1 import NodePool as NodePoolV1beta1
from crdfix.meta_v1 import ObjectMeta
from crdfix.streaming_example_v1 import (
    KafkaCluster,
    KafkaClusterSpecKafkaListeners,
    KafkaClusterSpecKafkaListenersConfiguration,
    KafkaClusterSpecKafkaListenersConfigurationBrokers,
    KafkaClusterSpecKafkaStorage,
    KafkaClusterSpecKafkaTolerations,
    KafkaClusterSpecTopics,
)


def modify_kafka(cluster: KafkaCluster) -> KafkaCluster:
    kafka = cluster.spec.kafka
    kafka.replicas += 2
    kafka.max_unavailable = 1
    kafka.max_unavailable = "25%"
    kafka.retention = 7.5
    kafka.renew_before = datetime(2027, 1, 1, tzinfo=timezone.utc)
    kafka.config = {"log.retention.hours": 168, "tiers": ["hot", "cold"]}
    kafka.storage["logs"] = KafkaClusterSpecKafkaStorage(size="10Gi", delete_claim=False)
    kafka.storage["data"].size = 100
    kafka.storage["data"].selector["disk"] = "ssd"
    kafka.resources.limits["cpu"] = 2
    kafka.resources.requests["memory"] = "4Gi"
    kafka.tolerations = [KafkaClusterSpecKafkaTolerations(key="kafka", toleration_seconds=30)]
    kafka.listeners.append(
        KafkaClusterSpecKafkaListeners(
            name="tls",
            port=9093,
            type="internal",
            configuration=KafkaClusterSpecKafkaListenersConfiguration(
                brokers=[KafkaClusterSpecKafkaListenersConfigurationBrokers(broker=0)]
            ),
        )
    )
    broker = kafka.listeners[0].configuration.brokers[0]
    broker.advertised_port = "https"
    broker.overrides.annotations["lb.example.io/pool"] = "edge"
    broker.overrides.load_balancer_ip = None
    cluster.spec.topics.append(KafkaClusterSpecTopics(name="events", partitions=12))
    cluster.spec.topics[0].config["cleanup.policy"] = "compact"
    cluster.status.conditions[0].last_transition_time = "2027-01-01T00:00:00Z"
    return cluster


def modify_pool(pool: NodePool) -> NodePool:
    pool.spec.replicas = 5
    pool.spec.template.machine.zones.extend(["eu-1a", "eu-1b"])
    pool.spec.template.taints.append(NodePoolSpecTemplateTaints(key="gpu", effect="NoSchedule"))
    pool.spec.template.labels.update({"pool": "gpu"})
    pool.spec.selector.match_labels["pool"] = "gpu"
    pool.spec.upgrade = NodePoolSpecUpgrade(max_surge=1, max_unavailable="10%")
    pool.status = NodePoolStatus(replicas=5, selector="pool=gpu")
    return NodePool(
        metadata=ObjectMeta(name="gpu", labels={"team": "ml"}),
        spec=NodePoolSpec(
            replicas=2,
            template=NodePoolSpecTemplate(machine=NodePoolSpecTemplateMachine(type="g5.xlarge")),
        ),
    )


def reads(
    cluster: KafkaCluster, pool: NodePool, old: NodePoolV1beta1
) -> tuple[int, int | str | None, list[str], str, int]:
    replicas: int = cluster.spec.kafka.replicas
    port: int | str | None = (
        cluster.spec.kafka.listeners[0].configuration.brokers[0].advertised_port
    )
    zones: list[str] = list(pool.spec.template.machine.zones)
    machine: str = pool.spec.template.machine.type
    sizes: int = old.spec.size
    created: datetime | None = cluster.metadata.creation_timestamp
    assert created is None or created.tzinfo is not None
    return replicas, port, zones, machine, sizes
