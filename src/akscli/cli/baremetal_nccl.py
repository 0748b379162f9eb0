"""akscli baremetal test: interconnect tests (nccl: NCCL all-reduce across nodes).

Thin: parse and validate flags, call ``akscli.baremetal.nccl``, print through ``akscli.output``.
Moved out of cli/baremetal.py (one module per noun, as cli/baremetal_cluster.py).
"""

import functools
import secrets
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import output, validate
from akscli.cli import flag_types
from akscli.cli import options as opts
from akscli.errors import CheckFailedError

if TYPE_CHECKING:
    from akscli.baremetal.nccl_expected import Verdict
    from akscli.gpu.rdma_plugins import Plugin
    from akscli.kube.client import Kube

test_app = typer.Typer(
    help="Interconnect tests (NCCL all-reduce across nodes).",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)

EXPECTED_COLUMNS = [
    output.Column("VM SIZE", "vm_size"),
    output.Column("GPUS", "gpus"),
    output.Column("NVLINK", "nvlink"),
    output.Column("INFINIBAND", "infiniband"),
    output.Column("MESSAGE", "message"),
    output.Column("SINGLE NODE GB/S", "single_node_gbps"),
    output.Column("MULTI NODE GB/S", "multi_node_gbps"),
]
# --kubeconfig, --context, -n and --request-timeout, in place of a command's `cluster: KubeFlags`.
_on_cluster = flag_types.on_kube("kubeconfig", "context", "namespace", "request_timeout")


