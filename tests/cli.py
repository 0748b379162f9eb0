"""Run akscli in-process, as a user would from a shell, and capture what it prints."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return f"Result(exit_code={self.exit_code}, stdout={self.stdout!r}, stderr={self.stderr!r})"


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@contextlib.contextmanager
def _env(overrides: Mapping[str, str | None]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in overrides}
    try:
        for key, value in overrides.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def invoke(
    *args: str, input: str | None = None, env: Mapping[str, str | None] | None = None, tty: bool = False
) -> Result:
    """``akscli ARGS...``; ``tty=True`` makes stdout and stdin look like a terminal."""
    import sys

    from akscli.cli.main import run

    stdout, stderr = _Stream(tty), _Stream(False)
    stdin = _Stream(tty)
    stdin.write(input or "")
    stdin.seek(0)
    old_stdin = sys.stdin
    sys.stdin = stdin
    try:
        with _env(env or {}), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = run(list(args))
    finally:
        sys.stdin = old_stdin
    return Result(code, stdout.getvalue(), stderr.getvalue())


def list_items(stdout: str) -> list[Any]:
    """The items of a list akscli printed with -o json or -o yaml, once the document is checked
    to be kubectl get's v1 List (its keys in kubectl's order, an empty resourceVersion)."""
    from akscli import yamlio

    document = yamlio.load(stdout)  # a JSON document is YAML too
    assert isinstance(document, dict), f"not a v1 List: {stdout[:200]!r}"
    assert list(document) == ["apiVersion", "items", "kind", "metadata"], list(document)
    assert (document["apiVersion"], document["kind"]) == ("v1", "List")
    assert document["metadata"] == {"resourceVersion": ""}
    items = document["items"]
    assert isinstance(items, list)
    return items


# Ctrl-C is how a user stops a command. A pytest started without job control (a background
# shell, some CI runners) hands its children SIGINT ignored, and Python then never raises
# KeyboardInterrupt: the child restores the default handler before akscli starts.
_WITH_CTRL_C = (
    "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('akscli', run_name='__main__')"
)


def start(*args: str) -> subprocess.Popen[str]:
    """``akscli ARGS...`` in a child process (stdout and stderr piped) that Ctrl-C can stop."""
    import sys

    return subprocess.Popen(
        [sys.executable, "-c", _WITH_CTRL_C, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def stop(process: subprocess.Popen[str]) -> None:
    """Never leave a child behind, whatever a test did with it."""
    if process.poll() is None:
        process.kill()
        process.communicate(timeout=10)


def interrupt(args: tuple[str, ...], when: Callable[[str], bool], signum: int = signal.SIGINT) -> tuple[int, str]:
    """``akscli ARGS...`` in a child, sent ``signum`` (SIGINT: Ctrl-C) once a stderr line satisfies
    ``when``: its exit code and its whole stderr."""
    process = start(*args)
    seen: list[str] = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            seen.append(line)
            if when(line):
                break
        process.send_signal(signum)
        _, rest = process.communicate(timeout=30)
        seen.append(rest or "")
    finally:
        stop(process)
    return process.returncode, "".join(seen)


def server_diff(*command: str) -> Result:
    """``akscli COMMAND --dry-run=server --exit-code``: the server dry run's plan with kubectl diff's
    exit status (0 nothing would change, 1 something would; kubernetes/kubectl pkg/cmd/diff/diff.go)."""
    return invoke(*command, "--dry-run=server", "--exit-code")


def assert_exit_code_needs_server_dry_run(*command: str) -> None:
    """``--exit-code`` without ``--dry-run=server`` is one usage line, exit 2."""
    result = invoke(*command, "--exit-code")
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: --exit-code needs --dry-run=server")


def sent(emu: Any, under: str) -> list[str]:
    """What akscli sent to the Kubernetes emulator ``emu`` under the path ``under``, API discovery
    (`/api/v1`, `/apis/GROUP/VERSION` alone) left out, in order, each `METHOD path` with
    `?dryRun=...` where one was asked: clear ``emu.request_log`` before the command judged."""
    return [
        f"{r.method} {r.path}" + (f"?dryRun={r.query['dryRun'][0]}" if "dryRun" in r.query else "")
        for r in emu.request_log
        if r.path.startswith(under) and len(r.path.strip("/").split("/")) > (2 if r.path.startswith("/api/") else 3)
    ]
