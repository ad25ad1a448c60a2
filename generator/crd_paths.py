"""A CustomResourceDefinition's REST operations, as kube-apiserver publishes them in /openapi/v2.

Shared by the fake server (what it serves) and `kubeforge generate --crd` (what it generates
clients from), so both see the same paths. apiextensions-apiserver builds one route per verb
and path; each route takes `pretty`, its path parameters and the fields of its metav1 options
struct (GetOptions, ListOptions, CreateOptions, UpdateOptions, PatchOptions, DeleteOptions)
as query parameters. A parameter every operation of a path takes is declared once on the
path, the rest on their operations, each list sorted by name. Operation ids put the group
and version after the verb (`listStableExampleComV1NamespacedCronTab`), so they are unique
across versions and groups.

Parameters are written inline rather than as the `#/parameters/` references the real
server's merged document uses: the same parameters, and a document made from manifests
alone needs no shared section.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubeforge.crd import META, Json, Served

_REF = "#/definitions/"
_DELETE_OPTIONS = META.removeprefix(_REF) + "DeleteOptions"
_PATCH = META.removeprefix(_REF) + "Patch"
_STATUS = META.removeprefix(_REF) + "Status"
_SCALE = "io.k8s.api.autoscaling.v1.Scale"
_CONSUMES = ["application/json", "application/yaml"]
# Custom resources take no strategic merge patch.
_PATCH_TYPES = [
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
]

# The query parameters of the metav1 options structs, with the descriptions Kubernetes 1.36
# publishes for them (the same words as on built-in operations).
_QUERY: dict[str, tuple[str, str]] = {
    "allowWatchBookmarks": (
        "boolean",
        'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored.',
    ),
    "continue": (
        "string",
        'The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue) and the server may reject a continue value it does not recognize. If the specified continue value is no longer valid whether due to expiration (generally five to fifteen minutes) or a configuration change on the server, the server will respond with a 410 ResourceExpired error together with a continue token. If the client needs a consistent list, it must restart their list without the continue field. Otherwise, the client may send another list request with the token received with the 410 error, the server will respond with a list starting from the next key, but from the latest snapshot, which is inconsistent from the previous list results - objects that are created, modified, or deleted after the first list request will be included in the response, as long as their keys are after the "next key".\n\nThis field is not supported when watch is true. Clients may start a watch from the last resourceVersion value returned by the server and not miss any modifications.',
    ),
    "dryRun": (
        "string",
        "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
    ),
    "fieldManager": (
        "string",
        "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.",
    ),
    "fieldSelector": (
        "string",
        "A selector to restrict the list of returned objects by their fields. Defaults to everything.",
    ),
    "fieldValidation": (
        "string",
        "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.",
    ),
    "force": (
        "boolean",
        'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.',
    ),
    "gracePeriodSeconds": (
        "integer",
        "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.",
    ),
    "ignoreStoreReadErrorWithClusterBreakingPotential": (
        "boolean",
        "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error. A resource is considered corrupt if it can not be retrieved from the underlying storage successfully because of a) its data can not be transformed e.g. decryption failure, or b) it fails to decode into an object. NOTE: unsafe deletion ignores finalizer constraints, skips precondition checks, and removes the object from the storage. WARNING: This may potentially break the cluster if the workload associated with the resource being unsafe-deleted relies on normal deletion flow. Use only if you REALLY know what you are doing. The default value is false, and the user must opt in to enable it",
    ),
    "labelSelector": (
        "string",
        "A selector to restrict the list of returned objects by their labels. Defaults to everything.",
    ),
    "limit": (
        "integer",
        "limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results. Setting a limit may return fewer than the requested amount of items (up to zero items) in the event all requested objects are filtered out and clients should only use the presence of the continue field to determine whether more results are available. Servers may choose not to support the limit argument and will return all of the available results. If limit is specified and the continue field is empty, clients may assume that no more results are available. This field is not supported if watch is true.\n\nThe server guarantees that the objects returned when using continue will be identical to issuing a single list call without a limit - that is, no objects created, modified, or deleted after the first request is issued will be included in any subsequent continued requests. This is sometimes referred to as a consistent snapshot, and ensures that a client that is using limit to receive smaller chunks of a very large result can ensure they see all possible objects. If objects are updated during a chunked list the version of the object that was present at the time the first list result was calculated is returned.",
    ),
    "orphanDependents": (
        "boolean",
        'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.',
    ),
    "pretty": (
        "string",
        "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).",
    ),
    "propagationPolicy": (
        "string",
        "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.",
    ),
    "resourceVersion": (
        "string",
        "resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset",
    ),
    "resourceVersionMatch": (
        "string",
        "resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset",
    ),
    "sendInitialEvents": (
        "boolean",
        '`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection. Once all such events have been sent, a synthetic "Bookmark" event  will be sent. The bookmark will report the ResourceVersion (RV) corresponding to the set of objects, and be marked with `"k8s.io/initial-events-end": "true"` annotation. Afterwards, the watch stream will proceed as usual, sending watch events corresponding to changes (subsequent to the RV) to objects watched.\n\nWhen `sendInitialEvents` option is set, we require `resourceVersionMatch` option to also be set. The semantic of the watch request is as following: - `resourceVersionMatch` = NotOlderThan\n  is interpreted as "data at least as new as the provided `resourceVersion`"\n  and the bookmark event is send when the state is synced\n  to a `resourceVersion` at least as fresh as the one provided by the ListOptions.\n  If `resourceVersion` is unset, this is interpreted as "consistent read" and the\n  bookmark event is send when the state is synced at least to the moment\n  when request started being processed.\n- `resourceVersionMatch` set to any other value or unset\n  Invalid error is returned.\n\nDefaults to true if `resourceVersion=""` or `resourceVersion="0"` (for backward compatibility reasons) and to false otherwise.',
    ),
    "shardSelector": (
        "string",
        "shardSelector restricts the list of returned objects using a CEL-based shard selector expression. The format uses the shardRange() function combined with || (logical OR) to specify one or more hash ranges:\n\n  shardRange(object.metadata.uid, '0x0', '0x8000000000000000')\n  shardRange(object.metadata.uid, '0x0', '0x8000000000000000') || shardRange(object.metadata.uid, '0x8000000000000000', '0x10000000000000000')\n\nField paths use CEL-style object-rooted syntax (e.g. \"object.metadata.uid\"), NOT the fieldSelector format (\"metadata.uid\"). Currently supported paths:\n  - object.metadata.uid\n  - object.metadata.namespace\n\nhexStart and hexEnd are single-quoted CEL string literals with a '0x' prefix, defining the inclusive lower and exclusive upper bounds over the 64-bit FNV-1a hash space. The full range is [0x0, 0x10000000000000000), where the exclusive upper bound equals 2^64.\n\nExamples:\n  2-shard split:\n    shard 0: shardRange(object.metadata.uid, '0x0000000000000000', '0x8000000000000000')\n    shard 1: shardRange(object.metadata.uid, '0x8000000000000000', '0x10000000000000000')\n  4-shard split:\n    shard 0: shardRange(object.metadata.uid, '0x0000000000000000', '0x4000000000000000')\n    shard 1: shardRange(object.metadata.uid, '0x4000000000000000', '0x8000000000000000')\n    shard 2: shardRange(object.metadata.uid, '0x8000000000000000', '0xc000000000000000')\n    shard 3: shardRange(object.metadata.uid, '0xc000000000000000', '0x10000000000000000')\n\nThis is an alpha field and requires enabling the ShardedListAndWatch feature gate.",
    ),
    "timeoutSeconds": (
        "integer",
        "Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.",
    ),
    "watch": (
        "boolean",
        "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.",
    ),
}
# PatchOptions documents its fieldManager in more words than the other options do.
_PATCH_FIELD_MANAGER = (
    _QUERY["fieldManager"][1]
    + " This field is required for apply requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch)."
)
_LIST = (
    "allowWatchBookmarks",
    "continue",
    "fieldSelector",
    "labelSelector",
    "limit",
    "resourceVersion",
    "resourceVersionMatch",
    "sendInitialEvents",
    "shardSelector",
    "timeoutSeconds",
    "watch",
)
# The options struct of each action, by the query parameters it brings.
_OPTIONS: dict[str, tuple[str, ...]] = {
    "get": ("resourceVersion",),  # GetOptions: CRDs publish it, unlike most built-ins
    "list": _LIST,
    "deletecollection": _LIST,  # ListOptions only: no DeleteOptions here, unlike built-ins
    "post": ("dryRun", "fieldManager", "fieldValidation"),
    "put": ("dryRun", "fieldManager", "fieldValidation"),
    "patch": ("dryRun", "fieldManager", "fieldValidation", "force"),
    "delete": (
        "dryRun",
        "gracePeriodSeconds",
        "ignoreStoreReadErrorWithClusterBreakingPotential",
        "orphanDependents",
        "propagationPolicy",
    ),
}
# The operation id's verb and extra answers of each action; every one answers 200 and 401.
_VERB = {
    "list": "list",
    "post": "create",
    "deletecollection": "deletecollection",
    "get": "read",
    "put": "replace",
    "delete": "delete",
    "patch": "patch",
}
_MORE_ANSWERS = {
    "post": (("201", "Created"), ("202", "Accepted")),
    "put": (("201", "Created"),),
    "delete": (("202", "Accepted"),),
}


@dataclass(frozen=True)
class _Route:
    """One operation before parameters are shared out: what apiextensions-apiserver routes."""

    path: str
    method: str
    action: str
    sub: str  # "", "status" or "scale"
    answer: str  # the definition it answers with
    body: str = ""  # the definition it reads, if any
    all_namespaces: bool = False


def _ref(key: str) -> Json:
    return {"$ref": _REF + key}


def _query(name: str, action: str) -> Json:
    kind, description = _QUERY[name]
    if name == "fieldManager" and action == "patch":
        description = _PATCH_FIELD_MANAGER
    return {
        "description": description,
        "in": "query",
        "name": name,
        "type": kind,
        "uniqueItems": True,
    }


def _parameters(rt: Served, route: _Route) -> list[Json]:
    """Every non-body parameter of a route: path templates, `pretty`, its options' fields."""
    out = [_query("pretty", route.action)]
    if "{namespace}" in route.path:
        out.append(
            {
                "description": "object name and auth scope, such as for teams and projects",
                "in": "path",
                "name": "namespace",
                "required": True,
                "type": "string",
                "uniqueItems": True,
            }
        )
    if "{name}" in route.path:
        out.append(
            {
                "description": f"name of the {rt.kind}",
                "in": "path",
                "name": "name",
                "required": True,
                "type": "string",
                "uniqueItems": True,
            }
        )
    out += [_query(name, route.action) for name in _OPTIONS[route.action]]
    return out


