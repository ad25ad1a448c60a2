"""Admission: what a write must pass before it is stored, and the field managers it records."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

from kubeforge.fake import apply as ssa
from kubeforge.fake import status
from kubeforge.fake.catalog import Catalog
from kubeforge.fake.registry import ResourceType
from kubeforge.fake.store import Obj, now


def admit(
    catalog: Catalog,
    rt: ResourceType,
    obj: Obj,
    query: Mapping[str, str],
    warnings: list[str],
    old: Obj | None = None,
    manager: str = "",
    sub: str = "",
    partial: bool = False,
) -> Obj:
    """Validate a body about to be stored; unknown fields per fieldValidation (default Warn).

    With a `manager`, the fields the write changed are recorded as its `Update` fields.
    A custom resource is checked against its own CRD version (`partial`: an apply
    configuration, only pruned; `sub`: the subresource written).
    """
    mode = query.get("fieldValidation") or "Warn"
    if mode not in ("Strict", "Warn", "Ignore"):
        raise status.bad_request(
            f"fieldValidation must be one of Strict, Warn or Ignore, not {mode!r}"
        )
    custom = catalog.custom.get(rt.group, rt.plural, rt.version)
    if custom is not None:
        checked, found = custom.admit(obj, old, mode, sub, partial)
    else:
        checked, found = catalog.validator.check(rt.model, rt.kind, rt.group, obj, mode)
    warnings.extend(found)
    if manager:
        ssa.record_update(old, checked, manager, rt.api_version, rt.model, catalog.list_meta, now())
    return checked


@contextlib.contextmanager
def decoding(rt: ResourceType) -> Iterator[None]:
    """Admitting the body of a create or update: kube-apiserver's decoder names the kind in a
    strict decoding error (`CronTab in version "v1" cannot be handled as a CronTab: strict
    decoding error: unknown field "spec.x"`); a patch words it otherwise."""
    try:
        yield
    except status.StatusError as exc:
        if exc.code != 400 or not exc.message.startswith("strict decoding error"):
            raise
        raise status.bad_request(
            f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: {exc.message}'
        ) from None
