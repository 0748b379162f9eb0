"""Every ARM path akscli takes waits out ARM's throttling: 429 with Retry-After is retried after
the wait ARM asks for (bounded), other retries back off with jitter. No test sleeps: the policy's
``pause`` is a recorder (akscli.azure.armretry), which moves the emulator's clock on where a test
throttles with its token bucket (tests/emulators/arm/throttle.py)."""

from __future__ import annotations

import pytest

from akscli.azure import arm, armretry, clustercreds, clusters, nodepools
from akscli.azure.arm import AzureTarget
from akscli.errors import AkscliError
from tests.azure.helpers import RG, cluster_id, record_pauses, seed_cluster
from tests.emulators.arm import ArmEmulator
from tests.emulators.arm.throttle import Throttle


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch, azure_env: ArmEmulator) -> list[float]:
    """The waits of akscli's ARM retry policy, recorded instead of slept; each moves the
    emulator's clock on by as much, as if the time had passed."""
    waited: list[float] = []

    def pause(seconds: float) -> None:
        waited.append(seconds)
        azure_env.clock_offset += seconds

    record_pauses(monkeypatch, pause)
    return waited


def _client() -> object:
    return clusters.client(AzureTarget())


def test_a_read_answered_429_is_sent_again_after_the_retry_after_arm_gives(
    azure_env: ArmEmulator, waits: list[float]
) -> None:
    seed_cluster(azure_env)
    azure_env.faults.add("GET", "/managedClusters/aks1$", 429, retry_after=7)
    clusters.get(_client(), RG, "aks1")  # type: ignore[arg-type]
    assert waits == [7.0]
    assert [e.status for e in azure_env.requests_to("/managedClusters/aks1$")] == [429, 200]


def test_a_later_page_of_a_list_answered_429_is_retried_and_the_list_completes(
    azure_env: ArmEmulator, waits: list[float]
) -> None:
    azure_env.page_size = 2
    for n in range(5):
        seed_cluster(azure_env, f"aks{n}")
    azure_env.faults.add("GET", "/managedClusters$", 429, retry_after=3)  # the first page
    names = [c["name"] for c in clusters.list_clusters(_client(), RG)]  # type: ignore[arg-type]
    assert names == [f"aks{n}" for n in range(5)]
    assert waits == [3.0]


def test_a_page_link_carries_an_opaque_skip_token_and_the_clients_filter(azure_env: ArmEmulator) -> None:
    from tests.emulators.arm.routes import page_of

    azure_env.page_size = 1
    items = [{"id": "/x/a"}, {"id": "/x/b"}]
    page = page_of(azure_env, "/x", {"api-version": ["1"], "$filter": ["state eq Pending"]}, items)
    link = page["nextLink"]
    assert "$filter=state+eq+Pending" in link.replace("%24", "$") and "%24skipToken=" in link
    assert "=1" not in link.split("skipToken=")[1]  # not an offset


def test_a_poll_of_a_long_running_operation_answered_429_waits_its_retry_after(
    azure_env: ArmEmulator, waits: list[float]
) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 1
    azure_env.faults.add("GET", "/operation(s|results)/", 429, retry_after=11)
    arm.wait_lro(clusters.begin_stop(_client(), RG, "aks1"), "stop aks1")  # type: ignore[arg-type]
    assert 11.0 in waits
    assert [e.status for e in azure_env.requests_to("/operation(s|results)/")] == [429, 202, 204]


def test_a_write_answered_429_is_sent_again_after_the_retry_after(azure_env: ArmEmulator, waits: list[float]) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 0
    azure_env.faults.add("PUT", "/agentPools/gpu$", 429, retry_after=4)
    spec = nodepools.NodePoolSpec.from_flags(name="gpu", cluster="aks1", resource_group=RG, vm_size="Standard_D8ds_v5")
    arm.wait_lro(nodepools.begin_add(_client(), spec, nodepools.build_body(spec)), "add gpu")  # type: ignore[arg-type]
    assert waits == [4.0]
    assert [e.status for e in azure_env.requests_to("/agentPools/gpu$", "PUT")] == [429, 201]


def test_a_credentials_action_answered_429_is_sent_again(azure_env: ArmEmulator, waits: list[float]) -> None:
    seed_cluster(azure_env)
    azure_env.faults.add("POST", "/listClusterUserCredential$", 429, retry_after=2)
    assert clustercreds.user_kubeconfig(_client(), RG, "aks1")  # type: ignore[arg-type]
    assert waits == [2.0]


def test_a_raw_pipeline_call_answered_429_is_sent_again(azure_env: ArmEmulator, waits: list[float]) -> None:
    seed_cluster(azure_env)
    azure_env.faults.add("GET", "/managedClusters/aks1$", 429, retry_after=5)
    found = arm.raw_call(arm.raw_client(AzureTarget()), "GET", cluster_id("aks1"), "2026-08-01")
    assert found is not None and found["name"] == "aks1"
    assert waits == [5.0]


