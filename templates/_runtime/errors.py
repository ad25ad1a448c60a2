"""Errors of the API server and of the transport: each says what was asked, where, and why.

`ApiError` subclasses carry the method, the full URL (never credentials), the HTTP status,
and the server's `Status` fields: reason, message, details and causes. `TransportError`
subclasses say whether the request can have reached the server, which is what decides
whether it may be retried. Server `Warning` headers become `KubeWarning`s.
"""

from __future__ import annotations

from .static import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any


class KubeError(Exception):
    """Base of every error this package raises."""


class ConfigError(KubeError):
    """No usable configuration: says what was tried and where."""


class TransportError(KubeError):
    """No HTTP answer: the server could not be reached, or the connection failed.

    `reached` is False when the request provably never got to the server (refused, DNS,
    TLS, connect timeout): then any request may be retried.
    """

    reached = True
    retryable = True  # False for what will fail again the same way (an untrusted certificate)

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.method, self.url = method, url


class ConnectError(TransportError):
    """The connection was never made: refused, name not resolved, or TLS not trusted."""

    reached = False


class ConnectTimeout(ConnectError):
    """No connection within the connect timeout."""


class ReadTimeout(TransportError):
    """Connected, but no bytes arrived within the read timeout."""


class ConnectionLost(TransportError):
    """The connection broke during the request (reset, closed mid-answer)."""


class ResourceNotFound(KubeError):
    """Discovery found no resource for an apiVersion and kind (`Client.resource()`)."""


class DecodeError(KubeError):
    """A success answer whose body is not the JSON expected."""

    def __init__(self, message: str, *, method: str, url: str, content_type: str) -> None:
        super().__init__(message)
        self.method, self.url, self.content_type = method, url, content_type


class KubeWarning(UserWarning):
    """A `Warning` header of the API server (a deprecated API, an unknown field, ...)."""


class ApiError(KubeError):
    """The server answered with an error status; `status` is its metav1.Status body."""

    def __init__(self, code: int, status: dict[str, Any], method: str, url: str) -> None:
        self.code = code
        self.status = status
        self.reason: str = str(status.get("reason") or "")
        self.message: str = str(status.get("message") or f"HTTP {code}")
        details = status.get("details")
        self.details: dict[str, Any] = details if isinstance(details, dict) else {}
        self.method, self.url = method, url
        super().__init__(f"{method} {url}: {code} {self.reason or 'Error'}: {self.message}")

    @property
    def path(self) -> str:
        """The URL's path and query, without the server."""
        rest = self.url.split("://", 1)[-1]
        return "/" + rest.split("/", 1)[1] if "/" in rest else "/"

    @property
    def causes(self) -> list[dict[str, Any]]:
        """Each field that failed and why, when the server said (`details.causes`)."""
        return [c for c in self.details.get("causes") or () if isinstance(c, dict)]


class BadRequest(ApiError):
    """400."""


class Unauthorized(ApiError):
    """401: the credentials were refused."""


class Forbidden(ApiError):
    """403: authenticated, but not allowed."""


class NotFound(ApiError):
    """404."""


class MethodNotAllowed(ApiError):
    """405."""


class NotAcceptable(ApiError):
    """406: the server cannot answer in the format asked for."""


class Conflict(ApiError):
    """409: the object was modified since it was read (or, as AlreadyExists, exists)."""


class AlreadyExists(Conflict):
    """409 with reason AlreadyExists: a create of a name that is taken."""


class Gone(ApiError):
    """410: the resourceVersion is too old; list again."""


class RequestEntityTooLarge(ApiError):
    """413."""


class UnsupportedMediaType(ApiError):
    """415."""


class Invalid(ApiError):
    """422: the object failed validation; `causes` lists each field and why."""


class TooManyRequests(ApiError):
    """429: `retry_after` is how many seconds the server asked to wait, if it said."""

    retry_after: float | None = None


class ServerError(ApiError):
    """5xx."""


class InternalError(ServerError):
    """500."""


class ServiceUnavailable(ServerError):
    """503."""


class ServerTimeout(ServerError):
    """504, or reason ServerTimeout: the server gave up on the request."""


_BY_CODE: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    406: NotAcceptable,
    409: Conflict,
    410: Gone,
    413: RequestEntityTooLarge,
    415: UnsupportedMediaType,
    422: Invalid,
    429: TooManyRequests,
    500: InternalError,
    503: ServiceUnavailable,
    504: ServerTimeout,
}
_BY_REASON: dict[str, type[ApiError]] = {
    "AlreadyExists": AlreadyExists,
    "ServerTimeout": ServerTimeout,
    "Timeout": ServerTimeout,
}


def api_error(
    code: int, status: dict[str, Any], method: str, url: str, retry_after: float | None = None
) -> ApiError:
    """The most specific ApiError for an HTTP status code and the Status reason."""
    cls = _BY_REASON.get(str(status.get("reason") or "")) or _BY_CODE.get(code)
    if cls is None:
        cls = ServerError if code >= 500 else ApiError
    error = cls(code, status, method, url)
    if isinstance(error, TooManyRequests):
        seconds = retry_after
        if seconds is None:
            seconds = error.details.get("retryAfterSeconds")
        error.retry_after = float(seconds) if isinstance(seconds, (int, float)) else None
    return error


def excerpt(content: bytes, limit: int = 200) -> str:
    """A short, readable excerpt of a body that is not JSON (an HTML page from a proxy)."""
    import re

    text = content.decode(errors="replace")
    text = re.sub(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", " ", text, flags=re.S | re.I)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number of seconds; dates are not used by
    Kubernetes)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def warn(header_values: list[str]) -> None:
    """Surface each `Warning` header of a response as a KubeWarning."""
    import re
    import warnings

    for value in header_values:
        for match in re.finditer(r'\d{3} \S+ "((?:[^"\\]|\\.)*)"', value):
            text = re.sub(r"\\(.)", r"\1", match.group(1))
            warnings.warn(text, KubeWarning, stacklevel=4)
