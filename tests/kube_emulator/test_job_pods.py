"""The pods the Job controller makes and the status it writes (kubernetes/kubernetes
pkg/controller/job/job_controller.go manageJob, indexed_job_utils.go)."""

from __future__ import annotations

from typing import Any

from akscli.kube import readiness
from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.jobs import JobController

INDEX = "batch.kubernetes.io/job-completion-index"


def job(name: str, **spec: Any) -> dict[str, Any]:
    template = {"spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}}
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": {"template": template, **spec}}


def pods(emu: KubeEmulator, name: str) -> list[dict[str, Any]]:
    return emu.cluster.list("v1", "Pod", "default", label_selector=f"job-name={name}")


def complete(emu: KubeEmulator, name: str) -> bool:
    obj = emu.cluster.get("batch/v1", "Job", "default", name) or {}
    return any(c["type"] == "Complete" for c in (obj.get("status") or {}).get("conditions") or [])


def test_an_indexed_jobs_pods_carry_their_completion_index(kube_emulator: KubeEmulator) -> None:
    kube_emulator.generate_cluster(nodes=1, pods=0, gpu_fraction=0.0, variety=False)
    kube_emulator.cluster.create(job("nccl", completionMode="Indexed", completions=3, parallelism=3))
    assert wait_until(lambda: len(pods(kube_emulator, "nccl")) == 3)
    by_index = {p["metadata"]["labels"][INDEX]: p for p in pods(kube_emulator, "nccl")}
    assert sorted(by_index) == ["0", "1", "2"]
    first = by_index["0"]
    assert first["metadata"]["name"].startswith("nccl-0-")
    assert first["metadata"]["annotations"][INDEX] == "0"
    assert first["spec"]["hostname"] == "nccl-0"
    assert {
        "name": "JOB_COMPLETION_INDEX",
        # apiVersion v1: the stored Pod carries SetDefaults_ObjectFieldSelector's default (emufid2)
        "valueFrom": {"fieldRef": {"fieldPath": f"metadata.labels['{INDEX}']", "apiVersion": "v1"}},
    } in (first["spec"]["containers"][0]["env"])


def test_a_complete_indexed_job_lists_its_completed_indexes(kube_emulator: KubeEmulator) -> None:
    kube_emulator.generate_cluster(nodes=1, pods=0, gpu_fraction=0.0, variety=False)
    kube_emulator.cluster.create(job("nccl", completionMode="Indexed", completions=3, parallelism=3))
    assert wait_until(lambda: complete(kube_emulator, "nccl"))
    status = (kube_emulator.cluster.get("batch/v1", "Job", "default", "nccl") or {})["status"]
    assert (status["completedIndexes"], status["succeeded"]) == ("0-2", 3)


def test_a_job_runs_no_more_pods_than_completions_left(kube_emulator: KubeEmulator) -> None:
    kube_emulator.generate_cluster(nodes=1, pods=0, gpu_fraction=0.0, variety=False)
    kube_emulator.cluster.create(job("once", completions=1, parallelism=3))
    assert wait_until(lambda: complete(kube_emulator, "once"))
    assert len(pods(kube_emulator, "once")) == 1


def job_controller(emu: KubeEmulator) -> JobController:
    return next(c for c in emu.controllers.controllers if isinstance(c, JobController))


def conditions(emu: KubeEmulator, name: str) -> dict[str, dict[str, Any]]:
    obj = emu.cluster.get("batch/v1", "Job", "default", name) or {}
    return {c["type"]: c for c in (obj.get("status") or {}).get("conditions") or []}


def stuck_job(emu: KubeEmulator, name: str, deadline: int) -> None:
    """A Job whose pod no node takes (a nodeSelector no node has), with activeDeadlineSeconds."""
    emu.generate_cluster(nodes=1, pods=0, gpu_fraction=0.0, variety=False)
    body = job(name, activeDeadlineSeconds=deadline)
    body["spec"]["template"]["spec"]["nodeSelector"] = {"pool": "none"}
    emu.cluster.create(body)
    assert wait_until(lambda: len(pods(emu, name)) == 1)


def test_a_job_past_its_active_deadline_fails_with_deadline_exceeded(kube_emulator: KubeEmulator) -> None:
    stuck_job(kube_emulator, "probe", 600)
    job_controller(kube_emulator).advance(601)
    assert wait_until(lambda: "Failed" in conditions(kube_emulator, "probe"))
    conds = conditions(kube_emulator, "probe")
    assert (conds["FailureTarget"]["reason"], conds["Failed"]["reason"]) == ("DeadlineExceeded", "DeadlineExceeded")
    assert conds["Failed"]["message"] == "Job was active longer than specified deadline"
    verdict = readiness.check(kube_emulator.cluster.get("batch/v1", "Job", "default", "probe") or {})
    assert verdict.failed and verdict.reason == "DeadlineExceeded"


def test_a_job_before_its_active_deadline_stays_active(kube_emulator: KubeEmulator) -> None:
    stuck_job(kube_emulator, "probe", 600)
    job_controller(kube_emulator).advance(599)
    kube_emulator.idle()
    assert conditions(kube_emulator, "probe") == {}
    assert len(pods(kube_emulator, "probe")) == 1


def test_failed_waits_for_the_pods_still_terminating(kube_emulator: KubeEmulator) -> None:
    """FailureTarget comes first; Failed only once no pod is terminating (enactJobFinished). A
    finalizer holds the pod terminating here, as a long grace period would."""
    stuck_job(kube_emulator, "probe", 600)
    [held] = pods(kube_emulator, "probe")
    kube_emulator.cluster.patch(
        "v1", "Pod", "default", held["metadata"]["name"], {"metadata": {"finalizers": ["akscli.test/hold"]}}
    )
    job_controller(kube_emulator).advance(601)
    assert wait_until(lambda: "FailureTarget" in conditions(kube_emulator, "probe"))
    kube_emulator.idle()
    status = (kube_emulator.cluster.get("batch/v1", "Job", "default", "probe") or {})["status"]
    assert "Failed" not in conditions(kube_emulator, "probe") and status["terminating"] == 1
    assert readiness.check(kube_emulator.cluster.get("batch/v1", "Job", "default", "probe") or {}).failed
    kube_emulator.cluster.remove_finalizers("v1", "Pod", "default", held["metadata"]["name"])
    assert wait_until(lambda: "Failed" in conditions(kube_emulator, "probe"))


def test_a_job_held_by_a_pending_pod_leaves_the_controllers_idle(kube_emulator: KubeEmulator) -> None:
    """Two pods that may not share the one node: one runs, one waits; the Job waits for a change
    (the scheduler binding the other), it does not sync again and again meanwhile."""
    kube_emulator.generate_cluster(nodes=1, pods=0, gpu_fraction=0.0, variety=False)
    body = job("pair", completions=2, parallelism=2)
    body["spec"]["template"]["metadata"] = {"labels": {"run": "pair"}}
    term = {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"run": "pair"}}}
    body["spec"]["template"]["spec"]["affinity"] = {
        "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}
    }
    kube_emulator.cluster.create(body)
    assert wait_until(
        lambda: sorted(p["status"]["phase"] for p in pods(kube_emulator, "pair")) == ["Pending", "Running"]
    )
    assert kube_emulator.idle()
    assert not complete(kube_emulator, "pair")
