"""Names the API server's parts share: request context, server-owned metadata, name patterns, helpers.

Server-owned metadata is what kube-apiserver sets and a client's write cannot (upstream:
kubernetes/apimachinery pkg/apis/meta/v1/types.go ObjectMeta; kubernetes/kubernetes
staging/src/k8s.io/apiserver/pkg/registry/rest/create.go FillObjectMetaSystemFields)."""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.emulators.kube.resources import ResourceType
from tests.emulators.kube.status import (
    bad_request,
)

# The types json.loads makes that are never changed in place.
_ATOMS = frozenset({str, int, float, bool, type(None)})


def clone(value: Any) -> Any:
    """A deep copy of JSON data (what request bodies and stored objects are): dicts and lists
    copied, strings, numbers, booleans and None shared, anything else through copy.deepcopy.
    About a third of copy.deepcopy's cost, which keeps a memo and looks up a copier per value;
    the emulator copies an object several times per write."""
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _ATOMS else clone(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _ATOMS else clone(v) for v in value]
    if kind in _ATOMS:
        return value
    return copy.deepcopy(value)


SERVER_METADATA = (
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "generation",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
)
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
# The priority classes every API server creates at start (upstream: kubernetes/kubernetes
# pkg/apis/scheduling/types.go SystemPriorityClasses; pkg/registry/scheduling/rest/storage_scheduling.go).
SYSTEM_PRIORITY_CLASSES = (
    (
        "system-node-critical",
        2_000_001_000,
        "Used for system critical pods that must not be moved from their current node.",
    ),
    (
        "system-cluster-critical",
        2_000_000_000,
        "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
    ),
)
GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def now_iso() -> str:
    """The time now in RFC 3339 to the second, UTC (metav1.Time's JSON, kubernetes/kubernetes
    staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/time.go MarshalJSON: RFC3339 of t.UTC());
    time.gmtime is half the cost of a datetime."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class Ctx:
    """Who is asking and how: carried through one request."""

    user: str = "system:admin"
    groups: list[str] = field(default_factory=lambda: ["system:masters", "system:authenticated"])
    dry_run: bool = False
    field_manager: str | None = None
    field_validation: str = "Warn"
    warnings: list[str] = field(default_factory=list)
    # The controller making this write (None for API clients and tests).
    origin: object | None = None
    # Test-side writes keep .status on create (a test seeds nodes with capacity).
    keep_status: bool = False
    # Set when a write created the object (an apply answers 201 then).
    created: bool = False
    # The name admission sees on a create whose name the server generates: its generateName
    # (the name is generated after admission; upstream: kubernetes/apiserver pkg/admission/errors.go
    # extractResourceName).
    admission_name: str | None = None


Listener = Callable[[str, ResourceType, dict[str, Any], Ctx], None]


def obj_key(namespace: str | None, name: str) -> str:
    return f"{namespace}/{name}" if namespace else name


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    def canon(o: dict[str, Any]) -> dict[str, Any]:
        c = dict(o)
        md = dict(c.get("metadata") or {})
        md.pop("resourceVersion", None)
        mf = md.pop("managedFields", None) or []
        md["managedFields"] = [{k: v for k, v in e.items() if k != "time"} for e in mf]
        c["metadata"] = md
        return c

    return canon(old) == canon(new)


def _parse_yaml_or_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        pass
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(body, Loader=loader)
    except yaml.YAMLError as exc:
        raise bad_request(f"error decoding YAML: {exc}") from exc


def wait_until(pred: Callable[[], bool], timeout: float = 5.0, interval: float = 0.01) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(interval)
    return pred()


# ObjectMeta's list and map fields are omitempty (kubernetes/apimachinery pkg/apis/meta/v1/types.go), so
# an empty one does not survive the decode and encode a write goes through: a built-in kind's typed
# round trip, and a custom resource's metadata too (kubernetes/kubernetes staging/src/k8s.io/
# apiextensions-apiserver/pkg/apiserver/schema/objectmeta/coerce.go GetObjectMeta, then SetObjectMeta's
# DefaultUnstructuredConverter.ToUnstructured). `kubectl diff` and `apply` send `annotations: {}`.
OMITTED_WHEN_EMPTY = ("labels", "annotations", "ownerReferences", "finalizers")


def omit_empty_metadata(obj: dict[str, Any]) -> None:
    md = obj.get("metadata")
    if isinstance(md, dict):
        for key in OMITTED_WHEN_EMPTY:
            if key in md and md[key] in (None, {}, []):
                del md[key]
