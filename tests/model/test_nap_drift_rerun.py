"""A `nodepool add --auto-provision` re-run says what Karpenter then does to the pool's nodes, and
the emulator's Karpenter does it: a hashed template change drifts them (NodePoolDrifted), requirements
drift only the nodes they no longer admit (RequirementsDrifted), limits, weight and budgets replace
none (kubernetes-sigs/karpenter 2266468 pkg/apis/v1/nodepool.go NodePool.Hash,
pkg/controllers/nodeclaim/disruption/drift.go; akscli.nap.drift; tests/emulators/kube/controllers/
karpenter_drift.py)."""

from __future__ import annotations

from tests.cli import invoke
from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_karpenter import H100, gpu_app, running_on
from tests.kube_emulator.test_karpenter_termination import CLAIMS, conditions
from tests.model.test_nap_gpu_pool import Start, nap_lab, text

FLAGS = ("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "-y")


def serving(model_emulator: Start, *flags: str) -> tuple[KubeEmulator, str]:
    emu = nap_lab(model_emulator)
    emu.nap.disruption.polling = 3600.0  # a marked claim is not replaced while the test looks
    emu.nap.disruption.queue_delay = 3600.0
    assert invoke(*FLAGS, *flags).exit_code == 0
    emu.cluster.create(gpu_app("llm", H100))
    running_on(emu, "llm")
    [claim] = emu.cluster.list(*CLAIMS)
    return emu, str(claim["metadata"]["name"])


def drifted(emu: KubeEmulator, claim: str) -> tuple[str, str] | None:
    return conditions(emu.cluster.get(*CLAIMS, None, claim) or {}).get("Drifted")


def test_a_hashed_change_is_said_to_drift_the_node_and_karpenter_marks_it(model_emulator: Start) -> None:
    emu, claim = serving(model_emulator)
    again = invoke(*FLAGS, "--expire-after", "720h")
    assert again.exit_code == 0, text(again)
    assert "Karpenter will find its 1 node(s) drifted (NodePoolDrifted)" in again.stderr
    assert wait_until(lambda: drifted(emu, claim) == ("True", "NodePoolDrifted"))


def test_limits_weight_and_budget_are_said_to_replace_no_node_and_karpenter_marks_none(
    model_emulator: Start,
) -> None:
    emu, claim = serving(model_emulator)
    again = invoke(*FLAGS, "--max-gpus", "64", "--weight", "5", "--disruption-budget", "1")
    assert again.exit_code == 0, text(again)
    assert "Karpenter replaces no node for this change" in again.stderr
    assert "drifted (" not in again.stderr
    assert emu.idle()
    assert drifted(emu, claim) is None


def test_a_zone_the_node_is_not_in_is_said_to_drift_it_and_karpenter_marks_it(model_emulator: Start) -> None:
    emu, claim = serving(model_emulator, "--zones", "eastus-1", "--zones", "eastus-2")
    zone = (emu.cluster.get(*CLAIMS, None, claim) or {})["metadata"]["labels"]["topology.kubernetes.io/zone"]
    other = "eastus-2" if zone == "eastus-1" else "eastus-1"
    kept = invoke(*FLAGS, "--zones", zone)
    assert kept.exit_code == 0, text(kept)
    assert "Karpenter replaces none of its 1 node(s): they still meet the changed requirements" in kept.stderr
    assert emu.idle()
    assert drifted(emu, claim) is None
    moved = invoke(*FLAGS, "--zones", other)
    assert moved.exit_code == 0, text(moved)
    assert "Karpenter will find its 1 node(s) drifted (RequirementsDrifted)" in moved.stderr
    assert wait_until(lambda: drifted(emu, claim) == ("True", "RequirementsDrifted"))
