"""``fleet place --override ... --wait`` ends once the members the override applies to have rolled out
its latest snapshot. KubeFleet's override controller snapshots an override on its own work queue,
and the placement shows its last rollout, complete, until the rollout controller has bound the
members with the new snapshot (upstream: kubefleet-dev/kubefleet e160c1cd
pkg/controllers/overrider/clusterresource_controller.go, pkg/utils/overrider/overrider.go,
pkg/controllers/placement/placement_status.go setResourcePlacementStatusBasedOnBinding). The
simulator's ``override_lag`` stands for that queue's latency."""

from __future__ import annotations

from typing import Any

import yaml

from akscli.fleet import place_wait
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from tests.cli import invoke
from tests.fleet.conftest import Hub

P1 = "placement.kubernetes-fleet.io/v1"
LATEST = "kubernetes-fleet.io/is-latest-snapshot"


def _place(*flags: str) -> Any:
    result = invoke(
        "fleet", "place", "llm", "--select", "namespace/llm", *flags, "--wait", "--timeout", "20s", "-y"
    )  # fmt: skip
    assert result.exit_code == 0, result
    return result


def _applicable(hub: Hub) -> dict[str, list[str]]:
    rows = hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]
    return {r["clusterName"]: r.get("applicableClusterResourceOverrides") or [] for r in rows}


def test_a_changed_override_is_waited_for_until_its_new_snapshot_is_rolled_out(hub: Hub) -> None:
    _place("--override", 'env=prod@/metadata/labels/tier="gpu"')
    hub.controller.override_lag = 0.5
    # The placement is unchanged and Available for its generation: only the new snapshot tells.
    _place("--override", 'env=prod@/metadata/labels/tier="cpu"')
    assert _applicable(hub) == {"gpu-east": ["llm-override-1"], "cpu-west": ["llm-override-1"], "canary": []}


def test_a_new_placement_is_waited_for_until_its_override_is_snapshot_and_rolled_out(hub: Hub) -> None:
    # The first rollout goes out without the override while its snapshot is not made yet.
    hub.controller.override_lag = 0.5
    _place("--override", '@/metadata/labels/tier="gpu"')
    assert set(map(tuple, _applicable(hub).values())) == {("llm-override-0",)}


def test_the_override_controller_keeps_one_latest_snapshot_per_override(hub: Hub) -> None:
    _place("--override", '@/metadata/labels/tier="gpu"')
    _place("--override", '@/metadata/labels/tier="cpu"')
    snapshots = {s["metadata"]["name"]: s for s in hub.cluster.list(P1, "ClusterResourceOverrideSnapshot")}
    assert {n: s["metadata"]["labels"][LATEST] for n, s in snapshots.items()} == {
        "llm-override-0": "false",
        "llm-override-1": "true",
    }
    latest = snapshots["llm-override-1"]
    assert latest["metadata"]["labels"]["kubernetes-fleet.io/parent-resource-override"] == "llm-override"
    assert latest["spec"]["overrideSpec"] == hub.get("ClusterResourceOverride", "llm-override")["spec"]


def test_deleting_the_placement_and_its_override_deletes_the_override_snapshots(hub: Hub) -> None:
    _place("--override", '@/metadata/labels/tier="gpu"')
    assert invoke("fleet", "placement", "delete", "llm", "-y").exit_code == 0
    hub.settle()
    assert hub.cluster.list(P1, "ClusterResourceOverrideSnapshot") == []


def _override(selector: dict[str, Any] | None) -> dict[str, Any]:
    rule: dict[str, Any] = {"overrideType": "Delete"}
    if selector is not None:
        rule["clusterSelector"] = selector
    return {"kind": "ClusterResourceOverride", "spec": {"policy": {"overrideRules": [rule]}}}


def test_an_override_rule_matches_members_as_kubefleet_does() -> None:
    # IsClusterMatched: no clusterSelector matches nothing, no terms everything, else a term's labels.
    prod = {"env": "prod"}
    assert not place_wait.cluster_matched(_override(None), prod)
    assert place_wait.cluster_matched(_override({"clusterSelectorTerms": []}), prod)
    term = {"clusterSelectorTerms": [{"labelSelector": {"matchLabels": {"env": "staging"}}}]}
    assert not place_wait.cluster_matched(_override(term), prod)
    assert place_wait.cluster_matched(_override(term), {"env": "staging"})


def test_an_override_of_nothing_the_placement_holds_is_not_waited_for() -> None:
    # addCandidatesFromResource: a ClusterResourceOverride counts through the Namespace of what is held.
    override = {"kind": "ClusterResourceOverride", "metadata": {"name": "o"}, "spec": {"clusterResourceSelectors": [
        {"group": "", "version": "v1", "kind": "Namespace", "name": "other"}]}}  # fmt: skip
    held = [{"group": "", "version": "v1", "kind": "ConfigMap", "name": "c", "namespace": "llm"}]
    assert not place_wait.selects_placed(override, held)
    assert place_wait.selects_placed(override, [*held, {"version": "v1", "kind": "ConfigMap", "namespace": "other"}])


def test_a_member_relabelled_during_the_wait_is_judged_by_its_labels_now(hub: Hub, kubeconfig: Any) -> None:
    flags = ("fleet", "place", "llm", "--select", "namespace/llm", "--override", 'env=prod@/metadata/labels/tier="gpu"')
    objects = list(yaml.safe_load_all(invoke(*flags, "--dry-run=client", "-o", "yaml").stdout))
    _place("--override", 'env=prod@/metadata/labels/tier="gpu"')
    placed = hub.get("ClusterResourcePlacement", "llm")  # canary (staging) holds no override snapshot
    make = place_wait.rule_for(objects)
    assert make is not None
    rule = make(connect(KubeTarget(kubeconfig=str(kubeconfig))))
    assert rule(placed).ready
    hub.cluster.patch("cluster.kubernetes-fleet.io/v1", "MemberCluster", None, "canary",
                      {"metadata": {"labels": {"env": "prod"}}})  # fmt: skip
    verdict = rule(placed)
    assert not verdict.ready
    assert "not rolled out to canary (has none)" in verdict.message
