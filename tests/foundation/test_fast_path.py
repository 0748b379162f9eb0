"""The fast path (akscli.cli.fast) prints exactly what the command tree prints.

Each command line of the corpus runs twice in-process: as users run it (the fast path serves it
when it fully understands it) and with AKSCLI_NO_FAST_PATH=1 (the Typer command tree alone).
stdout, stderr and the exit code must be equal byte for byte, on a pipe, on a terminal and with
NO_COLOR; lines the fast path defers (help, unknown flags, values Click refuses) are in the corpus
too, to show that deferring changes nothing. Each command's corpus must have 100 lines or more
that the fast path itself serves, or the equality would prove nothing.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from akscli.cli import fast, run_common
from tests.cli import invoke

UNICODE = "ünïcödé-模型"

VERSION_LINES: list[list[str]] = [
    ["version", *words, *more]
    for words in (
        [],
        ["-o", "table"],
        ["-o", "json"],
        ["-o", "yaml"],
        ["--output", "json"],
        ["--output=yaml"],
        ["-o=json"],
        ["-o", "jsonpath={.akscli}"],
        ["-o", "jsonpath={.packages.typer}"],
        ["-o", "jsonpath={.packages}"],
        ["-o", "jsonpath={.platform}"],
        ["-o", "jsonpath='{.akscli}'"],
        ["-o", 'jsonpath={.akscli}{"\\n"}'],
        ["-o", "jsonpath={.packages.azure-core}"],
        ["-o=jsonpath={.python}"],
        ["-o", f"jsonpath={{.{UNICODE}}}"],
        ["-o", "jsonpath-as-json={.packages}"],
        ["-o", "wide"],
        ["-o", "name"],
        ["-o", "custom-columns=A:.akscli"],
        ["-o", "bogus"],
        ["-o", "jsonpath={.akscli"],
        ["-o", UNICODE],
    )
    for more in ([], ["--client"], ["--debug"], ["--no-headers"], ["-v"], ["--client", "--debug"], ["-vv", "--client"])
] + [
    ["version", "--client=false"],
    ["version", "--client=true"],
    ["version", "-oyaml"],
    ["version", "-o"],
    ["version", "-o", "json", "-o", "yaml"],
    ["version", "--client", "--client"],
    ["version", "extra"],
    ["version", "--"],
    ["version", "-h"],
    ["version", "--help"],
    ["version", "--bogus"],
    ["--debug", "version"],
    ["-v", "version", "-o", "json"],
    ["--context", "prod", "version"],
    ["-n", "ml", "version"],
]

CATALOG_LINES: list[list[str]] = [
    ["model", "catalog", *query, *kaito, *fmt]
    for query, kaito, fmt in itertools.product(
        ([], ["phi"], ["llama"], ["qwen"], ["kaito"], ["awq"], ["no-such-model"], [UNICODE], ["x" * 201]),
        ([], ["--kaito"]),
        (
            [],
            ["-o", "wide"],
            ["-o", "json"],
            ["-o", "yaml"],
            ["-o", "name"],
            ["--output=json"],
            ["-o", "jsonpath={.items[*].id}"],
            ["-o", "custom-columns=ID:.id,CONTEXT:.context"],
            ["-o", "bogus"],
        ),
    )
] + [
    ["model", "catalog", "phi", "llama"],
    ["model", "catalog", "--kaito=false"],
    ["model", "catalog", "-o", "json", "--no-headers"],
    ["model", "catalog", "--no-headers"],
    ["model", "catalog", "-l", "app=x"],
    ["model", "catalog", "--help"],
    ["model", "catalog", "-"],
    ["model", "catalog", "--", "phi"],
    ["model", "catalog", "--kaito", "--kaito"],
    ["model", "catalog", ""],
    ["model", "catalog", "phi\tmini"],
]

DESCRIBED = [
    "org/my-model",
    "--weights-gib",
    "14",
    "--layers",
    "32",
    "--attention-heads",
    "32",
    "--kv-heads",
    "8",
    "--head-dim",
    "128",
    "--hidden-size",
    "4096",
    "--max-context",
    "32768",
    "--quantization",
    "bf16",
    "--params-b",
    "7",
]

PLAN_LINES: list[list[str]] = (
    [
        ["model", "plan", *model, *flags, *fmt]
        for model, flags, fmt in itertools.product(
            (["phi-4"], ["microsoft/phi-4"], ["llama-3.1-8b-instruct"]),
            (
                [],
                ["--runtime", "vllm"],
                ["--runtime=vllm", "--concurrency", "8", "--max-model-len", "16384"],
                ["--max-model-len", "4096"],
                ["--concurrency", "4"],
                ["--region", "westeurope"],
                ["--budget", "2000"],
                ["--budget", "1.5"],
                ["--vm-size", "Standard_NC24ads_A100_v4"],
                ["--runtime", "vllm", "--trust-remote-code"],
            ),
            ([], ["-o", "wide"], ["-o", "json"], ["-o", "name"], ["-o", "jsonpath={.recommended}"]),
        )
    ]
    + [
        ["model", "plan", "phi-4", *flags]
        for flags in (
            ["-o", "yaml"],
            ["-o=yaml"],
            ["--output=json"],
            ["-o", "custom-columns=SIZE:.vm_size,FITS:.fits"],
            ["-o", "jsonpath={.options[*].vm_size}"],
            ["-o", "jsonpath={.options[0]"],
            ["-o", "bogus"],
            ["--runtime", "bogus"],
            ["--max-model-len", "0"],
            ["--max-model-len", "-1"],
            ["--max-model-len", "abc"],
            ["--max-model-len", "1_024"],
            ["--max-model-len", " 2048 "],
            ["--concurrency", "0"],
            ["--concurrency", "x"],
            ["--budget", "abc"],
            ["--budget", "nan"],
            ["--budget", "inf"],
            ["--budget", "1e3"],
            ["--region", "bogus"],
            ["--region", UNICODE],
            ["--vm-size", "Standard_Bogus"],
            ["--image", "vllm/vllm-openai:v0.11.0"],
            ["--runtime", "vllm", "--image", "vllm/vllm-openai:v0.11.0"],
            ["--trust-remote-code"],
            ["--price-file", "/nonexistent/prices.csv"],
            ["--hub-config"],
            ["--layers", "32"],
            ["--weights-gib", "10"],
            ["--no-headers"],
            ["--debug"],
            ["-v"],
            ["--max-model-len=8192"],
            ["--concurrency", "2", "--concurrency", "3"],
            ["--trust-remote-code=true"],
            ["extra"],
            ["--"],
            ["-h"],
            ["-n", "ml"],
            ["--context", "prod"],
            ["--dry-run"],
            ["--max-model-len"],
            ["-o"],
            ["-ojson"],
        )
    ]
    + [
        ["model", "plan", *DESCRIBED],
        ["model", "plan", *DESCRIBED, "--runtime", "vllm", "-o", "json"],
        ["model", "plan", *DESCRIBED, "--runtime", "vllm", "--concurrency", "16", "-o", "wide"],
        ["model", "plan", *DESCRIBED[:5]],
        ["model", "plan", "no-such-model"],
        ["model", "plan", UNICODE],
        ["model", "plan", "--runtime", "vllm", "phi-4"],
        ["model", "plan"],
        ["model", "plan", ""],
    ]
)

TEMPLATES = ["core/namespace", "ray/workdir-configmap", "model/vllm", "baremetal/gpu-probe-job", "nodepool/nap-gpu"]
RENDER_LINES: list[list[str]] = (
    [
        ["render", "core/namespace", *sets, *fmt]
        for sets, fmt in itertools.product(
            (
                ["--set", "name=demo"],
                ["--set=name=demo"],
                ["--set", "name=demo", "--set", "labels.team=ml"],
                ["--set", "name=demo", "--set", "labels={a=1,b=2}"],
                ["--set", "name=demo", "--stack", "web"],
                ["--set", "name=demo", "--set", "name=other"],
                ["--set", "name=Bad_Name"],
                ["--set", f"name={UNICODE}"],
                ["--set", "nmae=demo"],
                [],
                ["--set", "password=hunter2", "--set", "name=demo"],
            ),
            ([], ["-o", "yaml"], ["-o", "json"], ["-o", "name"], ["-o=json"], ["--output=yaml"], ["-o", "table"]),
        )
    ]
    + [
        ["render", template, *flags]
        for template, flags in itertools.product(
            TEMPLATES,
            (
                ["--help-values"],
                ["--help-values", "-o", "wide"],
                ["--help-values", "-o", "json"],
                ["--help-values", "-o", "name"],
                ["--help-values", "-o", "bogus"],
            ),
        )
    ]
    + [
        ["render", *flags]
        for flags in (
            [],
            ["--list"],
            ["--list", "-o", "json"],
            ["--list", "-o", "name"],
            ["--list", "-o", "wide"],
            ["--list", "-o", "yaml"],
            ["--list", "-o", "jsonpath={.items[*].name}"],
            ["--list", "-o", "custom-columns=T:.name"],
            ["-o", "json"],
            ["--set", "name=demo"],
            ["--stack", "web"],
            ["no/such-template"],
            ["core/namespace", "--values", "/nonexistent/values.yaml"],
            ["core/namespace", "--values"],
            ["core/namespace", "--set"],
            ["core/namespace", "--set", "-x"],
            ["core/namespace", "--list=true"],
            ["core/namespace", "--", "x"],
            ["core/namespace", "extra"],
            ["core/namespace", "-h"],
            ["core/namespace", "--set", "name=demo", "-o", "wide"],
            ["core/namespace", "--set", "name=demo", "-oyaml"],
            ["core/namespace", "--set", "name=demo", "--debug"],
            ["core/namespace", "--set", "name=demo", "--stack", "a", "--stack", "b"],
        )
    ]
)

CORPUS = {"version": VERSION_LINES, "model catalog": CATALOG_LINES, "model plan": PLAN_LINES, "render": RENDER_LINES}
TERMINALS = {"piped": ({}, False), "terminal": ({}, True), "NO_COLOR": ({"NO_COLOR": "1"}, True)}


def served(args: list[str]) -> bool:
    """Whether the fast path serves ``args`` itself (it parses them without deferring)."""
    try:
        fast.parse(run_common.prepared(args, fast._takes_namespace), fast._specs())
    except (fast.Defer, Exception):
        return False
    finally:
        run_common.cleanup()
    return True


@pytest.mark.parametrize("command", sorted(CORPUS))
def test_the_corpus_has_a_hundred_lines_the_fast_path_serves(command: str) -> None:
    assert sum(served(args) for args in CORPUS[command]) >= 100


@pytest.mark.parametrize("terminal", sorted(TERMINALS))
@pytest.mark.parametrize("command", sorted(CORPUS))
def test_the_fast_path_prints_what_the_command_tree_prints(command: str, terminal: str, tmp_path: Path) -> None:
    env, tty = TERMINALS[terminal]
    unequal = []
    lines = CORPUS[command]
    if command == "render":  # values files and --output-dir: the same paths for both runs
        values = tmp_path / "values.yaml"
        values.write_text("name: from-file\nlabels:\n  tier: gpu\n", encoding="utf-8")
        listed = tmp_path / "list.yaml"
        listed.write_text("- a\n", encoding="utf-8")
        out = str(tmp_path / "out")
        lines = [
            *lines,
            ["render", "core/namespace", "--values", str(values)],
            ["render", "core/namespace", "--values", str(values), "--set", "name=wins", "-o", "json"],
            ["render", "core/namespace", "--values", str(values), "--values", str(values)],
            ["render", "core/namespace", "--values", str(listed)],
            ["render", "core/namespace", "--set", "name=demo", "--output-dir", out],
            ["render", "core/namespace", "--set", "name=demo", "--output-dir", out, "-o", "json"],
            ["render", "core/namespace", "--set", "name=demo", "--output-dir", out, "-o", "name"],
        ]
    for args in lines:
        quick = invoke(*args, env={**env, fast.SWITCH_OFF: None}, tty=tty)
        tree = invoke(*args, env={**env, fast.SWITCH_OFF: "1"}, tty=tty)
        if quick != tree:
            unequal.append((args, quick, tree))
    assert unequal == []
