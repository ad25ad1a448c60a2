"""Issue 11, acceptance 3: kubectl 1.29-1.33 write custom resources with default validation.

kubectl validates `apply`, `create -f` and `apply --server-side` by default. It leaves that to
the server (`?fieldValidation=Strict`) when the kind's PATCH operation in /openapi/v3 declares
`fieldValidation`; otherwise it asks for protobuf /openapi/v2 and fails. Each version runs
the image's own binary (`kubectl.1.NN` beside the dispatcher's target) with a cache of its
own (cached discovery from another version cannot hide a server bug) against one shared
server per module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from helpers import REPO

from kubeforge.fake import FakeServer

VERSIONS = ("1.29", "1.30", "1.31", "1.32", "1.33")
CRDS = REPO / "tests/crds/kubectl-crds.yaml"
CRONTABS = "/apis/stable.example.com/v1/namespaces/default/crontabs"
BACKENDS = "/apis/ops.example.io/v1alpha1/backends"


class Kubectl:
    """One kubectl binary with its own cache, pointed at the module's server."""

    def __init__(self, binary: str, kubeconfig: Path, cache: Path, server: FakeServer) -> None:
        self.binary, self.kubeconfig, self.cache, self.server = binary, kubeconfig, cache, server

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [self.binary, f"--kubeconfig={self.kubeconfig}", f"--cache-dir={self.cache}", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60)

    def ok(self, *args: str) -> str:
        done = self.run(*args)
        assert done.returncode == 0, f"{self.binary} {' '.join(args)} failed: {done.stderr}"
        return done.stdout


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


@pytest.fixture(scope="module")
def api(server: FakeServer) -> Iterator[httpx.Client]:
    """The server over HTTPS, with the CRDs of tests/crds/kubectl-crds.yaml registered."""
    verify = ssl.create_default_context(cafile=server.ca_file)
    headers = {"Authorization": f"Bearer {server.token}"}
    with httpx.Client(base_url=server.url, verify=verify, headers=headers) as client:
        for crd in yaml.safe_load_all(CRDS.read_text()):
            created = client.post(
                "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=crd
            )
            assert created.status_code == 201, created.text
        yield client


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module's kubeconfig and one kubectl cache per version, fresh with the server."""
    return tmp_path_factory.mktemp("kubectl")


@pytest.fixture(scope="module")
def kubeconfig(server: FakeServer, home: Path) -> Path:
    return server.write_kubeconfig(home / "kubeconfig")


@pytest.fixture(params=VERSIONS)
def kubectl(
    request: pytest.FixtureRequest,
    server: FakeServer,
    api: httpx.Client,  # the CRDs are registered before kubectl runs
    home: Path,
    kubeconfig: Path,
) -> Kubectl:
    dispatcher = shutil.which("kubectl")
    assert dispatcher, "kubectl is required: the image's dispatcher and its versioned binaries"
    binary = Path(os.path.realpath(dispatcher)).parent / f"kubectl.{request.param}"
    assert binary.is_file(), f"{binary} is missing: kubectl {request.param} must be tested"
    return Kubectl(str(binary), kubeconfig, home / f"cache-{request.param}", server)


def _crontab(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "stable.example.com/v1",
        "kind": "CronTab",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"cronSpec": "*/5 * * * *", **spec},
    }


def _write(tmp_path: Path, name: str, obj: dict[str, Any]) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(obj))
    return path


def _name(kubectl: Kubectl, what: str) -> str:
    """An object name of this kubectl version's own (`apply-1-31`): the server is shared."""
    return f"{what}-{Path(kubectl.binary).name.removeprefix('kubectl.').replace('.', '-')}"


