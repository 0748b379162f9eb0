"""The one way a hint tells a user to put a secret into a Kubernetes Secret or a variable: read it at
a prompt that does not echo it, then hand it on without a command line, so the secret reaches
neither the shell's history nor the process list (``ps``), as a ``--from-literal=KEY=VALUE`` argument
does. Written in the user's shell (``shell``): bash and zsh, fish, or PowerShell.

upstream: kubernetes/kubectl dee3483a pkg/cmd/create/create_secret.go (handleSecretFromFileSources:
``--from-file=KEY=PATH`` stats PATH and reads it whole with os.ReadFile, so ``/dev/stdin`` works and
the key is the one named); kubernetes.io "Managing Secrets using kubectl" gives --from-file as the
form that needs no shell escaping and writes its files with ``echo -n`` so no newline is stored.
``printf %s`` (a builtin of bash, zsh and fish: no process of its own) adds no newline: KAITO v0.12.0
sends the Secret's HF_TOKEN as is in its Authorization header (presets/workspace/models/vllm_model.go
GetHFTokenFromSecret, generator.go getAuthHeader), and Go's net/http refuses a header value with a
newline in it.

The silent prompt of each shell:
- bash and zsh: ``read -rs`` (bash's ``read -s``, "Silent mode"; ``-r``, backslashes kept).
- fish: ``read -s`` ("--silent: masks characters written to the terminal, replacing them with
  asterisks") and ``-x`` (exports the variable): fishshell.com/docs/current/cmds/read.html.
- PowerShell: ``Read-Host -AsSecureString`` ("displays asterisks (*) in place of the characters that
  the user types", learn.microsoft.com/powershell/module/microsoft.powershell.utility/read-host; in
  Windows PowerShell 5.1 and PowerShell 7, where -MaskInput is 7.1's only), made a string by
  ``[Net.NetworkCredential]::new('', SECURESTRING).Password`` (learn.microsoft.com/dotnet/api/
  system.net.networkcredential, the (String, SecureString) constructor). PowerShell adds a newline to
  what it pipes to a native program, and Windows has no /dev/stdin, so the secret goes through a
  file of the user's own (``New-TemporaryFile``; ``[IO.File]::WriteAllText`` writes UTF-8 without a
  BOM and no newline), removed at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterable


def shell() -> str:
    """The shell a hint is written for, as the environment tells it: "powershell", "fish" or "sh"
    (bash, zsh and other POSIX shells). PowerShell builds PSModulePath each time it starts, and the
    commands it runs inherit it (learn.microsoft.com/powershell/module/microsoft.powershell.core/
    about/about_psmodulepath, "PowerShell PSModulePath construction"); Windows' shell is PowerShell
    (cmd.exe has no silent prompt). fish exports no variable of its own, so $SHELL, the login shell,
    names it."""
    if os.environ.get("PSModulePath") or os.name == "nt":  # noqa: SIM112 - PowerShell spells it so
        return "powershell"
    if os.path.basename(os.environ.get("SHELL", "")) == "fish":
        return "fish"
    return "sh"


def secret_from_stdin(name: str, namespace: str, key: str, variable: str | None = None) -> str:
    """``read -rs VAR && printf %s "$VAR" | kubectl create secret generic NAME -n NS
    --from-file=KEY=/dev/stdin`` (in the user's shell): the secret is typed at a silent prompt, never
    on a command line."""
    var = variable or key
    create = f"kubectl create secret generic {name} -n {namespace}"
    which = shell()
    if which == "powershell":
        return (
            f"$s = Read-Host -AsSecureString {var}; $f = (New-TemporaryFile).FullName; "
            f"[IO.File]::WriteAllText($f, [Net.NetworkCredential]::new('', $s).Password); "
            f"{create} --from-file={key}=$f; Remove-Item $f"
        )
    read = "read -s" if which == "fish" else "read -rs"
    return f'{read} {var} && printf %s "${var}" | {create} --from-file={key}=/dev/stdin'


def secret_keys(pairs: Iterable[str], *, by_name: bool = True) -> list[str]:
    """The KEYs of ``KEY=VALUE`` flag values that carry a secret, by the audit log's rules (a name
    such as HF_TOKEN or API_KEY, or a value shaped like a token or key: akscli.secret_words), each
    once, in order; with ``by_name``, a bare 32-hex-digit key under a neutral name too
    (is_bare_hex_key). Such a value is on akscli's own command line, which ``ps`` and the shell's
    history show; the value itself is never returned. ``by_name`` False: the value's
    shape only, for keys that name a Secret rather than hold one (a template's ``access_secret``)."""
    from akscli.secret_words import is_secret_variable, looks_secret

    keys: list[str] = []
    for pair in pairs:
        key, eq, value = pair.partition("=")
        secret = is_secret_variable(key, value) if by_name else looks_secret(value)
        if eq and secret and key not in keys:
            keys.append(key)
    return keys


def secret_name_for(key: str) -> str:
    """A Secret name for the variable ``key`` in a hint: HF_TOKEN -> hf-token."""
    name = "-".join(part for part in key.lower().replace("_", "-").split("-") if part.isalnum())
    return name[:63].strip("-") or "secret"


def export_with_secret(plain: tuple[str, ...], secret: str) -> str:
    """Set the variables ``plain`` (to be filled in where the hint says ``...``) and read ``secret`` at a
    silent prompt into an exported variable, in the user's shell."""
    which = shell()
    if which == "powershell":
        sets = "; ".join(f"$env:{v} = '...'" for v in plain)
        return (
            f"{sets}; $env:{secret} = [Net.NetworkCredential]::new('', (Read-Host -AsSecureString {secret})).Password"
        )
    if which == "fish":
        sets = "; ".join(f"set -x {v} ..." for v in plain)
        return f"{sets}; read -sx {secret}"
    return f"export {' '.join(f'{v}=...' for v in plain)}; read -rs {secret} && export {secret}"
