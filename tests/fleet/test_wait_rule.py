"""``fleet place --wait`` through the one wait rule, against the KubeFleet simulator (#21 items 1-3)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.fleet.conftest import Hub

A100 = "Standard_NC24ads_A100_v4"


def _place_and_wait(*args: str, timeout: str = "20s") -> object:
    return invoke("fleet", "place", "llm", "--select", "namespace/llm", *args, "--wait", "--timeout", timeout, "-y")


def _available_members() -> list[str]:
    status = json.loads(invoke("fleet", "placement", "status", "llm", "-o", "json").stdout)
    return sorted(c["cluster"] for c in status["clusters"] if c["state"] == "Available")


def _scheduled_reason(hub: Hub) -> str | None:
    crp = hub.cluster.get("placement.kubernetes-fleet.io/v1", "ClusterResourcePlacement", None, "llm") or {}
    conds = {c["type"]: c for c in (crp.get("status") or {}).get("conditions") or []}
    return conds.get("ClusterResourcePlacementScheduled", {}).get("reason")


def test_changing_pick_n_waits_for_the_status_of_the_new_generation(hub: Hub) -> None:
    first = _place_and_wait("--pick-n", "1", "--gpu-size", A100)
    assert first.exit_code == 0, first  # type: ignore[attr-defined]
    hub.controller.delay = 0.4  # the hub takes a moment to reschedule, as a real one does
    second = _place_and_wait("--pick-n", "2", "--gpu-size", A100)
    assert second.exit_code == 0, second  # type: ignore[attr-defined]
    # Read at once: --wait returned only after the hub had scheduled and rolled out generation 2.
    assert _available_members() == ["canary", "gpu-east"]


def test_pick_n_with_too_few_matching_members_waits_on_and_times_out_with_the_reason(hub: Hub) -> None:
    # Upstream the scheduler's SchedulingPolicyUnfulfilled is not final: it schedules again as
    # members join (kubefleet-dev/kubefleet pkg/scheduler/watchers/membercluster/watcher.go).
    result = _place_and_wait("--pick-n", "3", "--gpu-size", A100, timeout="2s")
    assert result.exit_code == 5, result  # type: ignore[attr-defined]
    stderr = result.stderr  # type: ignore[attr-defined]
    assert "ClusterResourcePlacementScheduled=False (SchedulingPolicyUnfulfilled)" in stderr
    assert "found 2 cluster(s) instead" in stderr
    assert "join or label members that match the policy" in stderr


def test_pick_n_with_too_few_matching_members_says_where_it_is_placed_so_far(hub: Hub) -> None:
    # The members it picked roll out meanwhile (kubefleet-dev/kubefleet pkg/controllers/placement/
    # controller.go setPlacementStatus); the wait says so rather than only "not scheduled".
    _place_and_wait("--pick-n", "3", "--gpu-size", A100, timeout="1s")
    hub.settle()
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "--pick-n", "3", "--gpu-size", A100, "--wait",
                    "--timeout", "2s", "-y")  # fmt: skip
    assert result.exit_code == 5, result
    timed_out = next(line for line in result.stderr.splitlines() if line.startswith("error: timed out"))
    assert "placed on 2 of 3 members (available: canary, gpu-east)" in timed_out
    assert "KubeFleet schedules it again as members join or change" in timed_out


def test_pick_n_with_too_few_matching_members_rolls_out_to_those_it_picked(hub: Hub) -> None:
    _place_and_wait("--pick-n", "3", "--gpu-size", A100, timeout="1s")
    hub.settle()
    assert _available_members() == ["canary", "gpu-east"]


def test_pick_n_wait_ends_once_a_matching_member_joins(hub: Hub) -> None:
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(_place_and_wait, "--pick-n", "3", "--require-labels", "env=prod", timeout="60s")
        assert wait_until(lambda: _scheduled_reason(hub) == "SchedulingPolicyUnfulfilled", timeout=30)
        hub.member("prod-north", {"env": "prod"})
        result = waiting.result()
    assert result.exit_code == 0, result  # type: ignore[attr-defined]
    assert _available_members() == ["cpu-west", "gpu-east", "prod-north"]


def test_pick_fixed_naming_a_missing_member_waits_on_naming_it(hub: Hub) -> None:
    result = _place_and_wait("--pick-fixed", "gpu-east,nowhere", timeout="2s")
    assert result.exit_code == 5, result  # type: ignore[attr-defined]
    assert "member nowhere" in result.stderr  # type: ignore[attr-defined]


def test_apply_failure_ends_the_wait_at_once_with_the_member_and_object(hub: Hub) -> None:
    hub.member("broken", {"env": "prod"}, fail="apply")
    hub.settle()
    result = _place_and_wait("--pick-fixed", "broken", timeout="8s")
    assert result.exit_code == 10, result  # type: ignore[attr-defined]
    stderr = result.stderr  # type: ignore[attr-defined]
    assert "ClusterResourcePlacementApplied=False (ApplyFailed)" in stderr
    assert "member broken: ConfigMap llm/model-config: ManifestApplyFailed" in stderr


REPORT_DIFF_CRP = """\
apiVersion: placement.kubernetes-fleet.io/v1
kind: ClusterResourcePlacement
metadata:
  name: llm
spec:
  resourceSelectors:
  - {group: "", version: v1, kind: Namespace, name: llm}
  policy:
    placementType: PickFixed
    clusterNames: [drifty]
  strategy:
    applyStrategy: {type: ReportDiff}
"""


def test_report_diff_placement_is_done_once_diffs_are_reported_and_shows_them(hub: Hub, tmp_path: Path) -> None:
    hub.member("drifty", {"env": "prod"}, fail="drift")
    hub.settle()
    manifest = tmp_path / "crp.yaml"
    manifest.write_text(REPORT_DIFF_CRP)
    result = invoke("apply", "-f", str(manifest), "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    table = invoke("fleet", "placement", "status", "llm").stdout
    assert "1/1 member(s) reported diffs" in table
    row = next(line for line in table.splitlines() if line.startswith("drifty"))
    assert "DiffReported" in row and "/spec/replicas" in row
