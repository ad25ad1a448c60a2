"""kubeapi.downward: environment variables, Go-quoted volume files, atomic updates, watching.

Volumes are real directories laid out as the kubelet's atomic writer lays them out: files in a
timestamped directory, `..data` pointing to it, visible names as symlinks through `..data`,
updates by renaming a `..data_tmp` symlink over `..data` and removing the old directory.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubeapi.downward import (
    ENV_NAMES,
    DownwardEnv,
    DownwardFormatError,
    DownwardVolume,
    VolumeChange,
    VolumeSnapshot,
    format_map,
    namespace,
    parse_map,
    quote_go,
    unquote_go,
)

# --------------------------------------------------------------------------------------------
# A kubelet, as far as the volume layout goes


class Kubelet:
    """Writes a downwardAPI volume the way the kubelet's AtomicWriter does."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.updates = 0
        root.mkdir(parents=True, exist_ok=True)

    def write(self, files: Mapping[str, str | bytes]) -> str:
        data = self.root / "..data"
        old = os.readlink(data) if data.is_symlink() else None
        self.updates += 1
        stamp = time.strftime("..%Y_%m_%d_%H_%M_%S", time.gmtime()) + f".{self.updates:09d}"
        version = self.root / stamp
        version.mkdir(mode=0o755)
        for name, content in files.items():
            path = version / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode() if isinstance(content, str) else content)
            path.chmod(0o644)
        self.swap(stamp)
        self.link_visible(files)
        if old is not None:
            self.unlink_stale(files)
            shutil.rmtree(self.root / old)
        return stamp

    def swap(self, stamp: str) -> None:
        tmp = self.root / "..data_tmp"
        os.symlink(stamp, tmp)
        os.rename(tmp, self.root / "..data")

    def link_visible(self, files: Mapping[str, object]) -> None:
        for top in {name.split("/")[0] for name in files}:
            if not (self.root / top).is_symlink():
                os.symlink(f"..data/{top}", self.root / top)

    def unlink_stale(self, files: Mapping[str, object]) -> None:
        keep = {name.split("/")[0] for name in files}
        for entry in self.root.iterdir():
            if not entry.name.startswith("..") and entry.name not in keep:
                entry.unlink()


@pytest.fixture
def kubelet(tmp_path: Path) -> Kubelet:
    return Kubelet(tmp_path / "downward")


# strconv.Quote output, byte for byte, for the values in VALUES below (as `%v=%q\n`, sorted).
ANNOTATIONS = (
    rb'bell="ding\a"'
    b"\n"
    rb'config="line one\nline two\n\tindented\r\n"'
    b"\n"
    rb'empty=""'
    b"\n"
    rb'kubectl.kubernetes.io/last-applied-configuration="{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}\n"'
    b"\n"
    rb'path="C:\\Program Files\\\"x\"\\"'
    b"\n"
    + 'unicode="naïve café ✓ 😀 \\u00a0nbsp \\x1besc \\x7fdel \\U000e0001tag"'.encode()
    + b"\n"
    rb'zero-width="a\u200bb"'
)
VALUES = {
    "bell": "ding\a",
    "config": "line one\nline two\n\tindented\r\n",
    "empty": "",
    "kubectl.kubernetes.io/last-applied-configuration": '{"apiVersion":"v1","kind":"Pod"}\n',
    "path": 'C:\\Program Files\\"x"\\',
    "unicode": "naïve café ✓ 😀 \u00a0nbsp \x1besc \x7fdel \U000e0001tag",
    "zero-width": "a\u200bb",
}
LABELS = b'app="web"\napp.kubernetes.io/name="shop \\"front\\""\nempty=""\ntier="back\\\\end"'


def pod_files(**extra: str | bytes) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "podName": "web-7d9f",
        "podNamespace": "shop",
        "uid": "3c0d6c2e-0000-4000-8000-000000000001",
        "labels": LABELS,
        "annotations": ANNOTATIONS,
        "cpu_limit": "500",
        "mem_limit": "131072",
    }
    files.update(extra)
    return files


