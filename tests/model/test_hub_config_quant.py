"""``--hub-config`` with a ``quantization_config.quant_method`` akscli does not size: the plan goes on
as bf16 and says so on stderr, naming the method and whether vLLM lists it (upstream:
vllm-project/vllm 0034007d vllm/model_executor/layers/quantization/__init__.py QuantizationMethods)."""

from __future__ import annotations

from tests.emulators.kube.hf_hub_server import HubServer
from tests.model.test_hub_config import hub as hub
from tests.model.test_hub_config_fill import QWEN, _planned, _put

BF16 = "it planned the model as bf16; give --quantization to say otherwise"


def test_a_method_vllm_loads_but_akscli_does_not_size_is_planned_as_bf16_with_a_warning(hub: HubServer) -> None:
    _put(hub, {**QWEN, "quantization_config": {"quant_method": "bitsandbytes"}})
    model, stderr = _planned()
    assert model["quantization"] == "bf16"
    assert (
        f"warning: config.json's quant_method bitsandbytes is not one akscli sizes (vLLM loads it): {BF16}"
    ) in stderr


def test_a_method_vllm_does_not_list_is_named_as_such(hub: HubServer) -> None:
    _put(hub, {**QWEN, "quantization_config": {"quant_method": "acme-q3"}})
    _, stderr = _planned()
    assert f"quant_method acme-q3 is not one akscli sizes (not a method vLLM lists): {BF16}" in stderr


def test_a_compressed_tensors_format_akscli_does_not_know_names_the_format(hub: HubServer) -> None:
    _put(hub, {**QWEN, "quantization_config": {"quant_method": "compressed-tensors", "format": "marlin-24"}})
    _, stderr = _planned()
    assert "quant_method compressed-tensors, format marlin-24 is not one akscli sizes (vLLM loads it)" in stderr


def test_a_quantization_given_on_the_command_line_gets_no_warning(hub: HubServer) -> None:
    _put(hub, {**QWEN, "quantization_config": {"quant_method": "bitsandbytes"}})
    model, stderr = _planned("--quantization", "int4")
    assert model["quantization"] == "int4"
    assert "quant_method" not in stderr


def test_a_method_akscli_knows_gets_no_warning(hub: HubServer) -> None:
    _put(hub, {**QWEN, "quantization_config": {"quant_method": "awq"}})
    model, stderr = _planned()
    assert model["quantization"] == "awq"
    assert "quant_method" not in stderr
