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

A finding is a warning (it blocks no command group): the constraint judges each object, and only a
server dry run of the object answers (akscli does not run Rego).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

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
    if found:
        said = "; ".join(_finding(kind, obj, hits) for kind, obj, hits in found)
        detail = (
            f"{len(found)} deny constraint(s) found violations in namespace {namespace} at their last audit: {said}"
        )
        yield "constraints", NOT_READY, detail + _unlisted(forbidden), FIX
    elif forbidden:
        detail = f"{len(denying)} deny constraint(s) found no violation in namespace {namespace}"
        yield "constraints", UNKNOWN, detail + _unlisted(forbidden), LIST_FIX
    else:
        detail = (
            f"{len(listed)} constraint(s), {len(denying)} in deny; none found violations in namespace "
            f"{namespace} at its last audit"
        )
        yield "constraints", OK, detail, ""


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
