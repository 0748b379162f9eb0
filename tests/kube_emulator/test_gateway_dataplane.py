"""The lab's gateway matches a request as the Gateway API says (kubernetes-sigs/gateway-api v1.6.1
apis/v1/httproute_types.go: PathMatchType, HTTPRouteRule.Matches precedence, Hostnames and their
precedence, BackendRef weights)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.gateway_bbr import headers_after
from tests.emulators.kube.controllers.gateway_dataplane import (
    _bare_host,
    _host_matches,
    _host_rank,
    _matches,
    _path_matches,
    _pick,
    _precedence,
    _split,
)


def _answers(*pods: str) -> list[tuple[str, Any]]:
    """Endpoints whose handler answers with the pod's name."""
    return [(pod, lambda method, path, body, pod=pod: (200, {}, pod.encode())) for pod in pods]


def _picked(figures: dict[str, tuple[float, float]] | None, *pods: str) -> str:
    handler = _pick("default", _answers(*pods), (lambda ns, pod: figures[pod]) if figures is not None else None)
    return str(handler("GET", "/", b"")[2].decode())


def _route(*hostnames: str, name: str = "r") -> dict[str, Any]:
    return {"metadata": {"namespace": "default", "name": name, "uid": name}, "spec": {"hostnames": list(hostnames)}}


def test_a_path_prefix_matches_element_by_element() -> None:
    assert _path_matches("PathPrefix", "/abc", "/abc")
    assert _path_matches("PathPrefix", "/abc/", "/abc/def")
    assert not _path_matches("PathPrefix", "/abc", "/abcd")
    assert _path_matches("PathPrefix", "/", "/v1/models")


def test_an_exact_path_matches_only_itself() -> None:
    assert _path_matches("Exact", "/abc", "/abc")
    assert not _path_matches("Exact", "/abc", "/abc/")


def test_exact_comes_before_the_longest_prefix_which_comes_before_a_shorter_one() -> None:
    exact = {"path": {"type": "Exact", "value": "/v1/models"}}
    longer = {"path": {"type": "PathPrefix", "value": "/v1"}}
    shorter = {"path": {"type": "PathPrefix", "value": "/"}}
    assert sorted([shorter, longer, exact], key=_precedence) == [exact, longer, shorter]


def test_a_method_match_comes_before_none_among_equal_paths() -> None:
    plain = {"path": {"type": "PathPrefix", "value": "/"}}
    post = {**plain, "method": "POST"}
    assert sorted([plain, post], key=_precedence) == [post, plain]


def test_method_and_query_parameters_must_all_hold() -> None:
    match = {"method": "GET", "queryParams": [{"name": "a", "value": "1"}]}
    assert _matches(match, "GET", "/", {"a": "1"})
    assert not _matches(match, "POST", "/", {"a": "1"})
    assert not _matches(match, "GET", "/", {})


def test_the_host_headers_port_is_ignored_and_its_case_too() -> None:
    assert _bare_host("Chat.Example.com:8080") == "chat.example.com"
    assert _bare_host("[2001:db8::1]:80") == "[2001:db8::1]"


def test_a_wildcard_hostname_matches_one_or_more_labels_but_not_the_bare_domain() -> None:
    assert _host_matches("*.example.com", "a.example.com")
    assert _host_matches("*.example.com", "a.b.example.com")
    assert not _host_matches("*.example.com", "example.com")
    assert not _host_matches("chat.example.com", "other.example.com")


def test_a_route_without_hostnames_on_a_listener_without_one_takes_any_host() -> None:
    assert _host_rank(_route(), [{"name": "http"}], "127.0.0.1") == (0, 0)


def test_a_route_hostname_must_match_the_host() -> None:
    listener = [{"name": "http"}]
    assert _host_rank(_route("chat.example.com"), listener, "chat.example.com") is not None
    assert _host_rank(_route("chat.example.com"), listener, "other.example.com") is None


