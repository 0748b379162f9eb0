"""The CLI glue every ARM-backed group shares (cluster, nodepool, baremetal, fleet): the Azure
options (one AzureFlags block, ``@on_azure``), the long-running-operation handling (--no-wait or
a spinner) and printing an ARM resource as its summary or in full."""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import output
from akscli.cli import flag_types
from akscli.cli import options as opts

if TYPE_CHECKING:
    from azure.core.polling import LROPoller
    from azure.mgmt.containerservice import ContainerServiceClient

    from akscli.azure.arm import AzureTarget, Deadline

AzSubscription = Annotated[
    str | None,
    typer.Option(
        "--subscription",
        help="Subscription ID (default: $AZURE_SUBSCRIPTION_ID, then the Azure CLI's default).",
        show_default=False,
    ),
]
AzAuth = Annotated[
    str | None,
    typer.Option(
        "--auth",
        help="Sign in with one source: azurecli|devicecode|spn|msi|workloadidentity|interactive|azd "
        "(default: environment, workload identity, managed identity, Azure CLI, azd in turn).",
        show_default=False,
    ),
]
AzTenant = Annotated[
    str | None,
    typer.Option("--tenant", help="Entra tenant ID or domain (default: $AZURE_TENANT_ID).", show_default=False),
]
ResourceGroup = Annotated[
    str | None, typer.Option("-g", "--resource-group", help="Resource group.", show_default=False)
]
# --wait is the default of every ARM command (as az's); --no-wait returns once Azure accepted.
NoWait = Annotated[
    bool,
    typer.Option(
        "--no-wait/--wait",
        help="Return once Azure accepted the request and print how to check on it, or wait (the default).",
    ),
]
DryRun = flag_types.DryRun
# How long an ARM command follows its long-running operation: the --timeout of every --wait
# (docs/grammar.md), ended the same way: exit 5, a line naming what still runs, nothing rolled back.
# Azure goes on with the operation; the line gives the command that follows it.
ARM_TIMEOUT_DEFAULT = "60m"
Timeout = Annotated[
    str,
    opts.timeout_option(
        "How long to wait for Azure's operation, e.g. 30m, 2h; past it akscli stops waiting (exit 5) "
        "and the operation continues in Azure."
    ),
]
# The same, on a command that also has a Kubernetes path (nodepool add/delete --auto-provision),
# where it is an ARM pool's flag: no default shown, ARM_TIMEOUT_DEFAULT applies.
ArmPoolTimeout = Annotated[
    str | None,
    opts.timeout_option(
        "ARM pools: how long to wait for Azure's operation (default 60m); past it akscli stops waiting "
        "(exit 5) and the operation continues in Azure."
    ),
]
# `nodepool delete`'s: the wait of either kind of pool, each with its own default. An ARM pool's is
# Azure's operation (ARM_TIMEOUT_DEFAULT); a NAP NodePool's is kubectl delete's wait until it is
# gone (NAP_DELETE_TIMEOUT_DEFAULT, the fixed wait it had before it took --timeout), its NodeClaims
# and their nodes first (Karpenter's termination finalizer).
NAP_DELETE_TIMEOUT_DEFAULT = "10m"
PoolDeleteTimeout = Annotated[
    str | None,
    opts.timeout_option(
        "How long to wait: for Azure's operation on an ARM pool (default 60m; past it akscli stops waiting, "
        "exit 5, and the operation continues in Azure), or with --auto-provision for the NodePool to be "
        "gone (default 10m; exit 5)."
    ),
]
# Optimistic concurrency (akscli.azure.etags), as az aks takes it (--if-match, --if-none-match).
# A delete changes nothing it read, so it sends If-Match only when given: "Headers are optional to
# use" (upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/use-etags.md, Example 1
# `az aks delete ... --if-match`).
IfMatch = Annotated[
    str | None,
    typer.Option(
        "--if-match",
        metavar="ETAG",
        help="Change or delete it only while its eTag is ETAG (its show -o json), else refuse (exit 4). "
        "Without it a change sends the eTag akscli read before it; a delete sends none.",
        show_default=False,
    ),
]
IfNoneMatch = Annotated[
    str | None,
    typer.Option(
        "--if-none-match",
        metavar="'*'",
        help="'*': create only if it does not exist; akscli always sends it on a create (az's flag, accepted).",
        show_default=False,
    ),
]
# `cluster upgrade` and `nodepool upgrade`'s target, as az aks upgrade / az aks nodepool upgrade name it
# (Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/_params.py: --kubernetes-version -k);
# left out, both list the versions they can go to.
UpgradeVersion = Annotated[
    str | None,
    typer.Option(
        "--kubernetes-version",
        "-k",
        help="Target version; leave out to list the available versions.",
        show_default=False,
    ),
]
# `cluster upgrade --list` and `nodepool upgrade --list`: the upgrade profile, what az shows as
# az aks get-upgrades and az aks nodepool get-upgrades (Azure/azure-cli src/azure-cli/azure/cli/
# command_modules/acs/commands.py) and baremetal cluster upgrade --list shows for its patches.
UpgradeList = Annotated[
    bool,
    typer.Option("--list", help="List the versions Azure offers (az aks get-upgrades); upgrade nothing."),
]


