"""Every error class from a real answer (of the fake server, or a loopback socket), retries
within their bounds, and no token in any message or repr."""

from __future__ import annotations

import socket
import ssl
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from faultproxy import FaultProxy

from kubeapi import (
    AlreadyExists,
    ApiError,
    BadRequest,
    Client,
    Config,
    Conflict,
    ConnectError,
    ConnectionLost,
    ConnectTimeout,
    DecodeError,
    Forbidden,
    Gone,
    InternalError,
    Invalid,
    KubeWarning,
    MethodNotAllowed,
    NotFound,
    ReadTimeout,
    Retry,
    ServerError,
    ServerTimeout,
    ServiceUnavailable,
    Timeout,
    TooManyRequests,
    TransportError,
    Unauthorized,
)
from kubeapi._runtime.errors import NotAcceptable, RequestEntityTooLarge, UnsupportedMediaType
from kubeapi.core_v1 import ConfigMap
from kubeapi.meta_v1 import ObjectMeta
from kubeforge.fake import FakeServer

MAPS = "/api/v1/namespaces/default/configmaps"


def _client(server: FakeServer, **options: Any) -> Client:
    return Client(Config(server.url, token=server.token, ca_file=server.ca_file), **options)


def _raw(server: FakeServer, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """The Status the server sends for a request, read without kubeapi."""
    verify = ssl.create_default_context(cafile=server.ca_file)
    headers = {"Authorization": f"Bearer {server.token}", **kwargs.pop("headers", {})}
    with httpx.Client(base_url=server.url, verify=verify, headers=headers) as http:
        body: dict[str, Any] = http.request(method, path, **kwargs).json()
        return body


def _codes(server: FakeServer, after: int, method: str | None = None) -> list[int]:
    return [s.code for s in server.requests(after) if method is None or s.method == method]


# ------------------------------------------------------------------ retries


def test_429_with_retry_after_is_waited_out(fake_api: FakeServer) -> None:
    with _client(fake_api) as kube:
        mark = fake_api.request_count()
        fake_api.inject(429, method="GET", path=MAPS, retry_after=1)
        started = time.monotonic()
        assert len(kube.core_v1.configmaps().list()) == 0
        assert time.monotonic() - started >= 1.0
        assert _codes(fake_api, mark) == [429, 200]


def test_503_twice_then_200_succeeds(fake_api: FakeServer) -> None:
    with _client(fake_api) as kube:
        mark = fake_api.request_count()
        fake_api.inject(503, method="GET", path=MAPS, times=2)
        kube.core_v1.configmaps().list()
        assert _codes(fake_api, mark) == [503, 503, 200]


def test_a_reset_on_get_is_retried(fake_api: FakeServer) -> None:
    with FaultProxy(fake_api) as proxy, Client(Config(proxy.url, token=fake_api.token)) as kube:
        kube.core_v1.configmaps().create(ConfigMap(metadata=ObjectMeta(name="x")))
        mark = fake_api.request_count()
        proxy.plan.resets = 1
        assert kube.core_v1.configmaps().get("x").metadata.name == "x"
        assert proxy.plan.applied == [f"reset {MAPS}/x"]
        assert _codes(fake_api, mark) == [200], "the reset request never reached the server"


def test_a_500_on_post_reaches_the_server_exactly_once(fake_api: FakeServer) -> None:
    with _client(fake_api) as kube:
        mark = fake_api.request_count()
        fake_api.inject(500, method="POST", times=5)
        with pytest.raises(InternalError):
            kube.core_v1.configmaps().create(ConfigMap(metadata=ObjectMeta(name="once")))
        assert _codes(fake_api, mark) == [500]


def test_a_reset_on_post_is_not_retried(fake_api: FakeServer) -> None:
    with FaultProxy(fake_api) as proxy, Client(Config(proxy.url, token=fake_api.token)) as kube:
        mark = fake_api.request_count()
        proxy.plan.resets = 1  # resets apply to GETs: this POST goes through the proxy intact
        kube.core_v1.configmaps().create(ConfigMap(metadata=ObjectMeta(name="p")))
        assert _codes(fake_api, mark, "POST") == [201]


def test_retries_stop_after_their_attempts(fake_api: FakeServer) -> None:
    with _client(fake_api, retry=Retry(attempts=3, backoff=0.01)) as kube:
        mark = fake_api.request_count()
        fake_api.inject(503, path=MAPS, times=100)
        with pytest.raises(ServiceUnavailable):
            kube.core_v1.configmaps().list()
        assert _codes(fake_api, mark) == [503, 503, 503]


def test_retries_stop_before_their_total_time(fake_api: FakeServer) -> None:
    with _client(fake_api, retry=Retry(total=0.5)) as kube:
        mark = fake_api.request_count()
        fake_api.inject(429, path=MAPS, retry_after=5)
        started = time.monotonic()
        with pytest.raises(TooManyRequests) as info:
            kube.core_v1.configmaps().list()
        assert time.monotonic() - started < 0.5, "a wait past the total is not started"
        assert info.value.retry_after == 5.0
        assert _codes(fake_api, mark) == [429]


def test_a_long_retry_after_is_capped(fake_api: FakeServer) -> None:
    with _client(fake_api, retry=Retry(max_retry_after=0.2)) as kube:
        fake_api.inject(429, path=MAPS, retry_after=30)
        started = time.monotonic()
        kube.core_v1.configmaps().list()
        assert 0.2 <= time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("method", "status", "reached", "retried"),
    [
        ("GET", 503, True, True),
        ("PUT", 500, True, True),
        ("DELETE", 504, True, True),
        ("POST", 500, True, False),
        ("PATCH", 503, True, False),
        ("POST", 429, True, True),
        ("GET", 404, True, False),
        ("GET", 409, True, False),
        ("GET", None, True, True),
        ("POST", None, True, False),
        ("POST", None, False, True),
        ("PATCH", None, False, True),
    ],
)
def test_retry_decisions(method: str, status: int | None, reached: bool, retried: bool) -> None:
    delay = Retry().delay(1, method, 0.0, status=status, reached=reached)
    assert (delay is not None) == retried
    if delay is not None:
        assert 0 <= delay <= Retry().backoff


