"""What an Istio gateway speaks to the endpoint picker, against what the EPP serves: the
DestinationRule the gateway's proxy applies to the picker's host, and the tls mode's rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.errors import AuthError
from akscli.kube.client import Kube
from akscli.model import destination_rules, istio_mesh, kinds, mesh_inbound
from akscli.model.deploy import PICKER_PORT
from akscli.model.goflags import go_bool_flag, go_flag
from akscli.model.request import DeployRequest
from akscli.validate import GO_BOOLS

DESTINATION_RULE_API = "networking.istio.io/v1"
PEER_AUTHENTICATION_API = "security.istio.io/v1"
# The label of the pods of the Deployment istiod makes for a Gateway (istio/istio 1.29.6
# pilot/pkg/config/kube/gateway/deploymentcontroller.go GatewayNameLabel).
GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name"


def check_gateway_tls(
    kube: Kube,
    req: DeployRequest,
    picker: str,
    container: Mapping[str, Any],
    pod_meta: Mapping[str, Any],
    service_port: Mapping[str, Any],
) -> list[str]:
    """An Istio gateway opens the ext_proc stream to the picker as the DestinationRule it applies
    to the picker's host says (model/destination_rules.py), and the EPP serves TLS with a
    self-signed certificate unless started with --secure-serving=false, or with --cert-path's
    certificate (llm-d/llm-d-router v0.9.0 pkg/epp/server/options.go, SecureServing true).
    llm-d-router's chart bridges the two with a DestinationRule (tls SIMPLE, insecureSkipVerify)
    only with provider.name=istio (config/charts/llm-d-router-gateway/templates/istio.yaml); KAITO
    starts its EPP with --secure-serving=false and a DestinationRule with tls DISABLE
    (kaito-project/kaito 056b8280 pkg/workspace/manifests/manifests.go,
    GenerateInferencePoolHelmRelease; examples/gateway-api-inference-extension/
    destinationrule-phi-4-mini-instruct.yaml). When the two disagree every ext_proc call fails, and
    with the pool's failureMode FailOpen the gateway routes round-robin as if there were no picker
    (istio/istio 1.29.6 pilot/pkg/networking/core/cluster_builder.go, applyOverrideHostPolicy's
    fallback). Only a warning: the model still answers."""
    namespace = req.gateway_namespace or req.namespace
    gateway = kube.get("gateway.networking.k8s.io/v1", "Gateway", req.gateway, namespace=namespace) or {}
    class_name = str((gateway.get("spec") or {}).get("gatewayClassName") or "")
    gateway_class = kube.get("gateway.networking.k8s.io/v1", "GatewayClass", class_name) or {}
    if not kinds.is_istio_class(gateway_class):
        return []
    try:
        mesh = istio_mesh.for_gateway(kube, gateway)
        rules = _applied_rules(kube, req.namespace, picker, namespace, req.gateway, mesh)
        if rules is None:
            return []  # no gateway pod to read the labels of, for a rule with a workloadSelector
        args = _args(container)
        epp = _Epp(kube, req.namespace, pod_meta, service_port, mesh, int(go_flag(args, "grpc-port") or PICKER_PORT))
        warnings: list[str] = []
        for rule in rules:
            tls = _port_tls(rule.policy)
            epp_tls = GO_BOOLS.get(go_bool_flag(args, "secure-serving") or "true", True)
            said = f"DestinationRule {', '.join(rule.names)} tls mode {tls.get('mode') or 'DISABLE'}" if tls else ""
            problem = _tls_problem(epp, tls, said, epp_tls, not go_flag(args, "cert-path"))
            line = problem and (
                f"endpoint picker {req.namespace}/{picker} {problem[0]}, behind the Istio gateway {namespace}/"
                f"{req.gateway}: every pick fails and the gateway routes round-robin without it (failureMode "
                f"FailOpen); {problem[1]}"
            )
            if line and line not in warnings:
                warnings.append(line)
        return warnings
    except AuthError:
        return []  # what Istio reads could not be read: nothing to judge


PLAINTEXT_FIX = (
    "start it with --secure-serving=false (llm-d-router's chart: router.epp.flags.secure-serving=false, as "
    "KAITO does), or, on the Istio add-on, add a DestinationRule with tls mode SIMPLE and insecureSkipVerify"
)
TLS_FIX = "set the DestinationRule's tls mode to DISABLE, or start the picker without --secure-serving=false"
SIDECAR_FIX = (
    "set the DestinationRule's tls mode to ISTIO_MUTUAL (or leave tls out for Istio's automatic mutual TLS) "
    "and start the picker with --secure-serving=false"
)


class _Epp:
    """The picker's pods as Istio sees them: whether they have a sidecar, and its mTLS mode on the
    EPP's port (read once, when a judgment needs them)."""

    def __init__(
        self,
        kube: Kube,
        namespace: str,
        pod_meta: Mapping[str, Any],
        service_port: Mapping[str, Any],
        mesh: istio_mesh.Mesh,
        port: int,
    ) -> None:
        self.kube, self.namespace, self.service_port = kube, namespace, service_port
        self.labels: Mapping[str, Any] = pod_meta.get("labels") or {}
        # Where the sidecar does not capture the EPP's port, why (the pod's annotation); else None.
        self.bypass = mesh_inbound.uncaptured(pod_meta.get("annotations") or {}, port)
        self.mesh, self.port = mesh, port
        self._sidecar: bool | None = None
        self._policies: list[dict[str, Any]] | None = None

    @property
    def sidecar(self) -> bool:
        if self._sidecar is None:
            self._sidecar = _has_sidecar(self.kube, self.namespace, self.labels)
        return self._sidecar

    def policies(self) -> list[dict[str, Any]]:
        """The PeerAuthentications of the picker's namespace and the mesh root namespace."""
        if self._policies is None:
            self._policies = []
            if self.kube.has_api(PEER_AUTHENTICATION_API, "PeerAuthentication"):
                for ns in dict.fromkeys((self.namespace, self.mesh.root_namespace)):
                    self._policies += self.kube.list(PEER_AUTHENTICATION_API, "PeerAuthentication", namespace=ns)
        return self._policies

    def port_mode(self) -> tuple[str, str | None]:
        return mesh_inbound.port_mode(self.policies(), self.mesh.root_namespace, self.namespace, self.labels, self.port)

    def auto_mtls(self) -> bool:
        """Istio's automatic mutual TLS where no DestinationRule sets tls (pilot/pkg/networking/core/
        cluster_tls.go buildUpstreamTLSSettings, pilot/pkg/model/push_context.go
        BestEffortInferServiceMTLSMode, pilot/pkg/xds/endpoints/mtls_checker.go checkMtlsEnabled):
        to an endpoint with a sidecar, unless the namespace's or the port's mode is DISABLE."""
        if not self.sidecar:
            return False
        ns_mode = mesh_inbound.namespace_mode(self.policies(), self.mesh.root_namespace, self.namespace)
        return ns_mode != mesh_inbound.DISABLE and self.port_mode()[0] != mesh_inbound.DISABLE


