"""A command's --timeout bounds the retries of the request that begins its operation, not only the
wait that follows: azure-core's own ``timeout`` is checked when a try starts and never cuts the sleep
before it (Azure/azure-sdk-for-python sdk/core/azure-core azure/core/pipeline/policies/_retry.py
``RetryPolicy.send``), so a begin throttled with Retry-After held ``--timeout 30s`` for minutes.
No test sleeps: the policy's ``pause`` is a recorder that moves the emulator's clock and the
deadline's (armretry.clock) on by as much."""

from __future__ import annotations

import time

import pytest

from akscli.azure import armretry
from tests.azure.helpers import RG, record_pauses, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch, azure_env: ArmEmulator) -> list[float]:
    waited: list[float] = []

    def pause(seconds: float) -> None:
        waited.append(seconds)
        azure_env.clock_offset += seconds

    record_pauses(monkeypatch, pause)
    monkeypatch.setattr(armretry, "clock", lambda: time.monotonic() + azure_env.clock_offset)
    return waited


def test_a_stop_throttled_past_its_timeout_is_not_sent_again_and_exits_5(
    azure_env: ArmEmulator, waits: list[float]
) -> None:
    seed_cluster(azure_env)
    azure_env.faults.add("POST", "/managedClusters/aks1/stop$", 429, count=4, retry_after=20)
    r = invoke("cluster", "stop", "aks1", "-g", RG, "--timeout", "30s")
    assert r.exit_code == 5, r
    assert "past the --timeout of 30s" in r.stderr
    assert [e.status for e in azure_env.requests_to("/managedClusters/aks1/stop$")] == [429, 429]
    assert waits == [20.0]


def test_a_stop_throttled_within_its_timeout_is_sent_again_and_completes(
    azure_env: ArmEmulator, waits: list[float]
) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 0
    azure_env.faults.add("POST", "/managedClusters/aks1/stop$", 503, count=2, retry_after=5)
    r = invoke("cluster", "stop", "aks1", "-g", RG, "--timeout", "30s")
    assert r.exit_code == 0, r
    assert [e.status for e in azure_env.requests_to("/managedClusters/aks1/stop$")] == [503, 503, 204]
    assert waits[:2] == [5.0, 5.0]


def test_a_node_pool_scale_throttled_past_its_timeout_sends_no_third_put(
    azure_env: ArmEmulator, waits: list[float]
) -> None:
    seed_cluster(azure_env)
    azure_env.faults.add("PUT", "/agentPools/system$", 429, count=4, retry_after=40)
    r = invoke("nodepool", "scale", "system", "--cluster", "aks1", "-g", RG, "--count", "2", "--timeout", "1m")
    assert r.exit_code == 5, r
    assert [e.status for e in azure_env.requests_to("/agentPools/system$", "PUT")] == [429, 429]
    assert waits == [40.0]


def test_a_timeout_of_one_run_bounds_no_later_run(azure_env: ArmEmulator, waits: list[float]) -> None:
    seed_cluster(azure_env)
    azure_env.faults.add("POST", "/managedClusters/aks1/stop$", 429, count=1, retry_after=20)
    assert invoke("cluster", "stop", "aks1", "-g", RG, "--timeout", "10s").exit_code == 5
    azure_env.faults.add("GET", "/managedClusters/aks1$", 429, count=1, retry_after=20)
    r = invoke("cluster", "show", "aks1", "-g", RG)
    assert r.exit_code == 0, r
    assert waits == [20.0]


def test_a_retry_after_met_by_parallel_reads_is_waited_with_jitter_on_top(
    azure_env: ArmEmulator, waits: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.azure import clusters
    from akscli.azure.arm import AzureTarget
    from akscli.concurrency import parallel_map

    monkeypatch.setattr(armretry, "uniform", lambda _low, high: high)
    for name in ("aks1", "aks2"):
        seed_cluster(azure_env, name)
        azure_env.faults.add("GET", f"/managedClusters/{name}$", 429, retry_after=10)
    client = clusters.client(AzureTarget())
    parallel_map(lambda name: clusters.get(client, RG, name), ["aks1", "aks2"], 2)
    assert waits == [10.0 * armretry.FANOUT_JITTER[1]] * 2
    assert [e.status for e in azure_env.requests_to("/managedClusters/aks1$")] == [429, 200]


def test_a_retry_after_met_by_a_single_read_is_waited_exactly(
    azure_env: ArmEmulator, waits: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.azure import clusters
    from akscli.azure.arm import AzureTarget
    from akscli.concurrency import parallel_map

    monkeypatch.setattr(armretry, "uniform", lambda _low, high: high)
    seed_cluster(azure_env)
    azure_env.faults.add("GET", "/managedClusters/aks1$", 429, retry_after=10)
    client = clusters.client(AzureTarget())
    parallel_map(lambda name: clusters.get(client, RG, name), ["aks1"], 8)
    assert waits == [10.0]
