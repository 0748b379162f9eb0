"""AI Runway's webhooks for ModelDeployment, the parts akscli's renders can reach.

The defaulting (mutating) webhook, ``mmodeldeployment-v1alpha1.kb.io`` for create and update
(upstream: ai-runway/airunway v0.7.0 f5fd48d134a510a2af1ef237ced13103ba27c076
controller/internal/webhook/v1alpha1/modeldeployment_webhook.go ModelDeploymentCustomDefaulter
Default; controller/config/webhook/manifests.yaml): ``default`` below. It runs before the
validating one, and the fields it sets belong to no field manager: the API server records an
apply's managed fields before admission runs (kubernetes/kubernetes staging/src/k8s.io/apiserver/
pkg/endpoints/handlers/patch.go, applyPatch then applyAdmission).

The validating webhook (upstream: ai-runway/airunway v0.7.0 f5fd48d134a510a2af1ef237ced13103ba27c076
controller/internal/webhook/v1alpha1/modeldeployment_webhook.go, registered as
``vmodeldeployment-v1alpha1.kb.io`` for create and update; the webhook is on in
controller/config/default/kustomization.yaml):

- ValidateCreate: a name with a dot.
- validateSpec: where the spec names a provider and an engine type, the provider's
  InferenceProviderConfig must exist (``InferenceProviderConfig "NAME" not found``); the check is
  skipped while the kind is not served (meta.IsNoMatchError). ``providers`` reads the store. A
  stored config with ``spec.capabilities`` is then held to validation.CheckProviderCompatibility
  (upstream: ai-runway/airunway v0.7.0 f5fd48d134a510a2af1ef237ced13103ba27c076
  controller/internal/validation/compatibility.go; the webhook passes no list of all configs, so
  the cross-provider CPU fallback never runs there): ``_compatibility``. The Dynamo mocker
  annotation (``airunway.ai/dynamo-test-backend: mocker`` with provider dynamo) skips the lookup.
- validateResourceCeilings: ``scaling.replicas`` above MaxReplicas (32) and
  ``resources.gpu.count`` above MaxGPUCount (64).
- ValidateUpdate, validateImmutableFields: ``model.id``, ``model.source``, ``engine.type`` (both
  set), ``provider.name`` (both set; the old one from status where the spec had none) and
  ``serving.mode`` (Aggregated where unset) never change.

The validator returns ``field.ErrorList.ToAggregate()``, which is no APIStatus, so
controller-runtime denies with its text, 403 (kubernetes-sigs/controller-runtime
pkg/webhook/admission/validator_custom.go Handle, ``Denied(err.Error())``; response.go Denied).
The messages are apimachinery's field errors (pkg/util/validation/field/errors.go: ``PATH:
Invalid value: VALUE: DETAIL``), several in brackets (pkg/util/errors Aggregate).

Not emulated: the defaulter's storage-volume fields (purpose, mountPath, claimName,
accessMode) and disaggregated GPU types, the Dynamo mocker's vLLM-only rule, the overrides' blocked
and sizing keys, the disaggregated-mode rules and the storage rules (akscli renders none of them).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from tests.emulators.kube.status import ApiError

WEBHOOK = "vmodeldeployment-v1alpha1.kb.io"
MAX_REPLICAS = 32
MAX_GPU_COUNT = 64


def _value(v: Any) -> str:
    """field.Invalid's value as apimachinery prints it: strings quoted, numbers bare."""
    return json.dumps(v) if isinstance(v, str) else str(v)


def _invalid(path: str, value: Any, detail: str) -> str:
    return f"{path}: Invalid value: {_value(value)}: {detail}"


def _dig(obj: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)  # type: ignore[assignment]
    return obj


def _ceilings(spec: dict[str, Any]) -> list[str]:
    errs = []
    gpus = _dig(spec, "resources", "gpu", "count")
    if isinstance(gpus, int) and gpus > MAX_GPU_COUNT:
        errs.append(_invalid("spec.resources.gpu.count", gpus, f"exceeds maximum allowed ({MAX_GPU_COUNT})"))
    replicas = _dig(spec, "scaling", "replicas")
    if isinstance(replicas, int) and replicas > MAX_REPLICAS:
        errs.append(_invalid("spec.scaling.replicas", replicas, f"exceeds maximum allowed ({MAX_REPLICAS})"))
    return errs


def _immutable(obj: dict[str, Any], old: dict[str, Any]) -> list[str]:
    spec, old_spec = obj.get("spec") or {}, old.get("spec") or {}
    errs = []

    def changed(path: str, new: Any, was: Any, what: str) -> None:
        if new != was:
            errs.append(_invalid(path, new or "", f"{what} is immutable (changing it requires delete and recreate)"))

    changed("spec.model.id", _dig(spec, "model", "id"), _dig(old_spec, "model", "id"), "model.id")
    changed("spec.model.source", _dig(spec, "model", "source"), _dig(old_spec, "model", "source"), "model.source")
    engine, old_engine = _dig(spec, "engine", "type"), _dig(old_spec, "engine", "type")
    if engine and old_engine:
        changed("spec.engine.type", engine, old_engine, "engine.type")
    provider = _dig(spec, "provider", "name")
    old_provider = _dig(old_spec, "provider", "name") or _dig(old, "status", "provider", "name")
    if provider and old_provider:
        changed("spec.provider.name", provider, old_provider, "provider.name")
    mode = _dig(spec, "serving", "mode") or "aggregated"
    old_mode = _dig(old_spec, "serving", "mode") or "aggregated"
    changed("spec.serving.mode", mode, old_mode, "serving.mode")
    return errs


