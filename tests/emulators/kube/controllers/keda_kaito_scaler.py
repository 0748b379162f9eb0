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
* The trigger's ``aggregation``: ``gate`` reads no metric, 1 once the set's ``status.readyReplicas``
  reach its ``spec.replicas`` (default 1), else 0 (upstream: kaito-project/keda-kaito-scaler
  pkg/scaler/scaler.go readinessGateValue);
  ``service-avg``, what v0.6.2 provisions for a gauge, averages the metric over the Services
  scraped (a Service without it counts 0; none scraped, or none exposing it, is an error;
  pkg/aggregator/service_avg_aggregator.go); ``windowed-avg`` (histograms) is not modelled.
* The default aggregation, ``sum`` (pkg/aggregator/service_sum_aggregator.go): the metric summed
  over the Services scraped (a Service without the metric counts 0); when some Services failed
  and the average of the others is below the threshold, each failed one counts the threshold; no
  Service, or none scraped, is an error.
* Its metric cache (pkg/scaler/metric_cache.go): a target's first request scrapes it at once
  (ensure), a poller scrapes every known target every 15 s (defaultCachePollInterval), and a
  snapshot older than 45 s (defaultCacheStaleAfter) is not served: GetMetrics fails with gRPC
  Unavailable "metrics for InferenceSet NS/NAME are not available yet (scrape failing or cold)"
  (pkg/scaler/scaler.go GetMetrics). KEDA reports the gRPC error as it gets it
  (kedacore/keda v2.20.2 pkg/scalers/external_scaler.go GetMetricsAndActivity).

