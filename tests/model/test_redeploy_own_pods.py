"""A redeploy of a vLLM model weighs the nodes without the model's own running pods: akscli's
Deployment has strategy Recreate, so the Deployment controller deletes them before it makes the new
ones (upstream: kubernetes/kubernetes pkg/controller/deployment/recreate.go rolloutRecreate, "Do
not process a deployment when it has old pods running"). Counted, they filled the plan's size and
the redeploy moved the model to a dearer one (found adding --expose to a running model)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import NC_A100, ND_H100, node
from tests.cli import invoke
from tests.model.test_deploy_cluster_room import a100, deployment_size, gpu_pod

Start = Callable[..., Any]


def deploy(*extra: str) -> Any:
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", *extra, "-y")
    assert result.exit_code == 0, result
    return result


def test_a_redeploy_keeps_the_size_its_own_running_pod_holds(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100())
    emu.cluster.create(node("h100-0", size=ND_H100))
    deploy("--wait", "--timeout", "2m")  # until its pod runs, bound to a100-0
    assert [p["spec"].get("nodeName") for p in emu.cluster.list("v1", "Pod", "default")] == ["a100-0"]
    result = deploy()  # the same model again: its pod on a100-0 goes before the new one comes
    assert deployment_size(emu) == NC_A100
    assert "have room for the pods" not in result.stderr


def test_another_models_pod_on_the_node_still_takes_its_gpu(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100())
    emu.cluster.create(node("h100-0", size=ND_H100))
    gpu_pod(emu, "other", "a100-0", 1)  # in team-a, not the model's
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert f"no {NC_A100} node of the cluster can take the pods now (1 without 1 free GPU)" in result.stderr


def test_a_changed_redeploy_on_a_full_one_gpu_node_rolls_out_and_waits_ready(model_emulator: Start) -> None:
    """Recreate on a node whose one GPU the old pod holds: the Deployment controller scales the old
    ReplicaSet to 0 and makes the new pod once the old one is gone (recreate.go rolloutRecreate,
    oldPodsRunning), so the new config comes up on that GPU. With the default RollingUpdate the new
    pod would wait Pending beside the old one until ProgressDeadlineExceeded."""
    emu = model_emulator()
    emu.cluster.create(a100())
    deploy("--wait", "--timeout", "2m")
    first = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["status"]
    deploy("--max-model-len", "4096", "--wait", "--timeout", "2m")
    pods = [p for p in emu.cluster.list("v1", "Pod", "default") if not p["metadata"].get("deletionTimestamp")]
    dep = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")
    assert [(p["status"]["phase"], p["spec"].get("nodeName")) for p in pods] == [("Running", "a100-0")]
    assert "4096" in " ".join(pods[0]["spec"]["containers"][0]["args"])
    assert dep["status"]["updatedReplicas"] == dep["status"]["availableReplicas"] == 1
    assert first["observedGeneration"] < dep["status"]["observedGeneration"]
