"""KAITO's node estimator, ported for the KAITO simulator from upstream alone (akscli's own reading,
akscli.model.kaito_estimator, is held to this port by tests/model/test_kaito_agreement.py).

Every rule below is kaito-project/kaito v0.12.0 (0894eb2b; the files are unchanged at 056b8280):

- pkg/workspace/estimator/nodesestimator/estimator.go NodeEstimator.EstimateNodeCount: no preset
  -> the requested count or 1; the GPU config of the instance type (NAP on); then from the
  model's TotalSafeTensorFileSize x 1.02, the per-GPU memory x 0.84, a fixed reserve of 2.3 GiB
  plus max-model-len x BytesPerToken / GPUCount, and (reserve-free memory) / (1 + 0.05) per GPU:
  ``int(modelSize / availMemPerGPU) + 1`` GPUs, rounded up to whole nodes; an error where the
  reserve alone does not fit, or where a model without distributed inference needs two nodes.
- pkg/sku/azure_sku_handler.go NewAzureSKUHandler (the table), cloud_sku_handler.go
  GetGPUConfigBySKU (strings.EqualFold), helpers.go GetGPUConfigBySKU ("Unsupported SKU").
- presets/workspace/models/vllm_model.go GetModelByNameWithToken (lower-cased name, legacy names
  redirected by pkg/utils/plugin/plugin.go LegacyBuiltinToCatalog), generateHuggingFaceModel ->
  presets/workspace/generator/generator.go GeneratePreset: loadFromCatalog (the entry of
  presets/workspace/models/model_catalog.yaml whose name EqualFolds), FinalizeParams ->
  calculateKVCacheTokenSize (BytesPerToken); GetInferenceParameters: TotalSafeTensorFileSize is
  the entry's modelFileSize; vLLMCompatibleModel.SupportDistributedInference is true.
- pkg/utils/config_parser.go ParseExplicitMaxModelLen: the context the controller passes
  (pkg/workspace/controllers/workspace_controller.go UpdateWorkspaceTargetNodeCount).

The catalog is read from ../shared/data/kaito/model_catalog.yaml (upstream's file, unchanged).
Not ported: the BYO paths (NAP disabled: GPU config from node labels, MIG, accelerator partitions)
and a Hugging Face model outside the catalog (GeneratePreset's Hub fetch).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache
from typing import Any, NamedTuple

from tests.emulators.kube import kaito_presets
from tests.emulators.kube.controllers.pod_resources import quantity

GIB = 1 << 30  # pkg/utils/consts GiBToBytes

# estimator.go constants.
GPU_MEMORY_UTILIZATION = 0.84
WEIGHT_EXPANSION_FACTOR = 1.02
BASE_OVERHEAD_GIB = 2.3
OVERHEAD_WEIGHT_FACTOR = 0.05
DEFAULT_MAX_MODEL_LEN = 2048  # "falling back to 2048"


class GPUConfig(NamedTuple):
    """pkg/sku/cloud_sku_handler.go GPUConfig: the fields the estimator reads. gpu_mem_gib is the
    node's TOTAL GPU memory (GPUMem), as the table writes it."""

    sku: str
    gpu_count: int
    gpu_mem_gib: int


# pkg/sku/azure_sku_handler.go NewAzureSKUHandler: the rows not commented out.
AZURE_SKUS: tuple[GPUConfig, ...] = (
    GPUConfig("Standard_NV36ads_A10_v5", 1, 24),
    GPUConfig("Standard_NV72ads_A10_v5", 2, 48),
    GPUConfig("Standard_NC24ads_A100_v4", 1, 80),
    GPUConfig("Standard_NC48ads_A100_v4", 2, 160),
    GPUConfig("Standard_NC96ads_A100_v4", 4, 320),
    GPUConfig("Standard_ND96asr_A100_v4", 8, 320),
    GPUConfig("Standard_ND96amsr_A100_v4", 8, 640),
    GPUConfig("Standard_NC40ads_H100_v5", 1, 94),
    GPUConfig("Standard_NC80adis_H100_v5", 2, 188),
    GPUConfig("Standard_ND96isr_H100_v5", 8, 640),
    GPUConfig("Standard_NCC40ads_H100_v5", 1, 94),
    GPUConfig("Standard_ND96isr_H200_v5", 8, 1128),
    GPUConfig("Standard_NG32ads_V620_v1", 1, 32),
    GPUConfig("Standard_NG32adms_V620_v1", 1, 32),
)


class EstimateError(Exception):
    """EstimateNodeCount's error, worded as upstream wraps it."""


class Preset(NamedTuple):
    """What the estimator reads of a model: GetInferenceParameters' TotalSafeTensorFileSize and
    BytesPerToken, and SupportDistributedInference."""

    total_safetensor_file_size: str
    bytes_per_token: int
    distributed: bool = True


def gpu_config_by_sku(instance_type: str) -> GPUConfig:
    """helpers.go GetGPUConfigBySKU: the table's row, or its knative ErrInvalidValue."""
    for row in AZURE_SKUS:
        if row.sku.lower() == instance_type.lower():
            return row
    raise EstimateError(f"invalid value: Unsupported SKU '{instance_type}' for cloud provider: sku")


def in_sku_table(instance_type: str) -> bool:
    """The size has a row of the table (cloud_sku_handler.go GetGPUConfigBySKU is not nil)."""
    return any(row.sku.lower() == instance_type.lower() for row in AZURE_SKUS)


@cache
def catalog() -> dict[str, Mapping[str, Any]]:
    """model_catalog.yaml's entries by lower-cased name (loadFromCatalog compares with EqualFold)."""
    import yaml

    from tests.emulators.kube.crds import shared_dir

    path = shared_dir() / "data" / "kaito" / "model_catalog.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    return {str(m["name"]).lower(): m for m in data.get("models") or [] if isinstance(m, dict) and m.get("name")}


