"""Server-side apply: field managers, ownership and conflicts (`application/apply-patch+yaml`).

Each manager owns a set of field paths, recorded in `metadata.managedFields` in the
FieldsV1 form (`f:<field>`, `k:<keys JSON>` for list-map items, `v:<value JSON>` for set
items). Applying a configuration makes its manager own exactly the fields it names:
fields it owned before and no longer names are removed unless another manager owns them,
and changing a value that another manager owns is a conflict unless `force=true`, which
takes the field over. Plain writes (create, update, patch) are recorded as `Update`
entries for the fields they changed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from kubeforge.fake.status import StatusError

Json = dict[str, Any]
Path = tuple[str, ...]
# (definition key, field) -> (list type, list map keys, item or value definition key)
ListMeta = Callable[[str, str], tuple[str, tuple[str, ...], str]]
_SKIP = {("apiVersion",), ("kind",), ("status",)}
_IDENTITY = {
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
}


def leaf_paths(obj: Any, model: str, meta: ListMeta, prefix: Path = ()) -> dict[Path, Any]:
    """Every leaf of an object by its FieldsV1 path, with its value."""
    out: dict[Path, Any] = {}
    if not isinstance(obj, dict):
        return {prefix: obj}
    for key, value in obj.items():
        path = (*prefix, f"f:{key}")
        if not prefix and (key in ("apiVersion", "kind")):
            continue
        if prefix == ("f:metadata",) and key in _IDENTITY:
            continue
        list_type, keys, item_model = meta(model, key)
        if isinstance(value, dict) and value:
            out.update(leaf_paths(value, item_model, meta, path))
        elif (
            isinstance(value, list)
            and list_type == "map"
            and keys
            and all(isinstance(v, dict) for v in value)
        ):
            for item in value:
                ident = json.dumps(
                    {k: item.get(k) for k in keys}, separators=(",", ":"), sort_keys=True
                )
                item_path = (*path, f"k:{ident}")
                rest = {k: v for k, v in item.items() if k not in keys}
                node: Path = (*item_path, ".")
                out[node] = None
                out.update(leaf_paths(rest, item_model, meta, item_path) if rest else {})
        elif isinstance(value, list) and list_type == "set":
            for item in value:
                member: Path = (*path, "v:" + json.dumps(item, separators=(",", ":")))
                out[member] = item
        else:
            out[path] = value
    return out


def to_fields_v1(paths: set[Path]) -> Json:
    tree: Json = {}
    for path in sorted(paths):
        node = tree
        for part in path:
            node = node.setdefault(part, {})
    return tree


def from_fields_v1(tree: Any, prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    if not isinstance(tree, dict) or not tree:
        return {prefix} if prefix else set()
    for key, child in tree.items():
        out |= from_fields_v1(child, (*prefix, key))
    return out


def _entries(obj: Json) -> list[Json]:
    return list((obj.get("metadata") or {}).get("managedFields") or [])


def _owned(entry: Json) -> set[Path]:
    return from_fields_v1(entry.get("fieldsV1") or {})


def _remove(obj: Any, path: Path) -> None:
    """Delete one owned leaf from an object (list-map items by key, set items by value)."""
    node = obj
    for i, part in enumerate(path):
        last = i == len(path) - 1 or path[i + 1] == "."
        if isinstance(node, dict) and part.startswith("f:"):
            if last:
                node.pop(part[2:], None)
                return
            node = node.get(part[2:])
        elif isinstance(node, list) and part.startswith("k:"):
            keys = json.loads(part[2:])
            match = next(
                (
                    item
                    for item in node
                    if isinstance(item, dict) and all(item.get(k) == v for k, v in keys.items())
                ),
                None,
            )
            if match is None:
                return
            if last:
                node.remove(match)
                return
            node = match
        elif isinstance(node, list) and part.startswith("v:"):
            value = json.loads(part[2:])
            if value in node:
                node.remove(value)
            return
        else:
            return


def _drop_emptied(obj: Json, path: Path) -> None:
    """Objects a removal left empty go too: the manager stopped applying all of them (an empty
    `rack: {}` left behind would read as set, and may lack required fields)."""
    chain: list[tuple[Json, str]] = []
    node: Any = obj
    for part in path[:-1]:
        if not (isinstance(node, dict) and part.startswith("f:")):
            break
        chain.append((node, part[2:]))
        node = node.get(part[2:])
    for parent, key in reversed(chain):
        if parent.get(key) == {}:
            del parent[key]
        else:
            return


def _merge(current: Any, config: Any, model: str, meta: ListMeta) -> Any:
    if not isinstance(config, dict) or not isinstance(current, dict):
        return copy.deepcopy(config)
    result = dict(current)
    for key, value in config.items():
        list_type, keys, item_model = meta(model, key)
        if isinstance(value, dict):
            result[key] = _merge(result.get(key) or {}, value, item_model, meta)
        elif (
            isinstance(value, list)
            and list_type == "map"
            and keys
            and isinstance(result.get(key), list)
        ):
            merged = [copy.deepcopy(i) for i in result[key]]
            for item in value:
                index = next(
                    (
                        n
                        for n, cur in enumerate(merged)
                        if isinstance(cur, dict) and all(cur.get(k) == item.get(k) for k in keys)
                    ),
                    None,
                )
                if index is None:
                    merged.append(copy.deepcopy(item))
                else:
                    merged[index] = _merge(merged[index], item, item_model, meta)
            result[key] = merged
        elif isinstance(value, list) and list_type == "set" and isinstance(result.get(key), list):
            result[key] = list(result[key]) + [v for v in value if v not in result[key]]
        else:
            result[key] = copy.deepcopy(value)
    return result


def apply(
    current: Json | None,
    config: Json,
    manager: str,
    force: bool,
    api_version: str,
    model: str,
    meta: ListMeta,
    now: str,
) -> Json:
    """The object after `manager` applies `config`; raises 409 on conflicts unless forced."""
    base = copy.deepcopy(current) if current is not None else {}
    applied = leaf_paths(config, model, meta)
    existing = leaf_paths(base, model, meta)
    entries = _entries(base)
    conflicts: list[tuple[str, str, Path]] = []
    for entry in entries:
        if entry.get("manager") == manager and entry.get("operation") == "Apply":
            continue
        owned = _owned(entry)
        for path in owned & set(applied):
            if path in existing and existing[path] != applied[path]:
                conflicts.append(
                    (str(entry.get("manager")), str(entry.get("apiVersion", api_version)), path)
                )
    if conflicts and not force:
        raise _conflict_error(conflicts)
    previous = next(
        (e for e in entries if e.get("manager") == manager and e.get("operation") == "Apply"), None
    )
    others = set().union(*(_owned(e) for e in entries if e is not previous)) if entries else set()
    if previous is not None:
        for path in sorted(_owned(previous) - set(applied) - others, key=len, reverse=True):
            _remove(base, path)
            _drop_emptied(base, path)
    merged: Json = _merge(base, config, model, meta)
    taken = {p for _, _, p in conflicts}
    kept = []
    for entry in entries:
        if entry is previous:
            continue
        owned = _owned(entry) - taken if force else _owned(entry)
        if owned:
            kept.append({**entry, "fieldsV1": to_fields_v1(owned)})
    kept.append(
        {
            "manager": manager,
            "operation": "Apply",
            "apiVersion": api_version,
            "time": now,
            "fieldsType": "FieldsV1",
            "fieldsV1": to_fields_v1(set(applied)),
        }
    )
    merged.setdefault("metadata", {})["managedFields"] = kept
    return merged


def record_update(
    old: Json | None,
    new: Json,
    manager: str,
    api_version: str,
    model: str,
    meta: ListMeta,
    now: str,
) -> None:
    """Give `manager` the fields a plain write changed, taking them from their old owners."""
    before = leaf_paths(old or {}, model, meta)
    after = leaf_paths(new, model, meta)
    changed = {p for p, v in after.items() if before.get(p, object()) != v}
    entries = [e for e in _entries(old or {}) if e.get("manager")]
    if not changed and not entries:
        return
    kept: list[Json] = []
    mine: set[Path] = set()
    for entry in entries:
        owned = (_owned(entry) - changed) & set(after)
        if entry.get("manager") == manager and entry.get("operation") == "Update":
            mine |= owned
        elif owned:
            kept.append({**entry, "fieldsV1": to_fields_v1(owned)})
    mine |= changed
    if mine:
        kept.append(
            {
                "manager": manager,
                "operation": "Update",
                "apiVersion": api_version,
                "time": now,
                "fieldsType": "FieldsV1",
                "fieldsV1": to_fields_v1(mine),
            }
        )
    new.setdefault("metadata", {})["managedFields"] = kept


def _dotted(path: Path) -> str:
    parts = []
    for part in path:
        if part.startswith("f:"):
            parts.append("." + part[2:])
        elif part.startswith("k:"):
            parts.append(f"[{part[2:]}]")
        elif part.startswith("v:"):
            parts.append(f"[={part[2:]}]")
    return "".join(parts)


def _conflict_error(conflicts: list[tuple[str, str, Path]]) -> StatusError:
    causes = [
        {
            "reason": "FieldManagerConflict",
            "message": f'conflict with "{m}" using {v}',
            "field": _dotted(p),
        }
        for m, v, p in sorted(conflicts)
    ]
    count = len(causes)
    lines = "\n".join(f"- {c['message']}: {c['field']}" for c in causes)
    message = f"Apply failed with {count} conflict{'s' if count > 1 else ''}: " + (
        f"{causes[0]['message']}: {causes[0]['field']}" if count == 1 else f"\n{lines}"
    )
    return StatusError(409, "Conflict", message, {"causes": causes})
