"""The body KEDA's metrics apiserver answers on external.metrics.k8s.io (controllers/keda.py
get_external_metric computes the value; this renders it). upstream: kedacore/keda 8b4f083c
pkg/provider/provider.go GetExternalMetric; pkg/metricsservice/external_metrics.go
externalMetricsToProto, protoToExternalMetrics (the list crosses the operator's gRPC: the timestamp
in whole seconds, labels nil, no window); pkg/scalers/scaler.go GenerateMetricInMili
(quantityFromFloat64: "%.3f", NaN, Inf and below 0 are 0); pkg/scaling/modifiers/formula.go
calculateScalingModifiersFormula (the composite: SetMilli(int64(value x 1000))); pkg/fallback/
fallback.go (a scalingModifiers placeholder: NewQuantity(-1)); k8s.io/metrics
pkg/apis/external_metrics/v1beta1/types.go (metricLabels has no omitempty: null)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tests.emulators.kube import quantities
from tests.emulators.kube.status import ApiError

GROUP_VERSION = "external.metrics.k8s.io/v1beta1"


def labels_map(selector: str) -> dict[str, str]:
    """k8s.io/apimachinery pkg/labels ConvertSelectorToLabelsMap: "k=v,k2=v2"; another form is
    its error, which provider.go returns as it is (a 500)."""
    out: dict[str, str] = {}
    if not selector:
        return out
    for term in selector.split(","):
        parts = term.split("=")
        if len(parts) != 2:
            raise ApiError(500, f"invalid selector: [{' '.join(parts)}]", "")
        out[parts[0].strip()] = parts[1].strip()
    return out


def served_quantity(value: float | None, composite: bool) -> str:
    """The value's Quantity as the API serves it (Quantity.String(), DecimalSI)."""
    if value is None:
        return "-1"  # fallback.go's placeholder, NewQuantity(-1, DecimalSI)
    if composite:
        amount = Decimal(int(value * 1000)) / 1000 if math.isfinite(value) else Decimal(0)
    elif math.isnan(value) or math.isinf(value) or value < 0:
        amount = Decimal(0)
    else:
        amount = Decimal(f"{value:.3f}")
    return quantities.text(amount, "DecimalSI")


def value_list(metric: str, value: float | None, composite: bool) -> dict[str, Any]:
    """An ExternalMetricValueList of the one metric KEDA answers; ``metric`` None: no item (a
    formula that could not be run, HandleScalingModifiers)."""
    items = []
    if metric:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        items.append({
            "metricName": metric,
            "metricLabels": None,
            "timestamp": now,
            "value": served_quantity(value, composite),
        })  # fmt: skip
    return {"kind": "ExternalMetricValueList", "apiVersion": GROUP_VERSION, "metadata": {}, "items": items}


def milli_values(body: dict[str, Any]) -> list[int]:
    """What kube-controller-manager's external metrics client takes of the list: each item's
    Quantity's MilliValue, rounded up (kubernetes/kubernetes pkg/controller/podautoscaler/metrics/
    client.go externalMetricsClient.GetExternalMetric)."""
    out = []
    for item in body.get("items") or []:
        parsed = quantities.parse(item.get("value", "0"))
        amount = parsed[0] if parsed is not None else Decimal(0)
        out.append(math.ceil(amount * 1000))
    return out
