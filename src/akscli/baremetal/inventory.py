"""``baremetal inventory``: run the probe on every GPU node and gather one cluster-wide table.

One short-lived Job per node, pinned with ``nodeName``, created in batches of ``parallel`` so
the scheduler and API server see a bounded load whatever the cluster size. Each batch is
followed by a watch on its pods (no polling); finished pods' logs are read, then the batch's
Jobs are deleted before the next batch starts. Jobs also carry ``ttlSecondsAfterFinished`` so an
interrupted run cleans up after itself.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from akscli import render, validate
from akscli.baremetal import doctor, pods
from akscli.baremetal.report import Anomaly, ProbeReport, blocking_summary, first_few, report_from_dict
from akscli.concurrency import parallel_map
from akscli.errors import AkscliError, AuthError, CheckFailedError, NotFoundError, NotInstalledError, UsageError
from akscli.gpu.devices import vm_size_of

if TYPE_CHECKING:
    from akscli.kube.client import Kube

RUN_LABEL = "akscli.io/probe-run"
NODE_ANNOTATION = "akscli.io/node"


@dataclass
class NodeResult:
    node: str
    status: str  # ok | failed | timeout
    report: ProbeReport | None = None
    error: str | None = None
    expected_gpus: int = 0  # the node's VM size's GPUs (0: size unknown)

    def row(self) -> dict[str, Any]:
        r = self.report
        gpus = r.gpus if r else []
        links = sum(len(g.nvlinks) for g in gpus)
        active = sum(g.nvlinks_active for g in gpus)
        ports = r.rdma if r else []
        return {
            "node": self.node,
            "status": self.status,
            "gpus": len(gpus),
            "expected_gpus": self.expected_gpus or None,
            "gpu_model": gpus[0].name if gpus else None,
            "driver": r.driver_version if r else None,
            "cuda": r.cuda_version if r else None,
            "nvlink": f"{active}/{links}" if links else "none",
            "rdma_ports": f"{sum(1 for p in ports if p.state.upper() == 'ACTIVE')}/{len(ports)}" if ports else "none",
            "anomalies": len(r.anomalies) if r else 0,
            "error": self.error,
        }


@dataclass
class Inventory:
    nodes: list[NodeResult] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        reports = [n.report for n in self.nodes if n.report]
        models: Counter[str] = Counter(g.name for r in reports for g in r.gpus)
        drivers: Counter[str] = Counter(r.driver_version for r in reports)
        return {
            "nodes": len(self.nodes),
            "probed": len(reports),
            "failed": sum(1 for n in self.nodes if n.status != "ok"),
            "gpus": sum(len(r.gpus) for r in reports),
            "gpu_models": dict(models.most_common()),
            "drivers": dict(drivers.most_common()),
            "nvlinks_active": sum(g.nvlinks_active for r in reports for g in r.gpus),
            "nvlinks": sum(len(g.nvlinks) for r in reports for g in r.gpus),
            "rdma_ports_active": sum(1 for r in reports for p in r.rdma if p.state.upper() == "ACTIVE"),
            "rdma_ports": sum(len(r.rdma) for r in reports),
            "anomalies": sum(len(r.anomalies) for r in reports),
        }

    def anomalies(self) -> list[dict[str, Any]]:
        return [
            {"node": n.node, "scope": a.scope, "severity": a.severity, "message": a.message, "fix": a.fix}
            for n in self.nodes
            if n.report
            for a in n.report.anomalies
        ]

    def summary_line(self) -> str:
        s = self.summary()
        return (
            f"{s['nodes']} GPU node(s), {s['gpus']} GPU(s), NVLink {s['nvlinks_active']}/{s['nvlinks']} "
            f"active, RDMA ports {s['rdma_ports_active']}/{s['rdma_ports']} active, "
            f"{s['anomalies']} anomalies, {s['failed']} probe(s) failed"
        )

    def warnings(self) -> list[dict[str, Any]]:
        """The anomalies that do not block GPU work (printed as ``warning:`` lines)."""
        return [a for a in self.anomalies() if a["severity"] != "error"]

    def blocking(self) -> tuple[str, str] | None:
        """Why a runbook should stop, as the one ``error:`` line and its hint, or None: the nodes
        whose probe failed and the blocking (error) anomalies, counted and the first few named
        (docs/exit-codes.md: one error line; the anomalies that do not block are the warnings)."""
        failed = [n.node for n in self.nodes if n.status != "ok"]
        anomalies = blocking_summary([(n.node, a) for n in self.nodes if n.report for a in n.report.anomalies])
        if not failed and anomalies is None:
            return None
        lines, hints = [], []
        if failed:
            lines.append(f"the probe failed on {len(failed)} node(s): {first_few(failed)}")
        if anomalies is not None:
            lines.append(anomalies[0])
            hints.append(anomalies[1])
        if failed:
            hints.append("-o wide shows why each probe failed")
        return "; ".join(lines), "; ".join(hints)

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "nodes": [n.row() for n in self.nodes],
            "anomalies": self.anomalies(),
            "reports": [n.report.to_dict() for n in self.nodes if n.report],
        }


@dataclass
class InventoryOptions:
    namespace: str = "default"
    image: str = ""
    label_selector: str | None = None
    parallel: int = 50
    timeout_s: float = 300.0
    runtime_class: str | None = None
    max_nodes: int | None = None


def probe_image(given: str | None) -> str:
    """The probe's image: --image, else $AKSCLI_PROBE_IMAGE (raises UsageError when neither is set)."""
    image = given or os.environ.get("AKSCLI_PROBE_IMAGE")
    if not image:
        raise UsageError(
            "inventory needs the probe's image: give --image or set AKSCLI_PROBE_IMAGE",
            hint="an image with akscli and nvidia-ml-py installed; see docs/baremetal.md",
        )
    return image


