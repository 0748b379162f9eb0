"""RDMA device plugins the user installed their own way are found as upstream names and labels them,
and their ConfigMaps say what they advertise (akscli.gpu.rdma_plugins):

- the RDMA shared device plugin's own kustomize manifests (Mellanox/k8s-rdma-shared-dev-plugin
  410b0f3 deployment/k8s/base/daemonset.yaml and configmap.yaml: DaemonSet rdma-shared-dp-ds in
  kube-system with no labels, no tolerations, no nodeSelector; ConfigMap rdma-devices);
- the SR-IOV network device plugin (k8snetworkplumbingwg/sriov-network-device-plugin 40b6f507
  deployments/sriovdp-daemonset.yaml and configMap.yaml: DaemonSet kube-sriov-device-plugin,
  labelled app=sriovdp; ConfigMap sriovdp-config; prefix intel.com unless --resource-prefix or the
  entry's resourcePrefix says otherwise);
- akscli's own, deployed with a ``prepare --rdma-node-selector`` of the user's.
"""

from __future__ import annotations

import json
from typing import Any

from akscli.baremetal import doctor
from akscli.doctor import checks as cluster_doctor
from akscli.gpu import plugin as gpu_plugin
from akscli.gpu import rdma_plugins
from akscli.gpu import stack as gpu_stack
from tests.cli import invoke
from tests.emulators.kube.controllers.rdma_plugin import RdmaSharedDevicePlugin
from tests.ops.fakes import FakeReader

from . import nodes as fx
from .conftest import add_nodes, helm_gpu_operator

RDMA_DS = "rdma-shared-dp-ds"
NVIDIA_PREFIXED = "nvidia.com/hca_shared_devices_a"


