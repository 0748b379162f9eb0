"""The sriov-network-operator's config daemon and its SriovNetworkNodeStates (tests/emulators/kube/
controllers/sriov_operator.py and sriov_config_daemon.py, upstream cited there), and what ``baremetal
doctor`` says of them (akscli.baremetal.sriov_state): a GPU node the daemon's selector does not cover,
a node whose configuration failed, and one whose configuration has been in progress too long."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from akscli.baremetal import doctor, sriov_state
from tests.emulators.kube.controllers.sriov_config_daemon import SriovConfigDaemon
from tests.emulators.kube.controllers.sriov_operator import API

from . import nodes as fx
from .test_sriov_operator_renders import NS, operator, policy


def _nodes(*pools: str) -> list[dict[str, Any]]:
    return [fx.node(f"aks-{pool}-{i}", pool=pool, rdma_resource=None) for i, pool in enumerate(pools)]


def _install(emu: Any, node_selector: dict[str, str] | None, *pools: str, **knobs: Any) -> SriovConfigDaemon:
    daemon = SriovConfigDaemon(delay=0.0, namespace=NS)
    for name, value in knobs.items():
        setattr(daemon, name, value)
    operator(emu, _nodes(*pools), node_selector, daemon)
    policy(emu, "ib", "mlnxrdma", {"agentpool": "gpu"}, isRdma=True, linkType="ib")
    assert emu.idle(10.0)
    return daemon


def _states(emu: Any) -> dict[str, dict[str, Any]]:
    return {s["metadata"]["name"]: s for s in emu.cluster.list(API, "SriovNetworkNodeState", NS)}


def _sriov_findings(kube: Any, **opts: Any) -> list[doctor.Finding]:
    report = doctor.diagnose(kube, doctor.Options(**opts))
    return [f for f in report.findings if f.check.startswith("sriov-")]


def test_the_config_daemon_runs_where_the_selector_selects_and_writes_each_nodes_state(kube_emulator: Any) -> None:
    _install(kube_emulator, {"agentpool": "gpu"}, "gpu", "gpu", "cpu")
    ds = kube_emulator.cluster.get("apps/v1", "DaemonSet", NS, "sriov-network-config-daemon")
    # updateDaemonsetNodeSelector: the configDaemonNodeSelector replaces the template's whole selector.
    assert ds["spec"]["template"]["spec"]["nodeSelector"] == {"agentpool": "gpu"}
    assert ds["metadata"]["ownerReferences"][0]["kind"] == "SriovOperatorConfig"
    states = _states(kube_emulator)
    assert sorted(states) == ["aks-gpu-0", "aks-gpu-1"]  # one per selected node, none for aks-cpu-2
    assert states["aks-gpu-0"]["status"] == {"syncStatus": "Succeeded"}
    events = [
        e["message"]
        for e in kube_emulator.cluster.list("v1", "Event", NS)
        if e["involvedObject"]["name"] == "aks-gpu-0" and e["reason"] == "SyncStatusChanged"
    ]
    assert sorted(events) == [
        "Status changed from: InProgress to: Succeeded",
        "Status changed from: Unknown to: InProgress",
    ]


def test_without_a_selector_the_config_daemon_runs_on_no_aks_node_and_writes_no_state(kube_emulator: Any) -> None:
    _install(kube_emulator, None, "gpu")
    ds = kube_emulator.cluster.get("apps/v1", "DaemonSet", NS, "sriov-network-config-daemon")
    assert ds["spec"]["template"]["spec"]["nodeSelector"] == {
        "node-role.kubernetes.io/worker": "",
        "kubernetes.io/os": "linux",
    }
    assert _states(kube_emulator) == {}
    assert kube_emulator.cluster.list("v1", "Pod", NS, label_selector="app=sriov-network-config-daemon") == []


def test_doctor_names_the_gpu_nodes_no_default_selector_covers_and_the_selector_to_set(
    kube_emulator: Any, kubeconfig: Any, kube: Any
) -> None:
    _install(kube_emulator, None, "gpu", "gpu")
    [finding] = _sriov_findings(kube)
    assert (finding.check, finding.severity, finding.nodes) == (
        "sriov-config-daemon",
        "error",
        ["aks-gpu-0", "aks-gpu-1"],
    )
    assert "its SR-IOV virtual functions are never configured" in finding.message
    assert (
        f"SriovOperatorConfig {NS}/default sets no configDaemonNodeSelector, and the default one asks for "
        "node-role.kubernetes.io/worker=, which AKS nodes do not carry" in finding.message
    )
    assert finding.fix == (
        f"select the GPU nodes by a label they carry: kubectl -n {NS} patch sriovoperatorconfig default --type merge "
        """-p '{"spec":{"configDaemonNodeSelector":{"kubernetes.azure.com/agentpool":"gpu"}}}'"""
    )


def test_doctor_names_a_gpu_pool_the_set_selector_leaves_out(kube_emulator: Any, kubeconfig: Any, kube: Any) -> None:
    _install(kube_emulator, {"agentpool": "gpu"}, "gpu", "gpu2")
    [finding] = _sriov_findings(kube)
    assert (finding.check, finding.pool, finding.nodes) == ("sriov-config-daemon", "gpu2", ["aks-gpu2-1"])
    assert f"{NS}/default's configDaemonNodeSelector asks for agentpool=gpu, which the node lacks" in finding.message
    assert finding.fix.startswith("label the node as the selector asks (kubectl label node NODE agentpool=gpu)")


def test_doctor_shows_a_failed_node_states_last_sync_error(kube_emulator: Any, kubeconfig: Any, kube: Any) -> None:
    error = "sriov-config: failed to configure PF 0101:00:00.0: write /sys/bus/pci: invalid argument"
    _install(kube_emulator, {"agentpool": "gpu"}, "gpu", "gpu", failed={"aks-gpu-1": error})
    [finding] = _sriov_findings(kube)
    assert (finding.check, finding.severity, finding.nodes) == ("sriov-sync", "error", ["aks-gpu-1"])
    assert finding.message.endswith(f"(SriovNetworkNodeState syncStatus Failed): {error}")
    assert f"kubectl -n {NS} get sriovnetworknodestate NODE -o yaml" in finding.fix


def test_a_node_state_in_progress_for_a_few_minutes_is_not_reported(
    kube_emulator: Any, kubeconfig: Any, kube: Any
) -> None:
    _install(kube_emulator, {"agentpool": "gpu"}, "gpu", stuck={"aks-gpu-0"})
    assert _states(kube_emulator)["aks-gpu-0"]["status"]["syncStatus"] == "InProgress"
    assert _sriov_findings(kube) == []


def _past_the_threshold(emu: Any, kube: Any, monkeypatch: pytest.MonkeyPatch, **knobs: Any) -> doctor.Finding:
    """doctor's one SR-IOV finding a minute past ``STUCK`` after the node states were written."""
    _install(emu, {"agentpool": "gpu"}, "gpu", **knobs)
    later = sriov_state._now() + sriov_state.STUCK + timedelta(minutes=1)
    monkeypatch.setattr(sriov_state, "_now", lambda: later)
    [finding] = _sriov_findings(kube)
    return finding


