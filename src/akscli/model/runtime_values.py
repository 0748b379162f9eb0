"""What each runtime's template gets from a deploy request beyond the values all share: the
name the server answers to, vLLM's arguments and its pod's size, KAITO's inference config and
scaler annotations, and the replica count. Plain logic: no Typer, no rich."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from akscli.model import skus
from akscli.model.kinds import AIRUNWAY_AUTO_PROVIDER, GPU_TOLERATIONS, KAITO_SCALER_PREFIX, QUEUE_METRIC, VLLM_PORT
from akscli.model.planning import VLLM_GPU_MEMORY_UTILIZATION

if TYPE_CHECKING:
    from akscli.model.request import DeployRequest


def served_name(req: DeployRequest) -> str:
    """The model name the server answers to. KAITO serves a Workspace's model under the last
    part of its Hugging Face id, lower-cased (akscli.model.kaito_names), and an InferenceSet's
    under the set's name (kaito-project/kaito v0.12.0 pkg/model/interface.go,
    buildVLLMInferenceCommand); akscli's vLLM Deployment passes --served-model-name itself."""
    from akscli.model import kaito_names

    if req.runtime == "airunway" and req.provider == "kaito":
        return kaito_names.served_name(kaito_names.preset_name(req.model))
    if req.runtime == "airunway" and req.provider == AIRUNWAY_AUTO_PROVIDER:
        # the name every provider AI Runway may pick serves under (akscli.model.airunway.values)
        return kaito_names.served_name(req.model.id)
    if req.runtime != "kaito":
        return req.model.id
    return req.name if req.uses_inferenceset else kaito_names.served_name(kaito_names.preset_name(req.model))


def kaito_scaler_annotations(req: DeployRequest) -> dict[str, str]:
    """What keda-kaito-scaler reads to make the InferenceSet's ScaledObject (kaito-project/
    keda-kaito-scaler v0.6.2 pkg/constants/constants.go, pkg/scaledobject): up one replica when
    more than --queue-threshold requests wait per replica, down when under one does. The metric is
    the ``metrics`` YAML list, required with auto-provision since v0.6.1 (#129); the older
    ``metricName`` and ``threshold`` keys were removed in v0.6.0 (#122) and v0.6.1 (#129), and no
    release reads them with ``metrics``, so akscli writes neither."""
    from akscli import yamlio

    if not req.autoscale or req.runtime != "kaito":
        return {}
    low, high = req.autoscale
    metric = [
        {"name": QUEUE_METRIC, "type": "gauge", "upthreshold": req.queue_threshold, "downthreshold": 1},
    ]
    return {
        f"{KAITO_SCALER_PREFIX}auto-provision": "true",
        f"{KAITO_SCALER_PREFIX}min-replicas": str(low),
        f"{KAITO_SCALER_PREFIX}max-replicas": str(high),
        f"{KAITO_SCALER_PREFIX}metrics": yamlio.dump(metric),
    }


def vllm_args(req: DeployRequest) -> list[str]:
    args = [
        "--model",
        req.model.id,
        "--served-model-name",
        req.model.id,
        "--tensor-parallel-size",
        str(req.fit.tensor_parallel),
        "--max-model-len",
        str(req.context),
        "--gpu-memory-utilization",
        str(VLLM_GPU_MEMORY_UTILIZATION),
        "--download-dir",
        "/models",
        "--port",
        str(VLLM_PORT),
    ]
    cache = mm_processor_cache_gb(req)
    if cache is not None:
        args += ["--mm-processor-cache-gb", f"{cache:g}"]
    if req.trust_remote_code:  # vllm serve's own flag (vllm/engine/arg_utils.py EngineArgs.trust_remote_code)
        args.append("--trust-remote-code")
    return args


def mm_processor_cache_gb(req: DeployRequest) -> float | None:
    """``--mm-processor-cache-gb`` for a model vLLM serves as multimodal, where its two default
    4 GiB lru caches (vllm_multimodal says why two) do not fit the pod's memory left after
    /dev/shm (shm_size) and, akscli's own allowance for vLLM's process as it loads the weights,
    as much again as the pod's GPU memory: half of what is left each, in 0.5 GiB steps, 0 (vLLM
    then keeps no cache) when under 1 GiB is left. None (vLLM's default) where the default fits. On Standard_NC4as_T4_v3
    that is 19Gi − 2Gi − 16 GiB = 1 GiB: 0.5 each; on every other size the default fits."""
    from akscli.model import vllm_multimodal

    sku = skus.get(req.vm_size)
    if not vllm_multimodal.is_multimodal(req.model.architecture) or sku is None:
        return None
    memory = float(pod_share(req.vm_size, req.fit.gpus)["memory_request"].removesuffix("Gi"))
    spare = memory - float(shm_size(req.fit.gpus).removesuffix("Gi")) - req.fit.gpus * sku.gpu_memory_gib
    each = math.floor(max(0.0, spare) / vllm_multimodal.CACHE_COPIES * 2) / 2
    return None if each >= vllm_multimodal.CACHE_GIB_DEFAULT else each


