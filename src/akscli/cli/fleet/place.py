"""``akscli fleet place`` and ``akscli fleet placement``: hub placements and their status."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import output, validate
from akscli.cli import delete_many, flag_types
from akscli.cli import options as opts
from akscli.cli.diff_status import ExitCode, with_exit_code
from akscli.cli.fleet.common import (
    HubPlacementName,
    PlacementName,
    PlacementNamespace,
    checked_namespace,
    group_app,
    on_hub,
    opt,
)
from akscli.errors import NotFoundError
from akscli.fleet import CLUSTER_V1, CRP, MEMBER, PLACEMENT_V1, RP
from akscli.output import Column

if TYPE_CHECKING:
    from akscli.fleet.placement import PlacementRequest
    from akscli.kube.client import Kube


placement_app = group_app("Placements on the hub: status per member, which, list, delete.")

# ---- placement (hub) --------------------------------------------------------------------------


@with_exit_code
@on_hub
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
        opt(
            "--select",
            help="What to place: KIND/NAME, KIND:SELECTOR or Kind.version.group/NAME "
            "(repeatable), e.g. namespace/team-a.",
        ),
    ] = None,
    namespace_only: Annotated[
        bool, typer.Option("--namespace-only", help="Place selected namespaces without their contents.")
    ] = False,
    pick_all: Annotated[bool, typer.Option("--pick-all", help="Every matching member (the default).")] = False,
    pick_n: Annotated[int | None, opt("--pick-n", help="The N best matching members.")] = None,
    pick_fixed: Annotated[str | None, opt("--pick-fixed", help="Exactly these members: CLUSTER,CLUSTER.")] = None,
    require_labels: Annotated[
        list[str] | None, opt("--require-labels", help="Member label selector that must match, e.g. 'env in (prod)'.")
    ] = None,
    require_property: Annotated[
        list[str] | None,
        opt("--require-property", help="Cluster property requirement NAME>=VALUE (also <=,>,<,==,!=)."),
    ] = None,
    gpu_size: Annotated[
        list[str] | None,
        opt("--gpu-size", help="Members with nodes of this VM size: SIZE[=COUNT], e.g. Standard_NC24ads_A100_v4=2."),
    ] = None,
    prefer_labels: Annotated[
        list[str] | None, opt("--prefer-labels", help="Preferred members: SELECTOR[@WEIGHT] (with --pick-n).")
    ] = None,
    sort_by: Annotated[
        list[str] | None,
        opt("--sort-by", help="Rank members by a property: NAME[:asc|desc][:WEIGHT] (with --pick-n)."),
    ] = None,
    tolerate: Annotated[list[str] | None, opt("--tolerate", help="Tolerate a member taint: KEY[=VALUE].")] = None,
    spread: Annotated[
        list[str] | None,
        opt("--spread", help="Topology spread: KEY[:MAXSKEW][:DoNotSchedule|ScheduleAnyway] (with --pick-n)."),
    ] = None,
    max_unavailable: Annotated[
        str | None, opt("--max-unavailable", help="Rolling update: members unavailable at once (N or P%).")
    ] = None,
    max_surge: Annotated[
        str | None, opt("--max-surge", help="Rolling update: extra members during a rollout (N or P%).")
    ] = None,
    unavailable_period: Annotated[
        int | None, opt("--unavailable-period", help="Rolling update: seconds to wait before judging availability.")
    ] = None,
    external: Annotated[
        bool, typer.Option("--external", help="Roll out only through staged update runs (fleet rollout create).")
    ] = False,
    apply_strategy: Annotated[
        str | None,
        opt(
            "--apply-strategy",
            help="How members take the objects: ClientSideApply (KubeFleet's default), ServerSideApply, or "
            "ReportDiff (apply nothing; each member reports what differs: fleet placement status).",
        ),
    ] = None,
    comparison_option: Annotated[
        str | None,
        opt(
            "--comparison-option",
            help="How a member's object is compared with the hub's: PartialComparison (the default: only the "
            "fields the hub's manifest sets) or FullComparison (every field).",
        ),
    ] = None,
    when_to_apply: Annotated[
        str | None,
        opt(
            "--when-to-apply",
            help="Always (the default: changes made on a member are overwritten) or IfNotDrifted (a member whose "
            "object was changed there is not applied to; the drift is reported).",
        ),
    ] = None,
    when_to_take_over: Annotated[
        str | None,
        opt(
            "--when-to-take-over",
            help="An object a member already has: Always (the default: overwrite it), IfNoDiff (only when it "
            "matches the hub's) or Never (leave it; the member fails to apply).",
        ),
    ] = None,
    allow_co_ownership: Annotated[
        bool,
        typer.Option(
            "--allow-co-ownership",
            help="Let members take over and apply objects another owner holds there (KubeFleet's default: "
            "such an object fails to be taken over).",
        ),
    ] = False,
    server_side_apply_force: Annotated[
        bool,
        typer.Option(
            "--server-side-apply-force",
            help="With --apply-strategy ServerSideApply: members force their apply over fields another field "
            "manager owns, taking them over (KubeFleet's default: the apply fails on the conflict).",
        ),
    ] = False,
    override: Annotated[
        list[str] | None,
        opt(
            "--override",
            help="Per-cluster override: SELECTOR@PATH=JSON, SELECTOR@-PATH or SELECTOR@delete; "
            "kubernetes-fleet.io/member-name=NAME selects one member.",
        ),
    ] = None,
    override_target: Annotated[
        str | None, opt("--override-target", help="Override one namespaced object: NAMESPACE/KIND/NAME.")
    ] = None,
    recreate: Annotated[
        bool,
        typer.Option(
            "--recreate",
            help="Delete and create the placement when the hub refuses the change in place (placement type, "
            "External back to rolling, a removed toleration); its resources leave the members meanwhile.",
        ),
    ] = False,
    dry_run: flag_types.DryRun = "none",
    wait: flag_types.Wait = False,
    timeout: flag_types.Timeout = "10m",
    yes: flag_types.Yes = False,
    force_conflicts: flag_types.ForceConflicts = False,
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: flag_types.ApplyOutput = "table",
    exit_code: ExitCode = False,
) -> None:
    """Place hub resources onto member clusters (ClusterResourcePlacement or ResourcePlacement)."""
    from akscli.cli.common import apply_objects, carried_deletions, check_policy, recreate_if_needed
    from akscli.cli.diff_status import check_exit_code, found, would_change
    from akscli.fleet import CRP, RP, place_wait
    from akscli.fleet.placement import PlacementRequest, applied_last, build, fixed_members

    request = PlacementRequest(
        name=name,
        namespace=checked_namespace(namespace),
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
        apply_strategy=apply_strategy,
        comparison_option=comparison_option,
        when_to_apply=when_to_apply,
        when_to_take_over=when_to_take_over,
        allow_co_ownership=allow_co_ownership,
        server_side_apply_force=server_side_apply_force,
        overrides=override or [],
        override_target=override_target,
    )
    objects = build(request)
    stack = f"fleet-{name}"[:63]
    mode = opts.dry_run_mode(dry_run)
    check_exit_code(exit_code, mode)
    # The policy first, as model deploy checks it (cli/model_rollout.py): a refusal met after
    # --recreate deleted the placement would leave its resources gone from the members.
    allowed = check_policy(objects, hub.target().namespace)
    kube = hub.connect() if mode != "client" else None
    last = applied_last(objects, None)
    with carried_deletions("fleet place", kube) as carried:
        if kube is not None:
            from akscli.fleet.matching import check_placements

            check_placements(kube, objects)
            recreate_if_needed(
                kube,
                objects,
                recreate=recreate,
                mode=mode,
                yes=yes,
                down="its resources are removed from the members until it is placed again",
                carried=carried,
                stack=stack,
            )
            # after a --recreate's deletion: what is on the hub now
            existing = kube.get(PLACEMENT_V1, RP if request.namespace else CRP, name, request.namespace)
            last = applied_last(objects, existing)
        if wait and external:
            output.warn(
                "an External placement becomes available through a staged update run; "
                "not waiting (use: akscli fleet rollout create)"
            )
            wait = False
        if wait and mode == "none" and kube is not None and request.max_unavailable is not None:
            _warn_if_paced_past(kube, objects, request, request.max_unavailable, timeout)
        outcome = apply_objects(
            objects,
            stack=stack,
            target=hub.target(),
            dry_run=dry_run,
            wait=wait,
            timeout=timeout,
            yes=yes,
            output_format=output_format,
            force_conflicts=force_conflicts,
            action="fleet place",
            prior=carried,
            policy_allowed=allowed,
            last=last,
            # Overrides rolled out, a failed diff report with its reasons (fleet/place_wait.py).
            wait_rule=place_wait.rule_for(objects),
        )
    found(exit_code and would_change(outcome.changes))


def _warn_if_paced_past(
    kube: "Kube", objects: list[dict[str, Any]], request: "PlacementRequest", max_unavailable: str, timeout: str
) -> None:
    """Before an update of a placement already on members: warn when KubeFleet's pacing (fleet/pacing.py)
    cannot fit in --timeout, naming the --timeout that would, or never ends. The members it goes to
    are those the new policy matches (a change of policy in this command counts)."""
    from akscli.fleet import CRP, RP, pacing, pacing_change

    kind = RP if request.namespace else CRP
    existing = kube.get(PLACEMENT_V1, kind, request.name, request.namespace)
    if existing is None or not pacing.placed_members(existing):
        return  # a first placement binds every member at once
    placement = next(o for o in objects if o.get("kind") == kind)
    policy = (placement.get("spec") or {}).get("policy") or {}
    members = list(kube.list(CLUSTER_V1, MEMBER))
    change = pacing.change_for(existing, policy, members)
    change = pacing_change.what_changes(kube, change, existing, objects, members)  # of the members it stays on
    seconds = validate.duration(timeout, "--timeout")
    line = pacing.timeout_warning(change, max_unavailable, request.max_surge, request.unavailable_period, seconds)
    if line:
        output.warn(line)


CLUSTER_STATUS_COLUMNS = [
    Column("cluster", "cluster"),
    Column("state", "state"),
    # The snapshot the member's conditions are about (observedResourceIndex); in the table too under
    # External, where members differ while an update run is part way (placement_status.snapshots_in_use).
    Column("snapshot", "snapshot", wide=True),
    Column("scheduled", "conditions.Scheduled", wide=True),
    Column("rollout", "conditions.RolloutStarted", wide=True),
    Column("overridden", "conditions.Overridden", wide=True),
    Column("synced", "conditions.WorkSynchronized", wide=True),
    Column("applied", "conditions.Applied", wide=True),
    Column("available", "conditions.Available", wide=True),
    Column("message", lambda r: r["message"] or ""),
    Column("failed", lambda r: "; ".join(r["failed"])),
    Column("drifted", lambda r: "; ".join(r["drifted"]), wide=True),
    # What kept an object from being taken over (--when-to-take-over IfNoDiff: the member's diffedPlacements).
    Column("diffed", lambda r: "; ".join(r["diffed"]), wide=True),
]
# ReportDiff placements apply nothing: their rows end at DiffReported and list what differs.
DIFF_STATUS_COLUMNS = [
    *[c for c in CLUSTER_STATUS_COLUMNS if c.header not in ("applied", "available", "diffed")],
    Column("reported", "conditions.DiffReported", wide=True),
    Column("diffed", lambda r: "; ".join(r["diffed"])),
]


@placement_app.command("status")
@on_hub
def placement_status(
    name: HubPlacementName,
    namespace: PlacementNamespace = None,
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.Output = "table",
) -> None:
    """Per member: its conditions, Scheduled to Available; the first failing message, failed and drifted objects."""
    from akscli.fleet import eligibility, member_leave, placement, placement_status

    fmt = opts.output_format(output_format)
    ns = checked_namespace(namespace)
    validate.subdomain(name, "placement name")  # as fleet place checks it, before the hub is read
    kube = hub.connect()
    obj = placement.get_placement(kube, name, ns)
    summary = placement_status.placement_summary(obj)
    rows = [s.as_dict() for s in placement_status.cluster_statuses(obj)]
    # Members the scheduler no longer counts as eligible (say, the member agent stopped): their rows
    # are what they last reported. A member being deleted is leaving: what its leave waits for.
    members = eligibility.members_named(kube, [str(r["cluster"]) for r in rows])
    summary["notEligible"] = eligibility.ineligible_of(members)
    summary["leaving"] = member_leave.leaving(members)
    if output.structured(fmt):
        output.emit_object({"placement": summary, "clusters": rows}, fmt, rows=rows)
        return
    if fmt in ("table", "wide"):
        output.write("\n".join(placement_status.describe(summary)))
    columns = DIFF_STATUS_COLUMNS if summary["done"] == "DiffReported" else CLUSTER_STATUS_COLUMNS
    # In the table too: the snapshot under External, the drifts when a member has any (a member
    # Available under FullComparison can still list them; placement_status.placement_summary).
    shown = {"snapshot"} if summary["strategy"] == "External" else set()
    shown |= {"drifted"} if summary["drifted"] else set()
    columns = [Column(c.header, c.get) if c.header in shown else c for c in columns]
    output.emit(
        rows,
        fmt,
        columns,
        name=lambda r: output.kind_ref(CLUSTER_V1, MEMBER, r["cluster"]),
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
    # The resource snapshots its members observe, newest first: more than one while an update run is
    # part way, when "available" counts members on older snapshots too (placement_status.snapshots_in_use).
    Column("snapshots", lambda s: ",".join(s["snapshots"]), wide=True),
    Column("message", "message", wide=True),
]


@placement_app.command("list")
@on_hub
def placement_list(
    namespace: Annotated[
        str | None,
        opts.namespace_option(
            "List ResourcePlacements in this namespace (default: ClusterResourcePlacements; -A: both)."
        ),
    ] = None,
    all_namespaces: flag_types.AllNamespaces = False,
    selector: flag_types.Selector = None,
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.Output = "table",
) -> None:
    """List placements with how many members are available."""
    from akscli.fleet import placement, placement_status

    fmt = opts.output_format(output_format)
    ns = checked_namespace(namespace)
    chosen = opts.label_selector(selector)
    # Page by page into the output layer: json/yaml/name hold text, a table its rows (output.emit).
    items = placement.list_placements(hub.connect(), ns, all_namespaces, chosen)
    if output.structured(fmt):
        output.emit(items, fmt, [])
        return
    # -A: the NAMESPACE column first, empty for a ClusterResourcePlacement (kubectl get -A of
    # a mixed list leaves it empty for cluster-scoped objects)
    rest = [c for c in PLACEMENT_COLUMNS if c.header != "namespace"]
    columns = [Column("namespace", lambda s: s["namespace"] or ""), *rest] if all_namespaces else rest
    output.emit(
        (placement_status.placement_summary(i) for i in items),
        fmt,
        columns,
        name=lambda s: output.kind_ref(PLACEMENT_V1, str(s["kind"]), s["name"]),
        empty=output.no_resources(None if all_namespaces else ns),
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
@on_hub
def placement_which(
    obj: Annotated[
        str, typer.Argument(metavar="KIND/NAME", help="The object, e.g. deployment/web or namespace/team-a.")
    ],
    namespace: Annotated[str | None, opts.namespace_option("Namespace of a namespaced object.")] = None,
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.Output = "table",
) -> None:
    """Which placement put this object on which member, and how it fares there."""
    from akscli.fleet import placement_which

    fmt = opts.output_format(output_format)
    ref = placement_which.parse_object_ref(obj, checked_namespace(namespace))
    rows = placement_which.which(hub.connect(), ref)
    if not rows:
        raise NotFoundError(
            f"no placement has put {obj} on a member cluster",
            hint="placements select objects with --select; see: akscli fleet placement list",
        )
    output.emit(rows, fmt, WHICH_COLUMNS, name=lambda r: output.kind_ref(PLACEMENT_V1, str(r["kind"]), r["placement"]))


if TYPE_CHECKING:
    HubPlacementNames = list[str] | None
else:
    HubPlacementNames = delete_many.names_argument(HubPlacementName)


@placement_app.command("delete")
@on_hub
@flag_types.on_delete(selects=True)
def placement_delete(
    names: HubPlacementNames = None,
    namespace: PlacementNamespace = None,
    selector: flag_types.Selector = None,
    all_: delete_many.AllPlacements = False,
    all_namespaces: delete_many.AllNamespaces = False,
    delete: opts.DeleteFlags = opts.DeleteFlags(),
    hub: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """Delete placements (NAME..., -l or --all: their resources leave the members) and the
    overrides akscli made for each; -A: both kinds, as placement list -A lists them."""
    from akscli.fleet.placement import delete_refs, list_placements

    ns = checked_namespace(namespace, "names")
    selector_ = delete_many.check_choice(names or [], selector, all_, "placement name", validate.subdomain)
    kube = hub.connect()
    delete_many.delete_chosen(
        kube,
        (PLACEMENT_V1, RP if ns else CRP, ns),
        names or [],
        selector_,
        lambda name, where, listed: delete_refs(kube, name, where, read=listed is None),
        delete,
        action="fleet placement delete",
        wait=delete.wait_seconds("5m"),
        all_namespaces=all_namespaces,
        listing=lambda chosen: list_placements(kube, ns, all_namespaces, chosen),
    )
