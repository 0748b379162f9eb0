"""``akscli fleet member``: join and update (ARM), list, remove, drain and uncordon members."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import output, validate
from akscli.cli import azopts, flag_types
from akscli.cli import options as opts
from akscli.cli.fleet.common import (
    ArmFlags,
    HubMemberName,
    MemberName,
    StagedDeleteWait,
    audit_accepted,
    audit_arm,
    audit_hub,
    delete_child,
    group_app,
    on_fleet,
    on_hub,
    opt,
)
from akscli.errors import AkscliError, UsageError
from akscli.fleet import CLUSTER_V1, EVICTION, PLACEMENT_BETA
from akscli.fleet import MEMBER as MEMBER_KIND
from akscli.fleet.stages import child_name
from akscli.globals import typed
from akscli.output import Column

if TYPE_CHECKING:
    pass


app = group_app("Fleet members: join AKS or Arc-enabled clusters, list, drain, uncordon.")

# ---- members ----------------------------------------------------------------------------------

MEMBER_COLUMNS = [
    Column("name", "name"),
    Column("type", "type"),
    # An unset cell prints kubectl's <none> (output._text of None), as the join table does.
    Column("update group", lambda r: r["group"] or None),
    Column("labels", lambda r: ",".join(f"{k}={v}" for k, v in sorted(r["labels"].items())) or None),
    Column("kubernetes", "kubernetesVersion"),
    Column("state", "state"),
    Column("joined", lambda r: "yes" if r["joined"] else "no"),
    Column("healthy", lambda r: "yes" if r["healthy"] else "no"),
    Column("message", lambda r: r["message"] or None, wide=True),
    Column("cluster", "clusterResourceId", wide=True),
]


@app.command("join")
@on_fleet
def member_join(
    name: Annotated[str, typer.Argument(help="Member name in the fleet.")],
    cluster: Annotated[
        str,
        # az fleet member create's --member-cluster-id is this flag, for a resource id only (upstream:
        # Azure/azure-cli-extensions 201a3b46 src/fleet/azext_fleet/_params.py member_cluster_id;
        # _validators.py validate_member_cluster_id); grammar.AZ_ALIASES lists it.
        typer.Option(
            "--cluster",
            "-c",
            "--member-cluster-id",
            metavar="CLUSTER",
            help="AKS cluster name (with --cluster-group), or the resource id of an AKS or Arc-enabled cluster.",
        ),
    ],
    cluster_group: Annotated[
        str | None, opt("--cluster-group", help="Resource group of --cluster given by name (default: -g).")
    ] = None,
    labels: Annotated[list[str] | None, opt("--labels", help="Member labels key=value (repeatable).")] = None,
    update_group: Annotated[str | None, opt("--update-group", help="Update group for staged upgrade runs.")] = None,
    arm: ArmFlags = ArmFlags(),
    yes: flag_types.Yes = False,
    dry_run: flag_types.DryRun = "none",
    output_format: opts.ObjectOutput = "table",
    timeout: azopts.Timeout = azopts.ARM_TIMEOUT_DEFAULT,
    no_wait: azopts.NoWait = False,
) -> None:
    """Join an AKS cluster or an Arc-enabled cluster to the fleet."""
    from akscli.azure import armerrors, names
    from akscli.fleet.arm import cluster_ref, member_body, member_fields, member_labels
    from akscli.fleet.armclient import MEMBER

    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    child_name(name, "member name")
    parsed_labels = member_labels(labels or [])
    # --cluster, --cluster-group and --update-group are checked before the ARM client is made.
    if typed("--cluster", "-c", "--member-cluster-id") == "--member-cluster-id" and not cluster.startswith("/"):
        # az's flag takes a resource id only (validate_member_cluster_id, "is not a valid Azure resource ID").
        raise UsageError(
            f"--member-cluster-id is not a valid Azure resource ID: {cluster!r}",
            hint="give /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/"
            "NAME, or the cluster's name with --cluster NAME --cluster-group RG",
        )
    if cluster.startswith("/"):
        cluster_ref(cluster)  # a resource id names its own subscription and group
    else:
        names.cluster_name(cluster)  # an AKS cluster's name (fleet.arm.cluster_ref)
    if cluster_group is not None:
        azopts.resource_group(cluster_group)
    if update_group:
        child_name(update_group, "update group")
    with azopts.dry_run_scope(dry_run, fmt, offline=True) as dry:
        scope = arm.scope(timeout)
        ref = cluster_ref(cluster, subscription=scope.arm.subscription, group=cluster_group or scope.group)
        body = member_body(ref, update_group, parsed_labels)
        what = f"joining {ref.kind} cluster {ref.name} as {name}"
        member = None  # a dry run reads nothing: it prints the PUT of a new member (If-None-Match: *)
        if not dry:  # one GET, so that a missing cluster leaves no Failed member behind
            scope.arm.require_cluster(ref, what)
            # One GET: a joined member is refused; the PUT is conditional on what it read (FleetScope.join:
            # If-None-Match: * for a new one, If-Match its eTag to retry a Failed one), so a join racing
            # another never replaces it.
            member = scope.member_to_join(name)
        try:
            if no_wait:  # as az fleet member create --no-wait (azure-cli-extensions src/fleet commands.py)
                poller = scope.join(name, body, what, member, no_wait=True)
                audit_accepted(scope, "fleet member join", scope.ref(MEMBER, name), "create")
                azopts.report_accepted(poller, f"join member {name}", fmt, scope.follow(MEMBER, name))
                return
            with audit_arm(scope, "fleet member join", scope.ref(MEMBER, name), "create"):
                result = scope.join(name, body, what, member)
        except AkscliError as error:
            scope.explain_failed_join(name, error)
            armerrors.create_fleet_first(error, scope.fleet, scope.group)
            raise
        fields = member_fields(result, ref) if fmt == "table" else None
        output.emit_object(result, fmt, fields=fields, name=output.named(MEMBER.ref))


@app.command("update")
@on_fleet
def member_update(
    name: MemberName,
    update_group: Annotated[str | None, opt("--update-group", help="Update group for staged upgrade runs.")] = None,
    labels: Annotated[
        list[str] | None,
        opt(
            "--labels",
            help="Member labels key=value (repeatable): set or changed; key- removes one; labels not "
            "named are kept (a JSON merge patch, as az sends them).",
        ),
    ] = None,
    arm: ArmFlags = ArmFlags(),
    yes: flag_types.Yes = False,
    dry_run: flag_types.DryRun = "none",
    output_format: opts.ObjectOutput = "table",
    timeout: azopts.Timeout = azopts.ARM_TIMEOUT_DEFAULT,
) -> None:
    """Change a member's update group or labels (a PATCH, as az fleet member update)."""
    from akscli.fleet.arm import member_fields, member_label_changes, member_update_body
    from akscli.fleet.armclient import MEMBER

    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    child_name(name, "member name")
    body = member_update_body(update_group, member_label_changes(labels or []))
    with azopts.dry_run_scope(dry_run, fmt, offline=True):
        scope = arm.scope(timeout)
        with audit_arm(scope, "fleet member update", scope.ref(MEMBER, name), "update"):
            result = scope.patch(MEMBER, name, body, what=f"updating member {name}")
        fields = member_fields(result) if fmt == "table" else None
        output.emit_object(result, fmt, fields=fields, name=output.named(MEMBER.ref))


