"""AI Runway's core ModelDeployment controller, which makes nothing and runs before the providers:
ai-runway/airunway v0.7.0 (f5fd48d1; unchanged at b0d3fb77) controller/internal/controller/
modeldeployment_controller.go Reconcile, selectEngine, validateSpec, selectProvider, setCondition;
controller/internal/validation/compatibility.go CheckProviderCompatibility;
controller/api/v1alpha1/modeldeployment_validation.go ValidateImageFields; the provider selector on
(controller/cmd/main.go ``--enable-provider-selector``, default true).

* ``status.observedGeneration`` = the generation; an empty phase becomes Pending.
* spec.image and spec.engine.image both set and different: ImageResolved False
  ConflictingImageFields, Validated False ValidationFailed, phase Failed, "Validation failed: ...".
* selectEngine: spec.engine.type -> ``status.engine`` {type, "explicit engine selection"}; none and
  none recorded: chosen from the ready providers' capabilities (airunway_select.select_engine), or
  EngineSelected False SelectionFailed, "Engine selection failed: <why>" (no providers registered
  (InferenceProviderConfig resources not found), or no engines available ...), the phase left as
  it was (the controller watches InferenceProviderConfigs: retried when one comes).
* validateSpec: model.id for a huggingface source, an engine type, the named provider's
  InferenceProviderConfig capabilities for the engine (engine, serving mode, CPU without GPUs), and
  the disaggregated rules: Validated False ValidationFailed, phase Failed; else Validated True
  ValidationPassed "Schema validation passed", then EngineSelected True ExplicitSelection.
* spec.provider.name changed after status.provider.name was recorded: ProviderSelected False
  ProviderChangeNotSupported, phase Failed.
* status.provider unset and spec.provider.name set: ``status.provider`` {name, "explicit provider
  selection"}, ProviderSelected True ExplicitSelection "Provider explicitly specified in spec"; no
  name: selectProvider (airunway_select.select_provider), ``status.provider`` {name, "matched
  capabilities: ..."} and ProviderSelected True AutoSelected "Provider NAME auto-selected", or
  ProviderSelected False SelectionFailed, "Provider selection failed: <why>", the phase left. The
  providers act only on a ModelDeployment whose status.provider.name is theirs
  (providers/*/controller.go Reconcile).

Not simulated: the dynamo mocker escape hatch, metrics, the pause annotation, the
``--enable-provider-selector=false`` path (ProviderSelected False NoProvider). Where validation
fails after a provider was recorded, upstream the provider still reconciles (it reads
status.provider.name, not Validated) and may overwrite the phase; here the provider does not run
in that pass.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.emulators.kube.controllers import airunway_select
from tests.emulators.kube.status import ApiError

AIRUNWAY = "airunway.ai/v1alpha1"
NO_PROVIDERS = airunway_select.NO_PROVIDERS


def set_condition(conditions: list[dict[str, Any]], new: dict[str, Any]) -> list[dict[str, Any]]:
    """meta.SetStatusCondition (kubernetes/apimachinery pkg/api/meta/conditions.go): replace the
    condition of that type, keeping its lastTransitionTime unless the status changed; else append."""
    out = [dict(c) for c in conditions]
    for i, old in enumerate(out):
        if old.get("type") == new.get("type"):
            merged = {**old, **new}
            if old.get("status") == new.get("status") and old.get("lastTransitionTime"):
                merged["lastTransitionTime"] = old["lastTransitionTime"]
            out[i] = merged
            return out
    return [*out, dict(new)]


def _cond(ctype: str, ok: bool, reason: str, message: str, generation: Any) -> dict[str, Any]:
    cond = {
        "type": ctype,
        "status": "True" if ok else "False",
        "reason": reason,
        "message": message,
        "lastTransitionTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return {**cond, "observedGeneration": generation} if generation else cond


def _configs(cluster: Any) -> list[dict[str, Any]]:
    """Step 1: the InferenceProviderConfigs; none where the kind is not served (isNoMatchError)."""
    try:
        return list(cluster.list(AIRUNWAY, "InferenceProviderConfig", None))
    except ApiError:
        return []


def _engine_cap(config: dict[str, Any] | None, engine: str) -> dict[str, Any] | None:
    caps = ((config or {}).get("spec") or {}).get("capabilities") or {}
    return next((e for e in caps.get("engines") or [] if e.get("name") == engine), None)


def _validate(spec: dict[str, Any], engine: str, configs: list[dict[str, Any]]) -> str | None:
    """validateSpec (after ValidateImageFields, checked first): the first error, else None."""
    model = spec.get("model") or {}
    if model.get("source") in ("huggingface", "", None) and not model.get("id"):
        return "model.id is required when source is huggingface"
    if not engine:
        return "engine.type must be specified or auto-selected from provider capabilities"
    mode = str((spec.get("serving") or {}).get("mode") or "aggregated")
    gpus = int(((spec.get("resources") or {}).get("gpu") or {}).get("count") or 0)
    name = str((spec.get("provider") or {}).get("name") or "")
    named = next((c for c in configs if (c.get("metadata") or {}).get("name") == name), None) if name else None
    # CheckProviderCompatibility: only where the named provider's config has capabilities.
    if named is not None and ((named.get("spec") or {}).get("capabilities")) is not None:
        cap = _engine_cap(named, engine)
        if cap is None:
            return f"provider {name} does not support engine {engine}"
        if mode not in (cap.get("servingModes") or []):
            return f"provider {name} does not support {mode} mode for engine {engine}"
        if mode == "aggregated" and gpus == 0 and not cap.get("cpuSupport"):
            return f"{engine} engine on provider {name} requires GPU (set resources.gpu.count > 0)"
    elif (
        not name
        and mode == "aggregated"
        and gpus == 0
        and configs
        and not any((_engine_cap(c, engine) or {}).get("cpuSupport") for c in configs)
    ):
        return f"{engine} engine requires GPU (set resources.gpu.count > 0)"
    if mode == "disaggregated":
        scaling = spec.get("scaling") or {}
        if gpus > 0:
            return "cannot specify both resources.gpu and scaling.prefill/decode in disaggregated mode"
        if not scaling.get("prefill") or not scaling.get("decode"):
            return "disaggregated mode requires scaling.prefill and scaling.decode"
        for part in ("prefill", "decode"):
            if not int(((scaling[part].get("gpu") or {}).get("count")) or 0):
                return f"disaggregated mode requires scaling.{part}.gpu.count > 0"
    return None


def reconcile(cluster: Any, obj: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The status the core controller patches, and whether the providers go on (a provider recorded
    in status and no failure in this pass)."""
    spec, status = obj.get("spec") or {}, dict(obj.get("status") or {})
    gen = (obj.get("metadata") or {}).get("generation")
    conds: list[dict[str, Any]] = list(status.get("conditions") or [])
    out: dict[str, Any] = {"phase": status.get("phase") or "Pending"}
    if gen:
        out["observedGeneration"] = gen

    def done(ok: bool, *new: dict[str, Any], **fields: Any) -> tuple[dict[str, Any], bool]:
        merged = conds
        for c in new:
            merged = set_condition(merged, c)
        return {**out, **fields, "conditions": merged}, ok

    engine_spec = spec.get("engine") or {}
    if spec.get("image") and engine_spec.get("image") and spec["image"] != engine_spec["image"]:
        why = (
            f'spec.image "{spec["image"]}" conflicts with spec.engine.image "{engine_spec["image"]}"; remove '
            "spec.image or set both fields to the same value (spec.engine.image is preferred)"
        )
        return done(
            False,
            _cond("ImageResolved", False, "ConflictingImageFields", why, gen),
            _cond("Validated", False, "ValidationFailed", why, gen),
            image={"requested": engine_spec["image"], "message": why},
            phase="Failed",
            message=f"Validation failed: {why}",
        )
    configs = _configs(cluster)
    engine = str(engine_spec.get("type") or "")
    if engine:
        out["engine"] = {"type": engine, "selectedReason": "explicit engine selection"}
    elif (status.get("engine") or {}).get("type"):
        engine = str(status["engine"]["type"])
    else:
        # selectEngine: from the ready providers' capabilities (airunway_select.py); its error leaves
        # the phase as it was (retried when an InferenceProviderConfig changes: SetupWithManager).
        try:
            engine, reason = airunway_select.select_engine(spec, configs)
        except airunway_select.SelectionError as exc:
            failed = _cond("EngineSelected", False, "SelectionFailed", str(exc), gen)
            return done(False, failed, message=f"Engine selection failed: {exc}")
        out["engine"] = {"type": engine, "selectedReason": reason}
    why = _validate(spec, engine, configs)
    if why is not None:
        failed = _cond("Validated", False, "ValidationFailed", why, gen)
        return done(False, failed, phase="Failed", message=f"Validation failed: {why}")
    new = [_cond("Validated", True, "ValidationPassed", "Schema validation passed", gen)]
    if engine:
        how = ("ExplicitSelection", "Engine explicitly specified in spec")
        if not engine_spec.get("type"):
            how = ("AutoSelected", f"Engine {engine} auto-selected from provider capabilities")
        new.append(_cond("EngineSelected", True, *how, gen))
    wanted = str((spec.get("provider") or {}).get("name") or "")
    recorded = str((status.get("provider") or {}).get("name") or "")
    if wanted and recorded and wanted != recorded:
        why = (
            f'changing spec.provider.name from "{recorded}" to "{wanted}" after a provider has been selected is '
            "not supported; delete and recreate the ModelDeployment to use a different provider"
        )
        new.append(_cond("ProviderSelected", False, "ProviderChangeNotSupported", why, gen))
        return done(False, *new, phase="Failed", message=why)
    if not recorded and wanted:
        new.append(_cond("ProviderSelected", True, "ExplicitSelection", "Provider explicitly specified in spec", gen))
        return done(True, *new, provider={"name": wanted, "selectedReason": "explicit provider selection"})
    if not recorded:
        # Step 8, selectProvider (airunway_select.py): recorded once; ProviderSelected AutoSelected.
        try:
            chosen, reason = airunway_select.select_provider(spec, configs, engine)
        except airunway_select.SelectionError as exc:
            failed = _cond("ProviderSelected", False, "SelectionFailed", str(exc), gen)
            return done(False, *new, failed, message=f"Provider selection failed: {exc}")
        new.append(_cond("ProviderSelected", True, "AutoSelected", f"Provider {chosen} auto-selected", gen))
        return done(True, *new, provider={"name": chosen, "selectedReason": reason})
    return done(True, *new)
