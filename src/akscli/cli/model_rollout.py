"""The apply that ``model deploy`` and ``model rollback`` share (moved out of cli/model_deploy.py):
recreate what cannot change in place, apply, delete what is no longer rendered, restart what
KAITO does not, and record the revision; then, with --wait, wait for it (wait_ready). Imported
only by those commands, once they reach a cluster."""

import contextlib
import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from akscli import output
from akscli.model import kinds

if TYPE_CHECKING:
    from akscli.kube.apply import Change
    from akscli.kube.client import Kube, KubeTarget
    from akscli.model import revisions


# Said on stderr at a Ctrl-C (or SIGTERM) while a deploy replaces its server (Rollout._delete_replaced).
REPLACING = (
    "interrupted while the old server is replaced: akscli applies the new one and records the revision, "
    "then stops (interrupt again to stop now, leaving the model without a server)"
)


@dataclasses.dataclass
class Rollout:
    """What deploy and rollback share: recreate what cannot change in place, apply, delete what
    is no longer rendered, and record the revision."""

    kube: "Kube"
    target: "KubeTarget"
    mode: str
    yes: bool
    output_fmt: str
    recreate: bool
    force_conflicts: bool
    action: str
    # The namespace model deploy --create-namespace creates, missing from the cluster
    # (model_deploy_steps.ensure_namespace): the plan dry-runs its objects as new there, and a
    # real run creates it once the plan has passed (common.apply_objects).
    new_namespaces: frozenset[str] = frozenset()
    unchanged: bool = False  # the revision recorded is the latest one: nothing new recorded
    changed: bool = False  # an object was created, changed or deleted
    # StatefulSets restarted because KAITO does not restart them (model/kaito_restart.py).
    restarted: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    # Each object as the API server answered its apply (common.answer_of): the wait starts from these.
    answers: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    # The UIDs of the servers deleted before the apply (revisions.replace_first): a Service their
    # operator made as they went is waited out (revisions.wait_collected), not patched.
    _replaced_uids: list[str] = dataclasses.field(default_factory=list)

    def apply(
        self,
        objects: list[dict[str, Any]],
        *,
        name: str,
        namespace: str,
        params: dict[str, Any],
        note: str,
        dropped: str,
        history: "list[revisions.Revision] | None" = None,
    ) -> int | None:
        """The recorded revision number; None for a dry run. What is deleted before the apply
        (--recreate, the replaced server) is in the apply's audit line (common.carried_deletions)."""
        from akscli.cli import common

        with common.carried_deletions(self.action, self.kube) as carried:
            return self._apply(
                objects,
                carried,
                name=name,
                namespace=namespace,
                params=params,
                note=note,
                dropped=dropped,
                history=history,
            )

    def _apply(
        self,
        objects: list[dict[str, Any]],
        carried: list[dict[str, str]],
        *,
        name: str,
        namespace: str,
        params: dict[str, Any],
        note: str,
        dropped: str,
        history: "list[revisions.Revision] | None",
    ) -> int | None:
        from akscli.cli import common
        from akscli.kube import prune_left
        from akscli.model import revisions

        # The policy first: a blocked apply must be refused before any question and before
        # anything is deleted on the way (--recreate, the server a new runtime replaces), so that
        # the running model stays as it was.
        allowed = common.check_policy(objects, self.target.namespace)
        # and the namespace's PodSecurity level (kube/podsecurity.py; a client dry run reads it
        # where it can)
        common.check_pod_security(self.kube if self.mode != "client" else None, objects, self.target)
        if history is None:
            history = revisions.revisions(self.kube, name, namespace)
        stale = revisions.stale_objects(history, objects)
        first_stale, after = revisions.split_stale(stale)
        # A user who asked for --replicas 2 learns that the Workspace goes because an
        # InferenceSet takes its place, not only that it goes.
        new = revisions.replacement_refs(history, objects) if first_stale else []
        if first_stale and self.mode == "none":
            # The server is asked first whether it takes the new server: a refusal met after
            # the old one is deleted would leave the model gone (kube/create_check.py).
            common.check_creates_again(
                self.kube, revisions.replacing(history, objects), stack=kinds.stack_of(name), rendered=objects
            )
        self._recreate_if_needed(objects, carried, kinds.stack_of(name))
        with contextlib.ExitStack() as step:  # held from the old server's deletion on (_delete_replaced)
            if stale and self.mode == "none":
                self._delete_replaced(stale, first_stale, new, carried, dropped, step)
            # A server dry run deletes nothing, so the Service KAITO made for the Workspace a new
            # server replaces is still there, its selector KAITO's: the real run deletes it with
            # its owner (replace_first, Foreground) before the apply creates akscli's, which the
            # dry run can only ask for by taking the fields over (force).
            regained = revisions.regained_services(history or [], objects) if first_stale else []
            if self.mode == "none":
                revisions.wait_collected(self.kube, regained, self._replaced_uids)
            changes = self._apply_in_order(
                objects, carried, name=name, params=params, allowed=allowed, regained=regained
            )
            self._restart_kaito(changes)
            if self.mode != "none":
                self._plan_deletions(stale, first_stale, new)
                # what a server dry run would change, for --exit-code (cli/diff_status.py)
                self.changed = bool(stale) or any(c.action != "unchanged" for c in changes)
                return None
            gone, running = revisions.delete_stale(self.kube, after)
            if running:
                output.warn(prune_left.running_left(running, f"{self.action} {name}"))
            common.record_deletions(self.action, self.kube, gone)
            self._say_deleted(gone, "no longer rendered")
            number = revisions.record_revision(self.kube, name, namespace, objects, params, note, history)
            self.unchanged = bool(history) and number == history[-1].revision
            self.changed = bool(stale) or any(c.action != "unchanged" for c in changes)
            return number

    def _delete_replaced(
        self,
        stale: list[dict[str, Any]],
        first_stale: list[dict[str, Any]],
        new: list[str],
        carried: list[dict[str, str]],
        dropped: str,
        step: contextlib.ExitStack,
    ) -> None:
        """Ask once for every object the deploy deletes, then delete (and wait out) those the new
        objects replace, before they are applied; what is no longer rendered goes after the apply.
        The new server takes the old one's names (its Service), so it cannot come first: from the
        first deletion to the revision recorded, a Ctrl-C or SIGTERM (or a closed stdout, which
        process.py turns into a quiet write once the server has a change: review15) does not
        stop the deploy halfway, leaving the model without a server (``step`` holds them:
        concurrency.held_interrupts); the command stops once the new server is applied."""
        from akscli import concurrency
        from akscli.cli import common
        from akscli.model import revisions

        refs = ", ".join(revisions.ref(o) for o in stale)
        instead = f", replaced by {', '.join(new)}" if new else ""
        rest = [o for o in stale if o not in first_stale]
        if new and first_stale and rest:
            # Each object with its reason, as the dry run's lines give it (_plan_deletions): a route
            # no longer rendered is not replaced by the new server.
            refs = ", ".join(revisions.ref(o) for o in first_stale) + instead
            refs += "; " + ", ".join(revisions.ref(o) for o in rest) + ", no longer rendered"
            instead = ""
        common.confirm(f"delete {len(stale)} object(s) {dropped} ({refs}){instead}", self.yes)
        replaced = []
        if first_stale:
            step.enter_context(concurrency.held_interrupts(REPLACING))
            # the wait's progress on stderr, as a delete's (common.delete_objects)
            with output.status(f"waiting for {len(first_stale)} object(s) to be deleted") as update:
                replaced = revisions.replace_first(self.kube, first_stale, progress=update, uids=self._replaced_uids)
        carried += common.deletion_objects(replaced)
        self._say_deleted(replaced, "replaced")

    def _apply_in_order(
        self,
        objects: list[dict[str, Any]],
        carried: list[dict[str, str]],
        *,
        name: str,
        params: dict[str, Any],
        allowed: list[str],
        regained: Sequence[Mapping[str, Any]] = (),
    ) -> "list[Change]":
        """Apply the objects, a staged update run last: it is created only once its placement has
        scheduled bindings, as one that comes first fails for good (kubefleet-dev/kubefleet
        pkg/controllers/updaterun/initialization.go)."""
        from akscli.cli import common
        from akscli.fleet import rollout as fleet_rollout
        from akscli.model import deploy, revisions

        applied = revisions.leave_replicas_to_autoscaler(self.kube, objects, deploy.initial_replicas(params))
        first, runs = fleet_rollout.split_runs(applied) if self.mode == "none" else (applied, [])
        forced = [o for o in first if o in regained] if self.mode == "server" else []
        first = [o for o in first if o not in forced]
        changes: list[Change] = []
        # The runs' batch has no namespaced object: it is labelled with the namespace of the rest
        # (kube/apply.py home_namespace), so that --prune of the fleet stack finds the old runs.
        from akscli.kube.apply import home_namespace

        home = home_namespace(first + forced)
        # A real run creates the new namespace with its first batch (common.apply_objects); after
        # that it is there, and what follows is planned in it.
        pending = self.new_namespaces
        for batch in (first, runs, forced):
            if batch is runs and runs:
                with output.status("waiting for the placement to be scheduled before its staged update run") as update:
                    fleet_rollout.wait_until_scheduled(self.kube, runs, progress=update)
            if batch:
                changes += common.apply_objects(
                    batch,
                    stack=kinds.stack_of(name),
                    target=self.target,
                    dry_run=self.mode,
                    wait=False,
                    yes=self.yes,
                    output_format=self.output_fmt,
                    force_conflicts=self.force_conflicts or batch is forced,
                    action=self.action,
                    kube=self.kube,
                    prior=carried,
                    policy_allowed=allowed,
                    pod_security_checked=True,
                    new_namespaces=pending,
                    home_namespace=home,
                ).changes
                if self.mode == "none":
                    pending = frozenset()
        self.answers = [common.answer_of(c) for c in changes if c.action != "delete"]
        return changes

    def _say_deleted(self, objects: Sequence[Mapping[str, Any]], why: str) -> None:
        """kubectl's delete line for each object the rollout deleted, saying why (output.deleted)."""
        for obj in objects:
            meta = obj["metadata"]
            output.deleted(
                obj["apiVersion"], obj["kind"], meta["name"], meta.get("namespace"), why=why, beside=self.output_fmt
            )

    def _plan_deletions(self, stale: list[dict[str, Any]], first: list[dict[str, Any]], new: list[str]) -> None:
        """A dry run names what the deploy would delete (the server a new one replaces, what it
        no longer renders), as the plan of `apply --prune` names what it prunes: the question a
        real run asks is not asked in a dry run, so without these lines the plan hid them."""
        from akscli.kube.plan_diff import object_ref

        if self.mode == "server" and self.output_fmt == "name":
            for obj in stale:
                output.write(object_ref(obj))
            return
        lines = []
        for obj in stale:
            why = f"replaced by {', '.join(new)}" if new and obj in first else "no longer rendered"
            where = obj["metadata"].get("namespace") or "cluster"
            lines.append(f"{object_ref(obj)} ({where}): will be deleted ({why})")
        # As common.print_plan: the plan on stdout for a server dry run's table, else on stderr.
        if lines and self.mode == "server" and self.output_fmt == "table":
            output.write("\n".join(lines))
        elif lines:
            output.info("\n".join(lines))

    def _restart_kaito(self, changes: "list[Change]") -> None:
        from akscli.cli import common
        from akscli.model import kaito_restart

        dry = self.mode == "server"  # kubectl rollout restart --dry-run=server: the patch, dry-run
        for server in kaito_restart.stale_servers(changes):
            for sts in kaito_restart.restart(self.kube, server, dry_run=dry):
                name = f"statefulset.apps/{sts['metadata']['name']}"
                output.info(f"{name} restarted (server dry run)" if dry else f"{name} restarted{kaito_restart.WHY}")
                if not dry:
                    self.restarted.append(sts)
        if self.restarted:
            objects = kaito_restart.audit_objects(self.restarted)
            common.record_audit(self.action, self.kube, [], "success", objects=objects)

    def _recreate_if_needed(self, objects: list[dict[str, Any]], carried: list[dict[str, str]], stack: str) -> None:
        from akscli.cli import common

        common.recreate_if_needed(
            self.kube,
            objects,
            recreate=self.recreate,
            mode=self.mode,
            yes=self.yes,
            down="the model is down until it is ready",
            carried=carried,
            beside=self.output_fmt,
            stack=stack,
        )

    def wait(
        self, objects: list[dict[str, Any]], timeout: str, *, fleet: bool, name: str, namespace: str, revision: int
    ) -> None:
        """``wait_ready`` for what this rollout applied and restarted, judged on its apply's answers;
        ``revision``: the number it recorded for ``name`` (a fleet wait holds for its record)."""
        from akscli.model import revisions

        record = revisions.revision_object(name, namespace, revision, [], {})
        wait_ready(
            self.kube, objects, timeout, fleet=fleet, restarted=self.restarted, record=record, answers=self.answers
        )


