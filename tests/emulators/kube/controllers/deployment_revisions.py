"""A Deployment's revisions, its paused condition and its ReplicaSets' available pods, as the
deployment and replicaset controllers keep them.

- Revisions (kubernetes/kubernetes pkg/controller/deployment/sync.go getNewReplicaSet, and
  pkg/controller/deployment/util/deployment_util.go MaxRevision, SetNewReplicaSetAnnotations,
  SetDeploymentRevision, FindNewReplicaSet, EqualIgnoreHash): the new ReplicaSet is the oldest one
  whose pod template equals the Deployment's, the pod-template-hash label aside. A ReplicaSet made
  for a new template gets revision MaxRevision(old ones) + 1; an old ReplicaSet whose template
  comes back (``kubectl rollout undo``) is adopted and takes that next number, its former one
  appended to ``deployment.kubernetes.io/revision-history``. The Deployment carries its new
  ReplicaSet's revision. kubectl reads them (kubernetes/kubectl pkg/polymorphichelpers/history.go
  DeploymentHistoryViewer, rollback.go DeploymentRollbacker, rollout_status.go --revision).
- Paused (sync.go checkPausedConditions): Progressing Unknown DeploymentPaused "Deployment is
  paused" when paused, Unknown DeploymentResumed "Deployment is resumed" when resumed; a
  Deployment that already timed out keeps ProgressDeadlineExceeded.
- minReadySeconds (kubernetes/kubernetes pkg/api/v1/pod/util.go IsPodAvailable, used by
  pkg/controller/replicaset/replica_set.go calculateStatus): a ready pod is available once its
  Ready condition's lastTransitionTime plus minReadySeconds is before now.
"""

from __future__ import annotations

import datetime
from typing import Any

from tests.emulators.kube.controllers.rollout import condition

REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
# deployment_util.go annotationsToSkip: never copied from the Deployment to its ReplicaSets.
SKIPPED = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION,
        REVISION_HISTORY,
        DESIRED_REPLICAS,
        MAX_REPLICAS,
        "deprecated.deployment.rollback.to",
    }
)
# sync.go maxRevHistoryLengthInChars: the revision-history annotation keeps ~100 entries.
MAX_REVISION_HISTORY_CHARS = 2000
# deployment_util.go HasProgressDeadline: math.MaxInt32 means no deadline.
NO_DEADLINE = 2**31 - 1


def revision(obj: dict[str, Any]) -> int | None:
    """deployment_util.go Revision: the revision annotation as a number (0 when absent), None when
    it is not a number (MaxRevision skips such a ReplicaSet)."""
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION)
    if value is None:
        return 0
    try:
        return int(value)
    except ValueError:
        return None


def max_revision(replica_sets: list[dict[str, Any]]) -> int:
    """deployment_util.go MaxRevision."""
    return max([0, *(v for v in (revision(rs) for rs in replica_sets) if v is not None)])


def typed(value: Any) -> Any:
    """A value as it reads once decoded into Go's typed structs: a null field is an unset one
    (kubectl's rollback patch, encoded from a typed PodTemplateSpec, carries
    ``metadata.creationTimestamp: null``; apimachinery Semantic.DeepEqual sees no difference)."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return value


def without_hash(template: dict[str, Any]) -> dict[str, Any]:
    """``template`` without its pod-template-hash label, as the controller compares them (upstream:
    kubernetes/kubernetes pkg/controller/deployment/util/deployment_util.go EqualIgnoreHash)."""
    t: dict[str, Any] = typed(template)
    labels = (t.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        labels.pop("pod-template-hash", None)
    return t


def find_new(deployment: dict[str, Any], oldest_first: list[dict[str, Any]]) -> dict[str, Any] | None:
    """deployment_util.go FindNewReplicaSet: the oldest ReplicaSet whose template equals the
    Deployment's (EqualIgnoreHash: the pod-template-hash label left out)."""
    want = without_hash((deployment.get("spec") or {}).get("template") or {})
    return next((rs for rs in oldest_first if without_hash((rs.get("spec") or {}).get("template") or {}) == want), None)


