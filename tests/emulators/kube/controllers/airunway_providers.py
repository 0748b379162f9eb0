"""What every AI Runway provider shares in the simulator (airunway.py), and the kuberay and dynamo
providers' own parts, at ai-runway/airunway v0.7.0 (f5fd48d134a510a2af1ef237ced13103ba27c076):

* The finalizer (providers/{kaito,vllm,llmd,kuberay,dynamo}/controller.go FinalizerName,
  ``airunway.ai/<provider>-provider``): Reconcile adds it before anything else; handleDeletion
  sets phase Terminating, deletes the provider's primary object when this ModelDeployment owns it
  (the kaito Workspace, the vllm/llmd Deployment, the kuberay RayService, the dynamo
  DynamoGraphDeployment) and removes the finalizer once that object is gone, is another's
  (verifyOwnerReference: left alone) or its kind is not served (upstreamResourceUnavailable:
  IsNotFound or meta.IsNoMatchError). FinalizerTimeout (5 minutes) for the vllm provider only
  (FINALIZER_TIMEOUT). Not simulated: the dynamo provider's PVC and download Job cleanup.
* validateCompatibility (providers/{kaito,vllm,llmd,kuberay,dynamo}/controller.go, ``incompatible``):
  a configuration the provider does not run makes the phase Failed with ProviderCompatible False
  (IncompatibleConfiguration), no requeue; else ProviderCompatible True (CompatibilityVerified).
* A backend kind the cluster does not serve (KubeRay's or NVIDIA Dynamo's operator not installed):
  createOrUpdateResource's Get fails with meta.NoKindMatchError (kubernetes/apimachinery
  pkg/api/meta/errors.go: ``no matches for kind "K" in version "G/V"``), wrapped "failed to get
  existing resource: ..."; Reconcile sets ResourceCreated False (CreateFailed), phase Failed,
  "Failed to create RayService: ..." (or DynamoGraphDeployment) and requeues nothing.
* providers/kuberay/transformer.go Transform: the RayService (``rayservice``); providers/kuberay/
  status.go TranslateStatus (``rayservice_phase``).

The dynamo provider's graph: airunway_dynamo_graph.py (no published DynamoGraphDeployment CRD is in
../shared/crds, and the emulator has no Dynamo operator: a test writes the graph's status).
"""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime
from typing import Any

from tests.emulators.kube.controllers.airunway_objects import _md_owner
from tests.emulators.kube.controllers.base import Controller, PassHeld
from tests.emulators.kube.controllers.finalizers import remove_finalizer
from tests.emulators.kube.controllers.kaito_common import _cond
from tests.emulators.kube.status import ApiError

RAY_API = "ray.io/v1"
DYNAMO_API = "nvidia.com/v1alpha1"
# The object each provider's handleDeletion deletes and waits for, named after the ModelDeployment.
PRIMARY = {
    "kaito": ("kaito.sh/v1beta1", "Workspace"),
    "vllm": ("apps/v1", "Deployment"),
    "llmd": ("apps/v1", "Deployment"),
    "kuberay": (RAY_API, "RayService"),
    "dynamo": (DYNAMO_API, "DynamoGraphDeployment"),
}
# providers/kuberay/transformer.go DefaultImage, DefaultHeadCPU, DefaultHeadMemory, DefaultWorkerMemory.
RAY_IMAGE = "rayproject/ray-llm:2.55.0-py311-cu128"
GPU_LABEL = "airunway.ai/model-deployment"


# Who the providers write as. Each provider's image runs /provider (ai-runway/airunway v0.7.0
# providers/{kaito,vllm,llmd,kuberay,dynamo}/Dockerfile ENTRYPOINT) and its cmd/main.go sets no
# UserAgent, so controller-runtime's client sends client-go's default, "provider/<version> ..."
# (kubernetes-sigs/controller-runtime pkg/client/client.go newClient; kubernetes/client-go
# rest/config.go DefaultKubernetesUserAgent): its Create, Update and merge patches (the finalizer, the
# kaito Workspace, the kuberay RayService) are "provider"'s. The vllm and llmd providers server-side
# apply their Deployment and Service with ForceOwnership as their FieldManager, "vllm-provider" and
# "llmd-provider" (providers/vllm/controller.go and providers/llmd/controller.go
# createOrUpdateResource: r.Patch(ctx, resource, client.Apply, client.FieldOwner(FieldManager),
# client.ForceOwnership)); the kaito, kuberay and dynamo providers declare a FieldManager they never pass.
PROVIDER = "provider"


