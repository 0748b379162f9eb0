"""`ray cluster status -o wide` and `ray job status -o wide` are the report with more in it, as
kubectl's wide printers add columns to the default ones (and as `model status -o wide` is): the
same rows, then the creation time and, for a RayCluster, KubeRay's own -o wide columns, the head's
pod and service IPs (ray-project/kuberay ray-operator/apis/ray/v1/raycluster_types.go printcolumn
priority=1). Not the flattened key/value dump of every field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.conftest import akscli


def keys(report: str) -> list[str]:
    """The row names of a key/value report, in order."""
    return [line.split(":", 1)[0] for line in report.splitlines() if line and not line.startswith(" ")]


def test_wide_cluster_status_is_the_report_with_the_head_ips_and_creation_time(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    assert akscli("ray cluster create demo --wait --timeout 20s").exit_code == 0
    table = invoke("ray", "cluster", "status", "demo")
    wide = invoke("ray", "cluster", "status", "demo", "-o", "wide")
    assert wide.exit_code == 0, wide
    head = emu.cluster.get("ray.io/v1", "RayCluster", "default", "demo")["status"]["head"]
    assert [k for k in keys(wide.stdout) if k not in ("created", "head pod IP", "head service IP")] == keys(
        table.stdout
    )
    assert "\nhead pod IP:" in wide.stdout and head["podIP"] in wide.stdout
    assert "\ncreated:" in wide.stdout
    assert "group default-group:" in wide.stdout


def test_wide_job_status_is_the_report_with_the_submission_mode_the_clusters_fate_and_creation_time(
    ray_emulator: Callable[..., Any],
) -> None:
    ray_emulator(job_logs="ok\n")
    submitted = invoke("ray", "job", "submit", "--name", "done", "--wait", "--timeout", "30s", "--", "python", "x.py")
    assert submitted.exit_code == 0, submitted
    table = invoke("ray", "job", "status", "done")
    wide = invoke("ray", "job", "status", "done", "-o", "wide")
    assert wide.exit_code == 0, wide
    assert keys(wide.stdout) == [*keys(table.stdout), "submissionMode", "clusterAfterJob", "created"]
    assert "\nsubmissionMode:   K8sJobMode\n" in wide.stdout
    assert "\nclusterAfterJob:  deleted at " in wide.stdout  # akscli's job: shutdownAfterJobFinishes, TTL 300 s
