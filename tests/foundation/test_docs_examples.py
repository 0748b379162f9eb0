"""Every `akscli ...` example in README.md and docs/*.md is a real command line.

The examples are taken from fenced code blocks and inline code spans, then checked against the
real command tree without running anything: the command path exists, every option is an option
of that command (or a global flag), options that need a value get one, flags get none, and no
more positional arguments are given than the command takes. Parsing is click's own option
parser (`Command.make_parser`), so no callback runs and nothing reaches a network or a cluster.

Synopsis notation is understood: `[...]` and `(...)` groups, `a|b` alternatives (of values,
options or command names), `-f/--file`, `ITEM...` repetition and `...` / `…` elisions, CAPS and
`<...>` placeholders. docs/reference.md is generated from the command tree and is skipped.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer._click import core
from typer._click.exceptions import UsageError as ClickUsageError

from akscli import globals as global_flags
from akscli.cli.main import root_command
from akscli.cli.options import bare_dry_run
from akscli.errors import UsageError

REPO = Path(__file__).resolve().parents[2]
GENERATED = {"docs/reference.md", "docs/grammar.md"}
HISTORY = "docs/changes/"
ELLIPSES = {"...", "…"}
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_PLACEHOLDER = re.compile(r"^(<[^<>]*>|[A-Z][A-Z0-9_]*(?:[/=-][A-Z0-9_]+)*)$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


# --------------------------------------------------------------------------- extraction


@dataclass
class Example:
    path: str  # relative to the repository
    line: int
    text: str  # the command line as the checker sees it, for messages
    args: list[str]  # what follows `akscli` / `kubectl akscli`
    index: int = 1  # the n-th example on this line

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}" + (f".{self.index}" if self.index > 1 else "")


class _Lexer:
    """A small shell lexer that also reads synopsis notation; yields simple commands."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.commands: list[list[str]] = []
        self._words: list[str] = []
        self._word: list[str] = []
        self._started = False  # the current word has begun (possibly as an empty quoted string)
        self._depth = 0  # synopsis [ ] / ( ) nesting
        self._skip_next = False  # the next word is a redirection target

    def run(self) -> list[list[str]]:
        text, i, n = self.text, 0, len(self.text)
        while i < n:
            c = text[i]
            two = text[i : i + 2]
            at_start = not self._started
            if c.isspace():
                self._end_word()
            elif c == "#" and at_start:
                break  # a comment runs to the end of the line
            elif c == "'":
                j = text.find("'", i + 1)
                j = n if j < 0 else j
                self._add(text[i + 1 : j])
                i = j
            elif c == '"':
                i = self._double_quoted(i + 1)
            elif c == "\\" and i + 1 < n:
                self._add(text[i + 1])
                i += 1
            elif two in ("$(", "<(", ">("):
                i = self._substitution(i + 2)
                self._add("SUBST")
            elif two in ("&&", "||") or c == ";" or (c == "&" and two != "&>"):
                self._end_command()
                i += len(two) - 1 if two in ("&&", "||") else 0
            elif c == "|":
                if at_start and self._depth == 0:
                    self._end_command()  # a pipe
                elif not at_start:
                    self._add("|")  # an alternative inside a word: kaito|vllm
                # else: a standalone | between synopsis alternatives
            elif at_start and c in "[(":
                self._depth += 1
            elif c in "])" and self._depth > 0:
                self._depth -= 1
                self._end_word()
            elif at_start and (c == ">" or (c in "012&" and text[i + 1 : i + 2] == ">")):
                i = self._redirect(i)
            elif at_start and c == "<":
                m = re.match(r"<[^<>\s]*>", text[i:])
                if m:  # a <placeholder>
                    self._add(m.group(0))
                    i += len(m.group(0)) - 1
                else:
                    self._skip_next = True
            else:
                self._add(c)
            i += 1
        self._end_command()
        return self.commands

    def _add(self, s: str) -> None:
        self._word.append(s)
        self._started = True

    def _end_word(self) -> None:
        if self._started:
            if self._skip_next:
                self._skip_next = False
            else:
                self._words.append("".join(self._word))
        self._word, self._started = [], False

    def _end_command(self) -> None:
        self._end_word()
        if self._words:
            self.commands.append(self._words)
        self._words = []
        self._depth = 0

    def _double_quoted(self, i: int) -> int:
        text, n = self.text, len(self.text)
        self._started = True
        while i < n and text[i] != '"':
            if text[i] == "\\" and i + 1 < n:
                self._add(text[i + 1])
                i += 2
                continue
            if text[i : i + 2] == "$(":
                i = self._substitution(i + 2) + 1
                self._add("SUBST")
                continue
            self._add(text[i])
            i += 1
        return i

    def _substitution(self, i: int) -> int:
        """`$(...)`, `<(...)`: lex the inside as its own command line; return the `)` index."""
        text, depth, quote, j = self.text, 1, "", i
        while j < len(text):
            ch = text[j]
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "'\"":
                quote = ch
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        self.commands.extend(_Lexer(text[i:j]).run())
        return j

    def _redirect(self, i: int) -> int:
        """`> file`, `2>/dev/null`, `>> log`, `&> out`: drop the operator and its target."""
        text = self.text
        j = i
        while j < len(text) and text[j] in "012&>":
            j += 1
        if j < len(text) and text[j] == "&":  # 2>&1
            j += 1
        if j >= len(text) or text[j].isspace():
            self._skip_next = True
            return j - 1
        self._started, self._skip_next = True, True  # the target is attached: 2>/dev/null
        return j - 1


