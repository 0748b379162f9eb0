"""``ray cluster delete`` of a cluster that RayJobs run on through ``--cluster`` (spec.clusterSelector)
warns that KubeRay does not make it again and that such a job stays as it is until a deadline, and
names the fix, ``ray job stop`` first; a Waiting (InteractiveMode) job's own cluster warns that it
is not made again until the job runs (upstream: ray-project/kuberay v1.7.0 (59d663ae)
ray-operator/controllers/ray/rayjob_controller.go getOrCreateRayClusterInstance, Reconcile's Waiting
and Running cases)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli.ray.cluster_delete import job_cluster_delete_warning, selector_jobs_delete_warning
from tests.cli import invoke
from tests.ray.conftest import akscli
from tests.ray.test_cli_job import job, submit
from tests.ray.test_kuberay_service_replacement import wait_until


def test_deleting_a_cluster_a_running_job_selects_warns_that_the_job_stays_running(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(run_seconds=30)
    assert invoke("ray", "cluster", "create", "shared", "--wait", "--timeout", "20s").exit_code == 0
    assert submit("onshared", "--cluster", "shared").exit_code == 0
    wait_until(lambda: (job(emu, "onshared").get("status") or {}).get("jobStatus") == "RUNNING")
    with emu._log_lock:
        emu.request_log.clear()
    deleted = akscli("ray cluster delete shared -y")
    assert deleted.exit_code == 0, deleted
    said = " ".join(deleted.stderr.split())
    assert said.startswith(
        "warning: Ray cluster shared runs RayJob onshared through --cluster (clusterSelector), Running: deleting it "
        "ends their drivers and tasks with the cluster's pods. KubeRay does not make a cluster that a clusterSelector "
        "names"
    ), said
    assert "until its activeDeadlineSeconds" in said
    assert "akscli ray job stop onshared -n default, then delete the cluster" in said
    # One paged list of the namespace's RayJobs finds them (the cluster is not labelled as theirs).
    lists = [r for r in emu.requests(method="GET") if r.path == "/apis/ray.io/v1/namespaces/default/rayjobs"]
    assert [r.query.get("limit") for r in lists] == [["500"]]


def test_the_warning_holds_the_job_stays_running_with_rayclusternotfound_until_its_deadline_fails_it(
    ray_emulator: Callable[..., Any],
) -> None:
    # The simulator does what rayjob_controller.go's Running case does once a selected cluster is gone.
    emu = ray_emulator(run_seconds=60)
    assert invoke("ray", "cluster", "create", "shared", "--wait", "--timeout", "20s").exit_code == 0
    assert submit("onshared", "--cluster", "shared", "--deadline", "10s").exit_code == 0
    wait_until(lambda: (job(emu, "onshared").get("status") or {}).get("jobStatus") == "RUNNING")
    deleted = akscli("ray cluster delete shared -y")
    assert deleted.exit_code == 0, deleted
    said = " ".join(deleted.stderr.split())
    assert "KubeRay does not make a cluster that a clusterSelector names" in said, said
    assert "until its activeDeadlineSeconds" in said, said

    def not_found() -> list[dict[str, Any]]:
        events = emu.cluster.list("v1", "Event", "default")
        return [
            e for e in events if e.get("reason") == "RayClusterNotFound" and e["involvedObject"]["name"] == "onshared"
        ]

    wait_until(lambda: bool(not_found()))
    [event] = not_found()
    assert (event["type"], event["message"]) == (
        "Warning",
        "RayCluster default/shared set in the clusterSelector is not found. It must be created manually",
    )
    status = job(emu, "onshared")["status"]
    assert (status["jobDeploymentStatus"], status["jobStatus"]) == ("Running", "RUNNING")
    assert "jobStatusCheckFailureStartTime" not in status  # the pass ends before the job's info is read
    shown = invoke("ray", "job", "status", "onshared")
    assert "RayClusterNotFound" in shown.stdout, shown
    wait_until(lambda: job(emu, "onshared")["status"]["jobDeploymentStatus"] == "Failed")
    status = job(emu, "onshared")["status"]
    assert (status["reason"], status["jobStatus"]) == ("DeadlineExceeded", "RUNNING")
    assert emu.cluster.get("ray.io/v1", "RayCluster", "default", "shared") is None  # never made again


def _cluster(name: str = "shared", labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "default", "labels": labels or {}}}


def _job(name: str, deployment: str | None, selects: str | None = "shared", **spec: Any) -> dict[str, Any]:
    if selects:
        spec["clusterSelector"] = {"ray.io/cluster": selects}
    status = {"jobDeploymentStatus": deployment} if deployment else {}
    return {"metadata": {"name": name}, "spec": spec, "status": status}


def test_jobs_that_wait_for_a_selected_cluster_are_told_to_be_deleted() -> None:
    warning = selector_jobs_delete_warning(_cluster(), [_job("a", "Initializing"), _job("b", None)])
    assert warning is not None
    assert warning.startswith("RayJobs a, b wait to run on Ray cluster shared through --cluster (clusterSelector)")
    assert warning.endswith("to drop them: akscli ray job delete a -n default")


def test_ended_jobs_and_jobs_on_other_clusters_give_no_selector_warning() -> None:
    jobs = [_job("done", "Complete"), _job("failed", "Failed"), _job("other", "Running", selects="elsewhere")]
    assert selector_jobs_delete_warning(_cluster(), [*jobs, _job("own", "Running", selects=None)]) is None


def test_a_waiting_interactive_jobs_cluster_warns_it_is_made_again_only_once_the_job_runs() -> None:
    labels = {"ray.io/originated-from-crd": "RayJob", "ray.io/originated-from-cr-name": "chat"}
    job = _job("chat", "Waiting", selects=None, submissionMode="InteractiveMode")
    job["status"]["rayClusterName"] = "chat-abcde"
    warning = job_cluster_delete_warning(_cluster("chat-abcde", labels), job)
    assert warning is not None
    assert warning.startswith(
        "Ray cluster chat-abcde was made for RayJob chat, which is Waiting for its job ID (InteractiveMode): "
        "KubeRay does not make chat-abcde again while chat waits"
    )
    assert "chat then stays Running until a job of that ID is submitted to the new cluster" in warning
    assert warning.endswith("akscli ray job delete chat -n default")
