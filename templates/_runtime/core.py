"""The client's decisions, free of I/O, shared by the sync and async clients.

What a request looks like, what an answer means, when to retry and how long to wait, how a
watch resumes and what it must tell its consumer after losing its place: all decided here.
The clients in client.py only send, stream and sleep.
"""

from __future__ import annotations

from . import codec
from .errors import ApiError, DecodeError, Gone, api_error, excerpt, retry_after
from .model import Model
from .static import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any, Literal

    import httpx

    EventType = Literal["ADDED", "MODIFIED", "DELETED"]
    OnGone = Literal["relist", "raise"]

M = TypeVar("M", bound=Model)

# Verbs that may be sent again after an answer that may have come after the server acted.
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


class _Settings:
    """A small immutable value: keyword construction, equality and repr by its slots (no
    dataclasses: importing them costs more than all the models)."""

    __slots__: tuple[str, ...] = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _set(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in self.__slots__))

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Timeout(_Settings):
    """Seconds to wait for a connection, for bytes of the answer, to send, and for a pooled
    connection; `None` waits forever. A watch's read timeout is how long it waits for any
    byte (bookmarks included) before it reconnects."""

    __slots__ = ("connect", "read", "write", "pool")
    connect: float | None
    read: float | None
    write: float | None
    pool: float | None

    def __init__(
        self,
        connect: float | None = 10.0,
        read: float | None = 30.0,
        write: float | None = 30.0,
        pool: float | None = 10.0,
    ) -> None:
        self._set(connect=connect, read=read, write=write, pool=pool)

    @classmethod
    def of(cls, value: Timeout | float | None) -> Timeout:
        if isinstance(value, Timeout):
            return value
        return cls() if value is None else cls(value, value, value, value)

    def with_read(self, read: float | None) -> Timeout:
        return Timeout(self.connect, read, self.write, self.pool)

    def httpx(self) -> httpx.Timeout:
        import httpx

        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


class Retry(_Settings):
    """When a request is sent again, and how long to wait before it.

    GET, HEAD, PUT and DELETE are retried after connection failures and after 429, 500,
    502, 503 and 504; POST and PATCH only when they provably never reached the server
    (refused, name not resolved, connect timeout) or were turned away with 429 (the server
    did not act on them). Waits grow exponentially with full jitter, a Retry-After is
    honoured up to `max_retry_after`, and retries stop after `attempts` tries or once the
    next wait would pass `total` seconds since the first try, whichever comes first.
    """

    __slots__ = ("attempts", "backoff", "max_backoff", "total", "max_retry_after", "statuses")
    attempts: int
    backoff: float
    max_backoff: float
    total: float
    max_retry_after: float
    statuses: frozenset[int]

    def __init__(
        self,
        attempts: int = 5,
        backoff: float = 0.2,
        max_backoff: float = 5.0,
        total: float = 30.0,
        max_retry_after: float = 30.0,
        statuses: Iterable[int] = (429, 500, 502, 503, 504),
    ) -> None:
        self._set(
            attempts=attempts,
            backoff=backoff,
            max_backoff=max_backoff,
            total=total,
            max_retry_after=max_retry_after,
            statuses=frozenset(statuses),
        )

    def delay(
        self,
        attempt: int,
        method: str,
        elapsed: float,
        *,
        status: int | None = None,
        reached: bool = True,
        server_delay: float | None = None,
    ) -> float | None:
        """Seconds to wait before try `attempt + 1`, or None to give up.

        `status` is the answer's HTTP status; without one, the request failed in transport
        and `reached` says whether it may have got to the server.
        """
        if attempt >= self.attempts:
            return None
        if status is not None:
            if status not in self.statuses:
                return None
            if method not in IDEMPOTENT and status != 429:
                return None
        elif reached and method not in IDEMPOTENT:
            return None
        if server_delay is not None:
            wait = min(server_delay, self.max_retry_after)
        else:
            import random

            wait = random.uniform(0, min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))
        return wait if elapsed + wait <= self.total else None


NO_RETRY = Retry(attempts=1)


