"""Every command's --help ends with one to three examples, and every example, and every command
line an error hint prints, parses against the real command tree (the checker of
test_docs_examples: options exist, values are given, no extra positionals)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from akscli.cli import grammar
from akscli.cli.examples import EXAMPLES, GROUP_EXAMPLES
from akscli.cli.main import START_HERE
from tests.cli import invoke
from tests.foundation.test_docs_examples import akscli_args, check, lex

SRC = Path(__file__).resolve().parents[2] / "src" / "akscli"
COMMANDS = [" ".join(path) for path, _ in grammar.leaf_commands()]
GROUPS = "cluster|nodepool|baremetal|ray|model|fleet|doctor|gpu|audit|policy|render|apply|token|completion|version"
_COMMAND = re.compile(rf"\bakscli (?:{GROUPS})\b.*")
_STOP = re.compile(r"[;()`'\"]| or | and | then |, |\. |\.$| to see| shows| lists| for ")


def _problems(line: str) -> list[str]:
    problems = []
    for words in lex(line):
        args = akscli_args(words)
        if args is not None:
            problems += check(args)
    return problems


@pytest.mark.parametrize("path", COMMANDS)
def test_every_command_has_one_to_three_examples(path: str) -> None:
    assert 1 <= len(EXAMPLES.get(path, ())) <= 3, f"{path}: give 1 to 3 examples in akscli/cli/examples.py"


def test_no_example_is_kept_for_a_command_that_is_gone() -> None:
    assert set(EXAMPLES) <= set(COMMANDS)


@pytest.mark.parametrize(("path", "line"), [(p, line) for p, lines in EXAMPLES.items() for line in lines])
def test_every_example_is_a_real_command_line(path: str, line: str) -> None:
    assert line.startswith(f"akscli {path}") or line.startswith(("source <(akscli", "akscli --version"))
    assert _problems(line) == []


def test_help_ends_with_the_examples() -> None:
    result = invoke("model", "plan", "--help")
    assert result.exit_code == 0
    tail = result.stdout.rstrip().splitlines()[-2:]
    assert [line.strip() for line in tail] == list(EXAMPLES["model plan"])


# Every group and sub-group (`ray`, `ray job`, `fleet rollout strategy`, ...).
GROUP_PATHS = sorted({" ".join(path.split()[:depth]) for path in COMMANDS for depth in range(1, len(path.split()))})


@pytest.mark.parametrize("group", GROUP_PATHS)
def test_every_group_help_ends_with_examples_of_where_to_start(group: str) -> None:
    result = invoke(*group.split(), "--help")
    assert result.exit_code == 0
    tail = result.stdout.rstrip().splitlines()[-len(GROUP_EXAMPLES[group]) :]
    assert [line.strip() for line in tail] == list(GROUP_EXAMPLES[group])


def test_akscli_help_shows_where_a_newcomer_starts() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for line in START_HERE:
        assert f"\n  {line}\n" in result.stdout


@pytest.mark.parametrize(
    ("group", "line"),
    [(g, line) for g, lines in GROUP_EXAMPLES.items() for line in lines] + [("", line) for line in START_HERE],
)
def test_every_group_example_is_a_real_command_line_of_that_group(group: str, line: str) -> None:
    assert line.startswith(f"akscli {group}".rstrip() + " ")
    assert _problems(line) == []


def test_no_group_example_is_kept_for_a_group_that_is_gone() -> None:
    assert set(GROUP_EXAMPLES) <= set(GROUP_PATHS)


def test_sub_groups_are_among_the_groups_with_examples() -> None:
    assert {"ray job", "fleet member", "fleet rollout strategy", "baremetal cluster"} <= set(GROUP_PATHS)


def _strings(node: ast.AST) -> list[str]:
    """The text of a string expression; f-string fields read as a placeholder value."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)]
    if isinstance(node, ast.BinOp):
        return [a + b for a in _strings(node.left) for b in _strings(node.right)]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


HINT_NAMES = ("hint", "fix", "resume")


def _hint_commands() -> list[tuple[str, str]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            values: list[ast.expr] = []
            if isinstance(node, ast.Call):  # UsageError(..., hint="..."), Finding(fix="...")
                values = [k.value for k in node.keywords if k.arg in HINT_NAMES]
            elif isinstance(node, ast.Assign) and any(  # hint = "..." then passed on
                isinstance(t, ast.Name) and t.id in HINT_NAMES for t in node.targets
            ):
                values = [node.value]
            for value in values:
                for text in _strings(value):
                    for match in _COMMAND.finditer(text):
                        command = _STOP.split(match.group(0), maxsplit=1)[0].strip()
                        found.append((f"{path.relative_to(SRC)}:{node.lineno}", command))
    return found


HINTS = _hint_commands()


def test_hints_name_commands() -> None:
    assert len(HINTS) > 10


@pytest.mark.parametrize(("where", "command"), HINTS, ids=[f"{w}:{c}" for w, c in HINTS])
def test_every_command_a_hint_prints_parses(where: str, command: str) -> None:
    assert _problems(command) == [], f"{where}: {command}"


def test_no_summary_a_group_lists_is_cut_inside_its_sentence() -> None:
    # click ends a summary at the first word ending in '.': "Per member: Scheduled .. Available, ..."
    # was listed as "Per member: Scheduled .."
    cut = [
        " ".join(path)
        for path, command in grammar.leaf_commands()
        if re.search(r"(^|[^.])\.\.$", command.get_short_help_str(limit=10_000))
    ]
    assert not cut, cut
