"""``ray service deploy`` sets no upgradeStrategy: one set by another field manager stays under
server-side apply, and with NewClusterWithIncrementalUpgrade KubeRay holds the new spec to
ValidateClusterUpgradeOptions and refuses the whole RayService when it fails (upstream:
ray-project/kuberay feeaf72f ray-operator/controllers/ray/utils/validation.go
ValidateClusterUpgradeOptions; utils/util.go IsAutoscalingEnabled). akscli refuses such a deploy
before anything is sent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from akscli.ray.service_plan import kept_upgrade_refusal
from tests.cli import invoke
from tests.emulators.kube.profiles import ready_pod
from tests.ray.test_kuberay_service_replacement import RAY, _serve_file

INCREMENTAL = {
    "type": "NewClusterWithIncrementalUpgrade",
    "clusterUpgradeOptions": {"stepSizePercent": 25, "intervalSeconds": 30, "gatewayClassName": "istio"},
}


def test_a_deploy_without_the_autoscaler_onto_an_incremental_service_is_refused_before_it_is_sent(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    serve = _serve_file(tmp_path)
    assert invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--autoscaler", "v2", "-y").exit_code == 0
    stored = emu.cluster.get(RAY, "RayService", "default", "llm")
    stored["spec"]["upgradeStrategy"] = INCREMENTAL  # as `kubectl edit rayservice llm` sets it
    generation = emu.cluster.update(stored)["metadata"]["generation"]
    # No operator pod to read the RayServiceIncrementalUpgrade gate from: KubeRay judges it.
    unknown = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--dry-run=server")
    assert unknown.exit_code == 0, unknown
    # A KubeRay v1.7.0 operator: the gate on by default (pkg/features/features.go).
    labels = {"app.kubernetes.io/component": "kuberay-operator"}
    ready_pod(emu, "kuberay-system", "kuberay-operator-5f8d7c6b9-fghij", labels, "quay.io/kuberay/operator:v1.7.0")
    result = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "-y")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0] == (
        "error: KubeRay refuses RayService llm as this deploy leaves it: Ray Autoscaler is required for "
        "NewClusterWithIncrementalUpgrade (it keeps its upgradeStrategy NewClusterWithIncrementalUpgrade, which "
        "ray service deploy does not set)"
    )
    assert "add --autoscaler v2" in result.stderr
    assert emu.cluster.get(RAY, "RayService", "default", "llm")["metadata"]["generation"] == generation
    kept = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--autoscaler", "v2", "--dry-run=server")
    assert kept.exit_code == 0, kept


def test_an_incremental_strategy_only_akscli_owns_is_dropped_by_the_deploy_and_not_held_against_it() -> None:
    owned = {"f:spec": {"f:upgradeStrategy": {}}}
    existing = {
        "metadata": {"managedFields": [{"manager": "akscli", "operation": "Apply", "fieldsV1": owned}]},
        "spec": {"upgradeStrategy": INCREMENTAL},
    }
    assert kept_upgrade_refusal(existing, {}) is None
    existing["metadata"]["managedFields"][0]["manager"] = "kubectl-edit"  # type: ignore[index]
    assert kept_upgrade_refusal(existing, {}) == "Ray Autoscaler is required for NewClusterWithIncrementalUpgrade"
    bad = {**INCREMENTAL, "clusterUpgradeOptions": {**INCREMENTAL["clusterUpgradeOptions"], "stepSizePercent": 120}}  # type: ignore[dict-item]
    existing["spec"]["upgradeStrategy"] = bad  # type: ignore[index]
    assert (
        kept_upgrade_refusal(existing, {"enableInTreeAutoscaling": True}) == "stepSizePercent must be between 0 and 100"
    )
