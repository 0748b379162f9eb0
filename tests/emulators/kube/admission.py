"""Validating admission webhooks of the operators whose CRDs the emulator serves: a write the
upstream webhook denies is denied here with its message, wrapped as the API server wraps a
denial (kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/errors/
statuserror.go ToStatusErr: ``admission webhook "<name>" denied the request: <message>``, the
webhook's status code, at least 400). Webhooks see create and update of the main resource,
not the status subresource, and run after schema and CEL validation.

- KubeRay (ray-project/kuberay ray-operator/pkg/webhooks/v1/raycluster_webhook.go,
  rayjob_webhook.go, rayservice_webhook.go; the checks in ray-operator/controllers/ray/utils/
  validation.go ValidateRayClusterMetadata, ValidateRayJobMetadata, ValidateRayServiceMetadata
  and validateInitializingTimeout; MaxRayClusterNameLength = 53 in utils/constant.go). The
  webhook is opt-in in KubeRay's chart, and so it is here (``KubeEmulator(kuberay_webhook=True)``).
  Not emulated: labelRefs and topology checks (operator allow-lists).
- KAITO (kaito-project/kaito api/v1beta1/workspace_validation.go and
  inference_config_validation.go, served by knative's validation webhook
  ``validation.workspace.kaito.sh``: ``validation failed: <knative FieldError>``, 400):
  name, inference xor tuning, instanceType required with node auto-provisioning (the default),
  preset names (KAITO's legacy names or a Hugging Face ``org/model`` id, and the deprecated
  ones named so: kaito_presets.py), preset xor
  template, the two ``presetOptions.modelAccessSecret`` rules of InferenceSpec.validateCreate
  as v0.12.0 feeds them (``_preset_download``: every preset downloads from Hugging Face at start
  and none is marked as needing authentication, so neither rule refuses a preset), and the
  update rules (no toggling inference/tuning, count, instanceType, partition, the label selector
  and the whole preset immutable, a template not set or unset: workspace_validation.go
  ResourceSpec.validateUpdate, InferenceSpec.validateUpdate), and the InferenceSet's update rule
  (its template's partition immutable: inferenceset_validation.go validateUpdate).
  With node auto-provisioning on, ResourceSpec.validateCreateWithInference's label selector,
  reserved-label, partition and SKU-table checks: admission_kaito_resource.py. The InferenceSet
  webhook (inferenceset_validation.go Validate): its name, and on create and update the Workspace
  the set would make through Workspace.ValidateCreate, via ``spec.template``
  (pkg/utils/inferenceset/inferenceset.go ValidateWorkspaceForInferenceSet). Not emulated: the
  GPU-memory fit (a runtime other than vLLM only), the annotations' values (performance mode,
  local weights, node image family, node class), tuning/adapter checks. The
  inference ConfigMap check reads the store, and a Hugging Face id outside KAITO's catalog the
  emulated Hub (hf_hub.py): admission_kaito_config.py (upstream: kaito-project/kaito
  api/v1beta1/workspace_validation.go).
- KubeFleet's ClusterResourcePlacement webhook and its override webhooks: admission_fleet.py
  (upstream: kubefleet-dev/kubefleet pkg/webhook/clusterresourceplacement,
  pkg/webhook/clusterresourceoverride, pkg/webhook/resourceoverride).
- AI Runway's ModelDeployment webhooks, the defaulting one (``mutate``, before the schema
  checks) and the validating one: admission_airunway.py.
- KEDA's ScaledObject webhook, its fallback check: admission_keda.py.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from tests.emulators.kube import (
    admission_airunway,
    admission_fleet,
    admission_kaito_resource,
    admission_keda,
    kaito_presets,
)
from tests.emulators.kube.status import ApiError

DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS_1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# k8s.io/apimachinery/pkg/util/validation/validation.go
DNS_1035_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
DNS_1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
MAX_RAY_CLUSTER_NAME = 53
MAX_RAY_JOB_NAME = MAX_RAY_CLUSTER_NAME - 6
MAX_RAY_SERVICE_NAME = MAX_RAY_CLUSTER_NAME - 6
INITIALIZING_TIMEOUT = "ray.io/initializing-timeout"


def _label_errors(name: str, pattern: re.Pattern[str], message: str) -> list[str]:
    """IsDNS1035Label / IsDNS1123Label: the messages of each failed check."""
    errs = []
    if len(name) > 63:
        errs.append("must be no more than 63 characters")
    if not pattern.match(name):
        errs.append(message)
    return errs


def _go_list(items: list[str]) -> str:
    return "[" + " ".join(items) + "]"


def _deny(webhook: str, code: int, message: str, reason: str = "", details: dict[str, Any] | None = None) -> ApiError:
    return ApiError(max(code, 400), f'admission webhook "{webhook}" denied the request: {message}', reason, details)


# ---- KubeRay -----------------------------------------------------------------------------


def _duration_ok(text: str) -> bool | None:
    """Go's time.ParseDuration: True (positive), False (zero or negative), None (not one)."""
    m = re.fullmatch(r"([-+]?)((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+", text)
    if not m:
        return None
    return not text.startswith("-") and any(c in "123456789" for c in text)


