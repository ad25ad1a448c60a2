"""An ambassador: `python -m kubeapi.proxy` forwards plain HTTP from localhost to the API server.

It behaves like `kubectl proxy`: it listens on 127.0.0.1:8001 and sends each request on to the
API server with the pod's own credentials (`load_config()`: the service account inside a pod,
else kubeconfig), adding the `Authorization` header from `Config.authorization()` on every request
so that rotated tokens are used, and verifying the server with the configured CA. Responses are
relayed chunk by chunk as they arrive, so watches and `pods/<name>/log?follow=true` stream live.

Security defaults follow kubectl proxy: a request is served only when its Host header (and its
Origin, when a browser sends one) names a loopback host, unless `--accept-hosts` says otherwise
(a DNS-rebinding defence); the `exec`, `attach` and `portforward` subresources are refused unless
`--allow-exec`; the caller's Authorization and Cookie headers are dropped. Tokens never appear
in logs, reprs or error texts. Protocol upgrades (WebSocket/SPDY streams) are not relayed.

Listening side: stdlib ThreadingHTTPServer; a thread per connection suits httpx's blocking streams.

    python -m kubeapi.proxy [--port 8001] [--address 127.0.0.1] [--accept-hosts REGEX,...]
                            [--allow-exec] [--kubeconfig FILE] [--context NAME]

    with serve(config, port=0) as proxy:   # from Python: a background thread
        Client(Config(proxy.url)).core_v1.pods().list()
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import re
import selectors
import signal
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from urllib.parse import quote_from_bytes, unquote_to_bytes, urlsplit

import httpx

from . import Config, ConfigError, load_config

log = logging.getLogger("kubeapi.proxy")

DEFAULT_ADDRESS = "127.0.0.1"
DEFAULT_PORT = 8001
# kubectl proxy's default --accept-hosts: loopback names only, with any port.
DEFAULT_ACCEPT_HOSTS = r"^localhost$,^127\.0\.0\.1$,^\[::1\]$"
# Subresources that run commands in, or open ports of, a container.
EXEC_SUBRESOURCES = frozenset({"exec", "attach", "portforward"})
# The kubelet's own endpoints for the same, reached through nodes/<name>/proxy/.
KUBELET_EXEC = frozenset({"exec", "attach", "portforward", "run"})
# Headers about one connection (RFC 9110, section 7.6.1): never forwarded as they are.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
# Request headers not forwarded either: the caller's credentials (the proxy sends its own) and
# what the proxy sets itself.
NOT_FORWARDED = HOP_BY_HOP | {"authorization", "content-length", "cookie", "expect", "host"}
IDLE_TIMEOUT = 120.0  # seconds a client connection may sit idle between requests
CONNECT_TIMEOUT = 10.0  # seconds to reach the API server; reads wait as long as a watch lasts
WRITE_TIMEOUT = 60.0
_PCHAR = "!$&'()*+,;=:@~"  # kept unescaped in a path segment (RFC 3986 pchar, with unreserved)
_MAX_LINE = 8192
_CHUNK = 65536


class _BadRequest(Exception):
    """The client's request cannot be forwarded (malformed body framing)."""


class _ClientGone(Exception):
    """The client closed its connection before sending the whole body."""


def _patterns(accept_hosts: str | Sequence[str] | None) -> list[re.Pattern[str]]:
    """Compiled --accept-hosts: a comma-separated string (as on the command line) or a list."""
    if accept_hosts is None:
        accept_hosts = DEFAULT_ACCEPT_HOSTS
    items = accept_hosts.split(",") if isinstance(accept_hosts, str) else list(accept_hosts)
    return [re.compile(item.strip()) for item in items if item.strip()]