def lex(text: str) -> list[list[str]]:
    """The simple commands of one (logical) shell line, `$(...)` and `<(...)` bodies included."""
    return _Lexer(text).run()


def akscli_args(words: list[str]) -> list[str] | None:
    """The arguments after `akscli` when this simple command runs akscli, else None."""
    while words and _ASSIGNMENT.match(words[0]):
        words = words[1:]  # VAR=value akscli ...
    if words and (words[0] == "akscli" or words[0].endswith("/akscli")):
        return words[1:]
    if len(words) >= 2 and words[0] == "kubectl" and words[1] == "akscli":
        return words[2:]
    return None


def _logical_lines(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join `\\` continuations, and synopsis lines continued by indentation (`    [--flag X]`)."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, raw in lines:
        line = raw.rstrip()
        if pending is not None:
            start, text = pending
            pending = None
            line = text + " " + line.strip()
            number = start
        elif out and line[:1].isspace() and line.lstrip()[:1] in ("[", "(", "-") and "akscli" in out[-1][1]:
            start, text = out.pop()
            line, number = text + " " + line.strip(), start
        if line.endswith("\\") and not line.endswith("\\\\"):
            pending = (number, line[:-1])
            continue
        out.append((number, line))
    if pending is not None:
        out.append(pending)
    return out


def extract(path: Path, root: Path = REPO) -> list[Example]:
    rel = path.relative_to(root).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[tuple[int, str]] = []  # (line number, command-line text)

    prose: list[str] = []  # the text outside fences, line for line (fenced lines blanked)
    fence: str | None = None
    block: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        m = _FENCE.match(line)
        if fence is None and m:
            fence, block = m.group(1)[0] * 3, []
            prose.append("")
            continue
        if fence is not None:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                found.extend(_logical_lines(block))
                fence = None
            else:
                block.append((number, re.sub(r"^\s*\$ ", "", line)))
            prose.append("")
            continue
        # In a table row, `\|` inside a code span stands for `|`.
        prose.append(line.replace("\\|", "|") if line.lstrip().startswith("|") else line)

    text = "\n".join(prose)
    starts = [0]
    for line in prose:
        starts.append(starts[-1] + len(line) + 1)
    for m in _SPAN.finditer(text):
        span = m.group(2).replace("\n", " ").strip()
        if "akscli" not in span:
            continue
        offset = m.start(2)
        number = bisect.bisect_right(starts, offset)
        found.append((number, span))

    examples: list[Example] = []
    per_line: dict[int, int] = {}
    for number, line in sorted(found, key=lambda item: item[0]):
        for words in lex(line):
            args = akscli_args(words)
            if args is None:
                continue
            per_line[number] = per_line.get(number, 0) + 1
            text = " ".join(["akscli", *args])
            examples.append(Example(rel, number, text, args, per_line[number]))
    return examples


def doc_files() -> list[Path]:
    files = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    # docs/changes/ are change notes: they quote old command forms on purpose (old -> new tables).
    return [
        p
        for p in files
        if p.relative_to(REPO).as_posix() not in GENERATED and not p.relative_to(REPO).as_posix().startswith(HISTORY)
    ]


def all_examples() -> list[Example]:
    return [example for path in doc_files() for example in extract(path)]


# --------------------------------------------------------------------------- checking


@functools.cache
def _root() -> tuple[core.Command, core.Context]:
    root = root_command()
    return root, core.Context(root, info_name="akscli")


def _is_group(command: core.Command) -> bool:
    return hasattr(command, "list_commands") and hasattr(command, "get_command")


def _is_placeholder(word: str) -> bool:
    return word in ELLIPSES or bool(_PLACEHOLDER.match(word))


def _expand_synopsis(args: list[str]) -> list[list[str]]:
    """Drop `ITEM...` repetition marks; `--a|--b` and `-f/--file` give one variant per option."""
    variants: list[list[str]] = [[]]
    for arg in args:
        choices = [arg]
        if re.match(r"^--?[A-Za-z]", arg) and "=" not in arg:
            for sep in ("|", "/"):
                parts = arg.split(sep)
                if len(parts) > 1 and all(re.match(r"^--?[A-Za-z]", p) for p in parts):
                    choices = parts
                    break
        elif arg not in ELLIPSES:
            for mark in ELLIPSES:
                if arg.endswith(mark):
                    choices = [arg[: -len(mark)]]
        variants = [[*v, c] for v in variants for c in choices]
    return variants


def _options(command: core.Command, ctx: core.Context) -> dict[str, Any]:
    """Every option string of ``command`` -> its parameter."""
    table: dict[str, Any] = {}
    for param in command.get_params(ctx):
        if param.param_type_name == "option":
            for opt in [*param.opts, *param.secondary_opts]:
                table[opt] = param
    return table


def _takes_value(param: Any) -> bool:
    return not (param.is_flag or param.count)


def _resolve_ellipses(args: list[str], options: dict[str, Any]) -> list[str]:
    """`--fleet …` keeps `…` as the value; any other `...` / `…` stands for elided words."""
    out: list[str] = []
    for arg in args:
        if arg in ELLIPSES:
            prev = out[-1] if out else ""
            if prev in options and _takes_value(options[prev]):
                out.append("VALUE")
            continue
        out.append(arg)
    return out


def check(args: list[str]) -> list[str]:
    """Problems of the command line ``akscli ARGS`` (empty when it is a real command line)."""
    problems: list[str] = []
    for variant in _expand_synopsis(args):
        try:
            variant = bare_dry_run(global_flags.extract(variant))
        except UsageError as exc:
            problems.append(exc.message)
            continue
        finally:
            global_flags.reset()
        root, ctx = _root()
        problems += [p for p in _check_from(root, ctx, variant) if p not in problems]
    return problems


def _check_from(command: core.Command, ctx: core.Context, args: list[str]) -> list[str]:
    path = ctx.command_path
    if not _is_group(command):
        return _check_leaf(command, ctx, args)
    try:
        _, rest, _ = command.make_parser(ctx).parse_args(args=list(args))
    except ClickUsageError as exc:
        return [f"{path}: {exc.format_message()}"]
    if not rest or _is_placeholder(rest[0]) or rest[0].startswith("-"):
        return []  # the group itself (`akscli model`), or a placeholder for the command
    problems: list[str] = []
    for name in rest[0].split("|"):  # `akscli model status|endpoint NAME`
        sub = command.get_command(ctx, name)  # type: ignore[attr-defined]
        if sub is None:
            known = ", ".join(command.list_commands(ctx))  # type: ignore[attr-defined]
            problems.append(f"'{path}' has no command {name!r} (it has: {known})")
            continue
        problems += _check_from(sub, core.Context(sub, info_name=name, parent=ctx), rest[1:])
    return problems


def _check_leaf(command: core.Command, ctx: core.Context, args: list[str]) -> list[str]:
    path = ctx.command_path
    options = _options(command, ctx)
    args = _resolve_ellipses(args, options)
    try:
        opts, extra, _ = command.make_parser(ctx).parse_args(args=list(args))
    except ClickUsageError as exc:
        return [f"{path}: {exc.format_message()}"]
    problems: list[str] = []
    if extra and not ctx.allow_extra_args:
        takes = [p.human_readable_name for p in command.get_params(ctx) if p.param_type_name == "argument"]
        problems.append(
            f"{path}: unexpected extra argument(s) {' '.join(extra)!r} "
            f"(positional arguments: {', '.join(takes) or 'none'}; a name may need its option, such as -n)"
        )
    for name, value in opts.items():
        if name not in {p.name for p in options.values()}:
            continue  # a positional argument (after `--` it may look like an option)
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            if isinstance(v, str) and re.match(r"^--?[A-Za-z]", v):
                problems.append(f"{path}: option {name!r} took {v!r} as its value: is a value missing?")
    return problems


# --------------------------------------------------------------------------- tests

EXAMPLES = all_examples()


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_doc_example_is_a_real_command(example: Example) -> None:
    problems = check(example.args)
    assert not problems, f"{example.id}: {example.text}\n  " + "\n  ".join(problems)


def test_examples_are_found_in_every_doc_with_commands() -> None:
    assert len(EXAMPLES) > 150
    files = {e.path for e in EXAMPLES}
    assert {"README.md", "docs/getting-started.md", "docs/model.md", "docs/ray.md", "docs/fleet.md"} <= files
    assert "docs/reference.md" not in files


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("akscli model plan phi-4 --no-such-flag", "No such option: --no-such-flag"),
        ("akscli model plan phi-4 --max-model-len", "requires an argument"),
        ("akscli model plan phi-4 --max-model-len --concurrency 8", "took '--concurrency'"),
        ("akscli model plan phi-4 --context 8192", "No such option: --context"),
        ("akscli cluster show ml extra -g rg", "unexpected extra argument(s) 'extra'"),
        ("akscli cluster create -n ml -g rg", "No such option: -n"),
        ("akscli nodepool add gpu -c c1 --name gpu", "No such option: --name"),
        ("akscli model no-such-command phi-4", "has no command 'no-such-command'"),
        ("akscli model status|nosuch NAME", "has no command 'nosuch'"),
        ("akscli --reason", "--reason needs a value"),
        ("akscli ray cluster list [-A] [-o wide|json] [--bogus]", "No such option: --bogus"),
        ("akscli model list ... --nope", "No such option: --nope"),
    ],
)
def test_checker_rejects_a_wrong_line(line: str, needle: str) -> None:
    (words,) = lex(line)
    args = akscli_args(words)
    assert args is not None
    problems = check(args)
    assert any(needle in p for p in problems), problems


