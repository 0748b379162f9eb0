"""KubeRay v1.7.0's start-up checks, after its feature gates are set: KubernetesWAS with a batch
scheduler, and SidecarSubmitterRestart below Kubernetes 1.35, each stops the operator; akscli
(akscli.ray.operator_gates) and the simulator (controllers/kuberay/gates.py start_error) agree, the
operator's pod crash-loops with exitOnError's line, and `ray cluster create -f` judges the Alpha
RayCluster options by the operator's gates as `apply -f` does.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/main.go lines 186-222 (exitOnError,
newLogEncoder), apis/config/v1alpha1/config_utils.go ValidateBatchSchedulerConfig,
controllers/ray/utils/util.go GetKubernetesVersion, IsK8sVersionAtLeast; helm-chart/kuberay-operator
templates/deployment.yaml (--enable-batch-scheduler, --batch-scheduler=NAME, --config).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from akscli.ray.operator_gates import SIDECAR_FIX, WAS_ERROR, WAS_FIX, container_gates, on_server
from tests.cli import invoke
from tests.emulators.kube import discovery
from tests.emulators.kube.controllers.kuberay.gates import start_error
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_kuberay_alpha_options import ALL_ON, V170, _with

WAS = "--feature-gates=KubernetesWAS=true"
SIDECAR = "--feature-gates=SidecarSubmitterRestart=true"


@pytest.mark.parametrize(
    ("args", "refused"),
    [
        ([WAS, "--batch-scheduler=volcano"], True),
        ([WAS, "-enable-batch-scheduler"], True),
        ([WAS, "--batch-scheduler", "yunikorn"], True),
        ([WAS], False),
        ([WAS, "--enable-batch-scheduler=false"], False),
        ([WAS, "--batch-scheduler=volcano", "--config", "/etc/kuberay/config.yaml"], False),  # flags ignored
        (["--batch-scheduler=volcano"], False),  # KubernetesWAS off by default
    ],
)
def test_kubernetes_was_with_a_batch_scheduler_stops_the_operator_in_akscli_and_the_simulator(
    args: list[str], refused: bool
) -> None:
    container = {"image": V170, "args": args}
    theirs = start_error(container)
    ours = container_gates(container)
    assert theirs == (("batch scheduler configs validation failed", WAS_ERROR) if refused else None)
    assert ours.problem == (f"KubeRay v1.7 exits at start: {WAS_ERROR}" if refused else None)
    assert ours.fix == (WAS_FIX if refused else None)


@pytest.mark.parametrize(
    ("served", "refused"), [("v1.32.0-akscli-emulator", True), ("v1.34.9", True), ("v1.35.0", False)]
)
def test_sidecar_submitter_restart_below_k8s_135_stops_the_operator_in_akscli_and_the_simulator(
    served: str, refused: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(discovery.VERSION_INFO, "gitVersion", served)
    container = {"image": V170, "args": [SIDECAR]}
    error = f"current version {served} is below 1.35"
    assert start_error(container) == (
        ("SidecarSubmitterRestart feature gate requires K8s 1.35+", error) if refused else None
    )
    ours = on_server(container_gates(container), served)
    assert ours.problem == (
        f"KubeRay v1.7 exits at start: SidecarSubmitterRestart feature gate requires K8s 1.35+ ({error})"
        if refused
        else None
    )
    assert ours.gate("SidecarSubmitterRestart") is (None if refused else True)


def test_a_sidecar_restart_operator_on_k8s_132_crash_loops_with_its_line_and_ray_cluster_status_says_why(
    ray_emulator: Callable[..., Any],
) -> None:
    """A v1.7.0 operator Deployment with SidecarSubmitterRestart on, on the emulator's 1.32: its
    pod crash-loops, each instance logs exitOnError's JSON line, and `ray cluster status` says the
    operator is not running, why, and the fix (one /version read)."""
    from tests.emulators.kube.controllers.builtin import DeploymentController
    from tests.emulators.kube.profiles import namespace

    emu = ray_emulator(operator=False)
    deployments = DeploymentController(delay=0.02)
    emu.controllers.add(deployments)
    namespace(emu, "kuberay-system")
    labels = {"app.kubernetes.io/name": "kuberay-operator", "app.kubernetes.io/component": "kuberay-operator"}
    container = {"name": "kuberay-operator", "image": V170, "args": [SIDECAR]}
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

    def pod() -> dict[str, Any] | None:
        return next(iter(emu.cluster.list("v1", "Pod", "kuberay-system")), None)

    def logged_lines() -> list[Any]:
        # The operator's container logs after its pod exists (the emulator's kubelet starts it
        # once the pod is created), so wait for the line rather than for the pod alone.
        found = pod()
        if found is None:
            return []
        return list(emu.cluster.api.log_lines("kuberay-system", str(found["metadata"]["name"]), "kuberay-operator"))

    wait_until(lambda: bool(logged_lines()))
    name = str(pod()["metadata"]["name"])  # type: ignore[index]
    [(_, line)] = logged_lines()
    logged = json.loads(line)
    assert {k: v for k, v in logged.items() if k != "ts"} == {
        "level": "error",
        "logger": "setup",
        "msg": "SidecarSubmitterRestart feature gate requires K8s 1.35+",
        "error": "current version v1.32.0-akscli-emulator is below 1.35",
    }
    deployments.advance(60)  # the back-off ends: a new instance logs the same line and exits again
    wait_until(lambda: emu.cluster.api.previous_log_lines("kuberay-system", name, "kuberay-operator") != [])
    assert [x for _, x in emu.cluster.api.log_lines("kuberay-system", name, "kuberay-operator")] == [line]
    assert invoke("ray", "cluster", "create", "alone").exit_code == 0
    shown = invoke("ray", "cluster", "status", "alone").stdout
    assert (
        "the KubeRay operator is not running: KubeRay v1.7 exits at start: SidecarSubmitterRestart feature gate "
        "requires K8s 1.35+ (current version v1.32.0-akscli-emulator is below 1.35)"
    ) in shown
    assert SIDECAR_FIX.split(",")[0] in shown


def test_ray_cluster_create_f_judges_the_alpha_options_by_the_operators_gates(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    """Offline (--dry-run=client) only the file's content is judged; on a cluster with a v1.7.0
    operator run with the gates on, a networkPolicy cluster is created (before: refused whatever
    the operator ran); with the operator's default gates (off), KubeRay's gate line, exit 2."""
    from tests.emulators.kube.profiles import ready_pod

    path = tmp_path / "c.yaml"
    doc = {"apiVersion": "ray.io/v1", "kind": "RayCluster"}
    path.write_text(yaml.safe_dump(doc | {"spec": _with({"networkPolicy": {"mode": "DenyAllIngress"}})}))
    emu = ray_emulator()
    labels = {"app.kubernetes.io/component": "kuberay-operator"}
    ready_pod(emu, "kuberay-system", "kuberay-operator-0", labels, V170, [ALL_ON])
    assert invoke("ray", "cluster", "create", "np", "-f", str(path), "--dry-run=client").exit_code == 0
    result = invoke("ray", "cluster", "create", "np", "-f", str(path), "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get("ray.io/v1", "RayCluster", "default", "np") is not None
    emu.cluster.delete("v1", "Pod", "kuberay-system", "kuberay-operator-0")
    ready_pod(emu, "kuberay-system", "kuberay-operator-1", labels, V170)
    result = invoke("ray", "cluster", "create", "np2", "-f", str(path), "-y")
    assert result.exit_code == 2, result
    assert "spec.networkPolicy requires the RayClusterNetworkPolicy feature gate to be enabled" in result.stderr
    assert emu.cluster.get("ray.io/v1", "RayCluster", "default", "np2") is None


def test_a_sidecar_job_ended_by_its_restart_count_gets_no_exit_code_explanation() -> None:
    """With SidecarSubmitterRestart on, a SubmissionFailed job's message is KubeRay's restart-count
    one (rayjob_controller.go checkSubmitterAndUpdateStatusIfNeeded); akscli's explanation of the
    gate-off ending (the container's exit code read first) would be wrong there."""
    from akscli.ray.job import sidecar_ending

    status = {"reason": "SubmissionFailed", "jobStatus": "RUNNING"}
    job = {"spec": {"submissionMode": "SidecarMode"}, "status": status}
    exited = "Ray head pod container ray-job-submitter terminated with exit code 1: Error"
    assert "exits 1 when the Ray job failed" in sidecar_ending(job | {"status": status | {"message": exited}})
    restarted = (
        "Ray head pod submitter container ray-job-submitter terminated after exceeding the maximum restart count"
    )
    assert sidecar_ending(job | {"status": status | {"message": restarted}}) == ""
