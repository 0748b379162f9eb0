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
- Which match: open-policy-agent/gatekeeper dd8507eb pkg/mutation/match/match.go Matches, every
  part of it (akscli.kube.gatekeeper_match, the matcher the Deployment Safeguards preflight uses
  too): kinds, scope, namespaces, excludedNamespaces, labelSelector (the object's labels; for the
  Pods a controller makes, the labels it gives them: akscli.kube.pod_labels), namespaceSelector
  (the labels of the Namespace: one of the files, which an apply sends first, else one GET per
  namespace; the API server adds ``kubernetes.io/metadata.name``), name (a generated one through
  akscli.kube.pod_names) and source. What is not known before the objects exist (a label value a
  controller computes, a namespace this user may not read) makes a constraint that *may* select,
  and the line says on what it depends.
- What an ExpansionTemplate adds (pkg/webhook/policy.go reviewRequest; pkg/expansion/system.go
  expand and expandResource): at a workload's admission, the map at its ``templateSource``, of the
  ``generatedGVK``, named ``<name>-<kind>`` lower-cased, in the request's namespace, reviewed with
  source ``Generated``; applyTo names each group, version and kind (pkg/mutation/match/
  apply_to.go ApplyTo.Matches). A template's non-empty ``enforcementAction`` replaces the
  constraint's for what it expands (pkg/expansion/aggregate.go OverrideEnforcementAction), so one
  constraint may act twice: once on the expanded Pod at admission, once on the real Pods after it.
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
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from akscli import errors
from akscli.kube import gatekeeper_match, namespaces, pod_labels, podsecurity, safeguards
from akscli.kube.gatekeeper_match import GENERATED, Match, Subject
from akscli.kube.safeguards import API_VERSION, GATEKEEPER_NAMESPACE, IGNORE_LABEL, Exemptions, webhook_action
from akscli.object_names import object_ref

if TYPE_CHECKING:
    from akscli.kube.client import Kube

PAGE_SIZE = 50
# kubernetes/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_Namespace sets this label to the
# Namespace's name (v1.LabelMetadataName), whatever the manifest says (kept in sync, its comment
# says, with pkg/registry/core/namespace's Canonicalize)
NAME_LABEL = "kubernetes.io/metadata.name"


@dataclass(frozen=True)
class Target:
    """What a constraint's match reads: an object, the Pods its controller makes, or what an
    ExpansionTemplate expands it into at its admission."""

    ref: str
    subject: Subject
    # The Pods of a workload: the workload's (group, kind). Its controller makes them after the
    # apply; the webhook judges them then.
    parent: tuple[str, str] | None = None
    template: str = ""  # the ExpansionTemplate that expanded it (subject.source Generated)
    override: str = ""  # that template's enforcementAction ("": the constraint's)
    index: int = -1  # the object's place in the files' objects

    @property
    def namespace(self) -> str | None:
        return self.subject.namespace

    @property
    def at_admission(self) -> bool:
        """Judged when the objects are sent (so a server dry run shows it)."""
        return self.parent is None or self.subject.source == GENERATED


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
    unknown: str = ""  # what decides whether it selects them, where not sure
    expansion: str = ""  # the ExpansionTemplate whose enforcementAction replaces the constraint's
    indices: tuple[int, ...] = ()  # the objects' places in the files' objects

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


