"""`watch_pods` lists every page before it watches (upstream: kubernetes/client-go v0.35.0
tools/cache/reflector.go list, through pager.ListPager)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from akscli.ray.follow import watch_pods


def _pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"batch.kubernetes.io/job-name": "job-1"}},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
    }


def test_watch_pods_reports_the_pods_past_the_first_page(kubeconfig: Path, kube_emulator: Any) -> None:
    for i in range(5):
        kube_emulator.cluster.create(_pod(f"submitter-{i}"))
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    seen = list(watch_pods(kube, "default", "batch.kubernetes.io/job-name=job-1", lambda: 0.0, page_size=2))
    assert sorted(pod["metadata"]["name"] for _, pod in seen) == [f"submitter-{i}" for i in range(5)]
    assert {event for event, _ in seen} == {"ADDED"}
