"""Which DestinationRule an Istio gateway applies to the endpoint picker's host, as istiod resolves
it (istio/istio 1.29.6 pilot/pkg/model/push_context.go destinationRule and setDestinationRules,
destination_rule.go mergeDestinationRule, config.go ResolveShortnameToFQDN)."""

from __future__ import annotations

from typing import Any

from akscli.model.destination_rules import applied

HOST = "epp.models.svc.cluster.local"


def rule(name: str, namespace: str, mode: str, host: str = HOST, created: str = "2026-01-01T00:00:00Z", **spec: Any):
    return {
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": created},
        "spec": {"host": host, "trafficPolicy": {"tls": {"mode": mode}}, **spec},
    }


def mode(rules: list[dict[str, Any]], client: str = "gateways") -> str | None:
    found = applied(rules, HOST, "models", client)
    return None if found is None else found.policy["tls"]["mode"]


def test_a_rule_of_the_gateways_namespace_comes_before_the_services_namespace() -> None:
    assert mode([rule("a", "models", "SIMPLE"), rule("b", "gateways", "DISABLE")]) == "DISABLE"


def test_a_rule_the_services_namespace_keeps_to_itself_is_not_seen_from_the_gateways() -> None:
    assert mode([rule("a", "models", "SIMPLE", exportTo=["."])]) is None


def test_a_rule_exported_to_the_gateways_namespace_is_seen() -> None:
    assert mode([rule("a", "models", "SIMPLE", exportTo=["gateways"])]) == "SIMPLE"


def test_a_rule_of_the_root_namespace_applies_where_no_other_does() -> None:
    assert mode([rule("a", "aks-istio-system", "SIMPLE")]) == "SIMPLE"


def test_a_rule_of_the_services_namespace_comes_before_the_root_namespace() -> None:
    assert mode([rule("a", "aks-istio-system", "SIMPLE"), rule("b", "models", "DISABLE")]) == "DISABLE"


def test_a_short_host_names_a_service_of_the_rules_own_namespace() -> None:
    # "epp" in the root namespace is epp.aks-istio-system.svc.cluster.local, not the picker.
    assert mode([rule("a", "aks-istio-system", "SIMPLE", host="epp")]) is None
    assert mode([rule("a", "models", "SIMPLE", host="epp")]) == "SIMPLE"


def test_the_exact_host_comes_before_a_wildcard_and_the_longest_wildcard_before_a_shorter() -> None:
    wide, narrow = (
        rule("w", "models", "DISABLE", host="*.svc.cluster.local"),
        rule("n", "models", "SIMPLE", host="*.models.svc.cluster.local"),
    )
    assert mode([wide, narrow]) == "SIMPLE"
    assert mode([wide, narrow, rule("e", "models", "MUTUAL")]) == "MUTUAL"


def test_of_two_rules_for_one_host_the_older_ones_traffic_policy_stays() -> None:
    older = rule("z-old", "models", "SIMPLE", created="2026-01-01T00:00:00Z")
    newer = rule("a-new", "models", "DISABLE", created="2026-02-01T00:00:00Z")
    found = applied([newer, older], HOST, "models", "gateways")
    assert found is not None and found.policy["tls"]["mode"] == "SIMPLE"
    assert found.names == ["models/z-old", "models/a-new"]


GATEWAY_POD = {"gateway.networking.k8s.io/gateway-name": "shared", "app": "shared"}


def selected(rules: list[dict[str, Any]], labels: dict[str, str] = GATEWAY_POD, **kwargs: Any) -> str | None:
    found = applied(rules, HOST, "models", "gateways", client_labels=labels, **kwargs)
    return None if found is None else found.policy["tls"]["mode"]


def test_a_rule_whose_workload_selector_does_not_select_the_proxy_does_not_apply() -> None:
    assert selected([rule("a", "gateways", "SIMPLE", workloadSelector={"matchLabels": {"app": "x"}})]) is None


def test_a_rule_that_selects_the_proxy_comes_before_its_namespaces_rule_without_a_selector() -> None:
    older = rule("all", "gateways", "DISABLE", created="2025-01-01T00:00:00Z")
    mine = rule("mine", "gateways", "SIMPLE", workloadSelector={"matchLabels": {"app": "shared"}})
    assert selected([older, mine]) == "SIMPLE"
    assert selected([older, mine], labels={"app": "other"}) == "DISABLE"


def test_a_selecting_rule_of_the_proxys_namespace_hides_the_services_namespace_even_when_it_does_not_select() -> None:
    # destinationRule returns the proxy namespace's rules; SidecarScope.DestinationRule finds no
    # rule among them for this proxy.
    other = rule("other", "gateways", "SIMPLE", workloadSelector={"matchLabels": {"app": "x"}})
    assert selected([other, rule("b", "models", "DISABLE")]) is None


def test_a_selecting_rule_is_never_exported_whatever_its_export_to() -> None:
    theirs = rule("a", "models", "SIMPLE", workloadSelector={"matchLabels": {"app": "shared"}}, exportTo=["*"])
    assert selected([theirs]) is None


def test_two_rules_selecting_the_same_pods_merge_and_the_older_policy_stays() -> None:
    labels = {"matchLabels": {"app": "shared"}}
    older = rule("z", "gateways", "SIMPLE", created="2025-01-01T00:00:00Z", workloadSelector=labels)
    newer = rule("a", "gateways", "DISABLE", created="2026-01-01T00:00:00Z", workloadSelector=labels)
    found = applied([newer, older], HOST, "models", "gateways", client_labels=GATEWAY_POD)
    assert found is not None and found.policy["tls"]["mode"] == "SIMPLE"
    assert found.names == ["gateways/z", "gateways/a"]


def test_a_mesh_default_export_to_of_dot_keeps_rules_without_export_to_private() -> None:
    assert selected([rule("a", "models", "SIMPLE")], default_export_to=frozenset({"."})) is None
    assert selected([rule("a", "models", "SIMPLE", exportTo=["*"])], default_export_to=frozenset({"."})) == "SIMPLE"


def test_a_private_rule_without_a_selector_is_merged_into_a_selecting_rule_and_catches_no_other_proxy() -> None:
    # mergeDestinationRule: equal exportTo ("."), one rule with a selector and one without: merged,
    # not appended on its own, so SidecarScope.DestinationRule has no catch-all.
    selecting = rule("s", "gateways", "SIMPLE", workloadSelector={"matchLabels": {"app": "x"}})
    assert selected([selecting, rule("p", "gateways", "DISABLE", exportTo=["."])]) is None
    assert selected([selecting, rule("p", "gateways", "DISABLE")]) == "DISABLE"
