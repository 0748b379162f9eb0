"""A ClusterPolicy with no state while GPU Operator pods are ready: the operator's leader lease
(53822513.nvidia.com, NVIDIA/gpu-operator cmd/gpu-operator/main.go) says whether a pod leads, and
which, since only the leader reconciles and writes the state (akscli.gpu.lease.unreconciled)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from akscli.baremetal import doctor

from . import nodes as fx
from .conftest import add_nodes, cluster_policy, helm_gpu_operator

NAMESPACE = "gpu-operator"


def finding(kube: Any) -> doctor.Finding:
    [found] = [f for f in doctor.diagnose(kube, doctor.Options()).findings if f.check == "gpu-operator"]
    return found


def operator_pod(emu: Any) -> str:
    [pod] = emu.cluster.list("v1", "Pod", namespace=NAMESPACE, label_selector="app=gpu-operator")
    return str(pod["metadata"]["name"])


def lease(emu: Any, holder: str, renewed: str, seconds: int = 15) -> None:
    """The Lease as controller-runtime's leader election writes it: the holder is the pod's host
    name, "_", a UUID."""
    spec = {
        "holderIdentity": f"{holder}_6c1f5e3a-1b2c-4d5e-8f90-0a1b2c3d4e5f" if holder else "",
        "leaseDurationSeconds": seconds,
        "acquireTime": renewed,
        "renewTime": renewed,
        "leaseTransitions": 1,
    }
    meta = {"name": "53822513.nvidia.com", "namespace": NAMESPACE}
    emu.cluster.create({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": meta, "spec": spec})


def policy_without_state(emu: Any) -> None:
    add_nodes(emu, fx.healthy_cluster(1))
    helm_gpu_operator(emu)  # its pod is ready; no operator simulator runs, so no state
    emu.cluster.create(cluster_policy())


def test_an_expired_leader_lease_says_no_pod_leads_so_the_state_never_comes(kube_emulator: Any, kube: Any) -> None:
    policy_without_state(kube_emulator)
    lease(kube_emulator, "gpu-operator-7d9f8-old", "2026-01-05T10:00:00.000000Z")
    found = finding(kube)
    assert found.severity == "error"
    assert found.message == (
        "ClusterPolicy cluster-policy has no state and never will while no GPU Operator pod leads: its leader lease "
        "(gpu-operator/53822513.nvidia.com) was last renewed by gpu-operator-7d9f8-old at 2026-01-05T10:00:00.000000Z "
        f"and has expired, so the ready pod(s) {operator_pod(kube_emulator)} reconcile nothing"
    )
    assert found.fix.startswith(f"kubectl -n gpu-operator logs {operator_pod(kube_emulator)} (leader election errors")


def test_a_lease_held_by_a_pod_that_is_not_a_ready_operator_pod_is_named(kube_emulator: Any, kube: Any) -> None:
    policy_without_state(kube_emulator)
    lease(kube_emulator, "gpu-operator-elsewhere", datetime.now(UTC).isoformat(), seconds=3600)
    found = finding(kube)
    assert found.severity == "error"
    assert "gpu-operator-elsewhere holds its leader lease (gpu-operator/53822513.nvidia.com)" in found.message
    assert (
        found.fix
        == "kubectl -n gpu-operator get pod gpu-operator-elsewhere; kubectl -n gpu-operator logs gpu-operator-elsewhere"
    )


def test_a_ready_leader_without_a_state_is_named_as_the_pod_to_read(kube_emulator: Any, kube: Any) -> None:
    policy_without_state(kube_emulator)
    leader = operator_pod(kube_emulator)
    lease(kube_emulator, leader, datetime.now(UTC).isoformat(), seconds=3600)
    found = finding(kube)
    assert found.severity == "warning"
    assert found.message.startswith(f"ClusterPolicy cluster-policy has no state yet: {leader} leads the GPU Operator")
    assert found.message.endswith("so a state that stays empty means the pass is stuck")
    assert found.fix == f"kubectl -n gpu-operator logs {leader}"
