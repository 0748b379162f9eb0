"""The lab's gateway matches a request as the Gateway API says (kubernetes-sigs/gateway-api v1.6.1
apis/v1/httproute_types.go: PathMatchType, HTTPRouteRule.Matches precedence)."""

from __future__ import annotations

from tests.emulators.kube.controllers.gateway_dataplane import _matches, _path_matches, _precedence


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
