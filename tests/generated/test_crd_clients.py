"""Issue 11, acceptance 2: clients generated for the CRDs of tests/crds work against the fake
server, sync and async; every effect is checked with a plain HTTP GET beside the client."""

from __future__ import annotations

import asyncio
import importlib
import inspect
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from crd_manifests import generate_live, http, imported, only_fixture_groups, register

from kubeforge.fake import FakeServer

PACKAGE = "crdclients"
KAFKA = "/apis/streaming.example.io/v1/namespaces/default/kafkaclusters"
POOLS = "/apis/infra.example.com/v1/nodepools"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        register(fake)
        yield fake


@pytest.fixture(scope="module")
def pkg(server: FakeServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The package generated from the live server, imported."""
    out = tmp_path_factory.mktemp("crdclients")
    generate_live(server, out, PACKAGE, *only_fixture_groups())
    with imported(out, PACKAGE) as package:
        yield package


@pytest.fixture
def raw(server: FakeServer) -> Iterator[httpx.Client]:
    with http(server) as client:
        yield client


def _mod(name: str) -> Any:
    """A group module of the generated package (the package imports them lazily)."""
    return importlib.import_module(f"{PACKAGE}.{name}")


def _config(pkg: Any, server: FakeServer) -> Any:
    return pkg.Config(server.url, token=server.token, ca_file=server.ca_file)


def _kafka(pkg: Any, name: str) -> Any:
    """A KafkaCluster built from typed parts at every level of its nesting."""
    m = _mod("streaming_example_v1")
    brokers = [
        m.KafkaClusterSpecKafkaListenersConfigurationBrokers(
            broker=0,
            advertised_port=9094,
            overrides=m.KafkaClusterSpecKafkaListenersConfigurationBrokersOverrides(
                annotations={"lb.example.io/pool": "edge"}
            ),
        ),
        m.KafkaClusterSpecKafkaListenersConfigurationBrokers(broker=1, advertised_port="tls"),
    ]
    listener = m.KafkaClusterSpecKafkaListeners(
        name="external",
        port=9094,
        type="loadbalancer",
        configuration=m.KafkaClusterSpecKafkaListenersConfiguration(brokers=brokers),
    )
    return m.KafkaCluster(
        metadata=_mod("meta_v1").ObjectMeta(name=name),
        spec=m.KafkaClusterSpec(
            kafka=m.KafkaClusterSpecKafka(
                replicas=3,
                listeners=[listener],
                storage={"data": m.KafkaClusterSpecKafkaStorage(size="100Gi", delete_claim=True)},
                max_unavailable="25%",
                rack=m.KafkaClusterSpecKafkaRack(topology_key="zone"),
                config={"log.retention": {"hours": 168, "tiers": ["hot", "cold"]}},
            )
        ),
    )


# What _kafka() must put on the wire, written out by hand.
KAFKA_SPEC = {
    "kafka": {
        "replicas": 3,
        "listeners": [
            {
                "name": "external",
                "port": 9094,
                "type": "loadbalancer",
                "configuration": {
                    "brokers": [
                        {
                            "broker": 0,
                            "advertisedPort": 9094,
                            "overrides": {"annotations": {"lb.example.io/pool": "edge"}},
                        },
                        {"broker": 1, "advertisedPort": "tls"},
                    ]
                },
            }
        ],
        "storage": {"data": {"size": "100Gi", "deleteClaim": True}},
        "maxUnavailable": "25%",
        "rack": {"topologyKey": "zone"},
        "config": {"log.retention": {"hours": 168, "tiers": ["hot", "cold"]}},
    }
}


def test_create_get_list_and_merge_patch_a_nested_custom_resource(
    pkg: Any, server: FakeServer, raw: httpx.Client
) -> None:
    with pkg.Client(_config(pkg, server)) as kube:
        clusters = kube.streaming_example_v1.kafkaclusters("default")
        made = clusters.create(_kafka(pkg, "events"))
        assert made.metadata.uid and made.spec.kafka.listeners[0].type == "loadbalancer"
        stored = raw.get(f"{KAFKA}/events").json()
        assert stored["spec"] == KAFKA_SPEC
        assert (stored["apiVersion"], stored["kind"]) == ("streaming.example.io/v1", "KafkaCluster")

        got = clusters.get("events")
        assert isinstance(got, _mod("streaming_example_v1").KafkaCluster)
        broker = got.spec.kafka.listeners[0].configuration.brokers[0]
        assert broker.overrides.annotations == {"lb.example.io/pool": "edge"}
        assert [b.advertised_port for b in got.spec.kafka.listeners[0].configuration.brokers] == [
            9094,
            "tls",
        ]
        assert got.spec.kafka.storage["data"].size == "100Gi"
        assert got.spec.kafka.max_unavailable == "25%"
        assert [c.metadata.name for c in clusters.list()] == ["events"]

        # A dict patch is a merge patch for custom resources: the server answers 415 to a
        # strategic one. Merge semantics: null removes a key, a list is replaced whole.
        patched = clusters.patch(
            "events",
            {"spec": {"kafka": {"replicas": 5, "rack": None, "storage": {"logs": {"size": 10}}}}},
        )
        assert patched.spec.kafka.replicas == 5
        stored = raw.get(f"{KAFKA}/events").json()["spec"]["kafka"]
        assert stored["replicas"] == 5 and "rack" not in stored
        assert stored["storage"] == {
            "data": {"size": "100Gi", "deleteClaim": True},
            "logs": {"size": 10},
        }
        with pytest.raises(pkg.ApiError) as refused:
            clusters.patch("events", {"spec": {"kafka": {"replicas": 1}}}, type="strategic")
        assert refused.value.code == 415
        assert raw.get(f"{KAFKA}/events").json()["spec"]["kafka"]["replicas"] == 5
        clusters.delete("events")
        assert raw.get(f"{KAFKA}/events").status_code == 404


def test_server_side_apply_and_watch_a_custom_resource(
    pkg: Any, server: FakeServer, raw: httpx.Client
) -> None:
    m = _mod("streaming_example_v1")
    with pkg.Client(_config(pkg, server)) as kube:
        clusters = kube.streaming_example_v1.kafkaclusters("default")
        rv = clusters.list().metadata.resource_version
        applied = clusters.apply(_kafka(pkg, "applied"), field_manager="platform")
        assert applied.spec.kafka.replicas == 3
        stored = raw.get(f"{KAFKA}/applied").json()
        assert stored["spec"] == KAFKA_SPEC
        managers = {(f["manager"], f["operation"]) for f in stored["metadata"]["managedFields"]}
        assert ("platform", "Apply") in managers
        again = _kafka(pkg, "applied")
        again.spec.kafka.replicas = 4
        again.spec.kafka.listeners = [
            m.KafkaClusterSpecKafkaListeners(name="plain", port=9092, type="internal")
        ]
        again.spec.kafka.max_unavailable = None
        clusters.apply(again, field_manager="platform")
        kafka = raw.get(f"{KAFKA}/applied").json()["spec"]["kafka"]
        assert kafka["listeners"] == [{"name": "plain", "port": 9092, "type": "internal"}]
        assert kafka["replicas"] == 4 and kafka["storage"] == KAFKA_SPEC["kafka"]["storage"]
        assert "maxUnavailable" not in kafka  # the manager no longer sets it: apply removed it
        clusters.delete("applied")

        seen = []
        for event in clusters.watch(resource_version=rv, timeout_seconds=30):
            seen.append((event.type, type(event.object), event.object.spec.kafka.replicas))
            if event.type == "DELETED":
                break
        kind = m.KafkaCluster
        assert seen == [("ADDED", kind, 3), ("MODIFIED", kind, 4), ("DELETED", kind, 4)]


def _pool(pkg: Any, name: str, replicas: int) -> Any:
    v1 = _mod("infra_example_v1")
    return v1.NodePool(
        metadata=_mod("meta_v1").ObjectMeta(name=name, labels={"test": name}),
        spec=v1.NodePoolSpec(
            replicas=replicas,
            template=v1.NodePoolSpecTemplate(
                machine=v1.NodePoolSpecTemplateMachine(type="m5.large", zones=["a", "b"])
            ),
            upgrade=v1.NodePoolSpecUpgrade(max_surge=1, max_unavailable="10%"),
        ),
    )


def test_status_and_scale_of_a_cluster_scoped_custom_resource(
    pkg: Any, server: FakeServer, raw: httpx.Client
) -> None:
    v1 = _mod("infra_example_v1")
    with pkg.Client(_config(pkg, server)) as kube:
        pools = kube.infra_example_v1.nodepools()
        assert pools.namespace is None
        pools.create(_pool(pkg, "workers", 2))
        assert raw.get(f"{POOLS}/workers").json()["spec"]["upgrade"] == {
            "maxSurge": 1,
            "maxUnavailable": "10%",
        }

        pool = pools.get_status("workers")
        pool.status = v1.NodePoolStatus(replicas=2, ready_replicas=1, selector="pool=workers")
        pool.spec.replicas = 9  # the status subresource ignores spec
        replaced = pools.replace_status("workers", pool)
        assert replaced.status.ready_replicas == 1 and replaced.spec.replicas == 2
        stored = raw.get(f"{POOLS}/workers").json()
        assert stored["status"] == {"replicas": 2, "readyReplicas": 1, "selector": "pool=workers"}
        assert stored["spec"]["replicas"] == 2
        pools.patch_status("workers", {"status": {"readyReplicas": 2}})
        assert raw.get(f"{POOLS}/workers").json()["status"]["readyReplicas"] == 2

        scale = pools.get_scale("workers")
        assert isinstance(scale, _mod("autoscaling_v1").Scale)
        assert (scale.spec.replicas, scale.status.replicas) == (2, 2)
        assert pools.patch_scale("workers", {"spec": {"replicas": 6}}).spec.replicas == 6
        assert raw.get(f"{POOLS}/workers").json()["spec"]["replicas"] == 6
        pools.delete("workers")


def test_the_async_client_does_every_verb_on_a_custom_resource(
    pkg: Any, server: FakeServer, raw: httpx.Client
) -> None:
    v1 = _mod("infra_example_v1")

    async def scenario() -> list[tuple[str, int]]:
        async with pkg.AsyncClient(_config(pkg, server)) as kube:
            pools = kube.infra_example_v1.nodepools()
            rv = (await pools.list()).metadata.resource_version
            made = await pools.create(_pool(pkg, "async", 1))
            assert isinstance(made, v1.NodePool)
            assert (await pools.get("async")).spec.template.machine.zones == ["a", "b"]
            assert [p.metadata.name for p in await pools.list(label_selector="test=async")] == [
                "async"
            ]
            await pools.patch("async", {"spec": {"template": {"machine": {"zones": ["c"]}}}})
            await pools.apply(_pool(pkg, "async", 2), field_manager="autoscaler", force=True)
            status = await pools.patch_status("async", {"status": {"replicas": 2}})
            assert status.status.replicas == 2
            await pools.patch_scale("async", {"spec": {"replicas": 3}})
            assert (await pools.get_scale("async")).spec.replicas == 3
            await pools.delete("async")
            seen = []
            async for event in pools.watch(resource_version=rv, timeout_seconds=30):
                seen.append((event.type, event.object.spec.replicas))
                if event.type == "DELETED":
                    break
            return seen

    seen = asyncio.run(scenario())
    # create, patch, apply, status, scale, delete: each one event, in order
    assert seen == [
        ("ADDED", 1),
        ("MODIFIED", 1),
        ("MODIFIED", 2),
        ("MODIFIED", 2),
        ("MODIFIED", 3),
        ("DELETED", 3),
    ]
    assert raw.get(f"{POOLS}/async").status_code == 404


def test_unknown_fields_under_preserve_unknown_fields_survive_a_typed_read_modify_write(
    pkg: Any, server: FakeServer, raw: httpx.Client
) -> None:
    unknown = {"values": {"ingress": {"hosts": [{"name": "a.example.com", "tls": True}]}}}
    release = {
        "apiVersion": "helm.example.dev/v2beta1",
        "kind": "Release",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"chart": {"name": "web", "version": "1.0.0"}, "rollback": {"keep": 3}, **unknown},
    }
    releases = "/apis/helm.example.dev/v2beta1/namespaces/default/releases"
    assert raw.post(releases, json=release).status_code == 201
    assert raw.post(KAFKA, json=_kafka(pkg, "kept").to_dict()).status_code == 201
    with pkg.Client(_config(pkg, server)) as kube:
        typed = kube.helm_example_v2beta1.releases("default").get("web")
        typed.metadata.labels["tier"] = "frontend"
        typed.spec["chart"]["version"] = "1.1.0"
        kube.helm_example_v2beta1.releases("default").replace(typed)

        clusters = kube.streaming_example_v1.kafkaclusters("default")
        cluster = clusters.get("kept")
        cluster.spec.kafka.replicas = 7
        cluster.spec.kafka.config["log.retention"]["hours"] = 24
        clusters.replace(cluster)

    stored = raw.get(f"{releases}/web").json()
    assert stored["metadata"]["labels"] == {"tier": "frontend"}
    assert stored["spec"] == {
        "chart": {"name": "web", "version": "1.1.0"},
        "rollback": {"keep": 3},
        **unknown,
    }
    kafka = raw.get(f"{KAFKA}/kept").json()["spec"]["kafka"]
    assert kafka["replicas"] == 7
    assert kafka["config"] == {"log.retention": {"hours": 24, "tiers": ["hot", "cold"]}}


def _keywords(cls: type) -> set[str]:
    return set(inspect.signature(cls).parameters) - {"_extra"}


def test_each_served_version_has_its_own_classes_and_fields(
    pkg: Any, server: FakeServer, raw: httpx.Client
) -> None:
    beta, v1 = _mod("infra_example_v1beta1"), _mod("infra_example_v1")
    assert beta.NodePool is not v1.NodePool
    assert _keywords(beta.NodePoolSpec) == {"size", "machine_type", "zone"}
    assert _keywords(v1.NodePoolSpec) == {"replicas", "selector", "template", "upgrade"}
    assert _keywords(beta.NodePoolStatus) == {"current_size", "phase"}
    with pytest.raises(TypeError):
        v1.NodePoolSpec(size=1)
    assert beta.NodePool()._gvk == ("infra.example.com/v1beta1", "NodePool")
    with pkg.Client(_config(pkg, server)) as kube:
        old = kube.infra_example_v1beta1.nodepools()
        old.create(
            beta.NodePool(
                metadata=_mod("meta_v1").ObjectMeta(name="legacy"),
                spec=beta.NodePoolSpec(size=4, machine_type="m4.large"),
            )
        )
        stored = raw.get("/apis/infra.example.com/v1beta1/nodepools/legacy").json()
        assert stored["apiVersion"] == "infra.example.com/v1beta1"
        assert stored["spec"] == {"size": 4, "machineType": "m4.large"}
        old.delete("legacy")


def test_scale_follows_each_versions_replica_and_selector_paths(
    pkg: Any, server: FakeServer, raw: httpx.Client
) -> None:
    beta = _mod("infra_example_v1beta1")
    with pkg.Client(_config(pkg, server)) as kube:
        pools, old = kube.infra_example_v1.nodepools(), kube.infra_example_v1beta1.nodepools()
        pools.create(_pool(pkg, "paths", 2))
        pools.patch_status("paths", {"status": {"replicas": 2, "selector": "pool=paths"}})
        assert pools.get_scale("paths").status.selector == "pool=paths"  # labelSelectorPath
        old.create(
            beta.NodePool(
                metadata=_mod("meta_v1").ObjectMeta(name="sized"),
                spec=beta.NodePoolSpec(size=4),
            )
        )
        old.patch_status("sized", {"status": {"currentSize": 3}})
        scale = old.get_scale("sized")
        assert (scale.spec.replicas, scale.status.replicas) == (4, 3)
        old.patch_scale("sized", {"spec": {"replicas": 5}})
        stored = raw.get("/apis/infra.example.com/v1beta1/nodepools/sized").json()
        assert stored["spec"] == {"size": 5}


def test_hyphenated_keyword_and_colliding_property_names(
    pkg: Any, server: FakeServer, raw: httpx.Client
) -> None:
    m = _mod("k8s_example_v1")
    names = _keywords(m.AuthPolicySpec)
    # The wire names that already are Python names keep them; the others get a suffix.
    renamed = {
        "jwksUri": [n for n in names if n.startswith("jwks_uri") and n != "jwks_uri"],
        "URL": [n for n in names if n.startswith("url") and n != "url"],
    }
    assert all(len(found) == 1 for found in renamed.values()), renamed
    plain = {"max_retries", "from_", "class_", "import_", "not_", "jwks_uri", "url", "issuer"}
    assert names == plain | {found[0] for found in renamed.values()}
    spec = m.AuthPolicySpec(
        max_retries=3,
        from_=["mesh"],
        class_="strict",
        import_=m.AuthPolicySpecImport(path="/keys", read_only=True),
        not_=False,
        jwks_uri="https://idp.example.com/snake",
        url="https://lower.example.com",
        issuer=m.AuthPolicySpecIssuer(url="https://issuer.example.com"),
        **{
            renamed["jwksUri"][0]: "https://idp.example.com/camel",
            renamed["URL"][0]: "https://upper.example.com",
        },
    )
    spec.issuer.audiences = ["api"]
    with pkg.Client(_config(pkg, server)) as kube:
        policies = kube.k8s_example_v1.authpolicies("default")
        policies.create(m.AuthPolicy(metadata=_mod("meta_v1").ObjectMeta(name="oidc"), spec=spec))
        got = policies.get("oidc").spec
    stored = raw.get("/apis/k8s.example.org/v1/namespaces/default/authpolicies/oidc").json()
    assert stored["spec"] == {
        "max-retries": 3,
        "from": ["mesh"],
        "class": "strict",
        "import": {"path": "/keys", "read-only": True},
        "not": False,
        "jwks_uri": "https://idp.example.com/snake",
        "jwksUri": "https://idp.example.com/camel",
        "url": "https://lower.example.com",
        "URL": "https://upper.example.com",
        "issuer": {"url": "https://issuer.example.com", "audiences": ["api"]},
    }
    assert (got.jwks_uri, getattr(got, renamed["jwksUri"][0])) == (
        "https://idp.example.com/snake",
        "https://idp.example.com/camel",
    )
    assert (got.max_retries, got.from_, got.class_, got.not_) == (3, ["mesh"], "strict", False)
    assert got.import_.read_only is True


def test_an_embedded_resource_is_a_typed_object_with_its_own_metadata(
    pkg: Any, server: FakeServer, raw: httpx.Client
) -> None:
    m = _mod("batch_example_v1alpha1")
    container = m.ScheduledJobSpecJobTemplateSpecTemplateSpecContainers
    template = m.ScheduledJobSpecJobTemplate(
        api_version="batch/v1",
        kind="Job",
        metadata=_mod("meta_v1").ObjectMeta(labels={"job": "report"}),
        spec=m.ScheduledJobSpecJobTemplateSpec(
            backoff_limit=2,
            template=m.ScheduledJobSpecJobTemplateSpecTemplate(
                spec=m.ScheduledJobSpecJobTemplateSpecTemplateSpec(
                    restart_policy="Never", containers=[container(name="report", image="busybox")]
                )
            ),
        ),
    )
    sidecar = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s"}, "data": {}}
    job = m.ScheduledJob(
        metadata=_mod("meta_v1").ObjectMeta(name="nightly"),
        spec=m.ScheduledJobSpec(schedule="0 2 * * *", job_template=template, sidecar=sidecar),
    )
    with pkg.Client(_config(pkg, server)) as kube:
        jobs = kube.batch_example_v1alpha1.scheduledjobs("default")
        jobs.create(job)
        got = jobs.get("nightly")
    assert got.spec.job_template.metadata.labels == {"job": "report"}
    assert got.spec.job_template.spec.template.spec.containers[0].image == "busybox"
    stored = raw.get("/apis/batch.example.net/v1alpha1/namespaces/default/scheduledjobs/nightly")
    template_json = stored.json()["spec"]["jobTemplate"]
    assert template_json["apiVersion"] == "batch/v1" and template_json["kind"] == "Job"
    assert template_json["metadata"] == {"labels": {"job": "report"}}
    assert stored.json()["spec"]["sidecar"] == sidecar
