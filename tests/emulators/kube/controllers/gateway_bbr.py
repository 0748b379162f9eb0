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
  pkg/bbr/plugins/bodyfieldtoheader/body_field_to_header.go ProcessRequest (a missing field, or
  one whose fmt %v is empty, sets nothing; else that text: a null model is "<nil>");
  pkg/bbr/framework/types.go InferenceRequest.Body (a map[string]any: a body that is JSON but no
  object is refused as encoding/json refuses it).
* istio/istio 86c9f01fd735fb01d8192f5bcaf0d424afb7f14c pilot/pkg/model/policyattachment.go
  ShouldAttachPolicy: an EnvoyFilter's targetRef applies only from the gateway's own namespace.

Not simulated: base-model-to-header (LoRA adapters' base model, from ConfigMaps), BBR's own pods
(the lab takes it as running once its EnvoyFilter is there; akscli checks its Deployment), and the
answer of the ext_proc filter when BBR is down.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
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
    # request.go HandleRequestBody unmarshals into framework.InferenceRequest.Body, a map[string]any:
    # JSON null leaves it empty, any other value that is not an object is encoding/json's refusal.
    if parsed is not None and not isinstance(parsed, dict):
        kind = {str: "string", bool: "bool", list: "array"}.get(type(parsed), "number")
        unmarshal = f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
        return 400, f"failed to parse request body: {unmarshal}"
    if parsed is not None and "model" in parsed:
        text = _go_v(parsed["model"])  # body_field_to_header.go: fmt.Sprintf("%v", rawFieldValue)
        if text != "":
            out[HEADER] = text
    return out


def _go_v(value: Any) -> str:
    """Go's fmt %v of a value encoding/json decoded into an ``any``: null is <nil>, a number is a
    float64 (strconv 'g' shortest, exponent from 1e+06 and below 1e-04), an array [a b], an object
    map[k:v] with its keys sorted (fmt sorts map keys)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + " ".join(_go_v(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_go_v(value[k])}" for k in sorted(value)) + "]"
    return _go_float(float(value))


def _go_float(number: float) -> str:
    """strconv.FormatFloat(number, 'g', -1, 64): the shortest digits, %e where the exponent is
    below -4 or at least 6 (ftoa.go: "if precision was the shortest possible, use precision 6")."""
    if number == 0:
        return "0"
    _, digit_tuple, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    sign, digits = "-" if number < 0 else "", "".join(map(str, digit_tuple))
    point = len(digits) + int(exponent)  # where the decimal point falls after the first digits
    exp = point - 1
    if exp < -4 or exp >= 6:
        tail = f".{digits[1:]}" if len(digits) > 1 else ""
        return f"{sign}{digits[0]}{tail}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"
