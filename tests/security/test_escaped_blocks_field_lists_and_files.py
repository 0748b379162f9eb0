"""The last shapes of a secret in a server's words that showed, each through the real CLI with an
emulator answering the text:

1. a block scalar inside JSON-escaped text: a raw response body on a ``--debug`` line (azure-core's
   ``Content: {...}`` where an answer is no OData error) and a webhook's message quoting a JSON
   document;
2. a field error's value that is no string (kubernetes/apimachinery pkg/util/validation/field/
   errors.go ErrorBody: a number with %v, a list or a map as json.Marshal writes it);
3. a message akscli folded onto one line before it read it: a 500 "request is wrong", a multi-line
   apply conflict, a kubeconfig's YAML error with its snippet;
4. a ConfigMap's file value (a properties, INI or env file) in ``-o yaml``/``-o json`` and a plan.
Each failed before."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

PW = "Hunter2-Canary"
CONFIG_MAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"mode": "fast"}}


def refused(kube_emulator: Any, tmp_path: Path, status: int, message: str, flags: list[str]) -> str:
    """``apply -f`` of a ConfigMap whose every PATCH is answered ``status`` with ``message``: what it
    printed (stdout and stderr) and the audit log."""
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(CONFIG_MAP))
    kube_emulator.faults.add(verb="PATCH", path=r"/configmaps/c$", status=status, count=100, message=message)
    result = invoke("apply", "-f", str(manifest), "-y", *flags)
    assert result.exit_code != 0, result
    log = Path(os.environ["AKSCLI_AUDIT_LOG"])
    return result.stdout + result.stderr + (log.read_text() if log.exists() else "")


@pytest.fixture
def audit_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("AKSCLI_AUDIT_LOG", str(log))
    return log


# 1. JSON-escaped text


def test_a_debug_line_of_a_raw_arm_body_hides_a_block_scalar(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    said = f"extension settings:\n  clientSecret: >-\n    {PW}\n  tenant: t"
    azure_env.faults.add("GET", "/managedClusters/aks1$", 400, body={"Message": said})
    result = invoke("cluster", "show", "aks1", "-g", RG, "--debug")
    assert result.exit_code != 0
    assert 'Content: {"Message": "extension settings:\\n  clientSecret: >-\\n    ***\\n  tenant: t"}' in result.stderr
    assert PW not in result.stdout + result.stderr


@pytest.mark.parametrize("flags", [[], ["--debug"]], ids=["plain", "debug"])
def test_a_webhooks_message_quoting_a_json_document_hides_its_block_scalar(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, audit_log: Path, flags: list[str]
) -> None:
    document = json.dumps({"values.yaml": f"db:\n  password: |\n    {PW}\n  user: app\n"})
    printed = refused(kube_emulator, tmp_path, 403, f"denied: chart values {document} set a password", flags)
    assert "password: |\\n ***\\n user: app" in printed, printed  # the error line folds each space run
    assert PW not in printed


# 2. A field error's value of another type


@pytest.mark.parametrize(
    "value",
    [f'["{PW}","b"]', "31415926535", f'{{"db":{{"pass":"{PW}","port":5432}}}}'],
    ids=["list", "number", "nested map"],
)
def test_a_field_errors_value_of_another_type_under_a_secret_path_reaches_no_output(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, audit_log: Path, value: str
) -> None:
    message = f'ConfigMap "c" is invalid: [data[credentials]: Invalid value: {value}: bad, data[mode]: Required value]'
    printed = refused(kube_emulator, tmp_path, 422, message, [])
    assert "data[credentials]: Invalid value: ***: bad, data[mode]: Required value" in printed, printed
    assert PW not in printed and "31415926535" not in printed


def test_a_field_errors_list_under_another_path_is_shown(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, audit_log: Path
) -> None:  # a guard
    message = 'ConfigMap "c" is invalid: data[modes]: Unsupported value: ["fast","slow"]: supported values: "a"'
    printed = refused(kube_emulator, tmp_path, 422, message, [])
    assert 'data[modes]: Unsupported value: ["fast","slow"]' in printed, printed


# 3. Folded before it was read


def test_a_request_is_wrong_500_hides_a_block_scalar_before_its_fold(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, audit_log: Path
) -> None:
    message = f"failed to create typed patch object (/v1, Kind=ConfigMap): .data.settings: values:\ntoken: |\n  {PW}\n"
    printed = refused(kube_emulator, tmp_path, 500, message, [])
    assert ".data.settings: values: token: | ***" in printed, printed
    assert PW not in printed


def test_a_webhooks_multi_line_conflict_hides_a_block_scalar_before_its_fold(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, audit_log: Path
) -> None:
    # A webhook's 409 comes with its own message and the reason Forbidden (ToStatusErr).
    denied = 'configmaps "c" is forbidden: admission webhook "values.example.com" denied the request'
    message = f"{denied}: conflict with the release's values:\npassword: |\n  {PW}\n"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(CONFIG_MAP))
    kube_emulator.faults.add(
        verb="PATCH", path=r"/configmaps/c$", status=409, count=100, message=message, reason="Forbidden"
    )
    result = invoke("apply", "-f", str(manifest), "-y")
    printed = result.stdout + result.stderr + audit_log.read_text()
    assert result.exit_code != 0 and "re-run with --force-conflicts" in result.stderr, printed
    assert "values: password: | ***" in printed, printed
    assert PW not in printed


def test_a_kubeconfigs_yaml_error_hides_its_snippets_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kubernetes.config.kube_config import KubeConfigMerger

    from akscli.kube import connecting

    config = tmp_path / "config"
    config.write_text(f"apiVersion: v1\nusers:\n- name: u\n  user:\n    password: {PW}: x\n")
    # The official client's loader of a file-like object reads it as a string (kubernetes-client/python
    # kubernetes/config/kube_config.py KubeConfigMerger._load_config_from_file_like_object), and
    # PyYAML's error then quotes the line (yaml/pyyaml lib/yaml/error.py Mark.get_snippet).
    monkeypatch.setattr(connecting, "_merged", lambda files: KubeConfigMerger(io.StringIO(config.read_text())))
    result = invoke("model", "list", "--kubeconfig", str(config))
    assert result.exit_code != 0
    assert "is not valid YAML" in result.stderr and "password: ***" in result.stderr, result.stderr
    assert PW not in result.stdout + result.stderr


# 4. A ConfigMap's file values

FILES = {
    "app.ini": f"[db]\nhost = db\npassword = {PW}\nuser = app\n",
    "app.properties": f"db.url=jdbc:postgresql://db/app\ndb.password={PW}-2\n",
    "app.env": f"export API_TOKEN={PW}-3\nMODE=fast\n",
}


@pytest.mark.parametrize(
    "flags", [["-y"], ["--dry-run=server"], ["--dry-run=client"]], ids=["apply", "server", "client"]
)
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_config_maps_file_values_hide_their_password_lines(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, flags: list[str], fmt: str
) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({**CONFIG_MAP, "data": FILES}))
    result = invoke("apply", "-f", str(manifest), *flags, "-o", fmt)
    assert result.exit_code == 0, result
    assert PW not in result.stdout + result.stderr
    if fmt == "json":
        doc = json.loads(result.stdout)
        data = (doc["items"][0] if doc.get("kind") == "List" else doc)["data"]
        assert data["app.ini"] == "[db]\nhost = db\npassword = ***\nuser = app\n"
        assert data["app.properties"] == "db.url=jdbc:postgresql://db/app\ndb.password=***\n"
        assert data["app.env"] == "export API_TOKEN=***\nMODE=fast\n"


def test_a_plan_of_a_changed_ini_file_hides_the_password_line(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({**CONFIG_MAP, "data": {"app.ini": "[db]\npassword = old-pass-1\nuser = a\n"}}))
    assert invoke("apply", "-f", str(manifest), "-y").exit_code == 0
    manifest.write_text(json.dumps({**CONFIG_MAP, "data": {"app.ini": f"[db]\npassword = {PW}\nuser = b\n"}}))
    result = invoke("apply", "-f", str(manifest), "--dry-run=server")
    assert result.exit_code == 0, result
    assert "+ password = ***" in result.stdout + result.stderr, result
    assert PW not in result.stdout + result.stderr and "old-pass-1" not in result.stdout + result.stderr


def test_every_secret_name_opens_the_read_of_a_text() -> None:  # a guard on redact's quick check
    from akscli import redact, secret_words

    words = [w.lower() for w in secret_words._SECRET_WORDS]
    pairs = [f"{a.lower()}{b.title()}" for a, b in secret_words._SECRET_PAIRS]  # apiKey, connectionString
    pairs += [f"{a}_{b}" for a, b in secret_words._SECRET_PAIRS]  # API_KEY
    for name in words + pairs:
        assert redact.hide_tokens(f"db.{name}=Hunter2x") == f"db.{name}=***", name
        assert redact.hide_tokens(f'{{"a": "b\\n{name}: Hunter2x"}}') == f'{{"a": "b\\n{name}: ***"}}', name
