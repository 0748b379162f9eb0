"""What the GPUs actually do: NVIDIA dcgm-exporter's utilization and framebuffer use, averaged
over a window, per node pool and per namespace (`akscli gpu usage --utilization`).

The series are dcgm-exporter's (NVIDIA/dcgm-exporter etc/default-counters.csv):
``DCGM_FI_DEV_GPU_UTIL`` (gauge, %), ``DCGM_FI_DEV_FB_USED`` and ``DCGM_FI_DEV_FB_FREE`` (gauges,
MiB), one series per GPU labelled ``gpu``, ``UUID``, ``modelName`` and the node as ``Hostname``
(``hostname`` on main after 4.8.2; NODE_NAME, internal/pkg/hostname/hostname.go,
internal/pkg/rendermetrics/render_metrics.go), and with ``--kubernetes`` the pod the GPU is
given to as ``pod``, ``namespace``, ``container`` (internal/pkg/transformation/const.go). A
Prometheus that scrapes the exporter without honor_labels keeps those as ``exported_namespace``
etc. and puts the exporter pod's own in ``namespace`` (prometheus/prometheus d15adb9a
scrape/scrape.go resolveConflictingExposedLabels: honor_labels false prefixes a clashing scraped
label with ``exported_``).

``--prometheus URL`` names the Prometheus (prometheus_source.py: an in-cluster Service, an Azure
Monitor workspace, another URL). Without it the Prometheus is the Prometheus Operator's, reached
through the API server's service proxy at
``prometheus-operated:9090`` of the first Prometheus's namespace (by namespace/name), as
model/monitoring.py finds one for KEDA. One instant query per metric,
``avg_over_time(METRIC[WINDOW])``: each series' mean over (now - WINDOW, now], staleness markers
left out (promql/functions.go funcAvgOverTime; promql/engine.go matrixIterSlice), answered as the
HTTP API writes a vector (web/api/v1/api.go Response: ``{"status": "success", "data":
{"resultType": "vector", "result": [{"metric": {...}, "value": [t, "v"]}]}}``; an error is
``{"status": "error", "errorType", "error"}``).
The series are folded here: a GPU is (node, UUID); a GPU that held several pods over the window has
a series per pod, and its mean is the mean of theirs. A pool's figure is the mean over its GPUs
that have series; a namespace's over the GPUs its pods held.

Plain logic: no Typer, no rich; nothing is printed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli.errors import AkscliError, UsageError

if TYPE_CHECKING:
    from akscli.gpu.prometheus_source import Querier, Source
    from akscli.gpu.usage import Usage
    from akscli.kube.client import Kube

UTIL, FB_USED, FB_FREE = "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE"
# A MIG device's series carries the GPU instance it measures as GPU_I_PROFILE and GPU_I_ID
# (NVIDIA/dcgm-exporter 4.5.3-4.8.2 internal/pkg/rendermetrics/render_metrics.go gpuMetricsFormat;
# internal/pkg/devicemonitoring/device_monitoring.go monitorAllGPUInstances: a MIG-enabled GPU is
# watched as its GPU instances). DCGM_FI_DEV_GPU_UTIL "is not supported for MIG instances", it reads
# 0 or is absent; the maintainers' measure there is DCGM_FI_PROF_GR_ENGINE_ACTIVE (NVIDIA/dcgm-exporter
# issues 216 and 50), a ratio 0..1 that etc/default-counters.csv exports by default (a profiling
# metric: Volta or newer, DCGM's profiling module loaded).
ENGINE, MIG_INSTANCE = "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "GPU_I_ID"
HOST_LABELS = ("Hostname", "hostname")
PROMETHEUS_API = "monitoring.coreos.com/v1"
SERVICE, PORT = "prometheus-operated", 9090  # prometheus-operator pkg/prometheus/server/statefulset.go
DEFAULT_WINDOW = "1h"
FIELDS = ("gpu_util_percent", "gpu_memory_used_percent", "gpus_measured")
# A namespace whose GPUs averaged less than this is named in the summary line: requested, doing
# next to nothing (akscli's choice; DCGM_FI_DEV_GPU_UTIL is the percent of the sample period in
# which a kernel ran).
LOW_PERCENT = 5.0
# The GPU Operator makes its exporter's ServiceMonitor only where the ClusterPolicy asks: a nil
# spec.dcgmExporter.serviceMonitor.enabled is false (NVIDIA/gpu-operator a22dbf671
# api/nvidia/v1/clusterpolicy_types.go ServiceMonitorConfig.IsEnabled, "disabled by default"), while
# its Helm chart's values set it true (deployments/gpu-operator/values.yaml dcgmExporter.serviceMonitor).
HOW = (
    "run NVIDIA's dcgm-exporter (GPU Operator ClusterPolicy spec.dcgmExporter.enabled) and have a "
    "Prometheus Operator Prometheus scrape it: the GPU Operator's ServiceMonitor "
    "(spec.dcgmExporter.serviceMonitor.enabled, off where the ClusterPolicy leaves it out) or a PodMonitor "
    "for app=nvidia-dcgm-exporter; see akscli doctor --for gpu"
)
# A Prometheus duration (prometheus/common model/time.go ParseDuration): units y w d h m s ms.
_DURATION = re.compile(r"(?:[0-9]+(?:ms|s|m|h|d|w|y))+")


class Unavailable(Exception):
    """Why no utilization could be read (one line, with how to get it)."""


def check_window(window: str) -> str:
    """``--window`` as a Prometheus duration (1h, 30m, 1d12h); refused when it is not one or is zero."""
    if not _DURATION.fullmatch(window):
        raise UsageError(f"invalid --window {window!r}: expected a duration such as 30m, 1h or 1d", hint="--window 1h")
    if not re.search(r"[1-9]", window):
        # 0s, 0m...: a well-formed duration but an empty range, so say what is wrong with it.
        raise UsageError(f"invalid --window {window!r}: it must be positive", hint="--window 1h")
    return window


def queries(window: str, cluster: str | None = None, *, mig: bool = False) -> dict[str, str]:
    """The PromQL sent, one instant query per metric; with ``cluster``, an Azure Monitor
    workspace's label of this cluster's series, only those (model.monitoring.cluster_matcher);
    with ``mig`` (a pool shares its GPUs by MIG), ENGINE as well, what MIG devices are measured by."""
    from akscli.model.monitoring import cluster_matcher

    matcher = "{" + cluster_matcher(cluster) + "}" if cluster is not None else ""
    metrics = (UTIL, FB_USED, FB_FREE, ENGINE) if mig else (UTIL, FB_USED, FB_FREE)
    return {metric: f"avg_over_time({metric}{matcher}[{window}])" for metric in metrics}


def workspace_cluster(kube: Kube, source: Source | None) -> tuple[str | None, str | None]:
    """The ``cluster`` label of this cluster's series where ``source`` is an Azure Monitor workspace
    (the add-on's collector stamps it on every series it sends, DaemonSet and ReplicaSet alike:
    Azure/prometheus-collector 39583fd5 otelcollector/opentelemetry-collector-builder/
    collector-config-default.yml and collector-config-replicaset.yml, ``resource`` processor,
    ``key: cluster``), so a workspace other clusters send to as well answers with this cluster's
    GPUs only, and no warning. (None, None) for any other Prometheus. Where the collector's settings
    cannot be read, None and the warning that the figures are read unpinned: this cluster's node
    names still filter the series (fold), so only a node name another cluster also has mixes its
    GPUs in, which the user hears of once, as kubectl warns of what it cannot check."""
    from akscli.gpu import prometheus_source
    from akscli.model import bounded, monitoring

    if not isinstance(source, prometheus_source.Direct) or source.scope is None:
        return None, None
    try:
        label, why = monitoring.collector_label(kube)
    except AkscliError as exc:  # an API server that fails the read
        label, why = (
            None,
            f"reading {monitoring.COLLECTOR_NAMESPACE}/{monitoring.COLLECTOR_DEPLOYMENT} failed: {exc.message}",
        )
    if label is not None:
        return label, None
    return None, (
        f"GPU utilization is not pinned to this cluster's series of {source.where} ({bounded.value(why, 100)}): "
        "this cluster's node names pick its GPUs, so a node another cluster sending to the workspace also names "
        "mixes that cluster's GPUs into the figures; grant read on kube-system Deployments and ConfigMaps"
    )


Sample = tuple[dict[str, str], float]


def find_prometheus(kube: Kube, what: str = "DCGM metrics", how: str = HOW, *, workspace_flag: bool = False) -> str:
    """The namespace of the first Prometheus (by namespace/name); Unavailable when none (the line
    names ``what`` was to be read and ``how`` to get it; with ``workspace_flag``, a command that has
    --prometheus, the Azure Monitor workspace instead where the cluster sends its metrics there)."""
    try:
        none = f"the cluster has no Prometheus ({PROMETHEUS_API}) to read {what} from; {how}"
        return _first_prometheus(kube, none, workspace_flag)
    except AkscliError as exc:  # no permission to list them, an API server that fails the list
        raise Unavailable(f"the Prometheus objects ({PROMETHEUS_API}) could not be listed: {exc.message}") from None


def _first_prometheus(kube: Kube, none: str, workspace_flag: bool) -> str:
    if not kube.has_api(PROMETHEUS_API, "Prometheus"):
        raise Unavailable(_no_prometheus(kube, none) if workspace_flag else none)
    found = sorted(
        (
            (p["metadata"].get("namespace", ""), p["metadata"]["name"])
            for p in kube.list(PROMETHEUS_API, "Prometheus", all_namespaces=True)
        ),
    )
    if not found:
        raise Unavailable(_no_prometheus(kube, none) if workspace_flag else none)
    return str(found[0][0])


def _no_prometheus(kube: Kube, none: str) -> str:
    """Why there is no in-cluster Prometheus to ask, and how to get figures: with Azure Monitor
    managed Prometheus (its PodMonitor group served, as doctor and model deploy detect it:
    model/kinds.py AZURE_MONITOR_API) the series are in an Azure Monitor workspace, read with
    --prometheus and the workspace's query endpoint. Else ``none``, the caller's line."""
    from akscli.model.kinds import AZURE_MONITOR_API
    from akscli.model.monitoring import QUERY_ENDPOINT_EXAMPLE

    if kube.has_api(AZURE_MONITOR_API, "PodMonitor"):
        return (
            f"the cluster sends its metrics to Azure Monitor managed Prometheus ({AZURE_MONITOR_API}) and runs no "
            f"Prometheus; pass --prometheus {QUERY_ENDPOINT_EXAMPLE}, the Azure Monitor workspace's query endpoint "
            "(az monitor account show -n WORKSPACE -g GROUP --query metrics.prometheusQueryEndpoint -o tsv)"
        )
    return none


def read_vector(body: bytes, where: str) -> list[Sample]:
    """An instant query's answer (web/api/v1/api.go): its samples, or Unavailable with Prometheus's error."""
    try:
        doc = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        raise Unavailable(f"{where} did not answer the Prometheus HTTP API (not JSON)") from None
    if not isinstance(doc, dict):
        raise Unavailable(f"{where} did not answer the Prometheus HTTP API")
    if doc.get("status") != "success":
        raise Unavailable(
            f"{where} answered {doc.get('errorType') or 'an error'}: {doc.get('error') or ''}".rstrip(": ")
        )
    data = doc.get("data") or {}
    if data.get("resultType") != "vector":
        raise Unavailable(f"{where} answered a {data.get('resultType')!r}, not a vector")
    samples: list[Sample] = []
    for item in data.get("result") or []:
        try:
            value = float(item["value"][1])
        except (KeyError, IndexError, TypeError, ValueError):
            continue
        if value == value:  # NaN: no figure
            samples.append(({str(k): str(v) for k, v in (item.get("metric") or {}).items()}, value))
    return samples


def in_cluster(kube: Kube, namespace: str) -> Querier:
    """The Querier of the Prometheus Operator's Prometheus in ``namespace``, through the service proxy."""
    from akscli.gpu import prometheus_source

    return prometheus_source.asker(kube, prometheus_source.InCluster(namespace, SERVICE, PORT, "http", ""))


