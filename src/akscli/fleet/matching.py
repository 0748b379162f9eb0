"""Which member clusters a placement can land on, decided before it is sent.

The hub accepts a placement that matches no member and simply schedules it nowhere, so a typo in a
label or a VM size shows up only as a placement that never rolls out. akscli asks first, with the
filters of the KubeFleet scheduler (kubefleet-dev/kubefleet pkg/scheduler/framework/plugins:
clusteraffinity -- any clusterSelectorTerm whose labelSelector and propertySelector both hold, a
missing property never matching; tainttoleration -- a NoSchedule taint keeps new placements off
unless tolerated; PickFixed -- the named clusters that exist, framework.go).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from akscli import output, suggest
from akscli.errors import AuthError, NotInstalledError, UsageError
from akscli.fleet import CLUSTER_V1, CRP, MEMBER, PLACEMENT_V1, RP, override_members
from akscli.kube import label_selector
from akscli.kube.client import Kube
from akscli.kube.selectors import SelectorError
from akscli.validate import quantity_value

_COMPARE = {
    "Gt": lambda have, want: have > want,
    "Ge": lambda have, want: have >= want,
    "Lt": lambda have, want: have < want,
    "Le": lambda have, want: have <= want,
    "Eq": lambda have, want: have == want,
    "Ne": lambda have, want: have != want,
}


def _labels(member: Mapping[str, Any]) -> dict[str, str]:
    return dict((member.get("metadata") or {}).get("labels") or {})


# kubefleet-dev/kubefleet pkg/propertyprovider/azure/provider.go: NodeCountPerSKUPropertyTmpl,
# "kubernetes.azure.com/vm-sizes/%s/count", one property for each VM size the member has nodes of
# (collectNodeCountRelatedProperties), so a size no member reports is one no member has.
_VM_SIZE_COUNT = re.compile(r"kubernetes\.azure\.com/vm-sizes/([^/]+)/count")


def _sizes_no_member_has(
    policy: Mapping[str, Any], members: Iterable[Mapping[str, Any]]
) -> tuple[str, list[str]] | None:
    """The first VM size the placement's terms require that no member reports, with the sizes
    the members do report; None where each required size is some member's (another requirement,
    a label or a taint is what keeps the placement off)."""
    reported: set[str] = set()
    for member in members:
        for prop in (member.get("status") or {}).get("properties") or {}:
            if found := _VM_SIZE_COUNT.fullmatch(str(prop)):
                reported.add(found.group(1))
    affinity = (policy.get("affinity") or {}).get("clusterAffinity") or {}
    terms = (affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("clusterSelectorTerms") or []
    for term in terms:
        for req in (term.get("propertySelector") or {}).get("matchExpressions") or []:
            wanted = _VM_SIZE_COUNT.fullmatch(str(req.get("name") or ""))
            if wanted and wanted.group(1) not in reported:
                return wanted.group(1), sorted(reported)
    return None


def label_selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str], what: str) -> bool:
    """metav1.LabelSelectorAsSelector(selector).Matches(labels), as KubeFleet reads a member
    selector (akscli.kube.label_selector): nil matches nothing, {} every member. Each caller says
    what its upstream does with nil. One KubeFleet cannot read fails its controller (the
    scheduler's clusteraffinity Filter, the update run's validation, the overrider), so akscli
    refuses it, naming ``what``."""
    try:
        return label_selector.matches(selector, labels)
    except SelectorError as exc:
        raise UsageError(f"{what} has a label selector KubeFleet cannot read: {exc.message}", hint=exc.hint) from None


def _property(member: Mapping[str, Any], name: str) -> Decimal | None:
    entry = ((member.get("status") or {}).get("properties") or {}).get(name)
    if not isinstance(entry, Mapping) or entry.get("value") is None:
        return None
    try:
        return quantity_value(str(entry["value"]), name)
    except UsageError:
        return None


def property_selector_matches(selector: Mapping[str, Any] | None, member: Mapping[str, Any]) -> bool:
    for expr in (selector or {}).get("matchExpressions") or []:
        have = _property(member, str(expr.get("name")))
        values = expr.get("values") or []
        compare = _COMPARE.get(str(expr.get("operator")))
        if have is None or not values or compare is None or not compare(have, quantity_value(str(values[0]))):
            return False
    return True


def _tolerated(taint: Mapping[str, Any], tolerations: Iterable[Mapping[str, Any]]) -> bool:
    for tol in tolerations:
        if tol.get("key") == taint.get("key") and (
            tol.get("operator") == "Exists" or tol.get("value") == taint.get("value")
        ):
            return True
    return False


def matching_members(policy: Mapping[str, Any], members: Iterable[Mapping[str, Any]]) -> list[str]:
    """Names of the members the scheduler's filters would let ``policy`` place on."""
    by_name = {str((m.get("metadata") or {}).get("name")): m for m in members}
    if policy.get("placementType") == "PickFixed":
        return [n for n in policy.get("clusterNames") or [] if n in by_name]
    tolerations = list(policy.get("tolerations") or [])
    affinity = (policy.get("affinity") or {}).get("clusterAffinity") or {}
    terms = (affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("clusterSelectorTerms") or []
    found = []
    for name, member in sorted(by_name.items()):
        taints = (member.get("spec") or {}).get("taints") or []
        if any(not _tolerated(t, tolerations) for t in taints):
            continue
        # clusteraffinity/types.go clusterRequirement.Matches: a term with no labelSelector
        # skips the label check (it is not LabelSelectorAsSelector(nil), which matches nothing)
        if terms and not any(
            (
                t.get("labelSelector") is None
                or label_selector_matches(t["labelSelector"], _labels(member), "a clusterSelectorTerm")
            )
            and property_selector_matches(t.get("propertySelector"), member)
            for t in terms
        ):
            continue
        found.append(name)
    return found


def warn_missing_selected(
    kube: Kube, placements: Iterable[Mapping[str, Any]], objects: Iterable[Mapping[str, Any]]
) -> None:
    """Warn about a selector naming an object that is neither on the hub nor among ``objects``
    (what this command applies with the placement). KubeFleet ignores a missing named object
    and selects nothing for it, so the placement still becomes Available on every member
    (upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/placement/resource_selector.go,
    a named selector's lister Get returns ``controller.NewAPIServerError(true,
    client.IgnoreNotFound(err))``): a misspelt name would place nothing, silently."""
    applying = {
        (str(o.get("kind")), (o.get("metadata") or {}).get("name"), (o.get("metadata") or {}).get("namespace"))
        for o in objects
    }
    for placement in placements:
        pname = (placement.get("metadata") or {}).get("name")
        namespace = (placement.get("metadata") or {}).get("namespace")
        for sel in (placement.get("spec") or {}).get("resourceSelectors") or []:
            name = sel.get("name")
            if not name or (sel.get("kind"), name, namespace) in applying:
                continue
            api_version = f"{sel['group']}/{sel['version']}" if sel.get("group") else str(sel.get("version"))
            try:
                found = kube.get(api_version, str(sel.get("kind")), str(name), namespace=namespace)
            except (NotInstalledError, AuthError):
                continue  # a kind the hub does not serve, or may not be read: the hub reports it
            if found is None:
                where = f" in namespace {namespace}" if namespace else ""
                output.warn(
                    f"placement {pname}: {str(sel.get('kind')).lower()}/{name} does not exist on the hub{where}; "
                    "Fleet selects nothing for it (create it on the hub, or fix the name in --select)"
                )


def check_selected_kinds(kube: Kube, placements: Iterable[Mapping[str, Any]]) -> None:
    """Refuse a selector whose kind the hub serves under another case (``workspace`` for
    ``Workspace``): KubeFleet's webhook looks the kind up in its REST mapper as written and denies the
    placement ("failed to get GVR of the selector": upstream kubefleet-dev/kubefleet e160c1cd
    pkg/utils/validator/placement.go validatePlacement; the mapper, controller-runtime's, keys kinds
    exactly). A kind the hub does not serve at all is left to the hub to report."""
    for placement in placements:
        pname = (placement.get("metadata") or {}).get("name")
        for sel in (placement.get("spec") or {}).get("resourceSelectors") or []:
            kind = str(sel.get("kind"))
            api_version = f"{sel['group']}/{sel['version']}" if sel.get("group") else str(sel.get("version"))
            try:
                if kube.has_api(api_version, kind):
                    continue
                served = kube.served_kinds(api_version)
            except AuthError:
                continue
            same = [k for k in served if k.lower() == kind.lower()]
            if same:
                form = f"{same[0]}.{sel['version']}.{sel['group']}" if sel.get("group") else same[0]
                raise UsageError(
                    f"placement {pname}: the hub serves kind {same[0]} in {api_version}, not {kind}; KubeFleet "
                    "matches a selector's kind as written and its webhook would deny the placement",
                    hint=f"write --select {form}/NAME",
                )


def check_placements(kube: Kube, objects: Iterable[Mapping[str, Any]]) -> None:
    """Refuse a placement that no member can take (one line, before anything is sent); warn when a
    PickN or PickFixed placement can be only partly fulfilled."""
    objects = list(objects)
    placements = [o for o in objects if o.get("kind") in ("ClusterResourcePlacement", "ResourcePlacement")]
    if not placements:
        return
    check_selected_kinds(kube, placements)
    warn_missing_selected(kube, placements, objects)
    members = list(kube.list(CLUSTER_V1, MEMBER))
    for line in override_members.name_warnings(objects, members):
        output.warn(line)
    known_unserved = unserved_on_hub(kube)
    for obj in placements:
        name = (obj.get("metadata") or {}).get("name")
        policy = (obj.get("spec") or {}).get("policy") or {}
        ptype = policy.get("placementType", "PickAll")
        names = list(policy.get("clusterNames") or [])
        wanted = len(names) if ptype == "PickFixed" else int(policy.get("numberOfClusters") or 0)
        if ptype in ("PickN", "PickFixed") and not wanted:
            continue  # selects no cluster by design (isPolicySelectingNoClusters)
        found = matching_members(policy, members)
        if not found and not members:
            # A hub with no MemberCluster yet: the labels are not what is wrong. Members join
            # through Fleet's ARM API (az fleet member create; upstream: MicrosoftDocs/azure-aks-docs
            # fb060abe articles/kubernetes-fleet/quickstart-create-fleet-and-members.md).
            raise UsageError(
                f"placement {name} matches no member cluster: this hub has no member clusters yet",
                hint="join a cluster first: akscli fleet member join NAME --fleet FLEET -g RG --cluster CLUSTER "
                "(kubectl get memberclusters lists the members)",
            )
        joined = ", ".join(sorted(str((m.get("metadata") or {}).get("name")) for m in members)) or "none"
        if not found and ptype == "PickFixed":
            # named by fleet place --pick-fixed and by model deploy --member: the line names neither flag
            raise UsageError(
                f"placement {name} names member clusters not joined to this hub: {', '.join(names)} "
                f"(members: {joined})",
                hint="name joined members (kubectl get memberclusters lists them)",
            )
        if not found and (absent := _sizes_no_member_has(policy, members)):
            size, reported = absent
            raise UsageError(
                f"placement {name} matches no member cluster of this hub: no member has nodes of VM size {size} "
                f"(members: {joined})",
                hint=f"{suggest.did_you_mean(size, reported)}the members' VM sizes: {', '.join(reported) or 'none'}",
            )
        if not found:
            raise UsageError(
                f"placement {name} matches no member cluster of this hub (members: {joined})",
                # On the hub the members are MemberCluster objects (upstream: kubefleet-dev/kubefleet
                # a46e2e13 apis/cluster/v1/membercluster_types.go); 'akscli fleet member list' would need
                # --fleet and -g, which a hub context does not know.
                hint="check the required labels, properties, VM size and --pick-fixed names against the members "
                "(kubectl get memberclusters --show-labels), or label the members that should take it",
            )
        warn_unserved_kinds(name, found, objects, known_unserved)
        _warn_envelopes(kube, obj, found, known_unserved)
        if ptype == "PickFixed" and len(found) < wanted:
            missing = sorted(set(names) - set(found))
            output.warn(f"placement {name}: {', '.join(missing)} not joined to this hub; placing on {', '.join(found)}")
        elif ptype == "PickN" and len(found) < wanted:
            output.warn(f"placement {name}: only {len(found)} of {wanted} members match ({', '.join(found)})")


def unserved_on_hub(kube: Kube) -> dict[str, dict[str, str]]:
    """What the hub already knows members cannot apply: ``{kind: {member: placement}}`` from the
    failedPlacements of reason DecodingErred ("no matches for kind": the member does not serve that
    kind; akscli.kube.readiness.fleet.unserved_kinds) of the ClusterResourcePlacements and of the
    namespaced ResourcePlacements in every namespace (named NAMESPACE/NAME; the same status type,
    kubefleet-dev/kubefleet e160c1cd apis/placement/v1beta1/clusterresourceplacement_types.go
    ResourcePlacement, config/crd/bases/placement.kubernetes-fleet.io_resourceplacements.yaml).
    KubeFleet reports no member's served APIs otherwise: a MemberCluster's properties are node
    counts, capacity, cost and the Kubernetes version (pkg/propertyprovider/commons.go,
    pkg/propertyprovider/azure/provider.go). Placements of a kind this user may not list, or a hub
    without it, tell nothing."""
    from akscli.kube.readiness.fleet import unserved_kinds

    known: dict[str, dict[str, str]] = {}
    for kind, every_namespace in ((CRP, False), (RP, True)):
        try:
            placements = list(kube.list(PLACEMENT_V1, kind, all_namespaces=every_namespace))
        except (AuthError, NotInstalledError):
            continue
        for placement in placements:
            meta = placement.get("metadata") or {}
            name = f"{meta['namespace']}/{meta.get('name')}" if meta.get("namespace") else str(meta.get("name"))
            for unserved, names in unserved_kinds(placement).items():
                for member in names:
                    known.setdefault(unserved, {}).setdefault(member, name)
    return known


def warn_unserved_kinds(
    name: Any,
    found: list[str],
    objects: list[Mapping[str, Any]],
    known: Mapping[str, Mapping[str, str]],
    via: Mapping[int, str] | None = None,
) -> None:
    """Warn, before anything is sent, when a member this placement matches failed to apply a kind it
    would carry because the member does not serve it, as another placement's status shows. ``via``
    names the envelope an object is wrapped in (by the object's index)."""
    for index, obj in enumerate(objects):
        if obj.get("kind") in ("ClusterResourcePlacement", "ResourcePlacement"):
            continue
        kind = f"{obj.get('kind')} ({obj.get('apiVersion')})"
        wrapped = f", wrapped in {via[index]}" if via and index in via else ""
        failing = {m: p for m, p in (known.get(kind) or {}).items() if m in found}
        for member, seen_in in sorted(failing.items()):
            output.warn(
                f"placement {name}: member {member} does not serve {kind}{wrapped} (placement {seen_in} failed to "
                "apply one there: no matches for kind); it will fail to apply it until that API's CRDs are "
                "installed there"
            )


def _warn_envelopes(
    kube: Kube, placement: Mapping[str, Any], found: list[str], known: Mapping[str, Mapping[str, str]]
) -> None:
    """The pre-send warnings for what the envelopes the placement selects on the hub carry: the wrapped
    objects, as the hub places them (akscli.fleet.envelopes), and an envelope the hub refuses whole."""
    from akscli.fleet import envelopes

    name = (placement.get("metadata") or {}).get("name")
    carried, refused = envelopes.wrapped(envelopes.selected(kube, placement))
    for envelope, why in refused.items():
        output.warn(f"placement {name}: {envelope} will not be placed: {why}")
    objects: list[Mapping[str, Any]] = [w.obj for w in carried]
    warn_unserved_kinds(name, found, objects, known, {i: w.envelope for i, w in enumerate(carried)})
