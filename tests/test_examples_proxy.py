"""The ambassador examples run against the proxy in front of the fake server, as a pod would.

The app scripts get no token and no CA: only the proxy's plain-HTTP URL. The pod manifest is
checked by kubectl itself (strict validation, through the proxy) and by the proxy's own parser.
"""

from __future__ import annotations

import os
import re
import selectors
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import yaml
from helpers import REPO

from kubeapi import Client, Config, load_config
from kubeapi.proxy import parse_args, serve
from kubeforge.fake import FakeServer

EXAMPLES = REPO / "examples"


def _app_env(**extra: str) -> dict[str, str]:
    """The app container's environment: no in-cluster variables, no kubeconfig."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "AMBASSADOR"))}
    env.update(extra)
    return env


def _run(script: str, *args: str, env: dict[str, str]) -> tuple[int, list[str], str]:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, result.stdout.splitlines(), result.stderr


def _first_line(stream: IO[str], process: subprocess.Popen[str], timeout: float = 30) -> str:
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(timeout):
            process.kill()
            raise AssertionError("the proxy printed nothing")
    return stream.readline()


@contextmanager
def _ambassador(server: FakeServer, root: Path) -> Iterator[tuple[str, list[str]]]:
    """`python -m kubeapi.proxy --port 0` as the sidecar runs it: in-cluster configuration."""
    env = _app_env(
        KUBERNETES_SERVICE_HOST="127.0.0.1",
        KUBERNETES_SERVICE_PORT=str(server.port),
        KUBEAPI_SERVICEACCOUNT_ROOT=str(root),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "kubeapi.proxy", "--port", "0"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    log: list[str] = []
    try:
        assert process.stderr is not None
        first = _first_line(process.stderr, process)
        match = re.fullmatch(r"Starting to serve on 127\.0\.0\.1:(\d+)\n", first)
        assert match, first
        yield f"http://127.0.0.1:{match[1]}", log
        process.send_signal(signal.SIGTERM)
        log.extend(process.communicate(timeout=15)[1].splitlines())
        assert process.returncode == 0, log
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def _pod(name: str, namespace: str = "default") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace}}


def test_ambassador_example_behind_the_sidecar(fake_api: FakeServer, tmp_path: Path) -> None:
    root = fake_api.write_service_account(tmp_path / "sa", namespace="team")
    fake_api.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    fake_api.add(_pod("web", "team"))
    fake_api.add(_pod("db", "team"))
    with _ambassador(fake_api, root) as (url, log):
        env = _app_env(AMBASSADOR_URL=url, POD_NAMESPACE="team")
        code, lines, err = _run("ambassador.py", "--watch", "1", env=env)
        assert code == 0, err
        assert lines == [
            f"2 pods in team via {url}",
            "pod db",
            "pod web",
            "configmap ambassador-example created",
            "event ADDED db",
            "event ADDED web",
        ]
        fake_api.add(_pod("cache", "team"))
        code, lines, err = _run("ambassador.py", env=env)
        assert code == 0, err
        assert lines[0] == f"3 pods in team via {url}" and lines[-1] == (
            "configmap ambassador-example updated"
        )
    config = Config(fake_api.url, token=fake_api.token, ca_file=fake_api.ca_file, namespace="team")
    with Client(config) as kube:
        assert kube.core_v1.configmaps().get("ambassador-example").data["pods"] == "cache,db,web"
    requests = [line for line in log if "kubeapi.proxy: " in line and "forwarding" not in line]
    assert any("GET /api/v1/namespaces/team/pods 200" in line for line in requests), log
    assert any("POST /api/v1/namespaces/team/configmaps 201" in line for line in requests), log
    assert any(
        "PUT /api/v1/namespaces/team/configmaps/ambassador-example 200" in line for line in requests
    )
    assert fake_api.token not in "\n".join(log)


def test_kubectl_proxy_example_against_the_kubeapi_proxy(
    fake_api: FakeServer, tmp_path: Path
) -> None:
    fake_api.add(_pod("web"))
    kubeconfig = fake_api.write_kubeconfig(tmp_path / "kubeconfig")
    with serve(load_config(str(kubeconfig)), port=0) as proxy:
        code, lines, err = _run("kubectl_proxy.py", proxy.url, env=_app_env())
        assert code == 0, err
        assert lines == [
            f"1 pods in default via {proxy.url}",
            "pod web",
            "configmap ambassador-example created",
        ]
        code, lines, err = _run("kubectl_proxy.py", env=_app_env(KUBECTL_PROXY_URL=proxy.url))
        assert code == 0 and lines[-1] == "configmap ambassador-example updated", err


def test_kubectl_proxy_example_against_kubectl_proxy(fake_api: FakeServer, tmp_path: Path) -> None:
    """The same app against the real `kubectl proxy`, which the kubeapi proxy imitates."""
    fake_api.add(_pod("web"))
    kubeconfig = fake_api.write_kubeconfig(tmp_path / "kubeconfig")
    process = subprocess.Popen(
        ["kubectl", "proxy", "--port=0", f"--kubeconfig={kubeconfig}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = _first_line(process.stdout, process)
        match = re.fullmatch(r"Starting to serve on 127\.0\.0\.1:(\d+)\n", first)
        assert match, first
        url = f"http://127.0.0.1:{match[1]}"
        code, lines, err = _run("kubectl_proxy.py", url, env=_app_env())
        assert code == 0, err
        assert lines == [
            f"1 pods in default via {url}",
            "pod web",
            "configmap ambassador-example created",
        ]
    finally:
        process.kill()
        process.communicate(timeout=15)


def test_examples_report_an_unreachable_proxy() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"  # bound, never listening: refused
        code, lines, err = _run("ambassador.py", url, env=_app_env())
    assert code == 1 and lines == [] and err.startswith("error: ") and "Traceback" not in err


def test_pod_manifest(fake_api: FakeServer, tmp_path: Path) -> None:
    documents = list(yaml.safe_load_all((EXAMPLES / "ambassador-pod.yaml").read_text()))
    pod = next(d for d in documents if d["kind"] == "Pod")["spec"]
    (ambassador,) = pod["initContainers"]
    (app,) = pod["containers"]
    assert ambassador["restartPolicy"] == "Always"  # a sidecar, ready before the app starts
    assert ambassador["command"] == ["python", "-m", "kubeapi.proxy"]
    args = parse_args(ambassador["args"])
    assert (args.address, args.allow_exec) == ("127.0.0.1", False)
    env = {e["name"]: e.get("value") for e in app["env"]}
    assert env["AMBASSADOR_URL"] == f"http://127.0.0.1:{args.port}"
    assert app["command"][:2] == ["python", "/app/ambassador.py"]
    # only the ambassador holds the token
    assert pod["automountServiceAccountToken"] is False and "volumeMounts" not in app
    (mount,) = ambassador["volumeMounts"]
    assert mount["mountPath"] == "/var/run/secrets/kubernetes.io/serviceaccount"

    # kubectl, strict about unknown fields, creates it all through the kubeapi proxy
    config = Config(fake_api.url, token=fake_api.token, ca_file=fake_api.ca_file)
    with serve(config, port=0) as proxy:
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [{"name": "proxy", "cluster": {"server": proxy.url}}],
                    "contexts": [{"name": "proxy", "context": {"cluster": "proxy"}}],
                    "current-context": "proxy",
                }
            )
        )
        result = subprocess.run(
            [
                *("kubectl", f"--kubeconfig={kubeconfig}", f"--cache-dir={tmp_path / 'cache'}"),
                *("create", "--validate=strict", "-f", str(EXAMPLES / "ambassador-pod.yaml")),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "serviceaccount/ambassador-example created",
        "role.rbac.authorization.k8s.io/ambassador-example created",
        "rolebinding.rbac.authorization.k8s.io/ambassador-example created",
        "pod/ambassador-example created",
    ]
