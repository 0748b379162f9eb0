"""--no-headers, kubectl get's flag, on every table akscli prints: the default table, -o wide,
-o custom-columns= and csv lose their header line and keep their rows. It is a global flag, read
by the one output layer (akscli.output), so no command declares it."""

from __future__ import annotations

import re
from typing import Any

from tests.cli import invoke
from tests.ops.test_ops_emulator import gpu_node


def _cells(line: str) -> list[str]:
    return re.split(r"\s{3,}", line.strip())


def test_no_headers_leaves_the_table_header_out_and_keeps_every_row() -> None:
    with_head = invoke("model", "catalog").stdout.splitlines()
    without = invoke("model", "catalog", "--no-headers").stdout.splitlines()
    assert [_cells(line) for line in without] == [_cells(line) for line in with_head[1:]]


def test_no_headers_leaves_the_wide_table_header_out() -> None:
    with_head = invoke("model", "catalog", "-o", "wide").stdout.splitlines()
    without = invoke("model", "catalog", "-o", "wide", "--no-headers").stdout.splitlines()
    assert with_head[0].startswith("MODEL")
    assert [_cells(line) for line in without] == [_cells(line) for line in with_head[1:]]


def test_no_headers_leaves_the_custom_columns_header_out() -> None:
    result = invoke("model", "catalog", "-o", "custom-columns=PRESET:.preset", "--no-headers")
    assert result.exit_code == 0, result
    assert "PRESET" not in result.stdout
    assert result.stdout.splitlines()[0].strip() == "phi-4"


def test_no_headers_leaves_the_csv_header_row_out(kube_emulator: Any, kubeconfig: Any) -> None:
    gpu_node(kube_emulator, "a100-0", "a100", "Standard_NC24ads_A100_v4", 1)
    with_head = invoke("gpu", "usage", "-o", "csv").stdout.splitlines()
    without = invoke("gpu", "usage", "-o", "csv", "--no-headers").stdout.splitlines()
    assert with_head[0].startswith("scope,name,")
    assert without == with_head[1:]


def test_no_headers_may_stand_before_the_command_as_kubectl_plugin_flags_do() -> None:
    result = invoke("--no-headers", "policy", "rules")
    assert result.exit_code == 0, result
    assert not result.stdout.startswith("RULE")


def test_no_headers_false_keeps_the_header_as_kubectls_bool_flags_do() -> None:
    result = invoke("policy", "rules", "--no-headers=false")
    assert result.stdout.startswith("RULE")


def test_no_headers_with_a_value_that_is_no_bool_is_refused_in_one_line() -> None:
    result = invoke("policy", "rules", "--no-headers=maybe")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") <= 2 and "--no-headers" in result.stderr
