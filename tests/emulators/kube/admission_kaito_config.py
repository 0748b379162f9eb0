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

Not emulated: the YAML parse of inference_config.yaml (Go's yaml.v2 error text) and the
max-model-len check against the preset's token limit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tests.emulators.kube.status import ApiError

ConfigMapLookup = Callable[[str, str], Mapping[str, Any] | None]


def _runtime_is_vllm(metadata: Mapping[str, Any]) -> bool:
    return (metadata.get("annotations") or {}).get("kaito.sh/runtime") != "transformers"


def _config_error(name: str, namespace: str, lookup: ConfigMapLookup) -> tuple[str, str] | None:
    """(message, path) of validateInferenceConfig, or None."""
    found = lookup(namespace, name)
    if found is None:
        return f"ConfigMap '{name}' specified in 'config' not found in namespace '{namespace}'", "config"
    if "inference_config.yaml" not in (found.get("data") or {}):
        return "missing field(s)", "inference_config.yaml in ConfigMap"
    return None


def review(
    group: str,
    kind: str,
    obj: Mapping[str, Any],
    old: Mapping[str, Any] | None,
    lookup: ConfigMapLookup,
) -> ApiError | None:
    if group != "kaito.sh":
        return None
    md = obj.get("metadata") or {}
    namespace = str(md.get("namespace") or "default")
    if kind == "Workspace" and old is None:
        webhook, prefix, inference = "validation.workspace.kaito.sh", "", obj.get("inference")
        labels_from = md
    elif kind == "InferenceSet":
        template = (obj.get("spec") or {}).get("template") or {}
        webhook, prefix, inference = "validation.inferenceset.kaito.sh", "spec.template.", template.get("inference")
        labels_from = template.get("metadata") or {}
    else:
        return None
    if not isinstance(inference, Mapping) or not inference.get("config") or not _runtime_is_vllm(labels_from):
        return None
    err = _config_error(str(inference["config"]), namespace, lookup)
    if err is None:
        return None
    message, path = err
    # knative FieldError.Error(): "<message>: <path>"; the webhook wraps it "validation failed: ".
    text = f"validation failed: {message}: {prefix}{path}"
    return ApiError(400, f'admission webhook "{webhook}" denied the request: {text}', "BadRequest")
