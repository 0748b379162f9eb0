"""``fleet rollout create``: an offline --dry-run for ARM upgrade runs, and hub runs created only once
their placement is scheduled (#13 items 3 and 7)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli import invoke
from tests.fleet.conftest import Hub

# No credential and no reachable ARM: a client dry run must not need either.
OFFLINE = {
    "AZURE_SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000000",
    "AKSCLI_ARM_ENDPOINT": "https://127.0.0.1:9",
    "AZURE_CLIENT_ID": None,
    "AZURE_TENANT_ID": None,
    "AZURE_CLIENT_SECRET": None,
    "AZURE_FEDERATED_TOKEN_FILE": None,
    "IDENTITY_ENDPOINT": None,
    "MSI_ENDPOINT": None,
}


def test_arm_upgrade_run_dry_run_prints_the_request_offline() -> None:
    result = invoke(
        "fleet", "rollout", "create", "r1", "--fleet", "fleet1", "-g", "rg1",
        "--kubernetes-version", "1.33.2", "--strategy", "strategy1", "--dry-run=client", "-o", "json",
        env=OFFLINE,
    )  # fmt: skip
    assert result.exit_code == 0, result
    request = json.loads(result.stdout)
    assert request["method"] == "PUT"
    assert request["url"] == (
        "https://127.0.0.1:9/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers"
        "/Microsoft.ContainerService/fleets/fleet1/updateRuns/r1?api-version=2026-06-01"
    )
    props = request["body"]["properties"]
    # updateStrategyId as the official example UpdateRuns_CreateOrUpdate.json writes it.
    assert props["updateStrategyId"] == (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers"
        "/Microsoft.ContainerService/fleets/fleet1/updateStrategies/strategy1"
    )
    assert props["managedClusterUpdate"]["upgrade"] == {"type": "Full", "kubernetesVersion": "1.33.2"}
    assert "not checked against the fleet" in result.stderr


def test_arm_upgrade_run_dry_run_with_start_prints_the_put_then_the_start() -> None:
    result = invoke(
        "fleet", "rollout", "create", "r1", "--fleet", "fleet1", "-g", "rg1", "--upgrade-type", "NodeImageOnly",
        "--start", "--dry-run", "-o", "json",
        env=OFFLINE,
    )  # fmt: skip
    assert result.exit_code == 0, result
    put, start = json.loads(result.stdout)
    assert (put["method"], put["url"].split("?")[0].rsplit("/", 2)[-2:]) == ("PUT", ["updateRuns", "r1"])
    assert (start["method"], start["url"].split("?")[0].rsplit("/", 1)[-1]) == ("POST", "start")


def test_hub_run_dry_run_prints_the_run_offline() -> None:
    result = invoke(
        "fleet", "rollout", "create", "r1", "--placement", "llm", "--strategy", "s", "--dry-run=client",
        env={"KUBECONFIG": "/nonexistent/kubeconfig"},
    )  # fmt: skip
    assert result.exit_code == 0, result
    assert "kind: ClusterStagedUpdateRun" in result.stdout


def test_hub_run_created_right_after_its_placement_waits_for_the_schedule(hub: Hub) -> None:
    # A run that initializes before its placement is scheduled fails for good
    # (kubefleet pkg/controllers/updaterun/initialization.go); akscli waits for the schedule first.
    hub.controller.delay = 0.3
    assert invoke("fleet", "rollout", "strategy", "create", "all", "--stage", "all;max=100%", "-y").exit_code == 0
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "--external", "-y").exit_code == 0
    made = invoke("fleet", "rollout", "create", "run-1", "--placement", "llm", "--strategy", "all", "--start", "-y")
    assert made.exit_code == 0, made
    hub.settle()
    run = hub.get("ClusterStagedUpdateRun", "run-1")
    conds = {c["type"]: c for c in run["status"]["conditions"]}
    assert conds["Initialized"]["status"] == "True", conds


# A run whose placement or strategy the hub cannot use fails to initialize for good
# (kubefleet-dev/kubefleet pkg/controllers/updaterun/initialization.go, validatePlacement;
# controller.go never retries it): akscli refuses it before it is sent.


def test_hub_run_of_a_placement_without_external_strategy_is_refused_before_it_is_sent(hub: Hub) -> None:
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y").exit_code == 0
    assert invoke("fleet", "rollout", "strategy", "create", "s", "--stage", "all", "-y").exit_code == 0
    result = invoke("fleet", "rollout", "create", "run-1", "--placement", "llm", "--strategy", "s", "-y")
    assert result.exit_code == 2, result
    assert "rolls out by itself (strategy RollingUpdate)" in result.stderr
    assert "--external" in result.stderr
    assert hub.cluster.get("placement.kubernetes-fleet.io/v1", "ClusterStagedUpdateRun", None, "run-1") is None


def test_hub_run_of_a_missing_strategy_is_refused_before_it_is_sent(hub: Hub) -> None:
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "--external", "-y").exit_code == 0
    result = invoke("fleet", "rollout", "create", "run-1", "--placement", "llm", "--strategy", "nope", "-y")
    assert result.exit_code == 3, result
    assert "staged update strategy 'nope' not found" in result.stderr
    assert hub.cluster.get("placement.kubernetes-fleet.io/v1", "ClusterStagedUpdateRun", None, "run-1") is None


def test_hub_run_of_a_missing_placement_is_refused_without_waiting_for_its_schedule(hub: Hub) -> None:
    assert invoke("fleet", "rollout", "strategy", "create", "s", "--stage", "all", "-y").exit_code == 0
    result = invoke("fleet", "rollout", "create", "run-1", "--placement", "nope", "--strategy", "s", "-y")
    assert result.exit_code == 3, result
    assert "ClusterResourcePlacement 'nope' not found" in result.stderr
    assert "--external" in result.stderr


# Once the placement is scheduled, the strategy must place each scheduled member in exactly one
# stage, with an integer sorting label (initialization.go, computeRunStageStatus).


def _external_and_strategy(*stages: str) -> None:
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "--external", "-y").exit_code == 0
    args = [arg for stage in stages for arg in ("--stage", stage)]
    assert invoke("fleet", "rollout", "strategy", "create", "s", *args, "-y").exit_code == 0


def _create_run() -> Any:
    return invoke("fleet", "rollout", "create", "run-1", "--placement", "llm", "--strategy", "s", "-y")


def test_hub_run_whose_strategy_leaves_a_member_out_is_refused(hub: Hub) -> None:
    _external_and_strategy("prod;labels=env=prod")
    result = _create_run()
    assert result.exit_code == 2, result
    assert "scheduled on canary, which no stage of strategy s selects" in result.stderr
    assert hub.cluster.get("placement.kubernetes-fleet.io/v1", "ClusterStagedUpdateRun", None, "run-1") is None


def test_hub_run_whose_stages_overlap_is_refused(hub: Hub) -> None:
    _external_and_strategy("prod;labels=env=prod", "all")
    result = _create_run()
    assert result.exit_code == 2, result
    assert "member cpu-west is in stages prod and all of strategy s" in result.stderr


def test_hub_run_whose_sorting_label_is_missing_on_a_member_is_refused(hub: Hub) -> None:
    _external_and_strategy("canary;labels=env=staging;sort=order", "prod;labels=env=prod")
    result = _create_run()
    assert result.exit_code == 2, result
    assert "member canary of stage canary has no whole number in its sorting label order ('')" in result.stderr


# A run naming a resource snapshot index its placement has none of fails to initialize for good
# (kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/initialization.go,
# getResourceSnapshotObjs: "no resourceSnapshots with index `N` found for placement").


def _snapshot_runs(hub: Hub, count: int) -> None:
    """``count`` resource snapshots of placement llm, as the hub makes them: each run naming no index
    snapshots what the placement selects when it initializes (getResourceSnapshotObjs), a new index
    once the content changed (GetOrCreateResourceSnapshot)."""
    for n in range(count):
        if n:
            hub.cluster.patch("v1", "ConfigMap", "llm", "model-config", {"data": {"model": f"phi-4-v{n}"}})
        made = invoke("fleet", "rollout", "create", f"snap-{n}", "--placement", "llm", "--strategy", "s", "-y")
        assert made.exit_code == 0, made
        hub.settle()


def test_hub_run_of_a_resource_index_the_placement_has_no_snapshot_of_is_refused(hub: Hub) -> None:
    _external_and_strategy("all")
    _snapshot_runs(hub, 2)
    args = ["fleet", "rollout", "create", "run-1", "--placement", "llm", "--strategy", "s", "-y"]
    result = invoke(*args, "--resource-index", "7")
    assert result.exit_code == 2, result
    assert "ClusterResourcePlacement llm has no resource snapshot 7 (it has: 0, 1): the run would fail" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2, result.stderr
    assert hub.cluster.get("placement.kubernetes-fleet.io/v1", "ClusterStagedUpdateRun", None, "run-1") is None
    made = invoke(*args, "--resource-index", "1")
    assert made.exit_code == 0, made


def test_simulated_run_of_a_missing_resource_index_fails_to_initialize(hub: Hub) -> None:
    # A run sent past akscli's check (here: written straight to the hub) fails as the hub fails it.
    _external_and_strategy("all")
    hub.settle()
    hub.cluster.create(
        {
            "apiVersion": "placement.kubernetes-fleet.io/v1",
            "kind": "ClusterStagedUpdateRun",
            "metadata": {"name": "run-1"},
            "spec": {"placementName": "llm", "stagedRolloutStrategyName": "s", "resourceSnapshotIndex": "3"},
        }
    )
    hub.settle()
    conds = {c["type"]: c for c in hub.get("ClusterStagedUpdateRun", "run-1")["status"]["conditions"]}
    assert conds["Initialized"]["status"] == "False"
    assert conds["Initialized"]["message"].endswith("no resourceSnapshots with index `3` found for placement `/llm`")


def test_hub_strategy_create_over_an_existing_strategy_is_refused_and_keeps_its_stages(hub: Hub) -> None:
    # kubectl create's AlreadyExists, as the ARM create's If-None-Match: *; the apply replaced the stages.
    assert invoke("fleet", "rollout", "strategy", "create", "s", "--stage", "a;labels=env=canary", "-y").exit_code == 0
    result = invoke("fleet", "rollout", "strategy", "create", "s", "--stage", "b", "-y")
    assert result.exit_code == 4, result
    assert "error: staged update strategy s already exists" in result.stderr
    assert "akscli fleet rollout strategy delete s -y" in result.stderr
    strategy = hub.get("ClusterStagedUpdateStrategy", "s", api_version="placement.kubernetes-fleet.io/v1")
    assert [stage["name"] for stage in strategy["spec"]["stages"]] == ["a"]


def test_hub_run_create_over_an_existing_run_is_refused_and_leaves_it_as_it_was(hub: Hub, kubeconfig: Any) -> None:
    # kubectl create's AlreadyExists: the apply went over it and set spec.state, so a second
    # `create --start` started the run the first create had left to be started by hand.
    from akscli.fleet.rollout import run_objects
    from akscli.kube.client import KubeTarget
    from akscli.kube.connecting import connect

    _external_and_strategy("all")
    # Applied as akscli's create did before (field manager akscli, Apply): a second apply owned
    # spec.state, so it changed it with no conflict (exit 0, "configured").
    for obj in run_objects("run-1", None, "llm", "s", None, start=False):
        connect(KubeTarget(kubeconfig=str(kubeconfig))).apply(obj)
    result = invoke("fleet", "rollout", "create", "run-1", "--placement", "llm", "--strategy", "s", "--start", "-y")
    assert result.exit_code == 4, result
    assert "error: staged update run run-1 already exists" in result.stderr
    assert "akscli fleet rollout delete run-1 -y" in result.stderr
    assert hub.get("ClusterStagedUpdateRun", "run-1")["spec"]["state"] == "Initialize"


def test_hub_strategy_made_between_the_plan_and_the_write_is_not_replaced(
    hub: Hub, kubeconfig: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The create is a POST, which the server refuses for a taken name: a read-then-apply let a
    # strategy made meanwhile (here by another `akscli ... strategy create`, after the plan) be
    # replaced by the apply.
    from akscli.fleet.rollout import strategy_objects
    from akscli.fleet.stages import parse_stages
    from akscli.kube import apply as engine
    from akscli.kube.client import KubeTarget
    from akscli.kube.connecting import connect

    planned = engine.plan

    def plan_then_theirs(*args: Any, **kwargs: Any) -> Any:
        the_plan = planned(*args, **kwargs)
        for obj in strategy_objects("s", None, parse_stages(["theirs"])):
            connect(KubeTarget(kubeconfig=str(kubeconfig))).apply(obj)
        return the_plan

    monkeypatch.setattr(engine, "plan", plan_then_theirs)
    result = invoke("fleet", "rollout", "strategy", "create", "s", "--stage", "ours", "-y")
    assert result.exit_code == 4, result
    assert "error: staged update strategy s already exists" in result.stderr
    strategy = hub.get("ClusterStagedUpdateStrategy", "s")
    assert [stage["name"] for stage in strategy["spec"]["stages"]] == ["theirs"]
