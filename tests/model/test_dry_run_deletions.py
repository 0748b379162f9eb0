"""A dry run of a deploy or rollback names what the real run would delete (the server a new one
replaces), as `apply --prune`'s plan names what it prunes: the real run asks before it deletes,
a dry run asks nothing, so without these lines its plan hid the deletion."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke

BACK_TO_WORKSPACE = "inferenceset.kaito.sh/phi-4 (default): will be deleted (replaced by workspace.kaito.sh/phi-4)"
KAITO = "kaito.sh/v1beta1"


def test_a_server_dry_run_of_more_replicas_plans_the_workspace_the_inferenceset_replaces(
    model_emulator: Callable[..., Any],
) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--replicas", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    planned = "workspace.kaito.sh/phi-4 (default): will be deleted (replaced by inferenceset.kaito.sh/phi-4)"
    assert planned in result.stdout
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is not None


def test_a_server_dry_run_rollback_as_json_keeps_stdout_one_document_and_names_the_deletions_on_stderr(
    model_emulator: Callable[..., Any],
) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    assert invoke("model", "deploy", "phi-4", "--replicas", "2", "-y").exit_code == 0
    result = invoke("model", "rollback", "phi-4", "--dry-run=server", "-o", "json")
    assert result.exit_code == 0, result
    assert [o["kind"] for o in json.loads(result.stdout)["items"]] == ["ConfigMap", "Workspace"]
    assert BACK_TO_WORKSPACE in result.stderr


def test_a_client_dry_run_rollback_names_the_deletion_on_stderr_beside_the_manifests(
    model_emulator: Callable[..., Any],
) -> None:
    # (a client dry run of a deploy reads no cluster, so it knows no earlier revision)
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    assert invoke("model", "deploy", "phi-4", "--replicas", "2", "-y").exit_code == 0
    result = invoke("model", "rollback", "phi-4", "--dry-run=client")
    assert result.exit_code == 0, result
    assert "will be deleted" not in result.stdout
    assert BACK_TO_WORKSPACE in result.stderr
