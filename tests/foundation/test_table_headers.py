"""Every table akscli prints spells its headers one way: kubectl's (akscli.output.heading).

The walk reads every ``Column(...)`` in src/akscli, so a table added later is held to the rule
without a line here."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from akscli import output
from tests.cli import invoke
from tests.ops.test_ops_emulator import gpu_node

SRC = Path(__file__).resolve().parents[2] / "src" / "akscli"


def _headers() -> dict[str, str]:
    """Each literal header of a ``Column`` or ``output.Column`` call, with where it stands."""
    found: dict[str, str] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            first = node.args[0]
            if name == "Column" and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found[f"{path.relative_to(SRC)}:{node.lineno}"] = first.value
    return found


def test_the_walk_finds_the_headers_of_the_command_tables() -> None:
    assert len(_headers()) > 300


def test_every_table_header_parts_its_words_with_one_space_and_no_hyphen() -> None:
    # The one blank header is model plan's pick marker (a column of "*").
    wrong = {where: h for where, h in _headers().items() if h and not re.match(output.HEADER_RULE, h)}
    assert wrong == {}


def test_a_header_is_printed_in_upper_case_as_kubectl_prints_a_column_name() -> None:
    assert output.heading("vm size") == "VM SIZE"
    assert output.heading("Resource group") == "RESOURCE GROUP"


def test_the_gpu_usage_table_heads_vm_size_as_the_nodepool_and_model_tables_do(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    gpu_node(kube_emulator, "a100-0", "a100", "Standard_NC24ads_A100_v4", 1)
    result = invoke("gpu", "usage", "-o", "wide")
    assert result.exit_code == 0, result
    head = re.split(r"\s{3,}", result.stdout.splitlines()[0])
    assert "VM SIZE" in head and "GPU NODES" in head and "IDLE USD/MONTH" in head
