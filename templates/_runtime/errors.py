"""Errors from the API server, each carrying the HTTP status and the server's Status body."""

from __future__ import annotations

from typing import Any


class KubeError(Exception):
    """Base of every error this package raises."""


class ConfigError(KubeError):
    """No usable configuration: says what was tried and where."""


class TransportError(KubeError):
    """The server could not be reached, or its TLS certificate was not trusted."""


class ApiError(KubeError):
    """The server answered with an error status; `status` is its metav1.Status body."""

    def __init__(self, code: int, status: dict[str, Any], method: str, path: str) -> None:
        self.code = code
        self.status = status
        self.reason: str = str(status.get("reason") or "")
        self.message: str = str(status.get("message") or f"HTTP {code}")
        self.method, self.path = method, path
        super().__init__(f"{method} {path}: {code} {self.reason or 'Error'}: {self.message}")


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


class Conflict(ApiError):
    """409: already exists, or the object was modified since it was read."""


class Gone(ApiError):
    """410: the resourceVersion is too old; list again."""


class UnsupportedMediaType(ApiError):
    """415."""


class Invalid(ApiError):
    """422: the object failed validation; `causes` lists each field and why."""

    @property
    def causes(self) -> list[dict[str, Any]]:
        details = self.status.get("details") or {}
        return list(details.get("causes") or ())


class TooManyRequests(ApiError):
    """429."""


class ServerError(ApiError):
    """5xx."""


_BY_CODE: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    410: Gone,
    415: UnsupportedMediaType,
    422: Invalid,
    429: TooManyRequests,
}


def api_error(code: int, status: dict[str, Any], method: str, path: str) -> ApiError:
    """The most specific ApiError subclass for an HTTP status code."""
    cls = _BY_CODE.get(code, ServerError if code >= 500 else ApiError)
    return cls(code, status, method, path)
