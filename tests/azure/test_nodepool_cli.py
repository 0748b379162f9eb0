"""akscli nodepool ... end to end against the ARM emulator."""

from __future__ import annotations

import json

import pytest

from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

QUOTA_MESSAGE = (
    "Code: QuotaExceeded. Message: Operation could not be completed as it results in exceeding approved "
    "standardNCADSH100v5Family Cores quota. Additional details - Deployment Model: Resource Manager, "
    "Location: eastus, Current Limit: 40, Current Usage: 0, Additional Required: 80, (Minimum) New Limit "
    "Required: 80. Submit a request for Quota increase at https://aka.ms/ProdportalCRP/#blade/"
    "Microsoft_Azure_Capacity/UsageAndQuota.ReactView by specifying parameters listed in the 'Details' "
    "section for deployment to succeed."
)


def pool_body(emu: ArmEmulator, name: str) -> dict:
    put = emu.requests_to(f"/agentPools/{name}$", "PUT")[-1]
    return json.loads(put.body)["properties"]


def test_gpu_shortcut_resolves_the_vm_size_and_taints_the_pool(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke("nodepool", "add", "h100", "-c", "aks1", "-g", RG, "--gpu", "h100", "--gpus-per-node", "8", "-o", "json")
    assert r.exit_code == 0, r
    body = pool_body(azure_env, "h100")
    assert body["vmSize"] == "Standard_ND96isr_H100_v5"
    assert body["nodeTaints"] == ["nvidia.com/gpu=present:NoSchedule"]
    assert json.loads(r.stdout)["properties"]["provisioningState"] == "Succeeded"
    cluster = azure_env.get_resource(cluster_id("aks1"))
    assert [p["name"] for p in cluster["properties"]["agentPoolProfiles"]] == ["system", "h100"]


def test_adding_a_pool_that_exists_is_refused_before_any_put_as_a_conflict(azure_env: ArmEmulator) -> None:
    # exit 4 ("a state that forbids the action"), as the 412 of its If-None-Match: * would be
    seed_cluster(azure_env)
    r = invoke("nodepool", "add", "system", "-c", "aks1", "-g", RG, "--vm-size", "Standard_D4ds_v5", "-y")
    assert r.exit_code == 4, r
    assert r.stderr.startswith("error: node pool system already exists in cluster aks1"), r.stderr
    assert azure_env.requests_to("/agentPools/system$", "PUT") == []


def test_a_gpu_vm_size_given_directly_is_also_tainted_unless_told_otherwise(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke(
        "nodepool",
        "add",
        "a100",
        "-c",
        "aks1",
        "-g",
        RG,
        "--vm-size",
        "Standard_NC24ads_A100_v4",
        "--no-gpu-taint",
    )
    assert r.exit_code == 0, r
    assert "nodeTaints" not in pool_body(azure_env, "a100")


def test_autoscaler_mig_driver_spot_zones_and_labels_reach_the_request(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke(
        "nodepool", "add", "mig", "-c", "aks1", "-g", RG,
        "--gpu", "a100", "--min", "0", "--max", "4",
        "--gpu-instance-profile", "mig1g", "--gpu-driver", "none",
        "--spot", "--spot-max-price", "1.5", "--zones", "1,2",
        "--labels", "team=ml", "--taint", "dedicated=ml:NoExecute", "--os-sku", "ubuntu2404",
    )  # fmt: skip
    assert r.exit_code == 0, r
    body = pool_body(azure_env, "mig")
    assert body["enableAutoScaling"] is True and (body["minCount"], body["maxCount"], body["count"]) == (0, 4, 0)
    assert body["gpuInstanceProfile"] == "MIG1g"
    assert body["gpuProfile"] == {"driver": "None"}
    assert (body["scaleSetPriority"], body["spotMaxPrice"]) == ("Spot", 1.5)
    assert body["availabilityZones"] == ["1", "2"]
    assert body["nodeLabels"] == {"team": "ml"}
    assert body["nodeTaints"] == ["dedicated=ml:NoExecute", "nvidia.com/gpu=present:NoSchedule"]
    assert body["osSKU"] == "Ubuntu2404"


def test_dry_run_prints_the_request_and_sends_nothing(azure_env: ArmEmulator) -> None:
    r = invoke("nodepool", "add", "t4", "-c", "aks1", "-g", RG, "--gpu", "t4", "--dry-run")
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)["body"]["properties"]["vmSize"] == "Standard_NC4as_T4_v3"
    assert azure_env.requests_to("/subscriptions/") == []


def test_flag_mistakes_are_one_line_usage_errors(azure_env: ArmEmulator) -> None:
    cases = [
        (["--gpu", "b200"], "--gpu"),
        (["--gpu", "h100", "--gpus-per-node", "3"], "3 x h100"),
        (["--vm-size", "Standard_D8ds_v5", "--gpu-instance-profile", "MIG1g"], "MIG"),
        (["--gpu", "t4", "--gpu-instance-profile", "MIG1g"], "MIG"),
        (["--gpu", "t4", "--min", "3", "--max", "1"], "--min 3 is larger"),
        (["--gpu", "t4", "--min", "1"], "both --min and --max"),
        (["--gpu", "t4", "--mode", "System", "--spot"], "System pool cannot be spot"),
        (["--gpu", "t4", "--spot-max-price", "2"], "--spot-max-price goes with --spot"),
        (["--gpu", "t4", "--taint", "nocolon"], "taint"),
        (["--vm-size", "Standard_D8ds_v5", "--gpu", "t4"], "not both"),
        ([], "--vm-size or --gpu"),
    ]
    for args, needle in cases:
        r = invoke("nodepool", "add", "pool1", "-c", "aks1", "-g", RG, *args)
        assert r.exit_code == 2, (args, r)
        assert needle in r.stderr, (args, r)
    r = invoke("nodepool", "add", "Pool_1", "-c", "aks1", "-g", RG, "--gpu", "t4")
    assert r.exit_code == 2 and "node pool name" in r.stderr
    assert azure_env.requests_to("/subscriptions/") == []


def test_quota_exceeded_says_which_quota_how_much_is_missing_and_where_to_ask(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.faults.add(
        "PUT", r"/agentPools/gpu$", 400, body={"error": {"code": "QuotaExceeded", "message": QUOTA_MESSAGE}}
    )
    r = invoke("nodepool", "add", "gpu", "-c", "aks1", "-g", RG, "--gpu", "h100", "--gpus-per-node", "2")
    assert r.exit_code == 8, r
    error = next(line for line in r.stderr.splitlines() if line.startswith("error:"))
    assert "standardNCADSH100v5Family" in error and "eastus" in error
    assert "limit 40, in use 0, needs 80 more" in error
    assert "portal.azure.com" in r.stderr and "Traceback" not in r.stderr


def test_quota_failure_of_the_long_running_operation_is_translated_too(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.fail_operation("PUT", r"/agentPools/gpu$", "QuotaExceeded", QUOTA_MESSAGE)
    r = invoke("nodepool", "add", "gpu", "-c", "aks1", "-g", RG, "--gpu", "h100")
    assert r.exit_code == 8, r
    assert "needs 80 more" in r.stderr


def test_a_size_the_region_does_not_offer_is_a_usage_error_naming_where_it_is(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.sku_availability["Standard_ND96isr_H200_v5"] = {"westus3": ["1"]}
    r = invoke("nodepool", "add", "h200", "-c", "aks1", "-g", RG, "--gpu", "h200", "--gpus-per-node", "8")
    assert r.exit_code == 2, r  # AKS refuses it with 400 BadRequest (capacity.check)
    assert "Standard_ND96isr_H200_v5 is not allowed in your subscription in location 'eastus'" in r.stderr
    assert "westus3" in r.stderr, "the error names where the size is offered"


def test_a_zone_the_size_lacks_is_exit_2_and_quota_stays_exit_8(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.sku_availability["Standard_NC24ads_A100_v4"] = {"eastus": ["1", "3"]}
    args = ["nodepool", "add", "a100", "-c", "aks1", "-g", RG, "--vm-size", "Standard_NC24ads_A100_v4"]
    r = invoke(*args, "--zones", "2")
    assert r.exit_code == 2, r
    assert r.stderr.count("error:") == 1 and "AvailabilityZoneNotSupported" in r.stderr
    assert "hint: use --zones 1 3" in r.stderr
    azure_env.quota_limits[("eastus", "cores")] = 4
    r = invoke(*args, "--zones", "1")
    assert r.exit_code == 8, r
    assert azure_env.requests_to("/agentPools/a100$", "PUT") == []


def test_a_vm_size_azure_offers_nowhere_is_one_usage_error_and_no_put(azure_env: ArmEmulator) -> None:
    # It exited 8 (quota or capacity) for a size that exists nowhere (audit9-docs, "Checked and left").
    seed_cluster(azure_env)
    r = invoke("nodepool", "add", "bogus", "-c", "aks1", "-g", RG, "--vm-size", "Standard_Bogus")
    assert r.exit_code == 2, r
    assert r.stderr.count("error:") == 1 and "Traceback" not in r.stderr
    assert "Standard_Bogus is not allowed in your subscription in location 'eastus'" in r.stderr
    assert "hint: Standard_Bogus is offered to this subscription in no region" in r.stderr
    assert azure_env.requests_to("/agentPools/bogus$", "PUT") == []


@pytest.mark.parametrize("size", ["D8ds_v5", "Standard D8ds_v5", "standard-d8ds-v5", "Premium_D8"])
def test_a_malformed_vm_size_is_refused_before_any_request(azure_env: ArmEmulator, size: str) -> None:
    r = invoke("nodepool", "add", "bad", "-c", "aks1", "-g", RG, "--vm-size", size)
    assert r.exit_code == 2, r
    assert "invalid VM size" in r.stderr and "Standard_NC24ads_A100_v4" in r.stderr
    assert azure_env.request_log == []


def test_throttling_429_is_retried_honouring_retry_after(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.faults.add("GET", r"/agentPools$", 429, count=2, retry_after=0.01)
    r = invoke("nodepool", "list", "-c", "aks1", "-g", RG, "-o", "name")
    assert r.exit_code == 0, r
    assert r.stdout.split() == ["nodepool/system"]
    assert [e.status for e in azure_env.requests_to("/agentPools$", "GET")] == [429, 429, 200]


def test_list_wide_shows_gpu_model_and_taints(azure_env: ArmEmulator) -> None:
    seed_cluster(
        azure_env,
        pools=[
            {"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5"},
            {
                "name": "gpu",
                "mode": "User",
                "count": 2,
                "vmSize": "Standard_NC24ads_A100_v4",
                "nodeTaints": ["nvidia.com/gpu=present:NoSchedule"],
            },
        ],
    )
    r = invoke("nodepool", "list", "-c", "aks1", "-g", RG, "-o", "wide")
    row = next(line for line in r.stdout.splitlines() if line.startswith("gpu"))
    assert "NVIDIA A100 PCIe 80GB" in row and "nvidia.com/gpu=present:NoSchedule" in row
    assert row.split()[:6] == ["gpu", "User", "Standard_NC24ads_A100_v4", "2", "off", "2"]


def test_scale_sets_count_and_autoscaler_range(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, pools=[{"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5"},
                                   {"name": "work", "count": 1, "vmSize": "Standard_D8ds_v5"}])  # fmt: skip
    r = invoke("nodepool", "scale", "work", "-c", "aks1", "-g", RG, "--count", "5", "-o", "json")
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)["properties"]["count"] == 5
    r = invoke("nodepool", "scale", "work", "-c", "aks1", "-g", RG, "--min", "2", "--max", "10", "-o", "json")
    props = json.loads(r.stdout)["properties"]
    assert (props["enableAutoScaling"], props["minCount"], props["maxCount"]) == (True, 2, 10)
    r = invoke("nodepool", "scale", "work", "-c", "aks1", "-g", RG, "--count", "3")
    assert r.exit_code == 2 and "autoscaled" in r.stderr


def test_system_pool_cannot_scale_to_zero(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke("nodepool", "scale", "system", "-c", "aks1", "-g", RG, "--count", "0")
    assert r.exit_code == 2, r


def test_upgrade_lists_versions_then_upgrades_within_the_control_plane(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, version="1.33.5", pools=[{"name": "system", "mode": "System", "count": 1,
                                                      "vmSize": "Standard_D4ds_v5", "orchestratorVersion": "1.32.9",
                                                      "currentOrchestratorVersion": "1.32.9"}])  # fmt: skip
    r = invoke("nodepool", "upgrade", "system", "-c", "aks1", "-g", RG, "-o", "json")
    assert json.loads(r.stdout)["availableUpgrades"] == ["1.33.3", "1.33.5"]
    r = invoke("nodepool", "upgrade", "system", "-c", "aks1", "-g", RG, "-k", "1.33.5", "-y", "-o", "json")
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)["properties"]["currentOrchestratorVersion"] == "1.33.5"


def test_deleting_the_last_system_pool_is_refused_by_azure_with_a_fix(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke("nodepool", "delete", "system", "-c", "aks1", "-g", RG, "-y")
    assert r.exit_code == 4, r
    assert "System" in r.stderr and "--mode System" in r.stderr


def test_delete_removes_the_pool_from_the_cluster(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, pools=[{"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5"},
                                   {"name": "work", "count": 1, "vmSize": "Standard_D8ds_v5"}])  # fmt: skip
    r = invoke("nodepool", "delete", "work", "-c", "aks1", "-g", RG, "-y")
    assert r.exit_code == 0, r
    cluster = azure_env.get_resource(cluster_id("aks1"))
    assert [p["name"] for p in cluster["properties"]["agentPoolProfiles"]] == ["system"]


def test_show_of_a_pool_in_a_missing_cluster_names_the_cluster(azure_env: ArmEmulator) -> None:
    r = invoke("nodepool", "add", "p1", "-c", "ghost", "-g", RG, "--vm-size", "Standard_D8ds_v5")
    assert r.exit_code == 3, r
    assert "ghost" in r.stderr


def test_upgrade_to_a_malformed_version_is_refused_before_confirmation_or_any_request(
    azure_env: ArmEmulator,
) -> None:
    seed_cluster(azure_env)
    r = invoke("nodepool", "upgrade", "system", "-c", "aks1", "-g", RG, "-k", "abc")
    assert r.exit_code == 2, r
    assert "Kubernetes version" in r.stderr and "confirmation" not in r.stderr
    assert azure_env.requests_to("/subscriptions/") == []


def test_scale_with_nothing_to_change_is_refused_before_any_request(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke("nodepool", "scale", "system", "-c", "aks1", "-g", RG)
    assert r.exit_code == 2 and "nothing to change" in r.stderr
    assert azure_env.requests_to("/subscriptions/") == []


def test_scale_refuses_count_together_with_an_autoscaler_range(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke("nodepool", "scale", "system", "-c", "aks1", "-g", RG, "--count", "3", "--min", "1", "--max", "5")
    assert r.exit_code == 2, r
    assert "--min/--max" in r.stderr
    assert azure_env.requests_to("/agentPools/system$", "PUT") == []


def test_scale_no_wait_says_how_to_check_on_the_pool(azure_env: ArmEmulator) -> None:
    azure_env.lro_polls = 3
    azure_env.retry_after = 5
    seed_cluster(azure_env)
    r = invoke("nodepool", "scale", "system", "-c", "aks1", "-g", RG, "--count", "2", "--no-wait", "-o", "json")
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)["resume"] == f"akscli nodepool show system --cluster aks1 -g {RG}"


def test_scale_no_wait_table_says_check_on_it_not_resume_with_a_show(azure_env: ArmEmulator) -> None:
    # nodepool show reads the pool once; it resumes no wait
    azure_env.lro_polls = 3
    azure_env.retry_after = 5
    seed_cluster(azure_env)
    r = invoke("nodepool", "scale", "system", "-c", "aks1", "-g", RG, "--count", "2", "--no-wait")
    assert r.exit_code == 0, r
    assert r.stderr.rstrip().endswith(f"check on it with: akscli nodepool show system --cluster aks1 -g {RG}")
    assert "resume" not in r.stderr


def test_a_pool_without_mig_shows_none_as_every_other_unset_field(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    assert invoke("nodepool", "add", "gpu", "-c", "aks1", "-g", RG, "--gpu", "a100").exit_code == 0
    shown = invoke("nodepool", "show", "gpu", "-c", "aks1", "-g", RG)
    assert shown.exit_code == 0, shown
    mig = next(line for line in shown.stdout.splitlines() if line.startswith("mig:"))
    assert mig.split(":", 1)[1].strip() == "<none>"
