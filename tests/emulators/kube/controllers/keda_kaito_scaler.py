"""What keda-kaito-scaler (KEDA's external scaler for KAITO InferenceSets) answers to KEDA's
GetMetrics, for the KEDA simulator (keda.py), after kaito-project/keda-kaito-scaler v0.6.2
(cdd9aee2a80d1e58d2f1baa342803f1c97a1f123):

* Its default metric source, ``modelpod`` (pkg/metricsource/modelpod_source.go Scrape): for each
  Workspace labelled ``inferenceset.kaito.sh/created-by: <set>`` in the set's namespace
  (pkg/util/inferenceset/inferenceset.go ListWorkspaces), ``GET
  http://<workspace>.<namespace>.svc.cluster.local:80/metrics`` (pkg/scaler/scaler.go
  defaultMetricProtocol, defaultMetricPort, defaultMetricPath; pkg/util/promscrape/promscrape.go
  DefaultURLBuilder), over the cluster's HTTP (incluster.py). A family's value is the sum of its
  series (pkg/metricsource/parse.go parseFamilies). A non-2xx answer is that Service's error,
  "unexpected status code N from URL" (promscrape.go FetchMetricFamilies).
* Its default aggregation, ``sum`` (pkg/aggregator/service_sum_aggregator.go): the metric summed
  over the Services scraped (a Service without the metric counts 0); when some Services failed
  and the average of the others is below the threshold, each failed one counts the threshold; no
  Service, or none scraped, is an error.
* Its metric cache (pkg/scaler/metric_cache.go): a target's first request scrapes it at once
  (ensure), a poller scrapes every known target every 15 s (defaultCachePollInterval), and a
  snapshot older than 45 s (defaultCacheStaleAfter) is not served: GetMetrics fails with gRPC
  Unavailable "metrics for InferenceSet NS/NAME are not available yet (scrape failing or cold)"
  (pkg/scaler/scaler.go GetMetrics). KEDA reports the gRPC error as it gets it
  (kedacore/keda v2.20.2 pkg/scalers/external_scaler.go GetMetricsAndActivity).

``poll()`` is the poller's tick; a test calls it to let 15 s pass.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tests.emulators.kube.controllers.prometheus_server import parse_exposition
from tests.emulators.kube.incluster import DialError, InClusterHttp

KAITO = "kaito.sh/v1beta1"
CREATED_BY = "inferenceset.kaito.sh/created-by"
POLL_INTERVAL = 15.0  # metric_cache.go defaultCachePollInterval
STALE_AFTER = 3 * POLL_INTERVAL  # defaultCacheStaleAfter


class ExternalScalerError(Exception):
    """A gRPC error as KEDA's client prints it (``rpc error: code = C desc = D``)."""

    def __init__(self, code: str, desc: str) -> None:
        super().__init__(f"rpc error: code = {code} desc = {desc}")


@dataclass
class _Service:
    name: str
    metrics: dict[str, float] | None
    error: str | None


@dataclass
class _Snapshot:
    at: float
    services: list[_Service]


class KaitoScalerMetrics:
    def __init__(self, http: InClusterHttp) -> None:
        self.http = http
        self._cache: dict[tuple[str, str], _Snapshot] = {}
        self._lock = threading.Lock()

    def get_metrics(self, cluster: Any, meta: Mapping[str, Any]) -> float:
        """The value GetMetrics returns for the trigger's metadata (ExternalScalerError otherwise)."""
        ns, name = str(meta.get("inferenceSetNamespace") or ""), str(meta.get("inferenceSetName") or "")
        metric = str(meta.get("metricName") or "")
        threshold = float(meta.get("threshold") or 0)
        key = (ns, name)
        with self._lock:
            known = key in self._cache
        if not known:
            self._refresh(cluster, key)  # ensure: the first request seeds the cache
        with self._lock:
            snap = self._cache.get(key)
        if snap is None or time.monotonic() - snap.at > STALE_AFTER:
            raise ExternalScalerError(
                "Unavailable", f"metrics for InferenceSet {ns}/{name} are not available yet (scrape failing or cold)"
            )
        return _sum(snap, metric, threshold, f"{ns}/{name}")

    def poll(self, cluster: Any) -> None:
        """The poller's tick: every known target is scraped again."""
        with self._lock:
            keys = list(self._cache)
        for key in keys:
            self._refresh(cluster, key)

    def _refresh(self, cluster: Any, key: tuple[str, str]) -> None:
        ns, name = key
        if cluster.get(KAITO, "InferenceSet", ns, name) is None:
            with self._lock:
                self._cache.pop(key, None)  # refresh evicts a target whose InferenceSet is gone
            return
        workspaces = sorted(w["metadata"]["name"] for w in cluster.list(KAITO, "Workspace", ns, f"{CREATED_BY}={name}"))
        services = [self._scrape(ws, ns) for ws in workspaces]
        with self._lock:
            self._cache[key] = _Snapshot(time.monotonic(), services)

    def _scrape(self, name: str, namespace: str) -> _Service:
        url = f"http://{name}.{namespace}.svc.cluster.local:80/metrics"
        try:
            status, body = self.http.get(url)
        except DialError as exc:
            return _Service(name, None, f"failed to scrape metrics: {exc}")
        if status < 200 or status >= 300:
            return _Service(name, None, f"unexpected status code {status} from {url}")
        metrics: dict[str, float] = {}
        for labels, value in parse_exposition(body.decode()):
            family = labels["__name__"]
            metrics[family] = metrics.get(family, 0.0) + value
        return _Service(name, metrics, None)


def _sum(snap: _Snapshot, metric: str, threshold: float, inference_set: str) -> float:
    """service_sum_aggregator.go Aggregate."""
    if not snap.services:
        raise ExternalScalerError("Internal", f"no services found for inferenceset {inference_set}")
    scraped = [s for s in snap.services if s.metrics is not None]
    if not scraped:
        namespace = inference_set.split("/")[0]
        errors = "; ".join(f"service {namespace}/{s.name}: {s.error}" for s in snap.services)
        raise ExternalScalerError(
            "Internal", f'failed to resolve metric "{metric}" for inferenceset {inference_set}: {errors}'
        )
    total = sum((s.metrics or {}).get(metric, 0.0) for s in scraped)
    missing = len(snap.services) - len(scraped)
    if missing and total / len(scraped) < threshold:
        total += threshold * missing
    return max(total, 0.0)
