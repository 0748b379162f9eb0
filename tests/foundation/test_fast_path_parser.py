"""The fast path's parser (akscli.cli.fast): the arguments it hands a command's body are those
Typer hands it, it defers whatever it does not fully understand, and it loads no CLI framework."""

from __future__ import annotations

import inspect
import subprocess
import sys
from typing import Any

import pytest

from akscli.cli import fast, run_common
from akscli.cli.fast_spec import command_spec, leaf
from tests.cli import invoke


def parsed(*args: str) -> tuple[str, dict[str, Any]]:
    try:
        return fast.parse(run_common.prepared(list(args), fast._takes_namespace), fast._specs())
    finally:
        run_common.cleanup()


def defer_reason(*args: str) -> str:
    with pytest.raises(fast.Defer) as deferred:
        parsed(*args)
    return deferred.value.reason


KWARGS_LINES = [
    ["version"],
    ["version", "-o", "json", "--client"],
    ["version", "--output=jsonpath={.akscli}"],
    ["model", "catalog"],
    ["model", "catalog", "phi", "--kaito", "-o=wide"],
    ["model", "catalog", "-o", "custom-columns=ID:.id", "llama"],
    ["model", "plan", "phi-4"],
    ["model", "plan", "--runtime", "vllm", "phi-4", "--max-model-len=4096", "--concurrency", "8", "-o", "json"],
    ["model", "plan", "phi-4", "--budget", "1e3", "--region", "westeurope", "--vm-size", "Standard_NC24ads_A100_v4"],
    ["model", "plan", "org/m", "--weights-gib", "14", "--layers", "32", "--attention-heads", "32", "--params-b", "7"],
    ["model", "plan", "phi-4", "--runtime", "vllm", "--trust-remote-code", "--image", "vllm/vllm-openai:v0.11.0"],
    ["model", "plan", "phi-4", "--hub-config", "--price-file", "p.csv", "--subscription", "sub"],
    ["render"],
    ["render", "--list", "-o", "json"],
    ["render", "core/namespace", "--set", "name=a", "--set=labels.x=y", "--values", "v.yaml", "--stack", "s"],
    ["render", "model/vllm", "--help-values", "-o", "wide", "--output-dir", "out"],
]


@pytest.mark.parametrize("args", KWARGS_LINES, ids=" ".join)
def test_the_body_gets_the_arguments_typer_gives_it(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    path = next(p for p in fast.BODIES if args[: len(p.split())] == p.split())
    module_name, _, attr = fast.BODIES[path].partition(":")
    module = importlib.import_module(module_name)
    signature = inspect.signature(getattr(module, attr))
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(module, attr, lambda *a, **k: calls.append(dict(signature.bind(*a, **k).arguments)))
    assert invoke(*args, env={fast.SWITCH_OFF: "1"}).exit_code == 0
    assert invoke(*args, env={fast.SWITCH_OFF: None}).exit_code == 0
    typer_call, fast_call = calls
    assert fast_call == typer_call
    assert [type(v) for v in fast_call.values()] == [type(v) for v in typer_call.values()]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["version", "-h"], "not an option"),
        (["version", "--help"], "not an option"),
        (["model", "plan", "phi-4", "--help=false"], "not an option"),
        (["version", "--bogus"], "not an option"),
        (["model", "catalog", "-l", "app=x"], "not an option"),
        (["--context", "prod", "version"], "leading namespace"),
        (["model", "plan", "phi-4", "--kubeconfig", "k"], "not an option"),
        (["-n", "ml", "model", "plan", "phi-4"], "leading namespace"),
        (["version", "--"], "not an option"),
        (["model", "catalog", "-"], "not an option"),
        (["version", "-oyaml"], "not an option"),
        (["version", "--client=false"], "not an option"),
        (["model", "plan", "phi-4", "--concurrency", "2", "--concurrency", "3"], "given twice"),
        (["model", "catalog", "--kaito", "--kaito"], "given twice"),
        (["model", "plan", "phi-4", "--max-model-len"], "no value"),
        (["model", "plan", "phi-4", "--region", "-o", "json"], "no value"),
        (["model", "plan", "phi-4", "--max-model-len", "abc"], "not a number"),
        (["model", "plan", "phi-4", "--budget", "x"], "not a number"),
        (["model", "plan", "phi-4", "-o", "bogus"], "-o: refused"),
        (["model", "plan"], "missing"),
        (["model", "plan", "a", "b"], "more arguments"),
        (["version", "extra"], "more arguments"),
        (["model", "show", "phi-4"], "not a fast command"),
        (["help", "version"], "'--help': not an option"),
        (["model", "--help", "plan"], "not a fast command"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else value,
)
def test_the_fast_path_defers_what_it_does_not_fully_understand(args: list[str], reason: str) -> None:
    assert reason in defer_reason(*args)