def query(kube: Kube, namespace: str, expr: str) -> list[Sample]:
    """One instant query through the service proxy."""
    return ask_query(in_cluster(kube, namespace), f"Prometheus {namespace}/{SERVICE}", expr, proxied=True)


def ask_query(ask: Callable[[str], tuple[int, bytes]], where: str, expr: str, *, proxied: bool) -> list[Sample]:
    """One instant query of ``expr`` sent with ``ask`` (a prometheus_source.Querier: the service
    proxy, or straight to a URL); its samples, or Unavailable with why."""
    from akscli.gpu import prometheus_source

    try:
        status, body = ask(expr)
    except AkscliError as exc:  # a refused proxy, a failed sign-in, a connection that failed
        raise Unavailable(f"{where} could not be queried: {exc.message}") from None
    if status in (502, 503, 504):
        via = " through the API server's service proxy" if proxied else ""
        raise Unavailable(f"{where} is not serving (HTTP {status}{via})")
    reason = None if proxied else prometheus_source.refused(status, where)
    if reason:
        raise Unavailable(reason)
    return read_vector(body, where)


@dataclass(frozen=True)
class Figures:
    """Mean utilization and framebuffer use of a set of GPUs."""

    util: float | None
    memory: float | None
    gpus: int

    def as_fields(self) -> dict[str, Any]:
        return dict(zip(FIELDS, (_round(self.util), _round(self.memory), self.gpus), strict=True))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _node(labels: Mapping[str, str]) -> str:
    return next((labels[k] for k in HOST_LABELS if labels.get(k)), "")


