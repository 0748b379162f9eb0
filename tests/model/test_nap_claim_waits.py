"""`akscli nodepool show NAME --auto-provision` gives why a NodeClaim waits in Karpenter's own words:
a drifted one's DisruptionBlocked event, a draining one's node's FailedDraining event (upstream:
kubernetes-sigs/karpenter v1.14.0 pkg/controllers/disruption/events/events.go Blocked,
pkg/controllers/node/termination/terminator/events/events.go NodeFailedToDrain)."""

from __future__ import annotations

from tests.cli import invoke
from tests.emulators.kube.apiserver import now_iso, wait_until
from tests.kube_emulator.test_disruption_budgets import budget, counts
from tests.kube_emulator.test_karpenter import H100, gpu_app, gpu_pool, running_on
from tests.kube_emulator.test_karpenter_drain import events
from tests.kube_emulator.test_karpenter_termination import CLAIMS
from tests.model.test_nap_gpu_pool import Start, nap_lab, text


def state(claim: str) -> str:
    shown = invoke("nodepool", "show", "gpu", "--auto-provision")
    assert shown.exit_code == 0, text(shown)
    line = next(line for line in shown.stdout.splitlines() if line.startswith(claim))
    return line[line.index(" True ") + len(" True ") :].strip()


def test_show_gives_karpenters_event_for_a_drifted_claim_a_budget_holds_and_then_for_its_drain(
    model_emulator: Start,
) -> None:
    emu = nap_lab(model_emulator)
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    node = running_on(emu, "llm")
    emu.cluster.create(budget("llm", "llm", minAvailable=1))
    assert wait_until(lambda: counts(emu, "llm") == (1, 1, 1, 0))
    [claim] = emu.cluster.list(*CLAIMS)
    name = claim["metadata"]["name"]
    drifted = {"type": "Drifted", "status": "True", "reason": "Drifted", "lastTransitionTime": now_iso()}
    emu.cluster.patch_status(*CLAIMS, None, name, {"conditions": [*claim["status"]["conditions"], drifted]})
    assert wait_until(lambda: events(emu, name, None))  # no terminationGracePeriod: the budget blocks it
    blocked = "Pdb prevents pod evictions (PodDisruptionBudget=[default/llm])"
    assert state(name) == f"Ready, drifted; disruption blocked: {blocked}"
    emu.cluster.delete(*CLAIMS, None, name)  # kubectl delete nodeclaim: the drain the budget holds
    assert wait_until(lambda: any(e[1] == "FailedDraining" for e in events(emu, node, None)))
    # the pass patches Drained Unknown after its event: wait for what show gives
    assert wait_until(lambda: state(name) == "terminating: draining; 1 pods are waiting to be evicted")


def test_a_rerun_that_changes_the_template_says_the_pools_nodes_will_drift_and_be_replaced(
    model_emulator: Start,
) -> None:
    # kubernetes-sigs/karpenter v1.14.0 pkg/apis/v1/nodepool.go NodePool.Hash (expireAfter is hashed),
    # nodeclaim/disruption/drift.go NodePoolDrifted; disruption/queue.go: replacements before the delete
    emu = nap_lab(model_emulator)
    assert invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "-y").exit_code == 0
    emu.cluster.create(gpu_app("llm", H100))
    running_on(emu, "llm")
    again = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--expire-after", "720h", "-y")
    assert again.exit_code == 0, text(again)
    said = (
        "Karpenter will find its 1 node(s) drifted (NodePoolDrifted) and replace them, "
        "up to 10% of the pool's nodes at a time"
    )
    assert said in again.stderr
    assert "akscli nodepool show gpu --auto-provision" in again.stderr
    same = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--expire-after", "720h", "-y")
    assert same.exit_code == 0 and "drifted" not in same.stderr


def test_a_rerun_that_changes_the_pools_own_nodeclass_says_its_nodes_will_drift(model_emulator: Start) -> None:
    # Azure/karpenter-provider-azure 352646f pkg/cloudprovider/drift.go areStaticFieldsDrifted (NodeClassDrift)
    emu = nap_lab(model_emulator)
    flags = ("--auto-provision", "--gpu", "h100", "-y")
    assert invoke("nodepool", "add", "gpu", *flags, "--os-disk-size", "256").exit_code == 0
    emu.cluster.create(gpu_app("llm", H100))
    running_on(emu, "llm")
    again = invoke("nodepool", "add", "gpu", *flags, "--os-disk-size", "512")
    assert again.exit_code == 0, text(again)
    assert "Karpenter will find its 1 node(s) drifted (NodeClassDrift)" in again.stderr
    assert "(NodePoolDrifted)" not in again.stderr


def test_show_gives_a_drifted_claim_waiting_on_its_replacement_and_the_replacement_not_initialized(
    model_emulator: Start,
) -> None:
    # kubernetes-sigs/karpenter v1.14.0 pkg/controllers/disruption/queue.go StartCommand (markDisrupted,
    # then the replacement), waitOrTerminate (Launching on the replacement; the delete once it is
    # Initialized); nodeclaim/lifecycle/initialization.go (Initialized Unknown, NodeNotReady)
    emu = nap_lab(model_emulator)
    emu.nap.disruption.queue_delay = 0.05
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    running_on(emu, "llm")
    [claim] = emu.cluster.list(*CLAIMS)
    name = claim["metadata"]["name"]
    emu.nap.hold_initialization = True
    drifted = {"type": "Drifted", "status": "True", "reason": "NodeClassDrift", "lastTransitionTime": now_iso()}
    emu.cluster.patch_status(*CLAIMS, None, name, {"conditions": [*claim["status"]["conditions"], drifted]})

    def replacements() -> list[str]:
        return [c["metadata"]["name"] for c in emu.cluster.list(*CLAIMS) if c["metadata"]["name"] != name]

    assert wait_until(lambda: replacements() and events(emu, replacements()[0], None))
    [replacement] = replacements()
    assert state(name) == "Ready, disrupting: Drifted; deleted once its replacements are initialized"
    shown = invoke("nodepool", "show", "gpu", "--auto-provision").stdout
    row = next(line for line in shown.splitlines() if line.startswith(replacement))
    assert row.endswith(
        "not initialized: NodeNotReady: Node status is NotReady; replaces a node Karpenter disrupts: Drifted"
    )
