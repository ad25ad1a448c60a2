"""The ambassador (`python -m kubeapi.proxy`): forwarding, streaming and kubectl proxy's defences.

Most tests put the proxy in front of the fake API server; those that must see exactly what
reaches the API server, or control when a stream ends, use `Upstream`, a small TLS server here.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import selectors
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from kubeapi import Client, Config
from kubeapi.proxy import ProxyServer, _clean_path, _host_name, _is_exec, parse_args, serve
from kubeforge.fake import FakeServer, certs

TOKEN = "proxy-test-token-0123456789abcdef"
EXEC = "/api/v1/namespaces/default/pods/p/exec?command=sh"
LOG = "/api/v1/namespaces/default/pods/p/log?follow=true"
QUIET = "/api/v1/namespaces/default/pods/quiet/log?follow=true"


class Upstream:
    """A TLS API-server stand-in on 127.0.0.1 that records every request it gets.

    `LOG` streams "line 1", waits for `release`, then sends "line 2"; `QUIET` sends one line
    and waits for the client to hang up (setting `hung_up`); anything else gets a JSON echo.
    """

    def __init__(self, folder: Path) -> None:
        self.tls = certs.make(folder)
        self.seen: list[dict[str, Any]] = []
        self.release, self.finished, self.hung_up = (threading.Event() for _ in range(3))
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10  # no read here waits longer

            def handle_one_request(self) -> None:
                self.raw_requestline = self.rfile.readline(65537)
                if not self.raw_requestline or not self.parse_request():
                    self.close_connection = True
                    return
                upstream.seen.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": [(k.lower(), v) for k, v in self.headers.items()],
                        "body": self.body(),
                    }
                )
                if self.path == LOG:
                    self.stream([b"line 1\n", b"line 2\n"])
                elif self.path == QUIET:
                    self.stream([b"hello\n"])
                else:
                    data = json.dumps({"method": self.command, "path": self.path}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                self.wfile.flush()

            def body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    out = b""
                    while size := int(self.rfile.readline().split(b";")[0], 16):
                        out += self.rfile.read(size)
                        self.rfile.readline()
                    self.rfile.readline()
                    return out
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def stream(self, lines: list[bytes]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for i, line in enumerate(lines):
                    if i:
                        upstream.release.wait(5)
                    self.wfile.write(b"%x\r\n%b\r\n" % (len(line), line))
                if len(lines) == 1:  # QUIET: wait, bounded, for the proxy to hang up
                    self.close_connection = True
                    with selectors.DefaultSelector() as selector:
                        selector.register(self.connection, selectors.EVENT_READ)
                        if selector.select(timeout=10) and not self.connection.recv(1):
                            upstream.hung_up.set()
                    return
                self.wfile.write(b"0\r\n\r\n")
                upstream.finished.set()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.tls.cert, self.tls.key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def config(self, **options: Any) -> Config:
        return Config(self.url, ca_file=str(self.tls.ca), **options)

    def headers(self, index: int = -1) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, value in self.seen[index]["headers"]:
            out.setdefault(name, []).append(value)
        return out

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[Upstream]:
    server = Upstream(tmp_path)
    yield server
    server.close()


@pytest.fixture
def proxied(fake_api: FakeServer) -> Iterator[tuple[FakeServer, ProxyServer]]:
    fake_api.add(
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"}}
    )
    config = Config(fake_api.url, token=fake_api.token, ca_file=fake_api.ca_file)
    with serve(config, port=0) as proxy:
        yield fake_api, proxy


def raw(
    proxy: ProxyServer, method: str, target: str, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    """One request sent as written (no URL clean-up), with Host: localhost unless given."""
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    try:
        conn.request(method, target, headers={"Host": "localhost", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


# ------------------------------------------------------------ forwarding


def test_get_and_list_through_the_proxy(proxied: tuple[FakeServer, ProxyServer]) -> None:
    _, proxy = proxied
    assert proxy.port > 0 and proxy.url == f"http://127.0.0.1:{proxy.port}"
    pod = httpx.get(f"{proxy.url}/api/v1/namespaces/default/pods/p", timeout=10)
    assert pod.status_code == 200 and pod.json()["metadata"]["name"] == "p"
    assert "authorization" not in pod.request.headers  # plain HTTP, no token on this side
    listed = httpx.get(f"{proxy.url}/api/v1/namespaces/default/pods", timeout=10)
    assert [item["metadata"]["name"] for item in listed.json()["items"]] == ["p"]
    with Client(Config(proxy.url)) as kube:
        assert kube.core_v1.pods().get("p").metadata.name == "p"
        assert [p.metadata.name for p in kube.core_v1.pods().list()] == ["p"]


def test_pod_logs_are_followed_through_the_proxy(proxied: tuple[FakeServer, ProxyServer]) -> None:
    fake, proxy = proxied
    fake.append_log("default", "p", "started\n")
    with Client(Config(proxy.url)) as kube:
        assert kube.core_v1.pods().get_log("p") == "started\n"

    def later() -> None:
        fake.wait_for_request(lambda seen: seen.query.get("follow") == "true")
        fake.append_log("default", "p", "ready\n")

    writer = threading.Thread(target=later)
    writer.start()
    seen = ""
    url = f"{proxy.url}/api/v1/namespaces/default/pods/p/log"
    with httpx.stream("GET", url, params={"follow": "true"}, timeout=10) as stream:
        for chunk in stream.iter_text():
            seen += chunk
            if "ready" in seen:
                break
    writer.join()
    assert seen == "started\nready\n"


def test_bodies_and_methods_are_forwarded(proxied: tuple[FakeServer, ProxyServer]) -> None:
    _, proxy = proxied
    base = f"{proxy.url}/api/v1/namespaces/default/configmaps"
    created = httpx.post(
        base,
        content=json.dumps({"metadata": {"name": "cm"}, "data": {"a": "1"}}),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    patched = httpx.patch(
        f"{base}/cm",
        content=b'{"data": {"b": "2"}}',
        headers={"Content-Type": "application/merge-patch+json"},
        timeout=10,
    )
    assert patched.json()["data"] == {"a": "1", "b": "2"}

    def pieces() -> Iterator[bytes]:  # no length: sent with chunked transfer encoding
        yield b'{"metadata": {"name": "chunked"},'
        yield b' "data": {"c": "3"}}'

    chunked = httpx.post(
        base, content=pieces(), headers={"Content-Type": "application/json"}, timeout=10
    )
    assert chunked.status_code == 201, chunked.text
    assert httpx.get(f"{base}/chunked", timeout=10).json()["data"] == {"c": "3"}
    assert httpx.delete(f"{base}/cm", timeout=10).status_code == 200
    assert httpx.get(f"{base}/cm", timeout=10).status_code == 404


def test_a_watch_sees_an_event_made_after_it_started(
    proxied: tuple[FakeServer, ProxyServer],
) -> None:
    fake, proxy = proxied
    deadline = time.monotonic() + 15
    seen = []
    with Client(Config(proxy.url), timeout=15) as kube:
        for event in kube.core_v1.pods().watch(timeout_seconds=5):
            seen.append((event.type, event.object.metadata.name))
            if event.object.metadata.name == "p":  # the watch is running: now make a change
                fake.add(
                    {
                        "apiVersion": "v1",
                        "kind": "Pod",
                        "metadata": {"name": "late", "namespace": "default"},
                    }
                )
            if event.object.metadata.name == "late" or time.monotonic() > deadline:
                break
    assert seen == [("ADDED", "p"), ("ADDED", "late")]


def test_streams_are_relayed_chunk_by_chunk(upstream: Upstream) -> None:
    with (
        serve(upstream.config(token=TOKEN), port=0) as proxy,
        httpx.stream("GET", proxy.url + LOG, timeout=10) as response,
    ):
        lines = response.iter_lines()
        assert next(lines) == "line 1"
        assert not upstream.finished.is_set()  # upstream waits for us: the line came early
        upstream.release.set()
        assert next(lines) == "line 2"
        assert list(lines) == []
    assert response.headers["content-type"] == "text/plain"
    assert upstream.finished.is_set()


def test_head_keeps_the_length_and_sends_no_body(upstream: Upstream) -> None:
    with serve(upstream.config(), port=0) as proxy:
        conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
        try:
            for _ in range(2):  # the same connection stays usable after a HEAD
                conn.request("HEAD", "/api", headers={"Host": "localhost"})
                response = conn.getresponse()
                assert response.status == 200 and response.read() == b""
                assert int(response.headers["Content-Length"]) > 0
        finally:
            conn.close()
    assert [s["method"] for s in upstream.seen] == ["HEAD", "HEAD"]


def test_http10_clients_get_the_stream_unchunked(upstream: Upstream) -> None:
    upstream.release.set()
    with serve(upstream.config(), port=0) as proxy:
        sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
        with sock:
            sock.sendall(f"GET {LOG} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode())
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"chunked" not in head.lower()
    assert body == b"line 1\nline 2\n"


# ------------------------------------------------------------ defences


@pytest.mark.parametrize(
    "host",
    ["evil.example.com", "evil.example.com:8001", "localhost.evil.example.com", "127.0.0.1.nip.io",
     "[::2]:8001", "localhost:8001@evil.example.com", "0.0.0.0"],
)  # fmt: skip
def test_foreign_host_headers_are_refused(upstream: Upstream, host: str) -> None:
    with serve(upstream.config(token=TOKEN), port=0) as proxy:
        status, text = raw(proxy, "GET", "/api/v1/pods", {"Host": host})
    assert status == 403 and "not accepted" in text
    assert upstream.seen == []


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST:8001", "127.0.0.1:1", "[::1]:8001", "[::1]"]
)
def test_loopback_host_headers_are_served(upstream: Upstream, host: str) -> None:
    with serve(upstream.config(), port=0) as proxy:
        assert raw(proxy, "GET", "/api/v1/pods", {"Host": host})[0] == 200
    assert upstream.seen[0]["path"] == "/api/v1/pods"


def test_accept_hosts_and_origin(upstream: Upstream) -> None:
    with serve(upstream.config(), port=0, accept_hosts=r"^evil\.example\.com$") as proxy:
        assert raw(proxy, "GET", "/api", {"Host": "evil.example.com:8001"})[0] == 200
        assert raw(proxy, "GET", "/api", {"Host": "localhost"})[0] == 403
    with serve(upstream.config(), port=0) as proxy:
        assert raw(proxy, "GET", "/api", {"Origin": "http://localhost:3000"})[0] == 200
        for origin in ("http://evil.example.com", "null"):
            status, text = raw(proxy, "POST", "/api", {"Origin": origin})
            assert status == 403 and "origin" in text
    assert len(upstream.seen) == 2


def test_a_request_without_host_is_refused(upstream: Upstream) -> None:
    with serve(upstream.config(), port=0) as proxy:
        sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
        with sock:
            sock.sendall(b"GET /api/v1/pods HTTP/1.0\r\n\r\n")
            assert sock.recv(65536).startswith(b"HTTP/1.1 403")
    assert upstream.seen == []


EXEC_PATHS = [
    EXEC,
    "/api/v1/namespaces/default/pods/p/attach?stdout=true",
    "/api/v1/namespaces/default/pods/p/portforward?ports=80",
    "/api/v1/namespaces/default/pods/p/%65xec?command=sh",
    "/api/v1/namespaces/default/pods/p/./exec?command=sh",
    "/api/v1/namespaces/default/pods/p//exec?command=sh",
    "/api/v1/namespaces/default/pods/p/x/../exec?command=sh",
    "/api/v1/namespaces/default/pods/p/EXEC?command=sh",
    "/api/v1/nodes/n1/proxy/exec/default/p/c?cmd=ls",
]


@pytest.mark.parametrize("path", EXEC_PATHS)
def test_exec_is_refused_unless_allowed(upstream: Upstream, path: str) -> None:
    with serve(upstream.config(token=TOKEN), port=0) as proxy:
        for method in ("GET", "POST"):
            status, text = raw(proxy, method, path)
            assert status == 403 and "--allow-exec" in text
    assert upstream.seen == []
    with serve(upstream.config(token=TOKEN), port=0, allow_exec=True) as proxy:
        assert raw(proxy, "POST", path)[0] == 200  # whatever the server answers is relayed
    assert len(upstream.seen) == 1
    sent = upstream.seen[0]["path"]  # the cleaned path: what was checked is what was sent
    assert "/./" not in sent and "//" not in sent and ".." not in sent and "%65" not in sent


def test_exec_against_the_fake_server(fake_api: FakeServer) -> None:
    config = Config(fake_api.url, token=fake_api.token, ca_file=fake_api.ca_file)
    with serve(config, port=0) as proxy:
        assert raw(proxy, "GET", EXEC)[0] == 403
    with serve(config, port=0, allow_exec=True) as proxy:
        status, text = raw(proxy, "GET", EXEC)
        assert "--allow-exec" not in text  # the API server's own answer, whatever it is
        assert status != 502


def test_protocol_upgrades_are_not_relayed(upstream: Upstream) -> None:
    upgrade = {"Connection": "Upgrade", "Upgrade": "websocket"}
    with serve(upstream.config(), port=0, allow_exec=True) as proxy:
        assert raw(proxy, "GET", EXEC, upgrade)[0] == 501
        h2c = {"Connection": "Upgrade, HTTP2-Settings", "Upgrade": "h2c", "HTTP2-Settings": "x"}
        assert raw(proxy, "GET", "/api", h2c)[0] == 200  # an h2c offer is only ignored
    assert [s["path"] for s in upstream.seen] == ["/api"]
    assert "upgrade" not in upstream.headers() and "http2-settings" not in upstream.headers()


@pytest.mark.parametrize("token", [None, TOKEN])
def test_the_callers_credentials_are_dropped(upstream: Upstream, token: str | None) -> None:
    with serve(upstream.config(token=token), port=0) as proxy:
        response = httpx.post(
            proxy.url + "/api/v1/namespaces/default/configmaps",
            content=b"{}",
            headers={
                "Authorization": "Bearer callers-own-token",
                "Cookie": "session=callers",
                "Content-Type": "application/json",
                "Accept": "application/json;as=Table;g=meta.k8s.io;v=v1",
                "X-Custom": "kept",
                "X-Per-Hop": "dropped",
                "Connection": "keep-alive, X-Per-Hop",
            },
            timeout=10,
        )
    assert response.status_code == 200
    headers = upstream.headers()
    assert headers.get("authorization") == ([f"Bearer {token}"] if token else None)
    assert "cookie" not in headers and "x-per-hop" not in headers
    assert headers["content-type"] == ["application/json"]
    assert headers["accept"] == ["application/json;as=Table;g=meta.k8s.io;v=v1"]
    assert headers["x-custom"] == ["kept"]
    assert headers["host"] == [upstream.url.removeprefix("https://")]
    assert upstream.seen[-1]["body"] == b"{}" and upstream.seen[-1]["method"] == "POST"


def test_a_rotated_token_is_used_at_once(upstream: Upstream, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("first-token\n")
    with serve(upstream.config(token_file=str(token_file)), port=0) as proxy:
        assert raw(proxy, "GET", "/api")[0] == 200
        token_file.write_text("second-token\n")
        assert raw(proxy, "GET", "/api")[0] == 200
        token_file.unlink()
        status, text = raw(proxy, "GET", "/api")
        assert status == 500 and "token" in text
    assert [upstream.headers(i)["authorization"] for i in (0, 1)] == [
        ["Bearer first-token"],
        ["Bearer second-token"],
    ]


def test_tls_is_verified_against_the_configured_ca(fake_api: FakeServer) -> None:
    without_ca = Config(fake_api.url, token=TOKEN)
    with serve(without_ca, port=0) as proxy:
        status, text = raw(proxy, "GET", "/api/v1/pods")
    assert status == 502 and "certificate" in text.lower()
    assert TOKEN not in text


def test_an_unreachable_server_is_a_502() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nobody listens there
    with serve(Config(f"https://127.0.0.1:{port}", token=TOKEN), port=0) as proxy:
        status, text = raw(proxy, "GET", "/api/v1/pods")
    assert status == 502 and text.startswith("bad gateway") and len(text) < 400
    assert TOKEN not in text


@pytest.mark.parametrize(
    "request_text",
    [
        "POST /api HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n"
        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /api HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        "POST /api HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n",
        "POST /api HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "GET http://evil.example.com/api HTTP/1.1\r\nHost: localhost\r\n\r\n",
    ],
)
def test_malformed_requests_are_refused(upstream: Upstream, request_text: str) -> None:
    with serve(upstream.config(), port=0) as proxy:
        sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
        with sock:
            sock.sendall(request_text.encode())
            assert sock.recv(65536).startswith(b"HTTP/1.1 400")


# ------------------------------------------------------------ lifecycle


def test_a_client_hanging_up_ends_the_upstream_stream(upstream: Upstream) -> None:
    with serve(upstream.config(), port=0) as proxy:
        with httpx.stream("GET", proxy.url + QUIET, timeout=10) as response:
            assert next(response.iter_lines()) == "hello"
        # the stream is idle: only noticing the hang-up can end the upstream request
        assert upstream.hung_up.wait(5)


def test_stop_ends_open_streams(upstream: Upstream) -> None:
    proxy = serve(upstream.config(), port=0)
    with httpx.stream("GET", proxy.url + QUIET, timeout=10) as response:
        lines = response.iter_lines()
        assert next(lines) == "hello"
        started = time.monotonic()
        proxy.stop()
        assert time.monotonic() - started < 5
        with pytest.raises(httpx.HTTPError):
            list(lines)  # cut short: no final chunk
    assert upstream.hung_up.wait(5)
    with pytest.raises(httpx.ConnectError):
        httpx.get(proxy.url + "/api", timeout=5)
    proxy.stop()  # twice is fine


class _Lines(logging.Handler):
    """The proxy's log lines, with a way to wait for them."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []
        self.changed = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        with self.changed:
            self.messages.append(record.getMessage())
            self.changed.notify_all()

    def wait_for(self, count: int, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: len(self.messages) >= count, timeout)


