"""An abort (POST .../abort; az aks operation-abort, az aks nodepool operation-abort) is a long-running
operation: 202 with Azure-AsyncOperation and Location, the resource Canceling while it runs and Canceled
once it ends (Azure/azure-rest-api-specs aks/stable/2026-08-01 ManagedClusters_AbortLatestOperation,
AgentPools_AbortLatestOperation, examples/ManagedClustersAbortOperation.json). The emulator ended the
operation at once and answered 204; `--no-wait` then said the abort was done while AKS is still
Canceling. A second abort of a Canceling resource is refused before anything is sent (exit 4)."""

from __future__ import annotations

import json

import pytest

from akscli.azure import aborts
from akscli.errors import ConflictError
from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

ABORT = "/managedClusters/aks1/abort$"


def _state(emu: ArmEmulator, rid: str) -> str:
    return str((emu.get_resource(rid) or {})["properties"]["provisioningState"])


def test_a_cluster_abort_with_no_wait_leaves_it_canceling_until_the_cancel_ends(azure_env: ArmEmulator) -> None:
    rid = seed_cluster(azure_env, provisioningState="Upgrading")
    azure_env.begin_operation(rid)
    aborted = azure_env._ops[azure_env._busy[rid.lower()]]
    result = invoke("cluster", "abort", "aks1", "-g", RG, "-y", "--no-wait")
    assert result.exit_code == 0, result
    assert "accepted by Azure, in progress (InProgress); check on it with: akscli cluster show aks1" in result.stderr
    [post] = azure_env.requests_to(ABORT, "POST")
    assert post.status == 202
    assert (_state(azure_env, rid), aborted.status) == ("Canceling", "Canceling")
    # While it is Canceling, a second abort is refused before the question, nothing sent.
    again = invoke("cluster", "abort", "aks1", "-g", RG, "-y")
    assert again.exit_code == 4, again
    assert "cluster aks1 is already being aborted (its provisioningState is Canceling" in again.stderr
    assert len(azure_env.requests_to(ABORT, "POST")) == 1
    shown = invoke("cluster", "show", "aks1", "-g", RG, "-o", "json")
    assert json.loads(shown.stdout)["properties"]["provisioningState"] == "Canceled"
    assert aborted.status == "Canceled"


def test_a_pool_abort_waits_through_canceling_to_canceled(azure_env: ArmEmulator) -> None:
    rid = seed_cluster(azure_env, pools=[{"name": "np1", "mode": "System", "count": 3, "provisioningState": "Scaling"}])
    pool = f"{rid}/agentPools/np1"
    azure_env.begin_operation(pool)
    result = invoke("nodepool", "abort", "np1", "-c", "aks1", "-g", RG, "-y", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["properties"]["provisioningState"] == "Canceled"
    [post] = azure_env.requests_to("/agentPools/np1/abort$", "POST")
    assert post.status == 202
    # The abort's own status was polled: Canceling showed until the cancel ended.
    assert azure_env.requests_to("/operations/[^/]+$", "GET")
    [profile] = (azure_env.get_resource(rid) or {})["properties"]["agentPoolProfiles"]
    assert profile["provisioningState"] == "Canceled"


def test_check_running_refuses_a_canceling_resource() -> None:
    with pytest.raises(ConflictError, match="already being aborted"):
        aborts.check_running({"properties": {"provisioningState": "Canceling"}}, "cluster aks1", "show")
    running = {"properties": {"provisioningState": "Upgrading"}}
    assert aborts.check_running(running, "cluster aks1", "show") == "Upgrading"
