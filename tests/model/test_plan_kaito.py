"""`model plan --runtime kaito` says what KAITO will provision: only the sizes KAITO supports,
KAITO's estimator node count and its price, and weights the GPU can run.

Sources: kaito-project/kaito pkg/sku/azure_sku_handler.go (the SKU table), pkg/sku/helpers.go
(GetGPUConfigBySKU: "Unsupported SKU"), pkg/workspace/estimator/nodesestimator/estimator.go (the
node count), examples/inference/kaito_workspace_llama-3.3_70b_instruct.yaml (2 x NC48ads_A100_v4).
"""

from __future__ import annotations

import json
from typing import Any

from akscli import yamlio
from akscli.model import catalog, kaito_estimator, planning, skus
from tests.cli import invoke


def _plan_json(*args: str) -> dict[str, Any]:
    result = invoke("model", "plan", *args, "-o", "json")
    assert result.exit_code == 0, result
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def _option(doc: dict[str, Any], vm_size: str) -> dict[str, Any]:
    return next(o for o in doc["options"] if o["vm_size"] == vm_size)


def test_the_kaito_plan_lists_only_sizes_in_kaitos_sku_table() -> None:
    doc = _plan_json("phi-4-mini-instruct", "--runtime", "kaito")
    sizes = {o["vm_size"] for o in doc["options"]}
    assert sizes and all(kaito_estimator.supports_kaito(s) for s in sizes)
    assert "Standard_NC4as_T4_v3" not in sizes
    assert doc["inputs"]["runtime"] == "kaito"


def test_kaito_is_the_default_runtime_of_the_plan_as_of_deploy() -> None:
    assert _plan_json("phi-4-mini-instruct")["inputs"]["runtime"] == "kaito"


def test_no_small_model_is_planned_on_a_size_kaito_cannot_estimate() -> None:
    for model in catalog.all_models():
        if not model.preset:
            continue
        pick = planning.plan(model, runtime="kaito").recommended
        assert pick is None or kaito_estimator.supports_kaito(pick.vm_size), (model.id, pick.vm_size)


def test_each_option_has_kaitos_node_count_and_the_price_of_those_nodes() -> None:
    doc = _plan_json("llama-3.3-70b-instruct", "--runtime", "kaito")
    row = _option(doc, "Standard_NC48ads_A100_v4")
    hourly = skus.get("Standard_NC48ads_A100_v4").price("eastus")  # type: ignore[union-attr]
    assert row["nodes"] == 2 and row["kaito"]["nodes"] == 2
    assert row["gpus"] == 4
    assert row["price_per_month"] == round(hourly * 2 * planning.HOURS_PER_MONTH, 2)


def test_the_vllm_plan_keeps_akscli_own_fit() -> None:
    row = _option(_plan_json("llama-3.3-70b-instruct", "--runtime", "vllm"), "Standard_NC48ads_A100_v4")
    assert row["nodes"] == 1


def test_deploy_annotates_and_prices_the_gpus_kaito_provisions() -> None:
    result = invoke(
        "model", "deploy", "llama-3.3-70b-instruct", "--vm-size", "Standard_NC48ads_A100_v4",
        "--access-secret", "hf", "--dry-run=client",
    )  # fmt: skip
    assert result.exit_code == 0, result
    ws = next(o for o in yamlio.load_all(result.stdout, "deploy") if o["kind"] == "Workspace")
    assert ws["metadata"]["annotations"]["akscli.io/gpus"] == "4"
    assert "x 2 node(s)" in result.stderr


def test_a_budget_counts_every_node_kaito_provisions() -> None:
    plan = planning.plan(catalog.get("llama-3.3-70b-instruct"), runtime="kaito", budget=10_500)
    assert plan.recommended is not None and plan.recommended.price_per_month is not None
    assert plan.recommended.price_per_month <= 10_500
    assert _option(plan.to_dict(), "Standard_NC48ads_A100_v4")["within_budget"] is False


def test_a_size_kaito_does_not_support_is_refused_before_anything_is_rendered() -> None:
    result = invoke("model", "deploy", "phi-4-mini-instruct", "--vm-size", "Standard_NC4as_T4_v3", "--dry-run=client")
    assert result.exit_code == 2, result
    assert "KAITO does not support Standard_NC4as_T4_v3" in result.stderr and result.stdout == ""
    assert "--runtime vllm" in result.stderr


def test_fp8_weights_are_planned_on_a_gpu_with_fp8() -> None:
    pick = planning.plan(catalog.get("deepseek-r1-0528"), runtime="kaito").recommended
    assert pick is not None and pick.quant_kernel == "native"
    assert pick.gpu_family in ("h100", "h200")


def test_each_option_says_how_the_gpu_runs_the_weights() -> None:
    doc = _plan_json("deepseek-r1-0528", "--runtime", "vllm")
    assert _option(doc, "Standard_NC24ads_A100_v4")["quant_kernel"] == "weight-only"
    assert _option(doc, "Standard_NC40ads_H100_v5")["quant_kernel"] == "native"
    assert _option(doc, "Standard_NC4as_T4_v3")["quant_kernel"] == "unsupported"


def test_fp8_weights_on_a_gpu_without_an_fp8_kernel_are_refused() -> None:
    described = [
        "--weights-gib",
        "7",
        "--layers",
        "32",
        "--attention-heads",
        "32",
        "--head-dim",
        "128",
        "--max-context",
        "8192",
    ]
    result = invoke(
        "model", "plan", "acme/small-fp8", *described, "--quantization", "fp8",
        "--runtime", "vllm", "--vm-size", "Standard_NC4as_T4_v3",
    )  # fmt: skip
    assert result.exit_code == 2, result
    assert "no FP8 kernel" in result.stderr
