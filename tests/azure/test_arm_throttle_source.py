"""A 429 names who throttled (audit 33). "Throttling happens at two levels": Azure Resource Manager's
limits for the subscription and tenant, then the resource provider's own (MicrosoftDocs/azure-docs
articles/azure-resource-manager/management/request-limits-and-throttling.md). ARM's
x-ms-ratelimit-remaining-subscription-* headers tell them apart: near 0, ARM's limit; otherwise "the
throttling is coming from the target resource provider" (articles/virtual-machines/troubleshooting/
troubleshooting-throttling-errors.md). Before, every 429 read "Azure Resource Manager is throttling
requests", and Compute's throttling 429 (code OperationNotAllowed) read as a conflict. --debug shows
the headers, as `az --debug` does."""

from __future__ import annotations

import pytest

from akscli.azure import clusters
from akscli.azure.arm import AzureTarget
from akscli.errors import AkscliError, ConflictError
from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator
from tests.emulators.arm.throttle import Throttle

PATH = "/managedClusters/aks1$"


def _get() -> None:
    clusters.get(clusters.client(AzureTarget()), RG, "aks1")


def _failure() -> AkscliError:
    with pytest.raises(AkscliError) as err:
        _get()
    return err.value


def test_a_429_from_the_subscriptions_empty_bucket_names_azure_resource_manager(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    # One read, refilled so slowly that ARM asks for a wait longer than akscli waits (reported, not slept).
    slow = (1, 0.001)
    azure_env.throttle = Throttle(limits={"reads": slow, "writes": slow, "deletes": slow}, clock=lambda: 0.0)
    _get()
    failure = _failure()
    expected = "cluster aks1: Azure Resource Manager is throttling requests: Number of 'read' requests"
    assert failure.message.startswith(expected)


def test_a_providers_429_names_the_provider_and_what_arm_has_left(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.throttle = Throttle(clock=lambda: 0.0)  # ARM's documented bucket: 250 reads
    azure_env.faults.add("GET", PATH, 429, retry_after=3600)
    failure = _failure()
    expected = "cluster aks1: Microsoft.ContainerService is throttling requests (TooManyRequests): "
    assert failure.message.startswith(expected)
    assert "not Azure Resource Manager's: 249 requests are left to the subscription" in (failure.hint or "")


def test_a_429_without_arms_headers_names_no_one(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.faults.add("GET", PATH, 429, retry_after=3600)
    assert _failure().message.startswith("cluster aks1: Azure is throttling requests (TooManyRequests): ")


def test_computes_throttling_429_with_operation_not_allowed_is_throttling_not_a_conflict(
    azure_env: ArmEmulator,
) -> None:
    # troubleshooting-throttling-errors.md, "Throttling error details": CRP's 429 body.
    message = "The server rejected the request because too many requests have been received for this subscription."
    seed_cluster(azure_env)
    body = {"error": {"code": "OperationNotAllowed", "message": message}}
    azure_env.faults.add("GET", PATH, 429, retry_after=3600, body=body)
    failure = _failure()
    assert not isinstance(failure, ConflictError)
    assert failure.message == f"cluster aks1: Azure is throttling requests (OperationNotAllowed): {message}"


def test_debug_shows_the_requests_arm_says_are_left(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.throttle = Throttle(clock=lambda: 0.0)
    r = invoke("cluster", "show", "aks1", "-g", RG, "--debug")
    assert r.exit_code == 0, r
    line = next(x for x in r.stderr.splitlines() if x.startswith("akscli.azure: GET "))
    assert line.endswith(" ms, x-ms-ratelimit-remaining-subscription-reads: 249"), line