def wait_ready(
    kube: "Kube",
    objects: list[dict[str, Any]],
    timeout: str,
    *,
    fleet: bool,
    restarted: list[dict[str, Any]],
    record: dict[str, Any],
    answers: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Wait for what deploy or rollback applied (and the StatefulSets it restarted) to be ready.
    ``answers``: the objects as the server answered their apply (Rollout.answers); each waited
    object that has one is judged on it and watched from its resourceVersion (kube/wait.py), so
    that a state it passed through before the wait began is still seen."""
    from akscli import validate
    from akscli.kube.wait import wait_for
    from akscli.model import fleet_wait, live

    # And the StatefulSets restarted for a changed KAITO config: the Workspace stays Ready through
    # their rolling update, so only they say when the new config is served.
    answered = {_identity(a): a for a in answers}
    waited = [dict(answered.get(_identity(o), o)) for o in live.objects_to_wait_for(objects, fleet=fleet)]
    waited += restarted
    # A placement that rolls out by itself: until the hub snapshots this deploy's objects and its
    # revision record, its conditions describe the snapshot before (model/fleet_wait.py).
    rolling = fleet and any(fleet_wait.rolls_out_by_itself(o) for o in waited)
    rule = fleet_wait.holding(fleet_wait.placed_keys(objects, record)) if rolling else None
    with output.status(f"waiting up to {timeout} for {len(waited)} object(s)") as update:
        warnings = wait_for(kube, waited, validate.duration(timeout, "--timeout"), progress=update, rule=rule)
    for warning in warnings:
        output.warn(warning)
    output.info("ready")


def _identity(obj: Mapping[str, Any]) -> tuple[str, str, str]:
    """An object's apiVersion, kind and name: one deploy renders each once, in one namespace."""
    return str(obj.get("apiVersion")), str(obj.get("kind")), str((obj.get("metadata") or {}).get("name"))