def check(opts: InventoryOptions) -> InventoryOptions:
    validate.name(opts.namespace, "namespace")
    validate.image(opts.image, "--image")
    if opts.label_selector:
        validate.label_selector(opts.label_selector)
    validate.integer(opts.parallel, "--parallel", 1, 500)
    if opts.runtime_class:
        validate.subdomain(opts.runtime_class, "--runtime-class")
    if opts.max_nodes is not None:
        validate.integer(opts.max_nodes, "--max-nodes", 1, 1_000_000)
    return opts


def operator_runtime_class(kube: Kube) -> tuple[str, str] | None:
    """The GPU Operator's RuntimeClass and ClusterPolicy where the probe needs that RuntimeClass,
    else None.

    With CDI (``cdi.enabled``, on unless turned off) the operator does not make its runtime the
    node's default: only pods with its RuntimeClass go through the NVIDIA runtime, which is what
    honours ``NVIDIA_VISIBLE_DEVICES=all`` for a pod that asks for no GPU (upstream:
    NVIDIA/gpu-operator v26.7.0 controllers/object_controls.go transformToolkitCtrForCDI and
    getRuntimeClassName, DefaultRuntimeClass "nvidia"; api/nvidia/v1/clusterpolicy_types.go
    CDIConfigSpec.IsEnabled and ToolkitSpec.IsEnabled, both true when unset). The operator acts on
    one ClusterPolicy (gpu_stack.active_policy). A toolkit it does not manage (AKS's own) is left
    to the node's default runtime.
    """
    from akscli.gpu import stack as gpu_stack

    try:
        policies = list(kube.list("nvidia.com/v1", "ClusterPolicy", page_size=10))
    except NotInstalledError:
        return None
    if not policies:
        return None
    policy = gpu_stack.active_policy(policies)
    spec = policy.get("spec") or {}
    if (spec.get("toolkit") or {}).get("enabled") is False or (spec.get("cdi") or {}).get("enabled") is False:
        return None
    runtime_class = str((spec.get("operator") or {}).get("runtimeClass") or "nvidia")
    return runtime_class, str((policy.get("metadata") or {}).get("name"))


def check_runtime_class(kube: Kube, name: str) -> list[str]:
    """--runtime-class must name a RuntimeClass of the cluster: the API server refuses a pod naming
    one that does not exist ("pod rejected: RuntimeClass not found", kubernetes/kubernetes
    plugin/pkg/admission/runtimeclass/admission.go, prepareObjectForRuntimeClass), so the Job
    controller would create no probe pod and every node would time out. The warnings to show:
    one where the user may not read RuntimeClasses."""
    try:
        found = kube.get("node.k8s.io/v1", "RuntimeClass", name)
    except AuthError:
        return [f"cannot read RuntimeClass {name} (--runtime-class): not checked that it exists"]
    if found is None:
        raise NotFoundError(
            f"--runtime-class names RuntimeClass {name}, which does not exist: the API server would refuse "
            "every probe pod",
            hint="list them with kubectl get runtimeclass, or drop --runtime-class (the GPU Operator's "
            "is used when its ClusterPolicy gives GPUs through CDI)",
        )
    return []


