"""The lab's Istio gateway proxies as istiod builds them (tests/emulators/kube/controllers/
gateway_proxy.py): pod labels after the overlays (istio/istio pilot/pkg/config/kube/gatewaycommon/
deploymentcontroller.go render), the HTTP filter chain after EnvoyFilter patches
(pilot/pkg/networking/core/envoyfilter/listener_patch.go patchHTTPFilters, mergeHTTPFilter)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.gateway_bbr import _target
from tests.emulators.kube.controllers.gateway_proxy import http_filters, ordered, pod_labels

HCM = "envoy.filters.network.http_connection_manager"
EXT_PROC = "type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor"


class _Cluster:
    def __init__(self, *items: dict[str, Any]) -> None:
        self.items = items

    def list(self, api_version: str, kind: str, namespace: str | None) -> list[dict[str, Any]]:
        return [i for i in self.items if i["kind"] == kind and namespace in (None, i["metadata"]["namespace"])]

    def get(self, api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        return next((i for i in self.list(api_version, kind, namespace) if i["metadata"]["name"] == name), None)


def _cm(name: str, namespace: str, pods: str, created: str = "", **meta: Any) -> dict[str, Any]:
    overlay = f"spec:\n  template:\n    metadata:\n      labels: {pods}\n"
    metadata = {"name": name, "namespace": namespace, "creationTimestamp": created, **meta}
    return {"kind": "ConfigMap", "metadata": metadata, "data": {"deployment": overlay}}


def _patch(op: str, sub: str | None = None, **value: Any) -> dict[str, Any]:
    network: dict[str, Any] = {"name": HCM, **({"subFilter": {"name": sub}} if sub else {})}
    body: dict[str, Any] = {"operation": op, **({"value": value} if value else {})}
    return {"applyTo": "HTTP_FILTER", "match": {"listener": {"filterChain": {"filter": network}}}, "patch": body}


def _filter(name: str, *patches: dict[str, Any], namespace: str = "default", priority: int = 0) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"priority": priority, "configPatches": list(patches)},
    }


def test_the_oldest_class_defaults_then_the_parameters_ref_overlay_label_the_pods() -> None:
    klass = {"gateway.istio.io/defaults-for-class": "istio"}
    gateway = {
        "metadata": {"name": "gw", "namespace": "default", "labels": {"app": "gw"}},
        "spec": {
            "gatewayClassName": "istio",
            "infrastructure": {"parametersRef": {"group": "", "kind": "ConfigMap", "name": "p"}},
        },
    }
    cluster = _Cluster(
        _cm("newer", "aks-istio-system", "{tier: newer}", "2026-01-02T00:00:00Z", labels=klass),
        _cm("older", "aks-istio-system", "{tier: class, team: a}", "2026-01-01T00:00:00Z", labels=klass),
        _cm("p", "default", "{team: null, app: mine}"),
    )
    labels = pod_labels(gateway, cluster)
    assert labels["tier"] == "class" and "team" not in labels and labels["app"] == "mine"
    assert labels["service.istio.io/canonical-name"] == "gw-istio"
    assert labels["gateway.networking.k8s.io/gateway-name"] == "gw"


def test_replace_acts_on_the_first_named_filter_and_merge_runs_last_on_the_result() -> None:
    envoy = {
        "@type": EXT_PROC,
        "grpc_service": {"envoy_grpc": {"cluster_name": "outbound|9004||epp.default.svc.cluster.local"}},
    }
    google = {"@type": EXT_PROC, "grpcService": {"googleGrpc": {"targetUri": "bbr.default:9004"}}}
    merge = _filter("a-merge", _patch("MERGE", "ext", typedConfig=google))  # named earlier, applied last
    add = _filter("b-add", _patch("INSERT_AFTER", None, name="ext", typed_config=envoy))
    chain = http_filters(ordered([add, merge]), 80)
    assert chain[-1]["name"] == "ext"
    assert chain[-1]["typed_config"]["grpc_service"] == {"google_grpc": {"target_uri": "bbr.default:9004"}}
    removed = http_filters(ordered([add, _filter("c", _patch("REMOVE", "ext"), priority=1)]), 80)
    assert [f["name"] for f in removed][-1] == "envoy.filters.http.router"


def test_a_google_grpc_target_names_a_service_as_the_pods_dns_search_path_resolves_it() -> None:
    def target(uri: str) -> tuple[str, str] | None:
        return _target({"grpc_service": {"google_grpc": {"target_uri": uri}}}, "gw-ns")

    assert target("bbr:9004") == ("gw-ns", "bbr")
    assert target("dns:///bbr.models:9004") == ("models", "bbr")
    assert target("bbr.models.svc.cluster.local:9004") == ("models", "bbr")
    assert target("ipv4:10.0.0.1:9004") is None