@dataclass(frozen=True)
class Expansion:
    """An ExpansionTemplate (open-policy-agent/gatekeeper apis/expansion/v1beta1/
    expansiontemplate_types.go): applyTo, templateSource, generatedGVK, enforcementAction."""

    name: str
    apply_to: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...]  # (groups, versions, kinds)
    source: tuple[str, ...]
    generated: tuple[str, str]  # (group, kind)
    action: str

    def applies(self, group: str, version: str, kind: str) -> bool:
        """pkg/mutation/match/apply_to.go ApplyTo.Matches: group, version and kind each listed (exact)."""
        return any(group in g and version in v and kind in k for g, v, k in self.apply_to)

    def expand(
        self, obj: Mapping[str, Any], namespace: str | None, ns_labels: Mapping[str, str | None] | None, ref: str
    ) -> Target | None:
        """pkg/expansion/system.go expandResource: the map at templateSource (None where it is
        missing: Expand errs, the webhook reviews nothing for it), in the request's namespace, named
        mockNameForResource ``<name>-<kind>`` lower-cased, with source Generated (pkg/webhook/
        policy.go createReviewForResultant)."""
        node: Any = obj
        for key in self.source:
            node = node.get(key) if isinstance(node, Mapping) else None
        if not isinstance(node, Mapping):
            return None
        meta = node.get("metadata") or {}
        name = f"{(obj.get('metadata') or {}).get('name') or ''}-{self.generated[1]}".lower()
        labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
        subject = Subject(
            self.generated[0], self.generated[1], namespace, labels, name, source=GENERATED, namespace_labels=ns_labels
        )
        word = f"{self.generated[1].lower()}s"
        ref = f"{ref} (its {word} as ExpansionTemplate {self.name} expands them)"
        return Target(ref, subject, template=self.name, override=self.action)


def targets(kube: Kube, objects: Sequence[Mapping[str, Any]], namespace: str) -> list[Target]:
    """Each object; the Pods of those with a pod template (akscli.kube.podsecurity.pod_specs) with the
    labels and names their controllers give them (akscli.kube.pod_labels); and what an
    ExpansionTemplate expands each into; where they would land (``namespace``: objects without one),
    with that Namespace's labels (``namespace_labels``)."""
    placed: list[tuple[Mapping[str, Any], str | None]] = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        ns: str | None = str(meta.get("namespace") or namespace)
        try:
            if not kube.resource(str(obj.get("apiVersion", "")), str(obj.get("kind", ""))).namespaced:
                ns = None
        except errors.NotInstalledError:
            pass  # not served: sent, it would fail before admission anyway
        placed.append((obj, ns))
    labels = namespace_labels(kube, objects, {ns for _, ns in placed if ns is not None})
    templates = expansions(kube)
    found: list[Target] = []
    for index, (obj, ns) in enumerate(placed):
        made = _object_targets(obj, ns, None if ns is None else labels.get(ns), templates)
        found.extend(replace(t, index=index) for t in made)
    return found


def _object_targets(
    obj: Mapping[str, Any], ns: str | None, ns_labels: Mapping[str, str | None] | None, templates: Sequence[Expansion]
) -> list[Target]:
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    group, _, version = api_version.rpartition("/")
    meta = obj.get("metadata") or {}
    name = str(meta.get("name") or "")
    own = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
    if (group, kind) == ("", "Namespace"):
        own[NAME_LABEL] = name
    ref = object_ref(obj)
    what = "the namespace's labels" if kind == "Namespace" else f"the labels of {ref}"
    generate = str(meta.get("generateName") or "")
    subject = Subject(group, kind, ns, own, name, generate, namespace_labels=ns_labels, what=what)
    found = [Target(ref, subject)]
    for where, _spec in podsecurity.pod_specs(obj) if ns is not None else []:
        pods_ref = f"{ref} (its pods)" if not where else f"{ref} ({where} pods)"
        if not safeguards.in_scope(obj, where):
            # KAITO's and AI Runway's operators write these pods: their labels and names are not known here
            operator = Subject("", "Pod", ns, None, namespace_labels=ns_labels, what="the labels its operator gives")
            found.append(Target(pods_ref, operator, (group, kind)))
            continue
        for guess in pod_labels.pods(obj, where, safeguards.pod_template(obj, where)):
            pod = Subject(
                "",
                "Pod",
                ns,
                guess.labels,
                guess.name,
                guess.generate_name,
                guess.generate_exact,
                namespace_labels=ns_labels,
            )
            found.append(Target(pods_ref, pod, (group, kind)))
    for template in templates:
        if template.applies(group, version, kind) and (made := template.expand(obj, ns, ns_labels, ref)) is not None:
            found.append(made)
    return found


