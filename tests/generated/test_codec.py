"""The JSON codec the runtime picks by itself: KUBEAPI_CODEC, else the fastest installed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kubeapi._runtime import codec


@pytest.fixture
def unselected(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No codec chosen yet, as in a fresh process; the default is restored afterwards."""
    monkeypatch.delenv("KUBEAPI_CODEC", raising=False)
    monkeypatch.setattr(codec, "NAME", "")
    yield
    monkeypatch.undo()
    codec.select()


def test_without_kubeapi_codec_the_first_use_picks_the_fastest(unselected: None) -> None:
    assert codec.loads(b'{"a":[1,"\\u00e9"]}') == {"a": [1, "é"]}
    assert codec.NAME == "msgspec"


@pytest.mark.parametrize("name", ["orjson", "json"])
def test_kubeapi_codec_names_the_codec(
    name: str, unselected: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBEAPI_CODEC", name)
    assert codec.dumps({"k": "é"}) == '{"k":"é"}'.encode()
    assert codec.NAME == name


def test_an_unknown_codec_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown codec 'yaml'; use msgspec, orjson or json"):
        codec.select("yaml")


def test_watched_objects_are_kept_lazily_so_the_collector_skips_them() -> None:
    import gc
    import json

    assert codec.select("msgspec") == "msgspec"
    try:
        small = {"metadata": {"name": "a", "labels": {"x": "y"}}, "data": {"k": "v"}}
        line = json.dumps({"type": "ADDED", "object": small}).encode()
        kind, obj = codec.event(line)
        assert kind == "ADDED"
        # Retained by the watch for every name: a container the collector would walk.
        assert not gc.is_tracked(obj)
        assert codec.identity(obj["metadata"]) == ("", "a", "")
        assert codec.full(obj["data"]) == {"k": "v"}
        # The watch reads the identity once and keeps it decoded for the reads that follow.
        from kubeapi._runtime.core import WatchState
        from kubeapi.core_v1 import ConfigMap

        cm = ConfigMap.from_dict(obj)
        assert WatchState(None).event(kind, cm) is not None
        assert type(obj["metadata"]["name"]) is str and cm.metadata.name == "a"
        assert dict(cm.metadata.labels) == {"x": "y"}
    finally:
        codec.select()
