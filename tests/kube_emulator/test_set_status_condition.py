"""The simulators set a condition as meta.SetStatusCondition does: one of that type already there is
updated where it stands, keeping its lastTransitionTime while its status holds (kubernetes/apimachinery
pkg/api/meta/conditions.go SetStatusCondition). KAITO's Workspace and InferenceSet writes and the
staged update runs use it."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.fleet_runs_common import set_cond


def cond(ctype: str, status: str, reason: str, at: str) -> dict[str, Any]:
    return {"type": ctype, "status": status, "reason": reason, "message": "", "lastTransitionTime": at}


def test_a_condition_set_again_keeps_its_place_in_the_list() -> None:
    before = [cond("ResourceReady", "True", "a", "t1"), cond("InferenceReady", "False", "b", "t1")]
    after = set_cond(before, cond("ResourceReady", "False", "c", "t2"))
    assert [c["type"] for c in after] == ["ResourceReady", "InferenceReady"]
    assert after[0] == cond("ResourceReady", "False", "c", "t2")


def test_a_condition_whose_status_holds_keeps_its_transition_time() -> None:
    before = [cond("ResourceReady", "True", "a", "t1"), cond("InferenceReady", "False", "b", "t1")]
    after = set_cond(before, cond("ResourceReady", "True", "c", "t2"))
    assert after[0] == cond("ResourceReady", "True", "c", "t1")
