"""-o json, -o yaml and the templates of a report or an object print a server's words as the table
does (akscli.printable.said, called by printable.shown, which every structured print goes through):

- a report (akscli's own record: doctor, gpu usage, model status, fleet status, a plan) has each of
  its strings read by akscli.redact.server_text;
- a Kubernetes object has each ``message`` of its status read so (metav1.Condition.Message:
  kubernetes/apimachinery pkg/apis/meta/v1/types.go; a RayJob's status.message: ray-project/kuberay
  ray-operator/config/crd/bases/ray.io_rayjobs.yaml), and an Event its ``message`` and ``note``
  (kubernetes/api core/v1/types.go, events/v1/types.go); its other fields are as they came, and a
  Node's ``status.images`` is not read at all.

kubectl get -o json prints a status as it came; Azure CLI redacts credentials in the whole of its
JSON output (Azure/azure-cli src/azure-cli-core/azure/cli/core/credential_helper.py
redact_credential). Each test failed before: structured output hid a Secret's values and env values
only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from akscli import output, redact

PW = "Hunter2-Canary"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLXBhcnQ"


def printed(obj: Any, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    output.emit_object(obj, fmt)
    return capsys.readouterr().out


def test_a_reports_json_hides_a_token_in_a_checks_detail(capsys: pytest.CaptureFixture[str]) -> None:
    report = {"checks": [{"name": "registry", "ok": False, "detail": f"pull said Authorization: Bearer {JWT}"}]}
    doc = json.loads(printed(report, "json", capsys))
    assert doc["checks"][0]["detail"] == "pull said Authorization: Bearer ***"


def test_a_reports_yaml_hides_a_password_a_message_quotes(capsys: pytest.CaptureFixture[str]) -> None:
    report = {"member": "east", "message": f"apply failed: dsn host=db password={PW}"}
    shown = printed(report, "yaml", capsys)
    assert PW not in shown and "password=***" in shown


def test_a_reports_jsonpath_hides_it_too(capsys: pytest.CaptureFixture[str]) -> None:
    report = {"message": f"token {JWT}"}
    assert printed(report, "jsonpath={.message}", capsys) == "token ***"


def test_a_reports_json_hides_a_value_of_a_secret_this_process_handled(capsys: pytest.CaptureFixture[str]) -> None:
    redact.remember_secret({"apiVersion": "v1", "kind": "Secret", "stringData": {"pw": PW}})
    try:
        assert PW not in printed({"message": f"webhook: value {PW} not allowed"}, "json", capsys)
    finally:
        redact.forget_all()


def test_an_objects_json_hides_a_condition_message_and_keeps_its_other_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    condition = {
        "type": "Ready",
        "status": "False",
        "reason": "PullFailed",
        "lastTransitionTime": "2026-01-01T00:00:00Z",
    }
    condition["message"] = f"registry said client_secret={PW}"
    ws = {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "Workspace",
        "metadata": {"name": "phi-4", "namespace": "default"},
        "status": {"conditions": [condition], "workerNodes": ["aks-gpu-1"]},
    }
    doc = json.loads(printed(ws, "json", capsys))
    assert doc["status"]["conditions"][0]["message"] == "registry said client_secret=***"
    assert doc["status"]["workerNodes"] == ["aks-gpu-1"]


def test_an_events_message_in_a_list_is_hidden(capsys: pytest.CaptureFixture[str]) -> None:
    event = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "phi-4.1", "namespace": "default"},
        "reason": "Failed",
        "message": f"Error: run --hf-token {PW}",
    }
    output.emit([event], "json", [])
    shown = capsys.readouterr().out
    assert PW not in shown and "--hf-token ***" in shown


def test_a_clean_report_is_printed_as_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    report = {"path": "/models/phi-4", "key": "nvidia.com/gpu", "url": "https://example.com/a?b=c"}
    assert json.loads(printed(report, "json", capsys)) == report
