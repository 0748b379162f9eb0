"""The built-in policy rules: their ids and default severities, the settings they read, and the
checks that find them in one manifest object. ``akscli.policy.engine`` loads the configuration and runs
these checks (``evaluate``, ``enforce``, ``check_paths``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from akscli.errors import UsageError
from akscli.gpu.devices import is_gpu_resource
from akscli.kube import label_selector
from akscli.kube.selectors import SelectorError
from akscli.secret_words import holds_secret, looks_secret

SEVERITIES = ("error", "warning", "info")
# Opt-in annotation for a public LoadBalancer Service; an internal Azure LB needs none.
LOAD_BALANCER_OPT_IN = "akscli.io/allow-load-balancer"
AZURE_INTERNAL_LB = "service.beta.kubernetes.io/azure-load-balancer-internal"
# Kinds that serve traffic from several identical replicas and so want a PodDisruptionBudget.
_SERVING_KINDS = ("Deployment", "StatefulSet")


# The upstream policies some rules enforce, in their own names. AKS Deployment Safeguards:
# MicrosoftDocs/azure-aks-docs articles/aks/deployment-safeguards.md ("Deployment Safeguards
# policies"). Pod Security Standards: kubernetes/kubernetes
# staging/src/k8s.io/pod-security-admission/policy/check_privileged.go (check "privileged", level
# baseline). API server validation: kubernetes/kubernetes pkg/apis/core/validation/validation.go
# (isNotIntegerErrorMsg, for integer resources such as extended ones). Azure Policy built-ins,
# by display name and definition id.
SAFEGUARD_REQUESTS = (
    "AKS Deployment Safeguards: Kubernetes cluster containers CPU and memory resource requests must be defined"
)
SAFEGUARD_LATEST = "AKS Deployment Safeguards: Kubernetes cluster container images should not include latest image tag"
PSS_PRIVILEGED = (
    "Pod Security Standards baseline, check privileged; Azure Policy: Kubernetes cluster should not allow "
    "privileged containers (95edb821-ddaf-4404-9732-666045e056b4)"
)
API_SERVER_INTEGER = "Kubernetes API server validation: an extended resource quantity must be an integer"
API_SERVER_NO_OVERCOMMIT = (
    "Kubernetes API server validation: a resource that cannot be overcommitted (extended resources, hugepages) "
    "needs a limit, and a request equal to it"
)
AZURE_POLICY_INTERNAL_LB = (
    "Azure Policy: Kubernetes clusters should use internal load balancers (3fc4dc25-5baf-40d8-9b05-7fe74c1bc64e)"
)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str
    fix: str
    upstream: str = ""  # the upstream policy it enforces, in that policy's own name; "" for akscli's own


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "container-resources",
            "warning",
            "containers must request cpu and memory and set a memory limit",
            "set resources.requests.cpu, resources.requests.memory and resources.limits.memory",
            # limits.memory is akscli's own addition: the safeguard asks for the requests.
            SAFEGUARD_REQUESTS,
        ),
        Rule(
            "image-latest",
            "error",
            "images must not use the ':latest' tag or no tag at all",
            "pin a version tag, e.g. vllm/vllm-openai:v0.11.0, or a digest",
            SAFEGUARD_LATEST,
        ),
        Rule(
            "image-digest",
            "warning",
            "images should be pinned by digest",
            "append @sha256:<digest> to the image reference",
        ),
        Rule(
            "gpu-toleration",
            "warning",
            "GPU workloads should tolerate the GPU node taint",
            "add a toleration for nvidia.com/gpu (or sku=gpu) with effect NoSchedule",
        ),
        Rule(
            "gpu-fractional",
            "error",
            "GPU requests (and those of every extended resource, such as RDMA devices) must be whole numbers",
            "request a whole number of GPUs, e.g. nvidia.com/gpu: 1 (rdma/ib: 1)",
            API_SERVER_INTEGER,
        ),
        Rule(
            "extended-resource-limit",
            "error",
            "extended resources (GPUs, RDMA devices) must be limited, and a request must equal its limit",
            "set the amount under resources.limits only (the API server copies it to the request), "
            "e.g. limits: {nvidia.com/gpu: 1}",
            API_SERVER_NO_OVERCOMMIT,
        ),
        Rule(
            "privileged-pod",
            "error",
            "privileged containers are allowed only in the GPU operator's namespace",
            "drop securityContext.privileged, or run it in an allowed namespace",
            PSS_PRIVILEGED,
        ),
        Rule(
            "service-load-balancer",
            "error",
            "Services of type LoadBalancer need an explicit opt-in",
            f'annotate the Service {LOAD_BALANCER_OPT_IN}: "true" or make it internal ({AZURE_INTERNAL_LB}: "true")',
            AZURE_POLICY_INTERNAL_LB,
        ),
        Rule(
            "pdb-missing",
            "warning",
            "multi-replica serving workloads need a PodDisruptionBudget",
            "add a policy/v1 PodDisruptionBudget whose selector matches the pods",
        ),
        Rule(
            "env-plain-secret",
            "error",
            "secrets must not be plain environment values",
            "use env[].valueFrom.secretKeyRef and a Secret",
        ),
    )
}


@dataclass(frozen=True)
class PolicyConfig:
    """Effective severities (None = disabled) and the rules' settings."""

    severities: Mapping[str, str | None] = field(default_factory=lambda: {r.id: r.severity for r in RULES.values()})
    privileged_namespaces: tuple[str, ...] = ("gpu-operator",)
    # Where objects without metadata.namespace will land (the apply's -n), when it is known.
    default_namespace: str | None = None
    gpu_toleration_keys: tuple[str, ...] = ("nvidia.com/gpu", "amd.com/gpu", "sku")

    def severity(self, rule: str) -> str | None:
        return self.severities.get(rule)


