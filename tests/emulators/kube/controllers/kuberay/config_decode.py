"""The KubeRay operator's --config file as main.go decodes it (ray-project/kuberay v1.7.0 59d663ae
ray-operator/main.go decodeConfig: runtime.DecodeInto(serializer.NewCodecFactory(scheme).
UniversalDecoder(), data, &cfg), then exitOnError(err, "failed to decode config file")).

The decoder, kubernetes/apimachinery v0.36.0 (v0.33.1 for kuberay v1.4.2):
- pkg/runtime/serializer/json/json.go Decode: sigs.k8s.io/yaml YAMLToJSON (a YAML error ends it);
  meta.go SimpleMetaFactory.Interpret reads apiVersion and kind (pkg/runtime/schema/group_version.go
  ParseGroupVersion: more than one "/" is "unexpected GroupVersion string: GV"); gvkWithDefaults
  fills what is empty from the target's kind (config.ray.io/v1alpha1 Configuration: a kind left out
  is Configuration; a version left out with the group left out or config.ray.io is v1alpha1);
  pkg/runtime/helper.go UseOrCreateObject: a kind the target is not is made by scheme.New, whose
  error for a kind the scheme lacks is pkg/runtime/error.go notRegisteredErr: 'no kind "K" is
  registered for version "G/V" in scheme "S"'. S is naming.GetNameFromCallsite's answer in
  NewScheme (pkg/util/naming/from_stack.go): the operator's image builds from the module cache
  (ray-operator/Dockerfile, golang image, GOPATH /go), so the ignored "k8s.io/apimachinery/pkg/
  runtime/scheme.go" is not in the path (an "@v0.36.0" is), the first frame is scheme.go itself,
  trimmed after its last "/pkg/": "pkg/runtime/scheme.go:111" (v0.35.0, v0.36.0; 110 in v0.33.1
  and v0.34.1, the go.mod of kuberay v1.4.2 and v1.5.1).
- Then s.unmarshal, not strict: kubernetes-sigs/json UnmarshalCaseSensitivePreserveInts (a key
  that is not a field's exact JSON name is dropped). A value of the wrong JSON type is
  internal/golang/encoding/json/decode.go's UnmarshalTypeError ("json: cannot unmarshal V into Go
  struct field Configuration.FIELD of type T"); saveError keeps the first, in the order of the JSON
  YAMLToJSON writes, whose objects come from Go maps: keys sorted.
- The fields and Go types: ray-operator/apis/config/v1alpha1/configuration_types.go at v1.4.2 to
  v1.7.0 (qps and burst since v1.5). Only the top-level scalar fields are judged here.

What is not judged (None, None): a list or scalar file; apiVersion or kind not strings; a kind the
operator's scheme may hold (another group than config.ray.io or core, core v1, metav1's option and
watch kinds, the unversioned Status/APIVersions/APIGroup/APIGroupList/APIResourceList); a value
PyYAML reads as a date; an int past int64; a float whose text Go would write otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

GROUP, VERSION, KIND = "config.ray.io", "v1alpha1", "Configuration"
# kubernetes/apimachinery pkg/apis/meta/v1/register.go AddToGroupVersion: what every group version of
# the scheme also holds (WatchEvent, optionsTypes) and the unversioned kinds New finds in any version.
_META_KINDS = frozenset(
    {"WatchEvent", "ListOptions", "GetOptions", "DeleteOptions", "CreateOptions", "UpdateOptions", "PatchOptions"}
    | {"Status", "APIVersions", "APIGroupList", "APIGroup", "APIResourceList"}
)
# configuration_types.go: JSON name -> Go type (pointers read through: *int is "int").
_STRINGS = (
    "metricsAddr",
    "probeAddr",
    "leaderElectionNamespace",
    "watchNamespace",
    "logFile",
    "logFileEncoder",
    "logStdoutEncoder",
    "batchScheduler",
)
_BOOLS = ("enableLeaderElection", "enableBatchScheduler", "useKubernetesProxy", "deleteRayJobAfterJobFinishes")
FIELDS_V1_4 = {
    **dict.fromkeys(_STRINGS, "string"),
    **dict.fromkeys((*_BOOLS, "enableMetrics"), "bool"),
    "reconcileConcurrency": "int",
}
FIELDS = {**FIELDS_V1_4, "burst": "int", "qps": "float64"}
# the fields of list, map and struct types (corev1.Container, EnvVar, map[string]string): not judged
NESTED = ("headSidecarContainers", "workerSidecarContainers", "defaultContainerEnvs")
NESTED_V1_7 = (*NESTED, "defaultPodAnnotations", "defaultPodLabels")


def scheme_name(at: tuple[int, int]) -> str:
    """NewScheme's name in the operator of release ``at`` (its apimachinery's scheme.go line)."""
    return "pkg/runtime/scheme.go:110" if at < (1, 6) else "pkg/runtime/scheme.go:111"


def kind_error(found: Mapping[str, Any], at: tuple[int, int]) -> str | bool | None:
    """Interpret, gvkWithDefaults and scheme.New for the file's apiVersion and kind: the error, None
    (a Configuration), or False (not judged)."""
    api, kind = found.get("apiVersion"), found.get("kind")
    if not isinstance(api, (str, type(None))) or not isinstance(kind, (str, type(None))):
        return False
    api, kind = api or "", kind or ""
    if api in ("", "/"):
        group, version = "", ""
    elif api.count("/") == 0:
        group, version = "", api
    elif api.count("/") == 1:
        group, version = api.split("/")
    else:
        return f"unexpected GroupVersion string: {api}"
    kind = kind or KIND
    if not version and (not group or group == GROUP):
        group, version = GROUP, VERSION
    if (group, version, kind) == (GROUP, VERSION, KIND):
        return None
    if kind in _META_KINDS or version == "__internal" or group not in (GROUP, "") or (group, version) == ("", "v1"):
        return False
    if not version:
        return False  # another group's kind with no version: schema.GroupVersionKind{} cases left out
    where = f"{group}/{version}" if group else version
    return f'no kind "{kind}" is registered for version "{where}" in scheme "{scheme_name(at)}"'


def _json_kind(value: Any) -> str | None:
    """The JSON value YAMLToJSON writes for a PyYAML value: "string", "bool", "number TEXT",
    "object", "array", "null"; None where this port does not follow Go."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        # go.yaml.in/yaml/v2 resolve.go: a plain y, Y, n or N is a bool there, a string to PyYAML
        return None if value in {"y", "Y", "n", "N"} else "string"
    if isinstance(value, int):
        return f"number {value}" if -(2**63) <= value < 2**63 else None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None  # json.Marshal refuses them inside YAMLToJSON: not followed here
        if value == int(value) and abs(value) < 2**53:
            return f"number {int(value)}"
        return f"number {value!r}" if 1e-4 <= abs(value) < 1e16 else None
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return None