def _initializing_timeout_error(annotations: dict[str, Any]) -> str | None:
    value = str(annotations.get(INITIALIZING_TIMEOUT) or "")
    if not value:
        return None
    ok = _duration_ok(value)
    if ok is not None:
        return None if ok else f"annotation {INITIALIZING_TIMEOUT} must be a positive duration, got: {value}"
    if re.fullmatch(r"[-+]?\d+", value):
        return (
            None
            if int(value) > 0
            else f"annotation {INITIALIZING_TIMEOUT} must be a positive integer (seconds), got: {value}"
        )
    return (
        f"annotation {INITIALIZING_TIMEOUT} has invalid format: {value}. Expected Go duration format "
        "(e.g., '5m', '1h') or positive integer seconds"
    )


MAX_RAY_NAME = {"RayCluster": MAX_RAY_CLUSTER_NAME, "RayJob": MAX_RAY_JOB_NAME, "RayService": MAX_RAY_SERVICE_NAME}


def ray_metadata_error(kind: str, metadata: dict[str, Any]) -> str | None:
    """upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
    ValidateRayClusterMetadata, ValidateRayJobMetadata and ValidateRayServiceMetadata, with their
    messages: the RayJob and RayService ones start "The <Kind> metadata is invalid: ", and a RayService
    is also held to validateInitializingTimeout. The webhooks and the controllers both call them."""
    name = str(metadata.get("name", ""))
    prefix = "" if kind == "RayCluster" else f"The {kind} metadata is invalid: "
    if len(name) > MAX_RAY_NAME[kind]:
        return f"{prefix}{kind} name should be no more than {MAX_RAY_NAME[kind]} characters"
    errs = _label_errors(name, DNS_1035, DNS_1035_MSG)
    if errs:
        return f"{prefix}{kind} name should be a valid DNS1035 label: {_go_list(errs)}"
    if kind == "RayService":
        timeout = _initializing_timeout_error(metadata.get("annotations") or {})
        if timeout:
            return f"{prefix}RayService annotations is invalid: {timeout}"
    return None


def _kuberay(kind: str, obj: dict[str, Any]) -> ApiError | None:
    md = obj.get("metadata") or {}
    name = str(md.get("name", ""))
    causes: list[tuple[str, str]] = []
    err = ray_metadata_error(kind, md)
    if err:
        causes.append(("metadata.name", f"Invalid value: {_quote(name)}: {err}"))
    if kind == "RayCluster":
        seen: set[str] = set()
        for i, group in enumerate((obj.get("spec") or {}).get("workerGroupSpecs") or []):
            gname = str((group or {}).get("groupName", ""))
            if gname in seen:
                causes.append(
                    (f"spec.workerGroupSpecs[{i}]", 'Invalid value: "object": worker group names must be unique')
                )
                break
            seen.add(gname)
    if not causes:
        return None
    # apierrors.NewInvalid(GroupKind{ray.io, Kind}, name, errs)
    texts = [f"{f}: {m}" for f, m in causes]
    joined = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    message = f'{kind}.ray.io "{name}" is invalid: {joined}'
    details = {
        "name": name,
        "group": "ray.io",
        "kind": kind,
        "causes": [{"reason": "FieldValueInvalid", "message": m, "field": f} for f, m in causes],
    }
    return _deny(f"v{kind.lower()}.kb.io", 422, message, "Invalid", details)