# --------------------------------------------------------------------------------------------
# Environment variables

FULL_ENV = {
    "POD_NAME": "web-7d9f",
    "POD_NAMESPACE": "shop",
    "POD_IP": "10.1.2.3",
    "POD_IPS": "10.1.2.3,fd00::3",
    "NODE_NAME": "node-a",
    "HOST_IP": "192.168.0.10",
    "SERVICE_ACCOUNT": "web",
    "POD_UID": "3c0d6c2e-0000-4000-8000-000000000001",
    "CONTAINER_CPU_REQUEST_MILLICORES": "250",
    "CONTAINER_CPU_LIMIT_MILLICORES": "500",
    "CONTAINER_MEMORY_REQUEST_KIBIBYTES": "65536",
    "CONTAINER_MEMORY_LIMIT_KIBIBYTES": "131072",
    "UNRELATED": "x",
}


def test_env_reads_the_conventional_variables() -> None:
    env = DownwardEnv.from_environ(FULL_ENV)
    assert env == DownwardEnv(
        pod_name="web-7d9f",
        namespace="shop",
        pod_ip="10.1.2.3",
        pod_ips=("10.1.2.3", "fd00::3"),
        node_name="node-a",
        host_ip="192.168.0.10",
        service_account="web",
        pod_uid="3c0d6c2e-0000-4000-8000-000000000001",
        cpu_request=250,
        cpu_limit=500,
        memory_request=65536,
        memory_limit=131072,
    )
    with pytest.raises(AttributeError):
        env.pod_name = "other"  # type: ignore[misc]


def test_env_missing_variables_are_none() -> None:
    env = DownwardEnv.from_environ({"POD_NAME": "solo"})
    assert env.pod_name == "solo"
    assert env.namespace is None and env.pod_ips is None and env.cpu_limit is None
    assert DownwardEnv.from_environ({}) == DownwardEnv()


def test_env_single_stack_pod_ips_and_default_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES.values():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POD_IPS", "10.0.0.9")
    monkeypatch.setenv("CONTAINER_MEMORY_LIMIT_KIBIBYTES", "1024")
    env = DownwardEnv.from_environ()
    assert env.pod_ips == ("10.0.0.9",)
    assert env.memory_limit == 1024
    assert env.pod_name is None


def test_env_names_can_be_overridden() -> None:
    environ = {
        "POD_NAMESPACE": "ignored",
        "MY_NAMESPACE": "mine",
        "CPU_LIMIT_CORES": "2",
        "POD_NAME": "web",
    }
    env = DownwardEnv.from_environ(
        environ, names={"namespace": "MY_NAMESPACE", "cpu_limit": "CPU_LIMIT_CORES"}
    )
    assert env.namespace == "mine"
    assert env.cpu_limit == 2
    assert env.pod_name == "web"
    with pytest.raises(ValueError, match="unknown environment field 'podName'"):
        DownwardEnv.from_environ(environ, names={"podName": "X"})


@pytest.mark.parametrize("bad", ["1.5", "", "-1", "500m", "1_000", "+5", "0x10"])
def test_env_malformed_number_names_the_variable(bad: str) -> None:
    environ = dict(FULL_ENV, CONTAINER_MEMORY_LIMIT_KIBIBYTES=bad)
    with pytest.raises(ValueError, match="CONTAINER_MEMORY_LIMIT_KIBIBYTES"):
        DownwardEnv.from_environ(environ)
    with pytest.raises(ValueError, match="MEM_KI="):
        DownwardEnv.from_environ({"MEM_KI": bad}, names={"memory_limit": "MEM_KI"})


