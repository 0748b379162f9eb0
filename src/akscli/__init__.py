"""akscli: a terminal-first platform CLI for AI workloads on Azure Kubernetes Service."""

import os as _os
import sys as _sys

__version__ = "0.1.0"

# The console script's first line that is akscli's (pip's script runs `from akscli.cli.entry import
# main`, which runs this first). A Ctrl-C from here until entry.main takes over ended in Python's
# KeyboardInterrupt traceback; now it ends the process at once, quietly, with "interrupted" and 130,
# the line and code of a Ctrl-C anywhere else (entry.interrupted_outside_a_command). Only when the
# program is akscli's console script (an import by a test runner or a library keeps its handler), and
# only over Python's own handler: a SIGINT the parent had ignored (`nohup`, `cmd &` in a script) stays
# ignored, as CPython leaves it (python/cpython Modules/signalmodule.c signal_module_exec installs
# default_int_handler only over SIG_DFL). _signal, not signal: the interpreter loaded it at start-up,
# while signal.py would add its import and its enums to `akscli --help`.
CONSOLE_SCRIPTS = ("akscli", "kubectl-akscli")


def interrupted_at_start(_signum: int, _frame: object) -> None:
    _os.write(2, b"interrupted\n")
    _os._exit(130)  # errors.EXIT_INTERRUPTED; nothing has been written or started to flush or end


if _sys.argv and _os.path.basename(_sys.argv[0]).removesuffix(".exe") in CONSOLE_SCRIPTS:
    import _signal

    if _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
        _signal.signal(_signal.SIGINT, interrupted_at_start)
