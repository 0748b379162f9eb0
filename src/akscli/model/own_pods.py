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
    moving to a dearer one. The other runtimes' pods are made by their operators, and theirs
    still count. AI Runway's do rightly: its vllm and llmd providers build their Deployments with
    no strategy (ai-runway/airunway b0d3fb7 providers/vllm/transformer.go and
    providers/llmd/transformer.go buildDeployment), so the default RollingUpdate applies, 25%
    maxSurge rounded up and 25% maxUnavailable rounded down (kubernetes/api 10b39a39
    apps/v1/types.go RollingUpdateDeployment): one replica's new pod comes before its old pod
    goes, and the old pod's GPUs are still held while the new one needs room. Its kuberay
    provider makes a RayService (providers/kuberay/transformer.go), whose upgrade makes the new
    cluster before the old one goes; its dynamo provider's DynamoGraphDeployment rollout is
    Dynamo's operator's, not read here."""
    if req.runtime != "vllm":
        return None
    labels = req.pod_labels

    def own(pod: Mapping[str, Any]) -> bool:
        meta = pod.get("metadata") or {}
        held = meta.get("labels") or {}
        return meta.get("namespace") == req.namespace and all(held.get(k) == v for k, v in labels.items())

    return own
