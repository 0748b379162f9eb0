"""The kube emulator runs the SR-IOV network device plugin as the sriov-network-operator deploys it
(tests/emulators/kube/controllers/sriov_device_plugin.py, upstream cited there), from the policies a
test creates (sriov_operator.py renders them): each pod reads its
node's key of ConfigMap device-plugin-config and registers ``openshift.io/<resourceName>`` with the
node's HCAs where an ``isRdma`` entry keeps them, and nothing for an entry that keeps no device."""

from __future__ import annotations

from typing import Any

from akscli.baremetal import doctor
from tests.cli import invoke

from . import nodes as fx
from .conftest import helm_gpu_operator
from .test_rdma_plugins_owned import PLAIN_POLICY, RDMA_POLICY, SRIOV_NS
from .test_sriov_operator_renders import operator, policy


def _run(emu: Any, configs: dict[str, Any], nodes: list[dict[str, Any]]) -> None:
    """Each node's ``resourceList`` entries become SriovNetworkNodePolicies that select that node, which
    the operator renders into device-plugin-config (sriov_operator.py)."""
    operator(emu, nodes, {"agentpool": "gpu"})
    for node, config in configs.items():
        for entry in config.get("resourceList") or []:
            selectors = entry["selectors"]
            spec = {"isRdma": selectors["IsRdma"], "nicSelector": {"vendor": selectors["vendors"][0]}}
            policy(
                emu, f"{entry['resourceName']}-{node}", entry["resourceName"], {"kubernetes.io/hostname": node}, **spec
            )
    assert emu.idle(10.0)


def _capacity(emu: Any, node: str) -> dict[str, str]:
    return dict(emu.cluster.get("v1", "Node", None, node)["status"]["capacity"])


def test_each_node_registers_the_rdma_resource_its_own_config_names_with_its_hcas(kube_emulator: Any) -> None:
    configs = {"aks-gpu-0": {"resourceList": [RDMA_POLICY]}, "aks-gpu-1": {"resourceList": []}}
    nodes = [fx.node(n, rdma_resource=None, taint=False) for n in ("aks-gpu-0", "aks-gpu-1")]
    _run(kube_emulator, configs, nodes)
    assert _capacity(kube_emulator, "aks-gpu-0")["openshift.io/mlnxrdma"] == "8"  # ND H100 v5: 8 HCAs
    assert "openshift.io/mlnxrdma" not in _capacity(kube_emulator, "aks-gpu-1")


def test_an_entry_whose_selectors_keep_no_device_is_not_registered_at_all(kube_emulator: Any) -> None:
    # Unlike the RDMA shared device plugin, which registers such a resource with 0 devices.
    _run(kube_emulator, {"aks-gpu-0": {"resourceList": [PLAIN_POLICY]}}, [fx.node("aks-gpu-0", rdma_resource=None)])
    assert "openshift.io/intelnics" not in _capacity(kube_emulator, "aks-gpu-0")


def test_an_rdma_entry_keeps_no_device_on_a_node_without_the_rdma_modules(kube_emulator: Any) -> None:
    node = fx.node("aks-gpu-0", rdma_resource=None, rdma_available=False, taint=False)
    _run(kube_emulator, {"aks-gpu-0": {"resourceList": [RDMA_POLICY]}}, [node])
    assert "openshift.io/mlnxrdma" not in _capacity(kube_emulator, "aks-gpu-0")


def test_doctor_finds_the_rdma_resource_missing_only_on_the_node_no_policy_selects(
    kube_emulator: Any, kubeconfig: Any, kube: Any
) -> None:
    configs = {"aks-gpu-0": {"resourceList": [RDMA_POLICY]}, "aks-gpu-1": {"resourceList": []}}
    nodes = [fx.node(n, rdma_resource=None, taint=False) for n in ("aks-gpu-0", "aks-gpu-1")]
    _run(kube_emulator, configs, nodes)
    findings = [f for f in doctor.diagnose(kube, doctor.Options()).findings if f.check == "rdma-resource"]
    assert [f.nodes for f in findings] == [["aks-gpu-1"]]


PER_NODE = f"daemonset {SRIOV_NS}/sriov-device-plugin's config (ConfigMap {SRIOV_NS}/device-plugin-config) gives "


def test_test_nccl_names_the_gpu_nodes_no_sriov_policy_gives_an_rdma_resource(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: "install an RDMA device plugin ('akscli baremetal prepare --rdma')", beside an SR-IOV
    # plugin that runs there and whose config for these nodes names no RDMA resource.
    configs = {"aks-gpu-0": {"resourceList": []}, "aks-gpu-1": {"resourceList": [PLAIN_POLICY]}}
    _run(kube_emulator, configs, [fx.node(f"aks-gpu-{i}", rdma_resource=None, taint=False) for i in range(2)])
    result = invoke(
        "baremetal", "test", "nccl", "--nodes", "2", "--rdma-resource", "openshift.io/mlnxrdma", "--dry-run=server"
    )
    assert result.exit_code == 2, result
    assert " ".join(result.stderr.split()).endswith(
        f"hint: {PER_NODE}no RDMA resource to aks-gpu-0, aks-gpu-1: create a SriovNetworkNodePolicy with "
        "isRdma: true whose nodeSelector selects them, or pass --rdma-resource none"
    )


def test_prepare_names_the_nodes_the_sriov_plugins_config_gives_an_rdma_resource_and_those_it_does_not(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: only "advertises openshift.io/mlnxrdma", as if every node had it.
    configs = {"aks-gpu-0": {"resourceList": [RDMA_POLICY]}, "aks-gpu-1": {"resourceList": []}}
    _run(kube_emulator, configs, [fx.node(f"aks-gpu-{i}", rdma_resource=None) for i in range(2)])
    helm_gpu_operator(kube_emulator)
    result = invoke("baremetal", "prepare", "--rdma", "--no-cluster-policy", "-y")
    assert result.exit_code == 0, result
    assert (
        f"Per node, {PER_NODE}openshift.io/mlnxrdma to aks-gpu-0 and none to aks-gpu-1: create a "
        "SriovNetworkNodePolicy with isRdma: true whose nodeSelector selects it"
    ) in " ".join(result.stderr.split())
