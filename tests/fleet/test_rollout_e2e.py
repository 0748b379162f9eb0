"""Staged workload rollouts on the hub: strategy, run, approvals, progress per stage and member."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from akscli.fleet.placement import PlacementRequest, build
from akscli.fleet.rollout import run_objects, strategy_objects
from akscli.fleet.stages import parse_stages
from tests.cli import invoke, list_items
from tests.emulators.kube.apiserver import wait_until
from tests.fleet.conftest import Hub

P1 = "placement.kubernetes-fleet.io/v1"
C1 = "cluster.kubernetes-fleet.io/v1"


def _ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result
    return result.stdout


def _staged(hub: Hub, *, fail: str | None = None, cli: bool = False) -> None:
    """An External placement on every member, a canary -> prod strategy gated by approvals,
    and a started run; through the CLI, or (faster, same objects) straight into the hub."""
    if fail:
        hub.member("flaky", {"env": "prod", "order": "3"}, fail=fail)
    stages = ["canary;labels=env=staging;after=approval", "prod;labels=env=prod;sort=order;max=2"]
    if cli:
        _ok("fleet", "place", "llm", "--select", "namespace/llm", "--external", "-y")
        _ok(
            "fleet",
            "rollout",
            "strategy",
            "create",
            "canary-first",
            "-y",
            *[arg for stage in stages for arg in ("--stage", stage)],
        )
        hub.settle()
        _ok("fleet", "rollout", "create", "run-1", "--placement", "llm", "--strategy", "canary-first", "--start", "-y")
    else:
        objects = build(PlacementRequest(name="llm", selects=["namespace/llm"], external=True))
        objects += strategy_objects("canary-first", None, parse_stages(stages))
        for obj in objects:
            hub.cluster.create(obj)
        hub.settle()
        for obj in run_objects("run-1", None, "llm", "canary-first", None, start=True):
            hub.cluster.create(obj)
    hub.settle()


def test_external_placement_waits_for_a_run_before_rolling_out(hub: Hub) -> None:
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--external", "-y")
    hub.settle()
    status = json.loads(_ok("fleet", "placement", "status", "llm", "-o", "json"))
    # Bindings not bound yet: RolloutStarted Unknown per member, and for the placement the reason
    # RolloutControlledByExternalController (kubefleet pkg/controllers/placement/controller.go).
    assert {r["state"] for r in status["clusters"]} == {"RolloutStarted=Unknown"}
    assert status["placement"]["conditions"]["RolloutStarted"] == "Unknown"
    assert "controlled by an external controller" in status["placement"]["message"]


def test_run_waits_for_approval_after_the_canary_stage(hub: Hub) -> None:
    _staged(hub, cli=True)
    status = json.loads(_ok("fleet", "rollout", "status", "run-1", "-o", "json"))
    assert status["run"]["state"] == "Waiting"
    rows = [(r["stage"], r["member"], r["state"]) for r in status["stages"]]
    assert ("canary", "canary", "Succeeded") in rows
    assert ("canary", "(after approval)", "WaitingForApproval") in rows
    assert ("prod", "gpu-east", "NotStarted") in rows
    table = _ok("fleet", "rollout", "status", "run-1")
    assert table.splitlines()[0].startswith("update run run-1: Waiting")
    placed = json.loads(_ok("fleet", "placement", "status", "llm", "-o", "json"))["clusters"]
    assert {r["cluster"]: r["state"] for r in placed}["canary"] == "Available"
    assert {r["cluster"]: r["state"] for r in placed}["gpu-east"] == "RolloutStarted=Unknown"


def test_which_finds_the_object_on_the_members_a_waiting_run_has_updated(hub: Hub) -> None:
    # Members on different snapshots: the placement's status has no selectedResources (kubefleet
    # controller.go determineRolloutStateForPlacementWithExternalRolloutStrategy); the canary's
    # observedResourceIndex names the snapshot that holds the namespace
    _staged(hub, cli=True)
    result = invoke("fleet", "placement", "which", "namespace/llm", "-o", "json")
    assert result.exit_code == 0, result
    assert [(r["placement"], r["cluster"]) for r in list_items(result.stdout)] == [("llm", "canary")]


def test_custom_columns_of_placement_and_run_status_read_one_row_per_member(hub: Hub) -> None:
    # applied to the whole {placement, clusters} / {run, stages} document every cell was <none>
    _staged(hub, cli=True)
    placed = _ok("fleet", "placement", "status", "llm", "-o", "custom-columns=CLUSTER:.cluster,STATE:.state")
    assert placed.splitlines()[:2] == ["CLUSTER    STATE", "canary     Available"]
    stages = _ok("fleet", "rollout", "status", "run-1", "-o", "custom-columns=STAGE:.stage,MEMBER:.member")
    assert ["canary", "canary"] in [line.split() for line in stages.splitlines()]


def test_approve_with_wait_lets_the_run_finish_and_every_member_become_available(hub: Hub) -> None:
    _staged(hub, cli=True)
    result = invoke("fleet", "approve", "run-1", "--wait", "--timeout", "20s")
    assert result.exit_code == 0, result
    assert "approved run-1-after-canary (stage canary)" in result.stdout
    assert "update run run-1 completed" in result.stdout
    request = hub.get("ClusterApprovalRequest", "run-1-after-canary")
    assert {c["type"]: c["status"] for c in request["status"]["conditions"]}["Approved"] == "True"
    hub.settle()
    placed = json.loads(_ok("fleet", "placement", "status", "llm", "-o", "json"))
    assert placed["placement"]["available"] == 3


def test_an_after_stage_wait_starts_only_once_the_stage_members_are_updated(hub: Hub) -> None:
    # A stage waiting for its before-stage approval is Progressing=False StageUpdatingWaiting too;
    # the after-stage TimedWait counts from the moment its members are all updated
    # (kubefleet-dev/kubefleet pkg/controllers/updaterun/execution.go, handleStageCompletion).
    hub.controller.wait_scale = 1.0
    objects = build(PlacementRequest(name="llm", selects=["namespace/llm"], external=True))
    stages = ["canary;labels=env=staging;before=approval;after=wait:1h", "prod;labels=env=prod"]
    objects += strategy_objects("soak", None, parse_stages(stages))
    for obj in objects:
        hub.cluster.create(obj)
    hub.settle()
    for obj in run_objects("run-1", None, "llm", "soak", None, start=True):
        hub.cluster.create(obj)
    hub.settle()
    rows = {
        (r["stage"], r["member"]): r
        for r in json.loads(_ok("fleet", "rollout", "status", "run-1", "-o", "json"))["stages"]
    }
    assert rows[("canary", "(before approval)")]["state"] == "WaitingForApproval"
    assert (rows[("canary", "(after timedwait)")]["state"], rows[("canary", "(after timedwait)")]["detail"]) == (
        "NotStarted",
        "",
    )
    _ok("fleet", "approve", "run-1")
    assert wait_until(lambda: _run_status()[1][("canary", "canary")] == "Succeeded", timeout=10)
    status = json.loads(_ok("fleet", "rollout", "status", "run-1", "-o", "json"))["stages"]
    wait = next(r for r in status if (r["stage"], r["member"]) == ("canary", "(after timedwait)"))
    assert wait["state"] == "Waiting" and "left of 1h" in wait["detail"]


def test_members_of_a_stage_are_updated_in_sorting_label_order(hub: Hub) -> None:
    _staged(hub)
    rows = json.loads(_ok("fleet", "rollout", "status", "run-1", "-o", "json"))["stages"]
    prod = [r["member"] for r in rows if r["stage"] == "prod" and not r["member"].startswith("(") and r["member"]]
    assert prod == ["gpu-east", "cpu-west"]


def test_approve_when_nothing_waits_is_not_found(hub: Hub) -> None:
    # The run waits at canary's gate, none in prod (a finished run: test_finished_run_answer.py).
    _staged(hub)
    result = invoke("fleet", "approve", "run-1", "--stage", "prod")
    assert result.exit_code == 3
    assert "waiting for no approval in stage prod" in result.stderr


def _run_watched(hub: Hub) -> bool:
    """Whether a client (the approve --wait of the test) watches the ClusterStagedUpdateRuns."""
    api = hub.emu.api
    return bool(api.store.watchers.get(api.rt(P1, "ClusterStagedUpdateRun").key))


def _started(hub: Hub, member: str) -> bool:
    run = hub.get("ClusterStagedUpdateRun", "run-1")
    return any(
        c.get("clusterName") == member
        and any(x["type"] == "Started" and x["status"] == "True" for x in c.get("conditions") or [])
        for stage in (run.get("status") or {}).get("stagesStatus") or []
        for c in stage.get("clusters") or []
    )


def _beside(work: Callable[[], None]) -> tuple[threading.Thread, list[BaseException]]:
    """Run ``work`` in a thread beside the command the test runs; what it raises is kept."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # reported by the test once the command has ended
            failures.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, failures


