"""The RDMA device plugins a cluster runs, however they were installed, the resources each
advertises and the nodes each runs on: for ``baremetal doctor`` and ``akscli doctor`` (through
akscli.gpu_plugin), ``baremetal prepare`` and ``baremetal test nccl``. Plain logic: no Typer, no rich.

Found the way upstream names and labels them, any namespace (two bounded lists):
- the RDMA shared device plugin by its DaemonSet's name, ``rdma-shared-dp-ds``: the name in
  Mellanox/k8s-rdma-shared-dev-plugin 410b0f3 deployment/k8s/base/daemonset.yaml (kube-system, no
  labels on the DaemonSet), in Mellanox/network-operator b06827e0
  manifests/state-rdma-shared-device-plugin/0060_rdma-shared-dev-plugin-ds.yaml (``rdma-shared-dp-ds
  {{ .DaemonSetNameSuffix }}``, no suffix for a NicClusterPolicy: pkg/state/state_skel.go
  hashedNameSuffix) and in akscli's templates/baremetal/rdma-shared-device-plugin.yaml.j2;
- the SR-IOV network device plugin by the label on its DaemonSet, ``app=sriovdp``:
  k8snetworkplumbingwg/sriov-network-device-plugin 40b6f507 deployments/sriovdp-daemonset.yaml
  (kube-sriov-device-plugin) and Mellanox/network-operator manifests/state-sriov-device-plugin/
  0030-sriov-dp-daemonset.yaml.

What each advertises is in the ConfigMap its DaemonSet mounts where the plugin reads config.json
(one get each):
- shared: mounted at /k8s-rdma-shared-dev-plugin (pkg/resources/resources_manager.go
  DefaultConfigFilePath); each ``configList`` entry is ``<resourcePrefix>/<resourceName>``, the prefix
  ``rdma`` where the entry sets none (resources_manager.go rdmaHcaResourcePrefix, ValidateConfigs;
  pkg/types/types.go UserConfig);
- SR-IOV: mounted at /etc/pcidp (cmd/sriovdp/main.go defaultConfig); each ``resourceList`` entry is
  ``<resourcePrefix>/<resourceName>``, the prefix the entry's, else the container's
  ``--resource-prefix``, default intel.com (main.go flagInit; manager.go validConfigs); an entry counts
  as RDMA only where a selector sets isRdma (pkg/types/types.go GenericNetDeviceSelectors IsRdma, "the
  resource support rdma"; pkg/netdevice/pciNetDevice.go NewPciNetDevice hands a pod the RDMA devices
  only then; ``selectors`` is one object or a list of them, manager.go GetDeviceFilter).

Where each runs: a DaemonSet places a pod on a node its nodeSelector and required node affinity
match and whose taints it tolerates (kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go
NodeShouldRunDaemonPod; akscli.kube.scheduling), so doctor reads the DaemonSet's own selector and
assumes no default.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from akscli.errors import AkscliError

if TYPE_CHECKING:
    from akscli.gpu_nodes import GpuNodes
    from akscli.kube.client import Kube

SHARED_DAEMONSET = "rdma-shared-dp-ds"
SHARED_CONFIG_DIR = "/k8s-rdma-shared-dev-plugin"  # resources_manager.go DefaultConfigFilePath's folder
SHARED_PREFIX = "rdma"  # resources_manager.go rdmaHcaResourcePrefix
SRIOV_DAEMONSETS = "app=sriovdp"
SRIOV_CONFIG_DIR = "/etc/pcidp"  # cmd/sriovdp/main.go defaultConfig's folder
SRIOV_PREFIX = "intel.com"  # cmd/sriovdp/main.go: --resource-prefix's default
CONFIG_FILE = "config.json"
NETWORK_OPERATOR_OWNER = "ds-owner"  # Mellanox/network-operator's label on the DaemonSets it owns
_FEW = 10  # plugin DaemonSets read at most, per kind


@dataclass(frozen=True)
class Plugin:
    """One RDMA device plugin DaemonSet and the RDMA resources its config names."""

    kind: str  # "shared" (the RDMA shared device plugin) or "sriov"
    daemonset: Mapping[str, Any]
    resources: tuple[str, ...]
    config: str = ""  # "namespace/name" of the ConfigMap read, "" where none is mounted or it is gone

    @property
    def namespace(self) -> str:
        return str((self.daemonset.get("metadata") or {}).get("namespace"))

    @property
    def name(self) -> str:
        return str((self.daemonset.get("metadata") or {}).get("name"))

    @property
    def labels(self) -> Mapping[str, str]:
        return (self.daemonset.get("metadata") or {}).get("labels") or {}

    @property
    def network_operator(self) -> bool:
        """Owned by a Network Operator policy (akscli.network_operator judges its rollout)."""
        return NETWORK_OPERATOR_OWNER in self.labels

    @property
    def akscli(self) -> bool:
        from akscli.render import MANAGED_BY

        return self.labels.get(MANAGED_BY) == "akscli"

    @property
    def what(self) -> str:
        plugin = "RDMA shared device plugin" if self.kind == "shared" else "SR-IOV network device plugin"
        by = (
            "deployed by baremetal prepare --rdma"
            if self.akscli
            else f"owned by {self.labels[NETWORK_OPERATOR_OWNER]}"
            if self.network_operator
            else "installed without akscli"
        )
        return f"{plugin}, {by}"

    @property
    def pod_spec(self) -> Mapping[str, Any]:
        return ((self.daemonset.get("spec") or {}).get("template") or {}).get("spec") or {}

    def runs_on(self, node: Mapping[str, Any]) -> bool:
        """Whether the DaemonSet places a pod on ``node``: its nodeSelector and required node affinity
        match the node, and it tolerates the node's NoSchedule and NoExecute taints."""
        from akscli.kube import scheduling

        spec = self.pod_spec
        return scheduling.matches_node_affinity(spec, node) and not scheduling.untolerated_taints(
            node, scheduling.daemon_pod_tolerations(spec)
        )

    def why_not_on(self, node: Mapping[str, Any]) -> str:
        """Why the DaemonSet places no pod on ``node``, in the DaemonSet's own terms."""
        from akscli.kube import scheduling

        spec = self.pod_spec
        labels = (node.get("metadata") or {}).get("labels") or {}
        wanted = spec.get("nodeSelector") or {}
        unmet = [f"{k}={v}" for k, v in wanted.items() if labels.get(k) != str(v)]
        if unmet:
            return f"its nodeSelector asks for {', '.join(unmet)}, which the node lacks"
        if not scheduling.matches_node_affinity(spec, node):
            return "its required node affinity does not match the node"
        taints = scheduling.untolerated_taints(node, scheduling.daemon_pod_tolerations(spec))
        return f"it does not tolerate the node's taint {scheduling.taint_text(taints[0])}" if taints else ""


