"""A Ray cluster's pods are counted as their pages arrive, not held: a training cluster has
thousands of workers, and ``ray cluster status`` shows counts (tests/listpages.py
``held_objects``: one pod a page, each tagged while it lives)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from akscli.ray.status import STUCK_LIMIT
from tests.cli import invoke
from tests.listpages import held_objects

WORKERS = 30
# Kube.list holds the page it reads and, while it asks for the next, the one before it.
PAGES_HELD = 2


def big_cluster(emu: Any, name: str = "demo") -> None:
    assert invoke("ray", "cluster", "create", name).exit_code == 0
    scale = ("ray", "cluster", "scale", name, "--group", "default-group", "--replicas", str(WORKERS), "--max", "40")
    assert invoke(*scale).exit_code == 0
    deadline = time.monotonic() + 30
    while len(emu.cluster.list("v1", "Pod", "default", f"ray.io/cluster={name}")) < WORKERS + 1:
        assert time.monotonic() < deadline, "the KubeRay simulator made too few pods"
        time.sleep(0.05)


def test_ray_cluster_status_holds_a_page_of_pods_not_the_whole_cluster(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    big_cluster(ray_emulator())
    held = held_objects(monkeypatch, "Pod")
    result = invoke("ray", "cluster", "status", "demo", "-o", "json")
    assert result.exit_code == 0, result
    assert held.listed == WORKERS + 1
    assert held.most <= STUCK_LIMIT + PAGES_HELD


def test_ray_cluster_status_counts_the_pods_it_does_not_hold(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    big_cluster(ray_emulator())
    held_objects(monkeypatch, "Pod")
    summary = json.loads(invoke("ray", "cluster", "status", "demo", "-o", "json").stdout)
    [group] = summary["groups"]
    assert group["ready"] + group["pending"] == WORKERS and summary["head"]["pod"]
