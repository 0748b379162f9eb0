"""The body-based router (BBR) in the lab's Istio gateway: the request headers a request reaches
the gateway's routes with, once BBR has copied the body's ``model`` into ``X-Gateway-Model-Name``.

BBR runs for a Gateway where its Helm chart, installed with ``provider.name=istio``, put its
EnvoyFilter: in the Gateway's namespace, ``targetRefs`` naming the Gateway, inserting the HTTP
filter ``envoy.filters.http.ext_proc.bbr`` (an ext_proc whose response clears the route cache, so
the gateway routes on the header it set).

upstream:
* kubernetes-sigs/gateway-api-inference-extension v1.5.0 (9cd2896dd6c1f6e79be4098e5a55ae0a01119e44):
  config/charts/body-based-routing/templates/istio.yaml (the EnvoyFilter) and values.yaml (the
  plugins body-field-to-header ``model`` -> ``X-Gateway-Model-Name``, then base-model-to-header);
  pkg/bbr/handlers/request.go HandleRequestHeaders (a request without a body passes unchanged),
  HandleRequestBody (a body that is not JSON: BadRequest; ClearRouteCache true);
  pkg/bbr/plugins/bodyfieldtoheader/body_field_to_header.go ProcessRequest (a missing or empty
  field sets nothing; else the field's value as text).
* istio/istio 86c9f01fd735fb01d8192f5bcaf0d424afb7f14c pilot/pkg/model/policyattachment.go
  ShouldAttachPolicy: an EnvoyFilter's targetRef applies only from the gateway's own namespace.

Not simulated: base-model-to-header (LoRA adapters' base model, from ConfigMaps), BBR's own pods
(the lab takes it as running once its EnvoyFilter is there; akscli checks its Deployment), and the
answer of the ext_proc filter when BBR is down.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

ENVOY_FILTER_API = "networking.istio.io/v1alpha3"
FILTER = "envoy.filters.http.ext_proc.bbr"
HEADER = "x-gateway-model-name"


def runs_for(cluster: Any, gateway: Mapping[str, Any]) -> bool:
    """Whether an EnvoyFilter of the Gateway's namespace puts BBR's filter on it."""
    meta = gateway["metadata"]
    if cluster.api.registry.by_api_version_kind(ENVOY_FILTER_API, "EnvoyFilter") is None:
        return False  # Istio's EnvoyFilter API is not served
    filters = cluster.list(ENVOY_FILTER_API, "EnvoyFilter", meta["namespace"])
    for item in filters:
        spec = item.get("spec") or {}
        refs = spec.get("targetRefs") or ([spec["targetRef"]] if spec.get("targetRef") else [])
        targets = any(
            r.get("group") == "gateway.networking.k8s.io"
            and r.get("kind") == "Gateway"
            and r.get("name") == meta["name"]
            for r in refs
        )
        patched = any(
            ((p.get("patch") or {}).get("value") or {}).get("name") == FILTER for p in spec.get("configPatches") or []
        )
        if targets and patched:
            return True
    return False


def headers_after(headers: Mapping[str, str], body: bytes) -> dict[str, str] | tuple[int, str]:
    """The request's headers (lower-cased names) once BBR has run, or (400, why) for a body it
    cannot parse."""
    out = {k.lower(): v for k, v in headers.items()}
    if not body:
        return out
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        return 400, f"failed to parse request body: {exc}"
    value = parsed.get("model") if isinstance(parsed, dict) else None
    if value is not None and str(value) != "":
        out[HEADER] = value if isinstance(value, str) else json.dumps(value)
    return out
