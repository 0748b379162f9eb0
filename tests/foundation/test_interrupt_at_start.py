"""A Ctrl-C before akscli's entry point has taken over (while the console script imports it, the
first ~30 ms) ends the process quietly: "interrupted" and exit 130, as a Ctrl-C anywhere later does
(test_interrupt_line.py), not Python's KeyboardInterrupt traceback (akscli/__init__.py). Each test
runs a fresh interpreter as the console script starts one: sys.argv[0] is the script's path when
``akscli`` is first imported."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable

AS_THE_CONSOLE_SCRIPT = "import sys; sys.argv[0] = '/opt/venv/bin/akscli'\n"


def _run(code: str, preexec_fn: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False, preexec_fn=preexec_fn
    )


def test_a_ctrl_c_while_the_console_script_imports_akscli_is_one_line_and_130() -> None:
    done = _run(AS_THE_CONSOLE_SCRIPT + "import akscli, signal\nsignal.raise_signal(signal.SIGINT)\nprint('went on')\n")
    assert (done.returncode, done.stderr, done.stdout) == (130, "interrupted\n", "")


def test_once_main_takes_over_a_ctrl_c_raises_for_the_commands_guard_again() -> None:
    done = _run(
        AS_THE_CONSOLE_SCRIPT
        + "import signal\nfrom akscli.cli.entry import interrupts_raise\ninterrupts_raise()\n"
        + "try:\n    signal.raise_signal(signal.SIGINT)\nexcept KeyboardInterrupt:\n    print('raised')\n"
    )
    assert (done.returncode, done.stdout) == (0, "raised\n"), done.stderr


def test_a_ctrl_c_the_parent_ignored_stays_ignored() -> None:
    # `nohup akscli ...` or `akscli ... &` in a script: CPython keeps SIG_IGN, and so does akscli.
    def ignore() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    done = _run(
        AS_THE_CONSOLE_SCRIPT + "import akscli, signal\nsignal.raise_signal(signal.SIGINT)\nprint('went on')\n",
        preexec_fn=ignore,
    )
    assert (done.returncode, done.stdout) == (0, "went on\n"), done.stderr


def test_importing_akscli_from_another_program_leaves_its_ctrl_c_alone() -> None:
    done = _run("import akscli, signal\nprint(signal.getsignal(signal.SIGINT) is signal.default_int_handler)\n")
    assert done.stdout == "True\n", done.stderr
