"""Worker groups as KubeRay v1.7.0 counts them, and as `ray cluster status` shows them: pods per
group (multi-host groups) and GPUs (MIG devices are GPUs to KubeRay).

upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/util.go
GetWorkerGroupDesiredReplicas, CalculateDesiredResources; utils/resources.go IsGPUResourceKey;
raycluster_controller.go calculateStatus, sumGPUs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import ray_pods, wait_until

RAY = "ray.io/v1"
IMAGE = "rayproject/ray:2.52.0"


def group(name: str, limits: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "ray-worker", "image": IMAGE}
    if limits:
        container["resources"] = {"limits": limits}
    spec = {"groupName": name, "replicas": 1, "minReplicas": 0, "maxReplicas": 4, "rayStartParams": {}}
    return spec | {"template": {"spec": {"containers": [container]}}} | fields


def cluster_file(tmp_path: Path, *groups: dict[str, Any]) -> str:
    head = {"name": "ray-head", "image": IMAGE}
    spec = {
        "rayVersion": "2.52.0",
        "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [head]}}},
        "workerGroupSpecs": list(groups),
    }
    path = tmp_path / "rc.yaml"
    path.write_text(json.dumps({"apiVersion": RAY, "kind": "RayCluster", "spec": spec}))
    return str(path)


def status(name: str) -> dict[str, Any]:
    shown = invoke("ray", "cluster", "status", name, "-o", "json")
    assert shown.exit_code == 0, shown
    result: dict[str, Any] = json.loads(shown.stdout)
    return result


def test_a_multi_host_group_wants_a_pod_per_host(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    emu = ray_emulator()
    path = cluster_file(tmp_path, group("tpu", numOfHosts=2))
    assert invoke("ray", "cluster", "create", "hosts", "-f", path).exit_code == 0
    wait_until(lambda: len(ray_pods(emu, "hosts", "tpu")) == 2)
    (shown,) = status("hosts")["groups"]
    assert (shown["ready"], shown["desired"]) == (2, 2)


def test_a_group_above_its_max_replicas_wants_its_max(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    ray_emulator()
    path = cluster_file(tmp_path, group("capped", replicas=3, maxReplicas=2))
    assert invoke("ray", "cluster", "create", "capped", "-f", path, "--wait", "--timeout", "20s").exit_code == 0
    (shown,) = status("capped")["groups"]
    assert (shown["ready"], shown["desired"]) == (2, 2)


def test_mig_devices_are_gpus_to_kuberay_and_to_status(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    emu = ray_emulator()
    path = cluster_file(tmp_path, group("mig", {"nvidia.com/mig-1g.10gb": 1}, replicas=2))
    assert invoke("ray", "cluster", "create", "mig", "-f", path).exit_code == 0
    wait_until(lambda: bool(emu.cluster.get(RAY, "RayCluster", "default", "mig").get("status") or {}))
    assert emu.cluster.get(RAY, "RayCluster", "default", "mig")["status"]["desiredGPU"] == "2"
    shown = status("mig")
    assert shown["groups"][0]["gpus_per_pod"] == 1
    assert shown["gpus"]["desired"] == 2


def test_head_pod_ready_carries_the_head_containers_own_reason(ray_emulator: Callable[..., Any]) -> None:
    # utils/util.go FindHeadPodReadyCondition: the kubelet's ContainersNotReady gives way to the
    # waiting container's reason, its message appended to the pod condition's.
    emu = ray_emulator(failure="image-pull")
    assert invoke("ray", "cluster", "create", "pull", "--image", "myacr.azurecr.io/ray:nope").exit_code == 0

    def head_pod_ready() -> dict[str, Any]:
        status = emu.cluster.get(RAY, "RayCluster", "default", "pull").get("status") or {}
        return next((c for c in status.get("conditions") or [] if c["type"] == "HeadPodReady"), {})

    # The operator's first status can come before the kubelet's pull failure: waited for, not read once.
    wait_until(lambda: head_pod_ready().get("reason") == "ImagePullBackOff", timeout=30)
    conds = {"HeadPodReady": head_pod_ready()}
    assert (conds["HeadPodReady"]["status"], conds["HeadPodReady"]["reason"]) == ("False", "ImagePullBackOff")
    assert conds["HeadPodReady"]["message"] == (
        'containers with unready status: [ray-head]; ray-head: Back-off pulling image "myacr.azurecr.io/ray:nope"'
    )
    waited = invoke(
        "ray", "cluster", "create", "pull", "--image", "myacr.azurecr.io/ray:nope", "--wait", "--timeout", "1s"
    )
    assert "HeadPodReady=False (ImagePullBackOff)" in waited.stderr


def test_changing_a_running_clusters_image_warns_its_pods_keep_the_old_one(ray_emulator: Callable[..., Any]) -> None:
    # raycluster_controller.go shouldRecreatePodsForUpgrade: only upgradeStrategy Recreate rolls pods.
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "live", "--wait", "--timeout", "20s").exit_code == 0
    same = invoke("ray", "cluster", "create", "live")
    assert same.exit_code == 0 and "keeps its running pods" not in same.stderr
    changed = invoke("ray", "cluster", "create", "live", "--image", "rayproject/ray:2.53.0")
    assert changed.exit_code == 0, changed
    assert "Ray cluster live exists: KubeRay keeps its running pods (head, worker group default-group)" in (
        changed.stderr
    )
    head = next(p for p in ray_pods(emu, "live") if p["metadata"]["labels"]["ray.io/node-type"] == "head")
    assert head["spec"]["containers"][0]["image"] == "rayproject/ray:2.52.0"
