"""A binding's spec is written as the hub's controllers write it (kubefleet-dev/kubefleet e160c1cd):
the scheduler marks a binding it no longer picks Unscheduled with an Update of the binding as read,
retried from a fresh Get on a 409 (pkg/scheduler/framework/framework.go markUnscheduledForAndUpdate,
updateBindings), and the rollout controller binds one with an Update of the binding as read
(pkg/controllers/rollout/controller.go updateBindings). The other writer lands just before the
controller's write (no sleeps)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.fleet.conftest import Hub
from tests.fleet.test_bindings import PREVIOUS_STATE, _bindings, _move_canary_to_prod, _place_on_staging

PB = "placement.kubernetes-fleet.io/v1beta1"
CRB = "ClusterResourceBinding"


def before_spec_write(
    hub: Hub, monkeypatch: pytest.MonkeyPatch, when: Callable[[dict[str, Any]], bool], other: Callable[[], None]
) -> list[tuple[str, dict[str, Any]]]:
    """``other`` runs just before the emulator receives the first binding spec write (an update or a
    patch, not of the status) whose spec ``when`` accepts; every such write is recorded as
    (method, body)."""
    done: list[bool] = []
    seen: list[tuple[str, dict[str, Any]]] = []
    api = hub.emu.cluster.api
    for method in ("update", "patch"):
        original = getattr(api, method)

        def wrapped(rt: Any, *args: Any, original: Any = original, method: str = method, **kwargs: Any) -> Any:
            sent = [json.loads(a) if isinstance(a, bytes) else a for a in args]
            bodies = [a for a in sent if isinstance(a, dict) and isinstance(a.get("spec"), dict)]
            if rt.kind == CRB and not kwargs.get("subresource") and bodies:
                seen.append((method, bodies[0]))
                if not done and when(bodies[0]["spec"]):
                    done.append(True)
                    other()
            return original(rt, *args, **kwargs)

        monkeypatch.setattr(api, method, wrapped)
    return seen


def test_a_binding_bound_after_the_scheduler_read_it_is_unscheduled_as_bound(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduler's Update of the binding it read is 409; it reads it again and records Bound, so
    the member still counts as holding the placement (pkg/utils/eviction/eviction.go
    IsPlacementPresent) and a later pick restores Bound."""
    _place_on_staging(hub, "--external")
    canary = _bindings(hub)["canary"]["metadata"]["name"]

    def bind() -> None:  # what an update run's execution writes meanwhile (updaterun/execution.go)
        spec = {"state": "Bound", "resourceSnapshotName": "llm-0-snapshot"}
        hub.cluster.patch(PB, CRB, None, canary, {"spec": spec})

    before_spec_write(hub, monkeypatch, lambda spec: spec.get("state") == "Unscheduled", bind)
    _move_canary_to_prod(hub)
    binding = _bindings(hub)["canary"]
    assert binding["spec"]["state"] == "Unscheduled"
    assert binding["metadata"]["annotations"] == {PREVIOUS_STATE: "Bound"}


def test_the_rollout_controller_binds_with_an_update_of_the_binding_as_read(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bind is a PUT that carries the resourceVersion read, not a merge patch over whatever is
    stored: a write that came between makes it 409, and the next pass binds from a fresh read."""
    noted: list[str] = []

    def note() -> None:
        for binding in hub.cluster.list(PB, CRB):
            name = binding["metadata"]["name"]
            hub.cluster.patch(PB, CRB, None, name, {"metadata": {"labels": {"noted": "yes"}}})
            noted.append(name)

    seen = before_spec_write(hub, monkeypatch, lambda spec: spec.get("state") == "Bound", note)
    _place_on_staging(hub)
    binds = [(method, body) for method, body in seen if body["spec"].get("state") == "Bound"]
    assert binds and {method for method, _ in binds} == {"update"}
    assert all(body["metadata"].get("resourceVersion") for _, body in binds)
    assert len(binds) >= 2  # the first was 409: the label came between
    binding = _bindings(hub)["canary"]
    assert binding["metadata"]["name"] in noted
    assert (binding["spec"]["state"], binding["metadata"]["labels"]["noted"]) == ("Bound", "yes")
