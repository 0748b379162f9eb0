"""What an Istio sidecar on a workload does with a connection to one of its ports, as istiod
configures it: the PeerAuthentication mode of the port and the protocol of the Service port decide
which filter chains its inbound listener has.

upstream: istio/istio 1.29.6 (7019d6d3608e4995e9a36d2977cfec3a341431cd)
* pilot/pkg/model/authentication.go: addPeerAuthentication (per namespace the oldest PeerAuthentication
  without a selector counts; in the root namespace it is the mesh's, UNSET there meaning
  PERMISSIVE), GetNamespaceMutualTLSMode, getConfigsForWorkload (the workload's namespace and the
  root namespace; a selector applies where its matchLabels are a subset of the workload's labels).
* pilot/pkg/security/authn/policy_applier.go ComposePeerAuthentication: workload over namespace
  over mesh, the oldest of each scope, UNSET inheriting; a workload policy in the root namespace is
  ignored; portLevelMtls of the workload policy for the port; PERMISSIVE with none.
* pkg/config/kube/conversion.go ConvertProtocol (appProtocol before the port name's prefix,
  kubernetes.io/h2c is HTTP2), pkg/config/protocol/instance.go Parse,
  pilot/pkg/networking/networking.go ModelProtocolToListenerProtocol (HTTP, HTTP2, GRPC: HTTP;
  TCP, HTTPS, TLS: TCP; unrecognised: protocol sniffing).
* pilot/pkg/networking/core/filterchain_options.go getFilterChainMatchOptions: STRICT has only
  Istio mutual TLS chains; DISABLE only plaintext; PERMISSIVE has both, and passes other TLS on to
  the workload as TCP only on a TCP or sniffed port ("We do not need to handle other simple TLS or
  others, as this is explicitly declared as HTTP type").

Which ports the sidecar captures at all (istio/istio 86c9f01fd735fb01d8192f5bcaf0d424afb7f14c
tools/istio-iptables/pkg/capture/run.go handleInboundPortsInclude; the injector passes the pod's
``traffic.sidecar.istio.io/includeInboundPorts`` and ``excludeInboundPorts`` annotations on,
manifests/charts/istio-control/istio-discovery/files/injection-template.yaml, includeInboundPorts
"*" by default): with "*", every port but the excluded ones; with a list, only the listed ones
(the exclusions then play no part); with "", none. A port not captured bypasses the sidecar: the
EPP gets what the gateway sends as it is sent, and no PeerAuthentication applies to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

STRICT, PERMISSIVE, DISABLE = "STRICT", "PERMISSIVE", "DISABLE"

_HTTP = {"http", "http2", "http_proxy", "grpc", "grpc-web"}
_TCP = {"tcp", "https", "tls", "mongo", "redis", "mysql"}
_WELL_KNOWN_TCP = {25, 53, 3306, 27017}


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _created(obj: Mapping[str, Any]) -> str:
    return str(_meta(obj).get("creationTimestamp") or "")


def _selector(policy: Mapping[str, Any]) -> Mapping[str, Any]:
    return ((policy.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}


def _mode(mtls: Mapping[str, Any] | None) -> str | None:
    """The mode a PeerAuthentication's mtls sets; None where UNSET."""
    mode = str((mtls or {}).get("mode") or "UNSET")
    return None if mode == "UNSET" else mode


