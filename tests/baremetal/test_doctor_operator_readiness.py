"""baremetal doctor against the operators' own readiness: the GPU Operator's Deployment scaled to
zero is not called uninstalled, an operand DaemonSet the ClusterPolicy names not ready (NVIDIA/
gpu-operator controllers/clusterpolicy_controller.go clusterPolicyNotReadyMessage, object_controls.go
isDaemonSetReady) gets a rollout row, and the Network Operator's DaemonSets its NicClusterPolicy
calls not ready (Mellanox/network-operator pkg/state/state_skel.go isDaemonSetReady) are named."""

from __future__ import annotations

from typing import Any

from akscli.baremetal import doctor
from akscli.gpu import network_operator
from akscli.gpu import stack as gpu_stack
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.nvidia import NAMESPACE
from tests.ops.fakes import FakeReader

from .conftest import gpu_operator_cluster


def _operator_findings(kube: Any) -> list[doctor.Finding]:
    return [f for f in doctor.diagnose(kube, doctor.Options()).findings if f.check == "gpu-operator"]


def test_a_gpu_operator_scaled_to_zero_is_told_to_scale_not_to_reinstall(kube_emulator: Any, kube: Any) -> None:
    gpu_operator_cluster(kube_emulator)
    d = kube_emulator.cluster.get("apps/v1", "Deployment", NAMESPACE, "gpu-operator")
    d["spec"]["replicas"] = 0
    kube_emulator.cluster.update(d)
    assert wait_until(
        lambda: not kube_emulator.cluster.list("v1", "Pod", namespace=NAMESPACE, label_selector="app=gpu-operator")
    )
    [finding] = [f for f in _operator_findings(kube) if "no GPU Operator pod runs" in f.message]
    assert finding.message == (
        "a ClusterPolicy exists but no GPU Operator pod runs: deployment gpu-operator/gpu-operator is scaled to "
        "zero (spec.replicas 0), so it runs no pod"
    )
    assert finding.fix.startswith("kubectl scale deployment/gpu-operator -n gpu-operator --replicas=1 ")


def test_a_gfd_rollout_the_cluster_policy_names_not_ready_gets_a_rollout_row(kube_emulator: Any, kube: Any) -> None:
    gpu_operator_cluster(kube_emulator)
    ds = kube_emulator.cluster.get("apps/v1", "DaemonSet", NAMESPACE, "gpu-feature-discovery")
    ds["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "1000"}}
    kube_emulator.cluster.update(ds)

    def status() -> dict[str, Any]:
        return dict(kube_emulator.cluster.get("apps/v1", "DaemonSet", NAMESPACE, "gpu-feature-discovery")["status"])

    assert wait_until(lambda: status().get("observedGeneration") == 2 and status().get("updatedNumberScheduled") == 1)
    # The operator reconciles its policy again (upstream: every 5 s while a state is not ready).
    kube_emulator.cluster.patch(
        "nvidia.com/v1", "ClusterPolicy", None, "cluster-policy", {"metadata": {"labels": {"x": "y"}}}
    )
    policy = lambda: kube_emulator.cluster.get("nvidia.com/v1", "ClusterPolicy", None, "cluster-policy")  # noqa: E731
    assert wait_until(lambda: policy()["status"]["state"] == "notReady")
    messages = [f.message for f in _operator_findings(kube)]
    assert (
        'daemonset gpu-operator/gpu-feature-discovery: Waiting for daemon set "gpu-feature-discovery" rollout to '
        "finish: 1 out of 2 new pods have been updated, 1 of 2 pods available"
    ) in messages
    assert any(
        m.startswith("ClusterPolicy cluster-policy is notReady: ") and "gpu-feature-discovery" in m for m in messages
    )


# ---- the Network Operator (objects as its manifests and status writer shape them) ---------------

NO_NS = "nvidia-network-operator"  # pkg/config/config.go NetworkOperatorResourceNamespace's default


def _policy(*states: tuple[str, str, str]) -> dict[str, Any]:
    """A NicClusterPolicy with status.appliedStates (controllers/nic_policy_helpers.go updatePolicyCRStatus)."""
    return {
        "apiVersion": "mellanox.com/v1alpha1",
        "kind": "NicClusterPolicy",
        "metadata": {"name": "nic-cluster-policy"},
        "status": {
            "state": "notReady" if any(s != "ready" for _, s, _ in states) else "ready",
            "appliedStates": [{"name": n, "state": s, **({"message": m} if m else {})} for n, s, m in states],
        },
    }


def _daemonset(name: str, strategy: str, desired: int, updated: int, available: int) -> dict[str, Any]:
    """As manifests/state-rdma-shared-device-plugin/0060_rdma-shared-dev-plugin-ds.yaml and
    manifests/state-ofed-driver/0050_ofed-driver-ds.yaml label them (ds-owner: NicClusterPolicy)."""
    app = name.removesuffix("-ds") if name.startswith("mofed-") else "rdma-shared-dp"
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": NO_NS, "generation": 2, "labels": {"ds-owner": "NicClusterPolicy"}},
        "spec": {"selector": {"matchLabels": {"app": app}}, "updateStrategy": {"type": strategy}},
        "status": {
            "observedGeneration": 2,
            "desiredNumberScheduled": desired,
            "updatedNumberScheduled": updated,
            "numberAvailable": available,
        },
    }


