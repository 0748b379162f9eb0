"""A KAITO workspace-controller simulator for the Kubernetes emulator (kaito.sh/v1beta1).

What it does, as KAITO does it, at test speed (each behaviour names the upstream file, in
kaito-project/kaito at 056b8280b1a8debf644bc6f4399e913a1f9c7e70):

* Workspace: the node count of KAITO's estimator (pkg/workspace/estimator/nodesestimator/
  estimator.go, ported in tests/emulators/kube/kaito_estimator.py from upstream alone), for sizes
  in KAITO's SKU table only; any other size, or a GPU too small for the fixed reserve, fails the
  estimator ("Unsupported SKU", pkg/sku/helpers.go), the reconcile errors and the Workspace keeps
  no targetNodeCount. A Service named after the Workspace (port 80 -> 5000) selecting the leader pod
  ``NAME-0`` and a headless ``NAME-headless`` (pkg/workspace/manifests/manifests.go); the
  StatefulSet ``NAME`` with one replica per node (kaito_workload.py: its manifest, revision and
  update, as upstream v0.12.0 makes them), whose pods the emulator's StatefulSet controller makes
  (``NAME-i``); vLLM-like logs on them, ``status.targetNodeCount``, ``workerNodes``, ``state``
  and the conditions NodesReady, NodeClaimReady, ResourceReady (kaito_nodes.conditions),
  InferenceReady (the StatefulSet's replicas all ready) and WorkspaceSucceeded, with a
  NodeClaimCreated event per NodeClaim. The NodeClaims are karpenter.sh/v1 objects, launched and
  removed by a gpu-provisioner stand-in (kaito_gpu_provisioner.py). KAITO records no event of its
  own when a Workspace turns ready (its Workspace controller's only Recorder call is
  WorkloadMigration).
* Every condition either controller sets carries the ``metadata.generation`` its reconcile read
  as ``observedGeneration`` (workspace_controller.go setWorkspaceCondition,
  pkg/utils/inferenceset/inferenceset.go); after a change to the object the previous
  conditions stay, stale, until the next reconcile rewrites them.
* InferenceSet: kaito_inferenceset.py.

Failure modes (``failure=``):
* ``quota``: the NodeClaim is made (a NodeClaimCreated event), but gpu-provisioner's agent pool
  PUT fails on the GPU family's regional vCPU quota. Karpenter sets the NodeClaim's Launched
  Unknown, reason LaunchFailed, with the whole error (cut to 800), and KAITO copies that reason and
  the message, cut to 256 characters, onto NodeClaimReady and ResourceReady (not terminal); the
  cut leaves Azure's code and message out, which the NodeClaim keeps (kaito_nodes.launch_error,
  provisioning_state). ``--wait`` times out on it.
* ``launching``: the NodeClaim is made, and gpu-provisioner's agent pool PUT has not been answered
  yet (kaito_gpu_provisioner.begin): the NodeClaim has its finalizer and no condition, no node;
  the Workspace's NodeClaimReady and ResourceReady False NodeClaimNotReady "Ready NodeClaims are
  not enough" (kaito_nodes.NOT_ENOUGH). With the fault lifted, the next reconcile launches it.
* ``download``: as ``inference``, the server exiting as it cannot reach huggingface.co (DOWNLOAD_LOG).
* With no failure mode, a Workspace whose repo the emulated Hub holds gated, and whose pod starts with no
  token granted access to it, crash-loops as ``inference`` does, huggingface_hub's GatedRepoError in its
  log (kaito_server.gated_log; SetHFToken's optional HF_TOKEN, pkg/workspace/inference/preset_inferences.go).
* ``inference``: nodes come up but the inference server crash-loops (pods in CrashLoopBackOff):
  InferenceReady False with KAITO's reason ContainerCrashLoopBackOff and WorkspaceSucceeded
  False workspacePending, state Pending (classifyInferencePodFailure and
  applyInferenceWorkspaceStatus in workspace_controller.go). Not final: KAITO keeps
  reconciling, so ``--wait`` times out and names the reason.
* ``plugins``: no NVIDIA device plugin registers the GPUs of the nodes gpu-provisioner launches:
  NodePluginsNotReady, no Service or StatefulSet, a look again every ``plugin_requeue`` s
  (kaito_nodes.plugins_ready, plugins_not_ready); so for a Ready Workspace's node whose GPU capacity
  drops to 0.
* ``benchmark``: the pods are Ready and serve, but the controller cannot read the benchmark's
  result line from the leader pod's log (upstream: kaito-project/kaito v0.12.0 0894eb2b
  pkg/workspace/controllers/benchmark.go reconcileBenchmarkResult, parseBenchmarkResult "no
  KAITO_BENCHMARK_RESULT line found in pod logs"): InferenceReady True, BenchmarkCompleted and
  WorkspaceSucceeded False with reason BenchmarkFailed, state NotReady
  (workspace_controller.go applyInferenceWorkspaceStatus, applyBenchmarkStatus), for a Workspace
  KAITO benchmarks (api/v1beta1/labels.go ShouldRunBenchmark: vLLM runtime, a preset, no
  ``kaito.sh/disable-benchmark: "true"``). Its InferenceSet counts it not ready
  (pkg/workspace/controllers/metrics.go DetermineWorkspacePhase). ``benchmark-one``: the same,
  for the first (by name) Workspace of an InferenceSet only; the others succeed.

``openai_handler(model_id)`` is a service-proxy handler that answers ``/v1/models``,
``/v1/chat/completions`` and ``/v1/completions`` like vLLM's OpenAI server, for ``emu.register_service_proxy``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from tests.emulators.kube import kaito_estimator
from tests.emulators.kube.controllers import (
    kaito_benchmark,
    kaito_gpu_provisioner,
    kaito_nodes,
    kaito_server,
    kaito_workload,
)
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.finalizers import add_finalizer, remove_finalizer
from tests.emulators.kube.controllers.kaito_common import (
    FAILURES,
    INFERENCESET_FINALIZER,
    KAITO,
    SET_LABEL,
    WORKSPACE_FINALIZER,
    _cond,
    _KaitoController,
    _observed,
    _owner,
    update_status,
)
from tests.emulators.kube.controllers.kaito_inferenceset import InferenceSetController
from tests.emulators.kube.controllers.rescheduling import requeue_owners
from tests.emulators.kube.status import ApiError

__all__ = [
    "FAILURES",
    "INFERENCESET_FINALIZER",
    "KAITO",
    "SET_LABEL",
    "WORKSPACE_FINALIZER",
    "InferenceSetController",
    "WorkspaceController",
    "_cond",
    "_observed",
    "_owner",
    "controllers",
    "openai_handler",
]

POD_INDEX = "apps.kubernetes.io/pod-index"
# vCPUs per size, for the quota message: what the Azure error reports as cores.
_VCPUS = re.compile(r"Standard_[A-Z]+(\d+)")


def quota_message(size: str) -> str:
    """AKS's QuotaExceeded for gpu-provisioner's agent pool PUT, one node of ``size`` (Azure/gpu-provisioner
    pkg/providers/instance/instance.go newAgentPoolObject: count 1): the family's usage name
    (standardNCADSA100v4Family, not the SKU list's StandardNCADSA100v4Family) in AKS's preflight wording,
    both as the ARM emulator words them (tests/emulators/arm/compute.py quota_message and quota_name cite
    their sources), against a quota of 0 in eastus."""
    from tests.emulators.arm import compute

    m = _VCPUS.match(size)
    rid = f"{kaito_nodes.CLUSTER_ID}/agentPools/pool"
    return compute.quota_message(rid, "eastus", compute.quota_name(size), 0, 0, int(m.group(1)) if m else 0)


def _set_status(cluster: Any, ws: dict[str, Any], fields: dict[str, Any], *conditions: dict[str, Any]) -> None:
    """A 409 ends the reconcile, which requeues: kaito-project/kaito
    pkg/workspace/controllers/workspace_status.go updateWorkspaceStatus (kaito_common.update_status)."""
    update_status(cluster, ws, fields, conditions, again=False)


def _inference_pending(reason: str, message: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """InferenceReady False with KAITO's not-ready reason and WorkspaceSucceeded workspacePending:
    applyInferenceWorkspaceStatus in pkg/workspace/controllers/workspace_controller.go, which has
    no failed state for an inference Workspace (the next reconcile classifies the pods again)."""
    return (
        _cond("InferenceReady", False, reason, message),
        _cond("WorkspaceSucceeded", False, "workspacePending", "workspace is waiting for inference workload readiness"),
    )


# The Workspace Service's ports (GenerateServiceManifest, kaito-project/kaito pkg/workspace/manifests/manifests.go): the
# inference server's HTTP API on 80 -> 5000 (consts.PortInferenceServer), Ray's GCS and dashboard for a
# multi-node vLLM, and for a vLLM Workspace on a ClusterIP Service its KV-cache events
# (consts.PortKVCacheEvents, kaito-project/kaito pkg/utils/consts/consts.go).
_PORTS = (("http", 80, 5000), ("ray", 6379, 6379), ("dashboard", 8265, 8265))
_KV_EVENTS = ("kv-events", 5557, 5557)


def _service_spec(ws: dict[str, Any]) -> dict[str, Any]:
    """GenerateServiceManifest: the leader pod (``NAME-0``) behind ``_PORTS``, published before it is
    ready; a LoadBalancer where the Workspace is annotated ``kaito.sh/enablelb: "True"`` (ensureService,
    kaito-project/kaito api/v1beta1/labels.go AnnotationEnableLB); the vLLM runtime unless ``kaito.sh/runtime`` names
    transformers (kaito-project/kaito api/v1beta1/labels.go GetWorkspaceRuntimeName)."""
    name = ws["metadata"]["name"]
    annotations = ws["metadata"].get("annotations") or {}
    kind = "LoadBalancer" if annotations.get("kaito.sh/enablelb") == "True" else "ClusterIP"
    ports = [*_PORTS]
    if kind == "ClusterIP" and annotations.get("kaito.sh/runtime") != "transformers":
        ports.append(_KV_EVENTS)
    return {
        "type": kind,
        "ports": [{"name": n, "protocol": "TCP", "port": p, "targetPort": t} for n, p, t in ports],
        "selector": {"kaito.sh/workspace": name, "statefulset.kubernetes.io/pod-name": f"{name}-0"},
        "publishNotReadyAddresses": True,
    }


def _headless_spec(ws: dict[str, Any]) -> dict[str, Any]:
    """GenerateHeadlessServiceManifest: every pod of the Workspace, no ports, for the workers to find
    the leader while they start."""
    return {
        "selector": {"kaito.sh/workspace": ws["metadata"]["name"]},
        "clusterIP": "None",
        "ports": [],
        "publishNotReadyAddresses": True,
    }


def _estimator_failed(cluster: Any, ws: dict[str, Any], reason: str) -> None:
    """The status KAITO writes for a Workspace its estimator fails on: targetNodeCount stays unset
    (the status update that would set it failed), so the provisioner counts 0 nodes needed and calls
    NodesReady, NodeClaimReady and ResourceReady True (kaito-project/kaito
    pkg/nodeprovision/gpu-provisioner/gpu_provisioner.go CollectNodeStatusInfo). The error wraps the
    estimator's (kaito_estimator.py: for a size outside the table, sku.GetGPUConfigBySKU's knative
    FieldError, kaito-project/kaito pkg/sku/helpers.go; knative/pkg fdbc0b5adde7 apis/field_error.go
    ErrInvalidValue, Error) in UpdateWorkspaceTargetNodeCount (kaito-project/kaito
    pkg/workspace/controllers/workspace_controller.go)."""
    error = f"failed to update Workspace status targetNodeCount: failed to calculate target node count: {reason}"
    _reconcile_failed(cluster, ws, error, {"workerNodes": []})


def _reconcile_failed(cluster: Any, ws: dict[str, Any], error: str, fields: dict[str, Any]) -> None:
    """The status of a reconcile that ended in ``error`` before the StatefulSet: Reconcile's deferred
    syncWorkspaceStatus runs with the reconcile's error; the node conditions as the provisioner
    collects them (all ready here), no StatefulSet, so InferenceReady False
    WorkspaceInferenceStatusPending and WorkspaceSucceeded workspacePending (collectInferenceReadyStatus,
    applyInferenceWorkspaceStatus), each message ending " (last reconcile error: ERR)"
    (buildReconcileErrMessageAppender; kaito-project/kaito pkg/workspace/controllers/workspace_controller.go)."""
    conditions = (
        *kaito_nodes.conditions(),
        *_inference_pending("WorkspaceInferenceStatusPending", "Inference workload is not ready"),
    )
    stamped = tuple({**c, "message": f"{c['message']} (last reconcile error: {error})"} for c in conditions)
    _set_status(cluster, ws, {**fields, "state": _pending_state(ws)}, *stamped)


def _pending_state(ws: dict[str, Any]) -> str:
    """status.state of a Workspace whose inference is not ready: NotReady once it was Ready or
    NotReady (inference established), else Pending (applyInferenceWorkspaceStatus in
    kaito-project/kaito pkg/workspace/controllers/workspace_controller.go, isInferenceEstablished)."""
    return "NotReady" if (ws.get("status") or {}).get("state") in ("Ready", "NotReady") else "Pending"


def _serving(pod: dict[str, Any]) -> bool:
    """The pod is Ready (a crashing container leaves it not ready)."""
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def _node_count(cluster: Any, ws: dict[str, Any]) -> int:
    """status.targetNodeCount as UpdateWorkspaceTargetNodeCount sets it (kaito-project/kaito
    v0.12.0 pkg/workspace/controllers/workspace_controller.go): once, while it is 0; for the vLLM
    runtime KAITO's estimator (the emulator's own port, kaito_estimator.py) at the max-model-len
    of the inference ConfigMap (ParseExplicitMaxModelLen), at least 1; for transformers,
    resource.count (the CRD defaults it to 1). kaito_estimator.EstimateError where it fails."""
    kept = (ws.get("status") or {}).get("targetNodeCount") or 0
    if kept:
        return int(kept)
    resource = ws.get("resource") or {}
    requested = int(resource.get("count") or 0)
    if (ws["metadata"].get("annotations") or {}).get("kaito.sh/runtime") == "transformers":
        return requested or 1
    preset = (((ws.get("inference") or {}).get("preset")) or {}).get("name") or ""
    size = resource.get("instanceType") or ""
    return max(kaito_estimator.estimate(preset, size, requested, _max_model_len(cluster, ws)), 1)


def _max_model_len(cluster: Any, ws: dict[str, Any]) -> int:
    """RuntimeProfile.ContextSize: the ConfigMap's explicit max-model-len, else 0 (the
    estimator's own default, kaito_estimator.DEFAULT_MAX_MODEL_LEN)."""
    name = (ws.get("inference") or {}).get("config")
    if not name:
        return 0
    cm = cluster.get("v1", "ConfigMap", ws["metadata"]["namespace"], name)
    text = ((cm or {}).get("data") or {}).get("inference_config.yaml")
    return (kaito_estimator.parse_explicit_max_model_len(text) or 0) if isinstance(text, str) else 0


