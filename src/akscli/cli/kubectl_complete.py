"""Completion for ``kubectl akscli <TAB>``.

kubectl (1.26 and newer) completes a plugin's arguments by running
``kubectl_complete-akscli __complete ARGS... WORD`` and reading cobra's protocol back: one
candidate per line (``value<TAB>description``), then ``:DIRECTIVE``. The candidates come from
the same command tree as ``akscli``'s own shell completion.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, ClassVar

from typer._click.shell_completion import CompletionItem, ShellComplete

NO_FILE_COMPLETION = 4  # cobra's ShellCompDirectiveNoFileComp


class CobraComplete(ShellComplete):
    """Click completion spoken in cobra's ``__complete`` protocol."""

    name: ClassVar[str] = "cobra"
    source_template: ClassVar[str] = ""

    def __init__(self, argv: Sequence[str]) -> None:
        from akscli.cli.main import root_command

        super().__init__(root_command(), {}, "kubectl akscli", "_KUBECTL_AKSCLI_COMPLETE")
        self.argv = list(argv)

    def source_vars(self) -> dict[str, Any]:
        return {}

    def get_completion_args(self) -> tuple[list[str], str]:
        words = self.argv[1:] if self.argv[:1] == ["__complete"] else self.argv
        if not words:
            return [], ""
        return words[:-1], words[-1]

    def format_completion(self, item: CompletionItem) -> str:
        return f"{item.value}\t{item.help}" if item.help else str(item.value)


def completions(argv: Sequence[str]) -> list[str]:
    return CobraComplete(argv).complete().splitlines()


def main() -> None:
    for line in completions(sys.argv[1:]):
        sys.stdout.write(line + "\n")
    sys.stdout.write(f":{NO_FILE_COMPLETION}\n")