def applier(provider: str) -> str:
    """The FieldManager of ai-runway/airunway providers/{vllm,llmd}/controller.go."""
    return f"{provider}-provider"


def finalizer(provider: str) -> str:
    """FinalizerName of each provider's controller.go."""
    return f"airunway.ai/{provider}-provider"


def served(cluster: Any, api_version: str, kind: str) -> bool:
    try:
        cluster.api.rt(api_version, kind)
    except ApiError:
        return False
    return True


def no_match(api_version: str, kind: str) -> str:
    """meta.NoKindMatchError.Error() for one searched version, as createOrUpdateResource wraps it."""
    return f'failed to get existing resource: no matches for kind "{kind}" in version "{api_version}"'


def incompatible(provider: str, spec: dict[str, Any], engine: str = "") -> str | None:
    """validateCompatibility of each provider (ai-runway/airunway providers/<provider>/controller.go), for an engine
    (ResolvedEngineType: spec.engine.type, else status.engine.type) and what akscli can send. kaito:
    no sglang, no trtllm, no disaggregated serving, llamacpp only with spec.image; vllm: the vllm
    engine, aggregated, GPUs; llmd: the vllm engine, GPUs (per component where disaggregated);
    kuberay and dynamo: GPUs."""
    engine = str((spec.get("engine") or {}).get("type") or engine)
    disaggregated = (spec.get("serving") or {}).get("mode") == "disaggregated"
    gpus = int(((spec.get("resources") or {}).get("gpu") or {}).get("count") or 0)
    if provider == "kaito":
        if engine in ("sglang", "trtllm"):
            return f"KAITO does not support {engine} engine"
        if disaggregated:
            return "KAITO does not support disaggregated serving mode"
        if engine == "llamacpp" and not spec.get("image"):
            return "llamacpp engine requires spec.image to be set"
        return None
    if provider in ("vllm", "llmd"):
        label = "vLLM" if provider == "vllm" else "llm-d"
        if engine != "vllm":
            return f"{label} provider only supports vllm engine, got {engine}"
        if disaggregated and provider == "vllm":
            return "vLLM provider does not support disaggregated serving mode; use spec.serving.mode: aggregated"
        if disaggregated:
            return _llmd_disaggregated(spec.get("scaling") or {})
        return None if gpus > 0 else f"{label} provider requires GPU resources (spec.resources.gpu.count > 0)"
    if gpus > 0:
        return None
    return f"{'KubeRay' if provider == 'kuberay' else 'Dynamo'} requires GPU (set resources.gpu.count > 0)"


def _llmd_disaggregated(scaling: dict[str, Any]) -> str | None:
    """ai-runway/airunway providers/llmd/controller.go validateCompatibility, disaggregated."""
    for part in ("prefill", "decode"):
        if not scaling.get(part):
            return f"spec.scaling.{part} is required for disaggregated serving mode"
    for part in ("prefill", "decode"):
        if not int(((scaling[part].get("gpu") or {}).get("count")) or 0):
            return f"llm-d provider requires GPU resources for {part} (spec.scaling.{part}.gpu.count > 0)"
    return None


# The name each provider's "Configuration compatible with NAME" gives (ai-runway/airunway providers/*/controller.go).
COMPATIBLE_NAMES = {"kaito": "KAITO", "vllm": "vLLM", "llmd": "llm-d", "kuberay": "KubeRay", "dynamo": "Dynamo"}


def compatible_condition(provider: str) -> dict[str, Any]:
    name = COMPATIBLE_NAMES[provider]
    return _cond("ProviderCompatible", True, "CompatibilityVerified", f"Configuration compatible with {name}")