def namespace_labels(
    kube: Kube, objects: Sequence[Mapping[str, Any]], names: set[str]
) -> dict[str, Mapping[str, str | None] | None]:
    """The labels of each namespace the objects land in, as the webhook reads them at their admission
    (policy.go createReviewForRequest GETs the Namespace): a Namespace of the files (an apply sends
    it first), else the cluster's, one GET each (akscli.kube.namespaces.read); None where it may
    not be read or does not exist."""
    found: dict[str, Mapping[str, str | None] | None] = {}
    for obj in objects:
        meta = obj.get("metadata") or {}
        if (str(obj.get("apiVersion")), obj.get("kind")) == ("v1", "Namespace") and meta.get("name"):
            labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
            found[str(meta["name"])] = {**labels, NAME_LABEL: str(meta["name"])}
    for name in sorted(names - set(found)):
        try:
            ns = namespaces.read(kube, name)
        except errors.AuthError:
            ns = None
        found[name] = None if ns is None else dict((ns.get("metadata") or {}).get("labels") or {})
    return found


EXPANSION_API_VERSIONS = ("expansion.gatekeeper.sh/v1beta1", "expansion.gatekeeper.sh/v1alpha1")


def expansions(kube: Kube) -> list[Expansion]:
    """The ExpansionTemplates (open-policy-agent/gatekeeper website/docs/expansion.md), read once
    with the first version served; none where the API is not served or may not be listed."""
    for api_version in EXPANSION_API_VERSIONS:
        if not kube.has_api(api_version, "ExpansionTemplate"):
            continue
        try:
            items = list(kube.list(api_version, "ExpansionTemplate", page_size=PAGE_SIZE))
        except errors.AuthError:
            return []
        return [made for obj in items if (made := _expansion(obj)) is not None]
    return []


def _expansion(obj: Mapping[str, Any]) -> Expansion | None:
    spec = obj.get("spec") or {}
    made = spec.get("generatedGVK") or {}
    source = str(spec.get("templateSource") or "")
    if not made.get("kind") or not source:
        return None  # system.go expandResource errs: no source, or an empty generatedGVK

    def strs(entry: Any, key: str) -> tuple[str, ...]:
        return tuple(str(v) for v in (entry or {}).get(key) or [])

    apply_to = tuple((strs(e, "groups"), strs(e, "versions"), strs(e, "kinds")) for e in spec.get("applyTo") or [])
    return Expansion(
        name=str((obj.get("metadata") or {}).get("name") or ""),
        apply_to=apply_to,
        source=tuple(source.split(".")),  # system.go sourcePath: strings.Split(source, ".")
        generated=(str(made.get("group") or ""), str(made["kind"])),
        action=str(spec.get("enforcementAction") or ""),
    )


def selects(match: Mapping[str, Any], target: Target) -> Match:
    """match.go Matches for ``target`` (akscli.kube.gatekeeper_match)."""
    return gatekeeper_match.matches(match, target.subject)