def fit(kube: Kube, opts: InventoryOptions) -> str | None:
    """Give the probe pods the GPU Operator's RuntimeClass when none was given and they need it;
    the line that says so, or None."""
    if opts.runtime_class:
        return None
    found = operator_runtime_class(kube)
    if found is None:
        return None
    opts.runtime_class, policy = found
    return (
        f"probe pods use RuntimeClass {opts.runtime_class}: ClusterPolicy {policy} gives GPUs through CDI, "
        "so the NVIDIA runtime is not the nodes' default (--runtime-class overrides it)"
    )


def gpu_nodes(kube: Kube, opts: InventoryOptions) -> Iterator[str]:
    """Names of GPU nodes, streamed page by page."""
    return (name for name, _, _ in sized_gpu_nodes(kube, opts))


def sized_gpu_nodes(kube: Kube, opts: InventoryOptions) -> Iterator[tuple[str, str | None, int]]:
    """(name, VM size, the size's GPUs) of each GPU node, streamed page by page."""
    count = 0
    for page in kube.list_pages("v1", "Node", label_selector=opts.label_selector):
        for node in page["items"]:
            if doctor.is_gpu_node(node):
                size = vm_size_of((node.get("metadata") or {}).get("labels") or {})
                yield str(node["metadata"]["name"]), size, doctor.expected_gpus(size)
                count += 1
                if opts.max_nodes is not None and count >= opts.max_nodes:
                    return


def missing_gpus(report: ProbeReport, vm_size: str | None, expected: int) -> Anomaly | None:
    """An error where NVML sees fewer GPUs than the node's VM size has: a GPU the driver lost
    (fallen off the bus, Xid 79) or the host never attached. The device plugin advertises only
    what NVML sees, so doctor's gpu-count finds the same node from its capacity; the probe sees
    it even where no plugin runs. upstream: NVIDIA/k8s-device-plugin 1b826ac internal/rm/nvml_manager.go
    NewNVMLResourceManagers (the devices NVML enumerates)."""
    if expected <= 0 or len(report.gpus) >= expected:
        return None
    return Anomaly(
        "node",
        "error",
        f"NVML sees {len(report.gpus)} of the {expected} GPUs a {vm_size} has",
        "look for Xid 79 (GPU fallen off the bus) in the node's kernel log and compare 'nvidia-smi -L'; "
        "drain the node and reimage it, or report the VM to Azure",
    )


def missing_interconnect(report: ProbeReport, vm_size: str | None) -> list[Anomaly]:
    """Errors where the node lacks the interconnect its VM size has, by akscli's interconnect table
    (data/interconnect.yaml; each size's row names its sources: Azure's size pages and
    Azure/azurehpc-health-checks conf/<size>.conf):

    - an NVLink size whose GPUs NVML lists no NVLink link for: NVML answers NotSupported for
      every link where the GPU has none (the recorded single-H100 VM,
      shared/data/gpu-probe/h100-80gb-hbm3-vm/nvml.json), so NCCL inside the node falls back to
      PCIe. Links that exist but are down are already an anomaly of the GPU (report.py).
    - an InfiniBand size with fewer InfiniBand HCAs under /sys/class/infiniband than it has (none
      at all: that recording's sysfs.txt). A port whose link layer is Ethernet (the accelerated
      networking NIC's mlx5 device) is not an InfiniBand HCA.
    """
    from akscli.baremetal import nccl_expected

    info = nccl_expected.interconnect(vm_size) if vm_size else None
    if info is None or not report.gpus:
        return []
    found: list[Anomaly] = []
    unlinked = [g.index for g in report.gpus if not g.nvlinks]
    if info.nvlink_version and unlinked:
        which = "any GPU" if len(unlinked) == len(report.gpus) else f"GPU {', '.join(map(str, unlinked))}"
        found.append(
            Anomaly(
                "node",
                "error",
                f"NVML lists no NVLink link on {which}; a {info.vm_size} has NVLink {info.nvlink_version}",
                "check 'nvidia-smi nvlink -s' and 'nvidia-smi topo -m' (NV# between the GPUs), and that the "
                "fabric manager runs; drain the node and reimage it, or report the VM to Azure",
            )
        )
    hcas = sorted({p.device for p in report.rdma if (p.link_layer or "").lower() != "ethernet"})
    if info.ib_hcas and len(hcas) < info.ib_hcas:
        found.append(
            Anomaly(
                "node",
                "error",
                f"/sys/class/infiniband shows {len(hcas)} of the {info.ib_hcas} InfiniBand HCAs a {info.vm_size} has",
                "check 'ibstat' and that the InfiniBand driver is loaded (the GPU Operator's MOFED or the "
                "node image's); drain the node and reimage it, or report the VM to Azure",
            )
        )
    return found


