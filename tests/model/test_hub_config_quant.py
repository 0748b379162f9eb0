"""``--hub-config`` with a ``quantization_config.quant_method`` akscli does not size: the plan goes on
as bf16 and says so on stderr, naming the method and whether the vLLM the runtime runs lists it
(upstream: vllm-project/vllm v0.24.0, akscli's pinned image, and v0.25.1, KAITO's
(kaito-project/kaito 056b8280b presets/workspace/dependencies/requirements.txt),
vllm/model_executor/layers/quantization/__init__.py QuantizationMethods)."""

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
        f"warning: config.json's quant_method bitsandbytes is not one akscli sizes (vLLM v0.24.0 loads it): {BF16}"
    ) in stderr


def test_a_method_vllm_does_not_list_is_named_as_such(hub: HubServer) -> None:
    _put(hub, {**QWEN, "quantization_config": {"quant_method": "acme-q3"}})
    _, stderr = _planned()
    assert f"quant_method acme-q3 is not one akscli sizes (not a method vLLM v0.24.0 lists): {BF16}" in stderr


def test_a_compressed_tensors_format_akscli_does_not_know_names_the_format(hub: HubServer) -> None:
    _put(hub, {**QWEN, "quantization_config": {"quant_method": "compressed-tensors", "format": "marlin-24"}})
    _, stderr = _planned()
    assert "quant_method compressed-tensors, format marlin-24 is not one akscli sizes (vLLM v0.24.0 loads it)" in stderr


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


def test_kaito_is_told_about_the_vllm_its_images_pin_which_no_longer_lists_hqq(hub: HubServer) -> None:
    # hqq is in vLLM v0.11.0's list and gone from v0.15.0 on: akscli's own image (v0.24.0) and KAITO's (v0.25.1).
    _put(hub, {**QWEN, "quantization_config": {"quant_method": "hqq"}})
    _, own = _planned()
    assert "quant_method hqq is not one akscli sizes (not a method vLLM v0.24.0 lists)" in own
    _, kaito = _planned("--runtime", "kaito")
    assert "quant_method hqq is not one akscli sizes (not a method vLLM v0.25.1 lists)" in kaito


def test_a_method_only_the_newer_vllm_lists_is_said_to_load_on_kaito(hub: HubServer) -> None:
    _put(hub, {**QWEN, "quantization_config": {"quant_method": "modelopt_mxfp8"}})
    _, kaito = _planned("--runtime", "kaito")
    assert "quant_method modelopt_mxfp8 is not one akscli sizes (vLLM v0.25.1 loads it)" in kaito


def test_auto_round_loads_on_kaito_as_vllm_reads_it_as_inc(hub: HubServer) -> None:
    _put(hub, {**QWEN, "quantization_config": {"quant_method": "auto-round"}})
    _, kaito = _planned("--runtime", "kaito")
    assert "quant_method auto-round is not one akscli sizes (vLLM v0.25.1 loads it)" in kaito


def test_a_compressed_tensors_spelt_with_an_underscore_is_read_as_vllm_reads_it(hub: HubServer) -> None:
    _put(hub, {**QWEN, "quantization_config": {"quant_method": "Compressed_Tensors", "format": "float-quantized"}})
    model, stderr = _planned()
    assert model["quantization"] == "float-quantized"
    assert "quant_method" not in stderr
