"""akscli ray cluster / workergroup against the Kubernetes emulator and the KubeRay simulator."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke, list_items
from tests.ray.conftest import akscli

RAY = "ray.io/v1"


def gpu_node(emu: Any, name: str = "aks-gpua100-0", pool: str = "gpua100") -> None:
    """Adds an NC24ads_A100_v4 node (one A100, no taint) to the emulator."""
    emu.cluster.create(nc_a100_node(name, pool=pool))


def wait_until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def ray_pods(emu: Any, cluster: str, group: str | None = None) -> list[dict[str, Any]]:
    selector = f"ray.io/cluster={cluster}" + (f",ray.io/group={group}" if group else "")
    return list(emu.cluster.list("v1", "Pod", "default", label_selector=selector))


def test_create_waits_until_provisioned_and_head_ready(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    result = akscli("ray cluster create demo --worker-replicas 2 --wait --timeout 20s -o name")
    assert result.exit_code == 0, result
    assert "raycluster.ray.io/demo" in result.stdout
    stored = emu.cluster.get(RAY, "RayCluster", "default", "demo")
    conditions = {c["type"]: c["status"] for c in stored["status"]["conditions"]}
    # raycluster_controller.go calculateStatus also writes the two suspend conditions, False.
    assert conditions == {
        "RayClusterProvisioned": "True",
        "HeadPodReady": "True",
        "RayClusterSuspended": "False",
        "RayClusterSuspending": "False",
    }
    assert stored["metadata"]["labels"]["akscli.io/stack"] == "ray-demo"
    assert len(ray_pods(emu, "demo")) == 3


def test_create_from_a_file_keeps_the_file_spec(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    emu = ray_emulator()
    rendered = invoke("ray", "cluster", "create", "filed", "--worker-replicas", "3", "--dry-run=client")
    assert rendered.exit_code == 0, rendered
    path = tmp_path / "rc.yaml"
    path.write_text(rendered.stdout)
    result = invoke("ray", "cluster", "create", "filed", "-f", str(path))
    assert result.exit_code == 0, result
    stored = emu.cluster.get(RAY, "RayCluster", "default", "filed")
    assert stored["spec"]["workerGroupSpecs"][0]["replicas"] == 3


def test_file_for_another_name_is_refused(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    ray_emulator()
    path = tmp_path / "rc.yaml"
    path.write_text(invoke("ray", "cluster", "create", "other", "--dry-run=client").stdout)
    result = invoke("ray", "cluster", "create", "mine", "-f", str(path))
    assert result.exit_code == 2
    assert "names the cluster 'other', not 'mine'" in result.stderr


def test_a_file_with_cluster_flags_is_refused_naming_them(tmp_path: Path) -> None:
    path = tmp_path / "rc.yaml"
    path.write_text(invoke("ray", "cluster", "create", "filed", "--dry-run=client").stdout)
    result = invoke("ray", "cluster", "create", "filed", "-f", str(path), "--worker-gpu", "1", "--dry-run=client")
    assert result.exit_code == 2
    assert "error: -f cannot be combined with cluster flags (--worker-gpu)" in result.stderr


def test_gpus_on_a_cluster_without_gpu_nodes_name_the_pool_to_add(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    result = invoke("ray", "cluster", "create", "demo", "--worker-gpu", "1")
    assert result.exit_code == 2
    assert "error: Ray cluster demo asks for GPUs but the cluster has no GPU nodes" in result.stderr
    assert "hint: add a GPU node pool (e.g. akscli nodepool add gpu" in result.stderr
    assert "Traceback" not in result.stderr
    assert emu.cluster.get(RAY, "RayCluster", "default", "demo") is None


def test_the_no_gpu_hint_names_the_options_nodepool_add_requires(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    result = invoke("ray", "cluster", "create", "demo", "--worker-gpu", "1")
    hint = next(line for line in result.stderr.splitlines() if line.startswith("hint: "))
    assert "akscli nodepool add gpu --cluster CLUSTER -g RESOURCE_GROUP --vm-size" in hint


def test_gpu_pool_without_nodes_only_warns(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    result = akscli("ray cluster create demo --worker-gpu 1 --gpu-pool gpuzero --worker-min 0 --worker-max 2")
    assert result.exit_code == 0, result
    assert "node pool gpuzero has no nodes" in result.stderr
    group = emu.cluster.get(RAY, "RayCluster", "default", "demo")["spec"]["workerGroupSpecs"][0]
    assert group["template"]["spec"]["nodeSelector"] == {"kubernetes.azure.com/agentpool": "gpuzero"}


def autoscaler_status(emu: Any, *groups: tuple[str, int]) -> None:
    """The cluster autoscaler's status ConfigMap (cluster-autoscaler 1.30+ YAML, as
    tests/baremetal/test_nccl_growth.py writes it), one node group per (scale set, maxSize)."""
    lines = ["time: 2026-12-05 12:00:00.000000000 +0000 UTC", "autoscalerStatus: Running", "nodeGroups:"]
    for name, top in groups:
        lines += [f"- name: {name}", "  health:", "    status: Healthy", "    cloudProviderTarget: 0",
                  "    minSize: 0", f"    maxSize: {top}"]  # fmt: skip
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "cluster-autoscaler-status", "namespace": "kube-system"},
            "data": {"status": "\n".join(lines) + "\n"},
        }
    )


def test_a_misspelt_gpu_pool_is_named_with_the_pool_the_autoscaler_scales(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    autoscaler_status(emu, ("aks-gpua100-12345678-vmss", 3))
    result = akscli("ray cluster create demo --worker-gpu 1 --gpu-pool gpua10 --worker-min 0 --worker-max 2")
    assert result.exit_code == 0, result
    assert "the cluster autoscaler does not scale it (it scales gpua100) (did you mean gpua100?)" in result.stderr
    assert "scales up" not in result.stderr


def test_a_gpu_pool_the_autoscaler_scales_from_zero_is_said_to_get_nodes(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    autoscaler_status(emu, ("aks-gpua100-12345678-vmss", 3))
    result = akscli("ray cluster create demo --worker-gpu 1 --gpu-pool gpua100 --worker-min 0 --worker-max 2")
    assert result.exit_code == 0, result
    assert "node pool gpua100 has no nodes now; the cluster autoscaler adds them (up to 3)" in result.stderr


def test_kuberay_missing_is_named_with_its_install_command(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(crds=False)
    result = invoke("ray", "cluster", "list")
    assert result.exit_code == 7
    assert "error: KubeRay is not installed on this cluster" in result.stderr
    assert "helm install kuberay-operator" in result.stderr


def test_list_as_json_and_across_namespaces(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    assert invoke("ray", "cluster", "create", "a", "--wait", "--timeout", "20s").exit_code == 0
    listed = invoke("ray", "cluster", "list", "-o", "json")
    assert [c["metadata"]["name"] for c in list_items(listed.stdout)] == ["a"]
    table = invoke("ray", "cluster", "list", "-A")
    assert table.stdout.splitlines()[0].split()[:2] == ["NAMESPACE", "NAME"]
    assert "ready" in table.stdout


def test_status_shows_groups_and_gpus_in_use(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    gpu_node(emu)
    created = akscli(
        "ray cluster create demo --wait --timeout 20s"
        " --worker-group name=gpu,gpu=1,pool=gpua100,replicas=1 --worker-group name=cpu,replicas=2"
    )
    assert created.exit_code == 0, created
    status = json.loads(invoke("ray", "cluster", "status", "demo", "-o", "json").stdout)
    groups = {g["name"]: (g["ready"], g["desired"]) for g in status["groups"]}
    assert groups == {"gpu": (1, 1), "cpu": (2, 2)}
    assert status["gpus"] == {"desired": 1, "inUse": 1}
    table = invoke("ray", "cluster", "status", "demo").stdout
    assert "group gpu:" in table and "1/1 ready" in table


def test_status_explains_an_image_pull_failure(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(failure="image-pull")
    created = akscli("ray cluster create demo --image myacr.azurecr.io/ray:nope --wait --timeout 1s")
    assert created.exit_code == 5
    assert "timed out" in created.stderr
    status = invoke("ray", "cluster", "status", "demo")
    assert "ImagePullBackOff" in status.stdout
    assert "az aks update --attach-acr" in status.stdout


def test_scale_unknown_group_lists_existing_groups(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    assert invoke("ray", "cluster", "create", "demo").exit_code == 0
    result = invoke("ray", "cluster", "scale", "demo", "--group", "gpu", "--replicas", "2")
    assert result.exit_code == 2
    assert "worker group 'gpu' does not exist in Ray cluster demo" in result.stderr
    assert "hint: its worker groups: default-group" in result.stderr


def test_scale_changes_replicas_and_the_simulator_follows(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "demo", "--wait", "--timeout", "20s").exit_code == 0
    result = akscli("ray cluster scale demo --group default-group --replicas 3 --max 5 -o json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["replicas"] == 3
    wait_until(lambda: len(ray_pods(emu, "demo", "default-group")) == 3)
    # Without --group, the cluster's only group (click said `Missing option '--group'`).
    again = invoke("ray", "cluster", "scale", "demo", "--replicas", "3")
    assert "worker group default-group of demo already matches; nothing changed" in again.stdout


def test_workergroup_add_appends_a_group(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    gpu_node(emu)
    assert invoke("ray", "cluster", "create", "demo").exit_code == 0
    result = akscli("ray workergroup add demo big --worker-gpu 1 --gpu-pool gpua100 --replicas 1")
    assert result.exit_code == 0, result
    names = [g["groupName"] for g in emu.cluster.get(RAY, "RayCluster", "default", "demo")["spec"]["workerGroupSpecs"]]
    assert names == ["default-group", "big"]
    wait_until(lambda: len(ray_pods(emu, "demo", "big")) == 1)
    listed = list_items(invoke("ray", "workergroup", "list", "demo", "-o", "json").stdout)
    assert {g["name"] for g in listed} == {"default-group", "big"}
    duplicate = invoke("ray", "workergroup", "add", "demo", "big")
    assert duplicate.exit_code == 2 and "already exists" in duplicate.stderr


def test_scale_name_is_the_cluster_list_line(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    assert invoke("ray", "cluster", "create", "demo").exit_code == 0
    result = invoke("ray", "cluster", "scale", "demo", "--group", "default-group", "--max", "3", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.split() == invoke("ray", "cluster", "list", "-o", "name").stdout.split()
    assert result.stdout.split() == ["raycluster.ray.io/demo"]


def test_workergroup_add_name_is_the_workergroup_list_line(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    assert invoke("ray", "cluster", "create", "demo").exit_code == 0
    result = invoke("ray", "workergroup", "add", "demo", "big", "--replicas", "1", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.split() == ["demo/big"]
    assert "demo/big" in invoke("ray", "workergroup", "list", "demo", "-o", "name").stdout.split()


def test_nodes_lists_head_and_workers(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    assert (
        invoke("ray", "cluster", "create", "demo", "--worker-replicas", "2", "--wait", "--timeout", "20s").exit_code
        == 0
    )
    nodes = list_items(invoke("ray", "cluster", "nodes", "demo", "-o", "json").stdout)
    assert sorted(n["type"] for n in nodes) == ["head", "worker", "worker"]
    assert all(n["ready"] for n in nodes)


def test_logs_out_dir_writes_the_head_log(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    ray_emulator()
    assert invoke("ray", "cluster", "create", "demo", "--wait", "--timeout", "20s").exit_code == 0
    result = invoke("ray", "cluster", "logs", "demo", "--out-dir", str(tmp_path / "logs"))
    assert result.exit_code == 0, result
    [log] = list((tmp_path / "logs").iterdir())
    assert log.name.startswith("demo-head-") and "started" in log.read_text()


def test_delete_asks_for_confirmation_then_deletes(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "demo").exit_code == 0
    refused = invoke("ray", "cluster", "delete", "demo")
    assert refused.exit_code == 2 and "pass -y/--yes" in refused.stderr
    result = invoke("ray", "cluster", "delete", "demo", "-y")
    assert result.exit_code == 0, result
    assert 'raycluster.ray.io "demo" deleted' in result.stdout
    assert emu.cluster.get(RAY, "RayCluster", "default", "demo") is None


def test_a_delete_is_audited_under_its_command(
    ray_emulator: Callable[..., Any], tmp_path: Path, monkeypatch: Any
) -> None:
    """`audit list --action 'ray*'` must find deletes: the line names the command, as creates do."""
    ray_emulator()
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("AKSCLI_AUDIT_LOG", str(log))
    assert invoke("ray", "cluster", "create", "demo").exit_code == 0
    assert invoke("ray", "cluster", "delete", "demo", "-y").exit_code == 0
    actions = [json.loads(line)["action"] for line in log.read_text().splitlines()]
    assert actions == ["ray cluster create", "ray cluster delete"]


def test_missing_cluster_is_not_found(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    result = invoke("ray", "cluster", "status", "ghost")
    assert result.exit_code == 3
    assert "error: Ray cluster ghost not found in namespace default" in result.stderr


def test_server_dry_run_shows_the_plan_and_changes_nothing(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    result = invoke("ray", "cluster", "create", "demo", "--dry-run=server")
    assert result.exit_code == 0, result
    assert "raycluster.ray.io/demo (default): will be created" in result.stdout
    assert emu.cluster.get(RAY, "RayCluster", "default", "demo") is None


def test_gpu_check_reads_one_node_whatever_the_cluster_size(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    emu.generate_cluster(nodes=1000, pods=0, gpu_fraction=0.2)
    result = invoke("ray", "cluster", "create", "big", "--worker-gpu", "1", "--dry-run=server")
    assert result.exit_code == 0, result
    node_reads = [r for r in emu.request_log if r.path.endswith("/nodes")]
    assert 1 <= len(node_reads) <= 3
    assert all(r.query.get("limit") == ["1"] for r in node_reads)


def test_logs_into_a_directory_that_cannot_exist_is_one_clear_line(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    ray_emulator()
    assert invoke("ray", "cluster", "create", "demo", "--wait", "--timeout", "20s").exit_code == 0
    (tmp_path / "a-file").write_text("")
    result = invoke("ray", "cluster", "logs", "demo", "--out-dir", str(tmp_path / "a-file" / "logs"))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --out-dir: cannot write ") and "Traceback" not in result.stderr
    assert "hint: give --out-dir a directory you can write to" in result.stderr
