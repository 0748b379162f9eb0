"""Gateway API: an HTTPRoute is ready once every Gateway it names has accepted it and resolved its
backends; an InferencePool once every Gateway that took it has accepted it and resolved its
endpoint picker. Both statuses are per parent (``status.parents[].conditions``), each condition
carrying the ``observedGeneration`` it describes.

upstream:
* kubernetes-sigs/gateway-api v1.6.1 (8bb74df00e56ec8f944d48c25e6c1c9c2f6848e3) apis/v1/shared_types.go:
  RouteParentStatus (the controller of the parent Gateway's class MUST set ``Accepted``; each
  condition's ``observedGeneration`` is the route's generation), ``Accepted`` False reasons
  NotAllowedByListeners, NoMatchingListenerHostname, NoMatchingParent, UnsupportedValue (Unknown:
  Pending), ``ResolvedRefs`` False reasons RefNotPermitted, InvalidKind, BackendNotFound,
  UnsupportedProtocol; ``PartiallyInvalid`` (RouteConditionPartiallyInvalid: set, only True, when
  the route has valid and invalid rules; the gateway either drops the invalid rules, message
  "Dropped Rule ...", ``Accepted`` True on the latest generation, or falls back to the last good
  route, message "Fall Back ...", ``Accepted`` True on that older generation).
* kubernetes-sigs/gateway-api-inference-extension v1.6.0 (992e5c292afb248801ce8d9234eb5b9d28eea231)
  api/v1/inferencepool_types.go: ParentStatus, ``Accepted`` (False: NotSupportedByParent,
  HTTPRouteNotAccepted), ``ResolvedRefs`` (False: InvalidExtensionRef).
* MicrosoftDocs/azure-docs articles/application-gateway/for-containers/how-to-inference-gateway.md
  (2026-07-10): Application Gateway for Containers' ALB Controller reports ``BackendNotFound`` for
  an InferencePool with no ready endpoint too.
* istio/istio 1.29.6 (7019d6d3608e4995e9a36d2977cfec3a341431cd), the controller of AKS's Istio
  add-on and of the application routing add-on's Gateway API: pilot/pkg/config/kube/gateway/
  conditions.go createRouteStatus (one entry per parentRef, ``Accepted`` and ``ResolvedRefs``,
  every route error reported on ``ResolvedRefs``), conversion.go buildDestination (``InvalidKind``
  "InferencePool is not enabled ..." while istiod runs without
  ENABLE_GATEWAY_API_INFERENCE_EXTENSION; ``BackendNotFound`` while the pool or the Service istiod
  makes for it does not exist yet), inferencepool_collection.go (the pool's conditions, with the
  pool's generation).

What is final: a parent's ``PartiallyInvalid`` True on the route's generation (the gateway serves
fewer rules than the route has, or an older route, until the route changes), ``Accepted`` False
(the Gateway's listeners or the route must change; a controller leaves it only when one does)
and ``ResolvedRefs`` False for a kind the gateway does not route to (InvalidKind: for an
InferencePool, istiod's setting), a reference no ReferenceGrant permits (RefNotPermitted) or an
app protocol it does not speak (UnsupportedProtocol). A backend not found is waited for: the
runtime makes the model's Service, KAITO its pool, istiod the pool's Service, minutes after the
route.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.kube.readiness.core import READY, Readiness, Rule, describe, generation_of

GATEWAY_GROUP = "gateway.networking.k8s.io"
POOL_GROUP = "inference.networking.k8s.io"

# ResolvedRefs reasons no controller leaves on its own (shared_types.go; Istio's ConfigError reasons).
FINAL_REFS = ("InvalidKind", "RefNotPermitted", "UnsupportedProtocol")


def _parent_conditions(parent: Mapping[str, Any], generation: int | None) -> dict[str, Mapping[str, Any]]:
    """The parent's conditions of the object's current generation (a condition without
    ``observedGeneration`` counts: the field is optional in metav1.Condition)."""
    out = {}
    for cond in parent.get("conditions") or []:
        if not isinstance(cond, Mapping):
            continue
        seen = cond.get("observedGeneration")
        if generation is None or seen is None or str(seen) == str(generation):
            out[str(cond.get("type"))] = cond
    return out


def _unsettled(conds: Mapping[str, Mapping[str, Any]], gateway: str, generation: int | None) -> Readiness | None:
    """The wait on a parent whose ``Accepted`` or ``ResolvedRefs`` of the current generation is not
    written yet, or is not True (a False one each caller has judged first); None: both True."""
    for name in ("Accepted", "ResolvedRefs"):
        cond = conds.get(name)
        if cond is None:
            return Readiness(False, message=f"waiting for {gateway} to set {name} on generation {generation}")
        if cond.get("status") != "True":
            return Readiness(False, message=f"{gateway}: {describe(cond)}")
    return None


def _partly_invalid(entry: Mapping[str, Any], generation: int | None, gateway: str) -> Readiness | None:
    """The verdict on a parent's ``PartiallyInvalid`` True of the current generation (shared_types.go
    RouteConditionPartiallyInvalid): without it a fallback keeps ``Accepted`` on an older
    generation and the wait would only time out."""
    cond = _parent_conditions(entry, generation).get("PartiallyInvalid")
    if cond is None or cond.get("status") != "True":
        return None
    message = str(cond.get("message") or "")
    if message.startswith("Fall Back"):
        accepted: Mapping[str, Any] = next(
            (c for c in entry.get("conditions") or [] if c.get("type") == "Accepted"), {}
        )
        said = f"{gateway} serves the route of generation {accepted.get('observedGeneration', '?')}, not {generation}"
    elif message.startswith("Dropped Rule"):
        said = f"{gateway} serves the route without the rules it dropped"
    else:
        said = f"{gateway} found rules of the route invalid"
    return Readiness(
        False,
        True,
        f"{said}: {describe(cond)}",
        str(cond.get("reason") or "PartiallyInvalid"),
        fix=f"fix what the condition says in the route (a field {gateway}'s controller does not support), "
        "then deploy again",
    )


def _gateway(ref: Mapping[str, Any], namespace: str) -> str:
    return f"Gateway {ref.get('namespace') or namespace}/{ref.get('name')}"


def _same_parent(status_ref: Mapping[str, Any], ref: Mapping[str, Any], namespace: str) -> bool:
    def key(r: Mapping[str, Any]) -> tuple[Any, ...]:
        return (r.get("namespace") or namespace, r.get("name"), r.get("sectionName"), r.get("port"))

    return key(status_ref) == key(ref)


def _route_backends(obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [b for rule in (obj.get("spec") or {}).get("rules") or [] for b in rule.get("backendRefs") or []]


def _refused_fix(reason: str, gateway: str, route: str) -> str:
    """What to do when a Gateway did not accept the route."""
    if reason == "NotAllowedByListeners":
        return (
            f"let a listener of {gateway} admit {route} (spec.listeners[].allowedRoutes: namespaces and kinds), "
            "or name another with --gateway"
        )
    if reason == "NoMatchingListenerHostname":
        return f"give the route a --hostname that a listener of {gateway} matches, or add such a listener"
    if reason == "NoMatchingParent":
        return f"{gateway} has no listener the route's parentRef names (sectionName, port): fix it or --gateway"
    return f"fix what the condition says on {gateway} or the route, then deploy again"


# Application Gateway for Containers' controller (MicrosoftDocs/azure-docs articles/application-gateway/
# for-containers/how-to-inference-gateway.md: its route status's controllerName; its inference gateway, in
# preview, reads akscli's route and v1 pool as they are).
ALB_CONTROLLER = "alb.networking.azure.io/alb-controller"
# Istio's message for a backendRef kind it does not route to (istio/istio 1.29.6 conversion.go buildDestination).
UNSUPPORTED_BACKEND = "referencing unsupported backendRef"


def _refs_fix(
    reason: str, backends: list[Mapping[str, Any]], namespace: str, controller: str = "", message: str = ""
) -> str:
    """What to do when a Gateway could not resolve the route's backends."""
    pooled = any(b.get("kind") == "InferencePool" for b in backends)
    if reason == "InvalidKind" and pooled and message.startswith(UNSUPPORTED_BACKEND):
        # istio/istio 1.27.9 pkg/config/schema/gvk/resources.gen.go: InferencePool is
        # inference.networking.x-k8s.io/v1alpha2 there, so conversion.go buildDestination's switch
        # reaches its default case for the v1 group; 1.28.0 reads inference.networking.k8s.io/v1.
        return (
            "the gateway does not know the v1 InferencePool (inference.networking.k8s.io): Istio reads it from 1.28 "
            "on (AKS's Istio add-on revision asm-1-28 or later), older Istio only the v1alpha2 "
            "inference.networking.x-k8s.io one; upgrade the gateway, or deploy without --inference-pool"
        )
    if reason == "BackendNotFound" and pooled and controller == ALB_CONTROLLER:
        # how-to-inference-gateway.md, "Common failures": "ALB Controller reports a pool with zero
        # ready endpoints as BackendNotFound".
        pools = ", ".join(f"{namespace}/{b.get('name')}" for b in backends if b.get("kind") == "InferencePool")
        return (
            f"Application Gateway for Containers also says so of a pool with no ready pod: see that InferencePool "
            f"{pools} exists and that the pods it selects are ready (they may still wait for a GPU node)"
        )
    if reason == "InvalidKind" and pooled:
        return (
            "the gateway does not route to InferencePools: with Istio, istiod needs "
            "ENABLE_GATEWAY_API_INFERENCE_EXTENSION=true (no AKS document says the managed Istio sets it); "
            "else deploy without --inference-pool"
        )
    if reason == "RefNotPermitted":
        return "add a ReferenceGrant in the backend's namespace that lets this route's namespace refer to it"
    names = ", ".join(f"{b.get('kind') or 'Service'} {namespace}/{b.get('name')}" for b in backends)
    if reason == "BackendNotFound":
        return f"see that {names} exists (the runtime makes the model's Service, istiod a Service per InferencePool)"
    return f"fix what the condition says ({names})"


