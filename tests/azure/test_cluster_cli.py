"""akscli cluster ... end to end against the ARM + Entra emulator, through the real SDK."""

from __future__ import annotations

import json

import pytest
from ruamel.yaml import YAML

from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.cli import invoke, list_items
from tests.emulators.arm import ArmEmulator


def test_dry_run_prints_the_automatic_request_without_calling_azure(azure_env: ArmEmulator) -> None:
    r = invoke("cluster", "create", "aks1", "-g", RG, "--enable-kaito", "--tags", "team=ml", "--dry-run")
    assert r.exit_code == 0, r
    body = json.loads(r.stdout)["body"]
    assert body["sku"] == {"name": "Automatic", "tier": "Standard"}
    assert body["properties"]["aiToolchainOperatorProfile"] == {"enabled": True}
    assert body["properties"]["aadProfile"] == {"managed": True, "enableAzureRBAC": True}
    assert body["properties"]["nodeProvisioningProfile"] == {"mode": "Auto"}
    assert body["tags"] == {"team": "ml"}
    assert azure_env.requests_to("/subscriptions/") == []


def test_hosted_system_automatic_cluster_has_no_agent_pool_in_the_body(azure_env: ArmEmulator) -> None:
    r = invoke("cluster", "create", "aks1", "-g", RG, "--hosted-system", "--dry-run", "-o", "yaml")
    body = YAML(typ="safe", pure=True).load(r.stdout)["body"]
    assert body["properties"]["hostedSystemProfile"] == {"enabled": True}
    assert "agentPoolProfiles" not in body["properties"]


def test_an_automatic_cluster_has_managed_system_node_pools_and_no_pool_of_its_own(azure_env: ArmEmulator) -> None:
    r = invoke("cluster", "create", "aks1", "-g", RG, "--dry-run", "-o", "json")
    assert r.exit_code == 0, r
    body = json.loads(r.stdout)["body"]
    assert body["properties"]["hostedSystemProfile"] == {"enabled": True}
    assert "agentPoolProfiles" not in body["properties"]


def test_create_runs_the_long_running_operation_and_shows_the_cluster(azure_env: ArmEmulator) -> None:
    r = invoke(
        "cluster",
        "create",
        "aks1",
        "-g",
        RG,
        "--sku",
        "base",
        "--os-sku",
        "AzureLinux",
        "--system-count",
        "2",
        "-k",
        "1.33",
        "-o",
        "json",
    )
    assert r.exit_code == 0, r
    cluster = json.loads(r.stdout)
    assert cluster["properties"]["provisioningState"] == "Succeeded"
    assert cluster["properties"]["currentKubernetesVersion"] == "1.33.5"
    puts = azure_env.requests_to(r"/managedClusters/aks1$", "PUT")
    assert len(puts) == 1 and puts[0].status == 201
    assert azure_env.requests_to(r"/operations/", "GET"), "the SDK polled Azure-AsyncOperation"
    assert "create cluster aks1" in r.stderr


def test_create_no_wait_returns_the_operation_and_cluster_wait_resumes(azure_env: ArmEmulator) -> None:
    azure_env.lro_polls = 3
    azure_env.retry_after = 5  # keeps this process's own background poller out of the way
    r = invoke("cluster", "create", "aks1", "-g", RG, "--no-wait", "-o", "json")
    assert r.exit_code == 0, r
    started = json.loads(r.stdout)
    assert started["status"] == "InProgress"
    assert started["resume"] == f"akscli cluster wait aks1 -g {RG}"
    assert azure_env.get_resource(cluster_id("aks1"))["properties"]["provisioningState"] == "Creating"
    w = invoke("cluster", "wait", "aks1", "-g", RG, "--interval", "0s", "-o", "json")
    assert w.exit_code == 0, w
    assert json.loads(w.stdout)["properties"]["provisioningState"] == "Succeeded"


