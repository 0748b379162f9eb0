"""`akscli nodepool ... --auto-provision`: node auto-provisioning (Karpenter) NodePools, through the
kube context (--kubeconfig/--context), rendered from templates/nodepool and applied with the one
apply engine. The logic is akscli.nap.nodepool; nodepool.py calls these when --auto-provision is given."""

import itertools
from collections.abc import Mapping
from typing import Any

from akscli import output
from akscli.cli import options as opts
from akscli.cli.azopts import AzureFlags
from akscli.errors import UsageError
from akscli.output import Column

COLUMNS = [
    Column("name", "name"),
    Column("node class", "nodeClass"),
    Column("vm sizes", "vmSizes"),
    Column("capacity", "capacityType"),
    Column("nodes", "nodes"),
    Column("max gpus", "maxGpus"),
    Column("ready", "ready"),
    Column("weight", "weight", wide=True),
    Column("taints", "taints", wide=True),
    Column("expire after", "expireAfter", wide=True),
    Column("termination grace period", "terminationGracePeriod", wide=True),
]
# Shown by `show` only where the NodePool sets them (unset terminationGracePeriod: no limit on a drain).
SHOWN_WHERE_SET = ("expireAfter", "terminationGracePeriod")
CONDITION_COLUMNS = [
    Column("type", "type"),
    Column("status", "status"),
    Column("reason", "reason"),
    Column("message", "message"),
]
# A NodeClaim's printer columns (karpenter.sh_nodeclaims.yaml: Type, Capacity, Node, Ready) and its state.
CLAIM_COLUMNS = [
    Column("name", "name"),
    Column("size", "size"),
    Column("capacity", "capacityType"),
    Column("node", "node"),
    Column("ready", "ready"),
    Column("state", "state"),
]
# -o name as kubectl prints a NodePool: kind.group/name (k8s.io/cli-runtime pkg/printers/name.go).
NAME_KIND = "nodepool.karpenter.sh"


def kube_given(kube: opts.KubeFlags) -> dict[str, Any]:
    return {"kubeconfig": kube.kubeconfig, "kube_context": kube.context, "request_timeout": kube.request_timeout}


def azure_given(azure: AzureFlags) -> dict[str, Any]:
    return {"subscription": azure.subscription, "auth": azure.auth, "tenant": azure.tenant}


def routed(
    auto_provision: bool,
    *,
    cluster: str | None,
    resource_group: str | None,
    azure: AzureFlags,
    kube: opts.KubeFlags,
    **flags: Any,
) -> bool:
    """Whether the command works on a NAP NodePool; a flag of the other kind of pool is refused
    (``flags``: the command's other flags that only one kind of pool has, by parameter name)."""
    from akscli.nap import nodepool as nap

    given = {
        "cluster": cluster,
        "resource_group": resource_group,
        **flags,
        **azure_given(azure),
        **kube_given(kube),
    }
    nap.check_flags(given, auto_provision=auto_provision)
    return auto_provision


def need_cluster(cluster: str | None) -> str:
    if not cluster:
        raise UsageError(
            "an ARM node pool needs --cluster", hint="pass --cluster NAME -g GROUP, or --auto-provision for NAP"
        )
    return cluster


