"""akscli baremetal: AKS on bare metal (preview) and GPU/RDMA node readiness on any cluster.

Thin: parse and validate flags, call ``akscli.baremetal.*``, print through ``akscli.output``.
"""

import secrets
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import output, validate
from akscli.cli import flag_types
from akscli.cli import options as opts
from akscli.cli.baremetal_cluster import cluster_app
from akscli.cli.baremetal_nccl import test_app
from akscli.errors import CheckFailedError, UsageError

if TYPE_CHECKING:
    from akscli.baremetal import nfd_worker
    from akscli.baremetal.inventory import InventoryOptions
    from akscli.kube.client import Kube

app = typer.Typer(
    name="baremetal",
    help="AKS on bare metal and GPU/RDMA node readiness.",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)
app.add_typer(cluster_app, name="cluster")  # cli/baremetal_cluster.py: one module per noun
app.add_typer(test_app, name="test")  # cli/baremetal_nccl.py

REPORT_FORMATS = ("table", "wide", "json", "yaml", output.JSONPATH, output.CUSTOM_COLUMNS)
ReportOutput = Annotated[str, opts.output_option(REPORT_FORMATS, "custom-columns: one row per finding")]

PROBE_COLUMNS = [
    output.Column("GPU", "gpu"),
    output.Column("NAME", "name"),
    output.Column("MEMORY", "memory"),
    output.Column("DRIVER", "driver"),
    output.Column("CUDA", "cuda"),
    output.Column("CC", "cc"),
    output.Column("ECC", "ecc"),
    output.Column("ECC ERRORS", "ecc_errors"),
    output.Column("REMAPPED ROWS", "remapped"),
    output.Column("PCIE", "pcie"),
    output.Column("MIG", "mig"),
    output.Column("NVLINK", "nvlink"),
    output.Column("POWER LIMIT", "power_limit", wide=True),
]
RDMA_COLUMNS = [
    output.Column("RDMA DEVICE", "device"),
    output.Column("PORT", "port"),
    output.Column("STATE", "state"),
    output.Column("PHYSICAL", "physical_state"),
    output.Column("RATE", "rate"),
    output.Column("LINK LAYER", "link_layer"),
]
POOL_COLUMNS = [
    output.Column("POOL", "pool"),
    output.Column("VM SIZE", "vm_size"),
    output.Column("NODES", "nodes"),
    output.Column("READY", "ready"),
    output.Column("GPU NODES", "gpu_nodes"),
    output.Column("GPUS", lambda p: _pool_gpus(p)),
    output.Column("EXPECTED", "expected_gpus"),
    output.Column("RDMA NODES", "rdma_nodes"),
    output.Column("DRIVERS", lambda p: ", ".join(p["drivers"]) or None),
]


def _pool_gpus(pool: dict[str, Any]) -> str:
    """Allocatable/capacity units; where some are MIG devices or shared replicas, how many, so a
    pool of 16 GPUs whose 8 are split in 56 MIG devices does not read as 64 GPUs against 16."""
    text = f"{pool['gpu_allocatable']}/{pool['gpu_capacity']}"
    shared = pool.get("shared_capacity") or 0
    return f"{text} ({shared} MIG or shared)" if shared else text


FINDING_COLUMNS = [
    output.Column("SEVERITY", "severity"),
    output.Column("CHECK", "check"),
    output.Column("POOL", "pool"),
    output.Column("COUNT", "count"),
    output.Column("FINDING", "message"),
    output.Column("FIX", "fix"),
    output.Column("NODES", "nodes", wide=True),
]
INVENTORY_COLUMNS = [
    output.Column("NODE", "node"),
    output.Column("STATUS", "status"),
    output.Column("GPUS", "gpus"),
    output.Column("MODEL", "gpu_model"),
    output.Column("DRIVER", "driver"),
    output.Column("CUDA", "cuda"),
    output.Column("NVLINK", "nvlink"),
    output.Column("RDMA PORTS", "rdma_ports"),
    output.Column("ANOMALIES", "anomalies"),
    output.Column("ERROR", "error", wide=True),
]
# --kubeconfig, --context, -n and --request-timeout, in place of a command's `cluster: KubeFlags` (inventory).
_on_cluster = flag_types.on_kube("kubeconfig", "context", "namespace", "request_timeout")


# ---- probe -----------------------------------------------------------------------------------