# providers/vllm/controller.go handleDeletion (v0.7.0, unchanged at b0d3fb77): while its owned
# Deployment still exists, Terminating behind a finalizer of its own included, the finalizer goes
# without waiting once time.Since(md.DeletionTimestamp) > FinalizerTimeout (5 * time.Minute), and
# the Deployment and its pods stay. The llmd, kaito, kuberay and dynamo providers (their
# controller.go handleDeletion) check FinalizerTimeout only when r.Delete fails with an error other
# than NotFound/NoMatch, which this simulator never returns; for them it is not simulated.
FINALIZER_TIMEOUT = 300.0
TIMED_OUT_PROVIDERS = ("vllm",)


# ai-runway/airunway providers: FinalizerTimeout is measured on the controller clock.
class FinalizerClock(Controller):
    """The clock FinalizerTimeout is read on: wall time plus what a test moved it on (advance); a
    pass reads one (clocks)."""

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self._finalizer_clock = PassHeld()

    @property
    def skew(self) -> float:
        return self._finalizer_clock.read()

    def clocks(self) -> tuple[PassHeld, ...]:
        return (*super().clocks(), self._finalizer_clock)

    def advance(self, seconds: float) -> None:
        self._finalizer_clock.move(seconds)

    def now(self) -> float:
        return self._finalizer_clock.wall()


