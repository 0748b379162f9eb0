"""--ignore-not-found on the Kubernetes deletes (ray cluster/job/service, model): an absent object
is exit 0 with nothing on stdout and nothing written, as kubectl delete --ignore-not-found
(upstream: kubernetes/kubectl pkg/cmd/delete/delete.go, DeleteResult: r.IgnoreErrors(errors.IsNotFound));
without the flag it stays exit 3 with one line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke

RAY = "ray.io/v1"


def _writes(emu: Any) -> list[str]:
    return [f"{r.method} {r.path}" for r in emu.request_log if r.method not in ("GET", "HEAD")]


@pytest.mark.parametrize("kind", ["cluster", "job", "service"])
def test_deleting_an_absent_ray_object_with_ignore_not_found_is_exit_0_silent_and_writes_nothing(
    ray_emulator: Callable[..., Any], kind: str
) -> None:
    emu = ray_emulator()
    result = invoke("ray", kind, "delete", "ghost", "-y", "--ignore-not-found")
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert _writes(emu) == []


def test_deleting_an_absent_ray_cluster_without_ignore_not_found_is_still_not_found_in_one_line(
    ray_emulator: Callable[..., Any],
) -> None:
    ray_emulator()
    result = invoke("ray", "cluster", "delete", "ghost", "-y")
    assert result.exit_code == 3, result
    assert result.stdout == "" and result.stderr.startswith("error: Ray cluster ghost not found")


def test_ignore_not_found_still_deletes_a_ray_cluster_that_exists(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "demo").exit_code == 0
    result = invoke("ray", "cluster", "delete", "demo", "-y", "--ignore-not-found")
    assert result.exit_code == 0, result
    assert 'raycluster.ray.io "demo" deleted' in result.stdout
    assert emu.cluster.get(RAY, "RayCluster", "default", "demo") is None


def test_a_missing_namespace_is_nothing_to_delete_with_ignore_not_found(ray_emulator: Callable[..., Any]) -> None:
    # kubectl delete -n nosuch pod x --ignore-not-found: the namespace's NotFound is ignored too
    emu = ray_emulator()
    result = invoke("ray", "cluster", "delete", "ghost", "-n", "nosuch", "-y", "--ignore-not-found")
    assert result.exit_code == 0, result
    assert result.stdout == "" and _writes(emu) == []
