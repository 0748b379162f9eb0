"""A webhook or the API server may quote the object it refuses (``denied: args --api-key VALUE``),
and kubectl prints such an answer as it came. akscli remembers each credential that a printed form
of a container's ``command``/``args`` masks (akscli.printable.remember_credentials, called for each
body akscli.kube.client sends), as it remembered a RayJob entrypoint's (sec34) and a Secret's values:
the error line, the ``--debug`` lines and the audit log's result show ``***`` in its place, even
for a value of no known token shape."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from akscli import printable, redact
from tests.cli import Result, invoke
from tests.security.test_container_args_values import deployment as deployment_of

KEY = "plain-vllm-key-7f3e9c"  # no token shape: only remembering hides it


def deployment(args: list[str], command: list[str] | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "vllm", "image": "vllm/vllm-openai:v0.11.0", "args": args}
    if command is not None:
        container["command"] = command
    return deployment_of([container])


def refused_apply(
    kube_emulator: Any, tmp_path: Path, obj: dict[str, Any], path: str, message: str, flags: list[str]
) -> tuple[Result, str]:
    """``akscli apply -f`` of ``obj`` (kubeconfig and AKSCLI_AUDIT_LOG set by the caller's
    fixtures), every PATCH to ``path`` refused with ``message``: the result and the audit log."""
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(json.dumps(obj))
    kube_emulator.faults.add(verb="PATCH", path=path, status=403, count=100, message=message)
    result = invoke("apply", "-f", str(manifest), "-y", *flags)
    assert result.exit_code != 0, result
    log = Path(os.environ["AKSCLI_AUDIT_LOG"])
    return result, log.read_text() if log.exists() else ""


@pytest.mark.parametrize("flags", [[], ["--debug"]], ids=["plain", "debug"])
def test_a_webhook_answer_that_quotes_an_args_key_is_scrubbed(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str]
) -> None:
    monkeypatch.setenv("AKSCLI_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    obj = deployment(["--model", "microsoft/phi-4", "--api-key", KEY])
    result, log = refused_apply(
        kube_emulator, tmp_path, obj, r"/deployments/web$", f"denied: args --api-key {KEY}", flags
    )
    assert "denied: args --api-key ***" in result.stderr, result
    assert KEY not in result.stdout + result.stderr + log


def test_a_password_in_a_shell_script_argument_is_remembered() -> None:
    printable.remember_credentials(deployment(["curl -u bob:s3cret-pass https://x"], ["sh", "-c"]))
    assert redact.scrub("denied: curl -u bob:s3cret-pass") == "denied: curl -u bob:***"


def test_the_password_of_a_url_argument_is_remembered_without_the_url() -> None:
    printable.remember_credentials(deployment(["--db", "postgresql://app:db-pass-31@db/x"]))
    assert redact.scrub("denied: password db-pass-31") == "denied: password ***"


def test_a_rayjob_entrypoint_sent_from_a_file_is_remembered() -> None:
    job = {"apiVersion": "ray.io/v1", "kind": "RayJob", "metadata": {"name": "j"}}
    printable.remember_credentials({**job, "spec": {"entrypoint": f"python t.py --api-key {KEY}"}})
    assert redact.scrub(f"denied: {KEY}") == "denied: ***"


def test_a_container_without_credentials_remembers_nothing() -> None:
    printable.remember_credentials(deployment(["--model", "microsoft/phi-4", "--port", "8000"]))
    assert redact.scrub("serving microsoft/phi-4 on 8000") == "serving microsoft/phi-4 on 8000"
