"""ARM calls on fleets and what lives below them: members, update runs, strategies, profiles, gates.

Every call goes through ``akscli.azure.arm`` (client factory, long-running operations, error
translation) and returns REST JSON dicts, so the callers never touch SDK models. The gates' calls
are arm_gates.py's.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from akscli.azure import kinds
from akscli.errors import AkscliError, ConflictError, NotFoundError
from akscli.fleet.arm import ClusterRef, as_dict, check_no_arc_in_run, groups_without_members

if TYPE_CHECKING:
    from akscli.azure.arm import AzureTarget, Deadline

T = TypeVar("T")
Progress = Callable[[str], None]
# Opens a progress display for one long-running operation (output.status in the CLI).
Spinner = Callable[[str], AbstractContextManager[Progress | None]]

# API versions of the cluster resources a member points at, read for health and version.
_AKS_API = "2026-01-01"
_ARC_API = "2024-01-01"


@dataclass(frozen=True)
class Child:
    """A kind of resource below a fleet, and how the SDK, the output and the audit name it."""

    noun: str
    ref: str  # its kind in ``-o name`` (akscli.azure.kinds)
    segment: str
    operations: str
    model: str
    create_method: str = "begin_create_or_update"
    # The command that follows a write to it that akscli stopped waiting for (--timeout, Ctrl-C):
    # there is no `fleet ... wait`; this reads its provisioningState (a show, a run's status, or
    # the kind's list where akscli has no show). {name}: the child's name.
    follow: str = ""

    @property
    def plural(self) -> str:
        """For messages: "update strategies", "members"."""
        return self.noun[:-1] + "ies" if self.noun.endswith("y") else self.noun + "s"


MEMBER = Child(
    "member", kinds.MEMBER, "member", "fleet_members", "FleetMember", "begin_create", follow="fleet member show {name}"
)
UPDATE_RUN = Child(
    "update run", kinds.UPDATE_RUN, "updateRun", "update_runs", "UpdateRun", follow="fleet rollout status {name}"
)
STRATEGY = Child(
    "update strategy",
    kinds.STRATEGY,
    "updateStrategy",
    "fleet_update_strategies",
    "FleetUpdateStrategy",
    follow="fleet rollout strategy show {name}",
)
PROFILE = Child(
    "auto-upgrade profile",
    kinds.PROFILE,
    "autoUpgradeProfile",
    "auto_upgrade_profiles",
    "AutoUpgradeProfile",
    follow="fleet autoupgrade show {name}",
)
# A gate is followed through its run: {name} is the run's.
GATE = Child("gate", kinds.GATE, "gate", "gates", "GatePatch", follow="fleet rollout status {name}")


def model(name: str, body: Mapping[str, Any]) -> Any:
    """An SDK model built from REST JSON (the SDK's overloads take models or streams)."""
    from azure.mgmt.containerservicefleet import models

    return getattr(models, name)(dict(body))


def _no_spinner(_what: str) -> AbstractContextManager[Progress | None]:
    return nullcontext(None)


class FleetArm:
    """The fleet SDK client of one command; every failure comes back as an AkscliError.

    ``deadline``: the command's --timeout, shared by every operation it waits for (arm.Deadline;
    None: no bound). ``audit``: set by the command around its change (cli/fleet/common.audit_arm):
    entered once Azure accepted a write, around its wait, so that a wait cut by --timeout, Ctrl-C
    or SIGTERM is audited as going on in Azure, as the AKS commands' (cli/common.audited)."""

    def __init__(self, target: AzureTarget, spinner: Spinner = _no_spinner, deadline: Deadline | None = None) -> None:
        from azure.mgmt.containerservicefleet import ContainerServiceFleetMgmtClient

        from akscli.azure import arm

        self.target = target
        self.spinner = spinner
        self.deadline = deadline
        self.audit: Callable[[str], AbstractContextManager[None]] | None = None
        self.client: Any = arm.management_client(ContainerServiceFleetMgmtClient, target)

    @property
    def subscription(self) -> str:
        return str(self.target.subscription)

    def call(self, what: str, fn: Callable[[], T]) -> T:
        from akscli.azure import arm

        try:
            return fn()
        except AkscliError:
            raise
        except Exception as exc:
            raise arm.translate_arm_error(exc, what=what) from exc

    def wait(self, what: str, start: Callable[[], Any], follow: str) -> dict[str, Any]:
        """Start a long-running operation and wait for its result, until ``deadline``; ``follow``:
        the command that follows it if the wait is cut (arm.wait_lro)."""
        from akscli.azure import arm

        poller = self.call(what, start)
        with self.audit(follow) if self.audit else nullcontext(), self.spinner(what) as update:
            return as_dict(arm.wait_lro(poller, what, update, deadline=self.deadline, follow=follow))

    def stream(self, what: str, pages: Callable[[], Iterable[Any]]) -> Iterator[dict[str, Any]]:
        """The items of an ARM pager one by one, as each page arrives: the pager is passed through,
        so the output layer turns each item into its text before the next page is read
        (azopts.emit_resources, as cluster list does). An error on any page is translated as call()
        does; the output layer then prints nothing (akscli.output._stream)."""
        from akscli.azure import arm

        try:
            for item in pages():
                yield as_dict(item)
        except AkscliError:
            raise
        except Exception as exc:
            raise arm.translate_arm_error(exc, what=what) from exc

    def list_fleets(self, group: str | None) -> Iterator[dict[str, Any]]:
        """Fleets_ListByResourceGroup or Fleets_ListBySubscription, page by page."""
        fleets = self.client.fleets
        return self.stream(
            "listing fleets", lambda: fleets.list_by_resource_group(group) if group else fleets.list_by_subscription()
        )

    def require_cluster(self, ref: ClusterRef, what: str) -> None:
        """Refuse (NotFoundError, exit 3) to join a cluster that does not exist, before the PUT.

        az fleet member create sends the PUT without reading the cluster (Azure/azure-cli-extensions
        src/fleet/azext_fleet/custom.py create_fleet_member; _validators.py only checks the id's shape),
        and what the Fleet RP answers for a missing cluster is not published; if it accepts the PUT and
        fails the operation, the member stays in the fleet, Failed, until removed. One GET with the
        same credential avoids that. Only a definite 404 refuses: a cluster this credential cannot read
        (another subscription, no read role) is left to the join itself."""
        from akscli.azure import arm, armerrors

        version = _ARC_API if ref.arc else _AKS_API
        try:
            arm.raw_call(arm.raw_client(self.target), "GET", ref.resource_id, version)
        except NotFoundError as exc:
            listing = "az connectedk8s list" if ref.arc else "akscli cluster list"
            hint = (
                f"nothing was joined; check --cluster (a name with --cluster-group, or the resource id) and "
                f"--subscription; see the clusters there with '{listing} -g {ref.resource_group}'"
            )
            if armerrors.group_missing(exc):
                # As a cluster command's (armerrors.NO_CLUSTER_THERE): listing that group finds nothing.
                hint = (
                    f"nothing was joined; check --cluster-group (default: -g) and --subscription: cluster "
                    f"{ref.name} cannot be in a group that does not exist ('{listing}' shows each cluster's group)"
                )
            raise NotFoundError(f"{what}: {exc.message}", hint=hint) from exc
        except AkscliError:
            return

    def cluster_reader(self, ids: Iterable[str] = ()) -> Callable[[str], dict[str, Any] | None]:
        """Reads the AKS or Arc cluster resource a member points at; one HTTP pipeline, shared by
        the threads of ``member_rows``. The clusters of ``ids`` that share a subscription are
        listed first (fleet/member_clusters.py), not read one GET each; of each, only the fields
        the list shows are kept (member_clusters.shown). A cluster a GET cannot read (403, 404)
        reads as member_clusters.unreadable's stand-in, which says why."""
        from akscli.azure import arm
        from akscli.fleet.member_clusters import prefetch, shown, unreadable

        raw = arm.raw_client(self.target)

        def api(path: str) -> str:
            return _ARC_API if "/providers/microsoft.kubernetes/connectedclusters" in path.lower() else _AKS_API

        listed = prefetch(ids, lambda link: arm.raw_call(raw, "GET", link, api(link)))

        def read(resource_id: str) -> dict[str, Any] | None:
            if resource_id.lower() in listed:
                return listed[resource_id.lower()]
            try:
                found: dict[str, Any] | None = arm.raw_call(raw, "GET", resource_id, api(resource_id))
            except AkscliError as exc:
                return unreadable(exc)
            return shown(found)

        return read


@dataclass
class FleetScope:
    """One fleet (resource group and name) reached through ARM."""

    arm: FleetArm
    group: str
    fleet: str

    @property
    def where(self) -> str:
        """The flags that name this fleet in a command line (for hints): `` --fleet F -g RG``."""
        return f" --fleet {self.fleet} -g {self.group}"

    def follow(self, child: Child | None = None, name: str = "") -> str:
        """The command that follows a write akscli stopped waiting for: the fleet's show, a
        member's, strategy's or auto-upgrade profile's show, a run's status."""
        if child is None:
            return f"akscli fleet show {self.fleet} -g {self.group}"
        return f"akscli {child.follow.format(name=name)}{self.where}"

    def ref(self, child: Child, name: str) -> str:
        """How the audit log names a child: ``fleet/F/updateRun/NAME``."""
        return f"fleet/{self.fleet}/{child.segment}/{name}"

    # ---- the fleet itself

    def show(self) -> dict[str, Any]:
        return as_dict(self.arm.call(f"reading fleet {self.fleet}", lambda: self.arm.client.fleets.get(*self._at())))

    def create(self, body: Mapping[str, Any], *, no_wait: bool = False) -> Any:
        """PUT a new fleet, never over an existing one (_put_new; azure-mgmt-containerservicefleet
        4.0.0 build_fleets_create_or_update_request, match_condition), as ``create_new`` for a child
        and ``cluster create``. A plain PUT replaced an existing fleet with the new body (its tags,
        its hub profile). With ``no_wait`` the poller once Azure accepted it (--no-wait)."""
        fleets = self.arm.client.fleets
        return self._put_new(
            f"creating fleet {self.fleet}",
            lambda **condition: fleets.begin_create_or_update(*self._at(), model("Fleet", body), **condition),
            ConflictError(
                f"fleet {self.fleet} already exists in resource group {self.group}",
                hint=f"see it with 'akscli fleet show {self.fleet} -g {self.group}', or delete it first",
            ),
            self.follow(),
            no_wait=no_wait,
        )

    def delete(self, *, no_wait: bool = False) -> Any:
        """DELETE the fleet and wait for its operation; with ``no_wait`` return the poller once
        Azure accepted it (--no-wait, as ``remove``)."""
        what = f"deleting fleet {self.fleet}"
        if no_wait:  # polling=False: no poller thread, as az's sdk_no_wait (azure/arm.py begun_status)
            return self.arm.call(what, lambda: self.arm.client.fleets.begin_delete(*self._at(), polling=False))
        self.arm.wait(what, lambda: self.arm.client.fleets.begin_delete(*self._at()), self.follow())
        return None

    def hub_kubeconfig(self) -> bytes:
        no_hub = NotFoundError(
            f"fleet {self.fleet!r} has no hub kubeconfig",
            hint="a fleet created with --no-hub has no hub; placement needs one",
        )
        try:
            creds = as_dict(
                self.arm.call(
                    f"reading hub credentials of fleet {self.fleet}",
                    lambda: self.arm.client.fleets.list_credentials(*self._at()),
                )
            )
        except AkscliError as exc:
            # What Fleet answers listCredentials of a fleet without a hub is not published; the fleet
            # says it has none where it has no hubProfile (fleets.json 2026-06-01 Fleet.hubProfile;
            # examples Fleets_Get.json). One GET, only once the call failed.
            try:
                hubless = not (self.show().get("properties") or {}).get("hubProfile")
            except AkscliError:
                hubless = False
            if hubless:
                raise no_hub from exc
            raise
        configs = creds.get("kubeconfigs") or []
        if not configs or not configs[0].get("value"):
            raise no_hub
        raw = configs[0]["value"]
        return raw if isinstance(raw, bytes) else base64.b64decode(raw)

    # ---- children

    def items(self, child: Child) -> list[dict[str, Any]]:
        return list(self.each(child))

    def each(self, child: Child) -> Iterator[dict[str, Any]]:
        """The children of the fleet, page by page (FleetArm.stream)."""
        ops = self._ops(child)
        return self.arm.stream(f"listing {child.plural} of fleet {self.fleet}", lambda: ops.list_by_fleet(*self._at()))

    def get(self, child: Child, name: str) -> dict[str, Any]:
        ops = self._ops(child)
        return as_dict(self.arm.call(f"reading {child.noun} {name}", lambda: ops.get(*self._at(), name)))

    def patch(self, child: Child, name: str, body: Mapping[str, Any], what: str) -> dict[str, Any]:
        """PATCH a child with its ``<Model>Update`` body (the SDK's begin_update, a long-running
        operation: 200, or 202 and a Location to poll)."""
        ops = self._ops(child)
        return self.arm.wait(
            what,
            lambda: ops.begin_update(*self._at(), name, model(f"{child.model}Update", body)),
            self.follow(child, name),
        )

    def create_new(self, child: Child, name: str, body: Mapping[str, Any], exists_hint: str) -> dict[str, Any]:
        """PUT a new child, never over an existing one: the PUT carries If-None-Match: *, which the
        Fleet API takes on its creates (azure-mgmt-containerservicefleet 4.0.0
        build_update_runs_create_or_update_request, match_condition; the spec's
        UpdateRuns_CreateOrUpdate MaximumSet example sends ifMatch and ifNoneMatch) and which the
        resource provider answers with 412 where the resource exists (upstream:
        Azure/azure-resource-manager-rpc v1.0/Addendum.md "ETags for Resources").
        az fleet updaterun create sends a plain PUT (Azure/azure-cli-extensions
        src/fleet/azext_fleet/custom.py create_update_run): a second create of the same name
        replaces the run, its progress with it. An existing one: ConflictError with exists_hint."""
        begin = getattr(self._ops(child), child.create_method)
        created: dict[str, Any] = self._put_new(
            f"creating {child.noun} {name}",
            lambda **condition: begin(*self._at(), name, model(child.model, body), **condition),
            ConflictError(f"{child.noun} {name} already exists in fleet {self.fleet}", hint=exists_hint),
            self.follow(child, name),
        )
        return created

    def _put_new(
        self, what: str, begin: Callable[..., Any], exists: ConflictError, follow: str, *, no_wait: bool = False
    ) -> Any:
        """Start ``begin`` with If-None-Match: * and wait for it (``no_wait``: return its poller);
        the 412 the resource provider answers where the resource exists is ``exists`` (upstream:
        Azure/azure-resource-manager-rpc v1.0/Addendum.md "ETags for Resources"). The one
        create-only PUT: the fleet's and its children's."""
        from azure.core import MatchConditions
        from azure.core.exceptions import HttpResponseError

        def start() -> Any:
            try:  # --no-wait: polling=False, no poller thread (azure/arm.py begun_status)
                return begin(match_condition=MatchConditions.IfMissing, polling=not no_wait)
            except HttpResponseError as exc:
                if exc.status_code != 412:
                    raise
                raise exists from exc

        if no_wait:
            return self.arm.call(what, start)
        return self.arm.wait(what, start, follow)

    def member_to_join(self, name: str) -> dict[str, Any] | None:
        """What ``join`` goes over, by one GET: None for a new member (or no such fleet: the PUT says
        so, armerrors.create_fleet_first); a member whose last operation failed (Failed or Canceled:
        joining again retries it, explain_failed_join); any other member is refused (ConflictError,
        exit 4), as `fleet create` and `rollout create` refuse theirs."""
        try:
            member = self.get(MEMBER, name)
        except NotFoundError:
            return None
        state = str((member.get("properties") or {}).get("provisioningState") or "Unknown")
        if state not in ("Failed", "Canceled"):
            raise self._member_exists(name, state)
        return member

    def join(
        self, name: str, body: Mapping[str, Any], what: str, member: Mapping[str, Any] | None, *, no_wait: bool = False
    ) -> Any:
        """Join a member (FleetMembers_Create, a PUT) over ``member`` as read (member_to_join) and wait
        for it (``no_wait``: its poller), never over a member made or changed by someone else since.

        An ARM PUT replaces the resource whole (Azure/azure-resource-manager-rpc
        v1.0/resource-api-reference.md "PUT Resource"): a second join of the same name dropped the
        labels and update group the first gave (or `member update` set). az fleet member create sends a
        plain PUT (Azure/azure-cli-extensions src/fleet/azext_fleet/custom.py create_fleet_member).
        FleetMembers_Create takes If-Match and If-None-Match (Azure/azure-rest-api-specs 1713bce8
        specification/containerservice/resource-manager/Microsoft.ContainerService/fleet/fleetmember.tsp
        ``create is ArmResourceCreateOrUpdateAsync<..., IfMatchParameters & IfNoneMatchParameters>``;
        FleetMember has an eTag, EntityTagProperty), and ARM answers a condition that does not hold
        with 412 (Addendum.md "ETags for Resources"). A new member: If-None-Match: *, so one joined
        since the read is refused as one that was there. A Failed or Canceled one: If-Match, its eTag
        exactly as read (as az fleet reconcile sends ``if_match=fleet.e_tag``), so a change made since
        is refused (etags.guarded), not replaced. Either 412 has reason PreconditionFailed."""
        from akscli.azure import etags
        from akscli.azure.armerrors import PRECONDITION_FAILED

        begin = getattr(self._ops(MEMBER), MEMBER.create_method)
        follow = self.follow(MEMBER, name)
        if member is None:
            exists = self._member_exists(name, "joined since akscli read it")
            exists.reason = PRECONDITION_FAILED
            return self._put_new(
                what,
                lambda **condition: begin(*self._at(), name, model(MEMBER.model, body), **condition),
                exists,
                follow,
                no_wait=no_wait,
            )
        # A member without an eTag (none is published without one) gets the plain PUT.
        conditions = etags.headers(if_match=str(member.get("eTag") or "") or None)

        def start() -> Any:  # --no-wait: polling=False, no poller thread (azure/arm.py begun_status)
            return etags.guarded(
                what,
                lambda: begin(*self._at(), name, model(MEMBER.model, body), headers=conditions, polling=not no_wait),
                show=f"akscli fleet member show {name}{self.where}",
                given=False,
            )

        return start() if no_wait else self.arm.wait(what, start, follow)

    def _member_exists(self, name: str, state: str) -> ConflictError:
        return ConflictError(
            f"member {name} already exists in fleet {self.fleet} ({state}); joining again would replace "
            "its labels and update group",
            hint=f"change them with 'akscli fleet member update {name}{self.where} --labels K=V --update-group G', "
            f"or remove it first: 'akscli fleet member remove {name}{self.where} -y'",
        )

    def explain_failed_join(self, name: str, error: AkscliError) -> None:
        """Give ``error`` of a join the hint that fits when its operation failed in Azure: the member
        stays in the fleet, Failed (or Canceled), its error kept as status.lastOperationError
        (fleetmember.tsp), until it is removed. The error's class, so its exit code, stays the one
        the failure maps to (armerrors); a join refused before it began keeps its own hint, and a dry
        run's stopped request is no failure (nothing is read for it)."""
        from akscli.azure.arm import DryRunRequest
        from akscli.azure.armerrors import PRECONDITION_FAILED

        if isinstance(error, DryRunRequest) or error.reason == PRECONDITION_FAILED:
            return  # a 412 (FleetScope.join): this join wrote nothing, its own line stands
        try:
            member = self.get(MEMBER, name)
        except AkscliError:
            return
        state = (member.get("properties") or {}).get("provisioningState")
        if state not in ("Failed", "Canceled"):
            return
        error.hint = (
            f"member {name} stays in the fleet, {state}: see it with 'akscli fleet member list{self.where} -o wide'; "
            f"fix the cause and join again (the same name retries it), or remove it with "
            f"'akscli fleet member remove {name}{self.where} -y'"
        )

    def remove(self, child: Child, name: str, *, no_wait: bool = False) -> Any:
        """DELETE a child and wait for its operation; with ``no_wait`` return the poller once Azure
        accepted it (--no-wait, as the AKS deletes: the operation goes on in Azure)."""
        ops = self._ops(child)
        what = f"deleting {child.noun} {name}"
        if no_wait:  # polling=False: no poller thread, as az's sdk_no_wait (azure/arm.py begun_status)
            return self.arm.call(what, lambda: ops.begin_delete(*self._at(), name, polling=False))
        self.arm.wait(what, lambda: ops.begin_delete(*self._at(), name), self.follow(child, name))
        return None

    # ---- update runs and gates

    def run_action(self, action: str, name: str) -> dict[str, Any]:
        """``start`` or ``stop`` an update run."""
        begin = {"start": self.arm.client.update_runs.begin_start, "stop": self.arm.client.update_runs.begin_stop}[
            action
        ]
        verb = "starting" if action == "start" else "stopping"
        return self.arm.wait(
            f"{verb} update run {name}", lambda: begin(*self._at(), name), self.follow(UPDATE_RUN, name)
        )

    def skip(self, name: str, body: Mapping[str, Any]) -> None:
        runs = self.arm.client.update_runs
        self.arm.wait(
            f"skipping in update run {name}",
            lambda: runs.begin_skip(*self._at(), name, model("SkipProperties", body)),
            self.follow(UPDATE_RUN, name),
        )

    def strategy_of_run(self, strategy: str | None) -> dict[str, Any] | None:
        return self.get(STRATEGY, strategy) if strategy else None

    def check_no_arc(self, body: Mapping[str, Any], strategy: Mapping[str, Any] | None) -> None:
        """Refuse a run or profile that would upgrade Arc-enabled members (see check_no_arc_in_run)."""
        from akscli import output

        stages = ((strategy or {}).get("properties") or {}).get("strategy")
        members = self.items(MEMBER)
        check_no_arc_in_run(members, body, stages)
        empty = groups_without_members(members, body, stages)
        if empty:
            output.warn(
                f"no member of fleet {self.fleet} is in update {', '.join(empty)}, so the run upgrades no member "
                f"there (members join a group with --update-group; see theirs: akscli fleet member list{self.where})"
            )

    def _ops(self, child: Child) -> Any:
        return getattr(self.arm.client, child.operations)

    def _at(self) -> tuple[str, str]:
        return self.group, self.fleet