def workload_namespace(labels: Mapping[str, str]) -> str:
    """The namespace of the pod the GPU was given to: ``exported_namespace`` when Prometheus renamed
    it, else ``namespace`` (honor_labels, or a series with no pod, where it is the exporter's own)."""
    return labels.get("exported_namespace") or labels.get("namespace", "")


def _key(labels: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))


def busy(util: Iterable[Sample], engine: Iterable[Sample] = ()) -> list[Sample]:
    """Each GPU's and MIG device's busy percent: DCGM_FI_DEV_GPU_UTIL for a whole GPU, ENGINE as a
    percent for a MIG device (a series with MIG_INSTANCE), whose GPU_UTIL reads 0 or nothing."""
    whole = [(labels, value) for labels, value in util if not labels.get(MIG_INSTANCE)]
    return whole + [(labels, 100.0 * value) for labels, value in engine if labels.get(MIG_INSTANCE)]


def fold(
    util: Iterable[Sample],
    used: Iterable[Sample],
    free: Iterable[Sample],
    node_pool: Mapping[str, int],
    engine: Iterable[Sample] = (),
) -> tuple[dict[int, Figures], dict[str, Figures]]:
    """Per pool (by the index ``node_pool`` gives each node) and per workload namespace: the mean
    utilization (busy) and framebuffer used (% of used + free) over their GPUs, a MIG device
    counted as one (UUID and GPU instance)."""
    used_by, free_by = {_key(k): v for k, v in used}, {_key(k): v for k, v in free}
    per_gpu: dict[tuple[str, str], list[tuple[float, float | None]]] = {}
    per_ns: dict[tuple[str, str, str], list[tuple[float, float | None]]] = {}
    for labels, value in busy(util, engine):
        node = _node(labels)
        if node not in node_pool:
            continue
        key = _key(labels)
        u, f = used_by.get(key), free_by.get(key)
        memory = 100.0 * u / (u + f) if u is not None and f is not None and u + f > 0 else None
        gpu = (labels.get("UUID") or labels.get("gpu", "")) + "/" + labels.get(MIG_INSTANCE, "")
        per_gpu.setdefault((node, gpu), []).append((value, memory))
        if labels.get("exported_pod") or labels.get("pod"):
            per_ns.setdefault((workload_namespace(labels), node, gpu), []).append((value, memory))
    pools: dict[int, list[tuple[float, float | None]]] = {}
    for (node, _), figs in per_gpu.items():
        pools.setdefault(node_pool[node], []).append(_mean_pair(figs))
    namespaces: dict[str, list[tuple[float, float | None]]] = {}
    for (ns, _, _), figs in per_ns.items():
        namespaces.setdefault(ns, []).append(_mean_pair(figs))
    return (
        {i: _figures(v) for i, v in pools.items()},
        {ns: _figures(v) for ns, v in namespaces.items()},
    )


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _mean_pair(figs: Sequence[tuple[float, float | None]]) -> tuple[float, float | None]:
    return sum(u for u, _ in figs) / len(figs), _mean([m for _, m in figs if m is not None])


