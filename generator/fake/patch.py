"""Patch flavours: JSON merge (RFC 7386), JSON patch (RFC 6902, via jsonpatch) and strategic merge.

Strategic merge follows the spec's `x-kubernetes-patch-strategy` and `-patch-merge-key`:
lists marked `merge` are merged by their key, others are replaced; `$patch: delete|replace`,
`$retainKeys`, `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>` are honoured.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import jsonpatch

from kubeforge.fake.status import StatusError

# (definition key, field) -> (strategy, merge key, field's item definition key or "")
PatchMeta = Callable[[str, str], tuple[str, str, str]]


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, null deletes, everything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def json_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, list):
        raise StatusError(400, "BadRequest", "json patch must be a list of operations")
    try:
        return jsonpatch.apply_patch(target, patch)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
        raise StatusError(
            422, "Invalid", f"the server rejected our request due to an error in our request: {exc}"
        ) from None


def strategic_merge(target: Any, patch: Any, model: str, meta: PatchMeta) -> Any:
    """Kubernetes strategic merge patch over the schema `model`."""
    if not isinstance(patch, dict) or not isinstance(target, dict):
        return copy.deepcopy(patch)
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return None
    result = dict(target)
    retain = patch.get("$retainKeys")
    for key, value in patch.items():
        if key.startswith("$setElementOrder/") or key in ("$patch", "$retainKeys"):
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            result[field] = [v for v in result.get(field) or [] if v not in value]
            continue
        strategy, merge_key, item_model = meta(model, key)
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list) and "merge" in strategy.split(","):
            result[key] = _merge_list(result.get(key) or [], value, merge_key, item_model, meta)
        elif isinstance(value, dict):
            merged = strategic_merge(result.get(key) or {}, value, item_model, meta)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        else:
            result[key] = copy.deepcopy(value)
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


def _merge_list(
    current: list[Any], patch: list[Any], key: str, model: str, meta: PatchMeta
) -> list[Any]:
    if not key:
        # A merged list of primitives: union, keeping order, with $patch-free semantics.
        return list(current) + [v for v in patch if v not in current]
    result = [copy.deepcopy(item) for item in current]
    for item in patch:
        if not isinstance(item, dict):
            continue
        index = next(
            (
                i
                for i, cur in enumerate(result)
                if isinstance(cur, dict) and cur.get(key) == item.get(key)
            ),
            None,
        )
        if item.get("$patch") == "delete":
            if index is not None:
                del result[index]
            continue
        if index is None:
            result.append({k: v for k, v in item.items() if k != "$patch"})
        else:
            result[index] = strategic_merge(result[index], item, model, meta)
    return result
