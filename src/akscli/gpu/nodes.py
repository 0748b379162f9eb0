"""What the GPU nodes say about who set them up, counted node by node from a full scan or a sample,
for the rules of akscli.gpu.stack (moved out of gpu/stack.py, which neared 600 lines). Plain logic:
no Typer, no rich."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akscli.gpu.devices import NodeGpus

HELD_SHOWN = 3  # nodes named where GPU Operator labels keep operands off them
# The MIG manager's labels (upstream: NVIDIA/mig-parted bd7160f cmd/nvidia-mig-manager/main.go
# MigConfigLabel, the layout asked for, which the GPU Operator's labeller defaults to all-disabled;
# pkg/mig/reconfigure/reconfigure.go migConfigStateLabel: "pending" once the layout is valid and
# not yet applied, then "rebooting", "success" or "failed").
MIG_CONFIG, MIG_STATE = "nvidia.com/mig.config", "nvidia.com/mig.config.state"
MIG_STUCK = ("failed", "pending")  # the states doctor names
MIG_LOOKED = 20  # pending nodes doctor looks into (one pod list each)
# The MIG manager's field manager: client-go's default user agent up to "/", the binary the
# DaemonSet's entrypoint execs (upstream: kubernetes/apiserver pkg/endpoints/handlers/create.go
# managerOrUserAgent, kubernetes/client-go rest/config.go DefaultKubernetesUserAgent,
# NVIDIA/gpu-operator a22dbf6 assets/state-mig-manager/0420_configmap.yaml "exec nvidia-mig-manager").
MIG_MANAGER = "nvidia-mig-manager"
# AKS's Node Problem Detector's node condition for XID errors (akscli.gpu.xid).
XID_CONDITION = "XIDErrors"
# A managed GPU node (az aks nodepool add --enable-managed-gpu): AKS runs the device plugin on the node as the
# nvidia-device-plugin systemd service, not in a pod, and labels the node (upstream: Azure/AgentBaker 0036c8f2
# parts/linux/cloud-init/artifacts/cse_config.sh configureManagedGPUExperience addKubeletNodeLabel
# "kubernetes.azure.com/dcgm-exporter=enabled", startNvidiaManagedExpServices "systemctlEnableAndStart
# nvidia-device-plugin"; MicrosoftDocs/azure-aks-docs articles/aks/aks-managed-gpu-nodes.md).
MANAGED_GPU_LABEL, MANAGED_GPU_VALUE = "kubernetes.azure.com/dcgm-exporter", "enabled"
MANAGED_PLUGIN_SERVICE = "nvidia-device-plugin"
# NFD's label for a node with a Mellanox (15b3) PCI function (kubernetes-sigs/node-feature-discovery
# source/custom/static_features.go), the default nodeSelector of akscli's RDMA shared device plugin.
RDMA_CAPABLE = "feature.node.kubernetes.io/rdma.capable"


def xid_marked(node: dict[str, Any]) -> bool:
    """Whether the node's XIDErrors condition is True."""
    conditions = (node.get("status") or {}).get("conditions") or []
    return any(c.get("type") == XID_CONDITION and c.get("status") == "True" for c in conditions)


