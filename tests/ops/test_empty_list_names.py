"""An empty list in each output: kubectl get writes "No resources found in NS namespace." on stderr
for its human-readable printers only (a table, -o wide); -o name, json, yaml and templates go
through printGeneric, which writes no such line (upstream: kubernetes/kubectl dee3483a
pkg/cmd/get/get.go Complete, IsHumanReadablePrinter; Run; printGeneric). akscli's Kubernetes
lists do the same: -o name of nothing is empty on stdout and on stderr, as the real kubectl's."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.crds import default_crd_dir

LISTS = {
    ("model", "list"): "workspaces.kaito.sh",
    ("ray", "cluster", "list"): "rayclusters.ray.io",
    ("fleet", "placement", "list"): "resourceplacements.placement.kubernetes-fleet.io",
}


@pytest.fixture
def emulator(kube_emulator_factory: Callable[..., Any], tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    folders = [default_crd_dir() / c for c in ("kaito", "kuberay", "fleet")]
    emu = kube_emulator_factory(crd_dirs=folders, builtin_controllers=False)
    monkeypatch.setenv("KUBECONFIG", str(emu.write_kubeconfig(tmp_path / "kc", context="e", namespace="default")))
    return emu


@pytest.mark.parametrize("command", sorted(LISTS), ids=" ".join)
def test_an_empty_table_says_no_resources_found_on_stderr(emulator: Any, command: tuple[str, ...]) -> None:
    result = invoke(*command, "-n", "empty")
    assert result.exit_code == 0, result
    assert (result.stdout, result.stderr) == ("", "No resources found in empty namespace.\n")


@pytest.mark.parametrize("command", sorted(LISTS), ids=" ".join)
def test_an_empty_list_of_names_prints_nothing_at_all(emulator: Any, command: tuple[str, ...]) -> None:
    result = invoke(*command, "-n", "empty", "-o", "name")
    assert result.exit_code == 0, result
    assert (result.stdout, result.stderr) == ("", "")


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("command", sorted(LISTS), ids=" ".join)
def test_kubectl_prints_nothing_for_the_same_empty_list_of_names(emulator: Any, command: tuple[str, ...]) -> None:
    run = subprocess.run(
        ["kubectl", "get", LISTS[command], "-n", "empty", "-o", "name"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")