def _oldest(policies: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    return min(policies, key=_created) if policies else None


def port_mode(
    policies: Iterable[Mapping[str, Any]],
    root_namespace: str,
    namespace: str,
    labels: Mapping[str, Any],
    port: int,
) -> tuple[str, str | None]:
    """The mTLS mode of the sidecar of a workload of ``namespace`` with ``labels`` on container port
    ``port``, and the PeerAuthentication that set it (None: Istio's default, PERMISSIVE)."""
    mesh: list[Mapping[str, Any]] = []
    own: list[Mapping[str, Any]] = []
    workload: list[Mapping[str, Any]] = []
    for policy in policies:
        ns = str(_meta(policy).get("namespace") or "")
        selector = _selector(policy)
        if not selector:
            (mesh if ns == root_namespace else own if ns == namespace else []).append(policy)
        elif ns == namespace and ns != root_namespace and all(labels.get(k) == v for k, v in selector.items()):
            workload.append(policy)
    mode, source = PERMISSIVE, None
    for chosen in (_oldest(mesh), _oldest(own), _oldest(workload)):
        set_mode = _mode((chosen or {}).get("spec", {}).get("mtls")) if chosen else None
        if chosen is not None and set_mode is not None:
            mode, source = set_mode, f"{_meta(chosen).get('namespace')}/{_meta(chosen).get('name')}"
    chosen = _oldest(workload)
    levels = ((chosen or {}).get("spec") or {}).get("portLevelMtls") or {}
    for key, mtls in levels.items():
        if str(key) == str(port):
            set_mode = _mode(mtls)
            if set_mode is not None and chosen is not None:
                mode, source = set_mode, f"{_meta(chosen).get('namespace')}/{_meta(chosen).get('name')}"
    return mode, source


def namespace_mode(policies: Iterable[Mapping[str, Any]], root_namespace: str, namespace: str) -> str:
    """GetNamespaceMutualTLSMode as BestEffortInferServiceMTLSMode reads it for the gateway's
    automatic mutual TLS: the namespace's policy without a selector, else the mesh's, else
    PERMISSIVE."""
    mesh: list[Mapping[str, Any]] = []
    own: list[Mapping[str, Any]] = []
    for policy in policies:
        ns = str(_meta(policy).get("namespace") or "")
        if not _selector(policy):
            (mesh if ns == root_namespace else own if ns == namespace else []).append(policy)
    mesh_policy, own_policy = _oldest(mesh), _oldest(own)
    mesh_mode = PERMISSIVE
    if mesh_policy is not None:
        mesh_mode = _mode((mesh_policy.get("spec") or {}).get("mtls")) or PERMISSIVE
    if own_policy is not None:
        return _mode((own_policy.get("spec") or {}).get("mtls")) or mesh_mode
    return mesh_mode


def listener_protocol(service_port: Mapping[str, Any]) -> str:
    """HTTP, TCP or AUTO (sniffed): the protocol of the sidecar's inbound chains for a Service
    port, from its appProtocol, else its name's prefix before "-"."""
    name = str(service_port.get("appProtocol") or service_port.get("name") or "")
    if name == "kubernetes.io/h2c" or name == "kubernetes.io/ws":
        return "HTTP"
    if name == "kubernetes.io/wss":
        return "TCP"
    if name[:8].lower() == "grpc-web":
        return "HTTP"
    prefix = name.split("-", 1)[0].lower()
    if prefix in _HTTP:
        return "HTTP"
    if prefix in _TCP or service_port.get("port") in _WELL_KNOWN_TCP:
        return "TCP"
    return "AUTO"


def reaches_workload(sent: str, mode: str, protocol: str) -> str | None:
    """What the workload behind the sidecar receives of what the client ``sent`` (plaintext, tls,
    istio: Istio's mutual TLS): plaintext or tls; None where no filter chain takes it."""
    if sent == "istio":
        return "plaintext" if mode in (STRICT, PERMISSIVE) else None
    if sent == "plaintext":
        return "plaintext" if mode in (PERMISSIVE, DISABLE) else None
    return "tls" if mode == PERMISSIVE and protocol in ("TCP", "AUTO") else None


INCLUDE_INBOUND = "traffic.sidecar.istio.io/includeInboundPorts"
EXCLUDE_INBOUND = "traffic.sidecar.istio.io/excludeInboundPorts"


def _ports(text: str) -> set[str]:
    return {p.strip() for p in text.split(",") if p.strip()}


def uncaptured(annotations: Mapping[str, Any], port: int) -> str | None:
    """Why the sidecar does not capture inbound ``port`` (the annotation that says so), or None
    where it does (handleInboundPortsInclude)."""
    include = str(annotations.get(INCLUDE_INBOUND, "*")).strip()
    if include == "*":
        excluded = str(annotations.get(EXCLUDE_INBOUND) or "")
        return f"{EXCLUDE_INBOUND}: {excluded!r}" if str(port) in _ports(excluded) else None
    if str(port) in _ports(include):
        return None
    return f"{INCLUDE_INBOUND}: {include!r}"