def job_name(run_id: str, index: int) -> str:
    return f"gpu-probe-{run_id}-{index}"


def job(opts: InventoryOptions, run_id: str, index: int, node: str) -> dict[str, Any]:
    return _render_job(opts, run_id, index, node)


def first_job(opts: InventoryOptions, run_id: str) -> dict[str, Any]:
    """The run's first probe Job, for a placeholder node: every probe Job has its pod spec but the
    node (the PodSecurity check reads one before any node is listed)."""
    return _render_job(opts, run_id, 0, "node")


def _render_job(opts: InventoryOptions, run_id: str, index: int, node: str) -> dict[str, Any]:
    [obj] = render.render(
        "baremetal/gpu-probe-job.yaml.j2",
        {
            "name": job_name(run_id, index),
            "namespace": opts.namespace,
            "run_id": run_id,
            "node": node,
            "image": opts.image,
            "runtime_class": opts.runtime_class,
            "deadline_s": int(opts.timeout_s),
        },
    )
    return obj


def parse_probe_log(text: str) -> ProbeReport:
    """The probe's JSON from a pod log (which may hold stderr lines around it: the probe's own
    error line, when it found a blocking anomaly, may come before its buffered stdout). The
    report starts a line with ``{``."""
    start = 0 if text.startswith("{") else text.find("\n{") + 1
    if start == 0 and not text.startswith("{"):
        raise CheckFailedError(_error_line(text))
    try:
        data, _ = json.JSONDecoder().raw_decode(text[start:])
    except ValueError as exc:
        raise CheckFailedError(f"the probe's output is not JSON ({exc})") from exc
    return report_from_dict(data)


def _error_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("error:"):
            return line.removeprefix("error:").strip()
    return lines[-1] if lines else "the probe failed without output"


def _exit_code(pod: dict[str, Any]) -> int | None:
    """The probe container's exit code, once it has terminated."""
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        if status.get("name") == "probe":
            terminated = (status.get("state") or {}).get("terminated") or {}
            code = terminated.get("exitCode")
            return int(code) if code is not None else None
    return None


def _read_log(kube: Kube, namespace: str, pod: str) -> str:
    return "\n".join(kube.logs(namespace, pod, container="probe"))


def create_jobs(
    kube: Kube, jobs: list[dict[str, Any]], parallel: int, *, dry_run: bool = False
) -> list[dict[str, Any]]:
    """Create the probe Jobs (``dry_run``: the API server validates them, persists nothing)."""
    return parallel_map(lambda j: kube.create(j, dry_run=dry_run), jobs, min(CREATE_PARALLEL, parallel))


# Creates in flight at once, whatever --parallel (the Jobs that run at once) says.
CREATE_PARALLEL = 8


def planned_jobs(kube: Kube, opts: InventoryOptions, run_id: str) -> Iterator[dict[str, Any]]:
    """Every probe Job a run would create: one pinned to each GPU node, made as the node's page
    arrives (15,000 GPU nodes of a 75,000-node cluster are not held as Jobs)."""
    check(opts)
    return (job(opts, run_id, index, node) for index, node in enumerate(gpu_nodes(kube, opts)))


def dry_run_jobs(kube: Kube, jobs: Iterable[dict[str, Any]], parallel: int) -> Iterator[dict[str, Any]]:
    """The API server's answers to ``jobs`` sent with dryRun=All, in order, ``parallel`` at a
    time and a batch of them at a time, so that only a batch of Jobs is held. The first Job goes
    alone: what refuses one refuses them all (a missing namespace, a quota, an admission webhook
    that does not support dry run: kubernetes/apiserver pkg/admission/plugin/webhook/errors
    statuserror.go NewDryRunUnsupportedErr), and then one request is sent, not a batch."""
    batch: list[dict[str, Any]] = []
    size = 1
    for obj in jobs:
        batch.append(obj)
        if len(batch) == size:
            yield from create_jobs(kube, batch, parallel, dry_run=True)
            batch, size = [], _DRY_RUN_BATCH
    if batch:
        yield from create_jobs(kube, batch, parallel, dry_run=True)


