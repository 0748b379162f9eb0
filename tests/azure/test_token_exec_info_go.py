"""KUBERNETES_EXEC_INFO matched as Go's encoding/json matches it: kubelogin unmarshals the value into
client-go's internal ExecCredential, whose fields have no json tags (upstream: Azure/kubelogin
pkg/internal/token/execCredentialWriter.go, commit 66784961ef44a34236a651d9b08bcdf0aa07b836;
kubernetes/client-go pkg/apis/clientauthentication/types.go, commit 32ce75a7d6bc): a key matches a
field in any case, the last of two keys wins, and spec.cluster's fields have Go types."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.azure.helpers import entra_flag
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

REFUSAL = "error: cannot unmarshal KUBERNETES_EXEC_INFO to ExecCredential: "
V1 = "client.authentication.k8s.io/v1"
V1BETA1 = "client.authentication.k8s.io/v1beta1"


def version_answered(value: str) -> str:
    r = invoke("token", *entra_flag(), env={"KUBERNETES_EXEC_INFO": value})
    assert r.exit_code == 0, r
    return str(json.loads(r.stdout)["apiVersion"])


def refusal(value: str) -> str:
    r = invoke("token", *entra_flag(), env={"KUBERNETES_EXEC_INFO": value})
    assert r.exit_code == 2, r
    assert r.stdout == ""
    return r.stderr.splitlines()[0].removeprefix(REFUSAL)


def test_an_api_version_key_in_another_case_is_read(azure_env: ArmEmulator) -> None:
    assert version_answered(json.dumps({"APIVERSION": V1})) == V1


def test_of_two_api_version_keys_in_any_case_the_last_wins(azure_env: ArmEmulator) -> None:
    assert version_answered(f'{{"apiVersion": "{V1}", "ApiVersion": "{V1BETA1}"}}') == V1BETA1


def test_a_null_api_version_after_a_value_keeps_the_value(azure_env: ArmEmulator) -> None:
    assert version_answered(f'{{"apiVersion": "{V1}", "APIVERSION": null}}') == V1


def test_a_field_in_another_case_is_type_checked(azure_env: ArmEmulator) -> None:
    assert refusal('{"Spec": {"INTERACTIVE": "yes"}}') == "Spec.INTERACTIVE is a JSON string, not a boolean"


def test_a_wrong_type_under_a_key_given_twice_is_refused_even_if_the_last_is_right(azure_env: ArmEmulator) -> None:
    assert refusal('{"kind": 7, "kind": "ExecCredential"}') == "kind is a JSON number, not a string"


@pytest.mark.parametrize(
    ("cluster", "problem"),
    [
        ('{"server": 443}', "spec.cluster.server is a JSON number, not a string"),
        ('{"insecureSkipTLSVerify": "true"}', "spec.cluster.insecureSkipTLSVerify is a JSON string, not a boolean"),
        ('{"CertificateAuthorityData": "not base64!"}', "spec.cluster.CertificateAuthorityData is not base64"),
        ('{"proxyURL": false}', "spec.cluster.proxyURL is a JSON boolean, not a string"),
        ('"https://api"', "spec.cluster is a JSON string, not an object"),
    ],
)
def test_spec_cluster_fields_have_go_types(azure_env: ArmEmulator, cluster: str, problem: str) -> None:
    assert refusal(f'{{"apiVersion": "{V1}", "spec": {{"cluster": {cluster}}}}}') == problem


def test_the_dashed_v1_names_match_no_field_and_are_ignored(azure_env: ArmEmulator) -> None:
    # kubectl writes certificate-authority-data and tls-server-name (client-go
    # pkg/apis/clientauthentication/v1/types.go); no Go field name has a dash.
    cluster = {"server": "https://api", "certificate-authority-data": 12, "tls-server-name": False}
    assert version_answered(json.dumps({"apiVersion": V1, "spec": {"cluster": cluster}})) == V1


def test_a_status_expiration_that_is_no_rfc3339_time_is_refused(azure_env: ArmEmulator) -> None:
    value = '{"status": {"expirationTimestamp": "tomorrow"}}'
    assert refusal(value) == "status.expirationTimestamp is not an RFC 3339 time"


def test_nan_is_no_json_number_for_go(azure_env: ArmEmulator) -> None:
    assert refusal('{"spec": {"cluster": {"config": NaN}}}').startswith("invalid character 'N'")


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="needs the real kubectl")
def test_what_the_real_kubectl_sends_with_provide_cluster_info_is_read(azure_env: ArmEmulator, tmp_path: Path) -> None:
    # kubectl puts the cluster's client.authentication.k8s.io/exec extension in spec.cluster.config
    # (a runtime.RawExtension in client-go's v1 type). kubelogin's internal type has an interface
    # there and refuses it; akscli reads nothing of it and takes it.
    out = tmp_path / "credential.json"
    plugin = tmp_path / "plugin.sh"
    plugin.write_text(f'#!/bin/sh\n"{sys.executable}" -m akscli.azure.token "$@" | tee "{out}"\n')
    plugin.chmod(plugin.stat().st_mode | stat.S_IXUSR)
    kubeconfig = tmp_path / "kubeconfig.yaml"
    exec_block = {
        "apiVersion": V1,
        "command": str(plugin),
        "args": list(entra_flag()),
        "provideClusterInfo": True,
        "interactiveMode": "Never",
    }
    cluster = {
        "server": "https://127.0.0.1:1",
        "tls-server-name": "api.example",
        "insecure-skip-tls-verify": True,
        "extensions": [{"name": "client.authentication.k8s.io/exec", "extension": {"audience": "a"}}],
    }
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": cluster}],
        "users": [{"name": "u", "user": {"exec": exec_block}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x",
    }
    kubeconfig.write_text(json.dumps(config))
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    subprocess.run(
        ["kubectl", "get", "--raw", "/version", "--request-timeout=5s"], env=env, capture_output=True, timeout=60
    )
    credential = json.loads(out.read_text())
    assert credential["apiVersion"] == V1
    assert credential["status"]["token"] in azure_env.tokens
