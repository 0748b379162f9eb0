"""The order ``fleet place`` writes a placement and its override in (akscli.fleet.placement.
applied_last): KubeFleet's rollout controller rolls a changed override out under the strategy the
placement has when it runs (upstream: kubefleet-dev/kubefleet e160c1cd
pkg/controllers/rollout/controller.go), so on an update that changes the strategy the placement
goes first; otherwise the override does, and a new placement's first rollout carries it."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.fleet.placement import PlacementRequest, applied_last, build
from akscli.kube.client import Kube
from tests.cli import invoke
from tests.fleet.conftest import Hub

CRP_REF = "clusterresourceplacement.placement.kubernetes-fleet.io/llm"
CRO_REF = "clusterresourceoverride.placement.kubernetes-fleet.io/llm-override"


def _objects(**strategy: Any) -> list[dict[str, Any]]:
    return build(
        PlacementRequest(name="llm", selects=["namespace/llm"], overrides=["env=prod@/metadata/labels/a=1"], **strategy)
    )


def _stored(**strategy: Any) -> dict[str, Any]:
    """The placement as the hub stores it: the CRD's defaults filled in."""
    crp = next(o for o in _objects(**strategy) if o["kind"] == "ClusterResourcePlacement")
    rolling = {"maxUnavailable": "25%", "maxSurge": "25%", "unavailablePeriodSeconds": 60}
    crp["spec"]["strategy"]["rollingUpdate"] = {**rolling, **crp["spec"]["strategy"].get("rollingUpdate", {})}
    return crp


def test_a_new_placement_is_written_after_its_override() -> None:
    assert applied_last(_objects(), None) == {CRP_REF}


def test_an_update_that_keeps_the_strategy_writes_the_placement_last() -> None:
    # the stored defaults are the same strategy as flags left out
    assert applied_last(_objects(), _stored()) == {CRP_REF}


def test_an_update_that_changes_the_strategy_writes_the_override_last() -> None:
    assert applied_last(_objects(max_unavailable="0"), _stored()) == {CRO_REF}
    assert applied_last(_objects(external=True), _stored()) == {CRO_REF}


def test_fleet_place_writes_the_placement_before_the_override_when_the_strategy_changes(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = ("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    assert invoke(*place, "--override", "env=prod@/metadata/labels/a=1").exit_code == 0
    hub.settle()
    written: list[str] = []
    apply = Kube.apply

    def recording(self: Kube, obj: dict[str, Any], **kw: Any) -> Any:
        if not kw.get("dry_run"):  # the plan's server-side dry run comes first
            written.append(obj["kind"])
        return apply(self, obj, **kw)

    monkeypatch.setattr(Kube, "apply", recording)
    result = invoke(*place, "--override", "env=prod@/metadata/labels/a=2", "--max-unavailable", "0")
    assert result.exit_code == 0, result
    assert written == ["ClusterResourcePlacement", "ClusterResourceOverride"]
