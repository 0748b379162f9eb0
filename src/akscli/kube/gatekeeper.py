"""The cluster's Gatekeeper constraints that would judge a manifest's objects: ``policy check
--context``. On AKS the Azure Policy add-on runs Gatekeeper and turns each policy assignment into a
constraint (kinds ``K8sAzure*``, names ``azurepolicy-<template>-<hash>``: MicrosoftDocs/
azure-aks-docs articles/aks/use-azure-policy.md, whose privileged pod is refused with
``admission webhook "validation.gatekeeper.sh" denied the request: [denied by azurepolicy-container-
no-privilege-...]``). Its deny shows only when an object is sent; this reads the constraints first.

akscli does not run Rego: a constraint is listed when its ``spec.match`` selects an object (or the
Pods the object's controller makes), never judged. A server dry run goes through the validating
webhook (``sideEffects: None`` in open-policy-agent/gatekeeper charts/gatekeeper/templates/
gatekeeper-validating-webhook-configuration-validatingwebhookconfiguration.yaml) and is what shows
the deny.

- Which kinds: Gatekeeper makes one CRD per ConstraintTemplate in ``constraints.gatekeeper.sh``,
  served at v1beta1 (open-policy-agent/frameworks constraint/pkg/client/crds/crds.go CreateCRD), so
  the group version's discovery document names them all; one paged list per kind.
- Which match (open-policy-agent/gatekeeper pkg/mutation/match/match.go Matches): kindsMatch (no
  kinds, an entry without kinds or apiGroups, or ``*`` matches), scopeMatch (``Cluster``: a
  Namespace or a cluster-scoped object; ``Namespaced``: a namespaced one but not a Namespace),
  namespacesMatch and excludedNamespacesMatch (a Namespace by its name, a namespaced object by its
  namespace; a cluster-scoped one is not disqualified; each entry exact or with ``*`` at its front
  or end: pkg/wildcard/wildcard.go). A labelSelector, a namespaceSelector or a name is not read
  here: such a constraint is listed as one that *may* select the object.
- What it does: ``spec.enforcementAction`` for the webhook (deny when unset; ``scoped``: the
  scopedEnforcementActions naming ``validation.gatekeeper.sh`` or ``*``: akscli.kube.safeguards
  webhook_action).
- What the audit found (pkg/audit/manager.go updateConstraintStatus): ``status.auditTimestamp``,
  ``status.totalViolations`` (every violation of the last run) and ``status.violations`` (at most
  ``--constraint-violations-limit``, 20 by default: website/docs/audit.md), each with group,
  version, kind, name, namespace, message and enforcementAction (StatusViolation). Those in the
  objects' namespaces are reported.
- Whether it acts at all: the constraint status controller copies each Gatekeeper pod's
  ConstraintPodStatus into ``status.byPod`` (pkg/controller/constraintstatus/
  constraintstatus_controller.go Reconcile; apis/status/v1beta1/constraintpodstatus_types.go: id,
  operations, enforced, errors). A pod sets ``enforced`` only once the constraint is in its policy
  client; a template that did not compile, or a bad enforcement action, leaves ``errors`` and no
  ``enforced`` (pkg/controller/constraint/constraint_controller.go Reconcile,
  reportErrorOnConstraintStatus). Where no webhook pod enforces it, the webhook denies nothing for
  it: such a constraint is listed as not enforced, with its first error, never as a deny.
- Where the webhook is not called (akscli.kube.safeguards Exemptions: gatekeeper-system, the
  ``admission.gatekeeper.sh/ignore`` namespace label, the Config's excludedNamespaces for
  ``webhook`` or ``*``): objects landing there are left out, and the namespace is named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli import errors
from akscli.kube import namespaces, podsecurity
from akscli.kube.safeguards import (
    API_VERSION,
    GATEKEEPER_NAMESPACE,
    IGNORE_LABEL,
    Exemptions,
    glob_matches,
    webhook_action,
)
from akscli.object_names import object_ref

if TYPE_CHECKING:
    from akscli.kube.client import Kube

PAGE_SIZE = 50


@dataclass(frozen=True)
class Target:
    """What a constraint's match reads: an object, or the Pods its controller makes."""

    group: str
    kind: str
    name: str
    namespace: str | None  # None: cluster-scoped
    ref: str
    # The Pods of a workload: the workload's (group, kind). The webhook judges them at the
    # workload's admission only where an ExpansionTemplate expands that kind into Pods.
    parent: tuple[str, str] | None = None
    expanded: bool = False


