"""Where the API server is and how to authenticate: explicit, in-cluster, then kubeconfig."""

from __future__ import annotations

import os

from .errors import ConfigError
from .static import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl

    from .credentials import Credential, ExecPlugin

SERVICE_ACCOUNT_ROOT = "/var/run/secrets/kubernetes.io/serviceaccount"


class Config:
    """A resolved configuration. Tokens, passwords and keys never appear in its repr."""

    __slots__ = (
        "server",
        "token",
        "token_file",
        "ca_file",
        "ca_data",
        "verify",
        "client_cert",
        "client_cert_pem",
        "username",
        "password",
        "exec_plugin",
        "namespace",
        "tls_server_name",
        "proxy_url",
        "source",
    )

    def __init__(
        self,
        server: str,
        *,
        token: str | None = None,
        token_file: str | None = None,
        ca_file: str | None = None,
        ca_data: str | None = None,
        verify: bool = True,
        client_cert: tuple[str, str] | None = None,
        client_cert_pem: tuple[str, str] | None = None,
        username: str | None = None,
        password: str | None = None,
        exec_plugin: ExecPlugin | None = None,
        namespace: str = "default",
        tls_server_name: str | None = None,
        proxy_url: str | None = None,
        source: str = "explicit",
    ) -> None:
        self.server = server.rstrip("/")
        self.token = token
        self.token_file = token_file
        self.ca_file = ca_file
        self.ca_data = ca_data
        self.verify = verify
        self.client_cert = client_cert
        self.client_cert_pem = client_cert_pem
        self.username = username
        self.password = password
        self.exec_plugin = exec_plugin
        self.namespace = namespace
        self.tls_server_name = tls_server_name
        self.proxy_url = proxy_url
        self.source = source

    def __repr__(self) -> str:
        return (
            f"Config(server={self.server!r}, namespace={self.namespace!r}, auth={self.auth_kind}, "
            f"verify={self.verify}, source={self.source!r})"
        )

    @property
    def auth_kind(self) -> str:
        if self.exec_plugin is not None:
            return "exec"
        if self.token or self.token_file:
            return "token"
        if self.client_cert or self.client_cert_pem:
            return "client-certificate"
        return "basic" if self.username else "none"

    def bearer_token(self) -> str | None:
        """The current token; a token file is read on each call, so rotated tokens are seen."""
        if self.exec_plugin is not None:
            return self.exec_plugin.credential().token
        if self.token_file:
            try:
                with open(self.token_file) as f:
                    return f.read().strip() or None
            except OSError as exc:
                raise ConfigError(
                    f"cannot read token file {self.token_file}: {exc.strerror}"
                ) from None
        return self.token

    def authorization(self) -> str | None:
        """The Authorization header value, if any."""
        token = self.bearer_token()
        if token:
            return f"Bearer {token}"
        if self.username is not None:
            import base64

            pair = f"{self.username}:{self.password or ''}".encode()
            return "Basic " + base64.b64encode(pair).decode()
        return None

    def refresh(self) -> bool:
        """After a 401: drop cached credentials; True when a retry may succeed."""
        if self.exec_plugin is not None:
            self.exec_plugin.expire()
            return True
        return self.token_file is not None

    def ssl_context(self, credential: Credential | None = None) -> ssl.SSLContext | bool:
        """TLS settings for https servers; verification is on unless explicitly disabled.

        `credential` is the exec credential to take the client certificate from (by default,
        the plugin's current one).
        """
        import ssl

        if not self.server.startswith("https://"):
            if self.proxy_url:
                return True  # the default verification applies to the proxy's TLS
            # No TLS anywhere: a context that trusts no CA fails closed should a connection
            # ever turn to TLS, and costs nothing (loading the system CAs costs ~30 ms).
            return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if not self.verify:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        else:
            try:
                ctx = ssl.create_default_context(cafile=self.ca_file, cadata=self.ca_data)
            except (OSError, ssl.SSLError) as exc:
                where = self.ca_file or "certificate-authority-data"
                raise ConfigError(f"cannot load CA certificates from {where}: {exc}") from None
        pem = self.client_cert_pem
        if pem is None and self.exec_plugin is not None:
            credential = credential or self.exec_plugin.credential()
            if credential.cert_pem and credential.key_pem:
                pem = (credential.cert_pem, credential.key_pem)
        try:
            if self.client_cert:
                ctx.load_cert_chain(*self.client_cert)
            elif pem:
                _load_pem_chain(ctx, *pem)
        except (OSError, ssl.SSLError) as exc:
            where = self.client_cert[0] if self.client_cert else "client-certificate-data"
            raise ConfigError(f"cannot load client certificate {where}: {exc}") from None
        return ctx

    def tls_credential(self) -> Credential | None:
        """The exec credential whose client certificate `ssl_context()` would use, if any:
        when the plugin hands out another one, the client makes a new connection."""
        if self.client_cert or self.client_cert_pem or self.exec_plugin is None:
            return None
        credential = self.exec_plugin.credential()
        return credential if credential.cert_pem else None

    @property
    def trust(self) -> str:
        """Where the server's certificate is checked against, for error messages."""
        if not self.verify:
            return "verification disabled"
        return (
            f"CA file {self.ca_file}"
            if self.ca_file
            else ("certificate-authority-data" if self.ca_data else "the system trust store")
        )


