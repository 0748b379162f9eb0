"""Failed long-running operations and ARM's own refusals, as Azure really answers them.

A failed operation's status resource answers 200 with ``"status": "Failed"`` (RPC
``v1.0/async-api-reference.md``), so the mapping must come from the error code, not the HTTP
status of the last poll.
"""

from __future__ import annotations

import pytest

from akscli.azure import arm, clusters, nodepools
from akscli.azure.arm import AzureTarget
from akscli.errors import AkscliError, AuthError, ConflictError, NotInstalledError, QuotaError, UsageError
from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

QUOTA_MESSAGE = (
    "Preflight validation check for resource(s) for container service aks1 in resource group MC_rg failed. "
    "Message: Operation could not be completed as it results in exceeding approved standardNCADSH100v5Family "
    "Cores quota. Additional details - Deployment Model: Resource Manager, Location: eastus, Current Limit: 0, "
    "Current Usage: 0, Additional Required: 40, (Minimum) New Limit Required: 40."
)


def _client() -> object:
    return clusters.client(AzureTarget())


def _add_pool(name: str = "gpu", **flags: object) -> object:
    c = _client()
    spec = nodepools.NodePoolSpec.from_flags(
        name=name, cluster="aks1", resource_group=RG, vm_size="Standard_D8ds_v5", **flags
    )
    return arm.wait_lro(nodepools.begin_add(c, spec, nodepools.build_body(spec)), f"add node pool {name}")  # type: ignore[arg-type]


