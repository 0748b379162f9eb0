"""The one apply engine: every command that changes a cluster goes through ``plan`` + ``execute``.

* plan: a server-side dry-run apply of each object tells whether it will be created, changed
  (with a field-level diff) or left unchanged; ``--prune`` adds the stack's objects that are no
  longer rendered. Missing APIs are found here, before anything is changed.
* execute: server-side apply (field manager ``akscli``) tier by tier (namespaces and other
  prerequisites first, custom resources last), each tier in parallel by a bounded pool. An
  object the dry run found unchanged, and that akscli already applied, is not sent again. A failed
  tier stops the run, and the error lists what was applied and what was not; re-running converges.
* create_only (ApplyOptions): kubectl create's POST in place of the apply, for plan and execute
  alike, so that a taken name is refused by the server itself.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from akscli import errors
from akscli.concurrency import parallel_map
from akscli.kube import deferred_checks, stack_kinds
from akscli.kube.changes import DEFAULT_PARALLEL as DEFAULT_PARALLEL
from akscli.kube.changes import ApplyOptions as ApplyOptions
from akscli.kube.changes import Change as Change
from akscli.kube.changes import Plan as Plan
from akscli.kube.changes import Progress, tier
from akscli.kube.client import Kube
from akscli.kube.plan_diff import diff_objects as diff_objects  # re-exported: plans and tests use it
from akscli.kube.plan_diff import object_ref as object_ref  # re-exported: the one way objects are named
from akscli.kube.prune_left import ROLLING_OUT, UNLABELLED, left_warnings, rolling_out
from akscli.render import STACK_LABEL, STACK_NAMESPACE_LABEL

# Kinds akscli ever creates: where --prune looks for objects of a stack that records no kinds
# (akscli.kube.stack_kinds).
PRUNE_KINDS: tuple[tuple[str, str], ...] = (
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
    ("v1", "Service"),
    ("v1", "ServiceAccount"),
    ("v1", "PersistentVolumeClaim"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("batch/v1", "Job"),
    ("policy/v1", "PodDisruptionBudget"),
    ("kaito.sh/v1beta1", "Workspace"),
    ("kaito.sh/v1beta1", "InferenceSet"),
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"),
    ("gateway.networking.k8s.io/v1", "HTTPRoute"),
    ("inference.networking.k8s.io/v1", "InferencePool"),
    ("ray.io/v1", "RayCluster"),
    ("ray.io/v1", "RayJob"),
    ("ray.io/v1", "RayService"),
    ("placement.kubernetes-fleet.io/v1", "ClusterResourcePlacement"),
    ("placement.kubernetes-fleet.io/v1", "ResourcePlacement"),
    ("placement.kubernetes-fleet.io/v1", "ClusterResourceOverride"),
    ("placement.kubernetes-fleet.io/v1", "ResourceOverride"),
    ("nvidia.com/v1", "ClusterPolicy"),
    ("karpenter.sh/v1", "NodePool"),
    ("karpenter.azure.com/v1beta1", "AKSNodeClass"),
)


def _namespaced(
    kube: Kube, objects: Iterable[dict[str, Any]], require_namespace: str | None = None
) -> list[dict[str, Any]]:
    """Fill in the namespace of namespaced objects; fails on a missing API, or on an object in
    another namespace than ``require_namespace``, before any change."""
    prepared = []
    for obj in objects:
        resource = kube.resource(obj["apiVersion"], obj["kind"])
        meta = obj.setdefault("metadata", {})
        if resource.namespaced and require_namespace:
            check_namespace(obj, require_namespace)
        if resource.namespaced:
            meta["namespace"] = meta.get("namespace") or kube.namespace
        else:
            meta.pop("namespace", None)
        prepared.append(obj)
    return prepared


def check_namespace(obj: Mapping[str, Any], required: str) -> None:
    """kubectl's wording (k8s.io/cli-runtime pkg/resource/visitor.go, RequireNamespace)."""
    named = (obj.get("metadata") or {}).get("namespace")
    if named and named != required:
        raise errors.UsageError(
            f'the namespace from the provided object "{named}" does not match the namespace "{required}"',
            f"pass --namespace={named}, or leave out -n to apply each object in its own namespace",
        )


