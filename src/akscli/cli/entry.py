"""The console-script entry point, with a fast path for help.

Help text is generated from the Typer command tree by ``python -m akscli.cli.docgen`` into
``help.json`` beside this file (a test fails when it is stale). ``akscli --help`` and
``akscli GROUP --help`` print it without importing Typer, which keeps start-up close to
kubectl's. ``akscli token`` (run by kubectl before every request) also skips Typer. Everything
else goes to the real command tree in ``akscli.cli.main``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

HELP_CACHE = Path(__file__).with_name("help.json")
HELP_FLAGS = ("--help", "-h")


def cached_help(argv: list[str], prog: str) -> str | None:
    words = argv[:-1] if argv and argv[-1] in HELP_FLAGS else (argv if not argv else None)
    if words is None or any(w.startswith("-") for w in words):
        return None
    try:
        cache: dict[str, str] = json.loads(HELP_CACHE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    text = cache.get(" ".join(words))
    if text is None:
        return None
    return text.replace("Usage: akscli", f"Usage: {prog}", 1)


def main() -> None:
    prog = "kubectl akscli" if os.path.basename(sys.argv[0]) == "kubectl-akscli" else "akscli"
    text = cached_help(sys.argv[1:], prog)
    if text is not None:
        sys.stdout.write(text)
        sys.stdout.flush()
        sys.exit(0)
    if sys.argv[1:2] == ["token"]:
        # kubectl runs the credential plugin before every request: skip the CLI framework.
        from akscli.azure.token import main as token_main

        sys.exit(token_main(sys.argv[2:]))
    from akscli.cli.main import main as full_main

    full_main()
