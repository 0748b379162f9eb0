"""The ARM emulator's answers read against what ARM and AKS answer (audit 28, cite28): a request
without api-version, a HEAD of a resource, and a write to a cluster whose operation still runs.
Plain calls of the emulator's router: no HTTP server."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.azure.armerrors import _running_operation_wait
from akscli.azure.armfailure import ArmFailure
from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.emulators.arm import ArmEmulator, routes
from tests.emulators.arm.server import ArmError

API = {"api-version": ["2026-08-01"]}


def _arm(emu: ArmEmulator, method: str, path: str, query: dict[str, list[str]], body: bytes = b"") -> Any:
    return routes._arm(emu, method, path, query, body, {})


def test_a_request_without_api_version_gets_arms_words() -> None:
    # Azure/azure-sdk-for-go#22571, Azure/azure-dev#3914: ARM's 400 and message.
    with pytest.raises(ArmError) as err:
        _arm(ArmEmulator(), "GET", cluster_id("aks1"), {})
    assert err.value.status == 400
    assert err.value.body()["error"] == {
        "code": "MissingApiVersionParameter",
        "message": "The api-version query parameter (?api-version=) is required for all requests.",
    }


def test_a_head_of_a_resource_is_204_and_of_a_missing_one_404() -> None:
    # Resources_CheckExistence (azure-rest-api-specs resources.json): 204 No Content or 404.
    emu = ArmEmulator()
    seed_cluster(emu)
    assert _arm(emu, "HEAD", cluster_id("aks1"), API) == (204, {}, None)
    with pytest.raises(ArmError) as err:
        _arm(emu, "HEAD", cluster_id("gone"), API)
    assert err.value.status == 404


def test_a_write_to_a_busy_cluster_gets_aks_words_and_akscli_says_to_wait_for_the_cluster() -> None:
    # Azure/azure-cli-extensions#9855: "... there's an in progress update managed cluster operation
    # (operation ID: ...) on the managed cluster started on UTC ...".
    emu = ArmEmulator()
    seed_cluster(emu)
    emu.begin_operation(cluster_id("aks1"))
    with pytest.raises(ArmError) as err:
        _arm(emu, "PATCH", cluster_id("aks1"), API, b'{"tags": {"a": "b"}}')
    error = err.value.body()["error"]
    assert (err.value.status, error["code"]) == (409, "OperationNotAllowed")
    assert "there's an in progress update managed cluster operation (operation ID: " in error["message"]
    # The same words answer a pool add while the cluster updates: the wait is the cluster's, not
    # the pool's (which does not exist yet).
    url = f"https://management.azure.com{cluster_id('aks1')}/agentPools/gpu?api-version=2026-08-01"
    failure = ArmFailure(409, "OperationNotAllowed", error["message"], None, url)
    assert _running_operation_wait(failure) == f"akscli cluster wait aks1 -g {RG}"
