"""What a pod learns about itself from the Downward API: environment variables and volume files.

Two forms feed a container, and they differ in one way that matters: environment variables
are resolved once, when the container starts, while a `downwardAPI` volume is rewritten by
the kubelet whenever labels, annotations or (with in-place resize) resources change. So
`DownwardEnv` is read once, and `DownwardVolume` can be read again or watched.

    env = DownwardEnv.from_environ()        # POD_NAME, POD_NAMESPACE, ... (names configurable)
    info = DownwardVolume().read()          # /etc/downward/podName, labels, annotations, ...
    for change in DownwardVolume().watch(timeout=60.0):
        print(change.labels.added, change.annotations.changed)

`namespace()` is the pod's own namespace (POD_NAMESPACE, else the volume's `podNamespace`),
for defaulting a client's namespace.

The kubelet writes `labels` and `annotations` one `key="value"` per line, sorted by key, the
value quoted as Go's `strconv.Quote` does; `unquote_go` and `parse_map` read that format,
`quote_go` and `format_map` write it (for fixtures and tests).
"""

from __future__ import annotations

import dataclasses
import errno
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

__all__ = [
    "DEFAULT_VOLUME_DIR",
    "ENV_NAMES",
    "VOLUME_FILES",
    "DownwardEnv",
    "DownwardFormatError",
    "DownwardVolume",
    "MapDiff",
    "VolumeChange",
    "VolumeSnapshot",
    "format_map",
    "namespace",
    "parse_map",
    "quote_go",
    "unquote_go",
]

DEFAULT_VOLUME_DIR = "/etc/downward"
"""Where `DownwardVolume` looks unless given a path or `KUBEAPI_DOWNWARD_DIR` is set."""

ENV_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "pod_name": "POD_NAME",
        "namespace": "POD_NAMESPACE",
        "pod_ip": "POD_IP",
        "pod_ips": "POD_IPS",
        "node_name": "NODE_NAME",
        "host_ip": "HOST_IP",
        "service_account": "SERVICE_ACCOUNT",
        "pod_uid": "POD_UID",
        "cpu_request": "CONTAINER_CPU_REQUEST_MILLICORES",
        "cpu_limit": "CONTAINER_CPU_LIMIT_MILLICORES",
        "memory_request": "CONTAINER_MEMORY_REQUEST_KIBIBYTES",
        "memory_limit": "CONTAINER_MEMORY_LIMIT_KIBIBYTES",
    }
)
"""`DownwardEnv` field -> the environment variable it is read from, by convention.

The variables exist only if the pod spec sets them: `valueFrom.fieldRef` (`metadata.name`,
`metadata.namespace`, `metadata.uid`, `status.podIP`, `status.podIPs`, `spec.nodeName`,
`status.hostIP`, `spec.serviceAccountName`) or `valueFrom.resourceFieldRef`
(`requests.cpu`, `limits.cpu`, `requests.memory`, `limits.memory`).
"""

VOLUME_FILES: Mapping[str, str] = MappingProxyType(
    {
        "pod_name": "podName",
        "namespace": "podNamespace",
        "uid": "uid",
        "labels": "labels",
        "annotations": "annotations",
        "cpu_request": "cpu_request",
        "cpu_limit": "cpu_limit",
        "memory_request": "mem_request",
        "memory_limit": "mem_limit",
    }
)
"""`VolumeSnapshot` field -> the item `path` it is read from, relative to the volume."""

_DATA = "..data"
_READ_ATTEMPTS = 50
_INT_FIELDS = frozenset({"cpu_request", "cpu_limit", "memory_request", "memory_limit"})
_MAP_FIELDS = frozenset({"labels", "annotations"})


def _merge_names(
    defaults: Mapping[str, str], names: Mapping[str, str] | None, what: str
) -> dict[str, str]:
    merged = dict(defaults)
    if names:
        unknown = sorted(set(names) - set(defaults))
        if unknown:
            raise ValueError(
                f"unknown {what} {', '.join(map(repr, unknown))}; known: {', '.join(defaults)}"
            )
        merged.update(names)
    return merged


def _whole_number(text: str) -> int | None:
    """A non-negative decimal integer in ASCII digits (int() would also take '1_0' or '+1')."""
    text = text.strip()
    if text and text.isascii() and text.isdigit():
        return int(text)
    return None


