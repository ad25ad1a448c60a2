"""In-pod bootstrap and kubeconfig: the generated package configures itself as a pod or kubectl would."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubeapi import Client, Config, ConfigError, TransportError, Unauthorized, load_config
from kubeapi._runtime.kubeconfig import from_kubeconfig
from kubeforge.fake import FakeServer
from servers import canned


def kubelet_dir(root: Path, files: dict[str, str], stamp: str) -> None:
    """Write `files` the way the kubelet does: a timestamped dir, `..data`, and symlinks to it."""
    root.mkdir(parents=True, exist_ok=True)
    target = root / f"..{stamp}"
    target.mkdir()
    for name, text in files.items():
        (target / name).write_text(text)
    tmp = root / "..data_tmp"
    tmp.symlink_to(target.name)
    old = (root / "..data").resolve() if (root / "..data").exists() else None
    os.replace(tmp, root / "..data")
    for name in files:
        if not (root / name).is_symlink():
            (root / name).symlink_to(f"..data/{name}")
    if old is not None:
        for child in old.iterdir():
            child.unlink()
        old.rmdir()


def _pod_env(server: FakeServer, root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "POD_"))}
    env.update(
        KUBERNETES_SERVICE_HOST="127.0.0.1",
        KUBERNETES_SERVICE_PORT=str(server.port),
        KUBEAPI_SERVICEACCOUNT_ROOT=str(root),
    )
    return env


def test_a_simulated_pod_lists_its_namespace_with_no_arguments(
    fake_api: FakeServer, tmp_path: Path
) -> None:
    root = tmp_path / "serviceaccount"
    assert fake_api.ca_file
    kubelet_dir(
        root,
        {
            "token": fake_api.token,
            "ca.crt": Path(fake_api.ca_file).read_text(),
            "namespace": "team-a",
        },
        "2026_11_25_10_00_00.1",
    )
    fake_api.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    fake_api.add(
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "mine", "namespace": "team-a"}}
    )
    fake_api.add(
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "other", "namespace": "default"}}
    )
    script = "from kubeapi import Client; kube = Client(); print(kube.config.source); print([p.metadata.name for p in kube.core_v1.pods().list()])"
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=_pod_env(fake_api, root),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"in-cluster ({root})", "['mine']"]


@pytest.fixture
def in_pod(fake_api: FakeServer, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """The service-account directory of a simulated pod (token-1), and the server's CA."""
    root = tmp_path / "serviceaccount"
    assert fake_api.ca_file
    ca = Path(fake_api.ca_file).read_text()
    kubelet_dir(root, {"token": "token-1", "ca.crt": ca, "namespace": "default"}, "1")
    fake_api.set_tokens(["token-1"])
    os.environ.update(
        KUBERNETES_SERVICE_HOST="127.0.0.1", KUBERNETES_SERVICE_PORT=str(fake_api.port)
    )
    try:
        yield root, ca
    finally:
        for key in ("KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"):
            os.environ.pop(key, None)


def test_a_rotated_token_is_picked_up_after_a_401_without_a_visible_failure(
    fake_api: FakeServer, in_pod: tuple[Path, str]
) -> None:
    root, ca = in_pod
    with Client(load_config_in(root)) as kube:
        pods = kube.core_v1.pods()
        pods.list()
        for n in range(2, 5):
            fake_api.set_tokens([f"token-{n}"])  # the old token stops working at once...
            mark = fake_api.request_count()
            outcome: list[object] = []
            caller = threading.Thread(target=lambda: outcome.append(_try(pods.list)))
            caller.start()
            denied = fake_api.wait_for_request(lambda seen: seen.code == 401, after=mark)
            kubelet_dir(root, {"token": f"token-{n}", "ca.crt": ca, "namespace": "default"}, str(n))
            caller.join(timeout=30)  # ...and the kubelet swaps the file while the call waits
            assert len(outcome) == 1 and not isinstance(outcome[0], BaseException), outcome
            answered = [(seen.path, seen.code) for seen in fake_api.requests(after=mark)]
            assert answered == [(denied.path, 401), (denied.path, 200)], "one 401, one retry"