def _quote(v: str) -> str:
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---- KAITO (knative FieldError) ------------------------------------------------------------


class FieldError:
    """knative.dev/pkg/apis FieldError: a message with paths, merged and rendered as
    ``<message>: <path>, <path>`` lines."""

    def __init__(self, message: str, *paths: str) -> None:
        self.errors: list[tuple[str, list[str]]] = [(message, list(paths))]

    @classmethod
    def invalid_value(cls, value: str, path: str) -> FieldError:
        return cls(f"invalid value: {value}", path)

    @classmethod
    def missing(cls, *paths: str) -> FieldError:
        return cls("missing field(s)", *paths)

    def via(self, prefix: str) -> FieldError:
        self.errors = [(m, [f"{prefix}.{p}" if p else prefix for p in paths]) for m, paths in self.errors]
        return self

    def also(self, *others: FieldError | None) -> FieldError:
        for o in others:
            if o is not None:
                self.errors.extend(o.errors)
        return self

    def render(self) -> str:
        merged: dict[str, list[str]] = {}
        for message, paths in self.errors:
            merged.setdefault(message, [])
            merged[message] += [p for p in paths if p not in merged[message]]
        # An error without paths (apis.ErrGeneric with none) is its message alone.
        return "\n".join(f"{m}: {', '.join(sorted(merged[m]))}" if merged[m] else m for m in sorted(merged))


def _also(acc: FieldError | None, err: FieldError | None) -> FieldError | None:
    if err is None:
        return acc
    return err if acc is None else acc.also(err)


@cache
def _kaito_models() -> dict[str, dict[str, Any]]:
    import yaml

    from tests.emulators.kube.crds import shared_dir

    path = shared_dir() / "data" / "kaito" / "supported_models.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError:
        return {}
    return {str(m.get("name")): m for m in data.get("models") or [] if isinstance(m, dict)}


def _preset_download(name: str) -> tuple[bool, bool]:
    """(DownloadAtRuntime, DownloadAuthRequired) of a registered preset as the v0.12.0 webhook
    sees them (kaito-project/kaito v0.12.0, 0894eb2b). GetModelByName
    (presets/workspace/models/vllm_model.go) redirects a preset name to its Hugging Face id
    (pkg/utils/plugin/plugin.go LegacyBuiltinToCatalog) and builds the model from
    model_catalog.yaml (presets/workspace/generator/generator.go loadFromCatalog, no Hub call);
    vLLMCompatibleModel.GetInferenceParameters sets DownloadAtRuntime true for every model and
    DownloadAuthRequired from the generator, which sets it only on a 401/403 from the Hub
    (fetchURL), never for a catalog model. supported_models.yaml's downloadAtRuntime and
    downloadAuthRequired are not read on this path (since kaito PR #1977, first in v0.11.0)."""
    del name
    return True, False


def _access_secret(preset: str, secret: str | None) -> FieldError | None:
    # kaito-project/kaito v0.12.0 api/v1beta1/workspace_validation.go, InferenceSpec.validateCreate.
    at_runtime, auth_required = _preset_download(preset)
    if at_runtime:
        if auth_required and not secret:
            return FieldError(
                "This preset requires authentication and needs a modelAccessSecret with HF_TOKEN key "
                "under presetOptions to download the model"
            )
    elif secret:
        return FieldError("This preset does not require a modelAccessSecret with HF_TOKEN key under presetOptions")
    return None


def _valid_preset(name: str) -> bool:
    return kaito_presets.is_valid_preset(name)


