"""The parser's view of the 1.36 built-in resources, and the discovery the fake server
serves, checked against tests/data/kubernetes-1.36-resources.txt: a table kept by hand,
never produced by kubeforge, so an inference bug shared by client and server shows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from kubeforge import source
from kubeforge.parse import parse, rest_path

TABLE = Path(__file__).parent.parent / "data" / "kubernetes-1.36-resources.txt"
# Discovery's names for the spec's methods on a subresource.
_VERB = {"get": "get", "put": "update", "patch": "patch", "post": "create", "delete": "delete"}
_CONNECT = ("attach", "exec", "portforward", "proxy")


@dataclass(frozen=True)
class Row:
    group_version: str
    plural: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...]
    short_names: tuple[str, ...]
    subresources: dict[str, tuple[str, ...]]


def _table() -> tuple[dict[tuple[str, str], Row], dict[tuple[str, str, str], str]]:
    """The rows by (group-version, plural), and the `# kind` lines: subresource -> kind."""
    rows: dict[tuple[str, str], Row] = {}
    kinds: dict[tuple[str, str, str], str] = {}
    for line in TABLE.read_text().splitlines():
        if line.startswith("# kind "):
            path, kind = line.removeprefix("# kind ").split()
            gv, plural, sub = path.rsplit("/", 2)
            kinds[(gv, plural, sub)] = kind
        if line.startswith("#") or not line.strip():
            continue
        gv, plural, kind, scope, verbs, short, subs = line.split()
        subresources = {}
        for sub in subs.split(",") if subs != "-" else ():
            name, sub_verbs = sub.split(":")
            subresources[name] = tuple(sub_verbs.split("+"))
        rows[(gv, plural)] = Row(
            gv,
            plural,
            kind,
            scope == "namespaced",
            tuple(verbs.split(",")),
            tuple(short.split(",")) if short != "-" else (),
            subresources,
        )
    return rows, kinds


def test_the_table_is_well_formed() -> None:
    rows, kinds = _table()
    assert len(rows) > 90 and ("v1", "pods") in rows and ("apps/v1", "deployments") in rows
    assert all(row.verbs == tuple(sorted(row.verbs)) for row in rows.values())
    for gv, plural, sub in kinds:
        assert sub in rows[(gv, plural)].subresources, (gv, plural, sub)


def test_the_parser_infers_every_built_in_resource_as_the_table_says() -> None:
    rows, _ = _table()
    package, _ = parse(source.bundled().document, None, "kubeapi", "")
    found = {}
    for module in package.modules:
        for r in module.resources:
            subs: dict[str, set[str]] = {}
            for method in r.subresources:
                subs.setdefault(method.subresource, set()).add(_VERB[method.verb])
            found[(r.api_version, r.plural)] = Row(
                r.api_version,
                r.plural,
                r.kind,
                r.namespaced,
                r.verbs,
                (),
                {k: tuple(sorted(v)) for k, v in subs.items()},
            )
    # Streams and proxies get no typed method: each of their operations is reported.
    connect: dict[tuple[str, str], set[str]] = {}
    for skipped in package.skipped:
        where = rest_path(skipped.path)
        if skipped.category == "connect" and where:
            gv = f"{where.group}/{where.version}".lstrip("/")
            connect.setdefault((gv, where.plural), set()).add(where.subresource)
    expected = {
        key: Row(
            row.group_version,
            row.plural,
            row.kind,
            row.namespaced,
            row.verbs,
            (),
            {k: v for k, v in row.subresources.items() if k not in _CONNECT},
        )
        for key, row in rows.items()
    }
    assert found == expected
    assert connect == {
        key: {k for k in row.subresources if k in _CONNECT}
        for key, row in rows.items()
        if any(k in _CONNECT for k in row.subresources)
    }


def test_the_fake_serves_the_discovery_the_table_says(http: httpx.Client) -> None:
    rows, kinds = _table()
    served: dict[tuple[str, str], dict[str, Any]] = {}
    sub_entries: dict[tuple[str, str, str], dict[str, Any]] = {}
    groups = http.get("/apis").json()["groups"]
    gvs = ["v1"] + [v["groupVersion"] for g in groups for v in g["versions"]]
    for gv in gvs:
        doc = http.get("/api/v1" if gv == "v1" else f"/apis/{gv}").json()
        assert doc["groupVersion"] == gv
        for entry in doc["resources"]:
            plural, _, sub = entry["name"].partition("/")
            if sub:
                sub_entries[(gv, plural, sub)] = entry
            else:
                served[(gv, plural)] = entry
    assert set(served) == set(rows)
    for key, row in rows.items():
        entry = served[key]
        assert (entry["kind"], entry["namespaced"]) == (row.kind, row.namespaced), key
        assert tuple(sorted(entry["verbs"])) == row.verbs, key
        assert tuple(entry.get("shortNames", ())) == row.short_names, key
        subs = {s: e for (gv, p, s), e in sub_entries.items() if (gv, p) == key}
        assert {s: tuple(sorted(e["verbs"])) for s, e in subs.items()} == row.subresources, key
        for sub, e in subs.items():
            assert e["kind"] == kinds.get((*key, sub), row.kind), (key, sub)
            assert e["namespaced"] == row.namespaced


def test_a_stream_subresource_is_listed_but_asks_for_an_upgrade(http: httpx.Client) -> None:
    spec = {"containers": [{"name": "c", "image": "busybox"}]}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}
    assert http.post("/api/v1/namespaces/default/pods", json=pod).status_code == 201
    answer = http.post("/api/v1/namespaces/default/pods/p/exec?command=ls")
    assert answer.status_code == 400
    assert answer.json()["message"] == "Upgrade request required"
