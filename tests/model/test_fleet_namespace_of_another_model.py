"""`model deploy --fleet-hub` refuses a namespace on the hub that already holds another model.

A fleet deploy puts the model in a namespace of its own on the hub (the model's short name without
-n) and places that namespace whole: KubeFleet's placement controller selects the Namespace and
every object in it (kubefleet-dev/kubefleet pkg/controllers/placement/resource_selector.go,
fetchNamespaceResources and fetchAllResourcesInOneNamespace). So `--name phi-west` of phi-4,
after `--name phi-east`, went into namespace phi-4 beside phi-east: placement phi-east then placed
phi-west's Workspace on phi-east's members too (and phi-west phi-east's), a GPU node each that
nobody asked for, and the namespace's stack label silently moved to the newer model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.model.test_fleet_model_namespace import hub_with_a_gpu_member as _hub

KAITO = "kaito.sh/v1beta1"
Start = Callable[..., Any]


def test_a_second_model_in_a_placed_namespace_is_refused(model_emulator: Start) -> None:
    emu = _hub(model_emulator)
    first = invoke("model", "deploy", "phi-4", "--name", "phi-east", "--fleet-hub", "-y")
    assert first.exit_code == 0, first
    second = invoke("model", "deploy", "phi-4", "--name", "phi-west", "--fleet-hub", "-y")
    assert second.exit_code == 4, second
    assert "namespace phi-4" in second.stderr and "phi-east" in second.stderr
    assert "-n phi-west" in second.stderr
    assert emu.cluster.get(KAITO, "Workspace", "phi-4", "phi-west") is None


def test_a_redeploy_of_the_same_model_is_not_refused(model_emulator: Start) -> None:
    _hub(model_emulator)
    assert invoke("model", "deploy", "phi-4", "--name", "phi-east", "--fleet-hub", "-y").exit_code == 0
    again = invoke("model", "deploy", "phi-4", "--name", "phi-east", "--fleet-hub", "--max-model-len", "4096", "-y")
    assert again.exit_code == 0, again
