"""akscli completion SHELL: print a completion script (the files under completions/ are these)."""

from __future__ import annotations

from typing import Annotated

import typer

from akscli import output, validate

SHELLS = ("bash", "zsh", "fish", "powershell")


def completion_script(shell: str, prog: str = "akscli") -> str:
    from typer._completion_shared import get_completion_script

    complete_var = "_" + prog.replace("-", "_").upper() + "_COMPLETE"
    shell_name = "pwsh" if shell == "powershell" else shell
    return get_completion_script(prog_name=prog, complete_var=complete_var, shell=shell_name)


def completion(
    shell: Annotated[str, typer.Argument(help="bash|zsh|fish|powershell")],
) -> None:
    """Print the completion script for a shell.

    bash: source <(akscli completion bash)   zsh: akscli completion zsh > "${fpath[1]}/_akscli"
    """
    output.write(completion_script(validate.choice(shell, SHELLS, "shell")))