@dataclass(frozen=True)
class Applying:
    """A constraint whose match selects (``sure``) or may select some of the objects."""

    kind: str
    name: str
    action: str
    objects: tuple[str, ...]
    sure: bool
    # A selected object is judged when it is sent (not only the Pods a controller makes later).
    at_admission: bool
    total: int | None  # status.totalViolations (else the violations listed); None: not audited yet
    violations: tuple[Mapping[str, Any], ...]  # those in the objects' namespaces
    audited: str
    not_enforced: str = ""  # why no webhook pod enforces it (status.byPod); "": enforced or not reported

    @property
    def denies(self) -> bool:
        """The webhook refuses what breaks it: action deny, and enforced."""
        return self.action == "deny" and not self.not_enforced

    def to_dict(self) -> dict[str, Any]:
        return {
            "constraint": f"{self.kind}/{self.name}",
            "enforcementAction": self.action,
            "objects": list(self.objects),
            "selects": "yes" if self.sure else "maybe",
            "enforced": not self.not_enforced,
            "totalViolations": self.total,
            "violations": [dict(v) for v in self.violations],
        }


def targets(kube: Kube, objects: Sequence[Mapping[str, Any]], namespace: str) -> list[Target]:
    """Each object, and the Pods of those with a pod template (akscli.kube.podsecurity.pod_specs),
    where they would land (``namespace``: objects without one)."""
    found: list[Target] = []
    expanded = expanded_kinds(kube)
    for obj in objects:
        api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
        meta = obj.get("metadata") or {}
        ns: str | None = str(meta.get("namespace") or namespace)
        try:
            if not kube.resource(api_version, kind).namespaced:
                ns = None
        except errors.NotInstalledError:
            pass  # not served: sent, it would fail before admission anyway
        ref = object_ref(obj)
        group = api_version.split("/")[0] if "/" in api_version else ""
        found.append(Target(group, kind, str(meta.get("name") or ""), ns, ref))
        if podsecurity.pod_specs(obj) and ns is not None:
            parent = (group, kind)
            found.append(Target("", "Pod", "", ns, f"{ref} (its pods)", parent, parent in expanded))
    return found


EXPANSION_API_VERSIONS = ("expansion.gatekeeper.sh/v1beta1", "expansion.gatekeeper.sh/v1alpha1")


def expanded_kinds(kube: Kube) -> set[tuple[str, str]]:
    """The workload kinds an ExpansionTemplate expands into Pods, whose pod template the webhook
    then judges as a Pod when the workload is sent (open-policy-agent/gatekeeper
    website/docs/expansion.md; apis/expansion/v1beta1/expansiontemplate_types.go: applyTo[]
    groups, kinds; generatedGVK). None where the API is not served or may not be listed."""
    for api_version in EXPANSION_API_VERSIONS:
        if not kube.has_api(api_version, "ExpansionTemplate"):
            continue
        try:
            items = list(kube.list(api_version, "ExpansionTemplate", page_size=PAGE_SIZE))
        except errors.AuthError:
            return set()
        found: set[tuple[str, str]] = set()
        for obj in items:
            spec = obj.get("spec") or {}
            made = spec.get("generatedGVK") or {}
            if (made.get("group") or "", made.get("kind")) != ("", "Pod"):
                continue
            for entry in spec.get("applyTo") or []:
                for group in (entry or {}).get("groups") or []:
                    found.update((str(group), str(kind)) for kind in (entry or {}).get("kinds") or [])
        return found
    return set()