def _tls_problem(
    epp: _Epp, tls: Mapping[str, Any], said: str, epp_tls: bool, self_signed: bool
) -> tuple[str, str] | None:
    """What the gateway speaks, by the tls mode (istio/istio 1.29.6 pilot/pkg/networking/core/
    cluster_tls.go buildUpstreamClusterTLSContext, constructUpstreamTLS), what of it reaches the
    EPP through its sidecar, if it has one (model/mesh_inbound.py), against what the EPP serves;
    (why, fix) where they disagree."""
    mode = str(tls.get("mode") or "DISABLE") if tls else None
    own_certs = (tls.get("clientCertificate") and tls.get("privateKey")) or tls.get("credentialName")
    if mode == "MUTUAL" and not own_certs:
        # constructUpstreamTLS refuses MUTUAL without a client certificate and key, and
        # applyUpstreamTLSSettings then leaves the cluster without TLS.
        mode, said = "DISABLE", f"{said} without a client certificate, which Istio drops, speaking plaintext"
    if mode is None:
        sent = "istio" if epp.auto_mtls() else "plaintext"
        said = "no DestinationRule sets TLS for it" + (": Istio's automatic mutual TLS" if sent == "istio" else "")
    else:
        sent = {"DISABLE": "plaintext", "ISTIO_MUTUAL": "istio"}.get(mode, "tls")
    if sent == "istio" and not epp.sidecar:
        # Istio's mesh certificate, checked against the mesh's root: only an Istio sidecar of the
        # picker answers it.
        return (
            f"has no Istio sidecar, and the gateway speaks Istio's mutual TLS to it ({said})",
            "set the DestinationRule's tls mode to DISABLE and start the picker with --secure-serving=false",
        )
    speaks = {"istio": "Istio's mutual TLS", "plaintext": "plaintext", "tls": "TLS"}[sent]
    received = sent
    if epp.sidecar and epp.bypass and sent == "istio":
        # The gateway still sends Istio's mutual TLS (the endpoint is the sidecar's), which only
        # the sidecar could take.
        return (
            f"has an Istio sidecar that does not capture port {epp.port} ({epp.bypass}), so the gateway's Istio "
            f"mutual TLS reaches the EPP itself ({said})",
            f"let the sidecar capture port {epp.port} (drop the annotation), or set the DestinationRule's tls mode "
            "to DISABLE and start the picker with --secure-serving=false",
        )
    if epp.sidecar and not epp.bypass:
        peer_mode, policy = epp.port_mode()
        protocol = mesh_inbound.listener_protocol(epp.service_port)
        received_or_none = mesh_inbound.reaches_workload(sent, peer_mode, protocol)
        if received_or_none is None:
            return _sidecar_refusal(epp, sent, speaks, said, peer_mode, policy, protocol)
        received = received_or_none
    if received == "plaintext":
        if not epp_tls:
            return None
        how = f"({said})" if said else "(no DestinationRule sets TLS for it)"
        hands = " (its Istio sidecar hands the EPP plaintext)" if epp.sidecar and sent != "plaintext" else ""
        return (
            f"serves TLS (it is not started with --secure-serving=false) and the gateway speaks {speaks}{hands} {how}",
            (PLAINTEXT_FIX if sent == "plaintext" else SIDECAR_PLAINTEXT_FIX),
        )
    if not epp_tls:
        return f"serves plaintext (--secure-serving=false) and the gateway speaks TLS to it ({said})", TLS_FIX
    trusted = tls.get("insecureSkipVerify") is True or tls.get("caCertificates") or tls.get("credentialName")
    if self_signed and not trusted:
        # constructUpstreamTLS: without caCertificates the system's CAs verify the server.
        return (
            f"serves a self-signed certificate (no --cert-path), which the gateway verifies against the system's "
            f"CAs ({said} without insecureSkipVerify or caCertificates)",
            "set insecureSkipVerify: true in the DestinationRule's tls, as llm-d-router's chart does",
        )
    return None


