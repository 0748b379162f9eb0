"""The cluster's Gatekeeper constraints as SARIF results (``policy check --context -o sarif``): one
rule per constraint and one result per object it selects, beside akscli's own findings in the same
run, so a code-scanning upload shows them at the object's line.

- The rule id is ``gatekeeper/<kind>/<name>``: SARIF 2.1.0 (oasis-tcs/sarif-spec
  Schemata/sarif-schema-2.1.0.json; §3.27.5 ruleId) lets a hierarchical id use ``/`` between its
  parts.
- The level is the webhook's action (akscli.kube.gatekeeper Applying.action, which already takes a
  ``scoped`` constraint's webhook action and an ExpansionTemplate's override): ``deny`` an error,
  ``warn`` a warning, anything else (``dryrun``, or a constraint no webhook pod enforces) a note.
- These results never fail the check: the exit code stays the rules' (akscli does not run Rego; a
  listed constraint may pass the objects).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli.kube import gatekeeper
from akscli.policy.engine import Finding, OtherRule
from akscli.policy.rules import object_ref

if TYPE_CHECKING:
    from akscli.kube.client import Kube

SEVERITY = {"deny": "error", "warn": "warning"}  # else info: a SARIF note
_ORDER = ("error", "warning", "info")


@dataclass(frozen=True)
class OnCluster:
    """What ``policy check --context`` read: the constraints that select the objects, the constraint
    kinds this user may not list, and the namespaces the webhook skips (with why)."""

    context: str
    found: list[gatekeeper.Applying]
    forbidden: list[str]
    skipped: dict[str, str]


def read(kube: Kube, objects: Sequence[Mapping[str, Any]], namespace: str) -> OnCluster:
    judged, skipped = gatekeeper.exempt(kube, gatekeeper.targets(kube, objects, namespace))
    found, forbidden = gatekeeper.applying(kube, judged)
    return OnCluster(kube.context_name, found, forbidden, skipped)


def severity(found: gatekeeper.Applying) -> str:
    return "info" if found.not_enforced else SEVERITY.get(found.action, "info")


def results(
    found: Sequence[gatekeeper.Applying],
    objects: Sequence[Mapping[str, Any]],
    places: Sequence[tuple[str | None, int | None]],
    context: str,
) -> tuple[list[Finding], list[OtherRule]]:
    """The findings (one per constraint and object) and the rules they name."""
    findings: list[Finding] = []
    rules: dict[str, OtherRule] = {}
    for applying in found:
        rule = f"gatekeeper/{applying.kind}/{applying.name}"
        level = severity(applying)
        known = rules.get(rule)
        if known is None or _ORDER.index(level) < _ORDER.index(known.severity):
            rules[rule] = OtherRule(
                id=rule,
                summary=f"Gatekeeper constraint {applying.kind}/{applying.name} on {context}",
                description=(
                    f"A constraint of {context}'s Gatekeeper (on AKS, an Azure Policy assignment) whose match "
                    "selects these objects; akscli does not evaluate its Rego"
                ),
                help="a server dry run sends the objects through Gatekeeper's webhook and shows a deny: "
                "akscli apply -f FILE --dry-run=server",
                severity=level,
            )
        message = gatekeeper.warning(applying)
        for index in applying.indices:
            source, line = places[index] if index < len(places) else (None, None)
            findings.append(Finding(rule, level, object_ref(objects[index]), message, source, line))
    return findings, list(rules.values())
