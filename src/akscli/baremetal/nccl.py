"""Multi-node NCCL all-reduce test: the Job that runs it, its placement, and the run (the expected
figures and the verdict: nccl_expected.py; parsing nccl-tests output: nccl_output.py).

The Job is an Indexed Job with one pod per node (required anti-affinity on the hostname), a
headless Service so pods find each other by name, and MPI over SSH: pod 0 runs ``mpirun`` across
all pods, the others run ``sshd`` until pod 0 tells them it is done. The SSH key is generated
here for each run and lives only in the run's Secret, which is deleted with the run.
"""

from __future__ import annotations

import fnmatch
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from akscli import render, validate
from akscli.baremetal import nccl_nodes, pods
from akscli.baremetal.findings import NCCL_RDMA_RESOURCE, NO_RDMA_DEVICE_FIX, RDMA_PLUGIN_STOPPED_FIX
from akscli.baremetal.nccl_expected import Verdict, interconnect, judge
from akscli.baremetal.nccl_output import parse
from akscli.errors import CheckFailedError, UsageError, WaitTimeoutError
from akscli.gpu import devices as gpus
from akscli.gpu.rdma_plugins import Plugin, few, per_node, resources

if TYPE_CHECKING:
    from akscli.kube.client import Kube

TOPOLOGY_DIR = Path(__file__).resolve().parents[1] / "data" / "nccl-topology"
# Where the run's ConfigMap puts the NCCL topology file in the pod.
TOPOLOGY_PATH = "/akscli/script/topo.xml"
# ND sizes: the VM shows each GPU and NIC on a PCI bus of its own, not the host's switches that
# pair them, so NCCL takes the pairing from a topology file (NVIDIA/nccl 5067397 src/graph/topo.cc
# ncclTopoGetSystem: NCCL_TOPO_FILE, else /var/run/nvidia-topologyd/virtualTopology.xml if present;
# Azure/AgentBaker 06836ee, which builds AKS node images, writes neither). Azure's HPC image loads
# the file for these sizes through /etc/nccl.conf (Azure/azhpc-images 8e9d055
# components/setup_sku_customizations.sh, the size patterns below, and components/customizations/
# nd*.sh, NCCL_TOPO_FILE). Azure's AKS InfiniBand test puts the same file in a ConfigMap and
# passes NCCL_TOPO_FILE to mpirun (Azure/aks-rdma-infiniband 700dabb tests/scenarios/util.sh
# topo_file_name, tests/scenarios/k8s/templates/mpi-job.yaml). The files in data/nccl-topology are
# azhpc-images' topology/ at 4a4565a, the commit util.sh names (MIT licence).
# NC96ads_A100_v4 is left out: the HPC image pairs its topology with a graph file
# (customizations/ncv4.sh NCCL_GRAPH_FILE), which Azure's AKS test does not load.
TOPOLOGY_FAMILIES = (
    ("standard_nd*v4", "ndv4"),
    ("standard_nd40rs_v2", "ndv2"),
    ("standard_nd96is*_h[1-2]00_v5", "ndv5"),
)
# The default image needs nccl-tests (all_reduce_perf), Open MPI (mpirun) and sshd (run.sh starts
# /usr/sbin/sshd). coreweave/nccl-tests Dockerfile (commit 2eedd7c, which this tag is built from)
# installs openssh-server (line 33), builds nccl-tests in /opt/nccl-tests/build and puts HPC-X's
# Open MPI (/opt/hpcx/ompi/bin) on PATH; its README lists the tag. Azure's node health check image
# (mcr.microsoft.com/aznhc/aznhc-nv, Azure/azurehpc-health-checks dockerfile/azure-nvrt-nhc.dockerfile)
# installs only openssh-client, and Azure/aks-rdma-infiniband's nccl-tests image (which has sshd)
# is published as :latest only. CUDA 12.8: driver R570 or newer (R525+ via minor-version compatibility).
# The rest of the /etc/nccl.conf Azure's HPC image writes for each family, beside its NCCL_TOPO_FILE
# (Azure/azhpc-images 8e9d055 components/customizations/ndv2.sh, ndv4.sh, ndv5.sh): the topology file is
# loaded with these, as that image loads it. NCCL_IGNORE_CPU_AFFINITY=1: NCCL binds its threads to the
# GPU's CPUs, not to their overlap with the launcher's binding (NVIDIA/nccl src/graph/topo.cc
# ncclTopoGetCpuAffinity, IGNORE_CPU_AFFINITY, default 0). NCCL_IB_PCI_RELAXED_ORDERING=1 (ndv4, ndv5):
# InfiniBand memory registered with relaxed ordering (NVIDIA/nccl src/transport/net_ib.cc
# IB_PCI_RELAXED_ORDERING, default 2: only where NCCL finds it supported); Azure's node health check passes
# it too (Azure/azurehpc-health-checks 0e0a1ac customTests/azure_nccl_allreduce.nhc ENVIRON_VARS).
# An --env of the same name wins.
TOPOLOGY_ENV: dict[str, dict[str, str]] = {
    "ndv2": {"NCCL_IGNORE_CPU_AFFINITY": "1"},
    "ndv4": {"NCCL_IB_PCI_RELAXED_ORDERING": "1", "NCCL_IGNORE_CPU_AFFINITY": "1"},
    "ndv5": {"NCCL_IB_PCI_RELAXED_ORDERING": "1", "NCCL_IGNORE_CPU_AFFINITY": "1"},
}
DEFAULT_IMAGE = "ghcr.io/coreweave/nccl-tests:12.8.1-devel-ubuntu22.04-nccl2.30.4-1-2eedd7c"
DEFAULT_RDMA_RESOURCE = NCCL_RDMA_RESOURCE
RUN_LABEL = "akscli.io/nccl-run"


