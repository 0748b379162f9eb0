"""What a member's work applier does with a placement's apply strategy under ClientSideApply and
ServerSideApply (see fleet_member_status.py): take over objects the member already had, and stop
applying where the member's object drifted.

upstream: kubefleet-dev/kubefleet e160c1cd
- apis/placement/v1beta1/clusterresourceplacement_types.go ApplyStrategy: comparisonOption
  (PartialComparison), whenToApply (Always) and whenToTakeOver (Always) and their defaults.
- pkg/controllers/workapplier/process.go processOneManifest, in this order:
  takeOverInMemberClusterObjectIfApplicable (shouldInitiateTakeOverAttempt: an object the member has
  that this Work does not own, unless whenToTakeOver is Never), then canApplyWithOwnership (an object
  Fleet does not own is not applied: NotTakenOver, "no ownership of the object in the member
  cluster; takeover is needed"), then performPreApplyDriftDetectionIfApplicable (whenToApply
  IfNotDrifted, and the hub's manifest is the one last applied: drifts stop the apply, FoundDrifts,
  "cannot apply manifest: drifts are found between the manifest and the object from the member
  cluster"), then the apply (which overwrites what changed in the fields the manifest sets), then
  performPostApplyDriftDetectionIfApplicable (FullComparison only: drifts in fields the manifest
  does not set, which the apply leaves).
- pkg/controllers/workapplier/drift_detection_takeover.go takeOverPreExistingObject: under IfNoDiff
  an object that differs (by comparisonOption) is not taken over: FailedToTakeOver, "cannot take
  over object: configuration differences are found between the manifest object and the
  corresponding object in the member cluster", with the diffs.
- pkg/controllers/workapplier/status.go setManifestAppliedCondition: Applied False, the result type
  as reason, "Failed to apply the manifest (error: %s)".
- pkg/controllers/workgenerator/controller.go: the binding's Applied False, NotAllWorkHaveBeenApplied,
  "Work object %s has failed to apply" (setAllWorkAppliedCondition), and the failed manifests in
  failedPlacements with their diffs in diffedPlacements and drifts in driftedPlacements.

The simulator knows no member's objects. A member annotated ``fleet.emulator/pre-existing`` (a test
fault, no upstream annotation) had the placement's objects before Fleet placed them: ``same`` as the
hub's, or ``differs`` (the last selected object's /spec/replicas), owned by nothing; or ``owned``, the
same but the last one owned by another object there, which Fleet takes over only under
allowCoOwnership (kubefleet-dev/kubefleet pkg/controllers/workapplier/drift_detection_takeover.go
takeOverPreExistingObject: "the object is already owned by some other sources(s) and co-ownership is
disallowed"), also under ReportDiff, where kubefleet-dev/kubefleet
pkg/controllers/workapplier/process.go processOneManifest attempts the takeover before
reportDiffOnlyIfApplicable (once taken over with allowCoOwnership, the other owner stays: turned off,
every apply fails in pkg/controllers/workapplier/apply.go validateOwnerReferences, CO_OWNED_APPLY);
or ``managed``, differing as ``differs`` does with /spec/replicas managed
there by another field manager (``kubectl-client-side-apply``, an Update; ``FieldManagers`` follows who
manages it as the strategy changes). Under ServerSideApply
without serverSideApplyConfig.force the apply fails on that field: kubefleet-dev/kubefleet
pkg/controllers/workapplier/apply.go serverSideApply sends Force only when asked
(shouldUseForcedServerSideApply forces it by itself only while every field manager is Fleet's or
``before-first-apply``), and wraps the API server's conflict as "failed to apply the manifest object:
an error is returned by the API server: %w", which pkg/controllers/workapplier/process.go
processOneManifest wraps again ("failed to apply the manifest: %w",
ApplyOrReportDiffResTypeFailedToApply, "ManifestApplyFailed" in
pkg/controllers/workapplier/controller.go). ClientSideApply's three-way merge patch
(pkg/controllers/workapplier/apply.go threeWayMergePatch) has no conflicts.
One annotated ``fleet.emulator/fail: drift`` (a test fault, no upstream annotation)
has the last object changed there at /spec/replicas after Fleet applied the manifest it first saw
(``Drifts``). A new manifest of that object (the hub's object changed, or the override snapshots that
reach the member) is applied over the change, as shouldPerformPreApplyDriftDetection
(kubefleet-dev/kubefleet pkg/controllers/workapplier/process.go) runs the pre-apply drift detection
only while the manifest's hash is the one last applied (the kubernetes-fleet.io/spec-hash annotation,
kubefleet-dev/kubefleet apis/placement/v1beta1/work_types.go ManifestHashAnnotation, set by
pkg/controllers/workapplier/apply.go setManifestHashAnnotation): from then on the member holds
no drift. Drift in fields the manifest does not set is not modelled, so FullComparison reports what
PartialComparison does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.emulators.kube.controllers.fleet_conditions import _cond, _now
from tests.emulators.kube.ssa import conflict_message

PRE_EXISTING = "fleet.emulator/pre-existing"
CHANGED_REPLICAS = [{"path": "/spec/replicas", "valueInHub": "2", "valueInMember": "5"}]
NOT_TAKEN_OVER = "no ownership of the object in the member cluster; takeover is needed"
DIFFERS = (
    "cannot take over object: configuration differences are found between the manifest object and the "
    "corresponding object in the member cluster"
)
DRIFTED = "cannot apply manifest: drifts are found between the manifest and the object from the member cluster"


@dataclass
class Outcome:
    """What the work applier reports: the failed manifests (reason, error) with their diffs and drifts."""

    owned: bool
    failed: list[tuple[dict[str, Any], str, str]] = field(default_factory=list)
    diffed: list[dict[str, Any]] = field(default_factory=list)
    drifted: list[dict[str, Any]] = field(default_factory=list)


# The API server's conflict for the one field another manager holds (kubernetes/kubernetes
# staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go NewConflictError, as
# tests/emulators/kube/ssa.py writes it), wrapped by kubefleet-dev/kubefleet
# pkg/controllers/workapplier/apply.go serverSideApply and pkg/controllers/workapplier/process.go
# processOneManifest. The other manager's name is a test fault, no upstream default.
CONFLICT_MANAGER = ("kubectl-client-side-apply", "Update")
# Who changed a ``fleet.emulator/fail: drift`` member's object there: kubectl edit, whose field manager is
# "kubectl-edit" (kubernetes/kubectl pkg/cmd/edit/edit.go AddFieldManagerFlagVar), an Update.
EDIT_MANAGER = ("kubectl-edit", "Update")
SSA_CONFLICT = (
    "failed to apply the manifest: failed to apply the manifest object: an error is returned by the API server: "
    "{conflict}"
)


# kubefleet-dev/kubefleet pkg/controllers/workapplier/drift_detection_takeover.go
# takeOverPreExistingObject, wrapped by pkg/controllers/workapplier/process.go
# takeOverInMemberClusterObjectIfApplicable ("failed to take over a pre-existing object: %w"); the owner
# references as Go's %+v writes a []metav1.OwnerReference whose Controller and BlockOwnerDeletion are nil
# (the other owner, a ReplicaSet named other-owner, is a test fault).
CO_OWNED = (
    "failed to take over a pre-existing object: the object is already owned by some other sources(s) and "
    "co-ownership is disallowed (existingOwnerRefs: [{APIVersion:apps/v1 Kind:ReplicaSet Name:other-owner "
    "UID:other-owner-uid Controller:<nil> BlockOwnerDeletion:<nil>}])"
)
# kubefleet-dev/kubefleet pkg/controllers/workapplier/apply.go validateOwnerReferences, wrapped by apply
# ("failed to validate owner references: %w") and pkg/controllers/workapplier/process.go
# processOneManifest ("failed to apply the manifest: %w", ManifestApplyFailed): an object Fleet took
# over with allowCoOwnership keeps its other owner, and once allowCoOwnership is off every apply fails.
CO_OWNED_APPLY = (
    "failed to apply the manifest: failed to validate owner references: object is co-owned by multiple "
    "objects but co-ownership has been disallowed"
)
# kubefleet-dev/kubefleet pkg/controllers/workapplier/controller.go workFieldManagerName: the field
# manager of every create, patch and apply the work applier sends (apply.go createManifestObject,
# threeWayMergePatch and serverSideApply). A create or a patch is an Update in managedFields, an apply an
# Apply (kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go
# ManagedFieldsOperationType), and the API server keeps them as two managers.
FLEET_MANAGER = "work-api-agent"


def strategy(placement: Mapping[str, Any]) -> dict[str, str]:
    """The placement's applyStrategy with the CRD's defaults filled in (kubefleet-dev/kubefleet
    apis/placement/v1beta1/clusterresourceplacement_types.go ApplyStrategy; allowCoOwnership and
    serverSideApplyConfig.force "true" when set, "" otherwise, an emulator encoding)."""
    given = ((placement.get("spec") or {}).get("strategy") or {}).get("applyStrategy") or {}
    defaults = {"comparisonOption": "PartialComparison", "whenToApply": "Always", "whenToTakeOver": "Always"}
    found = {k: str(v) for k, v in given.items() if isinstance(v, str)}
    forced = ((given.get("serverSideApplyConfig") or {}).get("force")) is True
    return {
        **defaults,
        **found,
        "allowCoOwnership": "true" if given.get("allowCoOwnership") is True else "",
        "force": "true" if forced else "",
    }


class Drifts:
    """The manifest each ``fleet.emulator/fail: drift`` member drifted from, per placement (emulator
    state for a test fault; upstream compares the kubernetes-fleet.io/spec-hash annotation instead)."""

    def __init__(self) -> None:
        self._from: dict[tuple[str | None, str], dict[str, str]] = {}

    def holds(self, placement: tuple[str | None, str], member: str, manifest: str) -> bool:
        """Whether the member's drift still stands: the manifest is the one it drifted from (the first
        seen); a new one was applied over the drift (kubefleet-dev/kubefleet
        pkg/controllers/workapplier/process.go shouldPerformPreApplyDriftDetection)."""
        return self._from.setdefault(placement, {}).setdefault(member, manifest) == manifest

    def forget(self, placement: tuple[str | None, str]) -> None:
        """The placement is gone, and with its Works what the members applied (kubefleet-dev/kubefleet
        pkg/controllers/workapplier/controller.go garbageCollectAppliedWork deletes a deleted Work's
        AppliedWork, which owns the objects the member applied)."""
        self._from.pop(placement, None)


class FieldManagers:
    """Who manages the last selected object's /spec/replicas on each member, per placement, and the
    manifest its value came from (emulator state; upstream it is the member object's managedFields).

    The simulator models that one field, as the ``managed`` and ``drift`` faults do, and takes a new
    manifest of the object (the drift ``manifest``) for a new value of it. On a ``managed`` member another
    manager holds it (``kubectl-client-side-apply``, which also keeps the other fields it set); on a
    ``drift`` member ``kubectl edit`` took it (EDIT_MANAGER) and holds nothing else. Elsewhere Fleet
    created the object (an Update by work-api-agent) and every manager is Fleet's: there is nothing to
    track (``fields_for`` gives None)."""

    def __init__(self) -> None:
        self._fields: dict[tuple[str | None, str], dict[str, tuple[frozenset[tuple[str, str]], str]]] = {}

    def apply(
        self,
        placement: tuple[str | None, str],
        member: str,
        manifest: str,
        how: str,
        force: bool,
        *,
        first: tuple[str, str],
        keeps_fields: bool,
    ) -> list[tuple[str, str]]:
        """One apply of ``manifest`` (``how``: ClientSideApply or ServerSideApply) to an object whose
        field ``first`` held before Fleet applied there (``keeps_fields``: that manager also holds other
        fields of it): the (manager, operation) entries that conflict (none: it is applied, and the
        field's owners and value change).

        kubernetes-sigs/structured-merge-diff merge/update.go Updater.Update and Updater.Apply: an Update
        takes the fields it changes from every other manager; an Apply conflicts with each other manager
        (an Update of the same name is another manager) of a field whose value it changes, unless forced,
        and then takes the field; one that changes nothing shares the field. threeWayMergePatch is an
        Update, so ClientSideApply never conflicts. kubefleet-dev/kubefleet
        pkg/controllers/workapplier/apply.go shouldUseForcedServerSideApply forces the apply by itself
        while every manager of the object is work-api-agent (or before-first-apply): a ClientSideApply
        placement switched to ServerSideApply has no conflict on an object Fleet alone manages."""
        owners, value = self._fields.setdefault(placement, {}).get(member, (frozenset({first}), ""))
        changed = value != manifest
        if how != "ServerSideApply":
            if changed:
                owners = frozenset({(FLEET_MANAGER, "Update")})
        else:
            others = sorted(o for o in owners if o != (FLEET_MANAGER, "Apply"))
            foreign = keeps_fields or any(name != FLEET_MANAGER for name, _ in owners)
            if changed and others and not (force or not foreign):
                return others
            owners = frozenset({(FLEET_MANAGER, "Apply")}) if changed else owners | {(FLEET_MANAGER, "Apply")}
        self._fields[placement][member] = (owners, manifest)
        return []

    def fields_for(
        self, placement: tuple[str | None, str], member: Mapping[str, Any], fail: str | None, manifest: str
    ) -> Callable[[str, bool], list[tuple[str, str]]] | None:
        """``apply`` for this placement, member and manifest, where another manager held the field: a
        ``managed`` member, or a ``drift`` one; None elsewhere."""
        if pre_existing(member) == "managed":
            first, keeps = CONFLICT_MANAGER, True
        elif fail == "drift":
            first, keeps = EDIT_MANAGER, False
        else:
            return None
        name = str(member["metadata"]["name"])
        return functools.partial(self.apply, placement, name, manifest, first=first, keeps_fields=keeps)

    def forget(self, placement: tuple[str | None, str]) -> None:
        """The placement is gone, and with its AppliedWorks the objects Fleet applied and their
        managedFields (kubefleet-dev/kubefleet pkg/controllers/workapplier/controller.go
        garbageCollectAppliedWork)."""
        self._fields.pop(placement, None)


def pre_existing(member: Mapping[str, Any]) -> str | None:
    """How the member had the objects before Fleet: ``same``, ``differs``, ``owned`` (the same, owned
    by another object there, a ReplicaSet) or ``managed`` (differs, the field managed by another manager);
    the annotation is a test fault, no upstream field."""
    value = ((member.get("metadata") or {}).get("annotations") or {}).get(PRE_EXISTING)
    return value if value in ("same", "differs", "owned", "managed") else None


def conflict(target: Mapping[str, Any], managers: list[tuple[str, str]]) -> str:
    """The work applier's error for the target's /spec/replicas, which the other field ``managers``
    (manager, operation) hold (kubefleet-dev/kubefleet pkg/controllers/workapplier/apply.go
    serverSideApply; see SSA_CONFLICT)."""
    group, version = target.get("group") or "", str(target.get("version") or "v1")
    entries = []
    for name, operation in managers:
        entry: dict[str, Any] = {"manager": name, "operation": operation}
        if operation == "Update":
            entry["apiVersion"] = f"{group}/{version}" if group else version
        entries.append((entry, ("f:spec", "f:replicas")))
    return SSA_CONFLICT.format(conflict=conflict_message(entries))


def report_diff_failure(
    placement: Mapping[str, Any], member: Mapping[str, Any], resources: list[dict[str, Any]], *, owned: bool
) -> tuple[dict[str, Any], str] | None:
    """Under ReportDiff, the manifest whose takeover fails first and the error: an object another owner
    holds, without allowCoOwnership (kubefleet-dev/kubefleet pkg/controllers/workapplier/process.go
    takeOverInMemberClusterObjectIfApplicable runs before reportDiffOnlyIfApplicable;
    shouldInitiateTakeOverAttempt skips it only under whenToTakeOver Never)."""
    apply = strategy(placement)
    if owned or not resources or pre_existing(member) != "owned":
        return None
    if apply["whenToTakeOver"] == "Never" or apply["allowCoOwnership"]:
        return None
    return resources[-1], CO_OWNED


def outcome(
    placement: Mapping[str, Any],
    member: Mapping[str, Any],
    resources: list[dict[str, Any]],
    *,
    owned: bool,
    drift: bool,
    fields: Callable[[str, bool], list[tuple[str, str]]] | None = None,
    label_drift: bool = False,
) -> Outcome:
    """The manifests' results on ``member`` (``owned``: Fleet applied them there before; ``fields``: the
    apply to an object another manager held, FieldManagers.fields_for; ``label_drift``: the member's
    object has a label the manifest does not set, LABEL_DRIFT)."""
    apply = strategy(placement)
    had = pre_existing(member)
    target = resources[-1] if resources else None
    if not owned and had is not None and target is not None:
        if apply["whenToTakeOver"] == "Never":
            return Outcome(False, [(r, "NotTakenOver", NOT_TAKEN_OVER) for r in resources])
        if had == "owned" and not apply["allowCoOwnership"]:
            # Another owner holds the object: Fleet adds itself as a second owner only with
            # allowCoOwnership (kubefleet-dev/kubefleet pkg/controllers/workapplier/
            # drift_detection_takeover.go takeOverPreExistingObject checks this before any diff).
            return Outcome(False, [(target, "FailedToTakeOver", CO_OWNED)])
        if apply["whenToTakeOver"] == "IfNoDiff" and had in ("differs", "managed"):
            # The others match and are taken over (each manifest is processed on its own).
            return Outcome(False, [(target, "FailedToTakeOver", DIFFERS)], diffed=[_diffed(target)])
    if drift and target is not None and apply["whenToApply"] == "IfNotDrifted":
        return Outcome(True, [(target, "FoundDrifts", DRIFTED)], drifted=[_drifted(target)])
    if owned and had == "owned" and target is not None and not apply["allowCoOwnership"]:
        # Taken over with allowCoOwnership, which is now off: the other owner is still there, and
        # apply.go validateOwnerReferences refuses the apply before anything is sent.
        return Outcome(True, [(target, "ManifestApplyFailed", CO_OWNED_APPLY)])
    if target is not None and fields is not None:
        # Taken over where needed (an owner reference is not a field the other manager holds), then
        # applied: a server-side apply the member's API server may refuse (FieldManagers.apply;
        # kubefleet-dev/kubefleet pkg/controllers/workapplier/apply.go serverSideApply,
        # shouldUseForcedServerSideApply).
        how = "ServerSideApply" if apply.get("type") == "ServerSideApply" else "ClientSideApply"
        if others := fields(how, bool(apply["force"])):
            return Outcome(True, [(target, "ManifestApplyFailed", conflict(target, others))])
    if label_drift and target is not None and apply["comparisonOption"] == "FullComparison":
        # Applied, and the label the apply leaves (the manifest does not set it) is a drift the
        # post-apply detection reports, no error (kubefleet-dev/kubefleet e160c1cd
        # pkg/controllers/workapplier/process.go performPostApplyDriftDetectionIfApplicable;
        # PartialComparison compares only the fields the manifest sets and finds nothing).
        return Outcome(True, drifted=[_label_drifted(target)])
    # Applied: a drift in the fields the manifest sets is overwritten.
    return Outcome(True)


def _seen(item: Mapping[str, Any]) -> dict[str, Any]:
    now = _now()
    return {**item, "observationTime": now, "targetClusterObservedGeneration": 2}


def _diffed(item: Mapping[str, Any]) -> dict[str, Any]:
    return {**_seen(item), "firstDiffedObservedTime": _now(), "observedDiffs": CHANGED_REPLICAS}


def _drifted(item: Mapping[str, Any]) -> dict[str, Any]:
    return {**_seen(item), "firstDriftedObservedTime": _now(), "observedDrifts": CHANGED_REPLICAS}


# A ``fleet.emulator/fail: label-drift`` member (a test fault, no upstream annotation): the last selected
# object there has a label added on the member, ``team: ml``, a field the hub's manifest does not set.
# Under FullComparison the work applier's JSON diff of the two objects has an add op there, which
# kubefleet-dev/kubefleet e160c1cd pkg/controllers/workapplier/drift_detection_takeover.go
# organizeJSONPatchIntoFleetPatchDetails reports as the path with valueInMember only
# (preparePatchDetails; utils.go discardFieldsIrrelevantInComparisonFrom sets the manifest's labels to {}
# and keeps a user's label, so the add is at the label's own path). Modelled under
# whenToApply Always only: the IfNotDrifted pre-apply check of this fault is not.
LABEL_DRIFT = [{"path": "/metadata/labels/team", "valueInMember": "ml"}]


def _label_drifted(item: Mapping[str, Any]) -> dict[str, Any]:
    return {**_seen(item), "firstDriftedObservedTime": _now(), "observedDrifts": LABEL_DRIFT}


def failed_row(entry: dict[str, Any], conds: list[dict[str, Any]], result: Outcome, work: str, generation: int) -> None:
    """The member's row when some manifest failed to apply for its apply strategy."""
    conds.append(
        _cond("Applied", False, "NotAllWorkHaveBeenApplied", f"Work object {work} has failed to apply", generation)
    )
    entry["failedPlacements"] = [
        {
            **item,
            "condition": _cond("Applied", False, reason, f"Failed to apply the manifest (error: {error})", generation),
        }
        for item, reason, error in result.failed
    ]
    if result.diffed:
        entry["diffedPlacements"] = result.diffed
    if result.drifted:
        entry["driftedPlacements"] = result.drifted
