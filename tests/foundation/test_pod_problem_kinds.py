"""akscli.kube.pod_problems returns a typed problem (unschedulable, a waiting container, a container
that ended with an error) with the pod's name and kube-scheduler's or the kubelet's own words, and
a timed-out wait picks its hint by that kind, never by searching the text."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from akscli.cli.common import apply_objects
from akscli.kube import pod_hints, pod_problems
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from tests.baremetal.nodes import small_cpu_node
from tests.foundation.test_wait_pod_problems import failed_rollout, gpu_deployment


def _first_problem(kubeconfig: Path) -> pod_problems.Problem | None:
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    deadline = time.monotonic() + 5
    found = None
    while found is None and time.monotonic() < deadline:
        found = pod_problems.first_problem(kube, "default", {"matchLabels": {"app": "llm"}})
        time.sleep(0.05)
    return found


def test_a_pod_the_scheduler_cannot_place_is_an_unschedulable_problem_in_its_words(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    kube_emulator.cluster.create(small_cpu_node())
    apply_objects([gpu_deployment()], stack="demo", target=KubeTarget(kubeconfig=str(kubeconfig)), yes=True)
    found = _first_problem(kubeconfig)
    assert isinstance(found, pod_problems.Problem)
    assert found.kind == pod_problems.UNSCHEDULABLE
    assert found.pod.startswith("llm-") and found.namespace == "default"
    assert found.reason == "Unschedulable"
    assert found.message.startswith("0/1 nodes are available: 1 Insufficient nvidia.com/gpu.")
    assert str(found) == f"pod {found.pod} not scheduled: {found.message}"


def test_a_rollout_stuck_on_an_image_it_cannot_pull_hints_at_the_registry(
    kube_emulator_factory: Any, tmp_path: Path
) -> None:
    failed = failed_rollout(kube_emulator_factory, tmp_path, "imagepull")
    assert 'container main: ImagePullBackOff: Back-off pulling image "vllm/vllm-openai:v0.11.0"' in failed.message
    assert failed.hint == (
        "check the image name and tag, and that the cluster can pull from its registry (az aks update "
        "--attach-acr); nothing was rolled back"
    )


def test_a_rollout_stuck_in_a_crash_loop_hints_at_the_previous_containers_logs(
    kube_emulator_factory: Any, tmp_path: Path
) -> None:
    failed = failed_rollout(kube_emulator_factory, tmp_path, "crashloop")
    assert "container main: CrashLoopBackOff" in failed.message
    hint = failed.hint or ""
    assert hint.startswith("see its logs: kubectl logs llm-") and hint.endswith(
        " -n default -c main --previous; nothing was rolled back"
    )


def _pod(container_status: dict[str, Any], phase: str = "Running") -> dict[str, Any]:
    return {
        "metadata": {"name": "job-abc", "namespace": "ml"},
        "status": {"phase": phase, "containerStatuses": [container_status]},
    }


def test_a_container_that_ended_with_an_error_is_a_terminated_problem() -> None:
    ended = {"exitCode": 137, "reason": "OOMKilled", "message": ""}
    found = pod_problems.problem(_pod({"name": "main", "state": {"terminated": ended}}, phase="Failed"))
    assert found is not None and found.kind == pod_problems.TERMINATED
    assert (found.container, found.reason, found.exit_code) == ("main", "OOMKilled", 137)
    assert str(found) == "pod job-abc container main: OOMKilled (exit code 137)"


def test_a_container_its_pods_deletion_stopped_is_no_problem() -> None:
    # A Job past its deadline deletes its pods; the SIGTERM exit (143) of a worker is not why the run stopped.
    pod = _pod({"name": "main", "state": {"terminated": {"exitCode": 143, "reason": "Error"}}}, phase="Failed")
    pod["metadata"]["deletionTimestamp"] = "2026-12-07T03:00:00Z"
    assert pod_problems.problem(pod) is None


def _deleted_at_3(pod: dict[str, Any]) -> dict[str, Any]:
    """Deleted at 02:59:30 with a 30 s grace period (deletionTimestamp is the delete plus the grace)."""
    pod["metadata"] |= {"deletionTimestamp": "2026-12-07T03:00:00Z", "deletionGracePeriodSeconds": 30}
    return pod


def test_a_process_that_trapped_sigterm_and_exited_with_its_own_code_after_the_delete_is_no_problem() -> None:
    # Before: "container main: Error (exit code 1)", as if it had crashed; only 143 and 137 were the kill's.
    ended = {"exitCode": 1, "reason": "Error", "finishedAt": "2026-12-07T02:59:31Z"}
    pod = _deleted_at_3(_pod({"name": "main", "state": {"terminated": ended}}, phase="Failed"))
    assert pod_problems.problem(pod) is None


def test_a_deleted_pods_container_that_had_crashed_before_the_delete_is_still_a_problem() -> None:
    ended = {"exitCode": 1, "reason": "Error", "finishedAt": "2026-12-07T02:50:00Z"}
    found = pod_problems.problem(_deleted_at_3(_pod({"name": "main", "state": {"terminated": ended}}, phase="Failed")))
    assert found is not None and found.exit_code == 1


def test_a_deleted_pods_container_that_ran_out_of_memory_is_still_a_problem() -> None:
    pod = _pod({"name": "main", "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}, phase="Failed")
    pod["metadata"]["deletionTimestamp"] = "2026-12-07T03:00:00Z"
    found = pod_problems.problem(pod)
    assert found is not None and found.reason == "OOMKilled"


def test_a_container_that_ended_with_an_error_hints_at_its_logs() -> None:
    ended = {"exitCode": 1, "reason": "Error", "message": ""}
    found = pod_problems.problem(_pod({"name": "main", "state": {"terminated": ended}}, phase="Failed"))
    assert found is not None and pod_hints.fix(found) == "see its logs: kubectl logs job-abc -n ml -c main"


def test_a_terminated_problem_quotes_the_last_line_of_its_termination_message() -> None:
    ended = {
        "exitCode": 1,
        "reason": "Error",
        "message": "Traceback (most recent call last):\n  ...\nValueError: bad\n",
    }
    found = pod_problems.problem(_pod({"name": "main", "state": {"terminated": ended}}, phase="Failed"))
    assert found is not None and found.text == "container main: Error (exit code 1): ValueError: bad"


def test_a_container_that_exited_zero_is_no_problem() -> None:
    ended = {"exitCode": 0, "reason": "Completed"}
    assert pod_problems.problem(_pod({"name": "init", "state": {"terminated": ended}})) is None


@pytest.mark.parametrize(
    ("reason", "image_pull", "crash_loop"),
    [
        ("ImagePullBackOff", True, False),
        ("ErrImagePull", True, False),
        ("InvalidImageName", True, False),
        ("CrashLoopBackOff", False, True),
        ("CreateContainerConfigError", False, False),
    ],
)
def test_a_waiting_containers_reason_says_which_kubelet_problem_it_is(
    reason: str, image_pull: bool, crash_loop: bool
) -> None:
    found = pod_problems.problem(_pod({"name": "main", "state": {"waiting": {"reason": reason, "message": "m"}}}))
    assert found is not None and found.kind == pod_problems.WAITING
    assert (found.reason, found.image_pull, found.crash_loop) == (reason, image_pull, crash_loop)
    assert found.text == f"container main: {reason}: m"
