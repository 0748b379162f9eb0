"""``akscli fleet``: Azure Kubernetes Fleet Manager (ARM) and its hub (KubeFleet placement APIs).

Commands that take ``--fleet`` talk to ARM; the others talk to the hub cluster through the
current kubeconfig context (get it with ``akscli fleet credentials``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import output, validate
from akscli.cli import azopts
from akscli.cli import options as opts
from akscli.errors import CheckFailedError, NotFoundError, UsageError
from akscli.output import Column

if TYPE_CHECKING:
    from akscli.fleet.armclient import Child, FleetArm, FleetScope
    from akscli.kube.client import Kube


def _opt(*decls: str, help: str) -> Any:
    """An option whose default is not shown in --help (most are None or empty)."""
    return typer.Option(*decls, help=help, show_default=False)


def _group_app(help_text: str) -> typer.Typer:
    return typer.Typer(no_args_is_help=True, rich_markup_mode=None, add_completion=False, help=help_text)


app = typer.Typer(
    name="fleet",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
    help="Azure Kubernetes Fleet Manager: fleets, members, placement, staged rollouts.",
)
member_app = _group_app("Fleet members: join AKS or Arc-enabled clusters, list, drain, uncordon.")
placement_app = _group_app("Placements on the hub: status per member, which, list, delete.")
rollout_app = _group_app("Staged rollouts: upgrade runs (ARM, --fleet) and workload runs (hub).")
strategy_app = _group_app("Staged update strategies (ARM with --fleet, else on the hub).")
app.add_typer(member_app, name="member")
app.add_typer(placement_app, name="placement")
app.add_typer(rollout_app, name="rollout")
rollout_app.add_typer(strategy_app, name="strategy")

# ---- options ----------------------------------------------------------------------------------

Group = azopts.ResourceGroup
Fleet = Annotated[str | None, _opt("--fleet", help="Fleet name: act through ARM on this fleet.")]
Stage = Annotated[
    list[str] | None,
    _opt(
        "--stage",
        help="A stage: NAME[;labels=SEL][;groups=G1,G2][;sort=KEY][;max=N|P%][;before=approval]"
        "[;after=approval|wait:DUR]. Repeat in order.",
    ),
]
FleetName = Annotated[str, typer.Argument(help="Fleet name.")]
RunName = Annotated[str, typer.Argument(help="Update run name.")]
StrategyName = Annotated[str, typer.Argument(help="Strategy name.")]
PlacementName = Annotated[str, typer.Argument(help="Placement name.")]
HubMemberName = Annotated[str, typer.Argument(help="Member cluster name on the hub.")]
ProfileName = Annotated[str, typer.Argument(help="Profile name.")]
RunNamespace = Annotated[str | None, opts.namespace_option("Hub: namespace of a StagedUpdateRun.")]
PlacementNamespace = Annotated[str | None, opts.namespace_option("Namespace of a ResourcePlacement.")]
StrategyOption = Annotated[str | None, _opt("--strategy", help="Strategy name (hub or ARM).")]

# ---- connections, audit -----------------------------------------------------------------------


@dataclass(frozen=True)
class ArmFlags:
    """--fleet, -g and the Azure flags: the fleet a command acts on through ARM."""

    fleet: str | None = None
    group: str | None = None
    azure: azopts.AzureFlags = field(default_factory=azopts.AzureFlags)

    def client(self) -> FleetArm:
        from akscli.fleet.armclient import FleetArm

        return FleetArm(self.azure.target(), spinner=output.status)

    def named(self, name: str) -> FleetScope:
        """The fleet named by a command's argument (fleet create, show, credentials, delete)."""
        from akscli.fleet.arm import fleet_name
        from akscli.fleet.armclient import FleetScope

        fleet_name(name)
        group = azopts.resource_group(self.group)
        return FleetScope(self.client(), group, name)

    def scope(self) -> FleetScope:
        """The fleet named by ``--fleet`` (the commands on members, runs, strategies and gates)."""
        if not self.fleet:
            raise UsageError("this command acts on a fleet through ARM", hint="add --fleet NAME -g GROUP")
        return self.named(self.fleet)


def _arm_flags(
    fleet: str | None = None,
    group: str | None = None,
    subscription: str | None = None,
    auth: str | None = None,
    tenant: str | None = None,
) -> ArmFlags:
    return ArmFlags(fleet, group, azopts.AzureFlags(subscription, auth, tenant))


# Decorators: `@_on_fleet` puts --fleet, -g, --subscription, --auth and --tenant in place of the
# command's `arm: ArmFlags` parameter; `@_on_group` the same but --fleet (the commands that take
# the fleet's name as their argument); `@_on_hub` puts --kubeconfig and --context in place of its
# `hub: KubeFlags` parameter.
_on_fleet = opts.flag_block({"fleet": Fleet, "group": Group, **azopts.AZURE_OPTIONS}, "arm", _arm_flags)
_on_group = opts.flag_block({"group": Group, **azopts.AZURE_OPTIONS}, "arm", _arm_flags)
_on_hub = opts.on_kube(into="hub")


def _ns(namespace: str | None) -> str | None:
    return validate.name(namespace, "namespace") if namespace is not None else None


def _audit_arm(scope: FleetScope, action: str, changes: list[tuple[str, str]]) -> None:
    from akscli.azure.arm import identity_of
    from akscli.cli.common import record_audit

    objects = [{"object": ref, "action": verb} for ref, verb in changes]
    target = {"subscription": scope.arm.subscription}
    record_audit(action, None, [], "success", target=target, objects=objects, identity=identity_of(scope.arm.client))


def _audit_hub(kube: Kube, action: str, changes: list[tuple[str, str]]) -> None:
    from akscli.cli.common import record_audit

    record_audit(action, kube, [], "success", objects=[{"object": ref, "action": verb} for ref, verb in changes])


def _remove(scope: FleetScope, child: Child, name: str, yes: bool, action: str, verb: str = "delete") -> None:
    """Confirm, delete a child of the fleet through ARM, audit and report it."""
    from akscli.cli.common import confirm

    confirm(f"{verb} {child.noun} {name} of fleet {scope.fleet}", yes)
    scope.remove(child, name)
    _audit_arm(scope, action, [(scope.ref(child, name), "delete")])
    output.write(f"{child.ref}/{name} {verb}d")


