"""Is this cluster ready for akscli's command groups?

For each component a group relies on (KAITO, KubeRay, the NVIDIA GPU Operator, KEDA, Gateway
API and its inference extension, the Fleet member agent, a metrics source, GPU nodes) the doctor
checks that its CRDs exist and serve the version akscli speaks, that its operator has a ready
pod, and that the admission webhooks it registers have a ready backend (a webhook with no ready
pod fails every create of its kinds). Each gap carries the fix.

What blocks: with ``--for``, a gap in a component the named groups require. Without ``--for``,
a required component blocks only where it is present (its CRDs or its operator's pods exist:
someone installed it) and not working; a component nobody installed is reported, not blocking.
The GPU driver stack (GPU Operator or AKS's own driver) is judged by ``akscli.gpu.stack``, the
same rules ``baremetal doctor`` applies. Operator pods are found by the labels of every documented
install method (Helm chart, kustomize manifests, AKS add-on), each cited where it is listed. An
operator Deployment whose rollout has not finished (its new pod Pending or crash-looping, the
old one still serving or already gone) is a finding of its own (akscli.doctor.rollout).

Every read is a get by name or a label-selected, paginated list that stops at the first hit, so
the cost does not grow with the size of the cluster.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from akscli.doctor import rollout as doctor_rollout
from akscli.doctor.checklist import Component, components
from akscli.doctor.probes import (
    MISSING,
    NOT_READY,
    OK,
    UNKNOWN,
    apiservice,
    apiservice_fix,
    crd,
    gateway_class,
    gpu_nodes,
    labelled_node,
    operator_pods,
    webhooks,
)
from akscli.errors import CheckFailedError, UsageError
from akscli.gpu import stack as gpu_stack
from akscli.kube.client import Kube
from akscli.statuslines import as_invoked

if TYPE_CHECKING:
    from akscli.doctor import keda as doctor_keda
    from akscli.nap.health import ClassHealth

GROUPS = ("model", "ray", "fleet", "baremetal", "gpu")


@dataclass(frozen=True)
class Result:
    component: str
    check: str
    status: str  # ok | missing | not-ready | unknown
    detail: str
    groups: tuple[str, ...]
    required: bool
    fix: str = ""
    present: bool = True  # the component is installed (its CRDs or operator pods exist)

    @property
    def ok(self) -> bool:
        return self.status == OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "check": self.check,
            "status": self.status,
            "detail": self.detail,
            "neededBy": list(self.groups),
            "severity": "required" if self.required else "optional",
            "installed": self.present,
            "fix": self.fix if not self.ok else "",
        }


def parse_groups(values: Sequence[str]) -> tuple[str, ...]:
    """``--for model,ray`` (repeatable) into a tuple of known groups; empty means all."""
    chosen: list[str] = []
    for value in values:
        for part in value.split(","):
            name = part.strip().lower()
            if not name:
                continue
            if name not in GROUPS:
                hint = "use any of: " + ", ".join(GROUPS)
                owners = next((c.groups for c in components() if name in (c.id, c.title.lower())), None)
                if owners:  # `--for kaito`: a component, checked for the groups that use it
                    hint = f"{name} is a component that --for {','.join(owners)} checks; " + hint
                raise UsageError(f"unknown command group {name!r} in --for", hint=hint)
            if name not in chosen:
                chosen.append(name)
    return tuple(chosen)


def run(kube: Kube, groups: Sequence[str] = (), signed_in: doctor_keda.SignedIn | None = None) -> list[Result]:
    """Every check of every component a chosen group uses (all when none is chosen).

    Without ``groups`` a component blocks only where it is installed: a cluster that never had
    KubeRay is not "broken for ray", it simply does not offer it."""
    results: list[Result] = []
    chosen = [comp for comp in components() if not groups or set(groups) & set(comp.groups)]
    checked = {comp.id: list(_check(kube, comp, signed_in)) for comp in chosen}
    working = {c.id: c.title for c in chosen if checked[c.id] and all(x.status == OK for x in checked[c.id])}
    for comp in chosen:
        needed_by = tuple(g for g in comp.groups if not groups or g in groups)
        checks = checked[comp.id]
        present = any(c.present for c in checks)
        if not present and (cover := next((a for a in comp.alternatives if a in working), None)):
            # Not installed, and another component does its job: say so, with no fix to follow.
            checks = [
                c
                if c.status == OK
                else replace(c, status=OK, detail=f"{c.detail}; not needed while {working[cover]} works")
                for c in checks
            ]
        for c in checks:
            # What is lost without the component is said of a gap found, not of a check that
            # could not tell (an API server that lists no aggregated APIs, say), nor of a warning
            # that loses nothing (a rollout that leaves the old operator pod serving).
            note = f" ({comp.note})" if comp.note and c.status != UNKNOWN and c.blocking else ""
            fix = "" if c.status == OK else (c.fix or comp.fix) + note
            fix = as_invoked(fix)  # a fix that runs akscli names it as akscli was run (kubectl akscli)
            required = comp.required and c.blocking and (bool(groups) or present)
            results.append(Result(comp.id, c.name, c.status, c.detail, needed_by, required, fix, present))
    return results


def found_and_absent(results: Sequence[Result]) -> tuple[list[str], list[str]]:
    """Component ids that are installed, and those that are not (in the order checked)."""
    present = {r.component: r.present for r in results}
    return [c for c, p in present.items() if p], [c for c, p in present.items() if not p]


def working_and_not(found: Sequence[str], results: Sequence[Result]) -> tuple[list[str], list[str]]:
    """Of the installed components, those whose every check is ok, and those with a gap (CRDs
    served but no operator pod, say): the summary lists the two apart, not a gap as "found"."""
    gaps = {r.component for r in results if not r.ok}
    return [c for c in found if c not in gaps], [c for c in found if c in gaps]


def missing_and_covered(absent: Sequence[str], results: Sequence[Result]) -> tuple[list[str], list[str]]:
    """Of the components not installed, those missed, and those another component covers (its
    checks turned ok by run: "not needed while ... works"): the summary lists the two apart, as
    the table's STATUS does, not a covered one as "not installed" beside an ``ok`` row."""
    gaps = {r.component for r in results if not r.ok}
    return [c for c in absent if c in gaps], [c for c in absent if c not in gaps]


