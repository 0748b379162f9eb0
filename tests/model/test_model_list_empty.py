"""An empty `model list -n NS` says kubectl get's line (upstream: kubernetes/kubectl dee3483a
pkg/cmd/get/get.go Run): "No resources found in NS namespace." on stderr."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke


def test_an_empty_model_list_names_the_namespace_as_kubectl_does(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    result = invoke("model", "list", "-n", "team-a")
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert result.stderr == "No resources found in team-a namespace.\n"