def _host_name(value: str) -> str:
    """The host of a Host header or authority, lowercased; IPv6 literals keep their brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end > 0 and re.fullmatch(r"(:[0-9]*)?", value[end + 1 :]):
            return value[: end + 1]
        return value
    name, colon, port = value.rpartition(":")
    if colon and ":" not in name and re.fullmatch(r"[0-9]*", port):
        return name
    return value


def _clean_path(raw: str) -> tuple[str, list[str]]:
    """The path to send and its decoded, lowercased segments; dot and empty segments resolved.

    The checks read the decoded segments and the path sent is re-encoded from the same segments,
    so what is checked is what the server routes: `%65xec`, `/./exec` and `//exec` included.
    """
    segments: list[bytes] = []
    for part in raw.split("/"):
        decoded = unquote_to_bytes(part)
        if decoded in (b"", b"."):
            continue
        if decoded == b"..":
            if segments:
                segments.pop()
            continue
        segments.append(decoded)
    path = "/" + "/".join(quote_from_bytes(s, safe=_PCHAR) for s in segments)
    if segments and raw.endswith("/"):
        path += "/"
    return path, [s.decode("utf-8", "replace").lower() for s in segments]


def _is_exec(segments: Sequence[str]) -> bool:
    """True for pods/<name>/exec, attach, portforward, and the kubelet's own via nodes/<n>/proxy."""
    for i, segment in enumerate(segments):
        if i >= 2 and segment in EXEC_SUBRESOURCES and "pods" in segments[: i - 1]:
            return True
        if i >= 3 and segments[i - 3 : i : 2] == ["nodes", "proxy"] and segment in KUBELET_EXEC:
            return True
    return False


def _tokens(values: Sequence[str] | None) -> set[str]:
    """The lowercased tokens of comma-separated header values (Connection, Transfer-Encoding)."""
    return {t.strip().lower() for v in values or () for t in v.split(",") if t.strip()}


def _printable(text: str, limit: int = 1000) -> str:
    """Text safe for a log line: control characters escaped, long text cut."""
    cut = text[:limit]
    out = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in cut)
    return out + "..." if len(text) > limit else out


def _redact(text: str, credential: str | None) -> str:
    """`text` without the secret part of an Authorization value ("Bearer <token>")."""
    if not credential:
        return text
    return text.replace(credential.partition(" ")[2] or credential, "<redacted>")


def _upstream(config: Config) -> httpx.Client:
    """The shared connection pool to the API server: the config's TLS, no read timeout."""
    client = httpx.Client(
        base_url=config.server,
        verify=config.ssl_context(),
        proxy=config.proxy_url,
        timeout=httpx.Timeout(connect=CONNECT_TIMEOUT, read=None, write=WRITE_TIMEOUT, pool=None),
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=32),
        headers={"User-Agent": "kubeapi-proxy"},
        follow_redirects=False,
    )
    # Accept and Accept-Encoding are the caller's to choose: bodies are relayed as received.
    del client.headers["Accept"]
    del client.headers["Accept-Encoding"]
    return client


def _shutdown(sock: object) -> None:
    """Cut a socket in both directions, waking any thread blocked on it."""
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _upstream_socket(response: httpx.Response) -> object:
    stream = response.extensions.get("network_stream")
    return stream.get_extra_info("socket") if stream is not None else None


def _watch_client(conn: socket.socket, done: threading.Event, on_close: Callable[[], None]) -> None:
    """While a response streams, notice a client that hangs up and cut the upstream stream.

    Without this an idle watch would hold its upstream connection until the server ends it.
    """
    with selectors.DefaultSelector() as selector:
        try:
            selector.register(conn, selectors.EVENT_READ)
        except (OSError, ValueError):
            return
        while not done.is_set():
            if not selector.select(timeout=0.2):
                continue
            try:
                data = conn.recv(1, socket.MSG_PEEK)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                on_close()
            return  # hung up, or sent more (a pipelined request): either way, done watching


