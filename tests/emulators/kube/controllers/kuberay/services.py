"""The Services KubeRay creates for a RayCluster, a RayJob and a RayService.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/common/service.go
(BuildServiceForHeadPod, BuildServeService, getServicePorts, isServingPort), common/job.go
BuildHeadServiceForRayJob, utils/util.go GenerateHeadServiceName / GenerateServeServiceName,
common/pod.go labelPod:

* Every head Service selects the cluster's head pod by HeadServiceLabels (``ray.io/cluster``,
  ``ray.io/node-type``, ``ray.io/identifier``, ``app.kubernetes.io/name``,
  ``app.kubernetes.io/created-by``), which labelPod puts on every Ray pod.
* Its ports are the head container's ports by name (an unnamed one is ``<port>-port``), KubeRay's
  defaults when the container has none, plus ``metrics: 8080`` when no port is named so; each
  has ``appProtocol: tcp`` and they are sorted by name. Of type ClusterIP it is headless
  (``clusterIP: None``, ``publishNotReadyAddresses``) unless ENABLE_RAY_HEAD_CLUSTER_IP_SERVICE.
* A RayJob with its own cluster (no clusterSelector) and a RayService get ``<name>-head-svc`` of
  their own, pointing at their current cluster, besides the cluster's ``<cluster>-head-svc``.
* A RayService's ``<name>-serve-svc`` carries only the ports named ``serve`` or ``serve-*`` (or
  is ``spec.serveService`` merged with them; none at all is KubeRay's error) and
  selects ``ray.io/cluster`` and ``ray.io/serve: "true"`` (pods: workers ``true``, the head
  ``false`` until its proxy actor is healthy, rayservice_controller.go updateHeadPodServeLabel).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.controllers.kuberay.common import controller_ref

# utils/constant.go: the default ports (getDefaultPorts) and names.
DEFAULT_PORTS = {"client": 10001, "gcs-server": 6379, "dashboard": 8265, "metrics": 8080, "serve": 8000}
SERVE_LABEL = "ray.io/serve"


def head_container(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    containers = ((((spec.get("headGroupSpec") or {}).get("template") or {}).get("spec") or {}).get("containers")) or [
        {}
    ]
    return containers[0]  # utils.RayContainerIndex


def service_ports(spec: Mapping[str, Any]) -> dict[str, int]:
    """common/service.go getServicePorts / getPortsFromCluster."""
    ports: dict[str, int] = {}
    for port in head_container(spec).get("ports") or []:
        number = int(port.get("containerPort") or 0)
        ports[str(port.get("name") or f"{number}-port")] = number
    if not ports:
        ports = dict(DEFAULT_PORTS)
    ports.setdefault("metrics", DEFAULT_PORTS["metrics"])
    return ports


def is_serving_port(name: str) -> bool:
    """common/service.go isServingPort."""
    return name == "serve" or name.startswith("serve-")


def head_labels(cluster_name: str) -> dict[str, str]:
    """common/service.go HeadServiceLabels (also what labelPod gives a head pod)."""
    return {
        "ray.io/cluster": cluster_name,
        "ray.io/node-type": "head",
        "ray.io/identifier": f"{cluster_name}-head"[-63:],  # utils.CheckLabel keeps the tail
        "app.kubernetes.io/name": "kuberay",
        "app.kubernetes.io/created-by": "kuberay-operator",
    }


def pod_labels(cluster_name: str, node_type: str, group: str) -> dict[str, str]:
    """common/pod.go labelPod: the labels a Ray pod gets over its template's."""
    return {
        "ray.io/is-ray-node": "yes",
        "ray.io/cluster": cluster_name,
        "ray.io/node-type": node_type,
        "ray.io/group": group,
        "ray.io/identifier": f"{cluster_name}-{node_type}"[-63:],
        "app.kubernetes.io/name": "kuberay",
        "app.kubernetes.io/created-by": "kuberay-operator",
    }


