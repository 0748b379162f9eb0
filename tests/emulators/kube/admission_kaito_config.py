"""KAITO's webhook check of the inference ConfigMap a Workspace names (``inference.config``),
which reads the cluster: a Workspace create, and an InferenceSet create or update, is refused
while the ConfigMap does not exist in the object's namespace.

upstream: kaito-project/kaito v0.12.0 (0894eb2b567d48cd2d66afe579acb1542b226af4)
- api/v1beta1/workspace_validation.go ValidateCreate calls validateInferenceConfig for an
  inference Workspace (create only; Validate's update path does not);
- api/v1beta1/inference_config_validation.go validateInferenceConfig: only for the vLLM runtime
  (GetWorkspaceRuntimeName in api/v1beta1/labels.go: the ``kaito.sh/runtime`` annotation,
  vLLM unless it says ``transformers``); nothing when ``config`` is empty; a GET of the
  ConfigMap: not found is ``apis.ErrGeneric("ConfigMap '%s' specified in 'config' not found in
  namespace '%s'", "config")``; a ConfigMap without ``inference_config.yaml`` is
  ``apis.ErrMissingField("inference_config.yaml in ConfigMap")``;
- api/v1beta1/inferenceset_validation.go Validate runs ValidateInferenceSetWorkspace on create
  and update, ``ViaField("spec", "template")``; pkg/utils/inferenceset/inferenceset.go
  ValidateWorkspaceForInferenceSet builds the child Workspace in the set's namespace
  (NewWorkspaceForInferenceSet) and calls its ValidateCreate;
- charts/kaito/workspace/templates/webhooks.yaml: both webhooks are ``sideEffects: None``, so the
  API server calls them on dry-run requests too (kubernetes/kubernetes staging/src/k8s.io/
  apiserver/pkg/admission/plugin/webhook/validating/dispatcher.go callHook), and knative's
  validation webhook only marks the context as a dry run (knative/pkg webhook/resourcesemantics/
  validation/validation_admit.go): KAITO reads the ConfigMap as stored, and a dry run stores none.

- then, as validateInferenceConfig goes on: ``yaml.Unmarshal`` (gopkg.in/yaml.v2 v2.4.0, KAITO's
  go.mod) of the text into ``InferenceConfig{VLLM map[string]string `yaml:"vllm"`}``; an error is
  ``apis.ErrGeneric("Failed to parse inference_config.yaml: <err>", "inference_config.yaml")``
  (yaml_v2.py: the decode errors with yaml.v2's text, a syntax error not);
- a ``max-model-len`` in ``vllm`` that is not blank, for a preset IsValidPreset takes
  (kaito_presets.py): its ModelTokenLimit, which GetModelByName
  (presets/workspace/models/vllm_model.go) takes from model_catalog.yaml for a catalog model
  (presets/workspace/generator/generator.go loadFromCatalog: the name matched case-insensitively
  after LegacyBuiltinToCatalog); when positive, ``strconv.Atoi`` of the trimmed value fails as
  ``apis.ErrInvalidValue("max-model-len must be an integer: <err>", "max-model-len")`` and a value
  over the limit is ``apis.ErrInvalidValue("max-model-len %d exceeds model's maximum supported
  context window %d (ModelTokenLimit)", "max-model-len")``; knative's ErrInvalidValue writes
  "invalid value: <value>" (knative.dev/pkg apis/field_error.go).

- a Hugging Face id outside model_catalog.yaml (IsValidPreset takes any ``org/name``):
  GetModelByName lower-cases it and generateHuggingFaceModel builds its preset from the Hub
  (generator.go Generate: FetchModelMetadata reads config.json, mergeTextConfig promotes the keys
  of a nested ``text_config`` or ``llm_config`` that the top level lacks, ParseModelMetadata takes
  ModelTokenLimit from the first of model_catalog.go configKeyMap["modelTokenLimit"] whose value
  getInt reads as a number, else DefaultModelTokenLimit 2048). The emulator's Hub is
  ``ApiServer.huggingface_hub`` (lower-cased id to the repo's files), which tests fill: hf_hub.py
  reads it as KAITO does (file list, config.json or a Mistral-format repo's params.json, the
  architecture check against vllm_model_arch_list.txt, the token of
  presetOptions.modelAccessSecret, else the controller's HF_TOKEN: ``ApiServer.kaito_hf_token``).

- GetModelByName runs for every Workspace created with a valid preset, not only with a config:
  upstream: kaito-project/kaito api/v1beta1/workspace_validation.go InferenceSpec.validateCreate (via "inference") fails
  ``apis.ErrInvalidValue("failed to get model preset: <err>", "preset")``, and
  validateInferenceConfig makes the same call (the same error at "preset") once it reaches a
  max-model-len; knative merges the two into one message with both paths (field_error.go merge).
  A Hub the emulator lacks a repo for answers as huggingface.co does for a missing repo.

- ResourceSpec.validateCreateWithInference (via "resource") makes its own GetModelByName call,
  with the same token, for a valid preset once it has a GPU config, and only without node
  auto-provisioning or for a runtime other than vLLM (``napDisabled || runtime != vLLM``). With
  node auto-provisioning (the chart's featureGates, profiles.KAITO_CHART_FEATURE_GATES) the GPU
  config is the instance type's row of KAITO's SKU table (pkg/sku/azure_sku_handler.go; an
  N-series size outside it has none, and no call is made). So the Hub is asked twice only for a
  Workspace annotated ``kaito.sh/runtime: transformers`` on a size in that table (akscli writes
  neither annotation value), and knative merges the two errors: ``...: inference.preset,
  resource.preset``.

Not emulated: the resource path without node auto-provisioning (the GPU config of the nodes the
labelSelector matches), and what it checks after GetModelByName (the weights' size against the
GPU memory, multi-node with the transformers runtime), nor InferenceSpec's "Runtime validation".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

# kaito_estimator: the port of kaito-project/kaito v0.12.0 pkg/sku and its node estimator.
from tests.emulators.kube import hf_hub, kaito_estimator, kaito_presets, yaml_v2
from tests.emulators.kube.admission import FieldError
from tests.emulators.kube.status import ApiError

# An object as stored (a ConfigMap, a Secret) by namespace and name, or None.
ConfigMapLookup = Callable[[str, str], Mapping[str, Any] | None]

# upstream: kaito-project/kaito v0.12.0 presets/workspace/generator/model_catalog.go configKeyMap
# "modelTokenLimit", generator.go DefaultModelTokenLimit.
TOKEN_LIMIT_KEYS = (
    "max_position_embeddings",
    "n_ctx",
    "seq_length",
    "max_seq_len",
    "max_sequence_length",
    "model_max_length",
)
DEFAULT_TOKEN_LIMIT = 2048


def _runtime_is_vllm(metadata: Mapping[str, Any]) -> bool:
    return (metadata.get("annotations") or {}).get("kaito.sh/runtime") != "transformers"


def _config_error(
    name: str, namespace: str, preset: str, lookup: ConfigMapLookup, hub_preset: Callable[[], Mapping[str, Any]]
) -> FieldError | None:
    """validateInferenceConfig's error, or None."""
    found = lookup(namespace, name)
    if found is None:
        return FieldError(f"ConfigMap '{name}' specified in 'config' not found in namespace '{namespace}'", "config")
    data = found.get("data") or {}
    if "inference_config.yaml" not in data:
        return FieldError.missing("inference_config.yaml in ConfigMap")
    try:
        vllm = yaml_v2.unmarshal_inference_config(str(data["inference_config.yaml"]))
    except yaml_v2.YAMLError as exc:
        return FieldError(f"Failed to parse inference_config.yaml: {exc}", "inference_config.yaml")
    raw = vllm.get("max-model-len")
    if raw is None or not raw.strip() or not preset or not kaito_presets.is_valid_preset(preset.lower()):
        return None
    try:
        limit = _token_limit(preset.lower(), hub_preset)
    except hf_hub.HubError as exc:
        return FieldError.invalid_value(f"failed to get model preset: {exc}", "preset")
    if limit <= 0:
        return None
    value, err = yaml_v2.atoi(raw.strip())
    if err:
        return FieldError.invalid_value(f"max-model-len must be an integer: {err}", "max-model-len")
    if value > limit:
        message = f"max-model-len {value} exceeds model's maximum supported context window {limit} (ModelTokenLimit)"
        return FieldError.invalid_value(message, "max-model-len")
    return None


