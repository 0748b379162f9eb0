"""The secret shapes audit 39 left shown (audit39-secrets39.md "Still weak"), each through the real CLI
with an emulator answering the text where akscli prints it so:

1. a field error's value under a plural secret name (``spec.tokens``, ``spec.passwords``, ``apiKeys``);
2. a number under a path that names the secret, of any length (a 4-digit PIN);
3. a field error's value as Go's %#v writes it where json.Marshal fails (kubernetes/apimachinery
   pkg/util/validation/field/errors.go ErrorBody), and a struct's secret-named field in it;
4. ARM's network-error text, hidden before it is folded and cut (akscli.azure.armerrors._short);
5. a ConfigMap's file read by what the file means: a properties line's value to its end, its
   continuation lines, and a Python file's environment reference shown;
6. a placement's drift details of a ConfigMap's file, by the same line rules as ``-o yaml``.
Each failed before."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke

PW = "Hunter2-Canary"
CONFIG_MAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"mode": "fast"}}


@pytest.fixture
def audit_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("AKSCLI_AUDIT_LOG", str(log))
    return log


def refused(kube_emulator: Any, tmp_path: Path, message: str) -> str:
    """``apply -f`` of a ConfigMap whose every PATCH is answered 422 with ``message``: what it printed
    (stdout and stderr) and the audit log."""
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(CONFIG_MAP))
    kube_emulator.faults.add(verb="PATCH", path=r"/configmaps/c$", status=422, count=100, message=message)
    result = invoke("apply", "-f", str(manifest), "-y")
    assert result.exit_code != 0, result
    log = Path(os.environ["AKSCLI_AUDIT_LOG"])
    return result.stdout + result.stderr + (log.read_text() if log.exists() else "")


def invalid(field: str, value: str) -> str:
    return f'ConfigMap "c" is invalid: [{field}: Invalid value: {value}: bad, data[mode]: Required value]'


# 1. Plural secret names, 2. a short number, 3. Go's %#v


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("spec.tokens", f'["{PW}","b"]'),
        ("spec.passwords", f'{{"db":"{PW}"}}'),
        ("spec.apiKeys", f'["{PW}"]'),
        ("spec.tokens", f'"{PW}"'),
        ("spec.password", "1234"),
        ("spec.apiToken", "3"),
        ("spec.credentials", f'v1.Creds{{User:"a", Password:"{PW}", Extra:map[string]string{{"}}":"x"}}}}'),
        ("spec.credentials", f'&v1.Creds{{User:"a", Key:"{PW}"}}'),
        ("data[token]", f'map[v1.K]string{{v1.K{{A:1}}:"{PW}"}}'),
        ("spec.password", f'map[string]interface {{}}{{"a":"{PW}", "f":(func())(0xc000012345)}}'),
        ("spec.tokens", f'[]string{{"{PW}", "b"}}'),
    ],
    ids=[
        "plural list",
        "plural map",
        "plural pair",
        "plural string",
        "4-digit pin",
        "1-digit number",
        "go struct",
        "go pointer to struct",
        "go map",
        "go map of interface",
        "go slice under a plural",
    ],
)
def test_a_field_errors_value_under_a_secret_path_reaches_no_output(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, audit_log: Path, field: str, value: str
) -> None:
    printed = refused(kube_emulator, tmp_path, invalid(field, value))
    hidden = '"***"' if value.startswith('"') else "***"
    assert f"{field}: Invalid value: {hidden}: bad, data[mode]: Required value" in printed, printed
    assert PW not in printed and "1234" not in printed


def test_a_go_structs_secret_named_field_under_another_path_is_hidden(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, audit_log: Path
) -> None:
    printed = refused(kube_emulator, tmp_path, invalid("spec.database", f'v1.DB{{Host:"db", Password:"{PW}"}}'))
    assert 'spec.database: Invalid value: v1.DB{Host:"db", Password:"***"}: bad' in printed, printed
    assert PW not in printed


@pytest.mark.parametrize(
    "said",
    [
        "spec.maxTokens: Invalid value: 4096: must be at most 2048",  # a count of tokens
        "spec.tokens: Invalid value: 4096: must be at most 2048",
        "spec.tokenTTL: Invalid value: 3: must be at least 60",
        "spec.credentials: Invalid value: (*v1.Creds)(0xc000123456): bad",  # an address
        "spec.password: Invalid value: true: must be a string",
        'spec.mode: Invalid value: v1.Mode{Name:"fast"}: bad',
    ],
)
def test_a_count_an_address_or_another_fields_value_is_shown(said: str) -> None:  # guards
    from akscli import redact

    assert redact.server_text(said) == said


# 4. ARM's network error


def test_an_arm_network_errors_text_is_hidden_before_its_fold() -> None:
    from azure.core.exceptions import ServiceRequestError

    from akscli.azure.armerrors import translate

    told = str(translate(ServiceRequestError(f"proxy answered:\nextension:\n  password: |\n    {PW}\n  user: a")))
    assert "password: | *** user: a" in told, told
    assert PW not in told


def test_an_arm_errors_token_is_hidden_before_the_cut() -> None:
    from akscli.azure.armerrors import translate

    token = "eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiJ4In0" * 20 + ".c2lnbmF0dXJl"
    told = str(translate(ValueError(f"{'x' * 260} {token}")))
    assert "eyJzdWIi" not in told and "***" in told, told


# 5. A ConfigMap's files, by what each means

FILES = {
    "app.py": f'import os\npassword = os.environ["DB_PASSWORD"]\napi_key = "{PW}-1"\n',
    "settings.ini": '[db]\npassword = os.environ["DB_PASSWORD"]\n',
    "db.properties": f"db.password=my {PW}-2\ndb.token=abc\\\n    {PW}-3\nmode=fast\n",
}


def test_a_config_maps_files_are_read_by_what_they_mean(kubeconfig: Path, kube_emulator: Any, tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({**CONFIG_MAP, "data": FILES}))
    result = invoke("apply", "-f", str(manifest), "--dry-run=client", "-o", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)["data"]
    assert data["app.py"] == 'import os\npassword = os.environ["DB_PASSWORD"]\napi_key = "***"\n'
    assert data["settings.ini"] == "[db]\npassword = ***\n"  # a properties or INI value is that text
    assert data["db.properties"] == "db.password=***\ndb.token=***\n    ***\nmode=fast\n"
    assert PW not in result.stdout + result.stderr


def test_a_plan_of_a_changed_properties_file_hides_the_whole_value(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({**CONFIG_MAP, "data": {"db.properties": "db.password=old pass\nmode=a\n"}}))
    assert invoke("apply", "-f", str(manifest), "-y").exit_code == 0
    manifest.write_text(json.dumps({**CONFIG_MAP, "data": {"db.properties": f"db.password=new {PW}\nmode=b\n"}}))
    result = invoke("apply", "-f", str(manifest), "--dry-run=server")
    printed = result.stdout + result.stderr
    assert result.exit_code == 0, result
    assert "+ db.password=***" in printed and "- db.password=***" in printed, printed
    assert PW not in printed and "pass" not in printed.replace("password", "")


# 6. A placement's drift details


def test_a_drifted_config_map_file_shows_its_lines_with_the_secret_hidden() -> None:
    from akscli.fleet.placement_status import cluster_statuses

    item = {"group": "", "version": "v1", "kind": "ConfigMap", "namespace": "team-a", "name": "settings"}
    detail = {"path": "/data/app.properties", "valueInHub": f"db.password={PW}\nmode=fast", "valueInMember": "x=1"}
    entry = {"clusterName": "m1", "diffedPlacements": [{**item, "observedDiffs": [detail]}]}
    [row] = cluster_statuses({"kind": "ClusterResourcePlacement", "status": {"placementStatuses": [entry]}})
    assert row.diffed == [
        "ConfigMap/team-a/settings: /data/app.properties (hub db.password=***\nmode=fast, member x=1)"
    ]
