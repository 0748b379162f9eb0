"""What akscli sends for Ray clusters against what KubeRay and `kubectl ray create cluster` do:
GPU workers sized from their VM, the plugin's flags, autoscaled groups, offline dry runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke
from tests.ray.conftest import schema_problems
from tests.ray.test_cli_cluster import gpu_node, ray_pods, wait_until

RAY = "ray.io/v1"


def rendered(*flags: str) -> dict[str, Any]:
    result = invoke("ray", "cluster", "create", "demo", "--dry-run=client", "-o", "json", *flags)
    assert result.exit_code == 0, result
    obj: dict[str, Any] = json.loads(result.stdout)
    return obj


def worker_resources(obj: dict[str, Any], index: int = 0) -> dict[str, Any]:
    resources: dict[str, Any] = obj["spec"]["workerGroupSpecs"][index]["template"]["spec"]["containers"][0]["resources"]
    return resources


# ---- GPU workers get their GPUs' share of the VM (as model serving sizes vLLM pods) ------------


def test_gpu_workers_get_their_gpus_share_of_the_vm_size() -> None:
    obj = rendered("--worker-gpu", "8", "--worker-vm-size", "Standard_ND96asr_v4")
    # 96 vCPUs and 900 GiB, less 20% for the node (akscli.model.runtime_values.pod_share).
    assert worker_resources(obj)["requests"] == {"cpu": "76", "memory": "720Gi", "nvidia.com/gpu": 8}
    half = rendered("--worker-group", "name=gpu,gpu=4,vm=Standard_ND96asr_v4,cpu=40")
    assert worker_resources(half)["requests"] == {"cpu": "40", "memory": "360Gi", "nvidia.com/gpu": 4}


def test_gpu_workers_are_sized_from_their_pools_nodes(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    gpu_node(emu)
    node = emu.cluster.get("v1", "Node", None, "aks-gpua100-0")
    node["metadata"]["labels"]["node.kubernetes.io/instance-type"] = "Standard_NC24ads_A100_v4"
    emu.cluster.update(node)
    result = invoke("ray", "cluster", "create", "pool", "--worker-gpu", "1", "--gpu-pool", "gpua100")
    assert result.exit_code == 0, result
    stored = emu.cluster.get(RAY, "RayCluster", "default", "pool")
    # 24 vCPUs and 220 GiB for 1 GPU of 1, less 20%.
    assert worker_resources(stored)["requests"] == {"cpu": "19", "memory": "176Gi", "nvidia.com/gpu": 1}


def test_an_unknown_vm_size_is_refused() -> None:
    result = invoke(
        "ray",
        "cluster",
        "create",
        "demo",
        "--dry-run=client",
        "--worker-gpu",
        "1",
        "--worker-vm-size",
        "Standard_D4s_v5",
    )
    assert result.exit_code == 2
    assert "not a GPU VM size akscli knows" in result.stderr


# ---- the gaps to `kubectl ray create cluster` (kubectl-plugin/pkg/util/generation/generation.go) ---


def test_cpu_is_requested_but_not_limited_as_the_kubectl_plugin_does() -> None:
    obj = rendered("--worker-cpu", "4", "--worker-memory", "16Gi")
    assert worker_resources(obj) == {"requests": {"cpu": "4", "memory": "16Gi"}, "limits": {"memory": "16Gi"}}
    head = obj["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["resources"]
    assert "cpu" not in head["limits"] and head["requests"]["cpu"] == "2"


def test_kubectl_ray_create_flags_reach_the_cluster() -> None:
    obj = rendered(
        "--autoscaler",
        "v2",
        "--service-account",
        "ray-sa",
        "--head-ephemeral-storage",
        "10Gi",
        "--worker-ephemeral-storage",
        "20Gi",
        "--head-node-selector",
        "kubernetes.azure.com/agentpool=system",
        "--annotation",
        "owner=ml-team",
    )
    spec = obj["spec"]
    assert spec["enableInTreeAutoscaling"] is True and spec["autoscalerOptions"] == {"version": "v2"}
    head = spec["headGroupSpec"]["template"]["spec"]
    worker = spec["workerGroupSpecs"][0]["template"]["spec"]
    assert head["serviceAccountName"] == worker["serviceAccountName"] == "ray-sa"
    assert head["nodeSelector"] == {"kubernetes.azure.com/agentpool": "system"}
    assert head["containers"][0]["resources"]["limits"]["ephemeral-storage"] == "10Gi"
    assert worker["containers"][0]["resources"]["requests"]["ephemeral-storage"] == "20Gi"
    assert obj["metadata"]["annotations"] == {"owner": "ml-team"}
    assert schema_problems(obj) == []


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--autoscaler", "v3"), "--autoscaler"),
        (("--service-account", "Bad_SA"), "--service-account"),
        (("--annotation", "no-equals"), "it has no '='"),
        (("--head-ephemeral-storage", "lots"), "ephemeral storage"),
    ],
)
def test_bad_create_flags_are_one_line(flags: tuple[str, ...], message: str) -> None:
    result = invoke("ray", "cluster", "create", "demo", "--dry-run=client", *flags)
    assert result.exit_code == 2, result
    assert message in result.stderr and "Traceback" not in result.stderr


# ---- scaling and the autoscaler (raycluster_controller.go reconcilePods) -----------------------


def test_the_simulator_deletes_autoscaled_workers_only_when_named(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    created = invoke(
        "ray", "cluster", "create", "auto", "--worker-replicas", "2", "--worker-min", "0", "--worker-max", "3"
    )
    assert created.exit_code == 0, created
    wait_until(lambda: len(ray_pods(emu, "auto", "default-group")) == 2)
    rc = emu.cluster.get(RAY, "RayCluster", "default", "auto")
    rc["spec"]["workerGroupSpecs"][0]["replicas"] = 1
    emu.cluster.update(rc)
    # the simulator may not have written the status yet: a missing status is "not yet", not an error
    wait_until(
        lambda: (
            (emu.cluster.get(RAY, "RayCluster", "default", "auto").get("status") or {}).get("desiredWorkerReplicas")
            == 1
        )
    )
    assert len(ray_pods(emu, "auto", "default-group")) == 2  # no random deletion with the autoscaler on
    victim = ray_pods(emu, "auto", "default-group")[0]["metadata"]["name"]
    rc = emu.cluster.get(RAY, "RayCluster", "default", "auto")
    rc["spec"]["workerGroupSpecs"][0]["scaleStrategy"] = {"workersToDelete": [victim]}
    emu.cluster.update(rc)
    wait_until(
        lambda: (
            [p["metadata"]["name"] for p in ray_pods(emu, "auto", "default-group")] != [victim]
            and len(ray_pods(emu, "auto", "default-group")) == 1
        )
    )
    group = emu.cluster.get(RAY, "RayCluster", "default", "auto")["spec"]["workerGroupSpecs"][0]
    assert group["scaleStrategy"]["workersToDelete"] == []


def test_scaling_replicas_of_an_autoscaled_group_is_refused(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    assert invoke("ray", "cluster", "create", "auto", "--worker-min", "0", "--worker-max", "2").exit_code == 0
    result = invoke("ray", "cluster", "scale", "auto", "--group", "default-group", "--replicas", "2")
    assert result.exit_code == 2
    assert "is autoscaled: the Ray autoscaler sets the replicas" in result.stderr
    moved = invoke("ray", "cluster", "scale", "auto", "--group", "default-group", "--min", "1", "--max", "4")
    assert moved.exit_code == 0, moved
    assert "now scales between 1 and 4" in moved.stdout


def test_an_autoscaled_group_on_a_cluster_without_autoscaler_is_refused(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "fixed").exit_code == 0
    result = invoke("ray", "workergroup", "add", "fixed", "burst", "--min", "0", "--max", "2")
    assert result.exit_code == 2
    assert "Ray cluster fixed has no autoscaler" in result.stderr
    groups = emu.cluster.get(RAY, "RayCluster", "default", "fixed")["spec"]["workerGroupSpecs"]
    assert [g["groupName"] for g in groups] == ["default-group"]


# ---- offline dry runs (#13 item 7) ----------------------------------------------------------


def test_job_submit_on_an_existing_cluster_dry_runs_without_a_cluster(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    result = invoke(
        "ray", "job", "submit", "--name", "j", "--cluster", "shared", "--dry-run=client", "--", "python", "x.py"
    )
    assert result.exit_code == 0, result
    assert "kind: RayJob" in result.stdout and "ray.io/cluster: shared" in result.stdout


def test_workergroup_add_dry_run_client_prints_the_patch_without_a_cluster(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    result = invoke("ray", "workergroup", "add", "demo", "gpu", "--worker-gpu", "1", "--dry-run=client", "-o", "json")
    assert result.exit_code == 0, result
    (op,) = json.loads(result.stdout)
    assert op["op"] == "add" and op["path"] == "/spec/workerGroupSpecs/-"
    assert op["value"]["groupName"] == "gpu" and op["value"]["template"]["spec"]["containers"][0]["image"].endswith(
        "-gpu"
    )
    assert "nothing was sent" in result.stderr


def test_workergroup_add_dry_run_server_changes_nothing(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "demo").exit_code == 0
    result = invoke("ray", "workergroup", "add", "demo", "more", "--replicas", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    groups = emu.cluster.get(RAY, "RayCluster", "default", "demo")["spec"]["workerGroupSpecs"]
    assert [g["groupName"] for g in groups] == ["default-group"]


# ---- the dashboard forward says why it waits (#15: ~60 s in silence) ---------------------------


def test_port_forward_to_a_head_the_kubelet_cannot_run_is_refused_before_listening(
    ray_emulator: Callable[..., Any],
) -> None:
    # kubectl port-forward refuses a pod that is not running before it listens (upstream:
    # kubernetes/kubectl pkg/cmd/portforward/portforward.go, runSinglePortForward: "unable to
    # forward port because pod is not running"); akscli says why, in the kubelet's words.
    import socket

    from akscli import errors, ray
    from akscli.kube.client import KubeTarget
    from akscli.kube.connecting import connect

    emu = ray_emulator(failure="image-pull")
    assert invoke("ray", "cluster", "create", "demo").exit_code == 0
    wait_until(lambda: any((p.get("status") or {}).get("containerStatuses") for p in ray_pods(emu, "demo")))
    forwarder = ray.DashboardForwarder(connect(KubeTarget()), "default", "demo", "demo-head-svc", port=0)
    with pytest.raises(errors.NotFoundError) as caught:
        forwarder.start()
    assert caught.value.message.startswith("the Ray dashboard of cluster demo is not serving yet: head pod demo-head")
    assert "container ray-head: ImagePullBackOff" in caught.value.message
    assert "attach-acr" in (caught.value.hint or "")
    with socket.socket() as probe:  # nothing listens on the port it had bound
        assert probe.connect_ex(("127.0.0.1", forwarder.port)) != 0
