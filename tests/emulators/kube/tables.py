"""Server-side printing: the meta.k8s.io/v1 Table that `kubectl get` asks for."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from typing import Any

from tests.emulators.kube.resources import ResourceType

Getter = Callable[[dict[str, Any]], Any]


def age(ts: str | None) -> str:
    if not ts:
        return "<unknown>"
    try:
        t = datetime.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return "<invalid>"
    s = int((datetime.datetime.now(datetime.UTC) - t).total_seconds())
    if s < 0:
        s = 0
    if s < 120:
        return f"{s}s"
    m = s // 60
    if m < 10:
        return f"{m}m{s % 60}s" if s % 60 else f"{m}m"
    if m < 180:
        return f"{m}m"
    h = m // 60
    if h < 48:
        return f"{h}h"
    return f"{h // 24}d"


_FILTER = re.compile(r"^\[\?\(@\.([\w.]+)\s*==\s*[\"']([^\"']*)[\"']\)\]")


def jsonpath(obj: Any, path: str) -> Any:
    """The subset of JSONPath that CRD printer columns use: .a.b, [n], [?(@.k=="v")]."""
    p = path.strip()
    if p.startswith("{") and p.endswith("}"):
        p = p[1:-1]
    cur: Any = obj
    while p:
        if p.startswith("."):
            m = re.match(r"^\.([^.\[]+)", p)
            if not m:
                return None
            cur = cur.get(m.group(1)) if isinstance(cur, dict) else None
            p = p[m.end() :]
            continue
        m = _FILTER.match(p)
        if m:
            key, val = m.group(1), m.group(2)
            if not isinstance(cur, list):
                return None
            cur = next((x for x in cur if isinstance(x, dict) and str(jsonpath(x, "." + key)) == val), None)
            p = p[m.end() :]
            continue
        m = re.match(r"^\[(\d+|\*)\]", p)
        if m:
            if not isinstance(cur, list):
                return None
            if m.group(1) == "*":
                rest = p[m.end() :]
                vals = [jsonpath(x, rest) if rest else x for x in cur]
                return ",".join(str(v) for v in vals if v is not None) or None
            i = int(m.group(1))
            cur = cur[i] if i < len(cur) else None
            p = p[m.end() :]
            continue
        return None
        # unreachable
    return cur


def _col(name: str, typ: str = "string", fmt: str = "", priority: int = 0) -> dict[str, Any]:
    return {"name": name, "type": typ, "format": fmt, "description": name, "priority": priority}


def _pod_ready(o: dict[str, Any]) -> str:
    cs = (o.get("status") or {}).get("containerStatuses") or []
    total = len((o.get("spec") or {}).get("containers") or [])
    return f"{sum(1 for c in cs if c.get('ready'))}/{total}"


def _pod_status(o: dict[str, Any]) -> str:
    if (o.get("metadata") or {}).get("deletionTimestamp"):
        return "Terminating"
    st = o.get("status") or {}
    for c in st.get("containerStatuses") or []:
        w = (c.get("state") or {}).get("waiting")
        if w and w.get("reason"):
            return str(w["reason"])
    # printPod: the pod's own reason (the kubelet's OutOfmemory, Evicted) replaces its phase
    # (upstream: kubernetes/kubernetes pkg/printers/internalversion/printers.go printPod)
    return str(st.get("reason") or st.get("phase") or "Pending")


def _node_status(o: dict[str, Any]) -> str:
    conds = (o.get("status") or {}).get("conditions") or []
    ready = next((c for c in conds if c.get("type") == "Ready"), None)
    s = "Ready" if ready and ready.get("status") == "True" else ("NotReady" if ready else "Unknown")
    if (o.get("spec") or {}).get("unschedulable"):
        s += ",SchedulingDisabled"
    return s


def _node_roles(o: dict[str, Any]) -> str:
    labels = (o.get("metadata") or {}).get("labels") or {}
    roles = sorted(k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/"))
    return ",".join(roles) or "<none>"


def _restarts(o: dict[str, Any]) -> int:
    return sum(int(c.get("restartCount", 0)) for c in (o.get("status") or {}).get("containerStatuses") or [])


def _ready_of(o: dict[str, Any]) -> str:
    st = o.get("status") or {}
    return f"{st.get('readyReplicas', 0)}/{(o.get('spec') or {}).get('replicas', 0)}"


def _apiservice_service(o: dict[str, Any]) -> str:
    ref = (o.get("spec") or {}).get("service")
    return f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else "Local"


def _apiservice_available(o: dict[str, Any]) -> str:
    """kube-aggregator's ConvertToTable: True, else "STATUS (REASON)", Unknown without a condition
    (upstream: kubernetes/kubernetes staging/src/k8s.io/kube-aggregator/pkg/registry/apiservice/etcd/etcd.go)."""
    conds = (o.get("status") or {}).get("conditions") or []
    c = next((c for c in conds if c.get("type") == "Available"), None)
    if c is None:
        return "Unknown"
    status = str(c.get("status", ""))
    return f"{status} ({c['reason']})" if status != "True" and c.get("reason") else status


BUILTIN_COLUMNS: dict[str, list[tuple[dict[str, Any], Getter]]] = {
    "APIService": [(_col("Service"), _apiservice_service), (_col("Available"), _apiservice_available)],
    "Pod": [
        (_col("Ready"), _pod_ready),
        (_col("Status"), _pod_status),
        (_col("Restarts", "string"), _restarts),
    ],
    "Node": [
        (_col("Status"), _node_status),
        (_col("Roles"), _node_roles),
    ],
    "Deployment": [
        (_col("Ready"), _ready_of),
        (_col("Up-to-date", "integer"), lambda o: (o.get("status") or {}).get("updatedReplicas", 0)),
        (_col("Available", "integer"), lambda o: (o.get("status") or {}).get("availableReplicas", 0)),
    ],
    "StatefulSet": [(_col("Ready"), _ready_of)],
    "Namespace": [(_col("Status"), lambda o: (o.get("status") or {}).get("phase", ""))],
    "Job": [
        (
            _col("Status"),
            lambda o: next(
                (
                    c["type"]
                    for c in (o.get("status") or {}).get("conditions") or []
                    if c.get("status") == "True" and c.get("type") in ("Complete", "Failed")
                ),
                "Running",
            ),
        ),
        (
            _col("Completions"),
            lambda o: f"{(o.get('status') or {}).get('succeeded', 0)}/{(o.get('spec') or {}).get('completions', 1)}",
        ),
    ],
    "ConfigMap": [(_col("Data", "integer"), lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {}))],
    "HorizontalPodAutoscaler": [
        (_col("Reference"), lambda o: _hpa_reference(o)),
        (_col("Targets"), lambda o: _hpa_targets(o)),
        (_col("MinPods"), lambda o: _hpa_min(o)),
        (_col("MaxPods", "integer"), lambda o: int((o.get("spec") or {}).get("maxReplicas", 0))),
        (_col("Replicas", "integer"), lambda o: int((o.get("status") or {}).get("currentReplicas", 0))),
    ],
    "Service": [
        (_col("Type"), lambda o: (o.get("spec") or {}).get("type", "ClusterIP")),
        (_col("Cluster-IP"), lambda o: (o.get("spec") or {}).get("clusterIP") or "<none>"),
        (_col("External-IP"), lambda o: _service_external_ip(o)),
        (_col("Port(s)"), lambda o: _service_ports(o)),
    ],
}


# upstream: kubernetes/kubernetes pkg/printers/internalversion/printers.go serviceColumnDefinitions
# (Name, Type, Cluster-IP, External-IP, Port(s), Age, then Selector at priority 1), printService,
# getServiceExternalIP, loadBalancerStatusStringer, makePortString (read at 51652d1c; the API
# server prints with Wide, so the load balancer's addresses are not clipped and Selector is sent).
def _service_external_ip(o: dict[str, Any]) -> str:
    spec = o.get("spec") or {}
    external = [str(ip) for ip in spec.get("externalIPs") or []]
    kind = spec.get("type", "ClusterIP")
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) or "<none>"
    if kind == "LoadBalancer":
        ingress = ((o.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        lb = sorted({str(i.get("ip") or i.get("hostname")) for i in ingress if i.get("ip") or i.get("hostname")})
        return ",".join([*lb, *external]) or "<pending>"
    if kind == "ExternalName":
        return str(spec.get("externalName", ""))
    return "<unknown>"


def _service_ports(o: dict[str, Any]) -> str:
    pieces = []
    for p in (o.get("spec") or {}).get("ports") or []:
        node = f":{p['nodePort']}" if p.get("nodePort") else ""
        pieces.append(f"{p.get('port')}{node}/{p.get('protocol', 'TCP')}")
    return ",".join(pieces) or "<none>"


# upstream: kubernetes/kubernetes pkg/printers/internalversion/printers.go
# horizontalPodAutoscalerColumnDefinitions (Reference, Targets, MinPods, MaxPods, Replicas, Age),
# printHorizontalPodAutoscaler and formatHPAMetrics at 1.32 (the "NAME: current/target" form of
# Resource metrics, "(avg)" for AverageValue targets, two metrics then "+ N more..."), read in a
# published copy of that file ported to the autoscaling/v2 types.
def _hpa_metric(spec: dict[str, Any], status: dict[str, Any]) -> str:
    kind = spec.get("type")
    key = {"External": "external", "Pods": "pods", "Object": "object"}.get(str(kind))
    if key:
        target = (spec.get(key) or {}).get("target") or {}
        current = ((status.get(key) or {}) if status.get("type") == kind else {}).get("current") or {}
        if key == "pods" or target.get("averageValue") is not None:
            avg = " (avg)" if key != "pods" else ""
            return f"{current.get('averageValue') or '<unknown>'}/{target.get('averageValue')}{avg}"
        return f"{current.get('value') or '<unknown>'}/{target.get('value')}"
    key = {"Resource": "resource", "ContainerResource": "containerResource"}.get(str(kind))
    if not key:
        return "<unknown type>"
    source = spec.get(key) or {}
    target = source.get("target") or {}
    current = ((status.get(key) or {}) if status.get("type") == kind else {}).get("current") or {}
    if target.get("averageValue") is not None:
        return f"{source.get('name')}: {current.get('averageValue') or '<unknown>'}/{target['averageValue']}"
    now = f"{current['averageUtilization']}%" if current.get("averageUtilization") is not None else "<unknown>"
    want = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
    return f"{source.get('name')}: {now}/{want}"


def _hpa_targets(o: dict[str, Any]) -> str:
    specs = (o.get("spec") or {}).get("metrics") or []
    if not specs:
        return "<none>"
    statuses = (o.get("status") or {}).get("currentMetrics") or []
    shown = [_hpa_metric(s, statuses[i] if i < len(statuses) else {}) for i, s in enumerate(specs)]
    text = ", ".join(shown[:2])
    return f"{text} + {len(shown) - 2} more..." if len(shown) > 2 else text


def _hpa_reference(o: dict[str, Any]) -> str:
    ref = (o.get("spec") or {}).get("scaleTargetRef") or {}
    return f"{ref.get('kind', '')}/{ref.get('name', '')}"


def _hpa_min(o: dict[str, Any]) -> str:
    low = (o.get("spec") or {}).get("minReplicas")
    return "<unset>" if low is None else str(low)


def _selector(o: dict[str, Any]) -> str:
    """labels.FormatLabels: k=v sorted by key, joined by commas; <none> when empty."""
    selector = (o.get("spec") or {}).get("selector") or {}
    return ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or "<none>"


def _node_address(kind: str) -> Getter:
    """getNodeInternalIP / getNodeExternalIP: the first address of that type, else <none>."""

    def get(o: dict[str, Any]) -> str:
        found = (a.get("address") for a in (o.get("status") or {}).get("addresses") or [] if a.get("type") == kind)
        return next(found, None) or "<none>"

    return get


def _node_info(key: str) -> Getter:
    """printNode with Wide: an empty osImage, kernelVersion or containerRuntimeVersion is <unknown>."""
    return lambda o: ((o.get("status") or {}).get("nodeInfo") or {}).get(key) or "<unknown>"


# upstream: kubernetes/kubernetes pkg/printers/internalversion/printers.go nodeColumnDefinitions
# (Version, then Internal-IP, External-IP, OS-Image, Kernel-Version, Container-Runtime at priority
# 1, the columns `kubectl get nodes -o wide` adds) and printNode.
AFTER_AGE: dict[str, list[tuple[dict[str, Any], Getter]]] = {
    "Node": [
        (_col("Version"), lambda o: ((o.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion", "")),
        (_col("Internal-IP", priority=1), _node_address("InternalIP")),
        (_col("External-IP", priority=1), _node_address("ExternalIP")),
        (_col("OS-Image", priority=1), _node_info("osImage")),
        (_col("Kernel-Version", priority=1), _node_info("kernelVersion")),
        (_col("Container-Runtime", priority=1), _node_info("containerRuntimeVersion")),
    ],
    "Service": [(_col("Selector", priority=1), _selector)],
    # printPod's wide cells: IP, Node, Nominated Node, Readiness Gates (kubernetes/kubernetes
    # pkg/printers/internalversion/printers.go podColumnDefinitions and printPod). Upstream reads the IP
    # from status.podIPs[0]; a status with podIP alone (the emulator's older writers) still shows it.
    "Pod": [
        (_col("IP", priority=1), lambda o: _pod_ip(o.get("status") or {})),
        (_col("Node", priority=1), lambda o: (o.get("spec") or {}).get("nodeName") or "<none>"),
        (_col("Nominated Node", priority=1), lambda o: (o.get("status") or {}).get("nominatedNodeName") or "<none>"),
        (_col("Readiness Gates", priority=1), lambda o: _readiness_gates(o)),
    ],
}


def _pod_ip(status: dict[str, Any]) -> str:
    ips = status.get("podIPs") or []
    return str((ips[0] or {}).get("ip") or "<none>") if ips else str(status.get("podIP") or "<none>")


def _readiness_gates(pod: dict[str, Any]) -> str:
    """printPod: "<none>", or how many of the spec's readinessGates have their condition True, of all."""
    gates = (pod.get("spec") or {}).get("readinessGates") or []
    if not gates:
        return "<none>"
    conditions = {c.get("type"): c.get("status") for c in (pod.get("status") or {}).get("conditions") or []}
    true = sum(1 for g in gates if conditions.get(g.get("conditionType")) == "True")
    return f"{true}/{len(gates)}"


