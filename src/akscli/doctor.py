"""Is this cluster ready for akscli's command groups?

For each component a group relies on (KAITO, KubeRay, the NVIDIA GPU Operator, KEDA, Gateway
API and its inference extension, the Fleet member agent, a metrics source, GPU nodes) the doctor
checks that its CRDs exist and serve the version akscli speaks, that its operator has a ready
pod, and that the admission webhooks it registers have a ready backend (a webhook with no ready
pod fails every create of its kinds). Each gap carries the fix. A gap in a component that a
chosen group requires is blocking; the others are reported as warnings.

Every read is a get by name or a label-selected, paginated list that stops at the first hit, so
the cost does not grow with the size of the cluster.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from akscli.errors import CheckFailedError, NotInstalledError, UsageError
from akscli.kube.client import Kube

GROUPS = ("model", "ray", "fleet", "baremetal", "gpu")
OK, MISSING, NOT_READY, UNKNOWN = "ok", "missing", "not-ready", "unknown"
CRD_API = "apiextensions.k8s.io/v1"
WEBHOOK_API = "admissionregistration.k8s.io/v1"


@dataclass(frozen=True)
class Component:
    id: str
    title: str
    groups: tuple[str, ...]  # the command groups that use it
    required: bool  # a gap blocks those groups (else: a warning, a feature is unavailable)
    crds: tuple[tuple[str, str], ...] = ()  # (CRD name, version that must be served)
    pods: tuple[str, ...] = ()  # label selectors of the operator's pods; any one may match
    webhooks: tuple[str, ...] = ()  # substrings of its webhook configurations' names
    apiservices: tuple[str, ...] = ()  # aggregated APIs that must be Available
    gpu_nodes: bool = False  # at least one node advertises GPUs
    fix: str = ""
    note: str = ""  # what is lost without it, for optional components


def _operator_fix(group: str, default: str) -> str:
    from akscli.kube.operators import OPERATORS

    operator = OPERATORS.get(group)
    return operator.install if operator else default


def components() -> list[Component]:
    return [
        Component(
            "kaito",
            "KAITO",
            ("model",),
            True,
            crds=(("workspaces.kaito.sh", "v1beta1"), ("inferencesets.kaito.sh", "v1beta1")),
            pods=("app.kubernetes.io/name=workspace", "app=ai-toolchain-operator"),
            webhooks=("kaito",),
            fix=_operator_fix("kaito.sh", "az aks update --enable-ai-toolchain-operator"),
        ),
        Component(
            "kuberay",
            "KubeRay",
            ("ray",),
            True,
            crds=(
                ("rayclusters.ray.io", "v1"),
                ("rayjobs.ray.io", "v1"),
                ("rayservices.ray.io", "v1"),
            ),
            pods=("app.kubernetes.io/name=kuberay-operator",),
            webhooks=("kuberay", "ray.io"),
            fix=_operator_fix("ray.io", "helm install kuberay-operator kuberay/kuberay-operator"),
        ),
        Component(
            "gpu-operator",
            "NVIDIA GPU Operator",
            ("baremetal",),
            True,
            crds=(("clusterpolicies.nvidia.com", "v1"),),
            pods=("app=gpu-operator", "app.kubernetes.io/component=gpu-operator"),
            webhooks=("gpu-operator",),
            fix=_operator_fix("nvidia.com", "helm install gpu-operator nvidia/gpu-operator"),
        ),
        Component(
            "gpu-nodes",
            "GPU nodes",
            ("gpu", "model", "ray"),
            False,
            gpu_nodes=True,
            fix="add a GPU node pool: akscli nodepool add --cluster CLUSTER -g GROUP -n gpu --gpu a100",
            note="nothing can be scheduled on GPUs",
        ),
        Component(
            "keda",
            "KEDA",
            ("model",),
            False,
            crds=(("scaledobjects.keda.sh", "v1alpha1"),),
            pods=("app=keda-operator", "app.kubernetes.io/name=keda-operator"),
            webhooks=("keda",),
            apiservices=("v1beta1.external.metrics.k8s.io",),
            fix=_operator_fix("keda.sh", "az aks update --enable-keda"),
            note="model autoscaling is unavailable",
        ),
        Component(
            "gateway-api",
            "Gateway API",
            ("model",),
            False,
            crds=(
                ("gateways.gateway.networking.k8s.io", "v1"),
                ("httproutes.gateway.networking.k8s.io", "v1"),
                ("gatewayclasses.gateway.networking.k8s.io", "v1"),
            ),
            fix=_operator_fix("gateway.networking.k8s.io", "install the Gateway API CRDs"),
            note="models cannot be exposed through a Gateway",
        ),
        Component(
            "inference-extension",
            "Gateway API inference extension",
            ("model",),
            False,
            crds=(("inferencepools.inference.networking.k8s.io", "v1"),),
            fix=_operator_fix("inference.networking.k8s.io", "install its CRDs"),
            note="no model-aware routing (InferencePool)",
        ),
        Component(
            "fleet-member",
            "Fleet member agent",
            ("fleet",),
            True,
            crds=(("appliedworks.placement.kubernetes-fleet.io", "v1beta1"),),
            pods=("app.kubernetes.io/name=member-agent", "app=member-agent"),
            fix="join the cluster to a fleet: az fleet member create -g GROUP --fleet-name FLEET "
            "-n NAME --member-cluster-id CLUSTER_RESOURCE_ID",
        ),
        Component(
            "metrics",
            "metrics source",
            ("gpu", "model"),
            False,
            pods=(
                "app=nvidia-dcgm-exporter",
                "app.kubernetes.io/name=dcgm-exporter",
                "rsName=ama-metrics",
            ),
            apiservices=("v1beta1.metrics.k8s.io",),
            fix="enable Azure Managed Prometheus: az aks update --enable-azure-monitor-metrics "
            "(GPU metrics come from the DCGM exporter the GPU Operator installs)",
            note="no GPU utilisation metrics for autoscaling or right-sizing",
        ),
    ]


@dataclass(frozen=True)
class Result:
    component: str
    check: str
    status: str  # ok | missing | not-ready | unknown
    detail: str
    groups: tuple[str, ...]
    required: bool
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.status == OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "check": self.check,
            "status": self.status,
            "detail": self.detail,
            "neededBy": list(self.groups),
            "severity": "required" if self.required else "optional",
            "fix": self.fix if not self.ok else "",
        }


def parse_groups(values: Sequence[str]) -> tuple[str, ...]:
    """``--for model,ray`` (repeatable) into a tuple of known groups; empty means all."""
    chosen: list[str] = []
    for value in values:
        for part in value.split(","):
            name = part.strip().lower()
            if not name:
                continue
            if name not in GROUPS:
                raise UsageError(
                    f"unknown command group {name!r} in --for",
                    hint="use any of: " + ", ".join(GROUPS),
                )
            if name not in chosen:
                chosen.append(name)
    return tuple(chosen)


def run(kube: Kube, groups: Sequence[str] = ()) -> list[Result]:
    """Every check of every component a chosen group uses (all when none is chosen)."""
    results: list[Result] = []
    for comp in components():
        if groups and not set(groups) & set(comp.groups):
            continue
        needed_by = tuple(g for g in comp.groups if not groups or g in groups)
        for check, status, detail in _check(kube, comp):
            fix = "" if status == OK else comp.fix + (f" ({comp.note})" if comp.note else "")
            results.append(Result(comp.id, check, status, detail, needed_by, comp.required, fix))
    return results


def blocking(results: Sequence[Result]) -> list[Result]:
    return [r for r in results if r.required and not r.ok]


def optional_gaps(results: Sequence[Result]) -> list[Result]:
    """Gaps that block nothing: a feature named in their fix is unavailable."""
    return [r for r in results if not r.required and not r.ok]


def report(context: str, groups: Sequence[str], results: Sequence[Result]) -> dict[str, Any]:
    """The whole verdict as one document (``doctor -o json|yaml``)."""
    return {
        "context": context,
        "groups": list(groups or GROUPS),
        "ready": not blocking(results),
        "checks": [r.to_dict() for r in results],
    }


def raise_if_blocked(results: Sequence[Result]) -> None:
    """CheckFailedError naming the groups and components with required gaps (the table, printed
    before, has the detail and the fix of each)."""
    blocked = blocking(results)
    if not blocked:
        return
    groups = sorted({g for r in blocked for g in r.groups})
    components = list(dict.fromkeys(r.component for r in blocked))
    others = f"; then {', '.join(components[1:])} (see FIX)" if len(components) > 1 else ""
    raise CheckFailedError(
        f"{len(blocked)} blocking gap(s) for {', '.join(groups)} in: {', '.join(components)}",
        hint=f"{components[0]}: {blocked[0].fix}{others}",
    )


# ---- the checks ----------------------------------------------------------------------------


def _check(kube: Kube, comp: Component) -> Iterator[tuple[str, str, str]]:
    crds_ok = True
    for name, version in comp.crds:
        status, detail = _crd(kube, name, version)
        crds_ok = crds_ok and status == OK
        yield f"crd {name}", status, detail
    if comp.id == "gpu-operator" and crds_ok:
        yield "clusterpolicy", *_cluster_policy(kube)
    if comp.id == "gateway-api" and crds_ok:
        yield "gatewayclass", *_gateway_class(kube)
    for name in comp.apiservices:
        yield f"apiservice {name}", *_apiservice(kube, name)
    if comp.pods:
        yield "pods", *_pods(kube, comp.pods)
    if comp.webhooks:
        yield from _webhooks(kube, comp.webhooks)
    if comp.gpu_nodes:
        yield "nodes", *_gpu_nodes(kube)


def _get(kube: Kube, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
    """A get that treats an unserved kind like an absent object."""
    try:
        return kube.get(api_version, kind, name, namespace)
    except NotInstalledError:
        return None


def _condition(obj: dict[str, Any], kind: str) -> str | None:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind:
            return str(cond.get("status"))
    return None


def _crd(kube: Kube, name: str, version: str) -> tuple[str, str]:
    crd = _get(kube, CRD_API, "CustomResourceDefinition", name)
    if crd is None:
        return MISSING, f"CRD {name} is not installed"
    served = [v.get("name") for v in (crd.get("spec") or {}).get("versions") or [] if v.get("served")]
    if version not in served:
        return NOT_READY, (
            f"CRD {name} serves {', '.join(map(str, served)) or 'no version'}, "
            f"akscli needs {version}: upgrade the operator"
        )
    if _condition(crd, "Established") == "False":
        return NOT_READY, f"CRD {name} is not established yet"
    return OK, f"{name} serves {version}"


def pod_ready(pod: dict[str, Any]) -> bool:
    status = pod.get("status") or {}
    return status.get("phase") == "Running" and _condition(pod, "Ready") == "True"


def _pods(kube: Kube, selectors: Sequence[str], namespace: str | None = None) -> tuple[str, str]:
    seen = 0
    for selector in selectors:
        for pod in _list(kube, "v1", "Pod", namespace=namespace, label_selector=selector, page_size=50):
            meta = pod.get("metadata") or {}
            if pod_ready(pod):
                return OK, f"pod {meta.get('namespace')}/{meta.get('name')} is ready"
            seen += 1
    if seen:
        return NOT_READY, f"{seen} operator pod(s) found, none ready"
    return MISSING, f"no operator pod ({' or '.join(selectors)})"


def _list(
    kube: Kube,
    api_version: str,
    kind: str,
    *,
    namespace: str | None = None,
    label_selector: str | None = None,
    page_size: int = 500,
) -> Iterator[dict[str, Any]]:
    return kube.list(
        api_version,
        kind,
        namespace=namespace,
        all_namespaces=namespace is None,
        label_selector=label_selector,
        page_size=page_size,
    )


def _webhooks(kube: Kube, tokens: Sequence[str]) -> Iterator[tuple[str, str, str]]:
    for kind in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"):
        try:
            configs = [
                c
                for c in kube.list(WEBHOOK_API, kind, page_size=200)
                if any(t in str((c.get("metadata") or {}).get("name", "")) for t in tokens)
            ]
        except NotInstalledError:
            return  # the API server does not serve admission webhooks at all: nothing to break
        for config in configs:
            name = (config.get("metadata") or {}).get("name")
            for hook in config.get("webhooks") or []:
                service = (hook.get("clientConfig") or {}).get("service")
                if not service:
                    continue  # a URL webhook: outside the cluster, not checkable from here
                status, detail = _webhook_backend(kube, service)
                if status != OK and hook.get("failurePolicy") == "Ignore":
                    detail += " (failurePolicy Ignore: requests pass unchecked)"
                yield f"webhook {name}/{hook.get('name')}", status, detail


def _webhook_backend(kube: Kube, service: dict[str, Any]) -> tuple[str, str]:
    ns, name = service.get("namespace", "default"), service.get("name", "")
    svc = _get(kube, "v1", "Service", name, ns)
    if svc is None:
        return MISSING, f"its service {ns}/{name} does not exist: every request it checks fails"
    selector = (svc.get("spec") or {}).get("selector") or {}
    if not selector:
        return OK, f"service {ns}/{name} exists (no selector to check)"
    text = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    for pod in _list(kube, "v1", "Pod", namespace=ns, label_selector=text, page_size=50):
        if pod_ready(pod):
            return OK, f"service {ns}/{name} has a ready pod"
    return NOT_READY, f"service {ns}/{name} has no ready pod: every request it checks fails"


def _apiservice(kube: Kube, name: str) -> tuple[str, str]:
    try:
        svc = kube.get("apiregistration.k8s.io/v1", "APIService", name)
    except NotInstalledError:
        return UNKNOWN, "the API server does not list aggregated APIs"
    if svc is None:
        return MISSING, f"APIService {name} is not registered"
    if _condition(svc, "Available") != "True":
        return NOT_READY, f"APIService {name} is not Available"
    return OK, f"APIService {name} is Available"


def _cluster_policy(kube: Kube) -> tuple[str, str]:
    policies = list(_list(kube, "nvidia.com/v1", "ClusterPolicy", page_size=10))
    if not policies:
        return MISSING, "no ClusterPolicy: the operator installs nothing on the nodes"
    states = {str((p.get("status") or {}).get("state", "unknown")) for p in policies}
    if "ready" in states:
        return OK, "ClusterPolicy is ready"
    return NOT_READY, f"ClusterPolicy state is {', '.join(sorted(states))}"


def _gateway_class(kube: Kube) -> tuple[str, str]:
    names = []
    for gc in _list(kube, "gateway.networking.k8s.io/v1", "GatewayClass", page_size=50):
        name = (gc.get("metadata") or {}).get("name")
        if _condition(gc, "Accepted") == "True":
            return (
                OK,
                f"GatewayClass {name} is accepted by {gc.get('spec', {}).get('controllerName')}",
            )
        names.append(str(name))
    if names:
        return NOT_READY, f"no controller accepted GatewayClass {', '.join(names)}"
    return (
        MISSING,
        "no GatewayClass: install a Gateway controller (e.g. the AKS app routing add-on)",
    )


def _gpu_nodes(kube: Kube) -> tuple[str, str]:
    from akscli.gpu_usage import node_gpus

    # The GPU device plugin and AKS both label GPU nodes; the label keeps this list short.
    for selector in (
        "nvidia.com/gpu.present=true",
        "kubernetes.azure.com/accelerator",
        "nvidia.com/gpu.product",
        "accelerator=nvidia",
    ):
        for node in _list(kube, "v1", "Node", label_selector=selector, page_size=50):
            gpus = node_gpus(node)
            if gpus:
                name = (node.get("metadata") or {}).get("name")
                return OK, f"node {name} advertises {gpus} GPU(s)"
    return MISSING, "no node advertises nvidia.com/gpu (no GPU pool, or no device plugin)"
