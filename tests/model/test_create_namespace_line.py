"""`model deploy --create-namespace` reports the namespace it made where it reports the objects it
applied: on stdout, as kubectl create namespace prints "namespace/NS created" (upstream:
kubernetes/kubectl dee3483a pkg/cmd/create/create_namespace.go, PrintObj to o.Out); with -o json
stdout stays one document and the line goes to stderr."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke


def test_the_created_namespace_is_an_apply_line_on_stdout(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    result = invoke("model", "deploy", "phi-4", "-n", "team-a", "--create-namespace", "-y")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0] == "namespace/team-a created"
    assert any(line.endswith(" created") and line.startswith("workspace.kaito.sh/") for line in lines[1:])
    assert "namespace/team-a created" not in result.stderr


def test_with_o_name_the_namespace_is_named_as_the_objects_are(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    result = invoke("model", "deploy", "phi-4", "-n", "team-a", "--create-namespace", "-y", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[0] == "namespace/team-a"


def test_with_o_json_stdout_stays_one_document(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    result = invoke("model", "deploy", "phi-4", "-n", "team-a", "--create-namespace", "-y", "-o", "json")
    assert result.exit_code == 0, result
    json.loads(result.stdout)
    assert "namespace/team-a created" in result.stderr


def test_a_re_run_names_the_namespace_as_unchanged(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    first = invoke("model", "deploy", "phi-4", "-n", "team-a", "--create-namespace", "-y")
    again = invoke("model", "deploy", "phi-4", "-n", "team-a", "--create-namespace", "-y")
    assert first.exit_code == again.exit_code == 0, again
    assert again.stdout.splitlines()[0] == "namespace/team-a unchanged"


def test_with_o_name_a_re_run_prints_what_the_first_run_printed(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    first = invoke("model", "deploy", "phi-4", "-n", "team-a", "--create-namespace", "-y", "-o", "name")
    again = invoke("model", "deploy", "phi-4", "-n", "team-a", "--create-namespace", "-y", "-o", "name")
    assert first.exit_code == again.exit_code == 0, again
    assert again.stdout == first.stdout


def test_with_o_name_a_server_dry_run_prints_the_real_runs_lines(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    deploy = ("model", "deploy", "phi-4", "-n", "team-a", "--create-namespace", "-o", "name")
    first = invoke(*deploy, "-y")
    assert first.exit_code == 0, first
    dry = invoke(*deploy, "--dry-run=server")
    assert dry.exit_code == 0, dry
    assert dry.stdout == first.stdout


def test_a_server_dry_run_names_the_namespace_in_the_plan(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "-n", "team-a", "--create-namespace", "-y").exit_code == 0
    dry = invoke("model", "deploy", "phi-4", "-n", "team-a", "--create-namespace", "--dry-run=server")
    assert dry.exit_code == 0, dry
    assert dry.stdout.splitlines()[0] == "namespace/team-a (cluster): unchanged"


def test_a_server_dry_run_with_o_json_keeps_stdout_one_document(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "-n", "team-a", "--create-namespace", "-y").exit_code == 0
    dry = invoke("model", "deploy", "phi-4", "-n", "team-a", "--create-namespace", "--dry-run=server", "-o", "json")
    assert dry.exit_code == 0, dry
    json.loads(dry.stdout)
    assert "namespace/team-a unchanged" in dry.stderr


def test_with_o_name_a_client_dry_run_prints_the_real_runs_lines(model_emulator: Callable[..., Any]) -> None:
    # kubectl apply prints every object it was given, in a client dry run too (kubectl dee3483a
    # pkg/cmd/apply/apply.go applyOneObject): the namespace is named though no cluster is read.
    model_emulator()
    deploy = ("model", "deploy", "phi-4", "-n", "team-a", "--create-namespace", "-o", "name")
    dry = invoke(*deploy, "--dry-run=client")
    assert dry.exit_code == 0, dry
    real = invoke(*deploy, "-y")
    assert real.exit_code == 0, real
    assert dry.stdout == real.stdout
    assert dry.stdout.splitlines()[0] == "namespace/team-a"


def test_a_client_dry_run_says_the_namespace_would_be_created_beside_the_manifest(
    model_emulator: Callable[..., Any],
) -> None:
    # As `kubectl create namespace team-a --dry-run=client` says it (kubectl dee3483a
    # pkg/cmd/create/create_namespace.go); stdout stays the model's manifest, no Namespace in it.
    model_emulator()
    dry = invoke("model", "deploy", "phi-4", "-n", "team-a", "--create-namespace", "--dry-run=client")
    assert dry.exit_code == 0, dry
    assert "namespace/team-a created (dry run)" in dry.stderr.splitlines()
    assert "kind: Namespace" not in dry.stdout and "namespace/team-a" not in dry.stdout
