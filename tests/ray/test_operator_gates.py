"""The KubeRay simulator judges specs by the feature gates of the operator it finds (its image
tag's release and ``--feature-gates``), and akscli's judge agrees with it.

upstream: ray-project/kuberay ray-operator/pkg/features/features.go defaultFeatureGates at each tag
(RayJobDeletionPolicy Alpha/off in v1.3.x-v1.5.x, Beta/on from v1.6.0; RayServiceIncrementalUpgrade
Alpha/off in v1.5.x-v1.6.x, Beta/on from v1.7.0); controllers/ray/utils/validation.go
validateDeletionConfiguration, ValidateRayClusterSpec and ValidateRayServiceSpec (v1.5.0-v1.7.0).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from akscli.ray import object_rules
from akscli.ray.operator_gates import RELEASE_GATES
from tests.cli import invoke
from tests.emulators.kube.controllers.kuberay.common import job_spec_problem
from tests.emulators.kube.controllers.kuberay.gates import RELEASE_DEFAULTS, Gates, at_release, container_gates
from tests.emulators.kube.controllers.kuberay.service_clusters import zero_downtime
from tests.emulators.kube.controllers.kuberay.validation import service_spec_problem
from tests.ray.test_apply_kuberay_refusal import JOB, RULE, SERVICE, _operator_pod
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_kuberay_validation import events

DELETION = "RayJobDeletionPolicy"
INCREMENTAL = "RayServiceIncrementalUpgrade"
REFUSED = "RayJobDeletionPolicy feature gate must be enabled to use DeletionStrategy"
# A deletionStrategy v1.7.0 accepts (validateDeletionRules: one rule, shutdown unset).
STRATEGY_JOB: dict[str, Any] = copy.deepcopy(JOB)
STRATEGY_JOB["spec"]["deletionStrategy"] = {"deletionRules": [RULE]}


@pytest.mark.parametrize(
    ("container", "deletion", "incremental"),
    [
        ({"image": "quay.io/kuberay/operator:v1.4.2"}, False, False),
        ({"image": "quay.io/kuberay/operator:v1.5.1"}, False, False),
        ({"image": "quay.io/kuberay/operator:v1.6.2"}, True, False),
        ({"image": "quay.io/kuberay/operator:v1.7.0"}, True, True),
        ({"image": "quay.io/kuberay/operator:v1.5.1", "args": ["--feature-gates", f"{DELETION}=true"]}, True, False),
        ({"image": "kuberay/operator:v1.7.0", "args": [f"-feature-gates={DELETION}=t,{DELETION}=0"]}, False, True),
        ({"image": "quay.io/kuberay/operator:nightly"}, True, True),  # master feeaf72f: v1.7.0's set
        ({}, True, True),  # no operator found: the simulated release, v1.7.0
    ],
)
def test_the_simulator_takes_the_gates_of_the_operators_release_and_flag(
    container: dict[str, Any], deletion: bool, incremental: bool
) -> None:
    gates = container_gates(container)
    assert (gates.get(DELETION, False), gates.get(INCREMENTAL, False)) == (deletion, incremental)


def test_a_release_with_the_deletion_gate_off_refuses_a_strategy_v170_accepts() -> None:
    spec = STRATEGY_JOB["spec"]
    assert job_spec_problem(spec) is None
    assert job_spec_problem(spec, {}, at_release("quay.io/kuberay/operator:v1.5.1")) == REFUSED
    suspended = copy.deepcopy(spec)
    del suspended["deletionStrategy"]
    worker = {
        "groupName": "gpu",
        "suspend": True,
        "minReplicas": 0,
        "maxReplicas": 1,
        "template": {"spec": {"containers": [{"name": "w"}]}},
    }
    suspended["rayClusterSpec"]["workerGroupSpecs"] = [worker]
    assert job_spec_problem(suspended) is None
    assert job_spec_problem(suspended, {}, at_release("quay.io/kuberay/operator:v1.5.1")) == (
        "The RayJob spec is invalid: worker group gpu can be suspended only when the RayJobDeletionPolicy "
        "feature gate is enabled"
    )


def test_with_the_incremental_gate_off_its_rules_and_zero_downtime_are_skipped() -> None:
    bad = copy.deepcopy(SERVICE)
    del bad["spec"]["rayClusterConfig"]["enableInTreeAutoscaling"]
    old = at_release("quay.io/kuberay/operator:v1.6.2")
    assert service_spec_problem(bad) is not None and service_spec_problem(bad, old) is None
    assert zero_downtime(bad) is True and zero_downtime(bad, old) is False


def test_akscli_and_the_simulator_hold_the_same_release_defaults() -> None:
    for release, defaults in RELEASE_DEFAULTS.items():
        container = {"image": f"quay.io/kuberay/operator:v{release[0]}.{release[1]}.0"}
        assert object_rules.operator_gate(container, INCREMENTAL) is defaults.get(INCREMENTAL, False), release
        assert object_rules.operator_gate(container, DELETION) is defaults.get(DELETION, False), release
    assert RELEASE_GATES == RELEASE_DEFAULTS


def test_before_v150_a_deletion_strategy_is_ignored_and_v13_words_the_suspend_rule_its_own_way() -> None:
    spec = STRATEGY_JOB["spec"]
    assert job_spec_problem(spec, {}, at_release("quay.io/kuberay/operator:v1.4.2")) is None
    suspended = copy.deepcopy(spec)
    del suspended["deletionStrategy"]
    worker = {"groupName": "gpu", "suspend": True, "minReplicas": 0, "maxReplicas": 1}
    suspended["rayClusterSpec"]["workerGroupSpecs"] = [worker | {"template": {"spec": {"containers": [{}]}}}]
    assert job_spec_problem(suspended, {}, at_release("quay.io/kuberay/operator:v1.3.2")) == (
        "The RayJob spec is invalid: suspending worker groups is currently available when the "
        "RayJobDeletionPolicy feature gate is enabled"
    )
    assert job_spec_problem(suspended, {}, at_release("quay.io/kuberay/operator:v1.2.2")) is None


def test_a_v151_operator_refuses_a_deletion_strategy_in_akscli_and_in_the_simulator(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    _operator_pod(emu, "quay.io/kuberay/operator:v1.5.1")
    path = tmp_path / "job.yaml"
    path.write_text(yaml.safe_dump(STRATEGY_JOB))
    result = invoke("apply", "-f", str(path), "-y")
    assert result.exit_code == 2, result
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: rayjob/train: KubeRay refuses this RayJob spec: {REFUSED}"]
    assert emu.cluster.get("ray.io/v1", "RayJob", "default", "train") is None
    # The simulator, handed the same object directly, refuses it in the same words.
    emu.cluster.create(STRATEGY_JOB | {"metadata": {"name": "train", "namespace": "default"}})
    wait_until(lambda: bool(events(emu, "InvalidRayJobSpec")))
    assert events(emu, "InvalidRayJobSpec")[0]["message"] == f"default/train: {REFUSED}"


class _Store:
    """A stand-in for the emulator's cluster: the operator Deployment helm install makes."""

    def __init__(self) -> None:
        self.lists = 0

    def list(self, api: str, kind: str, label_selector: str | None = None) -> list[dict[str, Any]]:
        self.lists += 1
        if kind != "Deployment":
            return []
        container = {"image": "quay.io/kuberay/operator:v1.7.0", "args": [f"--feature-gates={DELETION}=false"]}
        template = {
            "metadata": {"labels": {"app.kubernetes.io/component": "kuberay-operator"}},
            "spec": {"containers": [container]},
        }
        return [{"metadata": {"name": "kuberay-operator"}, "spec": {"template": template}}]


def test_the_simulator_reads_the_operator_deployment_once_and_only_when_asked() -> None:
    store = _Store()
    gates = Gates(store)
    assert job_spec_problem(copy.deepcopy(JOB)["spec"], {}, gates) is None and store.lists == 0
    assert job_spec_problem(STRATEGY_JOB["spec"], {}, gates) == REFUSED
    assert gates.on(INCREMENTAL) and gates.release() == (1, 7) and store.lists == 1
