"""Waiting for objects to become ready, by watching them (never by polling).

Objects are grouped by (apiVersion, kind, namespace). An object given as the API server answered
its write (``apply --wait`` and ``model deploy --wait`` pass each answer) is judged on that answer
first, and a group ready on it reads nothing; one that is not is watched by its name from the
answer's resourceVersion, with no list (up to ``NAMED_FOLLOWS`` of a group: client-go's Until from
an initial version), so that no state it passed through after the write is lost to a late start.
Each other group is listed once (a watch-list where the server serves one), then watched from the
list's resourceVersion (kube/reflector.py: resumed from the last version seen, listed again on 410
Gone). A group of one object is narrowed on the server by its name, a
group of several by the stack label akscli put on each (``selector_of``); a group whose objects
share none is followed object by object, each by its name, as kubectl wait does, up to
``NAMED_FOLLOWS`` objects; a larger such group is one follow of the kind in its namespace, which
keeps only the group's objects (a cluster-scoped kind's group is followed by name whatever its size:
the kind whole would be every Node of the cluster). So a wait in a namespace of thousands of
objects of the kind pages through them at most once per such group, and holds one watch per group
or per named object, at most ``max_parallel`` at once. Groups are followed in parallel by a
bounded pool. An object whose verdict also reads objects it owns (``readiness.members_of``: a
KAITO InferenceSet's Workspaces) has them followed too, with one label-selected list and watch, never a GET per member.
An object that is still not ready ``POD_LOOK_AFTER`` seconds into the wait has its pods (``readiness.pod_selector``)
followed too, one label-selected list and watch for each of at most ``POD_FOLLOWS`` such objects at a time (a
follow freed by a ready object takes the next pending one), so that the progress line names a pod's problem
(the scheduler's PodScheduled=False message, the kubelet's waiting reason) as soon as it is known, not only in
the timeout's error; a wait that ends sooner reads no pods. An object whose pods its status names (a RayJob's,
from ``status.rayClusterName``) is followed once the watch has seen that status, and again under the new
selector when it changes (a retried RayJob's new cluster).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from akscli import concurrency, errors
from akscli.kube import pod_problems, readiness, reflector, wait_report
from akscli.kube.client import Kube
from akscli.kube.wait_report import ONCE, Watched
from akscli.output import kind_ref, object_ref
from akscli.render import MANAGED_BY, STACK_LABEL

Progress = Callable[[str], None]

# The most objects of one group followed each by its name (one watch each). A group of more objects
# with no stack label in common is one follow of the kind in its namespace: the API server's field
# selectors have no set of names (kubernetes/apimachinery pkg/fields/selector.go: =, == and != only),
# so names are not batched in one request; and followed each by its name, a group larger than the
# wait's pool of 8 workers would queue, its later objects unseen until earlier ones are ready.
NAMED_FOLLOWS = 8
# A wait that has not ended this many seconds in follows the pods of its pending objects (a
# controller's status such as KubeRay's RayClusterPodsProvisioning does not say why a pod waits); a
# wait that ends sooner reads no pods. 10 s is the cluster autoscaler's default scan-interval on AKS
# (MicrosoftDocs/azure-aks-docs fb060abe articles/aks/cluster-autoscaler.md, "How often the cluster is
# reevaluated for scale up or down. | 10 seconds"): by then an unschedulable pod has been seen by the
# autoscaler once, so what the line names is what it left standing, and a wait on objects that are
# ready in a few seconds (a warm cluster, a ConfigMap) sends no pod request at all.
POD_LOOK_AFTER = 10.0
# At most this many pod watches at once, on top of the wait's own (at most max_parallel, 8): each is
# one more open watch on the API server. A follow freed by a ready object takes the next pending one
# (_claim_pods), so a wait of more pending objects still follows each in turn; the progress line names
# one object's pod problem at a time, and the timeout's error reads the pods of its first 5 pending
# objects (one page each) whatever this is.
POD_FOLLOWS = 4


_Key = tuple[str, str, str | None, str]  # a waited object: apiVersion, kind, namespace, name
_Events = Iterable[tuple[str, dict[str, Any]]]


def ref_of(obj: Mapping[str, Any]) -> str:
    """How a wait's progress, timeout and failure name an object: ``kind.group/name``, as the
    plan and the apply's confirmations just before them do (output.object_ref, lists4's one rule)."""
    return object_ref(obj)


class Waiter:
    def __init__(
        self,
        kube: Kube,
        objects: Iterable[Mapping[str, Any]],
        timeout: float,
        progress: Progress | None = None,
        max_parallel: int = 8,
        rule: readiness.Rule | None = None,
    ) -> None:
        self.kube = kube
        # One rule for every object instead of each kind's own (e.g. "scheduled" for a placement).
        self.rule = rule or readiness.check
        self.deadline = time.monotonic() + timeout
        self.timeout = timeout
        self.progress = progress or (lambda _msg: None)
        self.max_parallel = max_parallel
        self.groups: dict[tuple[str, str, str | None], set[str]] = {}
        # The labels every object of a group carries (None: none in common), its list's selector.
        self.group_labels: dict[tuple[str, str, str | None], dict[str, str] | None] = {}
        self.states: dict[tuple[str, str, str | None, str], Watched] = {}
        self.lock = threading.Lock()
        self.failure: errors.AkscliError | None = None
        self.cancel = concurrency.Cancellation()
        # The objects whose verdict reads members: the members' (apiVersion, kind, selector),
        # the members seen (by name), and the cancellation of each watch (groups' and members').
        self.member_sources: dict[tuple[str, str, str | None, str], tuple[str, str, str]] = {}
        self.members: dict[tuple[str, str, str | None, str], dict[str, Mapping[str, Any]]] = {}
        self.cancels: dict[tuple[str | None, ...], concurrency.Cancellation] = {}
        # Objects given as the API server answered a write (they carry a resourceVersion): judged
        # first, so that a group ready on them (a ConfigMap, a Service) sends no list at all.
        self.answered: dict[tuple[str, str, str | None, str], Mapping[str, Any]] = {}
        # The objects whose pods may be followed once the wait has lasted POD_LOOK_AFTER (a kind
        # with pods: readiness.names_pods), as given; ``pods_following``: the pod selector and the
        # watch's cancellation of each object followed now (at most POD_FOLLOWS); ``pods_changed``
        # wakes a follow looking for an object to take when an object changes; ``settled`` ends the
        # delay early when the wait is over.
        self.pod_sources: dict[tuple[str, str, str | None, str], Mapping[str, Any]] = {}
        self.pods_following: dict[tuple[str, str, str | None, str], tuple[str, concurrency.Cancellation]] = {}
        self.pods_changed = threading.Condition(self.lock)
        self.settled = threading.Event()
        for obj in objects:
            api_version, kind = str(obj["apiVersion"]), str(obj["kind"])
            resource = kube.resource(api_version, kind)
            ns = (obj.get("metadata", {}).get("namespace") or kube.namespace) if resource.namespaced else None
            name = str(obj["metadata"]["name"])
            self.groups.setdefault((api_version, kind, ns), set()).add(name)
            labels = (obj.get("metadata") or {}).get("labels") or {}
            group = (api_version, kind, ns)
            self.group_labels[group] = common_labels(self.group_labels.get(group, labels), labels)
            self.states[(api_version, kind, ns, name)] = Watched(
                ref_of(obj), ns, readiness.Readiness(False, message="not seen yet"), kind=kind
            )
            if (obj.get("metadata") or {}).get("resourceVersion"):
                self.answered[(api_version, kind, ns, name)] = obj
            source = readiness.members_of(obj) if rule is None and ns is not None else None
            if source is not None:
                self.member_sources[(api_version, kind, ns, name)] = source
                self.members[(api_version, kind, ns, name)] = {}
            if rule is None and ns is not None and readiness.names_pods(obj):
                self.pod_sources[(api_version, kind, ns, name)] = obj
        for key in [*self.groups, *self.member_sources]:
            self.cancels[key] = concurrency.Cancellation()

    def run(self) -> list[str]:
        """Wait; the warnings of objects that are ready with one (``Readiness.warning``)."""
        if not self.groups:
            return []
        # The server's answer to the write is the object as it is now: the list that would follow
        # says the same, and a group whose objects are all ready on it is not followed (_follow).
        for state_key, obj in self.answered.items():
            self._update(state_key[:3], obj)
        if self.timeout == 0:
            return self._check_once()
        # A member watch has a worker of its own: queued behind its owner's, it could not end it.
        follows = self._follows()
        pod_follows = min(POD_FOLLOWS, len(self.pod_sources))
        workers = min(self.max_parallel, len(follows)) + len(self.member_sources) + pod_follows
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="akscli-wait")
        try:
            with concurrency.deferred_interrupts():
                futures = [pool.submit(self._follow_members, key) for key in self.member_sources]
                futures += [pool.submit(self._follow, key, names) for key, names in follows]
                futures += [pool.submit(self._pod_follower) for _ in range(pod_follows)]
                # A failure ends the wait at once, even while other groups' watches are quiet.
                concurrency.wait(futures, stop=lambda: self.failure is not None)
            concurrency.raise_first_failure(futures)
        finally:
            # The watches still open (Ctrl-C, a failure elsewhere) are shut, so their threads
            # end now rather than when their timeoutSeconds runs out.
            self.cancel.cancel()
            self._settle()
            for cancel in self.cancels.values():
                cancel.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
        return self._outcome()

    def _check_once(self) -> list[str]:
        """--timeout 0: each object checked once and no watch, as kubectl wait --timeout=0 ("Zero
        means check once and don't wait"): one GET of each object not ready on the write's answer, and
        an object that is not there is its not-found error (upstream: kubernetes/kubectl dee3483a
        pkg/cmd/wait/condition.go getObjAndCheckCondition, ``if o.Timeout == 0``: a Get, its error
        returned, then "condition not met for %s" where the check fails; pkg/cmd/wait/wait.go the flag's help)."""
        for (api_version, kind, ns, name), state in self.states.items():
            if state.readiness.ready or self.failure is not None:
                continue
            found = self.kube.get(api_version, kind, name, namespace=ns)
            if found is None:
                raise errors.NotFoundError(f"{state.ref} not found", hint=f"{ONCE}; create it first")
            self._update((api_version, kind, ns), found)
        return self._outcome(once=True)

    def _outcome(self, once: bool = False) -> list[str]:
        """The end of a wait: the first failure, or what is still pending (the timeout's error, or
        with ``once`` the check's), or the ready objects' warnings."""
        if self.failure:
            failed = [s for s in self.states.values() if s.readiness.failed]
            trouble, owner = wait_report.pod_problem(self.kube, failed[:1])
            said, fix = wait_report.explain(self.kube, trouble, owner)
            if trouble and str(trouble) not in self.failure.message:
                self.failure.message += f"; {trouble}{said}"
            if fix:
                self.failure.hint = f"{fix}; nothing was rolled back"
            raise self.failure
        pending = [s for s in self.states.values() if not s.readiness.ready]
        if pending:
            raise wait_report.timeout_error(self.kube, self.timeout, pending, once=ONCE if once else None)
        # A warning names its object as kubectl's -o name does (output.object_ref, lists4's one rule).
        return [
            f"{kind_ref(api_version, kind, name)} {s.readiness.warning}"
            for (api_version, kind, _, name), s in self.states.items()
            if s.readiness.warning
        ]

    def _follows(self) -> list[tuple[tuple[str, str, str | None], set[str]]]:
        """What each worker follows: each object the command wrote, by its name from its answer (up
        to NAMED_FOLLOWS of a group; more are followed as the group is, from a list: one watch each
        would queue on the bounded pool); the rest of a group narrowed by the stack label its objects share, or,
        where they share none, each of its objects by its name, as kubectl wait watches each
        object (upstream: kubernetes/kubectl dee3483 pkg/cmd/wait/condition.go,
        ``OneTermEqualSelector("metadata.name", ...)`` per object, one object after another), up to
        NAMED_FOLLOWS of them; a larger group with no stack label is followed whole (_follow keeps
        its objects only), except for a cluster-scoped kind: there the kind whole is every Node,
        Namespace or ClusterRole of the cluster (75,000 Nodes, each status update heard), so its
        objects are followed by name whatever their number, queued on the bounded pool as kubectl
        wait takes one object after another."""
        follows: list[tuple[tuple[str, str, str | None], set[str]]] = []
        for key, all_names in self.groups.items():
            # What this command wrote (the server answered it): each followed from its answer (_follow).
            answered = {name for name in all_names if (*key, name) in self.answered}
            names = all_names
            if answered and (len(answered) <= NAMED_FOLLOWS or key[2] is None):
                follows += [(key, {name}) for name in sorted(answered)]
                names = all_names - answered
                if not names:
                    continue
            by_name = len(names) <= NAMED_FOLLOWS or key[2] is None  # key[2]: None for a cluster-scoped kind
            if len(names) > 1 and by_name and selector_of(self.group_labels.get(key)) is None:
                follows += [(key, {name}) for name in sorted(names)]
            else:
                follows.append((key, names))
        return follows

    def _pending(self, key: tuple[str, str, str | None], names: set[str]) -> set[str]:
        with self.lock:
            return {n for n in names if not self.states[(*key, n)].readiness.ready}

    def _update(
        self, key: tuple[str, str, str | None], obj: Mapping[str, Any], deleted: bool = False, by_members: bool = False
    ) -> None:
        name = str((obj.get("metadata") or {}).get("name"))
        state_key = (*key, name)
        if state_key not in self.states:
            return
        verdict = readiness.Readiness(False, message="deleted") if deleted else self._verdict(state_key, obj)
        if verdict.ready and state_key in self.member_sources and not by_members:
            verdict = self._confirm_members(state_key, obj)
        if verdict.ready and state_key in self.member_sources and not by_members:
            self.cancels[state_key].cancel()  # its members no longer matter
        with self.lock:
            state = self.states[state_key]
            if by_members and self.cancels[state_key].cancelled:
                return  # the owner's own change made it ready on fresher members (_confirm_members)
            changed = verdict != state.readiness
            state.readiness, state.seen = verdict, True
            state.last = None if deleted else obj
            following = self.pods_following.get(state_key)
            # Its pods no longer matter once it is ready; under a new selector they are others.
            if following and (verdict.ready or self._pods_of(state_key) != following[0]):
                following[1].cancel()
            self.pods_changed.notify_all()
            if verdict.failed and self.failure is None:
                self.failure = wait_report.failure_error(state.ref, verdict)
            ready = sum(1 for s in self.states.values() if s.readiness.ready)
            total = len(self.states)
            waiting = next((s for s in self.states.values() if not s.readiness.ready), None)
        if waiting is None or self.failure is not None:
            self._settle()
        if changed:
            detail = verdict.message
            if not verdict.ready and state.pods:
                detail = f"{detail}; {state.pods}" if detail else state.pods
            if verdict.ready:
                detail = f"ready ({verdict.warning})" if verdict.warning else "ready"
                # The status line repeats the last line every 30 s until the next change: it
                # names what the wait is still waiting for, not only what just became ready.
                if waiting is not None:
                    why = f": {waiting.readiness.message}" if waiting.readiness.message else ""
                    why += f"; {waiting.pods}" if waiting.pods else ""
                    detail += f"; still waiting for {waiting.ref}{why}"
            self.progress(f"{ready}/{total} ready; {state.ref}" + (f": {detail}" if detail else ""))

    def _verdict(self, state_key: tuple[str, str, str | None, str], obj: Mapping[str, Any]) -> readiness.Readiness:
        if state_key not in self.member_sources:
            return self.rule(obj)
        with self.lock:
            members = list(self.members[state_key].values())
        return readiness.check_with_members(obj, members)

    def _confirm_members(
        self, state_key: tuple[str, str, str | None, str], obj: Mapping[str, Any]
    ) -> readiness.Readiness:
        """The verdict again on the members as the API server has them now (one label-selected
        list), when the owner's own change made it ready: its members' watch is another stream,
        and may not yet have delivered what the owner's controller wrote to them before writing
        the owner (AI Runway's vllm provider updates its Deployment, then reports Running from
        that Deployment's status: ai-runway/airunway b0d3fb77 providers/vllm/controller.go
        Reconcile, createOrUpdateResource then syncStatus). A list without a resourceVersion is
        served from etcd, a quorum read (kubernetes/kubernetes
        staging/src/k8s.io/apiserver/pkg/storage/cacher/delegator.go ShouldDelegateList), so it
        holds every write made before the owner's."""
        api_version, kind, selector = self.member_sources[state_key]
        try:
            fresh: dict[str, Mapping[str, Any]] = {
                str((m.get("metadata") or {}).get("name")): m
                for m in self.kube.list(api_version, kind, namespace=state_key[2], label_selector=selector)
            }
        except errors.AkscliError:
            return readiness.Readiness(False, message="its members could not be read; watching them")
        with self.lock:
            self.members[state_key] = fresh
        return self._verdict(state_key, obj)

    def _follow(self, key: tuple[str, str, str | None], names: set[str]) -> None:
        api_version, kind, ns = key
        if not self._pending(key, names) or self.failure is not None or time.monotonic() >= self.deadline:
            return
        selector = selector_of(self.group_labels.get(key)) if len(names) > 1 else None
        one = next(iter(names)) if len(names) == 1 else None
        for event, obj in reflector.list_and_watch(
            self.kube,
            api_version,
            kind,
            namespace=ns,
            name=one,
            label_selector=selector,
            seconds_left=lambda: self.deadline - time.monotonic(),
            cancel=self.cancels[key],
            # The kind whole (a group of more than NAMED_FOLLOWS with no stack label), or a stack's
            # objects less those followed from their answers: the group's objects only.
            keep=(lambda obj: (obj.get("metadata") or {}).get("name") in names) if len(names) > 1 else None,
            # An object this command wrote is watched from its answer's resourceVersion, not from a
            # list made after it, so that every state it passed through since (a short Retrying, a
            # condition set and cleared) is judged and said, however late the follow begins
            # (upstream: kubernetes/client-go v0.35.0 tools/watch/until.go Until from an initial
            # version; a 410 Gone relists, as kube/reflector.py does).
            start=self.answered.get((*key, one)) if one is not None else None,
        ):
            self._update(key, obj, deleted=event == "DELETED")
            if not self._pending(key, names) or self.failure is not None:
                return

    def _settle(self) -> None:
        """The wait is over (every object ready, or one failed): end the pods' delay and watches."""
        self.settled.set()
        with self.lock:
            following = [cancel for _, cancel in self.pods_following.values()]
            self.pods_changed.notify_all()
        for cancel in following:
            cancel.cancel()

    def _pods_of(self, state_key: tuple[str, str, str | None, str]) -> str | None:
        """The label selector of the object's pods as last seen (as given until the watch sees it)."""
        obj = self.states[state_key].last or self.pod_sources[state_key]
        return pod_problems.selector_string(readiness.pod_selector(obj))

    def _pod_follower(self) -> None:
        """One of at most POD_FOLLOWS pod follows: once the wait has lasted POD_LOOK_AFTER, take a
        pending object (_claim_pods) and follow its pods until it is ready or its selector changes,
        then take the next, until none is left or the wait is over."""
        delay = max(0.0, min(POD_LOOK_AFTER, self.deadline - time.monotonic()))
        if self.settled.wait(delay):
            return
        while (claim := self._claim_pods()) is not None:
            state_key, selector, cancel = claim
            try:
                self._follow_pods(state_key, selector, cancel)
            finally:
                with self.lock:
                    self.pods_following.pop(state_key, None)

    def _claim_pods(self) -> tuple[tuple[str, str, str | None, str], str, concurrency.Cancellation] | None:
        """The first pending object that no follow has, whose pods' selector is known, with a new
        cancellation; waits for a change while pending objects still lack a selector (a RayJob
        before KubeRay names its cluster); None when none is left or the wait is over."""
        with self.lock:
            while not (self.settled.is_set() or self.failure is not None or time.monotonic() >= self.deadline):
                unnamed = False
                for key in self.pod_sources:
                    if key in self.pods_following or self.states[key].readiness.ready:
                        continue
                    selector = self._pods_of(key)
                    if selector is None:
                        unnamed = True
                        continue
                    cancel = concurrency.Cancellation()
                    self.pods_following[key] = (selector, cancel)
                    return key, selector, cancel
                if not unnamed:
                    return None
                self.pods_changed.wait(max(0.0, self.deadline - time.monotonic()))
        return None

    def _follow_pods(
        self, state_key: tuple[str, str, str | None, str], selector: str, cancel: concurrency.Cancellation
    ) -> None:
        """Follow the pods of one pending object (one label-selected list and watch) and print its
        first pod's problem whenever it changes."""
        if self._pods_done(state_key):
            return
        problems: dict[str, str] = {}
        for event, pod in reflector.list_and_watch(
            self.kube,
            "v1",
            "Pod",
            namespace=state_key[2],
            label_selector=selector,
            seconds_left=lambda: self.deadline - time.monotonic(),
            cancel=cancel,
        ):
            name = str((pod.get("metadata") or {}).get("name"))
            found = None if event == "DELETED" else pod_problems.problem(pod)
            if found is None:
                problems.pop(name, None)
            else:
                problems[name] = str(found)
            first = problems[min(problems)] if problems else None
            with self.lock:
                state = self.states[state_key]
                changed, state.pods = first != state.pods, first
                ready = sum(1 for s in self.states.values() if s.readiness.ready)
                message = state.readiness.message
            if changed and first and not state.readiness.ready:
                self.progress(
                    f"{ready}/{len(self.states)} ready; {state.ref}: " + (f"{message}; " if message else "") + first
                )
            if self._pods_done(state_key) or cancel.cancelled:
                return

    def _pods_done(self, state_key: tuple[str, str, str | None, str]) -> bool:
        return self.failure is not None or self.states[state_key].readiness.ready or time.monotonic() >= self.deadline

    def _follow_members(self, state_key: tuple[str, str, str | None, str]) -> None:
        """Follow the members of one object (one list and watch by label in its namespace) and
        judge the object again on each change; when that makes its group ready, end the group's
        watch, which would otherwise wait for a change of the object itself."""
        api_version, kind, selector = self.member_sources[state_key]
        group = state_key[:3]
        events = reflector.list_and_watch(
            self.kube,
            api_version,
            kind,
            namespace=state_key[2],
            label_selector=selector,
            seconds_left=lambda: self.deadline - time.monotonic(),
            cancel=self.cancels[state_key],
        )
        try:
            self._judge_members(state_key, group, events)
        except errors.NotInstalledError:
            # An unserved kind has no members; the owner's status says what its controller made of it
            # (ai-runway/airunway b0d3fb77 providers/kuberay/controller.go Reconcile: Failed, "no matches for kind").
            return

    def _judge_members(self, state_key: _Key, group: tuple[str, str, str | None], events: _Events) -> None:
        for event, obj in events:
            name = str((obj.get("metadata") or {}).get("name"))
            with self.lock:
                if event == "DELETED":
                    self.members[state_key].pop(name, None)
                else:
                    self.members[state_key][name] = obj
                owner = self.states[state_key].last
            if owner is not None:
                self._update(group, owner, by_members=True)
            if self.failure is not None:
                return
            if self.states[state_key].readiness.ready:
                if not self._pending(group, self.groups[group]):
                    self.cancels[group].cancel()
                return


def common_labels(known: Mapping[str, str] | None, labels: Mapping[str, Any]) -> dict[str, str] | None:
    """The labels of ``known`` that ``labels`` carries with the same value (None when none): what
    every object of a wait group carries, folded one object at a time."""
    if not known:
        return None
    kept = {k: v for k, v in known.items() if isinstance(v, str) and labels.get(k) == v}
    return kept or None


def selector_of(labels: Mapping[str, str] | None) -> str | None:
    """The label selector of akscli's own stack labels where every object of a group carries
    them, else None (each object of the group is then followed by its name: Waiter._follows):
    the stack labels are akscli's field in its server-side apply, and no controller changes them,
    so an object never leaves the selection while it is waited for; another label might be a
    controller's to change."""
    ours = {k: labels[k] for k in (STACK_LABEL, MANAGED_BY) if labels and k in labels}
    if STACK_LABEL not in ours:
        return None
    return ",".join(f"{k}={v}" for k, v in sorted(ours.items()))


def wait_for(
    kube: Kube,
    objects: Iterable[Mapping[str, Any]],
    timeout: float,
    progress: Progress | None = None,
    rule: readiness.Rule | None = None,
) -> list[str]:
    """Block until every object is ready (by its kind's rule, or ``rule``); WaitTimeoutError names what
    is still not ready, ObjectFailedError what its controller failed for good. Returns the warnings
    of objects that are ready with one, for the caller to show."""
    return Waiter(kube, objects, timeout, progress, rule=rule).run()


def check_once(kube: Kube, obj: Mapping[str, Any], rule: readiness.Rule) -> Mapping[str, Any]:
    """--timeout 0 of a follow that hands its object back (ray job submit|status --wait): the wait's own
    check once (Waiter._check_once: ``obj`` judged by ``rule`` where it is a server's answer, else or
    when not ready one GET; "condition not met for ..." with its event and pods, exit 5), not a copy of
    it. The object as the check last saw it."""
    waiter = Waiter(kube, [obj], 0, rule=rule)
    waiter.run()
    return next(iter(waiter.states.values())).last or obj