def _stuck_once_watched(hub: Hub, then: Callable[[], None] | None = None) -> Callable[[], None]:
    """Once approve --wait watches the run and member flaky has started updating (after the canary
    gate was approved), pass updateRunStuckThreshold (5 minutes) on the simulator's clock; then,
    once the run says so, ``then``."""

    def work() -> None:
        assert wait_until(lambda: _run_watched(hub), timeout=30), "approve --wait never watched the run"
        assert wait_until(lambda: _started(hub, "flaky"), timeout=30), "member flaky never started updating"
        hub.controller.advance(301)
        if then is not None:
            assert wait_until(lambda: _progressing(hub) == "UpdateRunStuck", timeout=30), "the run never got stuck"
            then()

    return work


def test_a_member_that_cannot_apply_leaves_the_run_stuck_and_approve_wait_fails_at_once(hub: Hub) -> None:
    # Upstream never fails such a run: after updateRunStuckThreshold it is Progressing=False,
    # UpdateRunStuck (pkg/controllers/updaterun/execution.go); the threshold passes on the
    # simulator's clock. The wait ends on the object that failed to apply, as `fleet place --wait` does.
    _staged(hub, fail="apply")
    thread, failures = _beside(_stuck_once_watched(hub))
    result = invoke("fleet", "approve", "run-1", "--wait", "--timeout", "60s")
    thread.join(30)
    assert not failures, failures
    assert result.exit_code == 10, result
    assert "Progressing=False (UpdateRunStuck)" in result.stderr
    assert "stage prod, member flaky: ConfigMap llm/model-config: Failed to apply" in result.stderr
    status = json.loads(_ok("fleet", "rollout", "status", "run-1", "-o", "json"))
    assert status["run"]["state"] == "Stuck"
    assert "flaky" in status["run"]["message"]
    assert "Stuck" in _ok("fleet", "rollout", "list")


