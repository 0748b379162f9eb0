"""The API server's DaemonSet strategy: the template generation that apps/v1 shows as the
``deprecated.daemonset.template.generation`` annotation, and that the DaemonSet controller copies
onto each pod as ``pod-template-generation``.

upstream: kubernetes/kubernetes pkg/registry/apps/daemonset/strategy.go PrepareForCreate (at least 1;
a value the client sent through the annotation is kept), PrepareForUpdate (the client cannot set it:
the old one, plus 1 when the pod template changed); pkg/apis/apps/v1/conversion.go
Convert_v1_DaemonSet_To_apps_DaemonSet (the annotation read into spec.templateGeneration) and
Convert_apps_DaemonSet_To_v1_DaemonSet (written back, always)."""

from __future__ import annotations

from typing import Any

# apps/v1 DeprecatedTemplateGeneration (kubernetes/kubernetes staging/src/k8s.io/api/apps/v1/types.go).
TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation"


def _generation(obj: dict[str, Any]) -> int:
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)
    try:
        return int(value) if value is not None else 0
    except (TypeError, ValueError):
        return 0


def _write(obj: dict[str, Any], generation: int) -> None:
    md = obj.setdefault("metadata", {})
    md["annotations"] = {**(md.get("annotations") or {}), TEMPLATE_GENERATION_ANNOTATION: str(generation)}


def prepare_for_create(obj: dict[str, Any]) -> None:
    _write(obj, max(_generation(obj), 1))


def prepare_for_update(old: dict[str, Any], new: dict[str, Any]) -> None:
    generation = _generation(old)
    if (old.get("spec") or {}).get("template") != (new.get("spec") or {}).get("template"):
        generation += 1
    _write(new, generation)
