"""How the Deployment controller resizes its ReplicaSets when spec.replicas changes: one active
ReplicaSet takes the new size; a saturated new one makes the old ones 0; otherwise, in the middle
of a RollingUpdate, the change is shared between every active ReplicaSet in proportion to its size.

upstream: kubernetes/kubernetes pkg/controller/deployment/sync.go scale and isScalingEvent,
pkg/controller/deployment/util/deployment_util.go GetReplicaSetProportion, getReplicaSetFraction,
FindActiveOrLatest, IsSaturated, pkg/controller/controller_utils.go FilterActiveReplicaSets,
ReplicaSetsBySizeNewer, ReplicaSetsBySizeOlder. Pure functions: deployment.py writes the sizes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from tests.emulators.kube.controllers.deployment_revisions import DESIRED_REPLICAS, MAX_REPLICAS
from tests.emulators.kube.controllers.rollout import max_surge


def spec_replicas(rs: dict[str, Any]) -> int:
    return int((rs.get("spec") or {}).get("replicas", 1))


def _annotation(rs: dict[str, Any], key: str) -> int | None:
    value = (rs["metadata"].get("annotations") or {}).get(key)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def active(replica_sets: Sequence[dict[str, Any] | None]) -> list[dict[str, Any]]:
    """controller_utils.go FilterActiveReplicaSets: those whose spec.replicas is above 0."""
    return [rs for rs in replica_sets if rs is not None and spec_replicas(rs) > 0]


def is_scaling_event(deployment: dict[str, Any], new: dict[str, Any] | None, old: list[dict[str, Any]]) -> bool:
    """sync.go isScalingEvent: an active ReplicaSet whose desired-replicas annotation is not the
    Deployment's spec.replicas (one without the annotation is skipped)."""
    want = int((deployment.get("spec") or {}).get("replicas", 1))
    for rs in active([*old, new]):
        desired = _annotation(rs, DESIRED_REPLICAS)
        if desired is not None and desired != want:
            return True
    return False


def active_or_latest(new: dict[str, Any] | None, old: list[dict[str, Any]]) -> dict[str, Any] | None:
    """deployment_util.go FindActiveOrLatest: the one active ReplicaSet; none active, the new one
    or else the newest old one; several active, none."""
    every = [rs for rs in [*old, new] if rs is not None]
    running = active(every)
    if len(running) == 1:
        return running[0]
    if not running and every:
        return new if new is not None else max(old, key=_created)
    return None


def _created(rs: dict[str, Any]) -> tuple[str, str]:
    return (str(rs["metadata"].get("creationTimestamp") or ""), rs["metadata"]["name"])


def is_saturated(deployment: dict[str, Any], rs: dict[str, Any] | None) -> bool:
    """deployment_util.go IsSaturated: the new ReplicaSet asks spec.replicas, its desired-replicas
    annotation says so, and that many pods are available."""
    if rs is None:
        return False
    want = int((deployment.get("spec") or {}).get("replicas", 1))
    available = int((rs.get("status") or {}).get("availableReplicas") or 0)
    return spec_replicas(rs) == want and _annotation(rs, DESIRED_REPLICAS) == want and available == want


def _round(value: float) -> int:
    """k8s.io/utils/integer RoundToInt32: math.Round, halves away from zero."""
    return math.floor(value + 0.5) if value >= 0 else -math.floor(-value + 0.5)


def _fraction(rs: dict[str, Any], deployment: dict[str, Any]) -> int:
    """deployment_util.go getReplicaSetFraction: the ReplicaSet's share of the new maximum
    (replicas + maxSurge) against the maximum it was sized for (its max-replicas annotation, or
    the Deployment's status.replicas when that is missing or 0), less its size; the whole size,
    negative, when the Deployment scales to 0. The fall-back on an annotation of 0, and 0 when
    status.replicas is 0 too, are kubernetes/kubernetes#128535's (no division by 0)."""
    spec = deployment.get("spec") or {}
    want = int(spec.get("replicas", 1))
    size = spec_replicas(rs)
    if want == 0:
        return -size
    most = want + max_surge(spec, want)
    before = _annotation(rs, MAX_REPLICAS)
    if not before:
        before = int((deployment.get("status") or {}).get("replicas") or 0)
        if before == 0:
            return 0
    return _round(size * most / before) - size


def _proportion(rs: dict[str, Any], deployment: dict[str, Any], to_add: int, added: int) -> int:
    """deployment_util.go GetReplicaSetProportion: the fraction, never past what is left to add
    (min scaling up, max scaling down)."""
    if spec_replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = _fraction(rs, deployment)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def proportional_sizes(
    deployment: dict[str, Any], new: dict[str, Any] | None, old: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], int]]:
    """sync.go scale, the RollingUpdate branch: every active ReplicaSet (old and new) and its new
    size. allowedSize is replicas + maxSurge (0 when replicas is 0); the difference with what the
    active ReplicaSets ask is shared out largest first (newer first scaling up, older first scaling
    down), each by GetReplicaSetProportion; the leftover goes to the first (largest), never below 0.
    Each is then written through scaleReplicaSet, which also sets its replicas annotations."""
    spec = deployment.get("spec") or {}
    want = int(spec.get("replicas", 1))
    every = active([*old, new])
    allowed = want + max_surge(spec, want) if want > 0 else 0
    to_add = allowed - sum(spec_replicas(rs) for rs in every)
    if to_add > 0:  # ReplicaSetsBySizeNewer
        every.sort(key=_created, reverse=True)
        every.sort(key=spec_replicas, reverse=True)
    elif to_add < 0:  # ReplicaSetsBySizeOlder
        every.sort(key=_created)
        every.sort(key=spec_replicas, reverse=True)
    added = 0
    sizes: list[int] = []
    for rs in every:
        share = _proportion(rs, deployment, to_add, added) if to_add else 0
        sizes.append(spec_replicas(rs) + share)
        added += share
    if every and to_add:
        sizes[0] = max(0, sizes[0] + to_add - added)
    return list(zip(every, sizes, strict=True))
