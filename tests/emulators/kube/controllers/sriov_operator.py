"""The sriov-network-operator's rendering of the SR-IOV network device plugin: from the
SriovOperatorConfig ``default`` and the SriovNetworkNodePolicies of the operator's namespace, the
ConfigMap ``device-plugin-config`` (one key per node), the node label that places the plugin, and the
plugin's DaemonSet. Upstream: k8snetworkplumbingwg/sriov-network-operator 249e2001.

- controllers/sriovnetworknodepolicy_controller.go Reconcile: nothing without the SriovOperatorConfig
  ``default`` (pkg/consts/constants.go DefaultConfigName); the nodes are those its
  ``configDaemonNodeSelector`` selects, else those labelled ``node-role.kubernetes.io/worker: ""``
  and ``kubernetes.io/os: linux`` (an AKS node carries no worker role label, so a cluster that sets no
  selector gets no node); the policies sorted by api/v1/helper.go ByPriority (the larger
  ``priority`` first, then by name).
- syncDevicePluginConfigMap: for every such node the key ``<node>`` is the JSON of
  renderDevicePluginConfigData, and the node is labelled ``sriovnetwork.openshift.io/device-plugin``
  ``Enabled`` where that resourceList has an entry, else ``Disabled`` (constants.go
  SriovDevicePluginLabel*). The ConfigMap is controlled by the SriovOperatorConfig.
- renderDevicePluginConfigData: each policy but one named ``default`` (deprecated, DefaultPolicyName)
  whose ``nodeSelector`` labels all match the node (helper.go Selected); policies of one resourceName
  merge into one entry (updateDevicePluginResource: vendors, devices, linkTypes added once).
  createDevicePluginResource: ``resourceName``, selectors ``vendors`` (nicSelector.vendor), ``devices``
  (nicSelector.deviceID; with numVfs > 0 it is the VF's id, GetVfDeviceID, which is not simulated:
  the PF's id is kept), ``pfNames``, ``rootDevices``, ``linkTypes`` (``linkType`` ib: infiniband,
  else ether), ``IsRdma`` and ``NeedVhostNet`` from the policy. They are marshalled with the device
  plugin's JSON names (k8snetworkplumbingwg/sriov-network-device-plugin 40b6f507 pkg/types/types.go
  NetDeviceSelectors: ``IsRdma`` has no json tag, ``needVhostNet`` omitempty) and Go's compact
  encoding; ``excludeTopology`` where set.
- controllers/helper.go syncPluginDaemonObjs renders bindata/manifests/plugins/sriov-device-plugin.yaml:
  DaemonSet ``sriov-device-plugin`` with no labels of its own, pods ``app: sriov-device-plugin``,
  ``--resource-prefix=<RESOURCE_PREFIX>`` (the operator's env; the chart's operator.resourcePrefix
  is ``openshift.io``, deployment/sriov-network-operator-chart/values.yaml), ``--config-file=/etc/pcidp/$(NODE_NAME)``,
  the ConfigMap mounted at ``/etc/pcidp/``, toleration ``operator: Exists``, and the nodeSelector of
  GetNodeSelectorForDevicePlugin (``kubernetes.io/os: linux`` plus the Enabled label, or the
  configDaemonNodeSelector plus it), and 002-rbac.yaml its ServiceAccount. syncDsObject makes the
  SriovOperatorConfig their controller.

- controllers/sriovoperatorconfig_controller.go syncConfigDaemonSet renders bindata/manifests/daemon/
  daemonset.yaml: DaemonSet ``sriov-network-config-daemon``, pods ``app: sriov-network-config-daemon``,
  toleration ``operator: Exists``, ServiceAccount ``sriov-network-config-daemon`` (the chart's
  templates/serviceaccount.yaml creates it, not the operator), and the nodeSelector
  ``kubernetes.io/os: linux`` plus ``node-role.kubernetes.io/worker: ""``, which updateDaemonsetNodeSelector
  replaces by the whole configDaemonNodeSelector where one is set; syncK8sResource makes the
  SriovOperatorConfig its controller. The image is the chart's images.sriovConfigDaemon
  (values.yaml, templates/operator.yaml SRIOV_NETWORK_CONFIG_DAEMON_IMAGE).
- sriovnetworknodepolicy_controller.go syncAllSriovNetworkNodeStates and syncSriovNetworkNodeState:
  one SriovNetworkNodeState per node the selector above selects, named after the node, in the
  operator's namespace, controlled by the SriovOperatorConfig, created with an empty spec (the spec
  is written from the policies only once the daemon has reported interfaces, p.Apply: not simulated).
  Its status is the config daemon's (sriov_config_daemon.py).

Not simulated: the config daemon's host work that creates VFs (the device plugin's emulator counts a
node's HCAs itself, sriov_device_plugin.py), nicSelector.netFilter and pfName resolution (they need the
node state's interfaces), the node state's spec, the delayed removal of a state whose node is no
longer selected (upstream handleStaleNodeState: the state is kept), the ResyncPeriod requeue (a stopped operator that
runs again syncs at its next watched event), the config daemon's init containers (the
CNI binaries), the webhooks, the init container of the BlockDevicePluginUntilConfigured feature gate,
and useCDI.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any, ClassVar

from tests.emulators.kube.controllers.base import Controller

GROUP = "sriovnetwork.openshift.io"
API = f"{GROUP}/v1"
CONFIG_MAP = "device-plugin-config"  # pkg/consts/constants.go ConfigMapName
PLUGIN_LABEL = "sriovnetwork.openshift.io/device-plugin"  # constants.go SriovDevicePluginLabel
DEFAULT_NODES = {"node-role.kubernetes.io/worker": "", "kubernetes.io/os": "linux"}  # helper.go GetDefaultNodeSelector
PLUGIN_IMAGE = "ghcr.io/k8snetworkplumbingwg/sriov-network-device-plugin:v3.9.0"
CONFIG_DAEMON = "sriov-network-config-daemon"  # bindata/manifests/daemon/daemonset.yaml: name, app, account
CONFIG_DAEMON_IMAGE = "ghcr.io/k8snetworkplumbingwg/sriov-network-operator-config-daemon"  # chart values.yaml


@functools.cache
def _crd(name: str) -> dict[str, Any]:
    import yaml

    loaded: dict[str, Any] = yaml.safe_load(Path(__file__).with_name(f"sriov_{name}.yaml").read_text(encoding="utf-8"))
    return loaded


def _selected(selector: dict[str, Any], node: dict[str, Any]) -> bool:
    labels = (node.get("metadata") or {}).get("labels") or {}
    return all(k in labels and labels[k] == v for k, v in selector.items())


def _add(values: list[str], *more: str) -> None:
    values.extend(v for v in more if v and v not in values)


def node_config(policies: list[dict[str, Any]], node: dict[str, Any]) -> dict[str, Any]:
    """renderDevicePluginConfigData for one node (the module docstring)."""
    entries: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}  # resourceName -> (entry, selectors)
    for policy in policies:
        spec = policy.get("spec") or {}
        if policy["metadata"]["name"] == "default" or not _selected(spec.get("nodeSelector") or {}, node):
            continue
        nic = spec.get("nicSelector") or {}
        if spec["resourceName"] not in entries:
            selectors: dict[str, Any] = {"IsRdma": bool(spec.get("isRdma"))}
            entry: dict[str, Any] = {"resourceName": spec["resourceName"]}
            entries[spec["resourceName"]] = (entry, selectors)
            if spec.get("needVhostNet"):
                selectors["needVhostNet"] = True
            if spec.get("excludeTopology"):
                entry["excludeTopology"] = True
        entry, selectors = entries[spec["resourceName"]]
        for key, values in (
            ("vendors", [nic.get("vendor", "")]),
            ("devices", [nic.get("deviceID", "")]),
            ("pfNames", nic.get("pfNames") or []),
            ("rootDevices", nic.get("rootDevices") or []),
            ("linkTypes", [_link_type(spec)]),
        ):
            _add(selectors.setdefault(key, []), *values)
    out = []
    for entry, selectors in entries.values():
        ordered = {k: selectors[k] for k in _ORDER if selectors.get(k) not in (None, [])}
        out.append({**entry, "selectors": ordered})
    return {"resourceList": out}


# The struct order Go's encoding/json writes (types.go: DeviceSelectors, GenericPciDeviceSelectors,
# GenericNetDeviceSelectors).
_ORDER = ("vendors", "devices", "pfNames", "rootDevices", "linkTypes", "IsRdma", "needVhostNet")


def _link_type(spec: dict[str, Any]) -> str:
    """createDevicePluginResource: no link type for vfio-pci (not detectable); ib is infiniband."""
    link = str(spec.get("linkType") or "")
    if not link or spec.get("deviceType") == "vfio-pci":
        return ""
    return "infiniband" if link.lower() == "ib" else "ether"


def _owner(config: dict[str, Any]) -> list[dict[str, Any]]:
    meta = config["metadata"]
    ref = {"apiVersion": API, "kind": "SriovOperatorConfig", "name": meta["name"], "uid": meta.get("uid", "")}
    return [{**ref, "controller": True, "blockOwnerDeletion": True}]


def plugin_daemonset(namespace: str, prefix: str, config: dict[str, Any]) -> dict[str, Any]:
    """bindata/manifests/plugins/sriov-device-plugin.yaml as syncPluginDaemonObjs renders it."""
    chosen = (config.get("spec") or {}).get("configDaemonNodeSelector") or {}
    node_selector = {**(chosen or {"kubernetes.io/os": "linux"}), PLUGIN_LABEL: "Enabled"}
    labels = {"app": "sriov-device-plugin", "component": "network", "type": "infra"}
    container = {
        "name": "sriov-device-plugin",
        "image": PLUGIN_IMAGE,
        "args": ["--log-level=10", f"--resource-prefix={prefix}", "--config-file=/etc/pcidp/$(NODE_NAME)"],
        "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
        "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/pcidp/", "readOnly": True}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "sriov-device-plugin", "namespace": namespace, "ownerReferences": _owner(config)},
        "spec": {
            "selector": {"matchLabels": {"app": "sriov-device-plugin"}},
            "template": {
                "metadata": {"labels": {**labels, "openshift.io/component": "network"}},
                "spec": {
                    "hostNetwork": True,
                    "nodeSelector": node_selector,
                    "tolerations": [{"operator": "Exists"}],
                    "serviceAccountName": "sriov-device-plugin",
                    "priorityClassName": "system-node-critical",
                    "containers": [container],
                    "volumes": [{"name": "config-volume", "configMap": {"name": CONFIG_MAP}}],
                },
            },
        },
    }


def config_daemonset(namespace: str, config: dict[str, Any]) -> dict[str, Any]:
    """k8snetworkplumbingwg/sriov-network-operator bindata/manifests/daemon/daemonset.yaml as syncConfigDaemonSet
    renders it (the module docstring)."""
    chosen = (config.get("spec") or {}).get("configDaemonNodeSelector") or {}
    container = {
        "name": CONFIG_DAEMON,
        "image": CONFIG_DAEMON_IMAGE,
        "command": [CONFIG_DAEMON],
        "args": ["start"],
        "securityContext": {"privileged": True, "readOnlyRootFilesystem": True},
        "env": [
            {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
            {"name": "NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        ],
    }
    labels = {"app": CONFIG_DAEMON, "component": "network", "type": "infra", "openshift.io/component": "network"}
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": CONFIG_DAEMON, "namespace": namespace, "ownerReferences": _owner(config)},
        "spec": {
            "selector": {"matchLabels": {"app": CONFIG_DAEMON}},
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "33%"}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "hostNetwork": True,
                    "hostPID": True,
                    "nodeSelector": dict(chosen) or dict(DEFAULT_NODES),
                    "tolerations": [{"operator": "Exists"}],
                    "serviceAccountName": CONFIG_DAEMON,
                    "priorityClassName": "system-node-critical",
                    "containers": [container],
                },
            },
        },
    }


def node_state(namespace: str, node: str, config: dict[str, Any]) -> dict[str, Any]:
    """syncSriovNetworkNodeState's new object: the node's name, an empty spec, the config its controller."""
    meta = {"name": node, "namespace": namespace, "ownerReferences": _owner(config)}
    return {"apiVersion": API, "kind": "SriovNetworkNodeState", "metadata": meta, "spec": {}}


class SriovNetworkOperator(Controller):
    """Renders the device plugin's config, node labels and DaemonSet (the module docstring)."""

    # upstream: k8snetworkplumbingwg/sriov-network-operator Dockerfile: the manager binary is installed as
    # /usr/bin/sriov-network-operator and run (CMD); main.go sets no UserAgent.
    field_manager: ClassVar[str | None] = "sriov-network-operator"

    crds: ClassVar[list[dict[str, Any]]] = [
        _crd("sriovoperatorconfigs"),
        _crd("sriovnetworknodepolicies"),
        _crd("sriovnetworknodestates"),
    ]
    # SetupWithManager: policies and pool configs, and Nodes (nodeEvenHandler: created, deleted, or relabelled;
    # the emulator's sync is idempotent, so a Node change that is not a relabel syncs to no effect).
    watches: ClassVar[list[tuple[str, str]]] = [
        (API, "SriovOperatorConfig"),
        (API, "SriovNetworkNodePolicy"),
        ("v1", "Node"),
    ]

    def __init__(self, delay: float = 0.05, namespace: str = "sriov-network-operator", prefix: str = "openshift.io"):
        super().__init__(delay)
        self.namespace = namespace
        self.prefix = prefix  # the operator's RESOURCE_PREFIX
        # False: the operator's pod does not run (scaled to 0, crash-looping): nothing is synced, so a node
        # that joins gets no SriovNetworkNodeState and no device plugin config.
        self.running = True

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        del obj  # every event syncs the whole namespace, as the node-policy-sync-event does
        if not self.running:
            return
        config = cluster.get(API, "SriovOperatorConfig", self.namespace, "default")
        if config is None:
            return  # "default SriovOperatorConfig object not found, cannot reconcile SriovNetworkNodePolicies"
        chosen = (config.get("spec") or {}).get("configDaemonNodeSelector") or DEFAULT_NODES
        nodes = [n for n in cluster.list("v1", "Node") if _selected(chosen, n)]
        policies = cluster.list(API, "SriovNetworkNodePolicy", self.namespace)
        policies.sort(key=lambda p: (-int((p.get("spec") or {}).get("priority") or 0), p["metadata"]["name"]))
        data = {}
        for node in nodes:
            rendered = node_config(policies, node)
            data[node["metadata"]["name"]] = json.dumps(rendered, separators=(",", ":"))
            value = "Enabled" if rendered["resourceList"] else "Disabled"
            if ((node["metadata"].get("labels") or {}).get(PLUGIN_LABEL)) != value:
                cluster.patch(
                    "v1", "Node", None, node["metadata"]["name"], {"metadata": {"labels": {PLUGIN_LABEL: value}}}
                )
        cm = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": CONFIG_MAP, "namespace": self.namespace, "ownerReferences": _owner(config)},
            "data": data,
        }
        _put(cluster, cm)
        # bindata/manifests/plugins/002-rbac.yaml: the plugin's ServiceAccount (its Role and RoleBinding,
        # for OpenShift's securitycontextconstraints, are not rendered here).
        account = {"name": "sriov-device-plugin", "namespace": self.namespace, "ownerReferences": _owner(config)}
        _put(cluster, {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": account})
        _put(cluster, plugin_daemonset(self.namespace, self.prefix, config))
        _put(cluster, config_daemonset(self.namespace, config))
        for node in nodes:
            name = node["metadata"]["name"]
            if cluster.get(API, "SriovNetworkNodeState", self.namespace, name) is None:
                cluster.create(node_state(self.namespace, name, config))


def _put(cluster: Any, obj: dict[str, Any]) -> None:
    meta = obj["metadata"]
    found = cluster.get(obj["apiVersion"], obj["kind"], meta["namespace"], meta["name"])
    if found is None:
        cluster.create(copy.deepcopy(obj))
    elif any(found.get(k) != obj.get(k) for k in ("data", "spec")):
        cluster.update({**obj, "metadata": {**found["metadata"], **meta}})
