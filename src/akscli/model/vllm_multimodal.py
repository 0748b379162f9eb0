"""Which models vLLM serves as multimodal, for the vLLM image akscli pins (kinds.DEFAULT_VLLM_IMAGE,
vllm/vllm-openai:v0.24.0; ARCHITECTURES is v0.11.0's, the default before it), and the processor cache
vLLM keeps for them.

upstream: vllm-project/vllm v0.11.0 (the release's PyPI sdist vllm-0.11.0.tar.gz, sha256
f435a64c24e9c4178d657a76f8edd8548ddc444012f7d06a9f79ac3a6392bfae):
- vllm/model_executor/models/registry.py ``_MULTIMODAL_MODELS``: the architectures below (a model
  whose config.json names one of them gets a multimodal config);
- vllm/config/multimodal.py MultiModalConfig: ``mm_processor_cache_gb`` defaults to 4 (GiB),
  ``mm_processor_cache_type`` to ``lru``, and "This cache is duplicated for each API process and
  engine core process, resulting in a total memory usage of ``mm_processor_cache_gb *
  (api_server_count + data_parallel_size)``"; 0 disables it;
- vllm/entrypoints/openai/cli_args.py ``--api-server-count`` defaults to 1, and akscli's vLLM
  Deployment passes neither it nor ``--data-parallel-size``: two copies of the cache.

vllm-project/vllm v0.24.0 (PyPI sdist vllm-0.24.0.tar.gz): ``registry.py`` ``_MULTIMODAL_MODELS`` is v0.11.0's
with V0_24_0_ADDED and without V0_24_0_REMOVED (read with an AST script); ``config/multimodal.py`` still
defaults ``mm_processor_cache_gb`` to 4 with the same duplication, and ``entrypoints/cli/serve.py`` sets an
unset ``--api-server-count`` to ``data_parallel_size`` (1): still two copies.
"""

from __future__ import annotations

