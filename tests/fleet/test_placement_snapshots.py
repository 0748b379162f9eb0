"""`fleet placement status` and `list` say which resource snapshot each member's conditions are about.

Each member's conditions describe its own observedResourceIndex (kubefleet-dev/kubefleet e160c1cd
apis/placement/v1beta1/clusterresourceplacement_types.go PerClusterPlacementStatus). Under an External
strategy a member keeps its binding's snapshot until an update run moves it
(pkg/controllers/placement/placement_status.go setPerClusterPlacementStatus), so while a second run
waits at its canary's approval the production members are Available on the older snapshot."""

from __future__ import annotations

import json

from akscli.fleet.placement import PlacementRequest, build
from akscli.fleet.rollout import run_objects, strategy_objects
from akscli.fleet.stages import parse_stages
from tests.cli import invoke
from tests.fleet.conftest import Hub


def _ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result
    return result.stdout


def _second_run_at_the_canary_gate(hub: Hub) -> None:
    """run-1 puts snapshot 0 everywhere; a changed ConfigMap and run-2 put snapshot 1 on the canary,
    which then waits for approval."""
    objects = build(PlacementRequest(name="llm", selects=["namespace/llm"], external=True))
    stages = ["canary;labels=env=staging;after=approval", "prod;labels=env=prod"]
    objects += strategy_objects("canary-first", None, parse_stages(stages))
    for obj in objects:
        hub.cluster.create(obj)
    hub.settle()
    for obj in run_objects("run-1", None, "llm", "canary-first", None, start=True):
        hub.cluster.create(obj)
    hub.settle()
    _ok("fleet", "approve", "run-1", "--wait", "--timeout", "20s")
    hub.settle()
    hub.cluster.patch("v1", "ConfigMap", "llm", "model-config", {"data": {"model": "phi-4-mini"}})
    for obj in run_objects("run-2", None, "llm", "canary-first", None, start=True):
        hub.cluster.create(obj)
    hub.settle()


def test_status_says_which_members_are_still_on_the_older_snapshot(hub: Hub) -> None:
    _second_run_at_the_canary_gate(hub)
    status = json.loads(_ok("fleet", "placement", "status", "llm", "-o", "json"))
    assert {r["cluster"]: (r["state"], r["snapshot"]) for r in status["clusters"]} == {
        "canary": ("Available", "1"),
        "cpu-west": ("Available", "0"),
        "gpu-east": ("Available", "0"),
    }
    assert status["placement"]["snapshots"] == {"1": ["canary"], "0": ["cpu-west", "gpu-east"]}
    table = _ok("fleet", "placement", "status", "llm").splitlines()
    # Before: "3/3 member(s) available" and nothing else, as if every member had the new ConfigMap.
    assert table[0] == (
        "ClusterResourcePlacement llm: PickAll, External, 3/3 member(s) available, "
        "on 2 resource snapshots (1: canary; 0: cpu-west, gpu-east)"
    )
    header = table.index(next(line for line in table if line.startswith("CLUSTER")))
    assert table[header].split()[:3] == ["CLUSTER", "STATE", "SNAPSHOT"]
    assert table[header + 2].split()[:3] == ["cpu-west", "Available", "0"]


def test_list_wide_shows_the_snapshots_in_use(hub: Hub) -> None:
    _second_run_at_the_canary_gate(hub)
    lines = _ok("fleet", "placement", "list", "-o", "wide").splitlines()
    header = lines[0].split()
    row = dict(zip(header, lines[1].split(), strict=False))
    assert row["SNAPSHOTS"] == "1,0"


def test_a_rolling_placement_keeps_its_table_and_one_snapshot(hub: Hub) -> None:
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    table = _ok("fleet", "placement", "status", "llm").splitlines()
    assert table[0] == "ClusterResourcePlacement llm: PickAll, RollingUpdate, 3/3 member(s) available"
    assert "SNAPSHOT" not in next(line for line in table if line.startswith("CLUSTER"))
    wide = _ok("fleet", "placement", "status", "llm", "-o", "wide").splitlines()
    assert next(line for line in wide if line.startswith("CLUSTER")).split()[:3] == ["CLUSTER", "STATE", "SNAPSHOT"]


def test_the_headline_names_a_few_members_per_snapshot() -> None:
    from akscli.fleet.placement_status import describe

    summary = {
        "kind": "ClusterResourcePlacement",
        "name": "llm",
        "placementType": "PickAll",
        "strategy": "External",
        "available": 6,
        "clusters": 6,
        "conditions": {},
        "snapshots": {"2": ["a"], "1": ["b", "c", "d", "e", "f"]},
    }
    assert describe(summary)[0].endswith("on 2 resource snapshots (2: a; 1: b, c, d and 2 more)")
