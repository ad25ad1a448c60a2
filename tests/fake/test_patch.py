from typing import Any

import pytest

from kubeforge.fake.patch import json_patch, merge_patch, strategic_merge
from kubeforge.fake.status import StatusError


def meta(model: str, field: str) -> tuple[str, str, str]:
    table = {
        ("Spec", "containers"): ("merge", "name", "Container"),
        ("Spec", "finalizers"): ("merge", "", ""),
        ("Container", "env"): ("merge", "name", "Env"),
        ("Spec", "args"): ("", "", ""),
    }
    return table.get((model, field), ("", "", ""))


def test_merge_patch_merges_objects_and_deletes_with_null() -> None:
    target = {"a": {"b": 1, "c": 2}, "d": [1, 2], "e": 1}
    assert merge_patch(target, {"a": {"b": None, "x": 3}, "d": [3], "e": None}) == {
        "a": {"c": 2, "x": 3},
        "d": [3],
    }
    assert target == {
        "a": {"b": 1, "c": 2},
        "d": [1, 2],
        "e": 1,
    }, "the target is not changed in place"


def test_json_patch_applies_and_reports_failures() -> None:
    assert json_patch({"a": 1}, [{"op": "add", "path": "/b", "value": 2}]) == {"a": 1, "b": 2}
    with pytest.raises(StatusError) as info:
        json_patch({"a": 1}, [{"op": "test", "path": "/a", "value": 2}])
    assert info.value.code == 422


def test_strategic_merge_merges_lists_by_their_key() -> None:
    target: dict[str, Any] = {
        "containers": [
            {"name": "a", "image": "1", "env": [{"name": "X", "value": "1"}]},
            {"name": "b", "image": "2"},
        ],
        "args": ["x", "y"],
    }
    patch = {
        "containers": [
            {"name": "a", "env": [{"name": "Y", "value": "2"}]},
            {"name": "c", "image": "3"},
        ],
        "args": ["z"],
    }
    result = strategic_merge(target, patch, "Spec", meta)
    assert result["containers"] == [
        {
            "name": "a",
            "image": "1",
            "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}],
        },
        {"name": "b", "image": "2"},
        {"name": "c", "image": "3"},
    ]
    assert result["args"] == ["z"], "lists without a merge strategy are replaced"


def test_strategic_merge_directives() -> None:
    target = {
        "containers": [{"name": "a"}, {"name": "b"}],
        "finalizers": ["f1", "f2"],
        "keep": {"x": 1, "y": 2},
    }
    patch = {
        "containers": [{"name": "a", "$patch": "delete"}],
        "$setElementOrder/containers": [{"name": "b"}],
        "$deleteFromPrimitiveList/finalizers": ["f1"],
        "keep": {"$patch": "replace", "z": 3},
    }
    assert strategic_merge(target, patch, "Spec", meta) == {
        "containers": [{"name": "b"}],
        "finalizers": ["f2"],
        "keep": {"z": 3},
    }
    assert strategic_merge({"finalizers": ["a"]}, {"finalizers": ["b", "a"]}, "Spec", meta) == {
        "finalizers": ["a", "b"]
    }
