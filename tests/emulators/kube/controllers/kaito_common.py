"""What the KAITO simulator's two controllers share (kaito.py runs Workspaces,
kaito_inferenceset.py InferenceSets): the API version, the labels and finalizers, conditions as
KAITO stamps them, owner references, and the failure modes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from tests.emulators.kube.cluster import retry_on_conflict
from tests.emulators.kube.controllers.base import DeletionTolerantController
from tests.emulators.kube.controllers.fleet_runs_common import set_cond

KAITO = "kaito.sh/v1beta1"
# KAITO labels the Workspaces of an InferenceSet, and their pods, with the set's name.
SET_LABEL = "inferenceset.kaito.sh/created-by"
# "launching": Azure/gpu-provisioner pkg/providers/instance/instance.go Create still waiting on the agent pool PUT.
# "plugins": no NVIDIA device plugin registers the nodes' GPUs (kaito.py, kaito_nodes.plugins_ready).
# "download": the inference server cannot reach Hugging Face for the weights (DOWNLOAD_LOG).
FAILURES = (None, "quota", "launching", "plugins", "inference", "download", "benchmark", "benchmark-one")
# KAITO's vLLM presets download the weights as the server starts (kaito-project/kaito v0.12.0
# pkg/model/interface.go buildVLLMInferenceCommand: --model REPO, --download-dir, for DownloadAtRuntime;
# pkg/workspace/inference/preset_inferences.go SetModelDownloadInfo adds no init container for them).
# A node that cannot reach huggingface.co gets huggingface_hub's error, and the server exits
# (upstream: huggingface/huggingface_hub src/huggingface_hub/file_download.py _raise_on_head_call_error).
DOWNLOAD_LOG = (
    "huggingface_hub.errors.LocalEntryNotFoundError: An error happened while trying to locate the file on the Hub "
    "and we cannot find the requested files in the local cache. Please check your connection and try again or "
    "make sure your Internet connection is on.\n"
)


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


def update_status(
    cluster: Any, obj: dict[str, Any], fields: dict[str, Any], conditions: tuple[dict[str, Any], ...], again: bool
) -> None:
    """KAITO's status write: Get the object afresh, set each condition by type over the ones it
    holds (meta.SetStatusCondition, so another writer's condition stays) and ``fields``, then
    Status().Update with that read's resourceVersion; NotFound writes nothing. A Workspace's 409 is
    not retried (retry.OnError there takes only unavailable, timeout and throttling) and ends the
    reconcile, which requeues; an InferenceSet's is retried from a fresh Get (``again``; its
    OnError takes IsConflict too). Upstream: kaito-project/kaito
    pkg/workspace/controllers/workspace_status.go updateWorkspaceStatus,
    pkg/utils/inferenceset/inferenceset.go UpdateInferenceSetStatus."""
    md = obj["metadata"]

    def write() -> None:
        latest = cluster.get(obj["apiVersion"], obj["kind"], md["namespace"], md["name"])
        if latest is None:
            return
        merged = list((latest.get("status") or {}).get("conditions") or [])
        for cond in _observed(obj, conditions):
            merged = set_cond(merged, cond)
        cluster.update_status_of(latest, {**fields, "conditions": merged})

    if again:
        retry_on_conflict(write)
    else:
        write()


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


class _KaitoController(DeletionTolerantController):
    """What both KAITO controllers share: the failure modes, and dropping the work on an
    object deleted while it is being reconciled (as KAITO's controllers do)."""

    # kaito-project/kaito 056b8280 cmd/workspace/main.go: cfg.UserAgent = workspaceController,
    # "kaito-workspace/<version>" (the workspace controller runs both reconcilers)
    field_manager: ClassVar[str | None] = "kaito-workspace"

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        if failure not in FAILURES:
            raise ValueError(f"unknown KAITO failure mode {failure!r}; known: {FAILURES}")
        super().__init__(delay, failure)


def _succeeded(ws: dict[str, Any]) -> bool:
    """DetermineWorkspacePhase(ws) == "succeeded": WorkspaceSucceeded is True."""
    return any(
        c.get("type") == "WorkspaceSucceeded" and c.get("status") == "True"
        for c in (ws.get("status") or {}).get("conditions") or []
    )
