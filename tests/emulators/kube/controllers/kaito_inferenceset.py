"""The InferenceSet controller of the KAITO simulator (kaito.sh/v1beta1); kaito.py runs the
Workspaces it makes.

* InferenceSet (pkg/inferenceset/inferenceset_controller.go): ``replicas`` Workspaces named
  from generateName ``NAME-``: the API server cuts it to 58 characters and adds 5 random ones
  (pkg/utils/inferenceset/inferenceset.go NewWorkspaceForInferenceSet; owned by the set,
  labelled ``inferenceset.kaito.sh/created-by``)
  from its template; scaling down deletes Workspaces that are not ready first. No Service for
  the set. ``status.replicas``, ``readyReplicas`` (the child Workspaces that succeeded),
  ``selector`` and the condition InferenceSetReady (reasons inferencesetReady /
  inferencesetNotReady), re-read whenever a child Workspace changes; the counts left out at 0
  (omitempty). Its ControllerRevisions and the labels it keeps on its Workspaces:
  kaito_set_revision.py. Its finalizer
  ``inferenceset.finalizer.kaito.sh``: on delete the set deletes its Workspaces, then lets go.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from tests.emulators.kube.controllers import kaito_benchmark, kaito_set_revision
from tests.emulators.kube.controllers.finalizers import add_finalizer, remove_finalizer
from tests.emulators.kube.controllers.kaito_common import (
    INFERENCESET_FINALIZER,
    KAITO,
    SET_LABEL,
    _cond,
    _KaitoController,
    _owner,
    _succeeded,
    update_status,
)


class InferenceSetController(_KaitoController):
    # Watches its child Workspaces too: their readiness is the set's (SetupWithManager).
    watches: ClassVar[list[tuple[str, str]]] = [(KAITO, "InferenceSet"), (KAITO, "Workspace")]

    def __init__(self, delay: float = 0.05, failure: str | None = None, inference_extension: bool = False) -> None:
        super().__init__(delay, failure)
        # KAITO's gatewayAPIInferenceExtension feature gate (off by default,
        # kaito-project/kaito pkg/featuregates/featuregates.go).
        self.inference_extension = inference_extension

    def on_delete(self, cluster: Any, obj: dict[str, Any]) -> None:
        """A Workspace gone reconciles the InferenceSet its label names, whatever its UID: one
        created again meanwhile, which counted the old Workspace while a finalizer held it, makes
        its own now (upstream: kaito-project/kaito v0.12.0 pkg/inferenceset/
        inferenceset_event_handler.go workspaceEventHandler.Delete, enqueueInferenceSetForWorkspace;
        pkg/utils/workspace/workspace.go WorkspacePredicate passes a labelled Workspace's delete)."""
        del cluster
        if obj["kind"] != "Workspace":
            return
        owner = (obj["metadata"].get("labels") or {}).get(SET_LABEL)
        if owner:
            namespace = obj["metadata"]["namespace"]
            self.requeue(
                {"apiVersion": KAITO, "kind": "InferenceSet", "metadata": {"namespace": namespace, "name": owner}}, 0
            )

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
        # syncControllerRevision, before addOrUpdateInferenceSet (upstream: kaito-project/kaito v0.12.0
        # pkg/inferenceset/inferenceset_controller.go Reconcile; kaito_set_revision.py).
        kaito_set_revision.sync_revision(cluster, obj)
        spec = obj.get("spec") or {}
        desired = int(spec["replicas"]) if spec.get("replicas") is not None else 1
        # Scale down: not-ready Workspaces go first, then the rest (addOrUpdateInferenceSet). One
        # already being deleted counts toward the target, with no delete of another (upstream:
        # kaito-project/kaito v0.12.0 pkg/inferenceset/inferenceset_controller.go
        # selectWorkspacesToDelete, "Workspaces already being deleted count toward the target").
        extra = len(children) - desired
        extra -= sum(1 for ws in children if ws["metadata"].get("deletionTimestamp"))
        deleted = False
        for ws in sorted((c for c in children if not c["metadata"].get("deletionTimestamp")), key=_succeeded):
            if extra <= 0:
                break
            cluster.delete(KAITO, "Workspace", ns, ws["metadata"]["name"])
            extra -= 1
            deleted = True
        if deleted:  # listed again, as upstream does after its deletes: those still held count
            children = cluster.list(KAITO, "Workspace", ns, label_selector=f"{SET_LABEL}={name}")
        template = spec.get("template") or {}
        template_meta = template.get("metadata") or {}
        for _ in range(desired - len(children)):
            # GenerateName NAME-: the API server cuts it to 58 characters and adds 5 (upstream:
            # kaito-project/kaito pkg/utils/inferenceset/inferenceset.go NewWorkspaceForInferenceSet).
            cluster.create(
                {
                    "apiVersion": KAITO,
                    "kind": "Workspace",
                    "metadata": {
                        "generateName": f"{name}-",
                        "namespace": ns,
                        "labels": {**kaito_set_revision.desired_labels(obj), SET_LABEL: name},
                        "annotations": _child_annotations(obj, template_meta),
                        "ownerReferences": [_owner(obj)],
                    },
                    "resource": {**(template.get("resource") or {}), "labelSelector": spec.get("labelSelector") or {}},
                    "inference": template.get("inference") or {},
                }
            )
        # upstream: kaito-project/kaito v0.12.0 inferenceset_controller.go addOrUpdateInferenceSet
        # reconciles the labels of the Workspaces it had listed (not those it just made).
        kaito_set_revision.sync_labels(cluster, obj, children)
        if self.inference_extension and children and (template.get("inference") or {}).get("preset"):
            _inference_pool(cluster, obj)
        succeeded = [ws for ws in children if _succeeded(ws)]
        ready = len(succeeded)
        ok = ready == desired
        benchmark: tuple[dict[str, Any], ...] = ()
        performance = None
        if kaito_benchmark.runs_for_set(obj):
            performance, (done, reason, message) = kaito_benchmark.set_status(succeeded, desired)
            benchmark = (_cond("BenchmarkCompleted", done, reason, message),)
        ready_cond = _cond(
            "InferenceSetReady",
            ok,
            "inferencesetReady" if ok else "inferencesetNotReady",
            "inferenceset is ready" if ok else f"inferenceset is not ready, {ready}/{desired} replicas are ready",
        )
        # Both counts are `json:",omitempty"` ints: 0 is left out (upstream: kaito-project/kaito v0.12.0
        # api/v1beta1/inferenceset_types.go InferenceSetStatus); None removes the key.
        fields = {"replicas": desired or None, "readyReplicas": ready or None, "selector": f"{SET_LABEL}={name}"}
        # kaito-project/kaito pkg/utils/inferenceset/inferenceset.go UpdateInferenceSetStatus: a fresh
        # Get, the conditions set by type, Status().Update, a 409 retried (kaito_common.update_status).
        update_status(cluster, obj, {**fields, "performance": performance}, (ready_cond, *benchmark), again=True)


def _child_annotations(iset: dict[str, Any], template_meta: dict[str, Any]) -> dict[str, str]:
    """The template's annotations, and the set's benchmark opt-out (upstream: kaito-project/kaito
    v0.12.0 pkg/utils/inferenceset/inferenceset.go NewWorkspaceForInferenceSet: "only propagate
    the opt-out when explicitly disabled")."""
    annotations = dict(template_meta.get("annotations") or {})
    if (iset["metadata"].get("annotations") or {}).get("kaito.sh/disable-benchmark") == "true":
        annotations["kaito.sh/disable-benchmark"] = "true"
    return annotations


def _collect_inferenceset(cluster: Any, iset: dict[str, Any], children: list[dict[str, Any]]) -> None:
    """deleteInferenceSet: the condition InferenceSetDeleting (reason inferencesetDeleted), then
    garbageCollectInferenceSet deletes each of its Workspaces not yet being deleted and removes the
    finalizer at once: the set goes while its Workspaces may still be held by theirs (upstream:
    kaito-project/kaito v0.12.0 pkg/inferenceset/inferenceset_controller.go; the condition type in
    api/v1beta1/condition_types.go)."""
    md = iset["metadata"]
    deleting = _cond("InferenceSetDeleting", True, "inferencesetDeleted", "inferenceset is being deleted")
    update_status(cluster, iset, {}, (deleting,), again=True)
    for ws in children:
        if not ws["metadata"].get("deletionTimestamp"):
            cluster.delete(KAITO, "Workspace", md["namespace"], ws["metadata"]["name"])
    remove_finalizer(cluster, iset, INFERENCESET_FINALIZER)


EPP_IMAGE = "mcr.microsoft.com/oss/v2/llm-d/llm-d-router-endpoint-picker"


def helm_release_name(name: str) -> str:
    """The Helm release Flux installs a HelmRelease of this name as: the name, or past 53
    characters its first 40, "-" and the first 12 hex digits of its sha256 (fluxcd/helm-controller
    internal/release/name.go ShortenName, used by internal/action/install.go)."""
    if len(name) <= 53:
        return name
    return f"{name[:40]}-{hashlib.sha256(name.encode()).hexdigest()[:12]}"


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
    ns, release = md["namespace"], helm_release_name(f"{md['name']}-inferencepool")
    if cluster.get("inference.networking.k8s.io/v1", "InferencePool", ns, release) is not None:
        return
    # The chart's "llm-d-router.name": the release cut to 40 characters, then "-epp"
    # (llm-d/llm-d-router v0.9.0 config/charts/routerlib/templates/_helpers.tpl).
    epp, owner = f"{release[:40]}-epp", [_owner(iset)]
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
    # KAITO's values: router.epp.flags secure-serving false and its EPP image (consts.go EPPImage*).
    args = ["--pool-name", release, "--pool-namespace", ns, "--pool-group", "inference.networking.k8s.io"]
    args += ["--secure-serving=false"]
    cluster.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": epp, "namespace": ns, "ownerReferences": owner},
            "spec": {
                "selector": {"matchLabels": selector},
                "template": {
                    "metadata": {"labels": selector},
                    "spec": {"containers": [{"name": "epp", "image": f"{EPP_IMAGE}:v0.9.0", "args": args}]},
                },
            },
        }
    )