@app.command("list")
@opts.lists_no_kubernetes_objects
@on_fleet
def member_list(
    arm: ArmFlags = ArmFlags(),
    output_format: opts.Output = "table",
) -> None:
    """List members: AKS or Arc, update group, labels, Kubernetes version, state, joined and healthy.

    The version and health come from the members' clusters, listed by subscription or resource
    group (a cluster no listing has is read alone; -o name reads none). A member whose cluster
    cannot be read (no access, deleted) is still listed, not healthy, with why in -o wide's
    message; the exit code stays 0.
    """
    from akscli.fleet.arm import member_rows
    from akscli.fleet.armclient import MEMBER

    fmt = opts.output_format(output_format)
    scope = arm.scope()
    members = scope.items(MEMBER)
    ids = [str((m.get("properties") or {}).get("clusterResourceId") or "") for m in members]
    # -o name prints kind/NAME only: no cluster field, so no cluster read.
    rows = member_rows(members, (lambda _: None) if fmt == "name" else scope.arm.cluster_reader(ids))
    output.emit(rows, fmt, MEMBER_COLUMNS, name=output.named(MEMBER.ref))


@app.command("show")
@on_fleet
def member_show(
    name: MemberName,
    arm: ArmFlags = ArmFlags(),
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Show one member (an ARM GET, as az fleet member show): update group, labels, state, cluster."""
    from akscli.fleet.arm import member_fields
    from akscli.fleet.armclient import MEMBER

    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    child_name(name, "member name")
    member = arm.scope().get(MEMBER, name)
    fields = member_fields(member) if fmt == "table" else None
    output.emit_object(member, fmt, fields=fields, name=output.named(MEMBER.ref))


# On the hub the wait covers the member's leave, which the hub holds up to its force-delete wait
# (15m, kubefleet-dev/kubefleet e160c1cd cmd/hubagent/options/clustermgmt.go) for an agent that
# does not report Left: longer than a hub delete's 5m.
HUB_REMOVE_TIMEOUT_DEFAULT = "20m"
RemoveTimeout = Annotated[
    str | None,
    opts.timeout_option(
        "How long --wait waits: on the hub until the member has left and its MemberCluster is gone (default "
        "20m: the hub waits up to 15m for a member agent that does not report Left); with --fleet for Azure's "
        "operation (default 60m; past it akscli stops waiting, exit 5, and the operation continues in Azure). "
        "0 waits a week (kubectl's 0s)."
    ),
]
on_member_remove = flag_types.on_delete(
    wait=("wait", StagedDeleteWait, True), timeout=(RemoveTimeout, None), before={"yes": "arm"}
)


@app.command("remove")
@on_fleet
@on_hub
@on_member_remove
def member_remove(
    name: MemberName,
    arm: ArmFlags = ArmFlags(),
    delete: opts.DeleteFlags = opts.DeleteFlags(),
    hub: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """Remove a member from the fleet (the cluster itself stays): through ARM with --fleet, else the
    hub's MemberCluster, waiting until the member has left.

    An Azure Kubernetes Fleet Manager fleet's members are removed through Azure: --fleet, as az
    fleet member delete. Without --fleet the hub's MemberCluster is deleted, as on a KubeFleet hub
    you run; --wait then follows the leave and says what it waits for: the member agent's Left,
    then the hub deleting the member's namespace fleet-member-NAME; past --timeout it exits 5
    naming the step it stopped at.
    """
    from akscli.fleet.armclient import MEMBER

    action, what = "fleet member remove", "member name"
    if arm.fleet:
        delete_child(arm, MEMBER, name, what, action, delete, "remove")
        return
    _remove_on_hub(name, hub, delete, action)


def _remove_on_hub(name: str, hub: opts.KubeFlags, delete: opts.DeleteFlags, action: str) -> None:
    """Delete the hub's MemberCluster as kubectl delete does (confirmation, --dry-run, -o name,
    --ignore-not-found), then, with --wait, wait until it has left (fleet/member_leave.py)."""
    from akscli.cli import delete_many
    from akscli.fleet import member_leave

    validate.name(name, "member cluster name")
    wait = delete.wait_seconds(HUB_REMOVE_TIMEOUT_DEFAULT)
    kube = hub.connect()
    read: dict[str, dict[str, Any]] = {}

    def refs_of(member: str, _where: str | None, listed: dict[str, Any] | None) -> list[delete_many.Ref]:
        read[member] = listed if listed is not None else member_leave.read_member(kube, member)
        return [(CLUSTER_V1, MEMBER_KIND, member, None)]

    delete_many.delete_chosen(
        kube, (CLUSTER_V1, MEMBER_KIND, None), [name], None, refs_of, delete, action=action, wait=None
    )
    if wait is None or opts.dry_run_mode(delete.dry_run) != "none" or name not in read:
        return
    uid = (read[name].get("metadata") or {}).get("uid")
    with output.status(f"waiting for member cluster {name} to leave the fleet") as update:
        member_leave.wait_left(kube, name, uid, wait, update)
    output.info(f"member cluster {name} has left the fleet")


EVICTION_COLUMNS = [
    Column("placement", "placement"),
    Column("outcome", "outcome"),
    Column("message", "message"),
    Column("eviction", "eviction", wide=True),
]


@app.command("drain")
@on_hub
def member_drain(
    name: HubMemberName,
    timeout: Annotated[
        str, opts.timeout_option("How long to wait for the placements' evictions, all together, e.g. 5m.")
    ] = "5m",
    hub: opts.KubeFlags = opts.KubeFlags(),
    yes: flag_types.Yes = False,
    dry_run: flag_types.DryRun = "none",
    output_format: opts.Output = "table",
) -> None:
    """Cordon a member and evict every placement from it, honouring disruption budgets.

    --dry-run prints the cordon patch and the evictions; it reads the member and the placements
    (which placements are on it is what the evictions are), and asks no question.
    """
    from akscli.cli.common import dry_run_writes
    from akscli.fleet import drain

    fmt = opts.output_format(output_format)
    mode = opts.dry_run_mode(dry_run)
    validate.name(name, "member cluster name")
    seconds = drain.drain_timeout(timeout)
    kube = hub.connect()
    if mode != "none":
        dry_run_writes(kube, drain.drain_writes(kube, name), mode, fmt)
        return
    _, results = drain.drain(kube, name, seconds, progress=output.progress)
    evictions = [(f"clusterresourceplacementeviction/{r.eviction}", "create") for r in results]
    audit_hub(kube, "fleet member drain", [(f"membercluster/{name}", "cordon"), *evictions])
    output.emit(
        [r.as_dict() for r in results],
        fmt,
        EVICTION_COLUMNS,
        name=lambda r: output.kind_ref(PLACEMENT_BETA, EVICTION, r["eviction"]),
        empty=f"no placement had resources on {name}",
    )
    drain.check_all_evicted(name, results)
    staying = drain.resource_placements_on(kube, name)
    if staying:
        output.warn(
            f"{len(staying)} ResourcePlacement(s) keep their resources on {name}: {', '.join(staying)}; KubeFleet "
            "evicts ClusterResourcePlacements only. The cordon keeps new ones away; to move these, change their "
            "policy (akscli fleet place NAME -n NAMESPACE ...)"
        )
    output.info(f"member cluster {name} drained; run 'akscli fleet member uncordon {name}' to reopen it")


@app.command("uncordon")
@on_hub
def member_uncordon(
    name: HubMemberName,
    hub: opts.KubeFlags = opts.KubeFlags(),
    yes: flag_types.Yes = False,
    dry_run: flag_types.DryRun = "none",
    output_format: flag_types.DryRunOutput = "yaml",
) -> None:
    """Remove the cordon taint so placements may choose the member again (--dry-run reads the member).

    Warns on stderr when the scheduler still gives the member nothing new: its member agent sent
    no heartbeat for 5 minutes, has not joined, or has been unhealthy for 5 minutes.
    """
    from akscli.cli.common import dry_run_writes
    from akscli.fleet import drain

    fmt = opts.output_format(output_format, opts.DRY_RUN_FORMATS)
    mode = opts.dry_run_mode(dry_run)
    validate.name(name, "member cluster name")
    kube = hub.connect()
    if mode != "none":
        write = drain.uncordon_write(kube, name)
        dry_run_writes(kube, [write] if write else [], mode, fmt)
        return
    from akscli.fleet.eligibility import placed_on_warning

    if not drain.uncordon(kube, name):
        # kubectl uncordon's line for a node that is not cordoned (upstream: kubernetes/kubectl
        # dee3483 pkg/cmd/drain/drain.go already(false)).
        output.write(output.kind_ref(CLUSTER_V1, MEMBER_KIND, name) + ("" if fmt == "name" else " already uncordoned"))
    else:
        audit_hub(kube, "fleet member uncordon", [(f"membercluster/{name}", "uncordon")])
        output.write(output.kind_ref(CLUSTER_V1, MEMBER_KIND, name) + ("" if fmt == "name" else " uncordoned"))
    # A member whose agent stopped heartbeating stays Joined: say so, or the user waits for placements.
    stale = placed_on_warning(kube, name)
    if stale:
        output.warn(stale)
