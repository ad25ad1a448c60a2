"""exec credential plugins (client.authentication.k8s.io v1 and v1beta1), as kubectl runs them.

The plugin's reply (a token, or a client certificate and key) is cached until its
`expirationTimestamp` and fetched again after a 401.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from datetime import datetime, timezone
from typing import Any

from .errors import ConfigError

_API_VERSIONS = ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1")


class Credential:
    """What a plugin returned. Never printed."""

    __slots__ = ("token", "cert_pem", "key_pem", "expires")

    def __init__(
        self, token: str | None, cert_pem: str | None, key_pem: str | None, expires: datetime | None
    ) -> None:
        self.token, self.cert_pem, self.key_pem, self.expires = token, cert_pem, key_pem, expires

    def __repr__(self) -> str:
        kind = "token" if self.token else "client-certificate"
        return f"Credential({kind}, expires={self.expires})"


class ExecPlugin:
    """One `users[].user.exec` entry of a kubeconfig."""

    def __init__(
        self,
        command: str,
        args: list[str],
        env: dict[str, str],
        api_version: str,
        interactive_mode: str = "IfAvailable",
        install_hint: str = "",
        cluster: dict[str, Any] | None = None,
        where: str = "exec plugin",
    ) -> None:
        self.command, self.args, self.env = command, args, env
        self.api_version, self.interactive_mode = api_version, interactive_mode
        self.install_hint, self.cluster, self.where = install_hint, cluster, where
        self._cached: Credential | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ExecPlugin({self.command!r}, api_version={self.api_version!r})"

    @classmethod
    def from_kubeconfig(
        cls, entry: dict[str, Any], cluster: dict[str, Any], where: str
    ) -> ExecPlugin:
        command = entry.get("command")
        if not command:
            raise ConfigError(f"{where}.command is not set")
        api_version = str(entry.get("apiVersion") or "")
        if api_version not in _API_VERSIONS:
            raise ConfigError(
                f"{where}.apiVersion {api_version!r} is not one of {', '.join(_API_VERSIONS)}"
            )
        mode = str(
            entry.get("interactiveMode")
            or ("IfAvailable" if api_version.endswith("v1beta1") else "")
        )
        if mode not in ("Never", "IfAvailable", "Always"):
            raise ConfigError(f"{where}.interactiveMode must be Never, IfAvailable or Always")
        env = {
            str(e["name"]): str(e["value"])
            for e in entry.get("env") or ()
            if isinstance(e, dict) and "name" in e
        }
        info: dict[str, Any] | None = None
        if entry.get("provideClusterInfo"):
            info = {
                k: cluster[k]
                for k in (
                    "server",
                    "certificate-authority-data",
                    "insecure-skip-tls-verify",
                    "tls-server-name",
                    "proxy-url",
                )
                if k in cluster
            }
        return cls(
            str(command),
            [str(a) for a in entry.get("args") or ()],
            env,
            api_version,
            mode,
            str(entry.get("installHint") or ""),
            info,
            where,
        )

    def expire(self) -> None:
        with self._lock:
            self._cached = None

    def cached(self) -> Credential | None:
        """The cached credential while it is valid; None when the plugin must run."""
        cached = self._cached
        if cached is not None and (
            cached.expires is None or cached.expires > datetime.now(timezone.utc)
        ):
            return cached
        return None

    def credential(self) -> Credential:
        """The cached credential, or a fresh one once it has expired."""
        with self._lock:
            cached = self.cached()
            if cached is None:
                cached = self._cached = self._run()
            return cached

    def _run(self) -> Credential:
        executable = shutil.which(self.command) if os.sep not in self.command else self.command
        if executable is None or not os.path.exists(executable):
            hint = f"; {self.install_hint}" if self.install_hint else ""
            raise ConfigError(f"{self.where}: executable {self.command!r} not found{hint}")
        interactive = (
            self.interactive_mode != "Never" and sys.stdin is not None and sys.stdin.isatty()
        )
        if self.interactive_mode == "Always" and not interactive:
            raise ConfigError(
                f"{self.where}: the plugin needs an interactive terminal (interactiveMode: Always)"
            )
        spec: dict[str, Any] = {"interactive": interactive}
        if self.cluster is not None:
            spec["cluster"] = {"config": None, **{_camel(k): v for k, v in self.cluster.items()}}
        info = {"apiVersion": self.api_version, "kind": "ExecCredential", "spec": spec}
        env = {**os.environ, **self.env, "KUBERNETES_EXEC_INFO": json.dumps(info)}
        try:
            result = subprocess.run(
                [executable, *self.args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=None if interactive else subprocess.PIPE,
                stdin=None if interactive else subprocess.DEVNULL,
                timeout=300,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ConfigError(f"{self.where}: running {self.command!r} failed: {exc}") from None
        if result.returncode != 0:
            raise ConfigError(
                f"{self.where}: {self.command!r} exited with status {result.returncode}"
            )
        return self._parse(result.stdout)

    def _parse(self, output: bytes) -> Credential:
        try:
            reply = json.loads(output)
            status = reply["status"]
        except (ValueError, KeyError, TypeError):
            raise ConfigError(
                f"{self.where}: {self.command!r} did not print an ExecCredential with a status"
            ) from None
        if reply.get("apiVersion") != self.api_version:
            raise ConfigError(
                f"{self.where}: the plugin replied with apiVersion {reply.get('apiVersion')!r}, not {self.api_version!r}"
            )
        token = status.get("token")
        cert, key = status.get("clientCertificateData"), status.get("clientKeyData")
        if not token and not (cert and key):
            raise ConfigError(
                f"{self.where}: the ExecCredential has neither a token nor a client certificate and key"
            )
        expires = None
        if status.get("expirationTimestamp"):
            text = str(status["expirationTimestamp"])
            expires = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        return Credential(token or None, cert, key, expires)


def _camel(key: str) -> str:
    head, *rest = key.split("-")
    return head + "".join(part.title() for part in rest)
