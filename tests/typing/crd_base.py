"""A CRD package generated with `--base-package kubeapi`, used with kubeapi's own classes;
must pass mypy --strict and basedpyright (never run).

`crdbase` is generated in the test from cluster.yaml: its meta_v1 re-exports kubeapi's.
"""

from __future__ import annotations

from crdbase.infra_example_v1 import NodePool, NodePoolSpec
from crdbase.meta_v1 import ObjectMeta as ReExported

from kubeapi.meta_v1 import ObjectMeta, OwnerReference


def make(owner: OwnerReference) -> NodePool:
    meta = ObjectMeta(name="gpu", labels={"team": "ml"}, owner_references=[owner])
    pool = NodePool(metadata=meta, spec=NodePoolSpec(replicas=2))
    pool.metadata.annotations["note"] = "from kubeapi"
    same: ReExported = pool.metadata
    pool.metadata = same
    name: str | None = pool.metadata.name
    assert name == "gpu"
    return pool
