"""The SR-IOV network device plugin as the sriov-network-operator deploys it, registering the RDMA
devices of its node's config with the kubelet.

Its pods are those of a container of the plugin's image (k8snetworkplumbingwg/sriov-network-device-plugin
40b6f507 deployments/sriovdp-daemonset.yaml). The operator starts it with
``--resource-prefix={{.ResourcePrefix}}`` and ``--config-file=/etc/pcidp/$(NODE_NAME)``, ``NODE_NAME``
a ``spec.nodeName`` fieldRef, and mounts ConfigMap ``device-plugin-config`` at ``/etc/pcidp/``
(k8snetworkplumbingwg/sriov-network-operator 249e2001 bindata/manifests/plugins/sriov-device-plugin.yaml),
whose key for each node is that node's ``{"resourceList": [...]}``, rendered from the
SriovNetworkNodePolicies that select it (controllers/sriovnetworknodepolicy_controller.go
syncDevicePluginConfigMap, renderDevicePluginConfigData: the selectors marshalled with Go's field
names, ``IsRdma``; the plugin's encoding/json reads them case-insensitively). Without the flags the
plugin reads ``/etc/pcidp/config.json`` and uses the prefix ``intel.com`` (cmd/sriovdp/main.go
defaultConfig, the ``resource-prefix`` flag's default). Once a pod is ready, each resourceList entry:

- is named ``<resourcePrefix>/<resourceName>``, the entry's prefix over the flag's
  (cmd/sriovdp/manager.go, pkg/resources/server.go GetResourcePrefix);
- gets the node's devices its selectors keep: a device goes to the first entry that keeps it
  (manager.go initServers, excludeAllocatedDevices), and ``isRdma`` keeps only devices with RDMA
  (pkg/netdevice/netDeviceProvider.go GetFilteredDevices);
- with no device, is not registered at all ("no devices in device pool, skipping creating resource
  server", manager.go initServers), unlike the RDMA shared device plugin's 0 (rdma_plugin.py).

The node's devices: its InfiniBand HCAs, one PCI function each, vendor 15b3, the count akscli's
interconnect table gives its size (data/interconnect.yaml, as gpu_pods.py reports them), present where
NFD labels the node ``rdma.capable``, with RDMA where it is also ``rdma.available`` (rdma_plugin.py
has_rdma_devices cites both labels). Of the selectors only ``vendors`` is checked; ``devices``,
``drivers``, ``pfNames`` and the rest match (node labels do not say them). Not simulated: the
operator's controllers (tests create the DaemonSet and ConfigMap as they render them), the config
daemon that makes the VFs, and ``deviceType`` other than netDevice. A stopped pod's resources keep
their capacity with allocatable 0, as the kubelet does for any plugin (rdma_plugin.py).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from tests.emulators.kube.cluster import KUBELET
from tests.emulators.kube.controllers.rdma_plugin import (
    HCA_VENDOR,
    NFD,
    SRIOV_IMAGE,
    RdmaSharedDevicePlugin,
    flag,
    mounted_file,
)

DEFAULT_CONFIG = "/etc/pcidp/config.json"  # cmd/sriovdp/main.go defaultConfig
DEFAULT_PREFIX = "intel.com"  # cmd/sriovdp/main.go, the resource-prefix flag's default
_VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def _expand(text: str, container: dict[str, Any], pod: dict[str, Any]) -> str:
    """``$(VAR)`` from the container's env, a value or a spec.nodeName fieldRef; an unknown one is
    left as written (kubernetes/kubernetes third_party/forked/golang/expansion/expand.go)."""
    env: dict[str, str] = {}
    for var in container.get("env") or []:
        field = ((var.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath")
        if "value" in var:
            env[str(var["name"])] = str(var["value"])
        elif field == "spec.nodeName":
            env[str(var["name"])] = str((pod.get("spec") or {}).get("nodeName") or "")
    return _VAR.sub(lambda m: env.get(m.group(1), m.group(0)), text)


def _plugin_container(pod: dict[str, Any]) -> dict[str, Any] | None:
    containers = (pod.get("spec") or {}).get("containers") or []
    return next((c for c in containers if SRIOV_IMAGE in str(c.get("image") or "")), None)


def _selectors(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """An entry's selectors: one object, or a list of them (types.go ``Selectors *json.RawMessage``)."""
    raw = entry.get("selectors")
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    return [{str(k).lower(): v for k, v in s.items()} for s in items if isinstance(s, dict)]


def hcas(node: dict[str, Any]) -> int:
    """The node's HCAs (its size's InfiniBand count), 0 where NFD finds no RDMA-capable device."""
    # data: Azure sizes' links (test_emulator_imports); no upstream reading
    from akscli.baremetal import nccl_expected

    labels = (node.get("metadata") or {}).get("labels") or {}
    if labels.get(NFD + "rdma.capable") != "true":
        return 0
    info = nccl_expected.interconnect(str(labels.get("node.kubernetes.io/instance-type") or ""))
    return int(info.ib_hcas or 0) if info else 0


def registers(config: dict[str, Any], node: dict[str, Any], prefix: str) -> dict[str, str]:
    """The resources one node's config registers, and their device counts (the module docstring)."""
    labels = (node.get("metadata") or {}).get("labels") or {}
    with_rdma = labels.get(NFD + "rdma.available") == "true"
    free = hcas(node)
    out: dict[str, str] = {}
    for entry in config.get("resourceList") or []:
        name = entry.get("resourceName")
        if not name or not free:
            continue
        kept = 0
        for selector in _selectors(entry) or [{}]:
            vendors = [str(v).lower() for v in selector.get("vendors") or []]
            if vendors and HCA_VENDOR not in vendors:
                continue
            if selector.get("isrdma") is True and not with_rdma:
                continue
            kept = free
        if kept:
            free -= kept
            out[f"{entry.get('resourcePrefix') or prefix}/{name}"] = str(kept)
    return out


class SriovNetworkDevicePlugin(RdmaSharedDevicePlugin):
    """Registers each ready SR-IOV plugin pod's devices on its node (the module docstring)."""

    # as rdma_plugin.RdmaSharedDevicePlugin: the kubelet's node status (cluster.KUBELET), the device
    # plugin's resources reaching it through the kubelet (kubernetes/kubernetes
    # pkg/kubelet/kubelet_node_status.go updateNodeStatus)
    field_manager: ClassVar[str | None] = KUBELET

    def plugin_config(self, pod: dict[str, Any]) -> tuple[str, str] | None:
        container = _plugin_container(pod)
        if container is None:
            return None
        return mounted_file(pod, container, _expand(flag(container, "config-file", DEFAULT_CONFIG), container, pod))

    def registers(self, pod: dict[str, Any], config: dict[str, Any], node: dict[str, Any]) -> dict[str, str]:
        container = _plugin_container(pod) or {}
        return registers(config, node, flag(container, "resource-prefix", DEFAULT_PREFIX))
