"""``baremetal doctor``: is this cluster ready for GPU work, node by node and pool by pool?

Nodes are streamed page by page and never held all at once: per pool the doctor keeps counters,
a tally of driver versions and, per finding, a count plus the first few node names. Memory stays
proportional to pools x findings, so 75,000 nodes cost the same as 75.

Severity: ``error`` blocks GPU work (the command exits non-zero, so a runbook can gate on it),
``warning`` is worth fixing, ``info`` is context.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from akscli.baremetal import rdma_stopped, sriov_state
from akscli.baremetal.findings import DEFAULT_RDMA_RESOURCES as DEFAULT_RDMA_RESOURCES
from akscli.baremetal.findings import NO_RDMA_DEVICE_FIX, RDMA_PLUGIN_STOPPED_FIX, Collector, PoolStats, nccl_resource
from akscli.baremetal.findings import SAMPLE as SAMPLE
from akscli.baremetal.findings import Finding as Finding
from akscli.baremetal.findings import Options as Options
from akscli.baremetal.findings import Report as Report
from akscli.errors import AuthError, NotFoundError
from akscli.gpu import devices as gpus
from akscli.gpu import dra as gpu_dra
from akscli.gpu import rdma_plugins
from akscli.gpu import stack as gpu_stack
from akscli.gpu.nodes import RDMA_CAPABLE as RDMA_CAPABLE

if TYPE_CHECKING:
    from akscli.kube.client import Kube

GPU = "nvidia.com/gpu"
POOL_LABELS = ("kubernetes.azure.com/agentpool", "agentpool", "karpenter.sh/nodepool")
SIZE_LABEL = "node.kubernetes.io/instance-type"
GPU_FEATURE_LABELS = ("nvidia.com/gpu.product", "nvidia.com/gpu.count", "nvidia.com/gpu.memory")
RDMA_AVAILABLE = "feature.node.kubernetes.io/rdma.available"
GPU_TAINT_KEYS = ("nvidia.com/gpu", "amd.com/gpu", "sku")
PRESSURE_CONDITIONS = ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")


# ---- facts about one node ---------------------------------------------------------------------


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


def _labels(node: Mapping[str, Any]) -> Mapping[str, str]:
    return (node.get("metadata") or {}).get("labels") or {}


def pool_of(node: Mapping[str, Any]) -> str:
    labels = _labels(node)
    for key in POOL_LABELS:
        if labels.get(key):
            return str(labels[key])
    return "(no pool)"


@lru_cache(maxsize=512)  # a handful of sizes, asked once per node: 75,000 times
def expected_gpus(vm_size: str | None) -> int:
    """GPUs the VM size has, from the SKU table (or the interconnect table), 0 when unknown."""
    from akscli.baremetal import nccl

    return nccl.size_gpus(vm_size)


@lru_cache(maxsize=512)
def has_infiniband(vm_size: str | None) -> bool:
    from akscli.baremetal import nccl_expected

    info = nccl_expected.interconnect(vm_size) if vm_size else None
    return bool(info and info.ib_hcas)


def driver_version(labels: Mapping[str, str]) -> str | None:
    """The driver version GPU Feature Discovery labels the node with."""
    full = labels.get("nvidia.com/cuda.driver-version.full")
    if full:
        return full
    parts = [labels.get(f"nvidia.com/cuda.driver.{p}") for p in ("major", "minor", "rev")]
    if parts[0] and parts[1]:
        return ".".join(p for p in parts if p)
    return None


def is_gpu_node(node: Mapping[str, Any], want: int | None = None) -> bool:
    """A node with GPUs advertised, labelled, or implied by its VM size (any vendor)."""
    if gpus.read(node).is_gpu_node:
        return True
    if want is None:
        want = expected_gpus(gpus.vm_size_of(_labels(node)))
    return want > 0


def _conditions(node: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(c.get("type")): c for c in (node.get("status") or {}).get("conditions") or []}


def check_node(
    node: Mapping[str, Any],
    stats: PoolStats,
    out: Collector,
    opts: Options,
    dra: Mapping[str, gpu_dra.DraNode] | None = None,
) -> gpus.NodeGpus:
    """Count the node into its pool's stats and add a finding for each problem it has. ``dra``:
    the GPUs a DRA driver publishes per node name (akscli.gpu.dra), which no node resource shows.
    Returns the node's GPU facts as its own resources and labels give them (``devices.read``,
    without the DRA ones), which ``GpuNodes.add`` takes rather than reading them again."""
    name = str((node.get("metadata") or {}).get("name"))
    labels = _labels(node)
    size = labels.get(SIZE_LABEL)
    conditions = _conditions(node)
    stats.nodes += 1
    if size:
        stats.sizes[size] += 1
    _check_node_health(name, stats, conditions, out)
    read = facts = gpus.read(node)
    if dra and name in dra:
        facts = gpus.with_dra(facts, dra[name])
    want = facts.expected or expected_gpus(size)
    if not (facts.is_gpu_node or want):
        return read
    _check_gpu_devices(facts, name, size, want, stats, out)
    _check_gpu_health(name, stats.pool, conditions, opts, out)
    _check_gpu_setup(node, name, labels, facts, stats, opts, out)
    _check_rdma(node, name, labels, size, stats, opts, out)
    if opts.sriov is not None:
        rdma_expected = opts.expect_rdma if opts.expect_rdma is not None else has_infiniband(size)
        opts.sriov.check(node, stats.pool, rdma_expected, out)
    return read


def _check_node_health(
    name: str, stats: PoolStats, conditions: Mapping[str, Mapping[str, Any]], out: Collector
) -> None:
    pool = stats.pool
    if conditions.get("Ready", {}).get("status") == "True":
        stats.ready += 1
    else:
        out.add(
            "node-ready",
            "error",
            "node",
            pool,
            "node is NotReady",
            "kubectl describe node NODE; check the kubelet and the node's VM in Azure",
            name,
        )
    for ctype in PRESSURE_CONDITIONS:
        if conditions.get(ctype, {}).get("status") == "True":
            out.add(
                "node-pressure",
                "error",
                "node",
                pool,
                f"node reports {ctype}",
                "free memory/disk/PIDs on the node, or move workloads away (kubectl drain)",
                name,
            )


def _check_gpu_devices(
    facts: gpus.NodeGpus, name: str, size: str | None, want: int, stats: PoolStats, out: Collector
) -> None:
    """GPU units advertised and allocatable against what the VM size has. Units are whole GPUs,
    or MIG devices / shared replicas (``akscli.gpu.devices``): those are never compared with the VM's
    GPU count, only checked for being advertised and allocatable."""
    cap, alloc = facts.capacity, facts.allocatable
    resource = gpus.AMD if facts.vendor == "amd" else gpus.NVIDIA
    pool = stats.pool
    stats.gpu_nodes += 1
    stats.gpu_capacity += cap
    stats.gpu_allocatable += alloc
    if facts.sharing not in gpus.WHOLE_GPU_SHARING:
        stats.shared_capacity += cap
    stats.expected_gpus += want
    if cap == 0:
        out.add(
            "gpu-capacity",
            "error",
            "node",
            pool,
            f"GPU node advertises no {resource} capacity"
            + ("" if facts.vendor == "amd" else " (nor MIG devices nvidia.com/mig-*)"),
            "the AMD GPU device plugin is not running on the node (ROCm/k8s-device-plugin)"
            if facts.vendor == "amd"
            else "the driver or device plugin is not running: check the GPU Operator's driver and "
            "device-plugin pods on the node (or the AKS GPU driver if the operator is not used)",
            name,
        )
    elif facts.sharing in gpus.WHOLE_GPU_SHARING and want and cap < want:
        out.add(
            "gpu-count",
            "error",
            "node",
            pool,
            f"node advertises {cap} GPUs but {size} has {want}",
            "a GPU is missing from the host: drain the node and reimage it; if it persists, "
            "report the VM to Azure support",
            name,
        )
    if cap > 0 and alloc < cap:
        unit = "GPUs" if facts.sharing == gpus.WHOLE else f"GPU units ({facts.sharing})"
        why = "the device plugin advertises none: billed, unusable"
        if alloc:
            why = "the device plugin marked them unhealthy"
        out.add(
            "gpu-allocatable",
            "error",
            "node",
            pool,
            f"{cap - alloc} of {cap} {unit} are not allocatable ({why})",
            "check the device plugin pod on the node and 'nvidia-smi' for Xid errors; restart the plugin, "
            "or drain and reset the node",
            name,
        )


def _check_gpu_health(
    name: str, pool: str, conditions: Mapping[str, Mapping[str, Any]], opts: Options, out: Collector
) -> None:
    for ctype in opts.gpu_conditions:
        cond = conditions.get(ctype)
        if cond and cond.get("status") == "True":
            reason = cond.get("reason") or ctype
            out.add(
                "aks-gpu-health",
                "error",
                "node",
                pool,
                f"AKS GPU health condition {ctype} ({reason})",
                "drain the node and reimage it (az aks machine reimage / node image upgrade); "
                "replace the VM if it returns",
                name,
            )


# upstream: NVIDIA/gpu-operator a22dbf6 deployments/gpu-operator/values.yaml: NFD's worker (a subchart,
# nfd.enabled) labels a node with an NVIDIA PCI device feature.node.kubernetes.io/pci-10de.present
# and tolerates only these taints (node-feature-discovery.worker.tolerations).
NFD_PREFIX = "feature.node.kubernetes.io/"
NFD_NVIDIA_LABEL = NFD_PREFIX + "pci-10de.present"
GPU_PRESENT = "nvidia.com/gpu.present"  # the labeller's (controllers/state_manager.go commonGPULabelKey)
NFD_WORKER_TOLERATIONS = (
    {"key": "node-role.kubernetes.io/control-plane", "operator": "Equal", "value": "", "effect": "NoSchedule"},
    {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
)


def _unlabelled(node: Mapping[str, Any], labels: Mapping[str, str]) -> tuple[str, str]:
    """(why, fix) for a GPU node without GFD's labels. GFD runs where the operator's labeller set
    nvidia.com/gpu.present=true, which it sets only from NFD's NVIDIA PCI label (controllers/
    nodelabeling_controller.go reconcileCommonGPULabel); a node NFD has not labelled gets no operand,
    and running prepare again changes nothing. NFD's worker does not run on a node whose taint it
    does not tolerate (AKS's sku=gpu:NoSchedule): the fix adds that taint to the chart's list."""
    if labels.get(NFD_NVIDIA_LABEL) == "true" or labels.get(GPU_PRESENT) == "true":
        return "", "enable GPU Feature Discovery (ClusterPolicy spec.gfd.enabled, or akscli baremetal prepare)"
    why = f" (Node Feature Discovery has not labelled it {NFD_NVIDIA_LABEL}, so the GPU Operator runs nothing there)"
    return why, _nfd_fix(node) or (
        "run Node Feature Discovery on the node: helm upgrade gpu-operator nvidia/gpu-operator -n gpu-operator "
        f"--reuse-values --set nfd.enabled=true (kubectl get pods -A -l {gpu_stack.NFD_PODS[0]} -o wide)"
    )


def _nfd_fix(node: Mapping[str, Any]) -> str | None:
    """The helm line that lets the chart's NFD worker run on ``node``, where a taint keeps it off
    (None where the worker tolerates every NoSchedule/NoExecute taint the node has)."""
    tolerated = {(t["key"], t["effect"]) for t in NFD_WORKER_TOLERATIONS}
    taints = [
        t
        for t in (node.get("spec") or {}).get("taints") or []
        if t.get("effect") in ("NoSchedule", "NoExecute") and (t.get("key"), t.get("effect")) not in tolerated
    ]
    if not taints:
        return None
    extra = [
        {"key": t.get("key"), "operator": "Equal", "value": t.get("value") or "", "effect": t.get("effect")}
        for t in taints
    ]
    listed = json.dumps([*NFD_WORKER_TOLERATIONS, *extra], separators=(",", ":"))
    shown = ", ".join(f"{t.get('key')}={t.get('value') or ''}:{t.get('effect')}" for t in taints)
    return (
        f"NFD's worker does not tolerate the node's taint {shown}: akscli baremetal prepare -y adds the toleration "
        "to the worker's DaemonSet (akscli.baremetal.nfd_worker); to keep it through helm upgrades: helm upgrade "
        f"gpu-operator nvidia/gpu-operator -n gpu-operator --reuse-values --set-json "
        f"'node-feature-discovery.worker.tolerations={listed}'"
    )


def _check_gpu_setup(
    node: Mapping[str, Any],
    name: str,
    labels: Mapping[str, str],
    facts: gpus.NodeGpus,
    stats: PoolStats,
    opts: Options,
    out: Collector,
) -> None:
    """Feature labels (where GPU feature discovery runs), driver version and the GPU taint."""
    pool = stats.pool
    # GFD comes with the GPU Operator (ClusterPolicy spec.gfd) or the device plugin's chart; plain
    # AKS installs neither (azure-aks-docs articles/aks/gpu-cluster.md), so its nodes have none.
    missing = [k.split("/", 1)[1] for k in GPU_FEATURE_LABELS if k not in labels]
    if missing and opts.gfd_expected and facts.vendor == "nvidia" and facts.sharing != gpus.MIG_MIXED:
        why, fix = _unlabelled(node, labels)
        out.add(
            "gpu-labels", "warning", "node", pool, f"GPU feature labels missing: {', '.join(missing)}{why}", fix, name
        )
    driver = driver_version(labels)
    if driver:
        stats.drivers[driver] += 1
    taints = (node.get("spec") or {}).get("taints") or []
    if not any(t.get("key") in GPU_TAINT_KEYS and t.get("effect") in ("NoSchedule", "NoExecute") for t in taints):
        out.add(
            "gpu-taint",
            "warning",
            "pool",
            pool,
            "GPU node has no GPU taint: CPU-only pods can take its CPU and memory",
            "taint the pool: az aks nodepool update --node-taints sku=gpu:NoSchedule "
            "(or kubectl taint node NODE nvidia.com/gpu=present:NoSchedule)",
            name,
        )


def _check_rdma(
    node: Mapping[str, Any],
    name: str,
    labels: Mapping[str, str],
    size: str | None,
    stats: PoolStats,
    opts: Options,
    out: Collector,
) -> None:
    pool = stats.pool
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    rdma_expected = opts.expect_rdma if opts.expect_rdma is not None else has_infiniband(size)
    capable = labels.get(RDMA_CAPABLE) == "true"
    available = labels.get(RDMA_AVAILABLE) == "true"
    rdma = {r: _int(allocatable.get(r)) for r in opts.rdma_resources if _int(allocatable.get(r)) > 0}
    if rdma:
        stats.rdma_nodes += 1
        opts.offered.update(rdma.keys())
    # NFD's rdma.capable is any Mellanox (15b3) PCI function, the virtual functions of Azure
    # accelerated networking included (kubernetes-sigs/node-feature-discovery
    # source/custom/static_features.go), so it alone does not mean InfiniBand.
    if not rdma_expected:
        return
    if not capable:
        out.add(
            "rdma-labels",
            "warning",
            "node",
            pool,
            f"NFD does not label the node {RDMA_CAPABLE}=true",
            # prepare deploys no NFD (baremetal/prepare.py): the chart's, where its worker runs.
            (_nfd_fix(node) if not any(k.startswith(NFD_PREFIX) for k in labels) else None)
            or "run Node Feature Discovery (the GPU Operator chart's nfd.enabled=true) or check that the "
            "InfiniBand devices are passed through",
            name,
        )
    elif not available:
        out.add(
            "rdma-labels",
            "warning",
            "node",
            pool,
            "RDMA hardware found but the RDMA kernel modules are not loaded (no rdma.available label)",
            "load ib_uverbs and rdma_ucm, the modules NFD's rdma.available rule looks for (the GPU "
            "Operator's driver with driver.rdma.enabled=true, or the host's MOFED, loads them)",
            name,
        )
    if not rdma:
        capacity = (node.get("status") or {}).get("capacity") or {}
        empty = [r for r in opts.rdma_resources if str(capacity.get(r, "")) == "0"]
        stopped = [f"{r} has devices, none allocatable" for r in opts.rdma_resources if _int(capacity.get(r)) > 0]
        said, fix = _no_rdma_plugin_here(node, opts) if not empty else ("", NO_RDMA_DEVICE_FIX)
        if stopped and not empty:
            said, fix = f"; {', '.join(stopped)}", RDMA_PLUGIN_STOPPED_FIX
        elif empty:
            why = opts.rdma_causes.why(node, empty) if opts.rdma_causes is not None else None
            said, fix = why or (f"; {', '.join(empty)} registered with no device", fix)
        out.add(
            "rdma-resource",
            "error" if rdma_expected else "warning",
            "node",
            pool,
            f"no RDMA resource allocatable (looked for {', '.join(opts.rdma_resources)})" + said,
            fix,
            name,
        )


def _no_rdma_plugin_here(node: Mapping[str, Any], opts: Options) -> tuple[str, str]:
    """(clause, fix) for a node with no RDMA resource: where RDMA device plugins run and none places
    a pod on it, the first one's own reason, read from its DaemonSet (its nodeSelector, node affinity
    or tolerations: a ``prepare --rdma-node-selector`` or an upstream manifest's, no default assumed)."""
    plugins = list(opts.rdma_plugins)
    if not plugins:
        return "", (
            "deploy the RDMA shared device plugin (akscli baremetal prepare --rdma), or pass "
            "--rdma-resource with the name your plugin advertises"
        )
    if running := [p for p in plugins if p.runs_on(node)]:
        return _no_rdma_in_node_config(node, running) or (
            "",
            "read the RDMA device plugin's log on the node, or pass --rdma-resource with the name it advertises",
        )
    first = plugins[0]
    wanted = " ".join(f"{k}={v}" for k, v in (first.pod_spec.get("nodeSelector") or {}).items())
    said = f"; no RDMA device plugin runs on the node: daemonset {first.namespace}/{first.name} places no pod there"
    if rdma_plugins.SRIOV_OPERATOR_LABEL in wanted and "SriovOperatorConfig" in first.what:
        # The operator owns the label: Enabled on the nodes its config daemon's selector covers and a
        # policy gives a resource (sriov-network-operator sriovnetworknodepolicy_controller.go
        # syncDevicePluginConfigMap); a hand-set one is overwritten.
        return f"{said}, {first.why_not_on(node)}", (
            f"{rdma_plugins.NODE_POLICY_FIX} the node; the sriov-network-operator sets "
            f"{rdma_plugins.SRIOV_OPERATOR_LABEL}=Enabled only on nodes its configDaemonNodeSelector covers "
            "(see check sriov-config-daemon)"
        )
    return (
        f"{said}, {first.why_not_on(node)}",
        (f"label the node as the plugin selects (kubectl label node NODE {wanted}), or " if wanted else "")
        + f"change the plugin's nodeSelector, affinity or tolerations (kubectl -n {first.namespace} edit "
        f"daemonset {first.name})",
    )


def _no_rdma_in_node_config(node: Mapping[str, Any], running: list[Any]) -> tuple[str, str] | None:
    """Where every plugin on the node reads a config of its own per node (the sriov-network-operator's,
    akscli.gpu.rdma_plugins ``by_node``) and none names an RDMA resource for this node: that, and the policy
    that would (k8snetworkplumbingwg/sriov-network-operator controllers/sriovnetworknodepolicy_controller.go
    renderDevicePluginConfigData writes a node's entries from the SriovNetworkNodePolicies whose
    nodeSelector selects it, isRdma from the policy's spec.isRdma, api/v1/sriovnetworknodepolicy_types.go)."""
    name = str((node.get("metadata") or {}).get("name"))
    if any(p.resources_on(name) != () for p in running):
        return None
    first = running[0]
    return (
        f"; daemonset {first.namespace}/{first.name} runs there, but its config for the node (ConfigMap "
        f"{first.config}, key {name}) names no RDMA resource",
        f"{rdma_plugins.NODE_POLICY_FIX} the node (the "
        f"sriov-network-operator writes each node's resources into {first.config})",
    )


def check_pools(pools: Iterable[PoolStats], out: Collector) -> None:
    for stats in pools:
        if len(stats.drivers) > 1:
            versions = ", ".join(f"{v} ({n} nodes)" for v, n in stats.drivers.most_common())
            out.add(
                "driver-mixed",
                "warning",
                "pool",
                stats.pool,
                f"mixed NVIDIA driver versions in the pool: {versions}",
                "roll the pool to one driver: upgrade the node image, or pin ClusterPolicy spec.driver.version",
                count=sum(stats.drivers.values()),
            )
        if stats.sizes:
            stats.vm_size = ", ".join(s for s, _ in stats.sizes.most_common())


# ---- the GPU Operator (the rules akscli.doctor.checks applies too) --------------------------------


def check_operator(
    kube: Kube,
    opts: Options,
    out: Collector,
    nodes: gpu_stack.GpuNodes,
    found: gpu_stack.Installed | None = None,
) -> None:
    """The GPU driver stack's verdicts from ``akscli.gpu.stack``, as findings."""
    _, verdicts = gpu_stack.rules(kube, nodes, opts.operator_namespace, found)
    for rule in verdicts:
        if rule.severity == "info" and not rule.fix:
            continue  # "this is fine" lines: the table lists problems and context with a fix
        scope = "node" if rule.node else "cluster"
        out.add(rule.check, rule.severity, scope, None, rule.message, rule.fix, rule.node)


# ---- the run ---------------------------------------------------------------------------------


def pages(kube: Kube, opts: Options) -> Iterator[list[dict[str, Any]]]:
    for page in kube.list_pages("v1", "Node", label_selector=opts.label_selector, page_size=opts.page_size):
        yield page["items"]


def operator_namespace_exists(kube: Kube, name: str, installed: gpu_stack.Installed) -> None:
    """--operator-namespace must name a namespace: the operator's checks read its DaemonSets and
    pods there, and in one that does not exist they would find nothing and blame the operator.
    Refused (exit 3) before any node is read, in the API server's words for a missing namespace
    (kubernetes/apimachinery pkg/api/errors/errors.go NewNotFound: '%s %q not found', as kubectl
    prints them). One who may not read namespaces is not stopped."""
    from akscli.kube import namespaces

    try:
        if namespaces.read(kube, name) is not None:
            return
    except AuthError:
        return
    where = installed.operator_namespace
    raise NotFoundError(
        f'--operator-namespace: namespaces "{name}" not found',
        hint=f"the GPU Operator's pod runs in {where}: leave --operator-namespace out to look there"
        if where
        else "leave --operator-namespace out: doctor looks where the GPU Operator's pod runs "
        "(kubectl get pods -A -l app.kubernetes.io/component=gpu-operator)",
    )


def diagnose(kube: Kube, opts: Options | None = None, *, progress: Callable[[str], None] | None = None) -> Report:
    opts = opts or Options()
    installed = gpu_stack.detect(kube)
    if opts.operator_namespace:
        operator_namespace_exists(kube, opts.operator_namespace, installed)
    opts.gfd_expected = installed.operator
    out = Collector()
    gpu_node_facts = gpu_stack.GpuNodes()
    opts.rdma_plugins = rdma_plugins.of(kube, gpu_node_facts)
    opts.rdma_causes = rdma_stopped.Causes(kube, opts.rdma_plugins)
    opts.sriov = sriov_state.read(kube, opts.page_size)
    if tuple(opts.rdma_resources) == DEFAULT_RDMA_RESOURCES:  # no --rdma-resource: what the plugins advertise
        opts.rdma_resources = tuple(dict.fromkeys([*rdma_plugins.resources(opts.rdma_plugins), *opts.rdma_resources]))
    dra = gpu_dra.nodes_if_served(kube, opts.page_size)  # one small entry per GPU node
    pools: dict[str, PoolStats] = {}
    seen = gpu_nodes = page_count = 0
    for items in pages(kube, opts):
        page_count += 1
        for node in items:
            pool = pool_of(node)
            stats = pools.get(pool)
            if stats is None:
                stats = pools[pool] = PoolStats(pool)
            before = stats.gpu_nodes
            gpu_node_facts.add(node, check_node(node, stats, out, opts, dra))
            gpu_nodes += stats.gpu_nodes - before
            seen += 1
        if progress:
            progress(f"checked {seen:,} nodes ({gpu_nodes:,} with GPUs), page {page_count}")
    check_pools(pools.values(), out)
    if seen == 0:
        out.add("nodes", "error", "cluster", None, "no nodes matched", "check --selector and the kubeconfig context")
    elif gpu_nodes == 0:
        out.add(
            "gpu-nodes",
            "error",
            "cluster",
            None,
            "no GPU nodes in the cluster",
            "add a GPU node pool: akscli nodepool add --gpu ... (or join a GPU host)",
        )
    gpu_node_facts.dra = any(d.units for d in dra.values()) and not gpu_node_facts.advertising
    check_operator(kube, opts, out, gpu_node_facts, installed)
    nccl_resource(opts.offered, out)
    return Report(
        findings=out.sorted(),
        pools=sorted(pools.values(), key=lambda p: p.pool),
        nodes_seen=seen,
        gpu_nodes=gpu_nodes,
        pages=page_count,
    )