# --------------------------------------------------------------------------------------------
# Go-quoted strings


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (r'""', ""),
        (r'"plain"', "plain"),
        (r'"a\"b"', 'a"b'),
        (r'"back\\slash\\"', "back\\slash\\"),
        (r'"\a\b\f\n\r\t\v"', "\a\b\f\n\r\t\v"),
        (r'"\x41\x7f\x00"', "A\x7f\x00"),
        (r'"\101\060\000"', "A0\x00"),
        (r'"\u00e9\u00E9\U0001F600"', "éé😀"),
        (r'"\xc3\xa9"', "é"),  # bytes that form UTF-8 together
        (r'"\xff"', "\udcff"),  # a byte that does not: a surrogate escape
        ('"raw ünïcödé ✓ 😀"', "raw ünïcödé ✓ 😀"),
        ('"raw\ttab"', "raw\ttab"),
        (r'"\\n is not a newline"', "\\n is not a newline"),
    ],
)
def test_unquote_go(literal: str, value: str) -> None:
    assert unquote_go(literal) == value


@pytest.mark.parametrize(
    ("literal", "reason"),
    [
        ("plain", "double-quoted"),
        ('"open', "no closing quote"),
        ('"ends in \\', "unterminated escape"),
        (r'"\q"', r"unknown escape \\q"),
        (r'"\'"', r"unknown escape \\'"),
        (r'"\x4"', "2 hex digits"),
        (r'"\xg0"', "2 hex digits"),
        (r'"\u12"', "4 hex digits"),
        (r'"\u 123"', "4 hex digits"),
        (r'"\U0011000"', "8 hex digits"),
        (r'"\ud800"', "not a Unicode code point"),
        (r'"\U00110000"', "not a Unicode code point"),
        (r'"\400"', "above"),
        (r'"\19"', "3 digits"),
        ('"two\nlines"', "newline"),
        ('"a"b', "text after the closing quote"),
        ('"a" ', "text after the closing quote"),
    ],
)
def test_unquote_go_rejects(literal: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        unquote_go(literal)


def test_quote_go_writes_what_strconv_quote_writes() -> None:
    # Outputs of Go's strconv.Quote for these inputs.
    cases = {
        "": '""',
        'a"b\\c': r'"a\"b\\c"',
        "\a\b\f\n\r\t\v": r'"\a\b\f\n\r\t\v"',
        "\x00\x1b\x7f": r'"\x00\x1b\x7f"',
        "café ✓ 😀": '"café ✓ 😀"',
        "\u00a0\u200b\u2028\ufeff": r'"\u00a0\u200b\u2028\ufeff"',
        "\U000e0001": r'"\U000e0001"',
        "\udcff": r'"\xff"',
    }
    for value, quoted in cases.items():
        assert quote_go(value) == quoted, value
        assert unquote_go(quoted) == value
    with pytest.raises(ValueError, match="surrogate"):
        quote_go("\ud800")


@given(st.text(st.characters(exclude_categories=["Cs"]) | st.sampled_from('\udc80\udcff"\\')))
def test_quote_then_unquote_is_identity(value: str) -> None:
    assert unquote_go(quote_go(value)) == value
    assert parse_map(format_map({"k": value, "a/b": value})) == {"k": value, "a/b": value}


def test_format_map_writes_the_kubelet_file() -> None:
    assert format_map(VALUES).encode() == ANNOTATIONS
    assert format_map({}) == ""


@pytest.mark.parametrize(
    ("text", "lineno", "reason"),
    [
        ('a="1"\nb="2"\nno equals sign', 3, 'no "="'),
        ('a="1"\n\nb="2"', 2, 'no "="'),
        ('a="1"\nb=unquoted', 2, "double-quoted"),
        ('a="1"\nb="\\q"', 2, r"unknown escape \\q \(column 4\) in the value of 'b'"),
        ('a="1"\nb="open', 2, "no closing quote"),
        ('a="1" # comment', 1, "text after the closing quote"),
        ('="1"', 1, "invalid key ''"),
        ('my key="1"', 1, "invalid key 'my key'"),
        ('a="1"\na="2"', 2, "duplicate key 'a'"),
    ],
)
def test_parse_map_errors_name_file_and_line(text: str, lineno: int, reason: str) -> None:
    with pytest.raises(DownwardFormatError, match=reason) as caught:
        parse_map(text, filename="/etc/downward/labels")
    assert str(caught.value).startswith(f"/etc/downward/labels:{lineno}: ")
    assert caught.value.lineno == lineno
    assert isinstance(caught.value, ValueError)


def test_parse_map_tolerates_one_final_newline_only() -> None:
    assert parse_map("") == {}
    assert parse_map('a="1"\n') == {"a": "1"}
    with pytest.raises(ValueError, match=":2: "):
        parse_map('a="1"\n\n')


# --------------------------------------------------------------------------------------------
# Reading a volume


def test_volume_reads_tricky_go_escapes(kubelet: Kubelet) -> None:
    stamp = kubelet.write(pod_files())
    assert (kubelet.root / "labels").is_symlink()
    assert os.readlink(kubelet.root / "labels") == "..data/labels"
    snap = DownwardVolume(kubelet.root).read()
    assert snap.pod_name == "web-7d9f"
    assert snap.namespace == "shop"
    assert snap.uid == "3c0d6c2e-0000-4000-8000-000000000001"
    assert dict(snap.labels) == {
        "app": "web",
        "app.kubernetes.io/name": 'shop "front"',
        "empty": "",
        "tier": "back\\end",
    }
    assert dict(snap.annotations) == VALUES
    assert snap.annotations["config"].splitlines() == ["line one", "line two", "\tindented"]
    assert snap.cpu_limit == 500 and snap.memory_limit == 131072
    assert snap.cpu_request is None and snap.memory_request is None
    assert snap.found == {
        "pod_name",
        "namespace",
        "uid",
        "labels",
        "annotations",
        "cpu_limit",
        "memory_limit",
    }
    assert snap.version == stamp
    assert DownwardVolume(kubelet.root).version() == stamp
    with pytest.raises(TypeError):
        snap.labels["app"] = "other"  # type: ignore[index]


def test_volume_absent_files(kubelet: Kubelet) -> None:
    kubelet.write({"podName": "solo"})
    snap = DownwardVolume(kubelet.root).read()
    assert snap == VolumeSnapshot(pod_name="solo", found=frozenset({"pod_name"}))
    assert snap.labels == {} and snap.annotations == {} and snap.namespace is None


def test_volume_file_names_can_be_overridden(kubelet: Kubelet) -> None:
    kubelet.write({"limits/cpu": "2", "meta/ns": "shop", "podNamespace": "ignored"})
    assert os.readlink(kubelet.root / "limits") == "..data/limits"
    volume = DownwardVolume(kubelet.root, files={"cpu_limit": "limits/cpu", "namespace": "meta/ns"})
    snap = volume.read()
    assert snap.cpu_limit == 2
    assert snap.namespace == "shop"
    with pytest.raises(ValueError, match="unknown volume field 'labelz'"):
        DownwardVolume(kubelet.root, files={"labelz": "labels"})
    for bad in ("/etc/labels", "../labels", "..data/labels", ""):
        with pytest.raises(ValueError, match="relative item path"):
            DownwardVolume(kubelet.root, files={"labels": bad})


def test_volume_malformed_line_names_file_and_line(kubelet: Kubelet) -> None:
    broken = ANNOTATIONS.replace(b'empty=""', b'empty="\\q"')
    kubelet.write(pod_files(annotations=broken))
    with pytest.raises(DownwardFormatError) as caught:
        DownwardVolume(kubelet.root).read()
    assert str(caught.value).startswith(f"{kubelet.root / 'annotations'}:3: unknown escape \\q")
    assert caught.value.filename == str(kubelet.root / "annotations")


def test_volume_invalid_utf8_and_bad_numbers_name_the_file(kubelet: Kubelet) -> None:
    kubelet.write(pod_files(labels=b'a="1"\nb="\xff"'))
    with pytest.raises(DownwardFormatError, match=r"labels:2: not valid UTF-8"):
        DownwardVolume(kubelet.root).read()
    kubelet.write(pod_files(mem_limit="128Mi"))
    with pytest.raises(ValueError, match=r"mem_limit: expected a whole number"):
        DownwardVolume(kubelet.root).read()


def test_plain_directory_without_data_link(tmp_path: Path) -> None:
    (tmp_path / "podName").write_text("plain\n")
    (tmp_path / "labels").write_text('a="1"\n')
    volume = DownwardVolume(tmp_path)
    snap = volume.read()
    assert snap.pod_name == "plain" and dict(snap.labels) == {"a": "1"}
    assert snap.version is None and volume.version() is None


def test_missing_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FileNotFoundError, match="downward volume directory not found"):
        DownwardVolume(tmp_path / "nowhere").read()
    monkeypatch.setenv("KUBEAPI_DOWNWARD_DIR", str(tmp_path / "elsewhere"))
    assert DownwardVolume().path == tmp_path / "elsewhere"
    monkeypatch.delenv("KUBEAPI_DOWNWARD_DIR")
    assert DownwardVolume().path == Path("/etc/downward")


