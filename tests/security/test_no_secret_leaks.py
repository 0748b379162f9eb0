"""No secret reaches stdout, stderr, the audit log or a cache file (the standard: "secrets and
tokens never reach stdout, logs, plans, diffs or errors").

Canary strings are seeded in every secret source the lab provides: a Secret's ``stringData``
and ``data`` (base64), the ``kubectl.kubernetes.io/last-applied-configuration`` annotation that
client-side ``kubectl apply`` leaves on a Secret, the kubeconfig's bearer token, an exec
plugin's secret-named env value, and AZURE_CLIENT_SECRET. A matrix of commands runs with
--debug, -v and -vv, each --dry-run and -o yaml/json, and against servers that answer
401/403/422/500 quoting the secret back (a webhook's denial, an auth proxy's echo); every byte
akscli writes is searched for every canary, plain and base64.

By design and not checked here: ``akscli render`` prints the user's own values (its output is
the user's manifest), and ``akscli token`` prints an access token on stdout (it is a kubectl exec
credential plugin: kubectl reads the token from there). The token cache holds tokens by design;
it is checked for 0600, not for content.
"""

from __future__ import annotations

import base64
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli import Result, invoke

CANARY = "CanaryPassw0rd-7d1f"
CANARY_DATA = "CanaryDataKey-93ab"  # given base64-encoded under data
CANARY_ANNOTATED = "CanaryLastApplied-51c2"


def _forms(*values: str) -> list[str]:
    return [form for v in values for form in (v, base64.b64encode(v.encode()).decode())]


CANARIES = _forms(CANARY, CANARY + "-changed", CANARY_DATA, CANARY_ANNOTATED)


def secret(password: str = CANARY, *, annotated: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "creds"}
    if annotated:  # as client-side kubectl apply leaves it (kubectl pkg/util/apply.go)
        last = {"apiVersion": "v1", "kind": "Secret", "stringData": {"password": CANARY_ANNOTATED}}
        meta["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": json.dumps(last)}
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": meta,
        "stringData": {"password": password},
        "data": {"key": base64.b64encode(CANARY_DATA.encode()).decode()},
    }


def assert_clean(result: Result, *extra: str) -> None:
    text = result.stdout + result.stderr
    leaked = [c for c in (*CANARIES, *extra) if c in text]
    assert not leaked, f"{leaked} leaked in {result!r}"


def files_under(*folders: Path) -> Iterator[Path]:
    for folder in folders:
        if folder.is_dir():
            yield from (p for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "secret.yaml"
    path.write_text(json.dumps(secret(annotated=True)))
    return path


@pytest.fixture
def audit_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit.jsonl"
    monkeypatch.setenv("AKSCLI_AUDIT_LOG", str(path))
    return path


FLAGS = [["--debug"], ["-v"], ["-vv"]]
APPLY_MODES = [
    ["--dry-run=client", "-o", "yaml"],
    ["--dry-run=client", "-o", "json"],
    ["--dry-run=server", "-o", "yaml"],
    ["--dry-run=server", "-o", "json"],
    ["--dry-run=server"],
    ["-y"],
    ["-y", "-o", "yaml"],
    ["-y", "-o", "json"],
]


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: f[0])
@pytest.mark.parametrize("mode", APPLY_MODES, ids=" ".join)
def test_apply_of_a_new_changed_and_unchanged_secret_shows_no_value(
    kubeconfig: Path, kube_emulator: Any, manifest: Path, audit_log: Path, flags: list[str], mode: list[str]
) -> None:
    for step in ("new", "changed", "unchanged"):
        if step == "changed":
            manifest.write_text(json.dumps(secret(CANARY + "-changed", annotated=True)))
        result = invoke("apply", "-f", str(manifest), *flags, *mode)
        assert result.exit_code == 0, result
        assert_clean(result, kube_emulator.token)
        if "-y" in mode:
            invoke("apply", "-f", str(manifest), "-y")  # the next step meets it on the server


