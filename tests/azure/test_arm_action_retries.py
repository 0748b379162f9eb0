"""A POST that acts (start, stop, abort) answered 5xx without Retry-After is not sent again: the
provider may have taken it, and a second one is refused as another operation in progress while the
first runs (client-go's rule: kubernetes/client-go rest/with_retry.go ``checkWait``; azure-core would
send it again, azure/core/pipeline/policies/_retry.py ``_is_method_retryable``). A 5xx with
Retry-After, a ``list*`` action (a read) and a sign-in's token POST are still retried. No test
sleeps: the policy's ``pause`` is a recorder (tests/azure/helpers.py record_pauses)."""

from __future__ import annotations

import pytest

from akscli.azure import arm, clustercreds, clusters
from akscli.azure.arm import AzureTarget
from akscli.errors import AkscliError
from tests.azure.helpers import RG, record_pauses, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch, azure_env: ArmEmulator) -> list[float]:
    waited: list[float] = []
    record_pauses(monkeypatch, waited.append)
    return waited


def _client() -> object:
    return clusters.client(AzureTarget())


@pytest.mark.parametrize("status", [500, 503, 504])
def test_a_start_answered_5xx_without_retry_after_is_sent_once(
    azure_env: ArmEmulator, waits: list[float], status: int
) -> None:
    seed_cluster(azure_env)
    azure_env.faults.add("POST", "/managedClusters/aks1/start$", status)
    with pytest.raises(AkscliError):
        clusters.begin_start(_client(), RG, "aks1")  # type: ignore[arg-type]
    assert [e.status for e in azure_env.requests_to("/managedClusters/aks1/start$")] == [status]
    assert waits == []


def test_a_stop_answered_503_with_retry_after_is_sent_again_after_the_wait(
    azure_env: ArmEmulator, waits: list[float]
) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 0
    azure_env.faults.add("POST", "/managedClusters/aks1/stop$", 503, retry_after=9)
    arm.wait_lro(clusters.begin_stop(_client(), RG, "aks1"), "stop aks1")  # type: ignore[arg-type]
    assert [e.status for e in azure_env.requests_to("/managedClusters/aks1/stop$")] == [503, 204]
    assert waits == [9.0]


def test_a_credentials_list_action_answered_503_is_sent_again(azure_env: ArmEmulator, waits: list[float]) -> None:
    seed_cluster(azure_env)
    azure_env.faults.add("POST", "/listClusterUserCredential$", 503)
    assert clustercreds.user_kubeconfig(_client(), RG, "aks1")  # type: ignore[arg-type]
    assert [e.status for e in azure_env.requests_to("/listClusterUserCredential$")] == [503, 200]
    assert len(waits) == 1


def test_a_sign_in_answered_503_is_sent_again(azure_env: ArmEmulator, waits: list[float]) -> None:
    seed_cluster(azure_env)
    azure_env.entra_faults.add("POST", "/oauth2/v2.0/token$", 503)
    result = invoke("cluster", "list", "-o", "name")
    assert result.exit_code == 0, result.stderr
    assert len(azure_env.token_requests) == 2
    assert len(waits) == 1
