"""A model deployment name its Service can carry. KAITO's webhooks take a Workspace or InferenceSet
named with a leading digit (a DNS-1123 label: kaito-project/kaito v0.12.0 api/v1beta1/workspace_validation.go,
inferenceset_validation.go Validate), but KAITO names the Workspace's Service after it
(pkg/workspace/manifests/manifests.go GenerateServiceManifest), and a Service name is a DNS-1035 label,
which starts with a letter (kubernetes/kubernetes pkg/apis/core/validation/validation.go ValidateServiceName):
every reconcile then ends at ensureService (pkg/workspace/controllers/workspace_controller.go), and the
model never serves. akscli refuses the name first, and so for its own vLLM Service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import Result, invoke
from tests.emulators.kube.controllers.kaito import KAITO
from tests.model.test_kaito_node_conditions import _conditions, _workspace


def _deploy(name: str, *args: str) -> Result:
    return invoke("model", "deploy", "phi-4-mini-instruct", "--name", name, "--dry-run=client", "-o", "yaml", *args)


@pytest.mark.parametrize(
    ("args", "whose"),
    [
        (("--runtime", "kaito"), "KAITO's Service"),
        (("--runtime", "kaito", "--replicas", "2"), "KAITO's Service"),
        (("--runtime", "vllm"), "its Service"),
    ],
)
def test_a_name_that_starts_with_a_digit_is_refused_before_anything_is_rendered(
    args: tuple[str, ...], whose: str
) -> None:
    refused = _deploy("1phi", *args)
    assert refused.exit_code == 2 and refused.stdout == "", refused
    assert refused.stderr.splitlines() == [
        f"error: --name: invalid model deployment name '1phi': {whose} is named after it, and a Service name must "
        "start with a letter (a DNS-1035 label)",
        "hint: for example: m-1phi",
    ]


def test_a_name_that_starts_with_a_letter_renders() -> None:
    rendered = _deploy("phi1", "--runtime", "kaito")
    assert rendered.exit_code == 0, rendered
    assert "kind: Workspace\n" in rendered.stdout


def test_kaito_shows_the_refused_service_on_every_condition_and_makes_no_statefulset(
    model_emulator: Callable[..., Any],
) -> None:
    # What akscli's refusal saves: the webhook admits the Workspace, the nodes come, the Service does not.
    emu = model_emulator()
    emu.cluster.create(_workspace("1phi"))
    emu.idle()
    conditions = _conditions(emu, "1phi")
    assert (conditions["ResourceReady"]["status"], conditions["InferenceReady"]["reason"]) == (
        "True",
        "WorkspaceInferenceStatusPending",
    )
    refused = 'Service "1phi" is invalid: metadata.name: Invalid value: "1phi": a DNS-1035 label must consist of'
    for condition in conditions.values():
        assert f" (last reconcile error: {refused}" in condition["message"], condition
    assert emu.cluster.get("apps/v1", "StatefulSet", "default", "1phi") is None
    ws = emu.cluster.get(KAITO, "Workspace", "default", "1phi")
    assert ws["status"]["state"] == "Pending" and ws["status"]["targetNodeCount"] == 1
