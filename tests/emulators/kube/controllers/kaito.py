"""A KAITO workspace-controller simulator for the Kubernetes emulator (kaito.sh/v1beta1).

What it does, as KAITO does it, at test speed (each behaviour names the upstream file, in
kaito-project/kaito at 056b8280b1a8debf644bc6f4399e913a1f9c7e70):

* Workspace: the node count of KAITO's estimator (pkg/workspace/estimator/nodesestimator/
  estimator.go), computed for sizes in KAITO's SKU table only; any other size fails the
  estimator ("Unsupported SKU", pkg/sku/helpers.go), the reconcile errors and the Workspace keeps
  no status at all. A Service named after the Workspace (port 80 -> 5000) selecting the leader pod
  ``NAME-0`` and a headless ``NAME-headless`` (pkg/workspace/manifests/manifests.go); the
  StatefulSet ``NAME`` with one replica per node (kaito_workload.py: its manifest, revision and
  update, as upstream v0.12.0 makes them), whose pods the emulator's StatefulSet controller makes
  (``NAME-i``); vLLM-like logs on them, ``status.targetNodeCount``, ``workerNodes`` and the
  conditions ResourceReady, InferenceReady (the StatefulSet's replicas all ready) and
  WorkspaceSucceeded, with events.
* Every condition either controller sets carries the ``metadata.generation`` its reconcile read
  as ``observedGeneration`` (workspace_controller.go setWorkspaceCondition,
  pkg/utils/inferenceset/inferenceset.go); after a change to the object the previous
  conditions stay, stale, until the next reconcile rewrites them.
* InferenceSet (pkg/inferenceset/inferenceset_controller.go): ``replicas`` Workspaces named
  ``NAME-<5 random characters>`` (owned by the set, labelled ``inferenceset.kaito.sh/created-by``)
  from its template; scaling down deletes Workspaces that are not ready first. No Service for
  the set. ``status.replicas``, ``readyReplicas`` (the child Workspaces that succeeded),
  ``selector`` and the condition InferenceSetReady (reasons inferencesetReady /
  inferencesetNotReady), re-read whenever a child Workspace changes. Its finalizer
  ``inferenceset.finalizer.kaito.sh``: on delete the set deletes its Workspaces, then lets go.

Failure modes (``failure=``):
* ``quota``: the node claim cannot be created because the GPU family's regional vCPU quota is
  used up. ResourceReady stays False (reason NodeClaimNotReady, not terminal, as in KAITO), with
  a Warning event carrying Azure's quota message: ``--wait`` times out and shows it.
* ``inference``: nodes come up but the inference server crash-loops (pods in CrashLoopBackOff):
  InferenceReady False with KAITO's reason ContainerCrashLoopBackOff and WorkspaceSucceeded
  False workspacePending, state Pending (classifyInferencePodFailure and
  applyInferenceWorkspaceStatus in workspace_controller.go). Not final: KAITO keeps
  reconciling, so ``--wait`` times out and names the reason.
* ``benchmark``: the pods are Ready and serve, but the controller cannot read the benchmark's
  result line from the leader pod's log (upstream: kaito-project/kaito v0.12.0 0894eb2b
  pkg/workspace/controllers/benchmark.go reconcileBenchmarkResult, parseBenchmarkResult "no
  KAITO_BENCHMARK_RESULT line found in pod logs"): InferenceReady True, BenchmarkCompleted and
  WorkspaceSucceeded False with reason BenchmarkFailed, state NotReady
  (workspace_controller.go applyInferenceWorkspaceStatus, applyBenchmarkStatus), for a Workspace
  KAITO benchmarks (api/v1beta1/labels.go ShouldRunBenchmark: vLLM runtime, a preset, no
  ``kaito.sh/disable-benchmark: "true"``). Its InferenceSet counts it not ready
  (pkg/workspace/controllers/metrics.go DetermineWorkspacePhase).

``openai_handler(model_id)`` is a service-proxy handler that answers ``/v1/models`` and
``/v1/chat/completions`` like vLLM's OpenAI server, for ``emu.register_service_proxy``.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from tests.emulators.kube.controllers import kaito_nodes, kaito_workload
from tests.emulators.kube.controllers.base import Controller, DeletionTolerantController
from tests.emulators.kube.controllers.finalizers import add_finalizer, remove_finalizer
from tests.emulators.kube.controllers.rescheduling import requeue_owners

KAITO = "kaito.sh/v1beta1"
POD_INDEX = "apps.kubernetes.io/pod-index"
# k8s.io/apimachinery/pkg/util/rand: the alphabet of rand.String, which names child Workspaces.
_RAND_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
# KAITO labels the Workspaces of an InferenceSet, and their pods, with the set's name.
SET_LABEL = "inferenceset.kaito.sh/created-by"
FAILURES = (None, "quota", "inference", "benchmark")
# failure="inference": the inference server exits on start (a model too large for the GPU).
CRASH_EXIT_CODE = 1
CRASH_LOG = "ERROR torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n"
QUOTA_MESSAGE = (
    "failed to create nodeClaim: Operation could not be completed as it results in exceeding "
    "approved {family} Cores quota. Location: eastus, Current Limit: 0, Current Usage: 0, "
    "Additional Required: {cores}. (QuotaExceeded)"
)
# vCPUs per size, for the quota message: what the Azure error reports as cores.
_VCPUS = re.compile(r"Standard_[A-Z]+(\d+)")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cond(ctype: str, ok: bool, reason: str, message: str = "") -> dict[str, Any]:
    return {
        "type": ctype,
        "status": "True" if ok else "False",
        "reason": reason,
        "message": message,
        "lastTransitionTime": _now(),
    }


def _observed(obj: dict[str, Any], conditions: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    """The conditions stamped with the generation this reconcile read, as KAITO stamps every
    condition it sets (metav1.Condition.ObservedGeneration = obj.GetGeneration()):
    setWorkspaceCondition in pkg/workspace/controllers/workspace_controller.go for a
    Workspace, UpdateStatusConditionIfNotMatch in pkg/utils/inferenceset/inferenceset.go for
    an InferenceSet. Neither kind has a status.observedGeneration of its own (api/v1beta1
    workspace_types.go and inferenceset_types.go)."""
    generation = int(obj["metadata"].get("generation") or 1)
    return [{**c, "observedGeneration": generation} for c in conditions]


def _set_status(cluster: Any, ws: dict[str, Any], fields: dict[str, Any], *conditions: dict[str, Any]) -> None:
    md = ws["metadata"]
    status = {**fields, "conditions": _observed(ws, conditions)}
    cluster.patch_status(KAITO, "Workspace", md["namespace"], md["name"], status)


def _inference_pending(reason: str, message: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """InferenceReady False with KAITO's not-ready reason and WorkspaceSucceeded workspacePending:
    applyInferenceWorkspaceStatus in pkg/workspace/controllers/workspace_controller.go, which has
    no failed state for an inference Workspace (the next reconcile classifies the pods again)."""
    return (
        _cond("InferenceReady", False, reason, message),
        _cond("WorkspaceSucceeded", False, "workspacePending", "workspace is waiting for inference workload readiness"),
    )


def _crash_status(container: str, pod: str) -> dict[str, Any]:
    """A serving pod's status as the kubelet shows a container that keeps exiting: Waiting
    CrashLoopBackOff with doBackOff's message, last state Terminated
    (kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_manager.go)."""
    return {
        "phase": "Running",
        "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
        "containerStatuses": [
            {
                "name": container,
                "ready": False,
                "restartCount": 3,
                "state": {
                    "waiting": {
                        "reason": "CrashLoopBackOff",
                        "message": f"back-off 40s restarting failed container={container} pod={pod}",
                    }
                },
                "lastState": {"terminated": {"exitCode": CRASH_EXIT_CODE, "reason": "Error"}},
            }
        ],
    }


def _serving(pod: dict[str, Any]) -> bool:
    """The pod is Ready (a crashing container leaves it not ready)."""
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


# upstream: kaito-project/kaito v0.12.0 pkg/utils/consts/consts.go WorkspaceFinalizer, added by
# ensureFinalizer (pkg/workspace/controllers/workspace_controller.go) on every live reconcile.
WORKSPACE_FINALIZER = "workspace.finalizer.kaito.sh"
# upstream: kaito-project/kaito v0.12.0 pkg/utils/consts/consts.go InferenceSetFinalizer, added by
# ensureFinalizer (pkg/inferenceset/inferenceset_controller.go) on every live reconcile.
INFERENCESET_FINALIZER = "inferenceset.finalizer.kaito.sh"


def _owner(obj: dict[str, Any]) -> dict[str, Any]:
    md = obj["metadata"]
    return {
        "apiVersion": KAITO,
        "kind": obj["kind"],
        "name": md["name"],
        "uid": md.get("uid", ""),
        "controller": True,
        "blockOwnerDeletion": True,
    }


def _node_count(cluster: Any, ws: dict[str, Any]) -> int | None:
    """The node count KAITO's estimator gives, computed the way akscli's plan computes it;
    None where the estimator fails on a size outside KAITO's SKU table."""
    from akscli.model import catalog, kaito_estimator, skus

    size = ((ws.get("resource") or {}).get("instanceType")) or ""
    if not kaito_estimator.supports_kaito(size):
        return None
    preset = (((ws.get("inference") or {}).get("preset")) or {}).get("name") or ""
    model, sku = catalog.find(preset), skus.get(size)
    if model is None or sku is None:
        return 1
    est = kaito_estimator.kaito_estimate(model, sku, _max_model_len(cluster, ws))
    return max(est.nodes, 1)