ARCHITECTURES = frozenset(
    {
        "AriaForConditionalGeneration",
        "AyaVisionForConditionalGeneration",
        "Blip2ForConditionalGeneration",
        "ChameleonForConditionalGeneration",
        "Cohere2VisionForConditionalGeneration",
        "DeepseekVLV2ForCausalLM",
        "DotsOCRForCausalLM",
        "Ernie4_5_VLMoeForConditionalGeneration",
        "FuyuForCausalLM",
        "GLM4VForCausalLM",
        "Gemma3ForConditionalGeneration",
        "Gemma3nForConditionalGeneration",
        "Glm4vForConditionalGeneration",
        "Glm4vMoeForConditionalGeneration",
        "GraniteSpeechForConditionalGeneration",
        "H2OVLChatModel",
        "Idefics3ForConditionalGeneration",
        "InternS1ForConditionalGeneration",
        "InternVLChatModel",
        "InternVLForConditionalGeneration",
        "KeyeForConditionalGeneration",
        "KeyeVL1_5ForConditionalGeneration",
        "KimiVLForConditionalGeneration",
        "Llama4ForConditionalGeneration",
        "Llama_Nemotron_Nano_VL",
        "LlavaForConditionalGeneration",
        "LlavaNextForConditionalGeneration",
        "LlavaNextVideoForConditionalGeneration",
        "LlavaOnevisionForConditionalGeneration",
        "MantisForConditionalGeneration",
        "MiDashengLMModel",
        "MiniCPMO",
        "MiniCPMV",
        "MiniMaxVL01ForConditionalGeneration",
        "Mistral3ForConditionalGeneration",
        "MolmoForCausalLM",
        "NVLM_D",
        "NemotronH_Nano_VL_V2",
        "Ovis",
        "Ovis2_5",
        "PaliGemmaForConditionalGeneration",
        "Phi3VForCausalLM",
        "Phi4MMForCausalLM",
        "Phi4MultimodalForCausalLM",
        "PixtralForConditionalGeneration",
        "Qwen2AudioForConditionalGeneration",
        "Qwen2VLForConditionalGeneration",
        "Qwen2_5OmniForConditionalGeneration",
        "Qwen2_5OmniModel",
        "Qwen2_5_VLForConditionalGeneration",
        "Qwen3VLForConditionalGeneration",
        "Qwen3VLMoeForConditionalGeneration",
        "QwenVLForConditionalGeneration",
        "RForConditionalGeneration",
        "SkyworkR1VChatModel",
        "SmolVLMForConditionalGeneration",
        "Step3VLForConditionalGeneration",
        "Tarsier2ForConditionalGeneration",
        "TarsierForConditionalGeneration",
        "UltravoxModel",
        "VoxtralForConditionalGeneration",
        "WhisperForConditionalGeneration",
    }
)
V0_24_0_ADDED = frozenset(
    {
        "AudioFlamingo3ForConditionalGeneration",
        "BagelForConditionalGeneration",
        "BeeForConditionalGeneration",
        "Cheers",
        "CheersForConditionalGeneration",
        "CohereAsrForConditionalGeneration",
        "Cosmos3ForConditionalGeneration",
        "DeepseekOCR2ForCausalLM",
        "DeepseekOCRForCausalLM",
        "DiffusionGemmaForBlockDiffusion",
        "Eagle2_5_VLForConditionalGeneration",
        "Exaone4_5_ForConditionalGeneration",
        "FireRedASR2ForConditionalGeneration",
        "FireRedLIDForConditionalGeneration",
        "FunASRForConditionalGeneration",
        "FunAudioChatForConditionalGeneration",
        "Gemma4ForConditionalGeneration",
        "Gemma4UnifiedForConditionalGeneration",
        "GlmAsrForConditionalGeneration",
        "GlmOcrForConditionalGeneration",
        "Granite4VisionForConditionalGeneration",
        "GraniteSpeechPlusForConditionalGeneration",
        "HfMoondream",
        "HunYuanVLForConditionalGeneration",
        "InternS1ProForConditionalGeneration",
        "InternS2PreviewForConditionalGeneration",
        "IsaacForConditionalGeneration",
        "KananaVForConditionalGeneration",
        "KimiK25ForConditionalGeneration",
        "Lfm2VlForConditionalGeneration",
        "LightOnOCRForConditionalGeneration",
        "MiMoV2OmniForCausalLM",
        "MiniCPMV4_6ForConditionalGeneration",
        "MiniMaxM3SparseForConditionalGeneration",
        "Molmo2ForConditionalGeneration",
        "Moondream3ForCausalLM",
        "MoonshotKimiaForCausalLM",
        "MossAudioModel",
        "MusicFlamingoForConditionalGeneration",
        "NemotronH_Nano_Omni_Reasoning_V3",
        "NemotronH_Super_Omni_Reasoning_V3",
        "NemotronParseForConditionalGeneration",
        "OpenCUAForConditionalGeneration",
        "OpenPanguVLForConditionalGeneration",
        "OpenVLAForActionPrediction",
        "Ovis2_6ForCausalLM",
        "Ovis2_6_MoeForCausalLM",
        "PaddleOCRVLForConditionalGeneration",
        "Phi4ForCausalLMV",
        "QianfanOCRForConditionalGeneration",
        "Qwen3ASRForConditionalGeneration",
        "Qwen3ASRRealtimeGeneration",
        "Qwen3OmniMoeForConditionalGeneration",
        "Qwen3_5ForConditionalGeneration",
        "Qwen3_5MoeForConditionalGeneration",
        "Step3p7ForConditionalGeneration",
        "StepVLForConditionalGeneration",
        "VoxtralRealtimeGeneration",
    }
)
V0_24_0_REMOVED = frozenset(
    {"MiniMaxVL01ForConditionalGeneration", "Phi4MultimodalForCausalLM", "QwenVLForConditionalGeneration"}
)
V0_24_0 = (ARCHITECTURES | V0_24_0_ADDED) - V0_24_0_REMOVED
CACHE_GIB_DEFAULT = 4.0
CACHE_COPIES = 2


def is_multimodal(architecture: str | None) -> bool:
    """Whether vLLM v0.24.0 (the default image's) builds a multimodal config (and its processor cache) for
    a model of this config.json architecture; False for a model described on the command line (none
    known), unless --hub-config read its config.json (akscli.model.hub_config)."""
    return architecture in V0_24_0
