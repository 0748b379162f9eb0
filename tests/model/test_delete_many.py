"""`model delete` takes several NAMEs, as kubectl delete does (upstream: kubernetes/kubectl
pkg/cmd/delete/delete.go DeleteResult: ContinueOnError, so a missing name does not stop the
others; r.IgnoreErrors(errors.IsNotFound) for --ignore-not-found). Each model is still every
object its deploy made; one confirmation lists them all. A model is no one object a label
selector picks, so -l and --all are not taken."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

KAITO = "kaito.sh/v1beta1"
Start = Callable[..., Any]


def _deploy(name: str) -> None:
    result = invoke("model", "deploy", "phi-4", "--name", name, "-y")
    assert result.exit_code == 0, result


def _workspaces(emu: Any) -> list[str]:
    return sorted(w["metadata"]["name"] for w in emu.cluster.list(KAITO, "Workspace", "default"))


def test_two_models_are_deleted_with_everything_each_deploy_made(model_emulator: Start) -> None:
    emu = model_emulator(controller=False)
    _deploy("one")
    _deploy("two")
    result = invoke("model", "delete", "one", "two", "-y", "-o", "name")
    assert result.exit_code == 0, result
    assert "workspace.kaito.sh/one" in result.stdout.split()
    assert "workspace.kaito.sh/two" in result.stdout.split()
    assert _workspaces(emu) == []


def test_a_missing_model_is_named_after_the_others_are_deleted(model_emulator: Start) -> None:
    emu = model_emulator(controller=False)
    _deploy("one")
    _deploy("two")
    result = invoke("model", "delete", "one", "ghost", "two", "-y")
    assert result.exit_code == 3, result
    assert "ghost" in result.stderr
    assert _workspaces(emu) == []


def test_ignore_not_found_deletes_the_models_that_are_there(model_emulator: Start) -> None:
    emu = model_emulator(controller=False)
    _deploy("one")
    result = invoke("model", "delete", "ghost", "one", "-y", "--ignore-not-found")
    assert result.exit_code == 0, result
    assert _workspaces(emu) == []


def test_a_client_dry_run_lists_each_models_objects_and_deletes_none(model_emulator: Start) -> None:
    emu = model_emulator(controller=False)
    _deploy("one")
    _deploy("two")
    result = invoke("model", "delete", "one", "two", "--dry-run=client", "-o", "name")
    assert result.exit_code == 0, result
    assert {"workspace.kaito.sh/one", "workspace.kaito.sh/two"} <= set(result.stdout.split())
    assert _workspaces(emu) == ["one", "two"]


def test_a_bad_name_among_good_ones_deletes_nothing(model_emulator: Start) -> None:
    emu = model_emulator(controller=False)
    _deploy("one")
    result = invoke("model", "delete", "one", "Bad_Name", "-y")
    assert result.exit_code == 2, result
    assert _workspaces(emu) == ["one"]


def test_no_name_is_refused(model_emulator: Start) -> None:
    model_emulator(controller=False)
    result = invoke("model", "delete", "-y")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        "error: no model deployment name given",
        "hint: give one or more model deployment names",
    ]


def test_the_help_offers_no_selector_for_models() -> None:
    shown = " ".join(invoke("model", "delete", "--help").stdout.split())
    assert "also works. One or more." in shown
    assert "--selector" not in shown and "--all" not in shown


def test_a_selector_says_a_model_is_chosen_by_name() -> None:
    # Not click's "No such option: -l": why a model takes no selector, and the line that works.
    result = invoke("model", "delete", "phi-4", "-l", "team=ml", "-y")
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: 'akscli model delete' takes no -l: a model is every object its deploy made")
    assert "hint: name them: akscli model delete NAME [NAME...]" in result.stderr


def test_all_says_a_model_is_chosen_by_name() -> None:
    result = invoke("model", "delete", "--all", "-y")
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: 'akscli model delete' takes no --all:")


def test_all_gives_its_own_reason_not_the_selectors() -> None:
    # --all is no label selector: its refusal says why every model at once is not offered, and
    # where the names are.
    error = invoke("model", "delete", "--all", "-y").stderr.splitlines()[0]
    assert "label selector" not in error
    assert error.endswith("so each is named: 'akscli model list' shows them")