def find(kube: Kube) -> list[Plugin]:
    """Every RDMA shared device plugin and SR-IOV device plugin DaemonSet (each kind at most
    ``_FEW``), each with the RDMA resources its ConfigMap names; none where they cannot be read."""
    found: list[Plugin] = []
    for kind, query in (
        ("shared", {"field_selector": f"metadata.name={SHARED_DAEMONSET}"}),
        ("sriov", {"label_selector": SRIOV_DAEMONSETS}),
    ):
        try:
            listed = list(islice(kube.list("apps/v1", "DaemonSet", all_namespaces=True, page_size=_FEW, **query), _FEW))
        except AkscliError:
            continue
        found += [_plugin(kube, kind, ds) for ds in listed]
    return found


def of(kube: Kube, nodes: GpuNodes) -> list[Plugin]:
    """The plugins, read once per doctor run (kept on ``nodes``)."""
    if nodes.rdma_plugins is None:
        nodes.rdma_plugins = find(kube)
    return list(nodes.rdma_plugins)


def resources(plugins: Iterable[Plugin]) -> list[str]:
    """The RDMA resource names the plugins advertise, each once, in the order found."""
    return list(dict.fromkeys(name for plugin in plugins for name in plugin.resources))


def _plugin(kube: Kube, kind: str, ds: Mapping[str, Any]) -> Plugin:
    spec = ((ds.get("spec") or {}).get("template") or {}).get("spec") or {}
    mounted = _config_map(spec, SHARED_CONFIG_DIR if kind == "shared" else SRIOV_CONFIG_DIR)
    if mounted is None:
        return Plugin(kind, ds, ())
    name, key = mounted
    namespace = str((ds.get("metadata") or {}).get("namespace"))
    try:
        cm = kube.get("v1", "ConfigMap", name, namespace)
    except AkscliError:
        cm = None
    if cm is None:
        return Plugin(kind, ds, ())
    try:
        config = json.loads(str((cm.get("data") or {}).get(key) or "{}"))
    except ValueError:
        config = {}
    names = _shared_names(config) if kind == "shared" else _sriov_names(config, _prefix_arg(spec))
    return Plugin(kind, ds, tuple(names), f"{namespace}/{name}")


