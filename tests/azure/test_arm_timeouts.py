"""An ARM endpoint that takes the connection and never answers is asked once, not four times.

azure-core retries a read error of GET, PUT and DELETE (azure/core/pipeline/policies/_retry.py,
``_method_whitelist``), each after its read timeout (300 s by default). akscli.azure.armretry
applies akscli.netfail's rule: a timeout is sent again once at most, only as a read, and only to
a server that answered earlier in this process (client-go retries none: kubernetes/client-go
rest/request.go, ``request``'s ``isErrRetryableFunc``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from akscli import netfail
from akscli.azure import arm, armretry, clusters
from akscli.azure.arm import AzureTarget
from akscli.errors import AkscliError
from tests.azure.helpers import record_pauses
from tests.emulators.arm import ArmEmulator
from tests.silent_server import Silent


@pytest.fixture
def silent(azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Silent]:
    """ARM at a port that never answers; each try waits 0.3 s, not azure-core's 300 s."""
    server = Silent()
    monkeypatch.setenv("AKSCLI_ARM_ENDPOINT", f"https://{server.server}")
    made = armretry.poll_transport

    def short(interval: float) -> Any:
        transport = made(interval)
        transport.connection_config.timeout = transport.connection_config.read_timeout = 0.3
        return transport

    monkeypatch.setattr(armretry, "poll_transport", short)
    yield server
    server.close()


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
    assert (
        failed.value.message
        == f"list clusters: Azure Resource Manager at {endpoint} did not answer in time (timed out)"
    )
    assert silent.connections() == 1
    assert waits == []


def test_an_arm_read_that_times_out_after_an_answer_is_sent_once_more(silent: Silent, waits: list[int]) -> None:
    netfail.answered(silent.server)
    with pytest.raises(AkscliError, match="did not answer in time"):
        list(clusters.list_clusters(clusters.client(AzureTarget()), None))
    assert silent.connections() == 2
    assert len(waits) == 1


def test_an_arm_put_that_times_out_is_not_sent_again(silent: Silent, waits: list[int]) -> None:
    netfail.answered(silent.server)
    client = arm.raw_client(AzureTarget())
    with pytest.raises(AkscliError, match="did not answer in time"):
        arm.raw_call(client, "PUT", "/resourceGroups/rg-ml", "2021-04-01", {"location": "eastus"})
    assert silent.connections() == 1
    assert waits == []
