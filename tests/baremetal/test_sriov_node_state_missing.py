"""A GPU node the sriov-network-operator's selector covers but that has no SriovNetworkNodeState
(akscli.baremetal.sriov_state, upstream k8snetworkplumbingwg/sriov-network-operator 249e2001
controllers/sriovnetworknodepolicy_controller.go SetupWithManager, syncAllSriovNetworkNodeStates): the
operator writes one for every covered node at each sync, a second after a node joins and every
ResyncPeriod (pkg/consts/constants.go, 5 minutes), so a covered node past that with none means the
operator does not run or its sync fails."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from akscli.baremetal import sriov_state
from tests.emulators.kube.controllers.sriov_operator import SriovNetworkOperator

from . import nodes as fx
from .test_sriov_node_state import _install, _sriov_findings, _states
from .test_sriov_operator_renders import NS


def _operator(emu: Any) -> SriovNetworkOperator:
    return next(c for c in emu.controllers.controllers if isinstance(c, SriovNetworkOperator))


def _join(emu: Any, name: str) -> None:
    emu.cluster.create(fx.node(name, pool="gpu", rdma_resource=None))
    assert emu.idle(10.0)


def _later(monkeypatch: pytest.MonkeyPatch, after: timedelta) -> None:
    moved = sriov_state._now() + after
    monkeypatch.setattr(sriov_state, "_now", lambda: moved)


def test_a_node_that_joins_a_running_operators_selection_gets_its_state(kube_emulator: Any) -> None:
    # SetupWithManager's nodeEvenHandler: a created Node is synced a second later.
    _install(kube_emulator, {"agentpool": "gpu"}, "gpu")
    _join(kube_emulator, "aks-gpu-9")
    assert sorted(_states(kube_emulator)) == ["aks-gpu-0", "aks-gpu-9"]


def test_doctor_names_a_covered_node_with_no_state_and_the_operator_to_check(
    kube_emulator: Any, kubeconfig: Any, kube: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install(kube_emulator, {"agentpool": "gpu"}, "gpu")
    _operator(kube_emulator).running = False
    _join(kube_emulator, "aks-gpu-9")
    _later(monkeypatch, sriov_state.RESYNC + timedelta(minutes=1))
    [finding] = _sriov_findings(kube)
    assert (finding.check, finding.severity, finding.nodes) == ("sriov-node-state", "error", ["aks-gpu-9"])
    assert finding.message.startswith(
        f"the sriov-network-operator wrote no SriovNetworkNodeState for the node, although SriovOperatorConfig "
        f"{NS}/default's selector covers it"
    )
    assert finding.fix.startswith(
        f"check the operator's pod and log: kubectl -n {NS} get pods -l name=sriov-network-operator; "
    )


def test_a_covered_node_younger_than_the_resync_period_is_not_reported(
    kube_emulator: Any, kubeconfig: Any, kube: Any
) -> None:
    _install(kube_emulator, {"agentpool": "gpu"}, "gpu")
    _operator(kube_emulator).running = False
    _join(kube_emulator, "aks-gpu-9")
    assert _sriov_findings(kube) == []
