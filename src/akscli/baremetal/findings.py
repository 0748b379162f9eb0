"""What ``baremetal doctor`` reports and how it gathers it: a finding (a count and the first few
node names), a pool's counters, the options, the report, and the collector that folds every node's
findings into one per (check, pool, message), so memory stays proportional to pools x findings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from akscli.statuslines import as_invoked

# What ``baremetal test nccl`` asks each pod for without --rdma-resource (akscli.baremetal.nccl).
NCCL_RDMA_RESOURCE = "rdma/rdma_shared_device_a"
DEFAULT_RDMA_RESOURCES = ("rdma/rdma_shared_device_a", "rdma/ib", "rdma/shared_ib", "rdma/hca_shared_devices_a")
# Where the RDMA shared device plugin registered a resource with no device (capacity 0): it found
# no RDMA device for it, and logged so (Mellanox/k8s-rdma-shared-dev-plugin 410b0f3
# pkg/resources/server.go newResourceServer). An HCA has its uverbs and rdma_cm devices
# (pkg/resources/rdma_device_spec.go) only with ib_uverbs and rdma_ucm loaded, NFD's rdma.available
# (kubernetes-sigs/node-feature-discovery source/custom/static_features.go). A plugin stopped for over
# five minutes leaves capacity 0 too (kubernetes/kubernetes pkg/kubelet/nodestatus/setters.go MachineInfo).
NO_RDMA_DEVICE_FIX = (
    "the plugin found no RDMA device there: check that the HCAs' RDMA modules are loaded (ib_uverbs, "
    "rdma_ucm: NFD's label feature.node.kubernetes.io/rdma.available) and that its selectors match them "
    "(its pods log 'no Rdma Devices were found for resource')"
)
# Where an RDMA resource has devices (capacity) and none allocatable: the kubelet marked them all
# unhealthy when the plugin's endpoint stopped (kubernetes/kubernetes 0022bec3
# pkg/kubelet/cm/devicemanager/manager.go markResourceUnhealthy; GetCapacity: allocatable counts healthy
# devices only), and drops the resource five minutes later (stopGracePeriodExpired). The RDMA shared
# device plugin never marks a device unhealthy itself: nothing writes the health channel its ListAndWatch
# reads (Mellanox/k8s-rdma-shared-dev-plugin 410b0f3 pkg/resources/server.go).
RDMA_PLUGIN_STOPPED_FIX = (
    "the RDMA device plugin that registered them stopped (the kubelet holds its devices unhealthy): check its "
    "pod on the node (kubectl get pods -A -o wide --field-selector spec.nodeName=NODE); once it runs and "
    "registers again its devices are allocatable"
)
# Node conditions that AKS's node problem detector sets on GPU nodes
# (https://learn.microsoft.com/azure/aks/node-problem-detector).
AKS_GPU_CONDITIONS = (
    "GPUMissing",
    "NVLinkStatusInactive",
    "XIDErrors",
    "IBLinkFlapping",
    "UnhealthyNvidiaDevicePlugin",
    "UnhealthyNvidiaDCGMServices",
    "GPUClockThrottling",
)
SAMPLE = 5


@dataclass
class Finding:
    check: str
    severity: str
    scope: str  # "cluster", "pool", "node"
    pool: str | None
    message: str
    fix: str
    count: int = 0
    nodes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity,
            "scope": self.scope,
            "pool": self.pool,
            "message": self.message,
            "fix": self.fix,
            "count": self.count,
            "nodes": self.nodes,
        }


@dataclass
class PoolStats:
    pool: str
    vm_size: str | None = None
    nodes: int = 0
    gpu_nodes: int = 0
    ready: int = 0
    gpu_capacity: int = 0
    gpu_allocatable: int = 0
    shared_capacity: int = 0  # of gpu_capacity, the MIG devices and shared replicas (not whole GPUs)
    expected_gpus: int = 0
    rdma_nodes: int = 0
    drivers: Counter[str] = field(default_factory=Counter)
    sizes: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pool": self.pool,
            "vm_size": self.vm_size,
            "nodes": self.nodes,
            "gpu_nodes": self.gpu_nodes,
            "ready": self.ready,
            "gpu_capacity": self.gpu_capacity,
            "gpu_allocatable": self.gpu_allocatable,
            "shared_capacity": self.shared_capacity,
            "expected_gpus": self.expected_gpus,
            "rdma_nodes": self.rdma_nodes,
            "drivers": dict(self.drivers.most_common()),
        }


@dataclass
class Options:
    rdma_resources: Sequence[str] = DEFAULT_RDMA_RESOURCES
    operator_namespace: str | None = None  # None: where the GPU Operator's pod runs
    gpu_conditions: Sequence[str] = AKS_GPU_CONDITIONS
    expect_rdma: bool | None = None  # None: expect it where the VM size has InfiniBand
    gfd_expected: bool = True  # GPU feature discovery runs (it comes with the GPU Operator)
    label_selector: str | None = None
    page_size: int = 500
    # The RDMA device plugins found (akscli.gpu.rdma_plugins.Plugin), read by diagnose before the nodes.
    rdma_plugins: Sequence[Any] = ()
    # Why a plugin's RDMA resource has capacity 0 on a node (akscli.baremetal.rdma_stopped.Causes).
    rdma_causes: Any = None
    # The sriov-network-operator's config and its failing node states (akscli.baremetal.sriov_state).
    sriov: Any = None
    # RDMA resource -> GPU nodes on which it is allocatable (for nccl_resource).
    offered: Counter[str] = field(default_factory=Counter)


@dataclass
class Report:
    findings: list[Finding]
    pools: list[PoolStats]
    nodes_seen: int
    gpu_nodes: int
    pages: int

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def blocking_line(self) -> str:
        """``N blocking finding(s) on M node(s) and K cluster-wide``: M counts each node once, where
        two findings (a node short of GPUs and without its RDMA resource) name the same one; a finding
        keeps only its first node names, so past them M is a lower bound ("at least"). With no node
        finding: ``N blocking finding(s), all cluster-wide``."""
        names: set[str] = set()
        least = cluster = 0
        partial = False
        for f in self.blocking:
            if f.scope == "cluster":
                cluster += 1
                continue
            names.update(f.nodes)
            least = max(least, f.count)
            partial = partial or f.count > len(f.nodes)
        shown = max(len(names), least)
        if cluster and not shown:  # "on 2 cluster-wide" named no place: every one is the cluster's
            return f"{len(self.blocking)} blocking finding(s), all cluster-wide"
        where = []
        if shown:
            where.append(f"{'at least ' if partial else ''}{shown} node(s)")
        if cluster:
            where.append(f"{cluster} cluster-wide")
        return f"{len(self.blocking)} blocking finding(s)" + (f" on {' and '.join(where)}" if where else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": {
                "nodes": self.nodes_seen,
                "gpu_nodes": self.gpu_nodes,
                "pages": self.pages,
                "errors": len(self.blocking),
                "warnings": sum(1 for f in self.findings if f.severity == "warning"),
                "ok": not self.blocking,
            },
            "pools": [p.to_dict() for p in self.pools],
            "findings": [f.to_dict() for f in self.findings],
        }


class Collector:
    """Findings keyed by (check, pool, message) with a count and a few sample nodes."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, str | None, str], Finding] = {}

    def add(
        self,
        check: str,
        severity: str,
        scope: str,
        pool: str | None,
        message: str,
        fix: str,
        node: str | None = None,
        count: int = 1,
    ) -> None:
        key = (check, pool, message)
        finding = self.found.get(key)
        if finding is None:
            # A fix that runs akscli names it as akscli was run (kubectl akscli under kubectl).
            finding = self.found[key] = Finding(check, severity, scope, pool, message, as_invoked(fix))
        finding.count += count
        if node is not None and len(finding.nodes) < SAMPLE:
            finding.nodes.append(node)

    def sorted(self) -> list[Finding]:
        order = {"error": 0, "warning": 1, "info": 2}
        return sorted(self.found.values(), key=lambda f: (order.get(f.severity, 3), f.check, f.pool or "", f.message))


def nccl_resource(offered: Counter[str], out: Collector) -> None:
    """Where GPU nodes offer RDMA under other names only, the finding that ``baremetal test nccl`` needs
    --rdma-resource: its default, NCCL_RDMA_RESOURCE, is a resource no node advertises, so its run is
    refused (a pod asking for it would never be scheduled: kubernetes/kubernetes
    pkg/scheduler/framework/plugins/noderesources/fit.go fitsRequest, "Insufficient <resource>")."""
    if not offered or NCCL_RDMA_RESOURCE in offered:
        return
    name, nodes = offered.most_common(1)[0]
    others = "".join(f", {r} ({n})" for r, n in offered.most_common()[1:])
    out.add(
        "nccl-rdma-resource",
        "info",
        "cluster",
        None,
        f"no GPU node offers {NCCL_RDMA_RESOURCE}, the RDMA resource 'baremetal test nccl' asks for by default; "
        f"they offer {name} ({nodes} node{'s' if nodes != 1 else ''}){others}",
        f"akscli baremetal test nccl --rdma-resource {name}",
        count=nodes,
    )