def _max_model_len(cluster: Any, ws: dict[str, Any]) -> int:
    name = (ws.get("inference") or {}).get("config")
    if not name:
        return planning_default()
    cm = cluster.get("v1", "ConfigMap", ws["metadata"]["namespace"], name)
    text = ((cm or {}).get("data") or {}).get("inference_config.yaml", "")
    m = re.search(r"max-model-len:\s*(\d+)", text)
    return int(m.group(1)) if m else planning_default()


def planning_default() -> int:
    from akscli.model.kaito_estimator import KAITO_DEFAULT_MAX_MODEL_LEN

    return KAITO_DEFAULT_MAX_MODEL_LEN


class _KaitoController(DeletionTolerantController):
    """What both KAITO controllers share: the failure modes, and dropping the work on an
    object deleted while it is being reconciled (as KAITO's controllers do)."""

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        if failure not in FAILURES:
            raise ValueError(f"unknown KAITO failure mode {failure!r}; known: {FAILURES}")
        super().__init__(delay, failure)


class WorkspaceController(_KaitoController):
    # Owns its StatefulSets: their status changes are its Workspace's (upstream: kaito-project/kaito
    # v0.12.0 pkg/workspace/controllers/workspace_controller.go SetupWithManager).
    watches: ClassVar[list[tuple[str, str]]] = [(KAITO, "Workspace"), ("apps/v1", "StatefulSet")]

    def _reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        if obj["kind"] == "StatefulSet":
            for ref in obj["metadata"].get("ownerReferences") or []:
                ws = cluster.get(KAITO, "Workspace", obj["metadata"]["namespace"], ref["name"])
                if ref.get("kind") == "Workspace" and ws is not None and ws["metadata"].get("uid") == ref.get("uid"):
                    self._reconcile(cluster, ws)
            return
        if obj["metadata"].get("deletionTimestamp"):
            # deleteWorkspace -> garbageCollectWorkspace: the nodes go first, then the finalizer,
            # so the Workspace outlives its nodes (upstream: kaito-project/kaito v0.12.0
            # pkg/workspace/controllers/workspace_gc_finalizer.go).
            kaito_nodes.deprovision(cluster, obj)
            remove_finalizer(cluster, obj, WORKSPACE_FINALIZER)
            return
        if not add_finalizer(cluster, obj, WORKSPACE_FINALIZER):
            # A conflict: the Workspace changed since it was read; controller-runtime requeues.
            self.requeue(obj, self.delay)
            return
        name = obj["metadata"]["name"]
        size = (obj.get("resource") or {}).get("instanceType", "")
        nodes = _node_count(cluster, obj)
        if nodes is None:
            # UpdateWorkspaceTargetNodeCount returns the estimator's error and the reconcile
            # ends there: no status, no event (pkg/workspace/controllers/workspace_controller.go).
            self.estimator_errors.append(f"Unsupported SKU '{size}' for cloud provider")
            return
        if self.failure == "quota":
            family = size.replace("Standard_", "Standard ").rsplit("_", 1)[0] + " Family"
            m = _VCPUS.match(size)
            message = QUOTA_MESSAGE.format(family=family, cores=int(m.group(1)) * nodes if m else 0)
            _set_status(
                cluster,
                obj,
                {"targetNodeCount": nodes, "state": "Pending"},
                _cond("ResourceReady", False, "NodeClaimNotReady", message),
                *_inference_pending("WorkspaceInferenceStatusPending", "Inference workload is not ready"),
            )
            cluster.add_event(obj, "NodeClaimCreationFailed", message, type="Warning")
            return
        self._service(cluster, obj)
        crashing = self.failure == "inference"
        workers = [f"aks-{name[:20]}-{i}" for i in range(nodes)]
        # KAITO's provisioner brings up the nodes a Workspace lacks (upstream: kaito-project/kaito
        # pkg/utils/nodeclaim/nodeclaim.go; kaito_nodes.py names the rest).
        kaito_nodes.provision(cluster, obj, workers)
        sts = kaito_workload.apply(cluster, obj, nodes, kaito_nodes.pod_scheduling(obj))
        waiting, crashed = self._pods(cluster, obj, sts, crashing=crashing)
        placed = {"targetNodeCount": nodes, "workerNodes": workers}
        resources_ready = _cond("ResourceReady", True, "workspaceResourceStatusSuccess", "workspace resource is ready")
        pending: tuple[str, str] | None = None
        if crashed:
            # detectContainerFailure (workspace_controller.go) on the pod's CrashLoopBackOff.
            crash = f'container "{name}" is in CrashLoopBackOff; last termination: exit code {CRASH_EXIT_CODE}'
            pending = ("ContainerCrashLoopBackOff", crash)
        elif waiting or crashing or not kaito_workload.ready(sts):
            # The StatefulSet's pods are not all ready (not made yet, or one the scheduler leaves
            # Pending): inference is not ready (collectInferenceReadyStatus; the next reconcile,
            # on the StatefulSet's status, classifies them again).
            pending = ("WorkspaceInferenceStatusPending", "Inference workload is not ready")
        if pending is not None:
            _set_status(cluster, obj, {**placed, "state": "Pending"}, resources_ready, *_inference_pending(*pending))
            return
        inference_ready = _cond(
            "InferenceReady", True, "WorkspaceInferenceStatusSuccess", "Inference has been deployed successfully"
        )
        if self.failure == "benchmark" and _benchmarked(obj):
            why = f"pod {obj['metadata']['namespace']}/{name}-0: no KAITO_BENCHMARK_RESULT line found in pod logs"
            _set_status(
                cluster,
                obj,
                {**placed, "state": "NotReady"},
                resources_ready,
                inference_ready,
                _cond("BenchmarkCompleted", False, "BenchmarkFailed", why),
                _cond("WorkspaceSucceeded", False, "BenchmarkFailed", why),
            )
            return
        # applyInferenceWorkspaceStatus (workspace_controller.go), inference ready.
        was_ready = _succeeded(obj)
        _set_status(
            cluster,
            obj,
            {**placed, "state": "Ready"},
            resources_ready,
            inference_ready,
            _cond("WorkspaceSucceeded", True, "workspaceSucceeded", "workspace succeeds"),
        )
        if not was_ready:
            cluster.add_event(obj, "WorkspaceReady", f"workspace {name} is ready")

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self.estimator_errors: list[str] = []

    def _service(self, cluster: Any, ws: dict[str, Any]) -> None:
        # GenerateServiceManifest and GenerateHeadlessServiceManifest (manifests.go).
        md = ws["metadata"]
        services = {
            md["name"]: {
                "selector": {"kaito.sh/workspace": md["name"], "statefulset.kubernetes.io/pod-name": f"{md['name']}-0"},
                "ports": [{"name": "http", "port": 80, "targetPort": 5000}],
            },
            f"{md['name']}-headless": {
                "selector": {"kaito.sh/workspace": md["name"]},
                "clusterIP": "None",
                "publishNotReadyAddresses": True,
            },
        }
        for name, spec in services.items():
            if cluster.get("v1", "Service", md["namespace"], name) is None:
                cluster.create(
                    {
                        "apiVersion": "v1",
                        "kind": "Service",
                        "metadata": {"name": name, "namespace": md["namespace"], "ownerReferences": [_owner(ws)]},
                        "spec": spec,
                    }
                )

    def on_delete(self, cluster: Any, obj: dict[str, Any]) -> None:
        kaito_nodes.deprovision(cluster, obj)

    def _pods(self, cluster: Any, ws: dict[str, Any], sts: dict[str, Any], crashing: bool) -> tuple[bool, bool]:
        """The StatefulSet's pods, as the kubelet runs them: vLLM-like logs, and with
        failure="inference" a container that keeps exiting. (True while one waits for a node,
        True when one crashed.)"""
        md = ws["metadata"]
        preset = ((ws.get("inference") or {}).get("preset") or {}).get("name", "")
        uid = sts["metadata"].get("uid")
        selector = f"{kaito_workload.WORKSPACE_LABEL}={md['name']}"
        pods = [
            p
            for p in cluster.list("v1", "Pod", md["namespace"], label_selector=selector)
            if any(r.get("uid") == uid for r in p["metadata"].get("ownerReferences") or [])
        ]
        waiting = crashed = False
        for pod in pods:
            if not pod["spec"].get("nodeName"):
                waiting = True
                continue
            name = pod["metadata"]["name"]
            rank = (pod["metadata"].get("labels") or {}).get(POD_INDEX, "0")
            logs = f"INFO vLLM API server version 0.11.0\nINFO Loading model {preset} (rank {rank})\n"
            logs += CRASH_LOG if crashing else "INFO Uvicorn running on http://0.0.0.0:5000\n"
            cluster.set_pod_logs(md["namespace"], name, logs)
            if crashing:
                crashed = True
                if _serving(pod):
                    cluster.patch_status(
                        "v1", "Pod", md["namespace"], name, _crash_status(md["name"], f"{name}_{md['namespace']}")
                    )
                    # The StatefulSet controller sees its pod no longer ready, as its informer would.
                    requeue_owners(self._manager, cluster, pod)
        return waiting, crashed