def plan(
    kube: Kube,
    objects: Sequence[dict[str, Any]],
    *,
    stack: str | None,
    options: ApplyOptions,
    progress: Progress | None = None,
) -> Plan:
    """What applying ``objects`` would do, from the server's own dry run of every object.

    A server-side apply with ``dryRun=All`` answers for new and existing objects alike, with
    the server's validation, defaulting and admission; a new object comes back without a
    resourceVersion (kubernetes/apiserver pkg/registry/generic/registry/dryrun.go: a dry-run
    create copies the object and never reaches storage). So no GET precedes a create: the
    only reads are one labelled list per kind of the stack, and a GET for an object that
    exists outside the stack (to show its diff).
    """
    prepared = _namespaced(kube, objects, options.require_namespace)
    namespaces = [o for o in prepared if o["kind"] == "Namespace" and o["apiVersion"] == "v1"]
    others = [o for o in prepared if not (o["kind"] == "Namespace" and o["apiVersion"] == "v1")]
    known = _current_stack_objects(kube, prepared, stack, options.parallel)
    pruned: list[Change] = []
    left: list[Change] = []
    if stack:
        _label_home(prepared, options.home_namespace)
        recorded = stack_kinds.recorded(known.values())
        if options.prune:
            pruned, left = _prune_candidates(kube, prepared, stack, options.parallel, recorded)
            recorded = [(c.obj["apiVersion"], c.obj["kind"]) for c in pruned + left]
        stack_kinds.record(prepared, recorded)
    planned: dict[int, Change] = {}

    def plan_one(obj: dict[str, Any], new_namespaces: set[str], check: deferred_checks.Deferred | None) -> Change:
        meta = obj["metadata"]
        # The body dry-run: without a reference the dry run cannot satisfy (deferred_checks).
        sent = deferred_checks.without_ref(obj, check) if check else obj
        try:
            if meta.get("namespace") in new_namespaces:
                dry_run_create_elsewhere(kube, sent, new_namespaces)
                notes = _notes(kube, {}, obj, options)
                return Change(obj, "create", diff_objects({}, obj), deferred=check, notes=notes)
            if options.create_only:
                answer = kube.create(sent, dry_run=True)
                kept = _restored(answer, check) if options.keep_answers else None
                notes = _notes(kube, {}, _restored(answer, check), options)
                return Change(obj, "create", diff_objects({}, obj), server=kept, deferred=check, notes=notes)
            dry = kube.apply(sent, force=options.force_conflicts, dry_run=True)
        except errors.AkscliError as exc:
            exc.message = f"{object_ref(obj)}: {exc.message}"
            raise
        if not (dry.get("metadata") or {}).get("resourceVersion"):
            kept = _restored(dry, check) if options.keep_answers else None
            notes = _notes(kube, {}, _restored(dry, check), options)
            return Change(obj, "create", diff_objects({}, obj), server=kept, deferred=check, notes=notes)
        key = (obj["apiVersion"], obj["kind"], meta.get("namespace"), meta["name"])
        current = known.get(key) or kube.get(obj["apiVersion"], obj["kind"], meta["name"], meta.get("namespace"))
        dry, current = _same_version(kube, sent, dry, current, options.force_conflicts)
        dry = _restored(dry, check)
        lines = diff_objects(current or {}, dry)
        kept = dry if options.keep_answers else None
        change = Change(obj, action="configure" if lines else "unchanged", diff=lines, current=current, server=kept)
        if lines and current and options.notes is not None:
            change.notes = options.notes(kube, current, dry)
        # An update the webhook checks: a changed object, or (against a changed ConfigMap) one
        # sent again although unchanged.
        if check is not None and check.on_update and (lines or (check.changed and not change.already_owned)):
            change.deferred = check
        return change

    for obj, change in zip(
        namespaces, parallel_map(lambda o: plan_one(o, set(), None), namespaces, options.parallel), strict=True
    ):
        planned[id(obj)] = change
    fresh = {c.obj["metadata"]["name"] for c in planned.values() if c.action == "create"} | options.new_namespaces
    # A KAITO object naming a ConfigMap of this apply is dry-run once the ConfigMap's plan says
    # whether it is new (deferred_checks): one more round of requests, only for such applies.
    sent_configmaps = deferred_checks.configmaps(others)
    waiting = [o for o in others if deferred_checks.waits_for(o, sent_configmaps)]
    first = [o for o in others if not deferred_checks.waits_for(o, sent_configmaps)]
    for obj, change in zip(
        first, parallel_map(lambda o: plan_one(o, fresh, None), first, options.parallel), strict=True
    ):
        planned[id(obj)] = change
    created = deferred_checks.configmaps([c.obj for c in planned.values() if c.action == "create"])
    changed = deferred_checks.configmaps([c.obj for c in planned.values() if c.action == "configure"])

    def plan_waiting(obj: dict[str, Any]) -> Change:
        return plan_one(obj, fresh, deferred_checks.deferred(obj, created, changed))

    for obj, change in zip(waiting, parallel_map(plan_waiting, waiting, options.parallel), strict=True):
        planned[id(obj)] = change
    return Plan([planned[id(o)] for o in prepared] + pruned, left_warnings(left, stack) if stack else [])


