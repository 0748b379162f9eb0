"""RDMA device plugins found by what upstream puts on their DaemonSets, wherever their config is
(akscli.gpu.rdma_plugins.kind_of and its config reading):

- a NicNodePolicy's RDMA shared device plugin (Mellanox/network-operator b06827e0
  manifests/state-rdma-shared-device-plugin/0060_rdma-shared-dev-plugin-ds.yaml and
  0050_rdma-shared-dev-plugin-config-map.yaml; pkg/state/state_skel.go dsOwnerValue ``nnp-<policy>``,
  nameSuffix ``-<policy>``, hashedNameSuffix ``-<hash>``);
- a plugin started with ``--config-file`` (Mellanox/k8s-rdma-shared-dev-plugin 410b0f3
  cmd/k8s-rdma-shared-dp/main.go);
- the sriov-network-operator's device plugin (k8snetworkplumbingwg/sriov-network-operator 249e2001
  bindata/manifests/plugins/sriov-device-plugin.yaml; controllers/helper.go syncDsObject;
  controllers/sriovnetworknodepolicy_controller.go syncDevicePluginConfigMap: ConfigMap
  device-plugin-config, one key per node, IsRdma spelt as Go's field name);
- a chart of someone else's, by the plugin's image.
"""

from __future__ import annotations

import json
from typing import Any

from akscli.baremetal import doctor
from akscli.gpu import plugin as gpu_plugin
from akscli.gpu import rdma_plugins
from akscli.gpu import stack as gpu_stack
from tests.cli import invoke
from tests.emulators.kube.controllers.rdma_plugin import RdmaSharedDevicePlugin
from tests.ops.fakes import FakeReader

from . import nodes as fx
from .conftest import add_nodes, helm_gpu_operator

NO_NS = "nvidia-network-operator"
SRIOV_NS = "sriov-network-operator"


def _config_map(name: str, namespace: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace},
        "data": {k: json.dumps(v) for k, v in data.items()},
    }


def _daemonset(
    name: str,
    namespace: str,
    container: dict[str, Any],
    volumes: list[dict[str, Any]],
    *,
    labels: dict[str, str] | None = None,
    pod_labels: dict[str, str] | None = None,
    owner: dict[str, Any] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "labels": labels or {}, "generation": 1}
    if owner:
        meta["ownerReferences"] = [owner]
    pod_labels = pod_labels or {"name": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": meta,
        "spec": {
            "selector": {"matchLabels": pod_labels},
            "template": {
                "metadata": {"labels": pod_labels},
                "spec": {"hostNetwork": True, "containers": [container], "volumes": volumes},
            },
        },
    }


def _node_policy_plugin() -> list[dict[str, Any]]:
    """A NicNodePolicy ``ib``'s plugin, as 0050 and 0060 render it (nodeSelector left out)."""
    container = {
        "image": "nvcr.io/nvidia/mellanox/k8s-rdma-shared-dev-plugin:network-operator-v25.7.0",
        "name": "rdma-shared-dp",
        "command": ["/bin/k8s-rdma-shared-dp"],
        "volumeMounts": [{"name": "config", "mountPath": "/k8s-rdma-shared-dev-plugin"}],
    }
    volumes = [
        {
            "name": "config",
            "configMap": {"name": "rdma-devices-ib", "items": [{"key": "config.json", "path": "config.json"}]},
        }
    ]
    ds = _daemonset(
        "rdma-shared-dp-ds-5f7c9d",
        NO_NS,
        container,
        volumes,
        labels={"ds-owner": "nnp-ib"},
        pod_labels={"app": "rdma-shared-dp-ib", "ds-owner": "nnp-ib"},
    )
    ds["status"] = {"observedGeneration": 1, "desiredNumberScheduled": 2, "updatedNumberScheduled": 1}
    cm = _config_map("rdma-devices-ib", NO_NS, {"config.json": {"configList": [{"resourceName": "ib_a"}]}})
    return [cm, ds]


def test_a_nicnodepolicys_plugin_is_found_by_its_owner_label_and_pod_label() -> None:
    # Before: looked up by the exact name rdma-shared-dp-ds only, so the hashed name was never found.
    [plugin] = rdma_plugins.find(FakeReader(*_node_policy_plugin()))  # type: ignore[arg-type]
    assert (plugin.kind, plugin.config, plugin.resources) == ("shared", f"{NO_NS}/rdma-devices-ib", ("rdma/ib_a",))
    assert plugin.what == "RDMA shared device plugin, owned by NicNodePolicy ib"