class RateLimit(_Settings):
    """A client-side limit shared by every request of a client: `qps` per second on average,
    in bursts of up to `burst`."""

    __slots__ = ("qps", "burst")
    qps: float
    burst: int

    def __init__(self, qps: float, burst: int = 1) -> None:
        if qps <= 0:
            raise ValueError("RateLimit: qps must be positive")
        self._set(qps=qps, burst=max(burst, 1))

    def bucket(self) -> TokenBucket:
        return TokenBucket(self.qps, self.burst)


class TokenBucket:
    """A token bucket; `take` reserves a token and says how long to wait for it."""

    __slots__ = ("rate", "burst", "tokens", "stamp")

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp: float | None = None

    def take(self, now: float) -> float:
        if self.stamp is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


def params(**values: Any) -> dict[str, str]:
    """Query parameters in camelCase, without the unset ones."""
    out = {}
    for key, value in values.items():
        if value is None:
            continue
        wire = key.rstrip("_").split("_")
        out[wire[0] + "".join(w.title() for w in wire[1:])] = (
            str(value).lower() if isinstance(value, bool) else str(value)
        )
    return out


def body(value: Any) -> bytes:
    """A request body: a model, or anything JSON-serialisable (a dict, a JSON-patch list)."""
    return value.to_json() if isinstance(value, Model) else codec.dumps(value)


def metadata(obj: Model | Mapping[str, Any]) -> dict[str, Any]:
    """An object's metadata as a dict, read without copying the object."""
    meta = obj._d.get("metadata") if isinstance(obj, Model) else obj.get("metadata")
    meta = codec.obj(meta)
    return meta if isinstance(meta, dict) else {}


def key(obj: Model) -> tuple[str, str]:
    """(namespace, name) of an object."""
    namespace, name, _ = codec.identity(obj._d.get("metadata"))
    return namespace, name


def version_of(obj: Model) -> str:
    """An object's resourceVersion."""
    return codec.identity(obj._d.get("metadata"))[2]


def status_of(content: bytes, code: int, content_type: str) -> dict[str, Any]:
    """The metav1.Status of an error answer; a readable stand-in when the body is not one."""
    try:
        found = codec.plain(codec.loads(content)) if content else None
    except ValueError:
        found = None
    if isinstance(found, dict) and (found.get("kind") == "Status" or "message" in found):
        return found
    what = content_type.split(";")[0] or "no content type"
    text = excerpt(content)
    message = f"HTTP {code} ({what})" + (f": {text}" if text else "")
    return {"kind": "Status", "status": "Failure", "code": code, "message": message}


def error(code: int, content: bytes, headers: Mapping[str, str], method: str, url: str) -> ApiError:
    """The ApiError an error answer describes."""
    status = status_of(content, code, headers.get("content-type", ""))
    return api_error(code, status, method, url, retry_after(headers.get("retry-after")))


def decode(cls: type[M], content: bytes, method: str, url: str, content_type: str) -> M:
    """A success answer as a model; a DecodeError naming the URL if it is not a JSON object."""
    try:
        return cls.from_json(content)
    except ValueError as exc:
        raise DecodeError(
            f"{method} {url}: expected a JSON object, got {content_type or 'no content type'}:"
            f" {excerpt(content, 120) or 'an empty body'} ({exc})",
            method=method,
            url=url,
            content_type=content_type,
        ) from None


class WatchEvent(Generic[M]):
    """One change a watch delivers: ADDED, MODIFIED or DELETED, the object, and (for
    MODIFIED, when known) the object it replaced."""

    __slots__ = ("type", "object", "old")

    def __init__(self, type: EventType, object: M, old: M | None = None) -> None:
        self.type, self.object, self.old = type, object, old

    def __repr__(self) -> str:
        return f"WatchEvent({self.type}, {self.object!r})"


