"""A GPU Operator ClusterPolicy with no state yet: whether the operator is still on its first
reconcile or never will finish one, read from its leader lease (which pod leads, and whether the
lease has expired). One of akscli.gpu.stack's rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from akscli.errors import NotInstalledError
from akscli.gpu.verdict import Installed, Rule

if TYPE_CHECKING:
    from akscli.kube.client import Kube

# upstream: NVIDIA/gpu-operator a22dbf6 cmd/gpu-operator/main.go: LeaderElectionID "53822513.nvidia.com",
# in the operator's namespace unless --leader-elect-namespace says otherwise; the Helm chart passes
# --leader-elect (deployments/gpu-operator/templates/operator.yaml) and lets the operator's Role
# get and update leases (templates/role.yaml).
LEADER_LEASE = "53822513.nvidia.com"


def unreconciled(kube: Kube, found: Installed, name: str, ns: str) -> Rule:
    """A ClusterPolicy with no ``status.state``: the operator has not finished a reconcile of it.

    upstream: NVIDIA/gpu-operator v26.7.0 controllers/clusterpolicy_controller.go Reconcile and
    updateCRState: the state (and the Ready/Error conditions) is written only when a reconcile ends
    (ready, notReady, or an error on the way), after it has stepped through every operand state; a
    step does not wait for its operand (one not ready makes the pass end notReady, requeued after
    5 s). api/nvidia/v1/clusterpolicy_types.go ClusterPolicyStatus has no observedGeneration, so an
    empty state is all there is to read. What tells "not yet" from "never" is the operator: with no
    ready pod nothing will ever write it; with ready pods, only the one holding the leader lease
    reconciles (controller-runtime starts the controllers once elected:
    kubernetes-sigs/controller-runtime pkg/manager, pkg/leaderelection/leader_election.go, whose lock
    identity is the pod's host name, "_", a UUID; read through the code index), so the lease names
    the pod to read, or says that none leads."""
    if not found.operator_ready:
        return Rule(
            "gpu-operator",
            "error",
            f"ClusterPolicy {name} has no state: no ready GPU Operator pod reconciles it",
            f"kubectl -n {ns} describe pods -l app.kubernetes.io/component=gpu-operator",
            subject="clusterpolicy",
        )
    home = found.operator_namespace or ns
    lease = _lease(kube, home)
    spec = (lease or {}).get("spec") or {}
    holder = str(spec.get("holderIdentity") or "").split("_", 1)[0]
    where = f"its leader lease ({home}/{LEADER_LEASE})"
    ready = ", ".join(found.operator_ready_names)
    if lease is not None and (not holder or _expired(spec)):
        last = (
            f"was last renewed by {holder} at {spec.get('renewTime')} and has expired"
            if holder
            else "is held by no pod"
        )
        return Rule(
            "gpu-operator",
            "error",
            f"ClusterPolicy {name} has no state and never will while no GPU Operator pod leads: {where} {last}, "
            f"so the ready pod(s) {ready} reconcile nothing",
            f"kubectl -n {home} logs {found.operator_ready_names[0]} (leader election errors: the operator's Role "
            f"must let it get and update leases in {home})",
            subject="clusterpolicy",
        )
    if holder and holder not in found.operator_ready_names:
        return Rule(
            "gpu-operator",
            "error",
            f"ClusterPolicy {name} has no state: {holder} holds {where}, and it is not a ready GPU Operator pod, "
            f"so the ready one(s), {ready}, wait and reconcile nothing",
            f"kubectl -n {home} get pod {holder}; kubectl -n {home} logs {holder}",
            subject="clusterpolicy",
        )
    if holder:
        return Rule(
            "gpu-operator",
            "warning",
            f"ClusterPolicy {name} has no state yet: {holder} leads the GPU Operator (since "
            f"{spec.get('acquireTime') or '?'}) and has not finished a reconcile pass; a pass writes the state at its "
            "end without waiting for the operands, so a state that stays empty means the pass is stuck",
            f"kubectl -n {home} logs {holder}",
            subject="clusterpolicy",
        )
    return Rule(
        "gpu-operator",
        "warning",
        f"ClusterPolicy {name} has no state yet: the GPU Operator has not finished its first reconcile of it",
        f"wait for it (kubectl get clusterpolicy {name} -w shows STATUS); if it stays empty: "
        f"kubectl -n {ns} logs deploy/gpu-operator",
        subject="clusterpolicy",
    )


def _lease(kube: Kube, namespace: str) -> dict[str, Any] | None:
    try:
        return kube.get("coordination.k8s.io/v1", "Lease", LEADER_LEASE, namespace=namespace)
    except NotInstalledError:
        return None


def _expired(spec: Mapping[str, Any]) -> bool:
    """The lease's holder has not renewed it within leaseDurationSeconds (upstream: kubernetes/client-go
    32ce75a tools/leaderelection/leaderelection.go tryAcquireOrRenew and isLeaseValid: a candidate
    takes a lease not renewed within that long, timed from when it saw the record; doctor times it
    from renewTime). A time that does not parse is not expired."""
    from datetime import UTC, datetime, timedelta

    from akscli import timestamps

    renewed = timestamps.parse(spec.get("renewTime"))
    try:
        duration = timedelta(seconds=int(spec.get("leaseDurationSeconds") or 15))
    except (TypeError, ValueError):
        return False
    return renewed is not None and renewed + duration < datetime.now(UTC)
