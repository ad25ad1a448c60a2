"""kubeconfig files, merged as kubectl merges them, resolved into a Config.

KUBECONFIG may name several files: the first file to define a cluster, user or context
name wins, and `current-context` comes from the first file that sets one. Relative paths
in an entry are relative to the file that defined it. Missing files in KUBECONFIG are
skipped, as kubectl does; a file named explicitly must exist.
"""

from __future__ import annotations

import base64
import importlib
import os
from typing import Any

from .config import Config
from .errors import ConfigError

Entry = tuple[str, dict[str, Any]]  # (file it came from, the entry's body)


def kubeconfig_paths() -> list[str]:
    env = os.environ.get("KUBECONFIG")
    if env:
        return [p for p in env.split(os.pathsep) if p]
    return [os.path.join(os.path.expanduser("~"), ".kube", "config")]


def _load(path: str) -> dict[str, Any]:
    # Imported by name: type checkers of a user's code then need no yaml stubs.
    yaml: Any = importlib.import_module("yaml")

    try:
        with open(path) as f:
            data = yaml.safe_load(f)
    except yaml.YAMLError as exc:
        raise ConfigError(f"kubeconfig {path} is not valid YAML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"kubeconfig {path}: {exc.strerror}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"kubeconfig {path}: the top level must be a mapping, not {type(data).__name__}"
        )
    return data


def _named(docs: list[tuple[str, dict[str, Any]]], section: str, item: str) -> dict[str, Entry]:
    """Entries of one section across files; the first file to define a name wins."""
    out: dict[str, Entry] = {}
    for path, doc in docs:
        entries = doc.get(section) or []
        if not isinstance(entries, list):
            raise ConfigError(f"kubeconfig {path}: {section} must be a list")
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or "name" not in entry:
                raise ConfigError(f"kubeconfig {path}: {section}[{i}] has no name")
            body = entry.get(item) or {}
            if not isinstance(body, dict):
                raise ConfigError(f"kubeconfig {path}: {section}[{i}].{item} must be a mapping")
            out.setdefault(str(entry["name"]), (path, body))
    return out


def _file(origin: str, value: Any) -> str:
    path = os.path.expanduser(str(value))
    return (
        path
        if os.path.isabs(path)
        else os.path.join(os.path.dirname(os.path.abspath(origin)), path)
    )


def _material(
    origin: str, entry: dict[str, Any], file_key: str, data_key: str, where: str
) -> tuple[str | None, str | None]:
    """(path, inline PEM text) for a file-or-data pair."""
    if entry.get(data_key):
        try:
            return None, base64.b64decode(str(entry[data_key]), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            raise ConfigError(
                f"kubeconfig {origin}: {where}.{data_key} is not valid base64 PEM"
            ) from None
    if entry.get(file_key):
        return _file(origin, entry[file_key]), None
    return None, None


def _client_cert(
    origin: str, user: dict[str, Any], where: str
) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """(certificate and key files) or (certificate and key PEM text); key material stays in memory."""
    cert_path, cert_data = _material(
        origin, user, "client-certificate", "client-certificate-data", where
    )
    key_path, key_data = _material(origin, user, "client-key", "client-key-data", where)
    if not (cert_path or cert_data) and not (key_path or key_data):
        return None, None
    if not (cert_path or cert_data) or not (key_path or key_data):
        raise ConfigError(
            f"kubeconfig {origin}: {where} needs both a client certificate and a client key"
        )
    if cert_path and key_path:
        return (cert_path, key_path), None
    try:
        cert = cert_data if cert_data is not None else _read_text(str(cert_path))
        key = key_data if key_data is not None else _read_text(str(key_path))
    except OSError as exc:
        raise ConfigError(f"kubeconfig {origin}: {where}: {exc.filename}: {exc.strerror}") from None
    return None, (cert, key)


def _read_text(path: str) -> str:
    with open(path) as f:
        return f.read()


def from_kubeconfig(
    paths: list[str], context: str | None = None, explicit: bool = False
) -> Config | None:
    """The Config of a context (the current one by default); None when no file exists."""
    present = [p for p in paths if os.path.exists(p)]
    if explicit and not present:
        raise ConfigError(f"kubeconfig {paths[0]} does not exist")
    docs = [(p, _load(p)) for p in present]
    if not docs:
        return None
    current = context or next(
        (str(d["current-context"]) for _, d in docs if d.get("current-context")), None
    )
    files = ", ".join(present)
    if not current:
        raise ConfigError(
            f"kubeconfig {files}: current-context is not set and no context was named"
        )
    contexts = _named(docs, "contexts", "context")
    if current not in contexts:
        raise ConfigError(f"kubeconfig {files}: context {current!r} not found")
    ctx_file, ctx = contexts[current]
    clusters, users = _named(docs, "clusters", "cluster"), _named(docs, "users", "user")
    cluster_name = str(ctx.get("cluster", ""))
    if cluster_name not in clusters:
        raise ConfigError(
            f"kubeconfig {ctx_file}: contexts[{current}].cluster {cluster_name!r} not found"
        )
    origin, cluster = clusters[cluster_name]
    if not cluster.get("server"):
        raise ConfigError(f"kubeconfig {origin}: clusters[{cluster_name}].server is not set")
    user_name = str(ctx.get("user", ""))
    user_origin, user = users.get(user_name, (ctx_file, {}))
    where = f"users[{user_name}]"
    if "auth-provider" in user:
        name = (user.get("auth-provider") or {}).get("name", "?")
        raise ConfigError(
            f"kubeconfig {user_origin}: {where}.auth-provider ({name}) is not supported; use an exec credential plugin"
        )
    ca_file, ca_data = _material(
        origin,
        cluster,
        "certificate-authority",
        "certificate-authority-data",
        f"clusters[{cluster_name}]",
    )
    cert_files, cert_pem = _client_cert(user_origin, user, where)
    exec_plugin = None
    if user.get("exec"):
        from .credentials import ExecPlugin

        exec_plugin = ExecPlugin.from_kubeconfig(
            user["exec"], cluster, f"kubeconfig {user_origin}: {where}.exec"
        )
    return Config(
        str(cluster["server"]),
        token=user.get("token"),
        token_file=_file(user_origin, user["tokenFile"]) if user.get("tokenFile") else None,
        ca_file=ca_file,
        ca_data=ca_data,
        verify=not cluster.get("insecure-skip-tls-verify", False),
        client_cert=cert_files,
        client_cert_pem=cert_pem,
        username=user.get("username"),
        password=user.get("password"),
        exec_plugin=exec_plugin,
        namespace=str(ctx.get("namespace") or "default"),
        tls_server_name=cluster.get("tls-server-name"),
        proxy_url=cluster.get("proxy-url"),
        source=f"kubeconfig context {current} ({ctx_file})",
    )
