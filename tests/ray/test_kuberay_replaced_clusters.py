"""A RayService's replaced cluster during KubeRay's deletion delay: ``ray service status`` names it,
and ``ray cluster list`` tells it from the service's active and pending clusters.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/rayservice_controller.go
cleanUpRayClusterInstance (a cluster labelled as the service's that its status names neither active
nor pending is deleted rayClusterDeletionDelaySeconds, 60 s by default, after it is first seen).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke
from tests.ray.test_kuberay_service_replacement import _deploy_pending_on, _pending, _serve_file, wait_until

RAY = "ray.io/v1"


def _replaced_on_a_slow_operator(ray_emulator: Callable[..., Any], tmp_path: Path) -> tuple[str, str]:
    """llm's pending cluster on gpuh100 replaced by one on gpuv100 (neither pool has a node), with
    KubeRay's own 60 s deletion delay: (the replaced cluster, the new pending one)."""
    emu = ray_emulator(ttl_scale=1.0)
    emu.cluster.create(nc_a100_node("aks-gpua100-0", pool="gpua100"))
    serve = _serve_file(tmp_path)
    first = _deploy_pending_on(emu, serve, "gpuh100")
    _deploy_pending_on(emu, serve, "gpuv100")
    # The new name comes at the end of one KubeRay pass, its cluster on the next.
    wait_until(
        lambda: (
            _pending(emu) not in ("", first)
            and emu.cluster.get(RAY, "RayCluster", "default", _pending(emu)) is not None
        )
    )
    return first, _pending(emu)


def test_service_status_names_the_replaced_cluster_kuberay_has_yet_to_delete(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    first, _ = _replaced_on_a_slow_operator(ray_emulator, tmp_path)
    shown = json.loads(invoke("ray", "service", "status", "llm", "-o", "json").stdout)
    assert [c["name"] for c in shown["replacedClusters"]] == [first]
    table = invoke("ray", "service", "status", "llm").stdout
    expected = (
        f"{first} (pending): replaced; KubeRay deletes it 60s after the replacement (rayClusterDeletionDelaySeconds)"
    )
    assert expected in table, table


def test_cluster_list_tells_the_replaced_cluster_from_the_pending_one(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    first, second = _replaced_on_a_slow_operator(ray_emulator, tmp_path)
    lines = invoke("ray", "cluster", "list").stdout.splitlines()
    header = lines[0].split()
    rows = {cells[0]: dict(zip(header, cells, strict=True)) for cells in (line.split() for line in lines[1:])}
    assert (rows[first]["OWNER"], rows[first]["ROLE"]) == ("rayservice/llm", "replaced"), rows
    assert (rows[second]["OWNER"], rows[second]["ROLE"]) == ("rayservice/llm", "pending"), rows
