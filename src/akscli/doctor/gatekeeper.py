"""doctor's row for Gatekeeper (the Azure Policy add-on on AKS): the deny constraints whose last
audit found violations in the namespace akscli deploys to when no ``-n`` is given (the context's).
Such a constraint refuses a create or update of what it finds wrong there; the user meets it as a
403 at apply time (MicrosoftDocs/azure-aks-docs articles/aks/use-azure-policy.md).

- Present: the ``constraints.gatekeeper.sh/v1beta1`` group version serves a kind (one CRD per
  ConstraintTemplate: open-policy-agent/frameworks constraint/pkg/client/crds/crds.go). Absent, no
  row: a cluster without Gatekeeper lacks nothing akscli needs.
- The constraints: one paged list per kind (akscli.kube.gatekeeper.constraints, shared with
  ``policy check --context``). A deny is ``spec.enforcementAction`` deny or unset, or ``scoped`` to
  the webhook (akscli.kube.safeguards webhook_action), and enforced by a webhook pod
  (status.byPod: akscli.kube.gatekeeper.not_enforced).
- What the audit found: ``status.violations`` with that namespace (open-policy-agent/gatekeeper
  pkg/audit/manager.go StatusViolation; at most 20 listed by default: website/docs/audit.md).
- A namespace the webhook skips (akscli.kube.safeguards Exemptions) is said to be skipped: no
  constraint refuses anything there.
- akscli's own objects in other namespaces: of the violations those constraints list elsewhere,
  those whose object, or an owner up its controller chain (``metadata.ownerReferences`` with
  ``controller: true``: a Pod's ReplicaSet's Deployment), carries akscli's
  ``app.kubernetes.io/managed-by: akscli``. One GET per object read, MAX_READS in all: the list
  is capped by the audit (20 per constraint by default), and the reads by akscli; what is left
  unread is counted in the row. Gatekeeper's webhook judges a create or update as the audit judged
  the object (pkg/webhook/policy.go Handle reviews the same constraints with the same match), so
  the next apply that keeps the violation is refused.

A finding is a warning (it blocks no command group): the constraint judges each object, and only a
server dry run of the object answers (akscli does not run Rego).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from akscli import errors
from akscli.doctor.probes import NOT_READY, OK, UNKNOWN
from akscli.kube import gatekeeper
from akscli.kube.client import Kube
from akscli.kube.safeguards import API_VERSION, Exemptions, webhook_action

Row = tuple[str, str, str, str]

FIX = (
    "the webhook refuses what these constraints find wrong when it is created or updated: akscli policy check "
    "-f FILE --context CONTEXT lists the constraints a manifest meets, and akscli apply -f FILE "
    "--dry-run=server shows a deny"
)
MAX_READS = 30  # GETs to tell akscli's objects among the violations listed in other namespaces
OWNER_DEPTH = 2  # controller owners followed up from a violating object
LIST_FIX = "grant this user list on constraints.gatekeeper.sh (every kind) to see what Gatekeeper refuses"


def rows(kube: Kube) -> Iterator[Row]:
    """One row where Gatekeeper is installed, none where it is not."""
    if not kube.served_kinds(API_VERSION):
        return
    namespace = kube.namespace
    listed, forbidden = gatekeeper.constraints(kube)
    if reason := gatekeeper.skip_reason(kube, Exemptions(kube), namespace):
        yield "constraints", OK, f"Gatekeeper's webhook skips namespace {namespace} ({reason})", ""
        return
    denying = [(kind, obj) for kind, obj in listed if _denies(obj)]
    found = [(kind, obj, hits) for kind, obj in denying if (hits := _violations(obj, namespace))]
    ours, unchecked = _ours_elsewhere(kube, denying, namespace)
    if found or ours:
        parts = []
        if found:
            said = "; ".join(_finding(kind, obj, hits) for kind, obj, hits in found)
            parts.append(
                f"{len(found)} deny constraint(s) found violations in namespace {namespace} at their last audit: {said}"
            )
        if ours:
            parts.append(
                "akscli's own objects in other namespaces break deny constraints at their last audit (the webhook "
                f"refuses a create or update that still breaks them): {'; '.join(ours)}"
            )
        yield "constraints", NOT_READY, "; ".join(parts) + _unchecked(unchecked) + _unlisted(forbidden), FIX
    elif forbidden:
        detail = f"{len(denying)} deny constraint(s) found no violation in namespace {namespace}"
        yield "constraints", UNKNOWN, detail + _unchecked(unchecked) + _unlisted(forbidden), LIST_FIX
    else:
        detail = (
            f"{len(listed)} constraint(s), {len(denying)} in deny; none found violations in namespace "
            f"{namespace} at its last audit"
        )
        yield "constraints", OK, detail + _unchecked(unchecked), ""


def _ours_elsewhere(kube: Kube, denying: list[tuple[str, Mapping[str, Any]]], namespace: str) -> tuple[list[str], int]:
    """The violations the deny constraints list outside ``namespace`` whose object is akscli's (it,
    or an owner up its controller chain, is labelled ``app.kubernetes.io/managed-by: akscli``: a
    Pod of akscli's Deployment counts), in namespaces the webhook does not skip; and how many
    listed violations were left unchecked. At most MAX_READS GETs in all (the list is capped at 20
    per constraint by Gatekeeper's audit: website/docs/audit.md), so the row stays bounded."""
    budget = [MAX_READS]
    exemptions = Exemptions(kube)
    found: list[str] = []
    unchecked = 0
    for kind, obj in denying:
        for violation in (obj.get("status") or {}).get("violations") or []:
            where = violation.get("namespace") if isinstance(violation, Mapping) else None
            if not where or where == namespace or gatekeeper.skip_reason(kube, exemptions, str(where)):
                continue
            if budget[0] <= 0:
                unchecked += 1
                continue
            owner = _akscli_owner(kube, violation, budget)
            if owner:
                ref = f"{violation.get('kind')} {where}/{violation.get('name')}"
                of = "" if owner == ref else f" (of {owner})"
                name = (obj.get("metadata") or {}).get("name")
                found.append(f"{kind}/{name}: {ref}{of}: {violation.get('message')}")
    return found, unchecked


def _akscli_owner(kube: Kube, violation: Mapping[str, Any], budget: list[int]) -> str:
    """``Kind namespace/name`` of the akscli object behind a violation, "" where none is found (or
    the object is gone, or may not be read). Each GET spends one of ``budget``."""
    from akscli.render import MANAGED_BY

    group, version = violation.get("group") or "", violation.get("version") or ""
    api_version, kind, name = (f"{group}/{version}" if group else version), violation.get("kind"), violation.get("name")
    namespace = str(violation.get("namespace"))
    for _ in range(OWNER_DEPTH + 1):  # Pod -> ReplicaSet -> Deployment; Pod -> Job -> CronJob
        if budget[0] <= 0 or not (api_version and kind and name):
            return ""
        budget[0] -= 1
        try:
            obj = kube.get(str(api_version), str(kind), str(name), namespace)
        except (errors.AuthError, errors.NotInstalledError):
            return ""
        meta = (obj or {}).get("metadata") or {}
        if (meta.get("labels") or {}).get(MANAGED_BY) == "akscli":
            return f"{kind} {namespace}/{name}"
        owner = next(
            (o for o in meta.get("ownerReferences") or [] if isinstance(o, Mapping) and o.get("controller")), None
        )
        if owner is None:
            return ""
        api_version, kind, name = owner.get("apiVersion"), owner.get("kind"), owner.get("name")
    return ""


def _unchecked(count: int) -> str:
    return (
        f"; {count} violation(s) listed in other namespaces not checked (akscli reads at most {MAX_READS})"
        if count
        else ""
    )


def _denies(obj: Mapping[str, Any]) -> bool:
    return webhook_action(obj.get("spec") or {}) == "deny" and not gatekeeper.not_enforced(obj.get("status") or {})


def _violations(obj: Mapping[str, Any], namespace: str) -> list[Mapping[str, Any]]:
    listed = (obj.get("status") or {}).get("violations") or []
    return [v for v in listed if isinstance(v, Mapping) and v.get("namespace") == namespace]


def _finding(kind: str, obj: Mapping[str, Any], hits: list[Mapping[str, Any]]) -> str:
    name = (obj.get("metadata") or {}).get("name")
    first = hits[0]
    return f"{kind}/{name} ({len(hits)} listed, e.g. {first.get('kind')}/{first.get('name')}: {first.get('message')})"


def _unlisted(forbidden: list[str]) -> str:
    return f"; could not list {', '.join(forbidden)} (forbidden)" if forbidden else ""