def _event_object(o: dict[str, Any]) -> str:
    inv = o.get("involvedObject") or {}
    kind = str(inv.get("kind", "")).lower()
    return f"{kind}/{inv['name']}" if inv.get("name") else kind


def _event_first(o: dict[str, Any]) -> str:
    return age(o.get("firstTimestamp") or o.get("eventTime"))


def _event_last(o: dict[str, Any]) -> str:
    series = o.get("series") or {}
    if series:
        return age(series.get("lastObservedTime"))
    return age(o["lastTimestamp"]) if o.get("lastTimestamp") else _event_first(o)


def _event_count(o: dict[str, Any]) -> int:
    series = o.get("series") or {}
    return int(series.get("count") or 0) if series else int(o.get("count") or 0) or 1


def _event_source(o: dict[str, Any]) -> str:
    src = o.get("source") or {}
    component = src.get("component") or o.get("reportingComponent") or ""
    instance = src.get("host") or o.get("reportingInstance") or ""
    return f"{component}, {instance}" if instance else str(component)


# upstream: kubernetes/kubernetes pkg/printers/internalversion/printers.go eventColumnDefinitions,
# printEvent (the server prints wide: Subobject, Source, First Seen, Count and Name at priority 1;
# Last Seen falls back to First Seen, which falls back to eventTime; a series' count and last
# observation win; a count of 0 prints 1) and formatEventSource ("component, host", the reporting
# controller and instance where the source is empty).
EVENT_COLUMNS: list[tuple[dict[str, Any], Getter]] = [
    (_col("Last Seen"), _event_last),
    (_col("Type"), lambda o: o.get("type", "")),
    (_col("Reason"), lambda o: o.get("reason", "")),
    (_col("Object"), _event_object),
    (_col("Subobject", priority=1), lambda o: (o.get("involvedObject") or {}).get("fieldPath", "")),
    (_col("Source", priority=1), _event_source),
    (_col("Message"), lambda o: str(o.get("message", "")).strip()),
    (_col("First Seen", priority=1), _event_first),
    (_col("Count", priority=1), _event_count),
]