def _deprecated_preset(inference: dict[str, Any]) -> FieldError | None:
    """ResourceSpec.validateCreateWithInference (via "resource"): a preset name that is not valid
    and that supported_models.yaml marks deprecated (metadata.MustGet(name).Deprecated)."""
    name = str((inference.get("preset") or {}).get("name", "")).lower()
    if not name or _valid_preset(name) or not (_kaito_models().get(name) or {}).get("deprecated"):
        return None
    return FieldError(f"Model {name} is deprecated and no longer supported", "presetName").via("resource")


def _name_errors(obj: dict[str, Any]) -> FieldError | None:
    """Validate's first check, of a Workspace and an InferenceSet alike: the name a DNS-1123 label
    (kaito-project/kaito v0.12.0 api/v1beta1/workspace_validation.go, inferenceset_validation.go)."""
    msgs = _label_errors(str((obj.get("metadata") or {}).get("name", "")), DNS_1123_LABEL, DNS_1123_LABEL_MSG)
    return FieldError.invalid_value(", ".join(msgs), "name") if msgs else None


def _workspace_create(obj: dict[str, Any]) -> FieldError | None:
    """Workspace.ValidateCreate (kaito-project/kaito v0.12.0 api/v1beta1/workspace_validation.go), which
    the InferenceSet webhook also runs on the Workspace a set would make: validateCreate via "spec",
    then for an inference Workspace ResourceSpec.validateCreateWithInference via "resource" and
    InferenceSpec.validateCreate via "inference"."""
    errs: FieldError | None = None
    resource = obj.get("resource") or {}
    inference, tuning = obj.get("inference"), obj.get("tuning")
    spec_errs: FieldError | None = None
    if inference is None and tuning is None:
        spec_errs = _also(spec_errs, FieldError("Either Inference or Tuning must be specified, not neither", ""))
    if inference is not None and tuning is not None:
        spec_errs = _also(spec_errs, FieldError("Either Inference or Tuning must be specified, but not both", ""))
    if not resource.get("instanceType"):
        spec_errs = _also(
            spec_errs,
            FieldError.missing(
                "instanceType is required when node auto-provisioning is enabled", "resource.instanceType"
            ),
        )
    errs = _also(errs, spec_errs.via("spec") if spec_errs else None)
    if isinstance(inference, dict):
        deprecated = _deprecated_preset(inference)
        errs = _also(errs, deprecated)
        if deprecated is None and _preset_known(inference):
            refused = admission_kaito_resource.review(resource)
            errs = _also(errs, FieldError(*refused).via("resource") if refused else None)
        errs = _also(errs, _inference_create(inference))
    return errs


def _preset_known(inference: dict[str, Any]) -> bool:
    """validateCreateWithInference goes past its preset check only for a valid preset, or for no
    preset (a template)."""
    preset = inference.get("preset")
    return not isinstance(preset, dict) or _valid_preset(str(preset.get("name", "")).lower())


