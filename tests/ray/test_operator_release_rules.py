"""The KubeRay rules that follow the operator's release and gates, judged alike by akscli
(akscli.ray.operator_gates, object_rules, kuberay_rules) and the simulator (controllers/kuberay/
gates.py, common.py, validation.py), and an operator whose --feature-gates its release refuses.

upstream: ray-project/kuberay ray-operator/controllers/ray/utils/validation.go ValidateRayClusterSpec
(the suspended-worker-group rule: v1.3.2 words, v1.4.2-v1.7.0 words) and ValidateRayJobSpec
(spec.deletionPolicy at v1.3.2 and v1.4.2); ray-operator/main.go exitOnError after
utilfeature.DefaultMutableFeatureGate.Set; kubernetes/component-base v0.36.0
featuregate/feature_gate.go SetWithLogger, unsafeSetFromMap, setUnsetAlphaGates.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from akscli.ray.object_rules import object_problem, operator_gate
from akscli.ray.operator_gates import container_gates as akscli_gates
from tests.cli import invoke
from tests.emulators.kube.controllers.kuberay.common import job_spec_problem
from tests.emulators.kube.controllers.kuberay.gates import RELEASE_DEFAULTS, at_release, container_problem, set_flag
from tests.ray.test_apply_kuberay_refusal import JOB
from tests.ray.test_cli_cluster import wait_until

DELETION = "RayJobDeletionPolicy"
WORKER = {
    "groupName": "gpu",
    "suspend": True,
    "minReplicas": 0,
    "maxReplicas": 1,
    "template": {"spec": {"containers": [{"name": "w"}]}},
}


def _both(job: dict[str, Any], image: str, *args: str) -> tuple[str | None, str | None]:
    """akscli's judgement of ``job`` (as apply -f makes it, from the operator container) and the
    simulator's, by an operator running ``image`` with ``args``."""
    container = {"image": image, "args": list(args)}
    theirs = job_spec_problem(job["spec"], {}, at_release(image, *args))
    ours = object_problem(
        job,
        operator_gate(container, "RayServiceIncrementalUpgrade"),
        operator_gate(container, DELETION),
        akscli_gates(container).release,
    )
    prefix = "The RayJob spec is invalid: "
    return (ours.removeprefix(prefix) if ours else None), (theirs.removeprefix(prefix) if theirs else None)


@pytest.mark.parametrize(
    ("release", "expected"),
    [
        ((1, 2), None),  # no worker-group suspend before v1.3.0
        (
            (1, 3),
            "suspending worker groups is currently available when the RayJobDeletionPolicy feature gate is enabled",
        ),
        ((1, 5), "worker group gpu can be suspended only when the RayJobDeletionPolicy feature gate is enabled"),
        ((1, 6), None),  # the gate is on by default from v1.6.0
    ],
)
def test_akscli_judges_a_suspended_worker_group_by_the_operators_gate_as_the_simulator_does(
    release: tuple[int, int], expected: str | None
) -> None:
    job = copy.deepcopy(JOB)
    job["spec"]["rayClusterSpec"]["workerGroupSpecs"] = [WORKER]
    assert _both(job, f"quay.io/kuberay/operator:v{release[0]}.{release[1]}.0") == (expected, expected)


@pytest.mark.parametrize(
    ("spec", "args", "expected"),
    [
        (
            {"deletionPolicy": "DeleteCluster"},
            (),
            "RayJobDeletionPolicy feature gate must be enabled to use the DeletionPolicy feature",
        ),
        (
            {
                "deletionPolicy": "DeleteWorkers",
                "rayClusterSpec": {**JOB["spec"]["rayClusterSpec"], "enableInTreeAutoscaling": True},
            },
            (f"--feature-gates={DELETION}=true",),
            "DeletionPolicy=DeleteWorkers currently does not support RayCluster with autoscaling enabled",
        ),
        (
            {"deletionPolicy": "DeleteNone", "shutdownAfterJobFinishes": True},
            (f"--feature-gates={DELETION}=true",),
            "shutdownAfterJobFinshes is set to 'true' while deletion policy is 'DeleteNone'",
        ),
        ({"deletionPolicy": "DeleteSelf"}, (f"--feature-gates={DELETION}=true",), None),
    ],
)
def test_a_v14_operator_holds_spec_deletion_policy_to_its_rules_in_akscli_and_the_simulator(
    spec: dict[str, Any], args: tuple[str, ...], expected: str | None
) -> None:
    job = copy.deepcopy(JOB)
    job["spec"].update(spec)
    assert _both(job, "quay.io/kuberay/operator:v1.4.2", *args) == (expected, expected)
    assert _both(job, "quay.io/kuberay/operator:v1.7.0") == (None, None)  # no such field from v1.5.0