def table(
    rt: ResourceType, version: str, objs: list[dict[str, Any]], meta: dict[str, Any], include_object: str
) -> dict[str, Any]:
    cols: list[tuple[dict[str, Any], Getter]] = [
        (_col("Name", fmt="name"), lambda o: (o.get("metadata") or {}).get("name", ""))
    ]
    if rt.kind == "Event" and not rt.crd:
        cols = [*EVENT_COLUMNS, (_col("Name", fmt="name", priority=1), cols[0][1])]
    crd_cols = rt.printer_columns.get(version) if rt.crd else None
    age_col = (_col("Age", "date"), lambda o: age((o.get("metadata") or {}).get("creationTimestamp")))
    if crd_cols:
        for c in crd_cols:
            path = c.get("jsonPath", "")
            getter = _date_getter(path) if c.get("type") == "date" else _value_getter(path)
            cols.append(
                (
                    _col(c.get("name", ""), c.get("type", "string"), c.get("format", ""), int(c.get("priority", 0))),
                    getter,
                )
            )
        if not any(c.get("jsonPath") == ".metadata.creationTimestamp" for c in crd_cols):
            cols.append(age_col)
    elif rt.kind != "Event":
        cols += BUILTIN_COLUMNS.get(rt.kind, [])
        cols.append(age_col)
        cols += AFTER_AGE.get(rt.kind, [])
    rows = []
    for o in objs:
        if include_object == "Object":
            embedded: Any = o
        elif include_object == "None":
            embedded = None
        else:
            embedded = {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": o.get("metadata", {}),
            }
        row: dict[str, Any] = {"cells": [g(o) for _, g in cols]}
        if embedded is not None:
            row["object"] = embedded
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": meta,
        "columnDefinitions": [c for c, _ in cols],
        "rows": rows,
    }