def test_repr_and_logs_never_show_the_token(
    proxied: tuple[FakeServer, ProxyServer], caplog: pytest.LogCaptureFixture
) -> None:
    fake, proxy = proxied
    caplog.set_level(logging.DEBUG)
    arrived = _Lines()
    logging.getLogger("kubeapi.proxy").addHandler(arrived)
    try:
        with httpx.Client(base_url=proxy.url, timeout=10) as http:
            assert http.get("/api/v1/namespaces/default/pods/p").status_code == 200
            assert http.get("/api/v1/pods", headers={"Host": "evil.example.com"}).status_code == 403
            assert http.get(EXEC).status_code == 403
            assert http.get("/api/v1/namespaces/default/pods/nope").status_code == 404
        # Each line is logged just after its response is sent: wait for the fourth.
        assert arrived.wait_for(4, timeout=10), arrived.messages
    finally:
        logging.getLogger("kubeapi.proxy").removeHandler(arrived)
    lines = arrived.messages
    assert [line.rsplit(" ", 1)[0] for line in lines] == [
        "GET /api/v1/namespaces/default/pods/p 200",
        "GET /api/v1/pods 403",
        f"GET {EXEC} 403",
        "GET /api/v1/namespaces/default/pods/nope 404",
    ]
    assert all(re.fullmatch(r"[0-9.]+ms", line.rsplit(" ", 1)[1]) for line in lines)
    assert fake.token not in caplog.text
    assert fake.token not in repr(proxy) and fake.token not in str(proxy)


