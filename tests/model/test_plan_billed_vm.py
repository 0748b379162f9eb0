"""A one-GPU replica on an 8-GPU size is billed the whole VM: Azure prices a VM, not its GPUs
(/work/shared/data/azure-gpu-skus.csv, price_usd_per_hour per VM). `model plan` and `model deploy`
said `$71,774/month` beside `1 GPU(s)` and no more; they now say what is billed, why, how many
replicas share the node, and the cheapest size that fits. Karpenter and KAITO's gpu-provisioner
make the size they are given, never a smaller one (Azure/gpu-provisioner
pkg/providers/instance/instance.go launchInstance)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import node
from tests.cli import invoke

Start = Callable[..., Any]
BILLED = (
    "billed: the whole VM, $71,774/month: a replica uses 1 of its 8 GPUs and Azure bills a VM whole; "
    "up to 8 replicas share one node ($8,972/month each on a full node); "
    "Standard_NC24ads_A100_v4 (1 GPU(s)) fits for $2,681/month"
)


def test_plan_of_a_one_gpu_model_on_an_eight_gpu_size_says_the_whole_vm_is_billed() -> None:
    result = invoke("model", "plan", "phi-4", "--runtime", "vllm", "--vm-size", "Standard_ND96isr_H100_v5")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    pick = next(i for i, line in enumerate(lines) if line.startswith("pick: "))
    assert lines[pick + 1] == BILLED


def test_plan_whose_replica_takes_every_gpu_of_its_size_says_nothing_more() -> None:
    """A KAITO Workspace's pod requests every GPU of its size (kaito-project/kaito
    pkg/workspace/inference/preset_inferences.go GenerateInferencePodSpec)."""
    result = invoke("model", "plan", "phi-4", "--vm-size", "Standard_ND96isr_H100_v5")
    assert result.exit_code == 0, result
    assert "billed:" not in result.stdout


def test_deploy_moved_onto_the_clusters_eight_gpu_nodes_says_what_is_billed(model_emulator: Start) -> None:
    emu = model_emulator(simulator=False)
    emu.cluster.create(node("h100-0"))
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--dry-run=server")
    assert result.exit_code == 0, result
    assert "plan: Standard_ND96isr_H100_v5 x 1 node(s), 1 GPU(s)" in result.stderr
    assert BILLED in result.stderr.splitlines()


def _structured(fmt: str) -> dict[str, Any]:
    from ruamel.yaml import YAML

    result = invoke("model", "plan", "phi-4", "--runtime", "vllm", "--vm-size", "Standard_ND96isr_H100_v5", "-o", fmt)
    assert result.exit_code == 0, result
    doc: dict[str, Any] = YAML(typ="safe").load(result.stdout)  # JSON is YAML
    return doc


BILLED_DOC = {
    "vm_size": "Standard_ND96isr_H100_v5",
    "gpus_used": 1,
    "gpus_per_node": 8,
    "replicas_per_node": 8,
    "cheaper_fit": {"vm_size": "Standard_NC24ads_A100_v4", "gpus_per_node": 1},
}


def _numbers_of_the_line(doc: dict[str, Any]) -> None:
    billed = doc["billed"]
    cheaper = billed["cheaper_fit"]
    assert {k: billed[k] for k in ("vm_size", "gpus_used", "gpus_per_node", "replicas_per_node")} == {
        k: BILLED_DOC[k] for k in ("vm_size", "gpus_used", "gpus_per_node", "replicas_per_node")
    }
    assert {"vm_size": cheaper["vm_size"], "gpus_per_node": cheaper["gpus_per_node"]} == BILLED_DOC["cheaper_fit"]
    # the dollars the table's line prints, from the same numbers
    assert f"${billed['price_per_month']:,.0f}" == "$71,774"
    assert f"${billed['price_per_replica_on_full_node']:,.0f}" == "$8,972"
    assert f"${cheaper['price_per_month']:,.0f}" == "$2,681"


def test_plan_json_of_a_one_gpu_model_on_an_eight_gpu_size_has_the_billed_numbers() -> None:
    _numbers_of_the_line(_structured("json"))


def test_plan_yaml_of_a_one_gpu_model_on_an_eight_gpu_size_has_the_billed_numbers() -> None:
    _numbers_of_the_line(_structured("yaml"))


def test_plan_json_whose_replica_takes_every_gpu_of_its_size_has_billed_null() -> None:
    result = invoke("model", "plan", "phi-4", "--vm-size", "Standard_ND96isr_H100_v5", "-o", "json")
    assert result.exit_code == 0, result
    assert '"billed": null' in result.stdout