def default(obj: dict[str, Any]) -> None:
    """ModelDeploymentCustomDefaulter.Default, in place: model.source huggingface, serving.mode
    aggregated, scaling.replicas 1 where scaling is unset (aggregated), one nvidia.com/gpu where an
    aggregated model with an engine type other than llamacpp and no spec.image names no resources,
    and the GPU type nvidia.com/gpu where a GPU names none."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    model = spec.setdefault("model", {})
    if isinstance(model, dict) and not model.get("source"):
        model["source"] = "huggingface"
    serving = spec.get("serving")
    if not isinstance(serving, dict):
        serving = spec["serving"] = {}
    if not serving.get("mode"):
        serving["mode"] = "aggregated"
    aggregated = serving["mode"] == "aggregated"
    if aggregated and spec.get("scaling") is None:
        spec["scaling"] = {"replicas": 1}
    engine = _dig(spec, "engine", "type")
    if aggregated and spec.get("resources") is None and engine and engine != "llamacpp" and not spec.get("image"):
        spec["resources"] = {"gpu": {"count": 1, "type": "nvidia.com/gpu"}}
    gpu = _dig(spec, "resources", "gpu")
    if isinstance(gpu, dict) and not gpu.get("type"):
        gpu["type"] = "nvidia.com/gpu"


# The stored InferenceProviderConfig of that name, False where there is none, None while the kind
# is not served.
Providers = Callable[[str], dict[str, Any] | Literal[False] | None]
MOCKER_ANNOTATION = "airunway.ai/dynamo-test-backend"


def _compatibility(name: str, config: dict[str, Any], engine: str, mode: str, gpus: int) -> list[str]:
    """CheckProviderCompatibility for a named provider whose config has capabilities: the engine
    listed, the serving mode listed for it, and in aggregated mode without GPUs the engine's
    cpuSupport (upstream: ai-runway/airunway v0.7.0 controller/internal/validation/compatibility.go;
    GetEngineCapability and SupportsServingMode in controller/api/v1alpha1/
    inferenceproviderconfig_types.go)."""
    engines = _dig(config, "spec", "capabilities", "engines") or []
    cap = next((e for e in engines if isinstance(e, dict) and e.get("name") == engine), None)
    if cap is None:
        return [_invalid("spec.engine.type", engine, f"provider {name} does not support engine {engine}")]
    errs = []
    if mode not in (cap.get("servingModes") or []):
        errs.append(
            _invalid("spec.serving.mode", mode, f"provider {name} does not support {mode} mode for engine {engine}")
        )
    if mode == "aggregated" and gpus == 0 and not cap.get("cpuSupport"):
        errs.append(
            _invalid(
                "spec.resources.gpu.count",
                gpus,
                f"{engine} engine on provider {name} requires GPU (set resources.gpu.count > 0)",
            )
        )
    return errs


def _provider_errors(obj: dict[str, Any], providers: Providers | None) -> list[str]:
    spec = obj.get("spec") or {}
    name, engine = _dig(spec, "provider", "name"), _dig(spec, "engine", "type")
    mocker = ((obj.get("metadata") or {}).get("annotations") or {}).get(MOCKER_ANNOTATION) == "mocker"
    if not (name and engine and providers is not None) or (mocker and name == "dynamo"):
        return []
    config = providers(str(name))
    if config is False:
        return [_invalid("spec.provider.name", name, f'InferenceProviderConfig "{name}" not found')]
    if not config or _dig(config, "spec", "capabilities") is None:
        return []
    mode = _dig(spec, "serving", "mode") or "aggregated"
    gpus = _dig(spec, "resources", "gpu", "count")
    return _compatibility(str(name), config, str(engine), str(mode), gpus if isinstance(gpus, int) else 0)


def review(obj: dict[str, Any], old: dict[str, Any] | None, providers: Providers | None = None) -> ApiError | None:
    """The webhook's denial of a ModelDeployment create (``old`` None) or update, if any."""
    errs = []
    name = str((obj.get("metadata") or {}).get("name", ""))
    if old is None and "." in name:
        errs.append(
            _invalid(
                "metadata.name",
                name,
                "name must not contain dots (dots are invalid in derived Kubernetes volume and service names)",
            )
        )
    errs += _provider_errors(obj, providers)
    errs += _ceilings(obj.get("spec") or {})
    if old is not None:
        errs += _immutable(obj, old)
    if not errs:
        return None
    message = errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]"
    return ApiError(403, f'admission webhook "{WEBHOOK}" denied the request: {message}', "Forbidden")