def route(obj: Mapping[str, Any]) -> Readiness:
    """Ready when, for every Gateway of ``spec.parentRefs``, the route's parent status of the current
    generation says ``Accepted`` True and ``ResolvedRefs`` True."""
    meta = obj.get("metadata") or {}
    namespace = str(meta.get("namespace") or "")
    ref_text = f"HTTPRoute {namespace}/{meta.get('name')}"
    generation = generation_of(obj)
    parents = [p for p in (obj.get("status") or {}).get("parents") or [] if isinstance(p, Mapping)]
    backends = _route_backends(obj)
    for ref in (obj.get("spec") or {}).get("parentRefs") or []:
        if (ref.get("group") or GATEWAY_GROUP) != GATEWAY_GROUP or (ref.get("kind") or "Gateway") != "Gateway":
            continue
        gateway = _gateway(ref, namespace)
        entry = next((p for p in parents if _same_parent(p.get("parentRef") or {}, ref, namespace)), None)
        if entry is None:
            return Readiness(
                False,
                message=f"{gateway} has written no status for the route yet (status.parents): the controller of "
                "its GatewayClass writes it once it reads the route",
                fix=f"see that {gateway}'s controller runs and has accepted its GatewayClass (kubectl get gateway "
                f"{ref.get('name')} -n {ref.get('namespace') or namespace}; kubectl get gatewayclass); on AKS that is "
                "istiod of the Istio add-on or of the application routing add-on, or Application Gateway for "
                "Containers' ALB Controller",
            )
        conds = _parent_conditions(entry, generation)
        accepted, resolved = conds.get("Accepted"), conds.get("ResolvedRefs")
        if accepted is not None and accepted.get("status") == "False":
            reason = str(accepted.get("reason") or "")
            return Readiness(
                False,
                True,
                f"{gateway} did not accept it: {describe(accepted)}",
                reason,
                fix=_refused_fix(reason, gateway, ref_text),
            )
        partly = _partly_invalid(entry, generation, gateway)
        if partly is not None:
            return partly
        if resolved is not None and resolved.get("status") == "False":
            reason = str(resolved.get("reason") or "")
            controller, message = str(entry.get("controllerName") or ""), str(resolved.get("message") or "")
            fix = _refs_fix(reason, backends, namespace, controller, message)
            said = f"{gateway} could not resolve its backends: {describe(resolved)}"
            if reason in FINAL_REFS:
                return Readiness(False, True, said, reason, fix=fix)
            return Readiness(False, message=said, reason=reason, fix=fix)
        unsettled = _unsettled(conds, gateway, generation)
        if unsettled is not None:
            return unsettled
    return READY