def field_error(found: Mapping[str, Any], at: tuple[int, int]) -> str | bool | None:
    """The first UnmarshalTypeError of a top-level field (keys in sorted order), None, or False
    where a value comes first that this port does not read as Go would."""
    fields = FIELDS if at >= (1, 5) else FIELDS_V1_4
    nested = NESTED_V1_7 if at >= (1, 7) else NESTED
    named = {k: v for k, v in found.items() if isinstance(k, str)}
    for key in sorted(named):
        if key in nested and named[key] is not None:
            return False  # its value may hold the first error, which this port does not read
        if key not in fields:
            continue
        json_kind, go_type = _json_kind(named[key]), fields[key]
        if json_kind is None:
            return False
        if json_kind == "null":
            continue
        value = json_kind.split(" ", 1)[0]
        if value == "number" and go_type == "float64":
            continue
        if value == "number" and go_type == "int" and "." not in json_kind:
            continue
        if (value == "string" and go_type == "string") or (value == "bool" and go_type == "bool"):
            continue
        # decode.go literalStore: a number into a string or bool is "number"; into an int, "number TEXT"
        shown = json_kind if value == "number" and go_type == "int" else value
        return f"json: cannot unmarshal {shown} into Go struct field {KIND}.{key} of type {go_type}"
    return None


def decode_config(text: str, at: tuple[int, int] = (1, 7)) -> tuple[Mapping[str, Any] | None, str | None]:
    """decodeConfig of ``text`` in the operator of release ``at``: (the Configuration, None), (None,
    the error), or (None, None) where it is not judged. YAML that does not parse fails in
    YAMLToJSON ("error converting YAML to JSON: yaml: line N: ..."; the words after the line are
    PyYAML's, not go-yaml's); an unknown field is dropped."""
    import yaml

    try:
        found = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        return None, f"error converting YAML to JSON: yaml: {line}{error.problem}"
    if found is None:
        return {}, None
    if not isinstance(found, dict):
        return None, None
    if at < (1, 4):  # before v1.4 the decoder's versions were not read: a Configuration or not judged
        plain = (found.get("apiVersion") or f"{GROUP}/{VERSION}", found.get("kind") or KIND)
        return (found, None) if plain == (f"{GROUP}/{VERSION}", KIND) else (None, None)
    for check in (kind_error, field_error):
        problem = check(found, at)
        if problem is False:
            return None, None
        if isinstance(problem, str):
            return None, problem
    return found, None
