"""`fleet place --comparison-option/--when-to-apply/--when-to-take-over`: the rest of KubeFleet's
ApplyStrategy, with the CRD's enums (kubefleet-dev/kubefleet e160c1cd
apis/placement/v1beta1/clusterresourceplacement_types.go ApplyStrategy), and what a member's work
applier does with them (pkg/controllers/workapplier/process.go, drift_detection_takeover.go; the
simulator: tests/emulators/kube/controllers/fleet_apply_strategy.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli import invoke
from tests.emulators.kube.controllers.fleet_apply_strategy import PRE_EXISTING
from tests.fleet.conftest import Hub


def _place(*flags: str, wait: bool = False) -> Any:
    waiting = ("--wait", "--timeout", "20s") if wait else ()
    return invoke(
        "fleet", "place", "llm", "--select", "namespace/llm", "--pick-fixed", "canary", *flags, *waiting, "-y"
    )


def _annotate(hub: Hub, key: str, value: str) -> None:
    hub.cluster.patch("cluster.kubernetes-fleet.io/v1", "MemberCluster", None, "canary",
                      {"metadata": {"annotations": {key: value}}})  # fmt: skip
    hub.settle()


def _row(hub: Hub) -> dict[str, Any]:
    [row] = hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]
    return dict(row)


def _applied(row: dict[str, Any]) -> tuple[str, str]:
    cond = next(c for c in row["conditions"] if c["type"] == "Applied")
    return cond["status"], cond["reason"]


def test_the_three_flags_render_the_crd_enums_in_their_canonical_spelling() -> None:
    flags = [
        "--comparison-option",
        "fullcomparison",
        "--when-to-apply",
        "ifnotdrifted",
        "--when-to-take-over",
        "IFNODIFF",
    ]
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", *flags, "--dry-run=client", "-o", "yaml")
    assert result.exit_code == 0, result
    [crp] = [d for d in yaml.safe_load_all(result.stdout) if d["kind"] == "ClusterResourcePlacement"]
    assert crp["spec"]["strategy"]["applyStrategy"] == {
        "comparisonOption": "FullComparison",
        "whenToApply": "IfNotDrifted",
        "whenToTakeOver": "IfNoDiff",
    }


@pytest.fixture
def unreachable_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kubeconfig whose context `nosuch` names a hub nothing listens on: a read of it would fail
    (a --context no kubeconfig holds is refused before anything, as kubectl refuses it)."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "hub", "cluster": {"server": "https://127.0.0.1:1"}}],
        "users": [{"name": "me", "user": {"token": "t"}}],
        "contexts": [{"name": "nosuch", "context": {"cluster": "hub", "user": "me"}}],
    }
    (tmp_path / "config").write_text(json.dumps(config))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "config"))


@pytest.mark.usefixtures("unreachable_hub")
def test_a_value_outside_the_crd_enum_is_refused_before_the_hub_is_read() -> None:
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "--when-to-take-over", "IfSame",
                    "--context", "nosuch", "-y")  # fmt: skip
    assert result.exit_code == 2
    assert "--when-to-take-over" in result.stderr and "IfSame" in result.stderr
    assert "hint: use one of: Always, IfNoDiff, Never" in result.stderr


def test_when_to_apply_with_report_diff_is_refused_as_having_no_effect() -> None:
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "--apply-strategy", "ReportDiff",
                    "--when-to-apply", "IfNotDrifted", "--dry-run=client")  # fmt: skip
    assert result.exit_code == 2
    assert "--when-to-apply does not apply to --apply-strategy ReportDiff" in result.stderr


def test_never_taking_over_an_object_the_member_had_ends_the_wait_with_not_taken_over(hub: Hub) -> None:
    _annotate(hub, PRE_EXISTING, "same")
    result = _place("--when-to-take-over", "Never", wait=True)
    assert result.exit_code == 10, result
    assert "NotTakenOver" in result.stderr and "takeover is needed" in result.stderr
    assert "--when-to-take-over Never leaves it alone" in result.stderr
    row = _row(hub)
    assert _applied(row) == ("False", "NotAllWorkHaveBeenApplied")
    assert {f["condition"]["reason"] for f in row["failedPlacements"]} == {"NotTakenOver"}


def test_taking_over_only_without_a_diff_fails_on_a_differing_object_and_shows_the_diff(hub: Hub) -> None:
    _annotate(hub, PRE_EXISTING, "differs")
    result = _place("--when-to-take-over", "IfNoDiff", wait=True)
    assert result.exit_code == 10, result
    assert "FailedToTakeOver" in result.stderr and "--when-to-take-over Always" in result.stderr
    assert "fleet placement status llm -o wide lists the diffs" in " ".join(result.stderr.split())
    row = _row(hub)
    [failed] = row["failedPlacements"]
    assert (failed["kind"], failed["condition"]["reason"]) == ("ConfigMap", "FailedToTakeOver")
    [diffed] = row["diffedPlacements"]
    assert diffed["observedDiffs"] == [{"path": "/spec/replicas", "valueInHub": "2", "valueInMember": "5"}]
    wide = invoke("fleet", "placement", "status", "llm", "-o", "wide").stdout
    assert "/spec/replicas (hub 2, member 5)" in wide


def test_taking_over_without_a_diff_applies_a_matching_object(hub: Hub) -> None:
    _annotate(hub, PRE_EXISTING, "same")
    result = _place("--when-to-take-over", "IfNoDiff", wait=True)
    assert result.exit_code == 0, result
    assert _applied(_row(hub)) == ("True", "AllWorkHaveBeenApplied")


def test_the_default_takeover_overwrites_a_differing_object(hub: Hub) -> None:
    _annotate(hub, PRE_EXISTING, "differs")
    result = _place(wait=True)
    assert result.exit_code == 0, result
    assert "failedPlacements" not in _row(hub)


def test_a_drifted_member_is_applied_again_under_the_default_when_to_apply(hub: Hub) -> None:
    # whenToApply Always: the apply overwrites the change made on the member (process.go).
    _annotate(hub, "fleet.emulator/fail", "drift")
    result = _place(wait=True)
    assert result.exit_code == 0, result
    row = _row(hub)
    assert _applied(row) == ("True", "AllWorkHaveBeenApplied")
    assert "driftedPlacements" not in row


def test_if_not_drifted_stops_applying_on_a_drifted_member_and_says_how_to_go_on(hub: Hub) -> None:
    _annotate(hub, "fleet.emulator/fail", "drift")
    result = _place("--when-to-apply", "IfNotDrifted", wait=True)
    assert result.exit_code == 10, result
    assert "FoundDrifts" in result.stderr and "--when-to-apply Always" in result.stderr
    row = _row(hub)
    assert _applied(row) == ("False", "NotAllWorkHaveBeenApplied")
    [failed] = row["failedPlacements"]
    assert failed["condition"]["message"] == (
        "Failed to apply the manifest (error: cannot apply manifest: drifts are found between the manifest "
        "and the object from the member cluster)"
    )
    assert [d["observedDrifts"][0]["path"] for d in row["driftedPlacements"]] == ["/spec/replicas"]


def test_report_diff_compares_with_an_object_the_member_had_before(hub: Hub) -> None:
    _annotate(hub, PRE_EXISTING, "differs")
    assert _place("--apply-strategy", "ReportDiff").exit_code == 0
    hub.settle()
    status = json.loads(invoke("fleet", "placement", "status", "llm", "-o", "json").stdout)
    assert status["clusters"][0]["diffed"] == ["ConfigMap/llm/model-config: /spec/replicas (hub 2, member 5)"]


def test_a_new_hub_manifest_is_applied_over_a_drift_that_stopped_if_not_drifted(hub: Hub) -> None:
    # The pre-apply drift detection runs only while the manifest is the one last applied
    # (process.go shouldPerformPreApplyDriftDetection): a changed object on the hub overwrites the drift.
    _annotate(hub, "fleet.emulator/fail", "drift")
    assert _place("--when-to-apply", "IfNotDrifted", wait=True).exit_code == 10
    hub.cluster.patch("v1", "ConfigMap", "llm", "model-config", {"data": {"model": "phi-4-mini"}})
    hub.settle()
    row = _row(hub)
    assert _applied(row) == ("True", "AllWorkHaveBeenApplied")
    assert not {"failedPlacements", "driftedPlacements"} & set(row)


def test_a_drift_stays_while_the_hub_manifest_is_unchanged(hub: Hub) -> None:
    _annotate(hub, "fleet.emulator/fail", "drift")
    assert _place("--when-to-apply", "IfNotDrifted", wait=True).exit_code == 10
    hub.cluster.patch("v1", "Namespace", None, "llm", {"metadata": {"labels": {"team": "ml"}}})
    hub.settle()
    assert _applied(_row(hub)) == ("False", "NotAllWorkHaveBeenApplied")


def test_co_ownership_and_server_side_apply_force_render_the_crd_fields() -> None:
    flags = ["--allow-co-ownership", "--apply-strategy", "ServerSideApply", "--server-side-apply-force"]
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", *flags, "--dry-run=client", "-o", "yaml")
    assert result.exit_code == 0, result
    [crp] = [d for d in yaml.safe_load_all(result.stdout) if d["kind"] == "ClusterResourcePlacement"]
    assert crp["spec"]["strategy"]["applyStrategy"] == {
        "type": "ServerSideApply",
        "allowCoOwnership": True,
        "serverSideApplyConfig": {"force": True},
    }


@pytest.mark.usefixtures("unreachable_hub")
def test_server_side_apply_force_without_server_side_apply_is_refused_before_the_hub_is_read() -> None:
    # serverSideApplyConfig "is honored only when type is ServerSideApply" (the CRD's field doc).
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "--server-side-apply-force",
                    "--context", "nosuch", "-y")  # fmt: skip
    assert result.exit_code == 2
    assert "--server-side-apply-force applies to --apply-strategy ServerSideApply only" in result.stderr
    assert "hint: add --apply-strategy ServerSideApply" in result.stderr


def test_an_object_another_owner_holds_fails_to_be_taken_over_and_names_the_flag(hub: Hub) -> None:
    _annotate(hub, PRE_EXISTING, "owned")
    result = _place(wait=True)
    assert result.exit_code == 10, result
    assert "co-ownership is disallowed" in result.stderr and "--allow-co-ownership" in result.stderr
    assert _applied(_row(hub)) == ("False", "NotAllWorkHaveBeenApplied")


def test_allowing_co_ownership_takes_over_an_object_another_owner_holds(hub: Hub) -> None:
    _annotate(hub, PRE_EXISTING, "owned")
    result = _place("--allow-co-ownership", wait=True)
    assert result.exit_code == 0, result
    assert _applied(_row(hub)) == ("True", "AllWorkHaveBeenApplied")