SIDECAR_PLAINTEXT_FIX = "start the picker with --secure-serving=false: its Istio sidecar hands it plaintext"


def _sidecar_refusal(
    epp: _Epp, sent: str, speaks: str, said: str, peer_mode: str, policy: str | None, protocol: str
) -> tuple[str, str]:
    """Why the picker's sidecar has no filter chain for what the gateway sends."""
    by = f"PeerAuthentication {policy}" if policy else "Istio's default"
    if peer_mode == mesh_inbound.STRICT:
        return (
            f"has an Istio sidecar that takes only Istio's mutual TLS on port {epp.port} (mTLS STRICT, {by}), and "
            f"the gateway speaks {speaks} to it ({said})",
            SIDECAR_FIX,
        )
    if peer_mode == mesh_inbound.DISABLE:
        return (
            f"has an Istio sidecar that takes only plaintext on port {epp.port} (mTLS DISABLE, {by}), and the "
            f"gateway speaks {speaks} to it ({said})",
            "set the DestinationRule's tls mode to DISABLE and start the picker with --secure-serving=false",
        )
    port = epp.service_port
    declared = f"appProtocol {port['appProtocol']}" if port.get("appProtocol") else f"name {port.get('name')}"
    return (
        f"has an Istio sidecar, which passes TLS other than Istio's on to the EPP only on a TCP port, and port "
        f"{port.get('port')} of its Service is {protocol} ({declared}); the gateway speaks {speaks} to it ({said})",
        SIDECAR_FIX,
    )


