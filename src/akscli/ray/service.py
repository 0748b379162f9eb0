"""A RayService: its Serve config, its template values and reading its status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from akscli.errors import UsageError
from akscli.ray.pod_state import condition

if TYPE_CHECKING:
    from akscli.ray.status import Finding


IMPORT_PATH_FORM = "module:attribute (e.g. text_ml:app, as `from text_ml import app`)"
IMPORT_PATH_HINT = f"write import_path: {IMPORT_PATH_FORM}; module.attribute also works"


def import_path_problem(path: str) -> str | None:
    """What Ray Serve refuses in an application's import_path, None when it takes it: at most one
    colon, not first or last; without one, a dot between module and attribute, not first or last
    (ray-project/ray python/ray/serve/schema.py ServeApplicationSchema.import_path_format_valid;
    the same rule in DeploymentSchema's). Serve's controller would fail the application in the cluster."""
    if ":" in path:
        if path.count(":") > 1:
            return "has more than one colon"
        if path.startswith(":") or path.endswith(":"):
            return "starts or ends with its colon"
        return None
    if "." not in path:
        return "has no colon or dot between the module and the attribute"
    if path.startswith(".") or path.endswith("."):
        return "starts or ends with a dot"
    return None


def serve_config(text: str, source: str) -> str:
    """Check a Serve config (serveConfigV2) and return it as YAML text."""
    from akscli import yamlio

    doc = yamlio.load(text, source)
    if not isinstance(doc, Mapping) or not isinstance(doc.get("applications"), list) or not doc["applications"]:
        empty = isinstance(doc, Mapping) and doc.get("applications") == []
        why = "its applications list is empty, so it would serve nothing" if empty else "it has no applications list"
        raise UsageError(
            f"{source} is not a Ray Serve config: {why}",
            hint="write applications: [{name: app, import_path: module:app}] as `serve build` produces",
        )
    names: set[str] = set()
    for index, app in enumerate(doc["applications"]):
        if not isinstance(app, Mapping) or not isinstance(app.get("import_path"), str):
            raise UsageError(
                f"{source}: application {index + 1} has no import_path",
                hint="each application needs import_path: module:variable",
            )
        problem = import_path_problem(app["import_path"])
        if problem is not None:
            raise UsageError(
                f"{source}: application {index + 1} import_path {app['import_path']!r} {problem}:"
                " write module:attribute",
                hint=IMPORT_PATH_HINT,
            )
        app_name = str(app.get("name", "default"))
        if app_name in names:
            raise UsageError(
                f"{source}: application name {app_name!r} is used twice",
                hint="give each application a distinct name",
            )
        names.add(app_name)
    return yamlio.dump(doc)


def render_service(
    name: str, namespace: str, serve: str, cluster_spec_obj: Mapping[str, Any], labels: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The RayService running the Serve config ``serve`` on a cluster with ``cluster_spec_obj``."""
    from akscli.render import render

    values = {
        "name": name,
        "namespace": namespace,
        "labels": dict(labels),
        "serve_config": serve,
        "cluster_spec": dict(cluster_spec_obj),
    }
    return render("ray/rayservice.yaml.j2", values)


def service_status(service: Mapping[str, Any], which: str) -> Mapping[str, Any]:
    value: Mapping[str, Any] = (service.get("status") or {}).get(which) or {}
    return value


def service_cluster(service: Mapping[str, Any]) -> str | None:
    """The Ray cluster of a RayService: the active one, else the pending one.

    KubeRay keeps a new cluster in ``pendingServiceStatus`` until its Serve applications run, and
    only then promotes it to ``activeServiceStatus`` (ray-project/kuberay
    ray-operator/controllers/ray/rayservice_controller.go, reconcilePromotionAndServingStatus):
    before the first promotion the pending cluster is the only one.
    """
    for which in ("activeServiceStatus", "pendingServiceStatus"):
        cluster = service_status(service, which).get("rayClusterName")
        if cluster:
            return str(cluster)
    return None


def service_clusters(service: Mapping[str, Any]) -> list[str]:
    """The active and the pending cluster of a RayService (during an upgrade both exist)."""
    names = [service_status(service, w).get("rayClusterName") for w in ("activeServiceStatus", "pendingServiceStatus")]
    return [str(n) for n in names if n]


# ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/constant.go
# RayOriginatedFromCRDLabelKey, RayOriginatedFromCRNameLabelKey: what constructRayClusterForRayService
# labels each cluster of a RayService with (common/association.go RayServiceRayClustersAssociationOptions
# lists them so); rayservice_controller.go RayClusterDeletionDelayDuration.
ORIGIN_KIND_LABEL = "ray.io/originated-from-crd"
ORIGIN_NAME_LABEL = "ray.io/originated-from-cr-name"
DELETION_DELAY_SECONDS = 60


def own_clusters_selector(name: str) -> str:
    """The label selector of a RayService's clusters, as KubeRay lists them."""
    return f"{ORIGIN_KIND_LABEL}=RayService,{ORIGIN_NAME_LABEL}={name}"


def replaced_clusters(service: Mapping[str, Any], clusters: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The clusters of ``service`` that its status names neither active nor pending: KubeRay left
    them dangling when it promoted or replaced a cluster, and cleanUpRayClusterInstance deletes
    each ``spec.rayClusterDeletionDelaySeconds`` (60 s by default) after it first sees it so
    (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayservice_controller.go). The
    time it was first seen lives in the operator's memory only, so when is not known here."""
    kept = set(service_clusters(service))
    delay = (service.get("spec") or {}).get("rayClusterDeletionDelaySeconds")
    seconds = DELETION_DELAY_SECONDS if delay is None else int(delay)
    replaced = []
    for cluster in clusters:
        name = cluster["metadata"]["name"]
        if name in kept:
            continue
        replaced.append(
            {
                "name": name,
                "state": (cluster.get("status") or {}).get("state") or "pending",
                "deleting": bool(cluster["metadata"].get("deletionTimestamp")),
                "deletionDelaySeconds": seconds,
            }
        )
    return replaced


def _replaced_line(cluster: Mapping[str, Any]) -> str:
    if cluster["deleting"]:
        return f"{cluster['name']} ({cluster['state']}): replaced, being deleted"
    return (
        f"{cluster['name']} ({cluster['state']}): replaced; KubeRay deletes it "
        f"{cluster['deletionDelaySeconds']}s after the replacement (rayClusterDeletionDelaySeconds)"
    )


def service_owner(cluster: Mapping[str, Any]) -> str | None:
    """The RayService that made ``cluster`` (by KubeRay's labels), or None."""
    labels = (cluster.get("metadata") or {}).get("labels") or {}
    owner = labels.get(ORIGIN_NAME_LABEL)
    return str(owner) if labels.get(ORIGIN_KIND_LABEL) == "RayService" and owner else None


def cluster_owner(cluster: Mapping[str, Any]) -> str:
    """The RayJob or RayService that made ``cluster``, ``kind/name`` as KubeRay's labels name it
    (``rayservice/llm``, ``rayjob/train``); ``-`` for a cluster of its own."""
    labels = (cluster.get("metadata") or {}).get("labels") or {}
    kind, owner = labels.get(ORIGIN_KIND_LABEL), labels.get(ORIGIN_NAME_LABEL)
    return f"{str(kind).lower()}/{owner}" if kind and owner else "-"


def cluster_role(cluster: Mapping[str, Any], service: Mapping[str, Any] | None) -> str:
    """What a RayCluster is to the RayService that made it, as the service's status tells: one
    word, as a table cell is (``awk``, ``sort -k``): ``active``, ``pending``, ``replaced``
    (KubeRay deletes it after the deletion delay), ``gone`` (the service is deleted: the garbage
    collector removes the cluster); ``-`` for a RayJob's cluster or one of its own.
    ``service``: the RayService the cluster's labels name, None when there is none (any more)."""
    if service_owner(cluster) is None:
        return "-"
    if service is None:
        return "gone"
    name = cluster["metadata"]["name"]
    for which, role in (("activeServiceStatus", "active"), ("pendingServiceStatus", "pending")):
        if service_status(service, which).get("rayClusterName") == name:
            return role
    return "replaced"


def service_ready(service: Mapping[str, Any]) -> str:
    return str((condition(service, "Ready") or {}).get("status", "Unknown"))


def _applications(status: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each Serve application's status and message, and its deployments' (``serveDeploymentStatuses``,
    ray-project/kuberay v1.7.0 ray-operator/apis/ray/v1/rayservice_types.go AppStatus)."""
    return {
        app: {
            "status": value.get("status"),
            "message": value.get("message"),
            "deployments": {
                name: {"status": deployment.get("status"), "message": deployment.get("message")}
                for name, deployment in (value.get("serveDeploymentStatuses") or {}).items()
            },
        }
        for app, value in (status.get("applicationStatuses") or {}).items()
    }


def service_summary(
    service: Mapping[str, Any], findings: Sequence[Finding], clusters: Iterable[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """What ``ray service status`` shows: the Ready condition, endpoints, the active and pending
    clusters with their applications, the replaced clusters KubeRay has yet to delete (of
    ``clusters``, the service's own), problems."""
    name, ns = service["metadata"]["name"], service["metadata"]["namespace"]
    status = service.get("status") or {}
    active = service_status(service, "activeServiceStatus")
    pending = service_status(service, "pendingServiceStatus")
    ready = condition(service, "Ready") or {}
    rollback = condition(service, "RollbackInProgress") or {}
    return {
        "name": name,
        "namespace": ns,
        "ready": service_ready(service),
        "reason": ready.get("reason"),
        "message": ready.get("message") if ready.get("status") != "True" else None,
        "serveEndpoints": int(status.get("numServeEndpoints") or 0),
        "cluster": active.get("rayClusterName"),
        "pendingCluster": pending.get("rayClusterName"),
        "traffic": _traffic(active, pending),
        "rollback": (rollback.get("message") or rollback.get("reason")) if rollback.get("status") == "True" else None,
        "serveService": serve_address(service),
        "applications": _applications(active),
        "pendingApplications": _applications(pending),
        "replacedClusters": replaced_clusters(service, clusters),
        # -o wide's rows (WIDE_ROWS): the strategy as set (None: KubeRay's default, a new cluster,
        # unless the operator runs with ENABLE_ZERO_DOWNTIME=false; rayservice_controller.go
        # isZeroDowntimeUpgradeEnabled), every condition, the creation time.
        "upgradeStrategy": ((service.get("spec") or {}).get("upgradeStrategy") or {}).get("type"),
        "conditions": [
            {key: c.get(key) for key in ("type", "status", "reason", "message")} for c in status.get("conditions") or []
        ],
        "created": service["metadata"].get("creationTimestamp"),
        "problems": [vars(f) for f in findings],
    }


def _traffic(active: Mapping[str, Any], pending: Mapping[str, Any]) -> str | None:
    """An incremental upgrade's split: each cluster's ``trafficRoutedPercent`` (its HTTPRoute weight)
    and ``targetCapacity`` (Serve's target_capacity), as KubeRay writes them (ray-project/kuberay
    v1.7.0 ray-operator/apis/ray/v1/rayservice_types.go RayServiceStatus); None when neither is set."""
    parts = []
    for which, status in (("active", active), ("pending", pending)):
        traffic, capacity = status.get("trafficRoutedPercent"), status.get("targetCapacity")
        if traffic is not None or capacity is not None:
            shown = f"{which} {'-' if traffic is None else traffic}% of traffic"
            parts.append(shown + (f" (capacity {capacity}%)" if capacity is not None else ""))
    return ", ".join(parts) or None


# ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/constant.go DefaultServingPort.
DEFAULT_SERVE_PORT = 8000
INCREMENTAL_UPGRADE = "NewClusterWithIncrementalUpgrade"


def _serving_ports(cluster_spec: Mapping[str, Any]) -> dict[str, int]:
    """The head container's ports named ``serve`` or ``serve-*``, by name: common/service.go
    getServicePorts (the container's ports, an unnamed one ``<port>-port``; KubeRay's defaults, serve
    8000 among them, when the container lists none) filtered by isServingPort."""
    head = _mapping(_mapping(_mapping(cluster_spec.get("headGroupSpec")).get("template")).get("spec"))
    containers = head.get("containers") or [{}]
    listed = _mapping(containers[0]) if isinstance(containers, list) else {}
    ports: dict[str, int] = {}
    for port in listed.get("ports") or []:
        number = _mapping(port).get("containerPort")
        if isinstance(number, int):
            ports[str(_mapping(port).get("name") or f"{number}-port")] = number
    if not ports:
        ports = {"serve": DEFAULT_SERVE_PORT}
    return {name: n for name, n in ports.items() if name == "serve" or name.startswith("serve-")}


def serve_port_problem(service: Mapping[str, Any], incremental: bool | None = None) -> str | None:
    """KubeRay's error when it cannot build a RayService's serve Service, or None: a head container
    that lists ports, none named ``serve`` or ``serve-*``, and no ``spec.serveService`` to use
    instead, which an incremental upgrade does not use (common/service.go BuildServeService;
    ``incremental``: the operator's RayServiceIncrementalUpgrade gate, None when not known, as
    utils/util.go IsIncrementalUpgradeEnabled reads it). rayservice_controller.go
    reconcileServicesToReadyCluster returns the error before calculateStatus, on every pass: the
    RayService never gets a serve Service nor a status, and no event says why."""
    spec = _mapping(service.get("spec"))
    if _serving_ports(_mapping(spec.get("rayClusterConfig"))):
        return None
    if spec.get("serveService") is not None and not (spec_strategy(spec) == INCREMENTAL_UPGRADE and incremental):
        return None
    return SERVE_PORT_MISSING


# common/service.go BuildServeService's error, word for word.
SERVE_PORT_MISSING = (
    "Please specify a port named 'serve' (or with the prefix 'serve-', e.g. 'serve-grpc') in the Ray head "
    "container; otherwise, the Kubernetes service for Ray Serve will not be created."
)


def spec_strategy(spec: Mapping[str, Any]) -> Any:
    return _mapping(spec.get("upgradeStrategy")).get("type")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _address_port(ports: Mapping[str, int]) -> int:
    """The port an address names: ``serve``'s, else the first serving port by name."""
    return ports["serve"] if "serve" in ports else ports[sorted(ports)[0]]


def serve_address(service: Mapping[str, Any]) -> str | None:
    """Where a RayService serves in the cluster, as KubeRay v1.7.0 builds that Service
    (ray-project/kuberay ray-operator/controllers/ray/common/service.go BuildServeService,
    getServicePorts, isServingPort; utils/util.go GenerateServeServiceName, IsIncrementalUpgradeEnabled).

    The name is ``<service>-serve-svc`` (``spec.serveService.metadata.name`` when given), but with
    ``upgradeStrategy.type: NewClusterWithIncrementalUpgrade`` (its feature gate is on by default)
    each cluster has its own ``<cluster>-serve-svc`` and ``spec.serveService`` is not used: then
    the active cluster's, None before one is active. The port is the head container's port named
    ``serve`` (else the first ``serve-*``), 8000 when the container lists no port; a port of
    ``spec.serveService`` with the same name replaces it (its ``port``: KubeRay keeps the user's
    definition), and with no serving port on the container ``spec.serveService``'s ports are the
    Service's. None where KubeRay builds no serve Service (``serve_port_problem``).
    """
    name, ns = service["metadata"]["name"], service["metadata"]["namespace"]
    spec = _mapping(service.get("spec"))
    auto = _serving_ports(_mapping(spec.get("rayClusterConfig")))
    custom = _mapping(spec.get("serveService")) if spec.get("serveService") is not None else None
    if spec_strategy(spec) == INCREMENTAL_UPGRADE:
        active = service_status(service, "activeServiceStatus").get("rayClusterName")
        if not active or not auto:
            return None
        return f"{active}-serve-svc.{ns}.svc.cluster.local:{_address_port(auto)}"
    if custom is None:
        return f"{name}-serve-svc.{ns}.svc.cluster.local:{_address_port(auto)}" if auto else None
    svc_name = str(_mapping(custom.get("metadata")).get("name") or f"{name}-serve-svc")
    user: dict[str, int] = {}
    for port in _mapping(custom.get("spec")).get("ports") or []:
        number = _mapping(port).get("port")
        if isinstance(number, int):
            user.setdefault(str(_mapping(port).get("name") or ""), number)
    ports = {port: user.get(port, number) for port, number in auto.items()} if auto else user
    if not ports:
        return f"{svc_name}.{ns}.svc.cluster.local"
    serving = {k: v for k, v in ports.items() if k == "serve" or k.startswith("serve-")} or ports
    return f"{svc_name}.{ns}.svc.cluster.local:{_address_port(serving)}"


def service_failure(service: Mapping[str, Any]) -> str | None:
    """Why a RayService will not become ready by waiting, or None: the wait rule's terminal
    verdict (akscli.kube.readiness.kuberay, which cites rayservice_controller.go)."""
    from akscli.kube.readiness.kuberay import service_failure as terminal

    verdict = terminal(service)
    if verdict is None:
        return None
    return verdict.message + (f" ({verdict.culprit})" if verdict.culprit else "")


_SUMMARY_ROWS = (
    "name",
    "namespace",
    "ready",
    "reason",
    "message",
    "serveEndpoints",
    "cluster",
    "pendingCluster",
    "traffic",
    "rollback",
)


# Where ENABLE_ZERO_DOWNTIME is not false (its default), a RayService without an upgrade strategy
# is upgraded as with NewCluster (rayservice_controller.go isZeroDowntimeUpgradeEnabled).
DEFAULT_STRATEGY = "not set (NewCluster, unless the operator runs with ENABLE_ZERO_DOWNTIME=false)"


def service_summary_fields(
    summary: Mapping[str, Any], findings: Sequence[Finding], *, wide: bool = False
) -> list[tuple[str, Any]]:
    """The table rows of a service summary: its fields, one row per application and per problem.
    ``wide`` (-o wide) adds rows to them, as kubectl's wide printers add columns: the creation
    time, the upgrade strategy, each Serve deployment's status under its application, and the
    conditions other than Ready (whose status, reason and message are rows already)."""
    fields: list[tuple[str, Any]] = []
    for key in _SUMMARY_ROWS:
        if summary.get(key) is not None:
            fields.append((key, summary[key]))
        if wide and key == "namespace":
            fields.append(("created", summary.get("created")))
        if wide and key == "pendingCluster":
            fields.append(("upgradeStrategy", summary.get("upgradeStrategy") or DEFAULT_STRATEGY))
    if summary.get("serveService"):
        fields.append(("serveService", summary["serveService"]))
    for prefix, apps in (("app", summary["applications"]), ("pending app", summary["pendingApplications"])):
        for app, state in apps.items():
            fields.append((f"{prefix} {app}", _state_line(state)))
            if wide:
                fields += [
                    (f"{prefix} {app} deployment {name}", _state_line(deployment))
                    for name, deployment in (state.get("deployments") or {}).items()
                ]
    fields += [("replaced cluster", _replaced_line(c)) for c in summary.get("replacedClusters") or []]
    if wide:
        for cond in summary.get("conditions") or []:
            if cond.get("type") != "Ready":
                detail = f" ({cond['reason']})" if cond.get("reason") else ""
                message = f": {cond['message']}" if cond.get("message") else ""
                fields.append((f"condition {cond.get('type')}", f"{cond.get('status')}{detail}{message}"))
    return fields + [("problem", f.line()) for f in findings]


def _state_line(state: Mapping[str, Any]) -> str:
    message = f": {state['message']}" if state.get("message") else ""
    return f"{state.get('status')}{message}"
