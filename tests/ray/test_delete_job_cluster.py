"""``ray cluster delete`` of the cluster a RayJob runs on warns that KubeRay makes it again and that
the job does not go on where it was, and names the fix, ``ray job stop`` or ``ray job delete``
(upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/rayjob_controller.go:
the Initializing and Running cases call getOrCreateRayClusterInstance, which creates
status.rayClusterName again from spec.rayClusterSpec; the RayJob Owns its RayClusters, so the
deletion wakes it; common/job.go BuildJobSubmitCommand: the submitter's next pod submits the job
again when the new cluster does not know its submission ID)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli.ray.cluster_delete import job_cluster_delete_warning
from tests.ray.conftest import akscli
from tests.ray.test_cli_job import job, submit
from tests.ray.test_kuberay_service_replacement import wait_until

RAY = "ray.io/v1"


def _running_job(emu: Any) -> tuple[str, str]:
    """Submit ``train`` and wait until it runs; its cluster's name and uid."""
    assert submit("train").exit_code == 0
    wait_until(lambda: (job(emu, "train").get("status") or {}).get("jobStatus") == "RUNNING")
    name = job(emu, "train")["status"]["rayClusterName"]
    return name, emu.cluster.get(RAY, "RayCluster", "default", name)["metadata"]["uid"]


def _submitters(emu: Any) -> list[dict[str, Any]]:
    return list(emu.cluster.list("v1", "Pod", "default", label_selector="batch.kubernetes.io/job-name=train"))


def test_deleting_a_running_jobs_cluster_warns_that_the_job_starts_over_on_a_new_one(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(run_seconds=30)
    cluster, uid = _running_job(emu)
    deleted = akscli("ray cluster delete {} -y", cluster)
    assert deleted.exit_code == 0, deleted
    assert deleted.stderr.startswith(
        f"warning: Ray cluster {cluster} runs RayJob train, which is Running: deleting it ends the job's driver and "
        f"its tasks with the cluster's pods. KubeRay creates {cluster} again, under the same name, from train's "
        "rayClusterSpec"
    ), deleted.stderr
    assert "the job does not go on where it was: it is submitted again from its entrypoint" in deleted.stderr
    assert "akscli ray job stop train -n default, or akscli ray job delete train -n default" in deleted.stderr
    # What the warning says, as the simulator (after KubeRay) does it: the same name, a new cluster,
    # a new submitter pod beside the failed one, and the job running again.
    wait_until(
        lambda: (
            (emu.cluster.get(RAY, "RayCluster", "default", cluster) or {}).get("metadata", {}).get("uid")
            not in (None, uid)
        )
    )
    wait_until(lambda: len(_submitters(emu)) == 2)
    assert sorted(str((p.get("status") or {}).get("phase")) for p in _submitters(emu)) == ["Failed", "Running"]
    # GetJobInfo failed while the new dashboard was down (jobStatusCheckFailureStartTime), then read
    # the job submitted again: the timer is cleared and the job runs on the cluster of the same name.
    wait_until(
        lambda: (
            "jobStatusCheckFailureStartTime" not in job(emu, "train")["status"]
            and job(emu, "train")["status"].get("jobStatus") == "RUNNING"
        )
    )
    status = job(emu, "train")["status"]
    assert (status["jobDeploymentStatus"], status["rayClusterName"]) == ("Running", cluster)


def test_a_dry_run_delete_of_a_running_jobs_cluster_warns_too(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(run_seconds=30)
    cluster, uid = _running_job(emu)
    dry = akscli("ray cluster delete {} --dry-run=server", cluster)
    assert dry.exit_code == 0, dry
    assert f"warning: Ray cluster {cluster} runs RayJob train, which is Running" in dry.stderr
    assert emu.cluster.get(RAY, "RayCluster", "default", cluster)["metadata"]["uid"] == uid


def _cluster(name: str = "train-abcde") -> dict[str, Any]:
    labels = {"ray.io/originated-from-crd": "RayJob", "ray.io/originated-from-cr-name": "train"}
    return {"metadata": {"name": name, "namespace": "ml", "labels": labels}}


def _job(deployment: str, cluster: str = "train-abcde") -> dict[str, Any]:
    status = {"jobDeploymentStatus": deployment, "rayClusterName": cluster}
    return {"metadata": {"name": "train", "namespace": "ml"}, "status": status}


def test_deleting_the_cluster_of_a_job_still_initializing_warns_that_it_is_made_again() -> None:
    warning = job_cluster_delete_warning(_cluster(), _job("Initializing"))
    assert warning is not None
    assert warning.startswith(
        "Ray cluster train-abcde is being made for RayJob train (Initializing): KubeRay creates train-abcde again"
    )
    assert warning.endswith(
        "and the job waits; to end the job and free its cluster: akscli ray job stop train -n ml, "
        "or akscli ray job delete train -n ml"
    )


def test_no_warning_where_kuberay_does_not_make_the_cluster_again() -> None:
    # Ended, suspended or retrying jobs never call getOrCreateRayClusterInstance; a cluster of an
    # earlier attempt is not the one the job names; a gone job's cluster goes with it (garbage collector).
    for deployment in ("Complete", "Failed", "Suspended", "Retrying"):
        assert job_cluster_delete_warning(_cluster(), _job(deployment)) is None
    assert job_cluster_delete_warning(_cluster("train-older"), _job("Running")) is None
    assert job_cluster_delete_warning(_cluster(), None) is None
    own = {"metadata": {"name": "train-abcde", "namespace": "ml"}}
    assert job_cluster_delete_warning(own, _job("Running")) is None
