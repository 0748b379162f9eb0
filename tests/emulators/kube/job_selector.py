"""A Job's selector: the one the API server generates when the Job is created, and ValidateJob's
checks of it (the generated labels on the template, the selector matching them, a selector that
selects the template's labels).

upstream: kubernetes/kubernetes
- pkg/apis/batch/v1/defaults.go SetDefaults_Job: manualSelector false where unset;
- pkg/registry/batch/job/strategy.go (read through the code index) PrepareForCreate,
  generateSelectorIfNeeded and generateSelector: unless manualSelector is true, the template gets
  job-name and batch.kubernetes.io/job-name (the Job's name) and controller-uid and
  batch.kubernetes.io/controller-uid (its uid) where it has none of them, and the selector's
  matchLabels get batch.kubernetes.io/controller-uid; validationOptionsForJob: the prefixed labels
  are required on a create, on an update only where the old template had both;
- pkg/apis/batch/validation/validation.go validateGeneratedSelector (before validateJobSpec:
  ValidateHasLabel for each label, then "`selector` not auto-generated" where the selector does not
  select them), ValidateJobSpec (after it: a selector is required, and it must select the
  template's labels: "`selector` does not match template `labels`");
- pkg/apis/core/validation/validation.go ValidateHasLabel ("must be 'VALUE'"; Required where the
  label is missing, Invalid with the template's labels where it differs).
A selector or a labels map is printed as JSON, as apimachinery's ErrorBody does from v0.34 (v1.32
printed Go's %#v of the struct); cronjob_validation prints its selector the same way.
"""

from __future__ import annotations

import json
from typing import Any

from tests.emulators.kube.controllers.pod_affinity import selector_matches as _selector_matches

Cause = tuple[str, str, str]

LEGACY_UID, LEGACY_NAME = "controller-uid", "job-name"  # batch.LegacyControllerUidLabel, LegacyJobNameLabel
UID, NAME = (
    "batch.kubernetes.io/controller-uid",
    "batch.kubernetes.io/job-name",
)  # batch.ControllerUidLabel, JobNameLabel


def default(spec: dict[str, Any]) -> None:
    """SetDefaults_Job's manualSelector."""
    if spec.get("manualSelector") is None:
        spec["manualSelector"] = False


def generate(job: dict[str, Any], uid: str) -> None:
    """generateSelectorIfNeeded on a Job being created, whose uid is ``uid``."""
    spec = job.get("spec")
    if not isinstance(spec, dict) or spec.get("manualSelector") is True:
        return
    template = spec.setdefault("template", {}) if isinstance(spec.get("template", {}), dict) else {}
    meta = template.setdefault("metadata", {}) if isinstance(template.get("metadata", {}), dict) else {}
    labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
    name = str((job.get("metadata") or {}).get("name") or "")
    for key, value in ((LEGACY_NAME, name), (NAME, name), (LEGACY_UID, uid), (UID, uid)):
        labels.setdefault(key, value)
    meta["labels"] = labels
    selector = spec.get("selector") if isinstance(spec.get("selector"), dict) else {}
    match = selector.get("matchLabels") if isinstance(selector.get("matchLabels"), dict) else {}
    match.setdefault(UID, uid)
    selector["matchLabels"] = match
    spec["selector"] = selector


def selector_matches(selector: dict[str, Any] | None, labels: dict[str, Any]) -> bool:
    """LabelSelectorAsSelector(selector).Matches(labels); a selector that does not convert (an
    expression without a key) is left to the selector's own validation, so it matches here."""
    try:
        return _selector_matches(selector, labels)
    except (KeyError, TypeError, AttributeError):
        return True


def _labels(spec: dict[str, Any]) -> dict[str, Any]:
    template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
    meta = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
    return meta.get("labels") if isinstance(meta.get("labels"), dict) else {}


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _shown_selector(selector: Any) -> str:
    """metav1.LabelSelector's JSON: matchLabels, then matchExpressions, empty ones omitted."""
    if not isinstance(selector, dict):
        return _json(selector)
    fields = {k: selector[k] for k in ("matchLabels", "matchExpressions") if selector.get(k)}
    return json.dumps(fields, separators=(",", ":"))


def generated_causes(job: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """validateGeneratedSelector, which ValidateJob runs before the spec's checks."""
    spec = job.get("spec") if isinstance(job.get("spec"), dict) else {}
    selector = spec.get("selector")
    if spec.get("manualSelector") is True or selector is None:
        return []
    md = job.get("metadata") or {}
    uid, name = str(md.get("uid") or ""), str(md.get("name") or "")
    out: list[Cause] = []
    if not uid:
        out.append(("FieldValueRequired", "metadata.uid", "Required value"))
    old_labels = _labels(old.get("spec") or {}) if old is not None else {}
    prefixed = old is None or (NAME in old_labels and UID in old_labels)
    wanted = [(LEGACY_UID, uid), (LEGACY_NAME, name)] + ([(UID, uid), (NAME, name)] if prefixed else [])
    labels = _labels(spec)
    for key, value in wanted:
        path = f"spec.template.metadata.labels[{key}]"
        if key not in labels:
            out.append(("FieldValueRequired", path, f"Required value: must be '{value}'"))
        elif labels[key] != value:
            out.append(("FieldValueInvalid", path, f"Invalid value: {_json(labels)}: must be '{value}'"))
    if isinstance(selector, dict) and not selector_matches(selector, dict(wanted)):
        out.append(
            (
                "FieldValueInvalid",
                "spec.selector",
                f"Invalid value: {_shown_selector(selector)}: `selector` not auto-generated",
            )
        )
    return out


def spec_causes(spec: dict[str, Any]) -> list[Cause]:
    """ValidateJobSpec's selector checks, after validateJobSpec's: required, and selecting the
    template's labels (a missing selector selects nothing, so it gets both)."""
    selector = spec.get("selector")
    out: list[Cause] = []
    if selector is None:
        out.append(("FieldValueRequired", "spec.selector", "Required value"))
    labels = _labels(spec)
    if not selector_matches(selector if isinstance(selector, dict) else None, labels):
        raw = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
        shown = _json(raw if isinstance(raw, dict) else None)  # no labels is a nil map: null
        out.append(
            (
                "FieldValueInvalid",
                "spec.template.metadata.labels",
                f"Invalid value: {shown}: `selector` does not match template `labels`",
            )
        )
    return out