def blocking(results: Sequence[Result]) -> list[Result]:
    return [r for r in results if r.required and not r.ok]


def optional_gaps(results: Sequence[Result]) -> list[Result]:
    """Gaps that block nothing: a feature named in their fix is unavailable."""
    return [r for r in results if not r.required and not r.ok]


def report(context: str, groups: Sequence[str], results: Sequence[Result]) -> dict[str, Any]:
    """The whole verdict as one document (``doctor -o json|yaml``)."""
    found, absent = found_and_absent(results)
    return {
        "context": context,
        "groups": list(groups or GROUPS),
        "ready": not blocking(results),
        "found": found,
        "absent": absent,
        "checks": [r.to_dict() for r in results],
    }


def raise_if_blocked(results: Sequence[Result]) -> None:
    """CheckFailedError naming the groups and components with required gaps (the table, printed
    before, has the detail and the fix of each)."""
    blocked = blocking(results)
    if not blocked:
        return
    groups = sorted({g for r in blocked for g in r.groups})
    components = list(dict.fromkeys(r.component for r in blocked))
    others = f"; then {', '.join(components[1:])} (see FIX)" if len(components) > 1 else ""
    raise CheckFailedError(
        f"{len(blocked)} blocking gap(s) for {', '.join(groups)} in: {', '.join(components)}",
        hint=f"{components[0]}: {blocked[0].fix}{others}",
    )


# ---- the checks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""  # a fix of its own, else the component's
    present: bool = False  # this check found the component installed
    blocking: bool = True  # a gap here can block (warnings of the GPU stack rules cannot)