def head_service(
    name: str,
    ns: str,
    cluster_name: str,
    cluster_spec: Mapping[str, Any],
    labels: Mapping[str, str],
    owner: Mapping[str, Any],
) -> dict[str, Any]:
    """common/service.go BuildServiceForHeadPod, named and labelled by its caller."""
    head_group = cluster_spec.get("headGroupSpec") or {}
    kind = str(head_group.get("serviceType") or "ClusterIP")
    ports = [
        {"name": port, "port": number, "targetPort": number, "protocol": "TCP", "appProtocol": "tcp"}
        for port, number in sorted(service_ports(cluster_spec).items())
    ]
    spec: dict[str, Any] = {"type": kind, "selector": head_labels(cluster_name), "ports": ports}
    if kind == "ClusterIP":
        spec.update(clusterIP="None", publishNotReadyAddresses=True)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "labels": dict(labels), "ownerReferences": [dict(owner)]},
        "spec": spec,
    }


def dashboard_url(cluster: Any, ns: str, rc_name: str) -> str:
    """utils/util.go FetchHeadServiceURL(.., utils.DashboardPortName): the RayCluster's head
    Service (GenerateHeadServiceName: headService's name when set, else ``<cluster>-head-svc``) and
    its port named ``dashboard``, as ``<svc>.<ns>.svc.cluster.local:<port>``. Upstream fails the
    pass when the Service or the port is missing; here a missing one gives KubeRay's default 8265."""
    rc = cluster.get("ray.io/v1", "RayCluster", ns, rc_name) or {}
    custom = (((rc.get("spec") or {}).get("headGroupSpec") or {}).get("headService") or {}).get("metadata") or {}
    svc_name = str(custom.get("name") or f"{rc_name}-head-svc")
    svc = cluster.get("v1", "Service", ns, svc_name) or {}
    port = next(
        (p.get("port") for p in (svc.get("spec") or {}).get("ports") or [] if p.get("name") == "dashboard"),
        DEFAULT_PORTS["dashboard"],
    )
    return f"{svc_name}.{ns}.svc.cluster.local:{port}"


def owner_head_service(
    kind: str, owner: Mapping[str, Any], cluster_name: str, cluster_spec: Mapping[str, Any]
) -> dict[str, Any]:
    """common/job.go BuildHeadServiceForRayJob, common/service.go BuildHeadServiceForRayService:
    ``<owner>-head-svc`` (utils/util.go GenerateHeadServiceName for RayJobCRD / RayServiceCRD)."""
    meta = owner["metadata"]
    labels = {
        "ray.io/originated-from-cr-name": meta["name"],
        "ray.io/originated-from-crd": kind,
        "ray.io/node-type": "head",
        "ray.io/identifier": f"{meta['name']}-head"[-63:],
    }
    ref = controller_ref(kind, owner)
    return head_service(f"{meta['name']}-head-svc", meta["namespace"], cluster_name, cluster_spec, labels, ref)