def _arm_dry_run(dry_run: str) -> bool:
    """True for --dry-run client; ARM has no server-side dry run, so 'server' is refused."""
    mode = opts.dry_run_mode(dry_run)
    if mode == "server":
        raise UsageError(
            "ARM requests have no server-side dry run", hint="use --dry-run client to see the request body"
        )
    return mode == "client"


def _emit_body(body: dict[str, Any], output_format: str) -> None:
    output.emit_object(body, "json" if output_format == "json" else "yaml")


# ---- fleets (ARM) -----------------------------------------------------------------------------

FLEET_COLUMNS = [
    Column("name", "name"),
    Column("location", "location"),
    Column("hub", lambda f: "yes" if (f.get("properties") or {}).get("hubProfile") else "no"),
    Column("state", "properties.provisioningState"),
    Column("hub fqdn", "properties.hubProfile.fqdn", wide=True),
    Column("resource group", lambda f: str(f.get("id", "")).split("/")[4] if f.get("id") else "", wide=True),
]


def _emit_fleet(fleet: dict[str, Any], output_format: str) -> None:
    from akscli.fleet.arm import fleet_fields

    output.emit_object(fleet, output_format, fields=fleet_fields(fleet) if output_format == "table" else None)


@app.command("create")
@_on_group
def fleet_create(
    name: FleetName,
    location: Annotated[str, typer.Option("--location", "-l", help="Azure region, e.g. eastus.")] = "eastus",
    hub: Annotated[
        bool, typer.Option("--hub/--no-hub", help="Create a hub cluster (for placement and staged workload rollouts).")
    ] = True,
    dns_prefix: Annotated[str | None, _opt("--dns-prefix", help="DNS prefix of the hub API server.")] = None,
    vm_size: Annotated[str | None, _opt("--hub-vm-size", help="VM size of the hub's node.")] = None,
    arm: ArmFlags = ArmFlags(),
    dry_run: opts.DryRun = "none",
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Create a fleet (with a hub cluster unless --no-hub)."""
    from akscli.fleet.arm import fleet_body, fleet_name

    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    body = fleet_body(fleet_name(name), location, hub=hub, dns_prefix=dns_prefix, vm_size=vm_size)
    with azopts.dry_run_scope(dry_run, fmt):
        scope = arm.named(name)
        result = scope.create(body)
        _audit_arm(scope, "fleet create", [(f"fleet/{name}", "create")])
        _emit_fleet(result, fmt)


@app.command("list")
@_on_group
def fleet_list(
    arm: ArmFlags = ArmFlags(),
    output_format: opts.Output = "table",
) -> None:
    """List fleets in a resource group, or in the subscription."""
    fmt = opts.output_format(output_format)
    rg = azopts.resource_group(arm.group) if arm.group else None
    fleets = arm.client().list_fleets(rg)
    output.emit(fleets, fmt, FLEET_COLUMNS, name=lambda f: f"fleet/{f.get('name')}")


@app.command("show")
@_on_group
def fleet_show(
    name: FleetName,
    arm: ArmFlags = ArmFlags(),
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Show one fleet."""
    _emit_fleet(arm.named(name).show(), output_format)


@app.command("credentials")
@_on_group
def fleet_credentials(
    name: FleetName,
    kubeconfig: azopts.KubeconfigFile = None,
    overwrite_existing: Annotated[
        bool, typer.Option("--overwrite-existing", help="Replace entries of the same name.")
    ] = False,
    dry_run: opts.DryRun = "none",
    login: Annotated[
        str | None,
        _opt(
            "--login",
            help="Sign-in mode written into the kubeconfig for 'akscli token' (default: the default credential chain).",
        ),
    ] = None,
    output_format: opts.ObjectOutput = "table",
    arm: ArmFlags = ArmFlags(),
) -> None:
    """Merge the fleet hub's kubeconfig (signing in through 'akscli token'), as 'cluster credentials'."""
    from akscli.azure import clusters, identity

    fmt = output.check_format(output_format, output.OBJECT_FORMATS)
    mode = identity.check_auth(login)
    scope = arm.named(name)
    # The hub signs in with Entra ID like an AKS cluster: the same exec plugin rewrite.
    value = clusters.rewrite_exec_user(scope.hub_kubeconfig(), login=mode)
    result = azopts.merge_credentials(value, kubeconfig, overwrite_existing=overwrite_existing, dry_run=dry_run)
    if output.structured(fmt):
        fields = ("path", "context", "added", "replaced", "unchanged", "backup")
        output.emit_object({f: getattr(result, f) for f in fields}, fmt)
        return
    changed = result.added + result.replaced
    output.info(
        f"merged the hub of fleet {name} into {result.path}"
        + (f" ({', '.join(changed)})" if changed else " (already up to date)")
        + f"; current context: {result.context}"
    )


@app.command("delete")
@_on_group
def fleet_delete(
    name: FleetName,
    yes: opts.Yes = False,
    arm: ArmFlags = ArmFlags(),
    dry_run: opts.DryRun = "none",
) -> None:
    """Delete a fleet (and its hub); member clusters are not deleted."""
    from akscli.cli.common import confirm

    with azopts.dry_run_scope(dry_run, "json") as dry:
        scope = arm.named(name)
        confirm(f"delete fleet {name} in resource group {scope.group}", yes or dry)
        scope.delete()
        _audit_arm(scope, "fleet delete", [(f"fleet/{name}", "delete")])
        output.write(f"fleet/{name} deleted")


# ---- members ----------------------------------------------------------------------------------

MEMBER_COLUMNS = [
    Column("name", "name"),
    Column("type", "type"),
    Column("update group", "group"),
    Column("labels", lambda r: ",".join(f"{k}={v}" for k, v in sorted(r["labels"].items()))),
    Column("kubernetes", "kubernetesVersion"),
    Column("joined", lambda r: "yes" if r["joined"] else "no"),
    Column("healthy", lambda r: "yes" if r["healthy"] else "no"),
    Column("message", "message", wide=True),
    Column("cluster", "clusterResourceId", wide=True),
]


@member_app.command("join")
@_on_fleet
def member_join(
    name: Annotated[str, typer.Argument(help="Member name in the fleet.")],
    cluster: Annotated[
        str,
        typer.Option(
            "--cluster",
            "-c",
            help="AKS cluster name (with --cluster-group), or the resource id of an AKS or Arc-enabled cluster.",
        ),
    ],
    cluster_group: Annotated[
        str | None, _opt("--cluster-group", help="Resource group of --cluster given by name (default: -g).")
    ] = None,
    labels: Annotated[list[str] | None, _opt("--labels", help="Member labels key=value (repeatable).")] = None,
    update_group: Annotated[str | None, _opt("--update-group", help="Update group for staged upgrade runs.")] = None,
    arm: ArmFlags = ArmFlags(),
    dry_run: opts.DryRun = "none",
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Join an AKS cluster or an Arc-enabled cluster to the fleet."""
    from akscli.fleet.arm import cluster_ref, member_body, member_fields, member_labels
    from akscli.fleet.armclient import MEMBER

    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    validate.name(name, "member name")
    parsed_labels = member_labels(labels or [])
    with azopts.dry_run_scope(dry_run, fmt):
        scope = arm.scope()
        ref = cluster_ref(cluster, subscription=scope.arm.subscription, group=cluster_group or scope.group)
        body = member_body(ref, update_group, parsed_labels)
        result = scope.put(MEMBER, name, body, what=f"joining {ref.kind} cluster {ref.name} as {name}")
        _audit_arm(scope, "fleet member join", [(scope.ref(MEMBER, name), "create")])
        output.emit_object(result, fmt, fields=member_fields(result, ref) if fmt == "table" else None)


@member_app.command("list")
@_on_fleet
def member_list(
    arm: ArmFlags = ArmFlags(),
    output_format: opts.Output = "table",
) -> None:
    """List members: AKS or Arc, update group, labels, Kubernetes version, joined and healthy."""
    from akscli.fleet.arm import member_rows
    from akscli.fleet.armclient import MEMBER

    fmt = opts.output_format(output_format)
    scope = arm.scope()
    rows = member_rows(scope.items(MEMBER), scope.arm.cluster_reader())
    output.emit(rows, fmt, MEMBER_COLUMNS, name=lambda r: f"member/{r['name']}")


@member_app.command("remove")
@_on_fleet
def member_remove(
    name: Annotated[str, typer.Argument(help="Member name.")],
    yes: opts.Yes = False,
    arm: ArmFlags = ArmFlags(),
    dry_run: opts.DryRun = "none",
) -> None:
    """Remove a member from the fleet (the cluster itself stays)."""
    from akscli.fleet.armclient import MEMBER

    validate.name(name, "member name")
    with azopts.dry_run_scope(dry_run, "json") as dry:
        _remove(arm.scope(), MEMBER, name, yes or dry, "fleet member remove", verb="remove")


EVICTION_COLUMNS = [
    Column("placement", "placement"),
    Column("outcome", "outcome"),
    Column("message", "message"),
    Column("eviction", "eviction", wide=True),
]


@member_app.command("drain")
@_on_hub
def member_drain(
    name: HubMemberName,
    timeout: opts.Timeout = "5m",
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.Output = "table",
) -> None:
    """Cordon a member and evict every placement from it, honouring disruption budgets."""
    from akscli.fleet import drain

    fmt = opts.output_format(output_format)
    validate.name(name, "member cluster name")
    seconds = drain.drain_timeout(timeout)
    kube = hub.connect()
    _, results = drain.drain(kube, name, seconds, progress=output.progress)
    evictions = [(f"clusterresourceplacementeviction/{r.eviction}", "create") for r in results]
    _audit_hub(kube, "fleet member drain", [(f"membercluster/{name}", "cordon"), *evictions])
    output.emit(
        [r.as_dict() for r in results],
        fmt,
        EVICTION_COLUMNS,
        name=lambda r: f"clusterresourceplacementeviction/{r['eviction']}",
        empty=f"no placement had resources on {name}",
    )
    drain.check_all_evicted(name, results)
    output.info(f"member cluster {name} drained; run 'akscli fleet member uncordon {name}' to reopen it")


@member_app.command("uncordon")
@_on_hub
def member_uncordon(name: HubMemberName, hub: opts.KubeFlags = opts.KubeFlags()) -> None:
    """Remove the cordon taint so placements may choose the member again."""
    from akscli.fleet import drain

    validate.name(name, "member cluster name")
    kube = hub.connect()
    if not drain.uncordon(kube, name):
        output.write(f"membercluster/{name} was not cordoned")
        return
    _audit_hub(kube, "fleet member uncordon", [(f"membercluster/{name}", "uncordon")])
    output.write(f"membercluster/{name} uncordoned")


# ---- placement (hub) --------------------------------------------------------------------------


@app.command("place")
@_on_hub
def place(
    name: PlacementName,
    namespace: Annotated[
        str | None,
        opts.namespace_option(
            "Create a namespaced ResourcePlacement in this namespace (default: a ClusterResourcePlacement)."
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        _opt(
            "--select",
            help="What to place: KIND/NAME, KIND:SELECTOR or Kind.version.group/NAME "
            "(repeatable), e.g. namespace/team-a.",
        ),
    ] = None,
    namespace_only: Annotated[
        bool, typer.Option("--namespace-only", help="Place selected namespaces without their contents.")
    ] = False,
    pick_all: Annotated[bool, typer.Option("--pick-all", help="Every matching member (the default).")] = False,
    pick_n: Annotated[int | None, _opt("--pick-n", help="The N best matching members.")] = None,
    pick_fixed: Annotated[str | None, _opt("--pick-fixed", help="Exactly these members: CLUSTER,CLUSTER.")] = None,
    require_labels: Annotated[
        list[str] | None, _opt("--require-labels", help="Member label selector that must match, e.g. 'env in (prod)'.")
    ] = None,
    require_property: Annotated[
        list[str] | None,
        _opt("--require-property", help="Cluster property requirement NAME>=VALUE (also <=,>,<,==,!=)."),
    ] = None,
    gpu_size: Annotated[
        list[str] | None,
        _opt("--gpu-size", help="Members with nodes of this VM size: SIZE[=COUNT], e.g. Standard_NC24ads_A100_v4=2."),
    ] = None,
    prefer_labels: Annotated[
        list[str] | None, _opt("--prefer-labels", help="Preferred members: SELECTOR[@WEIGHT] (with --pick-n).")
    ] = None,
    sort_by: Annotated[
        list[str] | None,
        _opt("--sort-by", help="Rank members by a property: NAME[:asc|desc][:WEIGHT] (with --pick-n)."),
    ] = None,
    tolerate: Annotated[list[str] | None, _opt("--tolerate", help="Tolerate a member taint: KEY[=VALUE].")] = None,
    spread: Annotated[
        list[str] | None,
        _opt("--spread", help="Topology spread: KEY[:MAXSKEW][:DoNotSchedule|ScheduleAnyway] (with --pick-n)."),
    ] = None,
    max_unavailable: Annotated[
        str | None, _opt("--max-unavailable", help="Rolling update: members unavailable at once (N or P%).")
    ] = None,
    max_surge: Annotated[
        str | None, _opt("--max-surge", help="Rolling update: extra members during a rollout (N or P%).")
    ] = None,
    unavailable_period: Annotated[
        int | None, _opt("--unavailable-period", help="Rolling update: seconds to wait before judging availability.")
    ] = None,
    external: Annotated[
        bool, typer.Option("--external", help="Roll out only through staged update runs (fleet rollout create).")
    ] = False,
    override: Annotated[
        list[str] | None,
        _opt("--override", help="Per-cluster override: SELECTOR@PATH=JSON, SELECTOR@-PATH or SELECTOR@delete."),
    ] = None,
    override_target: Annotated[
        str | None, _opt("--override-target", help="Override one namespaced object: NAMESPACE/KIND/NAME.")
    ] = None,
    dry_run: opts.DryRun = "none",
    wait: opts.Wait = False,
    timeout: opts.Timeout = "10m",
    yes: opts.Yes = False,
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.Output = "table",
) -> None:
    """Place hub resources onto member clusters (ClusterResourcePlacement or ResourcePlacement)."""
    from akscli.cli.common import apply_objects
    from akscli.fleet.placement import PlacementRequest, build, fixed_members

    request = PlacementRequest(
        name=name,
        namespace=_ns(namespace),
        selects=select or [],
        namespace_only=namespace_only,
        pick_all=pick_all,
        pick_n=pick_n,
        pick_fixed=fixed_members(pick_fixed),
        require_labels=require_labels or [],
        require_properties=require_property or [],
        gpu_sizes=gpu_size or [],
        prefer_labels=prefer_labels or [],
        sort_by=sort_by or [],
        tolerations=tolerate or [],
        spread=spread or [],
        max_unavailable=max_unavailable,
        max_surge=max_surge,
        unavailable_period=unavailable_period,
        external=external,
        overrides=override or [],
        override_target=override_target,
    )
    objects = build(request)
    if opts.dry_run_mode(dry_run) != "client":
        from akscli.fleet.matching import check_placements

        check_placements(hub.connect(), objects)
    if wait and external:
        output.warn(
            "an External placement becomes available through a staged update run; "
            "not waiting (use: akscli fleet rollout create)"
        )
        wait = False
    apply_objects(
        objects,
        stack=f"fleet-{name}"[:63],
        target=hub.target(),
        dry_run=dry_run,
        wait=wait,
        timeout=timeout,
        yes=yes,
        output_format=output_format,
        action="fleet place",
    )


CLUSTER_STATUS_COLUMNS = [
    Column("cluster", "cluster"),
    Column("state", "state"),
    Column("scheduled", "conditions.Scheduled", wide=True),
    Column("rollout", "conditions.RolloutStarted", wide=True),
    Column("overridden", "conditions.Overridden", wide=True),
    Column("synced", "conditions.WorkSynchronized", wide=True),
    Column("applied", "conditions.Applied", wide=True),
    Column("available", "conditions.Available", wide=True),
    Column("message", lambda r: r["message"] or ""),
    Column("failed", lambda r: "; ".join(r["failed"])),
    Column("drifted", lambda r: "; ".join(r["drifted"]), wide=True),
]
# ReportDiff placements apply nothing: their rows end at DiffReported and list what differs.
DIFF_STATUS_COLUMNS = [
    *[c for c in CLUSTER_STATUS_COLUMNS if c.header not in ("applied", "available")],
    Column("reported", "conditions.DiffReported", wide=True),
    Column("diffed", lambda r: "; ".join(r["diffed"])),
]


@placement_app.command("status")
@_on_hub
def placement_status(
    name: PlacementName,
    namespace: PlacementNamespace = None,
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.Output = "table",
) -> None:
    """Per member: Scheduled .. Available, the first failing message, failed and drifted objects."""
    from akscli.fleet import placement, placement_status

    fmt = opts.output_format(output_format)
    ns = _ns(namespace)
    obj = placement.get_placement(hub.connect(), name, ns)
    summary = placement_status.placement_summary(obj)
    rows = [s.as_dict() for s in placement_status.cluster_statuses(obj)]
    if output.structured(fmt):
        output.emit_object({"placement": summary, "clusters": rows}, fmt)
        return
    if fmt in ("table", "wide"):
        output.write("\n".join(placement_status.describe(summary)))
    output.emit(
        rows,
        fmt,
        DIFF_STATUS_COLUMNS if summary["done"] == "DiffReported" else CLUSTER_STATUS_COLUMNS,
        name=lambda r: f"membercluster/{r['cluster']}",
        empty="no member cluster is scheduled yet",
    )


PLACEMENT_COLUMNS = [
    Column("name", "name"),
    Column("namespace", "namespace", wide=True),
    Column("type", "placementType"),
    Column("strategy", "strategy"),
    Column("clusters", "clusters"),
    Column("available", "available"),
    Column("scheduled", "conditions.Scheduled"),
    Column("message", "message", wide=True),
]


@placement_app.command("list")
@_on_hub
def placement_list(
    namespace: Annotated[
        str | None,
        opts.namespace_option("List ResourcePlacements in this namespace (default: ClusterResourcePlacements)."),
    ] = None,
    all_namespaces: opts.AllNamespaces = False,
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.Output = "table",
) -> None:
    """List placements with how many members are available."""
    from akscli.fleet import placement, placement_status

    fmt = opts.output_format(output_format)
    ns = _ns(namespace)
    items = list(placement.list_placements(hub.connect(), ns, all_namespaces))
    if output.structured(fmt):
        output.emit(items, fmt, [])
        return
    output.emit(
        [placement_status.placement_summary(i) for i in items],
        fmt,
        PLACEMENT_COLUMNS,
        name=lambda s: f"{str(s['kind']).lower()}/{s['name']}",
    )


WHICH_COLUMNS = [
    Column("placement", "placement"),
    Column("kind", "kind", wide=True),
    Column("cluster", "cluster"),
    Column("applied", "applied"),
    Column("available", "available"),
    Column("message", "message"),
]


@placement_app.command("which")
@_on_hub
def placement_which(
    obj: Annotated[
        str, typer.Argument(metavar="KIND/NAME", help="The object, e.g. deployment/web or namespace/team-a.")
    ],
    namespace: Annotated[str | None, opts.namespace_option("Namespace of a namespaced object.")] = None,
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.Output = "table",
) -> None:
    """Which placement put this object on which member, and how it fares there."""
    from akscli.fleet import placement

    fmt = opts.output_format(output_format)
    ref = placement.parse_object_ref(obj, _ns(namespace))
    rows = placement.which(hub.connect(), ref)
    if not rows:
        raise NotFoundError(
            f"no placement has put {obj} on a member cluster",
            hint="placements select objects with --select; see: akscli fleet placement list",
        )
    output.emit(rows, fmt, WHICH_COLUMNS, name=lambda r: f"{str(r['kind']).lower()}/{r['placement']}")


@placement_app.command("delete")
@_on_hub
def placement_delete(
    name: PlacementName,
    namespace: PlacementNamespace = None,
    yes: opts.Yes = False,
    dry_run: opts.DryRun = "none",
    hub: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """Delete a placement (its resources leave the members) and the overrides akscli made for it."""
    from akscli.cli.common import delete_objects
    from akscli.fleet.placement import delete_refs

    ns = _ns(namespace)
    kube = hub.connect()
    delete_objects(kube, delete_refs(kube, name, ns), yes=yes, what=f"placement {name}", dry_run=dry_run)


# ---- strategies -------------------------------------------------------------------------------

ARM_STRATEGY_COLUMNS = [
    Column("name", "name"),
    Column("state", "properties.provisioningState"),
    Column(
        "stages",
        lambda s: ",".join(st["name"] for st in (s.get("properties") or {}).get("strategy", {}).get("stages", [])),
    ),
]
HUB_STRATEGY_COLUMNS = [
    Column("name", "metadata.name"),
    Column("stages", lambda s: ",".join(st["name"] for st in (s.get("spec") or {}).get("stages", []))),
]


@strategy_app.command("create")
@_on_fleet
@_on_hub
def strategy_create(
    name: StrategyName,
    stage: Stage = None,
    namespace: Annotated[str | None, opts.namespace_option("Hub: a namespaced StagedUpdateStrategy.")] = None,
    arm: ArmFlags = ArmFlags(),
    dry_run: opts.DryRun = "none",
    yes: opts.Yes = False,
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.Output = "table",
) -> None:
    """Create a staged update strategy: ARM (--fleet: update groups) or hub (members by labels)."""
    from akscli.fleet.stages import parse_stages

    fmt = opts.output_format(output_format)
    specs = parse_stages(stage or [])
    if not arm.fleet:
        from akscli.cli.common import apply_objects
        from akscli.fleet.rollout import strategy_objects

        apply_objects(
            strategy_objects(name, _ns(namespace), specs),
            stack=f"fleet-strategy-{name}"[:63],
            target=hub.target(),
            dry_run=dry_run,
            yes=yes,
            output_format=output_format,
            action="fleet rollout strategy create",
        )
        return
    from akscli.fleet.arm import strategy_body
    from akscli.fleet.armclient import STRATEGY

    validate.name(name, "strategy name")
    body = strategy_body(specs)
    if _arm_dry_run(dry_run):
        _emit_body(body, fmt)
        return
    scope = arm.scope()
    result = scope.put(STRATEGY, name, body)
    _audit_arm(scope, "fleet rollout strategy create", [(scope.ref(STRATEGY, name), "create")])
    output.emit_object(result, "yaml" if fmt == "table" else fmt)


@strategy_app.command("list")
@_on_fleet
@_on_hub
def strategy_list(
    namespace: Annotated[str | None, opts.namespace_option("Hub: namespaced strategies.")] = None,
    arm: ArmFlags = ArmFlags(),
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.Output = "table",
) -> None:
    """List staged update strategies."""
    fmt = opts.output_format(output_format)
    if arm.fleet:
        from akscli.fleet.armclient import STRATEGY

        items = arm.scope().items(STRATEGY)
        output.emit(items, fmt, ARM_STRATEGY_COLUMNS)
        return
    from akscli.fleet.rollout import list_strategies

    ns = _ns(namespace)
    output.emit(list_strategies(hub.connect(), ns), fmt, HUB_STRATEGY_COLUMNS)


@strategy_app.command("delete")
@_on_fleet
@_on_hub
def strategy_delete(
    name: StrategyName,
    namespace: Annotated[str | None, opts.namespace_option("Hub: a namespaced strategy.")] = None,
    yes: opts.Yes = False,
    arm: ArmFlags = ArmFlags(),
    hub: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """Delete a staged update strategy."""
    from akscli.fleet.armclient import STRATEGY

    _delete_staged(STRATEGY, name, namespace, yes, arm, hub, "fleet rollout strategy delete")


def _hub_ref(obj: dict[str, Any]) -> tuple[str, str, str, str | None]:
    meta = obj["metadata"]
    return str(obj["apiVersion"]), str(obj["kind"]), str(meta["name"]), meta.get("namespace")


# ---- update runs ------------------------------------------------------------------------------


@rollout_app.command("create")
@_on_fleet
@_on_hub
def rollout_create(
    name: RunName,
    placement: Annotated[
        str | None, _opt("--placement", help="Hub: the placement (with an External strategy) to roll out.")
    ] = None,
    strategy: StrategyOption = None,
    resource_index: Annotated[
        str | None, _opt("--resource-index", help="Hub: resource snapshot index to roll out (default: latest).")
    ] = None,
    start: Annotated[bool, typer.Option("--start/--no-start", help="Start the run at once.")] = False,
    namespace: Annotated[str | None, opts.namespace_option("Hub: a namespaced StagedUpdateRun.")] = None,
    upgrade_type: Annotated[
        str, typer.Option("--upgrade-type", help="ARM: Full|ControlPlaneOnly|NodeImageOnly.")
    ] = "Full",
    kubernetes_version: Annotated[
        str | None, _opt("--kubernetes-version", "-k", help="ARM: target Kubernetes version.")
    ] = None,
    node_image_selection: Annotated[
        str, typer.Option("--node-image-selection", help="ARM: Latest|Consistent.")
    ] = "Latest",
    stage: Stage = None,
    arm: ArmFlags = ArmFlags(),
    dry_run: opts.DryRun = "none",
    yes: opts.Yes = False,
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.Output = "table",
) -> None:
    """Create an update run: a Kubernetes/node-image upgrade (--fleet) or a hub workload rollout."""
    fmt = opts.output_format(output_format)
    if arm.fleet:
        from akscli.fleet.arm import update_run_body
        from akscli.fleet.stages import parse_stages

        validate.name(name, "update run name")
        body = update_run_body(
            upgrade_type=upgrade_type,
            kubernetes_version=kubernetes_version,
            node_image=node_image_selection,
            strategy=strategy,
            stages=parse_stages(stage) if stage else None,
        )
        if _arm_dry_run(dry_run):
            _print_arm_run(arm, body, strategy, fmt)
            return
        _create_arm_run(arm.scope(), name, body, strategy, start, fmt)
        return
    from akscli.cli.common import apply_objects
    from akscli.fleet.rollout import run_objects

    if not placement or not strategy:
        raise UsageError(
            "a hub rollout needs --placement and --strategy",
            hint="or add --fleet NAME -g GROUP for a Kubernetes/node-image upgrade run",
        )
    if stage:
        raise UsageError(
            "--stage belongs to ARM runs; on the hub, stages live in the strategy",
            hint="create one with: akscli fleet rollout strategy create NAME --stage ...",
        )
    objects = run_objects(name, _ns(namespace), placement, strategy, resource_index, start)
    if opts.dry_run_mode(dry_run) == "none":
        from akscli.fleet.rollout import wait_until_scheduled

        with output.status(f"waiting for placement {placement} to be scheduled before run {name}") as update:
            wait_until_scheduled(hub.connect(), objects, progress=update)
    apply_objects(
        objects,
        stack=f"fleet-run-{name}"[:63],
        target=hub.target(),
        dry_run=dry_run,
        yes=yes,
        output_format=output_format,
        action="fleet rollout create",
    )


def _print_arm_run(arm: ArmFlags, body: dict[str, Any], strategy: str | None, output_format: str) -> None:
    """--dry-run=client: the request body, offline (no credential, no ARM read)."""
    from akscli.fleet.arm import fleet_name, strategy_id, use_strategy

    if not arm.fleet:
        raise UsageError("this command acts on a fleet through ARM", hint="add --fleet NAME -g GROUP")
    if strategy:
        subscription = arm.azure.target().subscription or ""
        where = (subscription, azopts.resource_group(arm.group), fleet_name(arm.fleet))
        use_strategy(body, {"id": strategy_id(*where, strategy)})
    output.info("dry run: not checked against the fleet (that the strategy exists, Arc-enabled members)")
    _emit_body(body, output_format)


def _create_arm_run(
    scope: FleetScope,
    name: str,
    body: dict[str, Any],
    strategy: str | None,
    start: bool,
    output_format: str,
) -> None:
    from akscli.fleet.arm import use_strategy
    from akscli.fleet.armclient import UPDATE_RUN

    saved = scope.strategy_of_run(strategy)
    scope.check_no_arc(body, saved)
    use_strategy(body, saved)
    result = scope.put(UPDATE_RUN, name, body)
    _audit_arm(scope, "fleet rollout create", [(scope.ref(UPDATE_RUN, name), "create")])
    if start:
        result = scope.run_action("start", name)
    if output.structured(output_format):
        output.emit_object(result, output_format)
    else:
        output.write(f"updaterun/{name} created" + (" and started" if start else ""))


def _run_action(action: str, name: str, namespace: str | None, arm: ArmFlags, hub: opts.KubeFlags) -> None:
    """Start or stop a run: ARM (--fleet) or the hub's staged update run."""
    validate.name(name, "update run name")
    if arm.fleet:
        from akscli.fleet.armclient import UPDATE_RUN

        scope = arm.scope()
        scope.run_action(action, name)
        _audit_arm(scope, f"fleet rollout {action}", [(scope.ref(UPDATE_RUN, name), action)])
    else:
        from akscli.fleet.rollout import set_run_state

        ns = _ns(namespace)
        kube = hub.connect()
        set_run_state(kube, name, ns, action)
        _audit_hub(kube, f"fleet rollout {action}", [(f"stagedupdaterun/{name}", action)])
    output.write(f"updaterun/{name} {'started' if action == 'start' else 'stopped'}")


@rollout_app.command("start")
@_on_fleet
@_on_hub
def rollout_start(
    name: RunName,
    namespace: RunNamespace = None,
    arm: ArmFlags = ArmFlags(),
    hub: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """Start an update run."""
    _run_action("start", name, namespace, arm, hub)


@rollout_app.command("stop")
@_on_fleet
@_on_hub
def rollout_stop(
    name: RunName,
    namespace: RunNamespace = None,
    arm: ArmFlags = ArmFlags(),
    hub: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """Stop an update run (members being updated finish; no new ones start)."""
    _run_action("stop", name, namespace, arm, hub)


@rollout_app.command("skip")
@_on_fleet
def rollout_skip(
    name: RunName,
    target: Annotated[
        list[str] | None,
        _opt("--target", help="TYPE:NAME to skip: Member, Group, Stage or AfterStageWait (repeatable)."),
    ] = None,
    arm: ArmFlags = ArmFlags(),
) -> None:
    """Skip members, groups, stages or waits of an ARM update run."""
    from akscli.fleet.arm import skip_body
    from akscli.fleet.armclient import UPDATE_RUN

    if not arm.fleet:
        raise UsageError(
            "skip applies to ARM update runs (--fleet)",
            hint="hub runs move on through approvals: akscli fleet approve RUN",
        )
    validate.name(name, "update run name")
    body = skip_body(target or [])
    scope = arm.scope()
    scope.skip(name, body)
    _audit_arm(scope, "fleet rollout skip", [(scope.ref(UPDATE_RUN, name), "skip")])
    output.write(f"updaterun/{name} skipped " + ", ".join(f"{t['type']}:{t['name']}" for t in body["targets"]))


HUB_RUN_COLUMNS = [
    Column("stage", "stage"),
    Column("member", "member"),
    Column("state", "state"),
    Column("detail", "detail"),
]
ARM_RUN_COLUMNS = [
    Column("stage", "stage"),
    Column("group", "group"),
    Column("member", "member"),
    Column("state", "state"),
    Column("detail", "detail"),
]


@rollout_app.command("status")
@_on_fleet
@_on_hub
def rollout_status(
    name: RunName,
    namespace: RunNamespace = None,
    arm: ArmFlags = ArmFlags(),
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.Output = "table",
) -> None:
    """The stages of a run, each with its gates and members and their state."""
    fmt = opts.output_format(output_format)
    validate.name(name, "update run name")
    if arm.fleet:
        from akscli.fleet import arm as logic
        from akscli.fleet.armclient import UPDATE_RUN

        run = arm.scope().get(UPDATE_RUN, name)
        if output.structured(fmt):
            output.emit_object(run, fmt)
            return
        rows, heading, columns = logic.run_rows(run), f"update run {name}: {logic.run_state(run)}", ARM_RUN_COLUMNS
    else:
        from akscli.fleet import rollout

        ns = _ns(namespace)
        run = rollout.get_run(hub.connect(), name, ns)
        summary, rows = rollout.run_summary(run), rollout.run_rows(run)
        if output.structured(fmt):
            output.emit_object({"run": summary, "stages": rows}, fmt)
            return
        heading, columns = f"update run {name}: {rollout.describe(summary)}", HUB_RUN_COLUMNS
    if fmt != "name":
        output.write(heading)
    output.emit(rows, fmt, columns, name=lambda r: f"{r['stage']}/{r['member']}", empty="the run has no stages yet")


ARM_RUN_LIST_COLUMNS = [
    Column("name", "name"),
    Column("state", lambda r: _arm_run_state(r)),
    Column("upgrade", "properties.managedClusterUpdate.upgrade.type"),
    Column("version", "properties.managedClusterUpdate.upgrade.kubernetesVersion"),
]
HUB_RUN_LIST_COLUMNS = [
    Column("name", "name"),
    Column("placement", "placement"),
    Column("strategy", "strategy"),
    Column("state", "state"),
    Column("message", "message", wide=True),
]


def _arm_run_state(run: dict[str, Any]) -> str:
    from akscli.fleet.arm import run_state

    return run_state(run)


@rollout_app.command("list")
@_on_fleet
@_on_hub
def rollout_list(
    namespace: Annotated[str | None, opts.namespace_option("Hub: namespaced runs.")] = None,
    arm: ArmFlags = ArmFlags(),
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.Output = "table",
) -> None:
    """List update runs."""
    fmt = opts.output_format(output_format)
    if arm.fleet:
        from akscli.fleet.armclient import UPDATE_RUN

        runs = arm.scope().items(UPDATE_RUN)
        output.emit(runs, fmt, ARM_RUN_LIST_COLUMNS, name=lambda r: f"updaterun/{r['name']}")
        return
    from akscli.fleet import rollout

    ns = _ns(namespace)
    items = rollout.list_runs(hub.connect(), ns)
    if output.structured(fmt):
        output.emit(items, fmt, [])
        return
    rows = [rollout.run_summary(i) for i in items]
    output.emit(rows, fmt, HUB_RUN_LIST_COLUMNS, name=lambda r: f"stagedupdaterun/{r['name']}")


@rollout_app.command("delete")
@_on_fleet
@_on_hub
def rollout_delete(
    name: RunName,
    namespace: RunNamespace = None,
    yes: opts.Yes = False,
    arm: ArmFlags = ArmFlags(),
    hub: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """Delete an update run (ARM with --fleet, else the hub's staged update run)."""
    from akscli.fleet.armclient import UPDATE_RUN

    _delete_staged(UPDATE_RUN, name, namespace, yes, arm, hub, "fleet rollout delete")


def _delete_staged(
    child: Child,
    name: str,
    namespace: str | None,
    yes: bool,
    arm: ArmFlags,
    hub: opts.KubeFlags,
    action: str,
) -> None:
    """Delete an update run or strategy: through ARM with --fleet, else on the hub."""
    from akscli.cli.common import delete_objects
    from akscli.fleet import rollout
    from akscli.fleet.armclient import UPDATE_RUN

    validate.name(name, f"{child.noun} name")
    if arm.fleet:
        _remove(arm.scope(), child, name, yes, action)
        return
    ns = _ns(namespace)
    kube = hub.connect()
    read = rollout.get_run if child is UPDATE_RUN else rollout.get_strategy
    delete_objects(kube, [_hub_ref(read(kube, name, ns))], yes=yes, what=f"{child.noun} {name}")


# ---- approvals and gates ----------------------------------------------------------------------


@app.command("approve")
@_on_fleet
@_on_hub
def approve(
    run: Annotated[str, typer.Argument(help="Update run whose pending approval to give.")],
    stage: Annotated[str | None, _opt("--stage", help="Only the gate of this stage.")] = None,
    gate: Annotated[str | None, _opt("--gate", help="ARM: approve this gate by name.")] = None,
    wait: Annotated[
        bool,
        typer.Option("--wait/--no-wait", help="Then wait until the run asks for its next approval or ends, or not."),
    ] = False,
    timeout: opts.Timeout = "30m",
    namespace: RunNamespace = None,
    arm: ArmFlags = ArmFlags(),
    hub: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """Approve the pending gate of a run: ARM gates (--fleet) or hub (Cluster)ApprovalRequests."""
    validate.name(run, "update run name")
    if stage is not None:
        validate.name(stage, "stage name")
    seconds = validate.duration(timeout, "--timeout")
    wait_for = seconds if wait else None
    if arm.fleet:
        _approve_arm(arm.scope(), run, stage, gate, wait_for)
        return
    if gate:
        raise UsageError("--gate names ARM gates", hint="add --fleet NAME -g GROUP, or drop --gate")
    ns = _ns(namespace)
    _approve_hub(hub.connect(), run, ns, stage, wait_for)


def _approve_hub(kube: Kube, run: str, namespace: str | None, stage: str | None, wait: float | None) -> None:
    from akscli.fleet import rollout

    approved = rollout.approve_pending(kube, run, namespace, stage)
    for item in approved:
        output.write(f"approved {item.name} (stage {item.stage})")
    answered = sorted({a.name for a in approved})
    _audit_hub(kube, "fleet approve", [(f"approvalrequest/{n}", "approve") for n in answered])
    if wait is None:
        return
    with output.status(f"waiting for the next gate of {run}") as update:
        outcome, gates = rollout.wait_for_next_gate(
            kube, run, namespace, set(answered), wait, on_event=lambda s: update(f"run {run}: {s}")
        )
    _report_next(run, outcome, [f"{g.name} (stage {g.stage})" for g in gates])


def _approve_arm(scope: FleetScope, run: str, stage: str | None, gate: str | None, wait: float | None) -> None:
    from akscli.fleet.armclient import GATE, gate_label

    approved = scope.approve_gates(run, stage, gate)
    for item in approved:
        output.write(f"approved gate {gate_label(item)}")
    answered = sorted(str(g["name"]) for g in approved)
    _audit_arm(scope, "fleet approve", [(scope.ref(GATE, g), "approve") for g in answered])
    if wait is None:
        return
    with output.status(f"waiting for the next gate of {run}"):
        outcome, fresh = scope.wait_for_next_gate(run, answered, wait)
    _report_next(run, outcome, [gate_label(g) for g in fresh])


def _report_next(run: str, outcome: str, gates: list[str]) -> None:
    if outcome == "gate":
        output.write("next: " + ", ".join(gates))
    elif outcome == "done":
        output.write(f"update run {run} completed")
    else:
        raise CheckFailedError(f"update run {run} {outcome}", hint=f"see why with: akscli fleet rollout status {run}")


GATE_COLUMNS = [
    Column("name", "name"),
    Column("run", "run"),
    Column("stage", "stage"),
    Column("group", "group"),
    Column("timing", "timing"),
    Column("state", "state"),
    Column("display name", "displayName", wide=True),
]


@app.command("gates")
@_on_fleet
def gates_list(
    run: Annotated[str | None, _opt("--run", help="Only gates of this update run.")] = None,
    pending: Annotated[bool, typer.Option("--pending", help="Only gates waiting for approval.")] = False,
    arm: ArmFlags = ArmFlags(),
    output_format: opts.Output = "table",
) -> None:
    """List the approval gates of a fleet's update runs (ARM)."""
    from akscli.fleet import arm as logic
    from akscli.fleet.armclient import GATE

    fmt = opts.output_format(output_format)
    if run is not None:
        validate.name(run, "--run")
    gates = arm.scope().items(GATE)
    chosen = logic.pending_gates(gates, run) if pending else [g for g in gates if logic.gate_matches(g, run, None)]
    if output.structured(fmt):
        output.emit(chosen, fmt, [])
        return
    output.emit([logic.gate_row(g) for g in chosen], fmt, GATE_COLUMNS, name=lambda r: f"gate/{r['name']}")


# ---- auto-upgrade profiles (ARM) --------------------------------------------------------------

autoupgrade_app = _group_app("Auto-upgrade profiles: upgrade runs generated on a release channel (ARM).")
app.add_typer(autoupgrade_app, name="autoupgrade")

PROFILE_COLUMNS = [
    Column("name", "name"),
    Column("channel", "properties.channel"),
    Column("disabled", lambda p: "yes" if (p.get("properties") or {}).get("disabled") else "no"),
    Column("strategy", lambda p: str((p.get("properties") or {}).get("updateStrategyId") or "").rsplit("/", 1)[-1]),
    Column("state", "properties.provisioningState"),
]


@autoupgrade_app.command("create")
@_on_fleet
def autoupgrade_create(
    name: ProfileName,
    channel: Annotated[str, typer.Option("--channel", help="Stable|Rapid|NodeImage|TargetKubernetesVersion.")],
    strategy: Annotated[str | None, _opt("--strategy", help="Update strategy the generated runs use.")] = None,
    target_version: Annotated[
        str | None, _opt("--target-kubernetes-version", help="MAJOR.MINOR for the TargetKubernetesVersion channel.")
    ] = None,
    node_image_selection: Annotated[str, typer.Option("--node-image-selection", help="Latest|Consistent.")] = "Latest",
    disabled: Annotated[bool, typer.Option("--disabled", help="Create it switched off.")] = False,
    arm: ArmFlags = ArmFlags(),
    dry_run: opts.DryRun = "none",
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Create an auto-upgrade profile; Arc-enabled members are refused as for upgrade runs."""
    from akscli.fleet.arm import auto_upgrade_body, use_strategy
    from akscli.fleet.armclient import PROFILE

    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    validate.name(name, "profile name")
    body = auto_upgrade_body(channel, target_version=target_version, node_image=node_image_selection, disabled=disabled)
    if strategy:
        validate.name(strategy, "strategy name")
    with azopts.dry_run_scope(dry_run, fmt):
        scope = arm.scope()
        saved = scope.strategy_of_run(strategy)
        scope.check_no_arc(use_strategy(body, saved), saved)
        result = scope.put(PROFILE, name, body)
        _audit_arm(scope, "fleet autoupgrade create", [(scope.ref(PROFILE, name), "create")])
        output.emit_object(result, "yaml" if fmt == "table" else fmt)


@autoupgrade_app.command("list")
@_on_fleet
def autoupgrade_list(
    arm: ArmFlags = ArmFlags(),
    output_format: opts.Output = "table",
) -> None:
    """List auto-upgrade profiles."""
    from akscli.fleet.armclient import PROFILE

    fmt = opts.output_format(output_format)
    profiles = arm.scope().items(PROFILE)
    output.emit(profiles, fmt, PROFILE_COLUMNS, name=lambda p: f"autoupgradeprofile/{p.get('name')}")


@autoupgrade_app.command("delete")
@_on_fleet
def autoupgrade_delete(
    name: ProfileName,
    yes: opts.Yes = False,
    arm: ArmFlags = ArmFlags(),
    dry_run: opts.DryRun = "none",
) -> None:
    """Delete an auto-upgrade profile."""
    from akscli.fleet.armclient import PROFILE

    validate.name(name, "profile name")
    with azopts.dry_run_scope(dry_run, "json") as dry:
        _remove(arm.scope(), PROFILE, name, yes or dry, "fleet autoupgrade delete")