class InferenceSetController(_KaitoController):
    # Watches its child Workspaces too: their readiness is the set's (SetupWithManager).
    watches: ClassVar[list[tuple[str, str]]] = [(KAITO, "InferenceSet"), (KAITO, "Workspace")]

    def __init__(self, delay: float = 0.05, failure: str | None = None, inference_extension: bool = False) -> None:
        super().__init__(delay, failure)
        # KAITO's gatewayAPIInferenceExtension feature gate (off by default,
        # kaito-project/kaito pkg/featuregates/featuregates.go).
        self.inference_extension = inference_extension

    def _reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        if obj["kind"] == "Workspace":
            owner = (obj["metadata"].get("labels") or {}).get(SET_LABEL)
            parent = cluster.get(KAITO, "InferenceSet", obj["metadata"]["namespace"], owner) if owner else None
            if parent is not None:
                self._reconcile(cluster, parent)
            return
        md = obj["metadata"]
        ns, name = md["namespace"], md["name"]
        children = cluster.list(KAITO, "Workspace", ns, label_selector=f"{SET_LABEL}={name}")
        if md.get("deletionTimestamp"):
            _collect_inferenceset(cluster, obj, children)
            return
        if not add_finalizer(cluster, obj, INFERENCESET_FINALIZER):
            self.requeue(obj, self.delay)  # a conflict: controller-runtime requeues
            return
        spec = obj.get("spec") or {}
        desired = int(spec["replicas"]) if spec.get("replicas") is not None else 1
        extra = len(children) - desired
        # Scale down: not-ready Workspaces go first, then the rest (addOrUpdateInferenceSet).
        for ws in sorted(children, key=_succeeded):
            if extra <= 0:
                break
            cluster.delete(KAITO, "Workspace", ns, ws["metadata"]["name"])
            children = [c for c in children if c is not ws]
            extra -= 1
        template = spec.get("template") or {}
        template_meta = template.get("metadata") or {}
        for _ in range(desired - len(children)):
            suffix = "".join(random.choice(_RAND_ALPHABET) for _ in range(5))
            cluster.create(
                {
                    "apiVersion": KAITO,
                    "kind": "Workspace",
                    "metadata": {
                        "name": f"{name[:57]}-{suffix}",
                        "namespace": ns,
                        "labels": {**(template_meta.get("labels") or {}), SET_LABEL: name},
                        "annotations": dict(template_meta.get("annotations") or {}),
                        "ownerReferences": [_owner(obj)],
                    },
                    "resource": {**(template.get("resource") or {}), "labelSelector": spec.get("labelSelector") or {}},
                    "inference": template.get("inference") or {},
                }
            )
        if self.inference_extension and children and (template.get("inference") or {}).get("preset"):
            _inference_pool(cluster, obj)
        ready = sum(1 for ws in children if _succeeded(ws))
        ok = ready == desired
        cluster.patch_status(
            KAITO,
            "InferenceSet",
            ns,
            name,
            {
                "replicas": desired,
                "readyReplicas": ready,
                "selector": f"{SET_LABEL}={name}",
                "conditions": _observed(
                    obj,
                    (
                        _cond(
                            "InferenceSetReady",
                            ok,
                            "inferencesetReady" if ok else "inferencesetNotReady",
                            "inferenceset is ready"
                            if ok
                            else f"inferenceset is not ready, {ready}/{desired} replicas are ready",
                        ),
                    ),
                ),
            },
        )


