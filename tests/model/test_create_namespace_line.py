"""`model deploy --create-namespace` reports the namespace it made where it reports the objects it
applied: on stdout, as kubectl create namespace prints "namespace/NS created" (upstream:
kubernetes/kubectl dee3483a pkg/cmd/create/create_namespace.go, PrintObj to o.Out); with -o json
stdout stays one document and the line goes to stderr."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import Result, invoke

DEPLOY = ("model", "deploy", "phi-4", "-n", "team-a", "--create-namespace")


def deployed(*more: str) -> Result:
    """``model deploy phi-4 -n team-a --create-namespace`` with ``more``; it must exit 0."""
    result = invoke(*DEPLOY, *more)
    assert result.exit_code == 0, result
    return result


def test_the_created_namespace_is_an_apply_line_on_stdout(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    result = deployed("-y")
    lines = result.stdout.splitlines()
    assert lines[0] == "namespace/team-a created"
    assert any(line.endswith(" created") and line.startswith("workspace.kaito.sh/") for line in lines[1:])
    assert "namespace/team-a created" not in result.stderr


def test_with_o_name_the_namespace_is_named_as_the_objects_are(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    result = deployed("-y", "-o", "name")
    assert result.stdout.splitlines()[0] == "namespace/team-a"


def test_with_o_json_stdout_stays_one_document(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    result = deployed("-y", "-o", "json")
    json.loads(result.stdout)
    assert "namespace/team-a created" in result.stderr


def test_a_re_run_names_the_namespace_as_unchanged(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    deployed("-y")
    again = deployed("-y")
    assert again.stdout.splitlines()[0] == "namespace/team-a unchanged"


def test_with_o_name_a_re_run_prints_what_the_first_run_printed(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    first = deployed("-y", "-o", "name")
    again = deployed("-y", "-o", "name")
    assert again.stdout == first.stdout


def test_with_o_name_a_server_dry_run_prints_the_real_runs_lines(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    first = deployed("-o", "name", "-y")
    dry = deployed("-o", "name", "--dry-run=server")
    assert dry.stdout == first.stdout


def test_a_server_dry_run_names_the_namespace_in_the_plan(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    deployed("-y")
    dry = deployed("--dry-run=server")
    assert dry.stdout.splitlines()[0] == "namespace/team-a (cluster): unchanged"


def test_a_server_dry_run_with_o_json_keeps_stdout_one_document(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    deployed("-y")
    dry = deployed("--dry-run=server", "-o", "json")
    json.loads(dry.stdout)
    assert "namespace/team-a unchanged" in dry.stderr


def test_with_o_name_a_client_dry_run_prints_the_real_runs_lines(model_emulator: Callable[..., Any]) -> None:
    # kubectl apply prints every object it was given, in a client dry run too (kubectl dee3483a
    # pkg/cmd/apply/apply.go applyOneObject): the namespace is named though no cluster is read.
    model_emulator()
    dry = deployed("-o", "name", "--dry-run=client")
    real = deployed("-o", "name", "-y")
    assert dry.stdout == real.stdout
    assert dry.stdout.splitlines()[0] == "namespace/team-a"


def test_a_client_dry_run_says_the_namespace_would_be_created_beside_the_manifest(
    model_emulator: Callable[..., Any],
) -> None:
    # As `kubectl create namespace team-a --dry-run=client` says it (kubectl dee3483a
    # pkg/cmd/create/create_namespace.go); stdout stays the model's manifest, no Namespace in it.
    model_emulator()
    dry = deployed("--dry-run=client")
    assert "namespace/team-a created (dry run)" in dry.stderr.splitlines()
    assert "kind: Namespace" not in dry.stdout and "namespace/team-a" not in dry.stdout
