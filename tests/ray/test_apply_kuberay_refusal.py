"""``akscli apply -f`` refuses, before anything is sent, a RayService, RayJob or RayCluster that
KubeRay's own validation would refuse (upstream: ray-project/kuberay feeaf72f
ray-operator/controllers/ray/utils/validation.go ValidateRayServiceSpec, ValidateClusterUpgradeOptions,
ValidateRayJobSpec, ValidateRayClusterSpec): KubeRay would only record a Warning event. The rules are
akscli.ray.object_rules' (one copy, also used by ``ray service deploy``); the simulator's own copy
gives the same words."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from akscli.ray.object_rules import object_problem
from tests.cli import invoke
from tests.emulators.kube.controllers.kuberay.common import job_spec_problem as simulated_job_problem
from tests.emulators.kube.controllers.kuberay.validation import service_spec_problem as simulated_service_problem

CONTAINERS = [{"name": "ray-head", "image": "rayproject/ray:2.52.0"}]
HEAD = {"rayStartParams": {}, "template": {"spec": {"containers": CONTAINERS}}}
SERVICE: dict[str, Any] = {
    "apiVersion": "ray.io/v1",
    "kind": "RayService",
    "metadata": {"name": "llm"},
    "spec": {
        "serveConfigV2": "applications: []\n",
        "upgradeStrategy": {
            "type": "NewClusterWithIncrementalUpgrade",
            "clusterUpgradeOptions": {"stepSizePercent": 25, "intervalSeconds": 30, "gatewayClassName": "istio"},
        },
        "rayClusterConfig": {"rayVersion": "2.52.0", "enableInTreeAutoscaling": True, "headGroupSpec": HEAD},
    },
}
JOB: dict[str, Any] = {
    "apiVersion": "ray.io/v1",
    "kind": "RayJob",
    "metadata": {"name": "train"},
    "spec": {"entrypoint": "python main.py", "rayClusterSpec": {"headGroupSpec": HEAD}},
}


def test_an_incremental_rayservice_without_the_autoscaler_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    bad = copy.deepcopy(SERVICE)
    del bad["spec"]["rayClusterConfig"]["enableInTreeAutoscaling"]
    path = tmp_path / "svc.yaml"
    path.write_text(yaml.safe_dump(bad))
    result = invoke("apply", "-f", str(path), "--kubeconfig", str(tmp_path / "none"))  # no cluster to send to
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0] == (
        "error: rayservice/llm: KubeRay refuses this RayService spec: Ray Autoscaler is required for "
        "NewClusterWithIncrementalUpgrade"
    )
    assert "InvalidRayServiceSpec" in result.stderr and "Traceback" not in result.stderr


def _service(**options: Any) -> dict[str, Any]:
    service = copy.deepcopy(SERVICE)
    service["spec"]["upgradeStrategy"]["clusterUpgradeOptions"].update(options)
    return service


def _job(**spec: Any) -> dict[str, Any]:
    job = copy.deepcopy(JOB)
    job["spec"].update(spec)
    return job


@pytest.mark.parametrize(
    ("obj", "words"),
    [
        (_service(stepSizePercent=120), "stepSizePercent must be between 0 and 100"),
        (_service(maxSurgePercent=20), "stepSizePercent must be less than or equal to maxSurgePercent"),
        (_service(gatewayClassName=""), "gatewayClassName is required for NewClusterWithIncrementalUpgrade"),
        (_service(intervalSeconds=0), "intervalSeconds must be greater than 0"),
        (_job(submissionMode="SidecarMode", rayClusterSpec=None, clusterSelector={"ray.io/cluster": "c"}), None),
        (_job(shutdownAfterJobFinishes=False, ttlSecondsAfterFinished=60), "cannot have TTLSecondsAfterFinished"),
        (_job(activeDeadlineSeconds=0), "activeDeadlineSeconds must be a positive integer"),
        (_job(submissionMode="InteractiveMode", backoffLimit=2), "BackoffLimit is incompatible with InteractiveMode"),
    ],
)
def test_the_rules_give_the_simulators_words(obj: dict[str, Any], words: str | None) -> None:
    # The simulator's copy of upstream's rules is the reference (both name validation.go).
    if obj["kind"] == "RayService":
        expected = simulated_service_problem(obj)
    else:
        spec = {k: v for k, v in obj["spec"].items() if v is not None}
        obj["spec"] = spec
        expected = simulated_job_problem(spec, {})
    assert expected is not None and (words is None or words in expected)
    assert object_problem(obj) == expected


def test_a_valid_or_partial_object_is_let_through() -> None:
    assert object_problem(SERVICE) is None and object_problem(JOB) is None
    # A partial file that server-side apply merges into the stored object is KubeRay's to judge whole.
    partial = {"apiVersion": "ray.io/v1", "kind": "RayService", "metadata": {"name": "llm"}, "spec": {}}
    partial["spec"]["upgradeStrategy"] = {"type": "NewClusterWithIncrementalUpgrade"}
    assert object_problem(partial) is None
