"""Credentials from the kubeconfig are checked when they are loaded: a failing exec plugin is
reported as kubectl reports it, and a token never reaches an error message."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from akscli.kube import credentials
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from tests.cli import invoke


def with_user(emu: Any, path: Path, user: dict[str, Any]) -> Path:
    config = emu.kubeconfig_dict()
    config["users"][0]["user"] = user
    path.write_text(json.dumps(config), encoding="utf-8")
    path.chmod(0o600)
    return path


def plugin(script: str) -> dict[str, Any]:
    return {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": sys.executable,
            "args": ["-c", script],
            "interactiveMode": "Never",
        }
    }


FAILING = "import sys; sys.stderr.write('error: no Azure credentials\\nhint: run az login\\n'); sys.exit(6)"


def test_a_failing_exec_plugin_is_named_with_its_exit_code_and_its_own_words(
    kube_emulator: Any, tmp_path: Path
) -> None:
    kc = with_user(kube_emulator, tmp_path / "kc", plugin(FAILING))
    result = invoke("model", "list", "--kubeconfig", str(kc))
    assert result.exit_code == 6
    name = Path(sys.executable).name
    assert f"error: getting credentials: exec plugin {name!r} of user 'emulator-user' failed with exit code 6" in (
        result.stderr
    )
    assert "hint: the plugin said: error: no Azure credentials / hint: run az login" in result.stderr
    assert "Unauthorized" not in result.stderr


def test_an_exec_plugin_that_prints_no_credential_is_said_so(kube_emulator: Any, tmp_path: Path) -> None:
    kc = with_user(kube_emulator, tmp_path / "kc", plugin("print('not json')"))
    result = invoke("model", "list", "--kubeconfig", str(kc))
    assert result.exit_code == 6
    assert "gave no usable credential: failed to decode process output" in result.stderr


def test_an_exec_plugin_that_fails_on_refresh_is_reported_too(
    kube_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first run hands out a token that has already expired; the refresh before the next
    # request runs the plugin again, and that run fails.
    marker = tmp_path / "ran"
    script = (
        "import json, pathlib, sys\n"
        f"m = pathlib.Path({str(marker)!r})\n"
        "if m.exists():\n"
        "    sys.stderr.write('error: the refresh token expired\\n'); sys.exit(6)\n"
        "m.write_text('1')\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1', 'kind': 'ExecCredential',\n"
        f"    'status': {{'token': {kube_emulator.token!r}, 'expirationTimestamp': '2000-01-01T00:00:00Z'}}}}))\n"
    )
    kc = with_user(kube_emulator, tmp_path / "kc", plugin(script))
    monkeypatch.setattr(credentials, "INTERVAL_S", 0.0)
    kube = connect(KubeTarget(kubeconfig=str(kc)))
    with pytest.raises(Exception, match="failed with exit code 6") as raised:
        kube.request("GET", "/api/v1/namespaces/default")
    assert raised.value.hint == "the plugin said: error: the refresh token expired"  # type: ignore[attr-defined]


def test_a_token_with_a_newline_is_refused_without_printing_it(kube_emulator: Any, tmp_path: Path) -> None:
    kc = with_user(kube_emulator, tmp_path / "kc", {"token": "LEAKY\nTOKEN"})
    result = invoke("model", "list", "--kubeconfig", str(kc))
    assert result.exit_code == 2
    assert "the kubeconfig's token for user 'emulator-user' contains a newline or control character" in result.stderr
    assert "LEAKY" not in result.stderr and "TOKEN" not in result.stderr


def test_a_token_file_with_a_control_character_is_refused_without_printing_it(
    kube_emulator: Any, tmp_path: Path
) -> None:
    (tmp_path / "token").write_text("LEAKY\x07TOKEN\n", encoding="utf-8")
    kc = with_user(kube_emulator, tmp_path / "kc", {"tokenFile": str(tmp_path / "token")})
    result = invoke("model", "list", "--kubeconfig", str(kc))
    assert result.exit_code == 2
    assert "the kubeconfig's token file for user 'emulator-user' contains" in result.stderr
    assert "LEAKY" not in result.stderr


def test_a_token_file_ending_in_a_newline_works_as_with_kubectl(kube_emulator: Any, tmp_path: Path) -> None:
    # client-go trims a token file (transport/token_source.go: strings.TrimSpace).
    (tmp_path / "token").write_text(kube_emulator.token + "\n", encoding="utf-8")
    kc = with_user(kube_emulator, tmp_path / "kc", {"tokenFile": str(tmp_path / "token")})
    kube = connect(KubeTarget(kubeconfig=str(kc)))
    assert kube.request("GET", "/api/v1/namespaces/default")["metadata"]["name"] == "default"


def test_an_unexpected_error_never_prints_a_bearer_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from akscli.cli import version_body

    def boom(*_args: object, **_kwargs: object) -> None:
        raise ValueError("Invalid header value b'Bearer LEAKY\\nTOKEN'")

    monkeypatch.setattr(version_body, "version", boom)
    result = invoke("version")
    assert result.exit_code == 1
    assert "unexpected error: ValueError: Invalid header value" in result.stderr
    assert "LEAKY" not in result.stderr and "TOKEN" not in result.stderr
    assert "Bearer [redacted]" in result.stderr
