"""A deploy that replaces a KAITO Workspace with an InferenceSet creates akscli's Service under the
name KAITO's Service of the Workspace had. A reconcile of the Workspace that read it just before
its delete creates that Service after the foreground deletion has looked for dependents
(kaito-project/kaito pkg/workspace/controllers/workspace_controller.go ensureService), owned by the
deleted Workspace; the garbage collector deletes it only later (kubernetes/kubernetes
pkg/controller/garbagecollector/graph_builder.go, a "virtual" owner). The deploy waits it out
instead of meeting KAITO's fields (a conflict, exit 4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import _owner, _service_spec

KAITO = "kaito.sh/v1beta1"
Start = Callable[..., Any]


def test_a_service_kaito_made_as_its_workspace_went_is_waited_out_not_patched(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    emu.idle()
    emu.api.gc_delay = 1.0  # the collector's look at the late Service comes a second later
    made: list[str] = []

    def late_service(typ: str, rt: Any, obj: dict[str, Any], ctx: Any) -> None:
        if typ == "DELETED" and rt.kind == "Workspace" and obj["metadata"]["name"] == "phi-4" and not made:
            made.append("phi-4")
            service = {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "phi-4", "namespace": "default", "ownerReferences": [_owner(obj)]},
                "spec": _service_spec(obj),
            }
            emu.cluster.create(service)

    emu.api.listeners.append(late_service)
    result = invoke("model", "deploy", "phi-4", "--autoscale", "1:2", "-y")
    assert made == ["phi-4"]
    assert result.exit_code == 0, result.stderr
    service = emu.cluster.get("v1", "Service", "default", "phi-4")
    assert not service["metadata"].get("ownerReferences")
