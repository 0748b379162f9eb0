"""`model deploy --fleet-hub --wait` waits until the hub has snapshot and rolled out what this deploy
applied, its revision record included (src/akscli/model/fleet_wait.py).

The placement's conditions describe its latest resource snapshot only, and the hub takes a new one
of a changed selection resourceChangesCollectionDuration (15 s by default) after it saw the change
and no sooner than resourceSnapshotCreationMinimumInterval (30 s by default) after the last one:
meanwhile the placement still reads as rolled out, on the snapshot before the deploy (upstream:
kubefleet-dev/kubefleet e160c1cd pkg/utils/controller/resource_snapshot_resolver.go
shouldCreateNewResourceSnapshotNow, pkg/controllers/placement/controller.go
handleResourceSnapshotByStrategy). The simulator holds snapshots back so when a test sets
``snapshot_interval`` or ``collection_duration``, on its clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke, list_items
from tests.emulators.kube.controllers.fleet import FleetHubController

Start = Callable[..., Any]
FLEET = "placement.kubernetes-fleet.io/v1"
C1 = "cluster.kubernetes-fleet.io/v1"
# A wait that should end: it ends on the simulator's clock (hub.advance, a wait_scale of 0), never
# on the wall clock, so its --timeout is only the CPU time a loaded machine may take. An interval
# held back is INTERVAL, longer than WAIT: a wait that ended only because wall-clock time let the
# hold pass would still time out. (The redeploy's waits that ran out under load, 20 s and 120 s
# alike, were a hub pass that read the selection before the record and the clock after the advance:
# fleet_conditions.Clock.setting, held for each hub pass, audit37-flake37.)
WAIT = "120s"
INTERVAL = 600.0


def _hub_with_members(model_emulator: Start) -> tuple[Any, FleetHubController]:
    emu = model_emulator(fleet=True)
    for member in ("gpu-east", "gpu-west"):
        emu.cluster.create(
            {
                "apiVersion": C1,
                "kind": "MemberCluster",
                "metadata": {"name": member},
                "spec": {"identity": {"kind": "User", "name": member}},
            }
        )
        count = {"value": "1", "observationTime": "2026-11-26T00:00:00Z"}
        props = {"kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count": count}
        emu.cluster.patch_status(C1, "MemberCluster", None, member, {"properties": props})
    hub = next(c for c in emu.controllers.controllers if isinstance(c, FleetHubController))
    return emu, hub


def _selected(emu: Any) -> set[tuple[str, str]]:
    crp = emu.cluster.get(FLEET, "ClusterResourcePlacement", None, "phi-4")
    return {(r["kind"], r["name"]) for r in crp["status"].get("selectedResources") or []}


def _deploy(*flags: str) -> Any:
    return invoke("model", "deploy", "phi-4", "--fleet-hub", *flags, "-y")


def test_a_first_fleet_deploy_waits_until_its_revision_record_is_placed(model_emulator: Start) -> None:
    # The record is written after the placement: the hub's first snapshot may not hold it, and
    # the rollout of the next one paces the members. Once the wait ends, every member shows the
    # snapshot that holds it, Available (audit20-fleet6's flaky RolloutStarted=False).
    emu, _ = _hub_with_members(model_emulator)
    result = _deploy("--wait", "--timeout", WAIT)
    assert result.exit_code == 0, result
    assert ("ConfigMap", "phi-4-rev-1") in _selected(emu)
    rows = list_items(invoke("model", "list", "--fleet-hub", "-o", "json").stdout)
    assert {r["state"] for r in rows} == {"Available"}


def test_a_fleet_redeploy_does_not_end_its_wait_on_the_snapshot_before_it(model_emulator: Start) -> None:
    emu, hub = _hub_with_members(model_emulator)
    assert _deploy("--wait", "--timeout", WAIT).exit_code == 0
    hub.collection_duration = 15.0  # the hub collects the changes it sees for 15 s
    result = _deploy("--max-model-len", "4096", "--wait", "--timeout", "2s")
    assert result.exit_code == 5, result
    assert (
        "the hub has not yet taken a resource snapshot holding ConfigMap phi-4/phi-4-rev-2: it takes one "
        "resourceChangesCollectionDuration (15s by default) after it sees the change"
    ) in result.stderr
    assert ("ConfigMap", "phi-4-rev-2") not in _selected(emu)


def test_a_fleet_redeploy_waits_through_the_snapshot_interval_to_the_rollout(model_emulator: Start) -> None:
    emu, hub = _hub_with_members(model_emulator)
    assert _deploy("--wait", "--timeout", WAIT).exit_code == 0
    hub.snapshot_interval = INTERVAL
    assert _deploy("--max-model-len", "4096").exit_code == 0
    hub.advance(INTERVAL)  # the interval has passed: the hub snapshots the deploy and rolls it out
    result = invoke("model", "deploy", "phi-4", "--fleet-hub", "--max-model-len", "4096", "--wait", "--timeout", WAIT)
    assert result.exit_code == 0, result
    assert ("ConfigMap", "phi-4-rev-2") in _selected(emu)


def test_an_unchanged_fleet_redeploy_is_ready_at_once(model_emulator: Start) -> None:
    # Nothing new to snapshot: the record stays revision 1, which the placement holds.
    _, hub = _hub_with_members(model_emulator)
    assert _deploy("--wait", "--timeout", WAIT).exit_code == 0
    hub.snapshot_interval = INTERVAL
    result = _deploy("--wait", "--timeout", WAIT)
    assert result.exit_code == 0, result
    assert "no change since revision 1" in result.stderr
