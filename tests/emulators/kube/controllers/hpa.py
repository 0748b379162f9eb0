"""kube-controller-manager's HorizontalPodAutoscaler controller, as it scales the HPA that KEDA makes
for a ScaledObject (keda.py). upstream: kubernetes/kubernetes 00067268
pkg/controller/podautoscaler/horizontal.go and replica_calculator.go; pkg/apis/autoscaling/v2/defaults.go.

* Each HPA is synced every 15 s (``--horizontal-pod-autoscaler-sync-period``; the work queue adds an
  HPA again ``resyncPeriod`` after each sync and after each event, NewDefaultHPARateLimiter), so a
  new HPA is first synced 15 s after it appears. ``sync_period_passes`` is a test's 15 s: the
  controller's clock moves on 15 s and every HPA is synced (no sleeps). With ``resync`` the
  controller also syncs on the wall clock (the lab).
* An External metric with an AverageValue target (what KEDA writes for its triggers) proposes
  ceil(value / target) replicas, unless value / (target x status.replicas) is within the tolerance
  0.1 of 1 (``--horizontal-pod-autoscaler-tolerance``), which keeps the current count
  (GetExternalPerPodMetricReplicas; values in milli-units, as the metric's Quantity). A metric the
  adapter cannot read is a Warning Event FailedGetExternalMetric and condition ScalingActive False,
  and the replicas are kept (computeReplicasForMetrics, getUnableComputeReplicaCountCondition).
  The Event is the replica calculator's error, "unable to get external metric NS/NAME/SELECTOR: E",
  E the metrics client's "unable to fetch metrics from external metrics API: <the API's error>" or
  "no metrics returned from external metrics API" for an empty list (replica_calculator.go
  GetExternalPerPodMetricReplicas, GetExternalMetricReplicas; upstream: kubernetes/kubernetes
  pkg/controller/podautoscaler/metrics/
  client.go externalMetricsClient.GetExternalMetric).
* A target below minReplicas or above maxReplicas is set to the bound at once (reconcileAutoscaler).
* Without ``spec.behavior`` (akscli's ScaledObjects set none): the recommendation is the highest of
  the last 300 s (``--horizontal-pod-autoscaler-downscale-stabilization``), the first being the
  replica count the HPA found (recordInitialRecommendation, stabilizeRecommendation), so a
  scale-down waits 5 minutes; a scale-up is capped at max(2 x current, 4) per sync
  (convertDesiredReplicasWithRules, calculateScaleUpLimit).
* With ``spec.behavior`` (the API server fills what is unset, defaults.go: scale-up window 0, Max
  of 4 Pods and 100 Percent per 15 s; scale-down window the 300 s flag, 100 Percent per 15 s): the
  window of the direction (min of the scale-up window's recommendations, max of the scale-down
  window's), then the policies over the scale events of each policy's period, selectPolicy Max,
  Min or Disabled (normalizeDesiredReplicasWithBehaviors, stabilizeRecommendationWithBehaviors,
  calculateScaleUpLimitWithScalingRules, calculateScaleDownLimitWithBehaviors, storeScaleEvent).
* The target is read and written through its scale subresource, as the controller's scale client
  does (scaleForResourceMappings Get; ``scaleNamespacer.Scales(ns).Update`` of the Scale it read,
  at its resourceVersion; apiserver_scale.py serves it): the replicas are the Scale's spec.replicas
  and status.replicas, the pods those of its status.selector. A Scale without a selector is a
  Warning SelectorRequired "selector is required", ScalingActive False InvalidSelector "the HPA
  target's scale is missing a selector" and FailedComputeMetricsReplicas, the replicas kept
  (validateAndParseSelector). A target that cannot be read is a Warning FailedGetScale with the
  API's message (``deployments.apps "NAME" not found``) and AbleToScale False FailedGetScale.
* A rescale is the Scale's update, written as kube-controller-manager with subresource scale, a
  Normal Event SuccessfulRescale "New size: N; reason: R", and the status: currentReplicas,
  desiredReplicas, lastScaleTime, conditions AbleToScale, ScalingActive and ScalingLimited. An
  update that fails (the target changed since the read: 409; deleted: 404) is a Warning
  FailedRescale "New size: N; reason: R; error: E" and AbleToScale False FailedUpdateScale, the
  status written with the current count; the next sync reads the scale afresh (upstream does not
  retry the update within the sync). An HPA deleted meanwhile (KEDA's goes with its ScaledObject)
  drops the sync, as upstream only logs that error (processNextWorkItem, reconcileKey).

* An External metric with a Value target (KEDA's composite metric of a scalingModifiers formula,
  as keda-kaito-scaler writes it) proposes ceil(value / target x ready pods), the Running and
  Ready pods of the scale's ``status.selector``, unless value / target is within the tolerance
  (GetExternalMetricReplicas, getUsageRatioReplicaCount, getReadyPodsCount).

* Several metrics (KEDA writes one per trigger without a formula): the largest proposal of those
  read wins. A metric that cannot be read is its own FailedGetExternalMetric Event; the sync keeps
  the replicas only when every metric fails or some fail and the rest would scale down, with a
  Warning FailedComputeMetricsReplicas "invalid metrics (N invalid out of M), first error is: E"
  (computeReplicasForMetrics, reconcileAutoscaler; as read from the code index's current
  horizontal.go, whose commit the index does not name: the 00067268 copy above predates the
  scale-down rule).

Not modelled: Resource, Pods and Object metrics, which KEDA writes only for its cpu and memory
triggers (kedacore/keda v2.20.2 pkg/scalers/cpu_memory_scaler.go GetMetricSpecForScaling; every other
scaler's spec is External) and akscli and keda-kaito-scaler never write; the per-rule ``tolerance``
(feature gate HPAConfigurableTolerance; keda-kaito-scaler's 0.1 is the default anyway).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from tests.emulators.kube import aggregated_apis, quantities
from tests.emulators.kube.cluster import KUBE_CONTROLLER_MANAGER
from tests.emulators.kube.controllers.base import Controller, PassHeld
from tests.emulators.kube.controllers.hpa_behavior import Memory, normalize, now_stamp, set_condition
from tests.emulators.kube.controllers.keda_metrics_api import milli_values
from tests.emulators.kube.status import ApiError

HPA = "autoscaling/v2"
SYNC_PERIOD = 15.0  # --horizontal-pod-autoscaler-sync-period
TOLERANCE = 0.1  # --horizontal-pod-autoscaler-tolerance
# (namespace, metric name, selector matchLabels) -> the metric's value; raises MetricError.
ExternalMetrics = Callable[[Any, str, str, Mapping[str, str]], float]


class MetricError(Exception):
    """The external metrics API could not give a value (the adapter's error text)."""


class NoMetrics(MetricError):
    """The external metrics API answered an empty list (KEDA's, when a formula could not be run)."""


# kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go reads an injected clock.
class Clock(PassHeld):
    """The controller's clock: the monotonic clock plus what a test moved it on; a pass reads one
    (HorizontalPodAutoscalerController.clocks)."""

    @property
    def offset(self) -> float:
        return self.read()

    def now(self) -> float:
        return self.monotonic()

    def advance(self, seconds: float) -> None:
        self.move(seconds)


class HorizontalPodAutoscalerController(Controller):
    watches: ClassVar[list[tuple[str, str]]] = [(HPA, "HorizontalPodAutoscaler")]
    # kube-controller-manager's controllers send "kube-controller-manager/<version> .../<controller>"
    # (kubernetes/kubernetes staging/src/k8s.io/client-go/rest/config.go AddUserAgent), so the API
    # server names them all
    # kube-controller-manager (cluster.py KUBE_CONTROLLER_MANAGER)
    field_manager: ClassVar[str | None] = KUBE_CONTROLLER_MANAGER

    def __init__(self, metrics: ExternalMetrics | None = None, delay: float = 0.02, resync: bool = True) -> None:
        super().__init__(delay)
        # Without ``metrics`` (a test's stand-in for the adapter) the external metrics API is read
        # as the real controller reads it (``_read_api``).
        self.metrics = metrics if metrics is not None else self._read_api
        self.resync = resync
        self.clock = Clock()
        # What the controller keeps between syncs per HPA (kubernetes/kubernetes
        # pkg/controller/podautoscaler/horizontal.go recommendations, scaleUpEvents, scaleDownEvents).
        self._memory: dict[tuple[str, str], Memory] = {}
        self._known: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def clocks(self) -> tuple[PassHeld, ...]:
        return (*super().clocks(), self.clock)

    def _read_api(self, cluster: Any, namespace: str, name: str, selector: Mapping[str, str]) -> float:
        """externalMetricsClient.GetExternalMetric (kubernetes/kubernetes pkg/controller/podautoscaler/
        metrics/client.go): GET /apis/external.metrics.k8s.io/v1beta1/namespaces/NS/NAME with the
        selector's String() (k8s.io/apimachinery pkg/labels selector.go: terms sorted by key) through
        the aggregator (aggregated_apis.external_metric_values); an API error is its message, an
        empty list NoMetrics; the items' MilliValues summed (replica_calculator.go
        GetExternalPerPodMetricReplicas, GetExternalMetricReplicas), in units."""
        text = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
        providers = self._manager.controllers if self._manager is not None else []
        try:
            body = aggregated_apis.external_metric_values(cluster, providers, namespace, name, text)
        except ApiError as exc:
            raise MetricError(exc.message) from None
        values = milli_values(body)
        if not values:
            raise NoMetrics("no metrics returned from external metrics API")
        return sum(values) / 1000

    # ---- when it syncs ---------------------------------------------------------------------------

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        """An HPA event: the HPA is queued, to be synced SYNC_PERIOD from now (AddRateLimited)."""
        key = (obj["metadata"]["namespace"], obj["metadata"]["name"])
        with self._lock:
            if key in self._known:
                return  # already queued: the work queue keeps one entry
            self._known.add(key)
        if self.resync and self._manager is not None:
            self._manager.call_later(self, lambda c: self._periodic(c, key), SYNC_PERIOD)

    def on_delete(self, cluster: Any, obj: dict[str, Any]) -> None:
        key = (obj["metadata"]["namespace"], obj["metadata"]["name"])
        with self._lock:
            self._known.discard(key)
            self._memory.pop(key, None)

    def _periodic(self, cluster: Any, key: tuple[str, str]) -> None:
        if cluster.get(HPA, "HorizontalPodAutoscaler", *key) is None:
            return
        self.sync(cluster, *key)
        if self._manager is not None:
            self._manager.call_later(self, lambda c: self._periodic(c, key), SYNC_PERIOD)

    def sync_period_passes(self) -> None:
        """A test's 15 s: what is due runs first, the clock moves on SYNC_PERIOD, every HPA is synced
        on the controllers' thread, and this returns once they are."""
        manager = self._manager
        if manager is None:
            raise RuntimeError("controller is not registered with an emulator")
        manager.idle()
        self.clock.advance(SYNC_PERIOD)

        def every(cluster: Any) -> None:
            for hpa in cluster.list(HPA, "HorizontalPodAutoscaler"):
                self.sync(cluster, hpa["metadata"]["namespace"], hpa["metadata"]["name"])

        manager.call_later(self, every, 0)
        manager.idle()

    # ---- one sync (reconcileAutoscaler) ----------------------------------------------------------

    def sync(self, cluster: Any, namespace: str, name: str) -> None:
        """One reconcileAutoscaler. An HPA deleted while it syncs (its status write meets a 404; KEDA's
        HPA goes with its ScaledObject) is not a fault: processNextWorkItem only logs the error
        (utilruntime.HandleError) and the next reconcileKey finds it gone and forgets its
        recommendations and scale events (horizontal.go reconcileKey)."""
        try:
            self._sync(cluster, namespace, name)
        except ApiError as exc:
            if exc.code != 404 or cluster.get(HPA, "HorizontalPodAutoscaler", namespace, name) is not None:
                raise
            with self._lock:
                self._memory.pop((namespace, name), None)

    def _sync(self, cluster: Any, namespace: str, name: str) -> None:
        hpa = cluster.get(HPA, "HorizontalPodAutoscaler", namespace, name)
        if hpa is None:
            return
        spec = hpa.get("spec") or {}
        ref = spec["scaleTargetRef"]
        api = ref.get("apiVersion") or "apps/v1"
        conditions = dict(_conditions(hpa))
        try:
            # scaleForResourceMappings: Get of the target's scale subresource
            scale = cluster.get_scale(api, ref["kind"], namespace, ref["name"])
        except ApiError as exc:
            _warn(cluster, hpa, "FailedGetScale", exc.message)
            set_condition(
                conditions,
                "AbleToScale",
                False,
                "FailedGetScale",
                f"the HPA controller was unable to get the target's current scale: {exc.message}",
            )
            self._write_status(cluster, hpa, 0, 0, conditions, rescaled=False)
            return
        set_condition(
            conditions,
            "AbleToScale",
            True,
            "SucceededGetScale",
            "the HPA controller was able to get the target's current scale",
        )
        current = int(scale["spec"]["replicas"])
        status_replicas = int(scale["status"]["replicas"])
        key = (namespace, name)
        now = self.clock.now()
        with self._lock:
            memory = self._memory.setdefault(key, Memory())
            if not memory.recommendations:
                memory.recommendations.append((current, now))  # recordInitialRecommendation
        low = int(spec.get("minReplicas", 1))
        high = int(spec["maxReplicas"])
        reason = ""
        if current == 0 and low != 0:
            desired = 0
            set_condition(
                conditions,
                "ScalingActive",
                False,
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero",
            )
        elif current > high:
            desired, reason = high, "Current number of replicas above Spec.MaxReplicas"
        elif current < low:
            desired, reason = low, "Current number of replicas below Spec.MinReplicas"
        else:
            selector = str(scale["status"].get("selector") or "")
            if not selector:
                # validateAndParseSelector: the metrics are not read without the scale's selector;
                # reconcileAutoscaler keeps the replicas and says why
                _warn(cluster, hpa, "SelectorRequired", "selector is required")
                set_condition(
                    conditions,
                    "ScalingActive",
                    False,
                    "InvalidSelector",
                    "the HPA target's scale is missing a selector",
                )
                self._write_status(cluster, hpa, current, current, conditions, rescaled=False)
                _warn(cluster, hpa, "FailedComputeMetricsReplicas", "selector is required")
                return
            found = self._proposals(cluster, hpa, spec, selector, current, status_replicas, conditions)
            if found is None:
                self._write_status(cluster, hpa, current, current, conditions, rescaled=False)
                return
            proposal, metric = found
            set_condition(
                conditions,
                "ScalingActive",
                True,
                "ValidMetricFound",
                f"the HPA was able to successfully calculate a replica count from {metric}",
            )
            if proposal > current:
                reason = f"{metric} above target"
            elif proposal < current:
                reason = "All metrics below target"
            with self._lock:
                desired = normalize(memory, spec, current, proposal, low, high, now, conditions)
        if desired != current:
            try:
                # Update of the scale as read, at its resourceVersion: a target changed or deleted
                # since is a Warning FailedRescale and AbleToScale False, the status written with
                # the current count, and the sync's error (requeued; reconcileAutoscaler)
                cluster.update_scale(api, ref["kind"], {**scale, "spec": {"replicas": desired}})
            except ApiError as exc:
                _warn(cluster, hpa, "FailedRescale", f"New size: {desired}; reason: {reason}; error: {exc.message}")
                set_condition(
                    conditions,
                    "AbleToScale",
                    False,
                    "FailedUpdateScale",
                    f"the HPA controller was unable to update the target scale: {exc.message}",
                )
                self._write_status(cluster, hpa, current, current, conditions, rescaled=False)
                return
            set_condition(
                conditions,
                "AbleToScale",
                True,
                "SucceededRescale",
                f"the HPA controller was able to update the target scale to {desired}",
            )
            cluster.add_event(
                hpa,
                "SuccessfulRescale",
                f"New size: {desired}; reason: {reason}",
                component="horizontal-pod-autoscaler",
            )
            with self._lock:
                if spec.get("behavior") is not None:  # storeScaleEvent: kept only with a behavior
                    events = memory.up_events if desired > current else memory.down_events
                    events.append((abs(desired - current), now))
            self._write_status(cluster, hpa, current, desired, conditions, rescaled=True)
            return
        self._write_status(cluster, hpa, current, current, conditions, rescaled=False)

    def _proposals(
        self,
        cluster: Any,
        hpa: Mapping[str, Any],
        spec: Mapping[str, Any],
        pods: str,
        current: int,
        status_replicas: int,
        conditions: dict[str, dict[str, Any]],
    ) -> tuple[int, str] | None:
        """computeReplicasForMetrics: the largest proposal of the metrics that could be read, and the
        metric that made it. A metric that cannot be read is a Warning Event FailedGetExternalMetric
        (getUnableComputeReplicaCountCondition). When every metric fails, or some fail and the others
        would scale down, the sync keeps the replicas: ScalingActive False from the first failure and
        a Warning Event FailedComputeMetricsReplicas "invalid metrics (N invalid out of M), first
        error is: ..." (None; reconcileAutoscaler)."""
        namespace = hpa["metadata"]["namespace"]
        metrics = list(spec.get("metrics") or [])
        best: tuple[int, str] | None = None
        failures: list[tuple[str, str]] = []  # (the condition's message, the wrapped error)
        for each in metrics:
            try:
                proposal, metric = self._proposal(cluster, namespace, each, pods, current, status_replicas)
            except MetricError as exc:
                # computeStatusForExternalMetric: the Event and condition say the calculator's error;
                # computeReplicasForMetric wraps it twice for FailedComputeMetricsReplicas.
                name = str(((each.get("external") or {}).get("metric") or {}).get("name") or each.get("type"))
                _warn(cluster, hpa, "FailedGetExternalMetric", str(exc))
                wrapped = f"failed to get {name} external metric value: failed to get {name} external metric: {exc}"
                failures.append((str(exc), wrapped))
                continue
            if best is None or proposal > best[0]:
                best = (proposal, metric)
        if best is None or (failures and best[0] < current):
            first, wrapped = failures[0] if failures else ("no metrics", "no metrics")
            set_condition(
                conditions,
                "ScalingActive",
                False,
                "FailedGetExternalMetric",
                f"the HPA was unable to compute the replica count: {first}",
            )
            _warn(
                cluster,
                hpa,
                "FailedComputeMetricsReplicas",
                f"invalid metrics ({len(failures)} invalid out of {len(metrics)}), first error is: {wrapped}",
            )
            return None
        return best

    def _proposal(
        self,
        cluster: Any,
        namespace: str,
        each: Mapping[str, Any],
        pods: str,
        current: int,
        status_replicas: int,
    ) -> tuple[int, str]:
        """One External metric's proposal: GetExternalPerPodMetricReplicas for an AverageValue
        target, GetExternalMetricReplicas for a Value target over the ready pods of ``pods``, the
        scale's status.selector (MetricError otherwise)."""
        external = _external(each)
        name = str(external["metric"]["name"])
        selector = ((external["metric"].get("selector") or {}).get("matchLabels")) or {}
        # fmt.Sprintf("%+v") of the selector (k8s.io/apimachinery generated.pb.go String)
        labels = "".join(f"{k}: {v}," for k, v in sorted(selector.items()))
        described = (
            f"&LabelSelector{{MatchLabels:map[string]string{{{labels}}},"
            "MatchExpressions:[]LabelSelectorRequirement{},}"
        )
        try:
            usage = _milli(self.metrics(cluster, namespace, name, selector))
        except NoMetrics:
            raise MetricError(
                f"unable to get external metric {namespace}/{name}/{described}: "
                "no metrics returned from external metrics API"
            ) from None
        except MetricError as exc:
            raise MetricError(
                f"unable to get external metric {namespace}/{name}/{described}: "
                f"unable to fetch metrics from external metrics API: {exc}"
            ) from None
        kind = external["target"].get("type")
        parsed = quantities.parse(external["target"].get("value" if kind == "Value" else "averageValue"))
        target = _milli(float(parsed[0])) if parsed is not None else 0
        if kind == "Value":
            ratio = usage / target if target else math.inf
            replicas = current
            if current == 0:
                replicas = math.ceil(ratio)
            elif abs(1.0 - ratio) > TOLERANCE:  # getUsageRatioReplicaCount
                replicas = math.ceil(ratio * _ready_pods(cluster, namespace, pods))
        else:
            replicas = status_replicas
            ratio = usage / (target * replicas) if target and replicas else math.inf
            if abs(1.0 - ratio) > TOLERANCE:
                replicas = math.ceil(usage / target)
        return replicas, f"external metric {name}({described})"

    def _write_status(
        self,
        cluster: Any,
        hpa: dict[str, Any],
        current: int,
        desired: int,
        conditions: dict[str, dict[str, Any]],
        rescaled: bool,
    ) -> None:
        # setCondition updates a condition of the list as read in place or appends it, so one of
        # another type stays (kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go
        # setConditionInList).
        status: dict[str, Any] = {
            "currentReplicas": current,
            "desiredReplicas": desired,
            "conditions": list(conditions.values()),
        }
        if rescaled:
            status["lastScaleTime"] = now_stamp()
        # updateStatusIfNeeded -> updateStatus: UpdateStatus of the HPA as this sync read it; a 409
        # is only logged by processNextWorkItem (utilruntime.HandleError) and the HPA syncs again
        # a resync period on (queue.AddRateLimited with the fixed interval), computing the status
        # afresh (kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go). The scale
        # already written stays.
        try:
            cluster.update_status_of(hpa, status)
        except ApiError as exc:
            if exc.reason != "Conflict":
                raise


def _warn(cluster: Any, hpa: Mapping[str, Any], reason: str, message: str) -> None:
    """A Warning Event of the controller's recorder (component horizontal-pod-autoscaler)."""
    cluster.add_event(hpa, reason, message, type="Warning", component="horizontal-pod-autoscaler")


def _external(metric: Mapping[str, Any]) -> dict[str, Any]:
    """The metric's External source. KEDA writes a Resource metric only for its cpu and memory
    triggers, which neither akscli nor keda-kaito-scaler writes, and no Pods or Object metric
    (kedacore/keda v2.20.2 pkg/scalers/cpu_memory_scaler.go): the lab reads no other."""
    if metric.get("type") == "External":
        return dict(metric["external"])
    raise MetricError(f"the lab's HPA reads External metrics only, not {metric.get('type')}")


def _ready_pods(cluster: Any, namespace: str, selector: str) -> int:
    """getReadyPodsCount: Running and Ready pods of the scale's ``status.selector`` (a Deployment's
    spec.selector, the InferenceSet's status.selector: apiserver_scale.py); none is an error."""
    pods = cluster.list("v1", "Pod", namespace, selector)
    if not pods:
        raise MetricError(
            "unable to calculate ready pods: no pods returned by selector while calculating replica count"
        )
    return running_and_ready(pods)


def running_and_ready(pods: list[dict[str, Any]]) -> int:
    """The pods Running with condition Ready True (kubernetes/kubernetes
    pkg/controller/podautoscaler/replica_calculator.go getReadyPodsCount; KEDA's fallback counts the
    same, keda_fallback.py)."""
    return sum(
        1
        for pod in pods
        if (pod.get("status") or {}).get("phase") == "Running"
        and any(c.get("type") == "Ready" and c.get("status") == "True" for c in pod["status"].get("conditions") or [])
    )


def _milli(value: float) -> int:
    """The value as the metric's Quantity in milli-units (MilliValue rounds up)."""
    if math.isnan(value) or math.isinf(value) or value < 0:
        return 0
    return math.ceil(round(value * 1000, 6))


def _conditions(hpa: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(c["type"], c) for c in ((hpa.get("status") or {}).get("conditions") or [])]