@pytest.mark.parametrize(
    ("image", "flag", "problem"),
    [
        # RayCronJob came in v1.6.0: the operator exits, and its RayJobDeletionPolicy=true is not believed
        ("v1.5.1", "RayJobDeletionPolicy=true,RayCronJob=true", "unrecognized feature gate: RayCronJob"),
        ("v1.7.0", "RayJobDeletionPolicy", "missing bool value for RayJobDeletionPolicy"),
        (
            "v1.7.0",
            "RayCronJob=yes",
            'invalid value of RayCronJob=yes, err: strconv.ParseBool: parsing "yes": invalid syntax',
        ),
        ("v1.7.0", "AllAlpha=true,RayClusterMTLS=false", None),
    ],
)
def test_a_flag_the_release_refuses_stops_the_operator_in_akscli_and_the_simulator(
    image: str, flag: str, problem: str | None
) -> None:
    container = {"image": f"quay.io/kuberay/operator:{image}", "args": [f"--feature-gates={flag}"]}
    assert container_problem(container) == problem
    ours = akscli_gates(container)
    assert ours.problem == (
        None if problem is None else f"KubeRay v{image[1:4]} refuses its --feature-gates and exits at start ({problem})"
    )
    if problem is None:  # AllAlpha: every Alpha gate the flag does not name
        theirs = set_flag(flag, RELEASE_DEFAULTS[(1, 7)])[0]
        assert theirs == dict(ours.gates) and theirs["RayCronJob"] and not theirs["RayClusterMTLS"]
    else:
        assert operator_gate(container, DELETION) is None


def test_an_operator_deployment_with_a_refused_flag_crash_loops_and_ray_cluster_status_says_why(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    from tests.emulators.kube.controllers.builtin import DeploymentController
    from tests.emulators.kube.profiles import namespace

    emu = ray_emulator(operator=False)
    emu.controllers.add(DeploymentController(delay=0.02))
    namespace(emu, "kuberay-system")
    labels = {"app.kubernetes.io/name": "kuberay-operator", "app.kubernetes.io/component": "kuberay-operator"}
    container = {
        "name": "kuberay-operator",
        "image": "quay.io/kuberay/operator:v1.5.1",
        "args": ["--feature-gates=RayCronJob=true"],
    }
    # upstream: ray-project/kuberay v1.5.1 helm-chart/kuberay-operator/templates/deployment.yaml
    emu.cluster.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "kuberay-operator", "namespace": "kuberay-system"},
            "spec": {
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
            },
        }
    )

    def waiting() -> str:
        pods = emu.cluster.list("v1", "Pod", label_selector="app.kubernetes.io/component=kuberay-operator")
        states = [s.get("state") or {} for p in pods for s in (p.get("status") or {}).get("containerStatuses") or []]
        return next((str((s.get("waiting") or {}).get("reason")) for s in states), "")

    wait_until(lambda: waiting() == "CrashLoopBackOff")
    assert invoke("ray", "cluster", "create", "alone").exit_code == 0
    shown = invoke("ray", "cluster", "status", "alone").stdout
    assert "the KubeRay operator is not running: KubeRay v1.5 refuses its --feature-gates" in shown
    assert "unrecognized feature gate: RayCronJob" in shown
    # apply -f, reading the gates for a suspended worker group, says so and does not judge by them.
    job = copy.deepcopy(JOB)
    job["spec"]["rayClusterSpec"]["workerGroupSpecs"] = [WORKER]
    (tmp_path / "job.yaml").write_text(yaml.safe_dump(job))
    applied = invoke("apply", "-f", str(tmp_path / "job.yaml"), "-y")
    assert applied.exit_code == 0, applied
    assert "warning: the KubeRay operator is not running: KubeRay v1.5 refuses" in applied.stderr


EMBEDDED = "GCSFaultToleranceEmbeddedStorage"
ROCKSDB_HEAD = {"name": "ray-head", "image": "rayproject/ray:2.52.0"}


@pytest.mark.parametrize(
    ("options", "head", "expected"),
    [
        ({}, ROCKSDB_HEAD, None),
        (
            {"redisAddress": "redis:6379"},
            ROCKSDB_HEAD,
            "cannot set GcsFaultToleranceOptions.RedisAddress when backend is 'rocksdb'",
        ),
        (
            {"storage": {"claimName": "gcs", "size": "1Gi"}},
            ROCKSDB_HEAD,
            "GcsFaultToleranceOptions.Storage.ClaimName is mutually exclusive with size, storageClassName, "
            "and accessModes",
        ),
        (
            {},
            {**ROCKSDB_HEAD, "volumeMounts": [{"name": "data", "mountPath": "/data/gcs"}]},
            'cannot set a volume mount named "gcs-storage" or mounted at /data/gcs in the head container when the '
            "embedded GCS FT backend is used - it is managed by KubeRay",
        ),
    ],
)
def test_with_the_embedded_storage_gate_on_akscli_and_the_simulator_hold_rocksdb_to_its_rules(
    options: dict[str, Any], head: dict[str, Any], expected: str | None
) -> None:
    from tests.emulators.kube.controllers.kuberay.validation import cluster_spec_problem

    spec = {
        "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [head]}}},
        "gcsFaultToleranceOptions": {"backend": "rocksdb", **options},
    }
    obj = {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "ft"}, "spec": spec}
    image, flag = "quay.io/kuberay/operator:v1.7.0", f"--feature-gates={EMBEDDED}=true"
    on = akscli_gates({"image": image, "args": [flag]})
    assert object_problem(obj, None, None, on.release, on.gate(EMBEDDED)) == expected
    assert cluster_spec_problem(spec, {}, at_release(image, flag)) == expected
    off = "the embedded RocksDB GCS fault tolerance backend (GcsFaultToleranceOptions.Backend: 'rocksdb') requires"
    assert str(object_problem(obj)).startswith(off) and str(cluster_spec_problem(spec, {})).startswith(off)
