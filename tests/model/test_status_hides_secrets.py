"""`model status` shows an operator's condition and event messages: one that quotes a password, an
Authorization header or a token (a KAITO pull that failed with its registry's answer, a webhook
that echoes a body) shows ``***`` in the table and in -o json, as every stderr line does
(akscli.redact.server_text; tests/security/test_secret_names_in_answers.py). kubectl describe
prints the message as it came."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke

PW = "Hunter2-Canary"
KAITO = "kaito.sh/v1beta1"


def test_model_status_hides_a_password_a_condition_or_an_event_quotes(model_emulator: Callable[..., Any]) -> None:
    emu = model_emulator(controller=False, simulator=False)
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")
    # metav1.Condition: lastTransitionTime is required (kubernetes/apimachinery pkg/apis/meta/v1/types.go)
    condition = {"type": "InferenceReady", "status": "False", "reason": "PullFailed"}
    condition["lastTransitionTime"] = "2026-01-01T00:00:00Z"
    condition["message"] = f"pull failed: Authorization: Bearer {PW}; dsn password={PW}"
    emu.cluster.update_status_of(ws, {"conditions": [condition]})
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": "phi-4.1", "namespace": "default"},
            "involvedObject": {
                "kind": "Workspace",
                "name": "phi-4",
                "namespace": "default",
                "uid": ws["metadata"]["uid"],
            },
            "reason": "Failed",
            "message": f'webhook said {{"token": "{PW}"}}',
            "type": "Warning",
            "lastTimestamp": "2026-01-01T00:00:00Z",
        }
    )
    table = invoke("model", "status", "phi-4")
    assert table.exit_code == 0, table
    assert "Authorization: Bearer ***; dsn password=***" in table.stdout
    assert 'webhook said {"token": "***"}' in table.stdout
    report = invoke("model", "status", "phi-4", "-o", "json")
    doc = json.loads(report.stdout)
    assert doc["conditions"][0]["message"] == "pull failed: Authorization: Bearer ***; dsn password=***"
    assert PW not in table.stdout + table.stderr + report.stdout + report.stderr
