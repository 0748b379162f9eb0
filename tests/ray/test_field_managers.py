"""Who owns a RayCluster's fields after its controllers wrote: KubeRay's own writes are the manager
"kuberay-operator" (ray-project/kuberay ray-operator/main.go sets that user agent), the Ray
autoscaler's JSON patches of the worker groups are "python-requests" (ray-project/ray
python/ray/autoscaler/_private/kuberay/node_provider.py sends them with requests' default user
agent). KubeRay's CRD gives workerGroupSpecs no x-kubernetes-list-type, so the list is atomic and
whoever changed it last owns all of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until

RAY = "ray.io/v1"
AUTOSCALED = ("--worker-replicas", "0", "--worker-min", "0", "--worker-max", "2")


def _owners(emu: Any, name: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    rc = emu.cluster.get(RAY, "RayCluster", "default", name)
    return {
        (m["manager"], m["operation"], m.get("subresource", "")): m["fieldsV1"] for m in rc["metadata"]["managedFields"]
    }


def test_kuberays_status_writes_are_the_kuberay_operator_manager(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "demo").exit_code == 0
    wait_until(lambda: ("kuberay-operator", "Update", "status") in _owners(emu, "demo"))
    assert "f:status" in _owners(emu, "demo")[("kuberay-operator", "Update", "status")]


def test_the_autoscalers_replica_patch_owns_the_whole_atomic_worker_group_list(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "auto", *AUTOSCALED).exit_code == 0
    submitted = invoke("ray", "job", "submit", "--name", "j", "--cluster", "auto", "--", "python", "x.py")
    assert submitted.exit_code == 0, submitted
    wait_until(lambda: ("python-requests", "Update", "") in _owners(emu, "auto"))
    owned = _owners(emu, "auto")[("python-requests", "Update", "")]
    assert owned == {"f:spec": {"f:workerGroupSpecs": {}}}
    assert "f:workerGroupSpecs" not in _owners(emu, "auto")[("akscli", "Apply", "")]["f:spec"]


def test_creating_again_after_the_autoscaler_scaled_names_it_and_how_to_take_the_groups_back(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "auto", *AUTOSCALED).exit_code == 0
    assert invoke("ray", "job", "submit", "--name", "j", "--cluster", "auto", "--", "python", "x.py").exit_code == 0
    wait_until(lambda: ("python-requests", "Update", "") in _owners(emu, "auto"))
    result = invoke("ray", "cluster", "create", "auto", *AUTOSCALED)
    assert result.exit_code == 4
    assert (
        'error: raycluster.ray.io/auto: Apply failed with 1 conflict: conflict with "python-requests" using '
        "ray.io/v1: .spec.workerGroupSpecs"
    ) in result.stderr
    assert (
        "hint: the Ray autoscaler (field manager python-requests) changed the worker groups after this manifest "
        "was applied; re-run with --force-conflicts to apply the manifest's values, and the autoscaler scales "
        "from those"
    ) in result.stderr