def _timed_out(obj: dict[str, Any], provider: str, now: float) -> bool:
    since = obj["metadata"].get("deletionTimestamp")
    if provider not in TIMED_OUT_PROVIDERS or not since:
        return False
    deleted = datetime.strptime(since, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    return now - deleted > FINALIZER_TIMEOUT


def handle_deletion(cluster: Any, obj: dict[str, Any], provider: str, now: float | None = None) -> bool:
    """handleDeletion; True while the provider waits for its object to go (the caller requeues:
    upstream RequeueAfter 5 s). ``now``: FinalizerClock.now(), else the wall clock."""
    md = obj["metadata"]
    if finalizer(provider) not in (md.get("finalizers") or []):
        return False
    if (obj.get("status") or {}).get("phase") != "Terminating":
        # Status().Update of the ModelDeployment as the reconcile read it, its error only logged
        # (upstream: ai-runway/airunway providers/vllm/controller.go handleDeletion, "Failed to
        # update status to Terminating"; the same in providers/{kaito,llmd,kuberay,dynamo}): a
        # writer that came between keeps its change, the deletion goes on, and a later pass (the
        # 5 s requeue) writes Terminating. Upstream writes it on every pass; an unchanged status
        # is a no-op for the API server, which the guard stands in for.
        with contextlib.suppress(ApiError):
            cluster.update_status_of(obj, {"phase": "Terminating"})
    api_version, kind = PRIMARY[provider]
    live = cluster.get(api_version, kind, md["namespace"], md["name"]) if served(cluster, api_version, kind) else None
    owned = live is not None and any(
        r.get("uid") == md.get("uid") for r in live["metadata"].get("ownerReferences") or []
    )
    if live is not None and owned and not _timed_out(obj, provider, time.time() if now is None else now):
        if not live["metadata"].get("deletionTimestamp"):
            try:
                cluster.delete(api_version, kind, md["namespace"], md["name"])
            except ApiError as exc:
                if exc.code != 404:
                    raise
        return True
    remove_finalizer(cluster, obj, finalizer(provider), manager=PROVIDER)
    return False


def rayservice(obj: dict[str, Any]) -> dict[str, Any]:
    """providers/kuberay/transformer.go Transform for aggregated serving: labels (podTemplate's
    labels merged, its annotations as the RayService's), serveConfigV2 with num_replicas, a head
    group (ray-head: MODEL_ID, VLLM_ENGINE_ARGS from buildEngineArgs, then spec.env and HF_TOKEN
    from buildEnvVars; limits cpu 4 and memory 16Gi or resources.memory) and one worker group
    gpu-workers (ray-worker, replicas = min = max, limits memory 32Gi or resources.memory and the
    GPUs under resources.gpu.type or nvidia.com/gpu)."""
    md, spec = obj["metadata"], obj.get("spec") or {}
    name, model, engine = md["name"], spec.get("model") or {}, spec.get("engine") or {}
    resources = spec.get("resources") or {}
    pod_meta = (spec.get("podTemplate") or {}).get("metadata") or {}
    replicas = int((spec.get("scaling") or {}).get("replicas") or 0) or 1
    args = ["--model", str(model.get("id"))]
    if engine.get("contextLength"):
        args += ["--max-model-len", str(engine["contextLength"])]
    if model.get("servedName"):
        args += ["--served-model-name", str(model["servedName"])]
    if engine.get("trustRemoteCode"):
        args.append("--trust-remote-code")
    for key in sorted(engine.get("args") or {}):
        value = str(engine["args"][key])
        args += [f"--{key}", value] if value else [f"--{key}"]
    env: list[dict[str, Any]] = [{"name": "MODEL_ID", "value": str(model.get("id"))}]
    env.append({"name": "VLLM_ENGINE_ARGS", "value": " ".join(args)})
    for item in spec.get("env") or []:
        entry: dict[str, Any] = {"name": item.get("name")}
        if item.get("value"):
            entry["value"] = item["value"]
        ref = (item.get("valueFrom") or {}).get("secretKeyRef")
        if ref:
            entry["valueFrom"] = {"secretKeyRef": {"name": ref.get("name"), "key": ref.get("key")}}
        env.append(entry)
    secret = (spec.get("secrets") or {}).get("huggingFaceToken")
    if secret:
        env.append({"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": secret, "key": "HF_TOKEN"}}})
    # getImage: ImageOverride (spec.engine.image, else the legacy spec.image), else DefaultImage.
    image = str(engine.get("image") or spec.get("image") or RAY_IMAGE)
    gpu = resources.get("gpu") or {}
    worker_limits: dict[str, Any] = {"memory": str(resources.get("memory") or "32Gi")}
    if int(gpu.get("count") or 0) > 0:
        worker_limits[str(gpu.get("type") or "nvidia.com/gpu")] = str(int(gpu["count"]))
    pod_labels = {GPU_LABEL: name}
    head = {"name": "ray-head", "image": image, "env": env}
    head["resources"] = {"limits": {"cpu": "4", "memory": str(resources.get("memory") or "16Gi")}}
    serve = (
        "applications:\n  - name: llm\n    route_prefix: /\n    import_path: vllm_serve:deployment\n"
        f"    deployments:\n      - name: VLLMDeployment\n        num_replicas: {replicas}\n"
    )
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": md["namespace"],
        "labels": {
            "airunway.ai/managed-by": "airunway",
            "airunway.ai/deployment": name,
            "airunway.ai/model-source": str(model.get("source") or ""),
            "airunway.ai/engine-type": str(engine.get("type") or "vllm"),
            **(pod_meta.get("labels") or {}),
        },
        "ownerReferences": _md_owner(obj),
    }
    if pod_meta.get("annotations"):
        metadata["annotations"] = dict(pod_meta["annotations"])
    worker = {
        "replicas": replicas,
        "minReplicas": replicas,
        "maxReplicas": replicas,
        "groupName": "gpu-workers",
        "rayStartParams": {},
        "template": {
            "metadata": {"labels": dict(pod_labels)},
            "spec": {"containers": [{"name": "ray-worker", "image": image, "resources": {"limits": worker_limits}}]},
        },
    }
    return {
        "apiVersion": RAY_API,
        "kind": "RayService",
        "metadata": metadata,
        "spec": {
            "serveConfigV2": serve,
            "rayClusterConfig": {
                "headGroupSpec": {
                    "rayStartParams": {"dashboard-host": "0.0.0.0"},
                    "template": {"metadata": {"labels": dict(pod_labels)}, "spec": {"containers": [head]}},
                },
                "workerGroupSpecs": [worker],
            },
        },
    }


