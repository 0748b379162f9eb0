"""An operator's Deployment stuck mid-rollout, for ``akscli doctor`` (and, through
akscli.gpu.stack's rules, ``baremetal doctor``'s GPU Operator finding).

A changed operator Deployment (a new image, new args) rolls out through a new ReplicaSet. Where
its pod cannot start (no node fits it, its image does not pull, it crash-loops), a RollingUpdate
keeps the old pod serving and a Recreate has already stopped it; either way the Deployment
reports the rollout unfinished, then Progressing=False with ProgressDeadlineExceeded once
``progressDeadlineSeconds`` (600 by default) pass (upstream: kubernetes/kubernetes
pkg/controller/deployment/progress.go syncRolloutStatus, pkg/controller/deployment/util/
deployment_util.go TimedOutReason). doctor's pod check sees only "a pod is ready" or "none is";
this names the rollout, in ``kubectl rollout status``'s words (kubernetes/kubectl
pkg/polymorphichelpers/rollout_status.go DeploymentStatusViewer), with the new ReplicaSet's pod
problem (akscli.kube.pod_problems).

Reads, for each Deployment that owns an operator pod doctor found: one get of the Deployment;
only when its rollout is unfinished, one label-selected list of its ReplicaSets and one page of
the new ReplicaSet's pods. No read per pod, but for a new pod ContainerCreating with no other
problem: one get per Secret or ConfigMap its volumes mount (akscli.kube.mount_wait), so that a
missing one (or a missing ``items`` key) is named with its fix.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from akscli.errors import AkscliError
from akscli.kube import mount_wait, pod_problems
from akscli.kube.claim_wait import ClaimWait
from akscli.kube.readiness.builtin import replica_failure

if TYPE_CHECKING:
    from akscli.kube.client import Kube

# kubernetes/kubernetes staging/src/k8s.io/api/apps/v1/types.go DefaultDeploymentUniqueLabelKey.
HASH_LABEL = "pod-template-hash"
# kubernetes/kubernetes pkg/controller/deployment/util/deployment_util.go TimedOutReason.
TIMED_OUT = "ProgressDeadlineExceeded"
# kubernetes/kubernetes pkg/controller/deployment/util/deployment_util.go PausedDeployReason, the
# Progressing condition's reason sync.go checkPausedConditions writes while spec.paused is true.
PAUSED = "DeploymentPaused"
_PAGE = 50
# Operator Deployments found by label where no operator pod is: a chart installs one per release.
_FEW = 5


def owner(pod: Mapping[str, Any]) -> tuple[str, str] | None:
    """(namespace, name) of the Deployment that owns a pod, or None for a pod no Deployment made.

    The Deployment controller names its ReplicaSet ``d.Name + "-" + podTemplateSpecHash`` and puts
    the hash on the template's labels as pod-template-hash (kubernetes/kubernetes
    pkg/controller/deployment/sync.go getNewReplicaSet), so the pod's controller reference and its
    label give the Deployment's name without reading the ReplicaSet."""
    meta = pod.get("metadata") or {}
    digest = str((meta.get("labels") or {}).get(HASH_LABEL) or "")
    for ref in meta.get("ownerReferences") or []:
        name = str(ref.get("name") or "")
        if ref.get("kind") == "ReplicaSet" and ref.get("controller") and digest and name.endswith(f"-{digest}"):
            return str(meta.get("namespace") or ""), name[: -len(digest) - 1]
    return None


def daemon_owner(pod: Mapping[str, Any]) -> tuple[str, str] | None:
    """(namespace, name) of the DaemonSet that made a pod: its controller reference names it
    (kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go syncNodes creates the pod with
    a controllerRef to the DaemonSet)."""
    meta = pod.get("metadata") or {}
    for ref in meta.get("ownerReferences") or []:
        if ref.get("kind") == "DaemonSet" and ref.get("controller") and ref.get("name"):
            return str(meta.get("namespace") or ""), str(ref["name"])
    return None


def status_line(deployment: Mapping[str, Any]) -> tuple[str, bool, bool]:
    """(message, done, timed out) as DeploymentStatusViewer.Status words them, without its
    trailing "...\\n" (kubernetes/kubectl pkg/polymorphichelpers/rollout_status.go)."""
    meta, spec, status = deployment.get("metadata") or {}, deployment.get("spec") or {}, deployment.get("status") or {}
    name = meta.get("name")
    if int(meta.get("generation") or 0) > int(status.get("observedGeneration") or 0):
        return "Waiting for deployment spec update to be observed", False, False
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Progressing" and cond.get("reason") == TIMED_OUT:
            return f'deployment "{name}" exceeded its progress deadline', False, True
    want = spec.get("replicas", 1)
    updated = int(status.get("updatedReplicas") or 0)
    total = int(status.get("replicas") or 0)
    available = int(status.get("availableReplicas") or 0)
    waiting = f'Waiting for deployment "{name}" rollout to finish: '
    if isinstance(want, int) and updated < want:
        return f"{waiting}{updated} out of {want} new replicas have been updated", False, False
    if total > updated:
        return f"{waiting}{total - updated} old replicas are pending termination", False, False
    if available < updated:
        return f"{waiting}{available} of {updated} updated replicas are available", False, False
    return f'deployment "{name}" successfully rolled out', True, False


