"""A Gateway listener's TLS certificates, as the lab's Istio judges them for the listener's status
(gateway.py): the Secrets of ``tls.certificateRefs``, and a ReferenceGrant for one in another
namespace (gateway_grants.py).

istio/istio 1.29.6 (7019d6d3608e4995e9a36d2977cfec3a341431cd) pilot/pkg/config/kube/gateway/conversion.go:
* buildTLS: only a listener with ``tls`` is judged, and only in mode Terminate (the default;
  Passthrough names no certificate), unless ``tls.options`` gateway.istio.io/tls-terminate-mode is
  ISTIO_SIMPLE or ISTIO_MUTUAL (Istio's own certificate). More than two certificateRefs: "TLS mode
  can only support up to 2 server certificates". Each certificateRef is checked by
  buildSecretReference, then, when its namespace is another one, by SecretAllowed
  (references_collection.go): "certificateRef NAME/NS not accessible to a Gateway in namespace
  \"GWNS\" (missing a ReferenceGrant?)", reason ``RefNotPermitted`` (conditions.go
  InvalidListenerRefNotPermitted = ListenerReasonRefNotPermitted). The errors of the refs are
  joined with "; ", the first one's reason kept (joinErrors); the listener has an error only when
  no ref is valid.
* buildSecretReference: a ref that is not a core Secret is "invalid certificate reference
  GROUP/KIND/NAME.NS, only secret is allowed", one whose Secret does not exist "invalid certificate
  reference GROUP/KIND/NAME.NS, secret NS/NAME not found", reason ``InvalidCertificateRef``
  (conditions.go InvalidTLS = ListenerReasonInvalidCertificateRef; secretObjectReferenceString
  prints the ref's group, kind and namespace as written, empty when unset).
* buildListener: with such an error the listener's ``ResolvedRefs`` is False with it, and its
  ``Programmed`` False, reason ``Invalid``, "Bad TLS configuration"; the Gateway's own conditions do
  not change (reportGatewayStatus: "We only have errors in listeners") and routes still attach
  (gateway_collection.go keeps the listener's parentInfo).

Not simulated: the Secret's content (kube/secrets.go ExtractCertInfo's keys and tls.X509KeyPair),
the Gateway's spec.tls caCertificateRefs, and listeners' other TLS options.

Conformance: kubernetes-sigs/gateway-api v1.6.1 conformance/tests/gateway-secret-missing-reference-grant.go and
gateway-secret-invalid-reference-grant.go (ResolvedRefs False ``RefNotPermitted``),
gateway-secret-reference-grant-specific.go and gateway-secret-reference-grant-all-in-namespace.go (ResolvedRefs
and Programmed True).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.controllers import gateway_grants

# tls.options key of Istio's own termination modes (conversion.go gatewayTLSTerminateModeKey).
TERMINATE_MODE = "gateway.istio.io/tls-terminate-mode"
BAD_TLS = ("Programmed", "False", "Invalid", "Bad TLS configuration")


def error(cluster: Any, gw: Mapping[str, Any], listener: Mapping[str, Any]) -> tuple[str, str] | None:
    """buildTLS's error for the listener, as (reason, message); None when it has none."""
    tls = listener.get("tls")
    if not tls or (tls.get("mode") or "Terminate") != "Terminate":
        return None
    if (tls.get("options") or {}).get(TERMINATE_MODE) in ("ISTIO_SIMPLE", "ISTIO_MUTUAL"):
        return None
    refs = tls.get("certificateRefs") or []
    if len(refs) > 2:
        return "InvalidCertificateRef", "TLS mode can only support up to 2 server certificates"
    namespace = gw["metadata"]["namespace"]
    errors = [_ref_error(cluster, namespace, ref) for ref in refs]
    found = [e for e in errors if e is not None]
    if not found or len(found) < len(errors):
        return None
    return found[0][0], "; ".join(message for _, message in found)


def _ref_error(cluster: Any, namespace: str, ref: Mapping[str, Any]) -> tuple[str, str] | None:
    shown = f"{ref.get('group') or ''}/{ref.get('kind') or ''}/{ref.get('name')}.{ref.get('namespace') or ''}"
    if (ref.get("group") or "", ref.get("kind") or "Secret") != ("", "Secret"):
        return "InvalidCertificateRef", f"invalid certificate reference {shown}, only secret is allowed"
    secret_ns, name = str(ref.get("namespace") or namespace), str(ref.get("name"))
    if cluster.get("v1", "Secret", secret_ns, name) is None:
        return "InvalidCertificateRef", f"invalid certificate reference {shown}, secret {secret_ns}/{name} not found"
    if secret_ns != namespace and not gateway_grants.secret_allowed(cluster, namespace, secret_ns, name):
        message = f'certificateRef {name}/{secret_ns} not accessible to a Gateway in namespace "{namespace}"'
        return "RefNotPermitted", f"{message} (missing a ReferenceGrant?)"
    return None
