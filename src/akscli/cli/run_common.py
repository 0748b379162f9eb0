"""What every run does around its command, whichever path runs it: the command tree
(akscli.cli.main) or the fast path (akscli.cli.fast). The words read before parsing
(``prepared``), an error as its ``error:`` and ``hint:`` lines and exit code (``report``), the
failures no command handles (``guarded``: Ctrl-C, a closed pipe, an unexpected exception), a
command's return value as its exit code (``command_result``), the state a run leaves behind
(``cleanup``) and the process's end (``finish``). Typer-free, so both paths share one copy."""

import sys
from collections.abc import Callable, Sequence

from akscli import globals as global_flags
from akscli import process
from akscli.errors import EXIT_INTERRUPTED, AkscliError, UsageError
from akscli.printable import visible
from akscli.redact import scrub
from akscli.statuslines import as_invoked, color_enabled


def prepared(argv: Sequence[str], takes_namespace: Callable[[list[str]], bool], *, check: bool = True) -> list[str]:
    """``argv`` as the command tree parses it: every value checked (akscli.argv_check), the
    global flags taken out (akscli.globals), leading connection flags moved after the command
    and a bare --dry-run read as kubectl reads it (akscli.cli.leading_flags), ``help COMMAND`` as
    ``COMMAND --help``. ``check=False``: the words alone, for naming a refused one (main._prepared)."""
    from akscli.argv_check import command_line
    from akscli.cli.leading_flags import bare_dry_run, leading_connection_flags_last

    if check:
        command_line(list(argv))  # global flags' values too
    args = bare_dry_run(leading_connection_flags_last(global_flags.extract(list(argv)), takes_namespace))
    return help_command(args)


def help_command(args: list[str]) -> list[str]:
    """``akscli help [COMMAND...]`` as ``akscli [COMMAND...] --help``: kubectl and helm have the
    help command cobra gives every root (upstream: spf13/cobra command.go InitDefaultHelpCmd, which
    finds the command its arguments name and prints that command's help; an unknown one is an
    error). akscli has no command named help, so the word is free for this."""
    if args[:1] != ["help"]:
        return args
    return [*args[1:], "--help"]


def command_result(result: object) -> int:
    """A command's return value as its exit code. Typer turns a Ctrl-C inside a command into a
    quiet Exit(130) (typer/core.py, _main): it is said here as for one that lands outside a
    command."""
    if result == EXIT_INTERRUPTED:
        sys.stderr.write(interrupted())
    return result if isinstance(result, int) else 0