def _kubeconfig_to_write(value: str | None) -> str | None:
    """`--kubeconfig -` on a credentials command: az aks get-credentials prints the kubeconfig for
    `--file -` (Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/_params.py, 'aks
    get-credentials': "Use '-' to print YAML to stdout instead"); akscli merged it into a file named
    '-' in the working folder. Refused: akscli writes credentials into a kubeconfig file, never to stdout.
    A file the merge would refuse (a folder, not a kubeconfig) is refused here, before Azure is asked."""
    if value and value != "-":
        from akscli.azure.kubeconfig import check_merge_target

        check_merge_target(value)
    if value == "-":
        from akscli.errors import UsageError

        raise UsageError(
            "--kubeconfig - would write the credentials into a file named '-': akscli merges them into a "
            "kubeconfig file and prints none to stdout",
            hint="give a file, e.g. --kubeconfig ./kubeconfig (then KUBECONFIG=./kubeconfig kubectl ...)",
        )
    return value


# The kubeconfig that `credentials` merges into is the one every other command reads.
KubeconfigFile = Annotated[str | None, flag_types.kubeconfig_option(_kubeconfig_to_write)]
OverwriteExisting = Annotated[bool, typer.Option("--overwrite-existing", help="Replace entries of the same name.")]
# kubelogin's --identity-resource-id (Azure/kubelogin pkg/internal/token/options.go AddFlags): akscli token's,
# and the one cluster credentials --login msi writes into the exec line (converter/convert.go).
IdentityResourceId = Annotated[
    str | None,
    typer.Option(
        "--identity-resource-id",
        help="msi sign-in: the ARM ID of a user-assigned identity, where no client id names one (kubelogin's).",
        show_default=False,
    ),
]
# kubelogin's --client-id (options.go AddFlags): akscli token's, and the one the credentials commands write into
# the exec line for msi, devicecode and interactive (converter/convert.go; akscli.azure.clustercreds).
ClientId = Annotated[
    str | None,
    typer.Option(
        "--client-id",
        help="Public client for devicecode/interactive, a user-assigned managed identity (msi) or the workload "
        "identity's app (for msi and workloadidentity, AZURE_CLIENT_ID wins, as in kubelogin).",
        show_default=False,
    ),
]
# The sign-in mode the credentials commands write into the exec line (cluster, fleet and baremetal cluster).
ExecLogin = Annotated[
    str | None,
    typer.Option(
        "--login",
        help="Sign-in mode written into the kubeconfig for 'akscli token' (default: the default credential chain).",
        show_default=False,
    ),
]
UPGRADE_LABELS = {
    "name": "name",
    "currentVersion": "current version",
    "availableUpgrades": "available upgrades",
    "latestNodeImageVersion": "latest node image",
}


# The Azure sign-in flags, in the order --help lists them; ``on_azure`` hands them to a command
# as one AzureFlags.
AZURE_OPTIONS: dict[str, Any] = {"subscription": AzSubscription, "auth": AzAuth, "tenant": AzTenant}


@dataclass(frozen=True)
class AzureFlags:
    """--subscription, --auth and --tenant: which subscription, signed in how."""

    subscription: str | None = None
    auth: str | None = None
    tenant: str | None = None

    def __post_init__(self) -> None:
        # Checked as the command starts, with its other flags and before anything is printed,
        # read or sent (a command that only uses them on one of its paths still refuses a bad one).
        from akscli.azure import identity

        if self.subscription is not None:
            identity.check_subscription(self.subscription)
        identity.check_auth(self.auth)
        identity.check_tenant(self.tenant)

    def target(self) -> "AzureTarget":
        """Validate the Azure flags (no network) and return the target."""
        from akscli.azure.arm import AzureTarget

        return AzureTarget(self.subscription, self.auth, self.tenant).validated()

    def aks_client(self) -> "ContainerServiceClient":
        """The AKS (Microsoft.ContainerService) SDK client for the Azure flags."""
        from akscli.azure import clusters

        return clusters.client(self.target())


