"""Completion for ``kubectl akscli <TAB>``.

kubectl (1.26 and newer) completes a plugin's arguments by running
``kubectl_complete-akscli __complete ARGS... WORD`` and reading cobra's protocol back: one
candidate per line (``value<TAB>description``), then ``:DIRECTIVE``. akscli's own shell scripts
speak the same protocol (``akscli __complete``), so both complete the same names and values.
"""

import sys
from collections.abc import Sequence

from akscli.cli.complete import protocol_lines
from akscli.cli.entry import command_tree


def completions(argv: Sequence[str]) -> list[str]:
    """The candidate lines (without the directive)."""
    return [line for line in protocol_lines(argv, command_tree, "kubectl akscli") if not line.startswith(":")]


def main() -> None:
    for line in protocol_lines(sys.argv[1:], command_tree, "kubectl akscli"):
        sys.stdout.write(line + "\n")