def test_a_slow_member_leaves_the_run_stuck_and_approve_wait_goes_on_until_it_is_available(hub: Hub) -> None:
    # A member that is not Available yet is stuck after updateRunStuckThreshold, and the run goes on
    # once it is (kubefleet-dev/kubefleet pkg/controllers/updaterun/execution.go
    # aggregateUpdateRunStatus): a model still loading on a member is not a failed rollout.
    _staged(hub, fail="available")

    def available() -> None:
        hub.cluster.patch(C1, "MemberCluster", None, "flaky", {"metadata": {"annotations": None}})

    thread, failures = _beside(_stuck_once_watched(hub, then=available))
    result = invoke("fleet", "approve", "run-1", "--wait", "--timeout", "60s")
    thread.join(30)
    assert not failures, failures
    assert result.exit_code == 0, result
    assert "Stuck" in result.stderr  # shown while it waits
    assert "update run run-1 completed" in result.stdout


def test_a_stuck_run_is_progressing_again_once_its_member_is_available(hub: Hub) -> None:
    # execution.go: aggregateUpdateRunStatus marks the run Progressing when no member is stuck, and
    # handleStageCompletion marks it waiting for the after-stage tasks, Stuck or not before. The
    # threshold (5 minutes) passes on the simulator's clock.
    hub.member("flaky", {"env": "prod", "order": "3"}, fail="available")
    objects = build(PlacementRequest(name="llm", selects=["namespace/llm"], external=True))
    objects += strategy_objects("gated", None, parse_stages(["all;max=4;after=approval"]))
    for obj in objects:
        hub.cluster.create(obj)
    hub.settle()
    for obj in run_objects("run-1", None, "llm", "gated", None, start=True):
        hub.cluster.create(obj)
    hub.settle()
    hub.controller.advance(301)
    hub.settle()
    assert _progressing(hub) == "UpdateRunStuck"
    hub.cluster.patch(C1, "MemberCluster", None, "flaky", {"metadata": {"annotations": None}})
    assert wait_until(lambda: _progressing(hub) == "UpdateRunWaiting", timeout=10)


def test_approve_wait_on_a_stopped_run_fails_at_once(hub: Hub) -> None:
    _staged(hub)
    _ok("fleet", "rollout", "stop", "run-1")
    hub.settle()
    result = invoke("fleet", "approve", "run-1", "--wait", "--timeout", "30s")
    # Refused before anything is approved (tests/fleet/test_approve_stopped.py): the stopped run
    # would ask for no next gate (kubefleet-dev/kubefleet pkg/controllers/updaterun/controller.go).
    assert result.exit_code == 4, result
    assert "update run 'run-1' is stopped" in result.stderr
    assert json.loads(_ok("fleet", "rollout", "status", "run-1", "-o", "json"))["run"]["state"] == "Stopped"


