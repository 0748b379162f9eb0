"""What KubeRay does to a RayService's clusters when its spec changes, as the apply plan says it
under the object (the engine's ApplyOptions.notes hook): a cluster replaced, updated in place, or
kept as it is because the change is not in the spec hash KubeRay compares (sizes, tolerations,
scheduling gates, suspend), and the warning where upgradeStrategy None keeps the old cluster
(ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayservice_controller.go)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from akscli.errors import AuthError
from akscli.ray.object_rules import upgrade_options_problem
from akscli.ray.pod_state import condition
from akscli.ray.service import DELETION_DELAY_SECONDS, INCREMENTAL_UPGRADE, service_status
from akscli.ray.spec import RAY_API

if TYPE_CHECKING:
    from akscli.kube.client import Kube


def kept_cluster_warning(existing: Mapping[str, Any] | None) -> str | None:
    """A warning when KubeRay will not roll a new cluster config out to ``existing``.

    With ``upgradeStrategy.type: None`` KubeRay prepares no new cluster for a changed
    ``rayClusterConfig`` and keeps serving on the old one, applying only the Serve config
    (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayservice_controller.go
    shouldPrepareNewCluster, isZeroDowntimeUpgradeEnabled).
    """
    if existing is None:
        return None
    if ((existing.get("spec") or {}).get("upgradeStrategy") or {}).get("type") != "None":
        return None
    name = existing["metadata"]["name"]
    return (
        f"RayService {name} has upgradeStrategy.type None: KubeRay applies the new Serve config but keeps "
        "its current Ray cluster, so cluster changes (image, resources, groups) are not rolled out; "
        f"set upgradeStrategy.type to NewCluster, or delete and redeploy {name}"
    )


def kept_upgrade_refusal(existing: Mapping[str, Any] | None, cluster_spec: Mapping[str, Any]) -> str | None:
    """Why KubeRay would refuse the RayService that ``ray service deploy`` leaves, or None.

    The deploy sets no ``upgradeStrategy``; under server-side apply one that another field manager
    set (kubectl, an ``akscli apply -f`` of a file under another manager) stays. With
    ``NewClusterWithIncrementalUpgrade`` KubeRay then holds the new spec to ValidateClusterUpgradeOptions
    (object_rules.upgrade_options_problem, the one copy) and refuses the whole RayService when it
    fails. Only akscli's own ownership (manager ``akscli``) is dropped by the deploy; without
    managedFields the strategy is taken to stay."""
    if existing is None:
        return None
    strategy = (existing.get("spec") or {}).get("upgradeStrategy") or {}
    if strategy.get("type") != INCREMENTAL_UPGRADE:
        return None
    owners = [
        str(entry.get("manager"))
        for entry in (existing.get("metadata") or {}).get("managedFields") or []
        if "f:upgradeStrategy" in (((entry.get("fieldsV1") or {}).get("f:spec")) or {})
    ]
    if owners and all(owner == "akscli" for owner in owners):
        return None
    return upgrade_options_problem(cluster_spec, strategy)


def _for_hashing(spec: Any, groups: int | None = None) -> Any:
    """A RayService's ``rayClusterConfig`` as KubeRay hashes it to decide whether a cluster is
    outdated: without suspend and upgradeStrategy, each worker group without replicas,
    minReplicas, maxReplicas and workersToDelete, no pod template's tolerations or schedulingGates
    (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayservice_controller.go
    rayClusterSpecForHashing; utils/util.go GenerateHashWithoutReplicasAndWorkersToDelete).
    ``groups``: only the first that many worker groups (isClusterSpecHashEqual, partial)."""
    import copy

    muted = copy.deepcopy(dict(spec)) if isinstance(spec, Mapping) else {}
    muted.pop("suspend", None)
    muted.pop("upgradeStrategy", None)
    pods = [(muted.get("headGroupSpec") or {}).get("template")]
    workers = list(muted.get("workerGroupSpecs") or [])[:groups]
    for group in workers:
        for key in ("replicas", "minReplicas", "maxReplicas"):
            group.pop(key, None)
        strategy = group.get("scaleStrategy")
        if isinstance(strategy, dict):
            strategy.pop("workersToDelete", None)
            if not strategy:
                group.pop("scaleStrategy")
        pods.append(group.get("template"))
    for template in pods:
        pod = (template or {}).get("spec") if isinstance(template, Mapping) else None
        if isinstance(pod, dict):
            pod.pop("tolerations", None)
            pod.pop("schedulingGates", None)
    muted["workerGroupSpecs"] = workers
    return muted


# A worker group's size fields and the `akscli ray cluster scale` flag for each.
_SIZE_FLAGS = {"replicas": "--replicas", "minReplicas": "--min", "maxReplicas": "--max"}


def plan_notes(
    current: Mapping[str, Any],
    applied: Mapping[str, Any],
    read_cluster: Callable[[str], Mapping[str, Any] | None] | None = None,
) -> list[str]:
    """What KubeRay does to a RayService's clusters when ``current`` becomes ``applied`` (the dry
    run's answer), as reconcileRayCluster, shouldUpdateCluster and shouldPrepareNewCluster decide
    (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayservice_controller.go):

    - a cluster spec that differs beyond replicas and tolerations replaces the pending cluster
      with a new one, even one still coming up; the replaced one goes rayClusterDeletionDelaySeconds
      later; worker groups only added at the end update it in place;
    - a change of only replicas, minReplicas or maxReplicas reaches no existing cluster: their
      hash annotation, which KubeRay compares, leaves them out; nor does a change of only
      tolerations, schedulingGates or suspend, which the hash leaves out too;
    - a pending cluster that is named but not created yet is made from the new spec.

    ``read_cluster`` reads a RayCluster by name: each cluster is compared with its own spec, which
    KubeRay made from the RayService spec it hashed (constructRayClusterForRayService); without it,
    or when a cluster cannot be read, with the stored ``rayClusterConfig``."""
    if applied.get("kind") != "RayService":
        return []
    if (condition(current, "RollbackInProgress") or {}).get("status") == "True":
        return []
    stored = (current.get("spec") or {}).get("rayClusterConfig") or {}
    new = (applied.get("spec") or {}).get("rayClusterConfig") or {}
    specs: dict[str, tuple[str, Mapping[str, Any]]] = {}  # cluster name -> (role, its spec)
    found_by_name: dict[str, Mapping[str, Any] | None] = {}
    for role, which in (("active", "activeServiceStatus"), ("pending", "pendingServiceStatus")):
        name = service_status(current, which).get("rayClusterName")
        if not name:
            continue
        found = read_cluster(str(name)) if read_cluster is not None else None
        if read_cluster is not None and found is None and role == "pending":
            # reconcileRayCluster: a named pending cluster without its object is created next.
            return [f"KubeRay has not created pending Ray cluster {name} yet: it makes it from this spec"]
        found_by_name[str(name)] = found
        specs[str(name)] = (role, (found or {}).get("spec") or stored)
    edited = _edited_by_hand(current, specs, found_by_name, stored)
    hand_note: list[str] = []
    if edited is not None:
        role, _ = specs[edited]
        specs[edited] = (role, stored)
        hand_note = [
            f"{role.capitalize()} Ray cluster {edited} was changed by hand since KubeRay made it: KubeRay compares the "
            "hash of the RayService spec it made the cluster from (its ray.io/hash-without-replicas-and-workers-"
            "to-delete annotation), not the cluster's spec, so this plan reads the change against the RayService's "
            "rayClusterConfig; the hand edit stays until KubeRay replaces the cluster"
        ]
    notes = hand_note + [
        note for name, (role, spec) in specs.items() if (note := _kept_size(name, role, spec, new, applied))
    ]
    notes += [note for name, (role, spec) in specs.items() if (note := _kept_unhashed(name, role, spec, stored, new))]
    pending = next((name for name, (role, _) in specs.items() if role == "pending"), None)
    kind = ((applied.get("spec") or {}).get("upgradeStrategy") or {}).get("type")
    active = next((name for name, (role, _) in specs.items() if role == "active"), None)
    if pending is None and active is not None and kind == INCREMENTAL_UPGRADE:
        said = _incremental_note(active, specs[active][1], new, applied)
        return notes + ([said] if said else [])
    if pending is None or kind not in (None, "NewCluster", INCREMENTAL_UPGRADE):  # isZeroDowntimeUpgradeEnabled
        return notes
    old = specs[pending][1]
    if _for_hashing(old) == _for_hashing(new):
        return notes
    had = len(old.get("workerGroupSpecs") or [])
    if len(new.get("workerGroupSpecs") or []) >= had and _for_hashing(old) == _for_hashing(new, had):
        return [
            *hand_note,
            f"KubeRay updates pending Ray cluster {pending} in place: only worker groups are added at the end",
        ]
    delay = (applied.get("spec") or {}).get("rayClusterDeletionDelaySeconds")
    return [
        *hand_note,
        f"KubeRay replaces pending Ray cluster {pending}, which is not serving yet, with a new cluster "
        f"and deletes {pending} {DELETION_DELAY_SECONDS if delay is None else int(delay)}s later "
        "(rayClusterDeletionDelaySeconds)",
    ]


def incremental_steps(step: int, surge: int) -> int | None:
    """How many traffic moves an incremental upgrade takes, or None when it never ends (a step
    of 0). Each reconcile pass moves traffic toward the new cluster by ``step`` percent, never past
    its Serve target_capacity, then, once traffic has caught up, lowers the old cluster's
    target_capacity by ``surge`` when both add up to more than 100, else raises the new one's by
    ``surge``; it ends with the old cluster at 0 and all traffic on the new one (upstream:
    ray-project/kuberay feeaf72f ray-operator/controllers/ray/rayservice_controller.go
    calculateTrafficRoutedPercent, reconcileServeTargetCapacity, reconcilePromotionAndServingStatus;
    utils/util.go IsIncrementalUpgradeComplete)."""
    if step <= 0 or surge <= 0:
        return None
    old_capacity, new_capacity, traffic, moves = 100, 0, 0, 0
    while not (old_capacity == 0 and traffic == 100):
        if traffic != new_capacity:
            traffic = min(100, traffic + step, new_capacity)
            moves += 1
        elif old_capacity + new_capacity > 100:
            old_capacity = max(0, old_capacity - surge)
        else:
            new_capacity = min(100, new_capacity + surge)
    return moves


def _incremental_note(
    active: str, old: Mapping[str, Any], new: Mapping[str, Any], applied: Mapping[str, Any]
) -> str | None:
    """What KubeRay does to a serving RayService whose upgradeStrategy is
    NewClusterWithIncrementalUpgrade when the change is one it rolls out on a new cluster
    (shouldPrepareNewCluster): the new cluster beside the old, Serve target_capacity raised by
    maxSurgePercent, traffic moved by stepSizePercent every intervalSeconds through the HTTPRoute's
    backend weights (createHTTPRoute), the old cluster deleted rayClusterDeletionDelaySeconds after
    the switch. The CRD defaults maxSurgePercent to 100; the other options are required
    (utils/validation.go ValidateClusterUpgradeOptions refuses the RayService without them)."""
    if _for_hashing(old) == _for_hashing(new):
        return None
    had = len(old.get("workerGroupSpecs") or [])
    if len(new.get("workerGroupSpecs") or []) >= had and _for_hashing(old) == _for_hashing(new, had):
        return None  # updated in place: no new cluster
    spec = applied.get("spec") or {}
    options = (spec.get("upgradeStrategy") or {}).get("clusterUpgradeOptions") or {}
    step, interval = options.get("stepSizePercent"), options.get("intervalSeconds")
    surge = options.get("maxSurgePercent", 100)
    if not (isinstance(step, int) and isinstance(interval, int) and isinstance(surge, int)):
        return None  # refused by KubeRay (ValidateClusterUpgradeOptions): no upgrade to describe
    moves = incremental_steps(step, surge)
    delay = spec.get("rayClusterDeletionDelaySeconds")
    name = (applied.get("metadata") or {}).get("name")
    how_long = (
        f"{moves} traffic steps, at least {(moves - 1) * interval}s once the new cluster is ready"
        if moves is not None
        else "never done: with a step or surge of 0 no traffic moves"
    )
    return (
        f"KubeRay upgrades RayService {name} incrementally (NewClusterWithIncrementalUpgrade): it makes a new "
        f"Ray cluster beside active cluster {active}, which keeps serving; once the new one is ready it raises "
        f"its Serve target_capacity by maxSurgePercent ({surge}%) at a time and moves stepSizePercent ({step}%) "
        f"of the traffic to it every intervalSeconds ({interval}s) through the HTTPRoute {name} on Gateway class "
        f"{options.get('gatewayClassName')}, lowering {active}'s target_capacity as the traffic follows "
        f"({how_long}); then it deletes {active} {DELETION_DELAY_SECONDS if delay is None else int(delay)}s later "
        "(rayClusterDeletionDelaySeconds)"
    )


HASH_ANNOTATION = "ray.io/hash-without-replicas-and-workers-to-delete"  # utils/constant.go


def _edited_by_hand(
    current: Mapping[str, Any],
    specs: Mapping[str, tuple[str, Mapping[str, Any]]],
    found: Mapping[str, Mapping[str, Any] | None],
    stored: Mapping[str, Any],
) -> str | None:
    """The cluster KubeRay compares the RayService's spec with (the pending one, else the active
    one) where its own spec no longer hashes as the stored rayClusterConfig: a hand edit, or None.

    KubeRay never reads a cluster's spec to decide: isClusterSpecHashEqual compares the hash
    annotation it wrote when it made (or last updated) the cluster with the hash of the RayService's
    spec (ray-project/kuberay feeaf72f ray-operator/controllers/ray/rayservice_controller.go
    shouldUpdateCluster, isClusterSpecHashEqual, shouldPrepareNewCluster). Once the RayService is
    observed at its generation (status.observedGeneration, written by every pass: calculateStatus)
    that cluster's annotation is the stored spec's hash (a differing spec would have made KubeRay
    prepare or update a cluster in that pass), so the stored spec stands in for the hash akscli
    cannot recompute (Go's JSON encoding of the typed spec)."""
    meta, status = current.get("metadata") or {}, current.get("status") or {}
    if ((current.get("spec") or {}).get("upgradeStrategy") or {}).get("type") == "None":
        return None  # KubeRay keeps an outdated cluster then (isZeroDowntimeUpgradeEnabled): no such rule
    if status.get("observedGeneration") is None or status.get("observedGeneration") != meta.get("generation"):
        return None
    roles = {role: name for name, (role, _) in specs.items()}
    name = roles.get("pending") or roles.get("active")
    cluster = found.get(name) if name else None
    if name is None or not cluster or HASH_ANNOTATION not in ((cluster.get("metadata") or {}).get("annotations") or {}):
        return None
    return name if _for_hashing(cluster.get("spec") or {}) != _for_hashing(stored) else None


def kube_plan_notes(kube: Kube, current: Mapping[str, Any], applied: Mapping[str, Any]) -> list[str]:
    """``plan_notes`` with each of the RayService's clusters read through ``kube`` (the apply
    engine's ApplyOptions.notes hook)."""
    if applied.get("kind") != "RayService" or not current:
        return []
    namespace = (applied.get("metadata") or {}).get("namespace")
    stored = (current.get("spec") or {}).get("rayClusterConfig") or {}

    def read(name: str) -> Mapping[str, Any] | None:
        try:
            return kube.get(RAY_API, "RayCluster", name, namespace)
        except AuthError:
            # One allowed to change the RayService but not to read its clusters: the notes
            # compare with the stored spec, as when no cluster can be read, and the plan goes on.
            return {"spec": stored}

    return plan_notes(current, applied, read)


def _kept_size(
    name: str, role: str, spec: Mapping[str, Any], new: Mapping[str, Any], applied: Mapping[str, Any]
) -> str | None:
    """The note for a cluster whose groups the new spec only resizes: KubeRay's hash leaves out
    replicas, minReplicas and maxReplicas (utils/util.go GenerateHashWithoutReplicasAndWorkersToDelete),
    so neither shouldUpdateCluster nor shouldPrepareNewCluster acts, and the cluster keeps its size.
    An autoscaled cluster is compared by its bounds only (the autoscaler owns replicas)."""
    if _for_hashing(spec) != _for_hashing(new):
        return None
    autoscaled = bool(spec.get("enableInTreeAutoscaling"))
    keys = [k for k in _SIZE_FLAGS if k != "replicas" or not autoscaled]
    have = {g.get("groupName"): g for g in spec.get("workerGroupSpecs") or []}
    commands = []
    for group in new.get("workerGroupSpecs") or []:
        mine = have.get(group.get("groupName")) or {}
        if all(mine.get(k) == group.get(k) for k in keys):
            continue
        flags = " ".join(f"{_SIZE_FLAGS[k]} {group.get(k)}" for k in keys if group.get(k) is not None)
        namespace = (applied.get("metadata") or {}).get("namespace")
        commands.append(f"akscli ray cluster scale {name} -n {namespace} --group {group.get('groupName')} {flags}")
    if not commands:
        return None
    return (
        f"KubeRay leaves {role} Ray cluster {name} at its current size: a change of only replicas, minReplicas "
        "or maxReplicas is not in the spec hash it compares; scale it now with: " + "; ".join(commands)
    )


# The fields KubeRay leaves out of a RayService cluster's spec hash besides the sizes, and so never
# rolls out by themselves: each pod template's tolerations and schedulingGates (utils/util.go
# GenerateHashWithoutReplicasAndWorkersToDelete: "External controllers like Kueue may inject these
# fields"), and suspend, which reaches a cluster only when KubeRay creates it (rayservice_controller.go
# rayClusterSpecForHashing, modifyRayCluster keeps the cluster's own).
_UNHASHED_POD_FIELDS = ("tolerations", "schedulingGates")


def _unhashed_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What changed from ``old`` to ``new`` (rayClusterConfigs) in fields KubeRay does not hash,
    as ``tolerations of the head``, ``schedulingGates of worker group gpu``, ``suspend``."""

    def pod(template_owner: Any) -> Mapping[str, Any]:
        spec = (
            ((template_owner or {}).get("template") or {}).get("spec") if isinstance(template_owner, Mapping) else None
        )
        return spec if isinstance(spec, Mapping) else {}

    old_groups = {g.get("groupName"): g for g in old.get("workerGroupSpecs") or [] if isinstance(g, Mapping)}
    pairs = [("the head", pod(old.get("headGroupSpec")), pod(new.get("headGroupSpec")))]
    for group in new.get("workerGroupSpecs") or []:
        if isinstance(group, Mapping) and group.get("groupName") in old_groups:
            name = group.get("groupName")
            pairs.append((f"worker group {name}", pod(old_groups[name]), pod(group)))
    changed = [
        f"{field} of {where}"
        for where, was, now in pairs
        for field in _UNHASHED_POD_FIELDS
        if was.get(field) != now.get(field)
    ]
    if bool(old.get("suspend")) != bool(new.get("suspend")):
        changed.append("suspend")
    return changed


def _kept_unhashed(
    name: str, role: str, spec: Mapping[str, Any], stored: Mapping[str, Any], new: Mapping[str, Any]
) -> str | None:
    """The note for a cluster KubeRay leaves as it is although the applied spec changes its
    tolerations, schedulingGates or suspend: with the cluster's hash equal to the new spec's,
    neither shouldUpdateCluster nor shouldPrepareNewCluster acts. The change is read from the
    stored RayService spec to the new one (the user's change), not from the cluster's spec, where
    Kueue may have put tolerations and gates of its own."""
    if _for_hashing(spec) != _for_hashing(new):
        return None
    changed = _unhashed_changes(stored, new)
    if not changed:
        return None
    pods = [c for c in changed if c != "suspend"]
    said = []
    if pods:
        said.append(
            f"KubeRay leaves {role} Ray cluster {name} as it is: a change of only " + ", ".join(pods) + " is not "
            "in the spec hash it compares (other controllers, such as Kueue, set tolerations and scheduling "
            "gates), so its pods keep what they have; the change reaches a new cluster with the next change "
            "KubeRay does compare (image, resources, ray start parameters, groups)"
        )
    if "suspend" in changed:
        said.append(
            f"KubeRay leaves {role} Ray cluster {name} as it is: rayClusterConfig.suspend reaches a cluster only "
            "when KubeRay creates it; to suspend the service, set the RayService's own spec.suspend"
        )
    return "; ".join(said)
