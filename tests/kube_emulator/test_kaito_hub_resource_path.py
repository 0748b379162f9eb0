"""KAITO's webhook asks the Hub a second time, from ResourceSpec.validateCreateWithInference, only
for a runtime other than vLLM on a size in KAITO's SKU table (node auto-provisioning on, as the
chart sets it); knative merges the two identical errors into one message with both paths
(upstream: kaito-project/kaito v0.12.0 0894eb2b api/v1beta1/workspace_validation.go ValidateCreate,
validateCreateWithInference; pkg/sku/azure_sku_handler.go; knative.dev/pkg apis/field_error.go)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import admission_kaito_config

REPO = "acme/coder-7b"
TREE = f"https://huggingface.co/api/models/{REPO}/tree/main?recursive=true"
REFUSAL = f"failed to get model preset: error listing files: authentication required for accessing {TREE}"


def _denial(instance_type: str, runtime: str | None) -> str:
    annotations = {"kaito.sh/runtime": runtime} if runtime else {}
    workspace: dict[str, Any] = {
        "metadata": {"name": "coder-7b", "namespace": "default", "annotations": annotations},
        "resource": {"instanceType": instance_type},
        "inference": {"preset": {"name": REPO}},
    }
    denial = admission_kaito_config.review("kaito.sh", "Workspace", workspace, None, lambda _ns, _name: None, {})
    assert denial is not None
    return str(denial.message)


def test_the_transformers_runtime_on_a_size_in_kaitos_sku_table_asks_the_hub_from_both_paths() -> None:
    assert _denial("Standard_NC24ads_A100_v4", "transformers").endswith(f"{REFUSAL}: inference.preset, resource.preset")


def test_a_size_outside_kaitos_sku_table_has_no_gpu_config_so_only_the_inference_path_asks() -> None:
    assert _denial("Standard_NC4as_T4_v3", "transformers").endswith(f"{REFUSAL}: inference.preset")


def test_the_vllm_runtime_with_node_auto_provisioning_skips_the_resource_paths_call() -> None:
    assert _denial("Standard_NC24ads_A100_v4", None).endswith(f"{REFUSAL}: inference.preset")
    assert _denial("Standard_NC24ads_A100_v4", "vllm").endswith(f"{REFUSAL}: inference.preset")


def test_an_inferenceset_templates_resource_path_is_under_spec_template() -> None:
    template = {
        "metadata": {"annotations": {"kaito.sh/runtime": "transformers"}},
        "resource": {"instanceType": "Standard_NC24ads_A100_v4"},
        "inference": {"preset": {"name": REPO}},
    }
    inference_set = {"metadata": {"name": "coder-7b", "namespace": "default"}, "spec": {"template": template}}
    denial = admission_kaito_config.review("kaito.sh", "InferenceSet", inference_set, None, lambda _ns, _n: None, {})
    assert denial is not None
    assert str(denial.message).endswith(f"{REFUSAL}: spec.template.inference.preset, spec.template.resource.preset")
