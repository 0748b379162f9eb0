"""baremetal test nccl on ND sizes: the NCCL topology file Azure's HPC image loads, in the run's
ConfigMap and NCCL_TOPO_FILE, as Azure's AKS InfiniBand test mounts it (Azure/aks-rdma-infiniband
700dabb tests/scenarios/k8s/templates/mpi-job.yaml; the size patterns of Azure/azhpc-images
components/setup_sku_customizations.sh)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli import yamlio
from akscli.baremetal import nccl, nccl_expected
from tests.cli import invoke

from . import nodes as fx
from .conftest import add_nodes


def _objects(*args: str) -> dict[str, dict[str, Any]]:
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", *args, "-o", "yaml")
    assert result.exit_code == 0, result
    return {o["kind"]: o for o in yamlio.load_all(result.stdout, "stdout")}


@pytest.mark.parametrize(
    ("size", "family"),
    [
        ("Standard_ND96asr_v4", "ndv4"),
        ("Standard_ND96amsr_A100_v4", "ndv4"),
        ("Standard_ND96isr_H100_v5", "ndv5"),
        ("Standard_ND96isr_H200_v5", "ndv5"),
        ("Standard_ND40rs_v2", "ndv2"),
        ("Standard_NC96ads_A100_v4", None),
        ("Standard_NC80adis_H100_v5", None),
        ("Standard_ND96isr_MI300X_v5", None),
    ],
)
def test_the_topology_file_is_picked_by_size_as_azures_hpc_image_picks_it(size: str, family: str | None) -> None:
    assert nccl.topology_family(size) == family


@pytest.mark.parametrize("family", ["ndv2", "ndv4", "ndv5"])
def test_each_topology_file_pairs_each_gpu_of_its_sizes_with_the_pci_tree(family: str) -> None:
    xml = nccl.topology_xml(family)
    gpus_in_file = xml.count('class="0x030200"')  # a 3D controller: the GPU
    sizes = [i for i in nccl_expected.interconnects().values() if nccl.topology_family(i.vm_size) == family]
    assert xml.startswith('<system version="1">')
    assert all(i.gpus == gpus_in_file for i in sizes), (family, gpus_in_file)


def test_an_nd_h100_run_loads_the_ndv5_topology_and_stays_on_that_size(kubeconfig: Any) -> None:
    objs = _objects("--vm-size", fx.ND_H100, "--dry-run")
    assert objs["ConfigMap"]["data"]["topo.xml"] == nccl.topology_xml("ndv5")
    pod = objs["Job"]["spec"]["template"]["spec"]
    env = {e["name"]: e["value"] for e in pod["containers"][0]["env"]}
    assert env["NCCL_TOPO_FILE"] == "/akscli/script/topo.xml"
    assert {"name": "script", "mountPath": "/akscli/script"} in pod["containers"][0]["volumeMounts"]
    assert pod["nodeSelector"] == {"node.kubernetes.io/instance-type": fx.ND_H100}


def test_the_size_label_is_spelt_as_the_nodes_carry_it(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, [fx.node(f"aks-gpu-{i}") for i in range(2)])
    objs = _objects("--vm-size", fx.ND_H100.lower(), "--dry-run=server")
    assert objs["Job"]["spec"]["template"]["spec"]["nodeSelector"] == {"node.kubernetes.io/instance-type": fx.ND_H100}


def test_a_size_without_a_topology_file_gets_none(kubeconfig: Any) -> None:
    objs = _objects("--vm-size", fx.NC_A100, "--dry-run")
    assert "topo.xml" not in objs["ConfigMap"]["data"]
    pod = objs["Job"]["spec"]["template"]["spec"]
    assert "NCCL_TOPO_FILE" not in {e["name"] for e in pod["containers"][0]["env"]}
    assert "nodeSelector" not in pod


def test_a_topology_file_given_with_env_is_the_one_used(kubeconfig: Any) -> None:
    objs = _objects("--vm-size", fx.ND_H100, "--env", "NCCL_TOPO_FILE=/opt/mine.xml", "--dry-run")
    assert "topo.xml" not in objs["ConfigMap"]["data"]
    env = [e for e in objs["Job"]["spec"]["template"]["spec"]["containers"][0]["env"] if e["name"] == "NCCL_TOPO_FILE"]
    assert env == [{"name": "NCCL_TOPO_FILE", "value": "/opt/mine.xml"}]


def _env(objs: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in objs["Job"]["spec"]["template"]["spec"]["containers"][0]["env"]}


@pytest.mark.parametrize("size", [fx.ND_H100, "Standard_ND96asr_v4"])
def test_an_nd_run_loads_the_topology_file_with_the_rest_of_azures_nccl_conf(kubeconfig: Any, size: str) -> None:
    # Azure/azhpc-images components/customizations/ndv4.sh and ndv5.sh write these beside NCCL_TOPO_FILE
    env = _env(_objects("--vm-size", size, "--dry-run"))
    assert env["NCCL_IB_PCI_RELAXED_ORDERING"] == "1"
    assert env["NCCL_IGNORE_CPU_AFFINITY"] == "1"


def test_an_ndv2_run_ignores_the_launchers_cpu_affinity_as_the_hpc_image_does(kubeconfig: Any) -> None:
    # ndv2.sh: NCCL_TOPO_FILE and NCCL_IGNORE_CPU_AFFINITY only (no relaxed ordering on that size)
    env = _env(_objects("--vm-size", "Standard_ND40rs_v2", "--gpus-per-node", "8", "--dry-run"))
    assert env["NCCL_IGNORE_CPU_AFFINITY"] == "1"
    assert "NCCL_IB_PCI_RELAXED_ORDERING" not in env


def test_a_size_setting_given_with_env_is_the_one_used(kubeconfig: Any) -> None:
    objs = _objects("--vm-size", fx.ND_H100, "--env", "NCCL_IGNORE_CPU_AFFINITY=0", "--dry-run")
    env = [e for e in objs["Job"]["spec"]["template"]["spec"]["containers"][0]["env"]]
    assert [e["value"] for e in env if e["name"] == "NCCL_IGNORE_CPU_AFFINITY"] == ["0"]


def test_a_size_without_a_topology_file_gets_none_of_the_hpc_images_nccl_settings(kubeconfig: Any) -> None:
    env = _env(_objects("--vm-size", fx.NC_A100, "--dry-run"))
    assert "NCCL_IGNORE_CPU_AFFINITY" not in env and "NCCL_IB_PCI_RELAXED_ORDERING" not in env


def test_every_rank_numbers_its_gpus_in_pci_bus_order(kubeconfig: Any) -> None:
    # Azure/azurehpc-health-checks customTests/azure_nccl_allreduce.nhc and Azure/aks-rdma-infiniband
    # tests/scenarios/k8s/templates/mpi-job.yaml pass it to mpirun: all_reduce_perf -g 1 uses CUDA device
    # local-rank, which is nvidia-smi's (and the topology file's) GPU N only in PCI bus order.
    for size in (fx.ND_H100, fx.NC_A100):
        script = _objects("--vm-size", size, "--dry-run")["ConfigMap"]["data"]["run.sh"]
        (launch,) = [line for line in script.splitlines() if "-x PATH" in line]
        assert "-x CUDA_DEVICE_ORDER=PCI_BUS_ID" in launch