@pytest.mark.parametrize(
    "line",
    [
        "akscli model plan phi-4 --max-model-len 8192 --concurrency 8",
        "akscli cluster create ml -g rg --dry-run",
        "akscli model delete --dry-run phi-4 -n ml",
        "akscli model deploy phi-4 --dry-run client",
        "akscli --debug model list -v --reason 'CHG 1' --allow image-latest --audit-log a.jsonl --policy-file p.yaml",
        "akscli model status|endpoint|test|logs|delete|history NAME",
        "akscli model deploy MODEL [--runtime kaito|vllm] [--expose [--hostname H]] [--member C]... [--dry-run=server]",
        "akscli nodepool add NAME -c C (--vm-size SIZE | --gpu t4|a10 [--gpus-per-node N]) [--taint k=v:Effect ...]",
        "akscli baremetal doctor [--expect-rdma|--no-expect-rdma] [-o table|wide]",
        "akscli baremetal cluster credentials edge1 -g rg-edge [--admin] [--kubeconfig PATH]",
        "akscli fleet rollout start RUN --fleet …",
        "akscli fleet member list … -o json",
        "akscli ray job submit --cluster rc --wait -- python train.py --epochs 3",
        "akscli model plan <model> --max-model-len 8192",
        "kubectl akscli ...",
        "akscli model",
        "akscli GROUP --help",
    ],
)
def test_checker_accepts_real_and_synopsis_lines(line: str) -> None:
    (words,) = lex(line)
    args = akscli_args(words)
    assert args is not None
    assert check(args) == []


