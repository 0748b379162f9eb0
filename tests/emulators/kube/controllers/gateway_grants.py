"""ReferenceGrants, as the lab's Istio reads them: whether an HTTPRoute may name a backend in
another namespace, as a backendRef or as a request mirror's (the route status of gateway.py and the
requests of gateway_dataplane.py), and whether a Gateway's listener may name a certificate Secret in
another namespace (its listener status, gateway_tls.py).

kubernetes-sigs/gateway-api v1.6.1 (8bb74df00e56ec8f944d48c25e6c1c9c2f6848e3) apis/v1/
referencegrant_types.go: a ReferenceGrant lives in the namespace of the objects it opens; each of
its ``from`` entries (group, kind, namespace) may refer to each of its ``to`` entries (group, kind,
and a name, or every object of that kind when the name is unset); entries are ORed, and the grant's
removal revokes the access ("MUST respond to the removal of a grant by revoking the access").
Conformance: kubernetes-sigs/gateway-api conformance/tests/httproute-reference-grant.go (a grant lets the route reach
the backend; deleting it brings back 500), conformance/tests/httproute-invalid-reference-grant.go
(a grant in the route's namespace, or one whose from group, from kind, from namespace, to group, to kind or to
name differs, allows nothing: ResolvedRefs False ``RefNotPermitted``),
conformance/tests/httproute-partially-invalid-via-invalid-reference-grant.go (a grant for one Service leaves its
sibling refused), kubernetes-sigs/gateway-api conformance/tests/gateway-secret-missing-reference-grant.go,
gateway-secret-invalid-reference-grant.go
(the same seven wrong grants, from a Gateway to a Secret: the listener's ResolvedRefs False ``RefNotPermitted``),
gateway-secret-reference-grant-specific.go and gateway-secret-reference-grant-all-in-namespace.go (a grant naming the
Secret, or every Secret of its namespace: ResolvedRefs and Programmed True).

istio/istio 1.29.6 pilot/pkg/config/kube/gateway/references_collection.go
(ReferenceGrantsCollection, BackendAllowed, SecretAllowed): a ``from`` entry counts only for Gateway API route
and Gateway kinds, a ``to`` entry only for ConfigMap, Secret, Service and InferencePool (other
kinds are skipped, "may be for another controller"); a backend is allowed when a grant of the
backend's namespace pairs the route's kind and namespace with the backend's kind and either no
name or the backend's name; a Secret the same way, from the Gateway's kind and namespace.
istio/istio pilot/pkg/config/kube/gateway/conversion.go buildDestination asks only when
the backendRef sets a namespace other than the route's. istio/istio pilot/pkg/config/kube/gateway/testdata/
reference-policy-inferencepool.yaml is a grant
``to`` an InferencePool.

The ReferenceGrant CRD is the v1.6.1 standard one (gateway_referencegrants.yaml, copied because
../shared/crds/gateway-api lacks it; AKS's managed Gateway API installs it beside the others:
MicrosoftDocs/azure-aks-docs articles/aks/managed-gateway-api.md, "referencegrants.gateway.networking.k8s.io").
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.emulators.kube.status import ApiError

GROUP = "gateway.networking.k8s.io"
GRANT_API = f"{GROUP}/v1beta1"  # what istiod 1.29.6 reads (gatewayv1beta1.ReferenceGrant); v1 is served too
GRANT_CRD = f"referencegrants.{GROUP}"
ROUTE_CRD = f"httproutes.{GROUP}"
CRD_API = "apiextensions.k8s.io/v1"
# The (group, kind)s a grant's ``to`` entries count for in Istio (ReferenceGrantsCollection; its
# ``from`` switch takes the route kinds and Gateway, and the lab's routes are all HTTPRoutes).
TO_KINDS = frozenset(
    {("", "ConfigMap"), ("", "Secret"), ("", "Service"), ("inference.networking.k8s.io", "InferencePool")}
)


@functools.cache
def crd() -> dict[str, Any]:
    import yaml

    text = (Path(__file__).with_name("gateway_referencegrants.yaml")).read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def install(cluster: Any) -> None:
    """Serve ReferenceGrant where the cluster serves the Gateway API's routes (the bundle installs
    them together) and does not serve it yet."""
    if cluster.get(CRD_API, "CustomResourceDefinition", None, ROUTE_CRD) is None:
        return
    if cluster.get(CRD_API, "CustomResourceDefinition", None, GRANT_CRD) is None:
        cluster.create(copy.deepcopy(crd()))


def backend_allowed(cluster: Any, route_kind: str, route_ns: str, backend: Mapping[str, Any]) -> bool:
    """BackendAllowed: whether a route of ``route_kind`` in ``route_ns`` may name ``backend``
    (a backendRef, or a request mirror's, whose namespace is another one)."""
    to = (backend.get("group") or "", backend.get("kind") or "Service")
    return granted(cluster, route_kind, route_ns, to, str(backend["namespace"]), str(backend["name"]))


def secret_allowed(cluster: Any, gateway_ns: str, secret_ns: str, name: str) -> bool:
    """SecretAllowed: whether a Gateway of ``gateway_ns`` may name Secret ``secret_ns/name`` in a
    listener's tls.certificateRefs (istio/istio 1.29.6 pilot/pkg/config/kube/gateway/conversion.go
    buildTLS asks for another namespace only)."""
    return granted(cluster, "Gateway", gateway_ns, ("", "Secret"), secret_ns, name)


def granted(cluster: Any, from_kind: str, from_ns: str, to: tuple[str, str], to_ns: str, name: str) -> bool:
    """Whether a grant of ``to_ns`` pairs a ``from`` entry of (this group, ``from_kind``,
    ``from_ns``) with a ``to`` entry of ``to`` (group, kind) and either no name or ``name``."""
    if to not in TO_KINDS:
        return False
    try:
        grants = cluster.list(GRANT_API, "ReferenceGrant", to_ns)
    except ApiError:  # ReferenceGrant is not served: nothing grants anything
        return False
    for grant in grants:
        spec = grant.get("spec") or {}
        trusted = any(
            (f.get("group") or "", f.get("kind")) == (GROUP, from_kind) and f.get("namespace") == from_ns
            for f in spec.get("from") or []
        )
        if trusted and any(
            (t.get("group") or "", t.get("kind")) == to and t.get("name") in (None, name) for t in spec.get("to") or []
        ):
            return True
    return False


def other_namespace(route_ns: str, backend: Mapping[str, Any]) -> str | None:
    """The backendRef's namespace where it names one other than the route's, else None."""
    namespace = backend.get("namespace")
    return str(namespace) if namespace and namespace != route_ns else None
