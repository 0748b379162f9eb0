"""baremetal prepare: what it renders (golden files), what it refuses, and --dry-run=client."""

from __future__ import annotations

import json

import pytest

from akscli import yamlio
from akscli.baremetal import prepare
from akscli.errors import UsageError
from tests.cli import invoke
from tests.golden import assert_golden


def kinds(objs: list[dict[str, object]]) -> list[str]:
    return [f"{o['kind']}/{o['metadata']['name']}" for o in objs]  # type: ignore[index]


def test_default_prepare_renders_only_the_cluster_policy() -> None:
    objs = prepare.objects(prepare.PrepareOptions())
    assert_golden("baremetal", "prepare-default.yaml", objs)
    # Not the chart's "cluster-policy", and no NFD of its own (the chart's subchart is the one).
    assert kinds(objs) == ["ClusterPolicy/akscli-cluster-policy"]


def test_bare_metal_with_rdma_renders_the_rdma_plugin_and_gpudirect() -> None:
    opts = prepare.PrepareOptions(rdma=True, gpudirect_rdma=True, mig_strategy="single", rdma_if_names=["ib0", "ib1"])
    objs = prepare.objects(opts)
    assert_golden("baremetal", "prepare-rdma-gpudirect-mig.yaml", objs)
    policy = next(o for o in objs if o["kind"] == "ClusterPolicy")
    assert policy["spec"]["driver"]["rdma"] == {"enabled": True, "useHostMofed": False}
    assert policy["spec"]["mig"] == {"strategy": "single"}
    assert policy["spec"]["migManager"]["enabled"] is True


def test_rdma_config_selects_the_mellanox_hcas_by_interface() -> None:
    opts = prepare.PrepareOptions(rdma=True, rdma_if_names=["ib0"])
    [config_map] = [
        o for o in prepare.objects(opts) if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "rdma-devices"
    ]
    config = json.loads(config_map["data"]["config.json"])
    assert config["configList"] == [
        {
            "resourceName": "rdma_shared_device_a",
            "rdmaHcaMax": 63,
            "selectors": {"vendors": ["15b3"], "ifNames": ["ib0"]},
        }
    ]


def test_host_driver_turns_the_driver_off_and_keeps_the_rest() -> None:
    objs = prepare.objects(prepare.PrepareOptions(driver=False))
    [policy] = objs
    assert policy["spec"]["driver"] == {"enabled": False}
    assert policy["spec"]["devicePlugin"]["enabled"] is True
    assert policy["spec"]["toolkit"]["enabled"] is True


@pytest.mark.parametrize(
    ("opts", "says"),
    [
        (prepare.PrepareOptions(mig_strategy="half"), "--mig-strategy"),
        (prepare.PrepareOptions(driver_version="latest"), "--driver-version"),
        (prepare.PrepareOptions(host_mofed=True), "--host-mofed needs --gpudirect-rdma"),
        (prepare.PrepareOptions(gpudirect_rdma=True, driver=False), "needs the operator-managed driver"),
        (prepare.PrepareOptions(cluster_policy=False), "nothing to prepare"),
        (prepare.PrepareOptions(operator_version="v24.6.2"), "not one akscli has images for"),
        (prepare.PrepareOptions(kernel_module_type="closed"), "--kernel-module-type"),
        (prepare.PrepareOptions(rdma=True, rdma_vendors=["mlnx"]), "four hex digits"),
        (prepare.PrepareOptions(rdma=True, rdma_if_names=["ib0; reboot"]), "interface name"),
    ],
)
def test_bad_values_are_refused_before_rendering(opts: prepare.PrepareOptions, says: str) -> None:
    with pytest.raises(UsageError, match=says):
        prepare.objects(prepare.check(opts))


def test_dry_run_client_prints_labelled_manifests_without_a_cluster() -> None:
    result = invoke("baremetal", "prepare", "--rdma", "--dry-run", "client")
    assert result.exit_code == 0, result
    docs = yamlio.load_all(result.stdout)
    assert {d["metadata"]["labels"]["akscli.io/stack"] for d in docs} == {"baremetal-gpu"}
    assert "DaemonSet/rdma-shared-dp-ds" in kinds(docs)


def test_cli_refuses_a_bad_mig_strategy_with_exit_2() -> None:
    result = invoke("baremetal", "prepare", "--mig-strategy", "all", "--dry-run", "client")
    assert result.exit_code == 2
    assert "--mig-strategy" in result.stderr
    assert result.stdout == ""


def test_an_rdma_resource_name_the_plugin_refuses_is_refused_with_exit_2() -> None:
    # upstream: Mellanox/k8s-rdma-shared-dev-plugin v1.5.3 pkg/resources/resources_manager.go
    # validResourceName (^[a-zA-Z0-9_]+$): a '-' stops the plugin at start.
    result = invoke("baremetal", "prepare", "--rdma", "--rdma-resource-name", "rdma-shared", "--dry-run", "client")
    assert result.exit_code == 2, result
    assert "--rdma-resource-name 'rdma-shared'" in result.stderr and "only letters, digits and '_'" in result.stderr
    assert result.stdout == ""


def test_an_rdma_resource_name_with_capitals_reaches_the_plugin_config() -> None:
    result = invoke("baremetal", "prepare", "--rdma", "--rdma-resource-name", "HCA_shared_A", "--dry-run", "client")
    assert result.exit_code == 0, result
    [config] = [d for d in yamlio.load_all(result.stdout) if d["kind"] == "ConfigMap"]
    assert json.loads(config["data"]["config.json"])["configList"][0]["resourceName"] == "HCA_shared_A"


def test_component_images_can_be_replaced_and_are_validated() -> None:
    result = invoke(
        "baremetal",
        "prepare",
        "--rdma",
        "--rdma-image",
        "registry.example.com/rdma-dp:v1.5.3",
        "--dry-run",
        "client",
        "-o",
        "json",
    )
    assert result.exit_code == 0, result
    assert "registry.example.com/rdma-dp:v1.5.3" in result.stdout
    bad = invoke("baremetal", "prepare", "--rdma", "--rdma-image", "RDMA latest", "--dry-run", "client")
    assert bad.exit_code == 2 and "--rdma-image" in bad.stderr
