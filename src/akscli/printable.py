"""What of a Kubernetes object akscli prints: a Secret's values never, and managedFields only on
request, as kubectl's printers do.

* A Secret's ``data`` and ``stringData`` values are shown as ``***``, the mask kubectl diff uses
  (upstream: kubernetes/kubectl pkg/cmd/diff/diff.go, Masker). kubectl's ``-o yaml`` prints them;
  akscli's rule is stricter: no secret value reaches stdout, a plan, a diff or an error. The keys
  stay, so a user sees which values an object holds.
* A Secret's ``kubectl.kubernetes.io/last-applied-configuration`` annotation is shown as ``***``
  too: client-side ``kubectl apply`` stores the whole manifest there, values included (upstream:
  kubernetes/kubernetes issues #23564 "kubectl apply leaks secret data" and #29923; the annotation
  is written by kubernetes/kubectl pkg/util/apply.go, CreateApplyAnnotation), so masking ``data``
  alone would leave them readable one field up.
* ``metadata.managedFields`` is left out of ``-o json`` and ``-o yaml`` unless
  ``--show-managed-fields`` is given (upstream: kubernetes/cli-runtime
  pkg/genericclioptions/json_yaml_flags.go, JSONYamlPrintFlags.ToPrinter wraps the printer in
  OmitManagedFieldsPrinter; kubectl's jsonpath printer is not wrapped, and neither is akscli's).

Plain functions over plain data: the output layer calls them, nothing here prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.globals import FLAGS

SECRET_FIELDS = ("data.", "stringData.")
MASK = "***"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def is_secret(obj: Mapping[str, Any]) -> bool:
    return obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1"


def _is_object(value: Any) -> bool:
    return isinstance(value, Mapping) and "kind" in value and isinstance(value.get("metadata"), Mapping)


def shown(data: Any, fmt: str) -> Any:
    """``data`` (one object, a list of them, a v1 List, or records that are no objects) as it may
    be printed in ``fmt``; objects are copied where something is left out, never changed."""
    if isinstance(data, list):
        return [shown(item, fmt) for item in data]
    if not _is_object(data):
        return data
    if data.get("kind") == "List" and isinstance(data.get("items"), list):
        return {**data, "items": [shown(item, fmt) for item in data["items"]]}
    result: dict[str, Any] = dict(data)
    if fmt in ("json", "yaml") and not FLAGS.show_managed_fields and "managedFields" in data["metadata"]:
        result["metadata"] = {k: v for k, v in data["metadata"].items() if k != "managedFields"}
    if is_secret(data):
        for field in ("data", "stringData"):
            if isinstance(data.get(field), Mapping):
                result[field] = dict.fromkeys(data[field], MASK)
        metadata = result["metadata"]
        annotations = metadata.get("annotations")
        if isinstance(annotations, Mapping) and LAST_APPLIED in annotations:
            result["metadata"] = {**metadata, "annotations": {**annotations, LAST_APPLIED: MASK}}
    return result
