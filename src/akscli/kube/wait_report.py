"""What a wait knows of each object it follows, and how a wait that ends badly explains itself: a
timeout names what is still not ready, its latest event and its pods' first problem (an
unschedulable pod's autoscaler note, read only then), a controller's failure its reason and what
failed inside; each with the one thing to do. kube/wait.py runs the wait.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from akscli import errors
from akscli.kube import (
    claim_wait,
    kaito_claims,
    kaito_crash,
    kaito_plugins,
    mount_wait,
    pod_hints,
    pod_problems,
    readiness,
    rollout_room,
    scale_up,
    scheduling,
    volume_binding,
    volume_limits,
)
from akscli.kube.client import Kube
from akscli.kube.events import object_events
from akscli.kube.readiness import kaito_faults


@dataclass
class Watched:
    """An object a wait follows, as the wait last saw it."""

    ref: str
    namespace: str | None
    readiness: readiness.Readiness
    seen: bool = False
    last: Mapping[str, Any] | None = None
    kind: str = ""  # the object's kind, which its events' involvedObject names
    pods: str | None = None  # the first problem of its pods, once they are followed (_follow_pods)


# The hint of a --timeout 0 wait that found what it waits for not there yet: it checked once, as kubectl
# wait does. Every wait's --timeout 0 ends with it (once_error, and timeout_error's ``once``).
ONCE = "--timeout 0 checks once and does not wait, as kubectl wait --timeout=0; give a longer --timeout to wait"


def not_met(names: str) -> str:
    """The opening of a --timeout 0 check that failed, in kubectl wait's words: "condition not met for
    %s" (upstream: kubernetes/kubectl dee3483a pkg/cmd/wait/condition.go getObjAndCheckCondition)."""
    return f"condition not met for {names}"


def once_error(ref: str, state: str) -> errors.WaitTimeoutError:
    """The one error of every wait whose ``--timeout 0`` check (one read, no watch, no poll: kubectl
    wait's "Zero means check once and don't wait", pkg/cmd/wait/wait.go) found ``ref`` not there
    yet; ``state``: where it stands. Exit 5, akscli's wait code, as a wait that ran out of time: kubectl
    exits 1 for both (its cmdutil.CheckErr), so 5 keeps akscli's one code for "not ready in time"."""
    return errors.WaitTimeoutError(not_met(f"{ref} ({state})" if state else ref), hint=ONCE)


def timeout_error(
    kube: Kube, timeout: float, pending: list[Watched], once: str | None = None
) -> errors.WaitTimeoutError:
    """The one error of a wait that ran out of time: what is still not ready, the first one's latest
    event, its pods' first problem and what to do about it. ``once``: the hint of a wait that checked
    once (--timeout 0), whose error opens as kubectl wait's does ("condition not met for %s":
    kubernetes/kubectl dee3483a pkg/cmd/wait/condition.go getObjAndCheckCondition)."""
    first = pending[0]
    event = _latest_event(kube, first)
    names = ", ".join(f"{s.ref} ({s.readiness.message})" for s in pending[:5])
    more = f" and {len(pending) - 5} more" if len(pending) > 5 else ""
    message = not_met(f"{names}{more}") if once else f"timed out after {timeout:g}s waiting for {names}{more}"
    if event:
        message += f"; latest event: {event}"
    hint = once or "raise --timeout, or look at the objects with kubectl describe; nothing was rolled back"
    # What the first pending object's rule says to do (a route no gateway answered), where it says.
    fixes = [s.readiness.fix for s in pending if s.readiness.fix]
    if fixes:
        hint = f"{fixes[0]}; nothing was rolled back"
    if refused := _claim_refused(kube, pending[:5]):
        message += refused.said
        hint = f"{refused.fix}; nothing was rolled back"
    workspaces = _workspaces(kube, pending[:5])  # KAITO's: one list of an InferenceSet's, read only here
    if plugin := _plugin_wait(kube, workspaces):
        message += f"; {plugin[0]} {plugin[1].said}"
        hint = f"{plugin[1].fix}; nothing was rolled back"
    trouble, owner = pod_problem(kube, pending[:5])
    if trouble:
        said, fix = explain(kube, trouble, owner)
        message += f"; {trouble}{said}"
        hint = f"{fix}; nothing was rolled back" if fix else hint
    elif held := _claim_wait(kube, pending[:5]):
        message += held.said
        hint = f"{held.fix}; nothing was rolled back"
    if crashed := _crash_cause(kube, workspaces):  # the server's own words, over pod_hints' generic fix
        message += f"; {crashed[0]}'s server exits: {crashed[1][0]} (its previous log says so)"
        hint = f"{crashed[1][1]}; nothing was rolled back"
    return errors.WaitTimeoutError(message, hint=hint)


