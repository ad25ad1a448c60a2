"""Run the fake API server: on an asyncio loop in a background thread, or in the foreground."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import ssl
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from kubeforge.fake import certs
from kubeforge.fake.api import BODY_LIMIT, Api, Fault
from kubeforge.fake.registry import Registry
from kubeforge.fake.store import Store
from kubeforge.source import bundled

NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")


@dataclass(frozen=True)
class Seen:
    """A request the server answered, as the server saw it: for tests to wait on and assert."""

    number: int  # 1 for the first request this server saw
    method: str
    path: str
    query: Mapping[str, str]
    code: int
    user_agent: str
    certificate: str  # the common name of the client certificate, if one was presented


def new_token() -> str:
    """A random bearer token; hex, so it never starts with "-" and `--token T` always parses."""
    return secrets.token_hex(24)


class FakeServer:
    """A fake API server on 127.0.0.1; use as a context manager or call start()/stop()."""

    def __init__(
        self,
        spec: dict[str, Any] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = True,
        tokens: list[str] | None = None,
        watch_window: int = 1000,
        bookmark_interval: float = 1.0,
        expired_certificate: bool = False,
    ) -> None:
        self.host, self.port, self.tls = host, port, tls
        self.tokens = list(tokens) if tokens is not None else [new_token()]
        self._dir = Path(tempfile.mkdtemp(prefix="kubeforge-fake-"))
        self.tls_files = certs.make(self._dir, expired=expired_certificate) if tls else None
        document = spec if spec is not None else bundled().document
        self.api = Api(
            spec=document,
            registry=Registry.from_spec(document),
            store=Store(watch_window),
            tokens=set(self.tokens),
            bookmark_interval=bookmark_interval,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._seen: deque[Seen] = deque(maxlen=10_000)
        self._seen_changed = threading.Condition()

    def __repr__(self) -> str:
        return f"FakeServer({self.url if self.port else 'not started'})"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    @property
    def state_dir(self) -> Path:
        """This server's private directory: its CA and certificates (and `kubeforge serve`'s
        kubeconfig)."""
        return self._dir

    @property
    def token(self) -> str:
        return self.tokens[0] if self.tokens else ""

    @property
    def ca_file(self) -> str | None:
        return str(self.tls_files.ca) if self.tls_files else None

    # ------------------------------------------------------------ lifecycle

    async def _start(self) -> None:
        app = web.Application(client_max_size=BODY_LIMIT)
        app.router.add_route("*", "/{tail:.*}", self.api.handle)
        app.on_response_prepare.append(self._record)
        # On stop, open watches are cut at once: a fake server owes its clients no drain.
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.1
        )
        await self._runner.setup()
        context = None
        if self.tls_files:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.tls_files.cert, self.tls_files.key)
            # Client certificates signed by our CA authenticate too, as with the real server.
            context.verify_mode = ssl.CERT_OPTIONAL
            context.load_verify_locations(self.tls_files.ca)
        site = web.TCPSite(self._runner, self.host, self.port, ssl_context=context, backlog=1024)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self.api.address = f"{self.host}:{self.port}"
        for name in NAMESPACES:
            self.api.store.create(
                self.api.registry.types[("", "v1", "namespaces")], "", {"metadata": {"name": name}}
            )

    def start(self) -> FakeServer:
        """Start on a background thread; returns once the port is bound."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._start())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="kubeforge-fake", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    async def _cleanup(self) -> None:
        """Close the listener and every connection, then end what is still running (watches)."""
        if self._runner is not None:
            await self._runner.cleanup()
        current = asyncio.current_task()
        pending = [t for t in asyncio.all_tasks() if t is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _record(self, request: web.Request, response: web.StreamResponse) -> None:
        """Log each answer as its headers go out (a watch: as its stream starts)."""
        with self._seen_changed:
            number = self._seen[-1].number + 1 if self._seen else 1
            agent = request.headers.get("User-Agent", "")
            peer = request.transport.get_extra_info("peercert") if request.transport else None
            names = [
                v for rdn in (peer or {}).get("subject", ()) for k, v in rdn if k == "commonName"
            ]
            seen = Seen(
                number,
                request.method,
                request.path,
                dict(request.query),
                response.status,
                agent,
                names[0] if names else "",
            )
            self._seen.append(seen)
            self._seen_changed.notify_all()

    def request_count(self) -> int:
        """How many requests the server has answered: a mark for `requests(after=...)`."""
        with self._seen_changed:
            return self._seen[-1].number if self._seen else 0

    def requests(self, after: int = 0) -> list[Seen]:
        """The requests answered so far (the newest 10,000), those numbered above `after`."""
        with self._seen_changed:
            return [seen for seen in self._seen if seen.number > after]

    def wait_for_request(
        self, match: Callable[[Seen], bool], *, after: int = 0, timeout: float = 30.0
    ) -> Seen:
        """The first answered request numbered above `after` that `match` accepts; waits for
        it up to `timeout` seconds (then raises TimeoutError)."""
        with self._seen_changed:
            found: list[Seen] = []

            def ready() -> bool:
                found[:] = [s for s in self._seen if s.number > after and match(s)][:1]
                return bool(found)

            if not self._seen_changed.wait_for(ready, timeout):
                raise TimeoutError(f"no matching request within {timeout} s")
            return found[0]

    def stop(self) -> None:
        """Stop serving and remove the state directory (certificates, kubeconfig)."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop = self._thread = None
        shutil.rmtree(self._dir, ignore_errors=True)

    def inject(
        self,
        code: int,
        *,
        method: str | None = None,
        path: str | None = None,
        watch: bool | None = None,
        times: int = 1,
        retry_after: int | None = None,
        message: str | None = None,
        body: bytes | None = None,
        content_type: str = "text/html",
    ) -> Fault:
        """Answer the next `times` matching requests with `code` (a Status with the real
        server's reason and wording, or `body`) instead of serving them, as a loaded or
        failing API server would; `path` is a prefix. Returns the fault, whose `times`
        counts down as it is used."""
        fault = Fault(code, method, path, watch, times, retry_after, message, body, content_type)
        self.call(self.api.faults.append, fault)
        return fault

    def append_log(self, namespace: str, pod: str, text: str, container: str = "") -> None:
        """Add `text` to a container's log, as the kubelet would; followers see it at once."""
        if not container:
            found = self.call(
                self.api.store.get, self.api.registry.types[("", "v1", "pods")], namespace, pod
            )
            names = [c.get("name", "") for c in (found.get("spec") or {}).get("containers") or ()]
            container = names[0] if names else ""
        self.call(self.api.store.append_log, namespace, pod, container, text)

    def set_tokens(self, tokens: list[str]) -> None:
        """Accept exactly these bearer tokens from now on (to rotate them in tests)."""
        self.tokens = list(tokens)
        self.call(self._replace_tokens, set(tokens))

    def _replace_tokens(self, tokens: set[str]) -> None:
        self.api.tokens = tokens

    def client_certificate(self, user: str = "kubeforge-admin") -> tuple[str, str]:
        """(certificate, key) PEM of a client certificate the server accepts."""
        assert self.tls_files is not None, "client certificates need --tls"
        return self.tls_files.client(user)

    def call(self, fn: Any, *args: Any) -> Any:
        """Run `fn(*args)` on the server's loop (where the store lives) and return its result."""
        assert self._loop is not None

        async def invoke() -> Any:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(invoke(), self._loop).result(timeout=30)

    def add(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Store an object directly (as a controller would), by its apiVersion and kind."""
        api_version, kind = obj.get("apiVersion", "v1"), obj.get("kind", "")
        matches = [
            t
            for t in self.api.registry.types.values()
            if t.api_version == api_version and t.kind == kind
        ]
        if not matches:
            raise ValueError(f"no resource serves {api_version} {kind}")
        namespace = (
            (obj.get("metadata") or {}).get("namespace", "default") if matches[0].namespaced else ""
        )
        stored: dict[str, Any] = self.call(
            self.api.store.create, matches[0], namespace, json.loads(json.dumps(obj))
        )
        return stored

    def run_forever(self) -> None:
        """Serve in the foreground until interrupted (`kubeforge serve`)."""
        if self._thread is None:
            self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(timeout=0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------ client set-up files

    def write_service_account(
        self, folder: str | os.PathLike[str], namespace: str = "default"
    ) -> Path:
        """`token`, `ca.crt` and `namespace` as a pod sees them under its service-account mount."""
        root = Path(folder)
        root.mkdir(parents=True, exist_ok=True)
        (root / "token").write_text(self.token)
        (root / "namespace").write_text(namespace)
        if self.tls_files:
            (root / "ca.crt").write_bytes(self.tls_files.ca.read_bytes())
        return root

    def write_kubeconfig(self, path: str | os.PathLike[str], namespace: str = "default") -> Path:
        """A kubeconfig with one context, `kubeforge`, that kubectl and kubeapi accept."""
        cluster: dict[str, Any] = {"server": self.url}
        if self.tls_files:
            cluster["certificate-authority"] = str(self.tls_files.ca)
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "kubeforge", "cluster": cluster}],
            "users": [{"name": "kubeforge", "user": {"token": self.token}}],
            "contexts": [
                {
                    "name": "kubeforge",
                    "context": {
                        "cluster": "kubeforge",
                        "user": "kubeforge",
                        "namespace": namespace,
                    },
                }
            ],
            "current-context": "kubeforge",
        }
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch(mode=0o600)
        target.write_text(json.dumps(config, indent=2))
        return target


def serve(spec: dict[str, Any] | None = None, **options: Any) -> FakeServer:
    """A FakeServer not yet started: `with serve() as server: ...`."""
    return FakeServer(spec, **options)