def _without_hash(template: Mapping[str, Any]) -> dict[str, Any]:
    """kubernetes/kubernetes pkg/controller/deployment/util/deployment_util.go EqualIgnoreHash: the
    template with its pod-template-hash label removed."""
    out = copy.deepcopy(dict(template))
    labels = (out.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        labels.pop(HASH_LABEL, None)
    return out


@dataclass(frozen=True)
class Stuck:
    """One Deployment whose rollout has not finished."""

    namespace: str
    name: str
    message: str  # kubectl rollout status's
    timed_out: bool
    want: int
    updated: int  # the new ReplicaSet's replicas (status.updatedReplicas)
    new_available: int
    old_available: int  # pods of older ReplicaSets still serving
    new_set: str  # the new ReplicaSet's name, "" where none exists yet
    history: bool  # an older ReplicaSet exists: there is a revision to go back to
    problem: pod_problems.Problem | None
    paused: bool = False  # spec.paused: the controller rolls nothing until it is resumed
    failure: str = ""  # the ReplicaSet's ReplicaFailure, "reason: message" (replica_failure)
    # A new pod ContainerCreating for a Secret or ConfigMap volume (or key) it lacks (mount_wait).
    mount: ClaimWait | None = None

    @property
    def serving(self) -> bool:
        """A replica, old or new, is available: the operator still works."""
        return self.new_available + self.old_available > 0

    @property
    def detail(self) -> str:
        counts = f"{self.updated} of {self.want} new replicas updated, {self.new_available} available"
        where = f" (ReplicaSet {self.new_set})" if self.new_set else ""
        old = (
            f"; {self.old_available} old replica(s) still serving"
            if self.old_available
            else "; no replica is available"
            if not self.new_available
            else ""
        )
        # kubectl's viewer (rollout_status.go) waits on a paused Deployment with no word of the
        # pause; its Progressing condition says DeploymentPaused (sync.go checkPausedConditions).
        paused = "paused (spec.paused), so nothing rolls: " if self.paused else ""
        # No pod to read a problem from: the ReplicaSet's refusal is the reason (replica_failure).
        why = pod_problems.after(self.problem) if self.problem or not self.failure else f"; {self.failure}"
        if self.mount is not None and self.problem is None:
            why = self.mount.said
        return f"deployment {self.namespace}/{self.name}: {paused}{self.message}: {counts}{where}{old}{why}"

    @property
    def fix(self) -> str:
        target = f"deployment/{self.name} -n {self.namespace}"
        watch = f"kubectl rollout status {target} follows it"
        if self.paused:
            # kubernetes/kubectl pkg/cmd/rollout/rollout_resume.go: clears spec.paused.
            return f"kubectl rollout resume {target} lets the controller roll it; {watch}"
        if self.mount is not None and self.problem is None:
            return f"{self.mount.fix}; {watch}"
        if self.history:
            return f"{watch}; kubectl rollout undo {target} goes back to the previous pod template"
        return f"{watch}; kubectl describe deployment {self.name} -n {self.namespace} names what holds it"


def _deployment(kube: Kube, namespace: str, name: str) -> dict[str, Any] | None:
    """The Deployment, None where it is gone or cannot be read."""
    try:
        return kube.get("apps/v1", "Deployment", name, namespace)
    except AkscliError:
        return None


def stuck(kube: Kube, namespace: str, name: str) -> Stuck | None:
    """The Deployment's rollout where it has a change to show: unfinished with old pods beside the
    new ones, or with an older ReplicaSet and no new pod available, or timed out. A first install
    that is not ready yet is the pod check's."""
    if (deployment := _deployment(kube, namespace, name)) is None:
        return None
    message, done, timed_out = status_line(deployment)
    if done:
        return None
    # kubernetes/kubernetes pkg/controller/deployment/deployment_controller.go syncDeployment: a
    # paused Deployment is only synced (scaled), never rolled, and never times out.
    paused = bool((deployment.get("spec") or {}).get("paused"))
    try:
        sets = _replica_sets(kube, deployment)
    except AkscliError:
        sets = []
    template = _without_hash((deployment.get("spec") or {}).get("template") or {})
    # deployment_util.go FindNewReplicaSet: the oldest ReplicaSet whose template equals the
    # Deployment's but for the hash label.
    new = next((rs for rs in sets if _without_hash((rs.get("spec") or {}).get("template") or {}) == template), None)
    old = [rs for rs in sets if rs is not new]
    status = deployment.get("status") or {}
    new_available = int(((new or {}).get("status") or {}).get("availableReplicas") or 0)
    # A change rolling: old pods still beside the new ones (RollingUpdate), or an older revision
    # and no new pod available yet (Recreate has stopped the old ones). A Deployment scaled up
    # whose new pods already serve is not a rollout gone wrong, until its deadline passes.
    old_pods = any(int((rs.get("status") or {}).get("replicas") or 0) for rs in old)
    if not (timed_out or paused or old_pods or (old and not new_available)):
        return None
    want = (deployment.get("spec") or {}).get("replicas", 1)
    problem, mount = _new_pods(kube, namespace, new)
    return Stuck(
        namespace,
        name,
        message,
        timed_out,
        want if isinstance(want, int) else 1,
        int(status.get("updatedReplicas") or 0),
        new_available,
        max(0, int(status.get("availableReplicas") or 0) - new_available),
        str(((new or {}).get("metadata") or {}).get("name") or ""),
        bool(old),
        problem,
        paused,
        replica_failure(deployment),
        mount,
    )


@dataclass(frozen=True)
class Podless:
    """An operator Deployment that runs no pod for a reason its own object gives (not a rollout)."""

    namespace: str
    name: str
    detail: str
    fix: str


def podless(kube: Kube, owners: Iterable[tuple[str, str]]) -> Podless | None:
    """The first of the operator's Deployments that says why it runs no pod (_podless)."""
    return next(filter(None, (_podless(kube, *key) for key in dict.fromkeys(owners))), None)


def _podless(kube: Kube, namespace: str, name: str) -> Podless | None:
    """Why an operator Deployment whose rollout is done or not begun runs no pod: scaled to zero
    (spec.replicas 0: the ReplicaSet makes none, kubernetes/kubernetes pkg/controller/deployment/
    sync.go scale), or its ReplicaSet's pod creates refused (replica_failure). None where the
    Deployment is gone or says neither: then the operator truly is not installed. One get."""
    if (deployment := _deployment(kube, namespace, name)) is None:
        return None
    target = f"deployment/{name} -n {namespace}"
    if (deployment.get("spec") or {}).get("replicas", 1) == 0:
        # kubernetes/kubectl pkg/cmd/scale/scale.go: sets spec.replicas through the scale subresource.
        return Podless(
            namespace,
            name,
            f"deployment {namespace}/{name} is scaled to zero (spec.replicas 0), so it runs no pod",
            f"kubectl scale {target} --replicas=1 runs it again (reinstalling is not needed)",
        )
    if failure := replica_failure(deployment):
        return Podless(
            namespace,
            name,
            f"deployment {namespace}/{name} runs no pod: {failure}",
            f"remove what refuses the pod (the message names it: kubectl describe resourcequota -n {namespace} "
            # kubernetes/kubernetes pkg/controller/replicaset/replica_set.go processNextWorkItem: a failed
            # sync is requeued (AddRateLimited), so the create is tried again without a reinstall.
            f"for a quota, the webhook for an admission denial); the ReplicaSet controller retries the create "
            f"on its own, and kubectl describe deployment {name} -n {namespace} shows the condition",
        )
    return None


def _replica_sets(kube: Kube, deployment: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The Deployment's ReplicaSets, oldest first: those its selector finds that name it as their
    controller (deployment_util.go ListReplicaSets, controller_utils.go ReplicaSetsByCreationTimestamp)."""
    meta = deployment.get("metadata") or {}
    selector = pod_problems.selector_string((deployment.get("spec") or {}).get("selector"))
    if selector is None:
        return []
    uid = meta.get("uid")
    owned = [
        rs
        for rs in kube.list(
            "apps/v1", "ReplicaSet", namespace=str(meta.get("namespace")), label_selector=selector, page_size=_PAGE
        )
        if any(
            r.get("controller") and r.get("uid") == uid for r in (rs.get("metadata") or {}).get("ownerReferences") or []
        )
    ]
    return sorted(
        owned, key=lambda rs: (str(rs["metadata"].get("creationTimestamp") or ""), str(rs["metadata"].get("name")))
    )


def _new_pods(
    kube: Kube, namespace: str, new: Mapping[str, Any] | None
) -> tuple[pod_problems.Problem | None, ClaimWait | None]:
    """What keeps the first of the new ReplicaSet's pods (one page) from running: its problem, or,
    where none has one, a pod ContainerCreating for a volume's Secret or ConfigMap (or key) the
    namespace lacks (mount_wait.explain: one get per such volume source, only then)."""
    if new is None:
        return None, None
    selector = pod_problems.selector_string((new.get("spec") or {}).get("selector"))
    if selector is None:
        return None, None
    try:
        pods = list(
            islice(kube.list("v1", "Pod", namespace=namespace, label_selector=selector, page_size=_PAGE), _PAGE)
        )
    except AkscliError:
        return None, None
    problem = next((p for p in map(pod_problems.problem, pods) if p), None)
    return problem, None if problem else mount_wait.explain(kube, namespace, pods)


def by_labels(kube: Kube, selectors: Iterable[str]) -> list[tuple[str, str]]:
    """(namespace, name) of the Deployments the operator's pod selectors find on the Deployment
    itself, at most a few per selector (one label-selected list each, any namespace).

    For where no operator pod is left to name its Deployment (a Recreate rollout whose new
    ReplicaSet cannot create pods). The charts label the Deployment with the labels they give its
    pods: kedacore/charts keda/templates/manager/deployment.yaml (app, app.kubernetes.io/name:
    keda-operator on both), ray-project/kuberay helm-chart/kuberay-operator/templates/deployment.yaml
    with _helpers.tpl kuberay-operator.labels (app.kubernetes.io/name), kaito-project/kaito
    charts/kaito/workspace/templates/deployment.yaml (kaito.labels, which include
    kaito.selectorLabels)."""
    found: list[tuple[str, str]] = []
    for selector in selectors:
        listed = kube.list("apps/v1", "Deployment", all_namespaces=True, label_selector=selector, page_size=_FEW)
        for deployment in islice(listed, _FEW):
            meta = deployment.get("metadata") or {}
            key = (str(meta.get("namespace") or ""), str(meta.get("name") or ""))
            if key not in found:
                found.append(key)
    return found


def rollouts(kube: Kube, owners: Iterable[tuple[str, str]]) -> list[Stuck]:
    """The unfinished rollouts of the given Deployments (each read once)."""
    return [s for key in dict.fromkeys(owners) if (s := stuck(kube, *key))]


def daemonset(kube: Kube, namespace: str, name: str) -> dict[str, Any] | None:
    """One DaemonSet (one get), None where it is gone or cannot be read."""
    try:
        return kube.get("apps/v1", "DaemonSet", name, namespace)
    except AkscliError:
        return None


def labelled_daemonsets(kube: Kube, selector: str) -> list[dict[str, Any]]:
    """The DaemonSets a label on the DaemonSet itself finds, any namespace, at most a few (one
    label-selected list); none where they cannot be listed."""
    try:
        return list(
            islice(
                kube.list("apps/v1", "DaemonSet", all_namespaces=True, label_selector=selector, page_size=_FEW), _FEW
            )
        )
    except AkscliError:
        return []


def daemonset_rollout(daemonset: Mapping[str, Any]) -> tuple[str, int] | None:
    """(detail, available pods) of a DaemonSet whose changed template has not reached every node
    yet (status.updatedNumberScheduled below desiredNumberScheduled), None otherwise.

    Worded as kubectl rollout status words it (kubernetes/kubectl
    pkg/polymorphichelpers/rollout_status.go DaemonSetStatusViewer.Status), from the status the
    DaemonSet controller writes (kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go
    updateDaemonSetStatus: updatedNumberScheduled counts the pods of the current revision). kubectl
    follows only a RollingUpdate DaemonSet ("rollout status is only available for RollingUpdate
    strategy type"); an OnDelete one replaces a pod only when it is deleted, so none is named. Pods
    not ready where every pod is of the current template are the pods check's, not a rollout."""
    meta, spec, status = daemonset.get("metadata") or {}, daemonset.get("spec") or {}, daemonset.get("status") or {}
    if (spec.get("updateStrategy") or {}).get("type", "RollingUpdate") != "RollingUpdate":
        return None
    name, namespace = meta.get("name"), meta.get("namespace")
    if int(meta.get("generation") or 0) > int(status.get("observedGeneration") or 0):
        return f"daemonset {namespace}/{name}: Waiting for daemon set spec update to be observed", 0
    desired = int(status.get("desiredNumberScheduled") or 0)
    updated = int(status.get("updatedNumberScheduled") or 0)
    available = int(status.get("numberAvailable") or 0)
    if updated >= desired:
        return None
    message = (
        f'Waiting for daemon set "{name}" rollout to finish: {updated} out of {desired} new pods have been updated'
    )
    return f"daemonset {namespace}/{name}: {message}, {available} of {desired} pods available", available


def daemonset_fix(namespace: str, name: str) -> str:
    target = f"daemonset/{name} -n {namespace}"
    return (
        f"kubectl rollout status {target} follows it; "
        f"kubectl rollout undo {target} goes back to the previous pod template"
    )