def kaito_inference_config(req: DeployRequest) -> str:
    """KAITO's inference_config.yaml: its estimator and vLLM both read max-model-len here
    (kaito-project/kaito v0.12.0 pkg/workspace/controllers/workspace_controller.go,
    UpdateWorkspaceTargetNodeCount). No gpu-memory-utilization: KAITO passes vLLM its own per-GPU
    value (pkg/model/interface.go, defaultGPUMemoryUtilization and gpuMemoryUtilizationByGPUModel),
    and a key in this file would win over it (presets/workspace/inference/vllm/inference_api.py,
    KAITOArgumentParser.parse_args appends the file's keys after the command line)."""
    from akscli import yamlio

    return yamlio.dump({"vllm": {"max-model-len": req.context}})


def kaito_config_name(req: DeployRequest) -> str:
    return f"{req.name}-inference-config"


def pod_share(vm_size: str, gpus: int) -> dict[str, str]:
    """CPU and memory for a vLLM pod: its GPUs' share of the VM less 20% for the node's own use,
    and never more than that share of what a node of the size gives pods (akscli.node_room: the
    smaller of AKS's and Karpenter's allocatable, less a margin for AKS's DaemonSets). On
    Standard_NC4as_T4_v3, 80% is 22Gi where Karpenter counts 21.85 GiB and AKS 1.29+ with 250
    max pods 20.9 GiB: no node would take the pod.

    Requests and a memory limit make the pod Guaranteed-sized for its memory and satisfy the
    container-resources policy rule.
    """
    from akscli.node_room import pod_room

    sku = skus.get(vm_size)
    room = pod_room(vm_size)
    if sku is None or not sku.gpus or room is None:
        return {"cpu_request": "4", "memory_request": "32Gi"}
    share = min(1.0, gpus / sku.gpus)
    cpu = min(sku.vcpus * share * 0.8, room["cpu"] * share / 1000)
    memory = min(sku.memory_gib * share * 0.8, room["memory"] * share / (1 << 30))
    return {
        "cpu_request": str(max(1, math.floor(cpu))),
        "memory_request": f"{max(4, math.floor(memory))}Gi",
    }


SHM_ONE_GPU = "2Gi"
SHM_TENSOR_PARALLEL = "20Gi"


def shm_size(gpus: int) -> str:
    """The sizeLimit of the vLLM pod's memory-backed /dev/shm. Its pages are charged to the pod's
    memory cgroup, and the kubelet mounts the tmpfs at the smallest of sizeLimit, the pod's memory
    limit and the node's allocatable (kubernetes/kubernetes pkg/volume/emptydir/empty_dir.go,
    calculateEmptyDirMemorySize), so /dev/shm and vLLM share the pod's limit. vLLM writes there for
    tensor parallelism between its worker processes; one GPU gets the 2Gi of vLLM's own single-GPU
    Kubernetes example (vllm-project/vllm docs/deployment/k8s.md, "vLLM needs to access the host's
    shared memory for tensor parallel inference"), a tensor-parallel pod the 20Gi vLLM's
    production-stack chart gives one (vllm-project/production-stack
    helm/templates/deployment-vllm-multi.yaml, shmSize default when tensorParallelSize is set).
    On Standard_NC4as_T4_v3 the pod's 19Gi limit then leaves 17Gi to vLLM, more than the T4's
    16 GiB of weights it can load; 16Gi of /dev/shm left 3Gi."""
    return SHM_ONE_GPU if gpus <= 1 else SHM_TENSOR_PARALLEL


def replicas(req: DeployRequest) -> int | None:
    """``spec.replicas`` of the Deployment or InferenceSet: none when an autoscaler owns the
    count, as Kubernetes advises ("Migrating Deployments and StatefulSets to horizontal
    autoscaling", kubernetes/website content/en/docs/tasks/run-application/horizontal-pod-autoscale.md):
    a manifest that carries it sets the count back on every apply. The InferenceSet's replicas is
    optional, defaulting to 1 (kaito-project/kaito v0.12.0 api/v1beta1/inferenceset_types.go; the
    controller reads a missing one as 1, pkg/inferenceset/inferenceset_controller.go). The first
    apply still creates the object with ``initial_replicas`` (revisions.leave_replicas_to_autoscaler)."""
    if req.autoscale:
        return None
    return req.replicas if req.replicas is not None else 1


def vllm_values(req: DeployRequest, base: dict[str, Any]) -> dict[str, Any]:
    storage = max(50, math.ceil(req.model.weights_gib * 1.25 / 10) * 10)
    return {
        **base,
        "replicas": replicas(req),
        "image": req.serving_image,
        "vllm_args": vllm_args(req),
        "gpus_per_pod": req.fit.gpus,
        **pod_share(req.vm_size, req.fit.gpus),
        "storage_class": req.storage_class,
        "storage_size": f"{storage}Gi",
        "shm_size": shm_size(req.fit.gpus),
        "node_selector": {"node.kubernetes.io/instance-type": req.vm_size},
        "tolerations": list(GPU_TOLERATIONS),
    }