# A sweep's sizes, where no figure names one size (and with --max-bytes): all_reduce_perf -b 8 -e 8G -f 2.
SWEEP = ("8", "8G")


def message_sizes(vm_size: str | None, max_bytes: str | None) -> tuple[str, str]:
    """The run's -b and -e: the one size of Azure's check where the VM size has a figure (the judged run),
    else (or with --max-bytes, a sweep from 8 bytes, reported and not judged) a sweep."""
    if max_bytes:
        return SWEEP[0], max_bytes
    info = interconnect(vm_size) if vm_size else None
    if info is not None and info.message_size and (info.busbw_single_node or info.busbw_multi_node):
        return info.message_size, info.message_size
    return SWEEP


def topology_family(vm_size: str | None) -> str | None:
    """The NCCL topology file family (ndv4, ...) of a VM size, as Azure's HPC image picks it."""
    size = (vm_size or "").lower()
    return next((family for pattern, family in TOPOLOGY_FAMILIES if fnmatch.fnmatchcase(size, pattern)), None)


def topology_xml(family: str) -> str:
    return (TOPOLOGY_DIR / f"{family}-topo.xml").read_text(encoding="utf-8")


# ---- the Job ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NcclSpec:
    name: str
    namespace: str
    nodes: int
    gpus_per_node: int
    image: str
    rdma_resource: str | None
    host_network: bool
    node_selector: dict[str, str]
    min_bytes: str = "8"
    max_bytes: str = "8G"
    timeout_s: float = 1800.0
    env: dict[str, str] = field(default_factory=dict)
    tolerations: tuple[dict[str, str], ...] = nccl_nodes.GPU_TOLERATIONS
    topology: str | None = None  # a TOPOLOGY_FAMILIES family: its file is NCCL_TOPO_FILE
    pinned: tuple[str, ...] = ()  # the nodes chosen for the pods (nccl_pick.pick); none: the scheduler's choice
    kept_off: tuple[str, ...] = ()  # else the nodes passed over, which the pods may not use (nccl_pick.keep_off)
    rdma_per_pod: int = 1  # units of rdma_resource each pod asks for (rdma_units)


_BYTES = re.compile(r"^\d+[KMG]?$")


