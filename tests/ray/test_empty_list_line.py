"""An empty list of Kubernetes objects says what kubectl get says, on stderr, and one function
writes it (output.no_resources): "No resources found in NS namespace." for a namespace, "No
resources found" with -A (upstream: kubernetes/kubectl dee3483a pkg/cmd/get/get.go Run)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from akscli import output
from tests.cli import invoke

SRC = Path(__file__).resolve().parents[2] / "src" / "akscli" / "cli"


def test_the_line_names_the_namespace_or_none() -> None:
    assert output.no_resources("ray") == "No resources found in ray namespace."
    assert output.no_resources(None) == "No resources found"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("-n", "ray"), "No resources found in ray namespace.\n"),
        (("-A",), "No resources found\n"),
        ((), "No resources found in default namespace.\n"),
    ],
)
def test_an_empty_ray_cluster_list_says_what_kubectl_says(
    ray_emulator: Callable[..., Any], args: tuple[str, ...], line: str
) -> None:
    ray_emulator()
    result = invoke("ray", "cluster", "list", *args)
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert result.stderr == line


# The list commands of namespaced Kubernetes objects: each passes output.no_resources as its
# empty line (a literal there would drift from kubectl's words).
LISTS = {
    "model_serving.py": "list_cmd",
    "ray/common.py": "list_objects",
    "ray/workergroup.py": "workergroup_list",
    "ray/cluster.py": "cluster_nodes",
    "fleet/place.py": "placement_list",
    "fleet/rollout.py": "rollout_list",
    "fleet/strategy.py": "strategy_list",
}


@pytest.mark.parametrize("module", sorted(LISTS))
def test_every_namespaced_list_writes_its_empty_line_with_no_resources(module: str) -> None:
    tree = ast.parse((SRC / module).read_text())
    func = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == LISTS[module])
    calls = [
        n
        for n in ast.walk(func)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "no_resources"
    ]
    assert calls, f"{module} {LISTS[module]} does not use output.no_resources"