def test_lexer_reads_shell_lines() -> None:
    assert lex("source <(akscli completion bash)   # or zsh") == [["akscli", "completion", "bash"], ["source", "SUBST"]]
    assert lex('x="$(akscli model endpoint phi-4 -o json)" && akscli model list | jq . > out.json; akscli version') == [
        ["akscli", "model", "endpoint", "phi-4", "-o", "json"],
        ["x=SUBST"],
        ["akscli", "model", "list"],
        ["jq", "."],
        ["akscli", "version"],
    ]
    assert lex("akscli fleet rollout strategy create s --stage 'a;labels=x=y' 2>/dev/null") == [
        ["akscli", "fleet", "rollout", "strategy", "create", "s", "--stage", "a;labels=x=y"]
    ]
    assert akscli_args(["ln", "-s", "~/.akscli/bin/akscli", "x"]) is None
    assert akscli_args([".venv/bin/akscli", "version"]) == ["version"]
    assert akscli_args(["kubectl", "akscli", "model", "list"]) == ["model", "list"]


def test_extract_joins_continuations_and_reads_spans(tmp_path: Path) -> None:
    doc = tmp_path / "probe.md"
    doc.write_text(
        "Use `akscli model list -A` or `akscli.model.skus`.\n"
        "| a | `akscli policy check -f FILE\\|DIR` |\n"
        "```sh\n"
        "$ akscli model plan acme/x --weights-gib 13 \\\n"
        "    --layers 32   # a comment\n"
        "akscli model plan MODEL [--context N]\n"
        "                        [--region R]\n"
        "```\n",
        encoding="utf-8",
    )
    found = [(e.line, e.text) for e in extract(doc, tmp_path)]
    assert found == [
        (1, "akscli model list -A"),
        (2, "akscli policy check -f FILE|DIR"),
        (4, "akscli model plan acme/x --weights-gib 13 --layers 32"),
        (6, "akscli model plan MODEL --context N --region R"),
    ]


def test_a_wrong_doc_line_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "# t\n\n```bash\nakscli model plan phi-4 --max-model-len 8192\nakscli cluster create -n ml -g rg\n```\n",
        encoding="utf-8",
    )
    bad = [(e.id, check(e.args)) for e in extract(doc, tmp_path) if check(e.args)]
    assert [where for where, _ in bad] == ["doc.md:5"]
    assert "No such option: -n" in bad[0][1][0]