def test_the_plan_of_a_changed_secret_masks_as_kubectl_diff_does(
    kubeconfig: Path, manifest: Path, audit_log: Path
) -> None:
    assert invoke("apply", "-f", str(manifest), "-y").exit_code == 0
    manifest.write_text(json.dumps(secret(CANARY + "-changed", annotated=True)))
    result = invoke("apply", "-f", str(manifest), "--dry-run=server")
    assert "~ data.password: *** (before) -> *** (after)" in result.stdout, result
    assert_clean(result)


def test_a_secrets_last_applied_annotation_is_masked_in_yaml_output(kubeconfig: Path, manifest: Path) -> None:
    result = invoke("apply", "-f", str(manifest), "-y", "-o", "yaml")
    assert "kubectl.kubernetes.io/last-applied-configuration: '***'" in result.stdout, result
    assert_clean(result)


ECHOES = [(422, "Invalid value"), (403, "denied the request"), (500, "internal error"), (401, "Unauthorized")]


@pytest.mark.parametrize("flags", [[], *FLAGS], ids=lambda f: f[0] if f else "plain")
@pytest.mark.parametrize(("status", "words"), ECHOES, ids=[str(s) for s, _ in ECHOES])
def test_a_server_answer_that_quotes_the_secret_is_scrubbed_from_errors_and_the_audit_log(
    kubeconfig: Path,
    kube_emulator: Any,
    manifest: Path,
    audit_log: Path,
    flags: list[str],
    status: int,
    words: str,
) -> None:
    quoted = f"{words}: password {CANARY!r}, key {base64.b64encode(CANARY_DATA.encode()).decode()}, token "
    kube_emulator.faults.add(
        verb="PATCH", path=r"/secrets/creds$", status=status, count=100, message=quoted + kube_emulator.token
    )
    result = invoke("apply", "-f", str(manifest), "-y", *flags)
    assert result.exit_code != 0, result
    assert words in result.stderr, result  # the answer is shown, its secrets are not
    assert_clean(result, kube_emulator.token)
    assert_clean(invoke("audit", "list", "-o", "json"), kube_emulator.token)
    if audit_log.exists():
        assert not [c for c in (*CANARIES, kube_emulator.token) if c in audit_log.read_text()]


def test_an_unexpected_failures_debug_traceback_is_scrubbed(
    kubeconfig: Path, manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.kube import apply

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"could not compare {CANARY}")

    monkeypatch.setattr(apply, "diff_objects", broken)
    invoke("apply", "-f", str(manifest), "-y")  # the Secret exists: the next plan diffs it
    result = invoke("apply", "-f", str(manifest), "-y", "--debug")
    assert result.exit_code == 1, result
    assert "Traceback" in result.stderr and "could not compare ***" in result.stderr
    assert_clean(result)


def test_no_cache_or_state_file_holds_a_secret(
    kubeconfig: Path, kube_emulator: Any, manifest: Path, audit_log: Path
) -> None:
    for args in (["-y"], ["--dry-run=server", "-o", "yaml"], ["-y", "--debug"]):
        invoke("apply", "-f", str(manifest), *args)
    state = [Path(os.environ[v]) for v in ("XDG_CACHE_HOME", "XDG_STATE_HOME", "KUBECACHEDIR")]
    for file in [*files_under(*state), audit_log]:
        text = file.read_text(errors="replace")
        assert not [c for c in (*CANARIES, kube_emulator.token) if c in text], file


EXEC_PLUGIN = """#!/bin/sh
echo "login failed for client secret $PLUGIN_CLIENT_SECRET" >&2
exit 1
"""


def test_an_exec_plugins_message_does_not_show_its_secret_env_value(tmp_path: Path, kube_emulator: Any) -> None:
    plugin = tmp_path / "login-plugin"
    plugin.write_text(EXEC_PLUGIN)
    plugin.chmod(0o755)
    config = kube_emulator.kubeconfig_dict("emulator")
    config["users"][0]["user"] = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": str(plugin),
            "env": [{"name": "PLUGIN_CLIENT_SECRET", "value": CANARY}],
            "interactiveMode": "Never",
        }
    }
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps(config))
    result = invoke("apply", "-f", "-", "--dry-run=server", "--kubeconfig", str(path), input=json.dumps(secret()))
    assert result.exit_code != 0, result
    assert "login failed for client secret ***" in result.stderr, result
    assert_clean(result)