def test_stopping_a_run_keeps_it_from_progressing(hub: Hub) -> None:
    _staged(hub)
    _ok("fleet", "rollout", "stop", "run-1")
    hub.settle()
    run = hub.get("ClusterStagedUpdateRun", "run-1")
    assert run["spec"]["state"] == "Stop"
    progressing = {c["type"]: c for c in run["status"]["conditions"]}["Progressing"]
    assert progressing["reason"] == "UpdateRunStopped"


def _run_status() -> tuple[str, dict[tuple[str, str], str]]:
    status = json.loads(_ok("fleet", "rollout", "status", "run-1", "-o", "json"))
    return status["run"]["state"], {(r["stage"], r["member"]): r["state"] for r in status["stages"]}


def _progressing(hub: Hub) -> str:
    run = hub.get("ClusterStagedUpdateRun", "run-1")
    conds = {c["type"]: c for c in (run.get("status") or {}).get("conditions") or []}
    return str((conds.get("Progressing") or {}).get("reason"))


def test_a_stopped_run_is_stopping_until_the_member_it_is_updating_finishes(hub: Hub) -> None:
    # kubefleet-dev/kubefleet pkg/controllers/updaterun/stop.go: Progressing=Unknown
    # (UpdateRunStopping) while started members finish, then Progressing=False (UpdateRunStopped).
    _staged(hub, fail="available")
    _ok("fleet", "approve", "run-1")
    assert wait_until(lambda: _run_status()[1][("prod", "flaky")] == "Running", timeout=15)
    assert "clusterstagedupdaterun.placement.kubernetes-fleet.io/run-1 stopping" in _ok(
        "fleet", "rollout", "stop", "run-1"
    )
    assert wait_until(lambda: _progressing(hub) == "UpdateRunStopping", timeout=10)
    state, rows = _run_status()
    assert (state, rows[("prod", "")], rows[("prod", "flaky")]) == ("Stopping", "Stopping", "Running")
    # the member's update completes: nothing is in flight any more, and the run has stopped
    hub.cluster.patch(C1, "MemberCluster", None, "flaky", {"metadata": {"annotations": None}})
    assert wait_until(lambda: _progressing(hub) == "UpdateRunStopped", timeout=10)
    state, rows = _run_status()
    assert (state, rows[("prod", "")], rows[("prod", "flaky")]) == ("Stopped", "Stopped", "Succeeded")


def test_run_of_a_placement_without_external_strategy_fails_to_initialize(hub: Hub) -> None:
    # akscli refuses to create such a run (test_rollout_create.py); one made with kubectl fails.
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    _ok("fleet", "rollout", "strategy", "create", "s", "--stage", "all", "-y")
    hub.settle()
    for obj in run_objects("run-2", None, "llm", "s", None, start=True):
        hub.cluster.create(obj)
    hub.settle()
    status = json.loads(_ok("fleet", "rollout", "status", "run-2", "-o", "json"))
    assert status["run"]["state"] == "InitializationFailed"
    assert "does not have an external rollout strategy" in status["run"]["message"]


def _initialization_failure(hub: Hub, stages: list[str]) -> str:
    objects = build(PlacementRequest(name="llm", selects=["namespace/llm"], external=True))
    objects += strategy_objects("s", None, parse_stages(stages))
    for obj in objects:
        hub.cluster.create(obj)
    hub.settle()
    for obj in run_objects("run-1", None, "llm", "s", None, start=True):
        hub.cluster.create(obj)
    hub.settle()
    status = json.loads(_ok("fleet", "rollout", "status", "run-1", "-o", "json"))
    assert status["run"]["state"] == "InitializationFailed", status
    return str(status["run"]["message"])


def test_a_member_in_two_stages_fails_the_run_to_initialize(hub: Hub) -> None:
    # kubefleet-dev/kubefleet pkg/controllers/updaterun/initialization.go, computeRunStageStatus.
    message = _initialization_failure(hub, ["prod;labels=env=prod", "all"])
    assert message == (
        "cannot continue the updateRun: failed to validate the updateRun: failed to process the request "
        "due to a client error: cluster `cpu-west` appears in more than one stages"
    )