def test_a_node_state_in_progress_past_the_threshold_is_reported_stuck(
    kube_emulator: Any, kubeconfig: Any, kube: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = _past_the_threshold(kube_emulator, kube, monkeypatch, stuck={"aks-gpu-0"})
    assert (finding.check, finding.severity, finding.nodes) == ("sriov-sync", "warning", ["aks-gpu-0"])
    assert "configuring the node's NICs for over 30 minutes (SriovNetworkNodeState syncStatus InProgress)" in (
        finding.message
    )
    assert finding.fix.startswith("read why the daemon's configuration does not finish")


def test_a_node_state_waiting_for_its_drain_names_the_drain(
    kube_emulator: Any, kubeconfig: Any, kube: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = _past_the_threshold(kube_emulator, kube, monkeypatch, draining={"aks-gpu-0"})
    assert finding.message.endswith("; it waits for the node's drain (current-state Draining)")
    assert "kubectl get pdb -A" in finding.fix


def test_doctor_reads_the_node_states_page_by_page(kube_emulator: Any, kubeconfig: Any, kube: Any) -> None:
    failed = {f"aks-gpu-{i}": "sriov-config: boom" for i in range(3)}
    _install(kube_emulator, {"agentpool": "gpu"}, "gpu", "gpu", "gpu", failed=failed)
    [finding] = _sriov_findings(kube, page_size=1)
    assert (finding.count, finding.nodes) == (3, ["aks-gpu-0", "aks-gpu-1", "aks-gpu-2"])


def test_a_node_the_operators_plugin_skips_gets_the_policy_fix_not_a_hand_set_label(
    kube_emulator: Any, kubeconfig: Any, kube: Any
) -> None:
    _install(kube_emulator, None, "gpu")
    [finding] = [f for f in doctor.diagnose(kube, doctor.Options()).findings if f.check == "rdma-resource"]
    assert "its nodeSelector asks for sriovnetwork.openshift.io/device-plugin=Enabled" in finding.message
    assert "kubectl label node" not in finding.fix
    assert finding.fix.startswith(
        "create a SriovNetworkNodePolicy with isRdma: true whose nodeSelector selects the node"
    )
    assert "(see check sriov-config-daemon)" in finding.fix