def test_a_401_with_no_new_token_surfaces_after_a_short_wait(
    fake_api: FakeServer, in_pod: tuple[Path, str]
) -> None:
    root, _ = in_pod
    with Client(load_config_in(root)) as kube:
        fake_api.set_tokens(["token-2"])
        mark = fake_api.request_count()
        with pytest.raises(Unauthorized):
            kube.core_v1.pods().list()
        assert [seen.code for seen in fake_api.requests(after=mark)] == [401], "no blind retry"


def _try(call: Callable[[], object]) -> object:
    try:
        return call()
    except BaseException as exc:  # noqa: BLE001 - handed to the test thread to assert on
        return exc


def load_config_in(root: Path) -> Config:
    from kubeapi._runtime.config import in_cluster

    config = in_cluster(str(root))
    assert config is not None
    return config


@pytest.mark.parametrize("problem", ["wrong CA", "expired", "name mismatch"])
def test_untrusted_certificates_fail_clearly_and_never_fall_back(
    problem: str, tmp_path: Path
) -> None:
    host = "127.0.0.2" if problem == "name mismatch" else "127.0.0.1"
    with (
        FakeServer(host=host, expired_certificate=problem == "expired") as server,
        FakeServer() as other,
    ):
        ca = other.ca_file if problem == "wrong CA" else server.ca_file
        with (
            Client(Config(server.url, token=server.token, ca_file=ca)) as kube,
            pytest.raises(TransportError) as info,
        ):
            kube.core_v1.pods().list()
    message = str(info.value)
    assert message.startswith(f"TLS verification of {server.url} failed against CA file {ca}: ")
    expected = {
        "wrong CA": "certificate signature failure",
        "expired": "certificate has expired",
        "name mismatch": "IP address mismatch",
    }
    assert expected[problem] in message
    assert server.token not in message


# ---------------------------------------------------------------- kubeconfig matrix


def _write(path: Path, doc: dict[str, Any] | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc))
    return path


def _kubeconfig(
    server: str,
    user: dict[str, Any],
    *,
    name: str = "main",
    namespace: str | None = None,
    cluster: dict[str, Any] | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {"cluster": name, "user": name}
    if namespace:
        context["namespace"] = namespace
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": server, **(cluster or {})}}],
        "users": [{"name": name, "user": user}],
        "contexts": [{"name": name, "context": context}],
        "current-context": name,
    }


def _ca(server: FakeServer) -> dict[str, Any]:
    return {"certificate-authority": server.ca_file}


def test_several_files_merge_as_kubectl_merges_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _write(
        tmp_path / "a" / "config",
        {
            "current-context": "one",
            "contexts": [
                {"name": "one", "context": {"cluster": "c1", "user": "u1", "namespace": "first"}}
            ],
            "users": [{"name": "u1", "user": {"tokenFile": "token"}}],
        },
    )
    (tmp_path / "a" / "token").write_text("from-a\n")
    second = _write(
        tmp_path / "b" / "config",
        {
            "current-context": "two",
            "contexts": [
                {"name": "one", "context": {"cluster": "c1", "user": "u1", "namespace": "second"}},
                {"name": "two", "context": {"cluster": "c1", "user": "u1"}},
            ],
            "clusters": [
                {
                    "name": "c1",
                    "cluster": {
                        "server": "https://127.0.0.1:6443",
                        "certificate-authority": "ca.crt",
                    },
                }
            ],
            "users": [{"name": "u1", "user": {"token": "from-b"}}],
        },
    )
    monkeypatch.setenv(
        "KUBECONFIG", os.pathsep.join([str(tmp_path / "missing"), str(first), str(second)])
    )
    config = from_kubeconfig(os.environ["KUBECONFIG"].split(os.pathsep))
    assert config is not None
    assert (
        config.namespace == "first"
    ), "current-context and the context itself come from the first file"
    assert (
        config.bearer_token() == "from-a"
    ), "the user from the first file, its tokenFile relative to that file"
    assert config.ca_file == str(
        tmp_path / "b" / "ca.crt"
    ), "the cluster's CA path is relative to the file that defined it"
    assert "from-a" not in repr(config) and "from-b" not in repr(config)


