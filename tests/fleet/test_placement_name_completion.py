"""TAB after `fleet placement status|delete` offers the hub's placements: its
ClusterResourcePlacements, or with -n the namespace's ResourcePlacements, as the commands read them
(fleet.placement.list_placements), within complete.CLUSTER_TIMEOUT_S, as kubectl completes
`kubectl get <kind> <TAB>` (kubernetes/kubectl pkg/util/completion/completion.go
ResourceNameCompletionFunc); nothing without a hub."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli.cli.complete import protocol_lines
from akscli.cli.main import root_command
from tests.cli import invoke


def _offered(*words: str) -> list[str]:
    return [line.split("\t")[0] for line in protocol_lines(["__complete", *words], root_command)[:-1]]


def test_a_hub_placement_name_completes_from_the_hub(hub: Any) -> None:
    for args in (["llm", "--select", "namespace/llm"], ["cfg", "-n", "llm", "--select", "configmap/model-config"]):
        result = invoke("fleet", "place", *args, "--pick-fixed", "canary", "-y")
        assert result.exit_code == 0, result
    assert _offered("fleet", "placement", "status", "") == ["llm"]
    assert _offered("fleet", "placement", "delete", "-n", "llm", "") == ["cfg"]


def test_no_hub_completes_no_placement_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    assert protocol_lines(["__complete", "fleet", "placement", "delete", ""], root_command) == [":4"]