def add(
    *,
    name: str,
    vm_size: str | None,
    gpu: str | None,
    gpus_per_node: int | None,
    spot: bool,
    labels: list[str] | None,
    taints: list[str] | None,
    no_gpu_taint: bool,
    max_gpus: int | None,
    kube: opts.KubeFlags,
    weight: int | None = None,
    disruption: Mapping[str, str | None] | None = None,
    node_class: str | None = None,
    os_disk_size: int | None = None,
    zones: list[str] | None = None,
    dry_run: str,
    yes: bool,
    output_format: str,
    exit_code: bool = False,
) -> None:
    """``exit_code``: --exit-code, kubectl diff's exit status of the server dry run (cli/diff_status.py)."""
    from dataclasses import replace

    from akscli.cli import common
    from akscli.cli.diff_status import found, would_change
    from akscli.nap import drift as nap_drift
    from akscli.nap import node_class as nap_class
    from akscli.nap import nodepool as nap
    from akscli.nap import zones as nap_zones

    common.manifest_format(output_format)
    spec = nap.NapPoolSpec.from_flags(
        name=name,
        vm_size=vm_size,
        gpu=gpu,
        gpus_per_node=gpus_per_node,
        spot=spot,
        labels=labels or [],
        taints=taints or [],
        no_gpu_taint=no_gpu_taint,
        max_gpus=max_gpus,
        weight=weight,
        zones=zones or [],
        **(disruption or {}),
        node_class=node_class,
        os_disk_size=os_disk_size,
    )
    client_only = opts.dry_run_mode(dry_run) == "client"
    if client_only and nap_zones.bare(spec.zones):
        raise UsageError(
            f"--zones {nap_zones.bare(spec.zones)[0]} needs the cluster's region, and --dry-run=client reads nothing",
            hint="give the region with the zone, e.g. --zones eastus-1, or use --dry-run=server",
        )
    connection = None
    if not client_only:
        connection = kube.connect()
        nap.require_api(connection)
        spec = replace(spec, zones=nap_zones.resolve(spec.zones, connection))  # before anything is sent
    if gpu:  # once every value is checked (--zones against the cluster too): nothing is printed before an error
        output.info(f"--gpu {gpu}: NodePool {spec.name} may make VM size {', '.join(spec.sku_names)}")
    objects = nap.objects(spec)
    if connection is not None:
        missing = None if spec.os_disk_size is not None else nap_class.missing(connection, spec.node_class)
        if missing:
            output.warn(missing)
    outcome = common.apply_objects(
        objects,
        stack=nap.stack(spec.name),
        target=kube.target(),
        dry_run=dry_run,
        # A re-run converges on what it renders now: the pool's own AKSNodeClass of an earlier
        # --os-disk-size is pruned when this run renders none (its stack label; a class the pool
        # only refers to carries none). Karpenter drifts the pool's nodes onto the new class, and
        # the old class is held until its NodeClaims are gone (upstream: Azure/karpenter-provider-azure
        # 352646f pkg/controllers/nodeclass/termination/controller.go).
        prune=True,
        yes=yes,
        output_format=output_format,
        action="nodepool add",
        kube=connection,
        # the plan says where a change drifts the pool's nodes and Karpenter replaces them (nap_drift)
        plan_notes=nap_drift.drift_notes,
    )
    found(exit_code and would_change(outcome.changes))


def list_pools(kube: opts.KubeFlags, fmt: str, label_selector: str | None = None) -> None:
    from akscli.nap import nodepool as nap

    # Page by page into the output layer: json/yaml/name hold text, a table its rows (output.emit).
    pools = nap.list_pools(kube.connect(), label_selector)
    if output.structured(fmt):
        output.emit(pools, fmt, COLUMNS)
        return
    rows = (nap.summary(p) for p in pools)
    # NodePool is cluster-scoped: kubectl get's line without a namespace (output.no_resources).
    output.emit(rows, fmt, COLUMNS, name=output.named(NAME_KIND), empty=output.no_resources(None))


