"""`ray cluster nodes -l SELECTOR`: the Ray nodes are pods, Kubernetes objects, so -l selects
among them by their labels as `kubectl get pods -l` does. Its requirements are added to the
command's own (`ray.io/cluster=NAME`), a selector's comma being AND (kubernetes/apimachinery
pkg/labels/selector.go Parse), and the server applies them to each page of the list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.conftest import akscli


def names(stdout: str) -> list[str]:
    return sorted(line.split()[0] for line in stdout.splitlines()[1:])


def test_nodes_lists_only_the_pods_the_selector_selects(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert akscli("ray cluster create demo --worker-replicas 2 --wait --timeout 20s").exit_code == 0
    emu.record_requests = True
    emu.request_log.clear()
    result = invoke("ray", "cluster", "nodes", "demo", "-l", "ray.io/node-type=worker")
    assert result.exit_code == 0, result
    workers = [
        p["metadata"]["name"]
        for p in emu.cluster.list("v1", "Pod", "default", label_selector="ray.io/node-type=worker")
    ]
    assert names(result.stdout) == sorted(workers) and len(workers) == 2
    sent = [
        (r.query.get("labelSelector") or [None])[0]
        for r in emu.request_log
        if r.verb == "list" and r.path.endswith("/pods")
    ]
    assert sent == ["ray.io/cluster=demo,ray.io/node-type=worker"]


def test_nodes_refuses_a_selector_that_is_no_selector_before_anything_is_sent(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    emu.record_requests = True
    emu.request_log.clear()
    result = invoke("ray", "cluster", "nodes", "demo", "-l", "a\nb")
    assert result.exit_code == 2
    assert emu.request_log == []
