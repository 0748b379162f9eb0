"""What enqueues a placement for the KubeFleet simulator's rollout controller, as upstream's watches do
(kubefleet-dev/kubefleet e160c1cd pkg/controllers/rollout/controller.go bindingHandlerFuncs, which has no
DeleteFunc, and handleBindingUpdated with pkg/utils/condition/condition.go EqualCondition); the
simulator: tests/emulators/kube/controllers/fleet_rollout.py triggers and triggered."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube.controllers import fleet_override_snapshots, fleet_rollout

PLACEMENT = {"metadata": {"name": "llm"}, "spec": {"strategy": {"type": "RollingUpdate"}}}


@pytest.fixture(autouse=True)
def _no_override_snapshots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fleet_override_snapshots, "referencing", lambda cluster, placement: [])


def _binding(generation: int = 1, **conditions: tuple[str, str, int]) -> dict[str, Any]:
    conds = [
        {"type": t, "status": s, "reason": r, "observedGeneration": g, "message": "m"}
        for t, (s, r, g) in conditions.items()
    ]
    return {"metadata": {"generation": generation}, "status": {"conditions": conds}}


def _due(**bindings: dict[str, Any]) -> str:
    return fleet_rollout.triggers(None, PLACEMENT, "0", bindings)


AVAILABLE = ("True", "AllWorkAreAvailable", 1)


def test_a_deleted_binding_does_not_enqueue_the_placement() -> None:
    seen = _due(canary=_binding(Available=AVAILABLE), prod=_binding(Available=AVAILABLE))
    assert not fleet_rollout.triggered(seen, _due(canary=_binding(Available=AVAILABLE)))


def test_a_new_binding_enqueues_the_placement() -> None:
    seen = _due(canary=_binding(Available=AVAILABLE))
    assert fleet_rollout.triggered(seen, _due(canary=_binding(Available=AVAILABLE), prod=_binding()))


def test_a_binding_whose_diff_reported_reason_changed_enqueues_the_placement() -> None:
    seen = _due(canary=_binding(DiffReported=("True", "NoDiffFound", 1)))
    assert fleet_rollout.triggered(seen, _due(canary=_binding(DiffReported=("True", "DiffFound", 1))))


def test_an_older_observed_generation_alone_is_no_change() -> None:
    seen = _due(canary=_binding(Available=("True", "AllWorkAreAvailable", 2)))
    assert not fleet_rollout.triggered(seen, _due(canary=_binding(Available=AVAILABLE)))


def test_a_newer_observed_generation_enqueues_the_placement() -> None:
    seen = _due(canary=_binding(Available=AVAILABLE))
    assert fleet_rollout.triggered(seen, _due(canary=_binding(Available=("True", "AllWorkAreAvailable", 2))))