def _collect_inferenceset(cluster: Any, iset: dict[str, Any], children: list[dict[str, Any]]) -> None:
    """deleteInferenceSet: the condition InferenceSetDeleting (reason inferencesetDeleted), then
    garbageCollectInferenceSet deletes each of its Workspaces not yet being deleted and removes the
    finalizer at once: the set goes while its Workspaces may still be held by theirs (upstream:
    kaito-project/kaito v0.12.0 pkg/inferenceset/inferenceset_controller.go; the condition type in
    api/v1beta1/condition_types.go)."""
    md = iset["metadata"]
    kept = [c for c in (iset.get("status") or {}).get("conditions") or [] if c.get("type") != "InferenceSetDeleting"]
    deleting = _cond("InferenceSetDeleting", True, "inferencesetDeleted", "inferenceset is being deleted")
    cluster.patch_status(
        KAITO, "InferenceSet", md["namespace"], md["name"], {"conditions": [*kept, *_observed(iset, (deleting,))]}
    )
    for ws in children:
        if not ws["metadata"].get("deletionTimestamp"):
            cluster.delete(KAITO, "Workspace", md["namespace"], ws["metadata"]["name"])
    remove_finalizer(cluster, iset, INFERENCESET_FINALIZER)


def _inference_pool(cluster: Any, iset: dict[str, Any]) -> None:
    """With the gatewayAPIInferenceExtension gate, KAITO makes a Flux HelmRelease
    NAME-inferencepool of llm-d-router's llm-d-router-gateway chart v0.9.0 for a preset set
    whose Workspaces exist (kaito-project/kaito pkg/inferenceset/inferenceset_controller.go,
    ensureGatewayAPIInferenceExtension; pkg/workspace/manifests/manifests.go,
    GenerateInferencePoolHelmRelease; pkg/utils/common.go, InferencePoolName). Flux is not
    simulated: what the chart renders is made directly: InferencePool RELEASE over each child's
    leader on port 5000, and its picker, Service and Deployment RELEASE-epp started with
    --pool-name RELEASE (llm-d/llm-d-router v0.9.0 config/charts/routerlib/templates/
    _inferencepool.yaml, _deployment.yaml, _service.yaml, _helpers.tpl selectorLabels)."""
    md = iset["metadata"]
    ns, release = md["namespace"], f"{md['name']}-inferencepool"
    if cluster.get("inference.networking.k8s.io/v1", "InferencePool", ns, release) is not None:
        return
    epp, owner = f"{release}-epp", [_owner(iset)]
    selector = {"llm-d-router-gateway": epp}
    cluster.create(
        {
            "apiVersion": "inference.networking.k8s.io/v1",
            "kind": "InferencePool",
            "metadata": {"name": release, "namespace": ns, "ownerReferences": owner},
            "spec": {
                "targetPorts": [{"number": 5000}],
                "selector": {"matchLabels": {SET_LABEL: md["name"], "apps.kubernetes.io/pod-index": "0"}},
                "endpointPickerRef": {"name": epp, "port": {"number": 9002}, "failureMode": "FailOpen"},
            },
        }
    )
    cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": epp, "namespace": ns, "ownerReferences": owner},
            "spec": {"selector": selector, "ports": [{"name": "grpc-ext-proc", "port": 9002}]},
        }
    )
    args = ["--pool-name", release, "--pool-namespace", ns, "--pool-group", "inference.networking.k8s.io"]
    cluster.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": epp, "namespace": ns, "ownerReferences": owner},
            "spec": {
                "selector": {"matchLabels": selector},
                "template": {
                    "metadata": {"labels": selector},
                    "spec": {
                        "containers": [{"name": "epp", "image": "ghcr.io/llm-d/llm-d-router:v0.9.0", "args": args}]
                    },
                },
            },
        }
    )


