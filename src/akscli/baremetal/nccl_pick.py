"""The choice of the nodes an NCCL test's pods run on, from the survey of the GPU nodes
(nccl_nodes.py): a candidate's GPUs already requested counted by a paginated read of the pods
bound to it (or its DRA slices and claims), at most PARALLEL_READS at once and only until enough
free nodes are found; the pods pinned to the nodes chosen, else kept off those passed over
(keep_off) and the rest left to wait where the pool can grow (nccl_growth, nccl_quota), else
refused; and the chosen nodes read again just before the Job is made (recheck). Plain logic over
Node and Pod objects; the only I/O is kube.list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from akscli import concurrency
from akscli.baremetal.nccl_nodes import POD_PAGE, SizeNodes, skipped_line
from akscli.errors import AuthError, NotInstalledError, QuotaError
from akscli.gpu import devices as gpus
from akscli.gpu import dra_classes
from akscli.gpu import held as gpu_held

if TYPE_CHECKING:
    from akscli.kube.client import Kube

PARALLEL_READS = 8  # pod reads in flight at once


@dataclass
class Choice:
    """The nodes chosen for the test pods and the candidates not read yet, each with the
    ``nvidia.com/gpu`` it advertises (0 on a DRA node: :func:`_gpus_in_use` then reads its
    claims), and ``counted`` False where pods could not be read."""

    chosen: list[tuple[str, int]] = field(default_factory=list)
    pending: list[tuple[str, int]] = field(default_factory=list)
    counted: bool = True
    # The DeviceClasses, where one maps nvidia.com/gpu (read once, for the first DRA node)
    dra: dra_classes.Classes | None = None


def choose(kube: Kube, nodes: SizeNodes, gpus_per_node: int, wanted: int) -> Choice:
    """Up to ``wanted`` usable nodes with ``gpus_per_node`` GPUs free, in the order the nodes were
    read; each one passed over is added to ``nodes.skipped`` with how many GPUs it has in use.
    A node's GPUs in use are what the pods bound to it and not finished request (akscli.gpu.devices
    pod_units, as the NodeResourcesFit filter counts them: upstream kubernetes/kubernetes
    pkg/scheduler/framework/plugins/noderesources/fit.go), or on a node whose GPUs the DRA driver
    publishes (none advertised, a DeviceClass maps ``nvidia.com/gpu``), the GPUs its pods'
    claims hold (akscli.gpu.held). A user who may not list pods in every namespace gets the
    usable nodes unread (``counted`` False)."""
    choice = Choice()
    read = False
    for name, allocatable in nodes.candidates:
        if allocatable == 0 and not read:
            choice.dra, read = gpu_held.gpu_classes(kube), True
        if allocatable < gpus_per_node and not (allocatable == 0 and choice.dra is not None):
            migs = nodes.mig_devices.get(name)
            nodes.skip(name, f"{allocatable} GPU(s) allocatable" + (f", {migs} MIG device(s)" if migs else ""))
        else:
            choice.pending.append((name, allocatable))
    _fill(kube, nodes, choice, gpus_per_node, wanted)
    return choice


def _fill(kube: Kube, nodes: SizeNodes, choice: Choice, gpus_per_node: int, wanted: int) -> None:
    while choice.pending and len(choice.chosen) < wanted:
        # as many reads as nodes still wanted, at most PARALLEL_READS at once
        batch = choice.pending[: min(PARALLEL_READS, wanted - len(choice.chosen))]
        choice.pending = choice.pending[len(batch) :]
        try:
            rooms = concurrency.parallel_map(lambda n: _gpus_in_use(kube, *n, choice.dra), batch, PARALLEL_READS)
        except AuthError:
            choice.counted = False
            choice.chosen += [*batch, *choice.pending][: wanted - len(choice.chosen)]
            choice.pending = []
            break
        for (name, advertised), (allocatable, used, why) in zip(batch, rooms, strict=True):
            if why:
                nodes.skip(name, why)
            elif allocatable - used >= gpus_per_node:
                choice.chosen.append((name, advertised))
            elif allocatable < gpus_per_node:
                nodes.skip(name, f"{allocatable} GPU(s) allocatable")
            else:
                nodes.skip(name, f"{used} of {allocatable} GPUs in use")


@dataclass
class Pins:
    """Where the test pods may go: ``chosen`` (required node affinity ``metadata.name In``), else,
    where fewer nodes have the GPUs free than pods are asked for, ``kept_off`` (``NotIn`` the nodes
    passed over; new nodes may still take the pods); neither: the scheduler's choice. ``warnings``
    are to be printed; ``choice`` is kept for :func:`recheck`."""

    chosen: list[str] = field(default_factory=list)
    kept_off: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    choice: Choice = field(default_factory=Choice)


@dataclass(frozen=True)
class Want:
    """What the test asks of the nodes: ``wanted`` nodes with ``gpus_per_node`` GPUs free;
    ``where`` names the nodes, ``timeout_s`` is how long its pods wait."""

    gpus_per_node: int
    wanted: int
    where: str
    timeout_s: float
    size_pinned: str | None = None  # the size the pods' node selector names (NCCL's topology file)


def pick(kube: Kube, nodes: SizeNodes, want: Want) -> Pins:
    """The nodes to pin the test pods to, and the warnings to print. Enough nodes with free GPUs:
    the pods are pinned to those, so that none lands on a node passed over (a node not Ready yet
    untainted, one whose GPUs are taken). Fewer: the pods are kept off the nodes passed over, so
    that nodes the cluster autoscaler adds for them can take them, and the shortfall is said. None,
    where GPU nodes exist: refused before anything is created, unless the pool can grow
    (akscli.baremetal.nccl_growth), or exit 7 where every GPU node is MIG or shared. No GPU node at
    all (a pool at zero): nothing refused, the pods' wait is what makes the autoscaler add nodes."""
    if not nodes.gpu_nodes:
        return Pins()
    choice = choose(kube, nodes, want.gpus_per_node, want.wanted)
    skipped = skipped_line(nodes)
    pins = _settle(kube, nodes, choice, want, skipped)
    pins.warnings[:0] = [skipped] if skipped else []
    return pins


