"""Who scrapes the queue metric --autoscale scales on, and where KEDA queries it.

Two scrapers read a PodMonitor:

* Azure Monitor managed Prometheus (``azmonitoring.coreos.com/v1``): the series go to an Azure
  Monitor workspace and no Prometheus runs in the cluster. KEDA queries the workspace's query
  endpoint with its workload identity: a TriggerAuthentication with ``podIdentity.provider:
  azure-workload`` (kedacore/keda v2.20.2 pkg/scalers/prometheus_scaler.go, NewPrometheusScaler;
  Microsoft Learn "Integrate KEDA with your Azure Kubernetes Service cluster").
* The Prometheus Operator (``monitoring.coreos.com/v1``): a Prometheus reads only the PodMonitors
  its ``spec.podMonitorSelector`` selects, in the namespaces its ``podMonitorNamespaceSelector``
  selects (prometheus-operator/prometheus-operator pkg/prometheus/resource_selector.go,
  selectObjects; pkg/operator/operator.go, SelectNamespacesFromCache).

Plain logic: no Typer, no rich; nothing is printed."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from akscli.errors import AkscliError, AuthError, NotInstalledError, UsageError
from akscli.kube import label_selector
from akscli.kube.selectors import SelectorError
from akscli.model import bounded
from akscli.model.kinds import (
    AZURE_MONITOR_CLOUDS,
    AZURE_MONITOR_QUERY_HOSTS,
    PROMETHEUS_OPERATOR_API,
    PROMETHEUS_SERVICE,
    QUEUE_METRIC,
)

if TYPE_CHECKING:
    from akscli.kube.client import Kube

QUERY_ENDPOINT_EXAMPLE = "https://WORKSPACE-HASH.REGION.prometheus.monitor.azure.com"
QUERY_ENDPOINT_HINT = (
    f"pass --prometheus {QUERY_ENDPOINT_EXAMPLE}: the Azure Monitor workspace's query endpoint "
    "(az monitor account show -n WORKSPACE -g GROUP --query metrics.prometheusQueryEndpoint -o tsv); "
    "KEDA's identity needs the Monitoring Data Reader role on the workspace"
)
# The label the API server sets on every namespace (KEP-2161, kubernetes/kubernetes
# pkg/registry/core/namespace/strategy.go): a namespace --create-namespace makes carries it too.
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


def check_query_url(url: str, *, managed: bool) -> None:
    """An http(s) URL KEDA can query; for managed Prometheus an Azure Monitor query endpoint.

    Refused, and echoed without what unlocks it (akscli.redact.url_credentials):
    * a user name or password (``user:password@`` before the host): it would be on akscli's command
      line (``ps``, the shell's history) and in the ScaledObject's ``serverAddress`` (a plain object,
      in plans, diffs and ``-o yaml``); KEDA reads basic-auth credentials from a Secret through a
      TriggerAuthentication (``authModes: basic``; upstream: kedacore/keda-docs
      content/docs/2.13/scalers/prometheus.md "Authentication Parameters"), and `gpu usage`'s
      direct query (urllib3's PoolManager.urlopen sends ``u.request_uri``) would not send them;
    * a ``?query`` or ``#fragment``: KEDA appends ``/api/v1/query?query=...`` to serverAddress
      (kedacore/keda pkg/scalers/prometheus_scaler.go ExecutePromQuery, ``fmt.Sprintf("%s/api/v1/query?
      query=%s&time=%s", ServerAddress, ...)``), which a query would cut off; a token there would be
      in the ScaledObject too.
    """
    from akscli.redact import url_credentials

    shown = url_credentials(url)
    if not re.fullmatch(r"https?://[^\s\"'{}<>\\]+", url) or not urlsplit(url).hostname:
        raise UsageError(f"invalid --prometheus {shown!r}: expected an http(s) URL", hint=_example(managed))
    parts = urlsplit(url)
    if "@" in parts.netloc:
        raise UsageError(
            f"invalid --prometheus {shown!r}: a URL with a user name or password (user:password@) is refused: "
            "a password does not belong on the command line or in a plain object",
            hint=f"--prometheus {parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}; a Prometheus behind "
            "basic auth takes its credentials from a Secret (KEDA: a TriggerAuthentication, authModes: basic)",
        )
    if parts.query or parts.fragment:
        raise UsageError(
            f"invalid --prometheus {shown!r}: the URL of a Prometheus, without ?query or #fragment",
            hint=f"--prometheus {parts.scheme}://{parts.netloc}{parts.path}",
        )
    if not managed:
        return
    if urlsplit(url).scheme != "https" or not is_workspace(url):
        raise UsageError(
            f"invalid --prometheus {url!r}: the cluster scrapes with Azure Monitor managed Prometheus, so KEDA "
            "queries an Azure Monitor workspace's https query endpoint (*.prometheus.monitor.azure.com)",
            hint=QUERY_ENDPOINT_HINT,
        )


def is_workspace(url: str) -> bool:
    """Whether ``url``'s host is an Azure Monitor workspace's query endpoint (kinds.AZURE_MONITOR_QUERY_HOSTS)."""
    host = urlsplit(url).hostname or ""
    return host.endswith(tuple(f".{h}" for h in AZURE_MONITOR_QUERY_HOSTS))


def keda_cloud(url: str) -> str | None:
    """The ``cloud`` KEDA's trigger needs to get a token the workspace at ``url`` takes (None: the
    public cloud, KEDA's default; kinds.AZURE_MONITOR_CLOUDS)."""
    host = urlsplit(url).hostname or ""
    for suffix, cloud in AZURE_MONITOR_CLOUDS.items():
        if host.endswith(f".{suffix}"):
            return cloud
    return None


def _example(managed: bool) -> str:
    return (
        QUERY_ENDPOINT_HINT if managed else f"for example http://{PROMETHEUS_SERVICE}.monitoring.svc.cluster.local:9090"
    )


def managed_needs_url() -> UsageError:
    return UsageError(
        f"--autoscale reads {QUEUE_METRIC} from Azure Monitor managed Prometheus, which has no in-cluster "
        "address: --prometheus must name the workspace's query endpoint",
        hint=QUERY_ENDPOINT_HINT,
    )


@dataclass(frozen=True)
class Scraper:
    """The Prometheus that will scrape the PodMonitor, and the labels that make it select it."""

    namespace: str
    name: str
    labels: dict[str, str]
    # Whether it remote-writes anywhere (spec.remoteWrite), and the labels it adds to what it
    # sends (spec.externalLabels): workspace_pin reads them for a query on a workspace.
    remote_write: bool = False
    external_labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def address(self) -> str:
        return f"http://{PROMETHEUS_SERVICE}.{self.namespace}.svc.cluster.local:9090"


def workspace_pin(scraper: Scraper, url: str, monitor: str) -> tuple[str | None, str | None]:
    """For KEDA's query on an Azure Monitor workspace fed by the Prometheus Operator's ``scraper``
    through remote-write (MicrosoftDocs/azure-monitor-docs
    articles/azure-monitor/metrics/prometheus-remote-write-configure.md): the ``cluster`` label
    that pins the query to this cluster's series and no warning, or None and why not. The
    operator adds spec.externalLabels to the Prometheus's external labels
    (prometheus-operator/prometheus-operator pkg/prometheus/promcfg.go buildExternalLabels), which
    Prometheus puts on every series it remote-writes (prometheus/prometheus
    docs/configuration/configuration.md, ``external_labels``: "The labels to add to any time series
    or alerts when communicating with external systems (federation, remote storage, Alertmanager)").
    A Prometheus with no spec.remoteWrite sends the workspace nothing."""
    ref = f"{scraper.namespace}/{scraper.name}"
    host = urlsplit(url).hostname or url
    if not scraper.remote_write:
        return None, (
            f"KEDA queries the Azure Monitor workspace {host}, but Prometheus {ref}, which scrapes PodMonitor "
            f"{monitor}, remote-writes nowhere (no spec.remoteWrite): the workspace gets no {QUEUE_METRIC} and "
            f"KEDA's trigger fails; remote-write {ref} to the workspace, or leave out --prometheus to query "
            f"{ref} itself"
        )
    label = str(scraper.external_labels.get("cluster") or "")
    if label:
        return label, None
    detail = f"Prometheus {ref} sets no cluster label in spec.externalLabels"
    return None, _unpinned(detail, f"set spec.externalLabels.cluster on {ref} to this cluster's name and deploy again")


def select_scraper(kube: Kube, namespace: str, labels: Mapping[str, str]) -> Scraper:
    """The first Prometheus (by namespace/name) that selects a PodMonitor with ``labels`` plus
    its selector's matchLabels in ``namespace``; refused when none can."""
    scraper, detail = find_scraper(kube, namespace, labels)
    if scraper is not None:
        return scraper
    raise NotInstalledError(
        f"--autoscale scales on {QUEUE_METRIC}, and no Prometheus would scrape a PodMonitor in namespace "
        f"{namespace} ({detail})",
        hint=SELECT_HINT,
    )


SELECT_HINT = (
    "let a Prometheus select it: set spec.podMonitorSelector (kube-prometheus-stack: "
    "prometheus.prometheusSpec.podMonitorSelectorNilUsesHelmValues=false) and podMonitorNamespaceSelector: {}"
)


def find_scraper(kube: Kube, namespace: str, labels: Mapping[str, str]) -> tuple[Scraper | None, str]:
    """The first Prometheus (by namespace/name) that would select the PodMonitor, or None and why
    none would."""
    prometheuses = sorted(
        kube.list(PROMETHEUS_OPERATOR_API, "Prometheus", all_namespaces=True)
        if kube.has_api(PROMETHEUS_OPERATOR_API, "Prometheus")
        else [],
        key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"]),
    )
    ns_obj = kube.get("v1", "Namespace", namespace)
    ns_labels = dict(((ns_obj or {}).get("metadata") or {}).get("labels") or {}) or {NAMESPACE_NAME_LABEL: namespace}
    reasons: list[str] = []
    for prom in prometheuses:
        pick, why = scraper_of(prom, namespace, ns_labels, labels)
        if pick is not None:
            return pick, ""
        reasons.append(why)
    return None, "; ".join(reasons) if reasons else "the cluster has no Prometheus (monitoring.coreos.com/v1)"


def unscraped_warning(namespace: str, name: str, detail: str) -> str:
    """The deploy's line for a PodMonitor no Prometheus selects. The Prometheus Operator skips it
    without a word (pkg/prometheus/resource_selector.go selectObjects); only with its
    StatusForConfigurationResources gate, off by default (pkg/operator/config.go), does a
    PodMonitor get ``status.bindings``, and then only for the Prometheus objects that select it
    (pkg/apis/monitoring/v1/types.go ConfigResourceStatus; prometheus-operator 6adcebc5). So the
    user hears it here or not at all."""
    return (
        f"no Prometheus selects PodMonitor {namespace}/{name} ({bounded.value(detail, 80)}): vLLM's metrics will not "
        "be scraped; "
        f"{SELECT_HINT}"
    )


def scraper_of(
    prom: Mapping[str, Any], namespace: str, ns_labels: Mapping[str, str], labels: Mapping[str, str]
) -> tuple[Scraper | None, str]:
    """The Scraper for this Prometheus, or None and why it would not select the PodMonitor."""
    md, spec = prom["metadata"], prom.get("spec") or {}
    ref = f"{md.get('namespace', '')}/{md['name']}"
    ns_selector = spec.get("podMonitorNamespaceSelector")
    if ns_selector is None:
        # A null namespace selector is the Prometheus's own namespace only (SelectNamespacesFromCache).
        if md.get("namespace") != namespace:
            return None, f"{ref} reads PodMonitors of its own namespace only"
    else:
        try:
            if not selector_matches(ns_selector, ns_labels):
                return None, f"{ref}'s podMonitorNamespaceSelector does not select namespace {namespace}"
        except SelectorError as exc:
            return None, f"{ref}'s podMonitorNamespaceSelector cannot be read ({exc.message}), so it selects nothing"
    selector = spec.get("podMonitorSelector")
    if selector is None:
        # A null label selector matches no objects (metav1.LabelSelectorAsSelector(nil) is
        # labels.Nothing(); the podMonitorSelector field's doc in pkg/apis/monitoring/v1/prometheus_types.go).
        return None, f"{ref} has no podMonitorSelector, which selects no PodMonitor"
    wanted = {str(k): str(v) for k, v in (selector.get("matchLabels") or {}).items()}
    clash = sorted(k for k, v in wanted.items() if k in labels and labels[k] != v)
    if clash:
        return None, f"{ref} selects {', '.join(clash)} with values akscli sets otherwise"
    merged = {**labels, **wanted}
    try:
        if not selector_matches(selector, merged):
            return None, f"{ref}'s podMonitorSelector matchExpressions exclude akscli's PodMonitor"
    except SelectorError as exc:
        return None, f"{ref}'s podMonitorSelector cannot be read ({exc.message}), so it selects nothing"
    external = {str(k): str(v) for k, v in (spec.get("externalLabels") or {}).items()}
    return Scraper(str(md.get("namespace", "")), str(md["name"]), wanted, bool(spec.get("remoteWrite")), external), ""


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """A Prometheus's selector over a label set, as the operator reads it: metav1.LabelSelectorAsSelector
    ({} selects everything; akscli.kube.label_selector). The callers handle a null selector
    first, each by its own rule. One the operator cannot read is a SelectorError: the operator's
    selectObjects returns the error and that Prometheus selects nothing
    (prometheus-operator/prometheus-operator 6adcebc5 pkg/prometheus/resource_selector.go,
    pkg/operator/operator.go SelectNamespacesFromCache)."""
    return label_selector.matches(selector, labels)


# Azure Monitor's collector (the AKS metrics add-on) runs as Deployment ama-metrics in kube-system;
# its optional settings are the ConfigMap ama-metrics-settings-configmap there (upstream:
# Azure/prometheus-collector 39583fd5 otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/
# templates/ama-metrics-deployment.yaml; otelcollector/configmaps/ama-metrics-settings-configmap.yaml).
COLLECTOR_NAMESPACE = "kube-system"
COLLECTOR_DEPLOYMENT = "ama-metrics"
COLLECTOR_SETTINGS = "ama-metrics-settings-configmap"
_SETTINGS_SECTION = "prometheus-collector-settings"


def workspace_cluster(kube: Kube) -> tuple[str | None, str | None]:
    """The ``cluster`` label Azure Monitor's collector puts on every series this cluster sends to
    its workspace and no warning, or None and the warning that says why it could not be read. One
    workspace takes the series of many clusters, and a PodMonitor's ``namespace`` and ``job`` are the
    same in each, so without this label KEDA's query sums the queue of every cluster that runs the model.

    As the collector computes it (Azure/prometheus-collector 39583fd5 otelcollector/shared/configmap/
    mp/tomlparser-prometheus-collector-settings.go, Configure): the container's ``CLUSTER`` (the
    AKS cluster's resource ID), its last ``/`` segment when ``MAC`` is "true" (the add-on sets it:
    templates/ama-metrics-deployment.yaml); a ``cluster_alias`` of the settings ConfigMap, when set,
    wins (PopulateSettingValuesFromConfigMap). The collector stamps it on each series
    (otelcollector/opentelemetry-collector-builder/collector-config-replicaset.yml, processor
    ``resource``: ``cluster: ${env:AZMON_CLUSTER_LABEL}``, upsert)."""
    label, why = collector_label(kube)
    return (label, None) if label is not None else (None, _unpinned(why))


def collector_label(kube: Kube) -> tuple[str | None, str]:
    """workspace_cluster's label, or None and why it could not be read (a refused read, no collector).

    An Arc-enabled cluster's add-on (the Azure Monitor metrics Arc extension) is the same chart:
    Deployment kube-system/ama-metrics, ``MAC`` "true", ``CLUSTER`` the connected cluster's resource
    ID (Azure/prometheus-collector 39583fd5 otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/
    templates/_arc-extension-helpers.tpl isArcExtension, resourceId; ama-metrics-deployment.yaml), so
    its label is the connected cluster's name, read the same way."""
    try:
        deployment = kube.get("apps/v1", "Deployment", COLLECTOR_DEPLOYMENT, COLLECTOR_NAMESPACE)
        settings = kube.get("v1", "ConfigMap", COLLECTOR_SETTINGS, COLLECTOR_NAMESPACE)
    except AuthError as exc:
        return None, f"reading {COLLECTOR_NAMESPACE}/{COLLECTOR_DEPLOYMENT} was refused: {exc.message}"
    alias = cluster_alias(settings)
    if alias:
        return alias, ""
    pod = (((deployment or {}).get("spec") or {}).get("template") or {}).get("spec") or {}
    env = _collector_env(pod)
    cluster = env.get("CLUSTER", "").strip()
    if not cluster:
        return None, f"no Deployment {COLLECTOR_NAMESPACE}/{COLLECTOR_DEPLOYMENT} with the collector's CLUSTER"
    return (cluster.split("/")[-1] if env.get("MAC", "").strip() == "true" else cluster), ""


# The target allocator that hands the PodMonitors' targets to the collector (Azure/prometheus-collector
# 39583fd5 otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/templates/ama-metrics-targetallocator.yaml).
TARGET_ALLOCATOR = "ama-metrics-operator-targets"
# The Arc extension's name and type as Azure's docs install it: `az k8s-extension create --name
# azuremonitor-metrics ... --cluster-type connectedClusters --extension-type
# Microsoft.AzureMonitor.Containers.Metrics` (MicrosoftDocs/azure-monitor-docs
# articles/azure-monitor/containers/kubernetes-monitoring-enable-arc.md, "Prometheus metrics"; the
# same in MicrosoftDocs/azure-docs articles/azure-monitor/essentials/
# prometheus-metrics-from-arc-enabled-cluster.md), and in Azure's own templates (Azure/prometheus-collector
# ArcBicepTemplate/nested_azuremonitormetrics_arc_k8s_extension_clusterResourceId.bicep,
# otelcollector/test/arc-conformance/e2e_tests.sh). The name is the user's choice; the type is fixed.
ARC_EXTENSION = "azuremonitor-metrics"


def arc_without_target_allocator(kube: Kube) -> tuple[str, str] | None:
    """What is wrong and the fix when the collector is the Azure Monitor metrics Arc extension's and
    it runs no target allocator, so no one reads an ``azmonitoring.coreos.com`` PodMonitor; None
    otherwise, or where it cannot be told (a refused read: the deploy's other lines say so).

    The chart renders Deployment kube-system/ama-metrics-operator-targets only with
    ``operatorEnabled``: always on AKS; on an Arc extension (the resource ID is not a managedClusters
    one) only while both ``AzureMonitorMetrics.ArcEnableOperator`` and ``TargetAllocatorEnabled``
    are true (templates/_arc-extension-helpers.tpl; both true in values-template.yaml). The
    PodMonitor CRD is installed either way (templates/ama-metrics-podmonitor-crd.yaml), so akscli's
    PodMonitor applies and is never scraped. The collector's own AZMON_OPERATOR_ENABLED stays
    "true" while TargetAllocatorEnabled is (templates/ama-metrics-deployment.yaml), so only the
    Deployment tells. Extension configuration settings are the chart's Helm values (Azure/prometheus-collector
    273508f5 "Arc: configuration settings for GA": "the helm value/configuration setting")."""
    try:
        cluster = collector_cluster(kube)
        if not cluster or "microsoft.containerservice/managedclusters" in cluster.lower():
            return None
        if kube.get("apps/v1", "Deployment", TARGET_ALLOCATOR, COLLECTOR_NAMESPACE) is not None:
            return None
    except AkscliError:
        return None
    parts = cluster.strip("/").split("/")
    name = parts[-1]
    group = parts[3] if len(parts) > 3 and parts[2].lower() == "resourcegroups" else "GROUP"
    return (
        f"the Azure Monitor metrics Arc extension on connected cluster {name} runs no target allocator "
        f"(no Deployment {COLLECTOR_NAMESPACE}/{TARGET_ALLOCATOR}: its AzureMonitorMetrics.ArcEnableOperator or "
        f"TargetAllocatorEnabled is false), so no one scrapes azmonitoring.coreos.com PodMonitors and "
        f"{QUEUE_METRIC} never reaches the workspace",
        f"az k8s-extension update --name {ARC_EXTENSION} --cluster-name {name} --resource-group {group} "
        "--cluster-type connectedClusters --configuration-settings AzureMonitorMetrics.ArcEnableOperator=true "
        "AzureMonitorMetrics.TargetAllocatorEnabled=true",
    )


def collector_cluster(kube: Kube) -> str:
    """The Azure resource ID of this cluster as Azure Monitor's collector names it: its ``CLUSTER``, a
    managedClusters ID on AKS, a connectedClusters ID on Arc (templates/ama-metrics-deployment.yaml,
    templates/_arc-extension-helpers.tpl resourceId); "" where there is no collector. AkscliError
    when the read is refused."""
    deployment = kube.get("apps/v1", "Deployment", COLLECTOR_DEPLOYMENT, COLLECTOR_NAMESPACE)
    pod = (((deployment or {}).get("spec") or {}).get("template") or {}).get("spec") or {}
    return _collector_env(pod).get("CLUSTER", "").strip()


def _collector_env(pod: Mapping[str, Any]) -> dict[str, str]:
    """The collector container's literal environment (its ``prometheus-collector`` container)."""
    env: dict[str, str] = {}
    for container in pod.get("containers") or []:
        if container.get("name") == "prometheus-collector":
            env = {str(e.get("name")): str(e.get("value") or "") for e in container.get("env") or []}
    return env


def cluster_matcher(label: str) -> str:
    """The PromQL matcher that keeps one cluster's series of an Azure Monitor workspace:
    ``cluster="<label>"``, the label workspace_cluster reads. Every query akscli sends to, or has
    KEDA send to, a workspace carries it (KEDA's queue query: deploy.queue_query; ``gpu usage
    --utilization``: gpu_activity.queries). The value is written as a JSON string, which PromQL
    reads as a Go string literal (prometheus/prometheus promql/parser/parse.go unquoteString:
    util/strutil/quote.go Unquote, strconv.Unquote's rules)."""
    return f"cluster={json.dumps(label)}"


def cluster_alias(settings: Mapping[str, Any] | None) -> str:
    """The settings ConfigMap's ``cluster_alias`` as the collector reads it, "" when unset: only with
    ``schema-version`` v1 or v2 (Configure); each line of the ``prometheus-collector-settings``
    key split at its first "=", the value trimmed and unquoted (otelcollector/shared/helpers.go
    parseMetricsFileInto, RemoveQuotes); runs of characters other than letters and digits become
    "_", trimmed of "_" (PopulateSettingValuesFromConfigMap)."""
    data = (settings or {}).get("data") or {}
    if str(data.get("schema-version", "")).strip() not in ("v1", "v2"):
        return ""
    alias = ""
    for line in str(data.get(_SETTINGS_SECTION, "")).splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key.strip() == "cluster_alias":
            value = value.strip()
            alias = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    return re.sub(r"[^0-9a-zA-Z]+", "_", alias.strip()).strip("_")


def _unpinned(detail: str, fix: str = "grant read on kube-system Deployments and ConfigMaps and deploy again") -> str:
    """The deploy's line when this cluster's label on the workspace's series is not known."""
    return (
        f"KEDA's query is not pinned to this cluster ({bounded.value(detail, 100)}): the workspace holds the series "
        f"of every cluster that sends to it, so {QUEUE_METRIC} would be summed over each cluster that runs this "
        f"model in this namespace; {fix}"
    )