def _article(kind: str) -> str:
    """`a CronTab`, `an Issuer`; a plural-looking kind (`Endpoints`) takes none."""
    if kind.endswith("s") and not kind.endswith("ss"):
        return ""
    return "an " if kind[:1].lower() in "aeiou" else "a "


def _description(rt: Served, route: _Route) -> str:
    of = f" {route.sub} of" if route.sub else ""
    verb = _VERB[route.action]
    if verb == "list":
        return f"list objects of kind {rt.kind}"
    if verb in ("read", "replace"):
        return f"{verb}{of} the specified {rt.kind}"
    if verb == "patch":
        return f"partially update{of} the specified {rt.kind}"
    if verb == "deletecollection":
        return f"delete collection of {rt.kind}"
    return f"{verb} {_article(rt.kind)}{rt.kind}"


def _camel(text: str, first_upper: bool) -> str:
    """An operation id part: letters, `_` and digits (not first) kept, anything else starts a
    capital (`stable.example.com` -> `StableExampleCom`)."""
    out, upper = [], first_upper
    for i, ch in enumerate(text):
        if ch.isalpha() or ch == "_" or (i and ch.isdigit()):
            out.append(ch.upper() if upper else ch)
            upper = False
        else:
            upper = True
    return "".join(out)


def _operation_id(rt: Served, route: _Route) -> str:
    """The verb, the group (without `.k8s.io`) and version, then what the route names."""
    group = rt.group.removesuffix(".k8s.io")
    if route.all_namespaces:
        rest = f"{rt.kind}ForAllNamespaces"
    else:
        scope = "Namespaced" if rt.namespaced else ""
        rest = scope + rt.kind + route.sub.title()
    verb = _VERB[route.action]
    # The real server splits off the shortest verb a name starts with, so
    # `deletecollection...` reads as `delete` + `collection...`.
    if verb == "deletecollection":
        verb, rest = "delete", "Collection" + rest
    return verb + _camel(group, True) + _camel(rt.version, True) + rest


