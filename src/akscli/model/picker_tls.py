"""What an Istio gateway speaks to the endpoint picker, against what the EPP serves: the
DestinationRule the gateway's proxy applies to the picker's host, and the tls mode's rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.errors import AuthError
from akscli.kube.client import Kube
from akscli.model import destination_rules
from akscli.model.deploy import PICKER_PORT, DeployRequest
from akscli.model.goflags import go_bool_flag, go_flag
from akscli.validate import GO_BOOLS

# Istio's Gateway API controller (istio/istio 1.29.6 pilot/pkg/features/pilot.go,
# ManagedGatewayController): the class of the Istio add-on (istio) and of the application routing
# add-on's Gateway API (approuting-istio).
ISTIO_CONTROLLER = "istio.io/gateway-controller"
DESTINATION_RULE_API = "networking.istio.io/v1"


def check_gateway_tls(
    kube: Kube, req: DeployRequest, picker: str, container: Mapping[str, Any], pod_labels: Mapping[str, Any]
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
    if (gateway_class.get("spec") or {}).get("controllerName") != ISTIO_CONTROLLER:
        return []
    rule = _applied_rule(kube, req.namespace, picker, namespace)
    if rule is None:
        return []  # the rules could not be read: nothing to judge
    tls = _port_tls(rule.policy)
    args = _args(container)
    epp_tls = GO_BOOLS.get(go_bool_flag(args, "secure-serving") or "true", True)
    said = f"DestinationRule {', '.join(rule.names)} tls mode {tls.get('mode') or 'DISABLE'}" if tls else ""
    problem = _tls_problem(kube, req.namespace, tls, said, epp_tls, not go_flag(args, "cert-path"), pod_labels)
    if problem is None:
        return []
    return [
        f"endpoint picker {req.namespace}/{picker} {problem[0]}, behind the Istio gateway {namespace}/{req.gateway}: "
        f"every pick fails and the gateway routes round-robin without it (failureMode FailOpen); {problem[1]}"
    ]


PLAINTEXT_FIX = (
    "start it with --secure-serving=false (llm-d-router's chart: router.epp.flags.secure-serving=false, as "
    "KAITO does), or, on the Istio add-on, add a DestinationRule with tls mode SIMPLE and insecureSkipVerify"
)
TLS_FIX = "set the DestinationRule's tls mode to DISABLE, or start the picker without --secure-serving=false"


def _tls_problem(
    kube: Kube,
    namespace: str,
    tls: Mapping[str, Any],
    said: str,
    epp_tls: bool,
    self_signed: bool,
    pod_labels: Mapping[str, Any],
) -> tuple[str, str] | None:
    """What the gateway speaks, by the tls mode (istio/istio 1.29.6 pilot/pkg/networking/core/
    cluster_tls.go buildUpstreamClusterTLSContext, constructUpstreamTLS), against what the EPP
    serves; (why, fix) where they disagree."""
    mode = str(tls.get("mode") or "DISABLE")
    own_certs = (tls.get("clientCertificate") and tls.get("privateKey")) or tls.get("credentialName")
    if mode == "MUTUAL" and not own_certs:
        # constructUpstreamTLS refuses MUTUAL without a client certificate and key, and
        # applyUpstreamTLSSettings then leaves the cluster without TLS.
        mode, said = "DISABLE", f"{said} without a client certificate, which Istio drops, speaking plaintext"
    if mode == "ISTIO_MUTUAL":
        # Istio's mesh certificate, checked against the mesh's root: only an Istio sidecar of the
        # picker answers it, and hands the EPP plaintext.
        if not _has_sidecar(kube, namespace, pod_labels):
            return (
                f"has no Istio sidecar, and the gateway speaks Istio's mutual TLS to it ({said})",
                "set the DestinationRule's tls mode to DISABLE and start the picker with --secure-serving=false",
            )
        mode = "DISABLE"
    if mode == "DISABLE":
        if not epp_tls:
            return None
        how = f"({said})" if said else "(no DestinationRule sets TLS for it)"
        return f"serves TLS (it is not started with --secure-serving=false) and the gateway speaks plaintext {how}", (
            PLAINTEXT_FIX
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


def _applied_rule(kube: Kube, namespace: str, picker: str, gateway_namespace: str) -> destination_rules.Applied | None:
    """The DestinationRule the gateway's proxy (in the Gateway's namespace) applies to the picker's
    host: those of the gateway's, the picker's and the mesh root namespace are read; an empty one
    where none applies or the API is not served (the application routing add-on serves no Istio
    API: MicrosoftDocs/azure-aks-docs articles/aks/app-routing-gateway-api.md); None where they
    cannot be read."""
    try:
        if not kube.has_api(DESTINATION_RULE_API, "DestinationRule"):
            return destination_rules.Applied({}, [])
        rules = [
            rule
            for ns in dict.fromkeys((gateway_namespace, namespace, destination_rules.ROOT_NAMESPACE))
            for rule in kube.list(DESTINATION_RULE_API, "DestinationRule", namespace=ns)
        ]
    except AuthError:
        return None
    host = destination_rules.fqdn(picker, namespace)
    return destination_rules.applied(rules, host, namespace, gateway_namespace) or destination_rules.Applied({}, [])


def _port_tls(policy: Mapping[str, Any]) -> Mapping[str, Any]:
    """The tls of the picker's port: a portLevelSettings entry for it replaces the rule's own."""
    for setting in policy.get("portLevelSettings") or []:
        if (setting.get("port") or {}).get("number") == PICKER_PORT and setting.get("tls"):
            return dict(setting["tls"])
    return dict(policy.get("tls") or {})


def _args(container: Mapping[str, Any]) -> list[str]:
    return [str(a) for a in (*(container.get("command") or []), *(container.get("args") or []))]
