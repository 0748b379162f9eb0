"""The NVIDIA Network Operator's DaemonSets (the RDMA shared device plugin, the MOFED driver, the
SR-IOV device plugin) where the operator itself calls their state not ready, for ``akscli doctor``
and ``baremetal doctor`` (through akscli.gpu.stack.rules). Plain logic: no Typer, no rich.

Upstream (Mellanox/network-operator b06827e0):

- ``api/v1alpha1/nicclusterpolicy_types.go``: NicClusterPolicy (mellanox.com/v1alpha1, cluster
  scoped) reports ``status.state`` and ``status.appliedStates`` (name, state, message), each state one
  of "ready", "notReady", "ignore", "error"; ``controllers/nic_policy_helpers.go``
  updatePolicyCRStatus writes one applied state per operator state, the sync error as its message.
- ``pkg/state/state_skel.go`` getSyncState and isDaemonSetReady: a state is notReady while its
  DaemonSet is missing, or its desiredNumberScheduled is 0, or numberAvailable or
  updatedNumberScheduled differs from it. dsOwnerValue: a NicClusterPolicy's DaemonSets are labelled
  ``ds-owner=NicClusterPolicy``.
- The DaemonSets, by state (``pkg/state/state_rdma_shared_device_plugin.go``, ``state_ofed.go``,
  ``state_sriov_dp.go`` name the states): ``manifests/state-rdma-shared-device-plugin/
  0060_rdma-shared-dev-plugin-ds.yaml`` (rdma-shared-dp-ds), ``manifests/state-ofed-driver/
  0050_ofed-driver-ds.yaml`` (mofed-<os><ver>-<kernel hash>-ds, updateStrategy OnDelete),
  ``manifests/state-sriov-device-plugin/0030-sriov-dp-daemonset.yaml`` (network-operator-sriov-device-plugin,
  ``sriovDpDaemonSetBaseName``).

Reads: one list of NicClusterPolicies; only where one of their states is not ready, one
label-selected list of the DaemonSets they own. NicNodePolicies are not read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from akscli.doctor import rollout as doctor_rollout
from akscli.errors import AuthError, NotInstalledError
from akscli.kube import pod_problems

if TYPE_CHECKING:
    from akscli.kube.client import Kube

API = "mellanox.com/v1alpha1"
OWNED = "ds-owner=NicClusterPolicy"  # pkg/state/state_skel.go dsOwnerValue
NOT_READY_STATES = ("notReady", "error")  # api/v1alpha1/nicclusterpolicy_types.go StateNotReady, StateError
# The state name: (what the DaemonSet runs, the prefix of its name).
STATE_DAEMONSETS = {
    "state-RDMA-device-plugin": ("RDMA shared device plugin", "rdma-shared-dp-ds"),
    "state-OFED": ("MOFED driver", "mofed-"),
    "state-SRIOV-device-plugin": ("SR-IOV device plugin", "network-operator-sriov-device-plugin"),
}


def rules(kube: Kube, rule: Callable[..., Any]) -> list[Any]:
    """The verdicts on the Network Operator's not-ready DaemonSets; ``rule`` is gpu_stack.Rule."""
    try:
        policies = list(kube.list(API, "NicClusterPolicy", page_size=10))
    except (NotInstalledError, AuthError):
        return []
    out: list[Any] = []
    owned: list[dict[str, Any]] | None = None
    for policy in policies:
        name = str((policy.get("metadata") or {}).get("name"))
        for applied in (policy.get("status") or {}).get("appliedStates") or []:
            state = str(applied.get("state") or "")
            if state not in NOT_READY_STATES:
                continue
            if owned is None:
                owned = list(kube.list("apps/v1", "DaemonSet", all_namespaces=True, label_selector=OWNED, page_size=50))
            out.extend(_state_rules(name, applied, owned, rule))
    return out


def _state_rules(
    policy: str, applied: dict[str, Any], owned: list[dict[str, Any]], rule: Callable[..., Any]
) -> list[Any]:
    state_name, state = str(applied.get("name")), str(applied.get("state"))
    said = f"NicClusterPolicy {policy}: {state_name} is {state}" + (
        f" ({applied['message']})" if applied.get("message") else ""
    )
    what, prefix = STATE_DAEMONSETS.get(state_name, ("", ""))
    matched = [ds for ds in owned if prefix and str((ds.get("metadata") or {}).get("name")).startswith(prefix)]
    if not matched:
        missing = f"; its {what} DaemonSet ({prefix}...) does not exist" if what else ""
        return [
            rule(
                "network-operator",
                "error",
                said + missing,
                f"kubectl get nicclusterpolicy {policy} -o yaml shows status.appliedStates; the Network Operator's "
                "log says why it did not create or sync it",
                subject="nicclusterpolicy",
            )
        ]
    out: list[Any] = []
    for ds in matched:
        meta, status = ds.get("metadata") or {}, ds.get("status") or {}
        ns, ds_name = str(meta.get("namespace")), str(meta.get("name"))
        if rollout := doctor_rollout.daemonset_rollout(ds):
            detail, available = rollout
            out.append(
                rule(
                    "network-operator",
                    "warning" if available else "error",
                    f"{detail} ({what}; {said})",
                    doctor_rollout.daemonset_fix(ns, ds_name),
                    subject=f"rollout daemonset/{ds_name}",
                )
            )
            continue
        desired, available = int(status.get("desiredNumberScheduled") or 0), int(status.get("numberAvailable") or 0)
        updated = int(status.get("updatedNumberScheduled") or 0)
        pods = pod_problems.selector_string((ds.get("spec") or {}).get("selector")) or ""
        if desired == 0:
            message = f"{what} daemonset {ns}/{ds_name} runs on no node (desiredNumberScheduled 0)"
            fix = (
                f"kubectl -n {ns} get daemonset {ds_name} -o yaml: no node matches its nodeSelector or "
                "tolerates its taints"
            )
        elif updated < desired:
            # OnDelete (the MOFED driver's): the DaemonSet controller replaces a pod only once it is
            # deleted (kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go updateDaemonSet
            # calls rollingUpdate for RollingUpdate only), so kubectl rollout status has nothing to follow.
            message = (
                f"{what} daemonset {ns}/{ds_name}: {updated} of {desired} pods run its current template "
                "(updateStrategy OnDelete: a pod is replaced only when it is deleted)"
            )
            fix = f"kubectl -n {ns} get pods -l {pods} -o wide shows the old pods"
        else:
            message = f"{what} daemonset {ns}/{ds_name}: pods available on {available} of {desired} nodes"
            fix = f"kubectl -n {ns} get pods -l {pods} -o wide"
        out.append(
            rule(
                "network-operator",
                "error" if available == 0 or state == "error" else "warning",
                f"{message} ({said})",
                fix,
                subject=f"daemonset {ds_name}",
            )
        )
    return out
