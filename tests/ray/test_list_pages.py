"""Ray lists reach the output layer page by page (limit and continue, as kubectl get
--chunk-size): a table keeps each RayCluster's row, made as its page arrives, not the clusters
(tests/listpages.py; output.emit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.listpages import one_object_a_page, printed_page_by_page


def test_a_ray_cluster_table_is_made_row_by_row_as_each_page_arrives(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ray_emulator()
    for name in ("a", "b"):
        assert invoke("ray", "cluster", "create", name).exit_code == 0
    events = one_object_a_page(monkeypatch)
    table = invoke("ray", "cluster", "list")
    assert table.exit_code == 0, table
    assert [line.split()[0] for line in table.stdout.splitlines()[1:]] == ["a", "b"]
    assert printed_page_by_page(events)


def test_a_worker_group_table_is_made_row_by_row_as_each_page_of_clusters_arrives(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ray_emulator()
    for name in ("a", "b"):
        assert invoke("ray", "cluster", "create", name, "--wait", "--timeout", "20s").exit_code == 0
    events = one_object_a_page(monkeypatch, only="RayCluster")
    table = invoke("ray", "workergroup", "list")
    assert table.exit_code == 0, table
    assert [line.split()[:3] for line in table.stdout.splitlines()[1:]] == [
        ["a", "default-group", "1/1"],
        ["b", "default-group", "1/1"],
    ]
    assert printed_page_by_page(events)


def test_worker_groups_of_many_clusters_are_counted_from_one_list_of_pods(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ray_emulator()
    for name in ("a", "b", "c"):
        assert invoke("ray", "cluster", "create", name, "--wait", "--timeout", "20s").exit_code == 0
    events = one_object_a_page(monkeypatch, only="Pod")
    table = invoke("ray", "workergroup", "list")
    assert table.exit_code == 0, table
    assert events.count("page") == 6  # one paged list: a head and a worker of each cluster, one a page
