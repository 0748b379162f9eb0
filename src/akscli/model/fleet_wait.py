"""The wait of a model deployed through a KubeFleet hub: its placement has rolled out a resource
snapshot that holds what this deploy applied.

The placement's conditions describe the latest resource snapshot only. The hub takes a new one of
a changed selection resourceChangesCollectionDuration (15 s by default) after it first saw the
change, and no sooner than resourceSnapshotCreationMinimumInterval (30 s by default) after the last
one, and meanwhile the placement still shows the last one, rolled out and complete, with the
selectedResources of that snapshot (upstream: kubefleet-dev/kubefleet e160c1cd
pkg/utils/controller/resource_snapshot_resolver.go shouldCreateNewResourceSnapshotNow,
pkg/controllers/placement/controller.go handleResourceSnapshotByStrategy,
cmd/hubagent/options/placementmgmt.go). The revision record is written after every object of the
deploy, in the namespace the placement selects whole, and is named for the revision: a snapshot
that holds it was taken after the deploy, so it holds the objects as applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from akscli.kube import readiness
from akscli.kube.readiness import fleet as fleet_readiness
from akscli.kube.readiness.core import Readiness, Rule

# Kinds a fleet deploy applies that the placement does not select: itself and its update run.
NOT_PLACED = ("ClusterResourcePlacement", "ResourcePlacement", "ClusterStagedUpdateRun", "StagedUpdateRun")

Key = tuple[str, str, str | None, str]  # group, kind, namespace, name


def rolls_out_by_itself(obj: Mapping[str, Any]) -> bool:
    """A placement of the RollingUpdate strategy (the default): the hub snapshots what it selects.
    An External one's snapshot is its update run's (pkg/controllers/updaterun/initialization.go)."""
    if obj.get("kind") not in ("ClusterResourcePlacement", "ResourcePlacement"):
        return False
    strategy = ((obj.get("spec") or {}).get("strategy") or {}).get("type")
    return strategy != "External"


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def placed_keys(objects: Iterable[Mapping[str, Any]], record: Mapping[str, Any]) -> list[Key]:
    """What the placement must hold: every object applied but the placement and its run, and the
    revision record."""
    keys = []
    for obj in [*objects, record]:
        if obj.get("kind") in NOT_PLACED:
            continue
        meta = obj.get("metadata") or {}
        keys.append(
            (_group(str(obj.get("apiVersion", ""))), str(obj["kind"]), meta.get("namespace"), str(meta["name"]))
        )
    return keys


def _ref(key: Key) -> str:
    _, kind, namespace, name = key
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


def holding(keys: list[Key]) -> Rule:
    """For a placement that rolls out by itself: its own rule (readiness.fleet.placement), and, once
    that says ready, its selectedResources holding every key: else not ready yet, naming what the
    hub has not snapshot. Any other object: its kind's rule."""

    def rule(obj: Mapping[str, Any]) -> Readiness:
        if not rolls_out_by_itself(obj):
            return readiness.check(obj)  # its kind's own rule (a run, a restarted StatefulSet)
        verdict = fleet_readiness.placement(obj)
        if not verdict.ready:
            return verdict
        selected = {
            (str(r.get("group") or ""), str(r.get("kind")), r.get("namespace"), str(r.get("name")))
            for r in (obj.get("status") or {}).get("selectedResources") or []
            if isinstance(r, Mapping)
        }
        missing = [k for k in keys if k not in selected]
        if not missing:
            return verdict
        shown = ", ".join(_ref(k) for k in missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        return Readiness(
            False,
            message=(
                f"the hub has not yet taken a resource snapshot holding {shown}: it takes one "
                "resourceChangesCollectionDuration (15s by default) after it sees the change and no sooner than "
                "resourceSnapshotCreationMinimumInterval (30s by default) after the last, then rolls it out"
            ),
        )

    return rule