def test_completion_defers_to_the_command_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_AKSCLI_COMPLETE", "bash_complete")
    assert fast.run(["version"]) is None


def test_the_switch_defers_every_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fast.SWITCH_OFF, "1")
    assert fast.run(["version"]) is None


def test_a_command_line_naming_no_fast_command_is_left_alone_before_anything_is_read() -> None:
    assert fast.run(["cluster", "list", "--bogus"]) is None


def test_a_spec_that_defers_a_parameter_defers_its_command() -> None:
    specs = {"version": {"params": [], "defer": ["output_format: a callback"]}}
    with pytest.raises(fast.Defer, match="the spec defers version"):
        fast.parse(["version"], specs)


def test_a_parameter_with_its_own_callback_is_marked_defer_in_the_spec() -> None:
    # `model show`'s NAME is plain, but `model status` takes model/NAME through a callback.
    from akscli.cli.main import _running

    status = _running("model", "status").commands["status"]  # type: ignore[attr-defined]
    assert any("a callback" in reason for reason in command_spec(status).get("defer", []))


def test_a_repeatable_option_is_a_list_in_the_order_given_and_none_when_not_given() -> None:
    _, values = parsed("render", "core/namespace", "--set", "b=2", "--set=a=1")
    assert (values["set_values"], values["values_files"]) == (["b=2", "a=1"], None)


def test_a_spec_marks_defer_a_parameter_it_cannot_parse_as_click_does() -> None:
    # `model deploy` takes --timeout through a callback of its own (options.timeout_option).
    assert any("a callback" in reason for reason in command_spec(leaf("model deploy")).get("defer", []))


@pytest.mark.parametrize("path", sorted(fast.BODIES))
def test_every_fast_command_is_served_and_its_spec_names_the_body_s_parameters(path: str) -> None:
    import importlib

    spec = fast._specs()[path]
    assert "defer" not in spec
    names = [p["name"] for p in spec["params"]]
    block = spec.get("block")
    if block is not None:
        names = [n for n in names if n not in block["params"]]
        names.insert(len(names), block["into"])
    module_name, _, attr = fast.BODIES[path].partition(":")
    body = getattr(importlib.import_module(module_name), attr)
    assert sorted(names) == sorted(inspect.signature(body).parameters)


PROBE = """
import contextlib, io, sys
from akscli.cli import fast
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = fast.run(sys.argv[1:])
loaded = sorted({m.split(".")[0] for m in sys.modules} & {"typer", "click", "kubernetes", "azure", "rich"})
print(code, loaded)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["version"],
        ["model", "catalog", "phi", "-o", "json"],
        ["model", "plan", "phi-4"],
        ["model", "plan", "phi-4", "-o", "wide"],
    ],
    ids=" ".join,
)
def test_the_fast_path_loads_no_cli_framework_and_no_cluster_or_azure_library(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.split("\n")[0] == "0 []"


def test_the_console_script_tries_the_fast_path_before_it_loads_the_command_tree() -> None:
    probe = (
        "import sys, akscli.process as p; "
        "p.finish = lambda code, **k: print(code, 'typer' in sys.modules) or sys.exit(0); "
        "sys.argv = ['akscli', 'version', '-o', 'jsonpath={.akscli}']; from akscli.cli.entry import main; main()"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.endswith("0 False\n")


@pytest.mark.parametrize(
    "raised",
    [KeyboardInterrupt(), EOFError(), BrokenPipeError(32, "Broken pipe"), RuntimeError("kaput"), ValueError("x")],
    ids=lambda exc: type(exc).__name__,
)
def test_a_failure_inside_the_body_ends_as_the_command_tree_ends_it(
    raised: BaseException, monkeypatch: pytest.MonkeyPatch
) -> None:
    """typer/core.py _main around a callback (Ctrl-C: exit 130; EOFError: a newline, then the
    Ctrl-C line; EPIPE: exit 0) and main's report of anything else, on both paths."""
    from akscli.cli import version_body

    def failing(*_args: object, **_kwargs: object) -> None:
        raise raised

    monkeypatch.setattr(version_body, "version", failing)
    saved = sys.stdout, sys.stderr  # Typer wraps both after EPIPE (PacifyFlushWrapper)
    try:
        tree = invoke("version", env={fast.SWITCH_OFF: "1"})
        quick = invoke("version", env={fast.SWITCH_OFF: None})
    finally:
        sys.stdout, sys.stderr = saved
    assert quick == tree