def _workspace(obj: dict[str, Any], old: dict[str, Any] | None) -> ApiError | None:
    errs: FieldError | None = _name_errors(obj)
    resource = obj.get("resource") or {}
    inference, tuning = obj.get("inference"), obj.get("tuning")
    if old is None:
        errs = _also(errs, _workspace_create(obj))
    else:
        old_resource = old.get("resource") or {}
        update: FieldError | None = None
        if (old.get("inference") is None) != (inference is None):
            update = _also(update, FieldError("Inference field cannot be toggled once set", "inference"))
        if (old.get("tuning") is None) != (tuning is None):
            update = _also(update, FieldError("Tuning field cannot be toggled once set", "tuning"))
        errs = _also(errs, update.via("spec") if update else None)
        res_errs: FieldError | None = None
        count, old_count = resource.get("count"), old_resource.get("count")
        if count is not None and old_count is not None and count != old_count:
            res_errs = _also(res_errs, FieldError("field is immutable", "count"))
        itype, old_itype = resource.get("instanceType"), old_resource.get("instanceType")
        if not itype:
            res_errs = _also(
                res_errs,
                FieldError.missing("instanceType is required when node auto-provisioning is enabled", "instanceType"),
            )
        elif old_itype and old_itype != itype:
            res_errs = _also(
                res_errs,
                FieldError(
                    "instanceType cannot be changed once set when node auto-provisioning is enabled", "instanceType"
                ),
            )
        # upstream: kaito-project/kaito v0.12.0 api/v1beta1/workspace_validation.go
        # ResourceSpec.validateUpdate: partition is compared whole (apiequality.Semantic.DeepEqual,
        # unset and set alike) and the label selector as LabelSelectorAsMap's map.
        if (resource.get("partition") or None) != (old_resource.get("partition") or None):
            res_errs = _also(res_errs, FieldError("field is immutable", "partition"))
        selectors = _selector_map(resource.get("labelSelector")), _selector_map(old_resource.get("labelSelector"))
        if None in selectors:
            res_errs = _also(res_errs, FieldError("Only allow matchLabels or 'IN' matchExpression", "labelSelector"))
        elif selectors[0] != selectors[1]:
            res_errs = _also(res_errs, FieldError("field is immutable", "labelSelector"))
        errs = _also(errs, res_errs.via("resource") if res_errs else None)
        # upstream: kaito-project/kaito v0.12.0 api/v1beta1/workspace_validation.go
        # InferenceSpec.validateUpdate: the whole preset (name and presetOptions, such as
        # modelAccessSecret) is immutable, compared with reflect.DeepEqual, via "inference"; a
        # template may change but not be set or unset.
        old_inference = old.get("inference")
        if isinstance(inference, dict) and isinstance(old_inference, dict):
            inf_errs: FieldError | None = None
            if inference.get("preset") != old_inference.get("preset"):
                inf_errs = FieldError("field is immutable", "preset")
            if (inference.get("template") is None) != (old_inference.get("template") is None):
                inf_errs = _also(inf_errs, FieldError("field cannot be unset/set if it was set/unset", "template"))
            errs = _also(errs, inf_errs.via("inference") if inf_errs else None)
    if errs is None:
        return None
    return _deny("validation.workspace.kaito.sh", 400, f"validation failed: {errs.render()}", "BadRequest")


def _selector_map(selector: Any) -> dict[str, str] | None:
    """metav1.LabelSelectorAsMap: matchLabels and each ``In`` expression of one value; None for
    any other expression (its error)."""
    selector = selector or {}
    out = {str(k): str(v) for k, v in (selector.get("matchLabels") or {}).items()}
    for expr in selector.get("matchExpressions") or []:
        values = expr.get("values") or []
        if expr.get("operator") != "In" or len(values) != 1:
            return None
        out[str(expr.get("key"))] = str(values[0])
    return out


def _inferenceset(obj: dict[str, Any], old: dict[str, Any] | None) -> ApiError | None:
    """The InferenceSet webhook (upstream: kaito-project/kaito v0.12.0 api/v1beta1/inferenceset_validation.go
    Validate): the name a DNS-1123 label; on update the template's partition immutable, nothing else of
    the template (the InferenceSet controller hands it to the Workspaces it makes from then on only:
    pkg/inferenceset/inferenceset_controller.go addOrUpdateInferenceSet); on create and update alike,
    ValidateInferenceSetWorkspace via "spec.template": Workspace.ValidateCreate of the Workspace the set
    would make (pkg/utils/inferenceset/inferenceset.go NewWorkspaceForInferenceSet: the set's
    labelSelector, the template's instanceType, annotations and inference). Its replicas check cannot
    fire: the CRD's minimum 0 refuses a negative count first (config/crd/bases/kaito.sh_inferencesets.yaml)."""
    errs = _name_errors(obj)
    spec = obj.get("spec") or {}
    template = spec.get("template") or {}

    def partition(o: dict[str, Any]) -> Any:
        return (((o.get("spec") or {}).get("template") or {}).get("resource") or {}).get("partition") or None

    if old is not None and partition(obj) != partition(old):
        errs = _also(errs, FieldError("field is immutable", "template", "resource", "partition").via("spec"))
    child = {
        "metadata": {"annotations": dict((template.get("metadata") or {}).get("annotations") or {})},
        "resource": {
            "labelSelector": spec.get("labelSelector"),
            "instanceType": (template.get("resource") or {}).get("instanceType"),
            **({"partition": p} if (p := (template.get("resource") or {}).get("partition")) else {}),
        },
        # InferenceSetTemplate.Inference is a struct, so the Workspace always has an inference spec.
        "inference": template.get("inference") or {},
    }
    child_errs = _workspace_create(child)
    errs = _also(errs, child_errs.via("spec.template") if child_errs else None)
    if errs is None:
        return None
    return _deny("validation.inferenceset.kaito.sh", 400, f"validation failed: {errs.render()}", "BadRequest")