def test_a_retry_after_longer_than_akscli_waits_is_reported_not_slept(
    azure_env: ArmEmulator, waits: list[float]
) -> None:
    seed_cluster(azure_env)
    azure_env.faults.add("GET", "/managedClusters/aks1$", 429, retry_after=3600)
    with pytest.raises(AkscliError) as err:
        clusters.get(_client(), RG, "aks1")  # type: ignore[arg-type]
    assert waits == []
    assert len(azure_env.requests_to("/managedClusters/aks1$")) == 1
    assert "throttling" in err.value.message
    assert "wait 3600s" in (err.value.hint or "")


def test_retries_without_retry_after_back_off_exponentially_with_jitter(
    azure_env: ArmEmulator, waits: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(armretry, "uniform", lambda low, high: high)  # the longest jitter
    seed_cluster(azure_env)
    azure_env.faults.add("GET", "/managedClusters/aks1$", 503, count=3)
    clusters.get(_client(), RG, "aks1")  # type: ignore[arg-type]
    assert waits == pytest.approx([0.8 * 1.3, 1.6 * 1.3, 3.2 * 1.3])


def test_the_jitter_spreads_clients_that_failed_together(
    azure_env: ArmEmulator, waits: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = iter([0.8, 1.25])
    monkeypatch.setattr(armretry, "uniform", lambda low, high: next(drawn))
    seed_cluster(azure_env)
    azure_env.faults.add("GET", "/managedClusters/aks1$", 503, count=1)
    clusters.get(_client(), RG, "aks1")  # type: ignore[arg-type]
    azure_env.faults.add("GET", "/managedClusters/aks1$", 503, count=1)
    clusters.get(_client(), RG, "aks1")  # type: ignore[arg-type]
    assert waits == pytest.approx([0.64, 1.0])


def test_a_list_through_an_empty_token_bucket_waits_for_tokens_and_completes(
    azure_env: ArmEmulator, waits: list[float]
) -> None:
    for n in range(6):
        seed_cluster(azure_env, f"aks{n}")
    azure_env.page_size = 1
    azure_env.throttle = Throttle(
        limits={"reads": (2, 0.5), "writes": (2, 0.5), "deletes": (2, 0.5)},
        clock=lambda: azure_env.clock_offset,  # time passes only while akscli waits
    )
    names = [c["name"] for c in clusters.list_clusters(_client(), RG)]  # type: ignore[arg-type]
    assert len(names) == 6
    assert azure_env.throttle.throttled > 0
    assert waits and set(waits) == {2.0}  # one token per 2 s at 0.5 a second


def test_answers_carry_the_reads_left_in_the_subscriptions_bucket(azure_env: ArmEmulator) -> None:
    from azure.core.rest import HttpRequest

    azure_env.throttle = Throttle()
    seed_cluster(azure_env)
    client = arm.raw_client(AzureTarget())
    url = f"{azure_env.url}{cluster_id('aks1')}"
    response = client.send_request(HttpRequest("GET", url, params={"api-version": clusters.API_VERSION}))
    assert response.headers["x-ms-ratelimit-remaining-subscription-reads"] == "249"  # of 250


def test_a_poll_waits_the_retry_after_of_the_operation_it_polls(azure_env: ArmEmulator, waits: list[float]) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 2
    azure_env.retry_after = 30
    arm.wait_lro(clusters.begin_stop(_client(), RG, "aks1"), "stop aks1")  # type: ignore[arg-type]
    assert waits and set(waits) == {30.0}


def test_a_poll_retry_after_longer_than_akscli_waits_is_reported_not_slept(
    azure_env: ArmEmulator, waits: list[float]
) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 2
    azure_env.retry_after = 3600
    with pytest.raises(AkscliError) as caught:
        arm.wait_lro(clusters.begin_stop(_client(), RG, "aks1"), "stop aks1")  # type: ignore[arg-type]
    assert caught.value.exit_code == 5
    assert caught.value.message.startswith("stop aks1: Azure asks to wait 3600s before the next poll")
    assert "continues in Azure" in caught.value.message
    assert all(w <= armretry.MAX_RETRY_AFTER_S for w in waits)


def test_a_thread_an_earlier_test_left_running_adds_nothing_to_this_tests_waits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An LROPoller thread of an earlier --no-wait command retried while this file's jitter test
    # ran, and its waits were taken for the test's own (a CI run saw [4.16, 8.32, 1.04, ...]).
    import threading

    go, done = threading.Event(), threading.Event()

    def left_running() -> None:
        go.wait()
        armretry.pause(0)
        done.set()

    threading.Thread(target=left_running, daemon=True).start()
    waited: list[float] = []
    record_pauses(monkeypatch, waited.append)
    armretry.pause(1.5)
    go.set()
    assert done.wait(5)
    assert waited == [1.5]