def show(name: str, kube: opts.KubeFlags, fmt: str) -> None:
    from akscli.nap import claims as nap_claims
    from akscli.nap import nodepool as nap

    connection = kube.connect()
    pool: Mapping[str, Any] = nap.get_pool(connection, name)
    if fmt != "table":
        # The NodePool itself: its -o name is its kind.group/name (output.object_name), as the list's.
        output.emit_object(pool, fmt)
        return
    shown = [(k, v) for k, v in nap.summary(pool).items() if v is not None or k not in SHOWN_WHERE_SET]
    fields = [*shown, ("resources", nap.usage(pool))]
    output.emit_object(pool, fmt, fields=fields, name=output.named(NAME_KIND))
    # The NodePool's conditions as Karpenter names them (upstream: kubernetes-sigs/karpenter
    # 2266468 pkg/apis/v1/nodepool_status.go: ValidationSucceeded, NodeClassReady, Ready).
    # An empty section says so on stdout, in the report, as kubectl describe's "Events:  <none>"
    # (upstream: kubernetes/kubectl v0.34.0 pkg/describe/describe.go DescribeEvents) and `model status`.
    conditions = (pool.get("status") or {}).get("conditions") or []
    output.write("\nConditions:" + ("" if conditions else "  <none>"))
    if conditions:
        output.emit(conditions, "table", CONDITION_COLUMNS)
    # A row per NodeClaim as its page arrives (a pool has one per node): rows are kept, not claims.
    # Karpenter's last word on a claim that drains or is drifted (nap_claims.claim_events: read on
    # first need).
    said = nap_claims.claim_events(connection)
    rows = (nap_claims.claim_row(c, said(c)) for c in nap_claims.pool_claims(connection, str(pool["metadata"]["name"])))
    first = next(rows, None)
    output.write("\nNodeClaims:" + ("" if first is not None else "  <none>"))
    if first is not None:
        output.emit(itertools.chain([first], rows), "table", CLAIM_COLUMNS)


def one_pool(names: list[str]) -> str:
    """The NAME of an ARM agent pool's delete: one, as Azure's DELETE names one pool and az aks
    nodepool delete takes one --name (Azure/azure-cli 0088c878
    src/azure-cli/azure/cli/command_modules/acs/_params.py name_type); NAME..., -l and --all are a
    NodePool's (--auto-provision: nap.NAP_ONLY refuses the flags before this)."""
    if len(names) == 1:
        return names[0]
    if not names:
        raise UsageError("no node pool name given", hint="give the pool's NAME, or -l/--all with --auto-provision")
    raise UsageError(
        "an Azure agent pool is deleted one NAME at a time: Azure's DELETE names one pool",
        hint=f"akscli nodepool delete {names[0]} --cluster CLUSTER -g GROUP; several NodePools: add --auto-provision",
    )


def delete(
    names: list[str],
    choose: tuple[str | None, bool],
    kube: opts.KubeFlags,
    flags: opts.DeleteFlags,
    timeout: str,
) -> None:
    """Delete NodePools (NAME..., or ``choose``: -l SELECTOR or --all, as kubectl delete:
    cli/delete_many), every one read before any is deleted, after one confirmation, with one wait.
    Each one's NodeClaims, which it owns with blockOwnerDeletion (upstream:
    kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/scheduling/nodeclaimtemplate.go
    ToNodeClaim OwnerReferences), go with it and NAP removes their nodes. The wait follows kubectl
    delete's (akscli.kube.deletion) until the NodePools are gone, bounded by --timeout (``timeout``,
    as every --wait's: exit 5 past it)."""
    from akscli import validate
    from akscli.cli import delete_many
    from akscli.nap import node_class as nap_class
    from akscli.nap import nodepool as nap

    selector = delete_many.check_choice(names, *choose, "NodePool name", validate.subdomain)
    connection = kube.connect()

    def refs_of(name: str, _where: str | None, listed: dict[str, Any] | None) -> list[tuple[str, str, str, str | None]]:
        pool = listed if listed is not None else nap.get_pool(connection, name)
        refs: list[tuple[str, str, str, str | None]] = [(nap.API_VERSION, nap.KIND, name, None)]
        made = nap_class.made_for(pool, nap.stack(name), connection)
        if made:
            # The class `add --os-disk-size` made for the pool goes after it (Karpenter's node class
            # termination waits for the NodeClaims that use it: karpenter-provider-azure
            # pkg/controllers/nodeclass/termination/controller.go finalize).
            refs.append((nap_class.API_VERSION, nap_class.KIND, made, None))
        return refs

    delete_many.delete_chosen(
        connection,
        (nap.API_VERSION, nap.KIND, None),
        names,
        selector,
        refs_of,
        flags,
        action="nodepool delete",
        wait=None if not flags.wait else validate.duration(timeout, "--timeout"),
        what="node auto-provisioning removes their nodes",
        listing=lambda labels: nap.list_pools(connection, labels),
    )