@app.command("probe")
def probe(
    output_format: Annotated[str, opts.output_option(REPORT_FORMATS, "custom-columns: one row per GPU")] = "table",
    sysfs_root: Annotated[
        str,
        typer.Option(
            "--sysfs-root",
            metavar="FOLDER",
            help="The folder the host's /sys is under: / on the host; /host in a pod that mounts it at /host/sys.",
        ),
    ] = "/",
    replay: Annotated[
        str | None,
        typer.Option(
            "--replay",
            metavar="FOLDER",
            help="Replay a recorded machine: a folder holding nvml.json (and sysfs.txt), instead of the hardware.",
            show_default=False,
        ),
    ] = None,
    node: Annotated[
        str | None,
        typer.Option(
            "--node-name", help="Name to report (default: $NODE_NAME, else the host name).", show_default=False
        ),
    ] = None,
    record: Annotated[
        str | None,
        typer.Option(
            "--record",
            metavar="FOLDER",
            help="Also save what this machine answered (nvml.json, sysfs.txt) in FOLDER, for --replay elsewhere.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Read this machine's GPUs (NVML) and RDMA ports (sysfs). Exit 7 when there is no GPU,
    no driver or no NVML; exit 9 when an anomaly blocks GPU work."""
    from akscli.baremetal import probe as logic

    fmt = output.check_format(output_format, REPORT_FORMATS)
    if record is not None:
        if replay is not None:
            raise UsageError(
                "--record saves this machine's answers and --replay reads saved ones: give one of them",
                hint="record on the GPU machine, replay where you read the recording",
            )
        from akscli.baremetal.record import record_host

        saved = record_host(record, sysfs_root=sysfs_root)
        output.info(f"recorded this machine's NVML and sysfs answers in {saved} (replay: --replay {saved})")
    # --replay runs the same code path on recorded NVML and sysfs answers (tests, demos, bug reports).
    report = logic.replay(replay, node=node) if replay is not None else logic.probe_host(sysfs_root, node=node)
    if output.structured(fmt):
        # custom-columns= reads one row per GPU, as the table shows them (the whole report has
        # no .index or .name: every cell was <none>)
        doc = report.to_dict()
        output.emit_object(doc, fmt, rows=doc["gpus"])
    else:
        output.emit(report.rows(), fmt, PROBE_COLUMNS)
        if report.rdma:
            output.emit([vars(p) for p in report.rdma], fmt, RDMA_COLUMNS)
        else:
            output.info("RDMA: no devices in /sys/class/infiniband")
        for a in report.warnings():
            output.warn(f"{a.scope}: {a.message} (fix: {a.fix})")
    # The blocking anomalies are named in the one error line (exit 9), as inventory names them;
    # inventory reads the report of a probe pod that exited 9 like that of one that exited 0.
    blocking = report.blocking()
    if blocking:
        raise CheckFailedError(blocking[0], hint=blocking[1])


# ---- doctor ----------------------------------------------------------------------------------


@app.command("doctor")
@flag_types.on_kube("kubeconfig", "context", "request_timeout")
def doctor(
    cluster: opts.KubeFlags = opts.KubeFlags(),
    selector: flag_types.Selector = None,
    rdma_resource: Annotated[
        list[str] | None,
        typer.Option(
            "--rdma-resource",
            help="An RDMA resource name to look for (repeatable; default: "
            "rdma/rdma_shared_device_a, rdma/ib, rdma/shared_ib, rdma/hca_shared_devices_a).",
            show_default=False,
        ),
    ] = None,
    operator_namespace: Annotated[
        str | None,
        typer.Option(
            "--operator-namespace",
            help="Namespace of the NVIDIA GPU Operator (default: where its pod runs).",
            show_default=False,
        ),
    ] = None,
    expect_rdma: Annotated[
        bool | None,
        typer.Option(
            "--expect-rdma/--no-expect-rdma",
            help="Require RDMA on every GPU node (default: where the VM size has InfiniBand).",
            show_default=False,
        ),
    ] = None,
    page_size: Annotated[int, typer.Option("--page-size", help="Nodes per list request.", min=10, max=5000)] = 500,
    output_format: ReportOutput = "table",
) -> None:
    """Check GPU nodes, pools and the GPU Operator; exit 9 when something blocks GPU work."""
    from akscli.baremetal import doctor as logic

    fmt = output.check_format(output_format, REPORT_FORMATS)
    resources = (
        tuple(validate.label_key(r, "--rdma-resource") for r in rdma_resource or ()) or logic.DEFAULT_RDMA_RESOURCES
    )
    options = logic.Options(
        rdma_resources=resources,
        operator_namespace=validate.name(operator_namespace, "--operator-namespace") if operator_namespace else None,
        expect_rdma=expect_rdma,
        label_selector=opts.label_selector(selector),
        page_size=page_size,
    )
    kube = cluster.connect()
    with output.status("listing nodes") as update:
        report = logic.diagnose(kube, options, progress=update)
    if output.structured(fmt):
        doc = report.to_dict()
        output.emit_object(doc, fmt, rows=doc["findings"])
    else:
        output.emit([p.to_dict() for p in report.pools], fmt, POOL_COLUMNS, empty="No nodes.")
        output.emit(
            [f.to_dict() for f in report.findings],
            fmt,
            FINDING_COLUMNS,
            empty="No findings: the cluster is ready for GPU work.",
        )
    if report.blocking:
        raise CheckFailedError(
            report.blocking_line(),
            hint="fix the errors above and run 'akscli baremetal doctor' again",
        )


# ---- prepare ---------------------------------------------------------------------------------


@app.command("prepare")
@flag_types.on_kube()
def prepare(
    cluster_policy: Annotated[
        bool, typer.Option("--cluster-policy/--no-cluster-policy", help="Create the GPU Operator's ClusterPolicy.")
    ] = True,
    driver: Annotated[
        bool,
        typer.Option(
            "--driver/--no-driver", help="Let the GPU Operator install the driver (--no-driver when the host has one)."
        ),
    ] = True,
    driver_version: Annotated[
        str | None,
        typer.Option("--driver-version", help="NVIDIA driver version (default: the release's).", show_default=False),
    ] = None,
    kernel_module_type: Annotated[
        str, typer.Option("--kernel-module-type", help="Driver kernel modules: auto|open|proprietary.")
    ] = "auto",
    operator_version: Annotated[
        str | None,
        typer.Option(
            "--operator-version",
            help="GPU Operator release whose images to use (default: the newest akscli knows).",
            show_default=False,
        ),
    ] = None,
    mig_strategy: Annotated[str, typer.Option("--mig-strategy", help="none|single|mixed.")] = "none",
    gpudirect_rdma: Annotated[
        bool, typer.Option("--gpudirect-rdma", help="Load nvidia-peermem for GPUDirect RDMA.")
    ] = False,
    host_mofed: Annotated[
        bool,
        typer.Option("--host-mofed", help="Use the host's MOFED drivers (otherwise the NVIDIA Network Operator's)."),
    ] = False,
    rdma: Annotated[bool, typer.Option("--rdma/--no-rdma", help="Deploy the RDMA shared device plugin.")] = False,
    rdma_resource_name: Annotated[
        str, typer.Option("--rdma-resource-name", help="Resource advertised as rdma/NAME.")
    ] = "rdma_shared_device_a",
    rdma_if_name: Annotated[
        list[str] | None,
        typer.Option("--rdma-if-name", help="Only these interfaces (repeatable, e.g. ib0).", show_default=False),
    ] = None,
    rdma_vendor: Annotated[
        list[str] | None,
        typer.Option("--rdma-vendor", help="PCI vendor ids of the HCAs (default 15b3).", show_default=False),
    ] = None,
    rdma_image: Annotated[
        str | None,
        typer.Option(
            "--rdma-image",
            help="RDMA shared device plugin image (default: ghcr.io/mellanox's release).",
            show_default=False,
        ),
    ] = None,
    rdma_toleration: Annotated[
        list[str] | None,
        typer.Option(
            "--rdma-toleration",
            help="KEY[=VALUE]:EFFECT taint of the RDMA nodes for the plugin to tolerate, beyond nvidia.com/gpu "
            "and sku=gpu (repeatable; no value: any value).",
            show_default=False,
        ),
    ] = None,
    rdma_node_selector: Annotated[
        list[str] | None,
        typer.Option(
            "--rdma-node-selector",
            help="KEY=VALUE label of the nodes the RDMA plugin runs on (repeatable; default: NFD's "
            "feature.node.kubernetes.io/rdma.capable=true).",
            show_default=False,
        ),
    ] = None,
    cluster: opts.KubeFlags = opts.KubeFlags(),
    dry_run: flag_types.DryRun = "none",
    wait: flag_types.Wait = False,
    timeout: flag_types.Timeout = "10m",
    force_conflicts: flag_types.ForceConflicts = False,
    yes: flag_types.Yes = False,
    output_format: flag_types.ApplyOutput = "table",
) -> None:
    """The GPU Operator's ClusterPolicy and the RDMA device plugin, fitted to what the cluster runs.

    Needs the GPU Operator installed by its Helm chart (which also brings Node Feature Discovery).
    Adds no second ClusterPolicy where one exists (prints the helm upgrade line instead) and leaves
    the driver, toolkit and device plugin to AKS on nodes that run AKS's GPU driver. Plan, then apply.
    Where a GPU node's taint (AKS's sku=gpu) keeps the chart's NFD worker off it, offers to add the
    toleration to the worker's DaemonSet (asked, or -y) and prints the helm line that keeps it.
    """
    from akscli.baremetal import nccl_nodes, nfd_worker
    from akscli.baremetal import prepare as logic
    from akscli.cli import common

    options = logic.PrepareOptions(
        cluster_policy=cluster_policy,
        driver=driver,
        driver_version=driver_version,
        kernel_module_type=kernel_module_type,
        operator_version=operator_version,
        mig_strategy=mig_strategy,
        gpudirect_rdma=gpudirect_rdma,
        host_mofed=host_mofed,
        rdma=rdma,
        rdma_resource=rdma_resource_name,
        rdma_if_names=list(rdma_if_name or []),
        rdma_vendors=list(rdma_vendor or ["15b3"]),
        rdma_image=rdma_image or "",
        rdma_tolerations=[nccl_nodes.toleration(t, "--rdma-toleration") for t in rdma_toleration or []],
    )
    if rdma_node_selector:
        options.rdma_node_selector = logic.node_selector(rdma_node_selector)
    logic.check(options)
    mode = opts.dry_run_mode(dry_run)
    kube = None if mode == "client" else cluster.connect()
    nfd = None
    if kube is not None:
        for note in logic.fit(kube, options):
            output.info(note)
        nfd = nfd_worker.offer(kube)  # NFD's worker kept off GPU nodes by their taints (AKS's sku=gpu)
    objects = logic.objects(options)
    if not objects:
        output.info("nothing to apply")
    else:
        common.apply_objects(
            objects,
            stack=logic.STACK,
            target=cluster.target(),
            dry_run=dry_run,
            wait=wait,
            timeout=timeout,
            force_conflicts=force_conflicts,
            yes=yes,
            output_format=output_format,
            action="baremetal prepare",
            kube=kube,
        )
    if kube is not None and nfd is not None:
        _tolerate_nfd(kube, nfd, mode, yes)


def _tolerate_nfd(kube: "Kube", nfd: "nfd_worker.Offer", mode: str, yes: bool) -> None:
    """Offer the NFD worker the tolerations it lacks: asked on a terminal, done with -y, sent as a
    server dry run with --dry-run=server; the helm line keeps them across upgrades."""
    import sys

    from akscli.cli import common

    output.warn(nfd.problem())
    keep = f"to keep it through helm upgrades: {nfd.helm_line()}"
    if mode == "server":
        nfd.write().send(kube, dry_run=True)
        output.info(f"server dry run: adding the toleration of {nfd.taints()} to {nfd.where} was accepted; {keep}")
        return
    if not yes:
        if not sys.stdin.isatty():
            output.info(f"pass -y to add the toleration of {nfd.taints()} to {nfd.where}, or run: {nfd.helm_line()}")
            return
        sys.stderr.write(f"Add the toleration of {nfd.taints()} to {nfd.where}? [y/N] ")
        sys.stderr.flush()
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            output.info(f"left {nfd.where} as it is; to add the toleration: {nfd.helm_line()}")
            return
    answer = nfd.write().send(kube) or {}
    meta = answer.get("metadata") or nfd.daemonset["metadata"]
    record = {"object": nfd.write().ref, "namespace": str(meta.get("namespace") or ""), "action": "configure"}
    common.record_audit(
        "baremetal prepare",
        kube,
        [],
        "success",
        objects=[{**record, "resourceVersion": str(meta.get("resourceVersion", ""))}],
    )
    output.info(f"added the toleration of {nfd.taints()} to {nfd.where}; {keep}")


# ---- inventory -------------------------------------------------------------------------------


@app.command("inventory")
@_on_cluster
def inventory(
    cluster: opts.KubeFlags = opts.KubeFlags(),
    selector: flag_types.Selector = None,
    image: Annotated[
        str | None,
        typer.Option(
            "--image",
            help="An image with akscli and nvidia-ml-py (default: $AKSCLI_PROBE_IMAGE); docs/baremetal.md "
            "shows how to build one.",
            show_default=False,
        ),
    ] = None,
    parallel: Annotated[int, typer.Option("--parallel", help="Probe Jobs at a time.", min=1, max=500)] = 50,
    timeout: Annotated[
        str, opts.timeout_option("How long the probe Jobs may run before a node counts as timed out, e.g. 5m.")
    ] = "5m",
    runtime_class: Annotated[
        str | None,
        typer.Option(
            "--runtime-class",
            help="RuntimeClass for the probe pods (default: the GPU Operator's, nvidia, where its "
            "ClusterPolicy uses CDI; else none).",
            show_default=False,
        ),
    ] = None,
    max_nodes: Annotated[
        int | None, typer.Option("--max-nodes", help="Probe at most this many nodes.", min=1, show_default=False)
    ] = None,
    yes: flag_types.Yes = False,
    dry_run: flag_types.DryRun = "none",
    output_format: opts.Output = "table",
) -> None:
    """Probe every GPU node with a short-lived Job and print one cluster-wide table.

    --dry-run prints the Jobs it would create, one per GPU node: it reads the nodes to know them.
    """
    from akscli.baremetal import inventory as logic

    fmt = opts.output_format(output_format)
    mode = opts.dry_run_mode(dry_run)
    if mode != "none":
        from akscli.cli import common

        common.manifest_format(fmt)  # --dry-run prints the Jobs: manifest formats only
    options = logic.InventoryOptions(
        namespace=cluster.namespace or "default",
        image=logic.probe_image(image),
        label_selector=opts.label_selector(selector),
        parallel=parallel,
        timeout_s=validate.duration(timeout, "--timeout"),
        runtime_class=runtime_class,
        max_nodes=max_nodes,
    )
    logic.check(options)
    kube, options.namespace = cluster.connect_ns()
    if options.runtime_class:
        for warning in logic.check_runtime_class(kube, options.runtime_class):
            output.warn(warning)
    note = logic.fit(kube, options)
    if note:
        output.info(note)
    run_id = secrets.token_hex(3)
    _check_pod_security(kube, logic.first_job(options, run_id))
    if mode != "none":
        _print_probe_jobs(kube, options, fmt, run_id, server=mode == "server")
        return
    with output.status("probing GPU nodes") as update:
        result = logic.run(kube, options, run_id=run_id, progress=update)
    if output.structured(fmt):
        output.emit_object(result.to_dict(), fmt)
    else:
        output.emit(
            [n.row() for n in result.nodes],
            fmt,
            INVENTORY_COLUMNS,
            name=lambda row: f"node/{row['node']}",
            empty="No GPU nodes found.",
        )
        output.info(result.summary_line())
        for a in result.warnings():
            output.warn(f"{a['node']} {a['scope']}: {a['message']} (fix: {a['fix']})")
    blocking = result.blocking()
    if blocking:
        raise CheckFailedError(blocking[0], hint=blocking[1])


def _check_pod_security(kube: "Kube", probe_job: dict[str, Any]) -> None:
    """Every probe Job has the same pod spec but its node: the namespace's PodSecurity level is
    checked once, on the first, before any node is listed (akscli.kube.podsecurity)."""
    from akscli.kube import podsecurity

    for warning in podsecurity.check(kube, [probe_job]):
        output.warn(warning)


def _print_probe_jobs(kube: "Kube", options: "InventoryOptions", fmt: str, run_id: str, *, server: bool) -> None:
    from akscli.baremetal import inventory as logic
    from akscli.cli import common

    jobs = logic.planned_jobs(kube, options, run_id)
    if server:
        # One request per GPU node (15,000 at 75,000 nodes): said before the first is sent.
        at_once = min(logic.CREATE_PARALLEL, options.parallel)
        output.info(
            f"server dry run: each probe Job goes to the API server as a dry-run create, one per GPU node, "
            f"{at_once} at a time (--max-nodes sends fewer)"
        )
        jobs = logic.dry_run_jobs(kube, jobs, options.parallel)
    common.print_manifests(jobs, fmt)
