"""A model whose pod waits for a node: the wait's error and `model status` say what the cluster
autoscaler does about it (akscli.kube.scale_up names the upstream files), against the lab's
autoscaler simulator (tests/emulators/autoscaler.py) linking an ARM cluster's pools to the nodes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import small_cpu_node
from tests.cli import invoke
from tests.emulators.arm.server import ArmEmulator
from tests.emulators.autoscaler import ClusterAutoscaler

Start = Callable[..., Any]
A100 = "Standard_NC24ads_A100_v4"
DEPLOY = ("model", "deploy", "phi-4", "--runtime", "vllm", "--vm-size", A100, "-y")


def lab(model_emulator: Start, arm: ArmEmulator, boot: float = 0.0, **pool: Any) -> Any:
    """The model emulator with a system node, an ARM cluster with one autoscaling A100 pool
    ``gpu`` (``pool`` overrides its properties) and the autoscaler linking them; ``boot``: the
    seconds a new node takes to join."""
    emu = model_emulator()
    emu.cluster.create(small_cpu_node(labels={"kubernetes.azure.com/mode": "system"}))
    cluster_id = f"/subscriptions/{arm.subscription}/resourceGroups/rg-ml/providers/Microsoft.ContainerService/managedClusters/ml"  # noqa: E501
    arm.put_resource(cluster_id, {"location": "eastus", "properties": {"agentPoolProfiles": []}})
    body = {"vmSize": A100, "count": 0, "enableAutoScaling": True, "minCount": 0, "maxCount": 4,
            "nodeTaints": ["nvidia.com/gpu=present:NoSchedule"], "mode": "User", **pool}  # fmt: skip
    arm.put_resource(f"{cluster_id}/agentPools/gpu", {"properties": body})
    emu.autoscaler = ClusterAutoscaler(arm, delay=0.02, boot=boot)
    emu.controllers.add(emu.autoscaler)
    return emu


def text(result: Any) -> str:
    return f"{result.stdout}\n{result.stderr}"


def test_a_wait_on_a_pool_that_grows_says_a_node_is_being_added(
    model_emulator: Start, arm_emulator: ArmEmulator
) -> None:
    lab(model_emulator, arm_emulator, boot=120)
    result = invoke(*DEPLOY, "--wait", "--timeout", "2s")
    assert result.exit_code == 5, result
    out = text(result)
    # The scheduler's line as before, then the autoscaler's event in its words.
    assert " not scheduled: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector." in out
    assert "; cluster autoscaler: pod triggered scale-up: [{aks-gpu-" in out and "-vmss 0->1 (max: 4)}]" in out
    assert "the cluster autoscaler is adding a node: node pool gpu 0->1 (max 4)" in out
    assert "raise --timeout" in out and "add nodes or free capacity" not in out


def test_a_wait_on_a_pool_at_its_maximum_names_the_pool_to_raise(
    model_emulator: Start, arm_emulator: ArmEmulator
) -> None:
    lab(model_emulator, arm_emulator, maxCount=1)
    result = invoke(*DEPLOY, "--replicas", "2", "--wait", "--timeout", "3s")
    assert result.exit_code == 5, result
    out = text(result)
    assert "; cluster autoscaler: pod didn't trigger scale-up: 1 max node group size reached" in out
    # The event names no pool; the nodes the pod's instance-type selector picks are all in gpu.
    assert "akscli nodepool scale gpu --cluster CLUSTER -g GROUP --max N" in out
    assert "raise --timeout" not in out


def test_a_wait_on_a_pod_no_pool_tolerates_says_it_fits_no_pool(
    model_emulator: Start, arm_emulator: ArmEmulator
) -> None:
    # A spot pool: AKS taints its nodes kubernetes.azure.com/scalesetpriority=spot:NoSchedule,
    # which the vLLM pod does not tolerate.
    lab(model_emulator, arm_emulator, scaleSetPriority="Spot")
    result = invoke(*DEPLOY, "--wait", "--timeout", "2s")
    assert result.exit_code == 5, result
    out = text(result)
    assert "; cluster autoscaler: pod didn't trigger scale-up: 1 node(s) had untolerated taint" in out
    assert "the pod fits no autoscaling node pool" in out and "akscli nodepool add" in out


def test_a_wait_without_an_autoscaler_keeps_the_plain_hint(model_emulator: Start) -> None:
    # A pin: no autoscaler event, the scheduler's hint. The one node is not an A100 (the pod's
    # node selector), so the hint says that no node matches rather than that nodes are full.
    model_emulator().cluster.create(small_cpu_node(labels={"kubernetes.azure.com/mode": "system"}))
    result = invoke(*DEPLOY, "--wait", "--timeout", "1s")
    assert result.exit_code == 5, result
    out = text(result)
    assert "no node matches the pod's node selector or affinity" in out and "cluster autoscaler:" not in out


def test_a_wait_on_a_cluster_with_no_node_quotes_the_scheduler_and_says_to_add_nodes(model_emulator: Start) -> None:
    # No Node at all: the vLLM Deployment's pod stays Pending with kube-scheduler's
    # ErrNoNodesAvailable (kubernetes/kubernetes: pkg/scheduler/schedule_one.go), never Ready.
    model_emulator()
    result = invoke(*DEPLOY, "--wait", "--timeout", "1s")
    assert result.exit_code == 5, result
    out = text(result)
    assert " not scheduled: no nodes available to schedule pods" in out
    assert "the cluster has no nodes (kubectl get nodes lists none): add nodes" in out


def pods_line(contains: str, deadline: float = 5) -> str:
    end = time.monotonic() + deadline
    line = ""
    while time.monotonic() < end:
        line = json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout).get("pods") or ""
        if contains in line:
            break
        time.sleep(0.05)
    return line


def test_status_of_a_model_on_a_growing_pool_says_a_node_is_being_added(
    model_emulator: Start, arm_emulator: ArmEmulator
) -> None:
    lab(model_emulator, arm_emulator, boot=120)
    assert invoke(*DEPLOY).exit_code == 0
    line = pods_line("cluster autoscaler")
    assert line.startswith("pod phi-4-") and " not scheduled: 0/1 nodes are available:" in line
    assert "; cluster autoscaler: pod triggered scale-up: [{aks-gpu-" in line
    assert "(the cluster autoscaler is adding a node: node pool gpu 0->1 (max 4))" in line
    assert "cluster autoscaler: pod triggered" in invoke("model", "status", "phi-4").stdout


def test_status_of_a_model_on_a_full_pool_says_to_raise_its_maximum(
    model_emulator: Start, arm_emulator: ArmEmulator
) -> None:
    lab(model_emulator, arm_emulator, maxCount=1)
    assert invoke(*DEPLOY, "--replicas", "2").exit_code == 0
    line = pods_line("max node group size reached")
    assert "; cluster autoscaler: pod didn't trigger scale-up: 1 max node group size reached" in line
    assert "akscli nodepool scale gpu --cluster CLUSTER -g GROUP --max N" in line


def pods_read_by_name(emu: Any) -> list[str]:
    """The GETs of one pod by name the emulator recorded (a page of pods is a list, and a pod's
    subresources, as its metrics through the proxy, are not the pod)."""
    return [
        r.path
        for r in emu.requests(method="GET", verb="get")
        if "/pods/" in r.path and "/" not in r.path.partition("/pods/")[2]
    ]


def test_a_wait_on_a_full_pool_does_not_read_the_pending_pod_again_by_name(
    model_emulator: Start, arm_emulator: ArmEmulator
) -> None:
    # The page of pods the timeout reads has the pod: the pool it asks for comes from that copy.
    emu = lab(model_emulator, arm_emulator, maxCount=1)
    with emu._log_lock:
        emu.request_log.clear()
    result = invoke(*DEPLOY, "--replicas", "2", "--wait", "--timeout", "3s")
    assert "akscli nodepool scale gpu --cluster CLUSTER -g GROUP --max N" in text(result)
    assert pods_read_by_name(emu) == []


def test_status_of_a_model_on_a_full_pool_does_not_read_the_pending_pod_again_by_name(
    model_emulator: Start, arm_emulator: ArmEmulator
) -> None:
    emu = lab(model_emulator, arm_emulator, maxCount=1)
    assert invoke(*DEPLOY, "--replicas", "2").exit_code == 0
    assert "max node group size reached" in pods_line("max node group size reached")
    with emu._log_lock:
        emu.request_log.clear()
    assert "--max N" in json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout)["pods"]
    assert pods_read_by_name(emu) == []
