"""The inference workload KAITO's Workspace controller runs a model with: one StatefulSet per
Workspace, named after it and owned by it; the emulator's StatefulSet controller makes its pods
(so a ``kubectl rollout restart`` of it rolls them, as on a cluster).

Each behaviour names its upstream file, in kaito-project/kaito v0.12.0
(0894eb2b567d48cd2d66afe579acb1542b226af4, the release ../shared/crds/kaito comes from):

* The kind: a StatefulSet for every preset, single- and multi-node alike ("Use StatefulSet for all
  use cases", pkg/workspace/inference/preset_inferences.go GeneratePresetInference), with
  ``replicas`` the Workspace's ``status.targetNodeCount``; an ``inference.template`` Workspace
  gets one too (pkg/workspace/inference/template_inference.go CreateTemplateInference) and is
  never updated after ("TODO: handle update", workspace_controller.go applyInference).
* The manifest (pkg/workspace/manifests/manifests.go GenerateStatefulSetManifest): name and
  namespace of the Workspace, no labels of its own, the annotation ``workspace.kaito.io/revision``,
  a controller reference to the Workspace; ``podManagementPolicy: Parallel``,
  ``serviceName: NAME-headless``, the PVC retention policy, and one label map used as both the
  selector and the pod template's labels: ``kaito.sh/workspace: NAME``, plus
  ``inferenceset.kaito.sh/created-by`` for a Workspace an InferenceSet made.
* The pod spec (preset_inferences.go GenerateInferencePodSpec, setInferenceContainers): one
  container named after the Workspace, the ``inference.config`` ConfigMap mounted as
  ``config-volume`` at /mnt/config, and ``dshm`` (an in-memory emptyDir) at /dev/shm
  (pkg/utils/common_preset.go ConfigCMVolume, ConfigSHMVolume). Its ports (containerPorts,
  vllmKVEventsContainerPort, kaito-project/kaito pkg/workspace/inference/preset_inferences.go):
  ``http`` 5000, the server a PodMonitor's ``port: http`` scrapes, and for
  the vLLM runtime ``kv-events`` 5557 (pkg/utils/consts/consts.go PortInferenceServer,
  PortKVCacheEvents); the runtime is vLLM unless the Workspace's ``kaito.sh/runtime`` annotation says
  ``transformers`` (api/v1beta1/labels.go GetWorkspaceRuntimeName, the vLLM feature gate on).
* The revision (pkg/workspace/controllers/workspace_controller.go syncControllerRevision,
  ComputeHash, marshalSelectedFields): a sha256 over the Workspace's ``resource``, ``inference`` and
  ``tuning`` is kept in its annotation ``workspace.kaito.io/hash``. Each hash has an apps/v1
  ControllerRevision ``NAME-<first 5 of the hash>``, labelled ``workspace.kaito.io/name: NAME``,
  owned by the Workspace, its ``data`` those three fields: a new hash makes one numbered the
  latest + 1 (the oldest goes once more than 10 were there, consts.MaxRevisionHistoryLimit), and a
  hash seen before (a rollback to an earlier spec) takes that revision's number again. The hash
  is Python's JSON, not Go's, so it is not KAITO's value: it changes on the same edits.
* The update (workspace_controller.go applyInference): nothing while the StatefulSet's revision
  annotation equals the Workspace's; otherwise only the first container's ``env`` and
  ``volumeMounts``, the ``initContainers`` and the ``volumes`` of the pod template are replaced
  (outside a base-image upgrade, which the emulator does not simulate), so an annotation someone
  else put on the pod template (``kubectl.kubernetes.io/restartedAt``) stays.
* Readiness (workspace_controller.go collectInferenceReadyStatus): the workload is ready when
  the StatefulSet's ``status.readyReplicas`` equals its ``spec.replicas`` (default 1).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

HASH = "workspace.kaito.io/hash"
REVISION = "workspace.kaito.io/revision"
NAME_LABEL = "workspace.kaito.io/name"  # workspace_controller.go WorkspaceNameLabel
REVISION_HASH_SUFFIX = 5  # workspace_controller.go revisionHashSuffix
MAX_REVISION_HISTORY = 10  # pkg/utils/consts/consts.go MaxRevisionHistoryLimit
WORKSPACE_LABEL = "kaito.sh/workspace"
SET_LABEL = "inferenceset.kaito.sh/created-by"
CONFIG_MOUNT = "/mnt/config"
PORT_INFERENCE_SERVER = 5000  # kaito-project/kaito pkg/utils/consts/consts.go PortInferenceServer
PORT_KV_CACHE_EVENTS = 5557  # kaito-project/kaito pkg/utils/consts/consts.go PortKVCacheEvents


# The base image KAITO v0.12.0 runs presets in: GetBaseImageName, "REGISTRY/kaito-base:TAG" with the
# chart's presetRegistryName and the base entry's tag 0.5.0, whose vLLM is 0.25.1 (runtimeVersion.vllm,
# requirements.txt vllm==0.25.1; kaito_benchmark.VLLM_VERSION). upstream: kaito-project/kaito v0.12.0
# 8b050c7b pkg/workspace/inference/preset_inferences.go GetBaseImageName, pkg/utils/common_preset.go
# GetPresetImageName, charts/kaito/workspace/values.yaml presetRegistryName,
# presets/workspace/models/supported_models.yaml (base), presets/workspace/dependencies/requirements.txt.
BASE_IMAGE = "mcr.microsoft.com/aks/kaito/kaito-base:0.5.0"


def compute_hash(ws: dict[str, Any]) -> str:
    """ComputeHash: one JSON document each for resource, inference and tuning."""
    hasher = hashlib.sha256()
    for field in ("resource", "inference", "tuning"):
        hasher.update(json.dumps(ws.get(field), sort_keys=True, separators=(",", ":")).encode() + b"\n")
    return hasher.hexdigest()


def sync_revision(cluster: Any, ws: dict[str, Any]) -> str:
    """syncControllerRevision: the Workspace's revision, that of the ControllerRevision of its hash,
    made (numbered the latest + 1) when the hash is new. upstream: kaito-project/kaito v0.12.0
    pkg/workspace/controllers/workspace_controller.go syncControllerRevision."""
    keys = (HASH, REVISION, NAME_LABEL)
    return sync_controller_revision(cluster, ws, "Workspace", compute_hash(ws), keys, _controller_revision)


def sync_controller_revision(
    cluster: Any, obj: dict[str, Any], kind: str, current: str, keys: tuple[str, str, str], make: Any
) -> str:
    """The revision step both of KAITO's controllers run alike, each with its own annotation and
    label keys (``keys``: hash, revision, name label): upstream kaito-project/kaito v0.12.0
    pkg/workspace/controllers/workspace_controller.go and pkg/inferenceset/inferenceset_controller.go
    syncControllerRevision. ``make(obj, hash, number)`` builds the ControllerRevision of a new hash."""
    hash_key, revision_key, name_label = keys
    md = obj["metadata"]
    annotations = md.get("annotations") or {}
    revision = str(annotations.get(revision_key) or "")
    if annotations.get(hash_key) == current and revision:
        return revision  # its ControllerRevision was made when the hash was written
    namespace, name = md["namespace"], md["name"]
    found = sorted(
        cluster.list("apps/v1", "ControllerRevision", namespace=namespace, label_selector=f"{name_label}={name}"),
        key=lambda r: int(r.get("revision") or 0),
    )
    same = cluster.get("apps/v1", "ControllerRevision", namespace, f"{name}-{current[:REVISION_HASH_SUFFIX]}")
    if same is not None:
        revision = str(same.get("revision"))
    else:
        revision = str(int(found[-1].get("revision") or 0) + 1 if found else 1)
        cluster.create(make(obj, current, int(revision)))
        if len(found) > MAX_REVISION_HISTORY:
            cluster.delete("apps/v1", "ControllerRevision", namespace, found[0]["metadata"]["name"])
    # UpdateWorkspaceWithRetry / UpdateInferenceSetWithRetry (a fresh Get, then Update); a merge patch here.
    cluster.patch(
        obj["apiVersion"],
        kind,
        namespace,
        name,
        {"metadata": {"annotations": {hash_key: current, revision_key: revision}}},
    )
    return revision


def _controller_revision(ws: dict[str, Any], current: str, number: int) -> dict[str, Any]:
    """The ControllerRevision syncControllerRevision makes for a new hash."""
    md = ws["metadata"]
    return {
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": {
            "name": f"{md['name']}-{current[:REVISION_HASH_SUFFIX]}",
            "namespace": md["namespace"],
            "annotations": {HASH: current},
            "labels": {NAME_LABEL: str(md["name"])},
            "ownerReferences": [_owner(ws)],
        },
        "revision": number,
        # marshalSelectedFields
        "data": {field: ws.get(field) for field in ("inference", "resource", "tuning")},
    }


def _owner(ws: dict[str, Any]) -> dict[str, Any]:
    md = ws["metadata"]
    return {
        "apiVersion": ws["apiVersion"],
        "kind": "Workspace",
        "name": md["name"],
        "uid": md.get("uid", ""),
        "controller": True,
        "blockOwnerDeletion": True,
    }


def labels(ws: dict[str, Any]) -> dict[str, str]:
    """GenerateStatefulSetManifest's selector, which is also the pod template's labels: the
    Workspace's name, and its set's, MultiRoleInference parent's and inference role's labels where
    it has them (upstream: kaito-project/kaito v0.12.0 pkg/workspace/manifests/manifests.go)."""
    md = ws["metadata"]
    out = {WORKSPACE_LABEL: str(md["name"])}
    own = md.get("labels") or {}
    for key in (SET_LABEL, "multiroleinference.kaito.sh/created-by", "kaito.sh/inference-role"):
        if own.get(key):
            out[key] = str(own[key])
    return out


def _ports(ws: dict[str, Any]) -> list[dict[str, Any]]:
    """kaito-project/kaito pkg/workspace/inference/preset_inferences.go containerPorts, with
    vllmKVEventsContainerPort for the vLLM runtime."""
    ports: list[dict[str, Any]] = [{"name": "http", "containerPort": PORT_INFERENCE_SERVER}]
    if (ws["metadata"].get("annotations") or {}).get("kaito.sh/runtime") != "transformers":
        ports.append({"name": "kv-events", "containerPort": PORT_KV_CACHE_EVENTS})
    return ports


def _pod_spec(ws: dict[str, Any], scheduling: dict[str, Any]) -> dict[str, Any]:
    scheduling = dict(scheduling)
    resources = scheduling.pop("resources", None)
    volumes: list[dict[str, Any]] = []
    mounts: list[dict[str, Any]] = []
    config = (ws.get("inference") or {}).get("config")
    if config:
        volumes.append({"name": "config-volume", "configMap": {"name": config}})
        mounts.append({"name": "config-volume", "mountPath": CONFIG_MOUNT})
    volumes.append({"name": "dshm", "emptyDir": {"medium": "Memory"}})
    mounts.append({"name": "dshm", "mountPath": "/dev/shm"})
    container: dict[str, Any] = {
        "name": ws["metadata"]["name"],
        "image": BASE_IMAGE,
        "ports": _ports(ws),
        "volumeMounts": mounts,
    }
    if resources:
        container["resources"] = resources
    return {"containers": [container], "volumes": volumes, **scheduling}


def statefulset(ws: dict[str, Any], revision: str, nodes: int, scheduling: dict[str, Any]) -> dict[str, Any]:
    """The StatefulSet GeneratePresetInference makes for ``ws``."""
    md = ws["metadata"]
    selector = labels(ws)
    owner = _owner(ws)
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            "name": md["name"],
            "namespace": md["namespace"],
            "annotations": {REVISION: revision},
            "ownerReferences": [owner],
        },
        "spec": {
            "replicas": nodes,
            "podManagementPolicy": "Parallel",
            "persistentVolumeClaimRetentionPolicy": {"whenScaled": "Retain", "whenDeleted": "Delete"},
            "selector": {"matchLabels": selector},
            "serviceName": f"{md['name']}-headless",
            "template": {"metadata": {"labels": dict(selector)}, "spec": _pod_spec(ws, scheduling)},
        },
    }


def apply(cluster: Any, ws: dict[str, Any], nodes: int, scheduling: dict[str, Any]) -> dict[str, Any]:
    """applyInference: create the StatefulSet, or update the fields KAITO updates on a new
    revision; the StatefulSet as stored."""
    md = ws["metadata"]
    revision = sync_revision(cluster, ws)
    desired = statefulset(ws, revision, nodes, scheduling)
    existing = cluster.get("apps/v1", "StatefulSet", md["namespace"], md["name"])
    if existing is None:
        return dict(cluster.create(desired))
    same = (existing["metadata"].get("annotations") or {}).get(REVISION) == revision
    if same or (ws.get("inference") or {}).get("template"):
        return dict(existing)
    want = desired["spec"]["template"]["spec"]
    spec = json.loads(json.dumps(existing["spec"]["template"]["spec"]))
    spec["containers"][0]["env"] = want["containers"][0].get("env")
    spec["containers"][0]["volumeMounts"] = want["containers"][0].get("volumeMounts")
    spec["initContainers"] = want.get("initContainers")
    spec["volumes"] = want.get("volumes")
    spec = {k: v for k, v in spec.items() if v is not None}
    spec["containers"][0] = {k: v for k, v in spec["containers"][0].items() if v is not None}
    annotations = {**(existing["metadata"].get("annotations") or {}), REVISION: revision}
    template = {**existing["spec"]["template"], "spec": spec}
    updated = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {**existing["metadata"], "annotations": annotations},
        "spec": {**existing["spec"], "template": template},
    }
    return dict(cluster.update(updated))


def ready(sts: dict[str, Any]) -> bool:
    """collectInferenceReadyStatus: every replica of the StatefulSet is ready."""
    replicas = (sts.get("spec") or {}).get("replicas")
    want = 1 if replicas is None else int(replicas)
    return int((sts.get("status") or {}).get("readyReplicas") or 0) == want


# The longest message KAITO puts on InferenceReady (kaito-project/kaito pkg/workspace/controllers/
# workspace_controller.go maxInferenceMessageLen; pkg/utils/common.go TruncateMessage adds "...").
MAX_INFERENCE_MESSAGE = 256


# detectContainerFailure's checks, in its order (kaito-project/kaito v0.12.0
# pkg/workspace/controllers/workspace_controller.go isImagePullErrorReason, isContainerStartErrorReason).
_IMAGE_PULL = (
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "ErrImageNeverPull",
    "ImageInspectError",
    "RegistryUnavailable",
)
_START = (
    "CreateContainerConfigError",
    "PreCreateHookError",
    "CreateContainerError",
    "PreStartHookError",
    "RunContainerError",
    "PostStartHookError",
)


def _cut(message: str) -> str:
    """utils.TruncateMessage at maxInferenceMessageLen (kaito-project/kaito v0.12.0 pkg/utils/common.go)."""
    return message if len(message) <= MAX_INFERENCE_MESSAGE else message[:MAX_INFERENCE_MESSAGE] + "..."


def _container_failure(pods: list[dict[str, Any]]) -> tuple[str, str] | None:
    """detectContainerFailure: each check in turn over every pod's init and main container statuses:
    OOMKilled (in state or last state), an image pull error, a start error, CrashLoopBackOff."""
    statuses = [
        cs
        for pod in pods
        for cs in [
            *((pod.get("status") or {}).get("initContainerStatuses") or []),
            *((pod.get("status") or {}).get("containerStatuses") or []),
        ]
    ]
    for cs in statuses:
        for term in ((cs.get("state") or {}).get("terminated"), (cs.get("lastState") or {}).get("terminated")):
            if term and term.get("reason") == "OOMKilled":
                why = f'container "{cs["name"]}" was OOMKilled (exit code {int(term.get("exitCode") or 0)}); '
                return "ContainerOOMKilled", why + "reduce memory usage or use a larger instance type"
    for reasons, found, verb in (
        (_IMAGE_PULL, "ImagePullError", "image pull failed"),
        (_START, "ContainerStartError", "failed to start"),
    ):
        for cs in statuses:
            waiting = (cs.get("state") or {}).get("waiting") or {}
            if waiting.get("reason") in reasons:
                return found, f'container "{cs["name"]}" {verb} ({waiting["reason"]}): {waiting.get("message", "")}'
    for cs in statuses:
        if ((cs.get("state") or {}).get("waiting") or {}).get("reason") == "CrashLoopBackOff":
            message = f'container "{cs["name"]}" is in CrashLoopBackOff'
            last = (cs.get("lastState") or {}).get("terminated")
            if last:
                detail = last.get("message") or f"exit code {int(last.get('exitCode') or 0)}"
                message += f"; last termination: {detail}"
            return "ContainerCrashLoopBackOff", message
    return None


def _evicted(pods: list[dict[str, Any]]) -> tuple[str, str] | None:
    """detectEvictedPod: the first Failed pod the kubelet evicted, by what its message names."""
    for pod in pods:
        status = pod.get("status") or {}
        if status.get("phase") != "Failed" or status.get("reason") != "Evicted":
            continue
        name, message = pod["metadata"]["name"], str(status.get("message") or "")
        if "ephemeral-storage" in message.lower() or "disk" in message.lower():
            return "NodeDiskPressure", f'pod "{name}" evicted due to node disk pressure: {message}'
        if "memory" in message.lower():
            return "NodeMemoryPressure", f'pod "{name}" evicted due to node memory pressure: {message}'
        return "PodEvicted", f'pod "{name}" was evicted: {message}'
    return None


def pod_failure(cluster: Any, ws: dict[str, Any]) -> tuple[str, str] | None:
    """classifyInferencePodFailure: InferenceReady's reason and message from the Workspace's pods'
    live state, the checks in upstream's order (container failures, an evicted pod, an unschedulable
    one), each message cut to 256; None where none is seen (upstream: kaito-project/kaito v0.12.0
    pkg/workspace/controllers/workspace_controller.go; the SAS-fetch init container of model
    streaming, off by default, is not simulated)."""
    md = ws["metadata"]
    pods = cluster.list("v1", "Pod", md["namespace"], label_selector=f"{WORKSPACE_LABEL}={md['name']}")
    found = _container_failure(pods) or _evicted(pods)
    return (found[0], _cut(found[1])) if found else unschedulable(cluster, ws)


def unschedulable(cluster: Any, ws: dict[str, Any]) -> tuple[str, str] | None:
    """InferenceReady's reason and message for a Workspace pod the scheduler cannot place: the first
    Pending pod (by name, as the API server lists them) whose PodScheduled is False, Unschedulable
    (kaito-project/kaito pkg/workspace/controllers/workspace_controller.go classifyInferencePodFailure,
    detectUnschedulablePod, after the container and eviction checks); None when there is none."""
    md = ws["metadata"]
    for pod in cluster.list("v1", "Pod", md["namespace"], label_selector=f"{WORKSPACE_LABEL}={md['name']}"):
        status = pod.get("status") or {}
        if status.get("phase") != "Pending":
            continue
        for cond in status.get("conditions") or []:
            if (cond.get("type"), cond.get("status"), cond.get("reason")) == ("PodScheduled", "False", "Unschedulable"):
                message = f'pod "{pod["metadata"]["name"]}" is unschedulable: {cond.get("message", "")}'
                cut = message if len(message) <= MAX_INFERENCE_MESSAGE else message[:MAX_INFERENCE_MESSAGE] + "..."
                return "Unschedulable", cut
    return None
