"""``-o``: every command checks it before it renders or sends anything, as kubectl refuses a
printer it does not have ("unable to match a printer ...") before it creates anything."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer import _click as click

from akscli.cli import grammar
from tests.cli import invoke
from tests.emulators.kube.emulator import KubeEmulator

WITH_OUTPUT = [
    (path, command)
    for path, command in grammar.leaf_commands()
    if any("--output" in option.opts for option in grammar.options(command))
]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def unreachable_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A kubeconfig whose API server is a closed port: a command that connects fails otherwise."""
    path = tmp_path / "kubeconfig"
    path.write_text(
        f"""apiVersion: v1
kind: Config
clusters: [{{name: c, cluster: {{server: "http://127.0.0.1:{_closed_port()}"}}}}]
users: [{{name: u, user: {{token: t}}}}]
contexts: [{{name: x, context: {{cluster: c, user: u, namespace: default}}}}]
current-context: x
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("KUBECONFIG", str(path))
    return path


def test_the_walk_finds_the_commands_with_an_output_flag() -> None:
    found = {" ".join(path) for path, _ in WITH_OUTPUT}
    assert {"apply", "model deploy", "model rollback", "fleet place", "render", "doctor"} <= found


@pytest.mark.parametrize(("path", "command"), WITH_OUTPUT, ids=[" ".join(p) for p, _ in WITH_OUTPUT])
def test_every_output_flag_refuses_an_unknown_format_before_the_command_runs(
    path: list[str], command: click.Command, unreachable_kubeconfig: Path
) -> None:
    # -o first: the flag is checked as it is parsed, before the arguments the command needs
    # are even looked for, so nothing is rendered, asked or sent
    result = invoke(*path, "-o", "bogus")
    assert result.exit_code == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "error: -o: unknown output format 'bogus'"
    assert lines[1:] and lines[1].startswith("hint: use -o ") and len(lines) == 2


def test_a_deploy_with_an_unknown_format_sends_no_request(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    result = invoke("model", "deploy", "phi-4", "--name", "p2", "-o", "bogus", "-y")
    assert result.exit_code == 2, result
    assert kube_emulator.request_log == []


def test_a_change_refuses_table_printers_it_has_not(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    # kubectl apply/create -o: json, yaml, name, jsonpath; no wide, no custom-columns
    for fmt in ("wide", "custom-columns=A:.kind"):
        result = invoke("model", "deploy", "phi-4", "--name", "p2", "-o", fmt, "-y")
        assert result.exit_code == 2, result
        assert f"unknown output format {fmt!r}" in result.stderr
    assert kube_emulator.request_log == []


def test_client_dry_run_prints_the_manifests_through_jsonpath() -> None:
    result = invoke("model", "deploy", "phi-4", "--name", "p3", "--dry-run", "-o", "jsonpath={.items[*].kind}")
    assert result.exit_code == 0, result
    assert result.stdout == "ConfigMap Workspace"


def test_client_dry_run_refuses_custom_columns_and_prints_nothing() -> None:
    result = invoke("model", "deploy", "phi-4", "--name", "p3", "--dry-run", "-o", "custom-columns=A:.kind")
    assert result.exit_code == 2, result
    assert result.stdout == ""


def test_server_dry_run_with_name_prints_the_names(kubeconfig: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a1\n", encoding="utf-8")
    assert invoke("apply", "-f", str(manifest)).exit_code == 0
    result = invoke("apply", "-f", str(manifest), "--dry-run=server", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout == "configmap/a1\n"


def test_custom_columns_of_a_report_print_one_row_per_line_of_its_table() -> None:
    result = invoke("model", "plan", "phi-4", "-o", "custom-columns=VM:.vm_size")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0].strip() == "VM" and len(lines) > 2
    assert "<none>" not in result.stdout
    assert "Standard_NC24ads_A100_v4" in lines


def test_custom_columns_of_doctor_print_one_row_per_check(kubeconfig: Path) -> None:
    result = invoke("doctor", "-o", "custom-columns=C:.component,S:.status")
    rows = result.stdout.splitlines()
    assert rows[0].split() == ["C", "S"]
    checks = json.loads(invoke("doctor", "-o", "json").stdout)["checks"]
    assert [r.split()[0] for r in rows[1:]] == [c["component"] for c in checks]


def test_render_list_prints_names_with_o_name() -> None:
    plain = invoke("render", "--list")
    named = invoke("render", "--list", "-o", "name")
    assert named.exit_code == 0, named
    assert named.stdout == plain.stdout and "model/vllm" in named.stdout.split()


def test_render_of_a_template_refuses_a_table_format() -> None:
    result = invoke("render", "model/vllm", "--set", "name=x", "-o", "table")
    assert result.exit_code == 2, result
    assert result.stdout == ""


def test_render_refuses_a_format_it_never_prints_with_its_own_formats_then_those_of_list() -> None:
    # Before, the hint named table|wide|custom-columns=SPEC as if a template printed them.
    result = invoke("render", "model/vllm", "--set", "name=x", "-o", "xml")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        "error: -o: unknown output format 'xml'",
        "hint: use -o yaml|json|name|jsonpath=TEMPLATE (default yaml; with --help-values or --list: "
        "table|wide|json|yaml|name)",
    ]
