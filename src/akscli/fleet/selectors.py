"""Parsing of the selector flags of ``fleet place``: resources, member labels, cluster properties.

Each parser turns one flag value into the exact KubeFleet API structure, or raises
``UsageError`` naming the value and the accepted form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from akscli import validate
from akscli.errors import UsageError

# kind (lower case, plural or short name) -> (group, version, Kind); the common kinds need no
# group/version on the command line, anything else is written Kind.version.group as kubectl does.
KNOWN_KINDS: dict[str, tuple[str, str, str]] = {}
for _names, _triple in [
    (("namespace", "namespaces", "ns"), ("", "v1", "Namespace")),
    (("configmap", "configmaps", "cm"), ("", "v1", "ConfigMap")),
    (("secret", "secrets"), ("", "v1", "Secret")),
    (("service", "services", "svc"), ("", "v1", "Service")),
    (("serviceaccount", "serviceaccounts", "sa"), ("", "v1", "ServiceAccount")),
    (
        ("persistentvolumeclaim", "persistentvolumeclaims", "pvc"),
        ("", "v1", "PersistentVolumeClaim"),
    ),
    (("deployment", "deployments", "deploy"), ("apps", "v1", "Deployment")),
    (("statefulset", "statefulsets", "sts"), ("apps", "v1", "StatefulSet")),
    (("daemonset", "daemonsets", "ds"), ("apps", "v1", "DaemonSet")),
    (("job", "jobs"), ("batch", "v1", "Job")),
    (("cronjob", "cronjobs", "cj"), ("batch", "v1", "CronJob")),
    (("role", "roles"), ("rbac.authorization.k8s.io", "v1", "Role")),
    (("rolebinding", "rolebindings"), ("rbac.authorization.k8s.io", "v1", "RoleBinding")),
    (("clusterrole", "clusterroles"), ("rbac.authorization.k8s.io", "v1", "ClusterRole")),
    (
        ("clusterrolebinding", "clusterrolebindings"),
        ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding"),
    ),
    (
        ("customresourcedefinition", "customresourcedefinitions", "crd", "crds"),
        ("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
    ),
    (("workspace", "workspaces"), ("kaito.sh", "v1beta1", "Workspace")),
    (("inferenceset", "inferencesets"), ("kaito.sh", "v1alpha1", "InferenceSet")),
    (("raycluster", "rayclusters"), ("ray.io", "v1", "RayCluster")),
    (("rayservice", "rayservices"), ("ray.io", "v1", "RayService")),
]:
    for _n in _names:
        KNOWN_KINDS[_n] = _triple

CLUSTER_SCOPED_KINDS = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
}

_SELECT_FORM = (
    "use KIND[/NAME] or KIND:SELECTOR, e.g. namespace/team-a, configmap:app=web, "
    "or Kind.version.group/NAME for other kinds, e.g. Widget.v1.example.com/w1"
)
_KIND = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_VERSION = re.compile(r"^v[0-9]+((alpha|beta)[0-9]+)?$")
_PROPERTY = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][-A-Za-z0-9_./]*)\s*(?P<op>>=|<=|==|!=|>|<|=)\s*"
    r"(?P<value>\S+)\s*$"
)
_PROPERTY_OPS = {">=": "Ge", "<=": "Le", ">": "Gt", "<": "Lt", "==": "Eq", "=": "Eq", "!=": "Ne"}


# upstream: kubernetes/apimachinery pkg/apis/meta/v1/helpers.go ParseToLabelSelector
_EXPRESSION_OPERATORS = {"in": "In", "notin": "NotIn", "exists": "Exists", "!": "DoesNotExist"}


def label_selector(text: str, what: str = "cluster label selector") -> dict[str, Any]:
    """``env=prod,tier in (a,b),!legacy`` -> a LabelSelector (matchLabels, matchExpressions), as
    ParseToLabelSelector makes it: the requirements parsed as the API server parses -l
    (akscli/kube/selectors.py), sorted by key, each set's values sorted. ``KEY!=V`` becomes
    ``NotIn [V]``, which selects the same clusters (labels.Requirement.Matches reads NotEquals
    and NotIn alike), where ParseToLabelSelector refuses '!='; ``>`` and ``<`` are refused as
    upstream refuses them ("isn't supported in label selectors")."""
    from akscli.kube import selectors

    validate.label_selector(text, what)
    match_labels: dict[str, str] = {}
    expressions: list[dict[str, Any]] = []
    for req in selectors.parse_labels(text.strip()):
        if req.operator in (selectors.EQUALS, selectors.DOUBLE_EQUALS):
            match_labels[req.key] = req.values[0]
        elif req.operator == selectors.NOT_EQUALS:
            expressions.append({"key": req.key, "operator": "NotIn", "values": list(req.values)})
        elif req.operator in (selectors.GT, selectors.LT):
            raise UsageError(
                f"invalid {what} {text!r}: {str(req)!r}: {req.operator!r} isn't supported in label selectors",
                hint="a LabelSelector has In, NotIn, Exists and DoesNotExist only: use KEY in (V1,V2) instead",
            )
        else:
            expression: dict[str, Any] = {"key": req.key, "operator": _EXPRESSION_OPERATORS[req.operator]}
            if req.values:
                expression["values"] = list(req.values)
            expressions.append(expression)
    selector: dict[str, Any] = {}
    if match_labels:
        selector["matchLabels"] = match_labels
    if expressions:
        selector["matchExpressions"] = expressions
    return selector


def property_requirement(text: str) -> dict[str, Any]:
    """``NAME>=VALUE`` -> a PropertySelectorRequirement (operators Gt, Ge, Eq, Ne, Lt, Le)."""
    found = _PROPERTY.match(text)
    if not found:
        raise UsageError(
            f"invalid cluster property requirement {text!r}",
            hint="use NAME OP VALUE with OP one of >= <= > < == !=, e.g. "
            "'kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count>=1'",
        )
    name = _property_name(found["name"])
    value = validate.quantity(found["value"], f"value of cluster property {name}")
    return {"name": name, "operator": _PROPERTY_OPS[found["op"]], "values": [value]}


# upstream: kubefleet-dev/kubefleet e160c1cd pkg/propertyprovider/commons.go
RESOURCE_PROPERTY_PREFIX = "resources.kubernetes-fleet.io/"
CAPACITY_TYPES = ("allocatable", "available", "total")
_PROPERTY_EXAMPLES = (
    "for example: kubernetes-fleet.io/node-count, resources.kubernetes-fleet.io/available-cpu or "
    "kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count"
)


def _qualified(name: str) -> bool:
    """apimachinery validation.IsQualifiedName: [DNS-subdomain prefix/]name, name at most 63."""
    try:
        validate.label_key(name)
    except UsageError:
        return False
    return name.count("/") <= 1


def _subdomain(name: str) -> bool:
    try:
        validate.subdomain(name)
    except UsageError:
        return False
    return True


def _property_name(name: str) -> str:
    """A property name the placement webhook accepts (upstream: kubefleet-dev/kubefleet e160c1cd
    pkg/utils/validator/placement.go validateName): under resources.kubernetes-fleet.io/ a
    qualified name CAPACITY-RESOURCE with CAPACITY one of allocatable, available, total; any
    other a qualified name, or several slash-separated segments, the first a DNS subdomain or a
    qualified name and the others qualified names (Azure's per-size ones,
    kubernetes.azure.com/vm-sizes/<size>/count)."""
    if name.startswith(RESOURCE_PROPERTY_PREFIX):
        capacity, dash, _ = name.removeprefix(RESOURCE_PROPERTY_PREFIX).partition("-")
        if not dash or capacity not in CAPACITY_TYPES:
            raise UsageError(
                f"invalid cluster property name {name!r}: a resource property is "
                f"{RESOURCE_PROPERTY_PREFIX}CAPACITY-RESOURCE with CAPACITY one of {', '.join(CAPACITY_TYPES)}",
                hint=f"for example: {RESOURCE_PROPERTY_PREFIX}available-cpu or {RESOURCE_PROPERTY_PREFIX}total-memory",
            )
        valid = _qualified(name)
    else:
        first, *rest = name.split("/")
        valid = (
            _qualified(name)
            if not rest
            else (_qualified(first) or _subdomain(first)) and all(_qualified(segment) for segment in rest)
        )
    if not valid:
        raise UsageError(
            f"invalid cluster property name {name!r}: each '/'-separated part must be at most 63 alphanumerics, "
            "'-', '_' or '.' (the first may be a DNS subdomain)",
            hint=_PROPERTY_EXAMPLES,
        )
    return name


def check_property_requirements(requirements: list[dict[str, Any]]) -> None:
    """Refuse requirements on one property that no value satisfies, as the placement webhook does
    (upstream: kubefleet-dev/kubefleet e160c1cd pkg/utils/validator/placement.go
    validateRequirementsConsistency): two Eq values, Eq and Ne of one value, a lower bound above
    the upper one (or equal with Gt or Lt), an Eq outside the bounds."""
    by_name: dict[str, list[tuple[str, Any]]] = {}
    for req in requirements:
        by_name.setdefault(str(req["name"]), []).append(
            (str(req["operator"]), validate.quantity_value(req["values"][0]))
        )
    for name, reqs in by_name.items():
        why = _inconsistency(reqs)
        if why:
            raise UsageError(
                f"the cluster property requirements on {name} match no value: {why}",
                hint="drop or change one of the --require-property values on it",
            )


def _inconsistency(reqs: list[tuple[str, Any]]) -> str | None:
    lower: tuple[Any, bool] | None = None  # (value, strict), the most restrictive
    upper: tuple[Any, bool] | None = None
    equal: Any = None
    for op, value in reqs:
        if op in ("Gt", "Ge"):
            bound = (value, op == "Gt")
            if lower is None or value > lower[0] or (value == lower[0] and bound[1]):
                lower = bound
        elif op in ("Lt", "Le"):
            bound = (value, op == "Lt")
            if upper is None or value < upper[0] or (value == upper[0] and bound[1]):
                upper = bound
        elif op == "Eq":
            if equal is not None and equal != value:
                return f"it cannot equal both {equal} and {value}"
            equal = value
    if equal is not None and any(op == "Ne" and value == equal for op, value in reqs):
        return f"it cannot both equal and not equal {equal}"
    if lower and upper and (lower[0] > upper[0] or (lower[0] == upper[0] and (lower[1] or upper[1]))):
        return f"the lower bound {lower[0]} and the upper bound {upper[0]} exclude every value"
    if equal is not None and lower and (equal < lower[0] or (equal == lower[0] and lower[1])):
        return f"{equal} is below the lower bound {lower[0]}"
    if equal is not None and upper and (equal > upper[0] or (equal == upper[0] and upper[1])):
        return f"{equal} is above the upper bound {upper[0]}"
    return None


def gpu_size_requirement(text: str) -> dict[str, Any]:
    """``SIZE[=COUNT]`` -> clusters with at least COUNT (default 1) nodes of that VM size."""
    size, _, count = text.partition("=")
    if not re.fullmatch(r"Standard_[A-Za-z0-9_]+", size):
        raise UsageError(
            f"invalid VM size {size!r}",
            hint="use an Azure VM size such as Standard_NC24ads_A100_v4 (optionally =COUNT)",
        )
    minimum = validate.integer(count or "1", f"node count for {size}", 1, 100000)
    return {
        "name": f"kubernetes.azure.com/vm-sizes/{size}/count",
        "operator": "Ge",
        "values": [str(minimum)],
    }


def property_sorter(text: str) -> tuple[dict[str, str], int]:
    """``NAME[:asc|desc][:WEIGHT]`` -> (propertySorter, weight); descending by default."""
    parts = text.split(":")
    if not 1 <= len(parts) <= 3:
        raise UsageError(
            f"invalid property sort {text!r}",
            hint="use NAME[:asc|desc][:WEIGHT], e.g. kubernetes-fleet.io/node-count:desc:50",
        )
    name = _property_name(parts[0])
    order = "Descending"
    weight = 100
    for part in parts[1:]:
        if part.lower() in ("asc", "ascending"):
            order = "Ascending"
        elif part.lower() in ("desc", "descending"):
            order = "Descending"
        else:
            weight = validate.integer(part, f"weight of sort {name}", -100, 100)
    return {"name": name, "sortOrder": order}, weight


def weighted_label_preference(text: str) -> tuple[dict[str, Any], int]:
    """``SELECTOR[@WEIGHT]`` -> (labelSelector, weight); weight -100..100, default 50."""
    selector_text, at, weight_text = text.rpartition("@")
    if not at:
        selector_text, weight_text = text, "50"
    weight = validate.integer(weight_text, "preference weight", -100, 100)
    return label_selector(selector_text, "preferred cluster labels"), weight


def toleration(text: str) -> dict[str, str]:
    """``KEY[=VALUE]`` or ``KEY[=VALUE]:NoSchedule`` -> a Toleration (Exists when no value)."""
    body = text.removesuffix(":NoSchedule")
    if ":" in body:
        raise UsageError(
            f"invalid toleration {text!r}: fleet taints have only the NoSchedule effect",
            hint="use KEY[=VALUE][:NoSchedule], e.g. maintenance=true",
        )
    key, eq, value = body.partition("=")
    result = {"key": validate.label_key(key, "toleration key"), "effect": "NoSchedule"}
    if eq:
        result["operator"] = "Equal"
        result["value"] = validate.label_value(value, "toleration value")
    else:
        result["operator"] = "Exists"
    return result


def tolerations(texts: Sequence[str], limit: int) -> list[dict[str, str]]:
    """Every ``--tolerate``, each once: KubeFleet's webhook refuses a toleration given twice ("already
    exists, tolerations must be unique") and the CRD more than ``limit`` (upstream:
    kubefleet-dev/kubefleet e160c1cd pkg/utils/validator/placement.go validateTolerations;
    policy.tolerations maxItems in ../shared/crds/fleet)."""
    result: list[dict[str, str]] = []
    for text in texts:
        parsed = toleration(text)
        if parsed in result:
            raise UsageError(
                f"--tolerate {text!r} repeats a toleration: KubeFleet refuses one given twice",
                hint="give each --tolerate once",
            )
        result.append(parsed)
    if len(result) > limit:
        raise UsageError(f"{len(result)} --tolerate values; a placement takes at most {limit}", hint="drop some")
    return result


def spread_constraint(text: str) -> dict[str, Any]:
    """``TOPOLOGYKEY[:MAXSKEW][:DoNotSchedule|ScheduleAnyway]`` -> a TopologySpreadConstraint."""
    parts = text.split(":")
    if not 1 <= len(parts) <= 3:
        raise UsageError(
            f"invalid spread constraint {text!r}",
            hint="use TOPOLOGYKEY[:MAXSKEW][:DoNotSchedule|ScheduleAnyway], e.g. region:1",
        )
    result: dict[str, Any] = {
        "topologyKey": validate.label_key(parts[0], "topology key"),
        "maxSkew": 1,
        "whenUnsatisfiable": "DoNotSchedule",
    }
    for part in parts[1:]:
        if part.isdigit():
            result["maxSkew"] = validate.integer(part, "max skew", 1, 1000)
        else:
            result["whenUnsatisfiable"] = validate.choice(
                part, ["DoNotSchedule", "ScheduleAnyway"], "spread unsatisfiable action"
            )
    return result


def resource_selector(text: str, *, namespaced: bool, what: str = "--select") -> dict[str, Any]:
    """One ``--select`` value -> a ResourceSelector (group, version, kind, name or labelSelector).

    ``namespaced`` is True for a ResourcePlacement, which selects namespaced objects only;
    a ClusterResourcePlacement selects cluster-scoped objects (a Namespace carries its contents).
    """
    kind_text, sep, rest = _split_kind(text)
    gvk = _gvk(kind_text, text, what)
    selector: dict[str, Any] = {"group": gvk[0], "version": gvk[1], "kind": gvk[2]}
    # A part's error names the whole value once, then the part: `invalid --select 'namespace/X_Y':
    # the namespace name 'X_Y': ...`.
    where = f"{what} {text!r}: the"
    if sep and not rest:
        # Nothing after the separator is a slip, not "every": KIND alone says every one, and an
        # empty LabelSelector selects everything (kubernetes/apimachinery
        # pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector: no labels and no expressions is
        # labels.Everything()).
        part = "name" if sep == "/" else "label selector"
        raise UsageError(
            f"invalid {what} {text!r}: the {part} after {sep!r} is empty",
            hint=f"{kind_text}/NAME selects one by name, {kind_text}:KEY=VALUE selects by label",
        )
    if sep == "/":
        if gvk[2] == "Namespace":
            # A Namespace's name is a DNS-1123 label (kubernetes/kubernetes
            # pkg/apis/core/validation/validation.go ValidateNamespaceName = k8s.io/apimachinery
            # pkg/api/validation/generic.go ValidateNamespaceName = NameIsDNSLabel), so namespace/a.b names none.
            selector["name"] = validate.name(rest, f"{where} namespace name")
        else:
            selector["name"] = validate.subdomain(rest, f"{where} name")
    elif sep == ":":
        selector["labelSelector"] = label_selector(rest, f"{where} label selector")
    cluster_scoped = gvk[2] in CLUSTER_SCOPED_KINDS
    if namespaced and cluster_scoped:
        raise UsageError(
            f"--select {text!r}: a namespaced placement (-n) cannot select the cluster-scoped kind {gvk[2]}",
            hint="drop -n to create a ClusterResourcePlacement instead",
        )
    known_namespaced = gvk in KNOWN_KINDS.values() and not cluster_scoped
    if not namespaced and known_namespaced:
        raise UsageError(
            f"--select {text!r}: a ClusterResourcePlacement selects cluster-scoped "
            f"objects; {gvk[2]} lives in a namespace",
            hint="select its namespace (namespace/NAME), or place it with -n NAMESPACE",
        )
    return selector


def _split_kind(text: str) -> tuple[str, str, str]:
    for index, char in enumerate(text):
        if char in "/:":
            return text[:index], char, text[index + 1 :]
    return text, "", ""


def _gvk(kind_text: str, original: str, what: str) -> tuple[str, str, str]:
    known = KNOWN_KINDS.get(kind_text.lower())
    if known:
        return known
    # kubectl's TYPE.GROUP, as its -o name (and akscli's) prints an object: workspace.kaito.sh/chat,
    # deployment.apps/web (kubernetes/cli-runtime pkg/printers/name.go; pkg/resource/builder.go
    # takes it back); a known kind's version is the one it is served at.
    name, _, group = kind_text.partition(".")
    known = KNOWN_KINDS.get(name.lower())
    if known is not None and known[0] and group == known[0]:
        return known
    kind, _, rest = kind_text.partition(".")
    version, _, group = rest.partition(".")
    if not _KIND.match(kind) or not _VERSION.match(version or "") or not group:
        raise UsageError(f"invalid {what} {original!r}: unknown kind {kind_text!r}", hint=_SELECT_FORM)
    validate.subdomain(group, f"{what} {original!r}: the API group")
    known = KNOWN_KINDS.get(kind.lower())
    if known is not None and known[0] == group and kind != known[2]:
        # KubeFleet looks a selector's kind up as written: its webhook's RESTMapping (controller-runtime's
        # REST mapper, keyed by the exact Kind) finds no "workspace" (upstream: kubefleet-dev/kubefleet
        # e160c1cd pkg/utils/validator/placement.go validatePlacement, "failed to get GVR of the selector").
        fixed = f"{known[2]}.{version}.{group}"
        raise UsageError(
            f"invalid {what} {original!r}: the kind is {known[2]}, not {kind} (KubeFleet matches kinds as written)",
            hint=f"write {fixed}{original[len(kind_text) :]}",
        )
    return group, version, kind


# KubeFleet never places a namespace of these prefixes with its contents (upstream:
# kubefleet-dev/kubefleet e160c1cd pkg/utils/common.go IsReservedNamespace, FleetNSNamePrefix and
# KubeNSNamePrefix; pkg/utils/controller/resource_selector_resolver.go fetchAllResourcesInOneNamespace
# refuses one, by name even where it does not exist: the placement's Scheduled=False, reason
# InvalidResourceSelectors, and nothing of it is placed). NamespaceOnly (--namespace-only) places
# the Namespace object alone and is not checked there.
RESERVED_NAMESPACE_PREFIXES = ("fleet-", "kube-")
# And the hub agent always skips `default` the same way (kubefleet-dev/kubefleet e160c1cd
# cmd/hubagent/workload/setup.go SetupControllers: skippedNamespaces["default"] = true, before the
# --skipped-propagating-namespaces it adds; pkg/utils/common.go ShouldPropagateNamespace checks both;
# pkg/resourcewatcher/change_detector.go ignores changes there too). Same refusal, same message.
SKIPPED_NAMESPACES = ("default",)


def placeable_namespace(name: str) -> bool:
    """ShouldPropagateNamespace with the hub agent's default skip list: whether KubeFleet places this
    namespace with its contents (not fleet-*, kube-* or default)."""
    return not name.startswith(RESERVED_NAMESPACE_PREFIXES) and name not in SKIPPED_NAMESPACES


def unplaceable_namespace_reason(name: str) -> str:
    """Why KubeFleet does not place this namespace with its contents, for an error line."""
    if name in SKIPPED_NAMESPACES:
        return f"the KubeFleet hub agent skips namespace {name} (as it does every fleet-* and kube-* namespace)"
    return f"KubeFleet does not place the reserved namespace {name} (fleet-* and kube-*) with its contents"


def refuse_unplaceable(texts: Sequence[str], result: Sequence[Mapping[str, Any]], *, namespace_only: bool) -> None:
    """What KubeFleet's placement controller refuses in the selected resources, refused before
    anything is sent (the hub would take the placement, then set Scheduled=False, reason
    InvalidResourceSelectors, and place nothing: upstream kubefleet-dev/kubefleet e160c1cd
    pkg/controllers/placement/controller.go handleUpdate): a selector given twice ("found duplicate
    resource", pkg/utils/controller/resource_selector_resolver.go gatherSelectedResource), and a
    reserved namespace placed with its contents."""
    for i, sel in enumerate(result):
        if sel in result[:i]:
            raise UsageError(
                f"--select {texts[i]!r} is given twice: KubeFleet refuses a placement that selects "
                "an object more than once",
                hint="give each --select once",
            )
    if namespace_only:
        return
    for text, sel in zip(texts, result, strict=True):
        if sel["kind"] != "Namespace":
            continue
        name = str(sel.get("name") or "")
        if name and not placeable_namespace(name):
            raise UsageError(
                f"--select {text!r}: {unplaceable_namespace_reason(name)}",
                hint="place the objects from a namespace of your own",
            )
        if not name and "labelSelector" not in sel:
            # Every namespace: kube-system and the hub's fleet-system among them.
            raise UsageError(
                f"--select {text!r} selects every namespace, default, kube-system and fleet-system among them, "
                "which KubeFleet does not place with their contents",
                hint="name the namespace (namespace/NAME) or select by label (namespace:KEY=VALUE)",
            )
