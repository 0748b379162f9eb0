"""The pods of a deployed model that a redeploy's own rollout deletes before its new pods need
room, so that the fit check (akscli.model.cluster_fit) does not count them on their nodes. Plain
logic: no I/O."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akscli.model.request import DeployRequest

# Whether a bound pod goes before the deployed pods come.
Replaced = Callable[[Mapping[str, Any]], bool]


def replaced_pods(req: DeployRequest) -> Replaced | None:
    """The model's own running pods, where a redeploy replaces them before its new pods need
    room: akscli's vLLM Deployment has strategy Recreate (templates/model/vllm.yaml.j2), and the
    Deployment controller scales the old ReplicaSets to 0 and makes no new pod while an old one
    runs (upstream: kubernetes/kubernetes pkg/controller/deployment/recreate.go rolloutRecreate,
    "Do not process a deployment when it has old pods running"). So the GPUs they hold are free
    for the new pods, and an unchanged redeploy (adding --expose) keeps its size instead of
    moving to a dearer one. The other runtimes' pods are made by their operators, whose rollouts
    are not read here: theirs still count."""
    if req.runtime != "vllm":
        return None
    labels = req.pod_labels

    def own(pod: Mapping[str, Any]) -> bool:
        meta = pod.get("metadata") or {}
        held = meta.get("labels") or {}
        return meta.get("namespace") == req.namespace and all(held.get(k) == v for k, v in labels.items())

    return own
