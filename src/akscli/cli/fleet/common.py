"""What every ``akscli fleet`` module shares: the ARM and hub flag blocks, option types, audit
and the small helpers. Commands that take ``--fleet`` talk to ARM; the others talk to the hub."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import errors, output, validate
from akscli import fleet as kubefleet
from akscli.azure import kinds
from akscli.cli import azopts, complete_arm, completers, flag_types
from akscli.cli import options as opts
from akscli.errors import UsageError
from akscli.resource_type import ResourceType

if TYPE_CHECKING:
    from akscli.fleet.armclient import Child, FleetArm, FleetScope
    from akscli.kube.client import Kube


def opt(*decls: str, help: str) -> Any:
    """An option whose default is not shown in --help (most are None or empty)."""
    return typer.Option(*decls, help=help, show_default=False)


def group_app(help_text: str) -> typer.Typer:
    return typer.Typer(no_args_is_help=True, rich_markup_mode=None, add_completion=False, help=help_text)


# ---- options ----------------------------------------------------------------------------------

Group = azopts.ResourceGroup
Fleet = Annotated[
    str | None,
    typer.Option(
        "--fleet",
        help="Fleet name: act through ARM on this fleet.",
        show_default=False,
        autocompletion=complete_arm.arm_fleets,
    ),
]
Stage = Annotated[
    list[str] | None,
    opt(
        "--stage",
        help="A stage: NAME[;labels=SEL][;groups=G1,G2][;sort=KEY][;max=N|P%][;before=approval]"
        "[;after=approval|wait:DUR]. Repeat in order.",
    ),
]


# A NAME of something that exists also takes kubectl's TYPE/NAME (options.type_name): the line the
# group's list prints with -o name (an ARM resource's kind/NAME: azure.kinds), and on the hub every
# TYPE kubectl takes for the KubeFleet resource (akscli.fleet's ResourceTypes). Whether the TYPE fits
# --fleet and -n is checked with them (staged_name, checked_namespace). A NAME the command creates
# takes no TYPE (New...).
def _typed(kind: str, what: str, listing: str, *resources: ResourceType, also: tuple[str, ...] = ()) -> Any:
    return opts.type_name(kind, what, listing, also=also, resources=resources)


def _name(help_text: str, callback: Any, autocompletion: Any = None) -> Any:
    if autocompletion is None:
        return Annotated[str, typer.Argument(help=help_text, callback=callback)]
    return Annotated[str, typer.Argument(help=help_text, callback=callback, autocompletion=autocompletion)]


NewFleetName = Annotated[str, typer.Argument(help="Fleet name.")]
FleetName = _name(
    "Fleet name; fleet/NAME as -o name prints it also works.",
    _typed(kinds.FLEET, "fleet name", "akscli fleet list"),
    complete_arm.arm_fleets,
)
NewRunName = Annotated[str, typer.Argument(help="Update run name.")]
NewStrategyName = Annotated[str, typer.Argument(help="Strategy name.")]
# An update run (hub or ARM): updaterun/NAME as the ARM list names it, or the hub's run as kubectl names it.
run_name = _typed(
    kinds.UPDATE_RUN, "update run name", "akscli fleet rollout list", kubefleet.CLUSTER_RUNS, kubefleet.RUNS
)
_RUN_HELP = "Update run name; its line from rollout list -o name also works."
RunName = _name(_RUN_HELP, run_name)
# A run or strategy the command reads, changes or deletes completes from the hub (completers.hub_runs,
# completers.hub_strategies; nothing with --fleet); one it creates completes nothing.
HubRunName = _name(_RUN_HELP, run_name, completers.hub_runs)
HubStrategyName = _name(
    "Strategy name; its line from rollout strategy list -o name also works.",
    _typed(
        kinds.STRATEGY,
        "strategy name",
        "akscli fleet rollout strategy list",
        kubefleet.CLUSTER_STRATEGIES,
        kubefleet.STRATEGIES,
    ),
    completers.hub_strategies,
)
# The NAME... of rollout delete and rollout strategy delete (delete_staged).
STAGED_DELETE_NOTE = "With --fleet one NAME: an ARM DELETE names one resource."
# fleet place creates or updates: an update names an existing placement, so it completes them too.
PlacementName = Annotated[str, typer.Argument(help="Placement name.", autocompletion=completers.hub_placements)]
# A placement the command reads or deletes completes from the hub (completers.hub_placements).
HubPlacementName = _name(
    "Placement name; its line from placement list -o name also works.",
    _typed(
        kubefleet.CLUSTER_PLACEMENTS.singular + "." + kubefleet.PLACEMENT_GROUP,
        "placement name",
        "akscli fleet placement list",
        kubefleet.CLUSTER_PLACEMENTS,
        kubefleet.PLACEMENTS,
    ),
    completers.hub_placements,
)
# A member on the hub: its MemberCluster, or member/NAME as member list prints it (Fleet Manager
# names a member's MemberCluster after the member).
HubMemberName = _name(
    "Member cluster name on the hub; member/NAME or membercluster/NAME also works.",
    _typed(kinds.MEMBER, "member name", "akscli fleet member list", kubefleet.MEMBER_CLUSTERS),
)
MemberName = _name(
    "Member name; member/NAME as -o name prints it also works.",
    _typed(kinds.MEMBER, "member name", "akscli fleet member list"),
)
NewProfileName = Annotated[str, typer.Argument(help="Profile name.")]
ProfileName = _name(
    "Profile name; autoupgradeprofile/NAME as -o name prints it also works.",
    _typed(kinds.PROFILE, "profile name", "akscli fleet autoupgrade list"),
)
RunNamespace = Annotated[str | None, opts.namespace_option("Hub: namespace of a StagedUpdateRun.")]
PlacementNamespace = Annotated[str | None, opts.namespace_option("Namespace of a ResourcePlacement.")]
StrategyOption = Annotated[str | None, opt("--strategy", help="Strategy name (hub or ARM).")]
# --timeout of a command with a hub path and an ARM one: the ARM wait's (azopts.Timeout's meaning
# and default); the hub's change waits for no operation, so there it is refused (arm_timeout).
ArmTimeout = Annotated[
    str | None,
    opts.timeout_option(
        "--fleet: how long to wait for Azure's operation (default 60m); past it akscli stops waiting "
        "(exit 5) and the operation continues in Azure."
    ),
]

# --timeout of `rollout create`: on the hub it bounds the wait for the placement to be scheduled
# before the run is created (fleet.rollout.SCHEDULE_TIMEOUT, 5m, when not given); a run created
# before fails for good (kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/initialization.go).
RunCreateTimeout = Annotated[
    str | None,
    opts.timeout_option(
        "--fleet: how long to wait for Azure's operation (default 60m); past it akscli stops waiting "
        "(exit 5) and the operation continues in Azure. Hub: how long to wait for the placement to be "
        "scheduled before the run is created (default 5m); past it exit 5, nothing created."
    ),
]

# --wait/--no-wait and --timeout of `rollout delete` and `rollout strategy delete`, whose object is
# a hub object or, with --fleet, an ARM child of the fleet: each path has its own default, as
# `nodepool delete`'s --timeout (azopts.PoolDeleteTimeout). The hub's is kubectl delete's
# (flag_types.DeleteWait, DeleteTimeout); the ARM one's is every ARM write's (azopts.NoWait, Timeout).
HUB_DELETE_TIMEOUT_DEFAULT = "5m"
StagedDeleteWait = Annotated[
    bool,
    typer.Option(
        "--wait/--no-wait",
        help="Wait until it is gone (the default): on the hub, finalizers included, as kubectl delete; with "
        "--fleet, until Azure's operation ends. Or return once the API server accepted the delete (with "
        "--fleet: once Azure accepted it, saying how to check on it).",
    ),
]
StagedDeleteTimeout = Annotated[
    str | None,
    opts.timeout_option(
        "How long --wait waits: on the hub for the object to be gone (default 5m); with --fleet for Azure's "
        "operation (default 60m; past it akscli stops waiting, exit 5, and the operation continues in Azure). "
        "0 waits a week (kubectl's 0s)."
    ),
]

# ---- connections, audit -----------------------------------------------------------------------


@dataclass(frozen=True)
class ArmFlags:
    """--fleet, -g and the Azure flags: the fleet a command acts on through ARM."""

    fleet: str | None = None
    group: str | None = None
    azure: azopts.AzureFlags = field(default_factory=azopts.AzureFlags)

    def __post_init__(self) -> None:
        # --fleet and -g are checked as the command starts, on its hub path too, before the hub is read.
        from akscli.azure import names
        from akscli.fleet.arm import fleet_name

        if self.fleet is not None:
            fleet_name(self.fleet)
        if self.group:
            names.resource_group(self.group)

    def client(self, timeout: str | None = None) -> "FleetArm":
        """``timeout``: the command's --timeout, the deadline of every ARM wait it makes
        (azopts.deadline, as the AKS commands'); None for a command that only reads."""
        from akscli.fleet.armclient import FleetArm

        deadline = azopts.deadline(timeout) if timeout is not None else None
        return FleetArm(self.azure.target(), spinner=output.status, deadline=deadline)

    def named(self, name: str, timeout: str | None = None) -> "FleetScope":
        """The fleet named by a command's argument (fleet create, show, credentials, delete)."""
        from akscli.fleet.arm import fleet_name
        from akscli.fleet.armclient import FleetScope

        fleet_name(name)
        group = azopts.resource_group(self.group)
        return FleetScope(self.client(timeout), group, name)

    def scope(self, timeout: str | None = None) -> "FleetScope":
        """The fleet named by ``--fleet`` (the commands on members, runs, strategies and gates)."""
        if not self.fleet:
            raise UsageError("this command acts on a fleet through ARM", hint="add --fleet NAME -g GROUP")
        return self.named(self.fleet, timeout)


def arm_flags(
    fleet: str | None = None,
    group: str | None = None,
    subscription: str | None = None,
    auth: str | None = None,
    tenant: str | None = None,
) -> ArmFlags:
    if fleet is not None:
        refuse_hub_flags_on_arm()
    return ArmFlags(fleet, group, azopts.AzureFlags(subscription, auth, tenant))


# The hub flags of a command with a hub path and an ARM one (@on_hub's block), by parameter name.
_HUB_FLAGS = {"kubeconfig": "--kubeconfig", "kube_context": "--context", "request_timeout": "--request-timeout"}


def refuse_hub_flags_on_arm() -> None:
    """With --fleet a command acts through ARM and reaches no Kubernetes cluster, so --context,
    --kubeconfig and --request-timeout given with it are refused as the command starts, before
    anything is read or sent, not ignored. It is raised as click's own unknown-option error, so
    the one refusal of a connection flag a command cannot use says it, with the line without the
    flag as the hint (cli/name_flag.py no_kubeconfig, from main.py's loop)."""
    from typer._click.exceptions import NoSuchOption
    from typer._click.globals import get_current_context

    ctx = get_current_context(silent=True)
    if ctx is None:
        return
    for name, flag in _HUB_FLAGS.items():
        if ctx.params.get(name) is not None:
            raise NoSuchOption(flag, ctx=ctx)


# Decorators: `@on_fleet` puts --fleet, -g, --subscription, --auth and --tenant in place of the
# command's `arm: ArmFlags` parameter; `@on_group` the same but --fleet (the commands that take
# the fleet's name as their argument); `@on_hub` puts --kubeconfig, --context and --request-timeout in place
# of its `hub: KubeFlags` parameter.
on_fleet = opts.flag_block({"fleet": Fleet, "group": Group, **azopts.AZURE_OPTIONS}, "arm", arm_flags)
on_group = opts.flag_block({"group": Group, **azopts.AZURE_OPTIONS}, "arm", arm_flags)
on_hub = flag_types.on_kube(into="hub")
# `@on_arm_delete` puts a fleet child's delete flags in place of its `delete: DeleteFlags`
# parameter, -y before the Azure flags (`fleet delete`, `fleet member remove`, `fleet autoupgrade
# delete`); `@on_staged_delete` those of `rollout delete` and `rollout strategy delete`.
on_arm_delete = flag_types.on_delete(
    ("yes", "dry_run", "output_", "ignore_not_found", "timeout", "no_wait"),
    wait=("no_wait", azopts.NoWait, False),
    timeout=(azopts.Timeout, azopts.ARM_TIMEOUT_DEFAULT),
    before={"yes": "arm"},
)
on_staged_delete = flag_types.on_delete(
    wait=("wait", StagedDeleteWait, True),
    timeout=(StagedDeleteTimeout, None),
    before={"yes": "arm"},
    selects=True,
)


def arm_timeout(arm: ArmFlags, timeout: str | None) -> str:
    """ArmTimeout: the value for the ARM wait (azopts.ARM_TIMEOUT_DEFAULT when not given); given
    without --fleet, a usage error (the hub path has no operation to wait for)."""
    if not arm.fleet and timeout is not None:
        raise UsageError(
            "--timeout bounds the wait for Azure's operation (--fleet); the hub's change has none",
            hint="drop --timeout, or add --fleet NAME -g GROUP",
        )
    return timeout or azopts.ARM_TIMEOUT_DEFAULT


def refuse_namespace_on_arm(arm: ArmFlags, namespace: str | None, all_namespaces: bool = False) -> None:
    """-n/--namespace (and -A) say where a hub object lives. Through ARM (--fleet) an update run,
    its gates and a strategy are the fleet's child resources, with no namespace, so there they are
    refused, before anything is read or sent, rather than silently ignored."""
    if not arm.fleet or (namespace is None and not all_namespaces):
        return
    flag = "-n/--namespace" if namespace is not None else "-A/--all-namespaces"
    raise UsageError(
        f"{flag} applies to hub objects; the fleet's update runs and strategies in Azure (--fleet) have no namespace",
        hint=f"drop {flag}, or leave out --fleet to work on the hub",
    )


# -l on an ARM list of the fleet's child resources (opts.refuse_selector).
ARM_SELECTOR_HINT = "drop -l, or leave out --fleet to list the hub's objects by label"


def staged_list_selector(
    arm: ArmFlags, namespace: str | None, all_namespaces: bool, selector: str | None, listed: str
) -> str | None:
    """`fleet rollout list` and `fleet rollout strategy list`: -n/-A and -l are the hub's (refused
    with --fleet, ``listed``: what the ARM list lists, e.g. "update runs"); -l's value, checked."""
    refuse_namespace_on_arm(arm, namespace, all_namespaces)
    if arm.fleet:
        opts.refuse_selector(selector, f"the fleet's {listed} in Azure (--fleet)", ARM_SELECTOR_HINT)
    return opts.label_selector(selector)


def checked_namespace(namespace: str | None, param: str = "name") -> str | None:
    """-n, checked; and the hub TYPE its NAME argument ``param`` was given with (options.type_name)
    agrees with it: -n reads the namespaced kind, no -n the cluster-scoped one. NAME... (a delete):
    every name's TYPE (``fleet placement delete clusterresourceplacement/a resourceplacement/b -n x``
    is refused for its first name), not only the last one's."""
    each = [typed for typed in opts.typed_resources(param) or [opts.typed_resource(param)] if typed]
    for given, resource in each:
        if resource is None or resource.namespaced == (namespace is not None):
            continue
        if resource.namespaced:
            raise UsageError(
                f"{given} is namespaced: give its namespace with -n NAMESPACE",
                hint="without -n akscli reads the cluster-scoped kind",
            )
        raise UsageError(f"{given} is cluster-scoped: drop -n", hint="with -n akscli reads the namespaced kind")
    return validate.name(namespace, "namespace") if namespace is not None else None


def staged_name(arm: ArmFlags, value: str, what: str, param: str = "name") -> str:
    """The name of an update run, strategy or stage, checked before anything is read or sent: on the
    hub a Kubernetes name; through ARM (--fleet) the Fleet API's, at most 50 characters (fleets.json
    2026-06-01 updateRunName and updateStrategyName path parameters, UpdateStage.name:
    stages.ARM_NAME_MAX). No such resource can exist, so a read or delete of a longer name is refused
    too, not sent for Azure to answer."""
    return _staged_name(arm, value, what, opts.typed_resource(param))


def staged_names(arm: ArmFlags, names: Sequence[str], what: str) -> None:
    """staged_name for each of the NAME... argument ``names``, with the TYPE each was given."""
    each = opts.typed_resources("names")
    for value, typed in zip(names, each + [None] * (len(names) - len(each)), strict=True):
        _staged_name(arm, value, what, typed)


def _staged_name(arm: ArmFlags, value: str, what: str, typed: "tuple[str, ResourceType | None] | None") -> str:
    from akscli.fleet.stages import child_name

    if typed and (typed[1] is None) != bool(arm.fleet):
        # A hub TYPE with --fleet, or the ARM resource's kind on the hub: it names no such object.
        where = "the fleet's hub (leave out --fleet)" if arm.fleet else "Azure Resource Manager (add --fleet)"
        raise UsageError(f"{typed[0]}/{value} names an object of {where}", hint=f"give the {what} alone: {value}")
    return child_name(value, what) if arm.fleet else validate.name(value, what)


@contextmanager
def audit_arm(scope: "FleetScope", action: str, ref: str, change: str) -> Iterator[None]:
    """Audit the ARM write made within under ``action`` (the command), its object ``ref`` with
    ``change``, through the one ARM audit (cli/common.audited): entered once Azure accepted the
    write (FleetArm.audit), so a write refused before it was sent (a 412, a dry run) writes no line;
    then one line whether its operation succeeds, fails, or its wait is cut (--timeout, Ctrl-C,
    SIGTERM: "... continues in Azure; follow it with: CMD", the operation's URL without token)."""
    from akscli.azure.arm import identity_of
    from akscli.cli.common import audited

    target = {"subscription": scope.arm.subscription}
    identity = identity_of(scope.arm.client)

    def around(follow: str) -> Any:
        return audited(action, target, resource=ref, identity=identity, change=change, follow=follow)

    scope.arm.audit = around
    try:
        yield
    finally:
        scope.arm.audit = None


def audit_hub(kube: "Kube", action: str, changes: list[tuple[str, str]]) -> None:
    from akscli.cli.common import record_audit

    record_audit(action, kube, [], "success", objects=[{"object": ref, "action": verb} for ref, verb in changes])


def remove_child(
    scope: "FleetScope",
    child: "Child",
    name: str,
    yes: bool,
    action: str,
    verb: str = "delete",
    *,
    dry: bool = False,
    fmt: str | None = None,
    ignore_not_found: bool = False,
    no_wait: bool = False,
) -> None:
    """Confirm, delete a child of the fleet through ARM (within ``scope``'s --timeout), audit and
    report it.

    ARM answers a DELETE of a resource that does not exist with 204, which the SDK takes as
    success (upstream: azure-mgmt-containerservicefleet 4.0.0 operations/_operations.py,
    _delete_initial accepts 200/202/204); read it first, as `cluster delete` and kubectl do, so a wrong name is "not
    found" (exit 3) rather than "deleted". A dry run stays offline and reads nothing. ``fmt``:
    -o (``name``: only ``kind/name``, as kubectl delete -o name). ``ignore_not_found``:
    --ignore-not-found (errors.absent_is_done). ``no_wait``: --no-wait, as the AKS deletes
    (azopts.finish): once Azure accepted the DELETE, audit it as accepted, say how to check on it
    (the follow command) and return; ``-o name`` still prints ``kind/name``, as kubectl delete
    --wait=false does."""
    from akscli.cli.common import confirm

    with errors.absent_is_done(ignore_not_found):
        if not dry:
            scope.get(child, name)
        confirm(f"{verb} {child.noun} {name} of fleet {scope.fleet}", yes or dry)
        if no_wait:
            poller = scope.remove(child, name, no_wait=True)
            audit_accepted(scope, action, scope.ref(child, name), "delete")
            azopts.report_accepted(poller, f"{verb} {child.noun} {name}", "table", scope.follow(child, name))
            if fmt == "name":
                azopts.deleted(child.ref, name, fmt, f"{verb}d")
            return
        with audit_arm(scope, action, scope.ref(child, name), "delete"):
            scope.remove(child, name)
        azopts.deleted(child.ref, name, fmt, f"{verb}d")


def delete_child(
    arm: ArmFlags,
    child: "Child",
    name: str,
    what: str,
    action: str,
    delete: opts.DeleteFlags,
    verb: str = "delete",
) -> None:
    """`fleet member remove` and `fleet autoupgrade delete`: check the name (``what``: how an
    error names it), then remove_child within --timeout; --dry-run prints the DELETE offline."""
    from akscli.fleet.stages import child_name

    child_name(name, what)
    with azopts.dry_run_scope(delete.dry_run, delete.output or "json", offline=True) as dry:
        remove_child(
            arm.scope(delete.timeout or azopts.ARM_TIMEOUT_DEFAULT),
            child,
            name,
            delete.yes,
            action,
            verb,
            dry=dry,
            fmt=delete.output,
            ignore_not_found=delete.ignore_not_found,
            no_wait=not delete.wait,
        )


def audit_accepted(scope: "FleetScope", action: str, ref: str, change: str) -> None:
    """The audit line of an ARM write that --no-wait left to Azure, as azopts.finish writes it."""
    from akscli.azure.arm import identity_of
    from akscli.cli.common import record_audit

    record_audit(
        action,
        None,
        [],
        "accepted (--no-wait)",
        target={"subscription": scope.arm.subscription},
        objects=[{"object": ref, "action": change}],
        identity=identity_of(scope.arm.client),
    )


def delete_staged(
    child: "Child",
    names: Sequence[str],
    namespace: str | None,
    arm: ArmFlags,
    hub: opts.KubeFlags,
    action: str,
    delete: opts.DeleteFlags,
    choose: tuple[str | None, bool, bool] = (None, False, False),
) -> None:
    """Delete update runs or strategies: through ARM with --fleet one NAME (--dry-run prints the
    DELETE, contacting nothing; the ARM operation is followed to its end, or --timeout, default
    60m, or with --no-wait left to Azure once accepted), else on the hub NAME..., or ``choose``'s
    -l SELECTOR or --all, with -A across namespaces, as kubectl delete (delete_many; --dry-run reads
    the objects, as kubectl delete does; --wait and --timeout, default 5m, as common.delete_objects)."""
    from akscli.cli import delete_many
    from akscli.fleet import rollout
    from akscli.fleet.armclient import UPDATE_RUN

    mode = opts.dry_run_mode(delete.dry_run)
    what = f"{child.noun} name"
    selector, all_, every = choose
    if arm.fleet:
        if len(names) != 1 or selector is not None or all_:
            # An ARM DELETE names one resource: az takes one -n too (Azure/azure-cli-extensions
            # da27925f src/fleet/azext_fleet/_help.py: `az fleet updaterun delete -g G -f F -n NAME`,
            # `az fleet updatestrategy delete -g G -f F -n NAME`).
            raise UsageError(
                f"--fleet deletes one {child.noun} by NAME: Azure's DELETE names one resource",
                hint=f"akscli {action} NAME --fleet FLEET -g GROUP; several names, -l and --all are for "
                "the hub's objects (leave out --fleet)",
            )
        name = staged_name(arm, names[0], what, "names")
        limit = _arm_delete_timeout(delete.timeout or azopts.ARM_TIMEOUT_DEFAULT)
        with azopts.dry_run_scope(mode, delete.output or "json", offline=True) as dry:
            scope = arm.scope(limit)
            fmt, ignore, no_wait = delete.output, delete.ignore_not_found, not delete.wait
            remove_child(
                scope, child, name, delete.yes, action, dry=dry, fmt=fmt, ignore_not_found=ignore, no_wait=no_wait
            )
        return
    # The names are checked once, by staged_names, each with the TYPE it was given.
    chosen = delete_many.check_choice(names, selector, all_, what, None)
    staged_names(arm, names, what)
    ns = checked_namespace(namespace, "names")
    kube = hub.connect()
    read, listing = (
        (rollout.get_run, rollout.list_runs) if child is UPDATE_RUN else (rollout.get_strategy, rollout.list_strategies)
    )
    delete_many.delete_chosen(
        kube,
        (kubefleet.PLACEMENT_V1, child.noun, ns),
        names,
        chosen,
        lambda name, where, listed: [_hub_ref(listed if listed is not None else read(kube, name, where))],
        delete,
        action=action,
        wait=delete.wait_seconds(HUB_DELETE_TIMEOUT_DEFAULT),
        all_namespaces=every,
        listing=lambda labels: listing(kube, ns, every, labels),
    )


def _arm_delete_timeout(timeout: str) -> str:
    """A delete's --timeout for the ARM wait: its 0 waits a week, as on the hub (kube.deletion
    UNBOUNDED, kubectl's --timeout=0s), not no time at all."""
    from akscli.kube.deletion import UNBOUNDED

    if validate.duration(timeout, "--timeout"):
        return timeout
    return f"{UNBOUNDED:g}s"


def _hub_ref(obj: dict[str, Any]) -> tuple[str, str, str, str | None]:
    meta = obj["metadata"]
    return str(obj["apiVersion"]), str(obj["kind"]), str(meta["name"]), meta.get("namespace")


def create_on_hub(
    objects: list[dict[str, Any]],
    *,
    stack: str,
    hub: opts.KubeFlags,
    dry_run: str,
    yes: bool,
    output_format: str,
    action: str,
    exit_code: bool,
) -> None:
    """kubectl create on the hub: a POST through the one apply engine, which the API server answers
    409 AlreadyExists for a taken name (``--dry-run=server`` too), said in one line with the fix."""
    from akscli.cli.common import apply_objects
    from akscli.cli.diff_status import found, would_change
    from akscli.fleet.rollout import name_taken

    try:
        outcome = apply_objects(
            objects,
            stack=stack[:63],
            target=hub.target(),
            dry_run=dry_run,
            yes=yes,
            output_format=output_format,
            action=action,
            create_only=True,
        )
    except errors.ConflictError as exc:
        raise name_taken(exc, objects[0]) from None
    found(exit_code and would_change(outcome.changes))