# `@on_azure` puts --subscription, --auth and --tenant in place of the command's
# `azure: AzureFlags` parameter.
on_azure = opts.flag_block(AZURE_OPTIONS, "azure", AzureFlags)


@dataclass(frozen=True)
class ArmWrite:
    """-y, --dry-run, --no-wait, --timeout and -o of an ARM write that follows its operation
    (cluster create, update, upgrade, start, stop, abort; node pool update, upgrade, abort)."""

    yes: bool = False
    dry_run: str = "none"
    no_wait: bool = False
    timeout: str = ARM_TIMEOUT_DEFAULT
    output_: str = "table"
    # The --timeout, running from the command's first wait (a retry's of the request that begins
    # the operation included: armbound.bound_by); set when the command's flags are read (_arm_write).
    until: "Deadline | None" = field(default=None, compare=False)

    def finish(
        self,
        poller: "LROPoller[Any]",
        what: str,
        fmt: str,
        *,
        resume: str,
        target: "AuditTarget",
        until: "Deadline | None" = None,
    ) -> Any:
        """``finish`` with this write's --no-wait, within its --timeout from now (``until``: a deadline
        already running, for a command that waits for several operations)."""
        return finish(
            poller,
            what,
            fmt,
            no_wait=self.no_wait,
            resume=resume,
            target=target,
            deadline=until or self.until or deadline(self.timeout),
        )


def _arm_write(**values: Any) -> ArmWrite:
    """An ArmWrite whose --timeout bounds the command's ARM retries from before its first request."""
    return ArmWrite(**values, until=deadline(values.get("timeout", ARM_TIMEOUT_DEFAULT)))


# `@on_arm_write` puts -y, --dry-run, --no-wait, --timeout and -o, in that order, in place of the
# command's `write: ArmWrite` parameter (as `@on_azure` the Azure flags).
ARM_WRITE_OPTIONS: dict[str, Any] = {
    "yes": flag_types.Yes,
    "dry_run": DryRun,
    "no_wait": NoWait,
    "timeout": Timeout,
    "output_": opts.ObjectOutput,
}
_WRITE_DEFAULTS = {k: v for k, v in asdict(ArmWrite()).items() if k != "until"}
on_arm_write = opts.flag_block(ARM_WRITE_OPTIONS, "write", _arm_write, defaults=_WRITE_DEFAULTS)


