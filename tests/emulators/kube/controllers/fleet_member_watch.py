"""The scheduler's MemberCluster watcher: which member changes make the scheduler pass over the
placements again (upstream: kubefleet-dev/kubefleet e160c1cd pkg/scheduler/watchers/membercluster/
watcher.go, SetupWithManager's predicate).

- A create is ignored: a new member counts once its status says it joined (it becomes eligible).
- A member being deleted (deletionTimestamp set) is ignored "until it is left": its bindings stay
  until the MemberCluster is gone (the delete event passes) or the scheduler runs for that
  placement for another reason, when the framework finds the member has left the fleet
  (pkg/scheduler/framework/frameworkutils.go classifyBindings, clustereligibilitychecker IsEligible).
- An update passes on a change of labels, a taint updated or deleted (not one added), a change of
  the set of properties or of a property's value (not of its observationTime), of the namespaces
  it reports, of its resource usage (capacity, allocatable, available), or when it becomes
  eligible; then the placements classifyPlacements keeps (utils.go: not a fully scheduled PickN
  or PickFixed). A heartbeat that stops (the member turning ineligible) passes nothing: the scheduler
  finds it ineligible the next time it runs, and keeps what it placed there (watcher.go, 2b).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.controllers.fleet_scheduler import ineligible


def _taints_updated_or_deleted(old: list[Any], new: list[Any]) -> bool:
    """isTaintsUpdatedOrDeleted: an old taint not among the new ones."""
    return any(taint not in new for taint in old)


def reschedules(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    """Whether the update from ``old`` to ``new`` passes the watcher's predicate (None: a create)."""
    if old is None:
        return False  # CreateFunc: "Ignoring create events for member cluster objects"
    if (new.get("metadata") or {}).get("deletionTimestamp"):
        return False  # "A member cluster is leaving the fleet, ignore until it is left"
    if ((old.get("metadata") or {}).get("labels") or {}) != ((new.get("metadata") or {}).get("labels") or {}):
        return True
    if _taints_updated_or_deleted(
        (old.get("spec") or {}).get("taints") or [], (new.get("spec") or {}).get("taints") or []
    ):
        return True
    old_status, new_status = old.get("status") or {}, new.get("status") or {}
    old_props, new_props = old_status.get("properties") or {}, new_status.get("properties") or {}
    if len(old_props) != len(new_props):
        return True
    if any(
        k not in new_props or (v or {}).get("value") != (new_props[k] or {}).get("value") for k, v in old_props.items()
    ):
        return True
    if (old_status.get("namespaces") or {}) != (new_status.get("namespaces") or {}):
        return True
    old_usage, new_usage = old_status.get("resourceUsage") or {}, new_status.get("resourceUsage") or {}
    if any((old_usage.get(f) or {}) != (new_usage.get(f) or {}) for f in ("capacity", "allocatable", "available")):
        return True
    return ineligible(old) is not None and ineligible(new) is None


def fully_scheduled_fixed_or_n(placement: Mapping[str, Any]) -> bool:
    """A PickFixed or PickN placement whose Scheduled condition is True for its generation
    (classifyPlacements and isPlacementFullyScheduled, pkg/scheduler/watchers/membercluster/utils.go):
    a member update does not make the scheduler pass over it. PickAll, or no policy, always passes."""
    policy = (placement.get("spec") or {}).get("policy")
    if policy is None or (policy.get("placementType") or "PickAll") == "PickAll":
        return False
    prefix = "ResourcePlacement" if (placement.get("metadata") or {}).get("namespace") else "ClusterResourcePlacement"
    generation = (placement.get("metadata") or {}).get("generation")
    return any(
        c.get("type") == prefix + "Scheduled"
        and c.get("status") == "True"
        and c.get("observedGeneration") == generation
        for c in (placement.get("status") or {}).get("conditions") or []
    )
