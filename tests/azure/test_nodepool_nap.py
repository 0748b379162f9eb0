"""nodepool add --auto-provision: the Karpenter NodePool it renders (golden files), and the flags of
the other kind of pool refused in one line before anything is read or sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from akscli import yamlio
from akscli.nap import nodepool as nap
from tests.cli import invoke
from tests.golden import assert_golden


def rendered(*flags: str) -> list[dict]:
    result = invoke("nodepool", "add", "gpu", "--auto-provision", *flags, "--dry-run", "-o", "yaml")
    assert result.exit_code == 0, result.stderr
    return list(yamlio.load_all(result.stdout, "stdout"))


def test_gpu_h100_without_a_count_admits_every_h100_size_and_taints_the_pool() -> None:
    assert_golden("nodepool", "nap-gpu-h100.yaml", rendered("--gpu", "h100"))


def test_gpu_without_a_count_leaves_out_a_size_nap_gives_no_gpu() -> None:
    # Standard_NCC40ads_H100_v5 is not in karpenter-provider-azure's supported-gpus.yaml: NAP has no
    # instance type of it (instancetypes.go isUnsupportedGPU), so it is no GPU pool's size.
    [pool] = rendered("--gpu", "h100")
    [sizes] = [r["values"] for r in nap.requirements(pool) if r["key"] == nap.SKU_NAME]
    assert "Standard_NCC40ads_H100_v5" not in sizes
    assert "Standard_ND96isr_H100_v5" in sizes


@pytest.mark.parametrize(
    ("size", "why"),
    [
        ("Standard_NCC40ads_H100_v5", "a GPU size NAP does not support"),  # not in supported-gpus.yaml
        ("Standard_NV32as_v4", "a GPU size NAP does not support"),
        ("Standard_DC8s_v3", "a confidential VM size"),
        ("Standard_E4-2ds_v4", "a constrained-vCPU size"),
        ("Standard_B1s", "a size AKS and Karpenter restrict"),
    ],
)
def test_a_size_nap_makes_no_node_of_is_refused_before_rendering(size: str, why: str) -> None:
    # upstream: karpenter-provider-azure 352646f instancetypes.go UpdateInstanceTypes (IsRestrictedSKU,
    # isSupported): the size is no instance type, so a NodePool naming only it never makes a node.
    result = invoke("nodepool", "add", "gpu", "--auto-provision", "--vm-size", size, "--dry-run")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: node auto-provisioning makes no {size} node: it is {why}")
    assert "\nhint: pick a size NAP offers" in result.stderr and "Traceback" not in result.stderr


def test_gpus_per_node_spot_labels_taint_and_gpu_limit_render_into_the_nodepool() -> None:
    objs = rendered(
        "--gpu", "a100", "--gpus-per-node", "2", "--spot", "--labels", "team=ml", "--taint", "sku=gpu:NoSchedule",
        "--max-gpus", "16",
    )  # fmt: skip
    assert_golden("nodepool", "nap-gpu-a100x2-spot.yaml", objs)


def test_no_gpu_taint_leaves_the_pool_untainted() -> None:
    [pool] = rendered("--vm-size", "Standard_NC40ads_H100_v5", "--no-gpu-taint")
    assert "taints" not in pool["spec"]["template"]["spec"]


def test_the_requirement_is_the_gpu_data_files_size_for_the_count() -> None:
    [pool] = rendered("--gpu", "h100", "--gpus-per-node", "8")
    [sizes] = [r["values"] for r in nap.requirements(pool) if r["key"] == nap.SKU_NAME]
    assert sizes == ["Standard_ND96isr_H100_v5"]


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (("--count", "2"), "--count"),
        (("--cluster", "ml"), "--cluster"),
        (("--min", "0", "--max", "3"), "--min"),
        (("--mode", "System"), "--mode"),
        (("--subscription", "00000000-0000-0000-0000-000000000000"), "--subscription"),
    ],
)
def test_an_arm_flag_with_auto_provision_is_one_line_exit_2(flags: tuple[str, ...], named: str) -> None:
    result = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", *flags)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {named} applies to ARM node pools")
    assert "Traceback" not in result.stderr and result.stdout == ""


DRAIN_SETTINGS = [("--drain-timeout", "30"), ("--node-soak-duration", "5"), ("--undrainable-node-behavior", "Cordon")]


@pytest.mark.parametrize(("flag", "value"), DRAIN_SETTINGS)
def test_an_arm_drain_setting_with_auto_provision_points_to_the_termination_grace_period(flag: str, value: str) -> None:
    # AgentPoolUpgradeSettings' Karpenter counterpart is the NodePool's terminationGracePeriod
    # (kubernetes-sigs/karpenter v1.14.0 pkg/apis/v1/nodepool.go); Karpenter has no soak time.
    result = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", flag, value, "--dry-run")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: {flag} applies to ARM node pools")
    assert "--termination-grace-period DURATION" in result.stderr


@pytest.mark.parametrize("flags", [("--max-gpus", "8"), ("--context", "prod"), ("--termination-grace-period", "1h")])
def test_a_nap_flag_without_auto_provision_is_one_line_exit_2(
    flags: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A kubeconfig that holds the context: one it lacks (or no kubeconfig at all) is refused first,
    # as kubectl refuses a --context it cannot find (tests/foundation/test_context_flag_client_dry_run.py).
    context = {"name": "prod", "context": {"cluster": "prod", "user": "me"}}
    kubeconfig = {"apiVersion": "v1", "kind": "Config", "contexts": [context], "current-context": "prod"}
    (tmp_path / "config").write_text(json.dumps(kubeconfig))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "config"))
    result = invoke("nodepool", "add", "gpu", "--cluster", "ml", "-g", "rg", "--gpu", "h100", *flags)
    assert result.exit_code == 2
    assert "applies to node auto-provisioning pools" in result.stderr and "add --auto-provision" in result.stderr


def test_list_of_arm_pools_still_needs_cluster() -> None:
    result = invoke("nodepool", "list", "-g", "rg")
    assert result.exit_code == 2 and "an ARM node pool needs --cluster" in result.stderr


def test_delete_with_if_match_and_auto_provision_is_refused() -> None:
    result = invoke("nodepool", "delete", "gpu", "--auto-provision", "--if-match", "abc", "-y")
    assert result.exit_code == 2 and "--if-match applies to ARM node pools" in result.stderr


def test_weight_renders_into_spec_weight() -> None:
    # upstream: karpenter.sh_nodepools.yaml spec.weight; nodepool.go OrderByWeight
    [pool] = rendered("--gpu", "h100", "--weight", "10")
    assert pool["spec"]["weight"] == 10


def test_a_weight_outside_1_to_100_is_one_line_before_anything_is_sent() -> None:
    # upstream: karpenter.sh_nodepools.yaml spec.weight minimum 1, maximum 100
    result = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--weight", "0", "-y")
    assert result.exit_code == 2 and "invalid --weight '0': it must be between 1 and 100" in result.stderr


def test_weight_without_auto_provision_is_refused() -> None:
    result = invoke("nodepool", "add", "gpu", "--cluster", "c", "-g", "g", "--gpu", "h100", "--weight", "5", "-y")
    assert result.exit_code == 2 and "--weight applies to node auto-provisioning pools" in result.stderr


def test_zones_render_as_a_topology_zone_requirement_in_aks_spelling() -> None:
    # upstream: node-auto-provisioning-node-pools.md Availability zone example; zones.go
    # MakeAKSLabelZoneFromARMZone ("<region>-<zone>")
    [pool] = rendered("--gpu", "h100", "--zones", "eastus-1,eastus-2")
    [zones] = [r["values"] for r in nap.requirements(pool) if r["key"] == "topology.kubernetes.io/zone"]
    assert zones == ["eastus-1", "eastus-2"]


def test_zone_0_renders_as_nap_s_regional_offering_with_no_region_read() -> None:
    # upstream: karpenter-provider-azure zones.go Regional ("0"), instancetypes.go instanceTypeZones
    [pool] = rendered("--gpu", "h100", "--zones", "eastus-1,0")
    [zones] = [r["values"] for r in nap.requirements(pool) if r["key"] == "topology.kubernetes.io/zone"]
    assert zones == ["eastus-1", "0"]


def test_a_zone_that_is_neither_a_number_nor_region_n_is_one_line_with_a_hint() -> None:
    result = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--zones", "eastus", "-y")
    assert result.exit_code == 2 and "NAP zones are REGION-N, N, or 0 (regional)" in result.stderr
    assert "--zones 1,2" in result.stderr


def test_a_bare_zone_number_with_a_client_dry_run_is_refused_as_the_region_is_not_read() -> None:
    result = invoke(
        "nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--zones", "1", "--dry-run=client", "-o", "yaml"
    )
    assert result.exit_code == 2 and result.stdout == ""
    assert "--zones 1 needs the cluster's region, and --dry-run=client reads nothing" in result.stderr


def test_a_gpu_pool_consolidates_only_empty_nodes_after_ten_minutes_and_never_expires_them() -> None:
    # A model server evicted by consolidation reloads its weights: WhenEmpty, not Karpenter's default
    # WhenEmptyOrUnderutilized (karpenter.sh_nodepools.yaml; nodepool.go ConsolidationPolicy), and no
    # forced replacement after the CRD's 720h (NAP's default NodePool: expireAfter Never).
    [pool] = rendered("--gpu", "h100")
    assert pool["spec"]["disruption"] == {"consolidationPolicy": "WhenEmpty", "consolidateAfter": "10m"}
    assert pool["spec"]["template"]["spec"]["expireAfter"] == "Never"


def test_disruption_flags_render_karpenters_fields() -> None:
    [pool] = rendered(
        "--gpu", "h100", "--consolidation-policy", "whenemptyorunderutilized", "--consolidate-after", "1h30m",
        "--disruption-budget", "20%", "--expire-after", "720h",
    )  # fmt: skip
    assert pool["spec"]["disruption"] == {
        "consolidationPolicy": "WhenEmptyOrUnderutilized",
        "consolidateAfter": "1h30m",
        "budgets": [{"nodes": "20%"}],
    }
    assert pool["spec"]["template"]["spec"]["expireAfter"] == "720h"


def test_termination_grace_period_renders_into_the_template_spec() -> None:
    # upstream: kubernetes-sigs/karpenter v1.14.0 pkg/apis/v1/nodepool.go NodeClaimTemplateSpec
    # .TerminationGracePeriod; node-auto-provisioning-disruption.md, Termination grace period
    flags = ("--gpu", "h100", "--gpus-per-node", "1", "--termination-grace-period", "1h30m", "--expire-after", "720h")
    assert_golden("nodepool", "nap-gpu-h100-grace.yaml", rendered(*flags))


def test_consolidate_after_never_turns_consolidation_off() -> None:
    # upstream: pkg/controllers/nodeclaim/disruption/consolidation.go (Never: no Consolidatable condition)
    [pool] = rendered("--gpu", "h100", "--consolidate-after", "never")
    assert pool["spec"]["disruption"]["consolidateAfter"] == "Never"


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (("--consolidation-policy", "Balanced"), "invalid --consolidation-policy 'Balanced'"),
        (("--consolidate-after", "10 minutes"), "invalid --consolidate-after '10 minutes'"),
        (("--consolidate-after", "1.5h"), "invalid --consolidate-after '1.5h'"),
        (("--disruption-budget", "101%"), "invalid --disruption-budget '101%'"),
        (("--expire-after", "30d"), "invalid --expire-after '30d'"),
        # terminationGracePeriod's pattern is ^([0-9]+(s|m|h))+$: no Never, no days, no fractions.
        (("--termination-grace-period", "Never"), "invalid --termination-grace-period 'Never'"),
        (("--termination-grace-period", "1d"), "invalid --termination-grace-period '1d'"),
        (("--termination-grace-period", "1.5h"), "invalid --termination-grace-period '1.5h'"),
    ],
)
def test_a_disruption_value_karpenter_would_refuse_is_one_line_exit_2(flags: tuple[str, ...], said: str) -> None:
    result = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", *flags, "--dry-run")
    assert result.exit_code == 2 and result.stderr.startswith(f"error: {said}")
    assert result.stdout == "" and "Traceback" not in result.stderr


def test_a_disruption_flag_without_auto_provision_is_refused() -> None:
    result = invoke("nodepool", "add", "gpu", "--cluster", "c", "-g", "g", "--gpu", "h100", "--expire-after", "1h")
    assert result.exit_code == 2 and "--expire-after applies to node auto-provisioning pools" in result.stderr


def test_os_disk_size_renders_an_aksnodeclass_of_the_pools_own_that_the_nodepool_refers_to() -> None:
    # upstream: karpenter.azure.com_aksnodeclasses.yaml spec.osDiskSizeGB (default 128);
    # node-auto-provisioning-aksnodeclass.md, OS disk size configuration
    assert_golden("nodepool", "nap-gpu-h100-osdisk.yaml", rendered("--gpu", "h100", "--os-disk-size", "512"))


def test_node_class_names_the_aksnodeclass_the_nodepool_refers_to_and_renders_none() -> None:
    [pool] = rendered("--gpu", "h100", "--node-class", "gpu-class")
    assert pool["spec"]["template"]["spec"]["nodeClassRef"]["name"] == "gpu-class"


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (("--os-disk-size", "29"), "invalid --os-disk-size '29': it must be between 30 and 2048"),
        (("--os-disk-size", "256", "--node-class", "x"), "--os-disk-size makes an AKSNodeClass for the pool"),
    ],
)
def test_an_os_disk_size_upstream_refuses_or_with_node_class_is_one_line_exit_2(
    flags: tuple[str, ...], said: str
) -> None:
    result = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", *flags, "--dry-run")
    assert result.exit_code == 2 and f"error: {said}" in result.stderr and result.stdout == ""