def _first_line(process: subprocess.Popen[str], timeout: float = 30) -> str:
    """The first line the process writes to stderr, waiting at most `timeout` seconds."""
    assert process.stderr is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        if not selector.select(timeout):
            process.kill()
            raise AssertionError("the proxy printed nothing")
    return process.stderr.readline()


def test_command_line_port_zero_and_no_token_in_stderr(
    fake_api: FakeServer, tmp_path: Path
) -> None:
    kubeconfig = fake_api.write_kubeconfig(tmp_path / "kubeconfig")
    process = subprocess.Popen(
        [sys.executable, "-m", "kubeapi.proxy", "--port", "0", "--kubeconfig", str(kubeconfig)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = _first_line(process)
        match = re.fullmatch(r"Starting to serve on 127\.0\.0\.1:(\d+)\n", first)
        assert match, first
        url = f"http://127.0.0.1:{match[1]}"
        assert httpx.get(url + "/api/v1/namespaces", timeout=10).status_code == 200
        assert httpx.get(url + EXEC, timeout=10).status_code == 403
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, rest
    assert "GET /api/v1/namespaces 200" in rest and f"GET {EXEC} 403" in rest
    assert fake_api.token not in first + rest


def test_command_line_arguments() -> None:
    args = parse_args([])
    assert (args.port, args.address, args.allow_exec) == (8001, "127.0.0.1", False)
    args = parse_args(["--port", "0", "--accept-hosts", "^a$,^b$", "--allow-exec"])
    assert (args.port, args.accept_hosts, args.allow_exec) == (0, "^a$,^b$", True)
    with pytest.raises(SystemExit):
        parse_args(["--accept-hosts", "("])


# ------------------------------------------------------------ helpers


@pytest.mark.parametrize(
    ("header", "host"),
    [("localhost:8001", "localhost"), ("LocalHost", "localhost"), ("[::1]:80", "[::1]"),
     ("[::1]", "[::1]"), ("127.0.0.1:", "127.0.0.1"), ("a:b@c", "a:b@c"), ("::1", "::1")],
)  # fmt: skip
def test_host_name(header: str, host: str) -> None:
    assert _host_name(header) == host


def test_path_cleaning() -> None:
    assert _clean_path("/api/v1/") == ("/api/v1/", ["api", "v1"])
    assert _clean_path("//api/./v1/x/../pods") == ("/api/v1/pods", ["api", "v1", "pods"])
    assert _clean_path("/a%2Fb/%65xec")[0] == "/a%2Fb/exec"
    assert _clean_path("/../..")[0] == "/"
    assert not _is_exec(["api", "v1", "namespaces", "default", "pods", "exec"])  # a pod "exec"
    assert not _is_exec(["api", "v1", "namespaces", "default", "configmaps", "exec"])
    assert _is_exec(["api", "v1", "namespaces", "default", "pods", "p", "portforward"])
    assert _is_exec(["api", "v1", "nodes", "n1", "proxy", "run", "default", "p", "c"])
    assert not _is_exec(["api", "v1", "nodes", "n1", "proxy", "metrics"])
    assert not _is_exec(["api", "v1", "namespaces", "x", "services", "s", "proxy", "exec"])