def rayservice_phase(rs: dict[str, Any]) -> dict[str, Any]:
    """providers/kuberay/status.go TranslateStatus and controller.go syncStatus: Pending; a
    condition of type ``RayServiceReady`` (True Running, False Deploying) — a type KubeRay never
    writes, its Ready condition's type being "Ready" (ray-project/kuberay
    ray-operator/apis/ray/v1/rayservice_types.go RayServiceReady = "Ready"), so it never matches;
    then ``status.activeServiceStatus.applicationStatuses``: any DEPLOY_FAILED is Failed with its
    message, all RUNNING is Running, else Deploying. KubeRay keeps an application that failed in
    pendingServiceStatus (never promoted), so a failed Serve app leaves the phase Deploying.
    Replicas: the worker groups' replicas, all ready once every app runs; the endpoint
    NAME-serve-svc port 8000."""
    status = rs.get("status") or {}
    phase, message = "Pending", ""
    for cond in status.get("conditions") or []:
        if cond.get("type") == "RayServiceReady" and cond.get("status") in ("True", "False"):
            phase = "Running" if cond["status"] == "True" else "Deploying"
            message = "" if cond["status"] == "True" else str(cond.get("message") or "")
    apps = (status.get("activeServiceStatus") or {}).get("applicationStatuses") or {}
    if apps:
        states = [str((a or {}).get("status") or "") for a in apps.values()]
        failed = [a for a in apps.values() if (a or {}).get("status") == "DEPLOY_FAILED"]
        if failed:
            phase, message = "Failed", str(failed[-1].get("message") or "") or message
        elif all(s == "RUNNING" for s in states):
            phase = "Running"
        else:
            phase = "Deploying"
    groups = ((rs.get("spec") or {}).get("rayClusterConfig") or {}).get("workerGroupSpecs") or []
    desired = sum(int(g.get("replicas") or 0) for g in groups)
    running = bool(apps) and all((a or {}).get("status") == "RUNNING" for a in apps.values())
    name = rs["metadata"]["name"]
    return {
        "phase": phase,
        "message": message,
        "replicas": {"desired": desired, "ready": desired if running else 0, "available": desired if running else 0},
        "endpoint": {"service": f"{name}-serve-svc", "port": 8000},
    }


def failed_already(obj: dict[str, Any]) -> bool:
    """Whether the ResourceConflict failure is already reported for this generation: upstream sets
    it on each pass (ai-runway/airunway v0.7.0 providers/kaito/controller.go and
    providers/vllm/controller.go Reconcile); here
    the status is written again only for a new generation, which it then names (_status)."""
    status = obj.get("status") or {}
    return status.get("phase") == "Failed" and status.get("observedGeneration") == obj["metadata"].get("generation")


# providers/kaito/upstream_health.go: the selector of KAITO's workspace controller (the Helm chart's
# and the AKS add-on's) and the messages of an unhealthy probe.
KAITO_CONTROLLER = ("workspace", "ai-toolchain-operator")
CRD_MISSING = "KAITO Workspace CRD not found. Install KAITO."
CONTROLLER_MISSING = (
    "The KAITO workspace controller is not running. Install it with `helm install kaito-workspace "
    "kaito/workspace` (check the kaito-workspace namespace), or via the AKS AI toolchain operator add-on "
    "`az aks update --enable-ai-toolchain-operator ...` (check the kube-system namespace)."
)


def kaito_health(cluster: Any) -> tuple[str, str] | None:
    """probeUpstreamController (providers/kaito/upstream_health.go): the Workspace kind not served
    -> CRDMissing; a Deployment labelled ``app.kubernetes.io/name`` workspace or
    ai-toolchain-operator, any namespace, with a ready replica -> healthy, with none ready ->
    UpstreamControllerNotReady; none -> UpstreamControllerMissing. The reason and message, None
    when healthy. The emulator stands KAITO's controller up as a ready pod with that label, not a
    Deployment (profiles.install_kaito_controller): with no such Deployment, a ready pod counts as
    its ready replica."""
    if not served(cluster, *PRIMARY["kaito"]):
        return "CRDMissing", CRD_MISSING
    found: list[dict[str, Any]] = []
    pods: list[dict[str, Any]] = []
    for name in KAITO_CONTROLLER:
        selector = f"app.kubernetes.io/name={name}"
        found += cluster.list("apps/v1", "Deployment", None, label_selector=selector)
        pods += cluster.list("v1", "Pod", None, label_selector=selector)
    if any(int((d.get("status") or {}).get("readyReplicas") or 0) > 0 for d in found):
        return None
    if found:
        meta = found[0]["metadata"]
        where = f"{meta['namespace']}/{meta['name']}"
        why = f"The KAITO workspace controller Deployment {where} exists but has no ready replicas."
        return "UpstreamControllerNotReady", why
    ready = [
        p
        for p in pods
        if any(
            c.get("type") == "Ready" and c.get("status") == "True"
            for c in (p.get("status") or {}).get("conditions") or []
        )
    ]
    return None if ready else ("UpstreamControllerMissing", CONTROLLER_MISSING)
