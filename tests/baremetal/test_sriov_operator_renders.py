"""The kube emulator runs the sriov-network-operator's rendering (tests/emulators/kube/controllers/
sriov_operator.py, upstream cited there): a test creates the SriovOperatorConfig and the
SriovNetworkNodePolicies, and the operator writes ConfigMap device-plugin-config, labels the nodes and
deploys the plugin, whose pods register what it renders (sriov_device_plugin.py). doctor reads what
the operator rendered."""

from __future__ import annotations

import json
from typing import Any

from akscli.baremetal import doctor
from tests.emulators.kube.controllers.sriov_device_plugin import SriovNetworkDevicePlugin
from tests.emulators.kube.controllers.sriov_operator import API, CONFIG_MAP, PLUGIN_LABEL, SriovNetworkOperator

from . import nodes as fx
from .conftest import add_nodes

NS = "sriov-network-operator"


def operator(emu: Any, nodes: list[dict[str, Any]], node_selector: dict[str, str] | None, daemon: Any = None) -> None:
    """The chart's install: the operator, the namespace and, with ``daemon`` (a SriovConfigDaemon), the
    config daemon's ServiceAccount (templates/serviceaccount.yaml), then the SriovOperatorConfig."""
    emu.controllers.add(SriovNetworkOperator(delay=0.0, namespace=NS))
    emu.controllers.add(SriovNetworkDevicePlugin(delay=0.0))
    add_nodes(emu, nodes)
    emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    if daemon is not None:
        emu.controllers.add(daemon)
        account = {"name": "sriov-network-config-daemon", "namespace": NS}
        emu.cluster.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": account})
    spec = {"configDaemonNodeSelector": node_selector} if node_selector else {}
    emu.cluster.create(
        {
            "apiVersion": API,
            "kind": "SriovOperatorConfig",
            "metadata": {"name": "default", "namespace": NS},
            "spec": spec,
        }
    )


def policy(emu: Any, name: str, resource: str, node_selector: dict[str, str], **spec: Any) -> None:
    body = {"resourceName": resource, "nodeSelector": node_selector, "numVfs": 8, "nicSelector": {"vendor": "15b3"}}
    emu.cluster.create(
        {
            "apiVersion": API,
            "kind": "SriovNetworkNodePolicy",
            "metadata": {"name": name, "namespace": NS},
            "spec": body | spec,
        }
    )
    assert emu.idle(10.0)


def _config(emu: Any) -> dict[str, Any]:
    return dict(emu.cluster.get("v1", "ConfigMap", NS, CONFIG_MAP)["data"])


def _gpu_nodes() -> list[dict[str, Any]]:
    return [fx.node(f"aks-gpu-{i}", rdma_resource=None, taint=False) for i in range(2)]


def test_an_rdma_policy_renders_the_nodes_config_and_the_plugin_registers_it(kube_emulator: Any) -> None:
    operator(kube_emulator, _gpu_nodes(), {"agentpool": "gpu"})
    policy(kube_emulator, "ib", "mlnxrdma", {"kubernetes.io/hostname": "aks-gpu-0"}, isRdma=True, linkType="ib")
    # renderDevicePluginConfigData's JSON, Go's field order and names (IsRdma has no json tag).
    assert json.loads(_config(kube_emulator)["aks-gpu-0"]) == {
        "resourceList": [
            {
                "resourceName": "mlnxrdma",
                "selectors": {"vendors": ["15b3"], "linkTypes": ["infiniband"], "IsRdma": True},
            }
        ]
    }
    assert json.loads(_config(kube_emulator)["aks-gpu-1"]) == {"resourceList": []}
    node0, node1 = (kube_emulator.cluster.get("v1", "Node", None, f"aks-gpu-{i}") for i in range(2))
    assert (node0["metadata"]["labels"][PLUGIN_LABEL], node1["metadata"]["labels"][PLUGIN_LABEL]) == (
        "Enabled",
        "Disabled",
    )
    assert node0["status"]["capacity"]["openshift.io/mlnxrdma"] == "8"  # ND H100 v5: 8 HCAs
    pods = kube_emulator.cluster.list("v1", "Pod", NS)
    assert [p["spec"]["nodeName"] for p in pods] == ["aks-gpu-0"]  # the plugin is placed by the label


def test_policies_of_one_resource_name_merge_into_one_entry(kube_emulator: Any) -> None:
    operator(kube_emulator, _gpu_nodes()[:1], {"agentpool": "gpu"})
    policy(
        kube_emulator,
        "a",
        "mlnx",
        {"agentpool": "gpu"},
        isRdma=True,
        nicSelector={"vendor": "15b3", "pfNames": ["eth1"]},
    )
    policy(kube_emulator, "b", "mlnx", {"agentpool": "gpu"}, nicSelector={"vendor": "15b3", "pfNames": ["eth2"]})
    [entry] = json.loads(_config(kube_emulator)["aks-gpu-0"])["resourceList"]
    assert entry["selectors"] == {"vendors": ["15b3"], "pfNames": ["eth1", "eth2"], "IsRdma": True}


def test_without_a_config_daemon_node_selector_no_aks_node_is_configured(kube_emulator: Any) -> None:
    # GetDefaultNodeSelector wants node-role.kubernetes.io/worker, a label AKS nodes do not carry.
    operator(kube_emulator, _gpu_nodes(), None)
    policy(kube_emulator, "ib", "mlnxrdma", {"agentpool": "gpu"}, isRdma=True)
    assert _config(kube_emulator) == {}
    assert kube_emulator.cluster.list("v1", "Pod", NS) == []


def test_doctor_reads_the_rendered_config_and_finds_the_node_no_policy_selects(
    kube_emulator: Any, kubeconfig: Any, kube: Any
) -> None:
    operator(kube_emulator, _gpu_nodes(), {"agentpool": "gpu"})
    policy(kube_emulator, "ib", "mlnxrdma", {"kubernetes.io/hostname": "aks-gpu-0"}, isRdma=True)
    findings = [f for f in doctor.diagnose(kube, doctor.Options()).findings if f.check == "rdma-resource"]
    assert [f.nodes for f in findings] == [["aks-gpu-1"]]