def test_a_nicnodepolicys_stalled_plugin_gets_its_own_rollout_row() -> None:
    # akscli.gpu.network_operator reads NicClusterPolicies only, so nothing else would name this rollout.
    reader = FakeReader(*_node_policy_plugin())
    nodes = gpu_stack.GpuNodes(nodes=2, advertising=2)
    [rule] = gpu_plugin.rollout_rules(reader, nodes, None, gpu_stack.Rule)  # type: ignore[arg-type]
    assert (rule.check, rule.subject) == ("rdma-plugin", "rollout daemonset/rdma-shared-dp-ds-5f7c9d")
    assert "owned by NicNodePolicy ib" in rule.message


def _config_file_plugin(args: list[str]) -> list[dict[str, Any]]:
    """The kustomize plugin moved to /etc/rdma, its ConfigMap's key devices.json, no items."""
    container = {
        "image": "ghcr.io/mellanox/k8s-rdma-shared-dev-plugin",
        "name": "k8s-rdma-shared-dp-ds",
        "args": args,
        "volumeMounts": [{"name": "config", "mountPath": "/etc/rdma"}],
    }
    volumes = [{"name": "config", "configMap": {"name": "rdma-devices"}}]
    config = {"configList": [{"resourcePrefix": "nvidia.com", "resourceName": "ib_moved", "rdmaHcaMax": 8}]}
    return [
        _config_map("rdma-devices", "kube-system", {"devices.json": config}),
        _daemonset("rdma-shared-dp-ds", "kube-system", container, volumes),
    ]


def test_a_plugin_started_with_config_file_is_read_from_that_file(
    kube_emulator: Any, kubeconfig: Any, kube: Any
) -> None:
    # Before: read only from /k8s-rdma-shared-dev-plugin, so doctor looked for the defaults and
    # called the node's nvidia.com/ib_moved missing.
    kube_emulator.controllers.add(RdmaSharedDevicePlugin(delay=0.0))
    add_nodes(kube_emulator, [fx.node("aks-gpu-0", rdma_resource=None, taint=False)])
    for obj in _config_file_plugin(["--config-file=/etc/rdma/devices.json"]):
        kube_emulator.cluster.create(obj)
    assert kube_emulator.idle(10.0)
    capacity = kube_emulator.cluster.get("v1", "Node", None, "aks-gpu-0")["status"]["capacity"]
    assert capacity["nvidia.com/ib_moved"] == "8"
    findings = doctor.diagnose(kube, doctor.Options()).findings
    assert [f for f in findings if f.check == "rdma-resource"] == []


def test_a_single_dash_config_file_flag_with_its_value_apart_is_read() -> None:
    # Go's flag package takes -config-file VALUE as well as --config-file=VALUE.
    objs = _config_file_plugin(["-config-file", "/etc/rdma/devices.json"])
    [plugin] = rdma_plugins.find(FakeReader(*objs))  # type: ignore[arg-type]
    assert plugin.resources == ("nvidia.com/ib_moved",)


def _sriov_operator_plugin(configs: dict[str, Any]) -> list[dict[str, Any]]:
    """bindata/manifests/plugins/sriov-device-plugin.yaml as the operator renders it: no labels on
    the DaemonSet, its SriovOperatorConfig as controller, one config file per node."""
    container = {
        "name": "sriov-device-plugin",
        "image": "ghcr.io/k8snetworkplumbingwg/sriov-network-device-plugin:v3.9.0",
        "args": ["--log-level=10", "--resource-prefix=openshift.io", "--config-file=/etc/pcidp/$(NODE_NAME)"],
        "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
        "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/pcidp/", "readOnly": True}],
    }
    volumes = [{"name": "config-volume", "configMap": {"name": "device-plugin-config"}}]
    owner = {
        "apiVersion": "sriovnetwork.openshift.io/v1",
        "kind": "SriovOperatorConfig",
        "name": "default",
        "uid": "6b0c7b5e-0000-4000-8000-000000000001",
        "controller": True,
    }
    pod_labels = {"app": "sriov-device-plugin", "component": "network", "type": "infra"}
    ds = _daemonset("sriov-device-plugin", SRIOV_NS, container, volumes, pod_labels=pod_labels, owner=owner)
    return [_config_map("device-plugin-config", SRIOV_NS, configs), ds]


# renderDevicePluginConfigData's output: NetDeviceSelectors marshalled as Go names them (IsRdma).
RDMA_POLICY = {"resourceName": "mlnxrdma", "selectors": {"vendors": ["15b3"], "IsRdma": True}}
PLAIN_POLICY = {"resourceName": "intelnics", "selectors": {"vendors": ["8086"], "IsRdma": False}}