def _date_getter(path: str) -> Getter:
    return lambda o: age(jsonpath(o, path))


def _value_getter(path: str) -> Getter:
    return lambda o: _cell(jsonpath(o, path))


def _cell(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"))
    return v


def scale_table(scale: dict[str, Any], include_object: str) -> dict[str, Any]:
    """A built-in kind's Scale as a Table (``kubectl get deployment/NAME --subresource=scale``):
    Name, Desired (spec.replicas), Available (status.replicas), Age (upstream: kubernetes/kubernetes
    pkg/printers/internalversion/printers.go scaleColumnDefinitions, printScale, as read from stored
    copies of that file; the kubernetes/kubernetes copy in the code index predates them)."""
    md = scale.get("metadata") or {}
    row: dict[str, Any] = {
        "cells": [
            md.get("name", ""),
            (scale.get("spec") or {}).get("replicas", 0),
            (scale.get("status") or {}).get("replicas", 0),
            age(md.get("creationTimestamp")),
        ]
    }
    if include_object == "Object":
        row["object"] = scale
    elif include_object != "None":
        row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": md}
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": md.get("resourceVersion", "")},
        "columnDefinitions": [_col("Name"), _col("Desired", "integer"), _col("Available", "integer"), _col("Age")],
        "rows": [row],
    }