def test_an_arm_answer_that_quotes_the_client_secret_is_scrubbed(azure_env: Any) -> None:
    client_secret = os.environ["AZURE_CLIENT_SECRET"]
    body = {"error": {"code": "AuthorizationFailed", "message": f"client {client_secret} may not read"}}
    azure_env.faults.add("GET", "managedClusters", 403, body=body)
    result = invoke("cluster", "list", "--debug")
    assert result.exit_code != 0, result
    assert "may not read" in result.stderr
    assert client_secret not in result.stdout + result.stderr


def test_the_token_cache_is_private_and_holds_no_client_secret(azure_env: Any) -> None:
    # akscli token prints an access token on stdout by design (kubectl's exec credential plugin);
    # the token it caches is kept, 0600, and the client secret that obtained it is not.
    from tests.azure.helpers import entra_flag
    from tests.emulators.arm import AKS_SERVER_APP

    result = invoke("token", "--server-id", AKS_SERVER_APP, *entra_flag())
    assert result.exit_code == 0, result
    cached = list(files_under(Path(os.environ["AKSCLI_CACHE_DIR"])))
    assert cached, "akscli token cached nothing"
    for file in cached:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
        assert os.environ["AZURE_CLIENT_SECRET"] not in file.read_text(errors="replace"), file
    assert os.environ["AZURE_CLIENT_SECRET"] not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "flags", [["--debug"], ["-vv", "-o", "json"], ["--dry-run=client", "-o", "yaml"]], ids=" ".join
)
def test_admin_credentials_show_no_key_or_token_and_the_kubeconfig_is_private(
    azure_env: Any, tmp_path: Path, flags: list[str]
) -> None:
    from ruamel.yaml import YAML

    from tests.azure.helpers import RG, seed_cluster

    seed_cluster(azure_env, disableLocalAccounts=False)
    config = tmp_path / "fresh" / "config"
    assert invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(config), "--admin").exit_code == 0
    user = YAML(typ="safe", pure=True).load(config.read_text())["users"][0]["user"]
    result = invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(config), "--admin", *flags)
    assert result.exit_code == 0, result
    assert_clean(result, user["token"], user["client-key-data"])
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


@pytest.mark.parametrize("debug", [[], ["--debug"]], ids=["plain", "debug"])
@pytest.mark.parametrize("failure", ["akscli", "unexpected"])
def test_akscli_tokens_error_line_is_scrubbed_as_the_clis_is(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], failure: str, debug: list[str]
) -> None:
    # kubectl runs `akscli token` through its own stdlib-only entry point (cli/entry.py hands it
    # to azure/token.main, not cli.main): its error lines need the same scrub.
    from akscli import redact
    from akscli.azure import token
    from akscli.errors import AuthError

    def refused(*_args: Any, **_kwargs: Any) -> str:
        redact.remember(CANARY)  # as identity does with AZURE_CLIENT_SECRET
        if failure == "akscli":
            raise AuthError(f"Entra ID refused client secret {CANARY}", f"check {CANARY}")
        raise RuntimeError(f"Entra ID refused client secret {CANARY}")

    monkeypatch.setattr(token, "run", refused)
    assert token.main(["token", "--server-id", "x", *debug]) != 0
    printed = capsys.readouterr()
    assert "refused client secret ***" in printed.err, printed
    assert CANARY not in printed.out + printed.err


@pytest.mark.parametrize("flags", [["--debug"], ["-vv"], ["-o", "json", "--debug"]], ids=" ".join)
def test_arm_requests_log_no_access_token_or_client_secret(azure_env: Any, flags: list[str]) -> None:
    result = invoke("cluster", "list", *flags)
    assert result.exit_code == 0, result
    issued = list(azure_env.tokens)  # every access token the emulator's Entra ID handed out
    assert issued
    assert_clean(result, os.environ["AZURE_CLIENT_SECRET"], *issued)
    assert "eyJ" not in result.stdout + result.stderr  # no JWT of any kind
