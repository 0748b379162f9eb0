"""`ray job status -o json` and `-o yaml` print the job's report with KubeRay's ``status.message`` (a
driver that failed, the dashboard's answer): a token or a password that message quotes shows
``***``, as the key/value report and every error line already did (akscli.printable.said over each
string of a report; akscli.redact.server_text). kubectl get -o json prints the status as it
came; Azure CLI redacts credentials in the whole of its JSON output (Azure/azure-cli
src/azure-cli-core/azure/cli/core/credential_helper.py redact_credential)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke

PW = "Hunter2-Canary"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkcml2ZXIifQ.c2lnbmF0dXJlLXBhcnQ"


def test_ray_job_status_json_hides_a_token_and_a_password_its_status_message_quotes(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(job_logs="ok\n")
    submitted = invoke("ray", "job", "submit", "--name", "done", "--wait", "--timeout", "30s", "--", "python", "x.py")
    assert submitted.exit_code == 0, submitted
    job = emu.cluster.get("ray.io/v1", "RayJob", "default", "done")
    # ray-project/kuberay ray-operator/config/crd/bases/ray.io_rayjobs.yaml: status.message
    emu.cluster.update_status_of(job, {"message": f"driver: Authorization: Bearer {JWT}\npassword: {PW}"})
    shown = invoke("ray", "job", "status", "done", "-o", "json")
    assert shown.exit_code == 0, shown
    assert json.loads(shown.stdout)["message"] == "driver: Authorization: Bearer ***\npassword: ***"
    as_yaml = invoke("ray", "job", "status", "done", "-o", "yaml")
    assert PW not in shown.stdout + as_yaml.stdout and JWT not in shown.stdout + as_yaml.stdout
