"""kube-aggregator's availability controller: the Available condition of each APIService.

upstream: kubernetes/kubernetes staging/src/k8s.io/kube-aggregator/pkg/controllers/status
(available_controller.go, remote/remote_available_controller.go) and their tests'
expectations (available_controller_test.go TestSync, read as published copies):
- no spec.service: True, reason Local, "Local APIServices are always available";
- the service does not exist: False, reason ServiceNotFound, `service/NAME in "NS" is not present`;
- the service has no endpoint address: False, reason MissingEndpoints,
  `endpoints for service/NAME in "NS" have no addresses with port name "PORT"`;
- otherwise (its discovery answers): True, reason Passed, "all checks passed".
The condition keeps its lastTransitionTime while its status holds (apiregistration's
SetAPIServiceCondition). The emulator keeps no Endpoints: a ready pod that the Service selects
stands for an endpoint address, and the discovery call is taken to answer. The real controller
also resyncs on Endpoints changes and every 30 s; this one runs when an APIService or a Service
is written, so a pod that stops being ready is seen at the next such write.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.base import Controller

APISERVICE = ("apiregistration.k8s.io/v1", "APIService")


def availability(cluster: ClusterState, svc: dict[str, Any]) -> tuple[str, str, str]:
    """(status, reason, message) of ``svc``'s Available condition."""
    ref = (svc.get("spec") or {}).get("service")
    if not ref:
        return "True", "Local", "Local APIServices are always available"
    ns, name = ref.get("namespace", ""), ref.get("name", "")
    service = cluster.get("v1", "Service", ns, name)
    if service is None:
        return "False", "ServiceNotFound", f'service/{name} in "{ns}" is not present'
    selector = (service.get("spec") or {}).get("selector") or {}
    text = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    ready = selector and any(_ready(p) for p in cluster.list("v1", "Pod", ns, label_selector=text))
    if not ready:
        port = next((p.get("name", "") for p in (service.get("spec") or {}).get("ports") or []), "")
        return (
            "False",
            "MissingEndpoints",
            f'endpoints for service/{name} in "{ns}" have no addresses with port name "{port}"',
        )
    return "True", "Passed", "all checks passed"


def _ready(pod: dict[str, Any]) -> bool:
    conds = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds)


class APIServiceAvailability(Controller):
    """Sets each APIService's Available condition (see the module docstring)."""

    # kube-aggregator runs inside kube-apiserver; its availability controller's client is
    # clientset.NewForConfig(c.GenericConfig.LoopbackClientConfig) (kubernetes/kubernetes
    # staging/src/k8s.io/kube-aggregator/pkg/apiserver/apiserver.go NewWithDelegate), a loopback config
    # with no UserAgent of its own, so client-go's default, the binary's name (rest/config.go
    # DefaultKubernetesUserAgent): "kube-apiserver".
    field_manager: ClassVar[str | None] = "kube-apiserver"

    watches: ClassVar[list[tuple[str, str]]] = [APISERVICE, ("v1", "Service")]

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        if obj.get("kind") == "APIService":
            self._update(cluster, obj)
            return
        md = obj.get("metadata") or {}
        for svc in cluster.list(*APISERVICE):
            ref = (svc.get("spec") or {}).get("service") or {}
            if ref.get("namespace") == md.get("namespace") and ref.get("name") == md.get("name"):
                self._update(cluster, svc)

    def on_delete(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        if obj.get("kind") == "Service":
            self.reconcile(cluster, obj)

    def _update(self, cluster: ClusterState, svc: dict[str, Any]) -> None:
        status, reason, message = availability(cluster, svc)
        conds = (svc.get("status") or {}).get("conditions") or []
        old = next((c for c in conds if c.get("type") == "Available"), None)
        if old and (old.get("status"), old.get("reason"), old.get("message")) == (status, reason, message):
            return
        since = old.get("lastTransitionTime") if old and old.get("status") == status else None
        cond = {
            "type": "Available",
            "status": status,
            "lastTransitionTime": since or now_iso(),
            "reason": reason,
            "message": message,
        }
        kept = [c for c in conds if c.get("type") != "Available"]
        cluster.patch_status(*APISERVICE, None, svc["metadata"]["name"], {"conditions": [*kept, cond]})
