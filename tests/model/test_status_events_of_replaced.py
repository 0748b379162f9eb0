"""`model status` lists the events named after the model. After `--replicas`/`--autoscale` put a
KAITO InferenceSet in the Workspace's place, it still listed the deleted Workspace's events
(`workspace/phi-4: workspace phi-4 is ready`, once per time it became ready), as if the Workspace
were still there. kubectl describe reads an object's events by name, kind and uid
(kubernetes/kubectl pkg/describe/describe.go searchEvents): the replaced object's are left out now."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke

Start = Callable[..., Any]
KAITO = "kaito.sh/v1beta1"


def _deploy(*args: str) -> None:
    # The test asserts events, not time: a generous timeout, so that a loaded machine (one run at
    # load 24 timed out at 20s with a pod still Pending) does not fail it. It takes 1-3 s at load 2-20.
    result = invoke("model", "deploy", "phi-4", *args, "-y", "--wait", "--timeout", "120s")
    assert result.exit_code == 0, result


def _event(name: str, kind: str, uid: str, reason: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": name, "namespace": "default"},
        "involvedObject": {"kind": kind, "name": "phi-4", "namespace": "default", "uid": uid},
        "reason": reason,
        "message": reason,
        "type": "Normal",
        "lastTimestamp": "2026-01-01T00:00:00Z",
    }


def _objects_of_events() -> list[str]:
    result = invoke("model", "status", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    return [e["object"] for e in json.loads(result.stdout)["events"]]


def test_the_replaced_workspace_events_are_left_out(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy()
    uid = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")["metadata"]["uid"]
    emu.cluster.create(_event("ready", "Workspace", uid, "NodeClaimCreated"))  # as KAITO records it
    assert "workspace/phi-4" in _objects_of_events()
    _deploy("--replicas", "2")
    assert "workspace/phi-4" not in _objects_of_events()


def test_an_earlier_object_of_the_same_kind_and_name_is_left_out(model_emulator: Start) -> None:
    emu = model_emulator(controller=False, simulator=False)
    invoke("model", "deploy", "phi-4", "-y")
    uid = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")["metadata"]["uid"]
    emu.cluster.create(_event("old", "Workspace", "an-earlier-uid", "Earlier"))
    emu.cluster.create(_event("now", "Workspace", uid, "Now"))
    result = json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout)
    assert [e["reason"] for e in result["events"]] == ["Now"]


def test_the_events_of_the_models_other_objects_stay(model_emulator: Start) -> None:
    emu = model_emulator(controller=False, simulator=False)
    invoke("model", "deploy", "phi-4", "-y")
    emu.cluster.create(_event("so", "ScaledObject", "a-scaledobject-uid", "KEDAScalerFailed"))
    assert _objects_of_events() == ["scaledobject/phi-4"]