# --------------------------------------------------------------------------------------------
# Consistency across an update


def generation(n: int) -> dict[str, str | bytes]:
    """A volume whose every file says which update wrote it."""
    return {
        "podName": f"pod-{n}",
        "labels": format_map({"generation": str(n), "app": "web"}),
        "annotations": format_map({"generation": str(n), "note": f"line\n{n}"}),
        "cpu_limit": str(n),
        "mem_limit": str(n * 1024),
    }


def assert_one_generation(snap: VolumeSnapshot) -> int:
    n = int(snap.labels["generation"])
    assert snap.annotations["generation"] == str(n), snap
    assert snap.annotations["note"] == f"line\n{n}", snap
    assert snap.pod_name == f"pod-{n}", snap
    assert (snap.cpu_limit, snap.memory_limit) == (n, n * 1024), snap
    return n


def test_read_follows_data_before_visible_links_are_updated(kubelet: Kubelet) -> None:
    """The kubelet's intermediate states: swapped, then new links, then old directory gone."""
    old = kubelet.write({"podName": "pod-1", "labels": 'gen="1"', "annotations": 'gone="soon"'})
    new = kubelet.root / "..2030_01_01_00_00_00.000000002"
    new.mkdir()
    (new / "podName").write_text("pod-2")
    (new / "labels").write_text('gen="2"')
    (new / "cpu_limit").write_text("2")
    kubelet.swap(new.name)
    # `annotations` still has its visible link, `cpu_limit` has none yet, the old dir is there.
    assert (kubelet.root / old).is_dir() and not (kubelet.root / "cpu_limit").exists()
    snap = DownwardVolume(kubelet.root).read()
    assert (snap.version, snap.pod_name, dict(snap.labels)) == (new.name, "pod-2", {"gen": "2"})
    assert snap.annotations == {} and "annotations" not in snap.found
    assert snap.cpu_limit == 2


