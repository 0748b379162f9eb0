"""The pods operators make from akscli's custom resources, predicted from the operators' code, so
that the PodSecurity preflight (akscli.kube.podsecurity) checks them before the resource is
applied. Only what the checks look at is predicted: the containers' names and securityContext,
the host namespaces and the volume sources. Where the operator's code was not read, nothing is
predicted (the pods are left to the API server, as before).

- KAITO Workspace (upstream: kaito-project/kaito 056b8280b): no file under pkg/ sets a
  securityContext, a host namespace or a capability (``git grep SecurityContext -- pkg`` finds
  none). pkg/workspace/inference/preset_inferences.go setInferenceContainers: one container named
  after the Workspace; configureModelWeightsVolumes: a hostPath volume ``model-weights-hostpath``
  when the ``kaito.sh/use-local-weights`` annotation is ``"true"`` (api/v1beta1/labels.go
  UseLocalWeights, GetLocalWeightsPath, sanitizePresetName); configureCUDAToolkitVolume and
  setInferenceContainers: a hostPath volume ``cuda-toolkit-hostpath`` and the init container
  ``cuda-toolkit-provisioner`` for a preset that RequiresCUDAToolkit (pkg/model/interface.go:
  RequiresDeepGEMM by architecture, RequiresFlashInfer by preset name). Not predicted: the
  ``model-weights-downloader`` init container (manifests/manifests.go GenerateModelPullerContainer,
  for presets not downloaded at runtime, which akscli's catalog does not record) and the adapter
  pullers; neither sets a securityContext, so the verdict is the same, only fewer containers are
  named.
- KAITO InferenceSet: each child Workspace is NewWorkspaceForInferenceSet's (pkg/utils/
  inferenceset/inferenceset.go): the template's annotations and inference, and a generated name
  (``generateName: <set>-``), which names the container.
- AI Runway ModelDeployment (upstream: ai-runway/airunway b0d3fb77 providers/*/transformer.go):
  the ``vllm`` and ``llmd`` providers make Deployments whose one container is ``vllm``
  (buildContainer), with PVC and emptyDir volumes only; the ``kaito`` provider makes a Workspace
  named after the ModelDeployment from spec.model.id with spec.provider.overrides deep-merged in
  (Transform, applyOverrides), checked as above; the ``kuberay`` provider makes a RayService with
  the containers ``ray-head`` and ``ray-worker`` and no securityContext. The ``dynamo`` provider's
  pods come from NVIDIA Dynamo's operator, not read here: not predicted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.model import catalog

LOCAL_WEIGHTS = "kaito.sh/use-local-weights"  # api/v1beta1/labels.go AnnotationUseLocalWeights
# pkg/model/interface.go RequiresDeepGEMM (by architecture) and RequiresFlashInfer (by preset)
DEEPGEMM_ARCHITECTURES = frozenset({"DeepseekV4ForCausalLM", "DeepseekV32ForCausalLM", "GlmMoeDsaForCausalLM"})
FLASHINFER_PRESETS = frozenset({"mistral-small-4-119b-2603"})


def pod_specs(group: str, kind: str, obj: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(where, predicted pod spec) for a KAITO or AI Runway resource; [] for anything else."""
    meta = obj.get("metadata") or {}
    name = str(meta.get("name") or "")
    if (group, kind) == ("kaito.sh", "Workspace"):
        return [("KAITO's inference pods", workspace_pod(name, meta.get("annotations") or {}, obj.get("inference")))]
    if (group, kind) == ("kaito.sh", "InferenceSet"):
        template = (obj.get("spec") or {}).get("template") or {}
        annotations = (template.get("metadata") or {}).get("annotations") or {}
        child = f"{name}-<generated>"
        return [("KAITO's inference pods", workspace_pod(child, annotations, template.get("inference")))]
    if (group, kind) == ("airunway.ai", "ModelDeployment"):
        return _model_deployment(name, obj.get("spec") or {})
    return []


def workspace_pod(name: str, annotations: Mapping[str, Any], inference: Any) -> dict[str, Any]:
    """The inference pod KAITO makes for a Workspace named ``name``."""
    preset = str((((inference if isinstance(inference, dict) else {}).get("preset")) or {}).get("name") or "")
    volumes: list[dict[str, Any]] = []
    init: list[dict[str, Any]] = []
    segment = preset.strip().lower().replace("/", "-").replace("\\", "-")
    if annotations.get(LOCAL_WEIGHTS) == "true" and segment not in ("", ".", ".."):
        volumes.append({"name": "model-weights-hostpath", "hostPath": {"path": f"/opt/kaito/models/{segment}"}})
    if preset and _requires_cuda_toolkit(preset):
        volumes.append({"name": "cuda-toolkit-hostpath", "hostPath": {"path": "/opt/kaito/cuda/129"}})
        init.append({"name": "cuda-toolkit-provisioner"})
    return {"initContainers": init, "containers": [{"name": name}], "volumes": volumes}


def _requires_cuda_toolkit(preset: str) -> bool:
    if preset in FLASHINFER_PRESETS:
        return True
    model = catalog.find(preset)  # the architecture of KAITO's preset (kaito model_catalog.yaml)
    return model is not None and model.architecture in DEEPGEMM_ARCHITECTURES


def _model_deployment(name: str, spec: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    provider = (spec.get("provider") or {}).get("name")
    where = f"AI Runway {provider} provider's pods"
    if provider in ("vllm", "llmd"):
        return [(where, {"containers": [{"name": "vllm"}]})]
    if provider == "kuberay":
        return [(where, {"containers": [{"name": "ray-head"}]}), (where, {"containers": [{"name": "ray-worker"}]})]
    if provider == "kaito":
        workspace: dict[str, Any] = {"inference": {"preset": {"name": (spec.get("model") or {}).get("id")}}}
        _merge(workspace, (spec.get("provider") or {}).get("overrides") or {})
        annotations = ((spec.get("podTemplate") or {}).get("metadata") or {}).get("annotations") or {}
        return [(where, workspace_pod(name, annotations, workspace.get("inference")))]
    return []


def _merge(into: dict[str, Any], overrides: Mapping[str, Any]) -> None:
    """applyOverrides' deep merge (a null deletes the field)."""
    for key, value in overrides.items():
        if value is None:
            into.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
