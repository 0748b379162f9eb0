"""Whether the cluster's HTTPRoute CRD can hold the route `model deploy --expose` writes, read
before anything is applied. The rule's `timeouts` reached Gateway API's standard channel in
kubernetes-sigs/gateway-api v1.2.0 (CHANGELOG/1.2-CHANGELOG.md, "HTTPRoute Timeouts and
Durations": graduated to Standard); v1.1.0's config/crd/standard/gateway.networking.k8s.io_httproutes.yaml
has none in either served version, and the API server refuses an unknown field of a route akscli
applies with fieldValidation=Strict, maybe after other objects of the model were applied."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.errors import AuthError, NotInstalledError
from akscli.kube.client import Kube
from akscli.model.kinds import NO_ROUTE_TIMEOUT
from akscli.model.request import DeployRequest

CRD_API = "apiextensions.k8s.io/v1"
HTTPROUTE_CRD = "httproutes.gateway.networking.k8s.io"
# The version akscli's route is written in (templates/model/httproute.yaml.j2: gateway.networking.k8s.io/v1).
ROUTE_VERSION = "v1"
# Annotations every CRD of a Gateway API release carries (kubernetes-sigs/gateway-api v1.6.1
# config/crd/standard/gateway.networking.k8s.io_httproutes.yaml metadata.annotations; the same keys
# in v1.0.0 and v1.1.0).
BUNDLE_VERSION = "gateway.networking.k8s.io/bundle-version"
CHANNEL = "gateway.networking.k8s.io/channel"
TIMEOUTS_SINCE = "v1.2.0"


def check(kube: Kube, req: DeployRequest) -> None:
    """Refuse (exit 7) a route with `timeouts` that the served HTTPRoute v1 schema does not declare.
    A CRD the user may not read, or one with no schema to read, lets the deploy go on as before."""
    if req.route_request_timeout == NO_ROUTE_TIMEOUT:
        return
    try:
        crd = kube.get(CRD_API, "CustomResourceDefinition", HTTPROUTE_CRD)
    except (AuthError, NotInstalledError):
        return
    if crd is None or holds_timeouts(crd) is not False:
        return
    annotations = (crd.get("metadata") or {}).get("annotations") or {}
    bundle = annotations.get(BUNDLE_VERSION) or "an unknown version"
    channel = annotations.get(CHANNEL)
    installed = f"Gateway API {bundle}, {channel} channel" if channel else f"Gateway API {bundle}"
    raise NotInstalledError(
        f"the HTTPRoute CRD of this cluster ({installed}) has no rules[].timeouts, which --expose writes "
        f"(--route-timeout {req.route_request_timeout}): the API server would refuse the route",
        hint=f"upgrade the Gateway API CRDs to {TIMEOUTS_SINCE} or later, or deploy with --route-timeout "
        f"{NO_ROUTE_TIMEOUT} to leave the field out (the gateway's own default timeout then holds)",
    )


def holds_timeouts(crd: Mapping[str, Any]) -> bool | None:
    """Whether the served v1 schema declares spec.rules.items.properties.timeouts; None when there
    is no such served version or schema to tell (the deploy's operator check names an unserved kind)."""
    versions = (crd.get("spec") or {}).get("versions") or []
    served = next((v for v in versions if v.get("name") == ROUTE_VERSION and v.get("served")), None)
    schema = ((served or {}).get("schema") or {}).get("openAPIV3Schema")
    if not isinstance(schema, Mapping):
        return None
    rules = _walk(schema, "properties", "spec", "properties", "rules", "items")
    if rules is None or rules.get("x-kubernetes-preserve-unknown-fields"):
        return None
    return "timeouts" in (rules.get("properties") or {})


def _walk(node: Mapping[str, Any], *keys: str) -> Mapping[str, Any] | None:
    for key in keys:
        child = node.get(key)
        if not isinstance(child, Mapping):
            return None
        node = child
    return node
