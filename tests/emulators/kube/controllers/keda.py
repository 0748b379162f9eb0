"""KEDA and keda-kaito-scaler simulators for the Kubernetes emulator.

``KedaController`` (keda.sh/v1alpha1 ScaledObject) does what KEDA's operator and metrics server do:

* It makes the ScaledObject's HPA, ``keda-hpa-<name>`` (or ``advanced.horizontalPodAutoscalerConfig.name``),
  owned by it: minReplicas the minReplicaCount (1 when unset or 0), maxReplicas the maxReplicaCount
  (default 100), ``advanced.horizontalPodAutoscalerConfig.behavior`` as it is (none when unset),
  and per trigger an External metric ``s<index>-<metric>`` selected by
  ``scaledobject.keda.sh/name: <name>`` with an AverageValue target of the threshold
  (kedacore/keda v2.20.2 controllers/keda/hpa.go newHPAForScaledObject, getScaledObjectMetricSpecs,
  getHPAName; apis/keda/v1alpha1/scaledobject_types.go GetHPAMinReplicas; pkg/scalers/scaler.go
  GenerateMetricNameWithIndex, GetMetricTargetMili; the prometheus scaler's metric is
  ``prometheus``, an external scaler's the name its GetMetricSpec returns). kube-controller-manager's
  HPA (hpa.py) scales the target from it.
* Its metrics apiserver answers external.metrics.k8s.io (``get_external_metric``, the ExternalMetricValueList
  of keda_metrics_api.py, which the HPA reads through aggregated_apis.py) by reading the trigger then, or, for a
  trigger with ``useCachedMetrics``, with the polling loop's last read (pkg/scaling/scale_handler.go
  GetScaledObjectMetrics, checkScalers StoreRecords). A read that fails, with no fallback past its
  threshold (keda_fallback.py), answers "metric:M encountered error"; with a formula, M is
  ``composite-metric`` and any trigger's failure fails it.
* A prometheus trigger is read as the scaler reads it, over the cluster's HTTP (``http``):
  ``GET {serverAddress}/api/v1/query?query=...&time=...`` (tests/emulators/kube/incluster.py; the
  lab's Prometheus answers it from what it last scraped of the pods, prometheus_server.py). A
  non-2xx answer is "prometheus query api returned error. status: N"; an empty result is 0 with
  ignoreNullValues (KEDA's default), else "prometheus metrics 'prometheus' target may be lost, the
  result is empty"; more than one element, "prometheus query QUERY returned multiple elements";
  NaN or Inf, 0 with ignoreNullValues, else "prometheus query returns NaN"
  (prometheus_scaler.go ExecutePromQuery).
* An Azure Monitor workspace (``*.prometheus.monitor.azure.com``, ``.us``, ``.cn``): KEDA sends
  its token only with a TriggerAuthentication of podIdentity ``azure-workload``, for the audience
  of the trigger's ``cloud`` (public by default); without it, or for another cloud's audience, the
  workspace answers 401 (prometheus.py azure_monitor_error; upstream kedacore/keda v2.20.2
  pkg/scalers/prometheus_scaler.go, azure workload identity auth). Otherwise the query is answered by
  the workspace ``workspace`` names (azure_monitor_collector.py: what the add-on's collector
  scraped, every cluster's series with its ``cluster`` label); with none, there is nothing to read
  and the ScaledObject has only Reconcile's Ready True. Before any of that, an ``azure-workload`` trigger needs
  KEDA's own credential, made from its operator pod's workload identity variables: without them
  the scaler is not built, no HPA is made, Ready is False ScaledObjectCheckFailed and a
  KEDAScalerFailed Event says "sources must contain at least one TokenCredential" (keda_identity.py).
  A prometheus trigger missing serverAddress, query or threshold fails the same way, with
  "error parsing prometheus metadata: missing required parameter ..." (keda_prometheus.py).
* The external trigger of keda-kaito-scaler (KaitoScalerController's ScaledObjects) is read from
  keda-kaito-scaler's GetMetrics (keda_kaito_scaler.py), which scrapes the set's Workspace Services.
* KEDA's operator reads a trigger every ``pollingInterval`` seconds (default 30, apis/keda/v1alpha1/
  withtriggers_types.go) and on every change of the ScaledObject, for its status; ``poll`` is such
  a change.
  Tests set the figures on the pods (tests.emulators.serving.Serving.figures), never on KEDA.
* The polling loop reads every trigger. A scaler error is a Warning Event KEDAScalerFailed on the
  ScaledObject with the error's text (KEDAMetricSourceFailed with a formula; pkg/scaling/
  scale_handler.go getScalerState). Active is True, ScalerActive, while a trigger is active (a
  prometheus value over ``activationThreshold``, default 0; keda-kaito-scaler's IsActive, the set's
  Ready condition; with a formula, its value over ``activationTarget``, and never on an error), else
  False, ScalerNotActive. Ready is True, ScaledObjectReady; Unknown, PartialTriggerError, when
  active with an error; False, TriggerError, "Triggers defined in ScaledObject are not working
  correctly", when not active with an error and no fallback (pkg/scaling/executor/
  scale_scaledobjects.go RequestScale; apis/keda/v1alpha1/condition_types.go). RequestScale also
  scales the target between 0 (or idleReplicaCount) and max(minReplicaCount, 1) itself, through
  the Scale subresource, after cooldownPeriod on the way down (keda_scale.py). Each poll also
  mirrors the HPA's ScalingActive into HPAActive (hpa_health; checkHPAHealth).

``KaitoScalerController`` (keda_kaito_scaler.py) stands for keda-kaito-scaler: for an InferenceSet annotated
``scaledobject.kaito.sh/auto-provision: "true"`` it creates the ScaledObject v0.6.2 builds
(keda_kaito_scaler.py scaled_object_for; kaito-project/keda-kaito-scaler v0.6.2
pkg/controllers/autoprovision, pkg/scaledobject/provisioner.go): named after the set, owned by it,
min/max from ``scaledobject.kaito.sh/min-replicas`` (only above 1) and ``max-replicas``, one
external Value trigger per metric of the ``scaledobject.kaito.sh/metrics`` YAML list plus the
readiness gate, a scalingModifiers formula (x2 when every replica is ready and every metric is
over its up-threshold, x0.5 when every metric is under its down-threshold, else x1; target 1,
Value) and an HPA behavior of one replica per 300 s each way, after a 60 s scale-up and a 300 s
scale-down window. A change of the annotations updates that ScaledObject, and turning
auto-provision off deletes it (pkg/controllers/autoprovision/auto_provision_controller.go). A
max-replicas below min-replicas is a Warning Event InvalidReplicaRange on the set; an invalid config
is skipped without one (autoscalingConfigValid runs parseMetricsConfig before BuildDesired, so v0.6.2's
InvalidConfig Event is never reached). ``spec.nodeCountLimit`` (max replicas from the Workspaces'
targetNodeCount) and ``windowed-avg`` are not modelled: akscli's InferenceSet sets no
nodeCountLimit and its one metric is a gauge (service-avg).
KEDA gives its HPA the formula's composite metric (``get_external_metric``,
keda_formula.py). Without the metrics list auto-provisioning fails and no ScaledObject is made;
the ``metricName`` and ``threshold`` keys of v0.5 are not read.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

from tests.emulators.kube.cluster import OriginScope
from tests.emulators.kube.controllers import keda_identity, keda_scale
from tests.emulators.kube.controllers.base import DeletionTolerantController
from tests.emulators.kube.controllers.hpa import MetricError, NoMetrics
from tests.emulators.kube.controllers.keda_fallback import (
    ACTIVATED,
    DEACTIVATED,
    condition,
    formula_value,
    with_fallback,
    write_conditions,
)
from tests.emulators.kube.controllers.keda_formula import FormulaRunError
from tests.emulators.kube.controllers.keda_kaito_scaler import (
    SCALER_ADDRESS,
    ExternalScalerError,
    KaitoScalerMetrics,
)
from tests.emulators.kube.controllers.keda_metrics_api import labels_map, value_list
from tests.emulators.kube.controllers.keda_prometheus import ScalerError, execute_prom_query
from tests.emulators.kube.controllers.prometheus import AZURE_QUERY_HOSTS, azure_monitor_error
from tests.emulators.kube.incluster import InClusterHttp
from tests.emulators.kube.status import ApiError

KEDA = "keda.sh/v1alpha1"
KAITO = "kaito.sh/v1beta1"
# apis/keda/v1alpha1/withtriggers_types.go defaultPollingInterval (seconds).
DEFAULT_POLLING_INTERVAL = 30
HPA = "autoscaling/v2"
# apis/keda/v1alpha1/scaledobject_types.go ScaledObjectOwnerAnnotation: the label of the HPA's metric selector.
OWNER_LABEL = "scaledobject.keda.sh/name"
KEDA_VERSION = "2.20.2"
POLL_ANNOTATION = "sim.akscli.io/poll"
COMPOSITE = "composite-metric"  # apis/keda/v1alpha1/scaledobject_types.go CompositeMetricName
# kedacore/keda controllers/keda/scaledobject_controller.go Reconcile: Ready True once reconcileScaledObject made
# the HPA and started the scale loop (apis/keda/v1alpha1/condition_types.go
# ScaledObjectConditionReadySuccessReason, ScaledObjectConditionReadySuccessMessage).
RECONCILED = ("True", "ScaledObjectReady", "ScaledObject is defined correctly and is ready for scaling")


class KedaController(DeletionTolerantController):
    watches: ClassVar[list[tuple[str, str]]] = [(KEDA, "ScaledObject")]
    # kedacore/keda 8b4f083c Dockerfile: ENTRYPOINT ["/keda", ...]; the operator (cmd/operator/main.go)
    # sets no user agent, so client-go's default names the binary (kubernetes/kubernetes
    # staging/src/k8s.io/client-go/rest/config.go DefaultKubernetesUserAgent)
    field_manager: ClassVar[str | None] = "keda"

    def __init__(
        self, delay: float = 0.02, http: InClusterHttp | None = None, kaito_scaler: KaitoScalerMetrics | None = None
    ) -> None:
        super().__init__(delay)
        self.http = http
        self.kaito_scaler = kaito_scaler
        # The Azure Monitor workspace's endpoint, where the lab serves one
        # (azure_monitor_collector.py install_azure_monitor).
        self.workspace: Any = None
        self._polls = 0
        self._next_poll: dict[tuple[str, str], float] = {}
        # The polling loop's last read of each trigger with useCachedMetrics, by metric name: its
        # value, activity and error (scale_handler.go scaledObjectsMetricCache, StoreRecords).
        self._records: dict[tuple[str, str], dict[str, tuple[float | None, bool, str | None]]] = {}

    def poll(self, cluster: Any, namespace: str, name: str) -> None:
        """Make KEDA read the trigger now (a change of the ScaledObject), not at its next interval."""
        self._polls += 1
        poll = {"metadata": {"annotations": {POLL_ANNOTATION: str(self._polls)}}}
        cluster.patch(KEDA, "ScaledObject", namespace, name, poll)

    def on_delete(self, cluster: Any, obj: dict[str, Any]) -> None:
        key = (obj["metadata"]["namespace"], obj["metadata"]["name"])
        self._records.pop(key, None)
        self._next_poll.pop(key, None)

    def _reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        """The polling loop's pass (scale_handler.go checkScalers, getScaledObjectState,
        getScalerState; executor/scale_scaledobjects.go RequestScale). A ScaledObject deleted
        meanwhile (a 404) drops the work (DeletionTolerantController). Scalers that cannot be built
        (KEDA's own Azure identity: keda_identity.py) fail the reconcile before the HPA is made."""
        failed = keda_identity.build_error(cluster, obj)
        if failed is not None:
            keda_identity.check_failed(cluster, obj, failed)
            return
        self._ensure_hpa(cluster, obj)
        md = obj["metadata"]
        modifiers = _formula(obj)
        fallback_before = condition(obj, "Fallback").get("status")
        active = error = fallback_active = read = False
        values: dict[str, float | None] = {}
        fallback_values: list[float] = []
        records: dict[str, tuple[float | None, bool, str | None]] = {}
        active_triggers: list[str] = []  # their metric names (scale_handler.go getScaledObjectState)
        for trigger, metric, target in metrics_of(obj):
            try:
                raw, failure = self._value(cluster, obj, trigger, poll=True), None
            except (ScalerError, ExternalScalerError) as exc:
                raw, failure = None, str(exc)
            if raw is None and failure is None:
                continue  # nothing to read in the lab
            read = True
            value, fallback, failure = with_fallback(cluster, obj, metric, target, raw, failure)
            nil = failure is None and value is None  # a scalingModifiers fallback's placeholder
            trigger_active = fallback or (failure is None and not nil and self._activity(cluster, trigger, raw))
            if trigger.get("useCachedMetrics"):
                records[metric] = (value, trigger_active, failure)
            if failure is not None:
                error = True
                reason = "KEDAMetricSourceFailed" if modifiers else "KEDAScalerFailed"
                cluster.add_event(obj, reason, failure, type="Warning")
            elif nil:
                values[str(trigger.get("name"))] = None
            elif value is not None:
                active = active or trigger_active
                values[str(trigger.get("name"))] = value
                if trigger_active:
                    active_triggers.append(metric)
            if fallback and value is not None:
                fallback_active = True
                fallback_values.append(value)
        if not read:  # Reconcile's own Ready True: scalers built, HPA made, the scale loop started
            write_conditions(cluster, md["namespace"], md["name"], {"Ready": RECONCILED})
            return
        if modifiers:  # the formula's value decides the activity; any error clears it
            active = False
            if not error:
                try:
                    formula = str(modifiers["formula"])
                    composite = fallback_values[0] if fallback_active else formula_value(obj, formula, values)
                    active = composite > float(modifiers.get("activationTarget") or 0)
                except ValueError:
                    pass
        if fallback_active and fallback_before != "True":
            cluster.add_event(obj, ACTIVATED[0], ACTIVATED[1])
        elif not fallback_active and fallback_before == "True":
            cluster.add_event(obj, DEACTIVATED[0], DEACTIVATED[1])
        if modifiers:
            active_triggers = [COMPOSITE] if active else []
        # RequestScale: the conditions, and KEDA's own 0<->1 scale write (keda_scale.py)
        latest = cluster.get(KEDA, "ScaledObject", md["namespace"], md["name"]) or obj
        conds, last_active = keda_scale.request_scale(cluster, latest, active, error, active_triggers)
        health = hpa_health(cluster, obj)
        if health is not None:
            conds["HPAActive"] = health
        write_conditions(cluster, md["namespace"], md["name"], conds)
        if last_active is not None:
            cluster.patch_status(KEDA, "ScaledObject", md["namespace"], md["name"], {"lastActiveTime": last_active})
        if records:
            self._records.setdefault((md["namespace"], md["name"]), {}).update(records)

    def _activity(self, cluster: Any, trigger: Mapping[str, Any], value: float | None) -> bool:
        """A trigger's activity: the prometheus scaler's value over ``activationThreshold`` (default
        0; prometheus_scaler.go GetMetricsAndActivity); keda-kaito-scaler's IsActive, the set's Ready
        condition (pkg/scaler/scaler.go IsActive)."""
        meta = trigger.get("metadata") or {}
        if trigger.get("type") == "prometheus":
            return value is not None and value > float(meta.get("activationThreshold") or 0)
        found = cluster.get(KAITO, "InferenceSet", meta.get("inferenceSetNamespace"), meta.get("inferenceSetName", ""))
        return condition(found or {}, "Ready").get("status") == "True"

    def get_external_metric(self, cluster: Any, namespace: str, metric: str, selector: str) -> dict[str, Any]:
        """KEDA's metrics apiserver's answer to GET /apis/external.metrics.k8s.io/v1beta1/namespaces/
        NS/METRIC?labelSelector=SEL (kedacore/keda 8b4f083c pkg/provider/provider.go GetExternalMetric):
        the selector's ``scaledobject.keda.sh/name`` picks the ScaledObject (none: 500 "scaledObject
        name is not specified"); the operator's GetMetrics (pkg/metricsservice/server.go, over gRPC)
        answers its ExternalMetricValueList, or its error, "rpc error: code = Unknown desc = error
        when getting metric values E", which the API server answers as a 500 Status of that message
        (k8s.io/apiserver pkg/endpoints/handlers/responsewriters/status.go ErrorToAPIStatus: reason
        unknown, left out). The one item carries the metric's name (``composite-metric`` with a
        formula), no labels (null), the read's time in seconds and the value as a Quantity
        (pkg/metricsservice/external_metrics.go externalMetricsToProto, protoToExternalMetrics)."""
        name = labels_map(selector).get(OWNER_LABEL, "")
        if not name:
            raise ApiError(500, "scaledObject name is not specified", "")
        try:
            value, composite = self._metric_value(cluster, namespace, metric, name)
        except NoMetrics:  # the formula could not run: an empty list (modifiers/formula.go HandleScalingModifiers)
            return value_list("", None, True)
        except MetricError as exc:
            raise ApiError(
                500, f"rpc error: code = Unknown desc = error when getting metric values {exc}", ""
            ) from None
        return value_list(COMPOSITE if composite else metric, value, composite)

    def _metric_value(self, cluster: Any, namespace: str, metric: str, name: str) -> tuple[float | None, bool]:
        """The value KEDA's operator answers for ``metric`` of ScaledObject ``name``, and whether it
        is a formula's composite (pkg/scaling/scale_handler.go GetScaledObjectMetrics): each trigger
        it takes read now, or from the polling loop's last read for a trigger with
        ``useCachedMetrics``; its fallback applied; with a formula the composite of every trigger
        whatever metric was asked (getTrueMetricArray). None: a scalingModifiers fallback's
        placeholder (fallback.go). An error no fallback replaces is "metric:M encountered error"
        (MetricError); an unknown ScaledObject "error getting scalers <its NotFound>"
        (getScalersCacheForScaledObject), a metric no trigger makes "no matching metrics found for
        M"; a formula that could not be run NoMetrics (modifiers/formula.go HandleScalingModifiers
        only logs it). Its writes (health) are KEDA's, so KEDA is not woken by them."""
        obj = cluster.get(KEDA, "ScaledObject", namespace, name)
        if obj is None:
            raise MetricError(f'error getting scalers scaledobjects.keda.sh "{name}" not found')
        failed = keda_identity.build_error(cluster, obj)
        if failed is not None:
            raise MetricError(f"error getting scalers {failed}")
        composite = _formula(obj) is not None
        wanted = [m for m in metrics_of(obj) if composite or metric == m[1]]
        if not wanted:
            raise MetricError(f"no matching metrics found for {metric}")
        with OriginScope(self):
            return self._answer(cluster, obj, metric, wanted), composite

    def _answer(
        self, cluster: Any, obj: dict[str, Any], metric: str, wanted: list[tuple[dict[str, Any], str, Target]]
    ) -> float | None:
        md = obj["metadata"]
        cached = self._records.get((md["namespace"], md["name"]), {})
        values: dict[str, float | None] = {}
        fallback_values: list[float] = []
        error = False
        for trigger, each, target in wanted:
            if trigger.get("useCachedMetrics") and each in cached:
                raw, _, failure = cached[each]
            else:
                try:
                    raw, failure = self._value(cluster, obj, trigger, poll=False), None
                except (ScalerError, ExternalScalerError) as exc:
                    raw, failure = None, str(exc)
                if raw is None and failure is None:
                    raise MetricError("the lab serves no value for this trigger")
            value, fallback, failure = with_fallback(cluster, obj, each, target, raw, failure)
            if failure is not None:
                error = True
                continue
            if fallback and value is not None:
                fallback_values.append(value)
            values[str(trigger.get("name"))] = value  # None: a scalingModifiers fallback's nil
        if error and not fallback_values:
            raise MetricError(f"metric:{metric} encountered error")
        modifiers = _formula(obj)
        if not modifiers:
            return next(iter(values.values()))  # None: the placeholder (its -1 served as it is, fallback.go)
        if fallback_values:  # modifiers.go HandleScalingModifiers: the first fallback metric
            return fallback_values[0]
        try:
            return formula_value(obj, str(modifiers["formula"]), values)
        except FormulaRunError as exc:  # logged; the metrics server answers no metrics
            raise NoMetrics(str(exc)) from None
        except ValueError as exc:
            raise MetricError(str(exc)) from None

    def _ensure_hpa(self, cluster: Any, obj: dict[str, Any]) -> None:
        """Create or update the ScaledObject's HPA (hpa.go createAndDeployNewHPA, updateHPAIfNeeded)."""
        want = hpa_for(obj)
        md = want["metadata"]
        have = cluster.get(HPA, "HorizontalPodAutoscaler", md["namespace"], md["name"])
        if have is None:
            cluster.create(want)
            cluster.patch_status(
                KEDA, "ScaledObject", md["namespace"], obj["metadata"]["name"], {"hpaName": md["name"]}
            )
        elif have.get("spec") != want["spec"] or (have["metadata"].get("labels") or {}) != md["labels"]:
            cluster.patch(HPA, "HorizontalPodAutoscaler", md["namespace"], md["name"],
                          {"metadata": {"labels": md["labels"]}, "spec": want["spec"]})  # fmt: skip

    def _value(self, cluster: Any, obj: dict[str, Any], trigger: Mapping[str, Any], poll: bool) -> float | None:
        """The trigger's value, None where there is none to read (ScalerError, ExternalScalerError)."""
        meta = trigger.get("metadata") or {}
        if trigger.get("type") == "prometheus":
            if not self._reads_over_http(trigger):
                error = azure_monitor_error(cluster, obj["metadata"]["namespace"], trigger)
                if error is not None:
                    raise ScalerError(error)
                if self.workspace is None:
                    return None  # the lab serves no Azure Monitor workspace here
                if poll:
                    self._poll_again(obj)
                return execute_prom_query(self.workspace, meta)
            if self.http is None:
                return None
            if poll:
                self._poll_again(obj)
            return execute_prom_query(self.http, meta)
        if trigger.get("type") == "external" and _is_kaito_scaler(meta):
            if self.kaito_scaler is None:
                return None
            if poll:
                self._poll_again(obj)
            return self.kaito_scaler.get_metrics(cluster, meta)
        return None

    def _reads_over_http(self, trigger: Mapping[str, Any]) -> bool:
        if trigger.get("type") != "prometheus":
            return False
        host = urlsplit(str((trigger.get("metadata") or {}).get("serverAddress") or "")).hostname or ""
        return not host.endswith(AZURE_QUERY_HOSTS)

    def _poll_again(self, obj: dict[str, Any]) -> None:
        """The next read pollingInterval seconds from now, unless one is already due by then."""
        key = (obj["metadata"]["namespace"], obj["metadata"]["name"])
        now = time.monotonic()
        if self._next_poll.get(key, 0.0) > now:
            return
        interval = float((obj.get("spec") or {}).get("pollingInterval") or DEFAULT_POLLING_INTERVAL)
        self._next_poll[key] = now + interval
        self.requeue(obj, interval)


Target = tuple[str, float]  # the HPA metric's target: its type and value


def hpa_health(cluster: Any, obj: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """The HPAActive condition RequestScale sets after each poll, mirroring the HPA's ScalingActive:
    True HPAActive "HPA is actively scaling"; True ScalingDisabled with the HPA's message; else
    False with the HPA's reason (HPAMetricsUnavailable when it has none) and "HPA is not actively
    scaling: <its message>". None, the condition left as it is, while there is no HPA name in the
    status, no HPA, or no ScalingActive yet (kedacore/keda v2.20.2 pkg/scaling/executor/
    scale_scaledobjects.go checkHPAHealth, getHPAHealth; apis/keda/v1alpha1/condition_types.go)."""
    md = obj["metadata"]
    latest = cluster.get(KEDA, "ScaledObject", md["namespace"], md["name"]) or obj
    name = (latest.get("status") or {}).get("hpaName")
    hpa = cluster.get(HPA, "HorizontalPodAutoscaler", md["namespace"], name) if name else None
    for cond in ((hpa or {}).get("status") or {}).get("conditions") or []:
        if cond.get("type") != "ScalingActive":
            continue
        if cond.get("status") == "True":
            return "True", "HPAActive", "HPA is actively scaling"
        if cond.get("reason") == "ScalingDisabled":
            return "True", "ScalingDisabled", str(cond.get("message") or "")
        return (
            "False",
            str(cond.get("reason") or "HPAMetricsUnavailable"),
            f"HPA is not actively scaling: {cond.get('message') or ''}",
        )
    return None


def _formula(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    """The scalingModifiers when KEDA uses them (a formula and a target above 0; IsUsingModifiers)."""
    modifiers = ((obj.get("spec") or {}).get("advanced") or {}).get("scalingModifiers") or {}
    return dict(modifiers) if modifiers.get("formula") and float(modifiers.get("target") or 0) > 0 else None


def metrics_of(obj: Mapping[str, Any]) -> list[tuple[dict[str, Any], str, Target]]:
    """Each trigger, its external metric's name (``s<index>-<metric>``) and the target its fallback
    scales: the trigger's threshold, or the formula's target where there is one."""
    modifiers = _formula(obj)
    out = []
    for index, trigger in enumerate((obj.get("spec") or {}).get("triggers") or []):
        meta = trigger.get("metadata") or {}
        metric = "prometheus" if trigger.get("type") == "prometheus" else str(meta.get("metricName") or trigger["type"])
        if modifiers:
            target = (str(modifiers.get("metricType") or "AverageValue"), float(modifiers["target"]))
        else:
            target = ("AverageValue", float(meta.get("threshold") or 0))
        out.append((dict(trigger), f"s{index}-{metric}", target))
    return out


def hpa_for(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The HPA KEDA makes for a ScaledObject (hpa.go newHPAForScaledObject)."""
    md, spec = obj["metadata"], obj.get("spec") or {}
    config = (spec.get("advanced") or {}).get("horizontalPodAutoscalerConfig") or {}
    name = config.get("name") or f"keda-hpa-{md['name']}"
    target = spec["scaleTargetRef"]
    metrics = []
    for trigger, metric, _ in metrics_of(obj):
        threshold = float((trigger.get("metadata") or {}).get("threshold") or 0)
        metrics.append({
            "type": "External",
            "external": {
                "metric": {"name": metric, "selector": {"matchLabels": {OWNER_LABEL: md["name"]}}},
                "target": {"type": "AverageValue", "averageValue": _quantity(threshold)},
            },
        })  # fmt: skip
    modifiers = (spec.get("advanced") or {}).get("scalingModifiers") or {}
    if modifiers.get("formula") and float(modifiers.get("target") or 0) > 0:
        # The triggers' specs give way to one composite metric of the formula's value.
        kind = modifiers.get("metricType") or "AverageValue"
        value_key = "value" if kind == "Value" else "averageValue"
        metrics = [{
            "type": "External",
            "external": {
                "metric": {"name": COMPOSITE, "selector": {"matchLabels": {OWNER_LABEL: md["name"]}}},
                "target": {"type": kind, value_key: _quantity(float(modifiers["target"]))},
            },
        }]  # fmt: skip
    hpa_spec: dict[str, Any] = {
        "scaleTargetRef": {
            "apiVersion": target.get("apiVersion") or "apps/v1",
            "kind": target.get("kind") or "Deployment",
            "name": target["name"],
        },
        "minReplicas": int(spec.get("minReplicaCount") or 0) or 1,
        "maxReplicas": int(spec.get("maxReplicaCount", 100)),
        "metrics": metrics,
    }  # fmt: skip
    if config.get("behavior") is not None:
        hpa_spec["behavior"] = config["behavior"]
    labels = {
        "app.kubernetes.io/name": name[:63],
        "app.kubernetes.io/version": KEDA_VERSION,
        "app.kubernetes.io/part-of": md["name"],
        "app.kubernetes.io/managed-by": "keda-operator",
    } | dict(md.get("labels") or {})
    owner = {"apiVersion": KEDA, "kind": "ScaledObject", "name": md["name"], "uid": md.get("uid", ""),
             "controller": True, "blockOwnerDeletion": True}  # fmt: skip
    annotations = {k: v for k, v in (md.get("annotations") or {}).items() if k != POLL_ANNOTATION}
    meta: dict[str, Any] = {"name": name, "namespace": md["namespace"], "labels": labels, "ownerReferences": [owner]}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": HPA, "kind": "HorizontalPodAutoscaler", "metadata": meta, "spec": hpa_spec}


def _is_kaito_scaler(meta: Mapping[str, Any]) -> bool:
    """An external trigger that asks keda-kaito-scaler (its ``scalerAddress``, what KEDA's external
    scaler dials; pkg/scalers/external_scaler.go)."""
    return str(meta.get("scalerAddress") or "").split(".")[0] == SCALER_ADDRESS.split(".")[0]


def _quantity(value: float) -> str:
    """A threshold as the target's Quantity (milli-units where it is not whole)."""
    milli = round(value * 1000)
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"
