"""KEDA's prometheus scaler as the KEDA simulator (keda.py) reads a trigger with it. upstream:
kedacore/keda v2.20.2 pkg/scalers/prometheus_scaler.go (ExecutePromQuery, ignoreNullValues)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from tests.emulators.kube.controllers.prometheus import EMPTY
from tests.emulators.kube.incluster import DialError, InClusterHttp

# kedacore/keda pkg/scalers/prometheus_scaler.go prometheusMetadata: the keda tags without ``optional`` or
# ``default``, in the struct's order.
REQUIRED = ("serverAddress", "query", "threshold")


def metadata_error(trigger: Mapping[str, Any]) -> str | None:
    """Why NewPrometheusScaler cannot parse a prometheus trigger's metadata, or None: parsePrometheusMetadata's
    "error parsing prometheus metadata: " and TypedConfig's errors of every missing parameter, joined
    by newlines (pkg/scalers/scalersconfig/typed_config.go parseTypedConfig errors.Join, setValue
    "missing required parameter %q in %v"). An empty or ill-typed value is not modelled."""
    if trigger.get("type") != "prometheus":
        return None
    meta = trigger.get("metadata") or {}
    missing = [f'missing required parameter "{name}" in [triggerMetadata]' for name in REQUIRED if name not in meta]
    return "error parsing prometheus metadata: " + "\n".join(missing) if missing else None


class ScalerError(Exception):
    """What the scaler returns instead of a value (the text KEDA logs and puts in the Event)."""


def execute_prom_query(http: InClusterHttp, meta: Mapping[str, Any]) -> float:
    """The trigger's value as KEDA's prometheus scaler reads it (kedacore/keda v2.20.2
    pkg/scalers/prometheus_scaler.go ExecutePromQuery): the instant query at now, the one element's
    value; ScalerError with the scaler's own text otherwise."""
    query = str(meta.get("query") or "")
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    url = f"{meta.get('serverAddress')}/api/v1/query?query={quote_plus(query)}&time={at}"
    if meta.get("namespace"):
        url += f"&namespace={meta['namespace']}"
    try:
        status, body = http.get(url)
    except DialError as exc:
        raise ScalerError(str(exc)) from None
    if status < 200 or status > 299:
        raise ScalerError(f"prometheus query api returned error. status: {status}")
    result = ((json.loads(body or b"{}").get("data") or {}).get("result")) or []
    if not result:
        if _ignores_null(meta):
            return 0.0
        raise ScalerError(EMPTY)
    if len(result) > 1:
        raise ScalerError(f"prometheus query {query} returned multiple elements")
    pair = result[0].get("value") or []
    if not pair:
        if _ignores_null(meta):
            return 0.0
        raise ScalerError("prometheus metrics 'prometheus' target may be lost, the value list is empty")
    if len(pair) < 2:
        raise ScalerError(f"prometheus query {query} didn't return enough values")
    value = float(pair[1]) if pair[1] is not None else -1.0
    if math.isinf(value) or math.isnan(value):
        if _ignores_null(meta):
            return 0.0
        raise ScalerError(f"prometheus query returns {_go_float(value)}")
    return value


def _ignores_null(meta: Mapping[str, Any]) -> bool:
    """ignoreNullValues, true unless "false" (KEDA parses it with strconv.ParseBool)."""
    return str(meta.get("ignoreNullValues", "true")).lower() not in ("false", "f", "0")


def _go_float(value: float) -> str:
    """Go's %f of NaN and the infinities."""
    return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
