"""Reading one Ray pod as KubeRay does: its conditions, whether it is ready or on its way out, which
RayCluster controls it, the GPUs it holds, and which of several head pods is the live one.

Nothing here talks to the cluster: every function takes plain objects (``akscli.ray.status`` builds
a cluster's summary and findings from them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from akscli.ray.spec import CLUSTER_LABEL


def condition(obj: Mapping[str, Any], kind: str) -> Mapping[str, Any] | None:
    from akscli.kube.readiness import conditions

    return conditions(obj).get(kind)


def pod_ready(pod: Mapping[str, Any]) -> bool:
    # Running and Ready: a Succeeded pod is "ready" for --wait but holds no GPU any more.
    cond = condition(pod, "Ready")
    return bool(cond and cond.get("status") == "True") and (pod.get("status") or {}).get("phase") == "Running"


_Pod = TypeVar("_Pod", bound=Mapping[str, Any])


def pod_ending(pod: Mapping[str, Any]) -> bool:
    """A pod on its way out: deleted (terminating), or ended (Failed or Succeeded), which KubeRay
    deletes and builds again from the spec (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/
    raycluster_controller.go shouldDeletePod)."""
    phase = (pod.get("status") or {}).get("phase")
    return bool((pod.get("metadata") or {}).get("deletionTimestamp")) or phase in ("Failed", "Succeeded")


def live_head(pods: Iterable[_Pod], owner_uid: str | None = None) -> _Pod | None:
    """The head pod that runs the cluster, among the pods labelled as its head: the one not on its
    way out (pod_ending), not controlled by another RayCluster (controlled_by_another: same name,
    other uid), Ready first, then the one its RayCluster controls (owned_by_cluster; by
    ``owner_uid``, the RayCluster's metadata.uid, where the caller has read it), then the newest;
    where every one is on its way out, the first (its logs are still there); None for none.

    KubeRay itself lists the head pods by the same labels and acts only on one: with more it stops
    and asks for the extra ones to be deleted (ray-project/kuberay v1.7.0 ray-operator/controllers/
    ray/raycluster_controller.go reconcilePods, "Please delete extra head pods"; common/association.go
    GetRayClusterHeadPod: "found multiple heads"). Its list holds terminating pods too, so a head
    being deleted beside a new one (a pod recreated by hand or by another controller) is the case
    that needs a choice; the live one is the one whose Ray runs. Between two ready heads, the one the
    RayCluster owns (its controller reference: KubeRay sets it on every head it builds,
    raycluster_controller.go buildHeadPod ``SetControllerReference``) wins over a newer one made by
    hand or by another controller with the same labels."""
    seen = list(pods)
    live = [pod for pod in seen if not pod_ending(pod)]
    if live:
        return max(
            live,
            key=lambda pod: (
                not controlled_by_another(pod, owner_uid),
                pod_ready(pod),
                owned_by_cluster(pod, owner_uid),
                str((pod.get("metadata") or {}).get("creationTimestamp") or ""),
            ),
        )
    return seen[0] if seen else None


def controlled_by_another(pod: Mapping[str, Any], owner_uid: str | None) -> bool:
    """Whether the pod's controller is a RayCluster other than the one of ``owner_uid`` (a head left
    by an earlier RayCluster of the same name that the garbage collector has not removed yet): its
    Ray is not this cluster's, so live_head takes it last, even Ready. False without ``owner_uid``."""
    if not owner_uid:
        return False
    refs = [ref for ref in (pod.get("metadata") or {}).get("ownerReferences") or [] if isinstance(ref, Mapping)]
    controller = next((ref for ref in refs if ref.get("controller") is True), None)
    return (
        controller is not None
        and controller.get("kind") == "RayCluster"
        and str(controller.get("uid") or "") != owner_uid
    )


def owned_by_cluster(pod: Mapping[str, Any], owner_uid: str | None = None) -> bool:
    """Whether the pod's controller is the RayCluster its ``ray.io/cluster`` label names: KubeRay
    makes itself the controller of each pod it builds (ray-project/kuberay v1.7.0
    ray-operator/controllers/ray/raycluster_controller.go buildHeadPod and buildWorkerPod,
    ``controllerutil.SetControllerReference``).

    With ``owner_uid`` (the RayCluster's metadata.uid), the controller reference's uid must be it,
    as KubeRay itself checks ownership (ray-project/kuberay feeaf72f raycluster_controller.go
    reconcileIngressKubernetes and reconcileGCSStoragePVCOwnerRef call ``metav1.IsControlledBy``,
    which compares the controller reference's UID with the owner's: kubernetes/apimachinery
    eed236ce pkg/apis/meta/v1/controller_ref.go IsControlledBy). A pod left by an earlier RayCluster of the
    same name (deleted and made again) then no longer counts as the new one's. Without it, the
    name is all there is to compare."""
    meta = pod.get("metadata") or {}
    refs = [ref for ref in meta.get("ownerReferences") or [] if isinstance(ref, Mapping)]
    # GetControllerOf: the first reference with controller: true is the controller.
    controller = next((ref for ref in refs if ref.get("controller") is True), None)
    if controller is None:
        return False
    if owner_uid:
        return str(controller.get("uid") or "") == owner_uid
    return (
        controller.get("kind") == "RayCluster"
        and str(controller.get("apiVersion", "")).startswith("ray.io/")
        and controller.get("name") == (meta.get("labels") or {}).get(CLUSTER_LABEL)
    )


def pod_gpus(pod: Mapping[str, Any]) -> int:
    """GPU units the pod holds, over every GPU resource name (MIG devices included), as akscli
    counts them everywhere (akscli.gpu.devices.pod_units). KubeRay also counts MIG devices as GPUs
    (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/resources.go IsGPUResourceKey,
    used for ``--num-gpus`` and ``status.desiredGPU``)."""
    from akscli.gpu.devices import pod_units

    return sum(pod_units(pod).values())
