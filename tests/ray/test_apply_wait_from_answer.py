"""``akscli apply -f --wait`` follows what it applied from the server's answer: a state the object
passed through between the apply and the start of the wait (a RayJob's short Retrying) is still
judged and said (kube/wait.py; upstream: kubernetes/client-go v0.35.0 tools/watch/until.go Until
from an initial version)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke
from tests.ray.test_cli_job import job
from tests.ray.test_kuberay_names import wait_until


def job_manifest(tmp_path: Path, name: str, *flags: str) -> Path:
    """The RayJob ``ray job submit --name NAME FLAGS --dry-run=client`` renders, in a file for apply -f."""
    rendered = invoke("ray", "job", "submit", "--name", name, *flags, "--dry-run=client", "--", "python", "x.py")
    assert rendered.exit_code == 0, rendered
    manifest = tmp_path / "job.yaml"
    manifest.write_text(rendered.stdout)
    return manifest


def test_apply_wait_reports_a_retry_the_job_made_before_the_wait_began(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from akscli.kube import reflector

    emu = ray_emulator(failing_attempts=1)
    manifest = job_manifest(tmp_path, "late", "--backoff-limit", "1")
    follow = reflector.list_and_watch

    def late(kube: Any, api_version: str, kind: str, **kwargs: Any) -> Any:
        # The wait's follow of the RayJob begins only once the whole run is over, Retrying included.
        if kind == "RayJob":
            wait_until(lambda: (job(emu, "late").get("status") or {}).get("jobDeploymentStatus") == "Complete")
        return follow(kube, api_version, kind, **kwargs)

    monkeypatch.setattr(reflector, "list_and_watch", late)
    result = invoke("apply", "-f", str(manifest), "--wait", "--timeout", "30s", "-y")
    assert result.exit_code == 0, result
    assert "rayjob.ray.io/late: jobDeploymentStatus=Retrying, jobStatus=FAILED" in result.stderr
    assert "all 1 object(s) ready" in result.stderr


def test_apply_wait_fails_on_a_job_stopped_through_the_ray_job_api(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # KubeRay writes a stopped Ray job as jobDeploymentStatus Complete (ray-project/kuberay v1.7.0
    # ray-operator/controllers/ray/rayjob_controller.go, the Running case); the simulator does not run
    # the Ray job API's stop, so the status is the one KubeRay writes, set before the wait reads it.
    from akscli.kube import reflector

    emu = ray_emulator(operator=False)
    manifest = job_manifest(tmp_path, "halted")
    follow = reflector.list_and_watch

    def stopped(kube: Any, api_version: str, kind: str, **kwargs: Any) -> Any:
        if kind == "RayJob":
            status = {"jobDeploymentStatus": "Complete", "jobStatus": "STOPPED"}
            emu.cluster.patch_status(
                api_version, kind, "default", "halted", status | {"message": "Job was intentionally stopped."}
            )
        return follow(kube, api_version, kind, **kwargs)

    monkeypatch.setattr(reflector, "list_and_watch", stopped)
    result = invoke("apply", "-f", str(manifest), "--wait", "--timeout", "30s", "-y")
    assert result.exit_code == 10, result
    assert "error: rayjob.ray.io/halted failed: jobDeploymentStatus=Complete, jobStatus=STOPPED: " in result.stderr
    assert "all 1 object(s) ready" not in result.stderr