def test_retry_backoff_grows_and_is_bounded() -> None:
    policy = Retry(attempts=10, backoff=0.1, max_backoff=0.5, total=100)
    ceilings = [max(policy.delay(n, "GET", 0.0) or 0 for _ in range(200)) for n in range(1, 6)]
    assert ceilings[0] <= 0.1 < ceilings[2] <= 0.5 and ceilings[4] <= 0.5
    assert policy.delay(10, "GET", 0.0) is None
    assert policy.delay(1, "GET", 99.99, server_delay=1.0) is None


# ------------------------------------------------------------------ the exception tree


def test_answers_become_their_exception_class_with_what_the_server_said(
    fake_api: FakeServer,
) -> None:
    with _client(fake_api, retry=Retry(attempts=1)) as kube:
        maps = kube.core_v1.configmaps()
        created = maps.create(ConfigMap(metadata=ObjectMeta(name="a")))

        with pytest.raises(NotFound) as not_found:
            maps.get("missing")
        sent = _raw(fake_api, "GET", f"{MAPS}/missing")
        assert not_found.value.status == sent and not_found.value.message == sent["message"]
        assert not_found.value.details == {"name": "missing", "kind": "configmaps"}
        assert not_found.value.url == f"{fake_api.url}{MAPS}/missing"
        assert (
            str(not_found.value)
            == f"GET {fake_api.url}{MAPS}/missing: 404 NotFound: {sent['message']}"
        )

        with pytest.raises(AlreadyExists) as exists:
            maps.create(ConfigMap(metadata=ObjectMeta(name="a")))
        assert isinstance(exists.value, Conflict) and exists.value.details["name"] == "a"

        stale = ConfigMap.from_dict(created.to_dict())
        maps.patch("a", {"data": {"x": "1"}})
        with pytest.raises(Conflict) as conflict:
            maps.replace(stale)
        assert not isinstance(conflict.value, AlreadyExists) and conflict.value.reason == "Conflict"

        with pytest.raises(Invalid) as invalid:
            kube.core_v1.pods().create({"metadata": {"name": "p"}, "spec": {}})
        assert invalid.value.causes == [
            {
                "reason": "FieldValueRequired",
                "message": "Required value",
                "field": "spec.containers",
            }
        ]

        with pytest.raises(BadRequest):
            kube.request("POST", MAPS, body=b"{not json")
        with pytest.raises(MethodNotAllowed):
            kube.request("POST", f"{MAPS}/a", body={})
        with pytest.raises(UnsupportedMediaType):
            kube.request(
                "POST", MAPS, body=b"k8s\x00", content_type="application/vnd.kubernetes.protobuf"
            )
        with pytest.raises(NotAcceptable):
            kube.request(
                "GET",
                "/openapi/v2",
                headers={"Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"},
            )
        with pytest.raises(RequestEntityTooLarge) as large:
            maps.create({"metadata": {"name": "big"}, "data": {"x": "y" * (4 * 1024 * 1024)}})
        assert large.value.message == "Request entity too large: limit is 3145728"

        for code, cls, reason in (
            (429, TooManyRequests, "TooManyRequests"),
            (500, InternalError, "InternalError"),
            (502, ServerError, ""),
            (503, ServiceUnavailable, "ServiceUnavailable"),
            (504, ServerTimeout, "Timeout"),
        ):
            fake_api.inject(code, path=MAPS, retry_after=7 if code == 429 else None)
            with pytest.raises(cls) as failed:
                maps.list()
            assert type(failed.value) is cls and failed.value.code == code
            assert failed.value.reason == reason
        fake_api.inject(410, path=MAPS)
        with pytest.raises(Gone):
            maps.list()