@test_app.command("nccl")
@_on_cluster
def test_nccl(
    nodes: Annotated[int, typer.Option("--nodes", help="Nodes (one pod each).", min=1, max=1024)] = 2,
    gpus_per_node: Annotated[
        int | None,
        typer.Option(
            "--gpus-per-node",
            help="GPUs per node (default: the VM size's count; fewer: the bandwidth is reported, not judged).",
            show_default=False,
        ),
    ] = None,
    vm_size: Annotated[
        str | None,
        typer.Option(
            "--vm-size", help="VM size to compare with (default: the most common GPU node size).", show_default=False
        ),
    ] = None,
    image: Annotated[
        str, typer.Option("--image", help="Image with nccl-tests (all_reduce_perf), mpirun and sshd.")
    ] = "ghcr.io/coreweave/nccl-tests:12.8.1-devel-ubuntu22.04-nccl2.30.4-1-2eedd7c",
    rdma_resource: Annotated[
        str | None, typer.Option("--rdma-resource", help="RDMA resource each pod requests ('none' for none).")
    ] = "rdma/rdma_shared_device_a",
    host_network: Annotated[bool, typer.Option("--host-network/--pod-network", help="Use host networking.")] = True,
    node_selector: Annotated[
        list[str] | None,
        typer.Option("--node-selector", help="KEY=VALUE for the pods (repeatable).", show_default=False),
    ] = None,
    env: Annotated[
        list[str] | None,
        typer.Option("--env", help="NCCL_*/UCX_* variable for the test (repeatable).", show_default=False),
    ] = None,
    toleration: Annotated[
        list[str] | None,
        typer.Option(
            "--toleration",
            help="KEY[=VALUE]:EFFECT taint of the GPU nodes for the pods to tolerate, beyond nvidia.com/gpu "
            "and sku=gpu (repeatable; no value: any value).",
            show_default=False,
        ),
    ] = None,
    max_bytes: Annotated[
        str | None,
        typer.Option(
            "--max-bytes",
            help="Sweep from 8 bytes to this size, e.g. 8G: reported, not judged (default: the one size of "
            "Azure's health check, 16G on ND H100 v5, whose average bus bandwidth is judged; a sweep to 8G "
            "for a size without a figure).",
            show_default=False,
        ),
    ] = None,
    min_ratio: Annotated[
        float, typer.Option("--min-ratio", help="Pass at this fraction of the expected bandwidth.", min=0.1, max=2.0)
    ] = 1.0,
    timeout: Annotated[
        str, opts.timeout_option("How long the test may run (the Job's deadline and the wait), e.g. 30m.")
    ] = "30m",
    keep: Annotated[bool, typer.Option("--keep", help="Keep the Job and its pods afterwards.")] = False,
    list_expected: Annotated[
        bool, typer.Option("--list-expected", help="Print the expected figures and exit.")
    ] = False,
    cluster: opts.KubeFlags = opts.KubeFlags(),
    yes: flag_types.Yes = False,
    dry_run: flag_types.DryRun = "none",
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Run nccl-tests all_reduce_perf across N nodes and compare the bus bandwidth with the VM size's.

    The pods tolerate the nvidia.com/gpu and sku=gpu taints and those given with --toleration, never
    a cordoned or not-ready node, and go to nodes with whole GPUs free (not MIG devices or shared
    replicas); where fewer have than pods are asked for, refused unless the cluster autoscaler or a
    NodePool can add the nodes missing (and, on Azure VMs, the subscription's vCPU quota holds the
    cluster autoscaler's new nodes).
    The GPU nodes they cannot use are named first. On ND sizes the
    pods load Azure's NCCL topology file (NCCL_TOPO_FILE) and stay on nodes of that size.
    --dry-run prints the Service, Secret (no key is made), ConfigMap and Job; client reads nothing,
    so give --vm-size or --gpus-per-node.
    """
    from akscli.baremetal import nccl, nccl_expected, nccl_nodes, nccl_pick

    fmt = output.check_format(output_format, output.OBJECT_FORMATS)
    mode = opts.dry_run_mode(dry_run)
    if mode != "none":
        from akscli.cli import common

        common.manifest_format(fmt)  # --dry-run prints the objects: manifest formats only
    if list_expected:
        # -o name: refused, as for one record without a name (the rows are figures, not objects)
        output.emit(nccl_expected.expected_table(), fmt, EXPECTED_COLUMNS, name=output.object_name)
        return
    selector = nccl.key_values(node_selector or [], "--node-selector")
    variables = nccl.key_values(env or [], "--env")
    wait_s = validate.duration(timeout, "--timeout")
    rdma = None if rdma_resource in (None, "", "none") else rdma_resource
    tolerations = nccl_nodes.tolerations(nccl_nodes.toleration(t) for t in toleration or [])
    run_id = secrets.token_hex(3)
    # Every value is checked before the cluster is read: the GPUs per node as given (or the
    # --vm-size's), else one for now, until the nodes' most common size is read.
    spec = nccl.check_spec(
        nccl.NcclSpec(
            name=f"nccl-{run_id}",
            namespace=cluster.namespace or "default",
            nodes=nodes,
            gpus_per_node=nccl.gpus_per_node(vm_size, gpus_per_node) if vm_size or gpus_per_node else 1,
            image=image,
            rdma_resource=rdma,
            host_network=host_network,
            node_selector=selector,
            max_bytes=max_bytes or nccl.SWEEP[1],
            timeout_s=wait_s,
            env=variables,
            tolerations=tuple(tolerations),
        )
    )
    kube = None if mode == "client" else cluster.connect()
    survey = None
    if kube is not None:
        # one read of the nodes: the most common size, and which GPU nodes the pods can use
        pod_spec = nccl.objects(spec, run_id=run_id, keypair=nccl.DRY_RUN_KEYPAIR)[-1]["spec"]["template"]["spec"]
        survey = nccl_nodes.survey(kube, selector, pod_spec, rdma)
    plugins = functools.cache(lambda: _rdma_plugins(kube)) if kube is not None else None
    placement = nccl.place(spec, vm_size, survey, rdma_plugins=plugins)
    vm_size = placement.vm_size
    min_b, max_b = nccl.message_sizes(vm_size, max_bytes)
    spec = replace(
        spec,
        min_bytes=min_b,
        max_bytes=max_b,
        namespace=cluster.client_namespace() if kube is None else cluster.namespace or kube.namespace,
        gpus_per_node=nccl.gpus_per_node(
            vm_size, gpus_per_node, placement.nodes.slice_gpus() if placement.nodes is not None else 0
        ),
        node_selector=placement.node_selector,
        topology=placement.topology,
    )
    if plugins is not None and rdma is not None:
        spec = replace(spec, rdma_per_pod=nccl.rdma_units(plugins(), rdma, spec.gpus_per_node))
    pinned = spec.node_selector.get(nccl.INSTANCE_TYPE)
    want = nccl_pick.Want(spec.gpus_per_node, spec.nodes, placement.where, spec.timeout_s, pinned)
    if kube is not None and placement.nodes is not None:
        # the nodes whose GPUs are free, read pod by pod until enough are found; then, just before
        # the Job is made, the chosen ones again (a pod bound to one since it was read)
        pins = nccl_pick.pick(kube, placement.nodes, want)
        for warning in pins.warnings:
            output.warn(warning)
        pins = nccl_pick.recheck(kube, placement.nodes, pins, want)
        for warning in pins.warnings:
            output.warn(warning)
        spec = replace(spec, pinned=tuple(pins.chosen), kept_off=tuple(pins.kept_off))
    # --dry-run=client too, where the cluster can be read
    _check_pod_security(kube, nccl.objects(nccl.check_spec(spec), run_id=run_id, keypair=nccl.DRY_RUN_KEYPAIR), cluster)
    if mode != "none":
        from akscli.cli import common

        objs = nccl.objects(nccl.check_spec(spec), run_id=run_id, keypair=nccl.DRY_RUN_KEYPAIR)
        common.print_manifests(objs if kube is None else nccl.send(kube, objs, dry_run=True), fmt)
        return
    assert kube is not None
    with output.status(f"running NCCL all-reduce on {nodes} node(s)") as update:
        verdict = nccl.run(kube, spec, run_id=run_id, vm_size=vm_size, keep=keep, min_ratio=min_ratio, progress=update)
    _print_verdict(verdict, fmt)
    if not verdict.passed:
        raise CheckFailedError(
            verdict.message,
            hint="run 'akscli baremetal doctor' and 'akscli baremetal inventory' to find the node or link at fault",
        )


def _check_pod_security(kube: "Kube | None", objs: list[dict[str, Any]], cluster: opts.KubeFlags) -> None:
    """The namespace's PodSecurity level, before anything is sent (akscli.kube.podsecurity): the
    Job's server dry run passes with a warning, and its pods are then refused. ``kube`` None:
    --dry-run=client, checked where the namespace can be read."""
    from akscli.cli import common

    common.check_pod_security(kube, objs, cluster.target())


def _print_verdict(verdict: "Verdict", fmt: str) -> None:
    data = {k: v for k, v in vars(verdict).items() if k != "result"}
    if fmt != "table":
        output.emit_object({**data, "result": verdict.result}, fmt)
        return
    fields = [
        ("result", "pass" if verdict.passed else "FAIL"),
        ("vm size", verdict.vm_size),
        ("nodes", verdict.nodes),
        ("bus bandwidth (GB/s)", verdict.measured_busbw_gbps),
        ("expected (GB/s)", verdict.expected_busbw_gbps),
        ("verdict", verdict.message),
    ]
    output.emit_object(data, "table", fields=fields)


def _rdma_plugins(kube: "Kube") -> "list[Plugin]":
    """The cluster's RDMA device plugins (akscli.gpu.rdma_plugins)."""
    from akscli.gpu import rdma_plugins

    return rdma_plugins.find(kube)
