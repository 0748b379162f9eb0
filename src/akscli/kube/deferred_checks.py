"""Admission checks a server dry run cannot make: a webhook that reads another object of the same
apply from the cluster, where a dry run has stored nothing.

KAITO's webhook refuses a Workspace create, and an InferenceSet create or update, whose
``inference.config`` names a ConfigMap that does not exist in its namespace (upstream:
kaito-project/kaito v0.12.0 0894eb2b api/v1beta1/inference_config_validation.go
validateInferenceConfig, called from workspace_validation.go ValidateCreate and, for the
Workspace an InferenceSet makes, from inferenceset_validation.go Validate through
pkg/utils/inferenceset/inferenceset.go ValidateWorkspaceForInferenceSet). The webhooks are
``sideEffects: None`` (charts/kaito/workspace/templates/webhooks.yaml), so the API server calls
them on dry runs too. A plan that dry-runs the ConfigMap and the Workspace of one new model would
be refused on every cluster: the ConfigMap's dry run stored nothing.

So where the same apply creates that ConfigMap, the plan dry-runs the KAITO object without the
reference (every other check of the webhook still runs; the reference is put back in the answer),
says that KAITO checks it once the ConfigMap exists, and the apply sends it right after the
ConfigMaps, before anything else of its tier, so that a refusal can be undone (akscli.kube.apply).
No other kind is treated so: only KAITO's webhook is known to read a ConfigMap at admission.

Where the ConfigMap exists and the same apply changes it, a dry run of the KAITO object would read
the ConfigMap as stored, not as the apply leaves it, and no server dry run can do better (the
ConfigMap's dry run stores nothing either): it would pass content KAITO refuses, or refuse
content that this apply fixes. So the plan treats it as above (the dry run without the
reference), and says that KAITO checks the new content at apply time; the object is sent right
after the ConfigMaps, and if KAITO refuses it, akscli puts each ConfigMap it names back as it
was before this apply (akscli.kube.apply), so that the running model's pods, which mount it, do
not pick up content KAITO refused at their next restart.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

# (apiVersion, kind) -> the path of the ConfigMap's name in the object.
CONFIG_PATHS: dict[tuple[str, str], tuple[str, ...]] = {
    ("kaito.sh/v1beta1", "Workspace"): ("inference", "config"),
    ("kaito.sh/v1beta1", "InferenceSet"): ("spec", "template", "inference", "config"),
}
# The kinds whose update is checked too: the InferenceSet webhook validates the Workspace it would
# make on create and update; the Workspace webhook reads the ConfigMap on create only.
CHECKED_ON_UPDATE = frozenset({("kaito.sh/v1beta1", "InferenceSet")})


@dataclass(frozen=True)
class Deferred:
    """A KAITO object whose ConfigMap check waits for the ConfigMap: what the plan says of it."""

    path: tuple[str, ...]
    value: str
    configmap: str  # configmap/NAME, as akscli.kube.apply.object_ref writes it
    on_update: bool = False
    # The ConfigMap exists and this apply changes it (rather than creates it).
    changed: bool = False

    @property
    def note(self) -> str:
        if self.changed:
            return (
                f"KAITO checks its {'.'.join(self.path)} against the new {self.configmap} when it is "
                f"applied: a dry run cannot, since it stores no ConfigMap; if KAITO refuses it, akscli "
                f"puts {self.configmap} back as it was"
            )
        return (
            f"KAITO checks its {'.'.join(self.path)} once {self.configmap} exists: the dry run "
            f"cannot, since a dry run stores no ConfigMap"
        )


def config_ref(obj: Mapping[str, Any]) -> tuple[tuple[str, ...], str] | None:
    """(path, ConfigMap name) of a KAITO object that names an inference ConfigMap, else None."""
    path = CONFIG_PATHS.get((str(obj.get("apiVersion")), str(obj.get("kind"))))
    if path is None:
        return None
    node: Any = obj
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return (path, node) if isinstance(node, str) and node else None


def configmaps(objects: Collection[Mapping[str, Any]]) -> set[tuple[str | None, str]]:
    """(namespace, name) of the ConfigMaps among ``objects``."""
    return {
        ((o.get("metadata") or {}).get("namespace"), str((o.get("metadata") or {}).get("name")))
        for o in objects
        if o.get("apiVersion") == "v1" and o.get("kind") == "ConfigMap"
    }


def waits_for(obj: Mapping[str, Any], configmaps_of_apply: set[tuple[str | None, str]]) -> bool:
    """Whether ``obj`` names a ConfigMap that the same apply sends."""
    ref = config_ref(obj)
    return ref is not None and ((obj.get("metadata") or {}).get("namespace"), ref[1]) in configmaps_of_apply


def deferred(
    obj: Mapping[str, Any], created: set[tuple[str | None, str]], changed: Collection[tuple[str | None, str]] = ()
) -> Deferred | None:
    """The deferred check of ``obj`` when its ConfigMap is one the apply creates, or one that
    exists and that the apply changes (``changed``); else None."""
    ref = config_ref(obj)
    if ref is None:
        return None
    key = ((obj.get("metadata") or {}).get("namespace"), ref[1])
    if key not in created and key not in changed:
        return None
    kind = (str(obj.get("apiVersion")), str(obj.get("kind")))
    on_update = kind in CHECKED_ON_UPDATE
    return Deferred(ref[0], ref[1], f"configmap/{ref[1]}", on_update=on_update, changed=key not in created)


def without_ref(obj: Mapping[str, Any], check: Deferred) -> dict[str, Any]:
    """A copy of ``obj`` without the ConfigMap reference: what the plan dry-runs."""
    probe = copy.deepcopy(dict(obj))
    node: Any = probe
    for key in check.path[:-1]:
        node = node[key]
    node.pop(check.path[-1], None)
    return probe


def with_ref(answer: dict[str, Any], check: Deferred) -> dict[str, Any]:
    """The dry run's answer with the reference put back, as the real apply will store it."""
    node: Any = answer
    for key in check.path[:-1]:
        node = node.setdefault(key, {})
    node[check.path[-1]] = check.value
    return answer
