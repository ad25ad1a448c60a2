"""The decoders under test: each turns a PodList body into objects and reads three fields per pod.

Every variant imports its library on first call, so the harness runs when an anchor is missing.
`decode` returns what must be kept alive (the decoded list) and the reads; `encode` turns that
kept value back into JSON bytes the way the library would send it.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Reads = list[tuple[Any, Any, Any]]


@dataclass(frozen=True)
class Variant:
    key: str
    module: str
    decode: Callable[[bytes], tuple[Any, Reads]]
    encode: Callable[[Any], bytes]
    gc_off: bool = False


def _ours_decode(body: bytes) -> tuple[Any, Reads]:
    from kubeapi.core_v1 import PodList

    pl = PodList.from_json(body)
    return pl, [(p.metadata.name, p.spec.containers[0].image, p.status.phase) for p in pl]


def _ours_encode(kept: Any) -> bytes:
    out: bytes = kept.to_json()
    return out


def _lightkube_decode(body: bytes) -> tuple[Any, Reads]:
    # The function lightkube's generic client calls on a list response (handle_response).
    from lightkube.core import decoders
    from lightkube.resources.core_v1 import Pod

    _cont, rv, items = decoders.decode_list(body, Pod)
    reads = [(p.metadata.name, p.spec.containers[0].image, p.status.phase) for p in items]
    return (rv, items), reads


def _lightkube_encode(kept: Any) -> bytes:
    # lightkube sends bodies with msgspec.json.encode (generic_client.json_encode).
    from lightkube.core.generic_client import json_encode

    rv, items = kept
    doc = {"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": rv}}
    doc["items"] = items
    out: bytes = json_encode(doc)
    return out


class _FakeResponse:
    """What the official client's REST layer hands to the deserializer."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.status = 200
        self.headers = {"content-type": "application/json"}

    def getheader(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


_official: list[Any] = []


def _official_client() -> Any:
    if not _official:
        from kubernetes.client import ApiClient

        _official.append(ApiClient())
    return _official[0]


def _official_decode(body: bytes) -> tuple[Any, Reads]:
    client = _official_client()
    response = _FakeResponse(body)
    if hasattr(client, "response_deserialize"):  # kubernetes >= 35: the path its APIs take
        pl = client.response_deserialize(response, {"200": "V1PodList"}).data
    else:
        pl = client.deserialize(response, "V1PodList")
    return pl, [(p.metadata.name, p.spec.containers[0].image, p.status.phase) for p in pl.items]


def _official_encode(kept: Any) -> bytes:
    return json.dumps(_official_client().sanitize_for_serialization(kept)).encode()


class _NoApi:
    """Stands in for a kr8s Api, so that building objects does not look for a cluster."""

    namespace = "default"


def _kr8s_decode(body: bytes) -> tuple[Any, Reads]:
    # kr8s reads a list with httpx's response.json() (json.loads), then Pod(item, api=...) per item.
    from kr8s.objects import Pod

    api: Any = _NoApi()
    doc = json.loads(body)
    pods = [Pod(item, api=api) for item in doc["items"]]
    return (doc, pods), [(p.name, p.spec.containers[0].image, p.status.phase) for p in pods]


def _kr8s_encode(kept: Any) -> bytes:
    doc, pods = kept
    out = {k: v for k, v in doc.items() if k != "items"}
    out["items"] = [p.raw for p in pods]
    return json.dumps(out).encode()


def _dict_reads(doc: dict[str, Any]) -> Reads:
    return [
        (p["metadata"]["name"], p["spec"]["containers"][0]["image"], p["status"]["phase"])
        for p in doc["items"]
    ]


def _json_decode(body: bytes) -> tuple[Any, Reads]:
    doc = json.loads(body)
    return doc, _dict_reads(doc)


def _json_encode(kept: Any) -> bytes:
    return json.dumps(kept, separators=(",", ":"), ensure_ascii=False).encode()


def _orjson_decode(body: bytes) -> tuple[Any, Reads]:
    import orjson

    doc = orjson.loads(body)
    return doc, _dict_reads(doc)


def _orjson_encode(kept: Any) -> bytes:
    import orjson

    out: bytes = orjson.dumps(kept)
    return out


VARIANTS: dict[str, Variant] = {
    v.key: v
    for v in (
        Variant("ours", "kubeapi.core_v1", _ours_decode, _ours_encode),
        Variant("lightkube", "lightkube", _lightkube_decode, _lightkube_encode),
        Variant("kubernetes", "kubernetes", _official_decode, _official_encode),
        Variant("kr8s", "kr8s", _kr8s_decode, _kr8s_encode),
        Variant("json", "json", _json_decode, _json_encode),
        Variant("orjson", "orjson", _orjson_decode, _orjson_encode, gc_off=True),
    )
}


def run_decode(variant: Variant, body: bytes) -> tuple[Any, Reads]:
    """Decode and read, with the collector off for the whole parse if the variant says so."""
    if not variant.gc_off:
        return variant.decode(body)
    gc.disable()
    try:
        return variant.decode(body)
    finally:
        gc.enable()