def test_the_sriov_network_operators_plugin_is_found_by_its_controller_and_read_node_by_node() -> None:
    # Before: only DaemonSets labelled app=sriovdp, and this one has no labels.
    configs = {"aks-gpu-0": {"resourceList": [RDMA_POLICY, PLAIN_POLICY]}, "aks-gpu-1": {"resourceList": []}}
    [plugin] = rdma_plugins.find(FakeReader(*_sriov_operator_plugin(configs)))  # type: ignore[arg-type]
    assert (plugin.kind, plugin.resources) == ("sriov", ("openshift.io/mlnxrdma",))
    assert plugin.by_node == {"aks-gpu-0": ("openshift.io/mlnxrdma",), "aks-gpu-1": ()}
    assert (
        plugin.what == "SR-IOV network device plugin, owned by the sriov-network-operator's SriovOperatorConfig default"
    )


def test_doctor_says_no_policy_gives_the_node_an_rdma_resource_under_the_sriov_network_operator(
    kube_emulator: Any, kubeconfig: Any, kube: Any
) -> None:
    node = fx.node("aks-gpu-1", rdma_resource=None, taint=False)
    add_nodes(kube_emulator, [node])
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": SRIOV_NS}})
    for obj in _sriov_operator_plugin({"aks-gpu-0": {"resourceList": [RDMA_POLICY]}, "aks-gpu-1": {}}):
        kube_emulator.cluster.create(obj)
    [finding] = [f for f in doctor.diagnose(kube, doctor.Options()).findings if f.check == "rdma-resource"]
    assert finding.message.endswith(
        f"; daemonset {SRIOV_NS}/sriov-device-plugin runs there, but its config for the node (ConfigMap "
        f"{SRIOV_NS}/device-plugin-config, key aks-gpu-1) names no RDMA resource"
    )
    assert finding.fix.startswith("create a SriovNetworkNodePolicy with isRdma: true whose nodeSelector selects")


def test_a_plugin_of_someone_elses_chart_is_found_by_its_image() -> None:
    objs = _config_file_plugin([])
    ds = objs[1]
    ds["metadata"]["name"] = "hca-sharing"
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = (
        "registry.example.com/mirror/k8s-rdma-shared-dev-plugin@sha256:ab"
    )
    ds["spec"]["template"]["spec"]["containers"][0]["volumeMounts"][0]["mountPath"] = "/k8s-rdma-shared-dev-plugin"
    objs[0]["data"] = {"config.json": objs[0]["data"]["devices.json"]}
    [plugin] = rdma_plugins.find(FakeReader(*objs))  # type: ignore[arg-type]
    assert (plugin.name, plugin.resources) == ("hca-sharing", ("nvidia.com/ib_moved",))


def test_a_daemonset_that_runs_no_rdma_plugin_is_not_one() -> None:
    objs = _config_file_plugin([])
    ds = objs[1]
    ds["metadata"]["name"] = "kube-proxy"
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "mcr.microsoft.com/oss/kubernetes/kube-proxy:v1.31"
    assert rdma_plugins.find(FakeReader(*objs)) == []  # type: ignore[arg-type]


def _prepare_beside_sriov_operator(emu: Any, policy: dict[str, Any]) -> Any:
    """prepare --rdma on a node whose sriov-network-operator config holds ``policy``'s entry."""
    add_nodes(emu, [fx.node("aks-gpu-0", rdma_resource=None)])
    helm_gpu_operator(emu)
    emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": SRIOV_NS}})
    for obj in _sriov_operator_plugin({"aks-gpu-0": {"resourceList": [policy]}}):
        emu.cluster.create(obj)
    result = invoke("baremetal", "prepare", "--rdma", "--no-cluster-policy", "-y")
    assert result.exit_code == 0, result
    return result


def test_prepare_deploys_the_shared_plugin_beside_an_sriov_plugin_that_hands_out_no_rdma_device(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # Now that the sriov-network-operator's plugin is found, one whose policies set no isRdma must not
    # stop prepare --rdma: it registers no RDMA device, so nothing would be registered twice.
    _prepare_beside_sriov_operator(kube_emulator, PLAIN_POLICY)
    assert kube_emulator.cluster.get("apps/v1", "DaemonSet", "gpu-operator", "rdma-shared-dp-ds") is not None


def test_prepare_deploys_no_shared_plugin_beside_an_sriov_plugin_that_hands_out_rdma_devices(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    result = _prepare_beside_sriov_operator(kube_emulator, RDMA_POLICY)
    assert "advertises openshift.io/mlnxrdma: prepare deploys none" in " ".join(result.stderr.split())
    assert kube_emulator.cluster.get("apps/v1", "DaemonSet", "gpu-operator", "rdma-shared-dp-ds") is None