def test_a_failed_create_with_a_4xx_code_maps_like_the_synchronous_error(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.fail_operation("PUT", "/agentPools/gpu$", "InvalidParameter", "The value of parameter count is invalid.")
    with pytest.raises(UsageError) as err:
        _add_pool()
    assert "InvalidParameter" in err.value.message and "200" not in err.value.message
    assert "status.azure.com" not in (err.value.hint or "")


def test_a_failed_quota_operation_names_the_command_and_the_family(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.fail_operation("PUT", "/agentPools/gpu$", "QuotaExceeded", QUOTA_MESSAGE)
    with pytest.raises(QuotaError) as err:
        _add_pool()
    assert err.value.message.startswith("add node pool gpu: standardNCADSH100v5Family vCPU quota exceeded in eastus")
    assert "limit 0, in use 0, needs 40 more" in err.value.message
    assert "vCPU vCPUs" not in err.value.message


def test_a_quota_error_nested_in_an_invalid_template_deployment_is_a_quota_error(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    details = [{"code": "PreflightValidationCheckFailed", "message": "Preflight failed.",
                "details": [{"code": "QuotaExceeded", "message": QUOTA_MESSAGE}]}]  # fmt: skip
    azure_env.fail_operation("PUT", "/agentPools/gpu$", "InvalidTemplateDeployment", "The template deployment "
                             "failed. See inner errors for details.", details=details)  # fmt: skip
    with pytest.raises(QuotaError) as err:
        _add_pool()
    assert "needs 40 more" in err.value.message


def test_a_canceled_operation_is_a_conflict_not_a_server_error(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.fail_operation(
        "PUT", "/agentPools/gpu$", "Canceled", "The operation was canceled by an abort.", status="Canceled"
    )
    with pytest.raises(ConflictError) as err:
        _add_pool()
    assert "canceled" in err.value.message


def test_a_provisioning_failure_says_azure_could_not_finish_it(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.fail_operation("PUT", "/agentPools/gpu$", "VMExtensionProvisioningError", "VM has reported a failure "
                             "when processing extension 'vmssCSE' (exit status=50).")  # fmt: skip
    with pytest.raises(AkscliError) as err:
        _add_pool()
    assert err.value.exit_code == 1
    assert "VMExtensionProvisioningError" in err.value.message and "200" not in err.value.message
    assert "status.azure.com" not in (err.value.hint or "")


def test_a_failed_operation_leaves_its_error_on_the_resource(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.fail_operation("PUT", "/agentPools/gpu$", "InvalidParameter", "bad count")
    with pytest.raises(UsageError):
        _add_pool()
    pool = azure_env.get_resource(cluster_id("aks1") + "/agentPools/gpu")
    assert pool is not None and pool["properties"]["provisioningState"] == "Failed"
    assert pool["properties"]["status"]["provisioningError"] == {"code": "InvalidParameter", "message": "bad count"}


def test_cluster_wait_on_a_failed_cluster_prints_its_provisioning_error(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, provisioningState="Failed",
                 status={"provisioningError": {"code": "QuotaExceeded", "message": QUOTA_MESSAGE}})  # fmt: skip
    with pytest.raises(QuotaError) as err:
        clusters.wait_for(_client(), RG, "aks1", interval=0)  # type: ignore[arg-type]
    assert "ended in provisioningState Failed" in err.value.message and "needs 40 more" in err.value.message


def test_aks_create_answers_azure_async_operation_only_as_its_spec_declares(azure_env: ArmEmulator) -> None:
    from azure.core.rest import HttpRequest

    seed_cluster(azure_env)
    client = arm.raw_client(AzureTarget())
    body = {"properties": {"vmSize": "Standard_D8ds_v5", "count": 1}}
    url = f"{azure_env.url}{cluster_id('aks1')}/agentPools/p2"
    response = client.send_request(HttpRequest("PUT", url, params={"api-version": clusters.API_VERSION}, json=body))
    assert response.status_code == 201
    assert "Azure-AsyncOperation" in response.headers and "Location" not in response.headers


def test_a_property_the_published_api_lacks_is_refused(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    c = _client()
    body = {"properties": {"vmSize": "Standard_D8ds_v5", "count": 1, "machineId": "m1"}}
    with pytest.raises(UsageError) as err:
        arm.call("add", lambda: c.agent_pools.begin_create_or_update(RG, "aks1", "p2", body))  # type: ignore[attr-defined]
    assert "properties.machineId" in err.value.message


# ---------------------------------------------------------------- busy clusters (409)


def test_a_second_pool_operation_while_one_is_creating_is_refused(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 50  # the first pool stays Creating
    c = _client()
    spec = nodepools.NodePoolSpec.from_flags(name="one", cluster="aks1", resource_group=RG, vm_size="Standard_D8ds_v5")
    nodepools.begin_add(c, spec, nodepools.build_body(spec))  # type: ignore[arg-type]
    spec2 = nodepools.NodePoolSpec.from_flags(name="two", cluster="aks1", resource_group=RG, vm_size="Standard_D8ds_v5")
    with pytest.raises(ConflictError) as err:
        nodepools.begin_add(c, spec2, nodepools.build_body(spec2))  # type: ignore[arg-type]
    assert "Another agentpool operation (one - Creating)" in err.value.message
    # The hint waits for the operation that runs (pool one), not for the refused pool two, which
    # does not exist yet ('nodepool show two' would answer "not found").
    assert err.value.hint == f"wait for it to finish ('akscli nodepool show one --cluster aks1 -g {RG}'), then retry"
    assert "-g RG -n NAME" not in (err.value.hint or "")
    with pytest.raises(ConflictError):
        clusters.begin_stop(c, RG, "aks1")  # type: ignore[arg-type]


def test_the_in_progress_hint_names_the_real_cluster(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 50
    c = _client()
    clusters.begin_stop(c, RG, "aks1")  # type: ignore[arg-type]
    with pytest.raises(ConflictError) as err:
        clusters.begin_start(c, RG, "aks1")  # type: ignore[arg-type]
    assert f"akscli cluster wait aks1 -g {RG}" in (err.value.hint or "")


def test_a_pool_added_while_the_cluster_is_creating_waits_for_the_cluster(azure_env: ArmEmulator) -> None:
    azure_env.lro_polls = 50  # the cluster stays Creating
    created = invoke("cluster", "create", "aks9", "-g", RG, "--sku", "base", "--no-wait")
    assert created.exit_code == 0, created
    r = invoke("nodepool", "add", "gpu", "-c", "aks9", "-g", RG, "--vm-size", "Standard_D8ds_v5")
    assert r.exit_code == 4, r
    assert "Another operation (Creating) is in progress" in r.stderr
    assert f"hint: wait for it to finish ('akscli cluster wait aks9 -g {RG}'), then retry" in r.stderr


# ---------------------------------------------------------------- ARM refusals and their fixes


def _refuse(emu: ArmEmulator, status: int, code: str, message: str) -> AkscliError:
    seed_cluster(emu)
    emu.faults.add("GET", "/managedClusters/aks1$", status, body={"error": {"code": code, "message": message}})
    with pytest.raises(AkscliError) as err:
        clusters.get(_client(), RG, "aks1")  # type: ignore[arg-type]
    return err.value


def test_a_policy_denial_asks_for_an_exemption_not_a_role(azure_env: ArmEmulator) -> None:
    message = ("Resource 'aks1' was disallowed by policy. Policy identifiers: '[{\"policyAssignment\":{\"name\":"
               "\"deny-public-aks\",\"id\":\"/providers/x\"}}]'.")  # fmt: skip
    err = _refuse(azure_env, 403, "RequestDisallowedByPolicy", message)
    assert isinstance(err, AuthError)
    assert "exemption" in (err.hint or "") and "deny-public-aks" in (err.hint or "")
    assert "Contributor" not in (err.hint or "")


def test_an_unregistered_provider_says_how_to_register_it(azure_env: ArmEmulator) -> None:
    message = "The subscription is not registered to use namespace 'Microsoft.ContainerService'."
    err = _refuse(azure_env, 409, "MissingSubscriptionRegistration", message)
    assert isinstance(err, NotInstalledError)
    assert "az provider register --namespace Microsoft.ContainerService" in (err.hint or "")


def test_a_scope_lock_says_to_remove_the_lock(azure_env: ArmEmulator) -> None:
    message = "The scope '/subscriptions/x/resourceGroups/rg-ml' cannot perform write operation because it is locked."
    err = _refuse(azure_env, 409, "ScopeLocked", message)
    assert isinstance(err, ConflictError) and "lock" in (err.hint or "")


def test_arm_retries_means_that_many_retries(azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_cluster(azure_env)
    monkeypatch.setenv("AKSCLI_ARM_RETRIES", "4")
    azure_env.faults.add("GET", "/managedClusters/aks1$", 503, count=10, retry_after=0.01)
    with pytest.raises(AkscliError):
        clusters.get(_client(), RG, "aks1")  # type: ignore[arg-type]
    assert len(azure_env.requests_to("/managedClusters/aks1$")) == 5  # one try and four retries


def test_a_cluster_in_a_missing_resource_group_says_to_create_the_group(azure_env: ArmEmulator) -> None:
    from akscli.errors import NotFoundError

    spec = clusters.ClusterSpec.from_flags(name="aks1", resource_group="rg-missing", location="eastus", sku="base")
    c = _client()
    with pytest.raises(NotFoundError) as err:
        clusters.begin_create(c, spec, clusters.build_create_body(spec))  # type: ignore[arg-type]
    assert "Resource group 'rg-missing' could not be found" in err.value.message
    assert "az group create" in (err.value.hint or "")


def test_a_created_resource_group_takes_resources(azure_env: ArmEmulator) -> None:
    client = arm.raw_client(AzureTarget())
    path = f"/subscriptions/{azure_env.subscription}/resourcegroups/rg-new"
    group = arm.raw_call(client, "PUT", path, "2021-04-01", {"location": "eastus"})
    assert group is not None and group["type"] == "Microsoft.Resources/resourceGroups"
    spec = clusters.ClusterSpec.from_flags(name="aks1", resource_group="rg-new", location="eastus", sku="base")
    arm.wait_lro(clusters.begin_create(_client(), spec, clusters.build_create_body(spec)), "create")  # type: ignore[arg-type]


def test_without_retry_after_the_poller_waits_the_rpc_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AKSCLI_LRO_POLL_INTERVAL", raising=False)
    assert arm._client_kwargs()["polling_interval"] == 60.0


def test_an_operation_without_retry_after_sends_none(azure_env: ArmEmulator) -> None:
    from azure.core.rest import HttpRequest

    seed_cluster(azure_env)
    client = arm.raw_client(AzureTarget())
    url = f"{azure_env.url}{cluster_id('aks1')}/agentPools/p3"
    body = {"properties": {"vmSize": "Standard_D8ds_v5", "count": 1}}
    response = client.send_request(HttpRequest("PUT", url, params={"api-version": clusters.API_VERSION}, json=body))
    assert "Retry-After" not in response.headers
