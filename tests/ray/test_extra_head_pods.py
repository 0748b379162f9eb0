"""With more than one pod carrying a cluster's head labels KubeRay reconciles nothing of the cluster:
``ray cluster status`` says so as a problem, and ``ray cluster scale`` and ``ray workergroup add``
warn that their change waits, each naming the pods to delete (upstream: ray-project/kuberay v1.7.0
(59d663ae) ray-operator/controllers/ray/raycluster_controller.go reconcilePods, "Please delete extra
head pods"; common/association.go GetRayClusterHeadPod; no event or condition is recorded)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from akscli import ray
from akscli.ray.pod_state import owned_by_cluster
from tests.cli import invoke
from tests.ray.conftest import akscli

RAY = "ray.io/v1"


def _second_head(emu: Any, cluster: str, name: str, *, deleting: bool = False) -> str:
    """A copy of the cluster's head pod under ``name``, still pending (a head made by hand or by
    another controller); ``deleting``: held by a finalizer after its deletion. The live head's name."""
    [live] = emu.cluster.list("v1", "Pod", "default", label_selector=f"ray.io/cluster={cluster},ray.io/node-type=head")
    # Not ready yet: the ready head is the live one (status.live_head).
    extra = {"apiVersion": "v1", "kind": "Pod", "spec": live["spec"], "status": {"phase": "Pending"}}
    extra["metadata"] = {"name": name, "namespace": "default", "labels": live["metadata"]["labels"]}
    if deleting:
        extra["metadata"]["finalizers"] = ["example.com/hold"]
    emu.cluster.create(extra)
    if deleting:
        emu.cluster.delete("v1", "Pod", "default", name)
    return str(live["metadata"]["name"])