def selects(match: Mapping[str, Any], target: Target) -> bool | None:
    """match.go Matches for ``target``: False, True, or None where a selector or a name decides."""
    kinds = match.get("kinds") or []
    if kinds and not any(_kind_entry(entry, target) for entry in kinds):
        return False
    is_namespace = (target.group, target.kind) == ("", "Namespace")
    scope = match.get("scope")
    if scope == "Cluster" and not (is_namespace or target.namespace is None):
        return False
    if scope == "Namespaced" and (is_namespace or target.namespace is None):
        return False
    where = target.name if is_namespace else target.namespace
    if where is not None:
        wanted = [str(n) for n in match.get("namespaces") or []]
        if wanted and not any(glob_matches(n, where) for n in wanted):
            return False
        if any(glob_matches(str(n), where) for n in match.get("excludedNamespaces") or []):
            return False
    if match.get("labelSelector") or match.get("namespaceSelector") or match.get("name"):
        return None
    return True


def _kind_entry(entry: Any, target: Target) -> bool:
    groups = [str(g) for g in (entry or {}).get("apiGroups") or []]
    kinds = [str(k) for k in (entry or {}).get("kinds") or []]
    return (not groups or target.group in groups or "*" in groups) and (
        not kinds or target.kind in kinds or "*" in kinds
    )


def applying(kube: Kube, found: Sequence[Target]) -> tuple[list[Applying], list[str]]:
    """The constraints that select (or may select) a target, deny first, and the constraint
    kinds this user may not list (the webhook judges the objects all the same). None where
    Gatekeeper is absent (its group version is not served)."""
    result: list[Applying] = []
    listed, forbidden = constraints(kube)
    for kind, obj in listed:
        made = _applying(kind, obj, found)
        if made is not None:
            result.append(made)
    order = {"deny": 0, "warn": 1}
    result.sort(key=lambda a: (bool(a.not_enforced), order.get(a.action, 2), a.kind, a.name))
    return result, forbidden


def constraints(kube: Kube) -> tuple[list[tuple[str, Mapping[str, Any]]], list[str]]:
    """Every constraint as (kind, object), one paged list per kind the group version serves, and
    the kinds this user may not list. None where Gatekeeper is absent."""
    listed: list[tuple[str, Mapping[str, Any]]] = []
    forbidden: list[str] = []
    for kind in kube.served_kinds(API_VERSION):
        try:
            listed.extend((kind, obj) for obj in kube.list(API_VERSION, kind, page_size=PAGE_SIZE))
        except errors.AuthError:
            forbidden.append(kind)
    return listed, forbidden


def not_enforced(status: Mapping[str, Any]) -> str:
    """Why the webhook does not enforce a constraint, from ``status.byPod``: "" where a webhook pod
    (operations naming ``webhook``, or none named) has it ``enforced``, or where no pod reported yet
    (not known: it is taken as enforced)."""
    pods = [p for p in status.get("byPod") or [] if isinstance(p, Mapping)]
    webhook = [p for p in pods if "webhook" in (p.get("operations") or ["webhook"])]
    if not webhook or any(p.get("enforced") for p in webhook):
        return ""
    for pod in webhook:
        for error in pod.get("errors") or []:
            if isinstance(error, Mapping) and error.get("message"):
                return f"not enforced: {error['message']}"
    return "not enforced by Gatekeeper's webhook pods yet"


def exempt(kube: Kube, found: Sequence[Target]) -> tuple[list[Target], dict[str, str]]:
    """The targets the webhook is called for, and the namespaces it skips with the reason
    (Exemptions; the namespace's labels read once each, a refusal read as no labels)."""
    exemptions = Exemptions(kube)
    skipped: dict[str, str] = {}
    kept: list[Target] = []
    for target in found:
        ns = target.namespace
        if ns is not None and ns not in skipped and (reason := skip_reason(kube, exemptions, ns)):
            skipped[ns] = reason
        if ns is None or ns not in skipped:
            kept.append(target)
    return kept, skipped