def _config_map(spec: Mapping[str, Any], folder: str) -> tuple[str, str] | None:
    """(ConfigMap name, key projected as config.json) of the volume a container mounts at ``folder``."""
    volumes = {v.get("name"): v for v in spec.get("volumes") or []}
    for container in spec.get("containers") or []:
        for mount in container.get("volumeMounts") or []:
            if str(mount.get("mountPath") or "").rstrip("/") != folder:
                continue
            source = (volumes.get(mount.get("name")) or {}).get("configMap") or {}
            if source.get("name"):
                items = [i for i in source.get("items") or [] if i.get("path") == CONFIG_FILE]
                return str(source["name"]), str(items[0].get("key")) if items else CONFIG_FILE
    return None


# Both plugins refuse a whole config in which one entry's resourceName is empty or has other
# characters, and exit without advertising anything, "Exiting.. one or more invalid configuration(s)
# given" (Mellanox/k8s-rdma-shared-dev-plugin pkg/resources/resources_manager.go validResourceName and
# ValidateConfigs, read by cmd/k8s-rdma-shared-dp/main.go; k8snetworkplumbingwg/sriov-network-device-
# plugin pkg/utils/utils.go ValidResourceName, read by cmd/sriovdp/manager.go validConfigs and main.go).
_RESOURCE_NAME = re.compile(r"[a-zA-Z0-9_]+")


def _entries(config: Any, key: str) -> list[Mapping[str, Any]]:
    """The config's entries; none where the plugin refuses the config (``_RESOURCE_NAME``)."""
    listed = config.get(key) if isinstance(config, Mapping) else None
    entries = [e for e in listed or [] if isinstance(e, Mapping)]
    if not all(_RESOURCE_NAME.fullmatch(str(e.get("resourceName") or "")) for e in entries):
        return []
    return entries


def _advertised(names: Iterable[str]) -> list[str]:
    """The names the kubelet takes: a prefix with which the whole is a qualified name, as its device
    manager requires of a plugin's registration (kubernetes/kubernetes pkg/kubelet/cm/devicemanager/
    plugin/v1beta1/server.go Register: v1helper.IsExtendedResourceName, else errInvalidResourceName).
    A ConfigMap's other text is never offered as a resource, nor repeated in a hint to paste."""
    from akscli.validate import is_label_key

    return [n for n in names if is_label_key(n)]


def _shared_names(config: Any) -> list[str]:
    return _advertised(
        f"{e.get('resourcePrefix') or SHARED_PREFIX}/{e['resourceName']}" for e in _entries(config, "configList")
    )


def _prefix_arg(spec: Mapping[str, Any]) -> str:
    """The SR-IOV plugin's --resource-prefix (``--resource-prefix=X`` or ``--resource-prefix X``)."""
    for container in spec.get("containers") or []:
        args = [str(a) for a in [*(container.get("command") or []), *(container.get("args") or [])]]
        for i, arg in enumerate(args):
            if arg.startswith("--resource-prefix="):
                return arg.split("=", 1)[1]
            if arg == "--resource-prefix" and i + 1 < len(args):
                return args[i + 1]
    return SRIOV_PREFIX


def _rdma_selected(entry: Mapping[str, Any]) -> bool:
    """A selector with isRdma true (Go's encoding/json matches the field IsRdma in any case)."""
    selectors = entry.get("selectors")
    listed = selectors if isinstance(selectors, list) else [selectors]
    return any(
        isinstance(s, Mapping) and any(str(k).lower() == "isrdma" and v is True for k, v in s.items()) for s in listed
    )


def _sriov_names(config: Any, prefix: str) -> list[str]:
    return _advertised(
        f"{e.get('resourcePrefix') or prefix}/{e['resourceName']}"
        for e in _entries(config, "resourceList")
        if _rdma_selected(e)
    )
