"""`nodepool show NAME --auto-provision -o name` ended in `unexpected error: KeyError: 'name'`
(exit 1): it printed the NodePool through the summary rows' namer. It now prints the NodePool's
``nodepool.karpenter.sh/NAME``, as `nodepool list --auto-provision -o name` does, and that line
is taken back as the NAME (kubectl's TYPE/NAME, k8s.io/cli-runtime pkg/resource/builder.go)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.model.test_nap_gpu_pool import nap_lab

Start = Callable[..., Any]


def _add_pool() -> None:
    result = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "-y")
    assert result.exit_code == 0, result


def test_show_prints_the_nodepools_kind_and_name(model_emulator: Start) -> None:
    nap_lab(model_emulator)
    _add_pool()
    result = invoke("nodepool", "show", "gpu", "--auto-provision", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout == "nodepool.karpenter.sh/gpu\n"


def test_each_line_of_the_list_names_the_pool_to_show(model_emulator: Start) -> None:
    nap_lab(model_emulator)
    _add_pool()
    lines = invoke("nodepool", "list", "--auto-provision", "-o", "name").stdout.splitlines()
    assert "nodepool.karpenter.sh/gpu" in lines
    result = invoke("nodepool", "show", "nodepool.karpenter.sh/gpu", "--auto-provision", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout == "nodepool.karpenter.sh/gpu\n"