def _inference_create(inference: dict[str, Any]) -> FieldError | None:
    preset, template = inference.get("preset"), inference.get("template")
    errs: FieldError | None = None
    if preset is None and template is None:
        errs = _also(errs, FieldError.missing("Preset or Template must be specified"))
    if preset is not None and template is not None:
        errs = _also(errs, FieldError("Preset and Template cannot be set at the same time"))
    if isinstance(preset, dict):
        pname = str(preset.get("name", ""))
        if not _valid_preset(pname):
            errs = _also(errs, FieldError.invalid_value(f"Unsupported inference preset name {pname}", "presetName"))
        else:
            errs = _also(errs, _access_secret(pname, (preset.get("presetOptions") or {}).get("modelAccessSecret")))
    return errs.via("inference") if errs else None


def mutate(group: str, kind: str, obj: dict[str, Any]) -> None:
    """The mutating webhooks upstream registers for this kind, in place: AI Runway's defaulter."""
    if group == "airunway.ai" and kind == "ModelDeployment":
        admission_airunway.default(obj)


def review(
    group: str,
    kind: str,
    obj: dict[str, Any],
    old: dict[str, Any] | None,
    kuberay: bool = False,
    airunway_providers: admission_airunway.Providers | None = None,
    served: admission_fleet.Served | None = None,
    overrides: admission_fleet.Overrides | None = None,
) -> None:
    """Raise the denial of the webhook that upstream registers for this kind, if any.
    ``kuberay``: whether KubeRay's webhook is installed (off by default, as in its chart);
    ``airunway_providers``: AI Runway's webhook's InferenceProviderConfig lookup; ``served``: the
    kinds the API server serves and their scope (KubeFleet's webhook maps each placement selector
    through them); ``overrides``: the stored overrides KubeFleet's override webhooks list (upstream:
    kubefleet-dev/kubefleet pkg/webhook/clusterresourceoverride, pkg/webhook/resourceoverride)."""
    denial: ApiError | None = None
    if kuberay and group == "ray.io" and kind in ("RayCluster", "RayJob", "RayService"):
        denial = _kuberay(kind, obj)
    elif group == "kaito.sh" and kind == "Workspace":
        denial = _workspace(obj, old)
    elif group == "kaito.sh" and kind == "InferenceSet":
        denial = _inferenceset(obj, old)
    elif group == "placement.kubernetes-fleet.io" and kind == "ClusterResourcePlacement":
        message = admission_fleet.review(obj, old, served)
        denial = _deny(admission_fleet.WEBHOOK, 403, message, "Forbidden") if message else None
    elif group == "placement.kubernetes-fleet.io" and kind in admission_fleet.OVERRIDE_WEBHOOKS:
        message = admission_fleet.override_review(obj, kind, old is None, overrides)
        denial = _deny(admission_fleet.OVERRIDE_WEBHOOKS[kind], 403, message, "Forbidden") if message else None
    elif group == "airunway.ai" and kind == "ModelDeployment":
        denial = admission_airunway.review(obj, old, airunway_providers)
    elif group == "keda.sh" and kind == "ScaledObject" and (message := admission_keda.review(obj, old)):
        denial = _deny(admission_keda.WEBHOOK, 403, message, "Forbidden")
    if denial is not None:
        raise denial