def object_ref(obj: Mapping[str, Any]) -> str:
    """``Kind namespace/name`` (``Kind name`` for cluster-scoped objects)."""
    meta = obj.get("metadata") or {}
    name = meta.get("name") or meta.get("generateName") or "<unnamed>"
    namespace = meta.get("namespace")
    return f"{obj.get('kind', '?')} {namespace}/{name}" if namespace else f"{obj.get('kind', '?')} {name}"


def finding_ref(obj: Mapping[str, Any], config: PolicyConfig) -> str:
    """``Kind namespace/name`` of an object a rule found something in, named with the namespace it
    will land in: its own, else the apply's (``config.default_namespace``: -n, else the context's),
    else ``default``, kubectl's namespace for a context that names none (upstream: kubernetes/client-go
    32ce75a7 tools/clientcmd/client_config.go DirectClientConfig.Namespace: "default" when the context has none).
    Every kind a rule reads is namespaced (pod_templates' workloads, Service, the serving kinds)."""
    meta = obj.get("metadata") or {}
    name = meta.get("name") or meta.get("generateName") or "<unnamed>"
    return f"{obj.get('kind', '?')} {_namespace(obj, config)}/{name}"


def pod_templates(obj: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each pod template in a workload: (where, template with metadata and spec)."""
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        yield "", {"metadata": obj.get("metadata") or {}, "spec": spec}
    elif kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
        yield "", spec.get("template") or {}
    elif kind == "CronJob":
        yield "", ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
    elif kind in ("RayCluster", "RayJob", "RayService"):
        cluster = spec
        if kind == "RayJob":
            cluster = spec.get("rayClusterSpec") or {}
        elif kind == "RayService":
            cluster = spec.get("rayClusterConfig") or {}
        head = (cluster.get("headGroupSpec") or {}).get("template")
        if head:
            yield "head ", head
        for group in cluster.get("workerGroupSpecs") or []:
            if group.get("template"):
                yield f"worker group {group.get('groupName', '?')!r} ", group["template"]


def _containers(template: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    spec = template.get("spec") or {}
    yield from spec.get("initContainers") or []
    yield from spec.get("containers") or []


def stored_requests(container: Mapping[str, Any]) -> Mapping[str, Any]:
    """The container's requests as the API server stores them in the Pod, the view a rule that asks
    "does it request X" reads: every limit with no request of its own becomes that request
    (kubernetes/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_Pod, for containers and
    initContainers, every resource name). That defaulting runs on a v1.Pod only, "not a
    v1.PodTemplate", so a workload's stored template keeps what was typed, but each Pod its
    controller creates has the requests, and the Deployment Safeguards judge those Pods
    (open-policy-agent/gatekeeper-library library/general/containerrequests/template.yaml reads
    input.review.object.spec[containers|initContainers]; the API server decodes and defaults the
    object before any admission webhook sees it)."""
    resources = container.get("resources") or {}
    return {**(resources.get("limits") or {}), **(resources.get("requests") or {})}


def _gpu_amounts(container: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    resources = container.get("resources") or {}
    for section in ("requests", "limits"):
        # Whole GPUs, MIG devices and shared replicas all land on tainted GPU nodes.
        for resource, value in (resources.get(section) or {}).items():
            if is_gpu_resource(resource) and value is not None:
                yield section, resource, value


def _quantity(value: Any) -> Decimal | None:
    from akscli.validate import quantity_value

    try:
        return quantity_value(str(value), "quantity")
    except (UsageError, InvalidOperation):
        return None


# What a check finds: (rule, message, at), where ``at`` names the field the finding is about: the
# mapping or list in the object and its key or index there (key None: that mapping itself), or None
# for the object as a whole. ``policy check -o sarif`` turns it into a line of the file.
Hit = tuple[str, str, tuple[Any, Any] | None]
Check = Callable[[Mapping[str, Any], Sequence[Mapping[str, Any]], PolicyConfig], Iterator[Hit]]


def _check_resources(obj: Mapping[str, Any], _all: Sequence[Mapping[str, Any]], _config: PolicyConfig) -> Iterator[Hit]:
    for where, template in pod_templates(obj):
        for container in _containers(template):
            limits = (container.get("resources") or {}).get("limits") or {}
            requests = stored_requests(container)  # a limit alone is a request once stored
            missing = [f"requests.{r}" for r in ("cpu", "memory") if r not in requests]
            missing += ["limits.memory"] if "memory" not in limits else []
            if missing:
                yield (
                    "container-resources",
                    f"{where}container {container.get('name')!r} has no {', '.join(missing)}",
                    (container, "resources" if "resources" in container else None),
                )


def _image_parts(image: str) -> tuple[str | None, str | None]:
    """(tag, digest) of an image reference."""
    ref, _, digest = image.partition("@")
    last = ref.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last else None
    return tag, digest or None


def _check_images(obj: Mapping[str, Any], _all: Sequence[Mapping[str, Any]], _config: PolicyConfig) -> Iterator[Hit]:
    for where, template in pod_templates(obj):
        for container in _containers(template):
            image = str(container.get("image") or "")
            if not image:
                continue
            tag, digest = _image_parts(image)
            label = f"{where}container {container.get('name')!r} image {image!r}"
            if digest is None and tag in (None, "latest"):
                yield (
                    "image-latest",
                    (f"{label} uses ':latest'" if tag else f"{label} has no tag, so it means ':latest'"),
                    (container, "image"),
                )
            if digest is None:
                yield "image-digest", f"{label} is not pinned by digest", (container, "image")


def _tolerates_gpu(template: Mapping[str, Any], keys: Sequence[str]) -> bool:
    for toleration in (template.get("spec") or {}).get("tolerations") or []:
        key = toleration.get("key")
        if toleration.get("operator") == "Exists" and not key:
            return True  # tolerates every taint
        if key in keys:
            return True
    return False


def _toleration_field(template: Mapping[str, Any]) -> tuple[Any, Any] | None:
    """The pod spec's ``tolerations`` where it has some, else the pod spec itself."""
    spec = template.get("spec")
    if not isinstance(spec, Mapping):
        return None
    return (spec, "tolerations") if "tolerations" in spec else (spec, None)


def _check_gpu(obj: Mapping[str, Any], _all: Sequence[Mapping[str, Any]], config: PolicyConfig) -> Iterator[Hit]:
    for where, template in pod_templates(obj):
        amounts = [_quantity(value) for c in _containers(template) for _, _, value in _gpu_amounts(c)]
        uses_gpu = any(amount is not None and amount > 0 for amount in amounts)
        yield from _fractional_extended(where, template)
        if uses_gpu and not _tolerates_gpu(template, config.gpu_toleration_keys):
            yield (
                "gpu-toleration",
                f"{where}pods request GPUs but tolerate none of the GPU taints "
                f"({', '.join(config.gpu_toleration_keys)}), so they stay Pending on tainted pools",
                _toleration_field(template),
            )


def _fractional_extended(where: str, template: Mapping[str, Any]) -> Iterator[Hit]:
    """An amount of an extended resource, a GPU's or another's (``rdma/ib: 500m``), that is not a
    whole number, which the API server refuses (upstream: kubernetes/kubernetes
    pkg/apis/core/validation/validation.go validateResourceQuantityValue, isNotIntegerErrorMsg for
    helper.IsIntegerResourceName: every extended resource, a name with a domain outside
    *kubernetes.io/)."""
    for container in _containers(template):
        resources = container.get("resources") or {}
        for section in ("requests", "limits"):
            for resource, value in (resources.get(section) or {}).items():
                name = str(resource)
                if _overcommit_allowed(name) or name.startswith("hugepages-"):
                    continue
                amount = _quantity(value)
                if value is not None and (amount is None or amount != amount.to_integral_value()):
                    yield (
                        "gpu-fractional",
                        f"{where}container {container.get('name')!r} {section} {name}: {value} must be an "
                        "integer (the API server refuses any other amount of an extended resource)",
                        ((container.get("resources") or {}).get(section), resource),
                    )


def _overcommit_allowed(name: str) -> bool:
    """upstream: kubernetes/kubernetes pkg/apis/core/helper/helpers.go IsOvercommitAllowed: native
    resources (no domain, or *kubernetes.io/) other than hugepages-*; never an extended resource."""
    return ("/" not in name or "kubernetes.io/" in name) and not name.startswith("hugepages-")


def _check_request_limit(
    obj: Mapping[str, Any], _all: Sequence[Mapping[str, Any]], _config: PolicyConfig
) -> Iterator[Hit]:
    """The API server's rule for resources it cannot overcommit, in its words (upstream:
    kubernetes/kubernetes 000f260 pkg/apis/core/validation/validation.go validateResourceRequirements:
    "Limit must be set for non overcommitable resources", "must be equal to NAME limit of LIMIT").
    A limit alone passes: the API server defaults the request from it (pkg/apis/core/v1/defaults.go)."""
    for where, template in pod_templates(obj):
        for container in _containers(template):
            resources = container.get("resources") or {}
            requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
            label = f"{where}container {container.get('name')!r}"
            for name, value in requests.items():
                if _overcommit_allowed(str(name)):
                    continue
                if name not in limits:
                    yield (
                        "extended-resource-limit",
                        f"{label} requests {name}: {value} with no limit: Limit must be set for non "
                        "overcommitable resources (the API server refuses it)",
                        (requests, name),
                    )
                    continue
                asked, limit = _quantity(value), _quantity(limits[name])
                if asked is not None and limit is not None and asked != limit:
                    yield (
                        "extended-resource-limit",
                        f"{label} requests {name}: {value} must be equal to {name} limit of {limits[name]} "
                        "(the API server refuses any other request)",
                        (requests, name),
                    )


def _namespace(obj: Mapping[str, Any], config: PolicyConfig) -> str:
    """Where ``obj`` lands: its own namespace, else the apply's, else ``default`` (client-go's namespace
    for a context that names none): the one finding_ref names and the privileged rule reads."""
    return (obj.get("metadata") or {}).get("namespace") or config.default_namespace or "default"


def _check_privileged(obj: Mapping[str, Any], _all: Sequence[Mapping[str, Any]], config: PolicyConfig) -> Iterator[Hit]:
    namespace = _namespace(obj, config)
    if namespace in config.privileged_namespaces:
        return
    for where, template in pod_templates(obj):
        for container in _containers(template):
            if (container.get("securityContext") or {}).get("privileged") is True:
                yield (
                    "privileged-pod",
                    f"{where}container {container.get('name')!r} must not set securityContext.privileged=true "
                    f"(Pod Security Standards baseline) in namespace {namespace or '<default>'!r}; allowed only in "
                    f"{', '.join(config.privileged_namespaces) or 'no namespace'}",
                    (container.get("securityContext"), "privileged"),
                )


def _check_load_balancer(
    obj: Mapping[str, Any], _all: Sequence[Mapping[str, Any]], _config: PolicyConfig
) -> Iterator[Hit]:
    if obj.get("kind") != "Service" or (obj.get("spec") or {}).get("type") != "LoadBalancer":
        return
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    if str(annotations.get(LOAD_BALANCER_OPT_IN, "")).lower() == "true":
        return
    # Only the exact "true" makes an internal load balancer (kubernetes-sigs/cloud-provider-azure
    # 7b31c76c pkg/provider/azure_loadbalancer.go requiresInternalLoadBalancer: l == "true");
    # "True" gets a public IP.
    if annotations.get(AZURE_INTERNAL_LB) == "true":
        return
    yield (
        "service-load-balancer",
        f"type LoadBalancer gets a public IP without the {LOAD_BALANCER_OPT_IN} opt-in",
        (obj.get("spec"), "type"),
    )


def _pdb_selects(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """Whether a policy/v1 PodDisruptionBudget's selector guards pods with these labels, as the
    eviction API reads it: metav1.LabelSelectorAsSelector, so a null selector guards no pod and an
    empty one ({}) every pod of its namespace (kubernetes/api policy/v1 types.go
    PodDisruptionBudgetSpec.Selector; kubernetes/kubernetes pkg/registry/core/pod/storage/
    eviction.go getPodDisruptionBudgets, which honours {} since kubernetes/kubernetes#119732,
    1.29 and the 1.27/1.28 patches); one it cannot read guards nothing ("This object has an
    invalid selector, it does not match the pod")."""
    try:
        return label_selector.matches(selector, labels)
    except SelectorError:
        return False


def _check_pdb(obj: Mapping[str, Any], objects: Sequence[Mapping[str, Any]], config: PolicyConfig) -> Iterator[Hit]:
    if obj.get("kind") not in _SERVING_KINDS:
        return
    spec = obj.get("spec") or {}
    replicas = spec.get("replicas", 1)
    if not isinstance(replicas, int) or replicas < 2:
        return
    namespace = _namespace(obj, config)
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    for other in objects:
        if (
            other.get("kind") == "PodDisruptionBudget"
            and _namespace(other, config) == namespace
            and _pdb_selects((other.get("spec") or {}).get("selector"), labels)
        ):
            return
    yield "pdb-missing", f"{replicas} replicas and no PodDisruptionBudget selects their pods", (spec, "replicas")


def _check_env(obj: Mapping[str, Any], _all: Sequence[Mapping[str, Any]], _config: PolicyConfig) -> Iterator[Hit]:
    for where, template in pod_templates(obj):
        for container in _containers(template):
            for env in container.get("env") or []:
                name, value = str(env.get("name", "")), env.get("value")
                if not isinstance(value, str) or not value:
                    continue
                if holds_secret(name, value) or looks_secret(value):  # not POSTGRES_PASSWORD_FILE=/run/...
                    yield (
                        "env-plain-secret",
                        f"{where}container {container.get('name')!r} sets {name} as a plain "
                        "value (the value is not shown)",
                        (env, "value"),
                    )


CHECKS: tuple[Check, ...] = (
    _check_resources,
    _check_images,
    _check_gpu,
    _check_request_limit,
    _check_privileged,
    _check_load_balancer,
    _check_pdb,
    _check_env,
)