def _benchmarked(ws: dict[str, Any]) -> bool:
    """ShouldRunBenchmark (api/v1beta1/labels.go): not disabled, the vLLM runtime, a preset."""
    annotations = ws["metadata"].get("annotations") or {}
    return (
        annotations.get("kaito.sh/disable-benchmark") != "true"
        and annotations.get("kaito.sh/runtime") != "transformers"
        and bool((ws.get("inference") or {}).get("preset"))
    )


def _succeeded(ws: dict[str, Any]) -> bool:
    """DetermineWorkspacePhase(ws) == "succeeded": WorkspaceSucceeded is True."""
    return any(
        c.get("type") == "WorkspaceSucceeded" and c.get("status") == "True"
        for c in (ws.get("status") or {}).get("conditions") or []
    )


def controllers(delay: float = 0.05, failure: str | None = None, inference_extension: bool = False) -> list[Controller]:
    """Both KAITO controllers, to add to an emulator: the set creates Workspaces that the
    Workspace controller then runs; inference_extension turns on KAITO's
    gatewayAPIInferenceExtension feature gate."""
    return [WorkspaceController(delay, failure), InferenceSetController(delay, failure, inference_extension)]


def openai_handler(
    model_id: str | Sequence[str],
    reply: str = "Hello from the emulated model.",
) -> Callable[[str, str, bytes], tuple[int, dict[str, str], bytes]]:
    """An OpenAI-compatible server as vLLM answers: the model list and one chat completion.
    ``model_id`` is the served name, or every served name: /v1/models lists each and a chat
    completion may name any (vllm-project/vllm vllm/entrypoints/openai/serving_models.py
    show_available_models, is_base_model; serving_engine.py _is_model_supported, _get_model_name:
    the reply names the model asked for)."""
    names = [model_id] if isinstance(model_id, str) else list(model_id)

    def handle(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        headers = {"Content-Type": "application/json"}
        if method == "GET" and path.rstrip("/").endswith("/v1/models"):
            cards = [{"id": name, "object": "model", "owned_by": "vllm"} for name in names]
            return 200, headers, json.dumps({"object": "list", "data": cards}).encode()
        if method == "POST" and path.rstrip("/").endswith("/v1/chat/completions"):
            request = json.loads(body or b"{}")
            if request.get("model") not in names:
                err = {"error": {"message": f"model {request.get('model')} does not exist"}}
                return 404, headers, json.dumps(err).encode()
            answer = {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": request["model"],
                "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": reply}}],
                "usage": {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19},
            }
            return 200, headers, json.dumps(answer).encode()
        return 404, headers, b'{"detail":"Not Found"}'

    return handle