@cache
def _catalog_limits() -> dict[str, int]:
    """modelTokenLimit of each model_catalog.yaml entry, by lower-cased name."""
    return {name: int(m.get("modelTokenLimit") or 0) for name, m in kaito_estimator.catalog().items()}


def _get_int(config: Mapping[str, Any], keys: tuple[str, ...], default: int) -> int:
    """generator.go getInt over a config.json decoded by encoding/json: the first key whose value
    is a number (truncated to an int) or a string strconv.Atoi reads; others are passed over."""
    for key in keys:
        value = config.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            return int(value)
        if isinstance(value, str):
            number, err = yaml_v2.atoi(value)
            if not err:
                return number
    return default


def hub_token_limit(config: Mapping[str, Any]) -> int:
    """ModelTokenLimit of a preset built from this config.json (mergeTextConfig, then
    ParseModelMetadata)."""
    merged = dict(config)
    nested = config.get("text_config")
    if not isinstance(nested, Mapping):
        nested = config.get("llm_config")
    if isinstance(nested, Mapping):
        merged.update({k: v for k, v in nested.items() if k not in config})
    return _get_int(merged, TOKEN_LIMIT_KEYS, DEFAULT_TOKEN_LIMIT)


def _hub_name(preset: str) -> str | None:
    """The lower-cased id GetModelByName asks the Hub for, None for a catalog model (or a name
    without an org)."""
    name = kaito_presets.LEGACY_BUILTIN_TO_CATALOG.get(preset.lower(), preset.lower())
    return name if "/" in name and name not in _catalog_limits() else None


