"""Restart the pods of a KAITO-served model whose inference config changed in place.

KAITO's vLLM reads the inference config (max-model-len) from the ConfigMap that the Workspace's
``inference.config`` names, mounted into its pods, once, when the server starts
(upstream: kaito-project/kaito v0.12.0 pkg/workspace/inference/preset_inferences.go,
GenerateInferencePodSpec, utils.ConfigCMVolume). Nothing in KAITO rolls the pods when that
ConfigMap's data changes:

- the Workspace controller updates its StatefulSet only when the Workspace's revision changes, and
  the revision is a hash of ``resource``, ``inference`` and ``tuning`` as written in the Workspace,
  the ConfigMap's name and not its data (pkg/workspace/controllers/workspace_controller.go,
  ComputeHash and applyInference); it watches no ConfigMap (SetupWithManager);
- the InferenceSet controller never updates the spec of a Workspace it made, only its labels
  (pkg/inferenceset/inferenceset_controller.go, addOrUpdateInferenceSet).

So ``model deploy --max-model-len`` (or a rollback) changed the ConfigMap, and the running pods went
on serving the old context. akscli restarts the Workspaces' StatefulSets the way ``kubectl rollout
restart`` does: a ``kubectl.kubernetes.io/restartedAt`` annotation on the pod template
(upstream: kubernetes/kubectl pkg/polymorphichelpers/objectrestarter.go, appsv1.StatefulSet).
KAITO keeps that annotation: outside a base-image upgrade its update of an existing StatefulSet
sets the container's env and volume mounts, the init containers and the volumes only
(workspace_controller.go, applyInference).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from akscli import timestamps
from akscli.model.kinds import AIRUNWAY_API, KAITO_API, KAITO_POD_LABEL, KAITO_SET_POD_LABEL
from akscli.object_names import kind_ref
from akscli.output import dig

if TYPE_CHECKING:
    from akscli.kube.apply import Change
    from akscli.kube.client import Kube

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
# Where each serving kind names the inference config ConfigMap, and the label KAITO puts on the
# pods (and on the pod template of the StatefulSet) of each Workspace it serves the model with
# (kaito-project/kaito v0.12.0 pkg/workspace/manifests/manifests.go, GenerateStatefulSetManifest:
# the selector is kaito.sh/workspace, plus inferenceset.kaito.sh/created-by for a set's Workspaces).
# AI Runway's kaito provider makes one Workspace named after the ModelDeployment and deep-merges
# spec.provider.overrides into it (ai-runway/airunway v0.7.0 providers/kaito/transformer.go).
_SERVING = {
    (KAITO_API, "Workspace"): ("inference.config", KAITO_POD_LABEL),
    (KAITO_API, "InferenceSet"): ("spec.template.inference.config", KAITO_SET_POD_LABEL),
    (AIRUNWAY_API, "ModelDeployment"): ("spec.provider.overrides.inference.config", KAITO_POD_LABEL),
}


def stale_servers(changes: Sequence[Change]) -> list[Mapping[str, Any]]:
    """The KAITO serving objects (Workspace, InferenceSet, AI Runway ModelDeployment on KAITO)
    whose inference config ConfigMap this apply changed in place, and that the apply did not
    itself create (a new Workspace starts its pods with the new config)."""
    configured = _configured(changes)
    stale: list[Mapping[str, Any]] = []
    for change in changes:
        obj = change.obj
        found = _SERVING.get((str(obj.get("apiVersion")), str(obj.get("kind"))))
        if found is None or change.action not in ("configure", "unchanged"):
            continue
        config = dig(obj, found[0])
        if config and (obj["metadata"].get("namespace"), config) in configured:
            stale.append(obj)
    return stale


def _configured(changes: Sequence[Change]) -> set[tuple[Any, Any]]:
    """(namespace, name) of the ConfigMaps whose data this apply changed in place."""
    return {
        (c.obj["metadata"].get("namespace"), c.obj["metadata"]["name"])
        for c in changes
        if c.obj.get("kind") == "ConfigMap" and c.action == "configure" and _data_changed(c)
    }


def cluster_servers(kube: Kube, changes: Sequence[Change]) -> list[Mapping[str, Any]]:
    """The KAITO serving objects in the cluster whose inference config is a ConfigMap this apply
    changed in place when no serving object of the apply names it (the ConfigMap applied alone):
    the Workspaces whose ``inference.config`` names it (kaito-project/kaito v0.12.0 0894eb2b
    api/v1beta1/workspace_types.go InferenceSpec.Config: "the ConfigMap must be in the same
    namespace"), which AI Runway's kaito provider's Workspaces are too, and for the Workspaces an
    InferenceSet made (labelled inferenceset.kaito.sh/created-by with its name:
    pkg/inferenceset/inferenceset_controller.go, consts.WorkspaceCreatedByInferenceSetLabel), the
    set once. One list of Workspaces per namespace; nothing where they cannot be read."""
    from akscli.errors import AkscliError

    named = {
        (c.obj["metadata"].get("namespace"), dig(c.obj, serving[0]))
        for c in changes
        if (serving := _SERVING.get((str(c.obj.get("apiVersion")), str(c.obj.get("kind"))))) is not None
    }
    alone = sorted((ns, name) for ns, name in _configured(changes) - named if ns)
    servers: dict[tuple[str, str], Mapping[str, Any]] = {}
    try:
        if not alone or not kube.has_api(KAITO_API, "Workspace"):
            return []
        for namespace in dict.fromkeys(ns for ns, _ in alone):
            configs = {name for ns, name in alone if ns == namespace}
            for ws in kube.list(KAITO_API, "Workspace", namespace=namespace):
                if dig(ws, "inference.config") not in configs:
                    continue
                owner = ((ws.get("metadata") or {}).get("labels") or {}).get(KAITO_SET_POD_LABEL)
                key = ("InferenceSet", owner) if owner else ("Workspace", ws["metadata"]["name"])
                if key not in servers:
                    found = kube.get(KAITO_API, "InferenceSet", owner, namespace=namespace) if owner else ws
                    servers[key] = found or ws
    except AkscliError:
        return []
    return list(servers.values())


def _data_changed(change: Change) -> bool:
    """Whether the apply changed what the pods read of the ConfigMap: its ``data`` and ``binaryData``,
    the only fields the kubelet writes into a configMap volume (kubernetes/kubernetes
    pkg/volume/configmap/configmap.go, MakePayload). A change of its labels or annotations alone
    (akscli's stack-kinds annotation, when a deploy adds a PodMonitor or an HTTPRoute to the stack)
    gives the server nothing new to read, and a restart would only take the model down while it loads."""
    before = change.current
    after = change.result or change.server or change.obj
    if before is None:
        return True
    return any((before.get(f) or {}) != (after.get(f) or {}) for f in ("data", "binaryData"))


WHY = " (KAITO does not restart its pods for a changed inference config)"


def restart(
    kube: Kube, server: Mapping[str, Any], now: datetime | None = None, *, dry_run: bool = False
) -> list[dict[str, Any]]:
    """Restart the StatefulSets KAITO runs ``server`` with (their pod template carries the label
    naming it); the patched StatefulSets, for the wait. ``dry_run``: the server's dry run of the
    patch (kubectl rollout restart --dry-run=server)."""
    meta = server["metadata"]
    when = timestamps.format(now)
    patch = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: when}}}}}
    return [
        kube.patch(
            "apps/v1", "StatefulSet", sts["metadata"]["name"], patch, namespace=meta["namespace"], dry_run=dry_run
        )
        for sts in _statefulsets(kube, server)
    ]


def _statefulsets(kube: Kube, server: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The StatefulSets KAITO runs ``server`` with: one list of the namespace's StatefulSets."""
    meta = server["metadata"]
    label = _SERVING[(str(server["apiVersion"]), str(server["kind"]))][1]
    # KAITO sets no label on the StatefulSet itself, only on its pod template.
    return [
        sts
        for sts in kube.list("apps/v1", "StatefulSet", namespace=meta["namespace"])
        if (dig(sts, "spec.template.metadata.labels") or {}).get(label) == meta["name"]
    ]


def left_running(kube: Kube, server: Mapping[str, Any], *, dry_run: bool = False) -> str:
    """The warning of ``apply -f``, which restarts nothing (as kubectl apply): ``server``'s pods keep
    the config they started with, and the command that restarts them (kubectl rollout restart, the
    restart ``model deploy`` makes)."""
    meta = server["metadata"]
    config = dig(server, _SERVING[(str(server["apiVersion"]), str(server["kind"]))][0])
    names = " ".join(f"statefulset/{sts['metadata']['name']}" for sts in _statefulsets(kube, server))
    fix = (
        f"kubectl rollout restart {names} -n {meta['namespace']}" if names else "restart its pods once KAITO made them"
    )
    return (
        f"{kind_ref(str(server['apiVersion']), str(server['kind']), meta['name'])} "
        f"{'would keep' if dry_run else 'keeps'} serving the inference config its pods started with: KAITO "
        f"does not restart them for a changed configmap/{config}; restart them with: {fix}"
    )


def audit_objects(restarted: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The audit log's lines for the restarts: a change akscli made, as every other is recorded."""
    return [
        {
            "object": f"statefulset.apps/{sts['metadata']['name']}",
            "namespace": str(sts["metadata"].get("namespace") or ""),
            "action": "restart",
            "resourceVersion": str(sts["metadata"].get("resourceVersion", "")),
        }
        for sts in restarted
    ]
