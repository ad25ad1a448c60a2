"""CustomResourceDefinitions, served as the real server serves them.

A CRD's served versions become resource types (discovery, REST); its definitions and REST
paths, made by `kubeforge.crd` and `kubeforge.crd_paths` exactly as `--crd` makes them, join
the spec, so a client generated from the server knows the new kinds. Deleting the CRD removes
all of it.
"""

from __future__ import annotations

from typing import Any

from kubeforge.crd import VERBS, served, subresource_kinds, subresource_verbs
from kubeforge.fake.registry import ResourceType

Json = dict[str, Any]


def resource_types(crd: Json) -> list[ResourceType]:
    out = []
    for s in served(crd):
        subs = subresource_verbs(s)
        out.append(
            ResourceType(
                group=s.group,
                version=s.version,
                plural=s.plural,
                singular=s.singular,
                kind=s.kind,
                namespaced=s.namespaced,
                verbs=VERBS,
                list_kind=s.list_kind,
                short_names=s.short_names,
                categories=s.categories,
                subresources=subs,
                model=s.model,
                subresource_kinds=subresource_kinds(s),
                scale_paths=s.scale if "scale" in subs else None,
            )
        )
    return out


def status(crd: Json, now: str) -> Json:
    """What the real server reports once a CRD's names are accepted and it is served."""
    spec = crd.get("spec") or {}
    storage = [v["name"] for v in spec.get("versions") or () if v.get("storage")]
    conditions = [
        {
            "type": t,
            "status": "True",
            "reason": reason,
            "message": message,
            "lastTransitionTime": now,
        }
        for t, reason, message in (
            ("NamesAccepted", "NoConflicts", "no conflicts found"),
            ("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        )
    ]
    return {
        "acceptedNames": spec.get("names") or {},
        "conditions": conditions,
        "storedVersions": storage,
    }
