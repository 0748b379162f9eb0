"""The RDMA device plugins a cluster runs, however they were installed, the resources each
advertises and the nodes each runs on: for ``baremetal doctor`` and ``akscli doctor`` (through
akscli.gpu.plugin), ``baremetal prepare`` and ``baremetal test nccl``. Plain logic: no Typer, no rich.

Found by what upstream puts on each DaemonSet (one paginated list of the cluster's DaemonSets,
``kind_of``), any namespace:
- the RDMA shared device plugin: a Network Operator policy's, labelled ``ds-owner`` with the pod
  label ``app: rdma-shared-dp{{ .NameSuffix }}`` (Mellanox/network-operator b06827e0
  manifests/state-rdma-shared-device-plugin/0060_rdma-shared-dev-plugin-ds.yaml; a NicNodePolicy's
  is named ``rdma-shared-dp-ds-<hash>`` and labelled ``ds-owner: nnp-<policy>``, pkg/state/state_skel.go
  dsOwnerValue, nameSuffix, hashedNameSuffix); upstream's kustomize one, which has no labels, by its
  name ``rdma-shared-dp-ds`` (Mellanox/k8s-rdma-shared-dev-plugin 410b0f3
  deployment/k8s/base/daemonset.yaml; akscli's templates/baremetal/rdma-shared-device-plugin.yaml.j2
  too); any other (a chart of someone else's) by its image, ``.../k8s-rdma-shared-dev-plugin``;
- the SR-IOV network device plugin: labelled ``app=sriovdp`` (k8snetworkplumbingwg/sriov-network-device-plugin
  40b6f507 deployments/sriovdp-daemonset.yaml; Mellanox/network-operator
  manifests/state-sriov-device-plugin/0030-sriov-dp-daemonset.yaml); the sriov-network-operator's,
  whose DaemonSet has no labels, by its controller reference to the SriovOperatorConfig and its pod
  label ``app: sriov-device-plugin`` (k8snetworkplumbingwg/sriov-network-operator 249e2001
  bindata/manifests/plugins/sriov-device-plugin.yaml; controllers/helper.go syncDsObject
  SetControllerReference); any other by its image, ``.../sriov-network-device-plugin``.

What each advertises is in the ConfigMap its DaemonSet mounts where the plugin reads its config
(one get each): the file its ``--config-file`` names, else the default below (both plugins parse it
with Go's flag package: ``-config-file`` or ``--config-file``, ``=VALUE`` or the next argument;
Mellanox/k8s-rdma-shared-dev-plugin cmd/k8s-rdma-shared-dp/main.go, sriov-network-device-plugin
cmd/sriovdp/main.go), after the kubelet's ``$(VAR)`` expansion from the container's env
(kubernetes/kubernetes pkg/kubelet/container/helpers.go ExpandContainerCommandAndArgs). The
sriov-network-operator's plugin reads ``--config-file=/etc/pcidp/$(NODE_NAME)``, NODE_NAME the pod's
spec.nodeName: its ConfigMap ``device-plugin-config`` holds one config per node, keyed by the node's
name (controllers/sriovnetworknodepolicy_controller.go syncDevicePluginConfigMap), so what it
advertises is read node by node (``Plugin.by_node``).
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
    from akscli.gpu.nodes import GpuNodes
    from akscli.kube.client import Kube

SHARED_DAEMONSET = "rdma-shared-dp-ds"  # the kustomize DaemonSet's name (and akscli's)
SHARED_POD_APP = "rdma-shared-dp"  # 0060_rdma-shared-dev-plugin-ds.yaml: app: rdma-shared-dp{{ .NameSuffix }}
SHARED_IMAGE = "k8s-rdma-shared-dev-plugin"  # deployment/k8s/base/daemonset.yaml's image
SHARED_CONFIG = "/k8s-rdma-shared-dev-plugin/config.json"  # resources_manager.go DefaultConfigFilePath
SHARED_PREFIX = "rdma"  # resources_manager.go rdmaHcaResourcePrefix
SRIOV_APP = "sriovdp"  # the app label of upstream's DaemonSet and the Network Operator's
SRIOV_OPERATOR_POD_APP = "sriov-device-plugin"  # sriov-network-operator plugins/sriov-device-plugin.yaml
SRIOV_OPERATOR_OWNER = "SriovOperatorConfig"  # sriov-network-operator controllers/helper.go syncDsObject
SRIOV_OPERATOR_LABEL = "sriovnetwork.openshift.io/device-plugin"  # its plugin's nodeSelector (constants.go)
SRIOV_IMAGE = "sriov-network-device-plugin"  # deployments/sriovdp-daemonset.yaml's image
SRIOV_CONFIG = "/etc/pcidp/config.json"  # cmd/sriovdp/main.go defaultConfig
SRIOV_PREFIX = "intel.com"  # cmd/sriovdp/main.go: --resource-prefix's default
NETWORK_OPERATOR_OWNER = "ds-owner"  # Mellanox/network-operator's label on the DaemonSets it owns
CLUSTER_POLICY = "NicClusterPolicy"  # its value for a NicClusterPolicy's (state_skel.go dsOwnerValue)
NODE_POLICY_PREFIX = "nnp-"  # and for a NicNodePolicy's: "nnp-" + the policy's name
_PAGE = 100  # DaemonSets read per page
_MOST = 500  # DaemonSets read at most
_NODE = "\0node\0"  # where the node's name goes in a per-node config key


@dataclass(frozen=True)
class Plugin:
    """One RDMA device plugin DaemonSet and the RDMA resources its config names."""

    kind: str  # "shared" (the RDMA shared device plugin) or "sriov"
    daemonset: Mapping[str, Any]
    resources: tuple[str, ...]
    config: str = ""  # "namespace/name" of the ConfigMap read, "" where none is mounted or it is gone
    # A plugin whose config file is named after its node (the sriov-network-operator's): the resources
    # its config names for each node the ConfigMap has a key for; None for one config for all nodes.
    by_node: Mapping[str, tuple[str, ...]] | None = None

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
        """Owned by a NicClusterPolicy, whose states akscli.gpu.network_operator judges (it reads no
        NicNodePolicy, so a NicNodePolicy's plugin gets its own rollout row)."""
        return self.labels.get(NETWORK_OPERATOR_OWNER) == CLUSTER_POLICY

    @property
    def akscli(self) -> bool:
        from akscli.render import MANAGED_BY

        return self.labels.get(MANAGED_BY) == "akscli"

    @property
    def what(self) -> str:
        plugin = "RDMA shared device plugin" if self.kind == "shared" else "SR-IOV network device plugin"
        owner = str(self.labels.get(NETWORK_OPERATOR_OWNER) or "")
        operator = _controller(self.daemonset, SRIOV_OPERATOR_OWNER)
        by = (
            "deployed by baremetal prepare --rdma"
            if self.akscli
            else f"owned by NicNodePolicy {owner.removeprefix(NODE_POLICY_PREFIX)}"
            if owner.startswith(NODE_POLICY_PREFIX)
            else f"owned by {owner}"
            if owner
            else f"owned by the sriov-network-operator's SriovOperatorConfig {operator}"
            if operator
            else "installed without akscli"
        )
        return f"{plugin}, {by}"

    def resources_on(self, node: str) -> tuple[str, ...] | None:
        """What the plugin advertises on ``node`` where its config is per node, else None."""
        return None if self.by_node is None else self.by_node.get(node, ())

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
    """Every RDMA shared device plugin and SR-IOV device plugin DaemonSet (``kind_of``; of the first
    ``_MOST`` DaemonSets), each with the RDMA resources its ConfigMap names; none where they cannot be read."""
    try:
        listed = list(islice(kube.list("apps/v1", "DaemonSet", all_namespaces=True, page_size=_PAGE), _MOST))
    except AkscliError:
        return []
    return [_plugin(kube, kind, ds) for ds in listed if (kind := kind_of(ds))]


def kind_of(ds: Mapping[str, Any]) -> str | None:
    """ "shared" or "sriov" where the DaemonSet runs one of the plugins, by what upstream puts on it
    (the module docstring); None for any other."""
    meta = ds.get("metadata") or {}
    labels = meta.get("labels") or {}
    template = (ds.get("spec") or {}).get("template") or {}
    app = str(((template.get("metadata") or {}).get("labels") or {}).get("app") or "")
    images = {_image_name(c) for c in (template.get("spec") or {}).get("containers") or []}
    if labels.get("app") == SRIOV_APP or SRIOV_IMAGE in images:
        return "sriov"
    if app == SRIOV_OPERATOR_POD_APP and _controller(ds, SRIOV_OPERATOR_OWNER):
        return "sriov"
    if NETWORK_OPERATOR_OWNER in labels and (app == SHARED_POD_APP or app.startswith(SHARED_POD_APP + "-")):
        return "shared"
    if meta.get("name") == SHARED_DAEMONSET or SHARED_IMAGE in images:
        return "shared"
    return None


def _image_name(container: Mapping[str, Any]) -> str:
    """The image's last path part without its tag or digest: ``ghcr.io/a/b:v1`` is ``b``."""
    return str(container.get("image") or "").split("@")[0].rsplit("/", 1)[-1].split(":")[0]


def _controller(obj: Mapping[str, Any], kind: str) -> str:
    """The name of the object's controller of ``kind``, "" where it has none."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("kind") == kind and ref.get("controller"):
            return str(ref.get("name") or "")
    return ""


def of(kube: Kube, nodes: GpuNodes) -> list[Plugin]:
    """The plugins, read once per doctor run (kept on ``nodes``)."""
    if nodes.rdma_plugins is None:
        nodes.rdma_plugins = find(kube)
    return list(nodes.rdma_plugins)


def resources(plugins: Iterable[Plugin]) -> list[str]:
    """The RDMA resource names the plugins advertise, each once, in the order found."""
    return list(dict.fromkeys(name for plugin in plugins for name in plugin.resources))


# What makes a node's config name an RDMA resource under the sriov-network-operator: it writes each
# node's entries from the SriovNetworkNodePolicies whose nodeSelector selects the node, isRdma from the
# policy's spec.isRdma (k8snetworkplumbingwg/sriov-network-operator controllers/
# sriovnetworknodepolicy_controller.go renderDevicePluginConfigData, api/v1/sriovnetworknodepolicy_types.go).
NODE_POLICY_FIX = "create a SriovNetworkNodePolicy with isRdma: true whose nodeSelector selects"
_NAMED = 5  # node names given in a hint; the rest are counted


def per_node(plugins: Iterable[Plugin], nodes: Iterable[str] | None = None) -> str | None:
    """Which nodes the first plugin with a config per node (the sriov-network-operator's) gives an RDMA
    resource and which none: of ``nodes``, else of the nodes its ConfigMap has a key for. None where no
    plugin reads a config per node."""
    plugin = next((p for p in plugins if p.by_node is not None), None)
    if plugin is None or plugin.by_node is None:
        return None
    names = list(dict.fromkeys(nodes if nodes is not None else plugin.by_node))
    have = [n for n in names if plugin.by_node.get(n)]
    lack = [n for n in names if not plugin.by_node.get(n)]
    given = f"gives {', '.join(plugin.resources)} to {few(have)}" if have else "gives no RDMA resource to"
    text = f"daemonset {plugin.namespace}/{plugin.name}'s config (ConfigMap {plugin.config}) {given}"
    if lack:
        text += f"{' and none to' if have else ''} {few(lack)}: {NODE_POLICY_FIX} {'it' if len(lack) == 1 else 'them'}"
    return text


def few(names: list[str]) -> str:
    """The first names, then "and N more"."""
    more = len(names) - _NAMED
    return ", ".join(names[:_NAMED]) + (f" and {more} more" if more > 0 else "")


def _plugin(kube: Kube, kind: str, ds: Mapping[str, Any]) -> Plugin:
    spec = ((ds.get("spec") or {}).get("template") or {}).get("spec") or {}
    mounted = _config_source(spec, SHARED_CONFIG if kind == "shared" else SRIOV_CONFIG)
    if mounted is None:
        return Plugin(kind, ds, ())
    name, key, prefix = mounted
    namespace = str((ds.get("metadata") or {}).get("namespace"))
    try:
        cm = kube.get("v1", "ConfigMap", name, namespace)
    except AkscliError:
        cm = None
    if cm is None:
        return Plugin(kind, ds, ())
    data = {str(k): str(v) for k, v in ((cm.get("data") or {}).items())}
    if _NODE not in key:
        names = _names(kind, data.get(key), prefix)
        return Plugin(kind, ds, tuple(names), f"{namespace}/{name}")
    head, tail = key.split(_NODE, 1)
    by_node = {
        k[len(head) : len(k) - len(tail)]: tuple(_names(kind, v, prefix))
        for k, v in data.items()
        if k.startswith(head) and k.endswith(tail) and len(k) > len(head) + len(tail)
    }
    everywhere = [n for names in by_node.values() for n in names]
    return Plugin(kind, ds, tuple(dict.fromkeys(everywhere)), f"{namespace}/{name}", by_node)


def _names(kind: str, text: str | None, prefix: str) -> list[str]:
    try:
        config = json.loads(text or "{}")
    except ValueError:
        config = {}
    return _shared_names(config) if kind == "shared" else _sriov_names(config, prefix)


def _config_source(spec: Mapping[str, Any], default: str) -> tuple[str, str, str] | None:
    """(ConfigMap name, key, --resource-prefix) of the config file a container of the plugin reads:
    its ``--config-file`` (else ``default``) under a ConfigMap volume it mounts. The key holds
    ``_NODE`` where the file is named after the node the pod runs on."""
    volumes = {v.get("name"): v for v in spec.get("volumes") or []}
    for container in spec.get("containers") or []:
        path = _expand(_flag(container, "config-file") or default, container)
        if found := _mounted(container, volumes, path):
            return (*found, _flag(container, "resource-prefix") or SRIOV_PREFIX)
    return None


def _flag(container: Mapping[str, Any], name: str) -> str | None:
    """The value of a Go flag (``-name=V``, ``--name=V``, ``-name V`` or ``--name V``) the container
    is started with (its command, then its args, as the kubelet runs them); the last one wins."""
    args = [str(a) for a in [*(container.get("command") or []), *(container.get("args") or [])]]
    value = None
    for i, arg in enumerate(args):
        for dashes in ("--", "-"):
            if arg.startswith(f"{dashes}{name}="):
                value = arg.split("=", 1)[1]
            elif arg == f"{dashes}{name}" and i + 1 < len(args):
                value = args[i + 1]
    return value


def _expand(path: str, container: Mapping[str, Any]) -> str:
    """``$(VAR)`` in the path as the kubelet expands it from the container's env: a value, or
    ``_NODE`` for a variable set from the pod's ``spec.nodeName``; any other is left as written
    (kubernetes/kubernetes third_party/forked/golang/expansion/expand.go MappingFuncFor)."""

    def value(match: re.Match[str]) -> str:
        for env in container.get("env") or []:
            if env.get("name") == match.group(1):
                field = ((env.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath")
                return _NODE if field == "spec.nodeName" else str(env.get("value") or "")
        return match.group(0)

    return re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)", value, path)


def _mounted(container: Mapping[str, Any], volumes: Mapping[Any, Any], path: str) -> tuple[str, str] | None:
    """(ConfigMap name, key) of the file at ``path`` under the container's deepest mount above it:
    the key an item projects at that path, else the path itself (a ConfigMap volume without items
    holds each key as a file of its name)."""
    mounts = [
        m
        for m in container.get("volumeMounts") or []
        if (at := str(m.get("mountPath") or "").rstrip("/")) and (path == at or path.startswith(at + "/"))
    ]
    if not mounts:
        return None
    mount = max(mounts, key=lambda m: len(str(m.get("mountPath")).rstrip("/")))
    source = (volumes.get(mount.get("name")) or {}).get("configMap") or {}
    if not source.get("name"):
        return None
    relative = path[len(str(mount["mountPath"]).rstrip("/")) :].lstrip("/")
    relative = "/".join(p for p in (str(mount.get("subPath") or "").strip("/"), relative) if p)
    items = source.get("items") or []
    if items:
        keys = [str(i.get("key")) for i in items if str(i.get("path") or "").strip("/") == relative]
        return (str(source["name"]), keys[0]) if keys else None
    return str(source["name"]), relative


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