def skip_reason(kube: Kube, exemptions: Exemptions, namespace: str) -> str:
    try:
        labels = ((namespaces.read(kube, namespace) or {}).get("metadata") or {}).get("labels") or {}
    except errors.AuthError:
        labels = {}
    if not exemptions.skips(namespace, labels):
        return ""
    if namespace == GATEKEEPER_NAMESPACE:
        return "Gatekeeper's own namespace"
    if IGNORE_LABEL in labels:
        return f"labelled {IGNORE_LABEL}"
    return "excluded from the webhook by Gatekeeper's Config (gatekeeper-system/config)"


def _applying(kind: str, obj: Mapping[str, Any], found: Sequence[Target]) -> Applying | None:
    spec = obj.get("spec") or {}
    match = spec.get("match") or {}
    verdicts = [(t, selects(match, t)) for t in found]
    chosen = [t for t, v in verdicts if v is not False]
    if not chosen:
        return None
    status = obj.get("status") or {}
    violations = tuple(v for v in status.get("violations") or [] if isinstance(v, Mapping) and _concerns(v, chosen))
    total = status.get("totalViolations")
    if not isinstance(total, int) and (status.get("auditTimestamp") or "violations" in status):
        total = len(status.get("violations") or [])  # audited, before totalViolations was written
    return Applying(
        kind=kind,
        name=str((obj.get("metadata") or {}).get("name") or ""),
        action=webhook_action(spec),
        objects=tuple(dict.fromkeys(t.ref for t in chosen)),
        sure=any(v for _, v in verdicts),
        at_admission=any(t.parent is None or t.expanded for t in chosen),
        total=total if isinstance(total, int) else None,
        violations=violations,
        audited=str(status.get("auditTimestamp") or ""),
        not_enforced=not_enforced(status),
    )


def _concerns(violation: Mapping[str, Any], chosen: Sequence[Target]) -> bool:
    """A violation in a namespace the objects land in, or of one of the cluster-scoped objects
    (a Namespace's violation has its name and no namespace: StatusViolation's omitempty)."""
    namespace = violation.get("namespace")
    if namespace:
        return any(t.namespace == namespace for t in chosen)
    return any(
        t.namespace is None and (t.kind, t.name) == (violation.get("kind"), violation.get("name")) for t in chosen
    )


_DOES = {"deny": "refuses what breaks it", "warn": "warns on what breaks it", "dryrun": "only audits"}


def warning(found: Applying) -> str:
    """One line for a constraint: what it does, whom it selects, what its last audit found."""
    selects_word = "selects" if found.sure else "may select (a selector decides)"
    does = _DOES.get(found.action, "does nothing at admission")
    if found.not_enforced:
        does = f"{found.not_enforced}; the webhook judges nothing with it until that is fixed"
    objects = ", ".join(found.objects)
    line = f"Gatekeeper constraint {found.kind}/{found.name} ({found.action}: {does}) {selects_word} {objects}"
    if not found.at_admission and found.action in ("deny", "warn") and not found.not_enforced:
        line += (
            "; it judges the pods when their controller creates them, after the apply (no ExpansionTemplate "
            "expands the workload into Pods), so a server dry run does not show it: a deny shows as "
            "FailedCreate events"
        )
    if found.total is None:
        return line + "; not audited yet"
    where = sorted(
        {
            f"namespace {v['namespace']}" if v.get("namespace") else f"{v.get('kind')}/{v.get('name')}"
            for v in found.violations
        }
    )
    line += f"; its last audit found {found.total} violation(s) in the cluster"
    if found.violations:
        first = found.violations[0]
        line += (
            f", {len(found.violations)} listed for {', '.join(where)}, e.g. "
            f"{first.get('kind')}/{first.get('name')}: {first.get('message')}"
        )
    return line


DRY_RUN_HINT = (
    "akscli does not evaluate Gatekeeper's Rego; a server dry run sends the objects through its "
    "webhook and shows a deny without changing anything: akscli apply {files} --dry-run=server"
)
