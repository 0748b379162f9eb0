"""An ARM endpoint that takes the connection and never answers is asked once, not four times.

azure-core retries a read error of GET, PUT and DELETE (azure/core/pipeline/policies/_retry.py,
``_method_whitelist``), each after its read timeout (300 s by default). akscli.azure.armretry
applies akscli.netfail's rule: a timeout is sent again once at most, only as a read, and only to
a server that answered earlier in this process (client-go retries none: kubernetes/client-go
rest/request.go, ``request``'s ``isErrRetryableFunc``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from akscli import netfail
from akscli.azure import arm, armretry, clusters
from akscli.azure.arm import AzureTarget
from akscli.errors import AkscliError
from tests.azure.helpers import record_pauses
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator
from tests.silent_server import Silent


@pytest.fixture
def silent_port() -> Iterator[Silent]:
    server = Silent()
    yield server
    server.close()


def signed_in() -> None:
    """Get the command's ARM token from the emulator's Entra now, with akscli's own timeouts: the
    sign-in's timeouts are ARM's (akscli.azure.identity._common), so a token asked for under the
    tests' 0.3 s failed on a busy machine with the very message the tests expect of ARM, before
    ARM was asked at all. The credential (and its token) is the one the command's ARM calls use
    (identity.credential keeps it per process)."""
    arm._credential(AzureTarget()).get_token(arm.arm_scope())


@pytest.fixture
def silent(azure_env: ArmEmulator, silent_port: Silent, monkeypatch: pytest.MonkeyPatch) -> Silent:
    """ARM at a port that never answers; each try waits 0.3 s, not akscli's 30 s and 300 s."""
    monkeypatch.setenv("AKSCLI_ARM_ENDPOINT", f"https://{silent_port.server}")
    signed_in()
    monkeypatch.setattr(armretry, "CONNECT_TIMEOUT_S", 0.3)
    monkeypatch.setattr(armretry, "READ_TIMEOUT_S", 0.3)
    return silent_port


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    netfail.forget()
    recorded: list[int] = []
    record_pauses(monkeypatch, lambda _seconds: recorded.append(1))
    return recorded


def test_an_arm_endpoint_that_never_answered_is_asked_once(silent: Silent, waits: list[int]) -> None:
    with pytest.raises(AkscliError) as failed:
        list(clusters.list_clusters(clusters.client(AzureTarget()), None))
    endpoint = f"https://{silent.server}"
    assert failed.value.message == f"list clusters: Azure Resource Manager at {endpoint} did not answer within 0.3s"
    assert silent.connections() == 1
    assert waits == []


def test_an_arm_read_that_times_out_after_an_answer_is_sent_once_more(silent: Silent, waits: list[int]) -> None:
    netfail.answered(silent.server)
    with pytest.raises(AkscliError, match=r"did not answer within 0\.3s$"):
        list(clusters.list_clusters(clusters.client(AzureTarget()), None))
    assert silent.connections() == 2
    assert len(waits) == 1


def test_an_arm_put_that_times_out_is_not_sent_again(silent: Silent, waits: list[int]) -> None:
    netfail.answered(silent.server)
    client = arm.raw_client(AzureTarget())
    with pytest.raises(AkscliError, match=r"did not answer within 0\.3s$"):
        arm.raw_call(client, "PUT", "/resourceGroups/rg-ml", "2021-04-01", {"location": "eastus"})
    assert silent.connections() == 1
    assert waits == []


def test_a_silent_arm_endpoint_fails_after_the_connect_timeout_not_azure_cores_300_s(
    azure_env: ArmEmulator, silent_port: Silent, waits: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the connect timeout is short here (the read timeout stays 300 s): the TLS hello that is
    # never answered is bounded by it, as Go's TLSHandshakeTimeout bounds it for the Azure SDK for Go.
    monkeypatch.setenv("AKSCLI_ARM_ENDPOINT", f"https://{silent_port.server}")
    signed_in()
    monkeypatch.setattr(armretry, "CONNECT_TIMEOUT_S", 0.3)
    with pytest.raises(AkscliError, match=r"did not answer within 0\.3s$"):
        list(clusters.list_clusters(clusters.client(AzureTarget()), None))
    assert silent_port.connections() == 1


def test_akscli_arm_clients_connect_within_30_s_and_wait_300_s_for_an_answer() -> None:
    config = armretry.poll_transport(60.0).connection_config
    assert (config.timeout, config.read_timeout) == (30.0, 300.0)


def test_a_sign_in_endpoint_that_never_answers_is_named_with_its_seconds(
    azure_env: ArmEmulator, silent_port: Silent, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(armretry, "CONNECT_TIMEOUT_S", 0.3)
    monkeypatch.setattr(armretry, "READ_TIMEOUT_S", 0.3)
    host = f"https://{silent_port.server}"
    r = invoke("cluster", "list", env={"AZURE_AUTHORITY_HOST": host})
    assert r.exit_code == 6, r
    assert r.stderr.splitlines() == [
        f"error: environment (service principal) could not get a token: {host} did not answer within 0.3s",
        "hint: check the network or proxy (HTTPS_PROXY) and AZURE_AUTHORITY_HOST, then try again",
    ]
