"""KAITO's own node estimator, reproduced rule for rule, and the KAITO facts it needs.

akscli says what KAITO will provision for a Workspace with ``kaito_estimate`` (a test checks the
two agree for KAITO's whole catalog on every VM size KAITO knows); ``akscli.model.planning``
builds the `model plan` options on it.
"""

from akscli.model.catalog import Model
from akscli.model.skus import GpuSku
from akscli.records import Record

GIB = 1024**3

# KAITO's estimator constants (pkg/workspace/estimator/nodesestimator/estimator.go in
# kaito-project/kaito): vLLM's default GPU memory utilisation in KAITO, the measured per-GPU
# overhead (1.7 GiB activations + 0.6 GiB non-PyTorch), weights as loaded vs. file size, the
# headroom left over the weights, and the default max_model_len.
KAITO_UTILIZATION = 0.84
KAITO_BASE_OVERHEAD_GIB = 2.3
KAITO_WEIGHT_FACTOR = 1.02
KAITO_WEIGHT_HEADROOM = 1.05
KAITO_DEFAULT_MAX_MODEL_LEN = 2048

# The --gpu-memory-utilization KAITO's operator passes vLLM, per GPU model (kaito-project/kaito
# v0.12.0 pkg/model/interface.go: defaultGPUMemoryUtilization 0.84, gpuMemoryUtilizationByGPUModel
# "NVIDIA A10" 0.82, the GPU of the A10 sizes in pkg/sku/azure_sku_handler.go). Its estimator plans
# with 0.84 on every GPU (KAITO_UTILIZATION above); vLLM then runs with these.
KAITO_GPU_MEMORY_UTILIZATION_BY_FAMILY: dict[str, float] = {"a10": 0.82}

# The Azure sizes KAITO's workspace controller knows (kaito-project/kaito
# pkg/sku/azure_sku_handler.go at 056b8280b1a8debf644bc6f4399e913a1f9c7e70; T4, M60 and MI25 sizes
# were dropped in kaito PR #2185). KAITO's webhook admits any "Standard_N*" size, but for a
# size outside this table its estimator fails "Unsupported SKU" (pkg/sku/helpers.go,
# GetGPUConfigBySKU) and the Workspace never provisions, so `--runtime kaito` plans on these only.
KAITO_VM_SIZES: tuple[str, ...] = (
    "Standard_NV36ads_A10_v5",
    "Standard_NV72ads_A10_v5",
    "Standard_NC24ads_A100_v4",
    "Standard_NC48ads_A100_v4",
    "Standard_NC96ads_A100_v4",
    "Standard_ND96asr_A100_v4",
    "Standard_ND96amsr_A100_v4",
    "Standard_NC40ads_H100_v5",
    "Standard_NC80adis_H100_v5",
    "Standard_ND96isr_H100_v5",
    "Standard_NCC40ads_H100_v5",
    "Standard_ND96isr_H200_v5",
    "Standard_NG32ads_V620_v1",
    "Standard_NG32adms_V620_v1",
)
# KAITO's vLLM runs a model that takes under half of one GPU data-parallel, one copy per GPU
# (kaito-project/kaito pkg/model/interface.go, configureParallelism).
KAITO_DATA_PARALLEL_SHARE = 0.5


def kaito_gpu_memory_utilization(sku: GpuSku) -> float:
    """The fraction of GPU memory KAITO's vLLM runs with on this size."""
    return KAITO_GPU_MEMORY_UTILIZATION_BY_FAMILY.get(sku.gpu_family, KAITO_UTILIZATION)


def supports_kaito(vm_size: str) -> bool:
    return vm_size.lower() in {s.lower() for s in KAITO_VM_SIZES}


# The records below are Records (akscli.records), built in one go: `model plan` imports them
# (akscli.output.Column says why).
class KaitoEstimate(Record):
    fits: bool
    gpus: int
    nodes: int
    reason: str = ""


def kaito_estimate(model: Model, sku: GpuSku, max_model_len: int = KAITO_DEFAULT_MAX_MODEL_LEN) -> KaitoEstimate:
    """KAITO's node count for a preset on one VM size, in KAITO's own integer/float steps."""
    weights = float(round(model.weights_gib * GIB)) * KAITO_WEIGHT_FACTOR
    per_gpu = float(round(sku.total_gpu_memory_gib * GIB) // sku.gpus)
    usable = per_gpu * KAITO_UTILIZATION
    kv = float(max_model_len * model.kv_bytes_per_token) / float(sku.gpus)
    fixed = KAITO_BASE_OVERHEAD_GIB * GIB + kv
    if not model.tensor_parallel and weights + fixed > usable:
        return KaitoEstimate(
            False, 0, 0, f"model cannot be split across GPUs and needs {(weights + fixed) / GIB:.1f} GiB on one GPU"
        )
    if usable <= fixed:
        return KaitoEstimate(
            False, 0, 0, f"GPU memory too small for the {fixed / GIB:.1f} GiB fixed overhead (2.3 GiB + KV cache)"
        )
    space = (usable - fixed) / KAITO_WEIGHT_HEADROOM
    gpus = int(weights / space) + 1
    nodes = (gpus + sku.gpus - 1) // sku.gpus
    if nodes > 1 and not model.tensor_parallel:
        return KaitoEstimate(False, gpus, nodes, "model cannot be distributed across nodes")
    return KaitoEstimate(True, gpus, nodes)