def test_a_member_without_the_sorting_label_fails_the_run_to_initialize(hub: Hub) -> None:
    # computeRunStageStatus reads the sorting label with strconv.Atoi: a missing one is "".
    message = _initialization_failure(hub, ["canary;labels=env=staging;sort=order", "prod;labels=env=prod"])
    assert message.endswith(
        'the sorting label `order:` on cluster `canary` is not valid: strconv.Atoi: parsing "": invalid syntax'
    )


def test_rollout_list_shows_runs_with_their_state(hub: Hub) -> None:
    _staged(hub)
    assert _ok("fleet", "rollout", "list", "-o", "name").split() == [
        "clusterstagedupdaterun.placement.kubernetes-fleet.io/run-1"
    ]
    assert "Waiting" in _ok("fleet", "rollout", "list")


def test_skip_is_refused_for_hub_runs_with_the_way_forward(hub: Hub) -> None:
    result = invoke("fleet", "rollout", "skip", "run-1", "--target", "Stage:canary")
    assert result.exit_code == 2
    assert "fleet approve" in result.stderr


def test_delete_a_hub_run_and_its_strategy(hub: Hub) -> None:
    _staged(hub)
    _ok("fleet", "rollout", "delete", "run-1", "-y")
    _ok("fleet", "rollout", "strategy", "delete", "canary-first", "-y")
    assert hub.cluster.get(P1, "ClusterStagedUpdateRun", None, "run-1") is None
    assert hub.cluster.get(P1, "ClusterStagedUpdateStrategy", None, "canary-first") is None
    missing = invoke("fleet", "rollout", "strategy", "delete", "canary-first", "-y")
    assert missing.exit_code == 3


def test_namespaced_run_is_approved_through_its_approval_request(hub: Hub) -> None:
    _ok("fleet", "place", "cfg", "-n", "llm", "--select", "configmap/model-config", "--external", "-y")
    _ok("fleet", "rollout", "strategy", "create", "gated", "-n", "llm", "-y", "--stage", "all;before=approval")
    hub.settle()
    _ok(
        "fleet",
        "rollout",
        "create",
        "run-ns",
        "-n",
        "llm",
        "--placement",
        "cfg",
        "--strategy",
        "gated",
        "--start",
        "-y",
    )
    hub.settle()
    result = invoke("fleet", "approve", "run-ns", "-n", "llm", "--wait", "--timeout", "20s")
    assert result.exit_code == 0, result
    assert "approved run-ns-before-all (stage all)" in result.stdout
    assert "completed" in result.stdout
    request = hub.get("ApprovalRequest", "run-ns-before-all", "llm")
    assert request["metadata"]["labels"]["kubernetes-fleet.io/targetUpdateRun"] == "run-ns"


def test_a_run_created_without_start_waits_until_started(hub: Hub) -> None:
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--external", "-y")
    _ok("fleet", "rollout", "strategy", "create", "all-at-once", "--stage", "all;max=100%", "-y")
    hub.settle()
    _ok("fleet", "rollout", "create", "run-3", "--placement", "llm", "--strategy", "all-at-once", "-y")
    hub.settle()
    assert json.loads(_ok("fleet", "rollout", "status", "run-3", "-o", "json"))["run"]["state"] == "Initialized"
    assert (
        _ok("fleet", "rollout", "start", "run-3").strip()
        == "clusterstagedupdaterun.placement.kubernetes-fleet.io/run-3 started"
    )
    hub.settle()
    assert json.loads(_ok("fleet", "rollout", "status", "run-3", "-o", "json"))["run"]["state"] == "Succeeded"
    names = _ok("fleet", "rollout", "strategy", "list", "-o", "json")
    assert [s["metadata"]["name"] for s in list_items(names)] == ["all-at-once"]


def test_stopping_a_run_that_has_succeeded_says_it_cannot_be_stopped(hub: Hub) -> None:
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--external", "-y")
    _ok("fleet", "rollout", "strategy", "create", "all-at-once", "--stage", "all;max=100%", "-y")
    hub.settle()
    _ok("fleet", "rollout", "create", "run-4", "--placement", "llm", "--strategy", "all-at-once", "--start", "-y")
    hub.settle()
    result = invoke("fleet", "rollout", "stop", "run-4", "-y")
    assert result.exit_code == 4, result
    assert "error: update run 'run-4' has finished (Succeeded): it cannot be stopped" in result.stderr