class _HTTPServer(ThreadingHTTPServer):
    """The listening socket, and every open connection and stream, for stop() to end."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], proxy: ProxyServer) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.proxy = proxy
        self._lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._cancels: set[Callable[[], None]] = set()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host up in DNS (getfqdn); nothing here needs it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._connections[conn] = threading.current_thread()
            else:
                self._connections.pop(conn, None)

    def cancellable(self, cancel: Callable[[], None], add: bool) -> None:
        with self._lock:
            (self._cancels.add if add else self._cancels.discard)(cancel)

    def abort_all(self, timeout: float) -> None:
        """End every stream and connection, and give their threads `timeout` seconds to finish."""
        with self._lock:
            cancels, connections = list(self._cancels), dict(self._connections)
        for cancel in cancels:
            cancel()
        for conn in connections:
            _shutdown(conn)
        deadline = time.monotonic() + timeout
        for thread in connections.values():
            thread.join(max(0.0, deadline - time.monotonic()))

    def handle_error(self, request: object, client_address: object) -> None:
        log.error("unexpected error on a connection from %s: %s", client_address, sys.exc_info()[0])


class _Handler(BaseHTTPRequestHandler):
    """One client connection; each request on it is checked, forwarded and relayed."""

    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    server_version = "kubeapi-proxy"
    _body_pending = False
    _head_sent = False
    _note = ""
    _token: str | None = None

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # do_GET logs one line per request

    def log_message(self, format: str, *args: object) -> None:
        log.warning("%s: %s", self.client_address[0], _printable(format % args))

    def do_GET(self) -> None:
        started = time.monotonic()
        self._body_pending, self._head_sent, self._note, self._token = False, False, "", None
        try:
            status = self._handle()
        except Exception as exc:  # logged without a traceback, which could quote the token
            log.error("internal error: %s", _redact(f"{type(exc).__name__}: {exc}", self._token))
            self.close_connection = True
            status = 500 if self._head_sent else self._reply(500, "internal proxy error")
        elapsed = (time.monotonic() - started) * 1000
        log.info(
            "%s %s %d %.1fms%s",
            self.command,
            _printable(self.path),
            status,
            elapsed,
            self._note,
        )

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    # ------------------------------------------------------------ request

    def _handle(self) -> int:
        """Check, forward and relay one request; the status sent."""
        proxy = self.server.proxy
        connection = _tokens(self.headers.get_all("Connection"))
        if self.request_version != "HTTP/1.1" or "close" in connection:
            self.close_connection = True
        framing = self._framing()
        if isinstance(framing, int):
            self.close_connection = True
            return self._reply(400, "bad request: conflicting or malformed body framing")
        hosts = self.headers.get_all("Host") or []
        if len(hosts) > 1:
            return self._reply(400, "bad request: more than one Host header")
        if not hosts or not proxy.accepts(hosts[0]):
            shown = _printable(hosts[0], 200) if hosts else "(none)"
            return self._reply(403, f"forbidden: host {shown} is not accepted (--accept-hosts)")
        origin = self.headers.get("Origin")
        if origin is not None and not proxy.accepts(urlsplit(origin).netloc or origin):
            shown = _printable(origin, 200)
            return self._reply(403, f"forbidden: origin {shown} is not accepted (--accept-hosts)")
        if not self.path.startswith("/"):
            return self._reply(400, "bad request: the target must be a path, like /api/v1/pods")
        raw_path, question, query = self.path.partition("?")
        path, segments = _clean_path(raw_path.partition("#")[0])
        if _is_exec(segments) and not proxy.allow_exec:
            return self._reply(403, "forbidden: exec, attach and portforward need --allow-exec")
        upgrade = self.headers.get("Upgrade", "").strip().lower()
        if upgrade and not upgrade.startswith("h2c"):  # h2c is only an offer; it is ignored
            return self._reply(501, "protocol upgrades (WebSocket, SPDY) are not relayed")
        try:
            self._token = proxy.config.authorization()
        except ConfigError as exc:
            return self._reply(500, f"proxy credentials unavailable: {exc}")
        if self._token is not None and not (self._token.isascii() and self._token.isprintable()):
            return self._reply(500, "proxy credentials unusable: the token is not a header value")
        return self._forward(path + question + query, framing, self._token)

    def _framing(self) -> tuple[int | None, Iterator[bytes] | None] | int:
        """(Content-Length, body) of the request, or 400 for framing that cannot be trusted."""
        lengths = self.headers.get_all("Content-Length") or []
        codings = _tokens(self.headers.get_all("Transfer-Encoding"))
        if codings:
            if lengths or codings != {"chunked"}:
                return 400
            self._body_pending = True
            return None, self._chunked()
        if lengths:
            if len(set(lengths)) != 1 or not re.fullmatch(r"[0-9]{1,15}", lengths[0].strip()):
                return 400
            length = int(lengths[0])
            self._body_pending = length > 0
            return length, self._fixed(length) if length else None
        return None, None

    def _read(self, size: int, line: bool = False) -> bytes:
        """Body bytes from the client; a closed or stalled connection is _ClientGone."""
        try:
            data = self.rfile.readline(size) if line else self.rfile.read(size)
        except OSError:
            raise _ClientGone from None
        if not data:
            raise _ClientGone
        return data

    def _fixed(self, length: int) -> Iterator[bytes]:
        left = length
        while left:
            data = self._read(min(left, _CHUNK))
            left -= len(data)
            yield data
        self._body_pending = False

    def _chunked(self) -> Iterator[bytes]:
        while True:
            line = self._read(_MAX_LINE, line=True)
            size = line.split(b";", 1)[0].strip()
            if not line.endswith(b"\n") or not re.fullmatch(rb"[0-9A-Fa-f]{1,15}", size):
                raise _BadRequest("malformed chunk size")
            left = int(size, 16)
            if left == 0:
                break
            while left:
                data = self._read(min(left, _CHUNK))
                left -= len(data)
                yield data
            if self._read(_MAX_LINE, line=True).strip():
                raise _BadRequest("malformed chunk end")
        while self._read(_MAX_LINE, line=True).strip():
            pass  # trailers: read and dropped
        self._body_pending = False

    def _headers(self, length: int | None, token: str | None) -> list[tuple[bytes, bytes]]:
        """The caller's end-to-end headers, as sent, plus the proxy's credentials."""
        named = _tokens(self.headers.get_all("Connection"))
        out = [
            (name.encode("latin-1"), str(value).encode("latin-1"))
            for name, value in self.headers.items()
            if name.lower() not in NOT_FORWARDED and name.lower() not in named
        ]
        if self.headers.get("Accept-Encoding") is None:
            out.append((b"Accept-Encoding", b"identity"))
        if length is not None:
            out.append((b"Content-Length", str(length).encode()))
        if token:
            out.append((b"Authorization", token.encode()))
        return out

    # ------------------------------------------------------------ response

    def _forward(
        self, target: str, framing: tuple[int | None, Iterator[bytes] | None], token: str | None
    ) -> int:
        proxy = self.server.proxy
        length, body = framing
        extensions: dict[str, str] = {}
        if proxy.config.tls_server_name:
            extensions["sni_hostname"] = proxy.config.tls_server_name
        try:
            request = proxy._http.build_request(
                self.command,
                target,
                headers=self._headers(length, token),
                content=body,
                extensions=extensions,
            )
            response = proxy._http.send(request, stream=True)
        except _BadRequest as exc:
            self.close_connection = True
            return self._reply(400, f"bad request: {exc}")
        except _ClientGone:
            self.close_connection, self._note = True, " (client closed)"
            return 499
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            if self._body_pending:
                self.close_connection = True
            text = _redact(f"{type(exc).__name__}: {exc}", token)[:300]
            return self._reply(502, f"bad gateway: cannot reach the API server: {text}")
        try:
            return self._relay(response)
        finally:
            response.close()
            if self._body_pending:
                self.close_connection = True  # the server answered before reading it all

    def _relay(self, response: httpx.Response) -> int:
        """Send the server's status and headers, then its body as it arrives."""
        status = response.status_code
        named = _tokens(response.headers.get_list("Connection"))
        headers = [
            (name, value)
            for name, value in response.headers.raw
            if (key := name.decode("latin-1").lower()) not in HOP_BY_HOP
            and key not in named
            and key != "content-length"
        ]
        length = response.headers.get("Content-Length")
        if self.command == "HEAD" or status in (204, 304) or status < 200:
            mode = "none"
            if length is not None and self.command == "HEAD":
                headers.append((b"Content-Length", length.encode("latin-1")))
        elif length is not None and re.fullmatch(r"[0-9]{1,15}", length.strip()):
            mode = "length"
            headers.append((b"Content-Length", length.strip().encode()))
        elif self.request_version == "HTTP/1.1":
            mode = "chunked"
            headers.append((b"Transfer-Encoding", b"chunked"))
        else:
            mode = "close"
            self.close_connection = True
        reason = response.reason_phrase.encode("latin-1", "replace")
        try:
            self._head(status, reason, headers)
        except OSError:
            self.close_connection, self._note = True, " (client closed)"
            return status
        if mode == "none":
            return status

        done, gone, lock = threading.Event(), threading.Event(), threading.Lock()
        upstream = _upstream_socket(response)

        def cancel() -> None:
            with lock:  # once done, the connection may be back in the pool: leave it be
                if not done.is_set():
                    _shutdown(upstream)

        def client_left() -> None:
            gone.set()
            cancel()

        self.server.cancellable(cancel, True)
        if mode != "length":
            watcher = threading.Thread(
                target=_watch_client, args=(self.connection, done, client_left), daemon=True
            )
            watcher.start()
        sent = 0
        try:
            for data in response.iter_raw():
                if not data:
                    continue
                if mode == "chunked":
                    self.wfile.write(b"%x\r\n%b\r\n" % (len(data), data))
                else:
                    self.wfile.write(data)
                sent += len(data)
            if mode == "chunked":
                self.wfile.write(b"0\r\n\r\n")
            elif mode == "length" and length is not None and sent != int(length):
                self.close_connection = True
        except httpx.HTTPError:
            self.close_connection = True
            self._note = " (client closed)" if gone.is_set() else " (upstream stream broken)"
        except OSError:
            self.close_connection, self._note = True, " (client closed)"
        finally:
            with lock:
                done.set()
            self.server.cancellable(cancel, False)
        return status

    def _head(self, status: int, reason: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        if self.close_connection:
            headers = [*headers, (b"Connection", b"close")]
        lines = [b"HTTP/1.1 %d %b\r\n" % (status, reason)]
        lines += [b"%b: %b\r\n" % (name, value) for name, value in headers]
        self._head_sent = True
        self.wfile.write(b"".join(lines) + b"\r\n")

    def _reply(self, status: int, message: str) -> int:
        """A response of the proxy's own: a short text."""
        if self._body_pending:
            self.close_connection = True  # the unread body would be taken for the next request
        body = (message + "\n").encode()
        reason = self.responses.get(status, ("Error",))[0].encode()
        headers = [
            (b"Date", self.date_time_string().encode()),
            (b"Content-Type", b"text/plain; charset=utf-8"),
            (b"X-Content-Type-Options", b"nosniff"),
            (b"Content-Length", str(len(body)).encode()),
        ]
        try:
            self._head(status, reason, headers)
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:
            self.close_connection, self._note = True, " (client closed)"
        return status


class ProxyServer:
    """An ambassador bound to `address:port` (`port=0` picks a free port: see `.port`, `.url`).

    `start()` serves on a background thread, `serve_forever()` in the calling one; `stop()`
    ends the listener and every open connection. A `with` block stops it on exit.
    """

    def __init__(
        self,
        config: Config | None = None,
        *,
        address: str = DEFAULT_ADDRESS,
        port: int = DEFAULT_PORT,
        accept_hosts: str | Sequence[str] | None = None,
        allow_exec: bool = False,
    ) -> None:
        self.config = config if config is not None else load_config()
        self.accept_hosts = _patterns(accept_hosts)
        self.allow_exec = allow_exec
        self._http = _upstream(self.config)
        try:
            self._httpd = _HTTPServer((address.strip("[]"), port), self)
        except BaseException:
            self._http.close()
            raise
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._serving = self._stopped = False

    def __repr__(self) -> str:
        return f"ProxyServer({self.url} -> {self.config!r}, allow_exec={self.allow_exec})"

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def accepts(self, host: str) -> bool:
        """Whether a Host header (or an Origin's authority) is one --accept-hosts allows."""
        name = _host_name(host)
        return any(pattern.search(name) for pattern in self.accept_hosts)

    def serve_forever(self) -> None:
        """Serve in the calling thread until stop() is called from another (or an exception)."""
        with self._lock:
            if self._stopped:
                raise RuntimeError("the proxy was stopped")
            self._serving = True
        self._httpd.serve_forever(poll_interval=0.2)

    def start(self) -> ProxyServer:
        """Serve on a background thread; returns at once, the socket being bound already."""
        with self._lock:
            if self._stopped or self._serving:
                raise RuntimeError("the proxy was started or stopped already")
            self._serving = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.2,), name="kubeapi-proxy", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and end every connection and stream; safe to call twice."""
        with self._lock:
            if self._stopped:
                return
            self._stopped, serving = True, self._serving
        if serving:
            self._httpd.shutdown()  # returns once serve_forever has returned
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._httpd.server_close()
        self._httpd.abort_all(timeout=5)
        self._http.close()

    def __enter__(self) -> ProxyServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def serve(
    config: Config | None = None,
    address: str = DEFAULT_ADDRESS,
    port: int = DEFAULT_PORT,
    *,
    accept_hosts: str | Sequence[str] | None = None,
    allow_exec: bool = False,
) -> ProxyServer:
    """Start an ambassador on a background thread: `with serve(config, port=0) as p: p.url`."""
    proxy = ProxyServer(
        config, address=address, port=port, accept_hosts=accept_hosts, allow_exec=allow_exec
    )
    return proxy.start()


# ------------------------------------------------------------ command line


def _accept_hosts(value: str) -> str:
    try:
        _patterns(value)
    except re.error as exc:
        raise argparse.ArgumentTypeError(f"invalid regular expression: {exc}") from None
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m kubeapi.proxy",
        description="Forward plain HTTP on localhost to the Kubernetes API server, "
        "authenticated as this pod (or kubeconfig), like `kubectl proxy`.",
    )
    parser.add_argument(
        "--port", "-p", type=int, default=DEFAULT_PORT, help="port to listen on; 0 picks one"
    )
    parser.add_argument("--address", default=DEFAULT_ADDRESS, help="address to listen on")
    parser.add_argument(
        "--accept-hosts",
        type=_accept_hosts,
        default=DEFAULT_ACCEPT_HOSTS,
        metavar="REGEX,...",
        help="comma-separated regular expressions for accepted Host headers "
        "(default: loopback names only)",
    )
    parser.add_argument(
        "--allow-exec",
        action="store_true",
        help="forward exec, attach and portforward requests (refused by default)",
    )
    parser.add_argument(
        "--kubeconfig", help="kubeconfig file (default: in-cluster, then KUBECONFIG)"
    )
    parser.add_argument("--context", help="kubeconfig context")
    parser.add_argument("--verbose", "-v", action="store_true", help="log at debug level")
    return parser.parse_args(argv)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m kubeapi.proxy`: the first line on stderr names the bound address."""
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is ours
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    try:
        config = load_config(args.kubeconfig, args.context)
        proxy = ProxyServer(
            config,
            address=args.address,
            port=args.port,
            accept_hosts=args.accept_hosts,
            allow_exec=args.allow_exec,
        )
    except ConfigError as exc:
        print(f"kubeapi.proxy: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"kubeapi.proxy: cannot listen on {args.address}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"Starting to serve on {proxy.url.removeprefix('http://')}", file=sys.stderr, flush=True)
    log.info("forwarding to %s (%s)", config.server, config.source)
    if not any(p.search(_host_name(proxy.host)) for p in proxy.accept_hosts):
        log.warning("listening on %s, but --accept-hosts does not accept that host", proxy.host)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        proxy.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        proxy.stop()
    return 0


__all__ = ["DEFAULT_ACCEPT_HOSTS", "DEFAULT_PORT", "ProxyServer", "main", "parse_args", "serve"]

if __name__ == "__main__":
    sys.exit(main())