``poll()`` is the poller's tick; a test calls it to let 15 s pass. ``scaled_object_for`` is the
ScaledObject it provisions, and ``KaitoScalerController`` its auto-provision controller, which
provisions it (described in keda.py's docstring).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml

from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.prometheus_text import parse_exposition
from tests.emulators.kube.incluster import DialError, InClusterHttp

KAITO = "kaito.sh/v1beta1"
KEDA = "keda.sh/v1alpha1"
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
        aggregation = str(meta.get("aggregation") or "sum")
        if aggregation == "gate":
            return _gate(cluster, ns, name)
        if aggregation not in ("sum", "service-avg"):
            raise ExternalScalerError("Unavailable", f"the lab does not model the {aggregation} aggregation")
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
        if aggregation == "service-avg":
            return _average(snap, metric, f"{ns}/{name}")
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


def _gate(cluster: Any, namespace: str, name: str) -> float:
    """The readiness gate (pkg/scaler/scaler.go GetMetrics, readinessGateValue): 1 once the set's
    ready replicas reach its spec.replicas (default 1), else 0; no scrape."""
    inference_set = cluster.get(KAITO, "InferenceSet", namespace, name)
    if inference_set is None:
        raise ExternalScalerError(
            "Internal",
            f'failed to get InferenceSet({name}) in Namespace({namespace}): inferencesets.kaito.sh "{name}" not found',
        )
    spec_replicas = (inference_set.get("spec") or {}).get("replicas")
    desired = int(spec_replicas) if spec_replicas is not None else 1
    return 0.0 if int((inference_set.get("status") or {}).get("readyReplicas") or 0) < desired else 1.0


def _scraped(snap: _Snapshot, metric: str, inference_set: str) -> list[_Service]:
    """The Services scraped, as both aggregators take them: no Service is "no services found", none
    scraped is "failed to resolve metric" with each Service's error (service_avg_aggregator.go,
    service_sum_aggregator.go Aggregate; upstream: kaito-project/keda-kaito-scaler pkg/aggregator)."""
    if not snap.services:
        raise ExternalScalerError("Internal", f"no services found for inferenceset {inference_set}")
    scraped = [s for s in snap.services if s.metrics is not None]
    if not scraped:
        namespace = inference_set.split("/")[0]
        errors = "; ".join(f"service {namespace}/{s.name}: {s.error}" for s in snap.services)
        raise ExternalScalerError(
            "Internal", f'failed to resolve metric "{metric}" for inferenceset {inference_set}: {errors}'
        )
    return scraped


def _average(snap: _Snapshot, metric: str, inference_set: str) -> float:
    """service_avg_aggregator.go Aggregate: the metric averaged over the Services scraped (a Service
    without it counts 0); none exposing it is an error; clamped at 0."""
    scraped = _scraped(snap, metric, inference_set)
    if not any(metric in (s.metrics or {}) for s in scraped):
        raise ExternalScalerError(
            "Internal", f'metric "{metric}" not exposed by any scraped service for inferenceset {inference_set}'
        )
    return max(sum((s.metrics or {}).get(metric, 0.0) for s in scraped) / len(scraped), 0.0)


def _sum(snap: _Snapshot, metric: str, threshold: float, inference_set: str) -> float:
    """service_sum_aggregator.go Aggregate."""
    scraped = _scraped(snap, metric, inference_set)
    total = sum((s.metrics or {}).get(metric, 0.0) for s in scraped)
    missing = len(snap.services) - len(scraped)
    if missing and total / len(scraped) < threshold:
        total += threshold * missing
    return max(total, 0.0)


# ---- the ScaledObject it provisions (pkg/scaledobject/provisioner.go) -------------------------------

PREFIX = "scaledobject.kaito.sh/"
GATE = "readiness_gate"  # gateTriggerName
# cmd/app/options/options.go defaults: --scaler-service-name, --working-namespace, --grpc-port.
SCALER_ADDRESS = "keda-kaito-scaler-svc.kaito-workspace.svc.cluster.local:10450"
CREDS = "keda-kaito-scaler-creds"  # constants.ClusterTriggerAuthName


def formula_var(name: str) -> str:
    """formulaVarName: a metric name as an expr-lang identifier."""
    out = ""
    for i, ch in enumerate(name):
        if ch.isascii() and (ch.isalpha() or ch == "_"):
            out += ch
        elif ch.isascii() and ch.isdigit():
            out += ("_" if i == 0 else "") + ch
        else:
            out += "_"
    return out


def _go_float(value: float) -> str:
    """strconv.FormatFloat(v, 'f', -1, 64)."""
    text = repr(float(value))
    if "e" in text:
        text = format(float(value), "f").rstrip("0").rstrip(".")
    return text[:-2] if text.endswith(".0") else text


def scaled_object_for(inference_set: Mapping[str, Any], low: int, high: int) -> dict[str, Any] | None:
    """BuildDesired: the ScaledObject for an auto-provisioned InferenceSet, None where its
    annotations are refused (parseMetricsConfig)."""
    md = inference_set["metadata"]
    ann = md.get("annotations") or {}
    if (ann.get(f"{PREFIX}combinepolicy") or "AND").upper() != "AND":
        return None
    try:
        specs = yaml.safe_load(ann.get(f"{PREFIX}metrics") or "") or []
        windows = [int(ann.get(f"{PREFIX}{k}") or d) for k, d in
                   (("evaluationwindow", 60), ("scaleupcooldown", 300), ("scaledowncooldown", 300))]  # fmt: skip
    except (yaml.YAMLError, ValueError):
        return None
    if not isinstance(specs, list) or not specs or any(w < 0 for w in windows):
        return None
    evaluation, up_cooldown, down_cooldown = windows
    metrics = []
    for spec in specs:
        kind = spec.get("type") if isinstance(spec, dict) else None
        if (
            not spec.get("name")
            or kind not in ("gauge", "histogram")
            or spec.get("source") not in (None, "", "modelpod")
        ):
            return None
        if spec.get("upthreshold") is None or spec.get("downthreshold") is None:
            return None
        up, down = float(spec["upthreshold"]), float(spec["downthreshold"])
        if down > up:
            return None
        window = str(spec.get("metriccachewindow") or 300) if kind == "histogram" else ""
        metrics.append((str(spec["name"]), "service-avg" if kind == "gauge" else "windowed-avg", up, down, window))
    ups = " && ".join([f"{GATE} == 1", *(f"{formula_var(m[0])} > {_go_float(m[2])}" for m in metrics)])
    downs = " && ".join(f"{formula_var(m[0])} < {_go_float(m[3])}" for m in metrics)
    auth = {"name": CREDS, "kind": "ClusterTriggerAuthentication"}
    where = {"inferenceSetName": md["name"], "inferenceSetNamespace": md["namespace"], "scalerAddress": SCALER_ADDRESS}
    triggers = []
    for name, aggregation, _, _, window in metrics:
        meta = {**where, "metricName": name, "metricSource": "modelpod", "aggregation": aggregation}
        if window:
            meta["metricCacheWindow"] = window
        triggers.append({"type": "external", "name": formula_var(name), "metadata": meta,
                         "authenticationRef": auth, "metricType": "Value"})  # fmt: skip
    triggers.append({"type": "external", "name": GATE, "authenticationRef": auth, "metricType": "Value",
                     "metadata": {**where, "metricName": GATE, "aggregation": "gate"}})  # fmt: skip

    def rules(window: int, period: int) -> dict[str, Any]:
        return {
            "stabilizationWindowSeconds": window,
            "selectPolicy": "Max",
            "policies": [{"type": "Pods", "value": 1, "periodSeconds": period}],
            "tolerance": "100m",  # resource.MustParse("0.1"), as the API server writes it
        }

    owner = {"apiVersion": KAITO, "kind": "InferenceSet", "name": md["name"], "uid": md.get("uid", ""),
             "controller": True, "blockOwnerDeletion": True}  # fmt: skip
    return {
        "apiVersion": KEDA,
        "kind": "ScaledObject",
        "metadata": {"name": md["name"], "namespace": md["namespace"],
                     "annotations": {f"{PREFIX}managed-by": "keda-kaito-scaler"}, "ownerReferences": [owner]},
        "spec": {
            "advanced": {
                "horizontalPodAutoscalerConfig": {
                    "behavior": {
                        "scaleUp": rules(evaluation, up_cooldown),
                        "scaleDown": rules(down_cooldown, down_cooldown),
                    }
                },
                "scalingModifiers": {"formula": f"({ups}) ? 2.0 : (({downs}) ? 0.5 : 1.0)", "target": "1",
                                     "metricType": "Value"},
            },
            "scaleTargetRef": {"name": md["name"], "apiVersion": KAITO, "kind": "InferenceSet"},
            "pollingInterval": 15,
            "minReplicaCount": low,
            "maxReplicaCount": high,
            "triggers": triggers,
        },
    }  # fmt: skip


class KaitoScalerController(Controller):
    # kaito-project/keda-kaito-scaler cmd/app/manager.go: cfg.UserAgent = KedaKaitoScaler
    # ("keda-kaito-scaler"), also its ControllerFieldOwner.
    field_manager: ClassVar[str | None] = "keda-kaito-scaler"
    watches: ClassVar[list[tuple[str, str]]] = [(KAITO, "InferenceSet")]

    def __init__(self, delay: float = 0.02, metrics: KaitoScalerMetrics | None = None, poller: bool = True) -> None:
        super().__init__(delay)
        # keda-kaito-scaler's metric cache, which KEDA's GetMetrics reads (keda_kaito_scaler.py);
        # without ``poller`` it is scraped again only when a test calls its poll().
        self.metrics = metrics
        self.poller = poller

    def attach(self, manager: Any) -> None:
        """Start the metric cache's poller (every POLL_INTERVAL seconds)."""
        if self.metrics is None or not self.poller:
            return
        metrics = self.metrics

        def tick(cluster: Any) -> None:
            metrics.poll(cluster)
            manager.call_later(self, tick, POLL_INTERVAL)

        manager.call_later(self, tick, POLL_INTERVAL)

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        """upstream: kaito-project/keda-kaito-scaler v0.6.2 pkg/controllers/autoprovision/
        auto_provision_controller.go Reconcile. Without auto-provision the ScaledObjects it made for
        the set are deleted (cleanupManagedScaledObjects); with it the one it made is brought to the
        desired min, max, pollingInterval, triggers and advanced config by an Update when one of
        them differs (syncDesired, reconcileTo), so a change of the annotations reaches KEDA. Its
        ScaledObjects are those the set controls (ownerReference controller, the set's uid;
        listManagedScaledObjects); of several the oldest is kept. A ScaledObject of the set's name
        it does not own is left alone (upstream's Create then fails AlreadyExists and retries)."""
        md = obj["metadata"]
        ann = md.get("annotations") or {}
        managed = self._managed(cluster, obj)
        if ann.get(f"{PREFIX}auto-provision") != "true":
            for so in managed:
                if not so["metadata"].get("deletionTimestamp"):
                    cluster.delete(KEDA, "ScaledObject", md["namespace"], so["metadata"]["name"])
            return
        # upstream: kaito-project/keda-kaito-scaler v0.6.2 pkg/controllers/autoprovision/auto_provision_controller.go
        # autoscalingConfigValid, resolveMaxReplicas, resolveMinReplicas (strconv.Atoi; nodeCountLimit,
        # which akscli's InferenceSet never sets, is not modelled): a bad config is skipped silently,
        # then a max below the min is a Warning InvalidReplicaRange on the set.
        high, low = _atoi(ann.get(f"{PREFIX}max-replicas")), _atoi(ann.get(f"{PREFIX}min-replicas")) or 1
        low = low if low > 1 else 1
        if high is None or high <= 1:
            return
        desired = scaled_object_for(obj, low, high)
        if desired is None:
            return
        if high < low:
            message = f"Skip auto-provisioning ScaledObject: max-replicas ({high}) is less than min-replicas ({low})"
            cluster.add_event(obj, "InvalidReplicaRange", message, type="Warning", component="keda-kaito-scaler")
            return
        if not managed:
            if cluster.get(KEDA, "ScaledObject", md["namespace"], md["name"]) is None:
                cluster.create(desired)
            return
        managed.sort(key=lambda so: str(so["metadata"].get("creationTimestamp") or ""))
        for extra in managed[1:]:
            cluster.delete(KEDA, "ScaledObject", md["namespace"], extra["metadata"]["name"])
        existing = managed[0]
        spec = dict(existing.get("spec") or {})
        changed = False
        for key in ("minReplicaCount", "maxReplicaCount", "pollingInterval", "triggers", "advanced"):
            if spec.get(key) != desired["spec"].get(key):
                spec[key] = desired["spec"][key]
                changed = True
        if changed:
            cluster.update({**{k: v for k, v in existing.items() if k != "status"}, "spec": spec})

    @staticmethod
    def _managed(cluster: Any, inference_set: Mapping[str, Any]) -> list[dict[str, Any]]:
        md = inference_set["metadata"]
        return [
            so
            for so in cluster.list(KEDA, "ScaledObject", md["namespace"])
            if any(
                ref.get("controller") and ref.get("uid") == md.get("uid") and ref.get("kind") == "InferenceSet"
                for ref in so["metadata"].get("ownerReferences") or []
            )
        ]


def _atoi(text: str | None) -> int | None:
    """Go's strconv.Atoi: a decimal integer with an optional sign, else None (as an error)."""
    return int(text) if text is not None and re.fullmatch(r"[+-]?[0-9]+", text) else None
