"""Small real HTTP servers on 127.0.0.1 that answer with canned responses, for error paths."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

Routes = dict[str, tuple[int, Any]]


@contextmanager
def canned(
    routes: Routes, tls: tuple[Path, Path] | None = None, seen: list[dict[str, str]] | None = None
) -> Iterator[str]:
    """Serve `routes` (path -> (status, JSON body or bytes)); yields the base URL.

    The headers of every request are appended to `seen` when it is given.
    """
    requests: list[dict[str, str]] = seen if seen is not None else []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(dict(self.headers))
            status, body = routes.get(
                self.path.split("?")[0], (404, {"kind": "Status", "message": "not found"})
            )
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    scheme = "http"
    if tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(*tls)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
