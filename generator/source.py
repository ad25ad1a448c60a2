"""Where the spec comes from: a file, a live server (plus discovery), or the bundled 1.36 spec."""

from __future__ import annotations

import gzip
import json
import re
import ssl
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

from kubeforge.cache import digest
from kubeforge.diagnostics import GenerateError, fail

BUNDLED = "kubernetes-1.36.json.gz"


@dataclass(frozen=True)
class Spec:
    """A spec document, its discovery documents (by group-version) and where it came from."""

    document: dict[str, Any]
    origin: str
    discovery: dict[str, dict[str, Any]] | None = None
    sha256: str = field(default="")


def _canonical_sha(document: Any, discovery: Any) -> str:
    text = json.dumps(
        [document, discovery], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return digest(text)


def _parse_json(data: bytes, where: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except UnicodeDecodeError:
        raise fail(where, "is not UTF-8 JSON text") from None
    except json.JSONDecodeError as exc:
        raise fail(
            where, f"is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(value, dict):
        raise fail(where, f"is not a JSON object (found {type(value).__name__})")
    return value


def _check_swagger(document: dict[str, Any], where: str) -> None:
    version = document.get("swagger")
    if version != "2.0":
        found = (
            f"openapi {document['openapi']}" if "openapi" in document else f"swagger {version!r}"
        )
        raise fail(
            where, f"is not a Swagger 2.0 (OpenAPI v2) document: found {found}; use /openapi/v2"
        )


def _finish(
    document: dict[str, Any], origin: str, discovery: dict[str, dict[str, Any]] | None
) -> Spec:
    _check_swagger(document, origin)
    return Spec(document, origin, discovery, _canonical_sha(document, discovery))


def from_file(path: str) -> Spec:
    """A `.json` or `.json.gz` spec file."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise fail(path, "spec file not found") from None
    except OSError as exc:
        raise fail(path, f"cannot read spec file: {exc.strerror}") from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise fail(path, f"is not a valid gzip file: {exc}") from None
    return _finish(_parse_json(data, path), path, None)


def bundled() -> Spec:
    """The Kubernetes 1.36 spec shipped inside kubeforge."""
    data = gzip.decompress((resources.files("kubeforge") / "data" / BUNDLED).read_bytes())
    return _finish(_parse_json(data, BUNDLED), f"bundled {BUNDLED}", None)


@dataclass(frozen=True, repr=False)
class ServerAuth:
    """How to reach a server. The token never appears in reprs or messages."""

    token: str | None = None
    ca_file: str | None = None
    ca_data: str | None = None
    insecure: bool = False
    client_cert: tuple[str, str] | None = None

    def __repr__(self) -> str:
        return f"ServerAuth(token={'<set>' if self.token else None}, ca_file={self.ca_file!r}, insecure={self.insecure})"

    def verify(self) -> ssl.SSLContext | bool:
        if self.insecure:
            return False
        try:
            ctx = ssl.create_default_context(cafile=self.ca_file, cadata=self.ca_data)
            if self.client_cert:
                ctx.load_cert_chain(*self.client_cert)
        except (OSError, ssl.SSLError) as exc:
            raise fail(
                self.ca_file or "certificate-authority-data", f"cannot load TLS material: {exc}"
            ) from None
        return ctx


_SSL_LOCATION = re.compile(r"\s*\(_ssl\.c:\d+\)\s*$")  # where in CPython, not what failed


def _get(client: httpx.Client, url: str, what: str) -> dict[str, Any]:
    try:
        response = client.get(url)
    except httpx.ConnectError as exc:
        text = str(exc)
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            reason = text.split("certificate verify failed:", 1)[-1]
            reason = _SSL_LOCATION.sub("", reason).strip() or text
            raise fail(
                url,
                f"TLS certificate verification failed: {reason}; pass --ca-file with the server's CA",
            ) from None
        raise fail(url, f"cannot connect: {text or type(exc).__name__}") from None
    except httpx.HTTPError as exc:
        raise fail(url, f"request failed: {exc or type(exc).__name__}") from None
    if response.status_code != 200:
        message = ""
        try:
            body = response.json()
            if isinstance(body, dict):
                message = str(body.get("message") or "")
        except ValueError:
            message = response.text.strip()[:200]
        hint = {
            401: "the server did not accept the credentials (--token, --token-file or kubeconfig user)",
            403: "the credentials are not allowed to read this",
            404: f"the server does not serve {what}",
        }.get(response.status_code, "")
        detail = "; ".join(x for x in (message, hint) if x)
        raise fail(
            url,
            f"{response.status_code} {response.reason_phrase}" + (f": {detail}" if detail else ""),
        )
    return _parse_json(response.content, url)


def from_server(url: str, auth: ServerAuth, timeout: float = 30.0) -> Spec:
    """`/openapi/v2` and discovery (`/api`, `/api/v1`, `/apis`, `/apis/<g>/<v>`) from a server."""
    base = url.rstrip("/")
    headers = {"Accept": "application/json", "User-Agent": "kubeforge"}
    if auth.token:
        headers["Authorization"] = f"Bearer {auth.token}"
    with httpx.Client(verify=auth.verify(), headers=headers, timeout=timeout) as client:
        document = _get(client, f"{base}/openapi/v2", "/openapi/v2")
        _check_swagger(document, f"{base}/openapi/v2")
        discovery: dict[str, dict[str, Any]] = {}
        core = _get(client, f"{base}/api", "core API discovery")
        for version in sorted(core.get("versions") or ()):
            discovery[version] = _get(client, f"{base}/api/{version}", "discovery")
        groups = _get(client, f"{base}/apis", "API group discovery")
        for group in groups.get("groups") or ():
            for gv in group.get("versions") or ():
                name = gv.get("groupVersion", "")
                if name and name not in discovery:
                    discovery[name] = _get(client, f"{base}/apis/{name}", "discovery")
    return _finish(document, base, dict(sorted(discovery.items())))


def from_kubeconfig(path: str, context: str | None) -> tuple[str, ServerAuth]:
    """Server URL and credentials of a kubeconfig context (token, CA, client certificate)."""
    import base64

    import yaml

    try:
        doc = yaml.safe_load(Path(path).read_text())
    except FileNotFoundError:
        raise fail(path, "kubeconfig not found") from None
    except yaml.YAMLError as exc:
        raise fail(path, f"is not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise fail(path, "is not a kubeconfig mapping")

    def named(section: str, name: Any) -> dict[str, Any]:
        for entry in doc.get(section) or ():
            if isinstance(entry, dict) and entry.get("name") == name:
                value = entry.get(section[:-1]) or {}
                return value if isinstance(value, dict) else {}
        raise fail(path, f"{section}: no entry named {name!r}")

    name = context or doc.get("current-context")
    if not name:
        raise fail(path, "current-context is not set; pass --context")
    ctx = named("contexts", name)
    cluster = named("clusters", ctx.get("cluster"))
    user = named("users", ctx.get("user")) if ctx.get("user") else {}
    if not cluster.get("server"):
        raise fail(path, f"clusters/{ctx.get('cluster')}: server is not set")
    base = Path(path).parent
    ca_data = cluster.get("certificate-authority-data")
    token = user.get("token")
    if user.get("tokenFile"):
        token = (base / user["tokenFile"]).read_text().strip()
    cert = None
    if user.get("client-certificate") and user.get("client-key"):
        cert = (str(base / user["client-certificate"]), str(base / user["client-key"]))
    auth = ServerAuth(
        token=token,
        ca_file=(
            str(base / cluster["certificate-authority"])
            if cluster.get("certificate-authority")
            else None
        ),
        ca_data=base64.b64decode(ca_data).decode() if ca_data else None,
        insecure=bool(cluster.get("insecure-skip-tls-verify")),
        client_cert=cert,
    )
    return str(cluster["server"]), auth


def embedded() -> Spec:
    """The bundled spec served by the fake API server in-process, read over HTTPS with discovery."""
    from kubeforge.fake.server import FakeServer

    with FakeServer() as server:
        spec = from_server(server.url, ServerAuth(token=server.token, ca_file=server.ca_file))
    return Spec(spec.document, f"embedded fake API server ({BUNDLED})", spec.discovery, spec.sha256)


def load(
    spec: str | None = None,
    server: str | None = None,
    auth: ServerAuth | None = None,
    kubeconfig: str | None = None,
    context: str | None = None,
) -> Spec:
    """The spec from whichever source was named; the embedded fake API server when none was."""
    if spec:
        return from_file(spec)
    if kubeconfig:
        url, kube_auth = from_kubeconfig(kubeconfig, context)
        return from_server(url, kube_auth)
    if server:
        return from_server(server, auth or ServerAuth())
    return embedded()


__all__ = [
    "GenerateError",
    "ServerAuth",
    "Spec",
    "bundled",
    "embedded",
    "from_file",
    "from_server",
    "load",
]