class WatchState(Generic[M]):
    """Where a watch resumes, and what its consumer has been told.

    Events move the resourceVersion forward (bookmarks too) and update `objects`, the last
    object delivered under each (namespace, name). After 410 Gone the watch lists again and
    `listed` turns the difference between `objects` and the list into synthetic changes, so a
    consumer that applies every change always ends equal to the server, and never sees the
    same (type, name, resourceVersion) twice.
    """

    def __init__(self, resource_version: str | None, on_gone: OnGone = "relist") -> None:
        self.resource_version = resource_version if resource_version not in ("", "0") else None
        self.on_gone = on_gone
        self.objects: dict[tuple[str, str], M] = {}
        self.needs_list = self.resource_version is None

    def listed(self, items: Iterable[M], resource_version: str) -> list[WatchEvent[M]]:
        """The changes a fresh list means, against what was delivered; resume from it."""
        fresh: dict[tuple[str, str], M] = {}
        changes: list[WatchEvent[M]] = []
        for obj in items:
            where = key(obj)
            fresh[where] = obj
            old = self.objects.get(where)
            if old is None:
                changes.append(WatchEvent("ADDED", obj))
            elif version_of(old) != version_of(obj):
                changes.append(WatchEvent("MODIFIED", obj, old))
        for where, old in self.objects.items():
            if where not in fresh:
                changes.append(WatchEvent("DELETED", old))
        self.objects = fresh
        self.resource_version = resource_version
        self.needs_list = False
        return changes

    def event(self, kind: str, obj: M) -> WatchEvent[M] | None:
        """What one watch event means for the consumer (None: nothing to tell).

        Types pass through as the server sent them; an object already delivered at this
        resourceVersion (after a reconnect or a relist) is not delivered again.
        """
        # The metadata one level deep, its identity decoded once and kept: nearly every
        # consumer reads the name next. Strings and lazily kept values cost the collector
        # nothing.
        d = obj._d
        meta = d.get("metadata")
        namespace, name, version = codec.identity(meta)
        if type(meta) is codec.Raw:
            meta = d["metadata"] = codec.obj(meta)
            for field, value in (
                ("namespace", namespace),
                ("name", name),
                ("resourceVersion", version),
            ):
                if value:
                    meta[field] = value
        if version:
            self.resource_version = version
        if kind == "BOOKMARK":
            return None
        if kind not in ("ADDED", "MODIFIED", "DELETED"):
            raise ValueError(f"unknown watch event type {kind!r}")
        where = (namespace, name)
        old = self.objects.get(where)
        if kind == "DELETED":
            self.objects.pop(where, None)
            return WatchEvent("DELETED", obj)
        if old is not None and version_of(old) == version:
            return None
        self.objects[where] = obj
        return WatchEvent("ADDED" if kind == "ADDED" else "MODIFIED", obj, old)

    def gone(self, error: Gone) -> None:
        """The server no longer has our resourceVersion: list again, or raise if asked to."""
        if self.on_gone == "raise":
            raise error
        self.needs_list = True


def label_matcher(selector: str | None) -> Any:
    """A predicate on a labels dict for a label selector (=, ==, !=, in, notin, exists, !)."""
    if not selector:
        return lambda labels: True
    tests = []
    for term in _terms(selector):
        tests.append(_label_test(term.strip()))
    return lambda labels: all(test(labels) for test in tests)


def _terms(selector: str) -> list[str]:
    terms, depth, start = [], 0, 0
    for i, ch in enumerate(selector):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            terms.append(selector[start:i])
            start = i + 1
    terms.append(selector[start:])
    return [t for t in terms if t.strip()]


def _label_test(term: str) -> Any:
    for word, negate in ((" notin ", True), (" in ", False)):
        if word in term:
            name, _, rest = term.partition(word)
            values = {v.strip() for v in rest.strip().strip("()").split(",")}
            name = name.strip()
            if negate:
                return lambda labels: labels.get(name) not in values
            return lambda labels: labels.get(name) in values
    for op, negate in (("!=", True), ("==", False), ("=", False)):
        if op in term:
            name, _, value = (s.strip() for s in term.partition(op))
            if negate:
                return lambda labels: labels.get(name) != value
            return lambda labels: labels.get(name) == value
    if term.startswith("!"):
        name = term[1:].strip()
        return lambda labels: name not in labels
    return lambda labels: term in labels


def labels_of(obj: Model) -> dict[str, Any]:
    found = codec.plain(metadata(obj).get("labels") or {})
    return found if isinstance(found, dict) else {}