def _config_map(name: str, config: dict[str, Any]) -> dict[str, Any]:
    """The plugin's config.json in a ConfigMap in kube-system, as both upstreams ship it."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "kube-system"},
        "data": {"config.json": json.dumps(config)},
    }


def _upstream_shared_plugin(config: dict[str, Any]) -> list[dict[str, Any]]:
    """deployment/k8s/base/configmap.yaml and daemonset.yaml, as kustomize applies them."""
    labels = {"name": RDMA_DS}
    volumes = [
        {"name": "device-plugin", "hostPath": {"path": "/var/lib/kubelet/device-plugins"}},
        {"name": "plugins-registry", "hostPath": {"path": "/var/lib/kubelet/plugins_registry"}},
        {
            "name": "config",
            "configMap": {"name": "rdma-devices", "items": [{"key": "config.json", "path": "config.json"}]},
        },
        {"name": "devs", "hostPath": {"path": "/dev/"}},
    ]
    mounts = [
        {"name": "device-plugin", "mountPath": "/var/lib/kubelet/device-plugins", "readOnly": False},
        {"name": "plugins-registry", "mountPath": "/var/lib/kubelet/plugins_registry", "readOnly": False},
        {"name": "config", "mountPath": "/k8s-rdma-shared-dev-plugin"},
        {"name": "devs", "mountPath": "/dev/"},
    ]
    container = {
        "image": "ghcr.io/mellanox/k8s-rdma-shared-dev-plugin",
        "name": "k8s-rdma-shared-dp-ds",
        "imagePullPolicy": "IfNotPresent",
        "securityContext": {"privileged": True},
        "volumeMounts": mounts,
    }
    return [
        _config_map("rdma-devices", config),
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": RDMA_DS, "namespace": "kube-system"},
            "spec": {
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "hostNetwork": True,
                        "priorityClassName": "system-node-critical",
                        "containers": [container],
                        "volumes": volumes,
                    },
                },
            },
        },
    ]


# The upstream configmap.yaml's second entry, with a resourcePrefix of the user's.
PREFIXED_CONFIG = {
    "periodicUpdateInterval": 300,
    "configList": [
        {
            "resourcePrefix": "nvidia.com",
            "resourceName": "hca_shared_devices_a",
            "rdmaHcaMax": 500,
            "selectors": {"vendors": ["15b3"]},
        }
    ],
}


def _install_upstream(emu: Any, *nodes: dict[str, Any]) -> None:
    emu.controllers.add(RdmaSharedDevicePlugin(delay=0.0))
    add_nodes(emu, list(nodes))
    for obj in _upstream_shared_plugin(PREFIXED_CONFIG):
        emu.cluster.create(obj)
    assert emu.idle(10.0)


def _rdma_findings(kube: Any) -> list[doctor.Finding]:
    return [f for f in doctor.diagnose(kube, doctor.Options()).findings if f.check == "rdma-resource"]


# ---- the upstream kustomize plugin, with its own resource prefix -------------------------------


def test_doctor_looks_for_the_resource_an_upstream_plugins_configmap_names(
    kube_emulator: Any, kubeconfig: Any, kube: Any
) -> None:
    # Before: doctor looked only for rdma/... names, and called the node's nvidia.com/ one missing.
    _install_upstream(kube_emulator, fx.node("aks-gpu-0", rdma_resource=None, taint=False))
    capacity = kube_emulator.cluster.get("v1", "Node", None, "aks-gpu-0")["status"]["capacity"]
    assert capacity[NVIDIA_PREFIXED] == "500"
    assert _rdma_findings(kube) == []


def test_doctor_says_the_upstream_plugin_does_not_tolerate_the_gpu_nodes_taint(
    kube_emulator: Any, kubeconfig: Any, kube: Any
) -> None:
    # upstream's DaemonSet has no tolerations: it runs on no node tainted sku=gpu:NoSchedule.
    _install_upstream(kube_emulator, fx.node("aks-gpu-0", rdma_resource=None))
    [finding] = _rdma_findings(kube)
    assert finding.message == (
        f"no RDMA resource allocatable (looked for {NVIDIA_PREFIXED}, rdma/rdma_shared_device_a, rdma/ib, "
        f"rdma/shared_ib, rdma/hca_shared_devices_a); no RDMA device plugin runs on the node: daemonset "
        f"kube-system/{RDMA_DS} places no pod there, it does not tolerate the node's taint sku=gpu:NoSchedule"
    )
    assert finding.fix == (
        f"change the plugin's nodeSelector, affinity or tolerations (kubectl -n kube-system edit daemonset {RDMA_DS})"
    )


def test_prepare_deploys_no_second_plugin_beside_the_upstream_one(kube_emulator: Any, kubeconfig: Any) -> None:
    # Before: the nodes advertised no rdma/ resource, so prepare deployed a second plugin over the same HCAs.
    _install_upstream(kube_emulator, fx.node("aks-gpu-0", rdma_resource=None))
    helm_gpu_operator(kube_emulator)
    result = invoke("baremetal", "prepare", "--rdma", "--no-cluster-policy", "-y")
    assert result.exit_code == 0, result
    assert (
        f"daemonset kube-system/{RDMA_DS} (RDMA shared device plugin, installed without akscli) runs and "
        f"advertises {NVIDIA_PREFIXED}: prepare deploys none (a second would register the same HCAs again). "
        f"Use it: akscli baremetal test nccl --rdma-resource {NVIDIA_PREFIXED}"
    ) in " ".join(result.stderr.split())
    assert kube_emulator.cluster.get("apps/v1", "DaemonSet", "gpu-operator", RDMA_DS) is None


def test_test_nccl_hints_the_resource_the_plugin_advertises_under_its_own_prefix(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: only an offered rdma/ name was hinted, so the hint said to install an RDMA device plugin.
    _install_upstream(kube_emulator, *[fx.node(f"aks-gpu-{i}", rdma_resource=None, taint=False) for i in range(2)])
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 2, result
    assert result.stderr.strip().splitlines()[-1] == f"hint: pass --rdma-resource {NVIDIA_PREFIXED}"


# ---- akscli's plugin with the user's --rdma-node-selector ---------------------------------------


def _prepare_with_selector(emu: Any, selector: str, *, operator: bool = True) -> None:
    emu.controllers.add(RdmaSharedDevicePlugin(delay=0.0))
    add_nodes(emu, [fx.node(f"aks-gpu-{i}", rdma_resource=None, rdma_capable=None) for i in range(2)])
    if operator:
        helm_gpu_operator(emu)
    else:
        emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "gpu-operator"}})
    result = invoke("baremetal", "prepare", "--rdma", "--no-cluster-policy", "--rdma-node-selector", selector, "-y")
    assert result.exit_code == 0, result
    assert emu.idle(10.0)


def test_doctor_follows_the_rollout_of_a_plugin_with_a_custom_node_selector(
    kube_emulator: Any, kubeconfig: Any, kube: Any
) -> None:
    # Before: no GPU node carried rdma.capable, so the plugin was not looked for at all.
    _prepare_with_selector(kube_emulator, "agentpool=gpu")
    ds = kube_emulator.cluster.get("apps/v1", "DaemonSet", "gpu-operator", RDMA_DS)
    ds["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "1000"}}
    kube_emulator.cluster.update(ds)
    assert kube_emulator.idle(10.0)
    [finding] = [f for f in doctor.diagnose(kube, doctor.Options()).findings if f.check == "rdma-plugin"]
    assert finding.message.startswith(f'daemonset gpu-operator/{RDMA_DS}: Waiting for daemon set "{RDMA_DS}" rollout')


def test_doctor_names_a_custom_node_selector_no_node_carries(kube_emulator: Any, kubeconfig: Any, kube: Any) -> None:
    # Without the GPU Operator too, the row is about something installed (not-ready, not missing).
    _prepare_with_selector(kube_emulator, "example.com/ib=true", operator=False)
    rows = {c.name: c for c in cluster_doctor._gpu_stack(kube)}
    row = rows[f"daemonset/{RDMA_DS}"]
    assert (row.status, row.present, row.blocking) == (cluster_doctor.NOT_READY, True, False)
    assert row.detail == (
        f"daemonset gpu-operator/{RDMA_DS} places a pod on no node (desiredNumberScheduled 0): no node has its "
        "nodeSelector example.com/ib=true (RDMA shared device plugin, deployed by baremetal prepare --rdma)"
    )
    [finding] = _rdma_findings(kube)
    assert finding.message.endswith(
        f"daemonset gpu-operator/{RDMA_DS} places no pod there, its nodeSelector asks for example.com/ib=true, "
        "which the node lacks"
    )
    assert finding.fix.startswith("label the node as the plugin selects (kubectl label node NODE example.com/ib=true)")


# ---- the SR-IOV device plugin, and who judges which rollout (objects shaped as upstream's) -------


def _sriov(config: dict[str, Any], args: list[str]) -> list[dict[str, Any]]:
    """deployments/sriovdp-daemonset.yaml and configMap.yaml, trimmed to what is read."""
    return [
        _config_map("sriovdp-config", config),
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {
                "name": "kube-sriov-device-plugin",
                "namespace": "kube-system",
                "labels": {"tier": "node", "app": "sriovdp"},
            },
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "name": "kube-sriovdp",
                                "args": ["--log-dir=sriovdp", "--log-level=10", *args],
                                "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/pcidp"}],
                            }
                        ],
                        "volumes": [
                            {
                                "name": "config-volume",
                                "configMap": {
                                    "name": "sriovdp-config",
                                    "items": [{"key": "config.json", "path": "config.json"}],
                                },
                            }
                        ],
                    }
                }
            },
        },
    ]


SRIOV_CONFIG = {
    "resourceList": [
        # configMap.yaml's Intel entry: not RDMA
        {"resourceName": "intel_sriov_netdevice", "selectors": {"vendors": ["8086"], "drivers": ["iavf"]}},
        # configMap.yaml's Mellanox entry: isRdma
        {"resourceName": "mlnx_sriov_rdma", "selectors": {"vendors": ["15b3"], "isRdma": True}},
        # a list of selectors, one with isRdma, and the entry's own prefix
        {"resourcePrefix": "nvidia.com", "resourceName": "hostdev", "selectors": [{"isRdma": True}]},
    ]
}


def test_an_sriov_plugins_rdma_resources_take_the_default_prefix_or_the_entrys() -> None:
    [plugin] = rdma_plugins.find(FakeReader(*_sriov(SRIOV_CONFIG, [])))  # type: ignore[arg-type]
    assert (plugin.kind, plugin.config) == ("sriov", "kube-system/sriovdp-config")
    assert plugin.resources == ("intel.com/mlnx_sriov_rdma", "nvidia.com/hostdev")


def test_an_sriov_plugins_resource_prefix_argument_is_its_default_prefix() -> None:
    [plugin] = rdma_plugins.find(FakeReader(*_sriov(SRIOV_CONFIG, ["--resource-prefix=example.com"])))  # type: ignore[arg-type]
    assert plugin.resources == ("example.com/mlnx_sriov_rdma", "nvidia.com/hostdev")


def test_a_network_operator_plugin_is_found_but_its_rollout_is_the_network_operators_row() -> None:
    # Mellanox/network-operator manifests/state-rdma-shared-device-plugin/0060_rdma-shared-dev-plugin-ds.yaml:
    # the same name, labelled ds-owner; akscli.gpu.network_operator gives its row from the policy's state.
    cm, ds = _upstream_shared_plugin({"configList": [{"resourceName": "rdma_shared_device_a"}]})
    for obj in (cm, ds):
        obj["metadata"]["namespace"] = "nvidia-network-operator"
    ds["metadata"] |= {"labels": {"ds-owner": "NicClusterPolicy"}, "generation": 2}
    ds["status"] = {"observedGeneration": 2, "desiredNumberScheduled": 2, "updatedNumberScheduled": 1}
    reader = FakeReader(cm, ds)
    [plugin] = rdma_plugins.find(reader)  # type: ignore[arg-type]
    assert (plugin.network_operator, plugin.resources) == (True, ("rdma/rdma_shared_device_a",))
    nodes = gpu_stack.GpuNodes(nodes=1, advertising=1)
    assert gpu_plugin.rollout_rules(reader, nodes, None, gpu_stack.Rule) == []  # type: ignore[arg-type]


def test_rdma_node_selector_sets_the_plugins_node_selector(kubeconfig: Any) -> None:
    result = invoke(
        "baremetal",
        "prepare",
        "--rdma",
        "--no-cluster-policy",
        "--rdma-node-selector",
        "agentpool=ib",
        "--dry-run=client",
        "-o",
        "yaml",
    )
    assert result.exit_code == 0, result
    assert "nodeSelector:\n        agentpool: ib\n" in result.stdout


def test_an_rdma_node_selector_without_a_value_is_refused_naming_the_flag(kubeconfig: Any) -> None:
    result = invoke("baremetal", "prepare", "--rdma", "--no-cluster-policy", "--rdma-node-selector", "agentpool")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        "error: invalid --rdma-node-selector 'agentpool': expected KEY=VALUE",
        "hint: for example: --rdma-node-selector feature.node.kubernetes.io/rdma.capable=true",
    ]


def test_a_config_the_plugin_refuses_advertises_nothing() -> None:
    # The plugin refuses the whole config where one resourceName is outside [a-zA-Z0-9_]+
    # (resources_manager.go validResourceName, ValidateConfigs) and advertises nothing. Before, such
    # text was offered as a resource and pasted into hints: `--rdma-resource rdma/a; rm -rf ~`.
    config = {"configList": [{"resourceName": "a; rm -rf ~"}, {"resourceName": "rdma_shared_device_a"}]}
    [plugin] = rdma_plugins.find(FakeReader(*_upstream_shared_plugin(config)))  # type: ignore[arg-type]
    assert plugin.resources == ()


def test_a_prefix_that_makes_no_extended_resource_name_is_not_advertised() -> None:
    # The kubelet refuses to register such a name (devicemanager/plugin/v1beta1/server.go Register).
    config = {
        "configList": [
            {"resourcePrefix": "bad prefix\x1b[2J", "resourceName": "c"},
            {"resourceName": "rdma_shared_device_a"},
        ]
    }
    [plugin] = rdma_plugins.find(FakeReader(*_upstream_shared_plugin(config)))  # type: ignore[arg-type]
    assert plugin.resources == ("rdma/rdma_shared_device_a",)


def test_an_sriov_config_with_a_refused_name_advertises_nothing() -> None:
    # sriov-network-device-plugin pkg/utils/utils.go ValidResourceName, cmd/sriovdp/manager.go validConfigs.
    entries = [{"resourceName": "mlnx-rdma", "selectors": {"isRdma": True}}, *SRIOV_CONFIG["resourceList"]]
    [plugin] = rdma_plugins.find(FakeReader(*_sriov({"resourceList": entries}, [])))  # type: ignore[arg-type]
    assert plugin.resources == ()
