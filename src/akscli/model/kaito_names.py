"""The names KAITO v0.12.0 takes and serves a model under. Plain logic: no Typer, no rich.

A Workspace's ``inference.preset.name`` is valid when it is one of KAITO's legacy preset names or
a Hugging Face id ``org/model`` (upstream: kaito-project/kaito v0.12.0 0894eb2b
pkg/utils/plugin/plugin.go IsValidPreset; the model register starts empty). KAITO resolves a
legacy name to its Hugging Face id (LegacyBuiltinToCatalog) and serves the model under the
lower-cased last part of that id: presets/workspace/models/vllm_model.go GetModelByName and
GetInferenceParameters (VLLM.ModelName is the metadata's Name), presets/workspace/generator/
generator.go NewGenerator (Name = lower-cased last path part), pkg/model/interface.go
buildVLLMInferenceCommand (``--served-model-name`` VLLM.ModelName, unless the Workspace is an
InferenceSet's member). So ``gemma-3-4b-instruct`` is served as ``gemma-3-4b-it``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from akscli.model.catalog import Model

# upstream: kaito-project/kaito v0.12.0 0894eb2b pkg/utils/plugin/plugin.go LegacyBuiltinToCatalog
LEGACY_PRESETS: dict[str, str] = {
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


def preset_name(model: Model) -> str:
    """What a Workspace names as its preset: the catalog's preset where KAITO still takes that
    name, else the Hugging Face id (catalog presets KAITO dropped, such as falcon-7b-instruct and
    phi-2, are refused by name: "Unsupported inference preset name", or "deprecated")."""
    if model.preset and model.preset.lower() in LEGACY_PRESETS:
        return model.preset
    return model.id


def served_name(preset: str) -> str:
    """The model name KAITO's vLLM answers to for a Workspace of this preset (not a set member)."""
    resolved = LEGACY_PRESETS.get(preset.lower(), preset)
    return resolved.rsplit("/", 1)[-1].lower()
