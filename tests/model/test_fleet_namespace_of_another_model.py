"""`model deploy --fleet-hub` refuses a namespace on the hub that already holds another model, and
without -n names the namespace after the deployment.

A fleet deploy puts the model in a namespace of its own on the hub and places that namespace whole:
KubeFleet's placement controller selects the Namespace and every object in it
(kubefleet-dev/kubefleet pkg/controllers/placement/resource_selector.go, fetchNamespaceResources
and fetchAllResourcesInOneNamespace). So `--name phi-west` of phi-4 with `-n phi-4`, after
`--name phi-east` there, would have placed phi-west's Workspace on phi-east's members too (and
phi-west phi-east's), a GPU node each that nobody asked for. Without -n the namespace was the
model's short name, so two deployments of one model collided there (audit 40, fleet40); it is now
the deployment's name, the handle every other model command takes."""

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
    second = invoke("model", "deploy", "phi-4", "--name", "phi-west", "--fleet-hub", "-n", "phi-east", "-y")
    assert second.exit_code == 4, second
    assert "namespace phi-east" in second.stderr and "model phi-east" in second.stderr
    assert "-n phi-west" in second.stderr
    assert emu.cluster.get(KAITO, "Workspace", "phi-east", "phi-west") is None


def test_a_redeploy_of_the_same_model_is_not_refused(model_emulator: Start) -> None:
    _hub(model_emulator)
    assert invoke("model", "deploy", "phi-4", "--name", "phi-east", "--fleet-hub", "-y").exit_code == 0
    again = invoke("model", "deploy", "phi-4", "--name", "phi-east", "--fleet-hub", "--max-model-len", "4096", "-y")
    assert again.exit_code == 0, again


def test_without_namespace_a_fleet_deploy_goes_into_a_namespace_named_as_the_deployment(model_emulator: Start) -> None:
    emu = _hub(model_emulator)
    result = invoke("model", "deploy", "phi-4", "--name", "phi-east", "--fleet-hub", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(KAITO, "Workspace", "phi-east", "phi-east") is not None
    assert emu.cluster.get(KAITO, "Workspace", "phi-4", "phi-east") is None


def test_two_deployments_of_one_model_on_a_hub_each_get_their_own_namespace(model_emulator: Start) -> None:
    emu = _hub(model_emulator)
    assert invoke("model", "deploy", "phi-4", "--name", "phi-east", "--fleet-hub", "-y").exit_code == 0
    second = invoke("model", "deploy", "phi-4", "--name", "phi-west", "--fleet-hub", "-y")
    assert second.exit_code == 0, second
    assert emu.cluster.get(KAITO, "Workspace", "phi-west", "phi-west") is not None


def test_a_redeploy_without_namespace_stays_in_the_namespace_its_placement_selects(model_emulator: Start) -> None:
    emu = _hub(model_emulator)
    first = invoke("model", "deploy", "phi-4", "--name", "phi-east", "--fleet-hub", "-n", "phi-4", "-y")
    assert first.exit_code == 0, first
    again = invoke("model", "deploy", "phi-4", "--name", "phi-east", "--fleet-hub", "--max-model-len", "4096", "-y")
    assert again.exit_code == 0, again
    assert emu.cluster.get(KAITO, "Workspace", "phi-4", "phi-east") is not None
    assert emu.cluster.get(KAITO, "Workspace", "phi-east", "phi-east") is None
