"""Lists and watches that outlive their resourceVersion: an expired continue token, a list a
watch resumes from, a watch the server ends normally (upstream: kubernetes/apiserver v0.35.0
pkg/storage/etcd3/errors.go; kubernetes/client-go v0.35.0 tools/cache/reflector.go)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from akscli.baremetal import pods
from akscli.kube import wait
from akscli.kube.client import KubeTarget, connect


def configmap(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}}


def compact_before_second_list(kube_emulator: Any) -> None:
    """etcd compacts the list's snapshot between its first and second page."""
    seen: list[int] = []

    def before() -> None:
        seen.append(1)
        if len(seen) == 2:
            kube_emulator.compact()

    kube_emulator.faults.add(verb="list", path="/configmaps", before=before, count=None)


def test_a_list_whose_snapshot_expires_goes_on_with_the_servers_token(kubeconfig: Path, kube_emulator: Any) -> None:
    for i in range(5):
        kube_emulator.cluster.create(configmap(f"cm-{i}"))
    compact_before_second_list(kube_emulator)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    names = [o["metadata"]["name"] for o in kube.list("v1", "ConfigMap", page_size=2)]
    assert names == [f"cm-{i}" for i in range(5)]


def test_a_wait_lists_again_when_its_list_expires(kubeconfig: Path, kube_emulator: Any) -> None:
    kube_emulator.cluster.create(configmap("ready"))
    kube_emulator.faults.add(verb="list", path="/configmaps", status=410, message="too old resource version: 1 (2)")
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    wait.wait_for(kube, [configmap("ready")], timeout=10)
    assert len(kube_emulator.requests(verb="list", path="/configmaps")) == 2


class _ClosingKube:
    """A cluster whose watches end normally (timeoutSeconds) after one event each."""

    def __init__(self) -> None:
        self.lists = 0
        self.watched_from: list[str | None] = []

    def list_pages(self, *_args: Any, **_kwargs: Any) -> Iterator[dict[str, Any]]:
        self.lists += 1
        yield {"metadata": {"resourceVersion": "10"}, "items": []}

    def watch(self, *_args: Any, resource_version: str | None = None, **_kwargs: Any) -> Iterator[tuple[str, Any]]:
        self.watched_from.append(resource_version)
        rv = str(11 + len(self.watched_from))
        yield "ADDED", {"metadata": {"name": f"p{rv}", "resourceVersion": rv}, "status": {"phase": "Running"}}


def test_pod_events_resume_a_normally_closed_watch_from_the_last_version() -> None:
    import time

    kube = _ClosingKube()
    events = pods.pod_events(kube, "default", "app=x", time.monotonic() + 30)  # type: ignore[arg-type]
    seen = [next(events)["metadata"]["name"] for _ in range(3)]
    assert seen == ["p12", "p13", "p14"]
    assert (kube.lists, kube.watched_from) == (1, ["10", "12", "13"])
