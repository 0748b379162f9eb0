"""KAITO v0.12.0's preset names, as its webhook takes them and its vLLM serves them, written from
upstream independently of akscli (akscli.model.kaito_names holds akscli's own copy).

- upstream: kaito-project/kaito v0.12.0 0894eb2b pkg/utils/plugin/plugin.go IsValidPreset: a
  registered model (the register starts empty: presets/workspace/models/vllm_model.go
  registerModel runs only for a model already looked up), a name of LegacyBuiltinToCatalog, or
  ``org/model``.
- api/v1beta1/workspace_validation.go ResourceSpec.validateCreateWithInference: an invalid name
  that supported_models.yaml marks deprecated is "Model NAME is deprecated and no longer
  supported" (presetName); InferenceSpec.validateCreate: any other invalid name is "Unsupported
  inference preset name NAME" (presetName).
- The served name: GetModelByName lower-cases the name and redirects a legacy one to its id;
  generator.go NewGenerator names the model the lower-cased last part of the id, which
  vLLMCompatibleModel.GetInferenceParameters passes as VLLM.ModelName, the
  ``--served-model-name`` of pkg/model/interface.go buildVLLMInferenceCommand.
"""

from __future__ import annotations

LEGACY_BUILTIN_TO_CATALOG = {
    "phi-4": "microsoft/phi-4",
    "phi-4-mini-instruct": "microsoft/phi-4-mini-instruct",
    "llama-3.1-8b-instruct": "meta-llama/llama-3.1-8b-instruct",
    "llama-3.3-70b-instruct": "meta-llama/llama-3.3-70b-instruct",
    "deepseek-r1-distill-llama-8b": "deepseek-ai/deepseek-r1-distill-llama-8b",
    "deepseek-r1-distill-qwen-14b": "deepseek-ai/deepseek-r1-distill-qwen-14b",
    "deepseek-r1-0528": "deepseek-ai/deepseek-r1-0528",
    "deepseek-v3-0324": "deepseek-ai/deepseek-v3-0324",
    "phi-3-mini-4k-instruct": "microsoft/phi-3-mini-4k-instruct",
    "phi-3-mini-128k-instruct": "microsoft/phi-3-mini-128k-instruct",
    "phi-3-medium-4k-instruct": "microsoft/phi-3-medium-4k-instruct",
    "phi-3-medium-128k-instruct": "microsoft/phi-3-medium-128k-instruct",
    "phi-3.5-mini-instruct": "microsoft/phi-3.5-mini-instruct",
    "qwen2.5-coder-7b-instruct": "qwen/qwen2.5-coder-7b-instruct",
    "qwen2.5-coder-32b-instruct": "qwen/qwen2.5-coder-32b-instruct",
    "gpt-oss-20b": "openai/gpt-oss-20b",
    "gpt-oss-120b": "openai/gpt-oss-120b",
    "gemma-3-4b-instruct": "google/gemma-3-4b-it",
    "gemma-3-27b-instruct": "google/gemma-3-27b-it",
    "mistral-7b": "mistralai/mistral-7b-v0.3",
    "mistral-7b-instruct": "mistralai/mistral-7b-instruct-v0.3",
    "ministral-3-3b-instruct": "mistralai/ministral-3-3b-instruct-2512",
    "ministral-3-8b-instruct": "mistralai/ministral-3-8b-instruct-2512",
    "ministral-3-14b-instruct": "mistralai/ministral-3-14b-instruct-2512",
    "mistral-large-3-675b-instruct": "mistralai/mistral-large-3-675b-instruct-2512",
}


def is_valid_preset(name: str) -> bool:
    """IsValidPreset."""
    if name.lower() in LEGACY_BUILTIN_TO_CATALOG:
        return True
    org, _, model = name.partition("/")
    return bool(org and model)


def served_model_name(preset: str) -> str:
    """VLLM.ModelName of a Workspace's preset."""
    resolved = LEGACY_BUILTIN_TO_CATALOG.get(preset.lower(), preset.lower())
    return resolved.rsplit("/", 1)[-1].lower()