def _notes(kube: Kube, current: dict[str, Any], answer: dict[str, Any], options: ApplyOptions) -> list[str]:
    """ApplyOptions.notes of a created object (``current`` empty): the hook sees the server's answer
    too, and may refuse it before anything is written."""
    return options.notes(kube, current, answer) if options.notes is not None else []


def _restored(answer: dict[str, Any], check: deferred_checks.Deferred | None) -> dict[str, Any]:
    return deferred_checks.with_ref(answer, check) if check else answer


# A controller that keeps writing the object (status aside, which the diff ignores) is met again
# at most this often before the plan diffs what it has.
_RESYNC_TRIES = 3


def _same_version(
    kube: Kube, obj: dict[str, Any], dry: dict[str, Any], current: dict[str, Any] | None, force: bool
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The dry run and the object it was applied to, at one resourceVersion. A dry-run update
    answers with the version of the object it was applied to (upstream: kubernetes/apiserver
    pkg/registry/generic/registry/dryrun.go GuaranteedUpdate: the stored object updated, never
    written); an operator that wrote the object between the stack's list and the dry run (KAITO
    adding its finalizer) would otherwise show as a change akscli makes. Only then is the object
    read again, and the dry run repeated if it moved once more."""
    for _ in range(_RESYNC_TRIES):
        if current is None or _version(current) == _version(dry):
            break
        meta = obj["metadata"]
        current = kube.get(obj["apiVersion"], obj["kind"], meta["name"], meta.get("namespace"))
        if current is None or _version(current) == _version(dry):
            break
        dry = kube.apply(obj, force=force, dry_run=True)
    return dry, current


def _version(obj: Mapping[str, Any]) -> str | None:
    version = (obj.get("metadata") or {}).get("resourceVersion")
    return str(version) if version is not None else None


def dry_run_create_elsewhere(kube: Kube, obj: Mapping[str, Any], new_namespaces: Iterable[str]) -> None:
    """Dry-run the create of an object whose namespace the same command creates.

    The server cannot dry-run into a namespace that does not exist yet (the NamespaceLifecycle
    admission plugin answers 404), so the object is dry-run created under a generated name in
    an existing namespace: validation, defaulting and admission still see it whole.
    """
    stand_in = kube.namespace if kube.namespace not in set(new_namespaces) else "default"
    probe = copy.deepcopy(dict(obj))
    meta = probe["metadata"]
    meta["generateName"] = f"{meta.pop('name')[:50]}-"
    meta["namespace"] = stand_in
    kube.create(probe, dry_run=True)


def _current_stack_objects(
    kube: Kube, objects: Sequence[dict[str, Any]], stack: str | None, parallel: int
) -> dict[tuple[str, str, str | None, str], dict[str, Any]]:
    """The stack's objects already on the server, one labelled list per kind and namespace.

    Re-applying a stack of N objects then costs a few list pages instead of N reads.
    """
    if not stack:
        return {}
    groups = list(dict.fromkeys((o["apiVersion"], o["kind"], o["metadata"].get("namespace")) for o in objects))

    def fetch(group: tuple[str, str, str | None]) -> list[dict[str, Any]]:
        api_version, kind, namespace = group
        return list(kube.list(api_version, kind, namespace=namespace, label_selector=f"{STACK_LABEL}={stack}"))

    found: dict[tuple[str, str, str | None, str], dict[str, Any]] = {}
    for group, items in zip(groups, parallel_map(fetch, groups, parallel), strict=True):
        for item in items:
            meta = item.get("metadata") or {}
            found[(group[0], group[1], meta.get("namespace"), str(meta.get("name")))] = item
    return found


def controlled(meta: dict[str, Any]) -> bool:
    """Whether a controller made the object (an ownerReference with ``controller: true``): never
    pruned, since it can carry the stack label without akscli having applied it. KubeRay copies a
    RayService's or RayJob's labels onto the RayClusters it makes (upstream: ray-project/kuberay
    v1.7.0 ray-operator/controllers/ray/rayservice_controller.go constructRayClusterForRayService,
    rayjob_controller.go constructRayClusterForRayJob), and kubectl prunes only what apply made
    (kubernetes/kubectl pkg/cmd/apply/prune.go: "don't prune resources not created with apply")."""
    return any(ref.get("controller") is True for ref in meta.get("ownerReferences") or [])


def placed(meta: dict[str, Any]) -> bool:
    """Whether Fleet's work applier put the object on this member cluster: it owns what it applies
    through the member's AppliedWork, as an owner that is not a controller (upstream:
    kubefleet-dev/kubefleet pkg/controllers/workapplier/controller.go Reconcile,
    expectedAppliedWorkOwnerRef; it deletes them with the AppliedWork, garbageCollectAppliedWork).
    The hub's labels come with the object, akscli's stack label too: never pruned here."""
    return any(
        ref.get("kind") == "AppliedWork" and str(ref.get("apiVersion", "")).startswith("placement.kubernetes-fleet.io/")
        for ref in meta.get("ownerReferences") or []
    )


def home_namespace(objects: Iterable[Mapping[str, Any]]) -> str | None:
    """The one namespace the stack's namespaced objects are in; None for none or several."""
    found = {str(ns) for o in objects if (ns := (o.get("metadata") or {}).get("namespace"))}
    return found.pop() if len(found) == 1 else None


