"""``akscli fleet``: Azure Kubernetes Fleet Manager (ARM) and its hub (KubeFleet placement APIs).

Commands that take ``--fleet`` talk to ARM; the others talk to the hub cluster through the
current kubeconfig context (get it with ``akscli fleet credentials``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from akscli import output, validate
from akscli.cli import azopts
from akscli.cli import options as opts
from akscli.errors import CheckFailedError, NotFoundError, UsageError
from akscli.output import Column

T = TypeVar("T")

app = typer.Typer(
    name="fleet",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
    help="Azure Kubernetes Fleet Manager: fleets, members, placement, staged rollouts.",
)
member_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
    help="Fleet members: join AKS or Arc-enabled clusters, list, drain, uncordon.",
)
placement_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
    help="Placements on the hub: status per member, which, list, delete.",
)
rollout_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
    help="Staged rollouts: upgrade runs (ARM, --fleet) and workload runs (hub).",
)
strategy_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
    help="Staged update strategies (ARM with --fleet, else on the hub).",
)
app.add_typer(member_app, name="member")
app.add_typer(placement_app, name="placement")
app.add_typer(rollout_app, name="rollout")
rollout_app.add_typer(strategy_app, name="strategy")

# ---- options ----------------------------------------------------------------------------------

Group = azopts.ResourceGroup
Fleet = Annotated[
    str | None,
    typer.Option("--fleet", help="Fleet name: act through ARM on this fleet.", show_default=False),
]
Subscription = azopts.AzSubscription
Auth = azopts.AzAuth
Tenant = azopts.AzTenant
Stage = Annotated[
    list[str] | None,
    typer.Option(
        "--stage",
        help="A stage: NAME[;labels=SEL][;groups=G1,G2][;sort=KEY][;max=N|P%][;before=approval]"
        "[;after=approval|wait:DUR]. Repeat in order.",
        show_default=False,
    ),
]


def _need_group(group: str | None) -> str:
    from akscli.fleet.arm import resource_group

    if not group:
        raise UsageError("this command needs the fleet's resource group", hint="add -g RESOURCE_GROUP")
    return resource_group(group)


class _Arm:
    """The fleet SDK client and target for one command; every call's errors are translated."""

    def __init__(self, subscription: str | None, auth: str | None, tenant: str | None) -> None:
        from azure.mgmt.containerservicefleet import ContainerServiceFleetMgmtClient

        from akscli.azure import arm

        self.arm = arm
        self.target = arm.AzureTarget(subscription, auth, tenant).validated()
        self.client = arm.management_client(ContainerServiceFleetMgmtClient, self.target)

    def call(self, what: str, fn: Callable[[], T]) -> T:
        from akscli.errors import AkscliError

        try:
            return fn()
        except AkscliError:
            raise
        except Exception as exc:
            raise self.arm.translate_arm_error(exc, what=what) from exc

    def wait(self, what: str, start: Callable[[], Any]) -> Any:
        poller = self.call(what, start)
        with output.status(what) as update:
            return self.arm.wait_lro(poller, what, update)

    def audit(self, action: str, objects: list[dict[str, str]]) -> None:
        from akscli.cli.common import record_audit

        record_audit(
            action,
            None,
            [],
            "success",
            target={"subscription": str(self.target.subscription)},
            objects=objects,
        )


def _model(name: str, body: dict[str, Any]) -> Any:
    """An SDK model built from REST JSON (the SDK's overloads take models or streams)."""
    from azure.mgmt.containerservicefleet import models

    return getattr(models, name)(body)


def _kube(kubeconfig: str | None, context: str | None, request_timeout: str | None = None) -> Any:
    from akscli.kube.client import connect

    return connect(opts.kube_target(kubeconfig, context, None, request_timeout))


def _ns(namespace: str | None) -> str | None:
    return validate.name(namespace, "namespace") if namespace is not None else None


# ---- fleets (ARM) -----------------------------------------------------------------------------

FLEET_COLUMNS = [
    Column("name", "name"),
    Column("location", "location"),
    Column("hub", lambda f: "yes" if (f.get("properties") or {}).get("hubProfile") else "no"),
    Column("state", "properties.provisioningState"),
    Column("hub fqdn", "properties.hubProfile.fqdn", wide=True),
    Column(
        "resource group",
        lambda f: str(f.get("id", "")).split("/")[4] if f.get("id") else "",
        wide=True,
    ),
]