def test_creating_an_existing_cluster_is_refused_before_any_put_as_a_conflict(azure_env: ArmEmulator) -> None:
    # exit 4, as the 412 when the cluster appears between the check and the PUT (test_etags.py)
    seed_cluster(azure_env)
    r = invoke("cluster", "create", "aks1", "-g", RG)
    assert r.exit_code == 4, r
    assert "already exists" in r.stderr
    assert azure_env.requests_to("/managedClusters/aks1$", "PUT") == []


def test_invalid_values_are_refused_before_anything_is_sent(azure_env: ArmEmulator) -> None:
    for args, needle in [
        (["--sku", "premium"], "--sku"),
        (["-k", "latest"], "Kubernetes version"),
        (["--tags", "bad/key=1"], "tag"),
        (["--sku", "base", "--hosted-system"], "--hosted-system"),
        (["--location", "East US!"], "location"),
        (["--sku", "base", "--zones", "4"], "availability zone"),
    ]:
        r = invoke("cluster", "create", "aks1", "-g", RG, *args)
        assert r.exit_code == 2, (args, r)
        assert needle in r.stderr, (args, r)
        assert "Traceback" not in r.stderr
    r = invoke("cluster", "create", "bad name", "-g", RG)
    assert r.exit_code == 2 and "cluster name" in r.stderr
    assert azure_env.requests_to("/subscriptions/") == []


def test_list_table_shows_sku_state_pools_nodes_and_gpus(azure_env: ArmEmulator) -> None:
    seed_cluster(
        azure_env,
        "aks1",
        pools=[
            {"name": "system", "mode": "System", "count": 3, "vmSize": "Standard_D4ds_v5"},
            {"name": "gpu", "mode": "User", "count": 2, "vmSize": "Standard_ND96isr_H100_v5"},
        ],
    )
    seed_cluster(azure_env, "aks2", rg="rg-other")
    r = invoke("cluster", "list")
    assert r.exit_code == 0, r
    lines = r.stdout.splitlines()
    assert lines[0].split()[:4] == ["NAME", "RESOURCE", "GROUP", "LOCATION"]
    row = next(line.split() for line in lines if line.startswith("aks1"))
    assert row == ["aks1", RG, "eastus", "1.33.5", "Base/Free", "Succeeded", "Running", "2", "5", "16"]
    assert any(line.startswith("aks2") for line in lines)


def test_list_by_resource_group_json_is_the_arm_objects(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "aks1")
    seed_cluster(azure_env, "aks2", rg="rg-other")
    r = invoke("cluster", "list", "-g", RG, "-o", "json")
    items = list_items(r.stdout)
    assert [i["name"] for i in items] == ["aks1"]
    assert items[0]["id"] == cluster_id("aks1")


def test_list_follows_next_links_across_pages(azure_env: ArmEmulator) -> None:
    azure_env.page_size = 2
    for i in range(5):
        seed_cluster(azure_env, f"aks{i}")
    r = invoke("cluster", "list", "-o", "name")
    assert r.stdout.split() == [f"cluster/aks{i}" for i in range(5)]
    assert len(azure_env.requests_to("/managedClusters$", "GET")) == 3


def test_show_of_a_missing_cluster_is_not_found_with_a_hint(azure_env: ArmEmulator) -> None:
    r = invoke("cluster", "show", "nope", "-g", RG)
    assert r.exit_code == 3, r
    assert "was not found" in r.stderr and "hint:" in r.stderr


def test_show_yaml_round_trips_the_cluster(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "aks1")
    r = invoke("cluster", "show", "aks1", "-g", RG, "-o", "yaml")
    assert YAML(typ="safe", pure=True).load(r.stdout)["properties"]["fqdn"] == "aks1-dns-abc.hcp.eastus.azmk8s.io"


def test_upgrade_without_a_version_lists_the_available_versions(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "aks1", version="1.32.6")
    r = invoke("cluster", "upgrade", "aks1", "-g", RG, "-o", "json")
    info = json.loads(r.stdout)
    assert info["currentVersion"] == "1.32.6"
    assert info["availableUpgrades"] == ["1.32.9", "1.33.3", "1.33.5"]