def serve_service(
    service: Mapping[str, Any], cluster_name: str, cluster_spec: Mapping[str, Any]
) -> dict[str, Any] | None:
    """common/service.go BuildServeService for a RayService (no incremental upgrade):
    ``<service>-serve-svc`` with the serving ports only. With ``spec.serveService`` that Service is
    the base: KubeRay sets its selector, merges its labels over the user's (KubeRay's win), names
    it ``<service>-serve-svc`` only when it has no name, puts it in the RayService's namespace and
    gives it the head's serviceType when it has none; where the head container has serving ports,
    the Service's ports are those, each replaced by a user's port of the same name, else the
    user's as given. None where KubeRay builds none (no serving port, no serveService): its
    error ends the reconcile."""
    meta = service["metadata"]
    name = meta["name"]
    ports = [
        {"name": port, "port": number, "targetPort": number, "protocol": "TCP"}
        for port, number in service_ports(cluster_spec).items()
        if is_serving_port(port)
    ]
    custom = (service.get("spec") or {}).get("serveService")
    if not ports and custom is None:
        return None
    labels = {
        "ray.io/originated-from-cr-name": name,
        "ray.io/originated-from-crd": "RayService",
        SERVE_LABEL: f"{name}-serve",
    }
    kind = str((cluster_spec.get("headGroupSpec") or {}).get("serviceType") or "ClusterIP")
    body: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Service",
        # ctrl.SetControllerReference (ray-project/kuberay ray-operator/controllers/ray/rayservice_controller.go;
        # kubernetes-sigs/controller-runtime pkg/controller/controllerutil/controllerutil.go):
        # controller and blockOwnerDeletion.
        "metadata": {"name": f"{name}-serve-svc", "labels": labels},
        "spec": {"type": kind, "ports": ports},
    }
    if custom is not None:
        user_meta, user_spec = dict(custom.get("metadata") or {}), dict(custom.get("spec") or {})
        user_ports = {str(p.get("name") or ""): dict(p) for p in user_spec.get("ports") or []}
        if ports:  # "use the user's definition" of a port with the same name
            user_spec["ports"] = [user_ports.get(str(p["name"]), p) for p in ports]
        user_spec.setdefault("ports", [])
        user_spec["type"] = user_spec.get("type") or kind  # setServiceTypeForUserProvidedService
        user_meta["labels"] = {**(user_meta.get("labels") or {}), **labels}  # setLabelsforUserProvidedService
        user_meta["name"] = user_meta.get("name") or f"{name}-serve-svc"  # setNameforUserProvidedService
        body = {"apiVersion": "v1", "kind": "Service", "metadata": user_meta, "spec": user_spec}
    body["metadata"]["namespace"] = meta["namespace"]  # setNamespaceforUserProvidedService
    body["metadata"]["ownerReferences"] = [controller_ref("RayService", service)]
    body["spec"]["selector"] = {"ray.io/cluster": cluster_name, SERVE_LABEL: "true"}
    return body


def apply_service(cluster: Any, body: dict[str, Any]) -> None:
    """Create the Service, or point an existing one at the new selector (rayjob_controller.go
    reconcileServices, rayservice_controller.go reconcileServices: updated only when the
    cluster it serves changes)."""
    meta = body["metadata"]
    existing = cluster.get("v1", "Service", meta["namespace"], meta["name"])
    if existing is None:
        cluster.create(body)
        return
    if (existing.get("spec") or {}).get("selector", {}).get("ray.io/cluster") == body["spec"]["selector"].get(
        "ray.io/cluster"
    ):
        return
    # "oldSvc.Spec = *newSvc.Spec.DeepCopy()" with the old ClusterIP kept (immutable); the API
    # server keeps clusterIPs from it (kubernetes/kubernetes pkg/registry/core/service/storage
    # patchAllocatedValues).
    kept = {k: existing["spec"][k] for k in ("clusterIP", "clusterIPs") if k in existing["spec"]}
    existing["spec"] = {**body["spec"], **kept}
    cluster.update(existing)


def head_address(rc: Mapping[str, Any]) -> str:
    """A worker's ``address``: the head service's FQDN and the head's GCS port (upstream:
    ray-project/kuberay v1.7.0 ray-operator/controllers/ray/raycluster_controller.go createWorkerPod,
    utils/util.go GenerateFQDNServiceName, GetHeadPort: rayStartParams' port, else 6379)."""
    spec = rc.get("spec") or {}
    head = spec.get("headGroupSpec") or {}
    custom = ((head.get("headService") or {}).get("metadata") or {}).get("name")
    ns, name = rc["metadata"]["namespace"], rc["metadata"]["name"]
    port = (head.get("rayStartParams") or {}).get("port") or "6379"
    return f"{custom or f'{name}-head-svc'}.{ns}.svc.cluster.local:{port}"