class WorkspaceController(_KaitoController):
    # Owns its StatefulSets: their status changes are its Workspace's (upstream: kaito-project/kaito
    # v0.12.0 pkg/workspace/controllers/workspace_controller.go SetupWithManager).
    watches: ClassVar[list[tuple[str, str]]] = [(KAITO, "Workspace"), ("apps/v1", "StatefulSet")]

    def _reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        if obj["kind"] == "StatefulSet":
            # Owns(&appsv1.StatefulSet{}): the event reconciles the Workspace its controller reference
            # names, by namespace and name, whatever its UID (owner_requests; upstream: kaito-project/kaito
            # v0.12.0 pkg/workspace/controllers/workspace_controller.go SetupWithManager).
            for name in owner_requests(obj):
                ws = cluster.get(KAITO, "Workspace", obj["metadata"]["namespace"], name)
                if ws is not None:
                    self._reconcile(cluster, ws)
            return
        if obj["metadata"].get("deletionTimestamp"):
            # deleteWorkspace -> garbageCollectWorkspace: the nodes go first, then the finalizer, so the
            # Workspace outlives its nodes (upstream: kaito-project/kaito v0.12.0 pkg/workspace/controllers/
            # workspace_gc_finalizer.go); gpu-provisioner's drain goes on after it (kaito_gpu_provisioner).
            kaito_nodes.deprovision(cluster, obj, self.termination)
            remove_finalizer(cluster, obj, WORKSPACE_FINALIZER)
            return
        if not add_finalizer(cluster, obj, WORKSPACE_FINALIZER):
            # A conflict: the Workspace changed since it was read; controller-runtime requeues.
            self.requeue(obj, self.delay)
            return
        name = obj["metadata"]["name"]
        size = (obj.get("resource") or {}).get("instanceType", "")
        try:
            nodes = _node_count(cluster, obj)
        except kaito_estimator.EstimateError as exc:
            # UpdateWorkspaceTargetNodeCount returns the estimator's error and the reconcile ends
            # there, before any node, Service or StatefulSet; the deferred syncWorkspaceStatus still
            # writes the status, with that error on each message (_estimator_failed).
            self.estimator_errors.append(str(exc))
            _estimator_failed(cluster, obj, str(exc))
            return
        if self.failure in ("quota", "launching"):
            # The NodeClaim is made (NodeClaimCreated), but gpu-provisioner's agent pool PUT fails on
            # the quota: Karpenter sets its Launched Unknown LaunchFailed, and KAITO shows that cut to
            # 256 characters on NodeClaimReady and ResourceReady (kaito_nodes.launch_failure). Or the
            # PUT is still running: the NodeClaim has no condition, and KAITO says NodeClaimNotReady
            # "Ready NodeClaims are not enough" (CollectNodeStatusInfo's default, kaito_nodes.NOT_ENOUGH).
            # The reconcile stops at reconcileNodes: no Service, no StatefulSet (addOrUpdateWorkspace).
            quota = self.failure == "quota"
            refusal = ("QuotaExceeded", quota_message(size)) if quota else None
            kaito_nodes.provision(cluster, obj, nodes, refusal=refusal, in_flight=not quota)
            _set_status(
                cluster,
                obj,
                {"targetNodeCount": nodes, "workerNodes": [], "state": _pending_state(obj)},
                *kaito_nodes.conditions(
                    kaito_nodes.provisioning_state(cluster, obj) or kaito_nodes.NOT_ENOUGH,
                    kaito_nodes.pressure_warning(cluster, obj),
                ),
                *_inference_pending("WorkspaceInferenceStatusPending", "Inference workload is not ready"),
            )
            return
        # KAITO's provisioner brings up the nodes a Workspace lacks, each named after a NodeClaim
        # of its own (upstream: kaito-project/kaito pkg/utils/nodeclaim/nodeclaim.go
        # GenerateNodeClaimName; kaito_nodes.py), so no two Workspaces ask for one name. With
        # failure="plugins" no NVIDIA device plugin registers GPUs on the nodes it launches.
        workers = kaito_nodes.provision(cluster, obj, nodes, plugin=self.failure != "plugins")
        # EnsureNodesReady: enough Ready nodes of the size (step 2), then the plugins (step 3).
        short = len(kaito_nodes.ready_nodes(cluster, obj)) < nodes
        if short or not kaito_nodes.plugins_ready(cluster, obj):
            # reconcileNodes returns RequeueAfter 2 s before ensureService (kaito_nodes.plugins_not_ready).
            conds, why = kaito_nodes.plugins_not_ready(cluster, obj, short=short)
            placed = {"targetNodeCount": nodes, "workerNodes": workers, "state": _pending_state(obj)}
            _set_status(cluster, obj, placed, *conds, *_inference_pending(*why))
            self.requeue(obj, self.plugin_requeue)
            return
        # Deleted or replaced while its nodes came up: no Service to outlive it (audit37-kaito37's race).
        latest = (cluster.get(KAITO, "Workspace", obj["metadata"]["namespace"], name) or {}).get("metadata") or {}
        if latest.get("uid") != obj["metadata"].get("uid") or latest.get("deletionTimestamp"):
            return
        try:
            self._service(cluster, obj)
        except ApiError as exc:
            # addOrUpdateWorkspace: reconcileNodes, then ensureService, then applyInference. A Service
            # the API server refuses (a Workspace named with a leading digit: the webhook takes a
            # DNS-1123 label, a Service name is a DNS-1035 one) ends the reconcile with the create's
            # error (pkg/utils/resources/resources.go CreateResource returns it after its retries), the
            # nodes made, no StatefulSet.
            _reconcile_failed(cluster, obj, exc.message, {"targetNodeCount": nodes, "workerNodes": workers})
            return
        # The server exits on start for the failure mode, or where the Hub refuses it a gated repo (kaito_server).
        crash = kaito_server.crash_log(cluster, obj, self.failure)
        sts = kaito_workload.apply(cluster, obj, nodes, kaito_nodes.pod_scheduling(obj))
        benchmark_runs = _benchmarked(obj) and not self._benchmark_fails(cluster, obj)
        waiting, crashed = self._pods(cluster, obj, sts, crash=crash, benchmark=benchmark_runs)
        placed = {"targetNodeCount": nodes, "workerNodes": workers}
        # NodesReady ends with the nodes under kubelet pressure (upstream: kaito-project/kaito v0.12.0
        # pkg/nodeprovision/gpu-provisioner/gpu_provisioner.go CollectNodeStatusInfo).
        resources_ready = kaito_nodes.conditions(warning=kaito_nodes.pressure_warning(cluster, obj))
        pending: tuple[str, str] | None = None
        if crashed:
            # detectContainerFailure (workspace_controller.go) on the pod's CrashLoopBackOff.
            said = (
                f'container "{name}" is in CrashLoopBackOff; last termination: exit code {kaito_server.CRASH_EXIT_CODE}'
            )
            pending = ("ContainerCrashLoopBackOff", said)
        elif waiting or crash is not None or not kaito_workload.ready(sts):
            # The StatefulSet's pods are not all ready (not made yet, or one the scheduler leaves
            # Pending): inference is not ready (collectInferenceReadyStatus), with the reason
            # classifyInferencePodFailure reads off the pods (upstream: kaito-project/kaito v0.12.0
            # workspace_controller.go; kaito_workload.pod_failure: a container
            # OOMKilled, an image pull or start error, a crash loop, an eviction, Unschedulable); the next
            # reconcile, on the StatefulSet's status, classifies them again.
            pending = kaito_workload.pod_failure(cluster, obj) or (
                "WorkspaceInferenceStatusPending",
                "Inference workload is not ready",
            )
        if pending is not None:
            state = _pending_state(obj)
            _set_status(cluster, obj, {**placed, "state": state}, *resources_ready, *_inference_pending(*pending))
            return
        inference_ready = _cond(
            "InferenceReady", True, "WorkspaceInferenceStatusSuccess", "Inference has been deployed successfully"
        )
        if _benchmarked(obj) and self._benchmark_fails(cluster, obj):
            why = f"pod {obj['metadata']['namespace']}/{name}-0: no KAITO_BENCHMARK_RESULT line found in pod logs"
            _set_status(
                cluster,
                obj,
                {**placed, "state": "NotReady"},
                *resources_ready,
                inference_ready,
                _cond("BenchmarkCompleted", False, "BenchmarkFailed", why),
                _cond("WorkspaceSucceeded", False, "BenchmarkFailed", why),
            )
            return
        # applyInferenceWorkspaceStatus (workspace_controller.go), inference ready; for a
        # Workspace KAITO benchmarks, applyBenchmarkStatus records the result first
        # (kaito_benchmark.py).
        fields: dict[str, Any] = {**placed, "state": "Ready"}
        benchmark: tuple[dict[str, Any], ...] = ()
        if _benchmarked(obj):
            fields["performance"] = kaito_benchmark.performance()
            recorded = "benchmark result has been recorded"
            benchmark = (_cond("BenchmarkCompleted", True, "BenchmarkCompleted", recorded),)
        _set_status(
            cluster,
            obj,
            fields,
            *resources_ready,
            inference_ready,
            *benchmark,
            _cond("WorkspaceSucceeded", True, "workspaceSucceeded", "workspace succeeds"),
        )

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self.termination = kaito_gpu_provisioner.Termination(self)  # gpu-provisioner's Karpenter's drain
        self.estimator_errors: list[str] = []
        self.plugin_requeue = 2.0  # reconcileNodes' RequeueAfter (kaito_nodes.plugins_not_ready)
        # Called per pod _pods lists, before its log is written: where another client's delete can land (tests race it).
        self.before_log: Callable[[dict[str, Any]], None] | None = None

    def _service(self, cluster: Any, ws: dict[str, Any]) -> None:
        # ensureService (kaito-project/kaito pkg/workspace/controllers/workspace_controller.go): each is created
        # once, if missing (GenerateServiceManifest and GenerateHeadlessServiceManifest,
        # kaito-project/kaito pkg/workspace/manifests/manifests.go).
        md = ws["metadata"]
        services = {md["name"]: _service_spec(ws), f"{md['name']}-headless": _headless_spec(ws)}
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

    def _benchmark_fails(self, cluster: Any, ws: dict[str, Any]) -> bool:
        """failure="benchmark": every Workspace's; "benchmark-one": only that of the first, by
        name, of an InferenceSet's Workspaces (a lone Workspace's too)."""
        if self.failure == "benchmark":
            return True
        if self.failure != "benchmark-one":
            return False
        md = ws["metadata"]
        owner = (md.get("labels") or {}).get(SET_LABEL)
        if not owner:
            return True
        siblings = cluster.list(KAITO, "Workspace", md["namespace"], label_selector=f"{SET_LABEL}={owner}")
        return min(str(w["metadata"]["name"]) for w in siblings) == md["name"]

    def on_delete(self, cluster: Any, obj: dict[str, Any]) -> None:
        """A StatefulSet gone (the garbage collector's, after its Workspace went) reconciles the
        Workspace of its name, as its other events do: one created again meanwhile, which found
        the old set still there, makes its own now. Nothing else: a deleted Workspace's nodes go
        under its finalizer (deleteWorkspace), and a Workspace not found ends the reconcile
        (upstream: kaito-project/kaito v0.12.0 pkg/workspace/controllers/workspace_controller.go
        Reconcile, IsNotFound). Nodes are never deleted here by the Workspace's name: they may be
        the new Workspace's."""
        if obj["kind"] != "StatefulSet":
            return
        namespace = obj["metadata"]["namespace"]
        for name in owner_requests(obj):
            self.requeue(
                {"apiVersion": KAITO, "kind": "Workspace", "metadata": {"namespace": namespace, "name": name}}, 0
            )

    def _pods(
        self, cluster: Any, ws: dict[str, Any], sts: dict[str, Any], crash: str | None, benchmark: bool
    ) -> tuple[bool, bool]:
        """The StatefulSet's pods, as the kubelet runs them: vLLM-like logs (with ``benchmark``,
        the benchmark's result lines in the leader's: the benchmark runs on POD_INDEX 0), and with
        ``crash`` (kaito_server.crash_log) a container that keeps exiting, that log its previous one.
        (True while one waits for a node,
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
            # The vLLM of KAITO's base image (kaito_workload.BASE_IMAGE), the version its benchmark records
            # (upstream: kaito-project/kaito v0.12.0 requirements.txt vllm==0.25.1).
            logs = f"INFO vLLM API server version {kaito_benchmark.VLLM_VERSION}\n"
            logs += f"INFO Loading model {preset} (rank {rank})\n"
            logs += crash if crash is not None else "INFO Uvicorn running on http://0.0.0.0:5000\n"
            if benchmark and crash is None and rank == "0":
                logs += kaito_benchmark.log_lines()
            if self.before_log is not None:
                self.before_log(pod)
            if not cluster.write_pod_log(pod, logs):
                # Deleted since the list: the kubelet removed its log with the container (kubernetes/
                # kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go removeContainerLog), and
                # there is no status to write.
                continue
            if crash is not None:
                crashed = True
                # The kubelet starts it again, and it exits the same way: the log it left is the previous one.
                cluster.api.restart_logs(md["namespace"], name, md["name"])
                cluster.write_pod_log(pod, logs)
                if _serving(pod):
                    cluster.patch_status(
                        "v1",
                        "Pod",
                        md["namespace"],
                        name,
                        kaito_server.crash_status(md["name"], f"{name}_{md['namespace']}"),
                    )
                    # The StatefulSet controller sees its pod no longer ready, as its informer would.
                    requeue_owners(self._manager, cluster, pod)
        return waiting, crashed


def owner_requests(obj: dict[str, Any]) -> list[str]:
    """The Workspace names an owned object's event reconciles: its controller reference's, compared
    by group and kind, never by UID, for a create, update and delete alike (upstream:
    kubernetes-sigs/controller-runtime pkg/handler/enqueue_owner.go getOwnerReconcileRequest and
    getOwnersReferences, OnlyControllerOwner as pkg/builder/controller.go Owns sets it)."""
    refs = obj["metadata"].get("ownerReferences") or []
    controller = next((r for r in refs if r.get("controller")), None)
    if controller is None or controller.get("kind") != "Workspace":
        return []
    if str(controller.get("apiVersion", "")).split("/")[0] != KAITO.split("/")[0]:
        return []
    return [str(controller["name"])]


def _benchmarked(ws: dict[str, Any]) -> bool:
    """ShouldRunBenchmark (api/v1beta1/labels.go): not disabled, the vLLM runtime, a preset."""
    annotations = ws["metadata"].get("annotations") or {}
    return (
        annotations.get("kaito.sh/disable-benchmark") != "true"
        and annotations.get("kaito.sh/runtime") != "transformers"
        and bool((ws.get("inference") or {}).get("preset"))
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
    """An OpenAI-compatible server as vLLM v0.11.0 answers (the image akscli pins): the model list,
    a chat completion and a completion. ``model_id`` is the served name, or every served name:
    /v1/models lists each (vllm-project/vllm v0.11.0 vllm/entrypoints/openai/serving_models.py
    show_available_models). A request may name any of them, or none (serving_engine.py
    _is_model_supported: an empty model is the served one); any other name is answered 404 with
    vLLM's error body (serving_engine.py _check_model and create_error_response, protocol.py
    ErrorResponse and ErrorInfo, api_server.py: JSONResponse with the error's code as status)."""
    names = [model_id] if isinstance(model_id, str) else list(model_id)

    def handle(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        headers = {"Content-Type": "application/json"}
        route = path.split("?")[0].rstrip("/")
        if method == "GET" and route.endswith("/v1/models"):
            cards = [{"id": name, "object": "model", "owned_by": "vllm"} for name in names]
            return 200, headers, json.dumps({"object": "list", "data": cards}).encode()
        chat = route.endswith("/v1/chat/completions")
        if method == "POST" and (chat or route.endswith("/v1/completions")):
            request = json.loads(body or b"{}")
            asked = request.get("model")
            if asked and asked not in names:
                # vllm-project/vllm v0.11.0 vllm/entrypoints/openai/serving_engine.py _check_model
                message = f"The model `{asked}` does not exist."
                err = {"error": {"message": message, "type": "NotFoundError", "param": None, "code": 404}}
                return 404, headers, json.dumps(err).encode()
            usage = {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19}
            model = asked or names[0]
            if chat:
                choice: dict[str, Any] = {"message": {"role": "assistant", "content": reply}}
                answer: dict[str, Any] = {"id": "chatcmpl-1", "object": "chat.completion"}
            else:
                # vllm-project/vllm v0.11.0 vllm/entrypoints/openai/protocol.py CompletionResponse
                choice = {"text": reply, "logprobs": None, "stop_reason": None}
                answer = {"id": "cmpl-1", "object": "text_completion"}
            answer.update(model=model, choices=[{"index": 0, "finish_reason": "stop", **choice}], usage=usage)
            return 200, headers, json.dumps(answer).encode()
        return 404, headers, b'{"detail":"Not Found"}'

    return handle
