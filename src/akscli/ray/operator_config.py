"""The KubeRay operator's --config file decoded as its main.go decodes it, so that akscli can say why
an operator started with one exits ("failed to decode config file") before it is ever seen running.

upstream: ray-project/kuberay v1.7.0 ray-operator/main.go decodeConfig (runtime.DecodeInto with
serializer.NewCodecFactory(scheme).UniversalDecoder(), not strict) and
ray-operator/apis/config/v1alpha1/configuration_types.go (v1.4.2 to v1.7.0; qps and burst since
v1.5); kubernetes/apimachinery v0.36.0 (v0.33.1 for kuberay v1.4.2)
pkg/runtime/serializer/json/json.go Decode and gvkWithDefaults, meta.go Interpret,
pkg/runtime/schema/group_version.go ParseGroupVersion, pkg/runtime/helper.go UseOrCreateObject,
pkg/runtime/error.go notRegisteredErr, pkg/util/naming/from_stack.go GetNameFromCallsite (the
scheme's name: the module cache path has "@vX" in it, so NewScheme's own line is named,
"pkg/runtime/scheme.go:111" in v0.35-v0.36, ":110" in v0.33-v0.34);
kubernetes-sigs/json internal/golang/encoding/json/decode.go (UnmarshalTypeError, the first one
kept); kubernetes-sigs/yaml v1.6.0 yaml.go yamlToJSONTarget (JSON from Go maps: keys sorted).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

ConfigError = tuple[str, str]  # (main.go's exitOnError message, the error)
DECODE = "failed to decode config file"
_TARGET = ("config.ray.io", "v1alpha1", "Configuration")
# pkg/apis/meta/v1/register.go AddToGroupVersion: kinds the scheme holds in any version (not judged)
_ANY_VERSION = frozenset(
    [
        "WatchEvent",
        "ListOptions",
        "GetOptions",
        "DeleteOptions",
        "CreateOptions",
        "UpdateOptions",
        "PatchOptions",
        "Status",
        "APIVersions",
        "APIGroupList",
        "APIGroup",
        "APIResourceList",
    ]
)
# configuration_types.go: top-level scalar fields and their Go types (a pointer's element type)
_TYPES_V1_4: dict[str, str] = {
    **{
        name: "string"
        for name in (
            "batchScheduler",
            "leaderElectionNamespace",
            "logFile",
            "logFileEncoder",
            "logStdoutEncoder",
            "metricsAddr",
            "probeAddr",
            "watchNamespace",
        )
    },
    **{
        name: "bool"
        for name in (
            "deleteRayJobAfterJobFinishes",
            "enableBatchScheduler",
            "enableLeaderElection",
            "enableMetrics",
            "useKubernetesProxy",
        )
    },
    "reconcileConcurrency": "int",
}
_TYPES_V1_5 = {**_TYPES_V1_4, "burst": "int", "qps": "float64"}
# list, map and struct fields: an error inside them is not read, so a file with one is not judged
_STRUCTURED: tuple[str, ...] = (
    "defaultContainerEnvs",
    "defaultPodAnnotations",
    "defaultPodLabels",
    "headSidecarContainers",
    "workerSidecarContainers",
)


def _scheme(release: tuple[int, int]) -> str:
    return "pkg/runtime/scheme.go:" + ("111" if release >= (1, 6) else "110")


def _kind_problem(doc: Mapping[str, Any], release: tuple[int, int]) -> str | bool | None:
    """The error of the file's apiVersion/kind, None for a Configuration, False: not judged."""
    api_version, kind = doc.get("apiVersion") or "", doc.get("kind") or ""
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return False
    slashes = api_version.count("/")
    if slashes > 1:
        return f"unexpected GroupVersion string: {api_version}"
    group, _, version = api_version.rpartition("/") if api_version != "/" else ("", "", "")
    kind = kind or _TARGET[2]
    if not version and group in ("", _TARGET[0]):  # gvkWithDefaults
        group, version = _TARGET[0], _TARGET[1]
    if (group, version, kind) == _TARGET:
        return None
    unregistered = group == _TARGET[0] or (group == "" and version not in ("v1", "__internal"))
    if not version or kind in _ANY_VERSION or not unregistered or version == "__internal":
        return False
    shown = f"{group}/{version}" if group else version
    return f'no kind "{kind}" is registered for version "{shown}" in scheme "{_scheme(release)}"'


def _json_value(value: Any) -> str | None:
    """How the value reaches encoding/json after YAMLToJSON: its UnmarshalTypeError word (numbers
    with their JSON text), "null", or None where akscli does not follow Go."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):  # go-yaml v2 (YAML 1.1) also reads a plain y, Y, n, N as a bool; PyYAML does not
        return None if value in ("y", "Y", "n", "N") else "string"
    if isinstance(value, int):
        return f"number {value}" if -(2**63) <= value < 2**63 else None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer() and abs(value) < 2**53:
            return f"number {int(value)}"  # json.Marshal writes 2.0 as 2
        return f"number {value!r}" if 1e-4 <= abs(value) < 1e16 else None
    if isinstance(value, dict):
        return "object"
    return "array" if isinstance(value, list) else None


def _field_problem(doc: Mapping[str, Any], release: tuple[int, int]) -> str | bool | None:
    types = _TYPES_V1_5 if release >= (1, 5) else _TYPES_V1_4
    for name in sorted(k for k in doc if isinstance(k, str)):
        value = doc[name]
        if name in _STRUCTURED and value is not None:
            return False
        if name not in types:
            continue
        go_type, seen = types[name], _json_value(value)
        if seen is None:
            return False
        word = seen.partition(" ")[0]
        fits = (
            seen == "null"
            or (word == "string" and go_type == "string")
            or (word == "bool" and go_type == "bool")
            or (word == "number" and (go_type == "float64" or (go_type == "int" and "." not in seen)))
        )
        if not fits:
            said = seen if word == "number" and go_type in ("int", "float64") else word
            return f"json: cannot unmarshal {said} into Go struct field Configuration.{name} of type {go_type}"
    return None


def decode(text: str, release: tuple[int, int] | None) -> Mapping[str, Any] | ConfigError | None:
    """decodeConfig of the file ``text`` for an operator of ``release``: the Configuration, the
    (message, error) main.go exits with, or None where akscli does not judge it (a list or scalar
    file, a kind the operator's scheme may hold, a value read differently by PyYAML and go-yaml,
    a release before v1.4 or not known: then only YAML that does not parse is judged)."""
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        return DECODE, f"error converting YAML to JSON: yaml: {line}{error.problem}"
    except yaml.YAMLError:
        return None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        return None
    if release is None or release < (1, 4):
        plain = (doc.get("apiVersion") or "config.ray.io/v1alpha1", doc.get("kind") or "Configuration")
        return doc if plain == ("config.ray.io/v1alpha1", "Configuration") else None
    for check in (_kind_problem, _field_problem):
        problem = check(doc, release)
        if problem is False:
            return None
        if isinstance(problem, str):
            return DECODE, problem
    return doc
