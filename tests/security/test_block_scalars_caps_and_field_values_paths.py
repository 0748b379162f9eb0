"""Each path a server's words take to output, with the four shapes of
test_block_scalars_caps_and_field_values.py in them: the error line, ``--debug`` and the audit log
of a refused apply (the kube emulator's faults answer a webhook's 403 and an API server's 422 with
its Status message); a plan's diff of a ConfigMap's file; a report's ``-o json``/``-o yaml``; an
object's condition message in ``-o json``; a warning on stderr; a table's cell; a pod's last message;
a proxy's 503; an ARM error's message. Where a message was folded onto one line before it was read
(a proxy's Status, an ARM message, a pod's last line), a block scalar's lines lost the line breaks
that tell them, and showed. Each test failed before."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from akscli import output
from akscli.kube.plan_diff import diff_objects
from tests.cli import invoke

PW = "Hunter2-Canary"
CAPS = "HUNTER22CAPS"
CONFIG_MAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"mode": "fast"}}


def refused(kube_emulator: Any, tmp_path: Path, status: int, message: str, flags: list[str]) -> tuple[str, str]:
    """``apply -f`` of a ConfigMap whose every PATCH is answered ``status`` with ``message``: what
    it printed (stdout and stderr) and the audit log."""
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(CONFIG_MAP))
    kube_emulator.faults.add(verb="PATCH", path=r"/configmaps/c$", status=status, count=100, message=message)
    result = invoke("apply", "-f", str(manifest), "-y", *flags)
    assert result.exit_code != 0, result
    log = Path(os.environ["AKSCLI_AUDIT_LOG"])
    return result.stdout + result.stderr, log.read_text() if log.exists() else ""


@pytest.mark.parametrize("flags", [[], ["--debug"]], ids=["plain", "debug"])
def test_a_webhooks_denial_quoting_a_block_scalar_password_reaches_no_output(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str]
) -> None:
    monkeypatch.setenv("AKSCLI_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    message = f"denied: values.yaml sets\ndb:\n  password: |\n    {PW}\n  user: app"
    printed, log = refused(kube_emulator, tmp_path, 403, message, flags)
    assert "password: |" in printed and "user: app" in printed, printed
    assert PW not in printed + log


@pytest.mark.parametrize("flags", [[], ["--debug"]], ids=["plain", "debug"])
def test_an_api_servers_field_error_quoting_a_password_reaches_no_output(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str]
) -> None:
    monkeypatch.setenv("AKSCLI_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    message = (
        f'ConfigMap "c" is invalid: [data[password]: Invalid value: "{CAPS}": too weak, data[mode]: Required value]'
    )
    printed, log = refused(kube_emulator, tmp_path, 422, message, flags)
    assert 'data[password]: Invalid value: "***": too weak' in printed, printed
    assert CAPS not in printed + log


def test_a_plans_diff_of_a_config_file_masks_a_changed_block_scalar_line() -> None:
    def config(password: str) -> dict[str, Any]:
        settings = f"db:\n  host: db\n  password: |\n    {password}\n  port: 5432\n"
        return {**CONFIG_MAP, "data": {"settings.yaml": settings}}

    lines = diff_objects(config("old-pass-1"), config(PW))
    assert lines == ["~ data.settings.yaml:", "    -     ***", "    +     ***"]


def test_a_plans_diff_shows_a_changed_line_of_another_block_as_it_is() -> None:
    def config(line: str) -> dict[str, Any]:
        return {**CONFIG_MAP, "data": {"run.yaml": f"script: |\n  {line}\n"}}

    assert diff_objects(config("echo a"), config("echo b")) == ["~ data.run.yaml:", "    -   echo a", "    +   echo b"]


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_a_reports_structured_output_hides_a_caps_password_and_a_spaced_flags_word(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report = {"member": "east", "message": f"apply failed:\npassword: {CAPS}", "detail": "ran: login --password hunter"}
    output.emit_object(report, fmt)
    out = capsys.readouterr().out
    assert CAPS not in out and "--password hunter" not in out and "--password ***" in out, out


def test_an_objects_condition_message_with_a_field_error_is_masked_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    condition = {"type": "Ready", "status": "False", "reason": "Invalid"}
    condition["message"] = f'spec.hfToken: Invalid value: "{PW}": must start with hf_'
    ws = {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "Workspace",
        "metadata": {"name": "phi-4", "namespace": "default"},
        "status": {"conditions": [condition]},
    }
    output.emit_object(ws, "json")
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"]["conditions"][0]["message"] == 'spec.hfToken: Invalid value: "***": must start with hf_'


def test_a_warning_hides_a_lower_case_password_after_a_spaced_flag(capsys: pytest.CaptureFixture[str]) -> None:
    output.warn("job driver said: python train.py --api-key swordfish --epochs 3")
    assert capsys.readouterr().err.endswith("job driver said: python train.py --api-key *** --epochs 3\n")


def test_a_table_cell_hides_a_caps_password(capsys: pytest.CaptureFixture[str]) -> None:
    output.print_table(["TYPE", "MESSAGE"], [["Failed", f"dsn password={CAPS} refused"]])
    out = capsys.readouterr().out
    assert "dsn password=*** refused" in out and CAPS not in out


def test_a_pods_last_message_that_ends_in_a_block_scalar_is_masked() -> None:
    from akscli.kube.pod_problems import problem

    ended = {"exitCode": 1, "reason": "Error", "message": f"bad config:\ntoken: |\n  {PW}\n"}
    status = {"containerStatuses": [{"name": "main", "state": {"terminated": ended}}]}
    pod = {"metadata": {"name": "p", "namespace": "d"}, "spec": {"containers": [{"name": "main"}]}, "status": status}
    found = problem(pod)
    assert found is not None and PW not in str(found) and "***" in str(found)


def test_a_waiting_pods_last_message_that_ends_in_a_block_scalar_is_masked() -> None:
    from akscli.kube.pod_problems import problem

    last = {"terminated": {"exitCode": 1, "reason": "Error", "message": f"token: |\n  {PW}"}}
    waiting = {"waiting": {"reason": "CrashLoopBackOff"}}
    status = {"containerStatuses": [{"name": "main", "state": waiting, "lastState": last}]}
    pod = {"metadata": {"name": "p", "namespace": "d"}, "spec": {"containers": [{"name": "main"}]}, "status": status}
    found = problem(pod)
    assert found is not None and found.last_message == "***"


def test_a_proxys_status_message_is_masked_before_it_is_folded() -> None:
    from akscli.kube.reach import proxy_reason

    body = {"kind": "Status", "message": f"error trying to reach service: config\npassword: |\n  {PW}\n"}
    assert proxy_reason(json.dumps(body).encode()) == "error trying to reach service: config password: | ***"


def test_an_arm_errors_message_is_masked_before_it_is_folded() -> None:
    from akscli.azure.armerrors import from_error

    error = {"code": "BadRequest", "message": f"extension settings:\n  clientSecret: >-\n    {PW}\n  tenant: t"}
    exc = from_error(error, "cluster c")
    assert PW not in exc.message and "clientSecret: >- *** tenant: t" in exc.message


def test_an_arm_answers_message_is_masked_before_it_is_folded() -> None:
    from types import SimpleNamespace

    from akscli.azure.armfailure import failure_of

    said = f"extension rejected configurationProtectedSettings:\n  password: |\n    {PW}\n  tenant: t"
    failure = failure_of(SimpleNamespace(status_code=400, error={"code": "BadRequest", "message": said}))
    assert failure.message == "extension rejected configurationProtectedSettings: password: | *** tenant: t"
