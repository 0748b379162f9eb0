"""doctor names a KubeRay operator rollout that a bad args change left stuck: the new pod exits 2
at every start (Go's flag package, tests/emulators/kube/controllers/kuberay/gates.py, after
ray-project/kuberay v1.7.0 ray-operator/main.go). With the chart's Recreate the old operator is
already gone (kubernetes/kubernetes pkg/controller/deployment/recreate.go), so the rollout blocks
and its way back is ``kubectl rollout undo``; with RollingUpdate the old pod still serves (rolling.go
reconcileOldReplicaSets), so it is a warning and ``doctor --for ray`` passes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_kuberay_alpha_options import V170
from tests.ray.test_operator_batch_rules import _operator_deployment
from tests.ray.test_operator_not_running import _set_args

NS = "kuberay-system"
ROLLOUT = "rollout deployment/kuberay-operator"
UNDO = "kubectl rollout undo deployment/kuberay-operator -n kuberay-system"


def _pods(emu: Any) -> list[dict[str, Any]]:
    return [p for p in emu.cluster.list("v1", "Pod", NS) if not p["metadata"].get("deletionTimestamp")]


def _exited_2(pod: dict[str, Any]) -> bool:
    last = ((pod.get("status") or {}).get("containerStatuses") or [{}])[0].get("lastState") or {}
    return (last.get("terminated") or {}).get("exitCode") == 2


def _bad_args(emu: Any, *, old_pods: int) -> None:
    """Change the operator's args to a flag main.go does not define; back once the new pod has
    exited 2 beside ``old_pods`` old ones."""
    _set_args(emu, ["--watch-namespaces=default"])
    wait_until(lambda: len(_pods(emu)) == old_pods + 1 and any(_exited_2(p) for p in _pods(emu)))


def _doctor() -> tuple[int, dict[str, dict[str, Any]]]:
    result = invoke("doctor", "--for", "ray", "-o", "json")
    checks = {c["check"]: c for c in json.loads(result.stdout)["checks"] if c["component"] == "kuberay"}
    return result.exit_code, checks


def test_a_recreate_rollout_whose_new_operator_crash_loops_blocks_ray_and_names_the_rollout(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    _operator_deployment(emu, {"image": V170, "args": []}, [])
    _bad_args(emu, old_pods=0)
    code, checks = _doctor()
    assert code == 9
    rollout = checks[ROLLOUT]
    assert (rollout["status"], rollout["severity"]) == ("not-ready", "required")
    assert "; no replica is available; pod kuberay-system/kuberay-operator-" in rollout["detail"]
    assert "container kuberay-operator: CrashLoopBackOff (last exit: Error, exit code 2)" in rollout["detail"]


def test_an_operator_with_no_ready_pod_after_a_rollout_is_fixed_by_undoing_it(
    ray_emulator: Callable[..., Any],
) -> None:
    """The pods check's fix is the rollout's, not an install command: the operator is installed."""
    emu = ray_emulator()
    _operator_deployment(emu, {"image": V170, "args": []}, [])
    _bad_args(emu, old_pods=0)
    pods = _doctor()[1]["pods"]
    assert pods["status"] == "not-ready"
    assert UNDO in pods["fix"] and "helm install" not in pods["fix"]


def test_a_rolling_update_whose_new_operator_crash_loops_is_a_warning_beside_the_serving_old_one(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    _operator_deployment(emu, {"image": V170, "args": []}, [], strategy=None)
    _bad_args(emu, old_pods=1)
    code, checks = _doctor()
    assert code == 0
    assert checks["pods"]["status"] == "ok"
    rollout = checks[ROLLOUT]
    assert (rollout["status"], rollout["severity"]) == ("not-ready", "optional")
    assert rollout["detail"].startswith(
        'deployment kuberay-system/kuberay-operator: Waiting for deployment "kuberay-operator" rollout to finish: '
        "1 old replicas are pending termination: 1 of 1 new replicas updated, 0 available"
    )
    assert "; 1 old replica(s) still serving; pod kuberay-system/kuberay-operator-" in rollout["detail"]
    assert "exit code 2" in rollout["detail"]
    assert UNDO in rollout["fix"]
