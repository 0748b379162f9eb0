"""akscli against the states real KubeRay produces (ray-project/kuberay v1.7), one behaviour each:
sticky state, the autoscaler sidecar, ReplicaFailure, pending RayService clusters, suspended and
waiting jobs, other submission modes, names KubeRay refuses."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke
from tests.ray.conftest import unready_head
from tests.ray.test_cli_cluster import gpu_node, ray_pods, wait_until
from tests.ray.test_cli_job import job, submit

RAY = "ray.io/v1"


def stored(emu: Any, kind: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = emu.cluster.get(RAY, kind, "default", name)
    return found


def head(emu: Any, cluster: str) -> dict[str, Any]:
    return next(p for p in ray_pods(emu, cluster) if p["metadata"]["labels"]["ray.io/node-type"] == "head")


def head_started(emu: Any, cluster: str) -> bool:
    """The simulator writes a pod's logs before its status: a pod with a status has its logs."""
    return any(
        p["metadata"]["labels"]["ray.io/node-type"] == "head" and (p.get("status") or {}).get("phase") == "Running"
        for p in ray_pods(emu, cluster)
    )


# ---- logs name the Ray container (common/pod.go adds "autoscaler" to the head) ----------------


def test_cluster_logs_of_an_autoscaling_cluster_read_the_ray_container(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "auto", "--worker-min", "0", "--worker-max", "2").exit_code == 0
    wait_until(lambda: head_started(emu, "auto"))
    containers = [c["name"] for c in head(emu, "auto")["spec"]["containers"]]
    assert containers == ["ray-head", "autoscaler"]
    result = invoke("ray", "cluster", "logs", "auto")
    assert result.exit_code == 0, result
    assert f"ray head {head(emu, 'auto')['metadata']['name']} started" in result.stdout


def test_cluster_logs_out_dir_saves_the_autoscaler_log_beside_the_ray_log(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "auto", "--worker-min", "0", "--worker-max", "2").exit_code == 0
    wait_until(lambda: head_started(emu, "auto"))
    result = invoke("ray", "cluster", "logs", "auto", "--out-dir", str(tmp_path))
    assert result.exit_code == 0, result
    name = head(emu, "auto")["metadata"]["name"]
    assert "ray head" in (tmp_path / f"{name}.log").read_text()
    assert "autoscaler of auto started" in (tmp_path / f"{name}.autoscaler.log").read_text()