def copy_deployment_annotations(deployment: dict[str, Any], annotations: dict[str, str]) -> bool:
    """deployment_util.go copyDeploymentAnnotationsToReplicaSet: every Deployment annotation but
    the skipped ones, added or changed in place (none removed). Whether one changed."""
    changed = False
    for k, v in ((deployment.get("metadata") or {}).get("annotations") or {}).items():
        if k in SKIPPED or annotations.get(k) == v:
            continue
        annotations[k] = v
        changed = True
    return changed


def set_replicas_annotations(annotations: dict[str, str], desired: int, most: int) -> bool:
    """deployment_util.go SetReplicasAnnotations: desired-replicas and max-replicas
    (spec.replicas + maxSurge), which proportional scaling reads."""
    changed = False
    for key, value in ((DESIRED_REPLICAS, str(desired)), (MAX_REPLICAS, str(most))):
        if annotations.get(key) != value:
            annotations[key] = value
            changed = True
    return changed


def set_new_revision(annotations: dict[str, str], new_revision: int) -> bool:
    """deployment_util.go SetNewReplicaSetAnnotations, its revision part: the revision only ever
    grows; a ReplicaSet that had one (a rolled-back template) keeps the old number in
    revision-history, oldest entries dropped past MAX_REVISION_HISTORY_CHARS."""
    old = annotations.get(REVISION)
    try:
        old_int = int(old) if old is not None else 0
    except ValueError:
        return False
    if old_int >= new_revision:
        return False
    annotations[REVISION] = str(new_revision)
    if old is not None:
        history = annotations.get(REVISION_HISTORY, "")
        entries = history.split(",") if history else []
        total = len(history) + len(old) + 1
        start = 0
        while total > MAX_REVISION_HISTORY_CHARS and start < len(entries):
            total -= len(entries[start]) + 1
            start += 1
        if total <= MAX_REVISION_HISTORY_CHARS:
            annotations[REVISION_HISTORY] = ",".join([*entries[start:], old])
    return True


def has_progress_deadline(spec: dict[str, Any]) -> bool:
    value = spec.get("progressDeadlineSeconds")
    return value is not None and int(value) != NO_DEADLINE


def paused_condition(spec: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any] | None:
    """sync.go checkPausedConditions: the Progressing condition of a paused or resumed Deployment
    (``current`` as it is otherwise)."""
    if not has_progress_deadline(spec) or (current is not None and current.get("reason") == "ProgressDeadlineExceeded"):
        return current
    paused_before = current is not None and current.get("reason") == "DeploymentPaused"
    if spec.get("paused") and not paused_before:
        return condition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused")
    if not spec.get("paused") and paused_before:
        return condition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed")
    return current


def _parse(stamp: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    except (TypeError, ValueError):
        return None


def ready_since(pod: dict[str, Any]) -> datetime.datetime | None:
    """When the pod's Ready condition turned True, or None when it is not Ready."""
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            if c.get("status") != "True":
                return None
            return _parse(str(c.get("lastTransitionTime"))) or datetime.datetime.min.replace(tzinfo=datetime.UTC)
    return None


def available_in(pod: dict[str, Any], min_ready_seconds: int, now: datetime.datetime) -> float | None:
    """pkg/api/v1/pod/util.go IsPodAvailable: 0 when the pod is available now (Ready, and
    minReadySeconds 0 or lastTransitionTime + minReadySeconds before now), the seconds until it
    will be when it is Ready but not yet available, None when it is not Ready."""
    since = ready_since(pod)
    if since is None:
        return None
    if min_ready_seconds == 0:
        return 0.0
    at = since + datetime.timedelta(seconds=min_ready_seconds)
    return 0.0 if at < now else (at - now).total_seconds() + 0.01
