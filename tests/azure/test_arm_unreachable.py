"""An ARM or sign-in endpoint that cannot be reached is reported at once, in words.

azure-core retries every error that reached no server three times with backoff (about 6 s);
client-go retries none of a refusal, an unknown host or a TLS failure (kubernetes/client-go
rest/request.go). akscli.azure.armretry keeps azure-core's status and read retries and applies
client-go's rule to the rest; a server that answered before is still retried (it restarts).
"""

from __future__ import annotations

import os
import socket

import pytest

from akscli import netfail
from akscli.azure import clusters
from akscli.azure.arm import AzureTarget
from akscli.errors import AkscliError, AuthError
from tests.azure.helpers import record_pauses
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each wait before a retry (recorded, not slept; akscli.azure.armretry)."""
    netfail.forget()
    recorded: list[int] = []
    record_pauses(monkeypatch, lambda _seconds: recorded.append(1))
    return recorded


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_refused_arm_endpoint_is_reported_without_retries(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch, waits: list[int]
) -> None:
    monkeypatch.setenv("AKSCLI_ARM_ENDPOINT", f"https://127.0.0.1:{_closed_port()}")
    with pytest.raises(AkscliError) as err:
        list(clusters.list_clusters(clusters.client(AzureTarget()), None))
    endpoint = os.environ["AKSCLI_ARM_ENDPOINT"]
    assert err.value.message.endswith(f"cannot reach Azure Resource Manager at {endpoint}: the connection was refused")
    assert "HTTPSConnection" not in err.value.message and "Errno" not in err.value.message
    assert waits == []


def test_a_refusal_from_an_arm_endpoint_that_answered_before_is_retried(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch, waits: list[int]
) -> None:
    port = _closed_port()
    monkeypatch.setenv("AKSCLI_ARM_ENDPOINT", f"https://127.0.0.1:{port}")
    netfail.answered(f"127.0.0.1:{port}")
    with pytest.raises(AkscliError, match="the connection was refused"):
        list(clusters.list_clusters(clusters.client(AzureTarget()), None))
    assert len(waits) == 3  # azure-core's retry_connect


def test_a_sign_in_endpoint_with_an_untrusted_certificate_is_named_not_the_secret(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch, waits: list[int]
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    monkeypatch.delenv("SSL_CERT_FILE")
    result = invoke("cluster", "list", "--auth", "spn")
    assert result.exit_code == AuthError.exit_code, result
    assert "could not get a token: TLS to" in result.stderr
    assert "signed by an authority the configuration does not trust" in result.stderr
    assert "AZURE_CLIENT_SECRET" not in result.stderr  # the credentials are not the problem
    assert waits == []


def test_a_server_error_is_still_retried(azure_env: ArmEmulator, waits: list[int]) -> None:
    from tests.azure.helpers import RG, seed_cluster

    azure_env.faults.add("GET", "/managedClusters/aks1$", 503, count=1, retry_after=0.01)
    seed_cluster(azure_env)
    clusters.get(clusters.client(AzureTarget()), RG, "aks1")
    assert len(waits) == 1