def pool(obj: Mapping[str, Any]) -> Readiness:
    """Ready when at least one Gateway took the pool (a Gateway takes it once a route it accepted
    names it) and every parent status of the current generation says ``Accepted`` True and
    ``ResolvedRefs`` True. ``NotSupportedByParent`` is final; a route not accepted is the route's
    to report."""
    meta = obj.get("metadata") or {}
    namespace = str(meta.get("namespace") or "")
    generation = generation_of(obj)
    parents = [p for p in (obj.get("status") or {}).get("parents") or [] if isinstance(p, Mapping)]
    if not parents:
        return Readiness(
            False,
            message="no Gateway has taken the pool yet (status.parents is empty): one does once it accepts a route "
            "that names the pool",
            fix=f"see the status of the HTTPRoute that names InferencePool {namespace}/{meta.get('name')}",
        )
    picker = ((obj.get("spec") or {}).get("endpointPickerRef") or {}).get("name")
    for parent in parents:
        gateway = _gateway(parent.get("parentRef") or {}, namespace)
        conds = _parent_conditions(parent, generation)
        accepted, resolved = conds.get("Accepted"), conds.get("ResolvedRefs")
        if accepted is not None and accepted.get("status") == "False":
            reason = str(accepted.get("reason") or "")
            said = f"{gateway} did not accept it: {describe(accepted)}"
            if reason == "NotSupportedByParent":
                return Readiness(
                    False, True, said, reason, fix="route through a Gateway whose class supports InferencePools"
                )
            return Readiness(False, message=said, reason=reason, fix="see the status of the route that names the pool")
        if resolved is not None and resolved.get("status") == "False":
            return Readiness(
                False,
                message=f"{gateway} could not resolve its endpoint picker: {describe(resolved)}",
                reason=str(resolved.get("reason") or ""),
                fix=f"see that the endpoint picker Service {namespace}/{picker} exists (docs/model.md: install "
                "llm-d-router's chart)",
            )
        unsettled = _unsettled(conds, gateway, generation)
        if unsettled is not None:
            return unsettled
    return READY


RULES: dict[tuple[str, str], Rule] = {
    (GATEWAY_GROUP, "HTTPRoute"): route,
    (POOL_GROUP, "InferencePool"): pool,
}
