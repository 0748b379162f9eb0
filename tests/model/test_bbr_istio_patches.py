"""Unit tests of the gateway route package (akscli/model/gateway_via.py, body_router.py,
envoy_filters.py) against a cluster held in memory: the body-based router found as Istio wires it.

* the pod labels of a Gateway Istio deploys: its own labels, and the ``deployment`` overlays of
  its class defaults ConfigMap (in istiod's namespace) and its parametersRef ConfigMap
  (istio/istio pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go render, applyOverlay);
* EnvoyFilter patches as istiod applies them, in its order: REPLACE, MERGE, REMOVE, and google_grpc
  targets (pilot/pkg/networking/core/envoyfilter/listener_patch.go, push_context.go EnvoyFilters);
* a BBR Deployment named differently from its Service, found through the Service's selector."""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

import pytest

from akscli.errors import NotInstalledError
from akscli.model import gateway_via
from akscli.model.body_router import proxy_version
from akscli.model.envoy_filters import Workload, _merged, grpc_service, managed_workload, overlay_labels

from ._bbr import EXT_PROC, NAME, envoy_filter

BBR_CLUSTER = f"outbound|9004||{NAME}.default.svc.cluster.local"
GATEWAY = "inference-gateway"
TIER = "ai.example.com/tier"


def _obj(api: str, kind: str, name: str, namespace: str | None = "default", **fields: Any) -> dict[str, Any]:
    meta = {"name": name, **({"namespace": namespace} if namespace else {}), **fields.pop("meta", {})}
    return {"apiVersion": api, "kind": kind, "metadata": meta, **fields}


class Cluster:
    """What akscli reads through kube.get and kube.list, from objects held in memory."""

    def __init__(self, *objects: dict[str, Any]) -> None:
        self.objects = list(objects)

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        return next((copy.deepcopy(o) for o in self._of(kind, namespace) if o["metadata"]["name"] == name), None)

    def list(
        self, api_version: str, kind: str, *, namespace: str | None = None, label_selector: str | None = None, **_: Any
    ) -> list[dict[str, Any]]:
        wanted = dict(term.split("=", 1) for term in label_selector.split(",")) if label_selector else {}
        return [
            copy.deepcopy(o)
            for o in self._of(kind, namespace)
            if all((o["metadata"].get("labels") or {}).get(k) == v for k, v in wanted.items())
        ]

    def _of(self, kind: str, namespace: str | None) -> list[dict[str, Any]]:
        return [
            o
            for o in self.objects
            if o["kind"] == kind and (namespace is None or o["metadata"].get("namespace") == namespace)
        ]


def _bbr_deployment(name: str = NAME) -> dict[str, Any]:
    """The chart's Deployment (templates/bbr.yaml), ready."""
    template = {
        "metadata": {"labels": {"app": NAME}},
        "spec": {
            "containers": [{"name": "bbr", "image": "registry.k8s.io/gateway-api-inference-extension/bbr:v1.5.0"}]
        },
    }
    return _obj(
        "apps/v1",
        "Deployment",
        name,
        spec={"selector": {"matchLabels": {"app": NAME}}, "template": template},
        status={"readyReplicas": 1},
    )