def recheck(kube: Kube, nodes: SizeNodes, pins: Pins, want: Want) -> Pins:
    """Read the chosen nodes' pods again just before the Job is made: a pod bound to one since it
    was read takes its place; the nodes not read yet are read for a replacement. Returns the
    pins to use, whose warnings say only what changed (about ``len(chosen)`` reads)."""
    if not pins.chosen or not pins.choice.counted:
        return Pins(pins.chosen, pins.kept_off, [], pins.choice)
    chosen = pins.choice.chosen
    try:
        # the same read as the choice's: the pods' requests, or on a DRA node the claims' GPUs
        dra = pins.choice.dra
        rooms = concurrency.parallel_map(lambda n: _gpus_in_use(kube, *n, dra), chosen, PARALLEL_READS)
    except AuthError:
        return Pins(pins.chosen, pins.kept_off, [], pins.choice)
    still = [node for node, (a, used, why) in zip(chosen, rooms, strict=True) if a - used >= want.gpus_per_node]
    filled = [
        (n, a, used) for (n, _), (a, used, why) in zip(chosen, rooms, strict=True) if a - used < want.gpus_per_node
    ]
    if not filled:
        return Pins(pins.chosen, pins.kept_off, [], pins.choice)
    for name, allocatable, used in filled:
        nodes.skip(name, f"{used} of {allocatable} GPUs in use")
    choice = Choice(still, pins.choice.pending, True, pins.choice.dra)
    _fill(kube, nodes, choice, want.gpus_per_node, want.wanted)
    lost = ", ".join(f"{n} ({used} of {a} GPUs in use)" for n, a, used in filled)
    line = f"pods took the GPUs of {len(filled)} chosen node(s) before the test started: {lost}"
    refused = skipped_line(nodes)
    out = _settle(kube, nodes, choice, want, refused)
    out.warnings.insert(0, line)
    return out


def _settle(kube: Kube, nodes: SizeNodes, choice: Choice, want: Want, skipped: str | None) -> Pins:
    warnings: list[str] = []
    if not choice.counted:
        warnings.append("cannot list pods in every namespace: GPUs already in use on the nodes are not counted")
    if choice.dra is not None and choice.dra.claims_skipped():  # gpu_held: no bounded read finds them
        warnings.append(
            f"the cluster has more than {gpu_held.CLAIMS_READ_MAX} ResourceClaims, so GPUs in use on DRA nodes were "
            "counted through the claims their pods name: a claim no pod names may still hold GPUs"
        )
    chosen = [name for name, _ in choice.chosen]
    if len(chosen) >= want.wanted:
        return Pins(chosen, [], warnings, choice)
    # the pods beyond the free nodes wait for new ones: only where the pool can grow by as many
    _refuse_unless_growing(kube, nodes, want, skipped, warnings, len(chosen))
    if not chosen:
        waiting = f"the {want.wanted} pods wait for new nodes"
    else:
        waiting = f"the other {want.wanted - len(chosen)} pod(s) wait for new nodes"
    kept_off, how = keep_off(nodes)
    warnings.append(f"{how}; {waiting} until the timeout ({want.timeout_s:.0f}s)")
    return Pins([], kept_off, warnings, choice)


