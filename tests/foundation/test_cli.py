"""The command tree, global flags, output formats and exit codes, as a user sees them."""

from __future__ import annotations

import json

import pytest

from akscli import errors
from akscli import globals as global_flags
from akscli.cli.main import COMMANDS
from tests.cli import invoke


def test_no_arguments_prints_help_and_succeeds() -> None:
    result = invoke()
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.stdout


def test_unknown_command_is_a_usage_error_in_one_line() -> None:
    result = invoke("nosuch")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["error: No such command 'nosuch'.", "hint: run 'akscli --help' for usage"]
    assert result.stdout == ""


def test_a_mistyped_subcommand_is_answered_with_the_group_s_closest_command() -> None:
    result = invoke("model", "plna", "phi-4")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "error: No such command 'plna'. Did you mean 'plan'?"


def test_a_mistyped_command_is_answered_with_the_closest_command_too() -> None:
    result = invoke("modle", "list")  # the root loads its groups lazily: typer's suggestion sees none
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: No such command 'modle'. Did you mean 'model'?",
        "hint: run 'akscli --help' for usage",
    ]


def test_help_as_a_command_prints_the_root_help_as_kubectl_help_does() -> None:
    result = invoke("help")
    assert result.exit_code == 0, result
    assert result.stdout == invoke("--help").stdout


def test_help_before_a_command_prints_that_commands_help() -> None:
    result = invoke("help", "model", "deploy")
    assert result.exit_code == 0, result
    assert result.stdout == invoke("model", "deploy", "--help").stdout


def test_help_for_an_unknown_command_is_the_mistyped_command_error() -> None:
    result = invoke("help", "modle")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "error: No such command 'modle'. Did you mean 'model'?"


def test_version_json_names_akscli_python_and_sdks() -> None:
    result = invoke("version", "-o", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["akscli"]
    assert {"kubernetes", "azure-identity", "azure-mgmt-containerservice"} <= set(data["packages"])


def test_version_reports_the_versions_that_package_metadata_reports() -> None:
    from importlib import metadata

    from akscli.cli.version import PACKAGES

    packages = json.loads(invoke("version", "-o", "json").stdout)["packages"]
    assert packages == {name: metadata.version(name) for name in PACKAGES}


def test_bad_output_format_exits_2_with_the_accepted_ones() -> None:
    result = invoke("version", "-o", "xml")
    assert result.exit_code == 2
    assert "json|yaml" in result.stderr


def test_global_flags_are_accepted_after_the_command() -> None:
    rest = global_flags.extract(
        ["model", "list", "--debug", "--reason", "ticket 42", "-v", "--allow=R1,R2", "--allow", "R3", "--", "--debug"]
    )
    assert rest == ["model", "list", "--", "--debug"]
    assert global_flags.FLAGS.debug and global_flags.FLAGS.verbose == 1
    assert global_flags.FLAGS.reason == "ticket 42"
    assert global_flags.FLAGS.allow == ("R1", "R2", "R3")
    global_flags.extract([])


def test_a_global_flag_without_its_value_is_a_usage_error() -> None:
    result = invoke("version", "--reason")
    assert result.exit_code == 2
    assert "--reason needs a value" in result.stderr


@pytest.mark.parametrize(
    "code, error",
    [
        (1, errors.AkscliError),
        (2, errors.UsageError),
        (3, errors.NotFoundError),
        (4, errors.ConflictError),
        (5, errors.WaitTimeoutError),
        (6, errors.AuthError),
        (7, errors.NotInstalledError),
        (8, errors.QuotaError),
        (9, errors.CheckFailedError),
    ],
)
def test_each_error_class_has_its_documented_exit_code(code: int, error: type[errors.AkscliError]) -> None:
    assert error.exit_code == code
    assert (code, error.title) in errors.EXIT_CODES


def test_unexpected_exceptions_print_one_line_without_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    from akscli.cli import version_body as version_module

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(version_module.output, "emit_object", boom)
    result = invoke("version")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unexpected error: RuntimeError: kaput")
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from akscli.cli import version_body as version_module

    monkeypatch.setattr(
        version_module,
        "_installed",
        lambda _name: (_ for _ in ()).throw(errors.NotFoundError("gone", "look elsewhere")),
    )
    result = invoke("version", "--debug")
    assert result.exit_code == 3
    assert "Traceback" in result.stderr
    assert "error: gone" in result.stderr


def test_render_prints_yaml_and_json(tmp_path: object) -> None:
    result = invoke("render", "--list")
    assert result.exit_code == 0
    assert result.stdout.strip()