def _world(*extra: dict[str, Any], gateway: dict[str, Any] | None = None, deployment: str = NAME) -> Cluster:
    """A Gateway Istio deploys (class istio) with AI Runway's route for phi-4, istiod in
    istio-system, and the chart's BBR Deployment and Service, without its EnvoyFilter."""
    gateway = gateway or _obj(
        "gateway.networking.k8s.io/v1",
        "Gateway",
        GATEWAY,
        spec={"gatewayClassName": "istio", "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]},
    )
    owner = [{"kind": "Gateway", "name": GATEWAY}]
    labels = {"gateway.networking.k8s.io/gateway-name": GATEWAY}
    return Cluster(
        gateway,
        _obj("v1", "Service", f"{GATEWAY}-istio", meta={"labels": labels, "ownerReferences": owner}),
        _obj(
            "apps/v1",
            "Deployment",
            "istiod",
            "istio-system",
            meta={"labels": {"app": "istiod", "istio.io/rev": "default"}},
        ),
        _obj("v1", "ConfigMap", "istio", "istio-system", data={"mesh": "rootNamespace: istio-system\n"}),
        _bbr_deployment(deployment),
        _obj("v1", "Service", NAME, spec={"selector": {"app": NAME}, "ports": [{"port": 9004}]}),
        *extra,
    )


ROUTE = {
    "metadata": {"name": "phi-4", "namespace": "default"},
    "spec": {
        "parentRefs": [{"name": GATEWAY}],
        "rules": [{"matches": [{"headers": [{"name": "X-Gateway-Model-Name", "value": "phi-4"}]}]}],
    },
}


def _via(cluster: Cluster) -> Any:
    return gateway_via.via_gateway(cluster, SimpleNamespace(route=ROUTE), "phi-4")  # type: ignore[arg-type]


def _filter(name: str, *patches: dict[str, Any], created: str = "2026-01-01T00:00:00Z", **spec: Any) -> dict[str, Any]:
    """An EnvoyFilter in the Gateway's namespace that applies to every proxy of it."""
    return _obj(
        "networking.istio.io/v1alpha3",
        "EnvoyFilter",
        name,
        meta={"creationTimestamp": created},
        spec={"configPatches": list(patches), **spec},
    )


def _patch(operation: str, value: dict[str, Any], sub_filter: str | None = None) -> dict[str, Any]:
    chain: dict[str, Any] = {"filter": {"name": "envoy.filters.network.http_connection_manager"}}
    if sub_filter:
        chain["filter"]["subFilter"] = {"name": sub_filter}
    return {
        "applyTo": "HTTP_FILTER",
        "match": {"context": "GATEWAY", "listener": {"filterChain": chain}},
        "patch": {"operation": operation, "value": value},
    }


def _ext_proc(name: str, grpc: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "typed_config": {"@type": EXT_PROC, "grpc_service": grpc}}


def _by_selector(labels: dict[str, str]) -> dict[str, Any]:
    insert = _patch("INSERT_FIRST", _ext_proc("model.header", {"envoy_grpc": {"cluster_name": BBR_CLUSTER}}))
    return _filter("model-header", insert, workloadSelector={"labels": labels})


def _deployment_overlay(name: str, namespace: str, pods: dict[str, str], **meta: Any) -> dict[str, Any]:
    """A ConfigMap whose ``deployment`` key adds pod labels to a gateway's Deployment."""
    overlay = "spec:\n  template:\n    metadata:\n      labels:\n" + "".join(
        f"        {k}: {v}\n" for k, v in pods.items()
    )
    return _obj("v1", "ConfigMap", name, namespace, meta=meta, data={"deployment": overlay})


# ---- the pod labels of a Gateway Istio deploys -------------------------------------------------------


def test_labels_of_the_gateway_class_defaults_configmap_reach_the_gateways_pods() -> None:
    defaults = _deployment_overlay(
        "istio-defaults", "istio-system", {TIER: "gpu"}, labels={"gateway.istio.io/defaults-for-class": "istio"}
    )
    assert _via(_world(defaults, _by_selector({TIER: "gpu"}))).model == "phi-4"


def test_the_gateways_parameters_configmap_overlays_after_the_class_defaults() -> None:
    defaults = _deployment_overlay(
        "istio-defaults", "istio-system", {TIER: "cpu"}, labels={"gateway.istio.io/defaults-for-class": "istio"}
    )
    params = _deployment_overlay("gpu-gateway", "default", {TIER: "gpu"})
    gateway = _world().get("gateway.networking.k8s.io/v1", "Gateway", GATEWAY, "default")
    assert gateway is not None
    gateway["spec"]["infrastructure"] = {"parametersRef": {"group": "", "kind": "ConfigMap", "name": "gpu-gateway"}}
    assert _via(_world(defaults, params, _by_selector({TIER: "gpu"}), gateway=gateway)).model == "phi-4"


def test_a_gateways_own_labels_reach_its_pods_without_infrastructure_labels() -> None:
    gateway = _world().get("gateway.networking.k8s.io/v1", "Gateway", GATEWAY, "default")
    assert gateway is not None
    gateway["metadata"]["labels"] = {TIER: "gpu"}
    assert _via(_world(_by_selector({TIER: "gpu"}), gateway=gateway)).model == "phi-4"


def test_a_null_label_in_an_overlay_removes_it() -> None:
    overlay = f"spec:\n  template:\n    metadata:\n      labels:\n        {TIER}: null\n        team: ml\n"
    assert overlay_labels({TIER: "gpu", "app": "gw"}, overlay) == {"app": "gw", "team": "ml"}


# ---- EnvoyFilter patches as istiod applies them ------------------------------------------------------


def _placeholder() -> dict[str, Any]:
    """An ext_proc filter to another Service, which a later patch turns into BBR's."""
    grpc = {"envoy_grpc": {"cluster_name": "outbound|9004||placeholder.default.svc.cluster.local"}}
    return _filter("a-placeholder", _patch("ADD", _ext_proc("ext_proc.models", grpc)))


def test_a_replace_that_turns_an_existing_filter_into_bbrs_is_found() -> None:
    bbr = _ext_proc("ext_proc.models", {"envoy_grpc": {"cluster_name": BBR_CLUSTER}})
    # Created later, named earlier: istiod applies it after the placeholder's ADD.
    later = _filter("0-replace", _patch("REPLACE", bbr, "ext_proc.models"), created="2026-02-01T00:00:00Z")
    assert _via(_world(_placeholder(), later)).model == "phi-4"


def test_a_merge_that_points_an_ext_proc_filter_at_bbr_is_found() -> None:
    merge = {"typedConfig": {"@type": EXT_PROC, "grpcService": {"envoyGrpc": {"clusterName": BBR_CLUSTER}}}}
    later = _filter("b-merge", _patch("MERGE", merge, "ext_proc.models"), created="2026-02-01T00:00:00Z")
    assert _via(_world(_placeholder(), later)).model == "phi-4"


def test_a_replace_of_a_filter_istio_adds_with_the_meshs_policies_is_sent_as_it_is() -> None:
    # envoy.filters.http.jwt_authn is there only with a RequestAuthentication: akscli cannot tell.
    bbr = _ext_proc("bbr", {"envoy_grpc": {"cluster_name": BBR_CLUSTER}})
    assert _via(_world(_filter("jwt", _patch("REPLACE", bbr, "envoy.filters.http.jwt_authn")))).model == "phi-4"


def test_a_remove_takes_the_charts_filter_out() -> None:
    chart = envoy_filter(GATEWAY)
    chart["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z"
    remove = _filter(
        "z-remove", _patch("REMOVE", {}, "envoy.filters.http.ext_proc.bbr"), created="2026-02-01T00:00:00Z"
    )
    with pytest.raises(NotInstalledError, match="runs no body-based router"):
        _via(_world(chart, remove))


def test_a_google_grpc_target_to_bbrs_service_is_found() -> None:
    grpc = {"google_grpc": {"target_uri": f"dns:///{NAME}.default.svc.cluster.local:9004", "stat_prefix": "bbr"}}
    assert _via(_world(_filter("bbr", _patch("INSERT_FIRST", _ext_proc("bbr", grpc))))).model == "phi-4"


def test_google_grpc_targets_name_a_service_as_the_proxys_dns_resolves_them() -> None:
    def target(uri: str) -> tuple[str, str] | None:
        return grpc_service({"google_grpc": {"target_uri": uri}}, "gateways")

    assert target(f"{NAME}:9004") == ("gateways", NAME)
    assert target(f"{NAME}.models:9004") == ("models", NAME)
    assert target(f"dns://10.0.0.10/{NAME}.models.svc:9004") == ("models", NAME)
    assert target("ipv4:10.0.0.1:9004") is None
    assert target("10.0.0.1:9004") is None
    assert target("bbr.example.com:443") is None


# ---- a BBR Deployment named differently from its Service ---------------------------------------------


def test_a_bbr_deployment_named_differently_from_its_service_is_found_through_the_selector() -> None:
    chart = envoy_filter(GATEWAY)
    assert _via(_world(chart, deployment="bbr-v2")).model == "phi-4"


# ---- audit 27: MERGE as pkg/proto/merge does it, match.proxy -----------------------------------------


def _chart(**proxy: str) -> dict[str, Any]:
    """The chart's EnvoyFilter, its patch matching proxies of ``proxy`` (match.proxy) if given."""
    chart = envoy_filter(GATEWAY)
    chart["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z"
    if proxy:
        chart["spec"]["configPatches"][0]["match"]["proxy"] = proxy
    return chart


def _gateway_pod(image: str, env: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """A pod Istio deployed for the Gateway, its istio-proxy running ``image``."""
    gateway = _world().get("gateway.networking.k8s.io/v1", "Gateway", GATEWAY)
    labels = managed_workload(gateway or {}).labels
    proxy = {"name": "istio-proxy", "image": image, "env": env or []}
    return _obj("v1", "Pod", f"{GATEWAY}-istio-0", meta={"labels": dict(labels)}, spec={"containers": [proxy]})


def test_a_merge_of_another_type_into_istios_filters_leaves_the_listener_unpatched() -> None:
    # No subFilter: merged into the router too, whose Router config is no ExternalProcessor: istiod's
    # merge panics and the listener keeps Istio's own filters.
    merge = _filter("z-merge", _patch("MERGE", {"typed_config": {"@type": EXT_PROC, "failure_mode_allow": True}}))
    with pytest.raises(NotInstalledError, match="runs no body-based router"):
        _via(_world(_chart(), merge))


def test_a_proxy_version_the_gateways_pods_do_not_run_takes_the_charts_patch_out() -> None:
    pod = _gateway_pod("mcr.microsoft.com/oss/istio/proxyv2:1.26.3-distroless")
    with pytest.raises(NotInstalledError, match="runs no body-based router"):
        _via(_world(_chart(proxyVersion=r"^1\.24\..*"), pod))


def test_a_remove_for_a_proxy_version_akscli_cannot_read_is_sent_as_it_is() -> None:
    remove = _patch("REMOVE", {}, "envoy.filters.http.ext_proc.bbr")
    remove["match"]["proxy"] = {"proxyVersion": r"^1\.2[0-9]\..*"}
    later = _filter("z-remove", remove, created="2026-02-01T00:00:00Z")
    assert _via(_world(_chart(), later)).model == "phi-4"  # no gateway pod: the version is unknown


def test_the_proxys_istio_version_env_wins_over_its_image_tag() -> None:
    workload = Workload("default", {"app": "gw"})
    env = [{"name": "ISTIO_META_ISTIO_VERSION", "value": "1.24.1"}]
    tagged = _obj(
        "v1",
        "Pod",
        "a",
        meta={"labels": {"app": "gw"}},
        spec={"containers": [{"name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.26.3-distroless"}]},
    )
    assert proxy_version(Cluster(tagged), workload) == "1.26.3"  # type: ignore[arg-type]
    tagged["spec"]["containers"][0]["env"] = env
    assert proxy_version(Cluster(tagged), workload) == "1.24.1"  # type: ignore[arg-type]


def test_a_merged_any_field_is_replaced_whole() -> None:
    dst = {"@type": "t", "list": [1], "inner": {"@type": "a", "x": 1}, "msg": {"y": 1}}
    src = {"@type": "t", "list": [2], "inner": {"@type": "a", "z": 2}, "msg": {"w": 2}}
    assert _merged(dst, src) == {
        "@type": "t",
        "list": [1, 2],
        "inner": {"@type": "a", "z": 2},
        "msg": {"y": 1, "w": 2},
    }