def _refuse_unless_growing(
    kube: Kube, nodes: SizeNodes, want: Want, skipped: str | None, warnings: list[str], free: int
) -> None:
    """Refuse the run (exit 8) unless the pool can grow by the nodes the pods beyond the ``free``
    ones wait for: the cluster autoscaler's or a NodePool's room for that many, then the vCPU quota
    for that many (a scale set's shortfall refuses, a NodePool's warns)."""
    from akscli.baremetal import nccl_growth, nccl_quota

    named = f": {skipped.split(': ', 1)[1]}" if skipped else ""
    if not free and nodes.sliced == nodes.gpu_nodes:
        raise NotInstalledError(
            f"none of the {nodes.gpu_nodes} {want.where} has whole GPUs for an NCCL test{named}",
            hint="NCCL runs one rank per whole GPU, not on MIG devices or shared replicas (NVIDIA/nccl issue "
            "1716): test a pool with MIG off and no GPU sharing, or turn them off on these nodes",
        )
    needed = want.wanted - free
    rdma = nccl_growth.Rdma(nodes.rdma, nodes.templates, nodes.templates_rdma) if nodes.rdma else None
    grow = nccl_growth.growth(kube, nodes.scale_sets, nodes.nodepools, nodes.capacity, needed, rdma)
    if free:
        now = f"{free} GPU node(s) can take a test pod and {want.wanted} are asked for"
        refused = f"only {free} of the {nodes.gpu_nodes} {want.where} can take a test pod with {want.gpus_per_node} "
        refused += f"GPU(s), and {want.wanted} are asked for"
    else:
        now = f"none of the {nodes.gpu_nodes} {want.where} can take a test pod with {want.gpus_per_node} GPU(s) now"
        refused = f"none of the {nodes.gpu_nodes} {want.where} can take a test pod with {want.gpus_per_node} GPU(s)"
    if not grow.room:
        raise QuotaError(
            refused + named + (f" ({grow.full})" if grow.full else ""),
            hint="wait for the pods that hold the GPUs to finish, add nodes, uncordon them, or pass "
            "--toleration for a pool's own taint" + (f"; or test {free} node(s): --nodes {free}" if free else ""),
        )
    try:
        # the subscription's vCPU quota for the nodes the pods wait for (akscli.baremetal.nccl_quota)
        if grow.nodepool:  # Karpenter may launch another size, unless the pods name theirs
            launch = nccl_quota.Launch(grow.pool, grow.requirements, want.gpus_per_node, want.size_pinned)
            quota = nccl_quota.check_nodepool(nodes.azure, needed, launch)
        else:
            quota = nccl_quota.check(nodes.azure, needed, strict=True)
    except QuotaError as exc:
        raise QuotaError(f"{now}, and {grow.room}, but {exc.message}", hint=exc.hint) from None
    warnings.append(f"{now}, but {grow.room}" + (f"; {quota}" if quota else ""))


# A Job's pod template names at most this many nodes to keep off (about 30 KiB of names); past it
# the pods are not pinned. The API server takes objects up to 1.5 MiB (etcd's request limit).
KEEP_OFF_MAX = 1000


def keep_off(nodes: SizeNodes) -> tuple[list[str], str]:
    """The nodes to keep the pods off where fewer nodes can take them than asked (``NotIn``), and
    what that means. Not where the nodes come from node auto-provisioning: Karpenter provisions
    for no pod whose required node affinity has matchFields (upstream: kubernetes-sigs/karpenter
    2266468 pkg/controllers/provisioning/provisioner.go validateNodeSelectorTerm, "node selector term
    with matchFields is not supported") and none whose requirement names kubernetes.io/hostname
    (pkg/apis/v1/labels.go RestrictedLabels), so no node could be added for them. The cluster
    autoscaler runs the scheduler's filters on a template node renamed "template-node-for-<group>-
    <random>", which NotIn admits (upstream: kubernetes/autoscaler cluster-autoscaler package
    simulator, TemplateNodeInfoFromExampleNodeInfo and sanitizeNode)."""
    names = list(dict.fromkeys(nodes.passed_over))
    if not names:
        return [], "the pods are not pinned: no GPU node was passed over"
    if nodes.nodepools:
        return [], (
            "the pods are not pinned (node auto-provisioning adds no node for pods pinned by node name), "
            f"so the {len(names)} GPU node(s) passed over can still take one"
        )
    if len(names) > KEEP_OFF_MAX:
        return [], f"the pods are not pinned: the {len(names)} GPU node(s) passed over are too many to name"
    return names, f"the pods are kept off the {len(names)} GPU node(s) passed over"


def _gpus_in_use(
    kube: Kube, node: str, allocatable: int, classes: dra_classes.Classes | None = None
) -> tuple[int, int, str]:
    """The node's GPUs and those its pods hold (akscli.gpu.held: the same read as the deploy fit
    check's): what they request as ``nvidia.com/gpu``; on a node that advertises none, the
    devices of the class ``nvidia.com/gpu`` maps to (``classes``) that the DRA driver publishes
    there and those their allocated claims hold (the claim made for a pod's ``nvidia.com/gpu``
    among them, so that request is not counted twice). The third value says why the node's DRA
    GPUs could not be judged (the class's selector failed, or is outside what akscli evaluates)."""
    pods = gpu_held.bound_pods(kube, node, POD_PAGE)
    if not allocatable and classes is not None:
        try:
            dra = gpu_held.dra_gpus(kube, node, pods, classes)
        except (dra_classes.SelectorError, dra_classes.NotEvaluated) as exc:
            return 0, 0, str(exc)
        if dra is not None:
            return dra.published, dra.held, ""
    return allocatable, sum(gpus.pod_units(pod).get(gpus.NVIDIA, 0) for pod in pods), ""
