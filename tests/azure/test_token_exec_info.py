"""KUBERNETES_EXEC_INFO read as kubelogin reads it (upstream: Azure/kubelogin
pkg/internal/token/execCredentialWriter.go ``getAPIVersionFromExecInfoEnv`` and its test table
execCredentialWriter_test.go, commit 66784961ef44a34236a651d9b08bcdf0aa07b836): a value that does
not unmarshal to client-go's ExecCredential is refused, an empty apiVersion is v1beta1."""

from __future__ import annotations

import json

import pytest

from tests.azure.helpers import entra_flag
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

REFUSAL = "error: cannot unmarshal KUBERNETES_EXEC_INFO to ExecCredential: "


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('{"apiVersion": "client.authentication.k8s.io/v1"', "Expecting ',' delimiter: line 1 column 49 (char 48)"),
        ('["client.authentication.k8s.io/v1"]', "the value is a JSON array, not an object"),
        ('{"apiVersion": 1}', "apiVersion is a JSON number, not a string"),
        ('{"spec": {"interactive": "yes"}}', "spec.interactive is a JSON string, not a boolean"),
    ],
)
def test_a_value_that_is_no_exec_credential_is_refused_before_signing_in(
    azure_env: ArmEmulator, value: str, problem: str
) -> None:
    r = invoke("token", *entra_flag(), env={"KUBERNETES_EXEC_INFO": value})
    assert r.exit_code == 2, r
    assert r.stdout == ""
    assert r.stderr.splitlines()[0] == REFUSAL + problem
    assert azure_env.token_requests == []


def test_the_refusal_does_not_quote_the_value_kubectl_sent(azure_env: ArmEmulator) -> None:
    value = '{"spec": {"cluster": {"config": "cluster-private-detail"}}, "kind": 7}'
    r = invoke("token", *entra_flag(), env={"KUBERNETES_EXEC_INFO": value})
    assert r.exit_code == 2 and "cluster-private-detail" not in r.stderr


@pytest.mark.parametrize(
    "value", ['{"kind": "ExecCredential", "apiVersion": "", "spec": {"interactive": true}}', "null"]
)
def test_an_empty_api_version_or_null_is_v1beta1(azure_env: ArmEmulator, value: str) -> None:
    r = invoke("token", *entra_flag(), env={"KUBERNETES_EXEC_INFO": value})
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)["apiVersion"] == "client.authentication.k8s.io/v1beta1"
