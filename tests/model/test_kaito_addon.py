"""model deploy on the AKS AI toolchain operator add-on (issue #20 item 2): the add-on ships an
older KAITO (azure-aks-docs ai-toolchain-operator.md: 0.6.0) with Workspace and no InferenceSet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube import profiles


@pytest.fixture
def addon_cluster(kube_emulator_factory: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    emu = kube_emulator_factory(crd_dirs=[], tls=False)
    profiles.kaito_addon(emu)
    monkeypatch.setenv("KUBECONFIG", str(emu.write_kubeconfig(tmp_path / "kubeconfig")))
    return emu


def test_replicas_on_the_addon_names_the_kaito_version_found_and_the_way_out(addon_cluster: Any) -> None:
    result = invoke("model", "deploy", "phi-4", "--replicas", "2", "-y")
    assert result.exit_code == 7, result
    assert "KAITO 0.6.0 does not serve kaito.sh/v1beta1 InferenceSet" in result.stderr
    assert "v0.11" in result.stderr and "drop --replicas" in result.stderr
    assert "enable the AI toolchain operator" not in result.stderr
    assert addon_cluster.cluster.list("kaito.sh/v1beta1", "Workspace", namespace="default") == []