def _label_home(prepared: Sequence[dict[str, Any]], given: str | None = None) -> None:
    """Label the stack's cluster-scoped objects with its namespace (render.STACK_NAMESPACE_LABEL),
    so that --prune of the stack of the same name in another namespace leaves them. ``given``:
    the stack's namespace where these objects name none (ApplyOptions.home_namespace)."""
    home = home_namespace(prepared) or given
    for obj in prepared:
        meta = obj["metadata"]
        if meta.get("namespace") is not None:
            continue
        labels = meta.setdefault("labels", {})
        if home:
            labels[STACK_NAMESPACE_LABEL] = home
        else:
            labels.pop(STACK_NAMESPACE_LABEL, None)


def _prune_candidates(
    kube: Kube,
    rendered: Sequence[dict[str, Any]],
    stack: str,
    parallel: int,
    recorded: Sequence[tuple[str, str]] | None,
) -> tuple[list[Change], list[Change]]:
    """(the stack's objects this apply does not render and deletes, the ones it leaves and says
    why): one labelled list of each kind the stack's record names (akscli.kube.stack_kinds), or of
    every kind akscli creates where it has none."""
    keep = {(o["apiVersion"], o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in rendered}
    # As kubectl, namespaced objects only in the namespaces this apply visits, and cluster-scoped ones
    # (kubernetes/kubectl pkg/cmd/apply/prune.go pruneAll: visitedNamespaces, then NamespaceNone):
    # two models of one name in two namespaces share a stack label (model-NAME).
    visited = {o["metadata"].get("namespace") for o in rendered}
    home = home_namespace(rendered)
    selector = f"{STACK_LABEL}={stack}"
    owned = PRUNE_KINDS if recorded is None else recorded
    kinds = list(dict.fromkeys([*owned, *stack_kinds.rendered(rendered)]))

    def stale_of(kind_ref: tuple[str, str]) -> list[Change]:
        api_version, kind = kind_ref
        if not kube.has_api(api_version, kind):
            return []
        found = []
        for obj in kube.list(api_version, kind, all_namespaces=True, label_selector=selector):
            meta = obj.get("metadata", {})
            if controlled(meta) or placed(meta) or meta.get("namespace") not in visited | {None}:
                continue
            if (api_version, kind, meta.get("namespace"), meta.get("name")) in keep:
                continue
            ref = {"apiVersion": api_version, "kind": kind, "metadata": meta}
            label = (meta.get("labels") or {}).get(STACK_NAMESPACE_LABEL)
            if meta.get("namespace") is None and label != home:
                if label is None:  # applied before the label: whose it is is unknown, so it is left, said
                    found.append(Change(ref, "unchanged", [UNLABELLED]))
                continue  # another namespace's stack of this name
            if rolling_out(obj):
                found.append(Change(ref, "unchanged", [ROLLING_OUT]))
                continue
            found.append(Change(ref, "delete", [f"- {object_ref(ref)}"]))
        return found

    # One small labelled list per kind; done side by side since each is one round trip.
    found = [change for changes in parallel_map(stale_of, kinds, parallel) for change in changes]
    return [c for c in found if c.action == "delete"], [c for c in found if c.action != "delete"]


def execute(kube: Kube, the_plan: Plan, *, options: ApplyOptions, progress: Progress | None = None) -> list[Change]:
    """Apply the plan tier by tier; prune last. Raises PartialApplyError on failure."""
    report = progress or (lambda _msg: None)
    done: list[Change] = []
    to_apply = [c for c in the_plan.changes if c.action in ("create", "configure", "unchanged")]
    tiers = sorted({_tier_of(c, options) for c in to_apply})
    for level in tiers:
        batch = [c for c in to_apply if _tier_of(c, options) == level]
        failures = _apply_batch(kube, batch, options, report)
        done += [c for c in batch if c.result is not None]
        if failures:
            refused = any(c.deferred for c, _ in failures)
            undone = _undo_creates(kube, done, report) if refused else []
            put_back, left = _restore_configmaps(kube, done, failures, report) if refused else ([], [])
            undone += put_back
            done = [c for c in done if all(c is not u for u in undone)]
            raise _partial_failure(done, to_apply, failures, undone, left)
    for change in the_plan.deletions:
        meta = change.obj["metadata"]
        change.sent = True
        try:
            kube.delete(change.obj["apiVersion"], change.obj["kind"], meta["name"], namespace=meta.get("namespace"))
        except errors.AkscliError as exc:
            raise _partial_failure(done, to_apply + the_plan.deletions, [(change, exc)]) from exc
        change.result = change.obj
        done.append(change)
        report(f"{change.ref} pruned")
    return done


def in_plan_order(done: list[Change], the_plan: Plan) -> list[Change]:
    """What ``execute`` applied (in the tiers' order), in the order the objects were given, then
    the pruned: the order kubectl apply prints them in, each object as its builder read it
    (upstream: kubernetes/kubectl dee3483a pkg/cmd/apply/apply.go Run: applyOneObject for each
    object GetObjects read, in order).
    The order applied is not stable: a deferred check moves its object (_tier_of) on a first
    apply only, so printed as applied, a re-run's ``-o name`` and ``-o json`` would differ from
    the first run's."""
    position = {id(change): index for index, change in enumerate(the_plan.changes)}
    return sorted(done, key=lambda change: position.get(id(change), len(position)))


def _tier_of(change: Change, options: ApplyOptions | None = None) -> float:
    """An object whose webhook check was deferred goes right after the ConfigMaps it reads and
    before the rest of its tier, so that its refusal leaves only what can be undone; one the
    caller wants ``last`` goes after the rest of its tier (and after the deferred objects, which
    sit between tiers 2 and 3: never in their batch)."""
    if change.deferred:
        return DEFERRED_TIER
    return tier(change.obj) + (LAST_OFFSET if options is not None and change.ref in options.last else 0)


DEFERRED_TIER = 2.5
LAST_OFFSET = 0.75


def _undo_creates(kube: Kube, done: list[Change], report: Progress) -> list[Change]:
    """Delete what this apply created, last first, after the webhook refused the object whose
    check the dry run could not make (deferred_checks): nothing of the new model is left. What the
    apply changed, rather than created, stays as applied, and the error says so."""
    undone: list[Change] = []
    for change in reversed([c for c in done if c.action == "create"]):
        meta = change.obj["metadata"]
        try:
            kube.delete(change.obj["apiVersion"], change.obj["kind"], meta["name"], namespace=meta.get("namespace"))
        except errors.AkscliError:
            continue  # it stays in the "applied" list of the error
        change.result = None
        undone.append(change)
        report(f"{change.ref} removed")
    return undone


def _restore_configmaps(
    kube: Kube, done: list[Change], failures: list[tuple[Change, errors.AkscliError]], report: Progress
) -> tuple[list[Change], list[Change]]:
    """Put back, as they were before this apply, the ConfigMaps it changed that a refused KAITO
    object names (deferred_checks: the dry run checked them as stored). The apply that changed
    one is sent again with the data it had (the rest as this apply sent it): akscli's own field
    manager gives the data back, and any other manager's fields are left alone.

    The put-back carries the resourceVersion this apply's own write produced: the API server takes
    it as a precondition and answers 409 Conflict if anything wrote the ConfigMap since (upstream:
    kubernetes/apiserver pkg/registry/generic/registry/store.go Update, "the object has been
    modified"). Such a ConfigMap is left as it is, since the newer write is someone's, and returned
    second, for the error to name."""
    named = {
        (c.obj["metadata"].get("namespace"), c.deferred.value) for c, _ in failures if c.deferred and c.deferred.changed
    }
    restored: list[Change] = []
    left: list[Change] = []
    for change in done:
        meta = change.obj["metadata"]
        key = (meta.get("namespace"), meta["name"])
        is_configmap = (change.obj["apiVersion"], change.obj["kind"]) == ("v1", "ConfigMap")
        if change.action != "configure" or not is_configmap or key not in named or change.current is None:
            continue
        written = str(((change.result or {}).get("metadata") or {}).get("resourceVersion") or "")
        if not written:
            continue  # without the version this apply wrote, a put-back could overwrite someone's write
        previous = {k: v for k, v in change.obj.items() if k not in ("data", "binaryData")}
        previous["metadata"] = {**meta, "resourceVersion": written}
        previous.update({k: change.current[k] for k in ("data", "binaryData") if k in change.current})
        try:
            kube.apply(previous, force=False)
        except errors.ConflictError:
            left.append(change)
            report(f"{change.ref} left as it is: it changed after this apply wrote it")
            continue
        except errors.AkscliError:
            continue  # it stays in the "applied" list of the error
        change.result = None
        restored.append(change)
        report(f"{change.ref} put back")
    return restored, left


def _left_as_is(left: Sequence[Change]) -> str:
    """What the error says of the ConfigMaps not put back because something wrote them after this
    apply did: which, and how to see who (managedFields name each writer and when it wrote)."""
    if not left:
        return ""
    first = left[0]
    meta = (first.result or {}).get("metadata") or first.obj["metadata"]
    where = f" -n {meta['namespace']}" if meta.get("namespace") else ""
    refs = _some([c.ref for c in left])
    return (
        f". Left {len(left)} as it is, changed by another writer after this apply wrote it: {refs}"
        f" (who is unknown to akscli; see the managers and times with kubectl get {first.ref}{where} "
        f"--show-managed-fields -o yaml)"
    )


def _apply_batch(
    kube: Kube, batch: list[Change], options: ApplyOptions, report: Progress
) -> list[tuple[Change, errors.AkscliError]]:
    failures: list[tuple[Change, errors.AkscliError]] = []

    def apply_one(change: Change) -> None:
        if change.already_owned:
            change.result = change.current
            return
        change.sent = True
        try:
            if options.create_only:
                change.result = kube.create(change.obj)
            else:
                change.result = kube.apply(change.obj, force=options.force_conflicts)
            report(f"{change.ref} {_past(change.action)}")
        except errors.AkscliError as exc:
            change.error = exc.message
            failures.append((change, exc))

    parallel_map(apply_one, batch, options.parallel)
    return failures


def _past(action: str) -> str:
    return {"create": "created", "configure": "configured", "unchanged": "unchanged", "delete": "pruned"}[action]


def _partial_failure(
    done: list[Change],
    wanted: list[Change],
    failures: list[tuple[Change, errors.AkscliError]],
    undone: Sequence[Change] = (),
    left: Sequence[Change] = (),
) -> errors.AkscliError:
    first_change, first_error = failures[0]
    failed = {c.ref for c, _ in failures}
    not_applied = [c.ref for c in wanted if c.result is None and c.ref not in failed]
    others = f" ({len(failures) - 1} more failed)" if len(failures) > 1 else ""
    created = [c.ref for c in undone if c.action == "create"]
    put_back = [c.ref for c in undone if c.action != "create"]
    removed = f". Removed {len(created)} this apply had created: {_some(created)}" if created else ""
    removed += f". Put back {len(put_back)} this apply had changed: {_some(put_back)}" if put_back else ""
    removed += _left_as_is(left)
    message = (
        f"{first_change.ref}: {first_error.message}{others}{removed}. Applied {len(done)}: "
        f"{_some([c.ref for c in done])}. Not applied {len(failed) + len(not_applied)}: "
        f"{_some(sorted(failed) + not_applied)}"
    )
    if len(failures) == 1 and not done:
        # Nothing changed (or all of it undone): keep the specific error class (conflict, refused ...).
        first_error.message = f"{first_change.ref}: {first_error.message}{removed}"
        return first_error
    error = errors.PartialApplyError(
        message, hint=first_error.hint or "fix the cause and run the same command again: applying is idempotent"
    )
    error.exit_code = first_error.exit_code
    return error


def _some(refs: Sequence[str], shown: int = 3) -> str:
    """A few object names and how many more: one readable line however many objects failed."""
    if not refs:
        return "none"
    more = f" and {len(refs) - shown} more" if len(refs) > shown else ""
    return ", ".join(refs[:shown]) + more


def past_tense(action: str) -> str:
    return _past(action)