def key_values(items: Iterable[str], what: str) -> dict[str, str]:
    """``KEY=VALUE`` flags (``--env``, ``--node-selector``) as a mapping."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(
                f"invalid {what} {item!r}: expected KEY=VALUE", hint=f"for example: {what} NCCL_DEBUG=INFO"
            )
        out[key] = value
    return out


INSTANCE_TYPE = gpus.SIZE_LABELS[0]


@dataclass
class Placement:
    """The VM size the run is judged against, the pods' node selector and topology file, and the
    GPU nodes the pods may use (``nodes``, None where nothing was read; ``where`` names them)."""

    vm_size: str | None
    node_selector: dict[str, str]
    topology: str | None
    nodes: nccl_nodes.SizeNodes | None = None
    where: str = "GPU node(s)"


def place(
    spec: NcclSpec,
    vm_size: str | None,
    survey: nccl_nodes.Survey | None,
    rdma_plugins: Callable[[], Sequence[Plugin]] | None = None,
) -> Placement:
    """Settle the size and the nodes, and refuse a run no node could take: ``survey`` is the nodes
    as read (None: a client dry run, which reads nothing). ``rdma_plugins`` reads, only for that
    refusal, the cluster's RDMA device plugins (akscli.gpu.rdma_plugins): the resources they advertise,
    whatever their prefix, for the hint, offered ``rdma/`` names next; where none is offered and a
    plugin reads a config per node (the sriov-network-operator's), which of these GPU nodes its config
    gives an RDMA resource and which none.

    With a topology file the pods are kept to nodes of that size (the file names that size's PCI
    bus ids). An --rdma-resource that none of the GPU nodes offers is refused here, naming what they
    do offer; before, the pods waited for the timeout. Which of the nodes the pods go to is
    nccl_pick.pick's, once the GPUs per node are known."""
    size = vm_size or (survey.most_common_size() if survey else None)
    selector = dict(spec.node_selector)
    topology = topology_family(size)
    label = None
    if size and topology and INSTANCE_TYPE not in selector:
        info = interconnect(size)
        label = (survey.size_label(size) if survey else None) or (info.vm_size if info else size)
        selector[INSTANCE_TYPE] = label
    if survey is None:
        return Placement(size, selector, topology)
    nodes = survey.nodes(label) if label else survey.nodes()
    where = "GPU node(s)" + (f" of size {label}" if label else "")
    if spec.rdma_resource and nodes.gpu_nodes and not nodes.with_rdma:
        offered = nccl_nodes.offered_resources(nodes)
        plugins = list(rdma_plugins()) if rdma_plugins else []
        known = set(resources(plugins)) if offered else set()
        rdma = [o for o in offered if o in known] + [o for o in offered if o.startswith("rdma/") and o not in known]
        they = f"they offer {', '.join(offered)}" if offered else "they offer no resource besides GPUs"
        hint = "install an RDMA device plugin ('akscli baremetal prepare --rdma'), or pass --rdma-resource none"
        if per := per_node(plugins, [n for n, _ in nodes.candidates] + nodes.passed_over):
            hint = f"{per}, or pass --rdma-resource none"
        info = interconnect(size) if size else None
        if info is not None and not info.ib_hcas:
            # NC sizes: no InfiniBand (../shared/data/azure-gpu-skus.csv), so no RDMA device plugin helps
            one = info.busbw_single_node and spec.nodes > 1
            figure = ", and --nodes 1 to judge it against the size's one-node figure" if one else ""
            hint = f"{info.vm_size} has no InfiniBand: pass --rdma-resource none{figure}"
        elif nodes.rdma_empty:
            empty, hint = no_rdma_device(spec.rdma_resource, nodes.rdma_empty)
            they = f"{they}; {empty}"
        elif nodes.rdma_stopped:
            they = f"{they}; {spec.rdma_resource} has devices but none allocatable on {nodes.rdma_stopped} of them"
            hint = f"{RDMA_PLUGIN_STOPPED_FIX}, or pass --rdma-resource none"
        raise UsageError(
            f"--rdma-resource {spec.rdma_resource}: none of the {nodes.gpu_nodes} {where} offers it; {they}",
            hint=f"pass --rdma-resource {rdma[0]}{_partly(rdma[0], nodes, plugins)}" if rdma else hint,
        )
    return Placement(size, selector, topology, nodes, where)


def _partly(resource: str, nodes: nccl_nodes.SizeNodes, plugins: Sequence[Plugin]) -> str:
    """Where only some of the GPU nodes offer ``resource``, which of them do not (a run on more nodes
    than offer it waits): as the per-node config of the sriov-network-operator's plugin gives them
    (rdma_plugins.per_node), else by name."""
    have = set(nodes.offered_on.get(resource, ()))
    if len(have) >= nodes.gpu_nodes:
        return ""
    names = list(dict.fromkeys([n for n, _ in nodes.candidates] + nodes.passed_over))
    if per := per_node(plugins, names):
        return f"; {per}"
    lack = [n for n in names if n not in have]
    return f" (offered by {len(have)} of the {nodes.gpu_nodes}; not by {few(lack)})"


def no_rdma_device(resource: str, nodes: int) -> tuple[str, str]:
    """What to say of nodes where the RDMA resource is registered with no device (capacity 0):
    findings.NO_RDMA_DEVICE_FIX says why that is."""
    said = f"an RDMA device plugin registered {resource} with no device on {nodes} of them"
    # A plugin stopped over five minutes ago, or not registered since its kubelet restarted, leaves 0 too
    # (akscli.baremetal.rdma_stopped, which doctor reads the plugin's pods and the kubelet's events for).
    other = "; a plugin stopped over five minutes ago, or not registered since the kubelet restarted, leaves 0 too"
    return said, f"{NO_RDMA_DEVICE_FIX}{other} ('akscli baremetal doctor' tells which), or pass --rdma-resource none"


def size_gpus(vm_size: str | None) -> int:
    """GPUs a VM size has: the SKU table first, then the interconnect table; 0 when unknown."""
    count = gpus.size_facts(vm_size)[0]
    if count or not vm_size:
        return count
    info = interconnect(vm_size)
    return info.gpus if info else 0


def gpus_per_node(vm_size: str | None, given: int | None, published: int = 0) -> int:
    """The GPUs each pod asks for: as given, else what the DRA nodes' slices publish
    (nccl_nodes.SizeNodes.slice_gpus), else the VM size's count."""
    count = given or published or size_gpus(vm_size)
    if not count and vm_size:
        # The size is known but not in akscli's tables (a typo in --vm-size, or a node of a size
        # akscli does not know): asking for --vm-size again would not help.
        raise UsageError(
            f"cannot tell how many GPUs a {vm_size} node has: akscli's GPU size tables do not list it",
            hint="check the size's spelling (akscli baremetal test nccl --list-expected), or pass --gpus-per-node",
        )
    if not count:
        raise UsageError("cannot tell how many GPUs each node has", hint="pass --gpus-per-node or --vm-size")
    return count


def check_spec(spec: NcclSpec) -> NcclSpec:
    validate.name(spec.name, "test name")
    validate.name(spec.namespace, "namespace")
    validate.integer(spec.nodes, "--nodes", 1, 1024)
    validate.integer(spec.gpus_per_node, "--gpus-per-node", 1, 16)
    validate.image(spec.image, "--image")
    if spec.rdma_resource is not None:
        validate.label_key(spec.rdma_resource, "--rdma-resource")
    for key, value in spec.node_selector.items():
        validate.label_key(key, "node selector key")
        validate.label_value(value, "node selector value")
    for text, what in ((spec.min_bytes, "--min-bytes"), (spec.max_bytes, "--max-bytes")):
        if not _BYTES.match(text):
            raise UsageError(
                f"invalid {what} {text!r}: give a byte count with an optional K, M or G",
                hint="for example: --max-bytes 8G",
            )
    for key in spec.env:
        if not re.match(r"^NCCL_[A-Z0-9_]+$|^UCX_[A-Z0-9_]+$", key):
            raise UsageError(
                f"invalid --env {key!r}: only NCCL_* and UCX_* variables are passed to the test",
                hint="for example: --env NCCL_DEBUG=INFO",
            )
        validate.text(spec.env[key], f"--env {key}", 256)
    return spec


def rdma_units(plugins: Sequence[Plugin], resource: str | None, gpus_per_node: int) -> int:
    """How many units of ``resource`` a pod asks for: one where the RDMA shared device plugin advertises
    it (one unit gives the pod every HCA of the entry's selectors, shared by up to rdmaHcaMax pods:
    Mellanox/k8s-rdma-shared-dev-plugin 410b0f3 pkg/resources/server.go Allocate gives every container the
    server's whole deviceSpec), one per GPU where an SR-IOV network device plugin does: there a unit is one virtual
    function, one HCA (k8snetworkplumbingwg/sriov-network-device-plugin README: it "registers available
    SR-IOV capable VFs ... as extended resources", and pods "request for these VFs"), and Azure's AKS
    InfiniBand test asks for rdma/ib: 8 beside nvidia.com/gpu: 8 (Azure/aks-rdma-infiniband d838696
    tests/scenarios/k8s/sriov/gpu/eight/eight.yaml). One VF for eight ranks would put every rank of the
    node on one HCA, an eighth of the node's InfiniBand bandwidth."""
    if resource is None:
        return 1
    if any(p.kind == "sriov" and resource in p.resources for p in plugins):
        return gpus_per_node
    return 1


def ssh_keypair() -> tuple[str, str]:
    """A fresh ed25519 key pair: (OpenSSH private key, authorized_keys line)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return private, f"{public} akscli-nccl"


def objects(spec: NcclSpec, *, run_id: str, keypair: tuple[str, str] | None = None) -> list[dict[str, Any]]:
    """The Service, Secret, ConfigMap and Job of one NCCL run."""
    private, public = keypair or ssh_keypair()
    return render.render(
        "baremetal/nccl-test.yaml.j2",
        {
            "name": spec.name,
            "namespace": spec.namespace,
            "run_id": run_id,
            "nodes": spec.nodes,
            "gpus_per_node": spec.gpus_per_node,
            "ranks": spec.nodes * spec.gpus_per_node,
            "image": spec.image,
            "rdma_resource": spec.rdma_resource,
            "rdma_per_pod": spec.rdma_per_pod,
            "host_network": spec.host_network,
            "node_selector": spec.node_selector,
            "min_bytes": spec.min_bytes,
            "max_bytes": spec.max_bytes,
            "env": {**TOPOLOGY_ENV.get(spec.topology or "", {}), **spec.env},
            "tolerations": [dict(t) for t in spec.tolerations],
            "pinned": list(spec.pinned),
            "kept_off": list(spec.kept_off),
            # --env NCCL_TOPO_FILE names the user's own file: theirs wins
            "topology": topology_xml(spec.topology) if spec.topology and "NCCL_TOPO_FILE" not in spec.env else None,
            "topology_path": TOPOLOGY_PATH,
            "ssh_private_key": private,
            "ssh_public_key": public,
            "active_deadline_s": int(spec.timeout_s),
        },
    )


# What --dry-run puts in the run's Secret: each run makes a fresh key pair when it starts, and a
# private key never reaches stdout, so a dry run shows where the keys go and makes none.
DRY_RUN_KEYPAIR = (
    "<a fresh ed25519 private key, made when the test runs>",
    "<its public key> akscli-nccl",
)


def send(kube: Kube, objs: list[dict[str, Any]], *, dry_run: bool = False) -> list[dict[str, Any]]:
    """Apply the run's objects (server-side, forced: a run's objects are akscli's alone); with
    ``dry_run`` the API server validates them and persists nothing. Returns its answers."""
    return [kube.apply(obj, force=True, dry_run=dry_run) for obj in objs]


def run(
    kube: Kube,
    spec: NcclSpec,
    *,
    run_id: str,
    vm_size: str | None,
    keep: bool = False,
    min_ratio: float = 1.0,
    progress: Callable[[str], None] | None = None,
) -> Verdict:
    """Create the run, wait for pod 0 to finish (watch), parse its log, clean up, judge."""
    say = progress or (lambda _msg: None)
    objs = objects(check_spec(spec), run_id=run_id)
    send(kube, objs)
    say(f"NCCL test {spec.name}: {spec.nodes} pod(s), {spec.nodes * spec.gpus_per_node} ranks")
    try:
        launcher = _wait_for_launcher(kube, spec, run_id, say)
        lines = list(kube.logs(spec.namespace, launcher, container="nccl"))
    finally:
        if not keep:
            for obj in reversed(objs):
                kube.delete(
                    obj["apiVersion"],
                    obj["kind"],
                    obj["metadata"]["name"],
                    namespace=spec.namespace,
                    propagation="Foreground",
                )
    return judge(
        parse(lines),
        vm_size=vm_size,
        nodes=spec.nodes,
        min_ratio=min_ratio,
        ranks=spec.nodes * spec.gpus_per_node,
        gpus_per_node=spec.gpus_per_node,
    )


def _wait_for_launcher(kube: Kube, spec: NcclSpec, run_id: str, say: Callable[[str], None]) -> str:
    selector = f"{RUN_LABEL}={run_id},batch.kubernetes.io/job-completion-index=0"
    deadline = time.monotonic() + spec.timeout_s
    for pod in pods.pod_events(kube, spec.namespace, selector, deadline):
        name = str(pod["metadata"]["name"])
        if pods.stopped(pod):
            # Deleted, then marked Failed by its kubelet: stopped, not finished, and its log is
            # about to go. An eviction says why; else the Job's deadline (the run's timeout) or
            # its deletion stopped it, which the timeout below reports.
            why = pods.disruption(pod)
            if why:
                raise CheckFailedError(
                    f"the NCCL test's launcher pod {name} was stopped before it finished ({why})",
                    hint="run it again once the nodes are stable",
                )
            break
        if pods.phase(pod) in pods.TERMINAL:
            say(f"launcher pod {name} {pods.phase(pod).lower()}")
            return name
        reason = pods.pull_error(pod)
        if reason:
            raise CheckFailedError(
                f"the NCCL test image {spec.image} cannot be pulled ({reason})",
                hint="pass --image with an image that has nccl-tests, mpirun and sshd",
            )
    # Why, in the scheduler's or the kubelet's words (a pod no node can take, a crash), read before
    # the run is removed; without --keep the pods are gone by the time the user looks.
    from akscli.kube import pod_problems

    trouble = pod_problems.first_problem(kube, spec.namespace, {"matchLabels": {RUN_LABEL: run_id}})
    raise WaitTimeoutError(
        f"the NCCL test did not finish within {spec.timeout_s:.0f}s{pod_problems.after(trouble)}",
        hint=f"run it again with --keep, then see its pods: kubectl get pods -n {spec.namespace} -l {RUN_LABEL}",
    )