def test_reads_never_mix_two_updates(kubelet: Kubelet) -> None:
    kubelet.write(generation(0))
    volume = DownwardVolume(kubelet.root)
    done = threading.Event()
    failures: list[BaseException] = []

    def update() -> None:
        try:
            n = 1
            while not done.is_set() and n < 100_000:
                kubelet.write(generation(n))
                n += 1
                time.sleep(0.0005)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    writer = threading.Thread(target=update, daemon=True)
    writer.start()
    seen: set[int] = set()
    reads = 0
    deadline = time.monotonic() + 1.5
    try:
        while time.monotonic() < deadline:
            seen.add(assert_one_generation(volume.read()))
            reads += 1
    finally:
        done.set()
        writer.join(timeout=10)
    assert not writer.is_alive()
    assert not failures, failures
    assert kubelet.updates > 50, "the writer barely ran"
    assert len(seen) > 10, (reads, sorted(seen))


# --------------------------------------------------------------------------------------------
# Watching


@pytest.fixture
def stop() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


def later(delay: float, action: object) -> threading.Thread:
    assert callable(action)
    thread = threading.Timer(delay, action)
    thread.daemon = True
    thread.start()
    return thread


def test_watch_reports_a_swap_as_a_change(kubelet: Kubelet, stop: threading.Event) -> None:
    kubelet.write(pod_files())
    volume = DownwardVolume(kubelet.root)
    before = volume.read()
    labels = format_map({"app": "web", "empty": "now set", "tier": "back\\end", "new": "1"})
    annotations = format_map(dict(VALUES, config="edited\n"))
    watch = volume.watch(interval=0.02, stop=stop, timeout=10.0)
    started = time.monotonic()
    writer = later(0.1, lambda: kubelet.write(pod_files(labels=labels, annotations=annotations)))
    change = next(watch)
    writer.join(timeout=5)
    assert time.monotonic() - started < 5
    assert isinstance(change, VolumeChange) and change
    assert change.before == before and change.before.version == before.version
    assert change.after.version != before.version
    assert dict(change.labels.added) == {"new": "1"}
    assert dict(change.labels.removed) == {"app.kubernetes.io/name": 'shop "front"'}
    assert dict(change.labels.changed) == {"empty": ("", "now set")}
    assert not change.annotations.added and not change.annotations.removed
    assert dict(change.annotations.changed) == {"config": (VALUES["config"], "edited\n")}
    assert change.fields == ("labels", "annotations")
    stop.set()
    assert list(watch) == []