def _has_sidecar(kube: Kube, namespace: str, pod_labels: Mapping[str, Any]) -> bool:
    """Whether Istio's injector gives the picker's pods a sidecar (istio/istio 1.29.6
    manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml: the namespace's
    istio-injection=enabled or istio.io/rev, else the pod's istio.io/rev, unless the pod says
    sidecar.istio.io/inject=false)."""
    if pod_labels.get("sidecar.istio.io/inject") == "false":
        return False
    ns_labels = ((kube.get("v1", "Namespace", namespace) or {}).get("metadata") or {}).get("labels") or {}
    if "istio-injection" in ns_labels:
        return bool(ns_labels["istio-injection"] == "enabled")
    return bool(ns_labels.get("istio.io/rev") or pod_labels.get("istio.io/rev"))


def _applied_rules(
    kube: Kube, namespace: str, picker: str, gateway_namespace: str, gateway: str, mesh: istio_mesh.Mesh
) -> list[destination_rules.Applied] | None:
    """The DestinationRules the gateway's proxies (in the Gateway's namespace) apply to the
    picker's host, one per distinct verdict: those of the gateway's, the picker's and the mesh root
    namespace are read; an empty one where none applies or the API is not served (the application
    routing add-on serves no Istio API: MicrosoftDocs/azure-aks-docs articles/aks/
    app-routing-gateway-api.md). A rule with a workloadSelector in the gateway's namespace applies
    to the proxies it selects: then the labels of the gateway's pods are read, which istiod's
    Deployment for the Gateway labels gateway.networking.k8s.io/gateway-name=NAME (istio/istio
    1.29.6 manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml); None where there
    is none to read."""
    if not kube.has_api(DESTINATION_RULE_API, "DestinationRule"):
        return [destination_rules.Applied({}, [])]
    rules = [
        rule
        for ns in dict.fromkeys((gateway_namespace, namespace, mesh.root_namespace))
        for rule in kube.list(DESTINATION_RULE_API, "DestinationRule", namespace=ns)
    ]
    label_sets: list[Mapping[str, Any]] = [{}]
    if destination_rules.has_selectors(rules, gateway_namespace):
        selector = f"{GATEWAY_NAME_LABEL}={gateway}"
        pods = kube.list("v1", "Pod", namespace=gateway_namespace, label_selector=selector)
        label_sets = [(pod.get("metadata") or {}).get("labels") or {} for pod in pods]
        if not label_sets:
            return None
    host = destination_rules.fqdn(picker, namespace)
    found: list[destination_rules.Applied] = []
    for labels in label_sets:
        rule = destination_rules.applied(
            rules,
            host,
            namespace,
            gateway_namespace,
            mesh.root_namespace,
            client_labels={str(k): str(v) for k, v in labels.items()},
            default_export_to=mesh.default_destination_rule_export_to,
        ) or destination_rules.Applied({}, [])
        if rule not in found:
            found.append(rule)
    return found


def _port_tls(policy: Mapping[str, Any]) -> Mapping[str, Any]:
    """The tls of the picker's port: a portLevelSettings entry for it replaces the rule's own."""
    for setting in policy.get("portLevelSettings") or []:
        if (setting.get("port") or {}).get("number") == PICKER_PORT and setting.get("tls"):
            return dict(setting["tls"])
    return dict(policy.get("tls") or {})


def _args(container: Mapping[str, Any]) -> list[str]:
    return [str(a) for a in (*(container.get("command") or []), *(container.get("args") or []))]