@dataclass
class GpuNodes:
    """What the GPU nodes say about who set them up (from a full scan or a sample)."""

    nodes: int = 0
    advertising: int = 0  # nodes whose device plugin advertises GPUs
    dra: bool = False  # none does, and a DRA driver publishes GPUs in ResourceSlices instead
    aks: int = 0  # nodes AKS labels as GPU nodes (kubernetes.azure.com/accelerator)
    managed: int = 0  # managed GPU nodes (MANAGED_GPU_LABEL): AKS runs the device plugin on the node
    vendors: set[str] = field(default_factory=set)
    # GPU nodes that advertise no GPU because a GPU Operator label keeps an operand off them
    # (gpus.operand_hold): how many, and the first few by name with the label.
    held: int = 0
    held_names: list[tuple[str, str]] = field(default_factory=list)  # (node, label=value)
    # GPU nodes whose MIG layout failed or is pending, by state: how many, the first few (node, layout).
    mig: dict[str, int] = field(default_factory=dict)
    mig_names: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # The first MIG_LOOKED pending nodes, each with its last write by the MIG manager (its managedFields
    # time) or "" where managedFields has none (akscli.gpu.mig then dates the change by its GPU client
    # pods' deletion): doctor reads each one's GPU client pods to tell a change under way from one stuck.
    mig_since: dict[str, str] = field(default_factory=dict)
    # GPU nodes (no operand held off them) whose device plugin stopped: "stopped", GPUs in capacity and
    # none allocatable (the kubelet's grace period); "dropped", nvidia.com/gpu written as capacity 0
    # (the grace period over); "unhealthy", some GPUs allocatable and fewer than in capacity (the
    # plugin marked the others unhealthy: an XID error). How many, the first few (node, capacity,
    # allocatable). akscli.gpu.plugin judges them.
    plugin: dict[str, int] = field(default_factory=dict)
    plugin_names: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)
    # Of the "unhealthy" nodes listed, those with MIG devices: the MIG resources short of their
    # capacity ("nvidia.com/mig-1g.10gb 55 of 56"); the plugin marks one MIG device per XID.
    plugin_mig: dict[str, str] = field(default_factory=dict)
    # Of the nodes listed, the managed GPU nodes (MANAGED_GPU_LABEL): no plugin pod is looked for there.
    plugin_managed: set[str] = field(default_factory=set)
    # doctor's sample only (baremetal doctor reads the condition on every node itself, check
    # aks-gpu-health): GPU nodes whose XIDErrors condition (AKS's Node Problem Detector) is True,
    # how many, the first few, and every one's name (few: akscli.gpu.xid reads the events for others).
    xid: int = 0
    xid_names: list[str] = field(default_factory=list)
    xid_seen: set[str] = field(default_factory=set)
    xid_unread: int = 0  # more nodes recent events name than doctor looked at
    # The RDMA device plugins (akscli.gpu.rdma_plugins.find), read once by whoever needs them first.
    rdma_plugins: list[Any] | None = None

    def add_xid(self, node: dict[str, Any]) -> None:
        """Count the node where its XIDErrors condition is True, once."""
        name = str((node.get("metadata") or {}).get("name"))
        if name in self.xid_seen or not xid_marked(node):
            return
        self.xid_seen.add(name)
        self.xid += 1
        if len(self.xid_names) < HELD_SHOWN:
            self.xid_names.append(name)

    def add(self, node: dict[str, Any], facts: NodeGpus | None = None) -> None:
        """Count the node in. ``facts``: its ``devices.read``, where the caller has it already
        (baremetal doctor reads each of 75,000 nodes once, not twice)."""
        from akscli.gpu import devices as gpus

        if facts is None:
            facts = gpus.read(node)
        if not facts.is_gpu_node:
            return
        self.nodes += 1
        self.vendors.add(facts.vendor)
        self.advertising += 1 if facts.allocatable or facts.capacity else 0
        self.aks += 1 if gpus.AKS_ACCELERATOR in gpus.labels_of(node) else 0
        self.managed += 1 if gpus.labels_of(node).get(MANAGED_GPU_LABEL) == MANAGED_GPU_VALUE else 0
        name = str((node.get("metadata") or {}).get("name"))
        hold = gpus.operand_hold(node) if not facts.allocatable else ""
        if hold:
            self.held += 1
            if len(self.held_names) < HELD_SHOWN:
                self.held_names.append((name, hold))
        if not hold and facts.vendor == "nvidia" and (gone := _plugin_gone(node, facts)):
            self.plugin[gone] = self.plugin.get(gone, 0) + 1
            if len(listed := self.plugin_names.setdefault(gone, [])) < HELD_SHOWN:
                listed.append((name, facts.capacity, facts.allocatable))
                if gone == "unhealthy" and facts.sharing in (gpus.MIG_SINGLE, gpus.MIG_MIXED):
                    self.plugin_mig[name] = _short(node)
                if gpus.labels_of(node).get(MANAGED_GPU_LABEL) == MANAGED_GPU_VALUE:
                    self.plugin_managed.add(name)
        labels = gpus.labels_of(node)
        if (state := labels.get(MIG_STATE, "")) in MIG_STUCK:
            self.mig[state] = self.mig.get(state, 0) + 1
            if len(shown := self.mig_names.setdefault(state, [])) < HELD_SHOWN:
                shown.append((name, labels.get(MIG_CONFIG, "")))
            if state == "pending" and len(self.mig_since) < MIG_LOOKED:
                self.mig_since[name] = _written_by(node, MIG_MANAGER)


def _plugin_gone(node: dict[str, Any], facts: Any) -> str:
    """ "stopped" where the node has GPUs and none allocatable, "dropped" where it has none and its
    nvidia.com/gpu capacity is written as 0, "" otherwise (upstream: kubernetes/kubernetes 0022bec3
    pkg/kubelet/cm/devicemanager/manager.go GetCapacity: a stopped plugin's devices are unhealthy,
    counted in capacity only, until stopGracePeriodExpired, five minutes; then the resource is
    deleted and pkg/kubelet/nodestatus/setters.go MachineInfo writes its capacity as 0, "to indicate
    that the resource is managed by device plugin and had been registered before"). "unhealthy" where
    some are allocatable and fewer than in capacity: GetCapacity counts unhealthy devices in capacity
    only, and a running plugin marks a GPU unhealthy on an XID error (NVIDIA/k8s-device-plugin
    1b826acc6 internal/rm/health.go checkHealth, internal/plugin/server.go ListAndWatch)."""
    if facts.capacity and not facts.allocatable:
        return "stopped"
    if 0 < facts.allocatable < facts.capacity:
        return "unhealthy"
    capacity = (node.get("status") or {}).get("capacity") or {}
    return "dropped" if not facts.capacity and str(capacity.get("nvidia.com/gpu", "")) == "0" else ""


def _short(node: dict[str, Any]) -> str:
    """The NVIDIA resources with fewer allocatable than in capacity: "name N of M", comma-separated."""
    status = node.get("status") or {}
    capacity, allocatable = status.get("capacity") or {}, status.get("allocatable") or {}
    return ", ".join(
        f"{name} {allocatable.get(name, 0)} of {total}"
        for name, total in sorted(capacity.items())
        if name.startswith("nvidia.com/")
        and str(allocatable.get(name, "0")).isdigit()
        and str(total).isdigit()
        and int(allocatable.get(name, 0)) < int(total)
    )


def _written_by(node: dict[str, Any], manager: str) -> str:
    """When ``manager`` last changed fields of the node (its Update entry's managedFields time: "updated
    if ... the manager changes any of the owned fields value", kubernetes/api meta/v1 types.go
    ManagedFieldsEntry.Time); "" where it has none."""
    for entry in (node.get("metadata") or {}).get("managedFields") or []:
        if entry.get("manager") == manager and entry.get("operation") == "Update" and not entry.get("subresource"):
            return str(entry.get("time") or "")
    return ""