def test_job_logs_out_dir_on_an_autoscaling_job(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    ray_emulator()
    done = submit("auto", "--worker-min", "0", "--worker-max", "2", "--keep-cluster", "--wait", "--timeout", "30s")
    assert done.exit_code == 0, done
    result = invoke("ray", "job", "logs", "auto", "--out-dir", str(tmp_path))
    assert result.exit_code == 0, result
    assert any(p.name.endswith(".autoscaler.log") for p in tmp_path.iterdir())


# ---- diagnosis whatever `state` says (raycluster_controller.go: state is sticky) ---------------


def test_ready_state_is_sticky_and_provisioned_does_not_change(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(failure="unschedulable-gpu")
    gpu_node(emu)
    assert invoke("ray", "cluster", "create", "grow", "--wait", "--timeout", "20s").exit_code == 0
    added = invoke("ray", "workergroup", "add", "grow", "gpu", "--replicas", "1", "--worker-gpu", "1")
    assert added.exit_code == 0, added
    wait_until(lambda: stored(emu, "RayCluster", "grow")["status"].get("desiredWorkerReplicas") == 2)
    status = stored(emu, "RayCluster", "grow")["status"]
    conditions = {c["type"]: c["status"] for c in status["conditions"]}
    assert status["state"] == "ready" and conditions["RayClusterProvisioned"] == "True"
    assert status["desiredWorkerReplicas"] == 2 and status["readyWorkerReplicas"] == 1


def test_status_explains_a_stuck_worker_of_a_ready_cluster(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(failure="unschedulable-gpu")
    gpu_node(emu)
    assert invoke("ray", "cluster", "create", "grow", "--wait", "--timeout", "20s").exit_code == 0
    assert invoke("ray", "workergroup", "add", "grow", "gpu", "--replicas", "1", "--worker-gpu", "1").exit_code == 0
    wait_until(lambda: any((p.get("status") or {}).get("phase") == "Pending" for p in ray_pods(emu, "grow", "gpu")))
    result = invoke("ray", "cluster", "status", "grow")
    assert result.exit_code == 0, result
    assert "state" in result.stdout and "ready" in result.stdout
    assert "Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu" in result.stdout


def test_running_job_with_pending_gpu_workers_is_explained_while_waiting(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(failure="unschedulable-gpu", run_seconds=30)
    gpu_node(emu)
    result = submit("grow", "--worker-gpu", "1", "--worker-min", "0", "--worker-max", "2", "--wait", "--timeout", "6s")
    assert result.exit_code == 5, result
    assert job(emu, "grow")["status"]["jobDeploymentStatus"] == "Running"
    assert "waiting: grow-" in result.stderr and "Unschedulable" in result.stderr
    assert "is still Running (job RUNNING)" in result.stderr and "Insufficient nvidia.com/gpu" in result.stderr


def test_replica_failure_is_shown_with_its_message(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(failure="quota")
    gpu_node(emu)
    assert invoke("ray", "cluster", "create", "capped", "--worker-gpu", "1").exit_code == 0
    wait_until(lambda: "conditions" in (stored(emu, "RayCluster", "capped").get("status") or {}))
    result = invoke("ray", "cluster", "status", "capped")
    assert result.exit_code == 0, result
    assert "condition ReplicaFailure" in result.stdout and "exceeded quota: gpu-quota" in result.stdout
    assert "raycluster.ray.io/capped: FailedCreateWorkerPod" in result.stdout
    assert "kubectl describe resourcequota -n default" in result.stdout


def test_a_name_kuberay_refused_is_explained_by_status(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    name = "a" * 54  # a valid Kubernetes name, over KubeRay's 53
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayCluster",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"headGroupSpec": {"template": {"spec": {"containers": [{"name": "h", "image": "r"}]}}}},
        }
    )
    wait_until(lambda: any(e["reason"] == "InvalidRayClusterMetadata" for e in emu.cluster.list("v1", "Event")))
    result = invoke("ray", "cluster", "status", name)
    assert result.exit_code == 0, result
    assert "InvalidRayClusterMetadata" in result.stdout and "no more than 53 characters" in result.stdout


# ---- names as KubeRay validates them (utils/validation.go, utils/constant.go) ------------------


def test_cluster_names_kuberay_refuses_are_refused() -> None:
    for name in ("1cluster", "a" * 54):
        result = invoke("ray", "cluster", "create", name, "--dry-run=client")
        assert result.exit_code == 2, (name, result)
    assert "starts with a letter" in invoke("ray", "cluster", "create", "1cluster", "--dry-run=client").stderr
    assert invoke("ray", "cluster", "create", "a" * 53, "--dry-run=client").exit_code == 0


def test_job_and_service_names_leave_room_for_the_cluster_suffix(tmp_path: Path) -> None:
    assert submit("a" * 48, "--dry-run=client").exit_code == 2
    assert submit("9job", "--dry-run=client").exit_code == 2
    serve = tmp_path / "serve.yaml"
    serve.write_text("applications:\n  - name: app\n    import_path: m:app\n")
    assert invoke("ray", "service", "deploy", "1llm", "-f", str(serve), "--dry-run=client").exit_code == 2
    assert invoke("ray", "service", "deploy", "a" * 47, "-f", str(serve), "--dry-run=client").exit_code == 0


# ---- RayService before promotion (rayservice_controller.go) ----------------------------------


def test_service_cluster_is_named_after_the_service_and_pending_until_promoted(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator(failure="serve-fail")
    serve = tmp_path / "serve.yaml"
    serve.write_text("applications:\n  - name: llm\n    import_path: serve_llm:app\n")
    assert invoke("ray", "service", "deploy", "llm", "-f", str(serve)).exit_code == 0

    def pending_name() -> str:
        return str(
            ((stored(emu, "RayService", "llm").get("status") or {}).get("pendingServiceStatus") or {}).get(
                "rayClusterName"
            )
            or ""
        )

    # KubeRay names the pending cluster at the end of one pass and creates it on the next.
    wait_until(
        lambda: (
            bool(pending_name()) and emu.cluster.get("ray.io/v1", "RayCluster", "default", pending_name()) is not None
        )
    )
    status = stored(emu, "RayService", "llm")["status"]
    pending = status["pendingServiceStatus"]["rayClusterName"]
    assert pending.startswith("llm-") and len(pending) == len("llm-") + 5
    assert not status["activeServiceStatus"].get("rayClusterName")
    shown = invoke("ray", "service", "status", "llm", "-o", "json")
    assert json.loads(shown.stdout)["pendingCluster"] == pending
    dashboard = invoke("ray", "dashboard", "rayservice/llm", "-o", "json")
    assert dashboard.exit_code == 0, dashboard
    assert json.loads(dashboard.stdout)["cluster"] == pending


def test_service_is_promoted_once_its_applications_run(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    emu = ray_emulator()
    serve = tmp_path / "serve.yaml"
    serve.write_text("applications:\n  - name: llm\n    import_path: serve_llm:app\n")
    assert invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--wait", "--timeout", "20s").exit_code == 0
    status = stored(emu, "RayService", "llm")["status"]
    assert status["activeServiceStatus"]["rayClusterName"].startswith("llm-")
    assert not status["pendingServiceStatus"].get("rayClusterName")
    shown = json.loads(invoke("ray", "service", "status", "llm", "-o", "json").stdout)
    assert shown["cluster"] == status["activeServiceStatus"]["rayClusterName"] and shown["pendingCluster"] is None


# ---- jobs: suspension, a missing selected cluster, other submission modes (rayjob_controller.go) --


def test_a_suspended_job_has_its_run_cleared_and_logs_say_so(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(failure="unschedulable-gpu")
    gpu_node(emu)
    assert submit("halt", "--worker-gpu", "1").exit_code == 0
    wait_until(lambda: (job(emu, "halt").get("status") or {}).get("jobDeploymentStatus") == "Initializing")
    assert invoke("ray", "job", "stop", "halt", "-y").exit_code == 0
    wait_until(lambda: job(emu, "halt")["status"].get("jobDeploymentStatus") == "Suspended")
    status = job(emu, "halt")["status"]
    assert not status.get("rayClusterName") and not status.get("jobId") and not status.get("jobStatus")
    result = invoke("ray", "job", "logs", "halt")
    assert result.exit_code == 3
    assert "Ray job halt is suspended: KubeRay deleted its cluster and submitter" in result.stderr
    assert "kubectl patch rayjob halt" in result.stderr


def test_a_selected_cluster_that_does_not_exist_keeps_the_job_initializing(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayJob",
            "metadata": {"name": "orphan", "namespace": "default"},
            "spec": {"entrypoint": "python x.py", "clusterSelector": {"ray.io/cluster": "missing"}},
        }
    )
    wait_until(lambda: any(e["reason"] == "RayClusterNotFound" for e in emu.cluster.list("v1", "Event")))
    assert job(emu, "orphan")["status"]["jobDeploymentStatus"] == "Initializing"
    result = invoke("ray", "job", "status", "orphan")
    assert result.exit_code == 0, result
    said = "rayjob.ray.io/orphan: RayClusterNotFound: RayCluster default/missing set in the clusterSelector"
    assert said in result.stdout
    emu.cluster.delete(RAY, "RayJob", "default", "orphan")


def _cluster_spec() -> dict[str, Any]:
    rendered = invoke("ray", "cluster", "create", "x", "--dry-run=client", "-o", "json")
    spec: dict[str, Any] = json.loads(rendered.stdout)["spec"]
    return spec


def completed_http_mode_job(emu: Any) -> dict[str, Any]:
    """Creates RayJob ``http`` with ``submissionMode: HTTPMode`` and returns its status once KubeRay
    reports its deployment Complete (``rayClusterName``, ``jobId``)."""
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayJob",
            "metadata": {"name": "http", "namespace": "default"},
            "spec": {"entrypoint": "python x.py", "submissionMode": "HTTPMode", "rayClusterSpec": _cluster_spec()},
        }
    )
    wait_until(lambda: (job(emu, "http").get("status") or {}).get("jobDeploymentStatus") == "Complete")
    status: dict[str, Any] = job(emu, "http")["status"]
    return status


def dashboard_answering_logs(emu: Any, cluster: str, logs: str) -> list[str]:
    """Puts a Ray dashboard behind cluster's head Service (port 8265) that answers every request
    with the Ray Job API's ``{"logs": ...}``; returns the list of paths it is asked for."""
    seen: list[str] = []

    def dashboard(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        seen.append(path)
        return 200, {"Content-Type": "application/json"}, json.dumps({"logs": logs}).encode()

    emu.register_service_proxy("default", f"{cluster}-head-svc", 8265, dashboard)
    return seen


def test_http_mode_job_logs_come_from_the_ray_job_api(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    status = completed_http_mode_job(emu)
    assert not emu.cluster.list("v1", "Pod", "default", label_selector="batch.kubernetes.io/job-name=http")
    seen = dashboard_answering_logs(emu, status["rayClusterName"], "epoch 1\nepoch 2\n")
    result = invoke("ray", "job", "logs", "http")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == ["epoch 1", "epoch 2"]
    assert seen == [f"/api/jobs/{status['jobId']}/logs"]


def test_http_mode_job_logs_with_no_ready_head_say_the_head_is_not_serving(ray_emulator: Callable[..., Any]) -> None:
    # No dashboard answers behind the head Service (its head is not Ready): the proxy's 503 becomes
    # one line naming the head (exit 3), not "answered HTTP 503".
    emu = ray_emulator()
    cluster = completed_http_mode_job(emu)["rayClusterName"]
    unready_head(emu, cluster)
    result = invoke("ray", "job", "logs", "http")
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[0] == (
        f"error: the Ray head of cluster {cluster} is not serving yet: "
        f"no ready head pod behind Service {cluster}-head-svc"
    )
    assert f"akscli ray cluster status {cluster} -n default" in result.stderr
    assert "HTTP 503" not in result.stderr


def test_sidecar_mode_job_logs_come_from_the_head_submitter_container(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(job_logs="sidecar output\n")
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayJob",
            "metadata": {"name": "side", "namespace": "default"},
            "spec": {"entrypoint": "python x.py", "submissionMode": "SidecarMode", "rayClusterSpec": _cluster_spec()},
        }
    )
    wait_until(lambda: (job(emu, "side").get("status") or {}).get("jobDeploymentStatus") == "Complete")
    result = invoke("ray", "job", "logs", "side")
    assert result.exit_code == 0, result
    assert "sidecar output" in result.stdout


# ---- RayJob spec rules (upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
# ValidateRayJobSpec) -------------------------------------------------------------------------


def test_a_job_keeping_its_cluster_with_a_ttl_fails_validation_as_kuberay_refuses_it(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    emu.cluster.create(
        {
            "apiVersion": "ray.io/v1",
            "kind": "RayJob",
            "metadata": {"name": "kept", "namespace": "default"},
            "spec": {
                "entrypoint": "python x.py",
                "shutdownAfterJobFinishes": False,
                "ttlSecondsAfterFinished": 60,
                "rayClusterSpec": _cluster_spec(),
            },
        }
    )
    wait_until(lambda: (job(emu, "kept").get("status") or {}).get("jobDeploymentStatus") == "ValidationFailed")
    status = job(emu, "kept")["status"]
    assert status["message"] == (
        "The RayJob spec is invalid: a RayJob with shutdownAfterJobFinishes set to false cannot have "
        "TTLSecondsAfterFinished"
    )
    reasons = {e.get("reason") for e in emu.cluster.list("v1", "Event", "default")}
    assert "InvalidRayJobSpec" in reasons


def test_a_job_on_an_existing_cluster_with_retries_fails_validation(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    emu.cluster.create(
        {
            "apiVersion": "ray.io/v1",
            "kind": "RayJob",
            "metadata": {"name": "retry", "namespace": "default"},
            "spec": {"entrypoint": "python x.py", "backoffLimit": 2, "clusterSelector": {"ray.io/cluster": "rc"}},
        }
    )
    wait_until(lambda: (job(emu, "retry").get("status") or {}).get("jobDeploymentStatus") == "ValidationFailed")
    assert job(emu, "retry")["status"]["message"] == (
        "The RayJob spec is invalid: BackoffLimit is incompatible with ClusterSelector mode"
    )


def test_keep_cluster_jobs_akscli_submits_pass_kuberays_rules(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    result = submit("kept", "--keep-cluster", "--wait", "--timeout", "20s")
    assert result.exit_code == 0, result


KEEP_HINT = "hint: drop --ttl, or drop --keep-cluster to delete the cluster after the job"


@pytest.mark.parametrize(
    ("flags", "hint"),
    [
        (
            ("--keep-cluster", "--ttl", "10m"),
            "hint: drop --ttl, or drop --keep-cluster to delete the cluster after the job",
        ),
        (("--cluster", "rc", "--ttl", "10m"), "hint: drop --ttl"),
    ],
)
def test_a_ttl_on_a_job_that_does_not_delete_its_cluster_is_refused_before_anything_is_sent(
    ray_emulator: Callable[..., Any], flags: tuple[str, ...], hint: str
) -> None:
    # upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
    # validateDeletionConfiguration; before, akscli left the typed --ttl out of the RayJob unsaid.
    emu = ray_emulator()
    result = submit("kept", *flags)
    assert result.exit_code == 2, result
    assert "KubeRay refuses a RayJob with shutdownAfterJobFinishes set to false that has a TTLSecondsAfterFinished" in (
        result.stderr
    )
    assert result.stderr.splitlines()[-1] == hint
    assert job(emu, "kept") is None


# ---- no operator at all, and "created" once ---------------------------------------------------


def test_a_job_nobody_picks_up_is_explained_as_no_operator(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(operator=False)
    result = submit("lonely", "--wait", "--timeout", "2s")
    assert result.exit_code == 5, result
    said = "rayjob.ray.io/lonely: NoOperator: KubeRay has not picked it up: no KubeRay operator is running"
    assert said in result.stderr
    assert "helm install kuberay-operator" in result.stderr


def test_cluster_status_without_operator_says_so_and_a_ready_operator_silences_it(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(operator=False)
    assert invoke("ray", "cluster", "create", "alone").exit_code == 0
    assert "NoOperator" in invoke("ray", "cluster", "status", "alone").stdout
    # upstream: ray-project/kuberay v1.7.0 helm-chart/kuberay-operator/templates/deployment.yaml (pod labels)
    _ready_operator_pod(
        emu, {"app.kubernetes.io/name": "kuberay-operator", "app.kubernetes.io/component": "kuberay-operator"}
    )
    assert "NoOperator" not in invoke("ray", "cluster", "status", "alone").stdout


def test_an_operator_installed_with_kustomize_is_seen_running(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(operator=False)
    assert invoke("ray", "cluster", "create", "alone").exit_code == 0
    # upstream: ray-project/kuberay v1.7.0 ray-operator/config/manager/manager.yaml (pod labels)
    _ready_operator_pod(emu, {"app.kubernetes.io/name": "kuberay", "app.kubernetes.io/component": "kuberay-operator"})
    assert "NoOperator" not in invoke("ray", "cluster", "status", "alone").stdout


def _ready_operator_pod(emu: Any, labels: dict[str, str]) -> None:
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "kuberay-operator-0", "namespace": "default", "labels": labels},
            "spec": {"containers": [{"name": "kuberay-operator", "image": "quay.io/kuberay/operator:v1.7.0"}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
        }
    )


def test_submit_wait_reports_created_once(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    result = submit("once", "--wait", "--timeout", "20s")
    assert result.exit_code == 0, result
    assert result.stderr.count("rayjob.ray.io/once created") == 1, result.stderr


# ---- Ray session logs through exec, as kubectl ray log (kubectl-plugin/pkg/cmd/log/log.go) -----


def _tar(entries: dict[str, bytes]) -> Any:
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


def test_session_logs_are_unpacked_under_the_pod_directory(tmp_path: Path) -> None:
    from akscli import ray

    archive = _tar({"./raylet.out": b"raylet started\n", "./old/gcs_server.out": b"gcs\n"})
    assert ray.extract_session_logs(archive, tmp_path / "head") == 2
    assert (tmp_path / "head" / "raylet.out").read_text() == "raylet started\n"
    assert (tmp_path / "head" / "old" / "gcs_server.out").read_text() == "gcs\n"


def test_a_session_log_archive_escaping_its_directory_is_refused(tmp_path: Path) -> None:
    from akscli import errors, ray

    with pytest.raises(errors.AkscliError, match=r"illegal file path in the Ray log archive: \.\./evil"):
        ray.extract_session_logs(_tar({"../evil": b"x"}), tmp_path / "head")
    assert not (tmp_path / "evil").exists()


def test_out_dir_says_when_exec_is_refused_and_keeps_the_pod_logs(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "demo", "--wait", "--timeout", "20s").exit_code == 0
    result = invoke("ray", "cluster", "logs", "demo", "--out-dir", str(tmp_path))
    assert result.exit_code == 0, result
    assert "Ray session logs (/tmp/ray/session_latest/logs/) not gathered: " in result.stderr
    assert (tmp_path / f"{head(emu, 'demo')['metadata']['name']}.log").exists()


def test_a_refused_exec_is_named_by_the_servers_message_without_response_headers(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    """The stream client's reason is "Handshake status 400 ... -+-+- {headers} -+-+- body"; the
    line keeps the status and the Status message only (no node: the head is Pending, unbound)."""
    emu = ray_emulator(node=False)
    assert invoke("ray", "cluster", "create", "demo").exit_code == 0
    wait_until(lambda: bool(emu.cluster.list("v1", "Pod", "default", label_selector="ray.io/node-type=head")))
    result = invoke("ray", "cluster", "logs", "demo", "--out-dir", str(tmp_path))
    pod = head(emu, "demo")["metadata"]["name"]
    assert f"cannot exec in pod default/{pod}: HTTP 400: pod {pod} does not have a host assigned\n" in result.stderr
    assert "-+-+-" not in result.stderr
