"""The objects a deployed model is made of, found for ``model delete``: by its labels, with the
fleet placement and its runs of this namespace's model only. Plain module: no typer, no rich."""

from __future__ import annotations

from collections.abc import Iterable

from akscli.fleet import namespaces_placed
from akscli.kube.client import Kube
from akscli.model.kinds import FLEET_API, MODEL_LABEL, STACK_KINDS, ObjectRef, stack_of
from akscli.model.live import kind_available, not_found
from akscli.model.revisions import revisions
from akscli.output import dig


def held_configmaps(kube: Kube, refs: Iterable[ObjectRef]) -> list[ObjectRef]:
    """The ConfigMaps among ``refs`` that an InferenceSet among them names: deleted only once the set
    is gone. KAITO's InferenceSet webhook validates, on every update, the Workspace the set would
    make, and so reads its ConfigMap (upstream: kaito-project/kaito v0.12.0 0894eb2b
    api/v1beta1/inferenceset_validation.go Validate, inference_config_validation.go
    validateInferenceConfig); its controller lets a deleted set go by an update that removes its
    finalizer (pkg/inferenceset/inferenceset_controller.go garbageCollectInferenceSet), which the
    webhook refuses once the ConfigMap is gone: the set would stay, deleting, for ever."""
    refs = list(refs)
    held: list[ObjectRef] = []
    for api_version, kind, name, namespace in refs:
        if kind != "InferenceSet":
            continue
        found = kube.get(api_version, kind, name, namespace)
        config = dig(found or {}, "spec.template.inference.config")
        ref: ObjectRef = ("v1", "ConfigMap", str(config), namespace)
        if config and ref in refs and ref not in held:
            held.append(ref)
    return held


def stack_refs(kube: Kube, name: str, namespace: str, *, keep_history: bool) -> list[ObjectRef]:
    """Every object a deploy of ``name`` created (and, unless kept, its revision records)."""
    # By the stack label, and by the model label every rendered object carries: `akscli apply -f`
    # of a dry-run's output gives the objects another stack, and they are still this model's.
    # The placement and its runs are cluster-scoped: this namespace's model's are the placement
    # that places this namespace and the runs of that placement (a model of this name in another
    # namespace has its own), read from their specs since a placement made before
    # render.STACK_NAMESPACE_LABEL has no such label (ClusterStagedUpdateRun spec.placementName:
    # kubefleet-dev/kubefleet apis/placement/v1/stageupdate_types.go).
    selectors = (f"akscli.io/stack={stack_of(name)}", f"{MODEL_LABEL}={name}")
    refs: list[ObjectRef] = []
    placements: set[str] = set()
    for api_version, kind in STACK_KINDS:
        if not kind_available(kube, api_version, kind):
            continue
        scope = None if api_version == FLEET_API else namespace
        for selector in selectors:
            for obj in kube.list(api_version, kind, namespace=scope, label_selector=selector):
                if kind == "ClusterResourcePlacement" and namespace not in namespaces_placed(obj):
                    continue
                if kind == "ClusterStagedUpdateRun" and dig(obj, "spec.placementName") not in placements:
                    continue
                placements |= {obj["metadata"]["name"]} if kind == "ClusterResourcePlacement" else set()
                refs.append((api_version, kind, obj["metadata"]["name"], scope))
    refs = list(dict.fromkeys(refs))
    if not keep_history:
        refs += [("v1", "ConfigMap", rev.object_name, namespace) for rev in revisions(kube, name, namespace)]
    if not refs:
        raise not_found(kube, name, namespace)
    return refs
