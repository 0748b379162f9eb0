"""Label and field selectors, parsed the way the API server parses them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

# Held to kubectl's parser (kubernetes/kubernetes apimachinery pkg/labels/selector.go): see label_requirements.
from akscli.kube import selectors
from tests.emulators.kube.status import ApiError

LabelMatcher = Callable[[Mapping[str, str]], bool]


def label_requirements(selector: str) -> list[selectors.Requirement]:
    """The requirements of a labelSelector, parsed as the API server parses it: a bad one is a
    400 BadRequest whose message is the parser's error (upstream: kubernetes/apimachinery
    pkg/apis/meta/v1/conversion.go Convert_string_To_labels_Selector calls labels.Parse;
    kubernetes/apiserver pkg/endpoints/handlers/get.go listOpts wraps a DecodeParameters error in
    errors.NewBadRequest). labels.Parse is ported at kubernetes-1.32.0 in akscli/kube/selectors.py
    (this emulator serves 1.32). That port is akscli's own, so it is held to an oracle outside
    akscli: tests/kube_emulator/test_kubectl_parser_oracle.py runs the real kubectl's Go parser
    (kubectl set selector --local) on the same selectors; tests/foundation/test_selector_grammar.py
    holds it to upstream's selector_test.go tables."""
    try:
        return selectors.parse_labels(selector)
    except selectors.SelectorError as exc:
        raise ApiError(400, exc.message, "BadRequest") from None


def parse_label_selector(selector: str | None) -> LabelMatcher | None:
    """The labelSelector of a list or watch as one function of the labels; None for none or an
    empty one (everything)."""
    if selector is None:
        return None
    requirements = label_requirements(selector)
    if not requirements:
        return None
    return selectors.labels_matcher(requirements)


FIELD_LABELS = {
    "Pod": {
        "metadata.name",
        "metadata.namespace",
        "spec.nodeName",
        "status.phase",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "status.podIP",
        "status.nominatedNodeName",
        "spec.hostNetwork",
    },
    "Node": {"metadata.name", "spec.unschedulable"},
    "Event": {
        "metadata.name",
        "metadata.namespace",
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    },
    "Secret": {"metadata.name", "metadata.namespace", "type"},
    "Namespace": {"metadata.name", "status.phase"},
    "Job": {"metadata.name", "metadata.namespace", "status.successful"},
    "ReplicaSet": {"metadata.name", "metadata.namespace", "status.replicas"},
    # upstream: kubernetes/kubernetes 2e090810 pkg/apis/resource/v1/conversion.go addConversionFuncs
    # (metadata.name, spec.nodeName, spec.driver; no metadata.namespace: the kind is cluster-scoped)
    # and pkg/registry/resource/resourceslice/strategy.go toSelectableFields (a slice without
    # spec.nodeName has the value "").
    "ResourceSlice": {"metadata.name", "spec.driver", "spec.nodeName"},
}
DEFAULT_FIELD_LABELS = {"metadata.name", "metadata.namespace"}
# The refusal of a label the kind does not convert, where its conversion function words it
# otherwise than core/v1's "field label not supported: %s" (upstream: kubernetes/kubernetes
# 2e090810 pkg/apis/resource/v1/conversion.go: "field label not supported for %s: %s" with the
# GroupVersionKind, which prints as "resource.k8s.io/v1, Kind=ResourceSlice").
FIELD_LABEL_REFUSALS = {"ResourceSlice": "field label not supported for resource.k8s.io/v1, Kind=ResourceSlice: {}"}

FieldMatcher = Callable[[Mapping[str, Any]], bool]


# Selectable fields backed by a Go bool: the server writes the typed value, so an object without
# the field reads "false", never "" (upstream: kubernetes/kubernetes
# pkg/registry/core/node/strategy.go NodeToSelectableFields, fmt.Sprint(node.Spec.Unschedulable);
# pkg/registry/core/pod/strategy.go ToSelectableFields, strconv.FormatBool of
# spec.securityContext.hostNetwork).
BOOL_FIELDS = {"spec.unschedulable", "spec.hostNetwork"}


def field_value(obj: Mapping[str, Any], path: str) -> str:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping):
            cur = None
            break
        cur = cur.get(part)
    if cur is None:
        return "false" if path in BOOL_FIELDS else ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


# Selectable fields that are not the JSON path of the same name: an Event's "source" is its
# source.component (upstream: kubernetes/kubernetes e4b6dc5a pkg/registry/core/event/strategy.go
# EventToSelectableFields, "source": event.Source.Component), not the EventSource object.
FIELD_PATHS = {("Event", "source"): "source.component"}


def parse_field_selector(selector: str | None, kind: str, crd: bool) -> tuple[FieldMatcher, set[str]] | None:
    """Returns a matcher over the object dict and the set of field paths it reads. Parsed as the
    API server parses it (upstream: kubernetes/apimachinery pkg/fields/selector.go ParseSelector,
    ported in akscli/kube/selectors.py parse_fields: no spaces trimmed, '\\,' '\\=' '\\\\'
    escapes), then each field checked against the kind's selectable fields (upstream:
    kubernetes/kubernetes pkg/apis/core/v1/conversion.go AddFieldLabelConversionsForPod and its
    siblings: "field label not supported: %s"; listOpts makes either error a 400 BadRequest)."""
    if selector is None:
        return None
    try:
        terms = selectors.parse_fields(selector)
    except selectors.SelectorError as exc:
        raise ApiError(400, exc.message, "BadRequest") from None
    if not terms:
        return None
    allowed = DEFAULT_FIELD_LABELS if crd else FIELD_LABELS.get(kind, DEFAULT_FIELD_LABELS)
    for term in terms:
        if term.field not in allowed:
            refusal = (
                "field label not supported: {}"
                if crd
                else FIELD_LABEL_REFUSALS.get(kind, "field label not supported: {}")
            )
            raise ApiError(400, refusal.format(term.field), "BadRequest")
    paths = {t.field for t in terms}

    paths_read = [(t, t.field if crd else FIELD_PATHS.get((kind, t.field), t.field)) for t in terms]

    def match(obj: Mapping[str, Any]) -> bool:
        return all(t.matches(field_value(obj, path)) for t, path in paths_read)

    return match, paths


def required_value(selector: str | None, field: str) -> str | None:
    """The one value a field selector requires ``field`` to have: its first '=' or '==' term on the
    field, terms in parsed (sorted) order; None where no term does (upstream: kubernetes/apimachinery
    v0.35.0 pkg/fields/selector.go andTerm.RequiresExactMatch; a '!=' term, notHasTerm, requires
    none). Call after parse_field_selector has accepted the selector."""
    if not selector:
        return None
    for term in selectors.parse_fields(selector):
        if term.field == field and term.operator != selectors.NOT_EQUALS:
            return term.value
    return None