def test_approval_requests_of_a_run_are_found_by_the_label_the_hub_sets(hub: Hub) -> None:
    # kubernetes-fleet.io/targetUpdateRun (apis/placement/v1beta1/commons.go TargetUpdateRunLabel).
    from akscli.fleet.approvals import requests_for_run
    from akscli.kube.client import KubeTarget
    from akscli.kube.connecting import connect

    _staged(hub)
    found = requests_for_run(connect(KubeTarget()), "run-1", None)
    assert [r["metadata"]["name"] for r in found] == ["run-1-after-canary"]


def _runs_in_both_scopes(hub: Hub) -> None:
    """run-1 and canary-first, cluster-scoped; run-ns and gated in namespace llm."""
    _staged(hub)
    objects = build(PlacementRequest(name="cfg", namespace="llm", selects=["configmap/model-config"], external=True))
    objects += strategy_objects("gated", "llm", parse_stages(["all;before=approval"]))
    objects += run_objects("run-ns", "llm", "cfg", "gated", None, start=False)
    for obj in objects:
        hub.cluster.create(obj)
    hub.settle()


# kubectl get -A (kubernetes/kubectl pkg/cmd/get/get.go): every namespace, NAMESPACE first; as
# `fleet placement list -A`, the cluster-scoped kind too, its NAMESPACE left empty.
def test_rollout_list_all_namespaces_shows_cluster_and_namespaced_runs(hub: Hub) -> None:
    _runs_in_both_scopes(hub)
    assert _ok("fleet", "rollout", "list", "-A", "-o", "name").split() == [
        "clusterstagedupdaterun.placement.kubernetes-fleet.io/run-1",
        "stagedupdaterun.placement.kubernetes-fleet.io/run-ns",
    ]
    table = _ok("fleet", "rollout", "list", "-A").splitlines()
    assert table[0].split()[:2] == ["NAMESPACE", "NAME"]
    assert table[1].startswith(" ") and table[1].split()[0] == "run-1"
    assert table[2].split()[:2] == ["llm", "run-ns"]


def test_rollout_strategy_list_all_namespaces_shows_cluster_and_namespaced_strategies(hub: Hub) -> None:
    _runs_in_both_scopes(hub)
    assert _ok("fleet", "rollout", "strategy", "list", "-A", "-o", "name").split() == [
        "clusterstagedupdatestrategy.placement.kubernetes-fleet.io/canary-first",
        "stagedupdatestrategy.placement.kubernetes-fleet.io/gated",
    ]
    table = _ok("fleet", "rollout", "strategy", "list", "-A").splitlines()
    assert table[0].split()[:2] == ["NAMESPACE", "NAME"]
    assert table[2].split()[:2] == ["llm", "gated"]


def test_all_namespaces_overrides_namespace_as_kubectl_does(hub: Hub) -> None:
    """kubectl get's -A help: "Namespace in current context is ignored even if specified with
    --namespace" (kubernetes/kubectl pkg/cmd/get/get.go; the resource builder's AllNamespaces)."""
    _runs_in_both_scopes(hub)
    assert _ok("fleet", "rollout", "list", "-A", "-n", "elsewhere", "-o", "name").split() == [
        "clusterstagedupdaterun.placement.kubernetes-fleet.io/run-1",
        "stagedupdaterun.placement.kubernetes-fleet.io/run-ns",
    ]


def test_approve_wait_before_the_run_asks_for_approval_waits_for_it(hub: Hub) -> None:
    # `rollout create --start` then `approve --wait` (docs/fleet.md): the stage's members update
    # first (flaky is not available yet), then handleStageCompletion asks for the after-stage approval.
    hub.member("flaky", {"env": "prod", "order": "3"}, fail="available")
    objects = build(PlacementRequest(name="llm", selects=["namespace/llm"], external=True))
    objects += strategy_objects("gated", None, parse_stages(["all;max=4;after=approval"]))
    for obj in objects:
        hub.cluster.create(obj)
    hub.settle()
    for obj in run_objects("run-1", None, "llm", "gated", None, start=True):
        hub.cluster.create(obj)
    hub.settle()

    def available() -> None:
        assert wait_until(lambda: _run_watched(hub), timeout=30), "approve --wait never watched the run"
        hub.cluster.patch(C1, "MemberCluster", None, "flaky", {"metadata": {"annotations": None}})

    thread, failures = _beside(available)
    result = invoke("fleet", "approve", "run-1", "--wait", "--timeout", "60s")
    thread.join(30)
    assert not failures, failures
    assert result.exit_code == 0, result
    assert "approved run-1-after-all (stage all)" in result.stdout
    assert "update run run-1 completed" in result.stdout
