"""One wait rule for a RayJob that stopped short of its end: ``akscli apply -f --wait`` and ``akscli ray
job status/submit --wait`` say the same of a Suspended job (held, exit 4, how to resume it) and of a
ValidationFailed one (failed, exit 10, how to make it anew), from one verdict
(kube/readiness/kuberay.py job_stopped; upstream: ray-project/kuberay v1.7.0
ray-operator/controllers/ray/rayjob_controller.go, the Suspended case and Reconcile's validation).
And ``ray job logs --follow`` of a refused HTTPMode or InteractiveMode job answers at once, as of a
K8sJobMode one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from akscli.kube import readiness
from tests.cli import invoke
from tests.ray.test_rayjob_suspend_reconcile import made, rayjob

RESUME = 'hint: resume it with: kubectl patch rayjob queued -n default --type merge -p \'{"spec":{"suspend":false}}\''


def test_apply_wait_of_a_rayjob_made_suspended_ends_held_with_exit_4_and_the_resume_hint(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    ray_emulator()
    manifest = tmp_path / "job.yaml"
    manifest.write_text(yaml.safe_dump(rayjob("queued", suspend=True)))
    result = invoke("apply", "-f", str(manifest), "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 4, result
    assert "error: rayjob.ray.io/queued is suspended (spec.suspend is true), not failed" in result.stderr
    assert RESUME in result.stderr
    assert "queued failed" not in result.stderr and "kubectl describe" not in result.stderr


def test_apply_wait_and_ray_job_status_wait_give_a_suspended_job_the_same_words(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    made(emu, "queued", "Suspended", suspend=True)
    manifest = tmp_path / "job.yaml"
    manifest.write_text(yaml.safe_dump(rayjob("queued", suspend=True)))
    applied = invoke("apply", "-f", str(manifest), "--wait", "--timeout", "20s", "-y")
    followed = invoke("ray", "job", "status", "queued", "--wait", "--timeout", "20s")
    assert (applied.exit_code, followed.exit_code) == (4, 4)
    said = readiness.check(emu.cluster.get("ray.io/v1", "RayJob", "default", "queued")).message
    assert f"rayjob.ray.io/queued is {said}" in applied.stderr
    assert f"Ray job queued is {said}" in followed.stderr


def test_apply_wait_of_a_validation_failed_rayjob_says_to_make_it_anew() -> None:
    job = {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": {"name": "refused", "namespace": "team"},
        "status": {"jobDeploymentStatus": "ValidationFailed", "reason": "ValidationFailed", "message": "bad\nmore"},
    }
    verdict = readiness.check(job)
    assert verdict.failed and not verdict.held
    assert verdict.message == "jobDeploymentStatus=ValidationFailed: KubeRay refused its spec: bad"
    assert "delete it (akscli ray job delete refused -n team) and submit it again" in verdict.fix


@pytest.mark.parametrize("mode", ["HTTPMode", "InteractiveMode"])
def test_ray_job_logs_follow_of_a_validation_failed_job_without_a_submitter_says_it_never_ran_at_once(
    ray_emulator: Callable[..., Any], mode: str
) -> None:
    emu = ray_emulator()
    # ValidateRayJobSpec: suspend without shutdownAfterJobFinishes is refused.
    made(emu, "refused", "ValidationFailed", suspend=True, shutdownAfterJobFinishes=False, submissionMode=mode)
    result = invoke("ray", "job", "logs", "refused", "--follow", "--timeout", "600s")
    assert result.exit_code == 3, result
    assert "error: Ray job refused was refused by KubeRay (ValidationFailed): it never ran" in result.stderr
    assert "delete it (akscli ray job delete refused -n default) and submit it again" in result.stderr
    assert "waiting up to" not in result.stderr