def test_token_client_certificates_and_tls_server_name(
    fake_api: FakeServer, tmp_path: Path
) -> None:
    cert, key = fake_api.client_certificate()
    (tmp_path / "client.crt").write_text(cert)
    (tmp_path / "client.key").write_text(key)

    users = {
        "token": {"token": fake_api.token},
        "cert-files": {"client-certificate": "client.crt", "client-key": "client.key"},
        "cert-data": {
            "client-certificate-data": base64.b64encode(cert.encode()).decode(),
            "client-key-data": base64.b64encode(key.encode()).decode(),
        },
    }
    for kind, user in users.items():
        path = _write(
            tmp_path / f"{kind}.yaml",
            _kubeconfig(
                fake_api.url,
                user,
                namespace="kube-system",
                cluster={**_ca(fake_api), "tls-server-name": "localhost"},
            ),
        )
        with Client(load_config(str(path))) as kube:
            assert kube.config.namespace == "kube-system"
            assert kube.core_v1.pods().list().items == [], kind
    before = set(os.listdir(os.environ.get("TMPDIR", "/tmp")))
    with Client(load_config(str(tmp_path / "cert-data.yaml"))):
        pass
    leftovers = [
        n
        for n in set(os.listdir(os.environ.get("TMPDIR", "/tmp"))) - before
        if n.startswith("kubeapi-")
    ]
    assert not leftovers, "inline key material is not left on disk"
    wrong_name = _write(
        tmp_path / "wrong.yaml",
        _kubeconfig(
            fake_api.url,
            users["token"],
            cluster={**_ca(fake_api), "tls-server-name": "not-the-server.example"},
        ),
    )
    with (
        Client(load_config(str(wrong_name))) as kube,
        pytest.raises(TransportError, match="Hostname mismatch"),
    ):
        kube.core_v1.pods().list()


def test_basic_auth_sends_the_username_and_password(tmp_path: Path) -> None:
    seen: list[dict[str, str]] = []
    with canned(
        {"/api/v1/namespaces/default/pods": (200, {"kind": "PodList", "items": []})}, seen=seen
    ) as url:
        path = _write(
            tmp_path / "basic.yaml", _kubeconfig(url, {"username": "ada", "password": "s3cret"})
        )
        with Client(load_config(str(path))) as kube:
            assert "s3cret" not in repr(kube.config)
            kube.core_v1.pods().list()
    assert seen[-1]["Authorization"] == "Basic " + base64.b64encode(b"ada:s3cret").decode()


EXEC_PLUGIN = """
import json, os, sys
from datetime import datetime, timedelta, timezone
count_file = sys.argv[1]
n = int(open(count_file).read()) + 1 if os.path.exists(count_file) else 1
open(count_file, "w").write(str(n))
info = json.loads(os.environ["KUBERNETES_EXEC_INFO"])
seconds = int(sys.argv[3])
expiry = (datetime.now(timezone.utc) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
print(json.dumps({"apiVersion": info["apiVersion"], "kind": "ExecCredential",
                  "status": {"token": sys.argv[2], "expirationTimestamp": expiry}}))
"""


@pytest.mark.parametrize(
    "api_version", ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]
)
def test_exec_plugins_are_cached_until_expiry_and_rerun_on_401(
    api_version: str, fake_api: FakeServer, tmp_path: Path
) -> None:
    plugin = tmp_path / "plugin.py"
    plugin.write_text(EXEC_PLUGIN)
    count = tmp_path / "count"
    token_file = tmp_path / "current-token"
    token_file.write_text(fake_api.token)
    wrapper = tmp_path / "get-token"
    wrapper.write_text(
        f'#!/bin/sh\nexec {sys.executable} {plugin} {count} "$(cat {token_file})" 3600\n'
    )
    wrapper.chmod(0o755)
    exec_entry = {"apiVersion": api_version, "command": str(wrapper), "interactiveMode": "Never"}
    path = _write(
        tmp_path / "exec.yaml",
        _kubeconfig(fake_api.url, {"exec": exec_entry}, cluster=_ca(fake_api)),
    )
    with Client(load_config(str(path))) as kube:
        for _ in range(3):
            kube.core_v1.pods().list()
        assert count.read_text() == "1", "one run, then the cached token until it expires"
        token_file.write_text("rotated-token")
        fake_api.set_tokens(["rotated-token"])
        kube.core_v1.pods().list()
        assert count.read_text() == "2", "a 401 runs the plugin again before the error surfaces"


