"""``ray cluster status`` shows the CPUs and memory KubeRay sums for the cluster beside its desired
GPUs, as ``kubectl get raycluster`` and ``ray cluster list`` show CPUS and MEMORY: the head's and each
unsuspended group's replicas' requests (a limit where none), from the RayCluster's status
(upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/raycluster_controller.go
calculateStatus; utils/util.go CalculateDesiredResources)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.conftest import akscli


def test_status_shows_the_desired_cpus_and_memory_kuberay_reports(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert akscli("ray cluster create demo --worker-replicas 2 --wait --timeout 20s").exit_code == 0
    reported = emu.cluster.get("ray.io/v1", "RayCluster", "default", "demo")["status"]
    shown = json.loads(invoke("ray", "cluster", "status", "demo", "-o", "json").stdout)
    assert shown["cpus"] == {"desired": reported["desiredCPU"]}
    assert shown["memory"] == {"desired": reported["desiredMemory"]}
    table = invoke("ray", "cluster", "status", "demo").stdout
    assert "\ncpus:" in table and f"{reported['desiredCPU']} desired\n" in table, table
    assert f"{reported['desiredMemory']} desired\n" in table, table


def test_the_rows_show_the_quantities_as_kuberay_wrote_them() -> None:
    from akscli import ray

    cluster = {
        "metadata": {"name": "c", "namespace": "ml"},
        "spec": {"rayVersion": "2.52.0"},
        "status": {"state": "ready", "desiredCPU": "1500m", "desiredMemory": "12Gi", "desiredGPU": "2"},
    }
    rows = dict(ray.cluster_summary_fields(ray.cluster_summary(cluster, []), []))
    assert (rows["cpus"], rows["memory"], rows["gpus"]) == ("1500m desired", "12Gi desired", "0 in use of 2 desired")
    assert rows["head"] == "<none> (not ready)"  # no head pod yet: not Python's None