def _rules(*objects: dict[str, Any]) -> list[gpu_stack.Rule]:
    return network_operator.rules(FakeReader(*objects), gpu_stack.Rule)  # type: ignore[arg-type]


def test_the_rdma_shared_device_plugin_mid_rollout_is_named_in_kubectls_words() -> None:
    [rule] = _rules(
        _policy(("state-RDMA-device-plugin", "notReady", "")),
        _daemonset("rdma-shared-dp-ds", "RollingUpdate", 2, 1, 1),
    )
    assert (rule.check, rule.severity, rule.subject) == (
        "network-operator",
        "warning",
        "rollout daemonset/rdma-shared-dp-ds",
    )
    assert rule.message == (
        f'daemonset {NO_NS}/rdma-shared-dp-ds: Waiting for daemon set "rdma-shared-dp-ds" rollout to finish: '
        "1 out of 2 new pods have been updated, 1 of 2 pods available (RDMA shared device plugin; "
        "NicClusterPolicy nic-cluster-policy: state-RDMA-device-plugin is notReady)"
    )
    assert rule.fix.startswith(f"kubectl rollout status daemonset/rdma-shared-dp-ds -n {NO_NS} follows it")


def test_an_on_delete_mofed_driver_with_old_pods_says_they_go_only_when_deleted() -> None:
    [rule] = _rules(
        _policy(("state-OFED", "notReady", "")),
        _daemonset("mofed-ubuntu22.04-7f9c8d-ds", "OnDelete", 2, 0, 2),
    )
    assert rule.subject == "daemonset mofed-ubuntu22.04-7f9c8d-ds"
    assert (
        "0 of 2 pods run its current template (updateStrategy OnDelete: a pod is replaced only when it is deleted)"
        in (rule.message)
    )


def test_a_not_ready_state_with_no_daemonset_is_an_error_with_the_operators_message() -> None:
    [rule] = _rules(_policy(("state-RDMA-device-plugin", "error", "failed to render objects")))
    assert rule.severity == "error"
    assert rule.message == (
        "NicClusterPolicy nic-cluster-policy: state-RDMA-device-plugin is error (failed to render objects); its RDMA "
        "shared device plugin DaemonSet (rdma-shared-dp-ds...) does not exist"
    )


def test_a_ready_nic_cluster_policy_costs_no_daemonset_list() -> None:
    kinds: list[str] = []

    class Recording(FakeReader):
        def list(self, api_version: str, kind: str, **kwargs: Any) -> Any:
            kinds.append(kind)
            return super().list(api_version, kind, **kwargs)

    reader = Recording(_policy(("state-RDMA-device-plugin", "ready", ""), ("state-OFED", "ready", "")))
    assert network_operator.rules(reader, gpu_stack.Rule) == []  # type: ignore[arg-type]
    assert kinds == ["NicClusterPolicy"]


def test_both_doctors_get_the_network_operators_rows_from_the_gpu_stack_rules() -> None:
    reader = FakeReader(
        _policy(("state-RDMA-device-plugin", "notReady", "")), _daemonset("rdma-shared-dp-ds", "RollingUpdate", 2, 1, 0)
    )
    _, rules = gpu_stack.rules(reader, gpu_stack.GpuNodes())  # type: ignore[arg-type]
    [rule] = [r for r in rules if r.check == "network-operator"]
    assert (rule.severity, rule.subject) == ("error", "rollout daemonset/rdma-shared-dp-ds")  # no pod available


def test_doctor_shows_a_network_operator_row_as_not_ready_where_no_gpu_operator_is() -> None:
    """Installed (its NicClusterPolicy is there), so not "missing" as the GPU Operator's own rows
    would be without the GPU Operator."""
    from akscli.doctor import checks as cluster_doctor

    reader = FakeReader(
        _policy(("state-RDMA-device-plugin", "notReady", "")), _daemonset("rdma-shared-dp-ds", "RollingUpdate", 2, 1, 1)
    )
    rows = {c.name: c for c in cluster_doctor._gpu_stack(reader)}  # type: ignore[arg-type]
    row = rows["rollout daemonset/rdma-shared-dp-ds"]
    assert (row.status, row.present, row.blocking) == (cluster_doctor.NOT_READY, True, False)
