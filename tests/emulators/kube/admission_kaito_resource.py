"""KAITO's webhook check of a Workspace's ``resource`` with node auto-provisioning on (the chart's
default: kaito-project/kaito v0.12.0 pkg/featuregates/featuregates.go, disableNodeAutoProvisioning
false), as ResourceSpec.validateCreateWithInference makes it once the preset is valid
(upstream: kaito-project/kaito v0.12.0 api/v1beta1/workspace_validation.go; the same at 056b8280):

- the label selector as a map (kubernetes/apimachinery pkg/apis/meta/v1/helpers.go
  LabelSelectorAsMap): an expression other than ``In`` with one value is refused with its error,
  ``apis.ErrInvalidValue(err, "labelSelector")``, and nothing after it is checked;
- matchLabels whose every key is one KAITO keeps for its own objects (api/v1beta1/labels.go
  reservedSelectorLabelKeys, SanitizedMatchLabels; the karpenter.kaito.sh keys of
  pkg/utils/consts/consts.go) is refused, ``"matchLabels must contain at least one non-reserved
  label"`` at ``labelSelector.matchLabels``, and nothing after it is checked;
- a ``partition`` is refused: "GPU partitioning is only supported with BYO nodes
  (disableNodeAutoProvisioning=true)" at ``partition``;
- an instance type without a row in KAITO's SKU table (kaito_estimator.AZURE_SKUS, compared without
  case: pkg/sku/cloud_sku_handler.go GetGPUConfigBySKU) that does not start with Standard_N or
  Standard_D (HasSKUNamePrefix, case-insensitive; CLOUD_PROVIDER is "azure", the chart's
  cloudProviderName default) is ``"Unsupported instance type %s. Supported SKUs: %s"`` at
  ``instanceType``, the list as Go prints a []string (``[a b c]``). Upstream lists the SKUs in Go's
  map order, which changes from call to call; here in the table's order.

All of them via "resource" (admission.py). Not emulated: the GPU memory check that follows, which runs only for a
runtime other than vLLM or without node auto-provisioning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.emulators.kube import kaito_estimator

# api/v1beta1/labels.go reservedSelectorLabelKeys (LabelWorkspaceName, LabelRAGEngineName,
# LabelWorkspaceNamespace, LabelRAGEngineNamespace; consts.KarpenterWorkspaceNameKey,
# KarpenterWorkspaceNamespaceKey, KarpenterInferenceSetKey, KarpenterInferenceSetNamespaceKey).
RESERVED_SELECTOR_KEYS = frozenset(
    {
        "kaito.sh/workspace",
        "kaito.sh/ragengine",
        "kaito.sh/workspacenamespace",
        "kaito.sh/ragenginenamespace",
        "karpenter.kaito.sh/workspace-name",
        "karpenter.kaito.sh/workspace-namespace",
        "karpenter.kaito.sh/inferenceset",
        "karpenter.kaito.sh/inferenceset-namespace",
    }
)
# workspace_validation.go N_SERIES_PREFIX, D_SERIES_PREFIX
SERIES_PREFIXES = ("standard_n", "standard_d")


def selector_map_error(selector: Any) -> str | None:
    """LabelSelectorAsMap's error for this selector, None where it converts."""
    for expr in (selector or {}).get("matchExpressions") or []:
        op = str(expr.get("operator", ""))
        if op == "In":
            if len(expr.get("values") or []) != 1:
                return f'operator "{op}" without a single value cannot be converted into the old label selector format'
        elif op in ("NotIn", "Exists", "DoesNotExist"):
            return f'operator "{op}" cannot be converted into the old label selector format'
        else:
            return f'"{op}" is not a valid selector operator'
    return None


def review(resource: Mapping[str, Any]) -> tuple[str, str] | None:
    """validateCreateWithInference's error for ``resource`` as knative writes its message (an
    ErrInvalidValue is "invalid value: ..."; knative/pkg apis/field_error.go) and its path under
    "resource"; None where it passes. admission.py makes the FieldError."""
    selector = resource.get("labelSelector")
    if (why := selector_map_error(selector)) is not None:
        return f"invalid value: {why}", "labelSelector"
    labels = (selector or {}).get("matchLabels") or {}
    if labels and set(labels) <= RESERVED_SELECTOR_KEYS:
        return "invalid value: matchLabels must contain at least one non-reserved label", "labelSelector.matchLabels"
    if resource.get("partition"):
        return "GPU partitioning is only supported with BYO nodes (disableNodeAutoProvisioning=true)", "partition"
    size = str(resource.get("instanceType") or "")
    if not kaito_estimator.in_sku_table(size) and not size.lower().startswith(SERIES_PREFIXES):
        skus = " ".join(row.sku for row in kaito_estimator.AZURE_SKUS)
        return f"invalid value: Unsupported instance type {size}. Supported SKUs: [{skus}]", "instanceType"
    return None