def bytes_per_token(entry: Mapping[str, Any]) -> int:
    """generator.go calculateKVCacheTokenSize over loadFromCatalog's config: fp16 K and V per
    layer, 2 x kvHeads x headDim elements (headDim falling back to hiddenSize / heads, kvHeads to
    the attention heads), or kvLoraRank + qkRopeHeadDim for MLA (a kvLoraRank above 0 only)."""
    hidden = int(entry.get("hiddenSize") or 0)
    layers = int(entry.get("numHiddenLayers") or 0)
    heads = int(entry.get("numAttentionHeads") or 0)
    kv_heads = int(entry.get("numKeyValueHeads") or 0)
    head_dim = int(entry.get("headDim") or 0)
    if head_dim == 0 and heads > 0:
        head_dim = int(hidden / heads)  # Go's integer division (both positive)
    kv_lora_rank = int(entry.get("kvLoraRank") or 0)
    if kv_heads == 0 and heads > 0:
        kv_heads = heads  # the catalog config has no multi_query key
    elements = 0
    if kv_lora_rank > 0:
        elements = kv_lora_rank + int(entry.get("qkRopeHeadDim") or 0)
    elif heads > 0 and kv_heads > 0 and head_dim > 0:
        elements = 2 * kv_heads * head_dim
    return elements * layers * 2


def preset(name: str) -> Preset | None:
    """GetModelByNameWithToken for a catalog model; None for a name outside the catalog (upstream
    asks the Hub for an ``org/model`` one, and fails "model is not registered" for any other)."""
    resolved = kaito_presets.LEGACY_BUILTIN_TO_CATALOG.get(name.lower(), name.lower())
    entry = catalog().get(resolved)
    if entry is None:
        return None
    return Preset(str(entry.get("modelFileSize") or ""), bytes_per_token(entry))


def quantity_value(text: str) -> int:
    """resource.MustParse(text).Value(): rounded up to a whole byte (quantity.go Value)."""
    return math.ceil(quantity(text))


def node_count(model: Preset, gpu: GPUConfig, requested: int = 0, context_size: int = 0) -> int:
    """EstimateNodeCount's arithmetic for a preset on one GPU config, NAP on, no MIG."""
    nodes = requested if requested > 0 else 1
    max_model_len = context_size if context_size > 0 else DEFAULT_MAX_MODEL_LEN
    if gpu.gpu_mem_gib == 0 or gpu.gpu_count <= 0:
        return nodes
    model_size = float(quantity_value(model.total_safetensor_file_size)) * WEIGHT_EXPANSION_FACTOR
    per_gpu = float((gpu.gpu_mem_gib * GIB) // gpu.gpu_count)
    avail = per_gpu * GPU_MEMORY_UTILIZATION
    kv_cache = float(max_model_len * model.bytes_per_token) / float(gpu.gpu_count)
    reserve = BASE_OVERHEAD_GIB * float(GIB) + kv_cache
    if avail <= reserve:
        raise EstimateError(
            f"GPU memory {per_gpu:.0f} bytes is too small, needs at least {reserve / GIB:.1f} GB overhead "
            f"(base: {BASE_OVERHEAD_GIB:.1f}GB + KV Cache: {kv_cache / GIB:.1f} GB)"
        )
    per_gpu_for_weights = (avail - reserve) / (1 + OVERHEAD_WEIGHT_FACTOR)
    min_gpus = int(model_size / per_gpu_for_weights) + 1
    nodes = (min_gpus + gpu.gpu_count - 1) // gpu.gpu_count
    if nodes > 1 and not model.distributed:
        raise EstimateError(
            "models with disabled support distributed inference cannot be distributed across more than 1 GPU node, "
            f"please use a node with larger GPU memory, calculated nodes: {nodes}"
        )
    return nodes


def estimate(preset_name: str, instance_type: str, requested: int = 0, context_size: int = 0) -> int:
    """EstimateNodeCount for a Workspace with node auto-provisioning; EstimateError with upstream's
    wrapped message. A preset outside the catalog (upstream builds it from the Hub's config.json,
    not ported) counts 1 node on a size of the table."""
    if not preset_name:
        return requested if requested > 0 else 1
    model = preset(preset_name)
    try:
        gpu = gpu_config_by_sku(instance_type)
    except EstimateError as exc:
        raise EstimateError(f"failed to get GPU config for instance type {instance_type}: {exc}") from None
    return 1 if model is None else node_count(model, gpu, requested, context_size)


def parse_explicit_max_model_len(content: str) -> int | None:
    """config_parser.go ParseExplicitMaxModelLen: ``max-model-len`` under ``vllm:``, a positive
    integer strconv.Atoi reads; None otherwise."""
    in_vllm = False
    base_indent = ""
    for line in content.split("\n"):
        trim = line.strip(" \t\r\n\v\f")
        if not in_vllm:
            if trim.startswith("vllm:"):
                in_vllm = True
                base_indent = line[: len(line) - len(line.lstrip(" \t"))] + "  "
            continue
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if trim and not trim.startswith("#") and len(indent) < len(base_indent):
            break
        if trim.startswith("max-model-len:"):
            value = trim[len("max-model-len:") :].strip(" \t\r\n\v\f")
            number = _atoi(value) if value else None
            if number is not None and number > 0:
                return number
            break
    return None


def _atoi(text: str) -> int | None:
    """strconv.Atoi: an optional sign and decimal digits only."""
    digits = text[1:] if text[:1] in "+-" else text
    if not digits or not digits.isascii() or not digits.isdigit():
        return None
    value = int(text)
    return value if -(1 << 63) <= value < (1 << 63) else None