def _tag(rt: Served) -> str:
    return _camel(rt.group.removesuffix(".k8s.io"), False) + "_" + _camel(rt.version, False)


def _operation(rt: Served, route: _Route, own: list[Json]) -> Json:
    parameters = list(own)
    if route.body:
        body: Json = {"in": "body", "name": "body", "schema": _ref(route.body)}
        if route.action != "delete":  # DeleteOptions may be left out
            body["required"] = True
        parameters.append(body)
    op: Json = {
        "consumes": _PATCH_TYPES if route.method == "patch" else _CONSUMES,
        "description": _description(rt, route),
        "operationId": _operation_id(rt, route),
        "produces": ["application/json", "application/yaml"],
        "responses": {
            "200": {"description": "OK", "schema": _ref(route.answer)},
            **{
                code: {"description": text, "schema": _ref(route.answer)}
                for code, text in _MORE_ANSWERS.get(route.action, ())
            },
            "401": {"description": "Unauthorized"},
        },
        "schemes": ["https"],
        "tags": [_tag(rt)],
        "x-kubernetes-action": route.action,
        # The custom resource's kind, on its scale operations too (unlike built-ins).
        "x-kubernetes-group-version-kind": {
            "group": rt.group,
            "kind": rt.kind,
            "version": rt.version,
        },
    }
    if parameters:
        op["parameters"] = sorted(parameters, key=lambda p: (p["name"], p["in"]))
    return op