def on_delete(
    timeout: Any, default: str | None, *, selects: bool = False
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """`cluster delete` and `nodepool delete`'s flag block (flag_types.on_delete): -y, --dry-run,
    --no-wait/--wait, --timeout (the option ``timeout``, its default ``default``), -o and
    --ignore-not-found, in that order; ``selects``: as flag_types.on_delete's."""
    order = ("yes", "dry_run", "no_wait", "timeout", "output_", "ignore_not_found")
    return flag_types.on_delete(order, wait=("no_wait", NoWait, False), timeout=(timeout, default), selects=selects)


def resource_group(value: str | None) -> str:
    from akscli.azure import names
    from akscli.errors import UsageError

    if not value:
        raise UsageError("a resource group is required", hint="pass -g/--resource-group NAME")
    return names.resource_group(value)


def arm_dry_run(mode: str) -> bool:
    """--dry-run for an ARM command: client prints the request; server is refused (ARM has no
    dry run for these resource types: a PUT is the change itself)."""
    from akscli.errors import UsageError

    chosen = opts.dry_run_mode(mode)
    if chosen == "server":
        raise UsageError(
            "--dry-run=server is not available for Azure Resource Manager requests: ARM has no server-side "
            "dry run for this resource type, a PUT or POST is the change itself",
            hint="use --dry-run (client) to print the request that would be sent",
        )
    return chosen == "client"


@contextmanager
def dry_run_scope(mode: str, fmt: str, *, offline: bool = False) -> Iterator[bool]:
    """Run an ARM command's body; with --dry-run (client) its reads go out and its write is
    printed (method, URL, body) instead of sent, or each of its writes, in order, where it sends
    several (arm.each_write). Yields whether this is a dry run.

    ``offline``, for a command whose request needs no read: nothing goes out at all, not even a
    sign-in; the SDK builds the request all the same and it is printed.
    """
    if not arm_dry_run(mode):
        yield False
        return
    from akscli.azure import arm

    try:
        with arm.dry_run(offline=offline):
            yield True
    except arm.DryRunRequest as stop:
        print_request(stop.request, fmt)
        return
    except arm.DryRunRequests as stop:  # a command that sends several writes (arm.each_write)
        print_request(stop.requests, fmt)
        return
    output.info("dry run: there is nothing to send")


def captured_write(send: Callable[[], Any]) -> dict[str, Any]:
    """Within a dry run (``dry_run_scope``): the request ``send`` would make, stopped before it
    goes out, for a command that makes several writes and prints them all."""
    from akscli.azure import arm
    from akscli.errors import AkscliError

    try:
        send()
    except arm.DryRunRequest as stop:
        return stop.request
    raise AkscliError("dry run: a write was not stopped")  # arm.dry_run stops every write


def print_request(request: Mapping[str, Any] | Sequence[Mapping[str, Any]], fmt: str) -> None:
    """--dry-run: the ARM request (or requests, in order) exactly as it would be sent: method, URL
    with its api-version, body (JSON unless YAML is asked for)."""
    if fmt == "name":  # what each request writes, as its show and list name it: kind/NAME
        from akscli.azure import kinds

        for one in [request] if isinstance(request, Mapping) else request:
            output.write(kinds.ref(str(one.get("url") or one.get("path") or "")))
        return
    output.emit_object(request, fmt if output.structured(fmt) else "json")


def deleted(kind: str, name: str, fmt: str | None, verb: str = "deleted") -> None:
    """After an ARM delete, on stdout as kubectl delete prints it: ``kind/name`` (``output.named``,
    as its show and list print it) for -o name, else kubectl's line for an object without a
    namespace, ``cluster "ml" deleted`` (output.deleted; upstream: kubernetes/kubectl HEAD dee3483
    pkg/cmd/delete/delete.go PrintObj). Every ARM delete prints this one line (cluster and node
    pool printed "cluster ml deleted" on stderr, fleet "fleet/fl deleted" on stdout). ``verb``:
    ``removed`` for a fleet member, whose delete is a removal from the fleet."""
    if fmt == "name":
        output.write(output.named(kind)({"name": name}))
    else:
        output.write(f'{kind} "{name}" {verb}')


def wait(poller: "LROPoller[Any]", what: str, *, deadline: "Deadline | None" = None, follow: str | None = None) -> Any:
    """Wait for a long-running operation with a spinner, until ``deadline``; returns its result."""
    from akscli.azure import arm

    with output.status(f"{what}...") as update:
        return arm.wait_lro(poller, what, update, deadline=deadline, follow=follow)


def deadline(timeout: str) -> "Deadline":
    """--timeout as the one deadline of every operation the command waits for (arm.Deadline), and
    of the retries of every ARM request it sends from now on (armbound.bound_by)."""
    from akscli import validate
    from akscli.azure import armbound
    from akscli.azure.arm import Deadline

    found = Deadline(validate.duration(timeout, "--timeout"))
    armbound.bound_by(found)
    return found


@dataclass(frozen=True)
class AuditTarget:
    """Where an ARM change lands and who makes it, for the audit log."""

    where: dict[str, str]
    identity: dict[str, str]
    # The command path ("nodepool add"): the line's action, as `model deploy` and `fleet member
    # join` record theirs, so `audit list --action 'nodepool*'` finds it.
    command: str


def audit_target(
    client: Any, resource_group: str, cluster: str, nodepool: str | None = None, *, command: str
) -> AuditTarget:
    from akscli.azure.arm import identity_of

    where = {"subscription": str(client._config.subscription_id), "resourceGroup": resource_group, "cluster": cluster}
    if nodepool:
        where["nodepool"] = nodepool
    return AuditTarget(where, identity_of(client), command)


def finish(
    poller: "LROPoller[Any]",
    what: str,
    fmt: str,
    *,
    no_wait: bool,
    resume: str,
    target: AuditTarget,
    deadline: "Deadline | None" = None,
) -> Any:
    """Wait for the operation, or with --no-wait say it was accepted and how to resume (None).

    Either way the change is audited under ``target.command``, its object's action being ``what``
    (``--no-wait`` as accepted, since its outcome comes later). ``deadline`` (--timeout) bounds the
    wait; a wait cut by it or by Ctrl-C is audited as going on in Azure, with ``resume`` as the
    command that follows it (common.audited).
    """
    from akscli.cli.common import audited, record_audit

    resource = "/".join(f"{key}/{value}" for key, value in target.where.items() if key != "subscription")
    if not no_wait:
        with audited(
            target.command, target.where, resource=resource, identity=target.identity, change=what, follow=resume
        ):
            return wait(poller, what, deadline=deadline, follow=resume)
    objects = [{"object": resource, "action": what}]
    record_audit(
        target.command, None, [], "accepted (--no-wait)", target=target.where, objects=objects, identity=target.identity
    )
    report_accepted(poller, what, fmt, resume)
    return None


def report_accepted(poller: "LROPoller[Any]", what: str, fmt: str, resume: str) -> None:
    """What --no-wait prints of an operation Azure accepted: -o json|yaml the operation, its state,
    the URL Azure reports it at and ``resume``; else no_wait_line on stderr. The one report of every
    ARM --no-wait (finish; fleet's deletes, cli/fleet/common.remove_child).

    az prints nothing for --no-wait (Azure/azure-cli src/azure-cli-core/azure/cli/core/commands/
    __init__.py _run_job: ``result = None``); -o json here says what a script needs to follow the
    operation. Not azure-core's continuation token: about 5 KB of base64 JSON holding the first
    response's body and its Azure-AsyncOperation/Location headers in full (azure-core 1.41
    azure/core/polling/base_polling.py get_continuation_token), where a provider's signed query
    would be a token, and no akscli command takes it back. ``operationUrl`` keeps only the
    api-version of that URL (azure/arm.py operation_url); null when Azure answered at once."""
    from akscli.azure.arm import begun_status, operation_url

    status = begun_status(poller)
    if not output.structured(fmt):
        output.info(no_wait_line(what, status, resume))
        return
    accepted = {
        "operation": what,
        "status": status,
        "operationUrl": operation_url(poller),
        "resume": output.as_invoked(resume),  # the command to run next, spelled as akscli was run
    }
    output.emit_object(accepted, fmt)


def no_wait_line(what: str, status: str, resume: str) -> str:
    """What --no-wait prints: the operation's state when the command returned. The poller's
    status is azure-core's (azure/core/polling/base_polling.py: _SUCCEEDED, _FAILED; anything
    else is still running); an operation Azure finished at once is not "accepted" but done."""
    state = status.lower()
    if state == "succeeded":
        return f"{what}: done (Azure finished it before --no-wait returned)"
    if state in ("failed", "canceled"):
        return f"{what}: Azure accepted it, then it {state}; see it with: {resume}"
    # "check on it", as --no-wait's help says: for a node pool the command is a show, which
    # reads the pool and waits for nothing (akscli has no nodepool wait).
    return f"{what}: accepted by Azure, in progress ({status}); check on it with: {resume}"


def show(
    resource: Mapping[str, Any], fmt: str, summary: Callable[[Mapping[str, Any]], dict[str, Any]], *, kind: str
) -> None:
    """One ARM resource: in full for json/yaml, its summary as a table, ``kind/name`` for -o name
    (as ``emit_resources`` lists it)."""
    if output.structured(fmt):
        output.emit_object(resource, fmt)
    else:
        output.emit_object(resource, fmt, fields=list(summary(resource).items()), name=output.named(kind))


def emit_resources(
    resources: Iterable[Mapping[str, Any]],
    fmt: str,
    columns: Sequence[output.Column],
    summary: Callable[[Mapping[str, Any]], dict[str, Any]],
    *,
    kind: str,
    empty: str,
) -> None:
    """ARM resources: in full for json/yaml, one summary row each otherwise. A table keeps the
    rows only: each page's resources are summarised as they arrive and dropped (`cluster list` of
    2,000 clusters: peak RSS 64 MiB when it held them, 58 MiB; tests/bench/bench_arm_reads.py).
    -o json, yaml and name hold text, not resources: each resource becomes its text as its page
    arrives, written once the last page is in (output.emit; audit17-arm2)."""
    if output.structured(fmt):
        output.emit(resources, fmt, columns)
    else:
        rows = (summary(i) for i in resources)
        output.emit(rows, fmt, columns, name=output.named(kind), empty=empty)


def emit_upgrades(info: Mapping[str, Any], fmt: str, *, kind: str) -> None:
    """The current version and the available upgrades (``upgrade --list``, or without a target); -o name
    is the cluster's or pool's ``kind/NAME``, as its show prints it. The table marks a preview version
    as az aks get-upgrades does, ``1.7.11(preview)`` (upstream: Azure/azure-cli src/azure-cli/azure/cli/
    command_modules/acs/_format.py aks_upgrades_table_format, set_preview)."""
    if output.structured(fmt):
        output.emit_object(info, fmt)
        return
    preview = set(info.get("previewUpgrades") or [])
    shown = {**info, "availableUpgrades": [v + "(preview)" if v in preview else v for v in info["availableUpgrades"]]}
    fields = [
        (UPGRADE_LABELS.get(key, key), (", ".join(value) or "none") if isinstance(value, list) else value)
        for key, value in shown.items()
        if key != "previewUpgrades"
    ]
    output.emit_object(info, fmt, fields=fields, name=output.named(kind))
