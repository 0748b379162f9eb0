"""What the KubeRay simulator's controllers share: names, conditions, pod resources, validation.

Upstream: ray-project/kuberay v1.7, paths under ``ray-operator/controllers/ray/`` unless named.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tests.emulators.kube.controllers.kuberay.gates import DEFAULT, Gates

RAY = "ray.io/v1"
# upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/constant.go
# RayJobStopJobFinalizer; rayjob_controller.go Reconcile adds it in JobDeploymentStatusNew and, on
# a deleted RayJob, removes it "no matter StopJob() succeeds or not".
RAYJOB_FINALIZER = "ray.io/rayjob-finalizer"
GPU = "nvidia.com/gpu"

# common/pod.go: AutoscalerContainerName; the Ray container is always index 0 (RayContainerIndex).
AUTOSCALER_CONTAINER = "autoscaler"
# The field manager of the Ray autoscaler's writes (the head pod's autoscaler container, not
# KubeRay): its KubeRayNodeProvider patches the RayCluster with JSON patches sent by requests.patch
# with no User-Agent header (ray-project/ray python/ray/autoscaler/_private/kuberay/node_provider.py
# KubernetesHttpApiClient.patch, worker_replica_patch, worker_delete_patch), so requests' default
# "python-requests/<version>" (psf/requests src/requests/utils.py default_user_agent) names it.
RAY_AUTOSCALER_MANAGER = "python-requests"


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def since(stamp: str) -> float:
    """Seconds from a status time (``now()``'s format) until now."""
    return (datetime.now(UTC) - datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)).total_seconds()


def suffix(*parts: str) -> str:
    # Pod names the API server draws with generateName (random upstream): the simulator derives
    # the 5 characters from the name so reconciles stay idempotent. Cluster and job names are
    # random_suffix(), as KubeRay's.
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return "".join(c if c.isalpha() else "bcdfghjklm"[int(c)] for c in digest[:5])


# upstream: kubernetes/apimachinery pkg/util/rand/rand.go alphanums (String: "without vowels").
RAND_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def random_suffix(n: int = 5) -> str:
    """apimachinery ``rand.String(n)``: KubeRay's utils/util.go GenerateRayClusterName and
    GenerateRayJobId (``<name>-<5>``), and the API server's generateName (storage/names/generate.go)."""
    return "".join(secrets.choice(RAND_ALPHABET) for _ in range(n))


def controller_ref(kind: str, owner: Mapping[str, Any]) -> dict[str, Any]:
    """The reference KubeRay puts on every object it makes for a RayCluster, RayJob or RayService
    (ray-project/kuberay ray-operator/controllers/ray/raycluster_controller.go createHeadPod,
    createWorkerPod, createService; ray-project/kuberay ray-operator/controllers/ray/rayjob_controller.go
    constructRayClusterForRayJob; ray-project/kuberay ray-operator/controllers/ray/rayservice_controller.go
    constructRayClusterForRayService:
    ctrl.SetControllerReference), which sets ``controller`` and ``blockOwnerDeletion`` true
    (kubernetes-sigs/controller-runtime pkg/controller/controllerutil/controllerutil.go
    SetControllerReference), so a foreground delete of the owner waits for the object."""
    meta = owner["metadata"]
    return {
        "apiVersion": RAY,
        "kind": kind,
        "name": meta["name"],
        "uid": meta.get("uid", ""),
        "controller": True,
        "blockOwnerDeletion": True,
    }