def test_auth_failures(fake_api: FakeServer) -> None:
    with Client(Config(fake_api.url, token="wrong", ca_file=fake_api.ca_file)) as kube:
        with pytest.raises(Unauthorized):
            kube.core_v1.pods().list()
    with Client(Config(fake_api.url, ca_file=fake_api.ca_file)) as kube:
        with pytest.raises(Forbidden) as info:
            kube.core_v1.pods().list()
        assert "system:anonymous" in info.value.message


def test_a_non_json_error_page_gives_a_short_readable_excerpt(fake_api: FakeServer) -> None:
    page = (
        b"<html><head><title>502 Bad Gateway</title><style>body{}</style></head><body>"
        b"<h1>Bad Gateway</h1><p>The proxy could not reach the API server.</p>"
        + b"<p>padding</p>" * 500
        + b"</body></html>"
    )
    fake_api.inject(502, path=MAPS, body=page)
    with _client(fake_api, retry=Retry(attempts=1)) as kube, pytest.raises(ServerError) as info:
        kube.core_v1.configmaps().list()
    message = info.value.message
    assert message.startswith("HTTP 502 (text/html): 502 Bad Gateway Bad Gateway The proxy could")
    assert len(message) < 250 and "<" not in message and "body{}" not in message


def test_a_200_that_is_not_json_is_a_decode_error(fake_api: FakeServer) -> None:
    fake_api.inject(200, path=f"{MAPS}/page", body=b"<html>login here</html>")
    with _client(fake_api) as kube, pytest.raises(DecodeError) as info:
        kube.core_v1.configmaps().get("page")
    assert info.value.url == f"{fake_api.url}{MAPS}/page"
    assert info.value.content_type.startswith("text/html")
    assert "text/html" in str(info.value) and "login here" in str(info.value)


def test_warning_headers_become_kube_warnings(fake_api: FakeServer) -> None:
    with _client(fake_api) as kube, pytest.warns(KubeWarning, match=r"unknown field \"spec\""):
        kube.core_v1.configmaps().create(
            {"metadata": {"name": "w"}, "spec": {"bogus": 1}}, field_validation="Warn"
        )


# ------------------------------------------------------------------ transport errors


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback listener that never accepts; its one-slot backlog is already taken."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = []
        for _ in range(4):  # fill the accept queue: later connections hang in SYN
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        try:
            yield port
        finally:
            for filler in fillers:
                filler.close()