def test_upgrade_to_a_version_not_offered_lists_what_is(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "aks1", version="1.32.6")
    r = invoke("cluster", "upgrade", "aks1", "-g", RG, "-k", "1.34.2", "-y")
    assert r.exit_code == 2
    assert "1.33.5" in r.stderr


def test_upgrade_moves_control_plane_and_pools(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "aks1", version="1.32.6")
    r = invoke("cluster", "upgrade", "aks1", "-g", RG, "-k", "1.33.5", "-y", "-o", "json")
    assert r.exit_code == 0, r
    props = json.loads(r.stdout)["properties"]
    assert props["currentKubernetesVersion"] == "1.33.5"
    assert props["agentPoolProfiles"][0]["orchestratorVersion"] == "1.33.5"


def test_control_plane_only_upgrade_leaves_node_pools(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "aks1", version="1.32.6")
    r = invoke("cluster", "upgrade", "aks1", "-g", RG, "-k", "1.33.3", "--control-plane-only", "-y", "-o", "json")
    assert r.exit_code == 0, r
    props = json.loads(r.stdout)["properties"]
    assert props["currentKubernetesVersion"] == "1.33.3"
    assert props["agentPoolProfiles"][0]["orchestratorVersion"] == "1.32.6"


def test_node_image_only_upgrade_runs_on_every_pool(azure_env: ArmEmulator) -> None:
    seed_cluster(
        azure_env,
        pools=[
            {"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5", "nodeImageVersion": "old"},
            {"name": "gpu", "count": 1, "vmSize": "Standard_NC24ads_A100_v4", "nodeImageVersion": "old"},
        ],
    )
    r = invoke("cluster", "upgrade", "aks1", "-g", RG, "--node-image-only", "-y")
    assert r.exit_code == 0, r
    assert len(azure_env.requests_to("/upgradeNodeImageVersion$", "POST")) == 2
    pool = azure_env.get_resource(cluster_id("aks1") + "/agentPools/gpu")
    assert pool["properties"]["nodeImageVersion"] != "old"


def test_stop_then_start_changes_the_power_state(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke("cluster", "stop", "aks1", "-g", RG, "-o", "json")
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)["properties"]["powerState"] == {"code": "Stopped"}
    r = invoke("cluster", "start", "aks1", "-g", RG, "-o", "json")
    assert json.loads(r.stdout)["properties"]["powerState"] == {"code": "Running"}