def test_exec_plugin_errors_are_clear(tmp_path: Path) -> None:
    missing = {
        "apiVersion": "client.authentication.k8s.io/v1",
        "command": "no-such-plugin-xyz",
        "installHint": "install it with: pip install xyz",
        "interactiveMode": "Never",
    }
    path = _write(tmp_path / "missing.yaml", _kubeconfig("https://127.0.0.1:1", {"exec": missing}))
    with pytest.raises(ConfigError) as info:
        load_config(str(path)).bearer_token()
    assert str(info.value) == (
        f"kubeconfig {path}: users[main].exec: executable 'no-such-plugin-xyz' not found; install it with: pip install xyz"
    )
    always = {**missing, "command": sys.executable, "interactiveMode": "Always"}
    path = _write(tmp_path / "always.yaml", _kubeconfig("https://127.0.0.1:1", {"exec": always}))
    with pytest.raises(ConfigError, match="needs an interactive terminal"):
        load_config(str(path)).bearer_token()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("clusters: [\n  - name: x\n    cluster: {server: 'https://a'", "is not valid YAML"),
        ("- just\n- a list\n", "the top level must be a mapping, not list"),
        ("current-context: c\ncontexts:\n- context: {cluster: x}\n", "contexts[0] has no name"),
        (
            "current-context: c\ncontexts:\n- name: c\n  context: {cluster: x, user: u}\n",
            "contexts[c].cluster 'x' not found",
        ),
        (
            "current-context: c\ncontexts:\n- name: c\n  context: {cluster: x}\nclusters:\n- name: x\n  cluster: {}\n",
            "clusters[x].server is not set",
        ),
        (
            "current-context: c\ncontexts:\n- name: c\n  context: {cluster: x, user: u}\nclusters:\n- name: x\n  cluster: {server: 'https://a'}\nusers:\n- name: u\n  user: {auth-provider: {name: gcp}}\n",
            "users[u].auth-provider (gcp) is not supported; use an exec credential plugin",
        ),
    ],
)
def test_malformed_kubeconfigs_name_the_file_and_the_key(
    text: str, message: str, tmp_path: Path
) -> None:
    path = _write(tmp_path / "bad.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_config(str(path))
    assert str(path) in str(info.value) and message in str(info.value)


def test_missing_files_and_nothing_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(str(tmp_path / "nope.yaml"))
    for key in ("KUBERNETES_SERVICE_HOST", "KUBECONFIG"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    with pytest.raises(ConfigError) as info:
        load_config()
    assert str(info.value) == (
        "no Kubernetes configuration found; tried in-cluster: KUBERNETES_SERVICE_HOST is not set; "
        f"kubeconfig: no file at {tmp_path / 'absent'}"
    )


def test_exec_info_describes_the_request(tmp_path: Path) -> None:
    """KUBERNETES_EXEC_INFO carries apiVersion, kind and interactive, plus the cluster when asked."""
    dump = tmp_path / "info.json"
    script = tmp_path / "dump.py"
    script.write_text(textwrap.dedent(f"""
        import json, os
        open({str(dump)!r}, "w").write(os.environ["KUBERNETES_EXEC_INFO"])
        print(json.dumps({{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": {{"token": "t"}}}}))
    """))
    wrapper = tmp_path / "dump"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} {script}\n")
    wrapper.chmod(0o755)
    entry = {
        "apiVersion": "client.authentication.k8s.io/v1",
        "command": str(wrapper),
        "interactiveMode": "Never",
        "provideClusterInfo": True,
    }
    path = _write(tmp_path / "k.yaml", _kubeconfig("https://127.0.0.1:1", {"exec": entry}))
    assert load_config(str(path)).bearer_token() == "t"
    info = json.loads(dump.read_text())
    assert info["kind"] == "ExecCredential" and info["spec"]["interactive"] is False
    assert info["spec"]["cluster"]["server"] == "https://127.0.0.1:1"


def _in_cluster_env(monkeypatch: pytest.MonkeyPatch, root: Path, host: str, port: str) -> None:
    for key in list(os.environ):
        if key.startswith(("KUBE", "POD_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", host)
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", port)
    monkeypatch.setenv("KUBEAPI_SERVICEACCOUNT_ROOT", str(root))
    monkeypatch.setenv("KUBECONFIG", str(root / "no-kubeconfig"))


def test_in_cluster_in_this_process_reads_the_service_account_directory(
    fake_api: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "serviceaccount"
    assert fake_api.ca_file
    ca = Path(fake_api.ca_file).read_text()
    kubelet_dir(root, {"token": fake_api.token, "ca.crt": ca, "namespace": "team-a"}, "1")
    fake_api.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    fake_api.add(
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "team-a"}}
    )
    _in_cluster_env(monkeypatch, root, "127.0.0.1", str(fake_api.port))
    config = load_config()
    assert (config.server, config.namespace) == (f"https://127.0.0.1:{fake_api.port}", "team-a")
    assert config.source == f"in-cluster ({root})"
    with Client(config) as kube:
        assert [p.metadata.name for p in kube.core_v1.pods().list()] == ["p"]
    # An IPv6 service address is bracketed in the URL.
    _in_cluster_env(monkeypatch, root, "fd00::1", "6443")
    assert load_config().server == "https://[fd00::1]:6443"
    # Without a namespace file (nor a downward namespace: no POD_NAMESPACE, no KUBEAPI_DOWNWARD_DIR
    # and no /etc/downward here) the namespace is "default".
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "token").write_text("t")
    _in_cluster_env(monkeypatch, bare, "127.0.0.1", "443")
    assert load_config().namespace == "default"