def test_watch_since_sees_an_update_made_before_it_started(kubelet: Kubelet) -> None:
    kubelet.write(generation(1))
    volume = DownwardVolume(kubelet.root)
    since = volume.read()
    kubelet.write(generation(2))
    changes = list(volume.watch(interval=0.01, since=since, timeout=0.3))
    assert len(changes) == 1
    assert changes[0].fields == ("pod_name", "labels", "annotations", "cpu_limit", "memory_limit")
    assert dict(changes[0].labels.changed) == {"generation": ("1", "2")}
    assert assert_one_generation(changes[0].after) == 2


def test_watch_ignores_updates_that_change_nothing_and_ends_on_time(kubelet: Kubelet) -> None:
    kubelet.write(pod_files())
    volume = DownwardVolume(kubelet.root)
    later(0.05, lambda: kubelet.write(pod_files()))
    started = time.monotonic()
    assert list(volume.watch(interval=0.01, timeout=0.4)) == []
    assert 0.35 < time.monotonic() - started < 5


def test_watch_ends_when_stopped(kubelet: Kubelet) -> None:
    kubelet.write(pod_files())
    stop = threading.Event()
    later(0.1, stop.set)
    started = time.monotonic()
    assert list(DownwardVolume(kubelet.root).watch(interval=5.0, stop=stop, timeout=30)) == []
    assert time.monotonic() - started < 4
    with pytest.raises(ValueError, match="interval must be positive"):
        DownwardVolume(kubelet.root).watch(interval=0)


def test_watch_plain_directory_compares_contents(tmp_path: Path, stop: threading.Event) -> None:
    (tmp_path / "labels").write_text('a="1"')
    watch = DownwardVolume(tmp_path).watch(interval=0.02, stop=stop, timeout=10)

    def replace() -> None:  # atomically, so the watcher never sees a half-written file
        (tmp_path / "labels.new").write_text('a="2"')
        os.replace(tmp_path / "labels.new", tmp_path / "labels")

    later(0.05, replace)
    change = next(watch)
    assert dict(change.labels.changed) == {"a": ("1", "2")}


# --------------------------------------------------------------------------------------------
# namespace()


def test_namespace_prefers_the_environment_then_the_volume(kubelet: Kubelet) -> None:
    kubelet.write({"podNamespace": "from-volume", "labels": "broken"})
    assert namespace({"POD_NAMESPACE": "from-env"}, volume=kubelet.root) == "from-env"
    assert namespace({}, volume=kubelet.root) == "from-volume"
    assert namespace({"POD_NAMESPACE": ""}, volume=DownwardVolume(kubelet.root)) == "from-volume"
    assert namespace({"NS": "mine"}, volume=kubelet.root, names={"namespace": "NS"}) == "mine"
    custom = DownwardVolume(kubelet.root, files={"namespace": "missing"})
    assert namespace({}, volume=custom) is None
    assert namespace({}, volume=kubelet.root / "nowhere") is None
