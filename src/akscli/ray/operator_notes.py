"""The plan hook of ``apply -f``, ``diff -f`` and ``ray cluster create``: KubeRay's rules for each
object the server's dry run answers, judged by the operator found on the cluster."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from akscli.ray.cluster_options import GATES as ALPHA_GATES
from akscli.ray.object_rules import DELETION_GATE, check_job_status, check_objects, uses_gates
from akscli.ray.operator_gates import OperatorGates, operator_gates
from akscli.ray.service_plan import kube_plan_notes

PlanNotes = Callable[[Any, Mapping[str, Any], Mapping[str, Any]], list[str]]


def operator_plan_notes() -> PlanNotes:
    """A plan hook (ApplyOptions.notes) for one run.

    It holds the answer, the object as the server would store it, to KubeRay's rules
    (akscli.ray.object_rules): for a partial file that is the merged object, merged as server-side
    apply merges (kubernetes/apiserver pkg/endpoints/handlers/patch.go applyPatcher, through
    structured-merge-diff: fields the file leaves out keep their stored values, owned by other field
    managers), so no GET is added. The rules that depend on the operator's feature gates and
    release (object_rules.uses_gates) are judged by the operator found on the cluster (one LIST of
    its pods, the first time an object needs them; akscli.ray.operator_gates). An operator that
    exits at start (a --feature-gates its release refuses, or a start-up check of its main.go) is
    not running: a note says so with the fix, and its flag is not believed. Then what KubeRay does
    about a changed RayService's clusters (akscli.ray.service_plan.kube_plan_notes)."""
    read: list[OperatorGates] = []

    def notes(kube: Any, current: Mapping[str, Any], applied: Mapping[str, Any]) -> list[str]:
        said: list[str] = []
        if uses_gates(applied) and not read:
            read.append(operator_gates(kube))
            if read[0].problem:
                said.append(f"warning: the KubeRay operator is not running: {read[0].problem}; {read[0].fix}")
        op = read[0] if read else OperatorGates()
        gates = (op.gate("RayServiceIncrementalUpgrade"), op.gate(DELETION_GATE))
        alpha = {g for g in ALPHA_GATES if op.gate(g)}  # RayClusterHistoryServer, ...: off where not known
        check_objects([applied], *gates, op.release, op.gate("GCSFaultToleranceEmbeddedStorage"), alpha)
        check_job_status(current, applied)  # validateRayJob's order: metadata, spec, then status
        return said + kube_plan_notes(kube, current, applied)

    return notes