def _check(kube: Kube, comp: Component, signed_in: doctor_keda.SignedIn | None = None) -> Iterator[Check]:
    crds_ok = True
    installed = False  # a CRD or APIService of the component's is there
    for name, version in comp.crds:
        status, detail = crd(kube, name, version)
        crds_ok = crds_ok and status == OK
        installed = installed or status != MISSING
        yield Check(f"crd {name}", status, detail, present=status != MISSING)
    if comp.id == "gateway-api" and crds_ok:
        status, detail = gateway_class(kube)
        # The CRDs are there: what is missing is a controller that accepts a GatewayClass.
        yield Check(
            "gatewayclass",
            status,
            detail,
            fix="install a Gateway API implementation, which creates and accepts a GatewayClass (for example "
            "the AKS Istio add-on: az aks mesh enable, then its Gateway API support)",
        )
    for name in comp.apiservices:
        status, detail = apiservice(kube, name)
        # A registered APIService says its server is installed, Available or not.
        present = status in (OK, NOT_READY)
        installed = installed or present
        yield Check(f"apiservice {name}", status, detail, apiservice_fix(name, status), present=present)
    if comp.pods:
        status, detail, owners, daemons = operator_pods(kube, comp.pods)
        # A node label stands in only where no pod is found: pods that exist and fail are reported.
        if status == MISSING and (node := labelled_node(kube, comp.node_labels)):
            status, detail = OK, f"node {node} runs it outside a pod ({', '.join(comp.node_labels)})"
        if status == MISSING and installed:
            # Installed, yet no pod: its Deployment, found by the labels the chart gives it, may be
            # mid-rollout with no pod left (akscli.doctor.rollout.by_labels).
            owners = doctor_rollout.by_labels(kube, comp.pods)
        stuck = doctor_rollout.rollouts(kube, owners)
        # No ready pod because a rollout went wrong: the way back is the rollout's, not an install.
        fix = stuck[0].fix if stuck and status != OK else ""
        if status == MISSING and stuck:
            status = NOT_READY
            detail = f"{detail}; deployment {stuck[0].namespace}/{stuck[0].name} has no pod running"
        elif status == MISSING and (gone := doctor_rollout.podless(kube, owners)):
            # Scaled to zero, or its pods refused: no reinstall brings it back (doctor_rollout.podless).
            status, detail, fix = NOT_READY, f"{detail}; {gone.detail}", gone.fix
        yield Check("pods", status, detail, fix, present=status != MISSING)
        yield from _rollout_checks(stuck)
        yield from _daemonset_rollout_checks(kube, daemons)
    if comp.webhooks:
        for name, status, detail in webhooks(kube, comp.webhooks):
            yield Check(name, status, detail)
    if comp.keda_workspace and crds_ok:
        from akscli.doctor import keda as doctor_keda

        # Warnings: a gap stops a workspace trigger from scaling, not a deploy.
        for name, status, detail, fix in doctor_keda.rows(kube, signed_in):
            yield Check(name, status, detail, fix, present=True, blocking=False)
    if comp.gatekeeper:
        from akscli.doctor import gatekeeper as doctor_gatekeeper

        # Warnings: a constraint judges each object; only its dry run says whether it is refused.
        for name, status, detail, fix in doctor_gatekeeper.rows(kube):
            yield Check(name, status, detail, fix, present=True, blocking=False)
    if comp.gpu_nodes:
        status, detail = gpu_nodes(kube)
        yield Check("nodes", status, detail, present=status != MISSING)
    if comp.gpu_stack:
        yield from _gpu_stack(kube)
    if comp.nap:
        yield from _nap(kube)


def _rollout_checks(stuck: Sequence[doctor_rollout.Stuck]) -> Iterator[Check]:
    """A row for each operator Deployment whose rollout has not finished. One that leaves a replica
    serving is a warning: the operator still works, on its previous pod template. With none
    available it blocks, as the pods check does."""
    for rollout in stuck:
        yield Check(
            f"rollout deployment/{rollout.name}",
            NOT_READY,
            rollout.detail,
            rollout.fix,
            present=True,
            blocking=not rollout.serving,
        )