def _claim_refused(kube: Kube, pending: list[Watched]) -> kaito_claims.ClaimError | None:
    """Azure's answer on the NodeClaim of a KAITO Workspace whose ResourceReady carries a NodeClaim's
    error (readiness.kaito.claim_fix), read from the NodeClaims (kaito_claims.py)."""
    for state in pending:
        if state.kind == "Workspace" and state.last and readiness.kaito.claim_fix(state.last):
            return kaito_claims.launch_error(kube, state.last)
    return None


def _workspaces(kube: Kube, pending: list[Watched]) -> list[tuple[str, Mapping[str, Any]]]:
    """(ref, Workspace) of each pending KAITO Workspace as the wait last saw it, and of an InferenceSet's
    Workspaces (by name) from one list of them (readiness.members_of); [] for anything else."""
    found: list[tuple[str, Mapping[str, Any]]] = []
    for state in pending:
        if state.kind == "Workspace" and state.last:
            found.append((state.ref, state.last))
        source = readiness.members_of(state.last) if state.kind == "InferenceSet" and state.last else None
        if source is None:
            continue
        try:
            listed = kube.list(source[0], source[1], namespace=state.namespace, label_selector=source[2])
            members = sorted(listed, key=lambda w: str((w.get("metadata") or {}).get("name")))
        except errors.AkscliError:
            continue
        found += [(f"workspace.kaito.sh/{(ws.get('metadata') or {}).get('name')}", ws) for ws in members]
    return found


def _plugin_wait(
    kube: Kube, workspaces: list[tuple[str, Mapping[str, Any]]]
) -> tuple[str, kaito_plugins.PluginWait] | None:
    """The node and device plugin pod the first KAITO Workspace held on NodePluginsNotReady waits on
    (readiness.kaito_faults.plugins_pending), read from its nodes (kaito_plugins.py)."""
    for ref, ws in workspaces:
        if kaito_faults.plugins_pending(ws) and (said := kaito_plugins.explain(kube, ws)):
            return ref, said
    return None


def _crash_cause(kube: Kube, workspaces: list[tuple[str, Mapping[str, Any]]]) -> tuple[str, tuple[str, str]] | None:
    """Why the server of the first KAITO Workspace that KAITO finds crash-looping
    (ContainerCrashLoopBackOff) exits, from its previous log (kaito_crash.py: one page of pods, one
    log read), and what to do; None where its log has no line akscli knows."""
    for ref, ws in workspaces:
        fault = kaito_faults.inference_fault(ws)
        if fault is not None and fault[0] == "ContainerCrashLoopBackOff":
            found = kaito_crash.cause(kube, ws, fault[1])
            return (ref, found) if found else None
    return None


def _claim_wait(kube: Kube, pending: list[Watched]) -> claim_wait.ClaimWait | None:
    """A pending workload's pod that the scheduler holds for its claims (claim_wait.py), or that
    waits in ContainerCreating for a Secret or ConfigMap volume (mount_wait.py): one page of pods,
    then its claims or volumes' objects, read only on a timeout with no other pod problem."""
    for state in pending:
        labels = pod_problems.selector_string(readiness.pod_selector(state.last)) if state.last else None
        if not labels:
            continue
        namespace = state.namespace or kube.namespace
        try:
            page = next(iter(kube.list_pages("v1", "Pod", namespace=namespace, label_selector=labels, page_size=50)))
        except (errors.AkscliError, StopIteration):
            continue
        items = page.get("items") or []
        found = claim_wait.explain(kube, namespace, items) or mount_wait.explain(kube, namespace, items)
        if found:
            return found
    return None


def pod_problem(kube: Kube, pending: list[Watched]) -> tuple[pod_problems.Problem | None, Any]:
    """The first problem of a pending workload's pods (one page of pods, read only on timeout),
    and that workload."""
    for state in pending:
        selector = readiness.pod_selector(state.last) if state.last else None
        # first_problem reads nothing for an empty selector (selector_string is None).
        found = pod_problems.first_problem(kube, state.namespace, selector) if selector else None
        if found:
            return found, state.last
    return None, None