@pytest.fixture
def mute_port() -> Iterator[int]:
    """A loopback server that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        held: list[socket.socket] = []
        stop = threading.Event()

        def accept() -> None:
            listener.settimeout(0.1)
            while not stop.is_set():
                try:
                    held.append(listener.accept()[0])
                except OSError:
                    continue

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        try:
            yield listener.getsockname()[1]
        finally:
            stop.set()
            thread.join()
            for conn in held:
                conn.close()


def test_connection_refused(fake_api: FakeServer) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: connections are refused
        with Client(
            Config(f"http://127.0.0.1:{port}"), retry=Retry(attempts=2, backoff=0.01)
        ) as kube:
            with pytest.raises(ConnectError) as info:
                kube.core_v1.pods().list()
    assert not info.value.reached and isinstance(info.value.__cause__, httpx.ConnectError)
    assert f"127.0.0.1:{port}" in str(info.value)


def test_connect_timeout(silent_port: int) -> None:
    config = Config(f"http://127.0.0.1:{silent_port}")
    with Client(config, timeout=Timeout(connect=0.3), retry=Retry(attempts=1)) as kube:
        with pytest.raises(ConnectTimeout) as info:
            kube.core_v1.pods().list()
    assert "connect timeout" in str(info.value)


def test_read_timeout(mute_port: int) -> None:
    config = Config(f"http://127.0.0.1:{mute_port}")
    with Client(config, timeout=Timeout(read=0.3), retry=Retry(attempts=1)) as kube:
        with pytest.raises(ReadTimeout) as info:
            kube.core_v1.pods().list()
    assert "read timeout" in str(info.value) and info.value.reached
    assert info.value.url == f"http://127.0.0.1:{mute_port}/api/v1/namespaces/default/pods"


def test_connection_lost(fake_api: FakeServer) -> None:
    with FaultProxy(fake_api) as proxy:
        proxy.plan.resets = 1
        config = Config(proxy.url, token=fake_api.token)
        with Client(config, retry=Retry(attempts=1)) as kube, pytest.raises(ConnectionLost):
            kube.core_v1.pods().list()


def test_no_token_in_errors_clients_or_configs(fake_api: FakeServer) -> None:
    token = fake_api.token
    texts: list[str] = []
    with _client(fake_api, retry=Retry(attempts=1)) as kube:
        texts += [repr(kube), str(kube.config), repr(kube.config), repr(kube.core_v1.pods())]
        for make in (
            lambda: kube.core_v1.pods().get("nope"),
            lambda: kube.request("POST", MAPS, body=b"{"),
        ):
            with pytest.raises(ApiError) as info:
                make()
            texts += [str(info.value), repr(info.value), repr(info.value.status)]
    with (
        Client(Config(fake_api.url, token=token)) as untrusted,
        pytest.raises(TransportError) as tls,
    ):
        untrusted.core_v1.pods().list()
    texts += [str(tls.value), repr(tls.value)]
    assert all(token not in text for text in texts), [t for t in texts if token in t]
    assert "failed against the system trust store" in str(tls.value)


def test_warnings_can_be_turned_into_errors(fake_api: FakeServer) -> None:
    with _client(fake_api) as kube, warnings.catch_warnings():
        warnings.simplefilter("error", KubeWarning)
        with pytest.raises(KubeWarning):
            kube.core_v1.configmaps().create(
                {"metadata": {"name": "x"}, "spec": {"bogus": 1}}, field_validation="Warn"
            )


def test_a_per_call_timeout_overrides_the_clients(mute_port: int) -> None:
    with Client(Config(f"http://127.0.0.1:{mute_port}"), retry=Retry(attempts=1)) as kube:
        started = time.monotonic()
        with pytest.raises(ReadTimeout):
            kube.core_v1.pods().get("x", timeout=0.3)
        assert time.monotonic() - started < 5, "not the client's 30 s"


def test_the_token_bucket_spaces_requests() -> None:
    from kubeapi._runtime.core import TokenBucket

    bucket = TokenBucket(rate=10, burst=2)
    waits = [bucket.take(100.0) for _ in range(4)]
    assert waits == [0.0, 0.0, pytest.approx(0.1), pytest.approx(0.2)]
    assert bucket.take(101.0) == 0.0, "a second later the bucket has refilled"


def test_a_rate_limited_client_waits_between_requests(fake_api: FakeServer) -> None:
    from kubeapi import RateLimit

    with _client(fake_api, rate_limit=RateLimit(qps=20, burst=1)) as kube:
        started = time.monotonic()
        for _ in range(5):
            kube.core_v1.configmaps().list()
        assert time.monotonic() - started >= 4 / 20 * 0.9
