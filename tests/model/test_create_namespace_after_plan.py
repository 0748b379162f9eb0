"""`model deploy --create-namespace` creates the namespace only once the deploy's checks and the
server's dry run have passed, and records it in the deploy's audit line.

It used to create the namespace before the policy check and the plan: a deploy the policy refused
(exit 9) left a new, empty namespace behind, and no audit line named it. The rules say a refused
change leaves nothing half-applied, and every change akscli makes is in the audit log."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli import invoke

Start = Callable[..., Any]
DEPLOY = ("model", "deploy", "phi-4", "-n", "team-c", "--create-namespace", "-y")


def test_a_deploy_the_policy_refuses_creates_no_namespace(model_emulator: Start) -> None:
    emu = model_emulator()
    result = invoke(*DEPLOY, "--runtime", "vllm", "--image", "vllm/vllm-openai:latest")
    assert result.exit_code == 9, result
    assert emu.cluster.get("v1", "Namespace", None, "team-c") is None
    assert "namespace/team-c" not in result.stdout


def test_the_created_namespace_is_in_the_deploys_audit_line(model_emulator: Start, tmp_path: Path) -> None:
    model_emulator()
    log = tmp_path / "audit.jsonl"
    result = invoke(*DEPLOY, "--audit-log", str(log))
    assert result.exit_code == 0, result
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(entries) == 1, entries
    objects = [(o["object"], o.get("action")) for o in entries[0]["objects"]]
    assert objects[0] == ("namespace/team-c", "create"), objects


def test_the_real_runs_plan_names_the_namespace_it_will_create(model_emulator: Start) -> None:
    model_emulator()
    result = invoke(*DEPLOY)
    assert result.exit_code == 0, result
    assert "namespace/team-c (cluster): will be created" in result.stderr.splitlines()
    assert result.stdout.splitlines()[0] == "namespace/team-c created"