def child_cluster(owner: Mapping[str, Any], name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """A RayCluster that a RayJob or RayService owns, labelled as KubeRay labels it
    (utils/constant.go RayOriginatedFromCRDLabelKey, RayOriginatedFromCRNameLabelKey)."""
    meta = owner["metadata"]
    return {
        "apiVersion": RAY,
        "kind": "RayCluster",
        "metadata": {
            "name": name,
            "namespace": meta["namespace"],
            "labels": {"ray.io/originated-from-crd": owner["kind"], "ray.io/originated-from-cr-name": meta["name"]},
            "ownerReferences": [controller_ref(owner["kind"], owner)],
        },
        "spec": dict(spec),
    }


def managed_elsewhere(obj: Mapping[str, Any]) -> bool:
    """Whether spec.managedBy names a controller other than KubeRay: the RayCluster, RayJob and
    RayService reconciles then return first thing, writing nothing (upstream: ray-project/kuberay
    v1.7.0 ray-operator/controllers/ray/utils/util.go ManagedByExternalController; its callers
    raycluster_controller.go rayClusterReconcile, rayjob_controller.go and rayservice_controller.go
    Reconcile, "Skipping ... managed by a custom controller")."""
    manager = (obj.get("spec") or {}).get("managedBy")
    return manager is not None and manager != "ray.io/kuberay-operator"  # utils/constant.go KubeRayController


def metadata_problem(obj: Mapping[str, Any]) -> str | None:
    """upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
    ValidateRayClusterMetadata / ValidateRayJobMetadata / ValidateRayServiceMetadata (the one
    implementation the emulator's admission webhook uses too)."""
    from tests.emulators.kube.admission import ray_metadata_error

    return ray_metadata_error(str(obj["kind"]), dict(obj.get("metadata") or {}))


def job_spec_problem(
    spec: Mapping[str, Any], annotations: Mapping[str, Any] | None = None, gates: Gates = DEFAULT
) -> str | None:
    """The rules of upstream ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
    ValidateRayJobSpec, in its order and with its messages; its cluster spec's rules
    (ValidateRayClusterSpec) and deletion rules (validateDeletionConfiguration) are validation.py's."""
    from tests.emulators.kube.controllers.kuberay.validation import cluster_spec_problem, deletion_problem

    invalid = "The RayJob spec is invalid: "
    shutdown = bool(spec.get("shutdownAfterJobFinishes"))
    selector = spec.get("clusterSelector") or {}
    mode = spec.get("submissionMode") or "K8sJobMode"
    backoff = spec.get("backoffLimit")
    if spec.get("suspend") and not shutdown:
        return invalid + "a RayJob with shutdownAfterJobFinishes set to false is not allowed to be suspended"
    ttl = int(spec.get("ttlSecondsAfterFinished") or 0)
    if ttl < 0:
        return invalid + "TTLSecondsAfterFinished must be a non-negative integer"
    problem = deletion_problem(spec, gates)  # validateDeletionConfiguration: the TTL, then deletionStrategy
    if problem:
        return problem
    if spec.get("suspend") and selector:
        return invalid + "the ClusterSelector mode doesn't support the suspend operation"
    if not spec.get("rayClusterSpec") and not selector:
        return invalid + "one of RayClusterSpec or ClusterSelector must be set"
    if selector:
        if not selector.get("ray.io/cluster"):
            return "cluster name in ClusterSelector should not be empty"
        if mode == "SidecarMode":
            return "ClusterSelector is not supported in SidecarMode"
        if backoff is not None and int(backoff) > 0:
            return invalid + "BackoffLimit is incompatible with ClusterSelector mode"
    if mode == "InteractiveMode" and backoff is not None and int(backoff) > 0:
        return invalid + "BackoffLimit is incompatible with InteractiveMode"
    cluster_spec = spec.get("rayClusterSpec") or {}
    if mode == "SidecarMode":
        # upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
        # ValidateRayJobSpec checks the pointers against nil: an empty ``submitterConfig: {}`` (valid
        # against ray.io_rayjobs.yaml, kept by the API server) is set, and refused as a full one is.
        if spec.get("submitterPodTemplate") is not None:
            return "Currently, SidecarMode doesn't support SubmitterPodTemplate"
        if spec.get("submitterConfig") is not None:
            return "Currently, SidecarMode doesn't support SubmitterConfig"
        head_pod = ((cluster_spec.get("headGroupSpec") or {}).get("template") or {}).get("spec") or {}
        if head_pod.get("restartPolicy") not in (None, "", "Never"):
            return "restartPolicy for head Pod should be Never or unset when using SidecarMode"
    if spec.get("rayClusterSpec") is not None:
        if (cluster_spec.get("authOptions") or {}).get("enableK8sTokenAuth"):
            return invalid + "K8s token auth mode is currently not supported for RayJob"
        problem = cluster_spec_problem(cluster_spec, annotations or {}, gates)
        if problem:
            return invalid + problem
    problem = runtime_env_problem(spec.get("runtimeEnvYAML"))
    if problem:
        return problem
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and int(deadline) <= 0:
        return invalid + "activeDeadlineSeconds must be a positive integer"
    pre_running = spec.get("preRunningDeadlineSeconds")
    if pre_running is not None and int(pre_running) <= 0:
        return invalid + "preRunningDeadlineSeconds must be a positive integer"
    if backoff is not None and int(backoff) < 0:
        return invalid + "backoffLimit must be a positive integer"
    if spec.get("deletionPolicy") is not None and gates.release() in ((1, 3), (1, 4)):
        return _deletion_policy_problem(spec, gates)
    return None


def _deletion_policy_problem(spec: Mapping[str, Any], gates: Gates) -> str | None:
    """upstream: ray-project/kuberay v1.3.2 and v1.4.2 ray-operator/controllers/ray/utils/
    validation.go ValidateRayJobSpec's last rules, on spec.deletionPolicy (a field of those
    releases only, apis/ray/v1/rayjob_types.go; v1.5.0 replaced it with deletionStrategy), their
    errors unwrapped (those rayjob_controller.go put "The RayJob spec is invalid" in the event)."""
    policy = spec.get("deletionPolicy")
    if not gates.on("RayJobDeletionPolicy"):
        return "RayJobDeletionPolicy feature gate must be enabled to use the DeletionPolicy feature"
    if spec.get("clusterSelector") and policy in ("DeleteCluster", "DeleteWorkers"):
        return f"the ClusterSelector mode doesn't support DeletionPolicy={policy}"
    autoscaling = bool((spec.get("rayClusterSpec") or {}).get("enableInTreeAutoscaling"))  # IsAutoscalingEnabled
    if policy == "DeleteWorkers" and autoscaling:
        return "DeletionPolicy=DeleteWorkers currently does not support RayCluster with autoscaling enabled"
    if spec.get("shutdownAfterJobFinishes") and policy == "DeleteNone":
        return "shutdownAfterJobFinshes is set to 'true' while deletion policy is 'DeleteNone'"
    return None


def runtime_env_problem(text: Any) -> str | None:
    """upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/dashboardclient/
    dashboard_httpclient.go UnmarshalRuntimeEnvYAML: the text must unmarshal into a mapping
    (RuntimeEnvType, a map); empty text is an empty one. The tail after the text is the YAML
    parser's own error, here in the simulator's words."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    if not text:
        return None
    try:
        doc = YAML(typ="safe", pure=True).load(str(text))
    except YAMLError as exc:
        return f"failed to unmarshal RuntimeEnvYAML: {text}: {str(exc).splitlines()[0]}"
    if doc is not None and not isinstance(doc, dict):
        return f"failed to unmarshal RuntimeEnvYAML: {text}: not a mapping"
    return None


def set_condition(
    conditions: list[dict[str, Any]], kind: str, status: bool | str, reason: str, message: str = ""
) -> None:
    """meta.SetStatusCondition: replace the condition of that type, keeping its
    lastTransitionTime unless the status changes."""
    text = status if isinstance(status, str) else ("True" if status else "False")
    for cond in conditions:
        if cond.get("type") == kind:
            if cond.get("status") != text:
                cond["lastTransitionTime"] = now()
            cond.update(status=text, reason=reason, message=message)
            return
    conditions.append({"type": kind, "status": text, "reason": reason, "message": message, "lastTransitionTime": now()})


def find_condition(conditions: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    return next((c for c in conditions if c.get("type") == kind), None)


def remove_condition(conditions: list[dict[str, Any]], kind: str) -> None:
    conditions[:] = [c for c in conditions if c.get("type") != kind]


def is_gpu_resource_key(key: str) -> bool:
    """upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/resources.go
    IsGPUResourceKey: a name ending in "gpu", or an NVIDIA MIG device (nvidia.com/mig-2g.32gb)."""
    return key.endswith("gpu") or re.search(r"nvidia\.com/mig-\d+g\.\d+gb$", key) is not None


def gpus(template: Mapping[str, Any]) -> int:
    """The GPUs of a pod template as raycluster_controller.go sumGPUs counts them for
    ``status.desiredGPU``: every GPU resource key of utils/util.go CalculatePodResource (each
    container's requests, its limits where no request is given)."""
    total = 0
    for container in (template.get("spec") or {}).get("containers") or []:
        resources = container.get("resources") or {}
        amounts = {**(resources.get("limits") or {}), **(resources.get("requests") or {})}
        total += sum(int(str(v)) for k, v in amounts.items() if is_gpu_resource_key(str(k)))
    return total


def desired_quantity(templates: Sequence[tuple[Mapping[str, Any], int]], key: str) -> str:
    """``status.desiredCPU`` or ``desiredMemory``: each pod template's ``key`` (requests, else
    limits, over its containers) times its pod count, summed, as a Quantity prints: in the format of
    the first quantity added, the head's (utils/util.go CalculatePodResource, CalculateDesiredResources,
    SumResourceList; kubernetes/apimachinery pkg/api/resource/quantity.go Add keeps the receiver's
    format, String prints it canonically). So 8Gi and 4Gi print "12Gi", and 2 and 500m "2500m"."""
    from decimal import Decimal

    from tests.emulators.kube.quantities import parse, text

    total, form = Decimal(0), None
    for template, count in templates:
        for container in (template.get("spec") or {}).get("containers") or []:
            resources = container.get("resources") or {}
            amount = (resources.get("requests") or {}).get(key) or (resources.get("limits") or {}).get(key)
            parsed = parse(amount) if amount is not None else None
            if parsed is not None:
                total += parsed[0] * count
                form = form or parsed[1]
    return text(total, form or "DecimalSI")


def desired_replicas(group: Mapping[str, Any]) -> int:
    """utils/util.go GetWorkerGroupDesiredReplicas: replicas clamped to [min, max], times numOfHosts,
    0 for a suspended group."""
    if group.get("suspend"):
        return 0
    lo = int(group.get("minReplicas") or 0)
    hi = group.get("maxReplicas")
    hi_value = int(hi) if hi is not None else 2**31 - 1
    replicas = group.get("replicas")
    if replicas is None or int(replicas) < lo:
        count = lo
    elif int(replicas) > hi_value:
        count = hi_value
    else:
        count = int(replicas)
    return count * int(group.get("numOfHosts") or 1)


def autoscaling(spec: Mapping[str, Any]) -> bool:
    """utils/util.go IsAutoscalingEnabled."""
    return bool(spec.get("enableInTreeAutoscaling"))


def running_and_ready(pod: Mapping[str, Any]) -> bool:
    """utils/util.go IsRunningAndReady."""
    status = pod.get("status") or {}
    return status.get("phase") == "Running" and any(
        c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or []
    )


# upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/utils/constant.go.
GEN_RAY_START_CMD = "KUBERAY_GEN_RAY_START_CMD"
OVERWRITE_CMD_ANNOTATION = "ray.io/overwrite-container-cmd"
DEFAULT_METRICS_PORT = "8080"
DEFAULT_DASHBOARD_AGENT_LISTEN_PORT = "52365"


def ray_start_command(node_type: str, params: Mapping[str, Any], resources: Mapping[str, Any], address: str) -> str:
    """The ``ray start`` line KubeRay writes for a Ray container (upstream: common/pod.go
    setMissingRayStartParams, generateRayStartCommand, addWellKnownAcceleratorResources, convertParamMap):
    the rayStartParams, with a worker's ``address`` (the head service's FQDN and port), the head's
    ``dashboard-host``, ``metrics-export-port``, ``block`` and ``dashboard-agent-listen-port`` where
    missing; ``num-cpus`` from the CPU limit, else the request (Quantity.Value: rounded up), ``memory``
    from the memory limit in bytes, ``num-gpus`` from a GPU limit; flags sorted, a ``true`` value a bare
    flag and a ``false`` one left out (but for log-color, include-dashboard, include-log-monitor).
    Not simulated: the first custom accelerator (TPU, Neuron) into ``resources``; AKS has none."""
    import math

    from tests.emulators.kube.quantities import parse

    start = {str(k): str(v) for k, v in params.items()}
    if node_type == "worker":
        start.setdefault("address", address)
    else:
        start.setdefault("dashboard-host", "0.0.0.0")
    start.setdefault("metrics-export-port", DEFAULT_METRICS_PORT)
    start["block"] = "true"
    start.setdefault("dashboard-agent-listen-port", DEFAULT_DASHBOARD_AGENT_LISTEN_PORT)
    limits, requests = resources.get("limits") or {}, resources.get("requests") or {}

    def value(amount: Any) -> int:
        parsed = parse(amount) if amount is not None else None
        return math.ceil(parsed[0]) if parsed is not None else 0

    if "num-cpus" not in start and (cpus := value(limits.get("cpu")) or value(requests.get("cpu"))):
        start["num-cpus"] = str(cpus)
    if "memory" not in start and (memory := value(limits.get("memory"))):
        start["memory"] = str(memory)
    for key in sorted(limits):
        if "num-gpus" not in start and is_gpu_resource_key(str(key)) and value(limits[key]):
            start["num-gpus"] = str(value(limits[key]))
    flags = []
    for option in sorted(start):
        argument = start[option]
        if argument.lower() in ("true", "false") and option not in (
            "log-color",
            "include-dashboard",
            "include-log-monitor",
        ):
            if argument.lower() == "true":
                flags.append(f" --{option} ")
        else:
            flags.append(f" --{option}={argument} ")
    return ("ray start --head " if node_type == "head" else "ray start ") + "".join(flags)


def with_ray_start(pod_spec: dict[str, Any], annotations: Mapping[str, Any], start: str) -> None:
    """BuildPod on the Ray container (index 0): unless the template's ray.io/overwrite-container-cmd
    annotation is "true" or its command and args already hold ``ray start``, the command becomes
    ``/bin/bash -c --`` and the one arg ``ulimit ...; <ray start>`` (after the template's own command
    and args, joined by ``&&``); the line always goes into the KUBERAY_GEN_RAY_START_CMD env
    (setContainerEnvVars; utils/util.go GetContainerCommand without ENABLE_LOGIN_SHELL)."""
    containers = pod_spec.get("containers") or []
    if not containers:
        return
    ray = containers[0]
    cmd = "".join(f" {word} " for word in [*(ray.get("command") or []), *(ray.get("args") or [])])
    overwrite = str(annotations.get(OVERWRITE_CMD_ANNOTATION) or "").lower() == "true"
    if not overwrite and "ray start" not in cmd:
        generated = f"ulimit -n ${{RAY_START_ULIMIT_OPEN_FILES:-65536}}; {start}"
        ray["command"] = ["/bin/bash", "-c", "--"]
        ray["args"] = [f"{cmd} && {generated}" if cmd else generated]
    ray["env"] = [*(ray.get("env") or []), {"name": GEN_RAY_START_CMD, "value": start}]
