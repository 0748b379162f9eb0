"""The model commands on a KubeFleet hub, end to end against the Kubernetes emulator, the KAITO
simulator and the fleet simulators: placement, members, staged runs and their strategies (moved
out of test_cli_cluster.py)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from tests.cli import invoke, list_items
from tests.emulators.kube.apiserver import wait_until

from .test_cli_cluster import Start


def test_fleet_deploy_places_the_workspace_and_list_shows_each_member(model_emulator: Start) -> None:
    emu = model_emulator(fleet=True)
    for member, count in (("gpu-east", "2"), ("gpu-west", "1"), ("cpu-only", None)):
        props = {}
        if count:
            props["kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count"] = {
                "value": count,
                "observationTime": "2026-11-26T00:00:00Z",
            }
        emu.cluster.create(
            {
                "apiVersion": "cluster.kubernetes-fleet.io/v1",
                "kind": "MemberCluster",
                "metadata": {"name": member},
                "spec": {"identity": {"kind": "User", "name": member}},
            }
        )
        emu.cluster.patch_status("cluster.kubernetes-fleet.io/v1", "MemberCluster", None, member, {"properties": props})
    result = invoke("model", "deploy", "phi-4", "--fleet-hub", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    crp = emu.cluster.get("placement.kubernetes-fleet.io/v1", "ClusterResourcePlacement", None, "phi-4")
    assert crp is not None
    rows = list_items(invoke("model", "list", "--fleet-hub", "-o", "json").stdout)
    assert sorted(r["cluster"] for r in rows) == ["gpu-east", "gpu-west"]
    assert {r["state"] for r in rows} == {"Available"}


def _members(emu: Any, members: dict[str, dict[str, str]], labels: dict[str, dict[str, str]] | None = None) -> None:
    for member, props in members.items():
        emu.cluster.create(
            {
                "apiVersion": "cluster.kubernetes-fleet.io/v1",
                "kind": "MemberCluster",
                "metadata": {"name": member, "labels": (labels or {}).get(member, {})},
                "spec": {"identity": {"kind": "User", "name": member}},
            }
        )
        status = {k: {"value": v, "observationTime": "2026-11-26T00:00:00Z"} for k, v in props.items()}
        emu.cluster.patch_status(
            "cluster.kubernetes-fleet.io/v1", "MemberCluster", None, member, {"properties": status}
        )


def test_fleet_deploy_reaches_members_that_create_gpu_nodes_on_demand(model_emulator: Start) -> None:
    # A KAITO / node auto-provisioning member has no A100 node until a model lands there, so the
    # property provider publishes no count for the size (kubefleet pkg/propertyprovider/azure);
    # it says so with the label it was joined with.
    emu = model_emulator(fleet=True)
    on_demand = {"gpu.akscli.io/Standard_NC24ads_A100_v4": "on-demand"}
    _members(emu, {"nap-east": {}, "cpu-only": {}}, labels={"nap-east": on_demand})
    result = invoke("model", "deploy", "phi-4", "--fleet-hub", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    rows = list_items(invoke("model", "list", "--fleet-hub", "-o", "json").stdout)
    assert [(r["cluster"], r["state"]) for r in rows] == [("nap-east", "Available")]


def test_delete_of_a_fleet_model_names_the_namespace_of_each_namespaced_object_only(model_emulator: Start) -> None:
    # kubectl delete's line names the namespace only where the object is namespaced (upstream:
    # kubernetes/kubectl pkg/cmd/delete/delete.go PrintObj, info.Namespaced(); kubectl 1.34+):
    # the ClusterResourcePlacement has none, the Workspace it places (in the model's namespace
    # on the hub) has one.
    emu = model_emulator(fleet=True)
    _members(emu, {"gpu-east": {"kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count": "2"}})
    assert invoke("model", "deploy", "phi-4", "--fleet-hub", "-y").exit_code == 0
    result = invoke("model", "delete", "phi-4", "-n", "phi-4", "--dry-run=client")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert 'clusterresourceplacement.placement.kubernetes-fleet.io "phi-4" deleted (dry run)' in lines
    assert 'workspace.kaito.sh "phi-4" deleted from phi-4 namespace (dry run)' in lines


def test_staged_fleet_deploy_starts_its_run_only_after_the_placement_is_scheduled(model_emulator: Start) -> None:
    # A run created before its placement has scheduled bindings fails for good
    # (kubefleet pkg/controllers/updaterun/initialization.go).
    emu = model_emulator(fleet=True)
    _members(emu, {"gpu-east": {"kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count": "2"}})
    made = invoke("fleet", "rollout", "strategy", "create", "one-by-one", "--stage", "all;max=1", "-y")
    assert made.exit_code == 0, made
    result = invoke(
        "model", "deploy", "phi-4", "--fleet-hub", "--staged-strategy", "one-by-one", "--wait", "--timeout", "30s", "-y"
    )
    assert result.exit_code == 0, result
    [run] = list(emu.cluster.list("placement.kubernetes-fleet.io/v1", "ClusterStagedUpdateRun"))
    conds = {c["type"]: c for c in run["status"]["conditions"]}
    assert conds["Initialized"]["status"] == "True", conds
    rows = list_items(invoke("model", "list", "--fleet-hub", "-o", "json").stdout)
    assert [(r["cluster"], r["state"]) for r in rows] == [("gpu-east", "Available")]


def test_staged_fleet_deploy_of_a_missing_strategy_is_refused_before_anything_is_sent(model_emulator: Start) -> None:
    # A run whose strategy does not exist fails to initialize for good (kubefleet
    # pkg/controllers/updaterun/initialization.go), and its External placement never rolls out.
    emu = model_emulator(fleet=True)
    _members(emu, {"gpu-east": {"kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count": "2"}})
    result = invoke("model", "deploy", "phi-4", "--fleet-hub", "--staged-strategy", "missing", "-y")
    assert result.exit_code == 3, result
    assert "staged update strategy 'missing' not found" in result.stderr
    assert emu.cluster.get("placement.kubernetes-fleet.io/v1", "ClusterResourcePlacement", None, "phi-4") is None


def test_staged_fleet_deploy_wait_ends_when_its_run_is_stopped(model_emulator: Start) -> None:
    # A stopped run stays stopped until its state is Run again (kubefleet
    # pkg/controllers/updaterun/stop.go): the wait watches the run and ends on it, where the
    # External placement alone would wait for a rollout that never comes.
    emu = model_emulator(fleet=True)
    _members(emu, {"gpu-east": {"kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count": "2"}})
    made = invoke("fleet", "rollout", "strategy", "create", "gated", "--stage", "all;before=approval", "-y")
    assert made.exit_code == 0, made

    def stop() -> None:
        for run in emu.cluster.list("placement.kubernetes-fleet.io/v1", "ClusterStagedUpdateRun"):
            patch = {"spec": {"state": "Stop"}}
            emu.cluster.patch(
                "placement.kubernetes-fleet.io/v1", "ClusterStagedUpdateRun", None, run["metadata"]["name"], patch
            )

    stopper = threading.Timer(4.0, stop)
    stopper.start()
    try:
        result = invoke(
            "model", "deploy", "phi-4", "--fleet-hub", "--staged-strategy", "gated", "--wait", "--timeout", "60s", "-y"
        )
    finally:
        stopper.cancel()
    assert result.exit_code == 10, result
    assert "UpdateRunStopped" in result.stderr


def test_staged_fleet_deploy_whose_strategy_leaves_a_member_out_creates_no_run(model_emulator: Start) -> None:
    # A run whose strategy puts a scheduled member in no stage fails to initialize for good
    # (kubefleet pkg/controllers/updaterun/initialization.go, computeRunStageStatus).
    emu = model_emulator(fleet=True)
    _members(emu, {"gpu-east": {"kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count": "2"}})
    _health_check_failed_lately(emu, "gpu-east")
    made = invoke("fleet", "rollout", "strategy", "create", "canary", "--stage", "canary;labels=env=canary", "-y")
    assert made.exit_code == 0, made
    result = invoke("model", "deploy", "phi-4", "--fleet-hub", "--staged-strategy", "canary", "-y")
    assert result.exit_code == 2, result
    assert "placement phi-4 is scheduled on gpu-east, which no stage of strategy canary selects" in result.stderr
    assert not list(emu.cluster.list("placement.kubernetes-fleet.io/v1", "ClusterStagedUpdateRun"))


def _health_check_failed_lately(emu: Any, member: str) -> None:
    # Eligible to the scheduler (clustereligibilitychecker/checker.go disregards a health check
    # failing for under 5 minutes) but not certainly so before the placement: akscli checks the
    # stages once the placement is scheduled. After the simulator's join, which would overwrite it.
    def joined() -> bool:
        obj = emu.cluster.get("cluster.kubernetes-fleet.io/v1", "MemberCluster", None, member) or {}
        return any(c.get("type") == "Joined" for c in (obj.get("status") or {}).get("conditions") or [])

    assert wait_until(joined)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    conds = [
        {"type": t, "status": s, "reason": t, "message": "", "lastTransitionTime": now}
        for t, s in (("Joined", "True"), ("Healthy", "False"))
    ]
    agent = {"type": "MemberAgent", "conditions": conds, "lastReceivedHeartbeat": now}
    emu.cluster.patch_status("cluster.kubernetes-fleet.io/v1", "MemberCluster", None, member, {"agentStatus": [agent]})


def _joined(emu: Any, member: str) -> None:
    # A member the scheduler finds eligible: its member agent joined, healthy, with a recent
    # heartbeat (kubefleet apis/cluster/v1 commons.go AgentStatus; scheduler clustereligibilitychecker).
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    conds = [
        {"type": t, "status": "True", "reason": t, "message": "", "lastTransitionTime": now}
        for t in ("Joined", "Healthy")
    ]
    agent = {"type": "MemberAgent", "conditions": conds, "lastReceivedHeartbeat": now}
    emu.cluster.patch_status("cluster.kubernetes-fleet.io/v1", "MemberCluster", None, member, {"agentStatus": [agent]})


def test_staged_fleet_deploy_whose_strategy_leaves_an_eligible_member_out_sends_nothing(model_emulator: Start) -> None:
    # Every eligible capable member of a PickAll placement is scheduled (kubefleet
    # pkg/scheduler/framework/framework.go), so the run's stage check can be made before the
    # placement, namespace and Workspace are applied, and a refusal leaves none of them behind.
    emu = model_emulator(fleet=True)
    _members(emu, {"gpu-east": {"kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count": "2"}})
    _joined(emu, "gpu-east")
    made = invoke("fleet", "rollout", "strategy", "create", "canary", "--stage", "canary;labels=env=canary", "-y")
    assert made.exit_code == 0, made
    result = invoke("model", "deploy", "phi-4", "--fleet-hub", "--staged-strategy", "canary", "-y")
    assert result.exit_code == 2, result
    assert "placement phi-4 will be scheduled on gpu-east, which no stage of strategy canary selects" in result.stderr
    assert emu.cluster.get("placement.kubernetes-fleet.io/v1", "ClusterResourcePlacement", None, "phi-4") is None
    assert not list(emu.cluster.list("kaito.sh/v1beta1", "Workspace"))


def test_fleet_redeploy_that_changes_the_placement_type_needs_recreate(model_emulator: Start) -> None:
    # A placement's type cannot change (kubefleet apis/placement/v1 CEL "placement type is
    # immutable", and its webhook): going from every capable member to --clusters N needs a new one.
    emu = model_emulator(fleet=True)
    gpu = {"kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count": "2"}
    _members(emu, {"gpu-east": gpu, "gpu-west": gpu})
    assert invoke("model", "deploy", "phi-4", "--fleet-hub", "-y").exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--fleet-hub", "--clusters", "1", "-y")
    assert result.exit_code == 2, result
    assert "spec.policy.placementType: PickAll -> PickN" in result.stderr
    assert "--recreate" in result.stderr
    again = invoke("model", "deploy", "phi-4", "--fleet-hub", "--clusters", "1", "--recreate", "-y")
    assert again.exit_code == 0, again
    crp = emu.cluster.get("placement.kubernetes-fleet.io/v1", "ClusterResourcePlacement", None, "phi-4")
    assert crp["spec"]["policy"]["placementType"] == "PickN"


def test_fleet_deploy_that_no_member_can_take_is_refused_before_anything_is_sent(model_emulator: Start) -> None:
    emu = model_emulator(fleet=True)
    _members(emu, {"cpu-only": {"kubernetes-fleet.io/node-count": "3"}})
    result = invoke("model", "deploy", "phi-4", "--fleet-hub", "-y")
    assert result.exit_code == 2, result
    assert "matches no member cluster" in result.stderr
    assert emu.cluster.get("placement.kubernetes-fleet.io/v1", "ClusterResourcePlacement", None, "phi-4") is None


def test_staged_fleet_redeploy_whose_strategy_leaves_an_eligible_member_out_changes_nothing(
    model_emulator: Start,
) -> None:
    # A run on a placement that exists covers the bindings of its latest policy snapshot
    # (kubefleet pkg/controllers/updaterun/initialization.go); the scheduler keeps the clusters it
    # is on and picks every other eligible one that passes under PickAll (pkg/scheduler/framework/
    # framework.go), so the stage check is made before the redeploy changes anything.
    emu = model_emulator(fleet=True)
    _members(emu, {"gpu-east": {"kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count": "2"}})
    _joined(emu, "gpu-east")
    for name, stage in (("all", "all"), ("canary", "canary;labels=env=canary")):
        assert invoke("fleet", "rollout", "strategy", "create", name, "--stage", stage, "-y").exit_code == 0
    first = invoke("model", "deploy", "phi-4", "--fleet-hub", "--staged-strategy", "all", "-y")
    assert first.exit_code == 0, first

    def hub_state() -> dict[str, Any]:
        # What a deploy writes (the simulators write status only; generation moves with spec).
        kinds = [("v1", "ConfigMap", "phi-4"), ("kaito.sh/v1beta1", "Workspace", "phi-4"),
                 ("placement.kubernetes-fleet.io/v1", "ClusterResourcePlacement", None),
                 ("placement.kubernetes-fleet.io/v1", "ClusterStagedUpdateRun", None)]  # fmt: skip
        return {
            (kind, o["metadata"]["name"]): (o["metadata"].get("generation"), o.get("data"))
            for api_version, kind, ns in kinds
            for o in emu.cluster.list(api_version, kind, ns)
        }

    before = hub_state()
    result = invoke(
        "model", "deploy", "phi-4", "--fleet-hub", "--staged-strategy", "canary", "--max-model-len", "2048", "-y"
    )
    assert result.exit_code == 2, result
    assert "placement phi-4 will be scheduled on gpu-east, which no stage of strategy canary selects" in result.stderr
    assert hub_state() == before
