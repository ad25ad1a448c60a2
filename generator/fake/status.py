"""metav1.Status bodies with the real server's reasons, codes and wording."""

from __future__ import annotations

from typing import Any


class StatusError(Exception):
    """A failed request; the handler turns it into a Status response."""

    def __init__(
        self, code: int, reason: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details

    def body(self) -> dict[str, Any]:
        status: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            status["details"] = self.details
        return status


def _qualified(plural: str, group: str) -> str:
    return f"{plural}.{group}" if group else plural


def _details(name: str, plural: str, group: str) -> dict[str, Any]:
    details: dict[str, Any] = {"name": name, "kind": plural}
    if group:
        details["group"] = group
    return details


def not_found(plural: str, group: str, name: str) -> StatusError:
    return StatusError(
        404,
        "NotFound",
        f'{_qualified(plural, group)} "{name}" not found',
        _details(name, plural, group),
    )


def already_exists(plural: str, group: str, name: str) -> StatusError:
    return StatusError(
        409,
        "AlreadyExists",
        f'{_qualified(plural, group)} "{name}" already exists',
        _details(name, plural, group),
    )


def conflict(plural: str, group: str, name: str, why: str) -> StatusError:
    return StatusError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {_qualified(plural, group)} "{name}": {why}',
        _details(name, plural, group),
    )


MODIFIED = (
    "the object has been modified; please apply your changes to the latest version and try again"
)


def invalid(kind: str, group: str, name: str, causes: list[dict[str, str]]) -> StatusError:
    qualified = f"{kind}.{group}" if group else kind
    # field.ErrorList.ToAggregate(): each message once; several are bracketed, comma-joined.
    errors = list(dict.fromkeys(f"{c['field']}: {c['message']}" for c in causes))
    text = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
    details = {"name": name, "group": group, "kind": kind, "causes": causes}
    if not group:
        del details["group"]
    return StatusError(422, "Invalid", f'{qualified} "{name}" is invalid: {text}', details)


def bad_request(message: str) -> StatusError:
    return StatusError(400, "BadRequest", message)


def forbidden_anonymous(verb: str, what: str) -> StatusError:
    return StatusError(
        403, "Forbidden", f'forbidden: User "system:anonymous" cannot {verb} {what}', {}
    )


def forbidden_resource(
    verb: str, plural: str, sub: str, group: str, name: str | None, namespace: str | None
) -> StatusError:
    """The RBAC denial for an anonymous request to a resource, worded as the real server's."""
    what = f'{_qualified(plural, group)} "{name}"' if name else _qualified(plural, group)
    scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    resource = f"{plural}/{sub}" if sub else plural
    message = (
        f'{what} is forbidden: User "system:anonymous" cannot {verb} resource "{resource}" '
        f'in API group "{group}" {scope}'
    )
    details: dict[str, Any] = {"kind": plural}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    return StatusError(403, "Forbidden", message, details)


def unauthorized() -> StatusError:
    return StatusError(401, "Unauthorized", "Unauthorized")


def gone(message: str) -> StatusError:
    return StatusError(410, "Expired", message)


def method_not_allowed() -> StatusError:
    return StatusError(
        405, "MethodNotAllowed", "the server does not allow this method on the requested resource"
    )


def unsupported_media_type(
    content_type: str, accepted: tuple[str, ...] = ("application/json", "application/yaml")
) -> StatusError:
    return StatusError(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
        f'{", ".join(accepted)}; got "{content_type}"',
    )


def path_not_found() -> StatusError:
    return StatusError(404, "NotFound", "the server could not find the requested resource", {})


def too_large(limit: int) -> StatusError:
    return StatusError(413, "RequestEntityTooLarge", f"Request entity too large: limit is {limit}")


# What the real server answers when it cannot or will not serve, for FakeServer.inject().
_INJECTED = {
    410: ("Expired", "too old resource version: 1 (2)"),
    429: ("TooManyRequests", "too many requests, please try again later"),
    500: ("InternalError", "Internal error occurred: injected by the test"),
    502: ("", "the backend is unavailable"),
    503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
    504: (
        "Timeout",
        "Timeout: request did not complete within requested timeout - context deadline exceeded",
    ),
}


def injected(code: int, message: str | None, retry_after: int | None) -> StatusError:
    reason, default = _INJECTED.get(code, ("", f"injected {code}"))
    details = {"retryAfterSeconds": retry_after} if retry_after is not None else None
    return StatusError(code, reason, message or default, details)