def _routes(rt: Served) -> list[_Route]:
    """apiextensions-apiserver's routes for one served version, in its order."""
    base = f"/apis/{rt.group}/{rt.version}"
    collection = f"{base}/{rt.plural}"
    routes = []
    if rt.namespaced:
        routes.append(_Route(collection, "get", "list", "", rt.list_model, all_namespaces=True))
        collection = f"{base}/namespaces/{{namespace}}/{rt.plural}"
    item = collection + "/{name}"
    routes += [
        _Route(collection, "get", "list", "", rt.list_model),
        _Route(collection, "post", "post", "", rt.model, rt.model),
        _Route(collection, "delete", "deletecollection", "", _STATUS),
        _Route(item, "get", "get", "", rt.model),
        _Route(item, "put", "put", "", rt.model, rt.model),
        _Route(item, "delete", "delete", "", _STATUS, _DELETE_OPTIONS),
        _Route(item, "patch", "patch", "", rt.model, _PATCH),
    ]
    for sub in rt.subresources:
        model = rt.model if sub == "status" else _SCALE
        path = f"{item}/{sub}"
        routes += [
            _Route(path, "get", "get", sub, model),
            _Route(path, "put", "put", sub, model, model),
            _Route(path, "patch", "patch", sub, model, _PATCH),
        ]
    return routes


def paths(served: list[Served]) -> dict[str, Json]:
    """The REST paths of the served versions, with their operations, as the real server
    publishes them."""
    out: dict[str, Json] = {}
    for rt in served:
        by_path: dict[str, list[_Route]] = {}
        for route in _routes(rt):
            by_path.setdefault(route.path, []).append(route)
        for path, routes in by_path.items():
            params = {id(r): _parameters(rt, r) for r in routes}
            keys = [{(p["name"], p["in"]) for p in params[id(r)]} for r in routes]
            shared = set.intersection(*keys)
            item: Json = {}
            for route in routes:
                own = [p for p in params[id(route)] if (p["name"], p["in"]) not in shared]
                item[route.method] = _operation(rt, route, own)
            first = params[id(routes[0])]
            item["parameters"] = sorted(
                (p for p in first if (p["name"], p["in"]) in shared),
                key=lambda p: (p["name"], p["in"]),
            )
            out[path] = item
    return out