def test_a_listener_hostname_must_match_the_host_even_for_a_route_without_hostnames() -> None:
    listener = [{"name": "http", "hostname": "*.example.com"}]
    assert _host_rank(_route(), listener, "chat.example.com") is not None
    assert _host_rank(_route(), listener, "chat.example.net") is None


def test_route_hostnames_outside_the_listeners_are_ignored() -> None:
    listener = [{"name": "http", "hostname": "*.example.com"}]
    assert _host_rank(_route("chat.example.net"), listener, "chat.example.net") is None


def test_an_exact_hostname_goes_before_a_wildcard_which_goes_before_none() -> None:
    listener = [{"name": "http"}]
    exact = _host_rank(_route("chat.example.com"), listener, "chat.example.com")
    wildcard = _host_rank(_route("*.example.com"), listener, "chat.example.com")
    anything = _host_rank(_route(), listener, "chat.example.com")
    assert exact is not None and wildcard is not None and anything is not None
    assert exact < wildcard < anything


def test_a_weighted_split_sends_each_backend_its_share_counted_over_whole_cycles() -> None:
    rule = {"backendRefs": [{"name": "a", "weight": 3}, {"name": "b", "weight": 1}, {"name": "c", "weight": 0}]}
    splits: dict[Any, int] = {}
    picked = [_split(_route(), 0, rule, splits)["name"] for _ in range(8)]
    assert (picked.count("a"), picked.count("b"), picked.count("c")) == (6, 2, 0)


def test_each_rule_keeps_its_own_count() -> None:
    rule = {"backendRefs": [{"name": "a", "weight": 1}, {"name": "b", "weight": 1}]}
    splits: dict[Any, int] = {}
    assert _split(_route(), 0, rule, splits)["name"] == "a"
    assert _split(_route(), 1, rule, splits)["name"] == "a"
    assert _split(_route(), 0, rule, splits)["name"] == "b"


def test_a_rule_whose_weights_sum_to_zero_has_no_backend() -> None:
    assert _split(_route(), 0, {"backendRefs": [{"name": "a", "weight": 0}]}, {}) is None


def test_the_picker_takes_the_pod_with_the_shortest_queue() -> None:
    assert _picked({"a": (4, 0.1), "b": (0, 0.1), "c": (2, 0.1)}, "a", "b", "c") == "b"


def test_the_picker_takes_the_emptier_kv_cache_when_queues_are_equal() -> None:
    assert _picked({"a": (1, 0.9), "b": (1, 0.2)}, "a", "b") == "b"


def test_queue_and_kv_cache_weigh_the_same() -> None:
    # a: queue score 1 (shortest), KV 0.1 -> 2*1 + 2*0.1 = 2.2; b: queue 0, KV 1.0 -> 2.0
    assert _picked({"a": (0, 0.9), "b": (3, 0.0)}, "a", "b") == "a"
    # a: 2*1 + 2*0.0 = 2.0; b: 2*0 + 2*1.0 = 2.0 minus nothing: a tie, the first by name
    assert _picked({"a": (0, 1.0), "b": (3, 0.0)}, "a", "b") == "a"


def test_without_figures_the_first_pod_by_name_is_picked() -> None:
    assert _picked(None, "a", "b") == "a"


# ---- request headers, and the body-based router's (tests/emulators/kube/controllers/gateway_bbr.py)


def test_a_header_match_takes_the_name_in_any_case_and_the_value_exactly() -> None:
    match = {"headers": [{"type": "Exact", "name": "X-Gateway-Model-Name", "value": "phi-4"}]}
    assert _matches(match, "POST", "/v1/chat/completions", {}, {"x-gateway-model-name": "phi-4"})
    assert not _matches(match, "POST", "/v1/chat/completions", {}, {"x-gateway-model-name": "Phi-4"})
    assert not _matches(match, "POST", "/v1/chat/completions", {}, {})


def test_bbr_copies_the_bodys_model_into_the_header() -> None:
    after = headers_after({"Content-Type": "application/json"}, b'{"model": "phi-4", "messages": []}')
    assert after == {"content-type": "application/json", "x-gateway-model-name": "phi-4"}