def test_delete_needs_confirmation_without_a_tty(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke("cluster", "delete", "aks1", "-g", RG)
    assert r.exit_code == 2
    assert "--yes" in r.stderr
    assert azure_env.get_resource(cluster_id("aks1")) is not None


def test_delete_with_yes_removes_the_cluster_and_its_pools(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke("cluster", "delete", "aks1", "-g", RG, "-y")
    assert r.exit_code == 0, r
    assert azure_env.get_resource(cluster_id("aks1")) is None
    assert azure_env.get_resource(cluster_id("aks1") + "/agentPools/system") is None


def test_every_arm_delete_prints_kubectls_line_on_stdout(azure_env: ArmEmulator) -> None:
    # cluster and node pool printed "cluster aks1 deleted" on stderr, fleet "fleet/NAME deleted"
    # on stdout; kubectl delete prints `kind "name" deleted` on stdout (docs/grammar.md)
    seed_cluster(azure_env)
    assert invoke("nodepool", "add", "gpu", "-c", "aks1", "-g", RG, "--gpu", "a100", "-y").exit_code == 0
    pool = invoke("nodepool", "delete", "gpu", "-c", "aks1", "-g", RG, "-y")
    assert (pool.exit_code, pool.stdout) == (0, 'nodepool "gpu" deleted\n'), pool
    cluster = invoke("cluster", "delete", "aks1", "-g", RG, "-y")
    assert (cluster.exit_code, cluster.stdout) == (0, 'cluster "aks1" deleted\n'), cluster
    assert "deleted" not in pool.stderr + cluster.stderr


def test_delete_o_name_prints_the_clusters_name_form_on_stdout(azure_env: ArmEmulator) -> None:
    # kubectl delete -o name prints only each deleted object's name form; the same form as
    # `cluster list -o name`
    seed_cluster(azure_env)
    r = invoke("cluster", "delete", "aks1", "-g", RG, "-y", "-o", "name")
    assert r.exit_code == 0, r
    assert r.stdout == "cluster/aks1\n"
    assert azure_env.get_resource(cluster_id("aks1")) is None


def test_a_second_operation_while_one_runs_is_a_conflict_with_a_wait_hint(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 50
    azure_env.retry_after = 5  # the --no-wait poller thread of this process stays behind
    r = invoke("cluster", "stop", "aks1", "-g", RG, "--no-wait")
    assert r.exit_code == 0, r
    r = invoke("cluster", "start", "aks1", "-g", RG)
    assert r.exit_code == 4, r
    assert "in progress" in r.stderr
    assert "akscli cluster wait" in r.stderr


def test_operations_on_a_stopped_cluster_explain_to_start_it(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, powerState={"code": "Stopped"})
    r = invoke("nodepool", "add", "pool2", "-c", "aks1", "-g", RG, "--vm-size", "Standard_D8ds_v5")
    assert r.exit_code == 4, r
    assert "akscli cluster start" in r.stderr


def test_show_names_a_bad_cluster_name_before_looking_for_a_subscription(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID")
    r = invoke("cluster", "show", "bad_name!", "-g", RG)
    assert r.exit_code == 2 and "cluster name" in r.stderr
    assert azure_env.requests_to("/subscriptions/") == []


def test_control_plane_only_without_a_version_is_a_usage_error(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke("cluster", "upgrade", "aks1", "-g", RG, "--control-plane-only")
    assert r.exit_code == 2, r
    assert "--kubernetes-version" in r.stderr
    assert azure_env.requests_to("/subscriptions/") == []


def test_credentials_report_an_unchanged_kubeconfig_as_up_to_date(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    assert invoke("cluster", "credentials", "aks1", "-g", RG).exit_code == 0
    r = invoke("cluster", "credentials", "aks1", "-g", RG)
    assert r.exit_code == 0, r
    assert "already up to date" in r.stderr


def test_wait_on_a_failed_cluster_says_so_in_one_line_with_where_to_look(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, provisioningState="Failed")
    r = invoke("cluster", "wait", "aks1", "-g", RG, "--interval", "0s")
    assert r.exit_code == 1, r
    assert "error: cluster aks1 ended in provisioningState Failed" in r.stderr
    assert "RuntimeError" not in r.stderr and "cluster show" in r.stderr


@pytest.mark.parametrize(
    ("command", "example"),
    [
        (["cluster", "create", "bad name!", "-g", RG, "--dry-run"], "aks-gpu-1"),
        (
            ["nodepool", "add", "Bad_Pool", "--cluster", "c1", "-g", RG, "--vm-size", "Standard_D8ds_v5", "--dry-run"],
            "badpool",  # the typed name made valid (review35)
        ),
    ],
)
def test_an_invalid_name_s_example_runs_as_given(command: list[str], example: str) -> None:
    refused = invoke(*command)
    assert refused.exit_code == 2
    assert f"hint: for example: {example}\n" in refused.stderr
    fixed = [example if word in ("bad name!", "Bad_Pool") else word for word in command]
    assert invoke(*fixed).exit_code == 0


def test_show_with_name_prints_kind_slash_name_as_list_does(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "aks1")
    shown = invoke("cluster", "show", "aks1", "-g", RG, "-o", "name")
    assert shown.exit_code == 0, shown
    assert shown.stdout == "cluster/aks1\n" == invoke("cluster", "list", "-g", RG, "-o", "name").stdout


def test_list_in_a_resource_group_that_does_not_exist_is_not_found(azure_env: ArmEmulator) -> None:
    r = invoke("cluster", "list", "-g", "rg-missing")
    assert r.exit_code == 3, r
    assert r.stdout == ""
    assert r.stderr.splitlines()[0].endswith("Resource group 'rg-missing' could not be found.")
