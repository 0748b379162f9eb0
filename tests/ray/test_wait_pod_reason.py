"""`ray cluster create --wait` names a pending pod's scheduling reason in its progress line as
soon as the scheduler has given it (kube/wait.py follows the pods of an object still pending
POD_LOOK_AFTER seconds in), not only in the timeout's error: KubeRay's status says only
RayClusterPodsProvisioning."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from akscli.kube import wait
from tests.baremetal.nodes import small_cpu_node
from tests.cli import invoke
from tests.ray.conftest import akscli

REASON = "not scheduled: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."


def progress_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("0/1 ready; raycluster.ray.io/demo")]


def test_the_progress_line_names_the_pending_pods_scheduling_reason(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wait, "POD_LOOK_AFTER", 0.0)
    emu = ray_emulator(node=False)
    emu.cluster.create(small_cpu_node())  # the head fits here; no node is in pool gpu
    result = akscli("ray cluster create demo --worker-gpu 1 --gpu-pool gpu --worker-replicas 1 --wait --timeout 3s")
    assert result.exit_code == 5, result  # timed out (docs/exit-codes.md)
    with_reason = [line for line in progress_lines(result.stderr) if REASON in line]
    assert with_reason, result.stderr
    assert with_reason[0].startswith("0/1 ready; raycluster.ray.io/demo: ")
    assert " pod demo-" in with_reason[0]


def test_a_wait_shorter_than_the_look_after_reads_no_pods(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wait, "POD_LOOK_AFTER", 60.0)
    emu = ray_emulator(node=False)
    emu.cluster.create(small_cpu_node())
    result = akscli("ray cluster create demo --worker-gpu 1 --gpu-pool gpu --worker-replicas 1 --wait --timeout 2s")
    assert result.exit_code == 5, result
    assert not [line for line in progress_lines(result.stderr) if REASON in line]
    assert not [e for e in emu.request_log if e.path.endswith("/pods") and "watch" in e.query]


def test_an_applied_rayjob_has_its_clusters_pods_followed_once_kuberay_names_the_cluster(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The RayJob as applied has no status.rayClusterName (its pods' selector, readiness.kuberay
    # POD_SELECTORS): the wait reads it from the job's watch once KubeRay has set it.
    monkeypatch.setattr(wait, "POD_LOOK_AFTER", 0.0)
    emu = ray_emulator(node=False)
    emu.cluster.create(small_cpu_node())
    rendered = invoke(
        "ray", "job", "submit", "--name", "train", "--worker-gpu", "1", "--gpu-pool", "gpu", "--worker-replicas", "1",
        "--dry-run=client", "--", "python", "x.py",
    )  # fmt: skip
    assert rendered.exit_code == 0, rendered
    manifest = tmp_path / "job.yaml"
    manifest.write_text(rendered.stdout)
    result = invoke("apply", "-f", str(manifest), "-y", "--wait", "--timeout", "3s")
    assert result.exit_code == 5, result
    lines = [line for line in result.stderr.splitlines() if line.startswith("0/1 ready; rayjob.ray.io/train: ")]
    assert [line for line in lines if REASON in line], result.stderr


def _cluster(name: str, *flags: str) -> str:
    rendered = invoke("ray", "cluster", "create", name, *flags, "--dry-run=client")
    assert rendered.exit_code == 0, rendered
    return rendered.stdout


def test_a_fifth_pending_object_has_its_pods_followed_once_one_of_the_first_four_is_ready(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # At most POD_FOLLOWS (4) pod watches at once; the one freed by a ready cluster takes the next.
    monkeypatch.setattr(wait, "POD_LOOK_AFTER", 0.0)
    emu = ray_emulator(node=False)
    for i in range(5):
        emu.cluster.create(small_cpu_node(f"aks-system-{i}"))  # room for the five heads; none in pool gpu
    ready = [_cluster(f"cpu{i}", "--worker-replicas", "0") for i in range(4)]
    stuck = _cluster("demo", "--worker-gpu", "1", "--gpu-pool", "gpu", "--worker-replicas", "1")
    manifest = tmp_path / "clusters.yaml"
    manifest.write_text("---\n".join([*ready, stuck]))
    result = invoke("apply", "-f", str(manifest), "--stack", "five", "-y", "--wait", "--timeout", "6s")
    assert result.exit_code == 5, result
    progress = [line for line in result.stderr.splitlines() if re.match(r"\d/5 ready; ", line)]
    said = [line for line in progress if "raycluster.ray.io/demo: " in line and "not scheduled: 0/5 nodes" in line]
    assert said, result.stderr


class _Resource:
    namespaced = True


class _Kube:
    """Just what the Waiter asks of a client before it watches (reflector.list_and_watch is faked)."""

    namespace = "default"

    def resource(self, api_version: str, kind: str) -> _Resource:
        return _Resource()


def test_a_rayjobs_pods_are_followed_again_under_its_new_cluster_when_a_retry_names_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A retried RayJob gets a new status.rayClusterName (KubeRay's Retrying -> New, a new cluster):
    # the pod watch under the old cluster's selector ends and one under the new selector starts.
    monkeypatch.setattr(wait, "POD_LOOK_AFTER", 0.0)
    job: dict[str, Any] = {"apiVersion": "ray.io/v1", "kind": "RayJob", "metadata": {"name": "train"}}
    pod_selectors: list[str] = []
    watching = threading.Event()

    def with_status(**status: str) -> dict[str, Any]:
        return {**job, "metadata": {"name": "train", "namespace": "default"}, "status": status}

    def list_and_watch(_kube: Any, _api: str, kind: str, **kw: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        if kind == "Pod":
            pod_selectors.append(kw["label_selector"])
            watching.set()
            while not kw["cancel"].cancelled and kw["seconds_left"]() > 0:
                time.sleep(0.01)
            return
        yield "ADDED", with_status(jobDeploymentStatus="Initializing", rayClusterName="train-aaaaa")
        for cluster in ("train-bbbbb", None):
            assert watching.wait(5)
            watching.clear()
            if cluster is None:
                yield "MODIFIED", with_status(jobDeploymentStatus="Complete", rayClusterName="train-bbbbb")
            else:
                yield "MODIFIED", with_status(jobDeploymentStatus="Initializing", rayClusterName=cluster)

    monkeypatch.setattr(wait.reflector, "list_and_watch", list_and_watch)
    assert wait.wait_for(_Kube(), [job], timeout=10) == []  # type: ignore[arg-type]
    assert pod_selectors == ["ray.io/cluster=train-aaaaa", "ray.io/cluster=train-bbbbb"]