def _figures(figs: Sequence[tuple[float, float | None]]) -> Figures:
    return Figures(_mean([u for u, _ in figs]), _mean([m for _, m in figs if m is not None]), len(figs))


def node_pools(usage: Usage) -> dict[str, int]:
    """Each GPU node's pool as its index in ``usage.pools``."""
    index = {id(p): i for i, p in enumerate(usage.pools)}
    return {node: index[id(pool)] for node, pool in usage.node_pools.items() if id(pool) in index}


def add(
    kube: Kube,
    usage: Usage,
    data: dict[str, Any],
    window: str,
    source: Source | None = None,
    *,
    auth: str | None = None,
    tenant: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> str | None:
    """Put the window's figures beside each pool and namespace row of ``data`` (usage.to_dict(),
    perhaps narrowed by -n); None, or the line that says why there are none and how to get them.
    ``source``: --prometheus (prometheus_source.classify); None: the first Prometheus Operator
    Prometheus. ``auth``/``tenant``: the sign-in for an Azure Monitor workspace. ``warn`` hears,
    before the query, that a workspace is asked without this cluster's label (workspace_cluster)."""
    from akscli.gpu import devices, prometheus_source
    from akscli.model.monitoring import cluster_matcher

    cluster: str | None = None
    mig = any(p.sharing in (devices.MIG_SINGLE, devices.MIG_MIXED) for p in getattr(usage, "pools", ()))
    empty = Figures(None, None, 0).as_fields()
    for row in (*data["pools"], *data["namespaces"]):
        row.update(empty)
    try:
        if source is None:
            namespace = find_prometheus(kube, workspace_flag=True)
            where, ask = f"Prometheus {namespace}/{SERVICE}", in_cluster(kube, namespace)
            answers = {m: ask_query(ask, where, q, proxied=True) for m, q in queries(window, mig=mig).items()}
        else:
            where, (cluster, unpinned) = source.where, workspace_cluster(kube, source)
            if unpinned is not None and warn is not None:
                warn(unpinned)
            ask = prometheus_source.asker(kube, source, auth=auth, tenant=tenant)
            proxied = isinstance(source, prometheus_source.InCluster)
            answers = {
                m: ask_query(ask, where, q, proxied=proxied) for m, q in queries(window, cluster, mig=mig).items()
            }
    except Unavailable as exc:
        return f"GPU utilization not shown: {exc}"
    engine = answers.get(ENGINE, [])
    if not answers[UTIL] and not busy((), engine):
        unread: frozenset[str] = getattr(usage, "managed_nodes", frozenset())  # no usage read: none
        how = unscraped_line(unread, where) if unread else HOW
        asked = f" with {cluster_matcher(cluster)}" if cluster is not None else ""
        return f"GPU utilization not shown: {where} has no {UTIL} series{asked} over the last {window}; {how}"
    pools, namespaces = fold(answers[UTIL], answers[FB_USED], answers[FB_FREE], node_pools(usage), engine)
    for i, figs in pools.items():
        data["pools"][i].update(figs.as_fields())
    for row in data["namespaces"]:
        if row["namespace"] in namespaces:
            row.update(namespaces[row["namespace"]].as_fields())
    if unscraped := set(usage.managed_nodes) - {_node(labels) for labels, _ in answers[UTIL]}:
        return f"GPU utilization leaves out {len(unscraped)} AKS managed GPU node(s): " + unscraped_line(
            unscraped, where
        )
    if unmeasured := mig_unmeasured(answers[UTIL], answers[FB_USED], engine, node_pools(usage)):
        return (
            f"GPU utilization leaves out {len(unmeasured)} MIG device(s) (e.g. {min(unmeasured)}): dcgm-exporter "
            f"publishes no {UTIL} for a MIG device, and {where} has no {ENGINE} for them over the last {window} "
            "(a profiling metric of etc/default-counters.csv: it needs a Volta or newer GPU and DCGM's "
            "profiling module)"
        )
    managed = podless_nodes(answers[UTIL], usage.managed_nodes)
    if managed and data["namespaces"]:
        return (
            f"GPU utilization per namespace leaves out {len(managed)} AKS managed GPU node(s) "
            f"(kubernetes.azure.com/dcgm-exporter=enabled, e.g. {min(managed)}): AKS runs their dcgm-exporter "
            "without --kubernetes, so its series name no pod; their pools' figures include them"
        )
    return None


def mig_unmeasured(
    util: Iterable[Sample], used: Iterable[Sample], engine: Iterable[Sample], node_pool: Mapping[str, int]
) -> set[str]:
    """The MIG devices (``node GPU-UUID/GPU_I_ID``) of this cluster's nodes that have series (the
    framebuffer's, or a GPU_UTIL of 0) and no ENGINE series to measure them by."""

    def devices(samples: Iterable[Sample]) -> set[str]:
        return {
            f"{_node(labels)} {labels.get('UUID') or labels.get('gpu', '')}/{labels[MIG_INSTANCE]}"
            for labels, _ in samples
            if labels.get(MIG_INSTANCE) and _node(labels) in node_pool
        }

    return devices([*util, *used]) - devices(engine)


def unscraped_line(nodes: Iterable[str], where: str) -> str:
    """Why the managed GPU nodes ``nodes`` have no series in ``where``, and how to get them. AKS runs
    their dcgm-exporter as the node's nvidia-dcgm-exporter systemd service on port 19400, not in a pod
    (upstream: Azure/AgentBaker 06836ee2 parts/linux/cloud-init/artifacts/cse_config.sh
    startNvidiaManagedExpServices, ExecStart ... --address ":19400"), so no PodMonitor selects it; a
    Prometheus Operator ScrapeConfig discovering the nodes does (prometheus-operator/prometheus-operator
    6adcebc5 Documentation/developer/scrapeconfig.md: monitoring.coreos.com/v1alpha1, kubernetesSDConfigs
    role Node). Its series name no pod either (podless_nodes), so per namespace there is nothing to read."""
    return (
        f"{where} has no series from their dcgm-exporter (kubernetes.azure.com/dcgm-exporter=enabled, "
        f"e.g. {min(nodes)}): AKS runs it as the node's nvidia-dcgm-exporter service on port 19400, with no pod "
        "for a PodMonitor to select; scrape NODE-IP:19400 with a ScrapeConfig (monitoring.coreos.com/v1alpha1, "
        "kubernetesSDConfigs role Node); its series name no pod, so per-namespace utilization is not available "
        "for those nodes"
    )


def podless_nodes(util: Iterable[Sample], managed: Iterable[str]) -> set[str]:
    """The managed GPU nodes whose series all name no pod: AKS starts its dcgm-exporter there as a
    systemd service without -k/--kubernetes (upstream: Azure/AgentBaker 06836ee2
    parts/linux/cloud-init/artifacts/cse_config.sh, ExecStart=/usr/bin/dcgm-exporter -f
    /etc/dcgm-exporter/default-counters.csv --address ":19400"), and only --kubernetes adds the pod,
    namespace and container labels (NVIDIA/dcgm-exporter internal/pkg/transformation/const.go)."""
    wanted, seen, with_pod = set(managed), set(), set()
    for labels, _ in util:
        node = _node(labels)
        if node in wanted:
            seen.add(node)
            if labels.get("exported_pod") or labels.get("pod"):  # as fold reads a pod
                with_pod.add(node)
    return seen - with_pod


def summary(data: Mapping[str, Any], window: str) -> str | None:
    """One line for the table: the mean over every GPU measured, and the namespaces holding GPUs
    that averaged under LOW_PERCENT; None when nothing was measured."""
    pools = [p for p in data["pools"] if p.get("gpus_measured") and p.get("gpu_util_percent") is not None]
    measured = sum(p["gpus_measured"] for p in pools)
    if not measured:
        return None
    mean = sum(p["gpu_util_percent"] * p["gpus_measured"] for p in pools) / measured
    line = f"GPU utilization over {window}: {round(mean, 1):g}% mean over {measured} GPUs"
    low = [
        f"{n['namespace']} ({n['gpu_util_percent']:g}% on {n['gpus_measured']} GPU(s))"
        for n in data["namespaces"]
        if n.get("gpu_util_percent") is not None and n["gpu_util_percent"] < LOW_PERCENT
    ]
    if low:
        line += f"; requested and under {LOW_PERCENT:g}% busy: " + ", ".join(low)
    return line