def explain(kube: Kube, trouble: pod_problems.Problem | None, owner: Any = None) -> tuple[str, str | None]:
    """``("; <the autoscaler's words>", hint)`` for a pod's problem: an unschedulable pod's
    events are read (one request, only here: a wait that ends well reads none) for what the
    cluster autoscaler does about it, and, unless it is adding a node, whether the pod's old
    pod holds what it needs (rollout_room); ``("", None)`` leaves the plain hint."""
    if trouble is None:
        return "", None
    if trouble.kind != pod_problems.UNSCHEDULABLE:
        return "", pod_hints.fix(trouble)
    namespace = trouble.namespace or kube.namespace
    if failed := claim_wait.prebind_failed(kube, namespace, trouble.message, trouble.source):
        return failed.said, failed.fix  # a PreBind error is no autoscaler's business
    # The pod as the page of pods had it: read_note reads it by name only without it.
    said = scale_up.read_note(kube, trouble.namespace or kube.namespace, trouble.pod, trouble.source)
    held = None if said is not None and said.adding else rollout_room.held_by_old_pod(kube, trouble, owner)
    if held:
        return held
    if said is None:
        return "", _unschedulable_fix(kube, trouble)
    if said.adding:
        return f"; {said.clause}", f"{said.fix}, and a new node takes minutes to join: raise --timeout"
    return f"; {said.clause}", said.fix


def _latest_event(kube: Kube, state: Watched) -> str | None:
    name, namespace = state.ref.rpartition("/")[2], state.namespace
    try:
        found = object_events(kube, namespace or kube.namespace, name)
    except errors.AkscliError:
        return None
    found = [e for e in found if (e.get("involvedObject") or {}).get("kind") == state.kind] or found
    if not found:
        return None
    latest = found[-1]
    return f"{latest.get('reason', '')}: {latest.get('message', '')}".strip(": ")


# The hint for a pod no node fits when no autoscaler said anything about it.
_UNSCHEDULABLE_FIX = (
    "no node has room for the pod as the scheduler says: add nodes or free capacity, or "
    "raise --timeout if an autoscaler is adding nodes"
)


def _unschedulable_fix(kube: Kube, trouble: pod_problems.Problem) -> str:
    """The hint for a pod no node takes, no autoscaler having said why. When the scheduler's
    NodeAffinity filter turned down every node (``0/N nodes are available: N node(s) didn't match
    Pod's node affinity/selector``: a pool with no nodes, a misspelt pool), adding room on the
    nodes there are would not help, so the hint says that no node matches, and the pool the pod
    asks for by name. A cluster with no node at all (scheduling.NO_NODES) is told so, and a pod
    VolumeBinding's PreFilter holds for an unbound claim (kubernetes/kubernetes
    pkg/scheduler/framework/plugins/volumebinding/volume_binding.go PreFilter, "pod has unbound
    immediate PersistentVolumeClaims") is told to look at its claims, and at the class one of
    them names where the cluster does not have it."""
    namespace = trouble.namespace or kube.namespace
    held = volume_binding.held_fix(
        trouble.message, trouble.source, namespace, lambda claims: _missing_classes(kube, namespace, claims)
    )
    if held:
        return held
    if trouble.message == scheduling.NO_NODES:
        return (
            "the cluster has no nodes (kubectl get nodes lists none): add nodes, or raise --timeout "
            "if an autoscaler is adding nodes"
        )
    found = re.match(r"0/(\d+) nodes are available: (.*)", trouble.message)
    if not found or f"{found.group(1)} {scheduling.AFFINITY_REASON}" not in found.group(2).split(". preemption")[0]:
        return _UNSCHEDULABLE_FIX
    pool = scale_up.asked_pool(trouble.source)
    asks = f" (it asks for node pool {pool})" if pool else ""
    return (
        f"no node matches the pod's node selector or affinity{asks}: add nodes that match, or fix the "
        "selector; raise --timeout if an autoscaler is adding nodes"
    )


def _missing_classes(kube: Kube, namespace: str, claims: list[str]) -> dict[str, str]:
    """The claims (of ``claims``, not bound) whose StorageClass is not found: claim -> class. A
    claim or class that cannot be read is left out (the plain hint is then given)."""
    missing: dict[str, str] = {}
    try:
        for name in claims:
            claim = kube.get("v1", "PersistentVolumeClaim", name, namespace=namespace)
            cls = volume_limits.claim_class(claim) if claim is not None else ""
            if claim is None or not cls or volume_binding.fully_bound(claim):
                continue
            if kube.get("storage.k8s.io/v1", "StorageClass", cls) is None:
                missing[name] = cls
    except errors.AkscliError:
        pass
    return missing


def failure_error(ref: str, verdict: readiness.Readiness) -> errors.AkscliError:
    """The one error of a wait that a controller ended: reason, message and what failed inside;
    for a held object (Readiness.held: it waits for the user) the state that forbids the wait, exit 4."""
    fix = verdict.fix or f"inspect it with kubectl describe {ref.lower()}"
    if verdict.held:
        return errors.ConflictError(f"{ref} is {verdict.message}", hint=f"{fix}; nothing was rolled back")
    message = f"{ref} failed: {verdict.message}"
    if verdict.culprit:
        message += f"; {verdict.culprit}"
    return errors.ObjectFailedError(message, hint=f"{fix}; nothing was rolled back")
