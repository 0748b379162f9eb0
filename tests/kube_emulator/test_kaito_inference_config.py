"""The emulated KAITO webhook reads the inference ConfigMap as validateInferenceConfig does: it
decodes inference_config.yaml with yaml.v2's rules and errors, and checks vllm max-model-len
against the preset's ModelTokenLimit (upstream: kaito-project/kaito v0.12.0 0894eb2b
api/v1beta1/inference_config_validation.go; go-yaml/yaml v2.4.0 decode.go; the limits from
model_catalog.yaml in ../shared/data/kaito)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import admission_kaito_config, yaml_v2

KAITO = "kaito.sh/v1beta1"
DENIED = 'admission webhook "validation.workspace.kaito.sh" denied the request: validation failed: '


def _config(text: str) -> dict[str, Any]:
    return {"data": {"inference_config.yaml": text}}


def _workspace(preset: str = "phi-4") -> dict[str, Any]:
    return {
        "apiVersion": KAITO,
        "kind": "Workspace",
        "metadata": {"name": "phi-4", "namespace": "default"},
        "resource": {"instanceType": "Standard_NC24ads_A100_v4"},
        "inference": {"preset": {"name": preset}, "config": "phi-4-config"},
    }


def _review(text: str, obj: dict[str, Any] | None = None) -> str | None:
    denial = admission_kaito_config.review(
        "kaito.sh", (obj or _workspace())["kind"], obj or _workspace(), None, lambda _ns, _n: _config(text)
    )
    return None if denial is None else denial.message


def test_max_model_len_over_the_presets_token_limit_is_refused() -> None:
    # phi-4's modelTokenLimit in model_catalog.yaml is 16384.
    message = _review("vllm:\n  max-model-len: 20000\n")
    assert message == (
        DENIED + "invalid value: max-model-len 20000 exceeds model's maximum supported context window 16384 "
        "(ModelTokenLimit): max-model-len"
    )


def test_max_model_len_at_the_token_limit_is_taken() -> None:
    assert _review("vllm:\n  max-model-len: 16384\n  gpu-memory-utilization: 0.9\n") is None


def test_max_model_len_that_is_not_an_integer_is_refused_with_go_atoi_error() -> None:
    message = _review("vllm:\n  max-model-len: lots\n")
    assert message == (
        DENIED + 'invalid value: max-model-len must be an integer: strconv.Atoi: parsing "lots": invalid syntax: '
        "max-model-len"
    )


def test_a_blank_max_model_len_is_not_checked() -> None:
    assert _review("vllm:\n  max-model-len: ''\n") is None


def test_a_legacy_preset_name_reads_the_limit_of_its_catalog_model() -> None:
    # phi-4-mini-instruct -> microsoft/Phi-4-mini-instruct (matched case-insensitively): 131072.
    assert _review("vllm:\n  max-model-len: 131072\n", _workspace("phi-4-mini-instruct")) is None
    assert _review("vllm:\n  max-model-len: 131073\n", _workspace("phi-4-mini-instruct")) is not None


def test_a_value_that_does_not_decode_into_a_string_map_is_refused_with_yaml_v2s_error() -> None:
    message = _review("vllm:\n  max-model-len: [4096]\n")
    assert message == (
        DENIED + "Failed to parse inference_config.yaml: yaml: unmarshal errors:\n"
        "  line 2: cannot unmarshal !!seq into string: inference_config.yaml"
    )


def test_a_document_that_is_not_a_mapping_is_refused_naming_kaitos_go_type() -> None:
    message = _review("just some words\n")
    assert message == (
        DENIED + "Failed to parse inference_config.yaml: yaml: unmarshal errors:\n"
        "  line 1: cannot unmarshal !!str `just so...` into v1beta1.InferenceConfig: inference_config.yaml"
    )


def test_a_yaml_syntax_error_is_refused() -> None:
    # The problem text after "yaml: line N: " is PyYAML's, not libyaml's (yaml_v2.py says so).
    message = _review("vllm:\n  max-model-len: 4096\n   bad: [\n") or ""
    assert message.startswith(DENIED + "Failed to parse inference_config.yaml: yaml: line ")
    assert message.endswith(": inference_config.yaml")


def test_an_inferenceset_names_the_field_under_its_template() -> None:
    iset = {
        "apiVersion": KAITO,
        "kind": "InferenceSet",
        "metadata": {"name": "phi-4", "namespace": "default"},
        "spec": {"replicas": 2, "template": {"inference": {"preset": {"name": "phi-4"}, "config": "phi-4-config"}}},
    }
    message = _review("vllm:\n  max-model-len: 20000\n", iset) or ""
    assert message.endswith("(ModelTokenLimit): spec.template.max-model-len")
    assert 'admission webhook "validation.inferenceset.kaito.sh" denied the request' in message


def test_yaml_v2_takes_any_scalar_as_a_string_as_written() -> None:
    assert yaml_v2.unmarshal_inference_config("vllm:\n  a: 0x10\n  b: yes\n  c: ~\n  d: '7'\n") == {
        "a": "0x10",
        "b": "yes",
        "c": "",
        "d": "7",
    }
