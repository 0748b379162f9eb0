"""Per-member status rows of the KubeFleet hub simulator (see fleet.py): the conditions each member's
binding reports, the overrides that apply to it, and the failures a member annotated
``fleet.emulator/fail`` shows.

upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/placement/placement_status.go
(setPerClusterPlacementStatus, setResourcePlacementStatusBasedOnBinding),
pkg/controllers/workgenerator/controller.go (the binding's reasons and messages) and
pkg/utils/condition/condition.go.

A placement of objects whose availability the work applier cannot track (``untrackable``) is
Available True for the reason NotAllWorkAreAvailabilityTrackable (workgenerator/controller.go
setAllWorkAvailableCondition); the rollout controller then waits unavailablePeriodSeconds before it
counts the member ready (fleet_rollout).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from tests.emulators.kube.controllers import (
    fleet_apply_strategy,
    fleet_override_snapshots,
    fleet_report_diff,
    fleet_snapshots,
)
from tests.emulators.kube.controllers.fleet_conditions import REPORT_DIFF_TYPES, Clock, _cond, expected_types
from tests.emulators.kube.controllers.fleet_scheduler import PICKED, matches_selector
from tests.emulators.kube.controllers.fleet_scheduler import labels_of as _labels

P1 = "placement.kubernetes-fleet.io/v1"
FAIL_ANNOTATION = "fleet.emulator/fail"
# A member whose work applier takes this many seconds (of the simulator's clock) to apply new Works.
APPLY_SECONDS = "fleet.emulator/apply-seconds"
# A member whose API server serves none of these API groups (comma-separated), as a member without
# their CRDs: e.g. ``gateway.networking.k8s.io`` for one without Gateway API installed.
UNSERVED_GROUPS = "fleet.emulator/unserved-groups"
# pkg/utils/condition/reason.go WorkNotAvailabilityTrackableReason: the binding's Available reason
# when some Work is available only because its objects cannot be tracked.
UNTRACKABLE = "NotAllWorkAreAvailabilityTrackable"
# condition.WorkApplyInProcess: the work generator's Applied reason once it changed a binding's Works.
APPLYING = "ApplyInProgress"
# (group, kind) the work applier tracks (pkg/controllers/workapplier/availability_tracker.go
# trackInMemberClusterObjAvailabilityByGVR) or counts available at once as data (isDataResource).
# It matches GVRs (pkg/utils/common.go); the versions those name are the only ones served here.
TRACKED = {
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("", "Service"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("policy", "PodDisruptionBudget"),
}
DATA = {
    ("", "Namespace"),
    ("", "Secret"),
    ("", "ConfigMap"),
    ("rbac.authorization.k8s.io", "Role"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "RoleBinding"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("", "ServiceAccount"),
    ("networking.k8s.io", "NetworkPolicy"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "CSIStorageCapacity"),
    ("apps", "ControllerRevision"),
    ("networking.k8s.io", "IngressClass"),
    ("", "LimitRange"),
    ("", "ResourceQuota"),
    ("scheduling.k8s.io", "PriorityClass"),
}


def untrackable(resources: list[dict[str, Any]]) -> bool:
    """Whether some selected object is neither tracked nor data: its availability result is
    NotTrackable (trackInMemberClusterObjAvailabilityByGVR's default), a KAITO Workspace among them."""
    return any((r.get("group") or "", r.get("kind")) not in TRACKED | DATA for r in resources)


# The member's work applier maps each manifest's kind through its own API server's discovery before
# applying it (kubefleet-dev/kubefleet e160c1cd pkg/controllers/workapplier/preprocess.go
# decodeManifest: "failed to find GVR from member cluster client REST mapping: %w"; the caller wraps
# it as "failed to decode manifest: %w" with result type ApplyOrReportDiffResTypeDecodingErred,
# controller.go). A kind the member does not serve fails that manifest alone; the others are
# applied. status.go setManifestAppliedCondition writes Applied False, that reason, and
# "Failed to apply the manifest (error: %s)"; workgenerator/controller.go
# extractFailedResourcePlacementsFromWork copies it into the binding's failedPlacements with the
# manifest's group, version, kind, name and namespace (preprocess.go buildWorkResourceIdentifier).
DECODING_ERRED = "DecodingErred"


def decode_error(ident: Mapping[str, Any]) -> str:
    """The work applier's error for a kind the member does not serve; the RESTMapper's error is
    kubernetes/apimachinery pkg/api/meta/errors.go NoKindMatchError (one searched version)."""
    group_version = f"{ident['group']}/{ident['version']}" if ident.get("group") else ident["version"]
    return (
        "failed to decode manifest: failed to find GVR from member cluster client REST mapping: "
        f'no matches for kind "{ident["kind"]}" in version "{group_version}"'
    )


def no_kind_match(ident: Mapping[str, Any]) -> str:
    """The manifest's Applied message for a kind the member does not serve (kubefleet-dev/kubefleet
    pkg/controllers/workapplier/status.go setManifestAppliedCondition)."""
    return f"Failed to apply the manifest (error: {decode_error(ident)})"


def unserved(member: Mapping[str, Any], resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The selected resources of API groups the member does not serve (``UNSERVED_GROUPS``)."""
    text = ((member.get("metadata") or {}).get("annotations") or {}).get(UNSERVED_GROUPS) or ""
    groups = {g.strip() for g in text.split(",") if g.strip()}
    return [r for r in resources if (r.get("group") or "") in groups]


class MemberStatuses:
    """The per-member rows; mixed into FleetHubController (``failure`` and the rest are its)."""

    failure: str | None
    delay: float
    _applying: dict[tuple[str | None, str], dict[str, tuple[str, float]]]
    # The members each placement applied its objects on (the ReportDiff rows compare with them).
    _holding: dict[tuple[str | None, str], set[str]]
    _drifts: fleet_apply_strategy.Drifts
    _fields: fleet_apply_strategy.FieldManagers
    _carried: dict[tuple[str | None, str], dict[str, tuple[list[str], list[dict[str, str]]]]]
    _key: Callable[[Mapping[str, Any]], tuple[str | None, str]]
    requeue: Callable[[dict[str, Any], float], None]

    def _still_applying(self, placement: dict[str, Any], member: dict[str, Any], latest: str, roll: Any) -> bool:
        """Whether a member's work applier is still applying its binding's Works: the work generator
        wrote them when the binding moved to this resource snapshot or these override snapshots
        (Applied False, ApplyInProgress, pkg/controllers/workgenerator/controller.go Reconcile), and
        the member annotated ``fleet.emulator/apply-seconds`` reports Applied and Available that many
        seconds of the simulator's clock later (pkg/controllers/workapplier/controller.go: it applies,
        then tracks availability, and writes the Work's status). Others report at once."""
        name = member["metadata"]["name"]
        seconds = float(((member.get("metadata") or {}).get("annotations") or {}).get(APPLY_SECONDS) or 0)
        started = self._applying.setdefault(self._key(placement), {})
        works = json.dumps([latest, roll.overrides.get(name)], sort_keys=True)
        if started.get(name, ("",))[0] != works:
            started[name] = (works, Clock.monotonic())
        left = started[name][1] + seconds - Clock.monotonic()
        if left <= 0:
            return False
        self.requeue(placement, left + self.delay)
        return True

    def _carried_for(
        self, cluster: Any, placement: dict[str, Any], member: dict[str, Any]
    ) -> tuple[list[str], list[dict[str, str]]]:
        """The override snapshots the member's binding carries as the rollout controller left it this
        pass (fleet.py ``_carried``; the work generator applies those and the row names them:
        kubefleet-dev/kubefleet pkg/controllers/workgenerator/override.go, placement_status.go), or
        the latest that reach the member where it planned none (an External placement)."""
        found = self._carried.get(self._key(placement), {}).get(member["metadata"]["name"])
        return found if found is not None else self._overrides_for(cluster, placement, member)

    def _overrides_for(
        self, cluster: Any, placement: dict[str, Any], member: dict[str, Any], index: str | None = None
    ) -> tuple[list[str], list[dict[str, str]]]:
        """The override snapshots that reach ``member`` for what resource snapshot ``index`` (None: the
        latest) of ``placement`` holds."""
        ns = placement["metadata"].get("namespace")
        # The placement's key: namespace/name for a ResourcePlacement (controller.GetObjectKeyFromRequest).
        key = f"{ns}/{placement['metadata']['name']}" if ns else str(placement["metadata"]["name"])
        cro_names: list[str] = []
        ro_names: list[dict[str, str]] = []
        selected = _candidates(_snapshot_holds(cluster, placement, index))
        # The latest override snapshots, judged by the spec they hold (fleet_override_snapshots;
        # kubefleet-dev/kubefleet pkg/utils/overrider/overrider.go FetchAllMatchingOverridesForResourceSnapshot).
        for cro in fleet_override_snapshots.latest(cluster, "ClusterResourceOverride"):
            if self._override_applies(cro, key, member) and _selects(cro, selected):
                cro_names.append(str(cro["metadata"]["name"]))
        for ro in fleet_override_snapshots.latest(cluster, "ResourceOverride", ns):
            if self._override_applies(ro, key, member) and _selects(ro, selected):
                ro_names.append({"name": str(ro["metadata"]["name"]), "namespace": ro["metadata"]["namespace"]})
        return cro_names, ro_names

    @staticmethod
    def _override_applies(override: Mapping[str, Any], key: str, member: Mapping[str, Any]) -> bool:
        """FetchAllMatchingOverridesForResourceSnapshot's placement check (a reference names the placement's
        ``key``; a ResourceOverride's Namespaced one is its-namespace/name; none: any placement), then
        isClusterMatched for ``member``. A ClusterResourceOverride's reference, a name, never names a
        ResourcePlacement (namespace/name)."""
        spec = override.get("spec") or {}
        ref = spec.get("placement")
        if ref is not None:
            named = str(ref.get("name"))
            if override.get("kind") == "ResourceOverride" and ref.get("scope") == "Namespaced":
                named = f"{override['metadata']['namespace']}/{named}"
            if named != key:
                return False
        # upstream: kubefleet-dev/kubefleet e160c1cd pkg/utils/overrider/overrider.go IsClusterMatched:
        # no clusterSelector matches no member, no terms every member, else any term's labelSelector
        # through LabelSelectorAsSelector (nil: labels.Nothing(); the webhook refuses a term without
        # one, pkg/utils/validator/resourceoverride.go validateOverridePolicy)
        for rule in (spec.get("policy") or {}).get("overrideRules") or []:
            if rule.get("clusterSelector") is None:
                continue
            terms = rule["clusterSelector"].get("clusterSelectorTerms") or []
            if not terms or any(
                t.get("labelSelector") is not None and matches_selector(t["labelSelector"], _labels(member))
                for t in terms
            ):
                return True
        return False

    def _applying_status(
        self, cluster: Any, placement: dict[str, Any], member: dict[str, Any], generation: int, index: str
    ) -> dict[str, Any]:
        """A member whose Works the hub's work generator just rewrote, as it says (Applied False,
        WorkApplyInProcess "ApplyInProgress": pkg/controllers/workgenerator/controller.go Reconcile):
        one whose member agent is not connected, moved to a new resource snapshot (nothing from the
        member comes to change it), or one whose work applier is still applying
        (``APPLY_SECONDS``). The row stops at that False condition
        (setResourcePlacementStatusBasedOnBinding)."""
        name = member["metadata"]["name"]
        cros, ros = self._carried_for(cluster, placement, member)
        overridden = (
            ("OverriddenSucceeded", "Successfully applied the override rules on the resources")
            if cros or ros
            else ("NoOverrideSpecified", "No override rules are configured for the selected resources")
        )
        started = "Detected the new changes on the resources and started the rollout process"
        return {
            "clusterName": name,
            "observedResourceIndex": index,
            "conditions": [
                _cond("Scheduled", True, "Scheduled", PICKED.format(name=name), generation),
                _cond("RolloutStarted", True, "RolloutStarted", started, generation),
                _cond("Overridden", True, *overridden, generation),
                _cond(
                    "WorkSynchronized",
                    True,
                    "AllWorkSynced",
                    "All of the works are synchronized to the latest",
                    generation,
                ),
                _cond("Applied", False, APPLYING, "Resources are being applied", generation),
            ],
        }

    def _cluster_status(
        self,
        cluster: Any,
        placement: dict[str, Any],
        member: dict[str, Any],
        resources: list[dict[str, Any]],
        rolled: bool,
        generation: int,
        index: str = "0",
    ) -> dict[str, Any]:
        name = member["metadata"]["name"]
        fail = ((member.get("metadata") or {}).get("annotations") or {}).get(FAIL_ANNOTATION) or (
            self.failure if self.failure in ("apply", "available", "drift") else None
        )
        entry: dict[str, Any] = {"clusterName": name, "observedResourceIndex": index}
        conds = [_cond("Scheduled", True, "Scheduled", PICKED.format(name=name), generation)]
        if not rolled:
            # A binding the update run has not bound yet has no RolloutStarted condition, and no
            # resource snapshot (setPerClusterPlacementStatus, placement_status.go).
            conds.append(
                _cond(
                    "RolloutStarted",
                    None,
                    "RolloutStartedUnknown",
                    "In the process of deciding whether to roll out the latest resources or not",
                    generation,
                )
            )
            entry["observedResourceIndex"] = ""
            entry["conditions"] = conds
            return entry
        cros, ros = self._carried_for(cluster, placement, member)
        conds.append(
            _cond(
                "RolloutStarted",
                True,
                "RolloutStarted",
                "Detected the new changes on the resources and started the rollout process",
                generation,
            )
        )
        if cros or ros:
            conds.append(
                _cond(
                    "Overridden",
                    True,
                    "OverriddenSucceeded",
                    "Successfully applied the override rules on the resources",
                    generation,
                )
            )
            if cros:
                entry["applicableClusterResourceOverrides"] = cros
            if ros:
                entry["applicableResourceOverrides"] = ros
        else:
            conds.append(
                _cond(
                    "Overridden",
                    True,
                    "NoOverrideSpecified",
                    "No override rules are configured for the selected resources",
                    generation,
                )
            )
        conds.append(
            _cond(
                "WorkSynchronized",
                True,
                "AllWorkSynced",
                "All of the works are synchronized to the latest",
                generation,
            )
        )
        target = resources[-1] if resources else {"group": "", "version": "v1", "kind": "Namespace", "name": "unknown"}
        # A per-member condition is its binding's (setResourcePlacementStatusBasedOnBinding,
        # placement_status.go); the binding's reason and message are the work generator's
        # (pkg/controllers/workgenerator/controller.go), naming the first Work object
        # (FirstWorkNameFmt "%s-work", "<namespace>.<name>-work" for a ResourcePlacement).
        meta = placement["metadata"]
        work = (f"{meta['namespace']}.{meta['name']}" if meta.get("namespace") else meta["name"]) + "-work"
        unmapped = unserved(member, resources)
        holding = self._holding.setdefault(self._key(placement), set())
        if expected_types(placement) == REPORT_DIFF_TYPES:
            # ReportDiff: nothing is applied; DiffReported replaces Applied and Available
            # (CondTypesForReportDiffApplyStrategy, kubefleet-dev/kubefleet pkg/utils/condition/condition.go),
            # and the rest is fleet_report_diff's.
            before = next(
                (
                    s
                    for s in (placement.get("status") or {}).get("placementStatuses") or []
                    if s.get("clusterName") == name
                ),
                None,
            )
            # A member that had the objects before Fleet (fleet_apply_strategy.PRE_EXISTING) is compared
            # with them: ReportDiff works whoever owns them (ApplyStrategy.Type's doc, kubefleet-dev/kubefleet
            # apis/placement/v1beta1/clusterresourceplacement_types.go).
            had = None if name in holding else fleet_apply_strategy.pre_existing(member)
            holds = name in holding or had is not None
            drifted = fail == "drift" or had in ("differs", "managed")
            failed = {fleet_report_diff.ident(r): ("DecodingErred", decode_error(r)) for r in unmapped}
            # An object another owner holds fails its takeover before any diff is reported
            # (fleet_apply_strategy.report_diff_failure).
            refused = fleet_apply_strategy.report_diff_failure(placement, member, resources, owned=name in holding)
            if refused is not None:
                failed.setdefault(fleet_report_diff.ident(refused[0]), ("FailedToTakeOver", refused[1]))
            # The member's work applier reports each manifest on the Work (its status, on the hub:
            # kubefleet-dev/kubefleet pkg/controllers/workapplier/status.go).
            fleet_report_diff.write_work(cluster, name, work, resources, holds=holds, drifted=drifted, failed=failed)
            return fleet_report_diff.row(
                conds,
                entry,
                resources,
                work=work,
                holds=holds,
                drifted=drifted,
                unmapped=unmapped + ([refused[0]] if refused is not None else []),
                before=before,
                generation=generation,
            )
        # ClientSideApply, ServerSideApply: what the apply strategy lets the work applier do with objects
        # the member had before and with ones changed there (fleet_apply_strategy; kubefleet-dev/kubefleet
        # pkg/controllers/workapplier/process.go processOneManifest).
        # The drifted object's manifest: its content and the overrides that change it, no others.
        touching = _touching(cluster, (cros, ros), target)
        manifest = json.dumps([fleet_snapshots.held_content(cluster, placement, index, target), *touching])
        drift = fail == "drift" and self._drifts.holds(self._key(placement), name, manifest)
        # Who else manages the field the apply touches (a test fault's state, the managed and drift
        # faults): a ServerSideApply conflicts with them (kubernetes-sigs/structured-merge-diff
        # merge/update.go Updater.Apply), as kubefleet-dev/kubefleet pkg/controllers/workapplier/
        # apply.go serverSideApply reports.
        fields = self._fields.fields_for(self._key(placement), member, fail, manifest)
        label_drift = fail == "label-drift" and fleet_apply_strategy.strategy(placement)["whenToApply"] == "Always"
        strategy = fleet_apply_strategy.outcome(
            placement, member, resources, owned=name in holding, drift=drift, fields=fields, label_drift=label_drift
        )
        if strategy.owned:
            # It applied what it could: the member has the placement's objects from now on, also after
            # a change to ReportDiff (fleet_report_diff).
            holding.add(name)
        if unmapped:
            conds.append(
                _cond(
                    "Applied", False, "NotAllWorkHaveBeenApplied", f"Work object {work} has failed to apply", generation
                )
            )
            entry["failedPlacements"] = [
                {**ident, "condition": _cond("Applied", False, DECODING_ERRED, no_kind_match(ident), generation)}
                for ident in unmapped
            ]
        elif strategy.failed:
            fleet_apply_strategy.failed_row(entry, conds, strategy, work, generation)
        elif fail == "apply":
            conds.append(
                _cond(
                    "Applied", False, "NotAllWorkHaveBeenApplied", f"Work object {work} has failed to apply", generation
                )
            )
            entry["failedPlacements"] = [
                {
                    **target,
                    "condition": _cond(
                        "Applied",
                        False,
                        "ManifestApplyFailed",
                        "Failed to apply the manifest: the object is owned by another placement",
                        generation,
                    ),
                }
            ]
        else:
            conds.append(
                _cond(
                    "Applied",
                    True,
                    "AllWorkHaveBeenApplied",
                    "All corresponding work objects are applied",
                    generation,
                )
            )
            if fail == "available":
                conds.append(
                    _cond(
                        "Available",
                        False,
                        "NotAllWorkAreAvailable",
                        f"Work object {work} is not yet available",
                        generation,
                    )
                )
                entry["failedPlacements"] = [
                    {
                        **target,
                        "condition": _cond(
                            "Available",
                            False,
                            "ManifestNotAvailableYet",
                            "Deployment has 0 of 2 replicas available",
                            generation,
                        ),
                    }
                ]
            elif untrackable(resources):
                conds.append(
                    _cond(
                        "Available",
                        True,
                        UNTRACKABLE,
                        f"The availability of work object {work} is not trackable",
                        generation,
                    )
                )
            else:
                conds.append(
                    _cond(
                        "Available",
                        True,
                        "AllWorkAreAvailable",
                        "All corresponding work objects are available",
                        generation,
                    )
                )
            if strategy.drifted:
                # Applied with drifts left (FullComparison): the work generator copies them to the
                # binding whatever Applied and Available say (kubefleet-dev/kubefleet e160c1cd
                # pkg/controllers/workgenerator/controller.go, the default case), and the placement
                # controller to the row (placement_status.go setResourcePlacementStatusBasedOnBinding).
                entry["driftedPlacements"] = strategy.drifted
        entry["conditions"] = conds
        return entry


CRO, RO = "ClusterResourceOverride", "ResourceOverride"


def _touching(
    cluster: Any, carried: tuple[list[str], list[dict[str, str]]], target: Mapping[str, Any]
) -> tuple[list[str], list[dict[str, str]]]:
    """Of the override snapshots a binding carries, those that change ``target``
    (kubefleet-dev/kubefleet pkg/controllers/workgenerator/override.go applyOverrides: a
    ClusterResourceOverride keyed by the object or, for a namespaced one, by its Namespace; a
    ResourceOverride by the object)."""
    selected = _candidates([dict(target)])
    cros = [n for n in carried[0] if _changes(fleet_override_snapshots.named(cluster, CRO, None, n), selected)]
    ros = [
        r
        for r in carried[1]
        if _changes(fleet_override_snapshots.named(cluster, RO, r["namespace"], r["name"]), selected)
    ]
    return cros, ros


def _changes(override: Mapping[str, Any] | None, selected: tuple[set[tuple[str, ...]], set[tuple[str, ...]]]) -> bool:
    return override is not None and _selects(override, selected)


# upstream: kubefleet-dev/kubefleet e160c1cd pkg/utils/overrider/overrider.go
# FetchAllMatchingOverridesForResourceSnapshot, addCandidatesFromResource: an override counts for a
# placement only when a resource selector names an object its latest resource snapshot holds (a
# ClusterResourceOverride: a cluster-scoped object, or the Namespace of a namespaced one; a
# ResourceOverride: a namespaced object of its own namespace). Envelopes are not modelled.
def _snapshot_holds(cluster: Any, placement: Mapping[str, Any], index: str | None) -> list[dict[str, Any]]:
    """What the placement's resource snapshot ``index`` (None: its latest) holds (an External placement
    has none until a run makes one: then nothing)."""
    index = index if index is not None else fleet_snapshots.latest_index(cluster, placement)
    return fleet_snapshots.identifiers(cluster, placement, index) if index is not None else []


def _candidates(selection: list[dict[str, Any]]) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    cro: set[tuple[str, ...]] = set()
    ro: set[tuple[str, ...]] = set()
    for r in selection:
        gvk = (str(r.get("group") or ""), str(r.get("version") or ""), str(r["kind"]))
        if r.get("namespace"):
            cro.add(("", "v1", "Namespace", str(r["namespace"])))
            ro.add((*gvk, str(r["namespace"]), str(r["name"])))
        else:
            cro.add((*gvk, str(r["name"])))
    return cro, ro


def _selects(override: Mapping[str, Any], candidates: tuple[set[tuple[str, ...]], set[tuple[str, ...]]]) -> bool:
    spec = override.get("spec") or {}
    if override.get("kind") == "ClusterResourceOverride":
        keys = [
            (s.get("group") or "", s["version"], s["kind"], s.get("name") or "")
            for s in spec.get("clusterResourceSelectors") or []
        ]
        return any(k in candidates[0] for k in keys)
    namespace = override["metadata"]["namespace"]
    keys = [
        (s.get("group") or "", s["version"], s["kind"], namespace, s["name"])
        for s in spec.get("resourceSelectors") or []
    ]
    return any(k in candidates[1] for k in keys)
