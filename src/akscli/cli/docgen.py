"""Generate docs/reference.md, docs/exit-codes.md, docs/grammar.md, completions/ and the help cache
(cli/help.json) from the command tree, and the Python modules of the data files (akscli.datafiles)
from their YAML sources.

Run ``python -m akscli.cli.docgen`` (or ``nox -s docs``); tests fail when the files are stale.
"""

import sys
from pathlib import Path

from akscli import datafiles
from akscli.cli.completion import SHELLS, completion_script
from akscli.cli.grammar import grammar_markdown
from akscli.cli.grammar import walk as _walk
from akscli.cli.main import COMMANDS, root_command
from akscli.errors import EXIT_CODES

COMPLETION_FILES = {"bash": "akscli.bash", "zsh": "_akscli", "fish": "akscli.fish", "powershell": "akscli.ps1"}


def reference_markdown() -> str:
    root = root_command()
    ctx = root.make_context("akscli", [], resilient_parsing=True)
    lines = [
        "# Command reference",
        "",
        "Generated from the command tree by `python -m akscli.cli.docgen`; do not edit.",
        "",
    ]
    for path, command, cmd_ctx in _walk(root, [], ctx):
        title = " ".join(["akscli", *path])
        lines += [
            f"{'#' * min(len(path) + 1, 4)} `{title}`",
            "",
            "```text",
            command.get_help(cmd_ctx).rstrip(),
            "```",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def help_cache() -> str:
    """Every command's help text, keyed by its path (``""``, ``"model"``, ``"model plan"``)."""
    import json

    root = root_command()
    ctx = root.make_context("akscli", [], resilient_parsing=True)
    texts: dict[str, str] = {}
    for path, command, cmd_ctx in _walk(root, [], ctx):
        texts[" ".join(path)] = command.get_help(cmd_ctx).rstrip() + "\n"
    return json.dumps(texts, indent=0, sort_keys=True) + "\n"


def exit_codes_markdown() -> str:
    lines = [
        "# Exit codes",
        "",
        "Every akscli command exits with one of these codes (generated from `akscli.errors`).",
        "Expected failures print one `error:` line and, where there is one, a `hint:` line on",
        "stderr; a traceback is shown only with `--debug`.",
        "",
        "| code | meaning |",
        "| --- | --- |",
    ]
    lines += [f"| {code} | {title} |" for code, title in EXIT_CODES]
    lines += [
        "",
        "`akscli diff` and `--dry-run=server --exit-code` (model deploy, ray cluster create, ray service",
        "deploy, fleet place) exit as kubectl diff does:",
        "0 when nothing would change, 1 when something would, and above 1 on an error. Their errors",
        "keep the codes above, except a failure (1), which exits 2 there.",
    ]
    return "\n".join(lines) + "\n"


def expected_files(root: Path) -> dict[Path, str]:
    files = {
        root / "docs" / "reference.md": reference_markdown(),
        root / "docs" / "exit-codes.md": exit_codes_markdown(),
        root / "docs" / "grammar.md": grammar_markdown(),
        root / "src" / "akscli" / "cli" / "help.json": help_cache(),
    }
    for shell in SHELLS:
        files[root / "completions" / COMPLETION_FILES[shell]] = completion_script(shell).rstrip() + "\n"
    data_dir = root / "src" / "akscli" / "data"
    for path, text in datafiles.generated_files().items():
        files[data_dir / path.name] = text
    return files


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[3]
    for path, text in expected_files(root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(root)}")
    print(f"{len(COMMANDS)} top-level commands documented")


if __name__ == "__main__":
    main()
