"""A RayCluster deleted and created again under its name while the garbage collector has not yet
removed the old one's pods: the new cluster lists them by its label (ray.io/cluster) and counts the
old head as its own; that pod's removal reconciles the cluster of its owner's name (KubeRay's
``Owns(&corev1.Pod{})``; controller-runtime's EnqueueRequestForOwner compares no UID), which then
makes its own head (upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/
raycluster_controller.go SetupWithManager)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.emulators.kube.apiserver_common import wait_until

RAY = "ray.io/v1"
HEAD = "ray.io/cluster=demo,ray.io/node-type=head"
CONTAINER = {"name": "ray-head", "image": "rayproject/ray:2.52.0"}
SPEC = {
    "rayVersion": "2.52.0",
    "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [CONTAINER]}}},
}


def test_a_raycluster_created_again_makes_its_own_head_once_the_old_one_goes(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    cluster = {"apiVersion": RAY, "kind": "RayCluster", "metadata": {"name": "demo", "namespace": "default"}}
    emu.cluster.create({**cluster, "spec": SPEC})
    assert wait_until(lambda: emu.cluster.list("v1", "Pod", "default", label_selector=HEAD), timeout=10)
    [old] = emu.cluster.list("v1", "Pod", "default", label_selector=HEAD)
    hold = {"metadata": {"finalizers": ["example.com/hold"]}}
    emu.cluster.patch("v1", "Pod", "default", old["metadata"]["name"], hold)
    emu.cluster.delete(RAY, "RayCluster", "default", "demo")
    assert wait_until(lambda: emu.cluster.get(RAY, "RayCluster", "default", "demo") is None, timeout=10)
    uid = emu.cluster.create({**cluster, "spec": SPEC})["metadata"]["uid"]
    assert emu.idle(10)
    emu.cluster.patch("v1", "Pod", "default", old["metadata"]["name"], {"metadata": {"finalizers": None}})

    def own_head() -> bool:
        heads = emu.cluster.list("v1", "Pod", "default", label_selector=HEAD)
        return [ref["uid"] for p in heads for ref in p["metadata"]["ownerReferences"]] == [uid]

    assert wait_until(own_head, timeout=10)
