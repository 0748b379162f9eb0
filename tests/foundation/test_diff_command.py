"""`akscli diff -f`: what `apply -f` would change, planned as --dry-run=server plans it, with
kubectl diff's exit status (kubernetes/kubectl pkg/cmd/diff/diff.go: 0 no differences, 1
differences, >1 an error), so that a pipeline can gate on it."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from tests.cli import invoke
from tests.foundation.manifest_files import CONFIG_MAP_TWO, CONFIG_MAPS


def test_an_object_to_create_is_a_difference_exit_1(kubeconfig: Path, manifest: Path) -> None:
    result = invoke("diff", "-f", str(manifest))
    assert result.exit_code == 1, result
    assert result.stdout.splitlines() == [
        "configmap/one (default): will be created",
        "configmap/two (default): will be created",
    ]
    assert "error:" not in result.stderr


def test_the_diff_creates_nothing(kubeconfig: Path, manifest: Path, kube_emulator: Any) -> None:
    invoke("diff", "-f", str(manifest))
    assert invoke("apply", "-f", str(manifest), "--dry-run=server").stdout.endswith("will be created\n")


def test_what_is_applied_already_is_no_difference_exit_0(kubeconfig: Path, manifest: Path) -> None:
    assert invoke("apply", "-f", str(manifest)).exit_code == 0
    result = invoke("diff", "-f", str(manifest))
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == ["configmap/one (default): unchanged", "configmap/two (default): unchanged"]


def test_a_changed_field_is_a_difference_shown_with_the_field(kubeconfig: Path, manifest: Path, tmp_path: Path) -> None:
    assert invoke("apply", "-f", str(manifest)).exit_code == 0
    changed = tmp_path / "changed.yaml"
    changed.write_text(CONFIG_MAPS.replace('a: "1"', 'a: "2"'))
    result = invoke("diff", "-f", str(changed))
    assert result.exit_code == 1, result
    assert "configmap/one (default): will be changed" in result.stdout
    assert "data.a" in result.stdout


def test_prune_lists_what_apply_prune_would_delete_exit_1(kubeconfig: Path, manifest: Path, tmp_path: Path) -> None:
    assert invoke("apply", "-f", str(manifest), "--stack", "demo").exit_code == 0
    other = tmp_path / "other.yaml"
    other.write_text(CONFIG_MAP_TWO)
    result = invoke("diff", "-f", str(other), "--stack", "demo", "--prune")
    assert result.exit_code == 1, result
    assert "configmap/one (default): will be deleted (pruned)" in result.stdout


def test_an_unreachable_server_exits_2_where_other_commands_exit_1(tmp_path: Path, manifest: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends
    config = tmp_path / "kubeconfig"
    config.write_text(
        f"""apiVersion: v1
kind: Config
clusters: [{{name: c, cluster: {{server: "http://127.0.0.1:{port}"}}}}]
users: [{{name: u, user: {{token: t}}}}]
contexts: [{{name: x, context: {{cluster: c, user: u, namespace: default}}}}]
current-context: x
""",
        encoding="utf-8",
    )
    assert invoke("apply", "-f", str(manifest), "--dry-run=server", "--kubeconfig", str(config)).exit_code == 1
    result = invoke("diff", "-f", str(manifest), "--kubeconfig", str(config))
    assert result.exit_code == 2, result
    assert result.stdout == ""


def test_an_error_with_its_own_code_keeps_it(kubeconfig: Path, manifest: Path) -> None:
    result = invoke("diff", "-f", str(manifest), "-n", "no-such-namespace")
    assert result.exit_code == 3, result  # not found (docs/exit-codes.md)
    assert 'error: configmap/one: namespaces "no-such-namespace" not found' in result.stderr
