"""A Gateway API implementation's status, for the lab: what a conformant controller writes on the
GatewayClasses it implements, their Gateways and the HTTPRoutes attached to them. The request a
Gateway's Service receives is routed by gateway_dataplane.py (upstream: kubernetes-sigs/gateway-api
apis/v1/httproute_types.go).

Each behaviour follows kubernetes-sigs/gateway-api v1.6.1 (8bb74df00e56ec8f944d48c25e6c1c9c2f6848e3,
the bundle ../shared/crds/gateway-api comes from), apis/v1:

* gatewayclass_types.go: a controller sets ``Accepted`` True, reason ``Accepted``, only on a
  GatewayClass whose ``spec.controllerName`` is its own; a class of another controller is left
  alone (its status stays the CRD's default, ``Accepted`` Unknown ``Pending``). Istio's message is
  "Handled by Istio controller", and Istio writes no other class condition (upstream istio/istio 1.29.6
  pilot/pkg/config/kube/gateway/gatewayclass.go GetClassStatus; no SupportedVersion in istiod, to
  HEAD 2026-08-22). With ``supported_version`` (off by default: a conformant controller that is not
  Istio) it also sets ``SupportedVersion`` (GatewayClassConditionStatusSupportedVersion: "MUST be set by a
  controller when it marks a GatewayClass Accepted"; site/content/en/guides/implementers-guide
  "Version Compatibility"): True, reason ``SupportedVersion``, when every Gateway API CRD in the
  cluster carries a ``gateway.networking.k8s.io/bundle-version`` annotation the simulator
  supports (the bundle it follows, SUPPORTED_BUNDLES); else False, ``UnsupportedVersion``, with
  the versions found and supported in the message. It takes the "best effort" way: the class
  stays Accepted.
* gateway_types.go (GatewayConditionAccepted, GatewayConditionProgrammed, ListenerStatus):
  a Gateway of such a class gets ``Accepted`` and ``Programmed`` True (reasons ``Accepted``,
  ``Programmed``; ``Programmed`` False while its load balancer has no address: gateway_service.py),
  and one ListenerStatus per listener: ``supportedKinds`` (the kinds of its
  ``allowedRoutes.kinds`` this implementation supports, else the core Route kind of its protocol:
  HTTPRoute for HTTP and HTTPS), ``attachedRoutes`` (the Routes accepted on it) and ``Accepted``,
  ``Programmed``, ``ResolvedRefs`` True and ``Conflicted`` False (reason ``NoConflicts``), each with
  Istio's message "No errors found" (istio/istio 1.29.6 pilot/pkg/config/kube/gateway/conversion.go
  buildListener). A listener whose ``allowedRoutes.kinds`` names a kind it does not support has
  ``ResolvedRefs`` False, reason ``InvalidRouteKinds``, "Invalid route kinds" (Istio's
  conditions.go reportListenerCondition), and only the supported ones in ``supportedKinds`` (none
  when none is: ListenerStatus.SupportedKinds, ListenerReasonInvalidRouteKinds; kubernetes-sigs/gateway-api
  conformance/tests/gateway-invalid-route-kind.go and .yaml, both cases). A listener whose TLS certificateRefs Istio
  refuses (a Secret missing, or in another namespace without a ReferenceGrant: gateway_tls.py) has
  ``ResolvedRefs`` False with Istio's reason and message and ``Programmed`` False, ``Invalid``,
  "Bad TLS configuration". What an invalid route kind does to the listener's
  ``Programmed`` and the Gateway's conditions upstream leaves to the implementation; the
  simulator leaves them True. Every condition
  carries the object's ``metadata.generation`` as ``observedGeneration``, and a condition keeps
  its ``lastTransitionTime`` while its status does not change (metav1.Condition, as
  apimachinery meta.SetStatusCondition merges it).
* shared_types.go (RouteParentStatus, RouteConditionAccepted, RouteConditionResolvedRefs): an
  HTTPRoute gets one RouteParentStatus per parentRef whose Gateway the controller implements,
  with its ``controllerName``; the entries of other controllers are kept. ``Accepted`` is True
  (``Accepted``) when a listener admits the route (``sectionName``/``port`` of the parentRef,
  ``allowedRoutes.namespaces`` ``Same`` (the default), ``All`` or ``Selector``, the kinds, and
  the hostnames); its message is Istio's "Route was valid" (", bound to N parents" when N listeners
  took it). When none does, Istio's reason and message (conversion.go referenceAllowed, judged per
  listener in its order: port, sectionName, hostname, namespace, kind; conditions.go
  createRouteStatus keeps the least severe, ``NotAllowedByListeners`` over
  ``NoMatchingListenerHostname`` over ``NoMatchingParent``, joining equal ones with "; "), e.g.
  'sectionName "https" not found' or 'hostnames matched parent hostname "", but namespace "ml" is
  not allowed by the parent'. ``ResolvedRefs`` follows (upstream) istio/istio 1.29.6
  pilot/pkg/config/kube/gateway/conversion.go
  buildDestination, backendRef by backendRef (a weight of 0 is skipped): True, "All references
  resolved", when every backendRef names an existing Service or InferencePool of the route's
  namespace, or of another one whose ReferenceGrant lets the route's namespace refer to it
  (gateway_grants.py). Else: another namespace without one is ``RefNotPermitted`` ("backendRef
  NAME/NS not accessible to a HTTPRoute in namespace ...", checked first), another kind
  ``InvalidKind`` ("referencing unsupported backendRef: group ... kind ..."), a missing object
  ``BackendNotFound`` ("backend(HOST) not found"; the pool's name for a missing pool, the route staying
  Accepted: kubernetes-sigs/gateway-api-inference-extension v1.6.0
  conformance/tests/httproute_invalid_inferencepool_ref.go), and for a
  pool ``BackendNotFound`` while its shadow Service NAME-ip-HASH (gateway_pools.py) does not exist.
  A RequestMirror filter's backendRef is judged the same way (RefNotPermitted without a grant);
  its error never ends the rule and follows the backends' message (_resolved).
  Those three are "invalid backends": the last one found wins. A hard error ends the check at once:
  ``InvalidDestination`` for a shadow Service without the picker's labels, a name with a dot, a
  Service ref without a port.

For InferencePools it behaves as Istio does (istio/istio 1.29.6, the lab's class is Istio's):
with istiod's ENABLE_GATEWAY_API_INFERENCE_EXTENSION on (``inference_extension``, the lab's
setting; Istio's default is off, and no AKS document says how its managed Istio sets it) it writes
each pool's status (gateway_pools.py); off, a route to a pool has ``ResolvedRefs`` False,
``InvalidKind``, "InferencePool is not enabled. ..." (pilot/pkg/config/kube/gateway/conversion.go)
and pools get no status.

Istio's part of a Gateway's deployment, its Service, and the ``status.addresses`` and
``Programmed`` Istio writes from that Service's load balancer address, are gateway_service.py's.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from tests.emulators.kube.controllers import gateway_grants, gateway_pools, gateway_service, gateway_tls
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.fleet_scheduler import matches_selector
from tests.emulators.kube.status import ApiError

API = "gateway.networking.k8s.io/v1"
GROUP = "gateway.networking.k8s.io"
POOL_API = "inference.networking.k8s.io/v1"
# The Gateway API bundle versions the simulator follows (the CRDs of ../shared/crds/gateway-api).
SUPPORTED_BUNDLES = ("v1.6.1",)
BUNDLE_VERSION = "gateway.networking.k8s.io/bundle-version"
# What the lab's class implements: the app routing add-on's Istio (profiles.install_gateway).
ISTIO = "istio.io/gateway-controller"
# The core Route kind per listener protocol (gateway_types.go, Listener.Protocol and AllowedRoutes.Kinds).
CORE_KINDS = {"HTTP": "HTTPRoute", "HTTPS": "HTTPRoute"}
# Istio's message for a route to an InferencePool with the extension off (conversion.go).
POOL_DISABLED = "InferencePool is not enabled. To enable, set ENABLE_GATEWAY_API_INFERENCE_EXTENSION to true in istiod"
# Istio's messages: a class it accepts (gatewayclass.go GetClassStatus), a listener without error
# (conversion.go buildListener).
CLASS_ACCEPTED = "Handled by Istio controller"
NO_ERRORS = "No errors found"
POOL_SERVICE_INVALID = "InferencePool service invalid, extensionRef labels not found"
# The backendRef (group, kind)s Istio routes to here (conversion.go buildDestination; Hostname and
# ServiceImport are Istio's own and left out).
BACKENDS = frozenset({("", "Service"), ("inference.networking.k8s.io", "InferencePool")})


class GatewayController(Controller):
    """Status for the GatewayClasses whose controllerName is one of ``implements``."""

    # istiod's status writes: its client's user agent is IstioUserAgent, the binary's name
    # (upstream: istio/istio pkg/kube/util.go IstioUserAgent, SetRestDefaults), and istiod's image runs
    # pilot-discovery (istio/istio pilot/docker/Dockerfile.pilot ENTRYPOINT).
    field_manager: ClassVar[str | None] = "pilot-discovery"

    # Services too: a pool's ResolvedRefs follows its endpoint picker's Service.
    watches: ClassVar[list[tuple[str, str]]] = [
        (API, "GatewayClass"),
        (API, "Gateway"),
        (API, "HTTPRoute"),
        (POOL_API, "InferencePool"),
        ("v1", "Service"),
        # A grant made or deleted changes what the routes to other namespaces resolve to.
        (gateway_grants.GRANT_API, "ReferenceGrant"),
        # A listener's certificate Secret made or deleted changes its status (gateway_tls.py).
        ("v1", "Secret"),
    ]

    def __init__(
        self,
        implements: Iterable[str] = (ISTIO,),
        delay: float = 0.02,
        inference_extension: bool = True,
        load_balancer: bool = True,
        supported_version: bool = False,
    ) -> None:
        super().__init__(delay)
        self.implements = frozenset(implements)
        self.inference_extension = inference_extension
        # Whether the cloud gives the gateway's LoadBalancer Service an address (gateway_service.py).
        self.load_balancer = load_balancer
        # Whether accepted classes get SupportedVersion (Istio sets none: the module's docstring).
        self.supported_version = supported_version

    def attach(self, manager: Any) -> None:
        """Serve ReferenceGrant beside the Gateway API's other CRDs (gateway_grants.install)."""
        gateway_grants.install(manager.cluster)

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        """Any change can change the status of the rest (a route's attachment, a Gateway's class):
        one pass over all of them, writing only what changed."""
        del obj
        try:
            # A shadow Service written changes what routes resolve to, and the controller's own
            # writes do not trigger it again: one more pass.
            if self.sync(cluster):
                self.sync(cluster)
        except ApiError as exc:  # an object deleted meanwhile: its next event brings a new pass
            if exc.code != 404:
                raise

    def on_delete(self, cluster: Any, obj: dict[str, Any]) -> None:
        """A deleted route or Service changes what the rest resolve to (a pool no route names
        loses its parents): the same pass."""
        self.reconcile(cluster, obj)

    def sync(self, cluster: Any) -> bool:
        classes = {
            c["metadata"]["name"]: c
            for c in cluster.list(API, "GatewayClass")
            if (c.get("spec") or {}).get("controllerName") in self.implements
        }
        wanted: list[tuple[str, ...]] = [("Accepted", "True", "Accepted", CLASS_ACCEPTED)]
        if self.supported_version:
            wanted.append(_supported_version(cluster))
        for gc in classes.values():
            conditions = _conditions(gc, wanted)
            _write(cluster, gc, {"conditions": conditions})
        gateways = {
            (g["metadata"]["namespace"], g["metadata"]["name"]): g
            for g in cluster.list(API, "Gateway")
            if (g.get("spec") or {}).get("gatewayClassName") in classes
        }
        attached: dict[tuple[str, str, str], int] = {}
        # A RouteParentStatus names the controller that wrote it: the one of the parent Gateway's class
        # (shared_types.go RouteParentStatus.ControllerName).
        controllers = {
            key: classes[g["spec"]["gatewayClassName"]]["spec"]["controllerName"] for key, g in gateways.items()
        }
        for route in cluster.list(API, "HTTPRoute"):
            self._route(cluster, route, gateways, controllers, attached)
        shadows = False
        if self.inference_extension and _served(cluster, POOL_API, "InferencePool"):
            shadows = gateway_pools.sync(cluster, gateways, self.implements)
        for (ns, name), gw in gateways.items():
            listeners = [
                {
                    "name": lst["name"],
                    "supportedKinds": [{"group": GROUP, "kind": k} for k in _kinds(lst)],
                    "attachedRoutes": attached.get((ns, name, lst["name"]), 0),
                    "conditions": _conditions(
                        gw,
                        _listener_conditions(lst, gateway_tls.error(cluster, gw, lst)),
                        _listener_status(gw, lst["name"]),
                    ),
                }
                for lst in (gw.get("spec") or {}).get("listeners") or []
            ]
            status: dict[str, Any] = {"listeners": listeners}
            programmed: tuple[str, ...] = ("Programmed", "True", "Programmed")
            if gateway_service.managed(gw):
                addresses, programmed = gateway_service.sync(cluster, gw, self.load_balancer)
                if addresses:  # an address once reported stays (reportGatewayStatus)
                    status["addresses"] = addresses
            accepted = ("Accepted", "True", "Accepted", "Resource accepted")
            status["conditions"] = _conditions(gw, [accepted, programmed])
            _write(cluster, gw, status)
        return shadows

    def _route(
        self,
        cluster: Any,
        route: dict[str, Any],
        gateways: Mapping[tuple[str, str], dict[str, Any]],
        controllers: Mapping[tuple[str, str], str],
        attached: dict[tuple[str, str, str], int],
    ) -> None:
        md, spec = route["metadata"], route.get("spec") or {}
        ns = md["namespace"]
        ours: list[dict[str, Any]] = []
        resolved = _resolved(cluster, ns, spec, self.inference_extension)
        for ref in spec.get("parentRefs") or []:
            if (ref.get("group") or GROUP) != GROUP or (ref.get("kind") or "Gateway") != "Gateway":
                continue
            key = (ref.get("namespace") or ns, ref["name"])
            gw = gateways.get(key)
            if gw is None:  # not a Gateway of a class implemented here: another controller's
                continue
            if not (gw.get("spec") or {}).get("listeners"):  # no listener, no parentInfo: Istio writes nothing
                continue
            admitted, reason, message = _admitting(cluster, gw, ref, route)
            for name in admitted:
                attached[(*key, name)] = attached.get((*key, name), 0) + 1
            accepted = (
                ("Accepted", "True", "Accepted", _valid(admitted))
                if admitted
                else ("Accepted", "False", reason, message)
            )
            old = next((p for p in _parents(route) if p.get("parentRef") == ref), {})
            ours.append(
                {
                    "parentRef": ref,
                    "controllerName": controllers[key],
                    "conditions": _conditions(route, [accepted, resolved], old.get("conditions") or []),
                }
            )
        others = [p for p in _parents(route) if p.get("controllerName") not in self.implements]
        if ours or len(others) != len(_parents(route)):
            _write(cluster, route, {"parents": others + ours})