def test_status_says_kuberay_is_stuck_with_two_head_pods_and_names_the_extra_one(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    assert akscli("ray cluster create demo --wait --timeout 20s").exit_code == 0
    live = _second_head(emu, "demo", "demo-a-extra-head")
    shown = json.loads(invoke("ray", "cluster", "status", "demo", "-o", "json").stdout)
    [problem] = [p for p in shown["problems"] if p["reason"] == "MultipleHeadPods"]
    assert problem["message"].startswith(
        "KubeRay reconciles nothing of this cluster while 2 pods carry its head labels"
    ), problem
    assert problem["hint"] == f"delete the extra ones, keeping {live}: kubectl delete pod demo-a-extra-head -n default"


def test_a_scale_of_a_stuck_cluster_warns_that_kuberay_acts_on_it_only_once_one_head_is_left(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    assert akscli("ray cluster create demo --wait --timeout 20s").exit_code == 0
    _second_head(emu, "demo", "demo-a-old-head", deleting=True)
    scaled = akscli("ray cluster scale demo --group default-group --replicas 2 --max 2")
    assert scaled.exit_code == 0, scaled
    said = " ".join(scaled.stderr.split())
    assert said.startswith("warning: Ray cluster demo: KubeRay reconciles nothing of this cluster while 2 pods"), said
    assert "The change is written, and KubeRay acts on it then" in said
    assert "demo-a-old-head is already being deleted and KubeRay goes on once it is gone" in said
    # What the warning says, as the simulator (after KubeRay) does it: no second worker while stuck.
    workers = emu.cluster.list("v1", "Pod", "default", label_selector="ray.io/cluster=demo,ray.io/node-type=worker")
    assert len(workers) == 1


def test_a_group_added_to_a_stuck_cluster_warns_the_same(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert akscli("ray cluster create demo --wait --timeout 20s").exit_code == 0
    _second_head(emu, "demo", "demo-a-extra-head")
    added = invoke("ray", "workergroup", "add", "demo", "extra", "--replicas", "1")
    assert added.exit_code == 0, added
    assert "warning: Ray cluster demo: KubeRay reconciles nothing of this cluster while 2 pods" in added.stderr


def _pod(name: str, **meta: Any) -> dict[str, Any]:
    status = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    return {"metadata": {"name": name, "creationTimestamp": "2026-01-01T10:00:00Z", **meta}, "status": status}


def test_one_head_pod_is_no_finding_and_more_than_five_are_counted() -> None:
    heads = ray.HeadPods()
    heads.add(_pod("only"))
    assert ray.extra_heads_finding("c", "ml", heads) is None
    for i in range(6):
        heads.add(_pod(f"h{i}"))
    found = ray.extra_heads_finding("c", "ml", heads)
    assert found is not None and "while 7 pods carry its head labels (only, h0, h1, h2, h3 and 2 more)" in found.message


def test_the_status_head_row_is_the_live_head_not_the_last_one_read() -> None:
    cluster = {"metadata": {"name": "c", "namespace": "ml"}, "spec": {}, "status": {}}
    head = {"ray.io/node-type": "head"}
    pods = [_pod("live", labels=head), _pod("old", labels=head, deletionTimestamp="2026-01-01T11:00:00Z")]
    assert ray.cluster_summary(cluster, pods)["head"] == {"pod": "live", "ready": True}


def test_between_two_ready_heads_the_one_the_raycluster_owns_is_kept_not_a_newer_one_made_by_hand(
    ray_emulator: Callable[..., Any],
) -> None:
    # KubeRay lists heads by label only (common/association.go RayClusterHeadPodsAssociationOptions);
    # the pod it built carries the RayCluster as its controller (raycluster_controller.go buildHeadPod).
    emu = ray_emulator()
    assert akscli("ray cluster create demo --wait --timeout 20s").exit_code == 0
    [live] = emu.cluster.list("v1", "Pod", "default", label_selector="ray.io/cluster=demo,ray.io/node-type=head")
    extra = {"apiVersion": "v1", "kind": "Pod", "spec": live["spec"]}
    extra["metadata"] = {"name": "demo-a-copy-head", "namespace": "default", "labels": live["metadata"]["labels"]}
    emu.cluster.create(extra)
    ready = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    copy = emu.cluster.patch_status("v1", "Pod", "default", "demo-a-copy-head", ready)
    assert str(copy["metadata"]["creationTimestamp"]) >= str(live["metadata"]["creationTimestamp"])
    shown = json.loads(invoke("ray", "cluster", "status", "demo", "-o", "json").stdout)
    [problem] = [p for p in shown["problems"] if p["reason"] == "MultipleHeadPods"]
    assert problem["hint"] == (
        f"delete the extra ones, keeping {live['metadata']['name']}: kubectl delete pod demo-a-copy-head -n default"
    )
    assert shown["head"]["pod"] == live["metadata"]["name"]


def test_among_ready_heads_the_one_its_raycluster_controls_is_taken_before_a_newer_one() -> None:
    labels = {"ray.io/cluster": "c", "ray.io/node-type": "head"}
    owned = _pod("owned", creationTimestamp="2026-01-01T09:00:00Z", labels=labels)
    owned["metadata"]["ownerReferences"] = [{"apiVersion": RAY, "kind": "RayCluster", "name": "c", "controller": True}]
    by_hand = _pod("by-hand", creationTimestamp="2026-01-01T12:00:00Z", labels=labels)
    assert ray.live_head([owned, by_hand])["metadata"]["name"] == "owned"  # type: ignore[index]
    # Another RayCluster's reference, or one that is not the controller, is not the owner.
    owned["metadata"]["ownerReferences"] = [
        {"apiVersion": RAY, "kind": "RayCluster", "name": "other", "controller": True}
    ]
    assert ray.live_head([owned, by_hand])["metadata"]["name"] == "by-hand"  # type: ignore[index]


def test_a_ready_head_left_by_an_earlier_raycluster_of_the_same_name_is_not_taken_for_the_live_one(
    ray_emulator: Callable[..., Any],
) -> None:
    # KubeRay tells what it controls by uid (metav1.IsControlledBy, raycluster_controller.go
    # reconcileIngressKubernetes): a head whose controller reference names a RayCluster "demo" of
    # another uid (made before this one, not yet garbage collected) runs another Ray cluster.
    emu = ray_emulator()
    assert akscli("ray cluster create demo --wait --timeout 20s").exit_code == 0
    [live] = emu.cluster.list("v1", "Pod", "default", label_selector="ray.io/cluster=demo,ray.io/node-type=head")
    earlier = {**live["metadata"]["ownerReferences"][0], "uid": "11111111-0000-0000-0000-000000000000"}
    meta = {"name": "demo-earlier-head", "namespace": "default", "labels": live["metadata"]["labels"]}
    # the garbage collector deletes it once it judges it (its owner's uid is gone), not yet here:
    # the create and the status update each ask for a judgement, so the delay holds until the read
    emu.api.gc_delay, lag = 60.0, emu.api.gc_delay
    try:
        emu.cluster.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "spec": live["spec"],
                "metadata": {**meta, "ownerReferences": [earlier]},
            }
        )
        ready = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
        emu.cluster.patch_status("v1", "Pod", "default", "demo-earlier-head", ready)
        shown = json.loads(invoke("ray", "cluster", "status", "demo", "-o", "json").stdout)
    finally:
        emu.api.gc_delay = lag
    assert shown["head"]["pod"] == live["metadata"]["name"]
    [problem] = [p for p in shown["problems"] if p["reason"] == "MultipleHeadPods"]
    assert problem["hint"].endswith(
        f"keeping {live['metadata']['name']}: kubectl delete pod demo-earlier-head -n default"
    )


def test_a_controller_reference_is_compared_by_uid_where_the_rayclusters_uid_is_known() -> None:
    labels = {"ray.io/cluster": "c", "ray.io/node-type": "head"}
    ref = {"apiVersion": RAY, "kind": "RayCluster", "name": "c", "controller": True}
    mine = _pod("mine", creationTimestamp="2026-01-01T09:00:00Z", labels=labels, ownerReferences=[{**ref, "uid": "u1"}])
    earlier = _pod(
        "earlier", creationTimestamp="2026-01-01T12:00:00Z", labels=labels, ownerReferences=[{**ref, "uid": "u0"}]
    )
    assert owned_by_cluster(earlier) and not owned_by_cluster(earlier, "u1")
    assert ray.live_head([mine, earlier], "u1")["metadata"]["name"] == "mine"  # type: ignore[index]
    # Even a head of the earlier cluster that is Ready loses to this cluster's own head still starting.
    mine["status"] = {"phase": "Pending"}
    assert ray.live_head([mine, earlier], "u1")["metadata"]["name"] == "mine"  # type: ignore[index]
    # The summary of a RayCluster read with its uid picks the same.
    cluster = {"metadata": {"name": "c", "namespace": "ml", "uid": "u1"}, "spec": {}, "status": {}}
    assert ray.cluster_summary(cluster, [earlier, mine])["head"] == {"pod": "mine", "ready": False}
