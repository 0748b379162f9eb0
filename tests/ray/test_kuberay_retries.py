"""RayJob retries (spec.backoffLimit), as ray-project/kuberay v1.7.0 runs them
(ray-operator/controllers/ray/rayjob_controller.go checkBackoffLimitAndUpdateStatusIfNeeded and
the Retrying case of Reconcile): a failed attempt with retries left is Retrying, not Failed; each
attempt runs on a new RayCluster; only the last failure ends the job Failed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.ray.test_cli_job import job, submit
from tests.ray.test_kuberay_names import wait_until


def job_statuses(emu: Any, name: str) -> list[dict[str, Any]]:
    """Every status the RayJob was stored with, in order (the emulator's watch history)."""
    statuses = []
    for event in emu.api.store.events():
        if "rayjobs" in event.bucket and event.key.endswith(f"/{name}") and event.new is not None:
            statuses.append(json.loads(event.new.raw).get("status") or {})
    return statuses


def test_a_failed_attempt_with_retries_left_is_retried_and_the_job_succeeds(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(failing_attempts=1)
    result = submit("flaky", "--backoff-limit", "2", "--wait", "--timeout", "30s")
    assert result.exit_code == 0, result
    assert (
        "rayjob.ray.io/flaky: deployment Retrying, job FAILED (attempt 1 of 3 failed, retrying on a new cluster)"
        in result.stderr
    )
    assert "rayjob.ray.io/flaky: deployment Running, job RUNNING (attempt 2 of 3)" in result.stderr
    assert "Ray job flaky succeeded" in result.stderr


def test_a_job_is_failed_only_after_its_last_attempt(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(failure="job-fail")
    result = submit("bad", "--backoff-limit", "1", "--wait", "--timeout", "30s")
    assert result.exit_code == 10
    assert result.stderr.index("deployment Retrying, job FAILED") < result.stderr.index("deployment Failed")
    assert "error: Ray job bad ended Failed (job FAILED) after 2 attempts: Job entrypoint command failed" in (
        result.stderr
    )


def test_a_retried_job_counts_its_attempts_in_status(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(failing_attempts=1)
    assert submit("flaky", "--backoff-limit", "2", "--wait", "--timeout", "30s").exit_code == 0
    status = job(emu, "flaky")["status"]
    assert (status["failed"], status["succeeded"], status["jobDeploymentStatus"]) == (1, 1, "Complete")


def test_the_retrying_write_counts_the_failure_and_sets_no_end_time(ray_emulator: Callable[..., Any]) -> None:
    # updateRayJobStatus sets endTime only for a terminal deployment status; Retrying is not one
    emu = ray_emulator(failing_attempts=1)
    assert submit("flaky", "--backoff-limit", "1", "--wait", "--timeout", "30s").exit_code == 0
    retrying = next(s for s in job_statuses(emu, "flaky") if s.get("jobDeploymentStatus") == "Retrying")
    assert retrying["jobStatus"] == "FAILED" and retrying["reason"] == "AppFailed"
    assert (retrying["failed"], retrying["succeeded"]) == (1, 0)
    assert "endTime" not in retrying


def test_a_retry_goes_back_to_new_and_runs_on_a_new_cluster(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(failing_attempts=1)
    assert submit("flaky", "--backoff-limit", "1", "--keep-cluster", "--wait", "--timeout", "30s").exit_code == 0
    phases = [s.get("jobDeploymentStatus") for s in job_statuses(emu, "flaky")]
    assert phases.index("Retrying") < phases.index("New") < len(phases) - 1 - phases[::-1].index("Initializing")
    first = next(s["rayClusterName"] for s in job_statuses(emu, "flaky") if s.get("rayClusterName"))
    assert job(emu, "flaky")["status"]["rayClusterName"] != first
    assert emu.cluster.get("ray.io/v1", "RayCluster", "default", first) is None  # Retrying deleted it
    assert emu.cluster.get("ray.io/v1", "RayCluster", "default", job(emu, "flaky")["status"]["rayClusterName"])


def test_ray_job_status_shows_the_attempt_of_a_job_with_retries(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(failure="job-fail")
    assert submit("bad", "--backoff-limit", "1", "--wait", "--timeout", "30s").exit_code == 10
    status = json.loads(invoke("ray", "job", "status", "bad", "-o", "json").stdout)
    assert status["attempt"] == "attempt 2 of 2"


def test_backoff_limit_is_rendered_into_the_rayjob() -> None:
    result = invoke(
        "ray", "job", "submit", "--name", "r", "--backoff-limit", "3", "--dry-run=client", "-o", "json", "--", "x"
    )
    assert result.exit_code == 0, result
    rayjob = json.loads(result.stdout)
    assert (rayjob["kind"], rayjob["spec"]["backoffLimit"]) == ("RayJob", 3)


def test_a_negative_backoff_limit_is_refused() -> None:
    # ValidateRayJobSpec: "backoffLimit must be a positive integer" (0 is allowed)
    result = invoke("ray", "job", "submit", "--name", "r", "--backoff-limit=-1", "--dry-run=client", "--", "x")
    assert result.exit_code == 2
    assert "--backoff-limit" in result.stderr and "between 0 and 2147483647" in result.stderr


def test_a_backoff_limit_past_int32_is_refused() -> None:
    # ray.io_rayjobs.yaml: backoffLimit is format int32
    too_big = str(2**31)
    result = invoke("ray", "job", "submit", "--name", "r", "--backoff-limit", too_big, "--dry-run=client", "--", "x")
    assert result.exit_code == 2
    assert "--backoff-limit" in result.stderr and "between 0 and 2147483647" in result.stderr


def test_a_backoff_limit_on_an_existing_cluster_is_refused_before_anything_is_read() -> None:
    # ValidateRayJobSpec: "BackoffLimit is incompatible with ClusterSelector mode"
    result = invoke("ray", "job", "submit", "--name", "r", "--cluster", "demo", "--backoff-limit", "1", "--", "x")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --backoff-limit retries a job on a new cluster each time")


def test_submit_wait_reports_every_state_the_job_passed_before_the_follow_began(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The follow watches from the created RayJob's resourceVersion (client-go tools/watch/until.go
    # Until from an initial version): a state the job left before the follow started (here the
    # whole run, Retrying included) still arrives as a watch event, however late the CLI is.
    import akscli.ray

    emu = ray_emulator(failing_attempts=1)
    follow = akscli.ray.follow_job

    def late_follow(*args: Any, **kwargs: Any) -> Any:
        wait_until(lambda: (job(emu, "late").get("status") or {}).get("jobDeploymentStatus") == "Complete")
        return follow(*args, **kwargs)

    monkeypatch.setattr(akscli.ray, "follow_job", late_follow)
    result = submit("late", "--backoff-limit", "1", "--wait", "--timeout", "30s")
    assert result.exit_code == 0, result
    assert "deployment Retrying, job FAILED (attempt 1 of 2 failed, retrying on a new cluster)" in result.stderr
    assert "deployment Running, job RUNNING (attempt 2 of 2)" in result.stderr


def test_status_wait_reports_every_state_after_its_get_even_when_the_follow_begins_late(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `ray job status --wait` watches from the resourceVersion of the RayJob its GET read (client-go
    # tools/watch/until.go Until from an initial version). The operator is down when the GET runs
    # (ray-project/kuberay v1.7.0 ray-operator/main.go: a flag.Parse error exits before mgr.Start),
    # so the GET reads the job before its first attempt whatever the machine's load; the follow
    # starts only after the operator came back and the job ran both attempts to Complete.
    import akscli.ray
    from tests.ray.test_operator_batch_rules import _operator_deployment
    from tests.ray.test_operator_not_running import _set_args

    emu = ray_emulator(failing_attempts=1)
    [simulator] = [c for c in emu.controllers.controllers if hasattr(c, "operator_down")]
    _operator_deployment(emu, {"image": "quay.io/kuberay/operator:v1.7.0", "args": ["--zap-log-level=loud"]}, [])
    wait_until(simulator.operator_down)
    assert submit("late", "--backoff-limit", "1").exit_code == 0
    follow = akscli.ray.follow_job

    def late_follow(*args: Any, **kwargs: Any) -> Any:
        assert not ((kwargs.get("start") or {}).get("status") or {}).get("jobDeploymentStatus")  # before any attempt
        _set_args(emu, [])
        wait_until(lambda: (job(emu, "late").get("status") or {}).get("jobDeploymentStatus") == "Complete")
        return follow(*args, **kwargs)

    monkeypatch.setattr(akscli.ray, "follow_job", late_follow)
    result = invoke("ray", "job", "status", "late", "--wait", "--timeout", "30s")
    assert result.exit_code == 0, result
    assert "deployment Retrying, job FAILED (attempt 1 of 2 failed, retrying on a new cluster)" in result.stderr
    assert "deployment Running, job RUNNING (attempt 2 of 2)" in result.stderr