@app.command("create")
def fleet_create(
    name: Annotated[str, typer.Argument(help="Fleet name.")],
    group: Group = None,
    location: Annotated[str, typer.Option("--location", "-l", help="Azure region, e.g. eastus.")] = "eastus",
    hub: Annotated[
        bool,
        typer.Option(
            "--hub/--no-hub",
            help="Create a hub cluster (for placement and staged workload rollouts).",
        ),
    ] = True,
    dns_prefix: Annotated[
        str | None,
        typer.Option("--dns-prefix", help="DNS prefix of the hub API server.", show_default=False),
    ] = None,
    vm_size: Annotated[
        str | None,
        typer.Option("--hub-vm-size", help="VM size of the hub's node.", show_default=False),
    ] = None,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Create a fleet (with a hub cluster unless --no-hub)."""
    from akscli.fleet.arm import as_dict, fleet_name

    fleet_name(name)
    rg = _need_group(group)
    region = location.lower().replace(" ", "")
    if not region.isalnum():
        raise UsageError(f"invalid --location {location!r}", hint="use an Azure region name, e.g. eastus")
    body: dict[str, Any] = {"location": region}
    if hub:
        profile: dict[str, Any] = {"dnsPrefix": validate.name(dns_prefix or f"{name}-hub", "--dns-prefix")}
        if vm_size:
            if not vm_size.startswith("Standard_"):
                raise UsageError(f"invalid --hub-vm-size {vm_size!r}", hint="for example Standard_D4s_v3")
            profile["agentProfile"] = {"vmSize": vm_size}
        body["properties"] = {"hubProfile": profile}
    elif dns_prefix or vm_size:
        raise UsageError("--dns-prefix and --hub-vm-size need a hub", hint="drop --no-hub")
    arm = _Arm(subscription, auth, tenant)
    result = as_dict(
        arm.wait(
            f"creating fleet {name}",
            lambda: arm.client.fleets.begin_create_or_update(rg, name, _model("Fleet", body)),
        )
    )
    arm.audit("fleet create", [{"object": f"fleet/{name}", "action": "create"}])
    output.emit_object(result, output_format, fields=_fleet_fields(result) if output_format == "table" else None)


def _fleet_fields(fleet: dict[str, Any]) -> list[tuple[str, Any]]:
    props = fleet.get("properties") or {}
    hub = props.get("hubProfile") or {}
    return [
        ("name", fleet.get("name")),
        ("location", fleet.get("location")),
        ("state", props.get("provisioningState")),
        ("hub", "yes" if hub else "no"),
        ("hub fqdn", hub.get("fqdn", "")),
        ("kubernetes", hub.get("kubernetesVersion", "")),
        ("id", fleet.get("id")),
    ]


@app.command("list")
def fleet_list(
    group: Group = None,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    output_format: opts.Output = "table",
) -> None:
    """List fleets in a resource group, or in the subscription."""
    from akscli.fleet.arm import as_dict, resource_group

    fmt = opts.output_format(output_format)
    arm = _Arm(subscription, auth, tenant)
    pages = arm.call(
        "listing fleets",
        lambda: list(
            arm.client.fleets.list_by_resource_group(resource_group(group))
            if group
            else arm.client.fleets.list_by_subscription()
        ),
    )
    output.emit([as_dict(f) for f in pages], fmt, FLEET_COLUMNS, name=lambda f: f"fleet/{f.get('name')}")


@app.command("show")
def fleet_show(
    name: Annotated[str, typer.Argument(help="Fleet name.")],
    group: Group = None,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Show one fleet."""
    from akscli.fleet.arm import as_dict, fleet_name

    fleet_name(name)
    rg = _need_group(group)
    arm = _Arm(subscription, auth, tenant)
    fleet = as_dict(arm.call(f"reading fleet {name}", lambda: arm.client.fleets.get(rg, name)))
    output.emit_object(fleet, output_format, fields=_fleet_fields(fleet) if output_format == "table" else None)


@app.command("credentials")
def fleet_credentials(
    name: Annotated[str, typer.Argument(help="Fleet name.")],
    group: Group = None,
    kubeconfig: Annotated[
        str | None,
        typer.Option(
            "--file",
            "-f",
            help="Kubeconfig to merge into (default: $KUBECONFIG, ~/.kube/config).",
            show_default=False,
        ),
    ] = None,
    overwrite_existing: Annotated[
        bool, typer.Option("--overwrite-existing", help="Replace entries of the same name.")
    ] = False,
    login: Annotated[
        str | None,
        typer.Option(
            "--login",
            help="Sign-in mode written into the kubeconfig for 'akscli token' (default: the default credential chain).",
            show_default=False,
        ),
    ] = None,
    output_format: opts.ObjectOutput = "table",
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
) -> None:
    """Merge the fleet hub's kubeconfig (signing in through 'akscli token'), as 'cluster credentials'."""
    import base64

    from akscli.azure import clusters, identity
    from akscli.azure.kubeconfig import merge_kubeconfig
    from akscli.fleet.arm import as_dict, fleet_name

    fmt = output.check_format(output_format, output.OBJECT_FORMATS)
    fleet_name(name)
    rg = _need_group(group)
    mode = identity.check_auth(login)
    arm = _Arm(subscription, auth, tenant)
    creds = as_dict(
        arm.call(
            f"reading hub credentials of fleet {name}",
            lambda: arm.client.fleets.list_credentials(rg, name),
        )
    )
    configs = creds.get("kubeconfigs") or []
    if not configs or not configs[0].get("value"):
        raise NotFoundError(
            f"fleet {name!r} has no hub kubeconfig",
            hint="a fleet created with --no-hub has no hub; placement needs one",
        )
    raw = configs[0]["value"]
    value = raw if isinstance(raw, bytes) else base64.b64decode(raw)
    # The hub signs in with Entra ID like an AKS cluster: the same exec plugin rewrite.
    value = clusters.rewrite_exec_user(value, login=mode)
    result = merge_kubeconfig(value, kubeconfig, overwrite_existing=overwrite_existing)
    info = {
        "path": result.path,
        "context": result.context,
        "added": result.added,
        "replaced": result.replaced,
        "unchanged": result.unchanged,
        "backup": result.backup,
    }
    if fmt in ("json", "yaml"):
        output.emit_object(info, fmt)
        return
    changed = result.added + result.replaced
    output.info(
        f"merged the hub of fleet {name} into {result.path}"
        + (f" ({', '.join(changed)})" if changed else " (already up to date)")
        + f"; current context: {result.context}"
    )


@app.command("delete")
def fleet_delete(
    name: Annotated[str, typer.Argument(help="Fleet name.")],
    group: Group = None,
    yes: opts.Yes = False,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
) -> None:
    """Delete a fleet (and its hub); member clusters are not deleted."""
    from akscli.cli.common import confirm
    from akscli.fleet.arm import fleet_name

    fleet_name(name)
    rg = _need_group(group)
    confirm(f"delete fleet {name} in resource group {rg}", yes)
    arm = _Arm(subscription, auth, tenant)
    arm.wait(f"deleting fleet {name}", lambda: arm.client.fleets.begin_delete(rg, name))
    arm.audit("fleet delete", [{"object": f"fleet/{name}", "action": "delete"}])
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


def _need_fleet(fleet: str | None) -> str:
    from akscli.fleet.arm import fleet_name

    if not fleet:
        raise UsageError("this command acts on a fleet through ARM", hint="add --fleet NAME -g GROUP")
    return fleet_name(fleet)


@member_app.command("join")
def member_join(
    name: Annotated[str, typer.Argument(help="Member name in the fleet.")],
    cluster: Annotated[
        str,
        typer.Option(
            "--cluster",
            help="AKS cluster name (with --cluster-group), or the resource id of an AKS or Arc-enabled cluster.",
        ),
    ],
    fleet: Fleet = None,
    group: Group = None,
    cluster_group: Annotated[
        str | None,
        typer.Option(
            "--cluster-group",
            help="Resource group of --cluster given by name (default: -g).",
            show_default=False,
        ),
    ] = None,
    labels: Annotated[
        list[str] | None,
        typer.Option("--labels", help="Member labels key=value (repeatable).", show_default=False),
    ] = None,
    update_group: Annotated[
        str | None,
        typer.Option("--update-group", help="Update group for staged upgrade runs.", show_default=False),
    ] = None,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Join an AKS cluster or an Arc-enabled cluster to the fleet."""
    from akscli.fleet.arm import as_dict, cluster_ref, member_body, member_labels

    fleet_name = _need_fleet(fleet)
    rg = _need_group(group)
    validate.name(name, "member name")
    parsed_labels = member_labels(labels or [])
    arm = _Arm(subscription, auth, tenant)
    ref = cluster_ref(cluster, subscription=str(arm.target.subscription), group=cluster_group or rg)
    body = member_body(ref, update_group, parsed_labels)
    result = as_dict(
        arm.wait(
            f"joining {ref.kind} cluster {ref.name} as {name}",
            lambda: arm.client.fleet_members.begin_create(rg, fleet_name, name, _model("FleetMember", body)),
        )
    )
    arm.audit("fleet member join", [{"object": f"fleet/{fleet_name}/member/{name}", "action": "create"}])
    props = result.get("properties") or {}
    output.emit_object(
        result,
        output_format,
        fields=[
            ("name", result.get("name")),
            ("type", ref.kind),
            ("update group", props.get("group", "")),
            ("state", props.get("provisioningState")),
            ("cluster", props.get("clusterResourceId")),
        ]
        if output_format == "table"
        else None,
    )


def _read_cluster(arm: _Arm) -> Callable[[str], dict[str, Any] | None]:
    from akscli.fleet.arm import ARC_TYPE

    raw = arm.arm.raw_client(arm.target)

    def read(rid: str) -> dict[str, Any] | None:
        from akscli.errors import AkscliError

        version = "2024-01-01" if f"/providers/{ARC_TYPE}/" in rid.lower() else "2026-01-01"
        try:
            found: dict[str, Any] | None = arm.arm.raw_call(raw, "GET", rid, version)
        except AkscliError:
            return None
        return found

    return read


@member_app.command("list")
def member_list(
    fleet: Fleet = None,
    group: Group = None,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    output_format: opts.Output = "table",
) -> None:
    """List members: AKS or Arc, update group, labels, Kubernetes version, joined and healthy."""
    from akscli.fleet.arm import as_dict, member_rows

    fmt = opts.output_format(output_format)
    fleet_name = _need_fleet(fleet)
    rg = _need_group(group)
    arm = _Arm(subscription, auth, tenant)
    members = arm.call(
        f"listing members of fleet {fleet_name}",
        lambda: [as_dict(m) for m in arm.client.fleet_members.list_by_fleet(rg, fleet_name)],
    )
    rows = member_rows(members, _read_cluster(arm))
    output.emit(rows, fmt, MEMBER_COLUMNS, name=lambda r: f"member/{r['name']}")


@member_app.command("remove")
def member_remove(
    name: Annotated[str, typer.Argument(help="Member name.")],
    fleet: Fleet = None,
    group: Group = None,
    yes: opts.Yes = False,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
) -> None:
    """Remove a member from the fleet (the cluster itself stays)."""
    from akscli.cli.common import confirm

    fleet_name = _need_fleet(fleet)
    rg = _need_group(group)
    validate.name(name, "member name")
    confirm(f"remove member {name} from fleet {fleet_name}", yes)
    arm = _Arm(subscription, auth, tenant)
    arm.wait(
        f"removing member {name}",
        lambda: arm.client.fleet_members.begin_delete(rg, fleet_name, name),
    )
    arm.audit("fleet member remove", [{"object": f"fleet/{fleet_name}/member/{name}", "action": "delete"}])
    output.write(f"member/{name} removed")


EVICTION_COLUMNS = [
    Column("placement", "placement"),
    Column("outcome", "outcome"),
    Column("message", "message"),
    Column("eviction", "eviction", wide=True),
]


@member_app.command("drain")
def member_drain(
    name: Annotated[str, typer.Argument(help="Member cluster name on the hub.")],
    timeout: opts.Timeout = "5m",
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.Output = "table",
) -> None:
    """Cordon a member and evict every placement from it, honouring disruption budgets."""
    from akscli.cli.common import record_audit
    from akscli.fleet import drain

    fmt = opts.output_format(output_format)
    seconds = validate.duration(timeout, "--timeout")
    kube = _kube(kubeconfig, context)
    _, results = drain.drain(kube, name, seconds, progress=output.progress)
    record_audit(
        "fleet member drain",
        kube,
        [],
        "success",
        objects=[
            {"object": f"membercluster/{name}", "action": "cordon"},
            *({"object": f"clusterresourceplacementeviction/{r.eviction}", "action": "create"} for r in results),
        ],
    )
    output.emit(
        [r.as_dict() for r in results],
        fmt,
        EVICTION_COLUMNS,
        name=lambda r: f"clusterresourceplacementeviction/{r['eviction']}",
        empty=f"no placement had resources on {name}",
    )
    blocked = [r for r in results if r.outcome in ("Blocked", "Unconfirmed")]
    if blocked:
        raise CheckFailedError(
            f"{len(blocked)} placement(s) were not evicted from {name}: "
            + "; ".join(f"{r.placement}: {r.message}" for r in blocked),
            hint="a ClusterResourcePlacementDisruptionBudget protects them; relax it or add "
            "capacity elsewhere, then run the drain again (the cluster stays cordoned)",
        )
    output.info(f"member cluster {name} drained; run 'akscli fleet member uncordon {name}' to reopen it")


@member_app.command("uncordon")
def member_uncordon(
    name: Annotated[str, typer.Argument(help="Member cluster name on the hub.")],
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
) -> None:
    """Remove the cordon taint so placements may choose the member again."""
    from akscli.cli.common import record_audit
    from akscli.fleet import drain

    kube = _kube(kubeconfig, context)
    changed = drain.uncordon(kube, name)
    if changed:
        record_audit(
            "fleet member uncordon",
            kube,
            [],
            "success",
            objects=[{"object": f"membercluster/{name}", "action": "uncordon"}],
        )
        output.write(f"membercluster/{name} uncordoned")
    else:
        output.write(f"membercluster/{name} was not cordoned")


# ---- placement (hub) --------------------------------------------------------------------------


@app.command("place")
def place(
    name: Annotated[str, typer.Argument(help="Placement name.")],
    namespace: Annotated[
        str | None,
        typer.Option(
            "-n",
            "--namespace",
            help="Create a namespaced ResourcePlacement in this namespace (default: a ClusterResourcePlacement).",
            show_default=False,
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            help="What to place: KIND/NAME, KIND:SELECTOR or Kind.version.group/NAME "
            "(repeatable), e.g. namespace/team-a.",
            show_default=False,
        ),
    ] = None,
    namespace_only: Annotated[
        bool,
        typer.Option("--namespace-only", help="Place selected namespaces without their contents."),
    ] = False,
    pick_all: Annotated[bool, typer.Option("--pick-all", help="Every matching member (the default).")] = False,
    pick_n: Annotated[
        int | None,
        typer.Option("--pick-n", help="The N best matching members.", show_default=False),
    ] = None,
    pick_fixed: Annotated[
        str | None,
        typer.Option("--pick-fixed", help="Exactly these members: CLUSTER,CLUSTER.", show_default=False),
    ] = None,
    require_labels: Annotated[
        list[str] | None,
        typer.Option(
            "--require-labels",
            help="Member label selector that must match, e.g. 'env in (prod)'.",
            show_default=False,
        ),
    ] = None,
    require_property: Annotated[
        list[str] | None,
        typer.Option(
            "--require-property",
            help="Cluster property requirement NAME>=VALUE (also <=,>,<,==,!=).",
            show_default=False,
        ),
    ] = None,
    gpu_size: Annotated[
        list[str] | None,
        typer.Option(
            "--gpu-size",
            help="Members with nodes of this VM size: SIZE[=COUNT], e.g. Standard_NC24ads_A100_v4=2.",
            show_default=False,
        ),
    ] = None,
    prefer_labels: Annotated[
        list[str] | None,
        typer.Option(
            "--prefer-labels",
            help="Preferred members: SELECTOR[@WEIGHT] (with --pick-n).",
            show_default=False,
        ),
    ] = None,
    sort_by: Annotated[
        list[str] | None,
        typer.Option(
            "--sort-by",
            help="Rank members by a property: NAME[:asc|desc][:WEIGHT] (with --pick-n).",
            show_default=False,
        ),
    ] = None,
    tolerate: Annotated[
        list[str] | None,
        typer.Option("--tolerate", help="Tolerate a member taint: KEY[=VALUE].", show_default=False),
    ] = None,
    spread: Annotated[
        list[str] | None,
        typer.Option(
            "--spread",
            help="Topology spread: KEY[:MAXSKEW][:DoNotSchedule|ScheduleAnyway] (with --pick-n).",
            show_default=False,
        ),
    ] = None,
    max_unavailable: Annotated[
        str | None,
        typer.Option(
            "--max-unavailable",
            help="Rolling update: members unavailable at once (N or P%).",
            show_default=False,
        ),
    ] = None,
    max_surge: Annotated[
        str | None,
        typer.Option(
            "--max-surge",
            help="Rolling update: extra members during a rollout (N or P%).",
            show_default=False,
        ),
    ] = None,
    unavailable_period: Annotated[
        int | None,
        typer.Option(
            "--unavailable-period",
            help="Rolling update: seconds to wait before judging availability.",
            show_default=False,
        ),
    ] = None,
    external: Annotated[
        bool,
        typer.Option("--external", help="Roll out only through staged update runs (fleet rollout create)."),
    ] = False,
    override: Annotated[
        list[str] | None,
        typer.Option(
            "--override",
            help="Per-cluster override: SELECTOR@PATH=JSON, SELECTOR@-PATH or SELECTOR@delete.",
            show_default=False,
        ),
    ] = None,
    override_target: Annotated[
        str | None,
        typer.Option(
            "--override-target",
            help="Override one namespaced object: NAMESPACE/KIND/NAME.",
            show_default=False,
        ),
    ] = None,
    dry_run: opts.DryRun = "none",
    wait: opts.Wait = False,
    timeout: opts.Timeout = "10m",
    yes: opts.Yes = False,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.Output = "table",
) -> None:
    """Place hub resources onto member clusters (ClusterResourcePlacement or ResourcePlacement)."""
    from akscli.cli.common import apply_objects
    from akscli.fleet.placement import PlacementRequest, build

    fixed = [c.strip() for c in (pick_fixed or "").split(",") if c.strip()]
    if pick_fixed is not None and not fixed:
        raise UsageError("--pick-fixed lists no member", hint="for example --pick-fixed member-1,member-2")
    request = PlacementRequest(
        name=name,
        namespace=_ns(namespace),
        selects=select or [],
        namespace_only=namespace_only,
        pick_all=pick_all,
        pick_n=pick_n,
        pick_fixed=fixed,
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
    if wait and external:
        output.warn(
            "an External placement becomes available through a staged update run; "
            "not waiting (use: akscli fleet rollout create)"
        )
        wait = False
    apply_objects(
        objects,
        stack=f"fleet-{name}"[:63],
        target=opts.kube_target(kubeconfig, context),
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


@placement_app.command("status")
def placement_status(
    name: Annotated[str, typer.Argument(help="Placement name.")],
    namespace: Annotated[
        str | None,
        typer.Option("-n", "--namespace", help="Namespace of a ResourcePlacement.", show_default=False),
    ] = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.Output = "table",
) -> None:
    """Per member: Scheduled .. Available, the first failing message, failed and drifted objects."""
    from akscli.fleet import placement

    fmt = opts.output_format(output_format)
    kube = _kube(kubeconfig, context)
    obj = placement.get_placement(kube, name, _ns(namespace))
    summary = placement.placement_summary(obj)
    rows = [s.as_dict() for s in placement.cluster_statuses(obj)]
    if fmt in ("json", "yaml"):
        output.emit_object({"placement": summary, "clusters": rows}, fmt)
        return
    if fmt in ("table", "wide"):
        conds = summary["conditions"]
        output.write(
            f"{summary['kind']} {summary['name']}: {summary['placementType']}, "
            f"{summary['strategy']}, "
            f"{summary['available']}/{summary['clusters']} member(s) available"
        )
        output.write("  " + "  ".join(f"{k}={v}" for k, v in conds.items()))
        if summary["message"]:
            output.write(f"  {summary['message']}")
    output.emit(
        rows,
        fmt,
        CLUSTER_STATUS_COLUMNS,
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
def placement_list(
    namespace: Annotated[
        str | None,
        typer.Option(
            "-n",
            "--namespace",
            help="List ResourcePlacements in this namespace (default: ClusterResourcePlacements).",
            show_default=False,
        ),
    ] = None,
    all_namespaces: opts.AllNamespaces = False,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.Output = "table",
) -> None:
    """List placements with how many members are available."""
    from akscli.fleet import placement

    fmt = opts.output_format(output_format)
    kube = _kube(kubeconfig, context)
    items = list(placement.list_placements(kube, _ns(namespace), all_namespaces))
    if fmt in ("json", "yaml"):
        output.emit(items, fmt, [])
        return
    output.emit(
        [placement.placement_summary(i) for i in items],
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
def placement_which(
    obj: Annotated[
        str,
        typer.Argument(metavar="KIND/NAME", help="The object, e.g. deployment/web or namespace/team-a."),
    ],
    namespace: Annotated[
        str | None,
        typer.Option("-n", "--namespace", help="Namespace of a namespaced object.", show_default=False),
    ] = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.Output = "table",
) -> None:
    """Which placement put this object on which member, and how it fares there."""
    from akscli.fleet import placement

    fmt = opts.output_format(output_format)
    ref = placement.parse_object_ref(obj, _ns(namespace))
    kube = _kube(kubeconfig, context)
    rows = placement.which(kube, ref)
    if not rows:
        raise NotFoundError(
            f"no placement has put {obj} on a member cluster",
            hint="placements select objects with --select; see: akscli fleet placement list",
        )
    output.emit(rows, fmt, WHICH_COLUMNS, name=lambda r: f"{str(r['kind']).lower()}/{r['placement']}")


@placement_app.command("delete")
def placement_delete(
    name: Annotated[str, typer.Argument(help="Placement name.")],
    namespace: Annotated[
        str | None,
        typer.Option("-n", "--namespace", help="Namespace of a ResourcePlacement.", show_default=False),
    ] = None,
    yes: opts.Yes = False,
    dry_run: opts.DryRun = "none",
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
) -> None:
    """Delete a placement (its resources leave the members) and the overrides akscli made for it."""
    from akscli.cli.common import delete_objects
    from akscli.fleet import CRO, CRP, PLACEMENT_V1, RO, RP
    from akscli.fleet import placement as logic

    ns = _ns(namespace)
    kube = _kube(kubeconfig, context)
    logic.get_placement(kube, name, ns)
    refs: list[tuple[str, str, str, str | None]] = [(PLACEMENT_V1, RP if ns else CRP, name, ns)]
    override = f"{name}-override"
    if ns and kube.get(PLACEMENT_V1, RO, override, ns):
        refs.append((PLACEMENT_V1, RO, override, ns))
    if not ns and kube.get(PLACEMENT_V1, CRO, override):
        refs.append((PLACEMENT_V1, CRO, override, None))
    delete_objects(kube, refs, yes=yes, what=f"placement {name}", dry_run=dry_run)


# ---- rollouts ---------------------------------------------------------------------------------


@strategy_app.command("create")
def strategy_create(
    name: Annotated[str, typer.Argument(help="Strategy name.")],
    stage: Stage = None,
    namespace: Annotated[
        str | None,
        typer.Option("-n", "--namespace", help="Hub: a namespaced StagedUpdateStrategy.", show_default=False),
    ] = None,
    fleet: Fleet = None,
    group: Group = None,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    dry_run: opts.DryRun = "none",
    yes: opts.Yes = False,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.Output = "table",
) -> None:
    """Create a staged update strategy: ARM (--fleet: update groups) or hub (members by labels)."""
    from akscli.fleet.stages import parse_stages

    specs = parse_stages(stage or [])
    if fleet:
        from akscli.fleet.arm import as_dict, strategy_body

        fleet_name = _need_fleet(fleet)
        rg = _need_group(group)
        validate.name(name, "strategy name")
        body = strategy_body(specs)
        if dry_run == "client":
            output.emit_object(body, "json" if output_format == "json" else "yaml")
            return
        arm = _Arm(subscription, auth, tenant)
        result = as_dict(
            arm.wait(
                f"creating update strategy {name}",
                lambda: arm.client.fleet_update_strategies.begin_create_or_update(
                    rg, fleet_name, name, _model("FleetUpdateStrategy", body)
                ),
            )
        )
        arm.audit(
            "fleet rollout strategy create",
            [{"object": f"fleet/{fleet_name}/updateStrategy/{name}", "action": "create"}],
        )
        output.emit_object(result, "yaml" if output_format == "table" else output_format)
        return
    from akscli.cli.common import apply_objects
    from akscli.fleet.rollout import strategy_objects

    objects = strategy_objects(name, _ns(namespace), specs)
    apply_objects(
        objects,
        stack=f"fleet-strategy-{name}"[:63],
        target=opts.kube_target(kubeconfig, context),
        dry_run=dry_run,
        yes=yes,
        output_format=output_format,
        action="fleet rollout strategy create",
    )


@strategy_app.command("list")
def strategy_list(
    namespace: Annotated[
        str | None,
        typer.Option("-n", "--namespace", help="Hub: namespaced strategies.", show_default=False),
    ] = None,
    fleet: Fleet = None,
    group: Group = None,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.Output = "table",
) -> None:
    """List staged update strategies."""
    fmt = opts.output_format(output_format)
    if fleet:
        from akscli.fleet.arm import as_dict

        fleet_name = _need_fleet(fleet)
        rg = _need_group(group)
        arm = _Arm(subscription, auth, tenant)
        items = arm.call(
            "listing update strategies",
            lambda: [as_dict(s) for s in arm.client.fleet_update_strategies.list_by_fleet(rg, fleet_name)],
        )
        output.emit(
            items,
            fmt,
            [
                Column("name", "name"),
                Column("state", "properties.provisioningState"),
                Column(
                    "stages",
                    lambda s: ",".join(
                        st["name"] for st in (s.get("properties") or {}).get("strategy", {}).get("stages", [])
                    ),
                ),
            ],
        )
        return
    from akscli.fleet import CSUS, PLACEMENT_V1, SUS

    kube = _kube(kubeconfig, context)
    ns = _ns(namespace)
    items = list(kube.list(PLACEMENT_V1, SUS if ns else CSUS, namespace=ns))
    output.emit(
        items,
        fmt,
        [
            Column("name", "metadata.name"),
            Column(
                "stages",
                lambda s: ",".join(st["name"] for st in (s.get("spec") or {}).get("stages", [])),
            ),
        ],
    )


def _stage_specs_for_arm(stage: list[str] | None) -> Any:
    from akscli.fleet.stages import parse_stages

    return parse_stages(stage) if stage else None


@rollout_app.command("create")
def rollout_create(
    name: Annotated[str, typer.Argument(help="Update run name.")],
    placement: Annotated[
        str | None,
        typer.Option(
            "--placement",
            help="Hub: the placement (with an External strategy) to roll out.",
            show_default=False,
        ),
    ] = None,
    strategy: Annotated[
        str | None,
        typer.Option("--strategy", help="Strategy name (hub or ARM).", show_default=False),
    ] = None,
    resource_index: Annotated[
        str | None,
        typer.Option(
            "--resource-index",
            help="Hub: resource snapshot index to roll out (default: latest).",
            show_default=False,
        ),
    ] = None,
    start: Annotated[bool, typer.Option("--start/--no-start", help="Start the run at once.")] = False,
    namespace: Annotated[
        str | None,
        typer.Option("-n", "--namespace", help="Hub: a namespaced StagedUpdateRun.", show_default=False),
    ] = None,
    fleet: Fleet = None,
    group: Group = None,
    upgrade_type: Annotated[
        str, typer.Option("--upgrade-type", help="ARM: Full|ControlPlaneOnly|NodeImageOnly.")
    ] = "Full",
    kubernetes_version: Annotated[
        str | None,
        typer.Option("--kubernetes-version", help="ARM: target Kubernetes version.", show_default=False),
    ] = None,
    node_image_selection: Annotated[
        str, typer.Option("--node-image-selection", help="ARM: Latest|Consistent.")
    ] = "Latest",
    stage: Stage = None,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    dry_run: opts.DryRun = "none",
    yes: opts.Yes = False,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.Output = "table",
) -> None:
    """Create an update run: a Kubernetes/node-image upgrade (--fleet) or a hub workload rollout."""
    if fleet:
        from akscli.fleet.arm import as_dict, check_no_arc_in_run, update_run_body

        fleet_name = _need_fleet(fleet)
        rg = _need_group(group)
        validate.name(name, "update run name")
        arm = _Arm(subscription, auth, tenant)
        strategy_id = None
        strategy_obj: dict[str, Any] | None = None
        if strategy:
            validate.name(strategy, "strategy name")
            strategy_obj = as_dict(
                arm.call(
                    f"reading update strategy {strategy}",
                    lambda: arm.client.fleet_update_strategies.get(rg, fleet_name, strategy),
                )
            )
            strategy_id = str(strategy_obj.get("id"))
        body = update_run_body(
            upgrade_type=upgrade_type,
            kubernetes_version=kubernetes_version,
            node_image=node_image_selection,
            strategy_id=strategy_id,
            stages=_stage_specs_for_arm(stage),
        )
        members = arm.call(
            "listing members",
            lambda: [as_dict(m) for m in arm.client.fleet_members.list_by_fleet(rg, fleet_name)],
        )
        check_no_arc_in_run(members, body, (strategy_obj or {}).get("properties", {}).get("strategy"))
        if dry_run == "client":
            output.emit_object(body, "json" if output_format == "json" else "yaml")
            return
        result = as_dict(
            arm.wait(
                f"creating update run {name}",
                lambda: arm.client.update_runs.begin_create_or_update(rg, fleet_name, name, _model("UpdateRun", body)),
            )
        )
        arm.audit(
            "fleet rollout create",
            [{"object": f"fleet/{fleet_name}/updateRun/{name}", "action": "create"}],
        )
        if start:
            result = as_dict(
                arm.wait(
                    f"starting update run {name}",
                    lambda: arm.client.update_runs.begin_start(rg, fleet_name, name),
                )
            )
        if output_format in ("json", "yaml"):
            output.emit_object(result, output_format)
        else:
            output.write(f"updaterun/{name} created" + (" and started" if start else ""))
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
    apply_objects(
        objects,
        stack=f"fleet-run-{name}"[:63],
        target=opts.kube_target(kubeconfig, context),
        dry_run=dry_run,
        yes=yes,
        output_format=output_format,
        action="fleet rollout create",
    )


def _run_action(
    action: str,
    name: str,
    namespace: str | None,
    fleet: str | None,
    group: str | None,
    subscription: str | None,
    auth: str | None,
    tenant: str | None,
    kubeconfig: str | None,
    context: str | None,
) -> None:
    validate.name(name, "update run name")
    if fleet:
        fleet_name = _need_fleet(fleet)
        rg = _need_group(group)
        arm = _Arm(subscription, auth, tenant)
        start = {
            "start": arm.client.update_runs.begin_start,
            "stop": arm.client.update_runs.begin_stop,
        }[action]
        arm.wait(
            f"{action}ing update run {name}".replace("stoping", "stopping"),
            lambda: start(rg, fleet_name, name),
        )
        arm.audit(
            f"fleet rollout {action}",
            [{"object": f"fleet/{fleet_name}/updateRun/{name}", "action": action}],
        )
    else:
        from akscli.cli.common import record_audit
        from akscli.fleet.rollout import set_run_state

        kube = _kube(kubeconfig, context)
        set_run_state(kube, name, _ns(namespace), action)
        record_audit(
            f"fleet rollout {action}",
            kube,
            [],
            "success",
            objects=[{"object": f"stagedupdaterun/{name}", "action": action}],
        )
    output.write(f"updaterun/{name} {'started' if action == 'start' else 'stopped'}")


@rollout_app.command("start")
def rollout_start(
    name: Annotated[str, typer.Argument(help="Update run name.")],
    namespace: Annotated[
        str | None,
        typer.Option("-n", "--namespace", show_default=False, help="Hub: namespace of a StagedUpdateRun."),
    ] = None,
    fleet: Fleet = None,
    group: Group = None,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
) -> None:
    """Start an update run."""
    _run_action("start", name, namespace, fleet, group, subscription, auth, tenant, kubeconfig, context)


@rollout_app.command("stop")
def rollout_stop(
    name: Annotated[str, typer.Argument(help="Update run name.")],
    namespace: Annotated[
        str | None,
        typer.Option("-n", "--namespace", show_default=False, help="Hub: namespace of a StagedUpdateRun."),
    ] = None,
    fleet: Fleet = None,
    group: Group = None,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
) -> None:
    """Stop an update run (members being updated finish; no new ones start)."""
    _run_action("stop", name, namespace, fleet, group, subscription, auth, tenant, kubeconfig, context)


@rollout_app.command("skip")
def rollout_skip(
    name: Annotated[str, typer.Argument(help="Update run name.")],
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            help="TYPE:NAME to skip: Member, Group, Stage or AfterStageWait (repeatable).",
            show_default=False,
        ),
    ] = None,
    fleet: Fleet = None,
    group: Group = None,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
) -> None:
    """Skip members, groups, stages or waits of an ARM update run."""
    from akscli.fleet.arm import skip_body

    if not fleet:
        raise UsageError(
            "skip applies to ARM update runs (--fleet)",
            hint="hub runs move on through approvals: akscli fleet approve RUN",
        )
    fleet_name = _need_fleet(fleet)
    rg = _need_group(group)
    validate.name(name, "update run name")
    body = skip_body(target or [])
    arm = _Arm(subscription, auth, tenant)
    arm.wait(
        f"skipping in update run {name}",
        lambda: arm.client.update_runs.begin_skip(rg, fleet_name, name, _model("SkipProperties", body)),
    )
    arm.audit("fleet rollout skip", [{"object": f"fleet/{fleet_name}/updateRun/{name}", "action": "skip"}])
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
def rollout_status(
    name: Annotated[str, typer.Argument(help="Update run name.")],
    namespace: Annotated[
        str | None,
        typer.Option("-n", "--namespace", show_default=False, help="Hub: namespace of a StagedUpdateRun."),
    ] = None,
    fleet: Fleet = None,
    group: Group = None,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.Output = "table",
) -> None:
    """The stages of a run, each with its gates and members and their state."""
    fmt = opts.output_format(output_format)
    validate.name(name, "update run name")
    if fleet:
        from akscli.fleet import arm as logic

        fleet_name = _need_fleet(fleet)
        rg = _need_group(group)
        arm = _Arm(subscription, auth, tenant)
        run = logic.as_dict(
            arm.call(
                f"reading update run {name}",
                lambda: arm.client.update_runs.get(rg, fleet_name, name),
            )
        )
        if fmt in ("json", "yaml"):
            output.emit_object(run, fmt)
            return
        if fmt != "name":
            output.write(f"update run {name}: {logic.run_state(run)}")
        output.emit(logic.run_rows(run), fmt, ARM_RUN_COLUMNS, name=lambda r: f"{r['stage']}/{r['member']}")
        return
    from akscli.fleet import rollout

    kube = _kube(kubeconfig, context)
    run = rollout.get_run(kube, name, _ns(namespace))
    if fmt in ("json", "yaml"):
        output.emit_object({"run": rollout.run_summary(run), "stages": rollout.run_rows(run)}, fmt)
        return
    summary = rollout.run_summary(run)
    if fmt != "name":
        output.write(
            f"update run {name}: {summary['state']} (placement {summary['placement']}, "
            f"strategy {summary['strategy']})" + (f": {summary['message']}" if summary["message"] else "")
        )
    output.emit(
        rollout.run_rows(run),
        fmt,
        HUB_RUN_COLUMNS,
        name=lambda r: f"{r['stage']}/{r['member']}",
        empty="the run has no stages yet",
    )


@rollout_app.command("list")
def rollout_list(
    namespace: Annotated[
        str | None,
        typer.Option("-n", "--namespace", show_default=False, help="Hub: namespaced runs."),
    ] = None,
    fleet: Fleet = None,
    group: Group = None,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.Output = "table",
) -> None:
    """List update runs."""
    fmt = opts.output_format(output_format)
    if fleet:
        from akscli.fleet import arm as logic

        fleet_name = _need_fleet(fleet)
        rg = _need_group(group)
        arm = _Arm(subscription, auth, tenant)
        runs = arm.call(
            "listing update runs",
            lambda: [logic.as_dict(r) for r in arm.client.update_runs.list_by_fleet(rg, fleet_name)],
        )
        output.emit(
            runs,
            fmt,
            [
                Column("name", "name"),
                Column("state", logic.run_state),
                Column("upgrade", "properties.managedClusterUpdate.upgrade.type"),
                Column("version", "properties.managedClusterUpdate.upgrade.kubernetesVersion"),
            ],
            name=lambda r: f"updaterun/{r['name']}",
        )
        return
    from akscli.fleet import CSUR, PLACEMENT_V1, SUR, rollout

    kube = _kube(kubeconfig, context)
    ns = _ns(namespace)
    items = list(kube.list(PLACEMENT_V1, SUR if ns else CSUR, namespace=ns))
    if fmt in ("json", "yaml"):
        output.emit(items, fmt, [])
        return
    output.emit(
        [rollout.run_summary(i) for i in items],
        fmt,
        [
            Column("name", "name"),
            Column("placement", "placement"),
            Column("strategy", "strategy"),
            Column("state", "state"),
            Column("message", "message", wide=True),
        ],
        name=lambda r: f"stagedupdaterun/{r['name']}",
    )


@app.command("approve")
def approve(
    run: Annotated[str, typer.Argument(help="Update run whose pending approval to give.")],
    stage: Annotated[
        str | None, typer.Option("--stage", help="Only the gate of this stage.", show_default=False)
    ] = None,
    gate: Annotated[
        str | None,
        typer.Option("--gate", help="ARM: approve this gate by name.", show_default=False),
    ] = None,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="Then wait until the run asks for its next approval or ends."),
    ] = False,
    timeout: opts.Timeout = "30m",
    namespace: Annotated[
        str | None,
        typer.Option("-n", "--namespace", show_default=False, help="Hub: namespace of a StagedUpdateRun."),
    ] = None,
    fleet: Fleet = None,
    group: Group = None,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
) -> None:
    """Approve the pending gate of a run: ARM gates (--fleet) or hub (Cluster)ApprovalRequests."""
    validate.name(run, "update run name")
    if stage is not None:
        validate.name(stage, "stage name")
    seconds = validate.duration(timeout, "--timeout")
    if fleet:
        _approve_arm(run, stage, gate, wait, seconds, fleet, group, subscription, auth, tenant)
        return
    if gate:
        raise UsageError("--gate names ARM gates", hint="add --fleet NAME -g GROUP, or drop --gate")
    from akscli.cli.common import record_audit
    from akscli.fleet import rollout

    ns = _ns(namespace)
    kube = _kube(kubeconfig, context)
    obj = rollout.get_run(kube, run, ns)
    pending = [p for p in rollout.pending_approvals(obj) if stage is None or p.stage == stage]
    if not pending:
        summary = rollout.run_summary(obj)
        raise NotFoundError(
            f"update run {run!r} is waiting for no approval"
            + (f" in stage {stage}" if stage else "")
            + f" (it is {summary['state']})",
            hint=f"see where it stands with: akscli fleet rollout status {run}",
        )
    answered = set()
    for item in pending:
        rollout.approve_request(kube, item.name, ns)
        answered.add(item.name)
        output.write(f"approved {item.name} (stage {item.stage})")
    record_audit(
        "fleet approve",
        kube,
        [],
        "success",
        objects=[{"object": f"approvalrequest/{n}", "action": "approve"} for n in sorted(answered)],
    )
    if wait:
        with output.status(f"waiting for the next gate of {run}") as update:
            outcome, gates = rollout.wait_for_next_gate(
                kube, run, ns, answered, seconds, on_event=lambda s: update(f"run {run}: {s}")
            )
        _report_next(run, outcome, [f"{g.name} (stage {g.stage})" for g in gates])


def _report_next(run: str, outcome: str, gates: list[str]) -> None:
    if outcome == "gate":
        output.write("next: " + ", ".join(gates))
    elif outcome == "done":
        output.write(f"update run {run} completed")
    else:
        raise CheckFailedError(f"update run {run} {outcome}", hint=f"see why with: akscli fleet rollout status {run}")


def _approve_arm(
    run: str,
    stage: str | None,
    gate: str | None,
    wait: bool,
    seconds: float,
    fleet: str,
    group: str | None,
    subscription: str | None,
    auth: str | None,
    tenant: str | None,
) -> None:
    from akscli.fleet import arm as logic

    fleet_name = _need_fleet(fleet)
    rg = _need_group(group)
    arm = _Arm(subscription, auth, tenant)

    def gates() -> list[dict[str, Any]]:
        return arm.call(
            "listing gates",
            lambda: [logic.as_dict(g) for g in arm.client.gates.list_by_fleet(rg, fleet_name)],
        )

    pending = logic.pending_gates(gates(), run, stage)
    if gate:
        pending = [g for g in pending if g.get("name") == gate]
    if not pending:
        raise NotFoundError(
            f"update run {run!r} has no pending gate"
            + (f" {gate}" if gate else "")
            + (f" in stage {stage}" if stage else ""),
            hint=f"see its gates with: akscli fleet rollout status {run} --fleet {fleet_name} -g {rg}",
        )
    answered: set[str] = set()
    completed = _model("GatePatch", {"properties": {"state": "Completed"}})
    for item in pending:
        gate_name = str(item["name"])

        def start(g: str = gate_name) -> Any:
            return arm.client.gates.begin_update(rg, fleet_name, g, completed)

        arm.wait(f"approving gate {gate_name}", start)
        answered.add(gate_name)
        row = logic.gate_row(item)
        output.write(
            f"approved gate {gate_name} ({row['timing']} stage {row['stage']}"
            + (f" group {row['group']}" if row["group"] else "")
            + ")"
        )
    arm.audit(
        "fleet approve",
        [{"object": f"fleet/{fleet_name}/gate/{g}", "action": "approve"} for g in sorted(answered)],
    )
    if wait:
        with output.status(f"waiting for the next gate of {run}"):
            outcome, fresh = logic.wait_for_gate(
                gates,
                lambda: logic.as_dict(
                    arm.call(
                        "reading update run",
                        lambda: arm.client.update_runs.get(rg, fleet_name, run),
                    )
                ),
                run,
                answered,
                seconds,
            )
        _report_next(
            run,
            outcome,
            [f"{g['name']} ({logic.gate_row(g)['timing']} stage {logic.gate_row(g)['stage']})" for g in fresh],
        )


@rollout_app.command("delete")
def rollout_delete(
    name: Annotated[str, typer.Argument(help="Update run name.")],
    namespace: Annotated[
        str | None,
        typer.Option("-n", "--namespace", show_default=False, help="Hub: namespace of a StagedUpdateRun."),
    ] = None,
    fleet: Fleet = None,
    group: Group = None,
    yes: opts.Yes = False,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
) -> None:
    """Delete an update run (ARM with --fleet, else the hub's staged update run)."""
    validate.name(name, "update run name")
    if fleet:
        from akscli.cli.common import confirm

        fleet_name = _need_fleet(fleet)
        rg = _need_group(group)
        confirm(f"delete update run {name} of fleet {fleet_name}", yes)
        arm = _Arm(subscription, auth, tenant)
        arm.wait(f"deleting update run {name}", lambda: arm.client.update_runs.begin_delete(rg, fleet_name, name))
        arm.audit("fleet rollout delete", [{"object": f"fleet/{fleet_name}/updateRun/{name}", "action": "delete"}])
        output.write(f"updaterun/{name} deleted")
        return
    from akscli.cli.common import delete_objects
    from akscli.fleet import CSUR, PLACEMENT_V1, SUR
    from akscli.fleet.rollout import get_run

    ns = _ns(namespace)
    kube = _kube(kubeconfig, context)
    get_run(kube, name, ns)
    delete_objects(kube, [(PLACEMENT_V1, SUR if ns else CSUR, name, ns)], yes=yes, what=f"update run {name}")


@strategy_app.command("delete")
def strategy_delete(
    name: Annotated[str, typer.Argument(help="Strategy name.")],
    namespace: Annotated[
        str | None,
        typer.Option("-n", "--namespace", show_default=False, help="Hub: a namespaced strategy."),
    ] = None,
    fleet: Fleet = None,
    group: Group = None,
    yes: opts.Yes = False,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
) -> None:
    """Delete a staged update strategy."""
    validate.name(name, "strategy name")
    if fleet:
        from akscli.cli.common import confirm

        fleet_name = _need_fleet(fleet)
        rg = _need_group(group)
        confirm(f"delete update strategy {name} of fleet {fleet_name}", yes)
        arm = _Arm(subscription, auth, tenant)
        arm.wait(
            f"deleting update strategy {name}",
            lambda: arm.client.fleet_update_strategies.begin_delete(rg, fleet_name, name),
        )
        arm.audit(
            "fleet rollout strategy delete",
            [{"object": f"fleet/{fleet_name}/updateStrategy/{name}", "action": "delete"}],
        )
        output.write(f"updatestrategy/{name} deleted")
        return
    from akscli.cli.common import delete_objects
    from akscli.fleet import CSUS, PLACEMENT_V1, SUS

    ns = _ns(namespace)
    kube = _kube(kubeconfig, context)
    kind = SUS if ns else CSUS
    if kube.get(PLACEMENT_V1, kind, name, ns) is None:
        raise NotFoundError(
            f"{kind} {name!r} not found", hint="list strategies with: akscli fleet rollout strategy list"
        )
    delete_objects(kube, [(PLACEMENT_V1, kind, name, ns)], yes=yes, what=f"strategy {name}")


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
def gates_list(
    fleet: Fleet = None,
    group: Group = None,
    run: Annotated[str | None, typer.Option("--run", help="Only gates of this update run.", show_default=False)] = None,
    pending: Annotated[bool, typer.Option("--pending", help="Only gates waiting for approval.")] = False,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    output_format: opts.Output = "table",
) -> None:
    """List the approval gates of a fleet's update runs (ARM)."""
    from akscli.fleet import arm as logic

    fmt = opts.output_format(output_format)
    fleet_name = _need_fleet(fleet)
    rg = _need_group(group)
    if run is not None:
        validate.name(run, "--run")
    arm = _Arm(subscription, auth, tenant)
    gates = arm.call(
        "listing gates", lambda: [logic.as_dict(g) for g in arm.client.gates.list_by_fleet(rg, fleet_name)]
    )
    chosen = [
        g
        for g in gates
        if logic.gate_matches(g, run, None) and (not pending or (g.get("properties") or {}).get("state") == "Pending")
    ]
    if fmt in ("json", "yaml"):
        output.emit(chosen, fmt, [])
        return
    output.emit([logic.gate_row(g) for g in chosen], fmt, GATE_COLUMNS, name=lambda r: f"gate/{r['name']}")


AUTO_CHANNELS = ("Stable", "Rapid", "NodeImage", "TargetKubernetesVersion")
autoupgrade_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
    help="Auto-upgrade profiles: upgrade runs generated on a release channel (ARM).",
)
app.add_typer(autoupgrade_app, name="autoupgrade")


@autoupgrade_app.command("create")
def autoupgrade_create(
    name: Annotated[str, typer.Argument(help="Profile name.")],
    channel: Annotated[str, typer.Option("--channel", help="Stable|Rapid|NodeImage|TargetKubernetesVersion.")],
    fleet: Fleet = None,
    group: Group = None,
    strategy: Annotated[
        str | None, typer.Option("--strategy", help="Update strategy the generated runs use.", show_default=False)
    ] = None,
    target_version: Annotated[
        str | None,
        typer.Option(
            "--target-kubernetes-version",
            help="MAJOR.MINOR for the TargetKubernetesVersion channel.",
            show_default=False,
        ),
    ] = None,
    node_image_selection: Annotated[str, typer.Option("--node-image-selection", help="Latest|Consistent.")] = "Latest",
    disabled: Annotated[bool, typer.Option("--disabled", help="Create it switched off.")] = False,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Create an auto-upgrade profile; Arc-enabled members are refused as for upgrade runs."""
    import re

    from akscli.fleet import arm as logic

    fleet_name = _need_fleet(fleet)
    rg = _need_group(group)
    validate.name(name, "profile name")
    chosen = validate.choice(channel, AUTO_CHANNELS, "--channel")
    props: dict[str, Any] = {
        "channel": chosen,
        "disabled": disabled,
        "nodeImageSelection": {
            "type": validate.choice(node_image_selection, logic.NODE_IMAGE_SELECTIONS, "--node-image-selection")
        },
    }
    if chosen == "TargetKubernetesVersion":
        if not target_version or not re.fullmatch(r"\d+\.\d+", target_version):
            raise UsageError(
                "the TargetKubernetesVersion channel needs --target-kubernetes-version MAJOR.MINOR",
                hint="for example --target-kubernetes-version 1.33",
            )
        props["targetKubernetesVersion"] = target_version
    elif target_version:
        raise UsageError(
            "--target-kubernetes-version needs --channel TargetKubernetesVersion", hint="drop it, or change the channel"
        )
    arm = _Arm(subscription, auth, tenant)
    strategy_obj: dict[str, Any] | None = None
    if strategy:
        validate.name(strategy, "strategy name")
        strategy_obj = logic.as_dict(
            arm.call(
                f"reading update strategy {strategy}",
                lambda: arm.client.fleet_update_strategies.get(rg, fleet_name, strategy),
            )
        )
        props["updateStrategyId"] = strategy_obj.get("id")
    members = arm.call(
        "listing members", lambda: [logic.as_dict(m) for m in arm.client.fleet_members.list_by_fleet(rg, fleet_name)]
    )
    body = {"properties": props}
    logic.check_no_arc_in_run(members, body, (strategy_obj or {}).get("properties", {}).get("strategy"))
    result = logic.as_dict(
        arm.wait(
            f"creating auto-upgrade profile {name}",
            lambda: arm.client.auto_upgrade_profiles.begin_create_or_update(
                rg, fleet_name, name, _model("AutoUpgradeProfile", body)
            ),
        )
    )
    arm.audit(
        "fleet autoupgrade create", [{"object": f"fleet/{fleet_name}/autoUpgradeProfile/{name}", "action": "create"}]
    )
    output.emit_object(result, "yaml" if output_format == "table" else output_format)


@autoupgrade_app.command("list")
def autoupgrade_list(
    fleet: Fleet = None,
    group: Group = None,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
    output_format: opts.Output = "table",
) -> None:
    """List auto-upgrade profiles."""
    from akscli.fleet import arm as logic

    fmt = opts.output_format(output_format)
    fleet_name = _need_fleet(fleet)
    rg = _need_group(group)
    arm = _Arm(subscription, auth, tenant)
    items = arm.call(
        "listing auto-upgrade profiles",
        lambda: [logic.as_dict(p) for p in arm.client.auto_upgrade_profiles.list_by_fleet(rg, fleet_name)],
    )
    output.emit(
        items,
        fmt,
        [
            Column("name", "name"),
            Column("channel", "properties.channel"),
            Column("disabled", lambda p: "yes" if (p.get("properties") or {}).get("disabled") else "no"),
            Column(
                "strategy", lambda p: str((p.get("properties") or {}).get("updateStrategyId") or "").rsplit("/", 1)[-1]
            ),
            Column("state", "properties.provisioningState"),
        ],
        name=lambda p: f"autoupgradeprofile/{p.get('name')}",
    )


@autoupgrade_app.command("delete")
def autoupgrade_delete(
    name: Annotated[str, typer.Argument(help="Profile name.")],
    fleet: Fleet = None,
    group: Group = None,
    yes: opts.Yes = False,
    subscription: Subscription = None,
    auth: Auth = None,
    tenant: Tenant = None,
) -> None:
    """Delete an auto-upgrade profile."""
    from akscli.cli.common import confirm

    fleet_name = _need_fleet(fleet)
    rg = _need_group(group)
    validate.name(name, "profile name")
    confirm(f"delete auto-upgrade profile {name} of fleet {fleet_name}", yes)
    arm = _Arm(subscription, auth, tenant)
    arm.wait(
        f"deleting auto-upgrade profile {name}",
        lambda: arm.client.auto_upgrade_profiles.begin_delete(rg, fleet_name, name),
    )
    arm.audit(
        "fleet autoupgrade delete", [{"object": f"fleet/{fleet_name}/autoUpgradeProfile/{name}", "action": "delete"}]
    )
    output.write(f"autoupgradeprofile/{name} deleted")