def _load_pem_chain(ctx: ssl.SSLContext, cert: str, key: str) -> None:
    """ssl loads certificates only from files: write them privately, load, remove at once."""
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="kubeapi-")
    try:
        cert_file, key_file = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
        for path, text in ((cert_file, cert), (key_file, key)):
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
                f.write(text)
        ctx.load_cert_chain(cert_file, key_file)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def in_cluster(root: str | None = None) -> Config | None:
    """The pod's own configuration, when KUBERNETES_SERVICE_HOST is set and a token exists.

    The token file is re-read on every request, so the kubelet's hourly rotation (a swap of
    the `..data` symlink) is picked up by a long-running client without a restart.
    """
    host = os.environ.get("KUBERNETES_SERVICE_HOST")
    port = os.environ.get("KUBERNETES_SERVICE_PORT", "443")
    base = root or os.environ.get("KUBEAPI_SERVICEACCOUNT_ROOT", SERVICE_ACCOUNT_ROOT)
    token = os.path.join(base, "token")
    if not host or not os.path.exists(token):
        return None
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    namespace = _read(os.path.join(base, "namespace")) or _downward_namespace() or "default"
    ca = os.path.join(base, "ca.crt")
    return Config(
        f"https://{host}:{port}",
        token_file=token,
        ca_file=ca if os.path.exists(ca) else None,
        namespace=namespace,
        source=f"in-cluster ({base})",
    )


def _read(path: str) -> str:
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def _downward_namespace() -> str | None:
    from ..downward import namespace

    return namespace()


def load_config(kubeconfig: str | None = None, context: str | None = None) -> Config:
    """In-cluster first (unless a kubeconfig or context is named), then kubeconfig.

    When nothing is found, one error lists what was tried and where.
    """
    from .kubeconfig import from_kubeconfig, kubeconfig_paths

    tried = []
    if kubeconfig is None and context is None:
        config = in_cluster()
        if config is not None:
            return config
        root = os.environ.get("KUBEAPI_SERVICEACCOUNT_ROOT", SERVICE_ACCOUNT_ROOT)
        if os.environ.get("KUBERNETES_SERVICE_HOST"):
            tried.append(
                f"in-cluster: KUBERNETES_SERVICE_HOST is set but {root}/token does not exist"
            )
        else:
            tried.append("in-cluster: KUBERNETES_SERVICE_HOST is not set")
    paths = [kubeconfig] if kubeconfig else kubeconfig_paths()
    config = from_kubeconfig(paths, context, explicit=kubeconfig is not None)
    if config is not None:
        return config
    tried.append(f"kubeconfig: no file at {os.pathsep.join(paths)}")
    raise ConfigError("no Kubernetes configuration found; tried " + "; ".join(tried))
