"""Each caller of akscli's one LabelSelector matcher keeps its own upstream's rule for a null
selector and for one upstream cannot read (akscli.kube.label_selector says only what
LabelSelectorAsSelector says: null nothing, {} everything)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.errors import UsageError
from akscli.fleet import matching, pacing_change, stages
from akscli.kube import pod_affinity, pod_problems, scheduling
from akscli.model import gateway_checks, monitoring
from akscli.policy import engine as policy

BAD = {"matchExpressions": [{"key": "app", "operator": "Equals", "values": ["x"]}]}


# ---- the scheduler's pod affinity (framework/types.go newAffinityTerm) ---------------------------


def _term(**fields: Any) -> dict[str, Any]:
    return {"topologyKey": "kubernetes.io/hostname", **fields}


def _owner(namespace: str = "serving") -> dict[str, Any]:
    return {"metadata": {"namespace": namespace}}


NEW = {"namespace": "serving", "labels": {"app": "llm"}}


def test_an_affinity_term_without_a_label_selector_selects_no_pod() -> None:
    assert not pod_affinity.term_selects(_term(), _owner(), NEW, {})


def test_an_affinity_term_with_an_empty_label_selector_selects_every_pod_of_its_namespaces() -> None:
    assert pod_affinity.term_selects(_term(labelSelector={}), _owner(), NEW, {})


def test_an_empty_namespace_selector_selects_every_namespace() -> None:
    term = _term(labelSelector={}, namespaceSelector={})
    assert pod_affinity.term_selects(term, _owner("elsewhere"), NEW, {"team": "a"})


def test_an_affinity_term_the_scheduler_cannot_read_selects_no_pod() -> None:
    assert not pod_affinity.term_selects(_term(labelSelector=BAD), _owner(), NEW, {})


# ---- the NodeAffinity filter (component-helpers nodeaffinity.go) -----------------------------------


def _pod_with_terms(*terms: dict[str, Any]) -> dict[str, Any]:
    required = {"nodeSelectorTerms": list(terms)}
    return {"spec": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": required}}}}


NODE = {"metadata": {"name": "aks-gpu-0", "labels": {"zone": "1"}}}


def test_a_node_term_upstream_cannot_read_keeps_the_pod_off_even_where_its_key_exists() -> None:
    # NewRequirement refuses values with Exists: the term matches nothing
    unreadable = {"matchExpressions": [{"key": "zone", "operator": "Exists", "values": ["1"]}]}
    assert not scheduling.matches_node_affinity(_pod_with_terms(unreadable), NODE)


def test_another_term_still_lets_the_pod_on_beside_an_unreadable_one() -> None:
    unreadable = {"matchExpressions": [{"key": "zone", "operator": "Exists", "values": ["1"]}]}
    readable = {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["1"]}]}
    assert scheduling.matches_node_affinity(_pod_with_terms(unreadable, readable), NODE)


def test_match_fields_are_skipped_for_a_node_known_only_by_its_labels() -> None:
    # a PV's node affinity is checked against labels alone (volume CheckNodeAffinity)
    by_name = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["aks-gpu-0"]}]}
    assert scheduling.matches_node_affinity(_pod_with_terms(by_name), {"metadata": {"labels": {"zone": "1"}}})
    assert not scheduling.matches_node_affinity(_pod_with_terms(by_name), {"metadata": {"name": "aks-gpu-1"}})


# ---- KubeFleet ----------------------------------------------------------------------------------------


def _member(name: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels}}


MEMBERS = [_member("a", env="prod"), _member("b", env="dev")]


def _affinity(*terms: dict[str, Any]) -> dict[str, Any]:
    terms_ = {"clusterSelectorTerms": list(terms)}
    return {"affinity": {"clusterAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": terms_}}}


def test_a_cluster_selector_term_without_a_label_selector_takes_every_member() -> None:
    # clusteraffinity/types.go clusterRequirement.Matches skips a nil labelSelector
    assert matching.matching_members(_affinity({}), MEMBERS) == ["a", "b"]


def test_a_cluster_selector_term_kubefleet_cannot_read_is_refused() -> None:
    with pytest.raises(UsageError, match="a clusterSelectorTerm has a label selector KubeFleet cannot read"):
        matching.matching_members(_affinity({"labelSelector": BAD}), MEMBERS)


def _override(*terms: dict[str, Any]) -> dict[str, Any]:
    rule = {"clusterSelector": {"clusterSelectorTerms": list(terms)}}
    return {"metadata": {"name": "o"}, "spec": {"policy": {"overrideRules": [rule]}}}


def test_an_override_term_without_a_label_selector_selects_no_member() -> None:
    # overrider.go IsClusterMatched: LabelSelectorAsSelector(nil) is labels.Nothing()
    assert not pacing_change.overridden(_override({}), MEMBERS[0])


def test_an_override_term_with_an_empty_label_selector_selects_every_member() -> None:
    assert pacing_change.overridden(_override({"labelSelector": {}}), MEMBERS[1])


def test_a_stage_without_a_label_selector_holds_no_member() -> None:
    assert not matching.label_selector_matches(None, {"env": "prod"}, "stage s")


def _stages_shown(*stage_list: dict[str, Any]) -> str:
    fields = dict(stages.hub_strategy_fields({"metadata": {"name": "s"}, "spec": {"stages": list(stage_list)}}))
    return str(fields["stages"])


def test_a_stage_without_a_label_selector_is_shown_to_pick_no_member() -> None:
    # stageupdate_types.go: a nil selector includes no cluster, {} every selected one
    assert _stages_shown({"name": "canary"}, {"name": "rest", "labelSelector": {}}) == (
        "canary: no members; rest: all members"
    )


def test_a_stage_selector_is_shown_as_minus_l_takes_it() -> None:
    selector = {"matchLabels": {"env": "prod"}, "matchExpressions": [{"key": "canary", "operator": "DoesNotExist"}]}
    assert _stages_shown({"name": "prod", "labelSelector": selector}) == "prod: !canary,env=prod"


# ---- the eviction API's PodDisruptionBudget ----------------------------------------------------------


def _pdb_findings(selector: dict[str, Any] | None) -> set[str]:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "llm", "namespace": "serving"},
        "spec": {"replicas": 3, "template": {"metadata": {"labels": {"app": "llm"}}, "spec": {"containers": []}}},
    }
    spec: dict[str, Any] = {"minAvailable": 1} | ({} if selector is None else {"selector": selector})
    budget = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "b", "namespace": "serving"},
    }
    found = policy.evaluate([deployment, {**budget, "spec": spec}], policy.PolicyConfig())
    return {f.rule for f in found if f.rule == "pdb-missing"}


def test_a_pdb_with_an_empty_selector_guards_every_pod_of_its_namespace() -> None:
    assert _pdb_findings({}) == set()


def test_a_pdb_without_a_selector_guards_no_pod() -> None:
    assert _pdb_findings(None) == {"pdb-missing"}


def test_a_pdb_whose_selector_the_eviction_api_cannot_read_guards_no_pod() -> None:
    assert _pdb_findings(BAD) == {"pdb-missing"}


# ---- the Prometheus Operator --------------------------------------------------------------------------


def _prometheus(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"namespace": "monitoring", "name": "k8s"}, "spec": spec}


def test_an_empty_pod_monitor_selector_selects_every_pod_monitor() -> None:
    scraper, _ = monitoring.scraper_of(
        _prometheus(podMonitorSelector={}, podMonitorNamespaceSelector={}), "serving", {}, {"app": "llm"}
    )
    assert scraper is not None


def test_a_pod_monitor_selector_the_operator_cannot_read_selects_nothing_and_says_why() -> None:
    scraper, why = monitoring.scraper_of(
        _prometheus(podMonitorSelector=BAD, podMonitorNamespaceSelector={}), "serving", {}, {"app": "llm"}
    )
    assert scraper is None
    assert why == (
        "monitoring/k8s's podMonitorSelector cannot be read "
        '("Equals" is not a valid label selector operator), so it selects nothing'
    )


def test_a_namespace_selector_the_operator_cannot_read_selects_no_namespace() -> None:
    scraper, why = monitoring.scraper_of(
        _prometheus(podMonitorSelector={}, podMonitorNamespaceSelector=BAD), "serving", {}, {"app": "llm"}
    )
    assert scraper is None
    assert "podMonitorNamespaceSelector cannot be read" in why


# ---- a Gateway listener's allowedRoutes (istio namespacesFromSelector) ----------------------------------


def test_a_listener_with_from_selector_and_no_selector_admits_every_namespace() -> None:
    assert gateway_checks._listener_selects(None, {"kubernetes.io/metadata.name": "serving"})


def test_a_listener_selector_the_implementation_cannot_read_admits_no_namespace() -> None:
    assert not gateway_checks._listener_selects(BAD, {"app": "x"})


# ---- a workload's pods, listed by its selector ----------------------------------------------------------


def test_a_workload_selector_upstream_cannot_read_lists_no_pods() -> None:
    assert pod_problems.selector_string(BAD) is None
