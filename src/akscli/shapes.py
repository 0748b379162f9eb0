"""The field types of the Kubernetes objects akscli renders and applies: one structural check.

``problem(obj)`` names the first field whose value has the wrong JSON type (``args`` given as a
string where the API declares ``[]string``) in one line, or returns None. ``akscli render``
runs it on every rendered object and the apply engine (``policy.evaluate``, before the rules
read the objects) on every object it is given, so neither prints nor sends an object the API
server would refuse to decode.

The types are those the API declares, written down for the fields akscli renders or reads:

* k8s.io/api core/v1/types.go: Container, ContainerPort, EnvVar, ResourceRequirements,
  VolumeMount, Toleration, PodSpec, PodTemplateSpec, ServiceSpec, ServicePort, ConfigMap, Secret;
* k8s.io/api apps/v1/types.go (DeploymentSpec, StatefulSetSpec, DaemonSetSpec, ReplicaSetSpec),
  batch/v1/types.go (JobSpec, CronJobSpec), policy/v1/types.go (PodDisruptionBudgetSpec);
* k8s.io/apimachinery pkg/apis/meta/v1/types.go: ObjectMeta, LabelSelector;
* ray-project/kuberay ray-operator/apis/ray/v1/raycluster_types.go (RayClusterSpec,
  HeadGroupSpec, WorkerGroupSpec), rayjob_types.go, rayservice_types.go.

A field not listed is not checked here (the server checks it); null is accepted wherever a
field is optional, as the API server decodes null as absent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Union

# Scalar shapes: the JSON type the API's Go type decodes from.
STRING = "string"
INTEGER = "integer"  # int32 / int64
BOOLEAN = "boolean"
QUANTITY = "quantity"  # resource.Quantity: a string or a number
INT_OR_STRING = "int-or-string"  # intstr.IntOrString
OBJECT = "object"  # a struct whose fields are not checked here


class Fields:
    """A struct: its Go type name and the fields checked here. (Plain classes, not dataclasses:
    ``akscli render`` imports this module, and tests/foundation/test_startup.py keeps
    ``dataclasses`` out of its imports.)"""

    __slots__ = ("closed", "fields", "name")

    def __init__(self, name: str, fields: Mapping[str, Shape], closed: bool = False) -> None:
        self.name = name
        self.fields = fields
        self.closed = closed  # every field of the Go type is listed: another key is a mistake


class ListOf:
    __slots__ = ("item",)

    def __init__(self, item: Shape) -> None:
        self.item = item


class MapOf:
    __slots__ = ("value",)

    def __init__(self, value: Shape) -> None:
        self.value = value


Shape = Union[str, Fields, ListOf, MapOf]  # noqa: UP007 (a runtime alias used before 3.12's `type`)

STRINGS = ListOf(STRING)
STRING_MAP = MapOf(STRING)

OBJECT_META = Fields(
    "ObjectMeta",
    {
        "name": STRING,
        "generateName": STRING,
        "namespace": STRING,
        "labels": STRING_MAP,
        "annotations": STRING_MAP,
        "finalizers": STRINGS,
    },
)
LABEL_SELECTOR = Fields(
    "LabelSelector",
    {
        "matchLabels": STRING_MAP,
        "matchExpressions": ListOf(
            Fields("LabelSelectorRequirement", {"key": STRING, "operator": STRING, "values": STRINGS}, closed=True)
        ),
    },
    closed=True,
)
TOLERATION = Fields(
    "Toleration",
    {"key": STRING, "operator": STRING, "value": STRING, "effect": STRING, "tolerationSeconds": INTEGER},
    closed=True,
)
CONTAINER_PORT = Fields(
    "ContainerPort",
    {"name": STRING, "containerPort": INTEGER, "hostPort": INTEGER, "protocol": STRING, "hostIP": STRING},
    closed=True,
)
ENV_VAR = Fields("EnvVar", {"name": STRING, "value": STRING, "valueFrom": OBJECT}, closed=True)
RESOURCES = Fields(
    "ResourceRequirements",
    {"limits": MapOf(QUANTITY), "requests": MapOf(QUANTITY), "claims": ListOf(OBJECT)},
    closed=True,
)
VOLUME_MOUNT = Fields(
    "VolumeMount",
    {
        "name": STRING,
        "mountPath": STRING,
        "subPath": STRING,
        "subPathExpr": STRING,
        "readOnly": BOOLEAN,
        "recursiveReadOnly": STRING,
        "mountPropagation": STRING,
    },
    closed=True,
)
SECURITY_CONTEXT = Fields(
    "SecurityContext",
    {
        "privileged": BOOLEAN,
        "runAsUser": INTEGER,
        "runAsGroup": INTEGER,
        "runAsNonRoot": BOOLEAN,
        "capabilities": OBJECT,
    },
)
CONTAINER = Fields(
    "Container",
    {
        "name": STRING,
        "image": STRING,
        "imagePullPolicy": STRING,
        "workingDir": STRING,
        "command": STRINGS,
        "args": STRINGS,
        "ports": ListOf(CONTAINER_PORT),
        "env": ListOf(ENV_VAR),
        "envFrom": ListOf(OBJECT),
        "resources": RESOURCES,
        "volumeMounts": ListOf(VOLUME_MOUNT),
        "securityContext": SECURITY_CONTEXT,
        "livenessProbe": OBJECT,
        "readinessProbe": OBJECT,
        "startupProbe": OBJECT,
    },
)
VOLUME = Fields("Volume", {"name": STRING})
POD_SPEC = Fields(
    "PodSpec",
    {
        "containers": ListOf(CONTAINER),
        "initContainers": ListOf(CONTAINER),
        "volumes": ListOf(VOLUME),
        "nodeSelector": STRING_MAP,
        "tolerations": ListOf(TOLERATION),
        "affinity": OBJECT,
        "serviceAccountName": STRING,
        "restartPolicy": STRING,
        "priorityClassName": STRING,
        "hostNetwork": BOOLEAN,
        "hostIPC": BOOLEAN,
        "hostPID": BOOLEAN,
        "imagePullSecrets": ListOf(OBJECT),
        "securityContext": OBJECT,
        "terminationGracePeriodSeconds": INTEGER,
        "activeDeadlineSeconds": INTEGER,
    },
)
POD_TEMPLATE = Fields("PodTemplateSpec", {"metadata": OBJECT_META, "spec": POD_SPEC})
_POD_SET = {"selector": LABEL_SELECTOR, "template": POD_TEMPLATE}
JOB_SPEC = Fields(
    "JobSpec",
    {
        "template": POD_TEMPLATE,
        "parallelism": INTEGER,
        "completions": INTEGER,
        "backoffLimit": INTEGER,
        "activeDeadlineSeconds": INTEGER,
        "ttlSecondsAfterFinished": INTEGER,
        "selector": LABEL_SELECTOR,
    },
)
SERVICE_PORT = Fields(
    "ServicePort",
    {"name": STRING, "port": INTEGER, "targetPort": INT_OR_STRING, "nodePort": INTEGER, "protocol": STRING},
)
SERVICE_SPEC = Fields(
    "ServiceSpec", {"selector": STRING_MAP, "ports": ListOf(SERVICE_PORT), "type": STRING, "clusterIP": STRING}
)
HEAD_GROUP = Fields("HeadGroupSpec", {"rayStartParams": STRING_MAP, "template": POD_TEMPLATE, "serviceType": STRING})
WORKER_GROUP = Fields(
    "WorkerGroupSpec",
    {
        "groupName": STRING,
        "replicas": INTEGER,
        "minReplicas": INTEGER,
        "maxReplicas": INTEGER,
        "rayStartParams": STRING_MAP,
        "template": POD_TEMPLATE,
    },
)
RAY_CLUSTER_SPEC = Fields(
    "RayClusterSpec",
    {
        "rayVersion": STRING,
        "enableInTreeAutoscaling": BOOLEAN,
        "autoscalerOptions": OBJECT,
        "headGroupSpec": HEAD_GROUP,
        "workerGroupSpecs": ListOf(WORKER_GROUP),
    },
)

# The spec of each kind, by (API group, kind): the group is apiVersion without its version.
SPECS: Mapping[tuple[str, str], Shape] = {
    ("", "Pod"): POD_SPEC,
    ("", "Service"): SERVICE_SPEC,
    ("apps", "Deployment"): Fields("DeploymentSpec", {**_POD_SET, "replicas": INTEGER, "strategy": OBJECT}),
    ("apps", "StatefulSet"): Fields(
        "StatefulSetSpec", {**_POD_SET, "replicas": INTEGER, "serviceName": STRING, "updateStrategy": OBJECT}
    ),
    ("apps", "DaemonSet"): Fields("DaemonSetSpec", {**_POD_SET, "updateStrategy": OBJECT}),
    ("apps", "ReplicaSet"): Fields("ReplicaSetSpec", {**_POD_SET, "replicas": INTEGER}),
    ("batch", "Job"): JOB_SPEC,
    ("batch", "CronJob"): Fields(
        "CronJobSpec",
        {"schedule": STRING, "jobTemplate": Fields("JobTemplateSpec", {"metadata": OBJECT_META, "spec": JOB_SPEC})},
    ),
    ("policy", "PodDisruptionBudget"): Fields(
        "PodDisruptionBudgetSpec",
        {"selector": LABEL_SELECTOR, "minAvailable": INT_OR_STRING, "maxUnavailable": INT_OR_STRING},
    ),
    ("ray.io", "RayCluster"): RAY_CLUSTER_SPEC,
    ("ray.io", "RayJob"): Fields(
        "RayJobSpec",
        {"entrypoint": STRING, "rayClusterSpec": RAY_CLUSTER_SPEC, "submitterPodTemplate": POD_TEMPLATE},
    ),
    ("ray.io", "RayService"): Fields("RayServiceSpec", {"rayClusterConfig": RAY_CLUSTER_SPEC}),
}
# Top-level fields other than spec (core/v1 ConfigMap and Secret keep theirs at the top).
TOP_LEVEL: Mapping[tuple[str, str], Mapping[str, Shape]] = {
    ("", "ConfigMap"): {"data": STRING_MAP, "binaryData": STRING_MAP},
    ("", "Secret"): {"data": STRING_MAP, "stringData": STRING_MAP, "type": STRING},
}

# Named shapes a template's values declaration may refer to (``items: Toleration``).
NAMED: Mapping[str, Shape] = {
    s.name: s for s in (TOLERATION, CONTAINER_PORT, ENV_VAR, LABEL_SELECTOR, RESOURCES, CONTAINER, POD_SPEC)
}


def problem(obj: Mapping[str, Any]) -> str | None:
    """The first field of ``obj`` with a value of the wrong type, as ``PATH must be TYPE (it is
    KIND)``; None when every checked field has its declared type."""
    group = str(obj.get("apiVersion") or "").rpartition("/")[0]
    kind = str(obj.get("kind") or "")
    root = _ROOTS.get((group, kind))
    if root is None:  # built once per group and kind: an apply checks hundreds of one kind
        fields: dict[str, Shape] = {"apiVersion": STRING, "kind": STRING, "metadata": OBJECT_META}
        fields.update(TOP_LEVEL.get((group, kind), {}))
        spec = SPECS.get((group, kind))
        fields["spec"] = spec if spec is not None else OBJECT
        root = _ROOTS[(group, kind)] = Fields(kind or "object", fields)
    return check(obj, root, "")


_ROOTS: dict[tuple[str, str], Fields] = {}


def explain_command(obj: Mapping[str, Any], found: str) -> str:
    """``kubectl explain deployment.spec.template.spec.containers.args`` for a ``problem``."""
    path = re.sub(r"\[\d+\]", "", found.split(" ", 1)[0])
    kind = str(obj.get("kind") or "KIND").lower()
    return f"kubectl explain {kind}.{path}" if path and path != "the" else f"kubectl explain {kind}"


def check(value: Any, shape: Shape, path: str) -> str | None:
    """The first mismatch of ``value`` against ``shape`` at ``path``, or None."""
    if value is None:
        return None
    if isinstance(shape, str):
        return None if _scalar_fits(value, shape) else _mismatch(path, shape, value)
    if isinstance(shape, ListOf):
        if not isinstance(value, list):
            return _mismatch(path, shape, value)
        for index, item in enumerate(value):
            found = check(item, shape.item, f"{path}[{index}]")
            if found:
                return found
        return None
    # ``dict`` first (isinstance tries the tuple in order): decoded YAML and JSON are dicts,
    # answered in C; ``Mapping`` is abc's Python-level check.
    if not isinstance(value, (dict, Mapping)):
        return _mismatch(path, shape, value)
    if isinstance(shape, MapOf):
        leaf = shape.value
        if isinstance(leaf, str):  # labels, annotations, a ConfigMap's data: no path built unless one does not fit
            for key, item in value.items():
                if item is not None and not _scalar_fits(item, leaf):
                    return _mismatch(_join(path, str(key)), leaf, item)
            return None
        for key, item in value.items():
            found = check(item, leaf, _join(path, str(key)))
            if found:
                return found
        return None
    if shape.closed:
        extra = next((str(k) for k in value if k not in shape.fields), None)
        if extra is not None:
            # {key:a} is YAML for the key "key:a": a colon in flow style needs a space after it.
            colon = "; write {key: value}, with a space after the colon" if ":" in extra else ""
            return f"{path or 'the object'} has no field {extra!r} ({shape.name} has {', '.join(shape.fields)}{colon})"
    for key, field in shape.fields.items():
        child = value.get(key)
        if child is None:  # absent or null: nothing to check (check's own first rule), no path
            continue
        if isinstance(field, str):  # a scalar: its path is written only when it does not fit
            if _scalar_fits(child, field):
                continue
            return _mismatch(_join(path, key), field, child)
        found = check(child, field, _join(path, key))
        if found:
            return found
    return None


def describe(shape: Shape, plural: bool = False) -> str:
    """``a list of strings``, ``a map of string to string``, ``an object (Toleration)``."""
    if isinstance(shape, ListOf):
        return ("lists of " if plural else "a list of ") + describe(shape.item, plural=True)
    if isinstance(shape, MapOf):
        return ("maps of string to " if plural else "a map of string to ") + describe(shape.value, plural=True)
    if isinstance(shape, Fields):
        return f"{shape.name} objects" if plural else f"an object ({shape.name})"
    words = {
        STRING: ("a string", "strings"),
        INTEGER: ("a whole number", "whole numbers"),
        BOOLEAN: ("true or false", "booleans"),
        QUANTITY: ("a quantity such as 2 or 16Gi", "quantities"),
        INT_OR_STRING: ("a number or a string", "numbers or strings"),
        OBJECT: ("an object", "objects"),
    }
    one, many = words[shape]
    return many if plural else one


def json_kind(value: Any) -> str:
    """The JSON type of a decoded YAML value, in words."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a map"
    return type(value).__name__


def _scalar_fits(value: Any, shape: str) -> bool:
    if shape == STRING:
        return isinstance(value, str)
    if shape == INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if shape == BOOLEAN:
        return isinstance(value, bool)
    if shape in (QUANTITY, INT_OR_STRING):
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    return isinstance(value, Mapping)  # OBJECT


def _mismatch(path: str, shape: Shape, value: Any) -> str:
    return f"{path or 'the object'} must be {describe(shape)} (it is {json_kind(value)})"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
