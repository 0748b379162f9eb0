"""``akscli apply -f`` refuses, before anything is sent, a RayService, RayJob or RayCluster that
KubeRay's own validation would refuse (upstream: ray-project/kuberay feeaf72f
ray-operator/controllers/ray/utils/validation.go ValidateRayServiceSpec, ValidateClusterUpgradeOptions,
ValidateRayJobSpec, ValidateRayClusterSpec): KubeRay would only record a Warning event. The rules are
akscli.ray.object_rules' (one copy, also used by ``ray service deploy``); the simulator's own copy
gives the same words."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from akscli.ray.object_rules import incremental_gate, object_problem
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


def _operator_pod(emu: Any, image: str, name: str = "kuberay-operator-5f8d7c6b9-fghij") -> None:
    from tests.emulators.kube.profiles import ready_pod

    # The pod helm install kuberay-operator runs (helm-chart/kuberay-operator/templates/deployment.yaml).
    ready_pod(
        emu,
        "kuberay-system",
        name,
        {"app.kubernetes.io/component": "kuberay-operator"},
        image,
    )


def test_a_v170_operator_refuses_an_incremental_rayservice_without_the_autoscaler_before_it_is_sent(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator(operator=False)
    _operator_pod(emu, "quay.io/kuberay/operator:v1.7.0")  # RayServiceIncrementalUpgrade on by default
    bad = copy.deepcopy(SERVICE)
    del bad["spec"]["rayClusterConfig"]["enableInTreeAutoscaling"]
    path = tmp_path / "svc.yaml"
    path.write_text(yaml.safe_dump(bad))
    result = invoke("apply", "-f", str(path), "-y")
    assert result.exit_code == 2, result
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
        "error: rayservice/llm: KubeRay refuses this RayService spec: Ray Autoscaler is required for "
        "NewClusterWithIncrementalUpgrade"
    ]
    assert "InvalidRayServiceSpec" in result.stderr and "Traceback" not in result.stderr
    assert emu.cluster.get("ray.io/v1", "RayService", "default", "llm") is None


def test_a_partial_rayservice_file_is_judged_merged_into_the_stored_one(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator(operator=False)
    _operator_pod(emu, "quay.io/kuberay/operator:v1.6.2")
    stored = copy.deepcopy(SERVICE)  # stored by another field manager, without the autoscaler
    del stored["spec"]["upgradeStrategy"]
    del stored["spec"]["rayClusterConfig"]["enableInTreeAutoscaling"]
    emu.cluster.create({**stored, "metadata": {"name": "llm", "namespace": "default"}})
    partial = {k: v for k, v in SERVICE.items() if k != "spec"}
    partial["spec"] = {"upgradeStrategy": SERVICE["spec"]["upgradeStrategy"]}
    path = tmp_path / "svc.yaml"
    path.write_text(yaml.safe_dump(partial))
    # v1.6.2 runs with the gate off (Alpha): KubeRay takes the merged object, and so does akscli.
    assert invoke("diff", "-f", str(path)).exit_code == 1
    _operator_pod(
        emu, "quay.io/kuberay/operator:v1.6.2-x", "kuberay-operator-5f8d7c6b9-other"
    )  # a second, unknown build: refuse nothing
    assert invoke("diff", "-f", str(path)).exit_code == 1
    for pod in ("kuberay-operator-5f8d7c6b9-fghij", "kuberay-operator-5f8d7c6b9-other"):
        emu.cluster.delete("v1", "Pod", "kuberay-system", pod)
    _operator_pod(emu, "quay.io/kuberay/operator:v1.7.0")
    result = invoke("diff", "-f", str(path))
    assert result.exit_code == 2, result
    assert "error: rayservice/llm: KubeRay refuses this RayService spec: Ray Autoscaler is required" in result.stderr


GATE = "RayServiceIncrementalUpgrade"


@pytest.mark.parametrize(
    ("container", "gate"),
    [
        ({"image": "quay.io/kuberay/operator:v1.7.0"}, True),
        ({"image": "quay.io/kuberay/operator:v1.6.2"}, False),
        ({"image": "quay.io/kuberay/operator:v1.4.2"}, False),
        ({"image": "kuberay/operator:v1.6.2", "args": ["--feature-gates=RayServiceIncrementalUpgrade=true"]}, True),
        (
            {
                "image": "kuberay/operator:v1.7.0",
                "args": ["--feature-gates=RayCronJob=true,RayServiceIncrementalUpgrade=false"],
            },
            False,
        ),
        # Go's flag package: the next word, one dash, the last flag given; strconv.ParseBool's values
        ({"image": "kuberay/operator:v1.7.0", "args": ["--feature-gates", f"{GATE}=false"]}, False),
        ({"image": "kuberay/operator:v1.7.0", "args": [f"-feature-gates={GATE}=0"]}, False),
        (
            {
                "image": "kuberay/operator:v1.6.2",
                "args": [f"--feature-gates={GATE}=true", "--feature-gates=RayCronJob=true"],
            },
            False,
        ),
        ({"image": "quay.io/kuberay/operator:nightly"}, None),
        ({"image": "quay.io/kuberay/operator@sha256:" + "a" * 64}, None),
    ],
)
def test_the_gate_is_read_from_the_operators_flag_or_release(container: dict[str, Any], gate: bool | None) -> None:
    assert incremental_gate(container) is gate


def test_without_the_gate_known_an_incremental_rayservice_is_let_through() -> None:
    bad = copy.deepcopy(SERVICE)
    del bad["spec"]["rayClusterConfig"]["enableInTreeAutoscaling"]
    assert object_problem(bad) is None and object_problem(bad, False) is None
    assert object_problem(bad, True) is not None


def test_a_rayjob_deletion_strategy_kuberay_refuses_is_refused_without_a_cluster(tmp_path: Path) -> None:
    bad = _job(shutdownAfterJobFinishes=True, deletionStrategy={"deletionRules": [RULE]})
    path = tmp_path / "job.yaml"
    path.write_text(yaml.safe_dump(bad))
    result = invoke("apply", "-f", str(path), "--kubeconfig", str(tmp_path / "none"))  # no cluster to send to
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0] == (
        "error: rayjob/train: KubeRay refuses this RayJob spec: "
        "spec.shutdownAfterJobFinishes and spec.deletionStrategy.deletionRules are mutually exclusive"
    )


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
        # An empty submitter block is still a non-nil pointer to validation.go's SidecarMode rules.
        (_job(submissionMode="SidecarMode", submitterPodTemplate={}), "doesn't support SubmitterPodTemplate"),
        (_job(submissionMode="SidecarMode", submitterConfig={}), "SidecarMode doesn't support SubmitterConfig"),
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
    assert object_problem(obj, True) == expected


RULE = {"condition": {"jobStatus": "SUCCEEDED", "ttlSeconds": 60}, "policy": "DeleteCluster"}
ON = {"policy": "DeleteCluster"}


def _rules(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"deletionRules": list(rules)}


@pytest.mark.parametrize(
    ("obj", "words"),
    [
        (_job(deletionStrategy={"onSuccess": ON}), "both DeletionStrategy.OnSuccess and DeletionStrategy.OnFailure"),
        (_job(deletionStrategy={"onSuccess": ON, "onFailure": {}}), "DeletionStrategy.OnFailure cannot be unset"),
        (_job(deletionStrategy={}), "requires either BOTH onSuccess and onFailure, OR the deletionRules field"),
        (_job(deletionStrategy={"onSuccess": ON, "onFailure": ON, **_rules(RULE)}), "Cannot use both legacy"),
        (
            _job(
                shutdownAfterJobFinishes=True, deletionStrategy={"onSuccess": {"policy": "DeleteNone"}, "onFailure": ON}
            ),
            "shutdownAfterJobFinshes is set to 'true' while deletion policy is 'DeleteNone'",
        ),
        (
            _job(deletionStrategy=_rules(RULE, RULE)),
            "deletionRules[1]: duplicate rule for DeletionPolicyType 'DeleteCluster' and JobStatus 'SUCCEEDED'",
        ),
        (
            _job(
                deletionStrategy=_rules({**RULE, "condition": {"jobStatus": "FAILED", "jobDeploymentStatus": "Failed"}})
            ),
            "deletionRules[0]: cannot set both JobStatus and JobDeploymentStatus at the same time",
        ),
        (
            _job(
                deletionStrategy=_rules(RULE, {**RULE, "policy": "DeleteSelf", "condition": {"jobStatus": "SUCCEEDED"}})
            ),
            "for JobStatus 'SUCCEEDED': DeleteSelf TTL (0) must be >= DeleteCluster TTL (60)",
        ),
        (_job(runtimeEnvYAML="pip: [torch"), "failed to unmarshal RuntimeEnvYAML"),
        (_job(runtimeEnvYAML="just words"), "failed to unmarshal RuntimeEnvYAML"),
        ({**JOB, "metadata": {"name": "t" * 48}}, "RayJob name should be no more than 47 characters"),
        ({**JOB, "metadata": {"name": "1train"}}, "RayJob name should be a valid DNS1035 label"),
        (
            {**SERVICE, "metadata": {"name": "llm", "annotations": {"ray.io/initializing-timeout": "0s"}}},
            "annotation ray.io/initializing-timeout must be a positive duration, got: 0s",
        ),
        (
            {**SERVICE, "metadata": {"name": "llm", "annotations": {"ray.io/initializing-timeout": "soon"}}},
            "annotation ray.io/initializing-timeout has invalid format: soon",
        ),
        (_job(deletionStrategy=_rules(RULE), runtimeEnvYAML="pip: [torch]\n"), None),
        ({**SERVICE, "metadata": {"name": "llm", "annotations": {"ray.io/initializing-timeout": "1h30m"}}}, None),
        ({**SERVICE, "metadata": {"name": "llm", "annotations": {"ray.io/initializing-timeout": "600"}}}, None),
    ],
)
def test_the_rest_of_kuberays_rayjob_and_metadata_rules(obj: dict[str, Any], words: str | None) -> None:
    # upstream's words: validation.go validateDeletionConfiguration, validateLegacyDeletionPolicies,
    # validateDeletionRules, ValidateRayJobMetadata, ValidateRayServiceMetadata, UnmarshalRuntimeEnvYAML.
    problem = object_problem(obj, True)
    assert (problem is None) if words is None else (problem is not None and words in problem), problem


def test_a_valid_or_partial_object_is_let_through() -> None:
    assert object_problem(SERVICE) is None and object_problem(JOB) is None
    # A partial file that server-side apply merges into the stored object is KubeRay's to judge whole.
    partial = {"apiVersion": "ray.io/v1", "kind": "RayService", "metadata": {"name": "llm"}, "spec": {}}
    partial["spec"]["upgradeStrategy"] = {"type": "NewClusterWithIncrementalUpgrade"}
    assert object_problem(partial) is None
