"""The RDMA shared device plugin that prepare --rdma deploys registers its resource on the RDMA
nodes, as the emulator reproduces it (tests/emulators/kube/controllers/rdma_plugin.py; upstream:
Mellanox/k8s-rdma-shared-dev-plugin 410b0f3 pkg/resources/server.go newResourceServer and
resources_manager.go ValidateConfigs): ``<resourcePrefix>/<resourceName>`` with rdmaHcaMax devices
on a node whose HCAs have their RDMA devices, none elsewhere."""

from __future__ import annotations

import json
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.rdma_plugin import RdmaSharedDevicePlugin

from . import nodes as fx
from .conftest import add_nodes, helm_gpu_operator

RESOURCE = "rdma/rdma_shared_device_a"


def _capacity(emu: Any, node: str) -> dict[str, str]:
    return dict(emu.cluster.get("v1", "Node", None, node)["status"]["capacity"])


def _prepare(emu: Any, *nodes: dict[str, Any], args: tuple[str, ...] = ()) -> Any:
    emu.controllers.add(RdmaSharedDevicePlugin(delay=0.0))
    add_nodes(emu, list(nodes))
    helm_gpu_operator(emu)
    result = invoke("baremetal", "prepare", "--rdma", "--no-cluster-policy", "-y", *args)
    assert emu.idle(10.0)
    return result


def test_the_plugin_prepare_deploys_advertises_rdma_hca_max_devices_on_an_rdma_node(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    result = _prepare(kube_emulator, fx.node("aks-gpu-0", rdma_resource=None))
    assert result.exit_code == 0, result
    assert _capacity(kube_emulator, "aks-gpu-0")[RESOURCE] == "63"  # prepare's rdmaHcaMax


def test_a_vendor_selector_that_names_no_hca_of_the_node_registers_no_device(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    result = _prepare(kube_emulator, fx.node("aks-gpu-0", rdma_resource=None), args=("--rdma-vendor", "8086"))
    assert result.exit_code == 0, result
    assert _capacity(kube_emulator, "aks-gpu-0")[RESOURCE] == "0"


def test_a_node_whose_rdma_modules_are_not_loaded_advertises_no_rdma_device(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # rdma.capable (a vendor-15b3 HCA) without rdma.available (ib_uverbs, rdma_ucm): no uverbs device
    result = _prepare(kube_emulator, fx.node("aks-gpu-0", rdma_resource=None, rdma_available=False))
    assert result.exit_code == 0, result
    assert _capacity(kube_emulator, "aks-gpu-0")[RESOURCE] == "0"


def test_a_config_entry_with_a_resource_prefix_is_advertised_under_that_prefix(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    result = _prepare(kube_emulator, fx.node("aks-gpu-0", rdma_resource=None))
    assert result.exit_code == 0, result
    cm = kube_emulator.cluster.get("v1", "ConfigMap", "gpu-operator", "rdma-devices")
    config = json.loads(cm["data"]["config.json"])
    config["configList"][0] |= {"resourcePrefix": "nvidia.com", "resourceName": "hca_shared"}
    kube_emulator.cluster.patch(
        "v1", "ConfigMap", "gpu-operator", "rdma-devices", {"data": {"config.json": json.dumps(config)}}
    )
    [pod] = kube_emulator.cluster.list("v1", "Pod", namespace="gpu-operator", label_selector="name=rdma-shared-dp-ds")
    kube_emulator.cluster.delete("v1", "Pod", "gpu-operator", pod["metadata"]["name"])  # the new pod reads it
    assert kube_emulator.idle(10.0)
    assert _capacity(kube_emulator, "aks-gpu-0")["nvidia.com/hca_shared"] == "63"


def test_an_nccl_run_on_nodes_where_the_plugin_found_no_rdma_device_says_so(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before, the hint sent the user to install the RDMA device plugin that prepare had just installed.
    nodes = [fx.node(f"aks-gpu-{i}", rdma_resource=None, rdma_available=False) for i in range(2)]
    assert _prepare(kube_emulator, *nodes).exit_code == 0
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 2, result
    [line, hint] = result.stderr.strip().splitlines()[-2:]
    assert line == (
        f"error: --rdma-resource {RESOURCE}: none of the 2 GPU node(s) of size {fx.ND_H100} offers it; they offer "
        f"no resource besides GPUs; an RDMA device plugin registered {RESOURCE} with no device on 2 of them"
    )
    assert hint.startswith("hint: the plugin found no RDMA device there: check that the HCAs' RDMA modules are loaded")
    assert hint.endswith("or pass --rdma-resource none")


def test_doctor_names_an_rdma_resource_registered_with_no_device(
    kube_emulator: Any, kubeconfig: Any, kube: Any
) -> None:
    from akscli.baremetal import doctor

    assert _prepare(kube_emulator, fx.node("aks-gpu-0", rdma_resource=None, rdma_available=False)).exit_code == 0
    [finding] = [f for f in doctor.diagnose(kube, doctor.Options()).findings if f.check == "rdma-resource"]
    assert finding.message.endswith(f"; {RESOURCE} registered with no device")
    assert finding.fix.startswith("the plugin found no RDMA device there: check that the HCAs' RDMA modules")
