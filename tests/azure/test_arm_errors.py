"""ARM failures become one AkscliError with a fix (through the real SDK pipeline)."""

from __future__ import annotations

import pytest

from akscli.azure import clusters
from akscli.azure.arm import AzureTarget
from akscli.errors import AkscliError, AuthError, ConflictError, UsageError
from tests.azure.helpers import RG, seed_cluster
from tests.emulators.arm import ArmEmulator


def _get(emu: ArmEmulator) -> None:
    clusters.get(clusters.client(AzureTarget()), RG, "aks1")


def test_forbidden_is_an_auth_error_naming_a_role(azure_env: ArmEmulator) -> None:
    message = "The client 'x' does not have authorization to perform action 'managedClusters/read'."
    azure_env.faults.add(
        "GET", "/managedClusters/aks1$", 403, body={"error": {"code": "AuthorizationFailed", "message": message}}
    )
    with pytest.raises(AuthError) as err:
        _get(azure_env)
    assert "Contributor" in (err.value.hint or "")


def test_throttling_that_outlasts_the_retries_says_so(azure_env: ArmEmulator) -> None:
    azure_env.faults.add("GET", "/managedClusters/aks1$", 429, count=20, retry_after=0.01)
    with pytest.raises(AkscliError) as err:
        _get(azure_env)
    assert "throttling" in err.value.message
    assert 1 < len(azure_env.requests_to("/managedClusters/aks1$")) < 20  # retried, then gave up


def test_an_etag_or_operation_conflict_is_a_conflict_error(azure_env: ArmEmulator) -> None:
    message = "Another operation (Updating) is in progress on cluster aks1."
    azure_env.faults.add(
        "GET", "/managedClusters/aks1$", 409, body={"error": {"code": "AnotherOperationInProgress", "message": message}}
    )
    with pytest.raises(ConflictError) as err:
        _get(azure_env)
    assert "cluster wait" in (err.value.hint or "")


def test_a_bad_parameter_is_a_usage_error_with_azure_words(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    message = "The value of parameter agentPoolProfile.count is invalid."
    azure_env.faults.add(
        "PUT", "/agentPools/p1$", 400, body={"error": {"code": "InvalidParameter", "message": message}}
    )
    from akscli.azure import nodepools

    c = clusters.client(AzureTarget())
    spec = nodepools.NodePoolSpec.from_flags(name="p1", cluster="aks1", resource_group=RG, vm_size="Standard_D8ds_v5")
    with pytest.raises(UsageError) as err:
        nodepools.begin_add(c, spec, nodepools.build_body(spec))
    assert "InvalidParameter" in err.value.message and "agentPoolProfile.count" in err.value.message


def test_server_errors_are_retried_then_reported_with_status(azure_env: ArmEmulator) -> None:
    azure_env.faults.add("GET", "/managedClusters/aks1$", 503, count=1, retry_after=0.01)
    seed_cluster(azure_env)
    _get(azure_env)  # one 503 is absorbed by the retry policy
    assert [e.status for e in azure_env.requests_to("/managedClusters/aks1$")] == [503, 200]


def test_an_unreachable_arm_endpoint_on_a_long_running_call_is_one_clear_error(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    from akscli.azure import arm

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AKSCLI_ARM_ENDPOINT", f"https://127.0.0.1:{port}")
    monkeypatch.setenv("AKSCLI_ARM_RETRIES", "0")
    client = arm.raw_client(AzureTarget())
    with pytest.raises(AkscliError) as err:
        arm.raw_begin(client, "DELETE", f"/subscriptions/x/resourceGroups/{RG}", "2021-04-01")
    assert "cannot reach Azure Resource Manager" in err.value.message