def applying(kube: Kube, found: Sequence[Target]) -> tuple[list[Applying], list[str]]:
    """The constraints that select (or may select) a target, deny first, and the constraint
    kinds this user may not list (the webhook judges the objects all the same). None where
    Gatekeeper is absent (its group version is not served)."""
    result: list[Applying] = []
    listed, forbidden = constraints(kube)
    batch = gatekeeper_match.Batch([t.subject for t in found])
    for kind, obj in listed:
        result.extend(_applying(kind, obj, found, batch))
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
    (Exemptions, with the namespace's labels each target carries)."""
    exemptions = Exemptions(kube)
    skipped: dict[str, str] = {}
    kept: list[Target] = []
    for target in found:
        ns = target.namespace
        labels = target.subject.namespace_labels
        if ns is not None and ns not in skipped and (reason := skip_reason(kube, exemptions, ns, labels or {})):
            skipped[ns] = reason
        if ns is None or ns not in skipped:
            kept.append(target)
    return kept, skipped


def skip_reason(
    kube: Kube, exemptions: Exemptions, namespace: str, labels: Mapping[str, str | None] | None = None
) -> str:
    """Why the webhook skips ``namespace`` ("": it does not); ``labels`` None: read them (a refusal
    read as no labels)."""
    if labels is None:
        try:
            labels = ((namespaces.read(kube, namespace) or {}).get("metadata") or {}).get("labels") or {}
        except errors.AuthError:
            labels = {}
    if not exemptions.skips(namespace, labels):
        return ""
    if namespace == GATEKEEPER_NAMESPACE:
        return "Gatekeeper's own namespace"
    if IGNORE_LABEL in (labels or {}):
        return f"labelled {IGNORE_LABEL}"
    return "excluded from the webhook by Gatekeeper's Config (gatekeeper-system/config)"


def _applying(
    kind: str, obj: Mapping[str, Any], found: Sequence[Target], batch: gatekeeper_match.Batch | None = None
) -> list[Applying]:
    """One Applying per enforcement action the selected targets meet: the constraint's, or the
    ExpansionTemplate's for what it expands (pkg/expansion/aggregate.go OverrideEnforcementAction,
    called by pkg/webhook/policy.go reviewRequest for each resultant: a non-empty action replaces
    every result's). ``batch``: the targets' subjects (gatekeeper_match.Batch: the Pods of one
    template judged once where the match reads nothing that sets them apart)."""
    spec = obj.get("spec") or {}
    match = spec.get("match") or {}
    action = webhook_action(spec)
    verdict_at = (batch or gatekeeper_match.Batch([t.subject for t in found])).judge(match)
    groups: dict[str, list[tuple[Target, Match]]] = {}
    settled: set[tuple[str, str]] = set()  # (ref, action) a target surely selected: its like add nothing
    for index, target in enumerate(found):
        acts = target.override.lower() or action
        if (target.ref, acts) in settled:
            continue
        verdict = verdict_at(index)
        if verdict.matched is not False:
            groups.setdefault(acts, []).append((target, verdict))
        if verdict.matched:
            settled.add((target.ref, acts))
    if not groups:
        return []
    status = obj.get("status") or {}
    total = status.get("totalViolations")
    if not isinstance(total, int) and (status.get("auditTimestamp") or "violations" in status):
        total = len(status.get("violations") or [])  # audited, before totalViolations was written
    made: list[Applying] = []
    for acts, picked in groups.items():
        chosen = [t for t, _ in picked]
        listed = status.get("violations") or []
        sure = any(v.matched for _, v in picked)
        made.append(
            Applying(
                kind=kind,
                name=str((obj.get("metadata") or {}).get("name") or ""),
                action=acts,
                objects=tuple(dict.fromkeys(t.ref for t in chosen)),
                sure=sure,
                at_admission=any(t.at_admission for t in chosen),
                total=total if isinstance(total, int) else None,
                violations=tuple(v for v in listed if isinstance(v, Mapping) and _concerns(v, chosen)),
                audited=str(status.get("auditTimestamp") or ""),
                not_enforced=not_enforced(status),
                unknown="" if sure else next((v.unknown for _, v in picked if v.unknown), ""),
                expansion=next((t.template for t in chosen if t.override), ""),
                indices=tuple(sorted({t.index for t in chosen if t.index >= 0})),
            )
        )
    return made


def _concerns(violation: Mapping[str, Any], chosen: Sequence[Target]) -> bool:
    """A violation in a namespace the objects land in, or of one of the cluster-scoped objects
    (a Namespace's violation has its name and no namespace: StatusViolation's omitempty)."""
    namespace = violation.get("namespace")
    if namespace:
        return any(t.namespace == namespace for t in chosen)
    return any(
        t.namespace is None and (t.subject.kind, t.subject.name) == (violation.get("kind"), violation.get("name"))
        for t in chosen
    )


_DOES = {"deny": "refuses what breaks it", "warn": "warns on what breaks it", "dryrun": "only audits"}


def warning(found: Applying) -> str:
    """One line for a constraint: what it does, whom it selects, what its last audit found."""
    selects_word = "selects" if found.sure else f"may select (that depends on {found.unknown or 'its match'})"
    does = _DOES.get(found.action, "does nothing at admission")
    if found.expansion:
        does += f", the action ExpansionTemplate {found.expansion} sets for what it expands"
    if found.not_enforced:
        does = f"{found.not_enforced}; the webhook judges nothing with it until that is fixed"
    objects = ", ".join(found.objects)
    line = f"Gatekeeper constraint {found.kind}/{found.name} ({found.action}: {does}) {selects_word} {objects}"
    if not found.at_admission and found.action in ("deny", "warn") and not found.not_enforced:
        line += (
            "; it judges the pods when their controller creates them, after the apply, so a server dry run "
            "does not show it: a deny shows as FailedCreate events"
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