def test_apply_creates_then_configures_with_server_side_validation(
    kubectl: Kubectl, api: httpx.Client, tmp_path: Path
) -> None:
    name = _name(kubectl, "apply")
    first = _crontab(name, image="busybox:1.36", replicas=2, port=8080, timeout="30s")
    path = _write(tmp_path, name, first)
    before = kubectl.server.request_count()
    assert (
        kubectl.ok("apply", "-f", str(path)).strip() == f"crontab.stable.example.com/{name} created"
    )
    seen = kubectl.server.requests(before)
    # Validation was left to the server, and nothing asked for the protobuf v2 document.
    posts = [r for r in seen if r.method == "POST" and r.path == CRONTABS]
    assert [(r.code, r.query.get("fieldValidation")) for r in posts] == [(201, "Strict")]
    assert not [r for r in seen if r.path == "/openapi/v2"]
    stored = api.get(f"{CRONTABS}/{name}").json()
    assert stored["spec"] == first["spec"]
    applied = stored["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    assert json.loads(applied)["spec"] == first["spec"]

    changed = _crontab(name, image="busybox:1.37", replicas=3, port="http", env=[{"name": "A"}])
    _write(tmp_path, name, changed)
    out = kubectl.ok("apply", "-f", str(path)).strip()
    assert out == f"crontab.stable.example.com/{name} configured"
    assert api.get(f"{CRONTABS}/{name}").json()["spec"] == changed["spec"]
    assert kubectl.ok("apply", "-f", str(path)).strip().endswith(" unchanged")


def test_create_and_server_side_apply(kubectl: Kubectl, api: httpx.Client, tmp_path: Path) -> None:
    created = _crontab(_name(kubectl, "create"), retries=3, extra={"free": {"form": [1, "x"]}})
    path = _write(tmp_path, "created", created)
    out = kubectl.ok("create", "-f", str(path)).strip()
    assert out == f"crontab.stable.example.com/{created['metadata']['name']} created"
    stored = api.get(f"{CRONTABS}/{created['metadata']['name']}").json()
    assert stored["spec"] == created["spec"]

    applied = _crontab(_name(kubectl, "ssa"), image="nginx", retries="twice")
    path = _write(tmp_path, "applied", applied)
    out = kubectl.ok("apply", "--server-side", "-f", str(path)).strip()
    assert out == f"crontab.stable.example.com/{applied['metadata']['name']} serverside-applied"
    stored = api.get(f"{CRONTABS}/{applied['metadata']['name']}").json()
    assert stored["spec"] == applied["spec"]
    managers = {(m["manager"], m["operation"]) for m in stored["metadata"]["managedFields"]}
    assert ("kubectl", "Apply") in managers

    # A cluster-scoped kind whose spec keeps whatever it is given.
    backend = {
        "apiVersion": "ops.example.io/v1alpha1",
        "kind": "Backend",
        "metadata": {"name": _name(kubectl, "backend")},
        "spec": {"anything": {"nested": [1, {"deep": True}]}, "weight": "10%"},
    }
    path = _write(tmp_path, "backend", backend)
    out = kubectl.ok("apply", "--server-side", "-f", str(path)).strip()
    assert out == f"backend.ops.example.io/{backend['metadata']['name']} serverside-applied"
    assert api.get(f"{BACKENDS}/{backend['metadata']['name']}").json()["spec"] == backend["spec"]


def test_a_field_unknown_to_the_schema_is_refused_as_the_real_server_refuses_it(
    kubectl: Kubectl, api: httpx.Client, tmp_path: Path
) -> None:
    name = _name(kubectl, "unknown")
    path = _write(tmp_path, name, _crontab(name, bogus=1))
    for command in (("apply", "-f"), ("create", "-f")):
        done = kubectl.run(*command, str(path))
        assert done.returncode == 1
        assert done.stderr.strip() == (
            f'Error from server (BadRequest): error when creating "{path}": CronTab in version'
            ' "v1" cannot be handled as a CronTab: strict decoding error: unknown field'
            ' "spec.bogus"'
        )
    gone = api.get(f"{CRONTABS}/{name}")
    assert (gone.status_code, gone.json()["reason"]) == (404, "NotFound")


def test_explain_reads_the_custom_resource_schema(kubectl: Kubectl) -> None:
    crd = next(yaml.safe_load_all(CRDS.read_text()))
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    out = kubectl.ok("explain", "crontabs.spec")
    assert re.search(r"^KIND:\s+CronTab$", out, re.M)
    assert re.search(r"^VERSION:\s+v1$", out, re.M)
    assert re.search(r"^\s+cronSpec\s+<string> -required-$", out, re.M)
    assert schema["properties"]["spec"]["properties"]["cronSpec"]["description"] in out
    top = kubectl.ok("explain", "crontab")
    assert schema["description"] in top