# ---------------------------------------------------------------------------------------------
# Environment variables


@dataclass(frozen=True, slots=True)
class DownwardEnv:
    """The Downward API as environment variables: fixed when the container started.

    Each field is None when its variable is not set. Environment variables never change while
    the container runs; labels and annotations are only available through the volume form,
    which the kubelet keeps up to date (see `DownwardVolume`).

    The four resource fields are whole numbers in the unit of the `divisor` of the
    container's `resourceFieldRef`: the default variable names assume `divisor: 1m` for CPU
    (millicores) and `divisor: 1Ki` for memory (kibibytes). The kubelet rounds up, and a limit
    that is not set is reported as the node's allocatable amount.
    """

    pod_name: str | None = None
    """`metadata.name`."""
    namespace: str | None = None
    """`metadata.namespace`."""
    pod_ip: str | None = None
    """`status.podIP`: the primary IP."""
    pod_ips: tuple[str, ...] | None = None
    """`status.podIPs`: every IP (IPv4 and IPv6 on dual-stack), comma-separated in the variable."""
    node_name: str | None = None
    """`spec.nodeName`."""
    host_ip: str | None = None
    """`status.hostIP`."""
    service_account: str | None = None
    """`spec.serviceAccountName`."""
    pod_uid: str | None = None
    """`metadata.uid`."""
    cpu_request: int | None = None
    """`requests.cpu` in divisor units (millicores with the default name)."""
    cpu_limit: int | None = None
    """`limits.cpu` in divisor units (millicores with the default name)."""
    memory_request: int | None = None
    """`requests.memory` in divisor units (kibibytes with the default name)."""
    memory_limit: int | None = None
    """`limits.memory` in divisor units (kibibytes with the default name)."""

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] | None = None, *, names: Mapping[str, str] | None = None
    ) -> DownwardEnv:
        """Read the variables from `environ` (default `os.environ`).

        `names` maps field names to variable names, overriding `ENV_NAMES` for those fields,
        e.g. `names={"namespace": "MY_NAMESPACE"}`. A resource variable that is not a whole
        number raises ValueError naming the variable.
        """
        env = os.environ if environ is None else environ
        variables = _merge_names(ENV_NAMES, names, "environment field")
        values: dict[str, object] = {}
        for name, variable in variables.items():
            text = env.get(variable)
            if text is None:
                continue
            if name in _INT_FIELDS:
                number = _whole_number(text)
                if number is None:
                    raise ValueError(
                        f"environment variable {variable}={text!r} is not a whole number "
                        f"(expected a resourceFieldRef value, in units of its divisor)"
                    )
                values[name] = number
            elif name == "pod_ips":
                values[name] = tuple(ip.strip() for ip in text.split(",") if ip.strip())
            else:
                values[name] = text
        return cls(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Go-quoted strings, as the kubelet writes label and annotation values


class DownwardFormatError(ValueError):
    """A downward volume file that is not in the kubelet's format; names the file and line."""

    def __init__(self, filename: str, lineno: int, reason: str) -> None:
        super().__init__(f"{filename}:{lineno}: {reason}")
        self.filename = filename
        self.lineno = lineno
        self.reason = reason


class _Syntax(Exception):
    """A Go string literal error at a character offset of the text being parsed."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(reason)
        self.offset = offset
        self.reason = reason


_SIMPLE_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, '"': 34}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_HEX = frozenset("0123456789abcdefABCDEF")
_OCTAL = frozenset("01234567")
_PLAIN = re.compile(r'[^"\\\n]*')


def _unquote_at(text: str, start: int) -> tuple[str, int]:
    """The Go interpreted string literal at `text[start]`, and the offset just past it.

    Follows strconv.Unquote: escapes `\\a \\b \\f \\n \\r \\t \\v \\\\ \\"`, `\\xNN` and
    `\\NNN` (octal) bytes, `\\uNNNN` and `\\UNNNNNNNN` code points; a raw newline or any
    other escape is an error. Bytes that do not form UTF-8 (which strconv.Quote writes as
    `\\xNN`) decode as surrogate escapes, as `os.fsdecode` does.
    """
    if start >= len(text) or text[start] != '"':
        raise _Syntax(start, "expected a double-quoted Go string")
    out = bytearray()
    end = len(text)
    i = start + 1
    while True:  # every pass consumes at least one character
        match = _PLAIN.match(text, i)
        assert match is not None  # the pattern matches the empty string
        j = match.end()
        if j > i:
            out += text[i:j].encode("utf-8", "surrogateescape")
        if j >= end:
            raise _Syntax(j, "unterminated string: no closing quote")
        char = text[j]
        if char == '"':
            return bytes(out).decode("utf-8", "surrogateescape"), j + 1
        if char == "\n":
            raise _Syntax(j, "newline inside a quoted string")
        if j + 1 >= end:
            raise _Syntax(j, "unterminated escape at end of text")
        kind = text[j + 1]
        simple = _SIMPLE_ESCAPES.get(kind)
        if simple is not None:
            out.append(simple)
            i = j + 2
            continue
        width = _HEX_ESCAPES.get(kind)
        if width is not None:
            digits = text[j + 2 : j + 2 + width]
            if len(digits) != width or not _HEX.issuperset(digits):
                raise _Syntax(j, f"\\{kind} needs {width} hex digits")
            value = int(digits, 16)
            if kind == "x":
                out.append(value)
            elif value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                raise _Syntax(j, f"\\{kind}{digits} is not a Unicode code point")
            else:
                out += chr(value).encode("utf-8")
            i = j + 2 + width
            continue
        if kind in _OCTAL:
            digits = text[j + 1 : j + 4]
            if len(digits) != 3 or not _OCTAL.issuperset(digits):
                raise _Syntax(j, "octal escape needs 3 digits")
            value = int(digits, 8)
            if value > 0xFF:
                raise _Syntax(j, f"octal escape \\{digits} is above \\377")
            out.append(value)
            i = j + 4
            continue
        raise _Syntax(j, f"unknown escape \\{kind}")


def unquote_go(literal: str) -> str:
    """The value of one Go interpreted string literal, quotes included (`"a\\tb"` -> a, tab, b).

    Raises ValueError, with the offset, on anything strconv.Unquote would reject for a
    double-quoted string, and on text after the closing quote.
    """
    try:
        value, end = _unquote_at(literal, 0)
        if end != len(literal):
            raise _Syntax(end, "text after the closing quote")
    except _Syntax as exc:
        raise ValueError(f"{exc.reason} (offset {exc.offset}) in {literal[:80]!r}") from None
    return value


_QUOTE_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}


def quote_go(value: str) -> str:
    """`value` as Go's strconv.Quote writes it (so as the kubelet writes label values).

    Printable characters stay as they are; the rest become `\\n`-style, `\\xNN`, `\\uNNNN` or
    `\\UNNNNNNNN` escapes. "Printable" is Python's `str.isprintable`, the same rule as Go's
    `strconv.IsPrint` (letters, marks, numbers, punctuation, symbols and the ASCII space), up
    to the Unicode versions of the two. Surrogate escapes (U+DC80..U+DCFF) are written as the
    bytes they stand for; any other lone surrogate raises ValueError.
    """
    parts = ['"']
    for char in value:
        code = ord(char)
        escape = _QUOTE_ESCAPES.get(char)
        if escape is not None:
            parts.append(escape)
        elif 0xDC80 <= code <= 0xDCFF:
            parts.append(f"\\x{code - 0xDC00:02x}")
        elif char.isprintable():
            parts.append(char)
        elif code < 0x20 or code == 0x7F:
            parts.append(f"\\x{code:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"lone surrogate U+{code:04X} cannot be quoted")
        elif code < 0x10000:
            parts.append(f"\\u{code:04x}")
        else:
            parts.append(f"\\U{code:08x}")
    parts.append('"')
    return "".join(parts)


def parse_map(text: str, *, filename: str = "<string>") -> dict[str, str]:
    """Labels or annotations in the kubelet's format: one `key="Go-quoted value"` per line.

    The kubelet sorts the lines by key and writes no final newline; one is tolerated. A line
    that is not `key="..."` (empty lines included), or a key given twice, raises
    `DownwardFormatError` (a ValueError) naming `filename` and the line number.
    """
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    out: dict[str, str] = {}
    for lineno, line in enumerate(lines, 1):
        key, equals, _ = line.partition("=")
        if not equals:
            raise DownwardFormatError(filename, lineno, 'expected key="value", found no "="')
        if not key or '"' in key or any(c.isspace() for c in key):
            raise DownwardFormatError(filename, lineno, f"invalid key {key!r}")
        try:
            value, end = _unquote_at(line, len(key) + 1)
            if end != len(line):
                raise _Syntax(end, "text after the closing quote")
        except _Syntax as exc:
            reason = f"{exc.reason} (column {exc.offset + 1}) in the value of {key!r}"
            raise DownwardFormatError(filename, lineno, reason) from None
        if key in out:
            raise DownwardFormatError(filename, lineno, f"duplicate key {key!r}")
        out[key] = value
    return out


def format_map(values: Mapping[str, str]) -> str:
    """`values` as the kubelet writes a labels or annotations file: sorted, no final newline."""
    return "\n".join(f"{key}={quote_go(values[key])}" for key in sorted(values))


# ---------------------------------------------------------------------------------------------
# The volume


def _frozen_map(values: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(values or {}))


@dataclass(frozen=True, slots=True)
class VolumeSnapshot:
    """The files of a downward volume, all read from one version of it.

    A field whose file is absent (not projected by the pod spec) is None, except `labels` and
    `annotations`, which are then empty; `found` says which fields had a file. The resource
    fields are whole numbers in the unit of the `divisor` of the item's `resourceFieldRef`
    (the kubelet rounds up; a limit that is not set reads as the node's allocatable amount).
    Two snapshots are equal when their contents are, whatever `version` they came from.
    """

    pod_name: str | None = None
    namespace: str | None = None
    uid: str | None = None
    labels: Mapping[str, str] = field(default_factory=_frozen_map)
    annotations: Mapping[str, str] = field(default_factory=_frozen_map)
    cpu_request: int | None = None
    cpu_limit: int | None = None
    memory_request: int | None = None
    memory_limit: int | None = None
    found: frozenset[str] = frozenset()
    """Names of the fields whose files were present."""
    version: str | None = field(default=None, compare=False)
    """The timestamped directory `..data` pointed to (`..2026_11_25_10_00_00.123456789`), or
    None for a plain directory not written by the kubelet."""


_COMPARED = tuple(f.name for f in dataclasses.fields(VolumeSnapshot) if f.compare)


@dataclass(frozen=True, slots=True)
class MapDiff:
    """How a mapping changed: keys added and removed (with their values), and values changed."""

    added: Mapping[str, str] = field(default_factory=_frozen_map)
    removed: Mapping[str, str] = field(default_factory=_frozen_map)
    changed: Mapping[str, tuple[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    """key -> (old value, new value)."""

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    @classmethod
    def between(cls, old: Mapping[str, str], new: Mapping[str, str]) -> MapDiff:
        return cls(
            added=_frozen_map({k: v for k, v in new.items() if k not in old}),
            removed=_frozen_map({k: v for k, v in old.items() if k not in new}),
            changed=MappingProxyType(
                {k: (old[k], v) for k, v in new.items() if k in old and old[k] != v}
            ),
        )


@dataclass(frozen=True, slots=True)
class VolumeChange:
    """What changed between two snapshots of a downward volume."""

    before: VolumeSnapshot
    after: VolumeSnapshot
    labels: MapDiff
    annotations: MapDiff
    fields: tuple[str, ...]
    """Names of the `VolumeSnapshot` fields that differ, e.g. `("labels", "cpu_limit")`."""

    @classmethod
    def between(cls, before: VolumeSnapshot, after: VolumeSnapshot) -> VolumeChange:
        return cls(
            before=before,
            after=after,
            labels=MapDiff.between(before.labels, after.labels),
            annotations=MapDiff.between(before.annotations, after.annotations),
            fields=tuple(
                name for name in _COMPARED if getattr(before, name) != getattr(after, name)
            ),
        )

    def __bool__(self) -> bool:
        return bool(self.fields)


class _Swapped(Exception):
    """The version being read was removed: the kubelet finished an update meanwhile."""


class DownwardVolume:
    """A `downwardAPI` volume, as the kubelet writes it.

    The kubelet updates the volume atomically: the files live in a timestamped directory
    (`..2026_11_25_10_00_00.123456789`), the symlink `..data` points to it, and each visible
    name is a symlink through it (`labels -> ..data/labels`). An update writes a new
    timestamped directory, points a `..data_tmp` symlink at it, renames that over `..data`
    and removes the old directory. `read` resolves `..data` once and reads every file through
    its visible name from that one version, starting again (a bounded number of times) if the
    version is removed under it, so a snapshot never mixes two updates. A plain directory
    without `..data` is read file by file.

    Only this form changes while the pod runs (environment variables are fixed at container
    start): labels and annotations as they are edited, and the resource files on in-place
    resize. `watch` reports those changes.
    """

    __slots__ = ("files", "path")

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, files: Mapping[str, str] | None = None
    ) -> None:
        """`path` defaults to `KUBEAPI_DOWNWARD_DIR`, else `/etc/downward`.

        `files` maps `VolumeSnapshot` field names to item paths, overriding `VOLUME_FILES`
        for those fields, e.g. `files={"cpu_limit": "limits/cpu"}`.
        """
        if path is None:
            path = os.environ.get("KUBEAPI_DOWNWARD_DIR") or DEFAULT_VOLUME_DIR
        self.path = Path(path)
        merged = _merge_names(VOLUME_FILES, files, "volume field")
        for name, item in merged.items():
            parts = item.split("/")
            if not item or item.startswith("/") or ".." in parts or parts[0].startswith(".."):
                raise ValueError(f"volume file for {name!r} must be a relative item path: {item!r}")
        self.files: Mapping[str, str] = MappingProxyType(merged)

    def __repr__(self) -> str:
        return f"DownwardVolume({str(self.path)!r})"

    def version(self) -> str | None:
        """The timestamped directory `..data` points to now, or None if there is no `..data`."""
        try:
            return os.readlink(self.path / _DATA)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno == errno.EINVAL:  # `..data` is not a symlink: not an atomic layout
                return None
            raise

    def read(self) -> VolumeSnapshot:
        """All files, from one version of the volume.

        Raises FileNotFoundError if the directory does not exist, `DownwardFormatError` (a
        ValueError naming file and line) for a malformed `labels` or `annotations` file, and
        ValueError for a resource file that is not a whole number.
        """
        raw, version = self._read_raw(self.files)
        values: dict[str, object] = {}
        for name, data in raw.items():
            if data is None:
                continue
            shown = str(self.path / self.files[name])
            text = _decode(data, shown)
            if name in _MAP_FIELDS:
                values[name] = _frozen_map(parse_map(text, filename=shown))
            elif name in _INT_FIELDS:
                number = _whole_number(text)
                if number is None:
                    raise ValueError(
                        f"{shown}: expected a whole number (a resourceFieldRef value), "
                        f"found {text[:40]!r}"
                    )
                values[name] = number
            else:
                values[name] = text.strip()
        found = frozenset(name for name, data in raw.items() if data is not None)
        return VolumeSnapshot(found=found, version=version, **values)  # type: ignore[arg-type]

    def read_namespace(self) -> str | None:
        """Just the `podNamespace` file (stripped), or None if it or the directory is absent."""
        try:
            raw, _ = self._read_raw({"namespace": self.files["namespace"]})
        except FileNotFoundError:
            return None
        data = raw["namespace"]
        if data is None:
            return None
        return _decode(data, str(self.path / self.files["namespace"])).strip() or None

    def watch(
        self,
        interval: float = 1.0,
        *,
        stop: threading.Event | None = None,
        timeout: float | None = None,
        since: VolumeSnapshot | None = None,
    ) -> Iterator[VolumeChange]:
        """Yield a `VolumeChange` each time the kubelet rewrites the volume with new contents.

        Polls every `interval` seconds: the `..data` target is compared, and the volume is
        read again when it moved (a plain directory is read on every poll). Updates that leave
        the contents equal yield nothing. The changes are relative to `since` if given (so
        nothing is lost between an earlier `read` and the watch), else to the contents read
        when `watch` is called. Ends when `stop` is set, after `timeout` seconds (None: no
        time limit), or when the generator is closed; each wait lasts at most `interval`.
        Only the volume form of the Downward API updates while the pod runs: environment
        variables do not.
        """
        if not interval > 0:
            raise ValueError(f"interval must be positive, not {interval!r}")
        if timeout is not None and timeout < 0:
            raise ValueError(f"timeout must not be negative, not {timeout!r}")
        deadline = None if timeout is None else time.monotonic() + timeout
        return self._watch(
            interval,
            stop if stop is not None else threading.Event(),
            deadline,
            self.read() if since is None else since,
        )

    def _watch(
        self,
        interval: float,
        stop: threading.Event,
        deadline: float | None,
        current: VolumeSnapshot,
    ) -> Iterator[VolumeChange]:
        seen = current.version
        while not stop.is_set():
            if deadline is None:
                pause = interval
            else:
                pause = min(interval, deadline - time.monotonic())
                if pause <= 0:
                    return
            if stop.wait(pause):
                return
            version = self.version()
            if version is not None and version == seen:
                continue
            latest = self.read()
            seen = latest.version
            if latest != current:
                change = VolumeChange.between(current, latest)
                current = latest
                yield change

    def _read_raw(self, files: Mapping[str, str]) -> tuple[dict[str, bytes | None], str | None]:
        """The bytes of each file (None when absent), and the version they were all read from."""
        if not self.path.is_dir():
            raise FileNotFoundError(
                errno.ENOENT, "downward volume directory not found", str(self.path)
            )
        for _ in range(_READ_ATTEMPTS):
            version = self.version()
            try:
                return {
                    name: self._read_one(item, version) for name, item in files.items()
                }, version
            except _Swapped:
                continue
        raise OSError(
            errno.EAGAIN,
            f"downward volume kept changing during {_READ_ATTEMPTS} attempts to read it",
            str(self.path),
        )

    def _read_one(self, item: str, version: str | None) -> bytes | None:
        """One file through its visible name, with `..data` taken as `version`."""
        path = self._locate(item, version)
        try:
            return path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            # Absent from this version, unless `..data` moved on: the kubelet removes the old
            # directory file by file after the swap, so a missing file then proves nothing.
            if version is not None and self.version() != version:
                raise _Swapped from None
            return None
        except IsADirectoryError:
            raise ValueError(f"{self.path / item}: is a directory, expected a file") from None

    def _locate(self, item: str, version: str | None) -> Path:
        """Where the visible `item` leads when `..data` points to `version`."""
        if version is None:
            return self.path / item
        head, _, rest = item.partition("/")
        try:
            link = os.readlink(self.path / head)
        except FileNotFoundError:
            # Added by an update in progress: its visible symlink comes after the swap.
            return self._join(version, item)
        except OSError as exc:
            if exc.errno == errno.EINVAL:  # a real file or directory, outside the atomic layout
                return self.path / item
            raise
        if link == _DATA or link.startswith(_DATA + "/"):
            return self._join(version, link[len(_DATA) + 1 :], rest)
        return self.path / item

    def _join(self, version: str, *parts: str) -> Path:
        path = self.path / version
        for part in parts:
            if part:
                path = path / part
        return path


def _decode(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        lineno = data.count(b"\n", 0, exc.start) + 1
        raise DownwardFormatError(filename, lineno, "not valid UTF-8") from None


def namespace(
    environ: Mapping[str, str] | None = None,
    *,
    volume: DownwardVolume | str | os.PathLike[str] | None = None,
    names: Mapping[str, str] | None = None,
) -> str | None:
    """The pod's own namespace, for defaulting a client's: POD_NAMESPACE, else the volume.

    Reads the `namespace` variable of `names`/`ENV_NAMES` from `environ` (default
    `os.environ`), else the `podNamespace` file of `volume` (default `DownwardVolume()`),
    else None. Empty values count as absent. (The service account's namespace file is the
    configuration's business: see `kubeapi._runtime.config.in_cluster`.)
    """
    env = os.environ if environ is None else environ
    variable = _merge_names(ENV_NAMES, names, "environment field")["namespace"]
    value = env.get(variable)
    if value:
        return value
    if not isinstance(volume, DownwardVolume):
        volume = DownwardVolume(volume)
    return volume.read_namespace()
