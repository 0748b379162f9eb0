"""A throttled sign-in, end to end over HTTP: Entra answers akscli's token request 429 with
Retry-After (tests/emulators/arm/entra.py, _token_fault). azure-identity sends token requests
through a pipeline built with akscli's retry policy (identity._common, retry_policy_class), so the
wait is akscli's: Retry-After within MAX_RETRY_AFTER_S, else reported. No test sleeps: the
policy's ``pause`` is a recorder."""

from __future__ import annotations

import pytest

from tests.azure.helpers import record_pauses, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch, azure_env: ArmEmulator) -> list[float]:
    waited: list[float] = []
    record_pauses(monkeypatch, waited.append)
    return waited


def test_a_sign_in_answered_429_is_sent_again_after_its_retry_after(azure_env: ArmEmulator, waits: list[float]) -> None:
    seed_cluster(azure_env)
    azure_env.entra_faults.add("POST", "/oauth2/v2.0/token$", 429, retry_after=60)
    result = invoke("cluster", "list", "-o", "name")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == ["cluster/aks1"]
    assert waits == [60.0]
    assert len(azure_env.token_requests) == 2


def test_a_sign_in_throttled_longer_than_akscli_waits_fails_with_one_line(
    azure_env: ArmEmulator, waits: list[float]
) -> None:
    seed_cluster(azure_env)
    azure_env.entra_faults.add("POST", "/oauth2/v2.0/token$", 429, retry_after=3600)
    result = invoke("cluster", "list")
    assert result.exit_code == 1
    assert waits == []
    assert len(azure_env.token_requests) == 1
    assert result.stderr.splitlines()[0] == (
        "error: environment (service principal): Entra ID is throttling sign-ins (429 Too Many Requests)"
    )
    assert "asks to wait 3600s, longer than akscli waits" in result.stderr
