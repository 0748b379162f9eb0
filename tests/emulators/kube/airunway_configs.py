"""The InferenceProviderConfig each AI Runway provider's controller registers when it starts, named
after it, with its capabilities and selection rules, and the status it then writes (upstream:
ai-runway/airunway v0.7.0 f5fd48d134a510a2af1ef237ced13103ba27c076, unchanged at b0d3fb77 but for
apiFormats and the version string: providers/*/config.go ProviderConfigName, GetProviderConfigSpec,
Register, UpdateStatus / UpdateStatusFromProbe). Gateway capabilities, apiFormats and requiresCRD
are left out (the core's selection and validation read none of them)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.airunway_providers import DYNAMO_API, RAY_API, served
from tests.emulators.kube.controllers.kaito import KAITO


def _engine(name: str, *modes: str, cpu: bool = False) -> dict[str, Any]:
    engine: dict[str, Any] = {"name": name, "servingModes": list(modes), "gpuSupport": True}
    return {**engine, "cpuSupport": True} if cpu else engine


# The engines each provider declares (providers/*/config.go GetProviderConfigSpec).
AIRUNWAY_PROVIDER_ENGINES: dict[str, list[dict[str, Any]]] = {
    "kaito": [_engine("vllm", "aggregated"), _engine("llamacpp", "aggregated", cpu=True)],
    "vllm": [_engine("vllm", "aggregated")],
    "kuberay": [_engine("vllm", "aggregated", "disaggregated")],
    "dynamo": [
        _engine("vllm", "aggregated", "disaggregated"),
        _engine("sglang", "aggregated", "disaggregated"),
        _engine("trtllm", "aggregated"),
    ],
    "llmd": [_engine("vllm", "aggregated", "disaggregated")],
}

# Their selectionRules (same function): the vllm provider advertises none ("explicit-only", its
# comment says), nor does llmd (an empty list).
AIRUNWAY_PROVIDER_RULES: dict[str, list[dict[str, Any]]] = {
    "kaito": [
        {"condition": "!has(spec.resources.gpu) || spec.resources.gpu.count == 0", "priority": 100},
        {"condition": "spec.engine.type == 'llamacpp'", "priority": 100},
    ],
    "vllm": [],
    "kuberay": [
        {
            "condition": "has(spec.resources.gpu) && spec.resources.gpu.count > 1 && spec.engine.type == 'vllm'",
            "priority": 80,
        }
    ],
    "dynamo": [
        {"condition": "spec.engine.type == 'trtllm'", "priority": 100},
        {"condition": "spec.engine.type == 'sglang'", "priority": 100},
        {"condition": "has(spec.serving) && spec.serving.mode == 'disaggregated'", "priority": 90},
        {
            "condition": "has(spec.resources.gpu) && spec.resources.gpu.count > 0 && spec.engine.type == 'vllm'",
            "priority": 50,
        },
    ],
    "llmd": [],
}


# The kind whose API each provider's readiness needs (providers/kuberay/config.go and
# providers/dynamo/config.go checkBackendCRDInstalled: RayService, DynamoGraphDeployment; the kaito
# provider's probe, providers/kaito/upstream_health.go, first checks the Workspace CRD: CRDMissing).
_BACKEND = {
    "kuberay": (RAY_API, "RayService"),
    "dynamo": (DYNAMO_API, "DynamoGraphDeployment"),
    "kaito": (KAITO, "Workspace"),
}


def install_airunway_providers(emu: Any, *providers: str, ready: bool | None = None) -> None:
    """Each provider's Register: its InferenceProviderConfig made, then its status written
    (UpdateStatus / UpdateStatusFromProbe) with ``ready``, by default as the provider finds it: true
    for vllm and llmd, which need no CRD (Register's UpdateStatus(ctx, true)), and for kuberay, dynamo
    and kaito where their backend's kind is served. Deviations: KAITO's workspace controller is not
    probed (only its CRD), and readiness is set once here, not again on each provider's heartbeat.
    All five providers unless some are named."""
    # the five providers of ai-runway/airunway v0.7.0 providers/ (AIRUNWAY_PROVIDER_ENGINES), not akscli's list
    for name in providers or tuple(AIRUNWAY_PROVIDER_ENGINES):
        spec: dict[str, Any] = {"capabilities": {"engines": AIRUNWAY_PROVIDER_ENGINES[name]}}
        if AIRUNWAY_PROVIDER_RULES[name]:
            spec["selectionRules"] = AIRUNWAY_PROVIDER_RULES[name]
        made = emu.cluster.create(
            {
                "apiVersion": "airunway.ai/v1alpha1",
                "kind": "InferenceProviderConfig",
                "metadata": {"name": name},
                "spec": spec,
            }
        )
        up = ready if ready is not None else name not in _BACKEND or served(emu.cluster, *_BACKEND[name])
        emu.cluster.update_status({**made, "status": {"ready": up, "version": f"{name}-provider:dev"}})