# Jobs sent at once by dry_run_jobs (CREATE_PARALLEL at a time).
_DRY_RUN_BATCH = 64


def _run_batch(
    kube: Kube,
    opts: InventoryOptions,
    run_id: str,
    batch: list[tuple[int, str]],
    sizes: dict[str, tuple[str | None, int]],
) -> list[NodeResult]:
    jobs = [job(opts, run_id, index, node) for index, node in batch]
    names = {j["metadata"]["name"]: j["metadata"]["annotations"][NODE_ANNOTATION] for j in jobs}
    create_jobs(kube, jobs, opts.parallel)
    results: dict[str, NodeResult] = {}
    deadline = time.monotonic() + opts.timeout_s
    selector = f"{RUN_LABEL}={run_id}"
    try:
        for pod in pods.pod_events(kube, opts.namespace, selector, deadline):
            owner = (pod.get("metadata") or {}).get("labels", {}).get("job-name") or (pod.get("metadata") or {}).get(
                "labels", {}
            ).get("batch.kubernetes.io/job-name")
            node = names.get(str(owner)) or ((pod.get("metadata") or {}).get("annotations") or {}).get(NODE_ANNOTATION)
            if node is None or node not in names.values() or node in results:
                continue
            phase = pods.phase(pod)
            pod_name = str(pod["metadata"]["name"])
            if phase == "Succeeded" or (phase == "Failed" and _exit_code(pod) == CheckFailedError.exit_code):
                # exit 9: the probe read the node and found a blocking anomaly; its report is read
                size, expected = sizes.get(node, (None, 0))
                try:
                    report = parse_probe_log(_read_log(kube, opts.namespace, pod_name))
                    if short := missing_gpus(report, size, expected):
                        report.anomalies.append(short)
                    report.anomalies += missing_interconnect(report, size)
                    results[node] = NodeResult(node, "ok", report=report, expected_gpus=expected)
                except AkscliError as exc:
                    results[node] = NodeResult(node, "failed", error=exc.message)
            elif pods.stopped(pod):
                # deleted, then marked Failed by its kubelet: its log is about to go. An eviction
                # says why; else the Job's deadline (this run's timeout) stopped it.
                why = pods.disruption(pod)
                if why:
                    results[node] = NodeResult(node, "failed", error=f"the probe pod was stopped ({why})")
                else:
                    results[node] = NodeResult(node, "timeout", error=f"no result within {opts.timeout_s:.0f}s")
            elif phase == "Failed":
                results[node] = NodeResult(node, "failed", error=_error_line(_read_log(kube, opts.namespace, pod_name)))
            elif reason := pods.pull_error(pod):
                results[node] = NodeResult(node, "failed", error=f"probe image {opts.image}: {reason}")
            if len(results) == len(batch):
                break
    finally:
        parallel_map(
            lambda n: kube.delete("batch/v1", "Job", n, namespace=opts.namespace, propagation="Background"),
            list(names),
            min(8, opts.parallel),
        )
    for _, node in batch:
        results.setdefault(node, NodeResult(node, "timeout", error=f"no result within {opts.timeout_s:.0f}s"))
    return [results[node] for _, node in batch]


def run(
    kube: Kube, opts: InventoryOptions, *, run_id: str | None = None, progress: Callable[[str], None] | None = None
) -> Inventory:
    check(opts)
    run_id = run_id or secrets.token_hex(3)
    say = progress or (lambda _msg: None)
    inventory = Inventory()
    # Names first (a few MB for 75,000 nodes): a list continue token would expire while the
    # batches run, and the total makes the progress line meaningful.
    sizes = {name: (size, expected) for name, size, expected in sized_gpu_nodes(kube, opts)}
    names = list(sizes)
    say(f"{len(names):,} GPU nodes to probe, {opts.parallel} at a time")
    for start in range(0, len(names), opts.parallel):
        batch = [(i, names[i]) for i in range(start, min(start + opts.parallel, len(names)))]
        inventory.nodes += _run_batch(kube, opts, run_id, batch, sizes)
        say(f"probed {len(inventory.nodes):,} of {len(names):,} GPU nodes")
    return inventory