def guarded(call: Callable[[], int]) -> int:
    """``call()``'s exit code, with akscli's errors reported (``report``), Ctrl-C said
    (``interrupted``), a closed stdout taken as success and any other exception one line unless
    --debug."""
    try:
        return call()
    except AkscliError as exc:
        return report(exc, exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write(interrupted())
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `akscli ... | head` closed stdout: not an error for a CLI.
        return 0
    except SystemExit as exc:
        if isinstance(exc.__context__, BrokenPipeError):
            # The same, raised by a write inside the command: Typer turns it into sys.exit(1)
            # (typer/core.py _main, "except OSError ... errno.EPIPE").
            return 0
        raise
    except OSError as exc:
        too_long = path_too_long(exc)
        if too_long is None:
            return unexpected(exc)
        return report(too_long, too_long.exit_code)
    except Exception as exc:  # an unexpected failure: one line unless --debug
        return unexpected(exc)


def path_too_long(exc: OSError) -> UsageError | None:
    """A path the user typed that the file system cannot hold (ENAMETOOLONG: a component over
    NAME_MAX, 255 bytes on Linux, or the whole over PATH_MAX, 4096), said as the bad value it is
    rather than as an unexpected error, wherever the path was first touched (-f, --values,
    --price-file, --sysfs-root, --replay, --record ...). Upstream: torvalds/linux
    include/uapi/linux/limits.h, NAME_MAX 255 and PATH_MAX 4096; the ENAMETOOLONG of stat(2), open(2)."""
    import errno

    if exc.errno != errno.ENAMETOOLONG:
        return None
    name = str(exc.filename or "")
    shown = name if len(name) <= 60 else f"{name[:57]}..."
    return UsageError(
        f"the path {shown!r} ({len(name)} characters) is too long for the file system",
        hint="each part of a path is at most 255 bytes (NAME_MAX) and the whole at most 4096 (PATH_MAX)",
    )


def unexpected(exc: BaseException) -> int:
    """An exception no command handles: one ``unexpected error`` line, or the traceback with --debug."""
    code = unexpected_exit_code()
    if global_flags.FLAGS.debug:
        traceback(exc)
        return code
    return report(
        AkscliError(
            f"unexpected error: {type(exc).__name__}: {exc}",
            "run again with --debug for the traceback and report it",
        ),
        code,
    )


def cleanup() -> None:
    """What one run leaves behind, reset: an in-process run (the tests) never leaks its flags,
    audit results or writes into the next."""
    global_flags.reset()
    recorded = sys.modules.get("akscli.audit")
    if recorded is not None:
        recorded.RESULTS.clear()
    diff_status = sys.modules.get("akscli.cli.diff_status")
    if diff_status is not None:
        diff_status.reset()
    process.forget_writes()
    armbound = sys.modules.get("akscli.azure.armbound")
    if armbound is not None:
        armbound.bound_by(None)  # the --timeout of this run bounds no later run's ARM retries


def finish(code: int) -> None:
    """End the process. Ctrl-C or SIGTERM: the audit line is written; requests still in flight on
    worker threads are abandoned at once, as kubectl does, instead of being waited for at exit."""
    process.finish(code, wait_for_threads=code != EXIT_INTERRUPTED)


def interrupted() -> str:
    """The line a Ctrl-C ends on. After a change was made (an audit line recorded it: a wait
    that follows it is cut), it says that the change stays, as a timed-out wait does."""
    recorded = sys.modules.get("akscli.audit")  # never imported: nothing was changed
    results = list(recorded.RESULTS) if recorded is not None else []
    if results and results[-1].startswith("interrupted: "):
        # A wait on an ARM operation Azure accepted (common.audited): it goes on in Azure.
        return str(results[-1]) + "\n"
    if results[-1:] == ["interrupted"]:
        return "interrupted while applying: what was applied stays (its akscli audit list entry names each object)\n"
    if "success" in results:
        return "interrupted after the change was made: it stays, nothing was rolled back (akscli audit list)\n"
    return "interrupted\n"


def unexpected_exit_code() -> int:
    """1, or 2 for `diff` and `--exit-code`, where 1 means differences (cli/diff_status.py)."""
    diff_status = sys.modules.get("akscli.cli.diff_status")  # imported by the commands that use it
    return 1 if diff_status is None else int(diff_status.unexpected_exit_code())


def report(exc: AkscliError, code: int) -> int:
    if global_flags.FLAGS.debug:
        traceback(exc)
    label = "\x1b[31merror:\x1b[0m" if color_enabled(sys.stderr) else "error:"
    sys.stderr.write(f"{label} {as_invoked(one_line(scrub(exc.message)))}\n")
    details_shown = bool(global_flags.FLAGS.verbose or global_flags.FLAGS.debug)
    hint = exc.hint_line(details_shown)
    if hint:
        sys.stderr.write(f"hint: {as_invoked(one_line(scrub(hint)))}\n")
    if details_shown:
        for line in exc.details:
            sys.stderr.write(f"  {one_line(scrub(line))}\n")
    sys.stderr.flush()
    return code


def traceback(exc: BaseException) -> None:
    """--debug's traceback, scrubbed as the error line is: an exception's text (a server's answer
    quoting a Secret, a header) is the same text in both."""
    import traceback as tb

    sys.stderr.write(scrub("".join(tb.format_exception(exc))))


def one_line(text: str, longest: int = 200) -> str:
    """A message as one readable line: whitespace runs folded, any word over ``longest``
    characters (a value echoed back, a certificate) cut, control characters shown escaped."""
    words = []
    for word in text.split():
        if len(word) > longest:
            word = f"{word[:40]}...({len(word)} characters)"
        words.append(visible(word))
    return " ".join(words)