def _daemonset_rollout_checks(kube: Kube, daemons: Sequence[tuple[str, str]]) -> Iterator[Check]:
    """A row for each DaemonSet owning an operator pod whose changed template has not reached every
    node (akscli.doctor.rollout.daemonset_rollout): one get per DaemonSet. A warning while one of
    its pods serves."""
    for namespace, name in daemons:
        daemonset = doctor_rollout.daemonset(kube, namespace, name)
        if daemonset and (rollout := doctor_rollout.daemonset_rollout(daemonset)):
            detail, available = rollout
            fix = doctor_rollout.daemonset_fix(namespace, name)
            yield Check(f"rollout daemonset/{name}", NOT_READY, detail, fix, present=True, blocking=not available)


def _nap(kube: Kube) -> Iterator[Check]:
    """Node auto-provisioning: whether its NodePools and AKSNodeClasses are Ready (akscli.nap.health,
    upstream cited there)."""
    from akscli.nap import health as nap_health

    if not nap_health.enabled(kube):
        yield Check("nodepools", OK, f"node auto-provisioning is not enabled (no {nap_health.CRD} CRD)")
        return
    pools = nap_health.pools(kube)
    if not pools:
        yield Check(
            "nodepools",
            MISSING,
            "node auto-provisioning is enabled but no NodePool exists: it makes no node",
            # upstream: MicrosoftDocs/azure-aks-docs fb060ab articles/aks/node-auto-provisioning-node-pools.md:
            # NAP creates a default NodePool, none with --node-provisioning-default-pools None.
            "create one: akscli nodepool add NAME --auto-provision (see --help)",
            present=True,
        )
    for pool in pools:
        if not pool.ok:
            fix = f"kubectl describe nodepool {pool.name} (NodeClassReady follows its AKSNodeClass)"
            yield Check(f"nodepool {pool.name}", NOT_READY, pool.describe(), fix, present=True)
    if pools and all(p.ok for p in pools):
        yield Check("nodepools", OK, f"{len(pools)} NodePool(s) Ready", present=True)
    yield from _node_classes(nap_health.classes(kube, pools))


def _node_classes(classes: Sequence[ClassHealth]) -> Iterator[Check]:
    """One line for each AKSNodeClass that is not Ready, with its own failing condition; one line for
    the rest, naming the classes no NodePool refers to (nothing provisions with them)."""
    from akscli.nap.health import class_fix

    for cls in classes:
        if not cls.ok:
            yield Check(f"aksnodeclass {cls.name}", NOT_READY, cls.describe(), class_fix(cls), present=True)
    if classes and all(c.ok for c in classes):
        unused = [c.name for c in classes if c.used_by == ()]
        note = f"; used by no NodePool: {', '.join(unused)}" if unused else ""
        yield Check("aksnodeclasses", OK, f"{len(classes)} AKSNodeClass(es) Ready{note}", present=True)


def _gpu_stack(kube: Kube) -> Iterator[Check]:
    """The verdicts of akscli.gpu.stack (shared with baremetal doctor) as doctor checks."""
    nodes = gpu_stack.sample_gpu_nodes(kube)
    found, verdicts = gpu_stack.rules(kube, nodes)
    present = found.operator or nodes.nodes > 0
    for rule in verdicts:
        # The Network Operator's rows (akscli.gpu.network_operator) are about something installed,
        # whether or not the GPU Operator is.
        # So are the rollout rows (a standalone device plugin's): a rollout is of something installed,
        # and an RDMA plugin's rows (akscli.gpu.rdma_plugins: a DaemonSet that places no pod is installed).
        installed = (
            found.operator or rule.check in ("network-operator", "rdma-plugin") or rule.subject.startswith("rollout ")
        )
        status = OK if rule.severity == "info" else (NOT_READY if installed else MISSING)
        blocking = rule.severity == "error"
        yield Check(rule.subject, status, rule.message, rule.fix, present or installed, blocking=blocking)