def _valid(admitted: list[str]) -> str:
    """The message of an accepted route (istio/istio 1.29.6 pilot/pkg/config/kube/gateway/conditions.go
    createRouteStatus): it counts the listeners that took it (one parentInfo per listener:
    gateway_collection.go)."""
    return "Route was valid" if len(admitted) == 1 else f"Route was valid, bound to {len(admitted)} parents"


def _parents(route: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list((route.get("status") or {}).get("parents") or [])


def _kinds(listener: Mapping[str, Any]) -> list[str]:
    """The Route kinds the listener takes: those of its allowedRoutes.kinds this implementation
    supports (the core kind of its protocol, in the Gateway API group), else that core kind."""
    core = CORE_KINDS.get(str(listener.get("protocol")))
    wanted = (listener.get("allowedRoutes") or {}).get("kinds") or []
    if not wanted:
        return [core] if core else []
    return [k["kind"] for k in wanted if _supported(listener, k)]


def _supported(listener: Mapping[str, Any], kind: Mapping[str, Any]) -> bool:
    group = kind.get("group") if kind.get("group") is not None else GROUP
    return group == GROUP and kind.get("kind") == CORE_KINDS.get(str(listener.get("protocol")))


def _listener_conditions(listener: Mapping[str, Any], tls_error: tuple[str, str] | None) -> list[tuple[str, ...]]:
    """istio/istio 1.29.6 conversion.go buildListener: a TLS error (gateway_tls.py) makes the
    listener's ResolvedRefs False with it and its Programmed False ("Bad TLS configuration");
    conditions.go reportListenerCondition then puts InvalidRouteKinds in ResolvedRefs' place when
    the listener names a kind not supported."""
    wanted = (listener.get("allowedRoutes") or {}).get("kinds") or []
    refs: tuple[str, ...] = ("ResolvedRefs", "True", "ResolvedRefs", NO_ERRORS)
    if any(not _supported(listener, k) for k in wanted):
        refs = ("ResolvedRefs", "False", "InvalidRouteKinds", "Invalid route kinds")
    elif tls_error is not None:
        refs = ("ResolvedRefs", "False", *tls_error)
    return [
        ("Accepted", "True", "Accepted", NO_ERRORS),
        gateway_tls.BAD_TLS if tls_error is not None else ("Programmed", "True", "Programmed", NO_ERRORS),
        refs,
        ("Conflicted", "False", "NoConflicts", NO_ERRORS),
    ]


def _admitting(
    cluster: Any, gw: Mapping[str, Any], ref: Mapping[str, Any], route: Mapping[str, Any]
) -> tuple[list[str], str, str]:
    """The listeners of ``gw`` that admit the route through ``ref``; when none does, the reason and
    message Istio reports. istio/istio 1.29.6 judges every listener of the Gateway (one parentInfo
    per listener: gateway_collection.go; conversion.go extractParentReferenceInfo) and then keeps,
    per parentRef, the least severe denial: NotAllowedByListeners before NoMatchingListenerHostname
    before NoMatchingParent, the messages of equal ones joined with "; " (conditions.go
    createRouteStatus, rankParentError)."""
    ns = route["metadata"]["namespace"]
    hostnames = (route.get("spec") or {}).get("hostnames") or ["*"]
    results = [
        (lst["name"], _listener_denial(cluster, gw, lst, ref, ns, hostnames))
        for lst in (gw.get("spec") or {}).get("listeners") or []
    ]
    admitted = [name for name, denial in results if denial is None]
    denials = [denial for _, denial in results if denial is not None]
    if admitted:
        return admitted, "", ""
    rank = min(_DENIAL_RANK[reason] for reason, _ in denials)
    worst = [(reason, message) for reason, message in denials if _DENIAL_RANK[reason] == rank]
    return [], worst[0][0], "; ".join(message for _, message in worst)


# conditions.go createRouteStatus rankParentError: the lower rank is the one reported.
_DENIAL_RANK = {"NotAllowedByListeners": 1, "NoMatchingListenerHostname": 2, "NoMatchingParent": 4}
ROUTE_KIND = "gateway.networking.k8s.io/v1/HTTPRoute"  # gvk.HTTPRoute as config.GroupVersionKind.String() prints it


def _listener_denial(
    cluster: Any, gw: Mapping[str, Any], listener: Mapping[str, Any], ref: Mapping[str, Any], ns: str, hosts: list[str]
) -> tuple[str, str] | None:
    """istio/istio 1.29.6 pilot/pkg/config/kube/gateway/conversion.go referenceAllowed for one
    listener, in its order: the parentRef's port, then its sectionName ("This must come first"),
    then the hostnames, where a listener that does not admit the route's namespace still counts as
    a hostname match (buildHostnameMatch writes NAMESPACE/HOST entries, "~/HOST" when no namespace
    is allowed), then the route kinds (generateSupportedKinds). Its messages; None when admitted."""
    port = ref.get("port")
    if port is not None and port != listener.get("port"):
        return "NoMatchingParent", f"port {port} not found"
    section = ref.get("sectionName")
    if section and section != listener["name"]:
        return "NoMatchingParent", f'sectionName "{section}" not found'
    original = str(listener.get("hostname") or "")
    if not any(_istio_host_matches(original or "*", host) for host in hosts):
        return "NoMatchingListenerHostname", f'no hostnames matched parent hostname "{original}"'
    if not _namespace_allowed(cluster, gw, listener, ns):
        message = f'hostnames matched parent hostname "{original}", but namespace "{ns}" is not allowed by the parent'
        return "NotAllowedByListeners", message
    if "HTTPRoute" not in _kinds(listener):
        return "NotAllowedByListeners", f"kind {ROUTE_KIND} is not allowed"
    return None


def _namespace_allowed(cluster: Any, gw: Mapping[str, Any], listener: Mapping[str, Any], ns: str) -> bool:
    namespaces = (listener.get("allowedRoutes") or {}).get("namespaces") or {}
    source = namespaces.get("from") or "Same"
    if source == "All":
        return True
    if source == "Selector":
        obj = cluster.get("v1", "Namespace", None, ns) or {}
        return matches_selector(namespaces.get("selector") or {}, (obj.get("metadata") or {}).get("labels") or {})
    return bool(gw["metadata"]["namespace"] == ns)


def _istio_host_matches(listener: str, route: str) -> bool:
    """istio/istio 1.29.6 pkg/config/host/name.go Name.Matches: the names overlap, either one a
    wildcard ("*" matches every name), compared by suffix."""
    if listener.startswith("*") and route.startswith("*"):
        shorter, longer = sorted((listener, route), key=len)
        return longer[1:].endswith(shorter[1:])
    if listener.startswith("*"):
        return route.endswith(listener[1:])
    if route.startswith("*"):
        return listener.endswith(route[1:])
    return listener == route


def _resolved(cluster: Any, ns: str, spec: Mapping[str, Any], inference_extension: bool) -> tuple[str, ...]:
    """The route's ResolvedRefs, as istio/istio 1.29.6 decides it. pilot/pkg/config/kube/gateway/
    conversion.go buildHTTPDestination skips a backendRef of weight 0 and goes on past an invalid
    backend (isInvalidBackend: RefNotPermitted, InvalidKind, BackendNotFound), the last one of the
    rule winning; any other error (InvalidDestination) ends the rule at once. convertHTTPRoute
    judges each RequestMirror filter's backendRef the same way (createMirrorFilter, buildDestination:
    one in another namespace needs a ReferenceGrant), drops a mirror with an error and keeps the
    last such error, which never ends the rule: joinErrors keeps the backends' reason and appends
    the mirror's message after "; ". pilot/pkg/config/kube/gateway/route_collections.go computeRoute
    keeps the last rule's error and stops at a hard one. All resolved: pilot/pkg/config/kube/gateway/
    conditions.go createRouteStatus, "All references resolved"."""
    found: tuple[str, ...] | None = None
    for rule in spec.get("rules") or []:
        mirrored: tuple[str, ...] = ()
        for flt in rule.get("filters") or []:
            if flt.get("type") == "RequestMirror":
                backend = (flt.get("requestMirror") or {}).get("backendRef") or {}
                mirrored = _backend_error(cluster, ns, backend, inference_extension)[0] or mirrored
        backends: tuple[str, ...] = ()
        for backend in rule.get("backendRefs") or []:
            if backend.get("weight", 1) == 0:
                continue
            error, hard = _backend_error(cluster, ns, backend, inference_extension)
            if hard:
                return error
            backends = error or backends
        if backends and mirrored:
            backends = (*backends[:3], f"{backends[3]}; {mirrored[3]}")
        found = backends or mirrored or found
    return found or ("ResolvedRefs", "True", "ResolvedRefs", "All references resolved")


def _backend_error(
    cluster: Any, ns: str, backend: Mapping[str, Any], inference_extension: bool
) -> tuple[tuple[str, ...], bool]:
    """conversion.go buildDestination for one backendRef: the ResolvedRefs it gives ((), when
    none), and whether the error is a hard one (not isInvalidBackend). Its order: the namespace
    (another one needs a ReferenceGrant there: gateway_grants.py), the kind, then the object, which
    is looked up in the backendRef's namespace."""
    name, group, kind = backend["name"], backend.get("group"), backend.get("kind")
    to_ns = gateway_grants.other_namespace(ns, backend)
    if to_ns and not gateway_grants.backend_allowed(cluster, "HTTPRoute", ns, backend):
        message = (
            f'backendRef {name}/{to_ns} not accessible to a HTTPRoute in namespace "{ns}" (missing a ReferenceGrant?)'
        )
        return ("ResolvedRefs", "False", "RefNotPermitted", message), False
    ns = to_ns or ns
    ref = (group or "", kind or "Service")
    if ref not in BACKENDS:
        message = f'referencing unsupported backendRef: group "{group or ""}" kind "{kind or ""}"'
        return ("ResolvedRefs", "False", "InvalidKind", message), False
    if ref[1] == "InferencePool":
        return _pool_error(cluster, ns, name, inference_extension)
    if "." in name:
        message = "service name invalid; the name of the Service must be used, not the hostname."
        return ("ResolvedRefs", "False", "InvalidDestination", message), True
    missing: tuple[str, ...] = ()
    if cluster.get("v1", "Service", ns, name) is None:
        missing = ("ResolvedRefs", "False", "BackendNotFound", f"backend({name}.{ns}.svc.cluster.local) not found")
    if backend.get("port") is None:  # the CRD's CEL refuses it first: "Must have port for Service reference"
        return ("ResolvedRefs", "False", "InvalidDestination", "port is required in backendRef"), True
    return missing, False


def _pool_error(cluster: Any, ns: str, name: str, inference_extension: bool) -> tuple[tuple[str, ...], bool]:
    """buildDestination's InferencePool case: the route leads to the pool's shadow Service."""
    if not inference_extension:
        return ("ResolvedRefs", "False", "InvalidKind", POOL_DISABLED), False
    if "." in name:
        message = "InferencePool.Name invalid; the name of the InferencePool must be used, not the hostname."
        return ("ResolvedRefs", "False", "InvalidDestination", message), True
    try:
        pool = cluster.get(POOL_API, "InferencePool", ns, name)
    except ApiError:  # the API is not served
        pool = None
    if pool is None:
        return ("ResolvedRefs", "False", "BackendNotFound", f"backend({name}) not found"), False
    shadow = cluster.get("v1", "Service", ns, gateway_pools.shadow_name(name))
    if shadow is None:
        missing = f"{gateway_pools.shadow_name(name)}.{ns}.svc.cluster.local"
        return ("ResolvedRefs", "False", "BackendNotFound", f"backend({missing}) not found"), False
    if gateway_pools.shadow_labels_missing(shadow):
        return ("ResolvedRefs", "False", "InvalidDestination", POOL_SERVICE_INVALID), True
    return (), False


def _listener_status(gw: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    for lst in (gw.get("status") or {}).get("listeners") or []:
        if lst.get("name") == name:
            return list(lst.get("conditions") or [])
    return []


def _supported_version(cluster: Any) -> tuple[str, ...]:
    """The SupportedVersion condition: (type, status, reason[, message])."""
    found = sorted(
        {
            str((crd["metadata"].get("annotations") or {}).get(BUNDLE_VERSION) or "none")
            for crd in cluster.list("apiextensions.k8s.io/v1", "CustomResourceDefinition")
            if (crd.get("spec") or {}).get("group") == GROUP
        }
    )
    unsupported = [v for v in found if v not in SUPPORTED_BUNDLES]
    if not unsupported:
        return "SupportedVersion", "True", "SupportedVersion"
    message = f"Gateway API CRD bundle versions found: {', '.join(found)}; supported: {', '.join(SUPPORTED_BUNDLES)}"
    return "SupportedVersion", "False", "UnsupportedVersion", message


def _conditions(
    obj: Mapping[str, Any], wanted: list[tuple[str, ...]], old: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """metav1.Conditions (type, status, reason[, message]) merged as meta.SetStatusCondition does:
    the time moves only with the status."""
    previous = {
        c.get("type"): c for c in (old if old is not None else (obj.get("status") or {}).get("conditions") or [])
    }
    generation = int((obj.get("metadata") or {}).get("generation") or 1)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = []
    for kind, status, reason, *text in wanted:
        before = previous.get(kind) or {}
        since = before.get("lastTransitionTime") if before.get("status") == status else None
        out.append(
            {
                "type": kind,
                "status": status,
                "reason": reason,
                "message": text[0] if text else "" if status == "True" else f"{kind} is {status}: {reason}",
                "observedGeneration": generation,
                "lastTransitionTime": since or now,
            }
        )
    # Conditions of other types stay, as SetStatusCondition keeps them.
    return out + [c for t, c in previous.items() if t not in {w[0] for w in wanted}]


def _write(cluster: Any, obj: Mapping[str, Any], status: dict[str, Any]) -> None:
    current = obj.get("status") or {}
    if all(current.get(k) == v for k, v in status.items()):
        return
    md = obj["metadata"]
    cluster.patch_status(obj["apiVersion"], obj["kind"], md.get("namespace"), md["name"], status)


def _served(cluster: Any, api_version: str, kind: str) -> bool:
    try:
        cluster.list(api_version, kind)
    except ApiError:
        return False
    return True
