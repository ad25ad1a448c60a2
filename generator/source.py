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

from kubeforge import crd as crds
from kubeforge import crd_paths
from kubeforge.cache import digest
from kubeforge.diagnostics import Diagnostic, GenerateError, fail
from kubeforge.manifests import Manifest
from kubeforge.validate import reached

BUNDLED = "kubernetes-1.36.json.gz"


@dataclass(frozen=True)
class Spec:
    """A spec document, its discovery documents (by group-version) and where it came from."""

    document: dict[str, Any]
    origin: str
    discovery: dict[str, dict[str, Any]] | None = None
    sha256: str = field(default="")
    # The CustomResourceDefinitions behind some of its kinds: what only a CRD says (storage
    # version, printer columns) becomes class metadata.
    crds: tuple[dict[str, Any], ...] = ()


def _canonical_sha(document: Any, discovery: Any, crds: Any = ()) -> str:
    parts = [document, discovery, *([list(crds)] if crds else [])]
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
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
        found: tuple[dict[str, Any], ...] = ()
        if "apiextensions.k8s.io/v1" in discovery:
            found = _crds(client, f"{base}/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
    spec = _finish(document, base, dict(sorted(discovery.items())))
    if not found:
        return spec
    return Spec(
        spec.document, base, spec.discovery, _canonical_sha(document, spec.discovery, found), found
    )


def _crds(client: httpx.Client, url: str) -> tuple[dict[str, Any], ...]:
    """The server's CRDs, for what only they say; none when these credentials may not list them."""
    try:
        listed = _get(client, url, "CustomResourceDefinitions")
    except GenerateError:
        return ()
    items = [i for i in listed.get("items") or () if isinstance(i, dict)]
    return tuple(sorted(items, key=lambda c: str((c.get("metadata") or {}).get("name"))))


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
    return Spec(
        spec.document,
        f"embedded fake API server ({BUNDLED})",
        spec.discovery,
        spec.sha256,
        spec.crds,
    )


def _crd_errors(manifests: list[Manifest]) -> list[Diagnostic]:
    errors = []
    for m in manifests:
        versions = (m.crd.get("spec") or {}).get("versions")
        for path, message in crds.problems(m.crd):
            what = f"CustomResourceDefinition {m.name or '(no name)'}"
            if path.startswith("spec.versions[") and isinstance(versions, list):
                index = int(path[len("spec.versions[") : path.index("]")])
                name = versions[index].get("name") if isinstance(versions[index], dict) else None
                what += f", version {name or index}"
            errors.append(Diagnostic(m.where, f"{what}: {path}: {message}"))
    return errors


def with_crds(base: Spec | None, manifests: list[Manifest], all_versions: bool = False) -> Spec:
    """A spec with the kinds of CRD manifests added, as a server serving them publishes them.

    Without a base, the shared types the CRDs refer to (ObjectMeta, Status, Scale, ...) come
    from the bundled spec, and discovery lists the custom resources alone.
    """
    errors = _crd_errors(manifests)
    if errors:
        raise GenerateError(errors)
    definitions: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    served: list[crds.Served] = []
    for m in manifests:
        versions = crds.served(m.crd, all_versions)
        served.extend(versions)
        definitions.update(crds.definitions(m.crd, all_versions))
        paths.update(crd_paths.paths(versions))
    if base is None:
        shared = bundled().document["definitions"]
        document: dict[str, Any] = {
            "swagger": "2.0",
            "info": {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"},
            "paths": dict(sorted(paths.items())),
            "definitions": {
                **{k: shared[k] for k in sorted(reached(shared, [definitions, paths]))},
                **definitions,
            },
        }
        discovery: dict[str, dict[str, Any]] | None = {}
        origin = "CRD manifests"
    else:
        document = {
            **base.document,
            "paths": {**(base.document.get("paths") or {}), **paths},
            "definitions": {**(base.document.get("definitions") or {}), **definitions},
        }
        discovery = dict(base.discovery) if base.discovery is not None else None
        origin = f"{base.origin} and CRD manifests"
    if discovery is not None:
        discovery.update(crds.discovery(served))
        discovery = dict(sorted(discovery.items()))
    found = tuple(m.crd for m in manifests)
    every = {c["metadata"]["name"]: c for c in (*(base.crds if base else ()), *found)}
    listed = tuple(every[k] for k in sorted(every))
    return Spec(document, origin, discovery, _canonical_sha(document, discovery, listed), listed)


def _path_group(path: str) -> str | None:
    segs = [x for x in path.split("/") if x]
    if segs[:1] == ["api"]:
        return ""
    if segs[:1] == ["apis"] and len(segs) > 1:
        return segs[1]
    return None


def _definition_groups(schema: Any) -> set[str]:
    gvks = schema.get("x-kubernetes-group-version-kind") if isinstance(schema, dict) else None
    return {g.get("group", "") for g in gvks or () if isinstance(g, dict)}


def only_groups(spec: Spec, groups: list[str]) -> Spec:
    """The part of a spec that serves some API groups ("" or `core` is the core group): their
    paths and kinds, and the definitions those refer to."""
    wanted = {"" if g == "core" else g for g in groups}
    definitions: dict[str, Any] = spec.document.get("definitions") or {}
    paths = {
        p: v for p, v in (spec.document.get("paths") or {}).items() if _path_group(p) in wanted
    }
    kinds = {k for k, v in definitions.items() if _definition_groups(v) & wanted}
    known = {_path_group(p) for p in spec.document.get("paths") or {}} | {
        g for v in definitions.values() for g in _definition_groups(v)
    }
    missing = sorted(wanted - known)
    if missing:
        served = ", ".join(sorted(g or "core" for g in known if g is not None))
        raise fail(
            spec.origin, f"--group {missing[0] or 'core'}: no such API group (has: {served})"
        )
    keep = kinds | reached(definitions, [paths, [definitions[k] for k in sorted(kinds)]])
    document = {
        **spec.document,
        "paths": paths,
        "definitions": {k: v for k, v in definitions.items() if k in keep},
    }
    discovery = (
        {gv: d for gv, d in spec.discovery.items() if gv.rpartition("/")[0] in wanted}
        if spec.discovery is not None
        else None
    )
    listed = tuple(c for c in spec.crds if (c.get("spec") or {}).get("group") in wanted)
    sha = _canonical_sha(document, discovery, listed)
    return Spec(document, spec.origin, discovery, sha, listed)


def load(
    spec: str | None = None,
    server: str | None = None,
    auth: ServerAuth | None = None,
    kubeconfig: str | None = None,
    context: str | None = None,
    crd: list[str] | None = None,
    all_versions: bool = False,
    groups: list[str] | None = None,
    use_cache: bool = True,
) -> Spec:
    """The spec from whichever source was named, with the kinds of any CRD manifests added, cut
    to some groups if asked; the embedded fake API server when no source was named at all."""
    found: Spec | None = None
    if spec:
        found = from_file(spec)
    elif kubeconfig:
        url, kube_auth = from_kubeconfig(kubeconfig, context)
        found = from_server(url, kube_auth)
    elif server:
        found = from_server(server, auth or ServerAuth())
    elif not crd:
        found = embedded()
    if crd:
        from kubeforge import manifests

        found = with_crds(found, manifests.load(crd, use_cache), all_versions)
    assert found is not None
    return only_groups(found, groups) if groups else found


__all__ = [
    "GenerateError",
    "ServerAuth",
    "Spec",
    "bundled",
    "embedded",
    "from_file",
    "from_server",
    "load",
    "only_groups",
    "with_crds",
]