def _token_limit(preset: str, hub_preset: Callable[[], Mapping[str, Any]]) -> int:
    """ModelTokenLimit of GetModelByName's model; HubError where it fails."""
    name = kaito_presets.LEGACY_BUILTIN_TO_CATALOG.get(preset, preset).lower()
    if name in _catalog_limits():
        return _catalog_limits()[name]
    return hub_token_limit(hub_preset())


def _hf_token(namespace: str, secret_name: str, secrets: ConfigMapLookup) -> str:
    """vllm_model.go GetHFTokenFromSecret: HF_TOKEN of the named Secret ("" without one; its
    errors are only logged)."""
    import base64

    secret = secrets(namespace, secret_name) if secret_name else None
    value = ((secret or {}).get("data") or {}).get("HF_TOKEN")
    return base64.b64decode(value).decode("utf-8", "replace") if isinstance(value, str) else ""


def review(
    group: str,
    kind: str,
    obj: Mapping[str, Any],
    old: Mapping[str, Any] | None,
    lookup: ConfigMapLookup,
    hub: hf_hub.Repos | None = None,
    secrets: ConfigMapLookup = lambda _ns, _name: None,
    controller_token: str = "",
) -> ApiError | None:
    """The denial of KAITO's validating webhook, or None. ``controller_token``: the HF_TOKEN
    environment variable of KAITO's workspace controller, which serves the webhook ("" unset)."""
    if group != "kaito.sh":
        return None
    md = obj.get("metadata") or {}
    namespace = str(md.get("namespace") or "default")
    if kind == "Workspace" and old is None:
        webhook, prefix, inference = "validation.workspace.kaito.sh", "", obj.get("inference")
        labels_from, resource = md, obj.get("resource")
    elif kind == "InferenceSet":
        template = (obj.get("spec") or {}).get("template") or {}
        webhook, prefix, inference = "validation.inferenceset.kaito.sh", "spec.template.", template.get("inference")
        labels_from, resource = template.get("metadata") or {}, template.get("resource")
    else:
        return None
    if not isinstance(inference, Mapping):
        return None
    preset_spec = inference.get("preset") if isinstance(inference.get("preset"), Mapping) else {}
    preset = str(preset_spec.get("name") or "")
    options = preset_spec.get("presetOptions") if isinstance(preset_spec.get("presetOptions"), Mapping) else {}
    # generator.go getAuthHeader: the Workspace's token, else the controller's own HF_TOKEN
    token = _hf_token(namespace, str(options.get("modelAccessSecret") or ""), secrets) or controller_token
    hub_name = _hub_name(preset) if preset and kaito_presets.is_valid_preset(preset) else None

    @cache
    def hub_preset() -> Mapping[str, Any]:
        assert hub_name is not None
        return hf_hub.preset(hub or {}, hub_name, token)

    errs: FieldError | None = None
    instance_type = str((resource if isinstance(resource, Mapping) else {}).get("instanceType") or "")
    if hub_name is not None and not _runtime_is_vllm(labels_from) and kaito_estimator.in_sku_table(instance_type):
        # validateCreateWithInference's call (node auto-provisioning on, a runtime other than vLLM)
        try:
            hub_preset()
        except hf_hub.HubError as exc:
            errs = FieldError.invalid_value(f"failed to get model preset: {exc}", "preset").via("resource")
    if hub_name is not None:
        try:
            hub_preset()
        except hf_hub.HubError as exc:
            err = FieldError.invalid_value(f"failed to get model preset: {exc}", "preset").via("inference")
            errs = err if errs is None else errs.also(err)
    if inference.get("config") and _runtime_is_vllm(labels_from):
        err = _config_error(str(inference["config"]), namespace, preset, lookup, hub_preset)
        if err is not None:
            errs = err if errs is None else errs.also(err)
    if errs is None:
        return None
    # knative FieldError.Error(): "<message>: <path>"; the webhook wraps it "validation failed: ".
    text = f"validation failed: {(errs.via(prefix.rstrip('.')) if prefix else errs).render()}"
    return ApiError(400, f'admission webhook "{webhook}" denied the request: {text}', "BadRequest")
