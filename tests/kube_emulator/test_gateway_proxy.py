"""The lab's Istio gateway proxies as istiod builds them (tests/emulators/kube/controllers/
gateway_proxy.py): pod labels after the overlays (istio/istio pilot/pkg/config/kube/gatewaycommon/
deploymentcontroller.go render), the HTTP filter chain after EnvoyFilter patches
(pilot/pkg/networking/core/envoyfilter/listener_patch.go patchHTTPFilters, mergeHTTPFilter)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.gateway_bbr import _target
from tests.emulators.kube.controllers.gateway_proxy import _proto_merge, http_filters, ordered, pod_labels

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


ENVOY = {
    "@type": EXT_PROC,
    "grpc_service": {"envoy_grpc": {"cluster_name": "outbound|9004||bbr.default.svc.cluster.local"}},
}
ROUTER = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"


def test_a_merge_of_another_type_leaves_istios_own_chain() -> None:
    add = _filter("a-add", _patch("INSERT_FIRST", None, name="bbr", typed_config=ENVOY))
    merge = _filter("b-merge", _patch("MERGE", None, typed_config={"@type": EXT_PROC, "failure_mode_allow": True}))
    chain = http_filters(ordered([add, merge]), 80)
    assert "bbr" not in [f["name"] for f in chain] and chain[-1]["typed_config"]["@type"] == ROUTER


def test_a_merge_into_the_default_router_renames_it() -> None:
    merge = _filter("m", _patch("MERGE", "envoy.filters.http.router", name="router", typed_config={"@type": ROUTER}))
    assert http_filters([merge], 80)[-1]["name"] == "router"


def test_a_patch_for_another_proxy_version_is_not_applied() -> None:
    add = _patch("INSERT_FIRST", None, name="bbr", typed_config=ENVOY)
    add["match"]["proxy"] = {"proxyVersion": r"^1\.24\..*"}
    assert "bbr" not in [f["name"] for f in http_filters([_filter("a", add)], 80, "1.29.6")]
    assert http_filters([_filter("a", add)], 80, "1.24.2")[0]["name"] == "bbr"


def test_a_merged_false_scalar_is_not_set() -> None:
    add = _filter("a", _patch("ADD", None, name="bbr", typed_config={**ENVOY, "failure_mode_allow": True}))
    merge = _filter("b", _patch("MERGE", "bbr", typed_config={"@type": EXT_PROC, "failure_mode_allow": False}))
    assert http_filters(ordered([add, merge]), 80)[-1]["typed_config"]["failure_mode_allow"] is True


def test_a_merged_any_field_is_taken_whole() -> None:
    old = {"@type": EXT_PROC, "inner": {"@type": "type.googleapis.com/x", "a": 1}}
    assert _proto_merge(old, {"inner": {"@type": "type.googleapis.com/x", "b": 2}})["inner"] == {
        "@type": "type.googleapis.com/x",
        "b": 2,
    }