def test_bbr_leaves_a_request_without_a_body_or_without_a_model_as_it_came() -> None:
    assert headers_after({"Accept": "*/*"}, b"") == {"accept": "*/*"}
    assert headers_after({}, b'{"model": ""}') == {}


def test_bbr_refuses_a_body_that_is_not_json() -> None:
    assert headers_after({}, b"model=phi-4") == (
        400,
        "failed to parse request body: Expecting value: line 1 column 1 (char 0)",
    )


def test_bbr_refuses_a_json_body_that_is_not_an_object_as_encoding_json_does() -> None:
    # upstream: gateway-api-inference-extension v1.5.0 pkg/bbr/framework/types.go Body map[string]any
    assert headers_after({}, b'[{"model": "phi-4"}]') == (
        400,
        "failed to parse request body: json: cannot unmarshal array into Go value of type map[string]interface {}",
    )
    assert headers_after({}, b"null") == {}


def test_bbr_writes_a_model_that_is_no_string_as_gos_percent_v_does() -> None:
    # upstream: body_field_to_header.go fmt.Sprintf("%v", rawFieldValue) of encoding/json's any
    def header(model: str) -> object:
        after = headers_after({}, b'{"model": ' + model.encode() + b"}")
        return after.get("x-gateway-model-name") if isinstance(after, dict) else after

    assert header("null") == "<nil>"
    assert header("7") == "7"
    assert header("1234567") == "1.234567e+06"
    assert header("0.00001") == "1e-05"
    assert header("true") == "true"
    assert header('["a", 2]') == "[a 2]"
    assert header('{"b": 1, "a": "x"}') == "map[a:x b:1]"


class _ConfigMaps:
    """The lab cluster's ConfigMap list, as gateway_bbr reads it."""

    def __init__(self, *items: dict[str, object]) -> None:
        self.items = items

    def list(self, api_version: str, kind: str, namespace: str | None) -> list[dict[str, object]]:
        return [i for i in self.items if namespace is None or i["metadata"]["namespace"] == namespace]  # type: ignore[index]


BBR_DEPLOYMENT = {"metadata": {"name": "body-based-router", "namespace": "default"}, "spec": {}}
ADAPTERS = {
    "metadata": {
        "name": "qwen-adapters",
        "namespace": "default",
        "labels": {"inference.networking.k8s.io/bbr-managed": "true"},
    },
    "data": {"baseModel": "Qwen/Qwen3-32B", "adapters": "- food-review-1\n"},
}


def test_bbr_sets_an_adapters_base_model_from_its_configmaps() -> None:
    # upstream: gateway-api-inference-extension v1.5.0 pkg/bbr/plugins/basemodelextractor
    cluster = _ConfigMaps(ADAPTERS)
    after = headers_after({}, b'{"model": "food-review-1"}', cluster, BBR_DEPLOYMENT)
    assert after == {"x-gateway-model-name": "food-review-1", "x-gateway-base-model-name": "Qwen/Qwen3-32B"}
    base = headers_after({}, b'{"model": "Qwen/Qwen3-32B"}', cluster, BBR_DEPLOYMENT)
    assert isinstance(base, dict) and base["x-gateway-base-model-name"] == "Qwen/Qwen3-32B"


def test_bbr_sets_an_empty_base_model_for_a_model_no_configmap_names() -> None:
    after = headers_after({}, b'{"model": "phi-4"}', _ConfigMaps(ADAPTERS), BBR_DEPLOYMENT)
    assert isinstance(after, dict) and after["x-gateway-base-model-name"] == ""


def test_bbr_runs_only_the_plugins_its_args_name_with_their_header() -> None:
    container = {"args": ["--plugin", 'body-field-to-header:m:{"fieldName":"model","headerName":"X-Model"}']}
    deployment = {**BBR_DEPLOYMENT, "spec": {"template": {"spec": {"containers": [container]}}}}
    after = headers_after({}, b'{"model": "food-review-1"}', _ConfigMaps(ADAPTERS), deployment)
    assert after == {"x-model": "food-review-1"}