def test_a_named_context_is_the_one_used(fake_api: FakeServer, tmp_path: Path) -> None:
    doc = _kubeconfig("https://127.0.0.1:1", {"token": "wrong"}, name="first")
    second = _kubeconfig(
        fake_api.url, {"token": fake_api.token}, name="second", cluster=_ca(fake_api)
    )
    for key in ("clusters", "users", "contexts"):
        doc[key] += second[key]
    path = _write(tmp_path / "two.yaml", doc)
    config = load_config(str(path), context="second")
    assert config.server == fake_api.url
    with Client(config) as kube:
        assert kube.core_v1.namespaces().get("default").metadata.name == "default"


def test_basic_auth_without_a_password_sends_an_empty_one(tmp_path: Path) -> None:
    seen: list[dict[str, str]] = []
    with (
        canned(
            {"/api/v1/namespaces/default/pods": (200, {"kind": "PodList", "items": []})}, seen=seen
        ) as url,
        Client(Config(url, username="ada")) as kube,
    ):
        kube.core_v1.pods().list()
    assert seen[-1]["Authorization"] == "Basic " + base64.b64encode(b"ada:").decode()


def test_tls_with_inline_ca_data_or_with_verification_off(fake_api: FakeServer) -> None:
    assert fake_api.ca_file
    pem = Path(fake_api.ca_file).read_text()
    for config in (
        Config(fake_api.url, token=fake_api.token, ca_data=pem),
        Config(fake_api.url, token=fake_api.token, verify=False),
    ):
        with Client(config) as kube:
            assert kube.core_v1.namespaces().get("default").metadata.name == "default"


def test_a_plain_http_server_gets_a_tls_context_that_trusts_nothing(fake_api: FakeServer) -> None:
    import ssl

    import httpx

    context = Config("http://127.0.0.1:8001").ssl_context()
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.get_ca_certs() == []
    # Should TLS ever happen with it, it fails closed, even against a server we could trust.
    with httpx.Client(verify=context) as http, pytest.raises(httpx.ConnectError) as caught:
        http.get(fake_api.url + "/version")
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    # Through a proxy the default verification applies to the proxy's TLS.
    assert Config("http://127.0.0.1:8001", proxy_url="http://127.0.0.1:3128").ssl_context() is True
