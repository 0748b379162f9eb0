"""A pod the scheduler left Pending is placed when a node it fits arrives or changes, as
kube-scheduler's queue moves unschedulable pods back to active on Node events
(tests/emulators/kube/controllers/rescheduling.py names the upstream files)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.rescheduling import unschedulable_pods
from tests.kube_emulator.helpers import deployment
from tests.kube_emulator.test_scheduling import gpu_deployment, gpu_job, node, pending_message, pods, seed


def placed(emu: KubeEmulator, app: str) -> list[str]:
    return sorted(p["spec"].get("nodeName") or "" for p in pods(emu, app))


def deployment_ready(emu: KubeEmulator, name: str) -> int:
    d = emu.cluster.get("apps/v1", "Deployment", "default", name) or {}
    return int((d.get("status") or {}).get("readyReplicas") or 0)


def place_a_pending_gpu_pod_on_a_new_gpu_node(emu: KubeEmulator) -> None:
    """Deployment ``llm`` waits on a CPU node ``cpu-0``; a GPU node ``gpu-0`` arrives and takes its pod."""
    seed(emu, node("cpu-0"))
    emu.cluster.create(gpu_deployment("llm"))
    pending_message(emu, "llm")
    emu.cluster.create(node("gpu-0", gpus=1))
    assert wait_until(lambda: placed(emu, "llm") == ["gpu-0"])


def test_a_pending_pod_runs_when_a_node_that_fits_is_added(kube_emulator: KubeEmulator) -> None:
    place_a_pending_gpu_pod_on_a_new_gpu_node(kube_emulator)
    # bound first (spec.nodeName), then the kubelet's Running status: two writes, as upstream
    assert wait_until(lambda: pods(kube_emulator, "llm")[0]["status"]["phase"] == "Running")
    # The Deployment's controller sees its pod run, as its informer would.
    assert wait_until(lambda: deployment_ready(kube_emulator, "llm") == 1)


def test_binding_records_the_schedulers_scheduled_event(kube_emulator: KubeEmulator) -> None:
    place_a_pending_gpu_pod_on_a_new_gpu_node(kube_emulator)
    name = pods(kube_emulator, "llm")[0]["metadata"]["name"]
    assert wait_until(
        lambda: any(
            e["reason"] == "Scheduled" and e["message"] == f"Successfully assigned default/{name} to gpu-0"
            for e in kube_emulator.cluster.list("v1", "Event", "default")
        )
    )


def test_a_pending_pod_runs_when_its_nodes_taint_is_removed(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("gpu-0", gpus=1))
    kube_emulator.cluster.create(gpu_deployment("llm", tolerate=False))
    pending_message(kube_emulator, "llm")
    kube_emulator.cluster.patch("v1", "Node", None, "gpu-0", {"spec": {"taints": None}})
    assert wait_until(lambda: placed(kube_emulator, "llm") == ["gpu-0"])


def test_a_pending_pod_runs_when_its_node_is_uncordoned(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("a", unschedulable=True))
    kube_emulator.cluster.create(deployment("web", replicas=1))
    pending_message(kube_emulator, "web")
    kube_emulator.cluster.patch("v1", "Node", None, "a", {"spec": {"unschedulable": None}})
    assert wait_until(lambda: placed(kube_emulator, "web") == ["a"])


def test_a_node_that_still_does_not_fit_updates_the_pending_message(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("cpu-0"))
    kube_emulator.cluster.create(gpu_deployment("llm"))
    pending_message(kube_emulator, "llm")
    kube_emulator.cluster.create(node("cpu-1"))
    assert wait_until(
        lambda: pending_message(kube_emulator, "llm").startswith(
            "0/2 nodes are available: 2 Insufficient nvidia.com/gpu."
        )
    )


def test_a_pending_pod_runs_when_a_bound_pod_frees_its_gpu(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("gpu-0", gpus=1))
    kube_emulator.cluster.create(gpu_deployment("first"))
    assert wait_until(lambda: placed(kube_emulator, "first") == ["gpu-0"])
    kube_emulator.cluster.create(gpu_deployment("second"))
    pending_message(kube_emulator, "second")
    kube_emulator.cluster.delete("apps/v1", "Deployment", "default", "first")
    assert wait_until(lambda: placed(kube_emulator, "second") == ["gpu-0"], timeout=10)


def test_a_pending_job_pod_runs_and_the_job_completes_when_a_gpu_node_arrives(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("cpu-0"))
    job = gpu_job("bench")
    job["spec"]["template"]["spec"]["tolerations"] = [{"key": "sku", "operator": "Exists", "effect": "NoSchedule"}]
    kube_emulator.cluster.create(job)
    pending_message(kube_emulator, "bench")
    kube_emulator.cluster.create(node("gpu-0", gpus=1))

    def complete() -> bool:
        status = (kube_emulator.cluster.get("batch/v1", "Job", "default", "bench") or {}).get("status") or {}
        return any(c["type"] == "Complete" and c["status"] == "True" for c in status.get("conditions") or [])

    assert wait_until(complete)


def test_an_injected_unschedulable_failure_stays_pending_when_nodes_arrive(kube_emulator_factory: Any) -> None:
    emu = kube_emulator_factory(controller_failure="unschedulable")
    emu.cluster.create(deployment("web", replicas=1))
    pending_message(emu, "web")
    emu.cluster.create(node("cpu-0"))
    emu.controllers.idle()
    assert [p["status"]["phase"] for p in pods(emu, "web")] == ["Pending"]


def test_the_waiting_pods_are_known_from_events_not_a_scan(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("cpu-0"))
    kube_emulator.cluster.create(gpu_deployment("llm"))
    pending_message(kube_emulator, "llm")
    name = pods(kube_emulator, "llm")[0]["metadata"]["name"]
    assert list(unschedulable_pods(kube_emulator.api).snapshot()) == [f"default/{name}"]
    kube_emulator.cluster.create(node("gpu-0", gpus=1))
    assert wait_until(lambda: not unschedulable_pods(kube_emulator.api).snapshot())


def ray_cluster(name: str) -> dict[str, Any]:
    container = {"name": "ray-worker", "image": "rayproject/ray:2.52.0"}
    gpu_container = {**container, "resources": {"limits": {"nvidia.com/gpu": "1"}}}
    tolerations = [{"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}]
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "headGroupSpec": {
                "rayStartParams": {},
                "template": {"spec": {"containers": [{**container, "name": "ray-head"}]}},
            },
            "workerGroupSpecs": [
                {
                    "groupName": "gpu",
                    "replicas": 1,
                    "minReplicas": 1,
                    "maxReplicas": 1,
                    "rayStartParams": {},
                    "template": {"spec": {"containers": [gpu_container], "tolerations": tolerations}},
                }
            ],
        },
    }


def ray_pod(emu: KubeEmulator, cluster: str, kind: str) -> dict[str, Any]:
    found = emu.cluster.list("v1", "Pod", "default", label_selector=f"ray.io/cluster={cluster},ray.io/node-type={kind}")
    return found[0] if found else {}


def test_kuberay_pods_go_through_the_scheduler_and_a_gpu_worker_waits_for_a_gpu_node(
    kube_emulator: KubeEmulator,
) -> None:
    from tests.emulators.kube.controllers.kuberay import KubeRayController

    kube_emulator.controllers.add(KubeRayController(delay=0.02))
    seed(kube_emulator, node("cpu-0"))
    kube_emulator.cluster.create(ray_cluster("demo"))
    # Pending with the scheduler's verdict (the pod is Pending, without conditions, before it).
    assert wait_until(lambda: ray_pod(kube_emulator, "demo", "worker").get("status", {}).get("conditions"))
    assert wait_until(lambda: ray_pod(kube_emulator, "demo", "head").get("spec", {}).get("nodeName") == "cpu-0")
    worker = ray_pod(kube_emulator, "demo", "worker")
    assert worker["status"]["conditions"][0]["message"].startswith(
        "0/1 nodes are available: 1 Insufficient nvidia.com/gpu."
    )
    kube_emulator.cluster.create(node("gpu-0", gpus=1))
    assert wait_until(lambda: ray_pod(kube_emulator, "demo", "worker").get("spec", {}).get("nodeName") == "gpu-0")
    # The RayCluster's controller sees its worker run: the cluster is ready.
    assert wait_until(
        lambda: (
            (kube_emulator.cluster.get("ray.io/v1", "RayCluster", "default", "demo") or {})
            .get("status", {})
            .get("state")
            == "ready"
        )
    )
