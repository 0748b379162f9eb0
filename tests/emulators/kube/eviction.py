"""The pods/eviction subresource (policy/v1 Eviction), as kube-apiserver serves it.

upstream: kubernetes/kubernetes pkg/registry/core/pod/storage/eviction.go (Create, canIgnorePDB,
shouldEnforceResourceVersion, checkAndDecrement, createTooManyRequestsError,
getPodDisruptionBudgets, addConditionAndDeletePod); the answer's HTTP code as
staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go (a Status without code gets 201) and
finisher.go (a Status that is not Success is the error) write it, Retry-After as
responsewriters/writers.go ErrorNegotiated sets it from details.retryAfterSeconds.

Not modelled: the 20-step conflict retry's 500ms waits (a conflict is retried at once), policy/v1beta1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.emulators.kube.apiserver_common import Ctx, now_iso
from tests.emulators.kube.controllers.disruption import _condition, _ready
from tests.emulators.kube.controllers.pod_affinity import selector_matches
from tests.emulators.kube.status import ApiError, bad_request, conflict

if TYPE_CHECKING:
    from tests.emulators.kube.cluster import ClusterState

TOO_MANY = "Cannot evict pod as it would violate the pod's disruption budget."
MULTIPLE = "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."
MAX_DISRUPTED_POD_SIZE = 2000  # eviction.go MaxDisruptedPodSize
RETRIES = 20  # eviction.go EvictionsRetry.Steps


def too_many_requests(message: str, retry_after: int, cause: str) -> ApiError:
    """errors.NewTooManyRequests plus the DisruptionBudget cause (policyv1.DisruptionBudgetCause)."""
    details: dict[str, Any] = {
        "retryAfterSeconds": retry_after,
        "causes": [{"reason": "DisruptionBudget", "message": cause}],
    }
    headers = {"Retry-After": str(retry_after)} if retry_after > 0 else None
    return ApiError(429, message, "TooManyRequests", details, headers)


def still_processed(pdb_name: str) -> ApiError:
    """eviction.go createTooManyRequestsError."""
    return too_many_requests(TOO_MANY, 10, f"The disruption budget {pdb_name} is still being processed by the server.")


def _forbidden(pdb_name: str, why: str) -> ApiError:
    """errors.NewForbidden(policy.Resource("poddisruptionbudget"), name, err)."""
    return ApiError(
        403,
        f'poddisruptionbudget.policy "{pdb_name}" is forbidden: {why}',
        "Forbidden",
        {"name": pdb_name, "group": "policy", "kind": "poddisruptionbudget"},
    )


def _matches(pdb: dict[str, Any], labels: dict[str, str]) -> bool:
    try:
        return selector_matches((pdb.get("spec") or {}).get("selector"), labels)
    except (ValueError, KeyError, TypeError):
        return False  # an invalid selector matches nothing (getPodDisruptionBudgets)


def evict(emu: ClusterState, namespace: str, name: str, eviction: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """Create on pods/NAME/eviction: the Status of Success (code 201), or raises the ApiError. The HTTP
    route (server_streams) and the emulator's own evicting controllers (karpenter_termination) both
    call this, as upstream clients reach the one EvictionREST.Create."""
    if ((eviction.get("metadata") or {}).get("name") or "") != name:
        raise bad_request("name in URL does not match name in Eviction object")
    options = dict(eviction.get("deleteOptions") or {})
    if "All" in (options.get("dryRun") or []):  # propagateDryRun
        ctx.dry_run = True
    pod_rt = emu.api.rt("v1", "Pod")
    pod = emu.api.get(pod_rt, "v1", namespace, name)
    status = pod.get("status") or {}
    phase, deleting = status.get("phase"), bool(pod["metadata"].get("deletionTimestamp"))
    preconditions = dict(options.get("preconditions") or {})
    rv_unset = not preconditions.get("resourceVersion")
    if phase in ("Succeeded", "Failed", "Pending") or deleting:  # canIgnorePDB: no budget is looked at
        if phase not in ("Succeeded", "Failed") and not deleting and rv_unset:  # shouldEnforceResourceVersion
            preconditions["resourceVersion"] = pod["metadata"]["resourceVersion"]
        _add_condition_and_delete(emu, namespace, name, options, preconditions, ctx)
        return _success()
    labels = pod["metadata"].get("labels") or {}
    pdbs = [p for p in emu.list("policy/v1", "PodDisruptionBudget", namespace) if _matches(p, labels)]
    if len(pdbs) > 1:
        raise ApiError(500, MULTIPLE, "")
    update_options = False
    if pdbs:
        pdb = pdbs[0]
        st = pdb.get("status") or {}
        policy = (pdb.get("spec") or {}).get("unhealthyPodEvictionPolicy")
        desired = int(st.get("desiredHealthy") or 0)
        # IsPodReady is the current implementation of IsHealthy: an unready pod goes without a
        # disruption when the policy is AlwaysAllow or the budget is met (IfHealthyBudget, the default)
        if not _ready(pod) and (policy == "AlwaysAllow" or (int(st.get("currentHealthy") or 0) >= desired > 0)):
            update_options = True
        else:
            _check_and_decrement(emu, pdb, name, ctx)
    if update_options:
        preconditions["resourceVersion"] = pod["metadata"]["resourceVersion"]
    try:
        _add_condition_and_delete(emu, namespace, name, options, preconditions, ctx)
    except ApiError as err:
        if err.code == 409 and update_options and rv_unset:
            raise still_processed(pdbs[0]["metadata"]["name"]) from err
        raise
    return _success()


def _success() -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}


def _check_and_decrement(emu: ClusterState, pdb: dict[str, Any], pod_name: str, ctx: Ctx) -> None:
    """checkAndDecrement under RetryOnConflict: the budget is read again after a conflict."""
    rt = emu.api.rt("policy/v1", "PodDisruptionBudget")
    md = pdb["metadata"]
    for attempt in range(RETRIES):
        if attempt:
            pdb = emu.api.get(rt, "v1", md["namespace"], md["name"])
        st = dict(pdb.get("status") or {})
        if int(st.get("observedGeneration") or 0) < int(pdb["metadata"].get("generation") or 0):
            raise still_processed(md["name"])
        allowed = int(st.get("disruptionsAllowed") or 0)
        if allowed < 0:
            raise _forbidden(md["name"], "pdb disruptions allowed is negative")
        if len(st.get("disruptedPods") or {}) > MAX_DISRUPTED_POD_SIZE:
            raise _forbidden(
                md["name"], "DisruptedPods map too big - too many evictions not confirmed by PDB controller"
            )
        if allowed == 0:
            healthy = (
                f"needs {int(st.get('desiredHealthy') or 0)} healthy pods and has {int(st.get('currentHealthy') or 0)}"
            )
            raise too_many_requests(TOO_MANY, 0, f"The disruption budget {md['name']} {healthy} currently")
        st["disruptionsAllowed"] = allowed - 1
        if allowed - 1 == 0:  # pdbhelper.UpdateDisruptionAllowedCondition
            cond = {
                "type": "DisruptionAllowed",
                "status": "False",
                "reason": "InsufficientPods",
                "message": "",
                "observedGeneration": st.get("observedGeneration"),
            }
            st["conditions"] = _condition(st.get("conditions") or [], cond)
        if ctx.dry_run:
            return
        # the disruption controller leaves this pod out of currentHealthy until it is gone
        st["disruptedPods"] = {**(st.get("disruptedPods") or {}), pod_name: now_iso()}
        try:
            emu.api.update(rt, "v1", md["namespace"], md["name"], {**pdb, "status": st}, ctx, subresource="status")
            return
        except ApiError as err:
            if err.code != 409:
                raise
    raise ApiError(504, f'couldn\'t update PodDisruptionBudget "{md["name"]}" due to conflicts', "Timeout")


def _add_condition_and_delete(
    emu: ClusterState,
    namespace: str,
    name: str,
    options: dict[str, Any],
    preconditions: dict[str, Any],
    ctx: Ctx,
) -> None:
    """addConditionAndDeletePod: DisruptionTarget (EvictionByEvictionAPI) through the status store,
    then the pod's own delete with the eviction's DeleteOptions."""
    pod_rt = emu.api.rt("v1", "Pod")
    if not ctx.dry_run:
        pod = emu.api.get(pod_rt, "v1", namespace, name)
        md = pod["metadata"]
        why = "The object might have been deleted and then recreated"
        if preconditions.get("uid") and preconditions["uid"] != md.get("uid"):
            uid = preconditions["uid"]
            detail = f"the UID in the precondition ({uid}) does not match the UID in record ({md.get('uid')}). {why}"
            # errors.NewConflict(qualifiedResource, ...): the resource "pods", not the kind
            # (kubernetes/apimachinery pkg/api/errors/errors.go NewConflict; the pod store's qualifiedResource)
            raise conflict("pods", name, "", "pods", detail)
        rv = preconditions.get("resourceVersion")
        if rv and rv != md.get("resourceVersion"):
            detail = (
                f"the ResourceVersion in the precondition ({rv}) does not match the ResourceVersion in record "
                f"({md.get('resourceVersion')}). The object might have been modified"
            )
            raise conflict("pods", name, "", "pods", detail)  # errors.go NewConflict, as above
        status = dict(pod.get("status") or {})
        status["conditions"] = _pod_condition(status.get("conditions") or [])
        updated = emu.api.update(pod_rt, "v1", namespace, name, {**pod, "status": status}, ctx, subresource="status")
        if rv:  # bump the resource version, since we are the one who modified it
            preconditions["resourceVersion"] = updated["metadata"]["resourceVersion"]
    emu.api.delete(
        pod_rt,
        "v1",
        namespace,
        name,
        ctx,
        options.get("propagationPolicy"),
        preconditions or None,
        options.get("gracePeriodSeconds"),
    )


def _pod_condition(conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """pkg/api/pod UpdatePodCondition of DisruptionTarget True EvictionByEvictionAPI."""
    new = {
        "type": "DisruptionTarget",
        "status": "True",
        "reason": "EvictionByEvictionAPI",
        "message": "Eviction API: evicting",
    }
    now = now_iso()
    out = [dict(c) for c in conditions]
    for c in out:
        if c.get("type") == "DisruptionTarget":
            if c.get("status") != "True":
                c["lastTransitionTime"] = now
            c.update(new)
            return out
    return [*out, {**new, "lastTransitionTime": now}]
