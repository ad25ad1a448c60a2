"""`--base-package kubeapi`: a CRD package that uses kubeapi's shared classes, not copies of them,
and still reads, writes and round-trips custom resources against a live (fake) server."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomllib
import yaml
from crd_manifests import CRD_PATH, http, imported
from helpers import REPO

from kubeforge.cli import main
from kubeforge.fake import FakeServer

PACKAGE = "crdbaseapi"
CLUSTER = REPO / "tests/crds/cluster.yaml"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("base")
    args = ["generate", "--quiet", "--crd", str(CLUSTER), "--out", str(out)]
    assert main([*args, "--package", PACKAGE, "--base-package", "kubeapi"]) == 0
    return out


@pytest.fixture(scope="module")
def pkg(generated: Path) -> Iterator[Any]:
    with imported(generated, PACKAGE) as package:
        yield package


def test_shared_modules_re_export_the_base_package_s_classes(generated: Path, pkg: Any) -> None:
    import kubeapi.autoscaling_v1
    import kubeapi.meta_v1

    meta = importlib.import_module(f"{PACKAGE}.meta_v1")
    assert meta.ObjectMeta is kubeapi.meta_v1.ObjectMeta
    assert meta.Status is kubeapi.meta_v1.Status
    scale = importlib.import_module(f"{PACKAGE}.autoscaling_v1")
    assert scale.Scale is kubeapi.autoscaling_v1.Scale
    # Re-exports only: no class is defined there, and the base package is a dependency.
    text = (generated / PACKAGE / "meta_v1.py").read_text()
    assert "class " not in text and "from kubeapi.meta_v1 import (" in text
    project = tomllib.loads((generated / "pyproject.toml").read_text())["project"]
    assert "kubeapi" in project["dependencies"]
    # The custom kinds' own module is generated here, with its clients.
    infra = importlib.import_module(f"{PACKAGE}.infra_example_v1")
    assert infra.NodePool.__module__ == f"{PACKAGE}.infra_example_v1"
    assert hasattr(infra, "NodePoolClient")


def test_custom_resources_round_trip_with_the_base_package_s_metadata(
    fake_api: FakeServer, pkg: Any
) -> None:
    from kubeapi.meta_v1 import ObjectMeta

    crd = next(d for d in yaml.safe_load_all(CLUSTER.read_text()) if d)
    with http(fake_api) as raw:
        assert raw.post(CRD_PATH, json=crd).status_code == 201
    infra = importlib.import_module(f"{PACKAGE}.infra_example_v1")
    config = pkg.Config(fake_api.url, token=fake_api.token, ca_file=fake_api.ca_file)
    with pkg.Client(config) as kube:
        pools = kube.infra_example_v1.nodepools()
        pools.create(
            infra.NodePool(
                metadata=ObjectMeta(name="gpu", labels={"team": "ml"}),
                spec=infra.NodePoolSpec(
                    replicas=2,
                    template=infra.NodePoolSpecTemplate(
                        machine=infra.NodePoolSpecTemplateMachine(type="g5.xlarge")
                    ),
                ),
            )
        )
        got = pools.get("gpu")
        assert isinstance(got.metadata, ObjectMeta)
        # Read lazily by kubeapi's classes from what this package decoded.
        assert dict(got.metadata.labels) == {"team": "ml"}
        got.metadata.labels["tier"] = "gold"
        got.metadata = ObjectMeta(
            name="gpu",
            labels={**got.metadata.labels, "pool": "a"},
            resource_version=got.metadata.resource_version,
        )
        got.spec.replicas = 3
        pools.replace(got)
    with http(fake_api) as raw:
        stored = raw.get("/apis/infra.example.com/v1/nodepools/gpu").json()
    assert stored["metadata"]["labels"] == {"team": "ml", "tier": "gold", "pool": "a"}
    assert stored["spec"]["replicas"] == 3
