"""`ray dashboard rayjob/NAME` of a job whose Ray cluster KubeRay deleted on purpose says so: after
the job ends (shutdownAfterJobFinishes, the deletion rules) or while it is suspended (ray-project/
kuberay feeaf72 ray-operator/controllers/ray/rayjob_controller.go). It used to say the cluster was
one "which KubeRay has not created yet" and to wait for it, which never comes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli import invoke

RAY = "ray.io/v1"


def _job(kube_emulator: Any, state: str) -> None:
    kube_emulator.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayJob",
            "metadata": {"name": "train", "namespace": "default"},
            "spec": {"entrypoint": "python train.py", "shutdownAfterJobFinishes": True},
            "status": {"jobDeploymentStatus": state, "rayClusterName": "train-x7k2p"},
        }
    )


@pytest.mark.parametrize("state", ["Complete", "Failed"])
def test_the_dashboard_of_an_ended_job_whose_cluster_is_gone_says_kuberay_deleted_it(
    kube_emulator: Any, kubeconfig: Any, state: str
) -> None:
    _job(kube_emulator, state)
    result = invoke("ray", "dashboard", "rayjob/train", "-o", "json")
    assert result.exit_code == 3, result
    error, hint = result.stderr.splitlines()
    assert error == (
        f"error: rayjob train is {state} and its Ray cluster train-x7k2p is gone: "
        "KubeRay deletes it after the job where the RayJob asks it to"
    )
    assert hint == "hint: its submitter's log remains: akscli ray job logs train"


def test_the_dashboard_of_a_suspended_job_says_its_cluster_comes_back_on_resume(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    _job(kube_emulator, "Suspended")
    result = invoke("ray", "dashboard", "rayjob/train")
    assert result.exit_code == 3, result
    assert "is Suspended and its Ray cluster train-x7k2p is gone" in result.stderr
    assert "when the job resumes" in result.stderr


def test_the_dashboard_of_a_running_job_whose_cluster_is_not_there_yet_still_says_to_wait(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    _job(kube_emulator, "Initializing")
    result = invoke("ray", "dashboard", "rayjob/train")
    assert result.exit_code == 3, result
    assert "which KubeRay has not created yet" in result.stderr


def test_the_dashboard_of_a_bare_job_name_names_the_rayjob_form(kube_emulator: Any, kubeconfig: Any) -> None:
    _job(kube_emulator, "Running")
    result = invoke("ray", "dashboard", "train")
    assert result.exit_code == 3, result
    assert result.stderr.splitlines() == [
        "error: Ray cluster train not found in namespace default; train is a Ray job",
        "hint: its cluster's dashboard: akscli ray dashboard rayjob/train -n default",
    ]


def test_without_rbac_to_read_rayjobs_a_bare_name_not_found_is_the_plain_not_found() -> None:
    # The RayJob and RayService reads only name the form that takes the NAME: a user who may read
    # RayClusters alone still gets the cluster's not-found, not a refusal of a read they never asked for
    from akscli.errors import AuthError, NotFoundError
    from akscli.ray.live import resolve_cluster

    class ClustersOnly:
        def get(self, api: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
            if kind == "RayCluster":
                return None
            raise AuthError(f"{kind.lower()}s.ray.io {name} is forbidden")

        def list(self, api: str, kind: str, namespace: str | None = None, **_: Any) -> list[dict[str, Any]]:
            # The not-found hint lists the namespace's clusters for a close name (ray/live.py not_found).
            if kind == "RayCluster":
                return []
            raise AuthError(f"{kind.lower()}s.ray.io is forbidden")

    with pytest.raises(NotFoundError) as caught:
        resolve_cluster(ClustersOnly(), "nope", "ml")  # type: ignore[arg-type]
    assert caught.value.message == "Ray cluster nope not found in namespace ml"
