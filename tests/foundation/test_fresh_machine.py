"""A machine with nothing set up: kubeconfigs that are empty or have no current context, and a
home whose state folder cannot be written (a CI runner's read-only home)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import invoke
from tests.emulators.kube.emulator import KubeEmulator

CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"a": "1"}}


def without_current_context(kubeconfig: Path, current: str | None = None) -> Path:
    config = json.loads(kubeconfig.read_text())
    if current is None:
        config.pop("current-context", None)
    else:
        config["current-context"] = current
    kubeconfig.write_text(json.dumps(config))
    return kubeconfig


def test_an_empty_kubeconfig_says_so_and_how_to_get_credentials(tmp_path: Path) -> None:
    empty = tmp_path / "config"
    empty.write_text("")
    result = invoke("model", "list", "--kubeconfig", str(empty))
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        f"error: --kubeconfig: kubeconfig {empty} is empty",
        "hint: get credentials with 'akscli cluster credentials NAME -g GROUP', or pass --kubeconfig",
    ]


def test_an_empty_kubeconfig_among_several_is_skipped_as_kubectl_skips_it(
    kubeconfig: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.write_text("# nothing yet\n")
    monkeypatch.setenv("KUBECONFIG", f"{empty}:{kubeconfig}")
    result = invoke("model", "list")
    assert result.exit_code == 0, result


def test_context_flag_works_with_a_kubeconfig_that_has_no_current_context(kubeconfig: Path) -> None:
    without_current_context(kubeconfig)
    result = invoke("model", "list", "--context", "emulator")
    assert result.exit_code == 0, result


def test_an_empty_current_context_is_no_current_context(kubeconfig: Path) -> None:
    without_current_context(kubeconfig, current="")  # what `kubectl config unset current-context` leaves
    result = invoke("model", "list", "--context", "emulator")
    assert result.exit_code == 0, result


def test_without_a_current_context_the_error_names_the_contexts_to_pick_from(kubeconfig: Path) -> None:
    without_current_context(kubeconfig)
    result = invoke("model", "list")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        f"error: kubeconfig {kubeconfig} has no current context",
        "hint: pass --context NAME, or pick one with 'kubectl config use-context NAME' (contexts: emulator)",
    ]


def test_a_current_context_the_file_does_not_have_is_one_line(kubeconfig: Path) -> None:
    without_current_context(kubeconfig, current="gone")
    result = invoke("model", "list")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0] == (
        f"error: the current context 'gone' of kubeconfig {kubeconfig} is not one of its contexts"
    )
    assert "Traceback" not in result.stderr


def test_a_context_flag_the_file_does_not_have_names_the_known_contexts(kubeconfig: Path) -> None:
    result = invoke("model", "list", "--context", "gone")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        f"error: --context: context 'gone' is not in {kubeconfig}",
        "hint: known contexts: emulator",
    ]


def test_a_kubeconfig_with_no_context_at_all_says_how_to_get_credentials(kubeconfig: Path) -> None:
    config = json.loads(kubeconfig.read_text())
    config.pop("current-context", None)
    config["contexts"] = []
    kubeconfig.write_text(json.dumps(config))
    result = invoke("model", "list")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        f"error: kubeconfig {kubeconfig} has no current context",
        "hint: get credentials with 'akscli cluster credentials NAME -g GROUP', or pass --kubeconfig",
    ]


def test_a_change_is_made_and_warned_about_once_when_the_default_audit_folder_cannot_be_written(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker / "state"))  # ~/.local/state of a read-only home
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(json.dumps(CONFIGMAP))
    result = invoke("apply", "-f", str(manifest), "-y")
    assert result.exit_code == 0, result
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "settings") is not None
    warnings = [line for line in result.stderr.splitlines() if "no audit record kept" in line]
    assert warnings == [
        f"warning: no audit record kept: cannot write {blocker}/state/akscli/audit.jsonl: Not a directory; "
        "point --audit-log or AKSCLI_AUDIT_LOG at a writable file to keep one"
    ]


def test_a_context_with_an_empty_name_beside_the_current_one_is_passed_over(kubeconfig: Path) -> None:
    config = json.loads(kubeconfig.read_text())
    config["contexts"].append({"name": None, "context": {"cluster": "emulator", "user": "emulator-user"}})  # `name:`
    kubeconfig.write_text(json.dumps(config))
    result = invoke("model", "list")
    assert result.exit_code == 0, result
